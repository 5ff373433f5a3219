//! The catalogue benchmark. Loads a million published offers into a PostgreSQL database of its
//! own (COPY, not the API), starts the real server on it, and measures catalogue search through
//! HTTP at a fixed concurrency, beside the two ceilings it is judged against: the same server's
//! `/healthz` (the HTTP ceiling on this machine) and the very same SQL run by `pgbench` (the
//! database's ceiling). Prints a Markdown report; `bench/RESULTS.md` keeps one.

use api::demo::catalogue::{SERVICES, Service};
use api::state::DEFAULT_SEARCH_TOTAL_LIMIT;
use chrono::{Duration as ChronoDuration, Utc};
use clap::Parser;
use domain::ids::{OfferId, OrganisationId};
use domain::offer::{OfferStatus, PricingUnit, RegionSet, search_terms, tie_break_key};
use domain::organisation::{NewOrganisation, OrganisationKind, Region};
use domain::pagination::{PageRequest, Total};
use domain::user::{NewUser, Role};
use indicatif::{ProgressBar, ProgressStyle};
use persistence::Db;
use persistence::offers::{OfferSearch, OfferSort, search_statements};
use sea_orm::sqlx::postgres::PgPoolCopyExt;
use sea_orm::{ConnectionTrait, Database, DbBackend};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::process::Command as Process;
use std::time::{Duration, Instant};
use uuid::Uuid;

mod market;

#[derive(Debug, Parser)]
#[command(about = "Catalogue search benchmark on PostgreSQL")]
struct Args {
    /// A PostgreSQL server URL with rights to create databases.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    server: String,
    /// The benchmark's own database (created if missing).
    #[arg(long, default_value = "mkt_bench")]
    database: String,
    /// How many published offers to load.
    #[arg(long, default_value_t = 1_000_000)]
    offers: u64,
    /// Concurrent clients, for HTTP and pgbench alike.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Seconds each measurement runs (after a 2-second warm-up).
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Keep an already loaded database instead of starting afresh.
    #[arg(long)]
    reuse: bool,
    /// Drop the database at the end.
    #[arg(long)]
    drop: bool,
    /// Benchmark the market analytics instead (database `<database>_market`).
    #[arg(long)]
    market: bool,
    /// How many awarded contracts to load for `--market`.
    #[arg(long, default_value_t = 1_000_000)]
    contracts: u64,
}

/// splitmix64: a small, fast, seeded generator, so every run loads the same market.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1_u64 << 53) as f64
    }
}

const SYLLABLES: [&str; 15] = [
    "ka", "lo", "mi", "ne", "ru", "sa", "te", "vi", "zo", "bel", "dor", "fen", "gal", "hil", "jor",
];
const VOCABULARY: u64 = 15 * 15 * 15 * 15;
const WORDS_PER_DESCRIPTION: usize = 12;
const MODIFIERS: [&str; 12] = [
    "Integrated",
    "Managed",
    "Specialist",
    "Regional",
    "Flexible",
    "Enhanced",
    "Core",
    "Rapid",
    "Collaborative",
    "Digital",
    "Outcome-based",
    "Shared",
];

/// The synthetic word of rank `i` (0 is the most frequent).
fn word(mut i: u64) -> String {
    let mut out = String::new();
    for _ in 0..4 {
        out.push_str(SYLLABLES[(i % 15) as usize]);
        i /= 15;
    }
    out
}

/// A word rank drawn from a Zipf-like (log-uniform) law: a few words are everywhere, most rare.
fn zipf_rank(rng: &mut Rng) -> u64 {
    let rank = (rng.unit() * (VOCABULARY as f64).ln()).exp() as u64;
    rank.saturating_sub(1).min(VOCABULARY - 1)
}

fn copy_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// The API's errors are HTTP answers, not `std::error::Error`s; here they just end the run.
fn api_call<T>(result: Result<T, api::error::ApiError>) -> Result<T, Failure> {
    result.map_err(|e| format!("{e:?}").into())
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args = Args::parse();
    if args.market {
        return market::run(args).await;
    }
    let url = persistence::with_database(&args.server, &args.database);
    let admin = Database::connect(args.server.as_str()).await?;
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 AS one FROM pg_database WHERE datname = $1",
            [args.database.clone().into()],
        ))
        .await?
        .is_some();
    if exists && !args.reuse {
        admin
            .execute_unprepared(&format!("DROP DATABASE \"{}\" WITH (FORCE)", args.database))
            .await?;
    }
    if !exists || !args.reuse {
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{}\"", args.database))
            .await?;
    }
    let db = Db::connect(&url).await?;
    db.migrate_up().await?;

    let loaded: i64 = db
        .conn()
        .query_one_raw(sea_orm::Statement::from_string(
            DbBackend::Postgres,
            "SELECT COUNT(*) AS n FROM offers",
        ))
        .await?
        .map(|r| r.try_get("", "n"))
        .transpose()?
        .unwrap_or(0);
    let load_seconds = if u64::try_from(loaded).unwrap_or(0) < args.offers {
        let started = Instant::now();
        load(&db, args.offers).await?;
        Some(started.elapsed().as_secs_f64())
    } else {
        eprintln!("reusing {loaded} offers already loaded");
        None
    };

    // The server, exactly as `marketplace serve` builds it, on a port of its own.
    let secret = b"benchmark-secret-that-is-long-enough-for-hs256".to_vec();
    let state = api_call(api::cli::build_state(db.clone(), &secret, 3600).await)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let router = api::app::router(state);
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let token = buyer_token(&db, &base).await?;

    let mut report = String::new();
    writeln!(
        report,
        "Offers: {} published; clients: {}; {} s per measurement after a 2 s warm-up.\n",
        args.offers, args.clients, args.seconds
    )?;
    if let Some(seconds) = load_seconds {
        writeln!(report, "Load (COPY, indexes maintained): {seconds:.0} s.\n")?;
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()?;
    let health = measure(&client, &format!("{base}/healthz"), None, &args).await?;
    writeln!(
        report,
        "| measurement | requests/s | median ms | p99 ms | DB tps (pgbench) | API / DB |"
    )?;
    writeln!(report, "|---|---:|---:|---:|---:|---:|")?;
    writeln!(
        report,
        "| `/healthz` (HTTP ceiling) | {:.0} | {:.2} | {:.2} | | |",
        health.per_second, health.median_ms, health.p99_ms
    )?;

    let common = Scenario::benchmark("common word", "data".to_owned());
    let mid = Scenario::benchmark("mid-frequency word", word(300));
    let rare = Scenario::benchmark("rare word", word(10_000));
    let mut plans = String::new();
    for scenario in [&common, &mid, &rare] {
        for page in [1_u64, 50] {
            let path = format!("{base}{}", scenario.path(page));
            let check = client.get(&path).bearer_auth(&token).send().await?;
            let status = check.status();
            let body: serde_json::Value = check.json().await?;
            if !status.is_success() {
                return Err(format!("{path}: {status} {body}").into());
            }
            let total = body["total"].as_u64().unwrap_or(0);
            let matches = if body["total_exact"].as_bool() == Some(false) {
                format!("more than {total} matches")
            } else {
                format!("{total} matches")
            };
            let on_page = body["items"].as_array().map_or(0, Vec::len);
            let http = measure(&client, &path, Some(&token), &args).await?;
            // pgbench runs what the API ran: the page, and the count when the page could not
            // tell the total.
            let statements = scenario.statements(page);
            let mut sql = vec![statements.page.clone()];
            if statements.needs_count(page, on_page) {
                sql.push(statements.count.clone());
            }
            let tps = pgbench(&args, &url, &sql)?;
            writeln!(
                report,
                "| search, {}, page {page} ({matches}) | {:.0} | {:.2} | {:.2} | {:.0} | {:.0}% |",
                scenario.name,
                http.per_second,
                http.median_ms,
                http.p99_ms,
                tps,
                100.0 * http.per_second / tps
            )?;
            if page == 1 {
                writeln!(
                    plans,
                    "\n### {} (`q={}`), page 1\n\n```sql\n{};\n```\n",
                    scenario.name,
                    scenario.q.as_deref().unwrap_or(""),
                    sql.join(";\n")
                )?;
                for statement in &sql {
                    writeln!(plans, "```\n{}```", explain(&db, statement).await?)?;
                }
            }
        }
    }
    writeln!(
        report,
        "\nAPI / DB compares search requests/s through HTTP with pgbench transactions/s, each \
         transaction being the statements the API ran for that request: a page within the first \
         {} + 1 matches is one statement, which also counts them; an empty page past the end \
         adds the capped count. pgbench runs them with the \
         extended protocol, so each is planned on every run, as the API's are \
         (`plan_cache_mode=force_custom_plan`, since each search has its own values).",
        DEFAULT_SEARCH_TOTAL_LIMIT
    )?;
    let matrix = plan_matrix(&db, [&common, &mid, &rare]).await?;
    println!("{report}\n## Plans for each filter combination\n\n{matrix}\n## Query plans\n{plans}");

    if args.drop {
        drop(db);
        admin
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                args.database
            ))
            .await?;
    }
    Ok(())
}

/// A search as a buyer sends it.
#[derive(Clone)]
struct Scenario {
    name: &'static str,
    q: Option<String>,
    category: Option<&'static str>,
    region: Option<Region>,
    pricing_unit: Option<PricingUnit>,
    max_price_pence: Option<i64>,
    sort: OfferSort,
}

impl Scenario {
    /// The benchmark's query: text + category + region, cheapest first.
    fn benchmark(name: &'static str, q: String) -> Self {
        Self {
            name,
            q: Some(q),
            category: Some("data_analysis_bi"),
            region: Some(Region::London),
            pricing_unit: None,
            max_price_pence: None,
            sort: OfferSort::PriceAsc,
        }
    }

    fn path(&self, page: u64) -> String {
        let mut path = format!("/api/v1/offers?page={page}&per_page=20");
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
    fn statements(&self, page: u64) -> Inlined {
        let search = OfferSearch {
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
        let page = PageRequest::new(Some(page), Some(20)).unwrap_or_default();
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
        }
    }

    /// The filters, as a row of the plan matrix names them.
    fn filters(&self) -> String {
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

struct Inlined {
    page: String,
    counted_with_page: bool,
    count: String,
}

impl Inlined {
    /// Whether the API, having received `on_page` items for `page`, also ran the count.
    fn needs_count(&self, page: u64, on_page: usize) -> bool {
        if self.counted_with_page {
            on_page == 0 && page > 1
        } else {
            let request = PageRequest::new(Some(page), Some(20)).unwrap_or_default();
            Total::from_page(request, on_page).is_none()
        }
    }
}

/// Every combination of filters, for each kind of word and without words, planned and run once
/// (after one warm-up run): which indexes each statement uses and how long it takes alone.
async fn plan_matrix(db: &Db, words: [&Scenario; 3]) -> Result<String, Failure> {
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
fn access_paths(plan: &str) -> String {
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

fn execution_ms(plan: &str) -> f64 {
    plan.lines()
        .find_map(|l| l.trim().strip_prefix("Execution Time: "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(f64::NAN)
}

/// The rows the plan's top node returned.
fn rows_returned(plan: &str) -> usize {
    plan.lines()
        .next()
        .and_then(|l| l.split("rows=").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The statement with its `$n` parameters written in as SQL literals, for pgbench and EXPLAIN.
fn inline(statement: &sea_orm::Statement) -> String {
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

async fn explain(db: &Db, sql: &str) -> Result<String, Failure> {
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
fn pgbench(args: &Args, url: &str, statements: &[String]) -> Result<f64, Failure> {
    let script = std::env::temp_dir().join(format!("catalogue-bench-{}.sql", Uuid::new_v4()));
    let mut text = String::new();
    for sql in statements {
        text.push_str(&sql.replace('\n', " "));
        text.push_str(";\n");
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

struct Figures {
    per_second: f64,
    median_ms: f64,
    p99_ms: f64,
}

/// `clients` loops each sending `url` back to back for `seconds` (after a warm-up).
async fn measure(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    args: &Args,
) -> Result<Figures, Failure> {
    let run = |duration: Duration| {
        let mut tasks = Vec::new();
        for _ in 0..args.clients {
            let client = client.clone();
            let url = url.to_owned();
            let token = token.map(str::to_owned);
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let started = Instant::now();
                while started.elapsed() < duration {
                    let sent = Instant::now();
                    let mut request = client.get(&url);
                    if let Some(token) = &token {
                        request = request.bearer_auth(token);
                    }
                    let response = request.send().await.map_err(|e| e.to_string())?;
                    let status = response.status();
                    response.bytes().await.map_err(|e| e.to_string())?;
                    if !status.is_success() {
                        return Err(format!("{url}: {status}"));
                    }
                    latencies.push(sent.elapsed());
                }
                Ok(latencies)
            }));
        }
        tasks
    };
    for task in run(Duration::from_secs(2)) {
        task.await??;
    }
    let started = Instant::now();
    let mut latencies = Vec::new();
    for task in run(Duration::from_secs(args.seconds)) {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| {
        let index = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies
            .get(index)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Ok(Figures {
        per_second: latencies.len() as f64 / elapsed,
        median_ms: at(0.5),
        p99_ms: at(0.99),
    })
}

const SUPPLIERS: u64 = 200;
const BATCH: u64 = 20_000;

/// Loads `count` published offers from 200 suppliers with COPY, showing progress, then
/// VACUUM ANALYZE so the planner and the visibility map are as in a settled production database.
async fn load(db: &Db, count: u64) -> Result<(), Failure> {
    let command = db.command().await?;
    let mut suppliers = Vec::new();
    for n in 0..SUPPLIERS {
        let new = NewOrganisation::parse(
            &format!("Benchmark Supplier {n:03}"),
            OrganisationKind::Supplier,
            None,
            None,
        )?;
        let created = api_call(api::accounts::register_organisation(&command, None, &new).await)?;
        suppliers.push(created.id);
    }
    command.commit().await?;

    let pool = db.conn().get_postgres_connection_pool();
    let bar = ProgressBar::new(count);
    bar.set_style(ProgressStyle::with_template(
        "loading offers {bar:40} {pos}/{len} ({per_sec}, {eta} left)",
    )?);
    let mut rng = Rng(20_261_122);
    let now = Utc::now();
    let mut done = 0;
    while done < count {
        let n = BATCH.min(count - done);
        let mut offers = String::with_capacity(usize::try_from(n).unwrap_or(0) * 900);
        let mut prices = String::with_capacity(usize::try_from(n).unwrap_or(0) * 120);
        for _ in 0..n {
            offer_row(&mut rng, &suppliers, now, &mut offers, &mut prices);
        }
        let mut copy = pool
            .copy_in_raw(
                "COPY offers (id, supplier_id, category_code, title, summary, description, \
                 regions_mask, pricing_unit, unit_price_pence, minimum_term_months, status, \
                 version, tie_break, created_at, updated_at, published_at, withdrawn_at) \
                 FROM STDIN",
            )
            .await?;
        copy.send(offers.as_bytes()).await?;
        copy.finish().await?;
        let mut copy = pool
            .copy_in_raw(
                "COPY offer_prices (id, offer_id, pricing_unit, unit_price_pence, \
                 effective_from) FROM STDIN",
            )
            .await?;
        copy.send(prices.as_bytes()).await?;
        copy.finish().await?;
        done += n;
        bar.set_position(done);
        // indicatif draws only on a terminal; a log still shows progress.
        if !std::io::stderr().is_terminal() && done % 100_000 == 0 {
            eprintln!("loaded {done}/{count} offers");
        }
    }
    bar.finish();
    eprintln!("VACUUM ANALYZE …");
    db.conn()
        .execute_unprepared("VACUUM ANALYZE offers")
        .await?;
    db.conn()
        .execute_unprepared("VACUUM ANALYZE offer_prices")
        .await?;
    Ok(())
}

fn offer_row(
    rng: &mut Rng,
    suppliers: &[OrganisationId],
    now: chrono::DateTime<Utc>,
    offers: &mut String,
    prices: &mut String,
) {
    let id = OfferId::new();
    let supplier = suppliers[rng.below(suppliers.len() as u64) as usize];
    let service: &Service = &SERVICES[rng.below(SERVICES.len() as u64) as usize];
    let modifier = MODIFIERS[rng.below(MODIFIERS.len() as u64) as usize];
    let title = format!("{modifier} {}", service.title.to_lowercase());
    let mut description = String::from(service.description);
    for _ in 0..WORDS_PER_DESCRIPTION {
        description.push(' ');
        description.push_str(&word(zipf_rank(rng)));
    }
    // One to three regions mostly; sometimes national.
    let regions: Vec<Region> = if rng.below(10) == 0 {
        Region::ALL.to_vec()
    } else {
        let k = 1 + rng.below(3);
        (0..k)
            .map(|_| Region::ALL[rng.below(Region::ALL.len() as u64) as usize])
            .collect()
    };
    let mask = RegionSet::new(&regions).map_or(1, RegionSet::mask);
    let factor = 0.6 + rng.unit();
    let price = ((service.base_pence as f64 * factor) as i64).max(1);
    let published =
        now - ChronoDuration::seconds(i64::try_from(rng.below(730 * 86_400)).unwrap_or(0));
    let created = published - ChronoDuration::days(7);
    let term = service
        .minimum_term_months
        .map_or_else(|| "\\N".to_owned(), |m| m.to_string());
    let _ = writeln!(
        offers,
        "{id}\t{supplier}\t{}\t{}\t{}\t{}\t{mask}\t{}\t{price}\t{term}\tpublished\t2\t{}\t{}\t{}\t{}\t\\N",
        service.category,
        copy_escape(&title),
        copy_escape(service.summary),
        copy_escape(&description),
        service.unit.as_str(),
        tie_break_key(id),
        created.to_rfc3339(),
        published.to_rfc3339(),
        published.to_rfc3339(),
    );
    let _ = writeln!(
        prices,
        "{}\t{id}\t{}\t{price}\t{}",
        Uuid::new_v4(),
        service.unit.as_str(),
        published.to_rfc3339(),
    );
}

/// A buyer lead account, signed in through the API like any client.
async fn buyer_token(db: &Db, base: &str) -> Result<String, Failure> {
    let email = format!("bench.{}@buyer.example", Uuid::new_v4().simple());
    let password = "benchmark password 2026";
    let command = db.command().await?;
    let organisation = api_call(
        api::accounts::register_organisation(
            &command,
            None,
            &NewOrganisation::parse("Benchmark ICB", OrganisationKind::Buyer, None, None)?,
        )
        .await,
    )?;
    let new = NewUser::parse(&email, "Bench Buyer", password, Role::BuyerLead)?;
    let hash = api_call(api::auth::hash_password(&new.password).await)?;
    api_call(api::accounts::register_user(&command, None, &new, &organisation, &hash).await)?;
    command.commit().await?;
    let response: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await?
        .json()
        .await?;
    response["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("login failed: {response}").into())
}
