//! The market analytics benchmark (`--market`): a million awarded contracts bulk-loaded with COPY,
//! then `GET /api/v1/market/share` and `GET /api/v1/market/concentration?group_by=quarter` timed
//! through HTTP beside the same SQL run by pgbench, with the query plans.

use super::{Args, Failure, Rng, api_call, bench_objects, buyer_token, explain, measure, pgbench};
use chrono::{Duration as ChronoDuration, Utc};
use domain::ids::OrganisationId;
use domain::organisation::{NewOrganisation, OrganisationKind, Region};
use indicatif::{ProgressBar, ProgressStyle};
use persistence::Db;
use sea_orm::sqlx::postgres::PgPoolCopyExt;
use sea_orm::{ConnectionTrait, Database, DbBackend};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::time::Instant;
use uuid::Uuid;

const BUYERS: u64 = 60;
const SUPPLIERS: u64 = 120;
const BATCH: u64 = 20_000;
const CATEGORIES: [&str; 8] = [
    "procurement",
    "contracting",
    "finance",
    "hr",
    "it",
    "data_analysis_bi",
    "medicines_optimisation",
    "continuing_healthcare",
];

/// What the API runs for `share` (one statement) and for `concentration?group_by=quarter` (the
/// overall figures, then the quarterly ones), written by hand.
const SHARE_SQL: &str = "SELECT c.supplier_id, COUNT(*) AS contracts, \
    CAST(SUM(c.total_value_pence) AS BIGINT) AS value_pence FROM contracts c \
    GROUP BY c.supplier_id ORDER BY 1";
const QUARTER_SQL: &str = "SELECT to_char(c.awarded_at AT TIME ZONE 'UTC', 'YYYY') || '-Q' || \
    to_char(c.awarded_at AT TIME ZONE 'UTC', 'Q') AS grp, c.supplier_id, COUNT(*) AS contracts, \
    CAST(SUM(c.total_value_pence) AS BIGINT) AS value_pence FROM contracts c \
    GROUP BY 1, 2 ORDER BY 1, 2";

pub async fn run(args: &Args) -> Result<(), Failure> {
    let database = format!("{}_market", args.database);
    let url = persistence::with_database(&args.server, &database);
    let admin = Database::connect(args.server.as_str()).await?;
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 AS one FROM pg_database WHERE datname = $1",
            [database.clone().into()],
        ))
        .await?
        .is_some();
    if exists && !args.reuse {
        admin
            .execute_unprepared(&format!("DROP DATABASE \"{database}\" WITH (FORCE)"))
            .await?;
    }
    if !exists || !args.reuse {
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{database}\""))
            .await?;
    }
    let db = Db::connect(&url).await?;
    db.migrate_up().await?;
    let loaded: i64 = db
        .conn()
        .query_one_raw(sea_orm::Statement::from_string(
            DbBackend::Postgres,
            "SELECT COUNT(*) AS n FROM contracts",
        ))
        .await?
        .map(|r| r.try_get("", "n"))
        .transpose()?
        .unwrap_or(0);
    let load_seconds = if u64::try_from(loaded).unwrap_or(0) < args.contracts {
        let started = Instant::now();
        load(&db, args.contracts).await?;
        Some(started.elapsed().as_secs_f64())
    } else {
        eprintln!("reusing {loaded} contracts already loaded");
        None
    };

    let secret = b"benchmark-secret-that-is-long-enough-for-hs256".to_vec();
    let state =
        api_call(server::cli::build_state(db.clone(), bench_objects()?, &secret, 3600).await)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let router = server::app::router_with(state, &server::rate_limit::RateLimits::off());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let token = buyer_token(&db, &base).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()?;

    let mut report = String::new();
    writeln!(
        report,
        "Contracts: {} awarded ({BUYERS} buyers, {SUPPLIERS} suppliers, {} categories, 7 \
         regions, awarded over 5 years); clients: {}; {} s per measurement after a 2 s warm-up.\n",
        args.contracts,
        CATEGORIES.len(),
        args.clients,
        args.seconds
    )?;
    if let Some(seconds) = load_seconds {
        writeln!(report, "Load (COPY, indexes maintained): {seconds:.0} s.\n")?;
    }
    writeln!(
        report,
        "| measurement | requests/s | median ms | p99 ms | DB tps (pgbench) | API / DB |"
    )?;
    writeln!(report, "|---|---:|---:|---:|---:|---:|")?;
    let mut plans = String::new();
    for (name, path, sql) in [
        ("share", "/api/v1/market/share", vec![SHARE_SQL.to_owned()]),
        (
            "concentration, group_by=quarter",
            "/api/v1/market/concentration?group_by=quarter",
            vec![SHARE_SQL.to_owned(), QUARTER_SQL.to_owned()],
        ),
    ] {
        let address = format!("{base}{path}");
        let check = client.get(&address).bearer_auth(&token).send().await?;
        let status = check.status();
        let body: serde_json::Value = check.json().await?;
        if !status.is_success() {
            return Err(format!("{address}: {status} {body}").into());
        }
        let http = measure(&client, &address, Some(&token), args).await?;
        let tps = pgbench(args, &url, &sql)?;
        writeln!(
            report,
            "| {name} | {:.1} | {:.0} | {:.0} | {:.1} | {:.0}% |",
            http.per_second,
            http.median_ms,
            http.p99_ms,
            tps,
            100.0 * http.per_second / tps
        )?;
        writeln!(plans, "\n### {name}\n")?;
        for statement in &sql {
            writeln!(
                plans,
                "```sql\n{statement};\n```\n```\n{}```",
                explain(&db, statement).await?
            )?;
        }
    }
    println!("{report}\n## Query plans\n{plans}");
    if args.drop {
        drop(db);
        admin
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"
            ))
            .await?;
    }
    Ok(())
}

async fn organisations(
    db: &Db,
    kind: OrganisationKind,
    count: u64,
) -> Result<Vec<OrganisationId>, Failure> {
    let command = db.command().await?;
    let mut ids = Vec::new();
    for n in 0..count {
        let name = match kind {
            OrganisationKind::Buyer => format!("Benchmark ICB {n:03}"),
            _ => format!("Benchmark CSU {n:03}"),
        };
        let new = NewOrganisation::parse(&name, kind, None, None)?;
        let created =
            api_call(service::accounts::register_organisation(&command, None, &new).await)?;
        ids.push(created.id);
    }
    command.commit().await?;
    Ok(ids)
}

/// Loads `count` awarded tenders and their contracts with COPY, then VACUUM ANALYZE. Supplier
/// sizes follow a skewed law, so the market is concentrated as real ones are.
async fn load(db: &Db, count: u64) -> Result<(), Failure> {
    let buyers = organisations(db, OrganisationKind::Buyer, BUYERS).await?;
    let suppliers = organisations(db, OrganisationKind::Supplier, SUPPLIERS).await?;
    let pool = db.conn().get_postgres_connection_pool();
    let bar = ProgressBar::new(count);
    bar.set_style(ProgressStyle::with_template(
        "loading contracts {bar:40} {pos}/{len} ({per_sec}, {eta} left)",
    )?);
    let mut rng = Rng(20_261_123);
    let now = Utc::now();
    let mut done = 0;
    while done < count {
        let n = BATCH.min(count - done);
        let mut tenders = String::new();
        let mut contracts = String::new();
        for _ in 0..n {
            let tender = Uuid::new_v4();
            let buyer = buyers[rng.below(BUYERS) as usize];
            // Skewed: the square of a uniform draw favours the first suppliers.
            let pick = (rng.unit() * rng.unit() * SUPPLIERS as f64) as usize;
            let supplier = suppliers[pick.min(suppliers.len() - 1)];
            let category = CATEGORIES[rng.below(CATEGORIES.len() as u64) as usize];
            let region = Region::ALL[rng.below(Region::ALL.len() as u64) as usize].code();
            let value = 1_000_000 + i64::try_from(rng.below(50_000_000)).unwrap_or(0);
            let awarded = now
                - ChronoDuration::seconds(i64::try_from(rng.below(5 * 365 * 86_400)).unwrap_or(0));
            let published = awarded - ChronoDuration::days(45);
            let deadline = awarded - ChronoDuration::days(15);
            let start = (awarded + ChronoDuration::days(30)).date_naive();
            let end = start + ChronoDuration::days(3 * 365);
            let _ = writeln!(
                tenders,
                "{tender}\t{buyer}\tBenchmark tender\tSupport services\t{category}\t{region}\t{value}\t36\topen\t{}\t{}\t8\tawarded\t3\t{}\t{}\t{}",
                deadline.to_rfc3339(),
                deadline.to_rfc3339(),
                published.to_rfc3339(),
                awarded.to_rfc3339(),
                published.to_rfc3339(),
            );
            let _ = writeln!(
                contracts,
                "{}\t{tender}\t{}\t{}\t{buyer}\t{supplier}\t{supplier}\tBenchmark contract\t{category}\t{region}\t{value}\t{}\t{start}\t{end}\tactive\t{}\t{}\t{}",
                Uuid::new_v4(),
                Uuid::new_v4(),
                Uuid::new_v4(),
                value / 3,
                awarded.to_rfc3339(),
                awarded.to_rfc3339(),
                Uuid::new_v4(),
            );
        }
        let mut copy = pool
            .copy_in_raw(
                "COPY tenders (id, buyer_id, title, description, category_code, region, \
                 estimated_value_pence, contract_term_months, procedure, clarification_deadline, \
                 submission_deadline, standstill_days, status, version, created_at, updated_at, \
                 published_at) FROM STDIN",
            )
            .await?;
        copy.send(tenders.as_bytes()).await?;
        copy.finish().await?;
        let mut copy = pool
            .copy_in_raw(
                "COPY contracts (id, tender_id, award_id, bid_id, buyer_id, supplier_id, \
                 awarded_supplier_id, title, category_code, region, total_value_pence, \
                 annual_value_pence, start_date, end_date, status, awarded_at, created_at, \
                 created_by) FROM STDIN",
            )
            .await?;
        copy.send(contracts.as_bytes()).await?;
        copy.finish().await?;
        done += n;
        bar.set_position(done);
        if !std::io::stderr().is_terminal() && done % 100_000 == 0 {
            eprintln!("loaded {done}/{count} contracts");
        }
    }
    bar.finish();
    eprintln!("VACUUM ANALYZE …");
    for table in ["tenders", "contracts"] {
        db.conn()
            .execute_unprepared(&format!("VACUUM ANALYZE {table}"))
            .await?;
    }
    Ok(())
}
