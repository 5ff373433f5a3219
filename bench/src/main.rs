//! The catalogue benchmark. Loads a million published offers into a PostgreSQL database of its
//! own (COPY, not the API), starts the real server on it, and measures catalogue search through
//! HTTP at a fixed concurrency, beside the two ceilings it is judged against: the same server's
//! `/healthz` (the HTTP ceiling on this machine) and the very same SQL run by `pgbench` (the
//! database's ceiling). Prints a Markdown report; `bench/RESULTS.md` keeps one.

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
use server::demo::catalogue::{SERVICES, Service};
use service::DEFAULT_SEARCH_TOTAL_LIMIT;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::process::Command as Process;
use std::time::{Duration, Instant};
use uuid::Uuid;

mod catalogue;
mod plans;
mod reads;

use catalogue::*;
use plans::*;

mod market;
mod startup;

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
    /// Run every scenario for a second on a small market and drop it: proves they still run.
    #[arg(long)]
    quick: bool,
    /// The `marketplace` binary whose cold start and idle memory are measured.
    #[arg(long, default_value = "target/release/marketplace")]
    binary: String,
    /// Measure only the cold start and idle memory of `--binary`.
    #[arg(long)]
    startup: bool,
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// The API's errors are HTTP answers, not `std::error::Error`s; here they just end the run.
fn api_call<T, E: std::fmt::Debug>(result: Result<T, E>) -> Result<T, Failure> {
    result.map_err(|e| format!("{e:?}").into())
}

/// The benchmark server's file store: a directory of its own (the scenarios upload nothing).
fn bench_objects() -> Result<std::sync::Arc<dyn service::files::FileStore>, Failure> {
    let dir = std::env::temp_dir().join(format!("catalogue-bench-objects-{}", std::process::id()));
    Ok(server::objects::Objects::directory(&dir.display().to_string())?.shared())
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    server::objects::install_tls_provider();
    let mut args = Args::parse();
    if args.quick {
        // Every scenario for a moment on a small market, to prove they still run (CI): the
        // figures mean nothing at this size.
        args.offers = 2_000;
        args.contracts = 2_000;
        args.seconds = 1;
        args.clients = 2;
        args.drop = true;
        args.reuse = false;
        args.database = format!("{}_quick_{}", args.database, std::process::id());
        catalogue_benchmark(&args).await?;
        market::run(&args).await?;
        println!(
            "\n## Cold start and memory\n\n{}",
            startup::run(&args.binary, 1).await?
        );
        return Ok(());
    }
    if args.startup {
        println!(
            "## Cold start and memory\n\n{}",
            startup::run(&args.binary, 5).await?
        );
        return Ok(());
    }
    if args.market {
        return market::run(&args).await;
    }
    catalogue_benchmark(&args).await
}

/// Search and reads by id over `args.offers` published offers.
async fn catalogue_benchmark(args: &Args) -> Result<(), Failure> {
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
    let state =
        api_call(server::cli::build_state(db.clone(), bench_objects()?, &secret, 3600).await)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let router = server::app::router_with(state, &server::rate_limit::RateLimits::off());
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
    let health = measure(&client, &format!("{base}/healthz"), None, args).await?;
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

    reads::offer_by_id(&db, &url, &base, &client, &token, args, &mut report).await?;

    let common = Scenario::benchmark("common word", "data".to_owned());
    let mid = Scenario::benchmark("mid-frequency word", word(300));
    let rare = Scenario::benchmark("rare word", word(10_000));
    let listing = Scenario::listing("the listing, 100 a page", 100);
    let mut plans = String::new();
    for scenario in [&listing, &common, &mid, &rare] {
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
            let http = measure(&client, &path, Some(&token), args).await?;
            // pgbench runs what the API ran: the page, and the count when the page could not
            // tell the total.
            let statements = scenario.statements(page);
            let mut sql = vec![statements.page.clone()];
            if statements.needs_count(page, on_page) {
                sql.push(statements.count.clone());
            }
            let tps = pgbench(args, &url, &sql)?;
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
    measure_each(client, &[url.to_owned()], token, args).await
}

/// [`measure`] over several addresses, each client going through them in turn from its own
/// starting point.
async fn measure_each(
    client: &reqwest::Client,
    urls: &[String],
    token: Option<&str>,
    args: &Args,
) -> Result<Figures, Failure> {
    let run = |duration: Duration| {
        let mut tasks = Vec::new();
        for start in 0..args.clients {
            let client = client.clone();
            let urls = urls.to_vec();
            let token = token.map(str::to_owned);
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let started = Instant::now();
                // Clients start far apart in the list, so they do not read the same row at once.
                let mut next = start * 7919;
                while started.elapsed() < duration {
                    let url = &urls[next % urls.len()];
                    next += 1;
                    let sent = Instant::now();
                    let mut request = client.get(url);
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

/// A buyer lead account, signed in through the API like any client.
async fn buyer_token(db: &Db, base: &str) -> Result<String, Failure> {
    let email = format!("bench.{}@buyer.example", Uuid::new_v4().simple());
    let password = "benchmark password 2026";
    let command = db.command().await?;
    let organisation = api_call(
        service::accounts::register_organisation(
            &command,
            None,
            &NewOrganisation::parse("Benchmark ICB", OrganisationKind::Buyer, None, None)?,
        )
        .await,
    )?;
    let new = NewUser::parse(&email, "Bench Buyer", password, Role::BuyerLead)?;
    let hash = api_call(service::accounts::hash_password(&new.password).await)?;
    api_call(service::accounts::register_user(&command, None, &new, &organisation, &hash).await)?;
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
