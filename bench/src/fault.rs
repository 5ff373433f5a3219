//! The database fault test: the real `marketplace` binary on a PostgreSQL cluster of the
//! caller's own, steady bids from several clients, the cluster stopped with `-m immediate` and
//! started again. Fails unless every acknowledged bid is stored exactly once, no answer is a
//! 500, every answer while the database is down comes within 3 s, the audit chain verifies and
//! the first success after the restart comes within 10 s; prints those figures either way.
//! `scripts/fault-test` makes the cluster and calls this.

use clap::Parser;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Debug, Parser)]
#[command(about = "Bids through the real server while its PostgreSQL is stopped and started")]
struct Args {
    /// The `marketplace` binary.
    #[arg(long)]
    binary: String,
    /// The fault cluster's database URL (an empty database the server migrates).
    #[arg(long)]
    database_url: String,
    /// The shell command that stops the cluster (`pg_ctlcluster 15 NAME stop -m immediate`).
    #[arg(long)]
    stop: String,
    /// The shell command that starts it again.
    #[arg(long)]
    start: String,
    /// The loopback port the server listens on.
    #[arg(long)]
    port: u16,
    /// Concurrent bidding clients.
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// Seconds of bidding before the stop.
    #[arg(long, default_value_t = 4)]
    before: u64,
    /// Seconds the database stays down.
    #[arg(long, default_value_t = 5)]
    down: u64,
    /// Seconds of bidding after the start.
    #[arg(long, default_value_t = 6)]
    after: u64,
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

const ADMIN_EMAIL: &str = "fault-admin@marketplace.example";
const PASSWORD: &str = "fault test password 2026";
const SUPPLIERS: usize = 12;
const TENDERS: usize = 250;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn shell(command: &str) -> Result<(), Failure> {
    let status = Command::new("sh").arg("-c").arg(command).status()?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{command}` failed: {status}").into())
    }
}

struct Api {
    client: Client,
    base: String,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), Failure> {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let body = response.json::<Value>().await.unwrap_or(Value::Null);
        Ok((status, body))
    }

    /// A call that must answer `expected`; its body.
    async fn must(
        &self,
        expected: StatusCode,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<Value, Failure> {
        let (status, answer) = self.call(method.clone(), path, token, body).await?;
        if status == expected {
            Ok(answer)
        } else {
            Err(format!("{method} {path}: {status} {answer}").into())
        }
    }

    async fn login(&self, email: &str) -> Result<String, Failure> {
        let body = json!({"email": email, "password": PASSWORD});
        let answer = self
            .must(
                StatusCode::OK,
                reqwest::Method::POST,
                "/api/v1/auth/login",
                None,
                Some(body),
            )
            .await?;
        Ok(answer["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// An organisation of `kind` with one user of `role`, signed in.
    async fn member(
        &self,
        admin: &str,
        kind: &str,
        role: &str,
        n: usize,
    ) -> Result<String, Failure> {
        let organisation = self
            .must(
                StatusCode::CREATED,
                reqwest::Method::POST,
                "/api/v1/organisations",
                Some(admin),
                Some(json!({"name": format!("Fault test {kind} {n}"), "kind": kind})),
            )
            .await?;
        let email = format!("{role}.{n}@fault.example");
        self.must(
            StatusCode::CREATED,
            reqwest::Method::POST,
            "/api/v1/users",
            Some(admin),
            Some(
                json!({"email": email, "name": "Fault Tester", "password": PASSWORD,
                "role": role, "organisation_id": organisation["id"]}),
            ),
        )
        .await?;
        self.login(&email).await
    }
}

/// What the bidding clients saw.
#[derive(Default)]
struct Seen {
    acknowledged: Vec<String>,
    unavailable: usize,
    other: Vec<String>,
    server_errors: usize,
    slowest_refusal: Duration,
    first_success_after_start: Option<Duration>,
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    // reqwest's rustls has no bundled provider: ring is this process's (as in the server).
    server::objects::install_tls_provider();
    let args = Args::parse();
    let base = format!("http://127.0.0.1:{}", args.port);
    let status = Command::new(&args.binary)
        .args(["migrate", "up"])
        .env("DATABASE_URL", &args.database_url)
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        return Err("migrate up failed".into());
    }
    let status = Command::new(&args.binary)
        .args(["create-admin", "--email", ADMIN_EMAIL])
        .env("DATABASE_URL", &args.database_url)
        .env("MARKETPLACE_ADMIN_PASSWORD", PASSWORD)
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        return Err("create-admin failed".into());
    }
    // The server's log, kept for the end: a failure prints its errors (never bodies or SQL).
    let server_log = std::env::temp_dir().join(format!("fault-test-server-{}.log", args.port));
    let _server = Server(
        Command::new(&args.binary)
            .arg("serve")
            .env("DATABASE_URL", &args.database_url)
            .env("MARKETPLACE_BIND", format!("127.0.0.1:{}", args.port))
            .env(
                "MARKETPLACE_JWT_SECRET",
                "fault-test-secret-that-is-long-enough-for-hs256",
            )
            .env("MARKETPLACE_LOG_FORMAT", "json")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&server_log)?)
            .spawn()?,
    );
    let api = Api {
        client: Client::builder().timeout(Duration::from_secs(15)).build()?,
        base,
    };
    let ready = Instant::now();
    while !matches!(
        api.call(reqwest::Method::GET, "/readyz", None, None).await,
        Ok((StatusCode::OK, _))
    ) {
        if ready.elapsed() > Duration::from_secs(30) {
            return Err("the server did not become ready".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A buyer with many open tenders and suppliers to bid on them: each (tender, supplier) pair
    // is one first bid.
    let admin = api.login(ADMIN_EMAIL).await?;
    let lead = api.member(&admin, "buyer", "buyer_lead", 0).await?;
    let mut suppliers = Vec::new();
    for n in 0..SUPPLIERS {
        suppliers.push(api.member(&admin, "supplier", "supplier_bidder", n).await?);
    }
    let deadline = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let mut tenders = Vec::new();
    for n in 0..TENDERS {
        let draft = api
            .must(
                StatusCode::CREATED,
                reqwest::Method::POST,
                "/api/v1/tenders",
                Some(&lead),
                Some(json!({
                    "title": format!("Fault test tender {n}"),
                    "description": "Bids while the database goes away and comes back.",
                    "category": "procurement",
                    "region": "east_of_england",
                    "estimated_value_pence": 10_000_000,
                    "contract_term_months": 12,
                    "procedure": "open",
                    "criteria": [
                        {"name": "Price", "kind": "price", "weight": 40},
                        {"name": "Approach", "kind": "quality", "weight": 60}
                    ],
                    "clarification_deadline": deadline,
                    "submission_deadline": deadline,
                })),
            )
            .await?;
        let id = draft["id"].as_str().unwrap_or_default().to_owned();
        let published = api
            .must(
                StatusCode::OK,
                reqwest::Method::POST,
                &format!("/api/v1/tenders/{id}/publish"),
                Some(&lead),
                None,
            )
            .await?;
        let criterion = published["criteria"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["kind"] == "quality"))
            .map(|c| c["id"].clone())
            .unwrap_or(Value::Null);
        tenders.push((id, criterion));
    }
    let pairs: Vec<(usize, usize)> = (0..TENDERS)
        .flat_map(|t| (0..SUPPLIERS).map(move |s| (t, s)))
        .collect();

    let next = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let down = Arc::new(AtomicBool::new(false));
    let started_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let stop_bidding = Arc::new(AtomicBool::new(false));
    let api = Arc::new(api);
    let (pairs, tenders, suppliers) = (Arc::new(pairs), Arc::new(tenders), Arc::new(suppliers));
    let mut workers = Vec::new();
    for _ in 0..args.clients {
        let (api, next, seen, down, started_at, stop_bidding) = (
            api.clone(),
            next.clone(),
            seen.clone(),
            down.clone(),
            started_at.clone(),
            stop_bidding.clone(),
        );
        let (pairs, tenders, suppliers) = (pairs.clone(), tenders.clone(), suppliers.clone());
        workers.push(tokio::spawn(async move {
            while !stop_bidding.load(Ordering::SeqCst) {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(&(t, s)) = pairs.get(i) else { break };
                let (tender, criterion) = &tenders[t];
                let body = json!({"price_pence": 9_000_000 + i64::try_from(i).unwrap_or(0),
                    "responses": [{"criterion_id": criterion, "text": "Our approach."}]});
                let asked = Instant::now();
                let answer = api
                    .call(
                        reqwest::Method::POST,
                        &format!("/api/v1/tenders/{tender}/bids"),
                        Some(&suppliers[s]),
                        Some(body),
                    )
                    .await;
                let took = asked.elapsed();
                let was_down = down.load(Ordering::SeqCst);
                let mut seen = seen.lock().await;
                match answer {
                    Ok((StatusCode::CREATED, bid)) => {
                        seen.acknowledged
                            .push(bid["id"].as_str().unwrap_or_default().to_owned());
                        if !was_down
                            && seen.first_success_after_start.is_none()
                            && let Some(at) = *started_at.lock().await
                        {
                            seen.first_success_after_start = Some(at.elapsed());
                        }
                    }
                    Ok((StatusCode::SERVICE_UNAVAILABLE, _)) => {
                        seen.unavailable += 1;
                        seen.slowest_refusal = seen.slowest_refusal.max(took);
                    }
                    Ok((status, body)) => {
                        if status.is_server_error() {
                            seen.server_errors += 1;
                        }
                        seen.other.push(format!("{status} {body}"));
                    }
                    Err(e) => seen.other.push(format!("no answer: {e}")),
                }
                if was_down {
                    seen.slowest_refusal = seen.slowest_refusal.max(took);
                }
            }
        }));
    }

    tokio::time::sleep(Duration::from_secs(args.before)).await;
    shell(&args.stop)?;
    down.store(true, Ordering::SeqCst);
    let stopped = Instant::now();
    tokio::time::sleep(Duration::from_secs(args.down)).await;
    shell(&args.start)?;
    down.store(false, Ordering::SeqCst);
    *started_at.lock().await = Some(Instant::now());
    tokio::time::sleep(Duration::from_secs(args.after)).await;
    stop_bidding.store(true, Ordering::SeqCst);
    for worker in workers {
        worker.await?;
    }
    let down_for = stopped.elapsed();

    // What is stored: the bids by id, with no supplier twice on a tender.
    let db = sea_orm::Database::connect(args.database_url.as_str()).await?;
    use sea_orm::ConnectionTrait;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT id::text AS id, tender_id::text || '/' || supplier_id::text AS pair FROM bids",
        ))
        .await?;
    let mut stored = HashSet::new();
    let mut stored_pairs = HashSet::new();
    let mut duplicated = 0;
    for row in rows {
        let id: String = row.try_get("", "id")?;
        let pair: String = row.try_get("", "pair")?;
        stored.insert(id);
        if !stored_pairs.insert(pair) {
            duplicated += 1;
        }
    }
    let seen = seen.lock().await;
    let acknowledged: HashSet<&String> = seen.acknowledged.iter().collect();
    let lost = acknowledged
        .iter()
        .filter(|id| !stored.contains(**id))
        .count();
    let admin = api.login(ADMIN_EMAIL).await?;
    let verify = api
        .must(
            StatusCode::OK,
            reqwest::Method::GET,
            "/api/v1/audit/verify",
            Some(&admin),
            None,
        )
        .await?;

    println!("## Database fault test");
    println!();
    println!("| figure | value |");
    println!("|---|---|");
    println!("| bidding clients | {} |", args.clients);
    println!("| bids acknowledged (201) | {} |", seen.acknowledged.len());
    println!("| bids stored | {} |", stored.len());
    println!("| acknowledged but not stored | {lost} |");
    println!("| stored twice for one supplier and tender | {duplicated} |");
    println!(
        "| answered 503 while the database was away | {} |",
        seen.unavailable
    );
    println!("| answered 5xx other than 503 | {} |", seen.server_errors);
    println!("| other answers | {} |", seen.other.len());
    println!(
        "| slowest answer while away | {} ms |",
        seen.slowest_refusal.as_millis()
    );
    println!(
        "| first success after the restart | {} |",
        seen.first_success_after_start
            .map_or("none".to_owned(), |d| format!("{} ms", d.as_millis()))
    );
    println!("| stop to end of run | {} s |", down_for.as_secs());
    println!("| audit chain | {verify} |");
    for other in seen.other.iter().take(5) {
        println!("other answer: {other}");
    }

    let mut failures = Vec::new();
    if lost > 0 {
        failures.push(format!("{lost} acknowledged bids are not stored"));
    }
    if duplicated > 0 {
        failures.push(format!("{duplicated} bids are stored twice"));
    }
    if seen.server_errors > 0 || !seen.other.is_empty() {
        failures.push(format!(
            "{} answers were neither 201 nor 503 ({} of them 5xx)",
            seen.other.len(),
            seen.server_errors
        ));
    }
    if seen.slowest_refusal > Duration::from_secs(3) {
        failures.push(format!(
            "an answer while away took {} ms",
            seen.slowest_refusal.as_millis()
        ));
    }
    if seen
        .first_success_after_start
        .is_none_or(|d| d > Duration::from_secs(10))
    {
        failures.push("no success within 10 s of the restart".to_owned());
    }
    if seen.unavailable == 0 {
        failures.push("no request met the database away: the fault did not happen".to_owned());
    }
    if verify["valid"] != true {
        failures.push(format!("the audit chain does not verify: {verify}"));
    }
    let log = std::fs::read_to_string(&server_log).unwrap_or_default();
    let _ = std::fs::remove_file(&server_log);
    if failures.is_empty() {
        println!();
        println!("fault test passed");
        Ok(())
    } else {
        println!("\nthe server's errors:");
        for line in log.lines().filter(|l| l.contains("\"ERROR\"")).take(20) {
            println!("{line}");
        }
        Err(failures.join("; ").into())
    }
}
