//! The `marketplace` binary itself: its subcommands, configuration and graceful shutdown.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_marketplace");

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("mkt-cli-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        Self(dir)
    }

    fn sqlite_url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.0.join("m.db").display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn marketplace(database_url: &str) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn");
    command
}

fn run(command: &mut Command) -> (bool, String, String) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"));
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn openapi_prints_the_committed_document() {
    let (ok, stdout, _) = run(Command::new(BIN).arg("openapi"));
    assert!(ok);
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../openapi/openapi.json"
    ))
    .unwrap_or_default();
    assert_eq!(stdout, committed);
}

#[test]
fn migrate_reports_status_and_rolls_back_and_forward() {
    let dir = TempDir::new();
    let url = dir.sqlite_url();
    let (ok, stdout, stderr) = run(marketplace(&url).args(["migrate", "status"]));
    assert!(ok, "{stderr}");
    assert!(
        stdout.lines().all(|l| l.starts_with("pending ")),
        "{stdout}"
    );
    let (ok, _, stderr) = run(marketplace(&url).args(["migrate", "up"]));
    assert!(ok, "{stderr}");
    let (_, stdout, _) = run(marketplace(&url).args(["migrate", "status"]));
    assert!(
        stdout.lines().all(|l| l.starts_with("applied ")),
        "{stdout}"
    );
    let (ok, _, stderr) = run(marketplace(&url).args(["migrate", "down"]));
    assert!(ok, "{stderr}");
    let (_, stdout, _) = run(marketplace(&url).args(["migrate", "status"]));
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("pending ")).count(),
        1,
        "{stdout}"
    );
}

#[test]
fn create_admin_takes_the_password_from_the_environment_and_refuses_a_weak_one() {
    let dir = TempDir::new();
    let url = dir.sqlite_url();
    let (ok, stdout, stderr) = run(marketplace(&url)
        .args(["create-admin", "--email", "root@platform.example"])
        .env("MARKETPLACE_ADMIN_PASSWORD", "a perfectly long password"));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("root@platform.example"));
    let (ok, _, stderr) = run(marketplace(&url).args([
        "create-admin",
        "--email",
        "two@platform.example",
        "--password",
        "short",
    ]));
    assert!(!ok);
    assert!(stderr.contains("password"), "{stderr}");
    let (ok, _, stderr) = run(marketplace(&url)
        .args(["create-admin", "--email", "ROOT@platform.example"])
        .env("MARKETPLACE_ADMIN_PASSWORD", "a perfectly long password"));
    assert!(!ok, "a second admin with the same email must be refused");
    assert!(stderr.contains("already exists"), "{stderr}");
}

#[test]
fn demo_loads_once_and_prints_the_logins() {
    let dir = TempDir::new();
    let url = dir.sqlite_url();
    let (ok, stdout, stderr) = run(marketplace(&url).arg("demo"));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("Demo market loaded"), "{stdout}");
    for role in [
        "admin",
        "regulator",
        "buyer_lead",
        "buyer_evaluator",
        "supplier_bidder",
    ] {
        assert!(stdout.contains(role), "no {role} login in {stdout}");
    }
    let (ok, stdout, _) = run(marketplace(&url).arg("demo"));
    assert!(ok);
    assert!(stdout.contains("not loaded"), "{stdout}");
}

#[test]
fn serve_on_postgres_without_a_jwt_secret_refuses_to_start() {
    let (ok, _, stderr) = run(marketplace("postgres://postgres@127.0.0.1:1/none").args([
        "serve",
        "--bind",
        "127.0.0.1:0",
    ]));
    assert!(!ok);
    assert!(stderr.contains("MARKETPLACE_JWT_SECRET"), "{stderr}");
}

#[test]
fn serve_with_demo_prints_its_urls_answers_and_shuts_down_gracefully_on_sigterm() {
    let dir = TempDir::new();
    let url = dir.sqlite_url();
    let mut child = marketplace(&url)
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut lines = BufReader::new(stdout).lines();
    let started = Instant::now();
    let mut root = None;
    let mut docs = None;
    while root.is_none() || docs.is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(rest) = line.strip_prefix("Marketplace ready: ") {
            root = Some(rest.trim().to_owned());
        }
        if let Some(rest) = line.strip_prefix("API documentation: ") {
            docs = Some(rest.trim().to_owned());
        }
    }
    let root = root.unwrap_or_else(|| panic!("no ready line"));
    assert_eq!(docs.as_deref(), Some(format!("{root}docs/").as_str()));
    assert!(
        dir.0.join("m.db.jwt-secret").exists(),
        "a development secret is kept beside the database"
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let status = runtime.block_on(async {
        server::objects::install_tls_provider();
        let client = reqwest::Client::new();
        let login = client
            .post(format!("{root}api/v1/auth/login"))
            .json(&serde_json::json!({"email": "lead@gm-icb.nhs.example", "password": server::demo::DEMO_PASSWORD}))
            .send()
            .await
            .map(|r| r.status().as_u16());
        let health = client.get(format!("{root}healthz")).send().await.map(|r| r.status().as_u16());
        (login.ok(), health.ok())
    });
    assert_eq!(
        status,
        (Some(200), Some(200)),
        "demo login and health check"
    );

    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .map(|s| s.success());
    assert_eq!(killed.ok(), Some(true));
    let started = Instant::now();
    let exit = loop {
        if let Some(status) = child.try_wait().unwrap_or_else(|e| panic!("{e}")) {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "did not shut down after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "graceful shutdown exits 0, got {exit}");
}
