//! The search scenarios and what PostgreSQL does with them: plans, access paths, and pgbench running the same SQL.

use super::*;

/// A search as a buyer sends it.
#[derive(Clone)]
pub(crate) struct Scenario {
    pub(crate) name: &'static str,
    pub(crate) q: Option<String>,
    pub(crate) category: Option<&'static str>,
    pub(crate) region: Option<Region>,
    pub(crate) pricing_unit: Option<PricingUnit>,
    pub(crate) max_price_pence: Option<i64>,
    pub(crate) sort: OfferSort,
    pub(crate) per_page: u64,
}

impl Scenario {
    /// The catalogue's plain listing: no text, no filter, `per_page` to a page, in the neutral
    /// order.
    pub(crate) fn listing(name: &'static str, per_page: u64) -> Self {
        Self {
            name,
            q: None,
            category: None,
            region: None,
            pricing_unit: None,
            max_price_pence: None,
            sort: OfferSort::Relevance,
            per_page,
        }
    }

    /// The benchmark's query: text + category + region, cheapest first.
    pub(crate) fn benchmark(name: &'static str, q: String) -> Self {
        Self {
            name,
            q: Some(q),
            category: Some("data_analysis_bi"),
            region: Some(Region::London),
            pricing_unit: None,
            max_price_pence: None,
            sort: OfferSort::PriceAsc,
            per_page: 20,
        }
    }

    pub(crate) fn path(&self, page: u64) -> String {
        let mut path = format!("/api/v1/offers?page={page}&per_page={}", self.per_page);
        if let Some(q) = &self.q {
            path.push_str(&format!("&q={q}"));
        }
        if let Some(category) = self.category {
            path.push_str(&format!("&category={category}"));
        }
        if let Some(region) = self.region {
            path.push_str(&format!("&region={}", region.code()));
        }
        let sort = match self.sort {
            OfferSort::Relevance => "relevance",
            OfferSort::PriceAsc => "price_asc",
            OfferSort::PriceDesc => "price_desc",
            OfferSort::Newest => "newest",
            OfferSort::Rating(_) => "rating",
        };
        path.push_str(&format!("&sort={sort}"));
        path
    }

    /// The page and count statements exactly as the API builds them, values inlined.
    pub(crate) fn statements(&self, page: u64) -> Inlined {
        let search = OfferSearch {
            framework: None,
            framework_lot: None,
            terms: self.q.as_deref().map(search_terms).unwrap_or_default(),
            status: OfferStatus::Published,
            only_supplier: None,
            category: self.category.map(str::to_owned),
            region_bit: self.region.map(RegionSet::bit),
            supplier: None,
            pricing_unit: self.pricing_unit,
            min_price_pence: None,
            max_price_pence: self.max_price_pence,
            sort: self.sort,
        };
        let page = PageRequest::new(Some(page), Some(self.per_page)).unwrap_or_default();
        let statements = search_statements(
            DbBackend::Postgres,
            &search,
            page,
            DEFAULT_SEARCH_TOTAL_LIMIT,
        );
        Inlined {
            page: inline(&statements.page),
            counted_with_page: statements.counted_with_page,
            count: inline(&statements.count),
            per_page: self.per_page,
        }
    }

    /// The filters, as a row of the plan matrix names them.
    pub(crate) fn filters(&self) -> String {
        let mut parts = Vec::new();
        if self.q.is_some() {
            parts.push("text".to_owned());
        }
        if self.category.is_some() {
            parts.push("category".to_owned());
        }
        if self.region.is_some() {
            parts.push("region".to_owned());
        }
        if self.pricing_unit.is_some() {
            parts.push("unit".to_owned());
        }
        if self.max_price_pence.is_some() {
            parts.push("max price".to_owned());
        }
        if parts.is_empty() {
            parts.push("none".to_owned());
        }
        parts.join(" + ")
    }
}

pub(crate) struct Inlined {
    pub(crate) page: String,
    pub(crate) counted_with_page: bool,
    pub(crate) count: String,
    pub(crate) per_page: u64,
}

impl Inlined {
    /// Whether the API, having received `on_page` items for `page`, also ran the count.
    pub(crate) fn needs_count(&self, page: u64, on_page: usize) -> bool {
        if self.counted_with_page {
            on_page == 0 && page > 1
        } else {
            let request = PageRequest::new(Some(page), Some(self.per_page)).unwrap_or_default();
            Total::from_page(request, on_page).is_none()
        }
    }
}

/// Every combination of filters, for each kind of word and without words, planned and run once
/// (after one warm-up run): which indexes each statement uses and how long it takes alone.
pub(crate) async fn plan_matrix(db: &Db, words: [&Scenario; 3]) -> Result<String, Failure> {
    let mut out = String::from(
        "Each search run alone (no concurrency, after one warm-up run), page 1, 20 per page. \
         Page 1 is one statement that also counts (up to the limit); a separate capped count \
         runs only for pages beyond the limit.\n\n\
         | word | filters | sort | page: plan | page ms | count: plan | count ms |\n\
         |---|---|---|---|---:|---|---:|\n",
    );
    let mut cases = Vec::new();
    for word in words {
        for (category, region) in [
            (None, None),
            (Some("data_analysis_bi"), None),
            (None, Some(Region::London)),
            (Some("data_analysis_bi"), Some(Region::London)),
        ] {
            for sort in [OfferSort::PriceAsc, OfferSort::Relevance] {
                cases.push(Scenario {
                    category,
                    region,
                    sort,
                    ..word.clone()
                });
            }
        }
        cases.push(Scenario {
            pricing_unit: Some(PricingUnit::DayRate),
            max_price_pence: Some(80_000),
            ..word.clone()
        });
    }
    for sort in [OfferSort::PriceAsc, OfferSort::Newest] {
        cases.push(Scenario {
            name: "(none)",
            q: None,
            sort,
            ..Scenario::benchmark("(none)", String::new())
        });
        cases.push(Scenario {
            name: "(none)",
            q: None,
            category: None,
            region: None,
            sort,
            ..Scenario::benchmark("(none)", String::new())
        });
    }
    for case in cases {
        let statements = case.statements(1);
        let _ = explain(db, &statements.page).await?;
        let page_plan = explain(db, &statements.page).await?;
        let returned = rows_returned(&page_plan);
        let (count_plan, count_ms) = if !statements.needs_count(1, returned) {
            ("(counted by the page statement)".to_owned(), String::new())
        } else {
            let _ = explain(db, &statements.count).await?;
            let plan = explain(db, &statements.count).await?;
            (access_paths(&plan), format!("{:.2}", execution_ms(&plan)))
        };
        writeln!(
            out,
            "| {} | {} | {:?} | {} | {:.2} | {} | {} |",
            case.name,
            case.filters(),
            case.sort,
            access_paths(&page_plan),
            execution_ms(&page_plan),
            count_plan,
            count_ms
        )?;
    }
    Ok(out)
}

/// The scans a plan uses, in plan order, e.g. "Index Scan using ix_offers_status_price".
pub(crate) fn access_paths(plan: &str) -> String {
    let mut paths: Vec<String> = Vec::new();
    for line in plan.lines() {
        let node = line.trim_start().trim_start_matches("->").trim();
        if node.contains("Scan") && !node.starts_with("Recheck") {
            let name = node
                .split(" (")
                .next()
                .unwrap_or(node)
                .replace(" on offers o", "");
            if !name.contains("organisations") && !paths.contains(&name) {
                paths.push(name);
            }
        }
    }
    paths.join(", ")
}

pub(crate) fn execution_ms(plan: &str) -> f64 {
    plan.lines()
        .find_map(|l| l.trim().strip_prefix("Execution Time: "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(f64::NAN)
}

/// The rows the plan's top node returned.
pub(crate) fn rows_returned(plan: &str) -> usize {
    plan.lines()
        .next()
        .and_then(|l| l.split("rows=").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The statement with its `$n` parameters written in as SQL literals, for pgbench and EXPLAIN.
pub(crate) fn inline(statement: &sea_orm::Statement) -> String {
    let mut sql = statement.sql.clone();
    let values = statement
        .values
        .as_ref()
        .map(|v| v.0.clone())
        .unwrap_or_default();
    for (i, value) in values.iter().enumerate().rev() {
        let literal = match value {
            sea_orm::Value::String(Some(s)) => format!("'{}'", s.replace('\'', "''")),
            sea_orm::Value::Int(Some(n)) => n.to_string(),
            sea_orm::Value::BigInt(Some(n)) => n.to_string(),
            sea_orm::Value::Uuid(Some(u)) => format!("'{u}'"),
            other => format!("{other:?}"),
        };
        sql = sql.replace(&format!("${}", i + 1), &literal);
    }
    sql
}

pub(crate) async fn explain(db: &Db, sql: &str) -> Result<String, Failure> {
    let rows = db
        .conn()
        .query_all_raw(sea_orm::Statement::from_string(
            DbBackend::Postgres,
            format!("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}"),
        ))
        .await?;
    let mut out = String::new();
    for row in rows {
        let line: String = row.try_get_by_index(0)?;
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

/// Runs the statements as one pgbench transaction at the benchmark's concurrency; returns tps.
pub(crate) fn pgbench(args: &Args, url: &str, statements: &[String]) -> Result<f64, Failure> {
    let script = std::env::temp_dir().join(format!("catalogue-bench-{}.sql", Uuid::new_v4()));
    let mut text = String::new();
    for sql in statements {
        text.push_str(&sql.replace('\n', " "));
        // A meta-command (`\set`) ends at its line; SQL at its semicolon.
        if !sql.starts_with('\\') {
            text.push(';');
        }
        text.push('\n');
    }
    std::fs::write(&script, text)?;
    let binary = ["pgbench", "/usr/lib/postgresql/15/bin/pgbench"]
        .into_iter()
        .find(|b| {
            Process::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .ok_or("pgbench not found")?;
    let output = Process::new(binary)
        .args([
            "-n",
            "-M",
            "extended",
            "-c",
            &args.clients.to_string(),
            "-j",
            "2",
            "-T",
            &args.seconds.to_string(),
            "-f",
        ])
        .arg(&script)
        .arg(url)
        .output()?;
    let _ = std::fs::remove_file(&script);
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "pgbench failed: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    stdout
        .lines()
        .find_map(|l| {
            l.strip_prefix("tps = ")
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse::<f64>().ok())
        })
        .ok_or_else(|| format!("no tps in pgbench output: {stdout}").into())
}
