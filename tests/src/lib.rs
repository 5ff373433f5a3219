//! The end-to-end test harness: each test starts the real router on `127.0.0.1:0` against a fresh
//! database of its own — a SQLite file in a temporary directory by default, or a new PostgreSQL
//! database when `TEST_DATABASE_URL` names a server (CI sets it) — and talks to it over HTTP.

pub mod browser;

use api::state::AppState;
use persistence::Db;
use reqwest::{Client, Method, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use server::cli::{build_state, create_admin};
pub use server::rate_limit::RateLimits;
use std::net::SocketAddr;
use std::path::PathBuf;
use uuid::Uuid;

pub const ADMIN_EMAIL: &str = "admin@platform.example";
pub const PASSWORD: &str = "correct horse battery staple";
pub const SECRET: &[u8] = b"test-secret-that-is-long-enough-for-hs256-signing";

/// Where the fresh database lives, and how to remove it.
enum Fresh {
    Sqlite { dir: PathBuf },
    Postgres { admin_url: String, name: String },
}

/// A fresh, migrated database for one test, dropped when the value is.
pub struct TestDatabase {
    pub url: String,
    pub db: Db,
    /// The test's own file store: a fresh directory, or when `TEST_OBJECT_STORE` names an S3
    /// bucket (`s3://bucket`, a local S3 API server that `scripts/test` starts) a fresh prefix
    /// in it.
    pub objects: std::sync::Arc<dyn service::files::FileStore>,
    objects_dir: std::path::PathBuf,
    fresh: Fresh,
}

/// A file store of its own for one test, and the directory to remove afterwards.
fn test_objects() -> (
    std::sync::Arc<dyn service::files::FileStore>,
    std::path::PathBuf,
) {
    let unique = Uuid::new_v4().simple().to_string();
    let dir = std::env::temp_dir().join(format!("mkt-objects-{unique}"));
    let objects = match std::env::var("TEST_OBJECT_STORE") {
        Ok(store) if store.starts_with("s3://") => {
            server::objects::Objects::open(Some(&format!("{store}/{unique}")), "")
        }
        _ => server::objects::Objects::directory(&dir.display().to_string()),
    }
    .expect("cannot open the test's file store");
    (objects.shared(), dir)
}

impl TestDatabase {
    /// Creates an empty database (no migrations applied).
    pub async fn empty() -> Self {
        let (url, fresh) = match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                // Named after the server URL's database so a CI run can drop whatever it left.
                let prefix: String = database_name(&admin_url).chars().take(40).collect();
                let name = format!("{prefix}_t{}", &Uuid::new_v4().simple().to_string()[..20]);
                let admin = Database::connect(admin_url.as_str())
                    .await
                    .expect("cannot reach TEST_DATABASE_URL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("cannot create test database");
                let _ = admin.close().await;
                let url = persistence::with_database(&admin_url, &name);
                (url, Fresh::Postgres { admin_url, name })
            }
            _ => {
                let dir =
                    std::env::temp_dir().join(format!("mkt-test-{}", Uuid::new_v4().simple()));
                std::fs::create_dir_all(&dir).expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.join("test.db").display());
                (url, Fresh::Sqlite { dir })
            }
        };
        let db = Db::connect(&url)
            .await
            .expect("cannot connect to the test database");
        let (objects, objects_dir) = test_objects();
        Self {
            url,
            db,
            objects,
            objects_dir,
            fresh,
        }
    }

    /// Creates a database and applies every migration.
    pub async fn migrated() -> Self {
        let database = Self::empty().await;
        database.db.migrate_up().await.expect("migrations failed");
        database
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.fresh, Fresh::Postgres { .. })
    }
}

/// The database named by `postgres://user@host:port/db?x`.
pub fn database_name(url: &str) -> String {
    let base = url.split('?').next().unwrap_or(url);
    let after_scheme = base.split_once("://").map_or(base, |(_, rest)| rest);
    after_scheme
        .split_once('/')
        .map(|(_, name)| name.to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "postgres".to_owned())
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.objects_dir);
        match &self.fresh {
            Fresh::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Fresh::Postgres { admin_url, name } => {
                let admin_url = admin_url.clone();
                let name = name.clone();
                // Drop runs inside the test's runtime; a thread with its own runtime may block.
                let _ = std::thread::spawn(move || {
                    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    runtime.block_on(async move {
                        if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                                ))
                                .await;
                            let _ = admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// Whether every signed-in POST the tests send is sent twice with one `Idempotency-Key`
/// (`E2E_IDEMPOTENCY=replay`; CI runs the suite so on one database): the second must be the
/// first's answer replayed, and the tests carry on with the first.
fn replaying_every_post() -> bool {
    static REPLAY: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *REPLAY.get_or_init(|| std::env::var("E2E_IDEMPOTENCY").is_ok_and(|v| v == "replay"))
}

/// Sends the request built by `build` with a fresh key, then again with the same key, and checks
/// that the second answer is the first given again (unless the first was one that is never
/// stored: a failure on the server's side, 401 or 429).
async fn send_twice(build: impl Fn() -> reqwest::RequestBuilder, path: &str) -> Response {
    let key = Uuid::new_v4().to_string();
    let key = key.as_str();
    let send = |request: reqwest::RequestBuilder| async move {
        request
            .header("Idempotency-Key", key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("request to {path} failed: {e}"))
    };
    let first = send(build()).await;
    let status = first.status();
    let headers = first.headers().clone();
    let bytes = first.bytes().await.expect("the answer has no body");
    // Refused before the key was read (too large a body) or without storing (a failure on the
    // server's side, 401, 429): a retry runs afresh.
    let stored = !(status.is_server_error()
        || status == StatusCode::UNAUTHORIZED
        || status == StatusCode::PAYLOAD_TOO_LARGE
        || status == StatusCode::TOO_MANY_REQUESTS);
    if stored {
        let again = send(build()).await;
        assert_eq!(
            again.status(),
            status,
            "the retry of POST {path} was not replayed"
        );
        assert_eq!(
            again
                .headers()
                .get("idempotency-replayed")
                .and_then(|v| v.to_str().ok()),
            Some("true"),
            "the retry of POST {path} ran again instead of being replayed"
        );
        for name in ["content-type", "location", "etag"] {
            assert_eq!(
                again.headers().get(name),
                headers.get(name),
                "the replay of POST {path} has another {name}"
            );
        }
        let replayed = again.bytes().await.expect("the replay has no body");
        assert_eq!(
            replayed,
            bytes,
            "the replay of POST {path} has another body: {} then {}",
            String::from_utf8_lossy(&bytes),
            String::from_utf8_lossy(&replayed)
        );
    }
    let mut response = axum::http::Response::new(bytes);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Response::from(response)
}

/// A running server with a fresh database and one platform admin.
pub struct TestApp {
    pub base: String,
    pub address: SocketAddr,
    pub client: Client,
    pub database: TestDatabase,
    pub admin_token: String,
    ctx: service::Ctx,
    /// Whether `E2E_IDEMPOTENCY=replay` applies: not where the tests count requests against
    /// a rate limit.
    replay: bool,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// An account created for a test, with its token.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub organisation_id: String,
    pub token: String,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_on(TestDatabase::migrated().await, |_| {}).await
    }

    /// A server whose catalogue search counts exactly only up to `limit` matches.
    pub async fn spawn_with_search_total_limit(limit: u64) -> Self {
        Self::spawn_on(TestDatabase::migrated().await, |state| {
            state.ctx = state.ctx.with_config(service::Config {
                search_total_limit: limit,
                ..state.ctx.config().clone()
            });
        })
        .await
    }

    /// A server with its configuration changed by `configure`.
    pub async fn spawn_configured(configure: impl FnOnce(&mut service::Config)) -> Self {
        Self::spawn_on(TestDatabase::migrated().await, |state| {
            let mut config = state.ctx.config().clone();
            configure(&mut config);
            state.ctx = state.ctx.with_config(config);
        })
        .await
    }

    /// The use cases over this server's database and configuration, as a background worker
    /// of the server calls them.
    pub fn ctx(&self) -> service::Ctx {
        self.ctx.clone()
    }

    /// A server over the demo market (`marketplace demo`), plus the test admin.
    pub async fn spawn_demo() -> Self {
        let database = TestDatabase::migrated().await;
        let ctx = service::Ctx::new(
            database.db.clone(),
            service::Config::default(),
            database.objects.clone(),
        );
        server::demo::load(&ctx)
            .await
            .expect("the demo market did not load");
        Self::spawn_on(database, |_| {}).await
    }

    /// A server over a fresh migrated database whose pool reaches it at `url` instead (through
    /// a relay that a fault test cuts and restores); the test keeps its own direct connection.
    pub async fn spawn_reaching(database: TestDatabase, url: &str) -> Self {
        let db = Db::connect(url)
            .await
            .expect("cannot connect through the relay");
        Self::spawn_with(database, db, &RateLimits::default(), |_| {}).await
    }

    /// A server with the rate limits given.
    pub async fn spawn_rate_limited(limits: RateLimits) -> Self {
        let database = TestDatabase::migrated().await;
        let db = database.db.clone();
        Self::spawn_with(database, db, &limits, |_| {}).await
    }

    async fn spawn_on(database: TestDatabase, configure: impl FnOnce(&mut AppState)) -> Self {
        let db = database.db.clone();
        Self::spawn_with(database, db, &RateLimits::default(), configure).await
    }

    async fn spawn_with(
        database: TestDatabase,
        db: Db,
        limits: &RateLimits,
        configure: impl FnOnce(&mut AppState),
    ) -> Self {
        create_admin(&database.db, ADMIN_EMAIL, "Test Admin", PASSWORD)
            .await
            .expect("cannot create the admin");
        let mut state = build_state(db, database.objects.clone(), SECRET, 3600)
            .await
            .expect("cannot build state");
        configure(&mut state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("cannot bind");
        let address = listener.local_addr().unwrap();
        // Links (document addresses in notices) point at this server, as `serve` makes them.
        state.ctx = state.ctx.with_config(service::Config {
            links_base: format!("http://{address}"),
            ..state.ctx.config().clone()
        });
        let ctx = state.ctx.clone();
        let router = server::app::router_with(state, limits)
            .into_make_service_with_connect_info::<SocketAddr>();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        let mut app = Self {
            base: format!("http://{address}"),
            address,
            client: Client::new(),
            database,
            admin_token: String::new(),
            ctx,
            replay: *limits == RateLimits::default(),
            server,
        };
        app.admin_token = app.login(ADMIN_EMAIL, PASSWORD).await;
        app
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let build = || {
            let mut request = self.client.request(method.clone(), self.url(path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            request
        };
        if method == Method::POST && token.is_some() && self.replay && replaying_every_post() {
            return send_twice(build, path).await;
        }
        build()
            .send()
            .await
            .unwrap_or_else(|e| panic!("request to {path} failed: {e}"))
    }

    /// Posts a `multipart/form-data` upload: the text `fields` and, when given, the file part
    /// (`file`, its name and bytes). The body is built with a fixed boundary, so that a retry
    /// with the same key is the same request.
    pub async fn upload(
        &self,
        path: &str,
        token: Option<&str>,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Response {
        let (content_type, body) = multipart_body(fields, file);
        let build = || {
            let mut request = self
                .client
                .post(self.url(path))
                .header("content-type", content_type.clone())
                .body(body.clone());
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            request
        };
        if token.is_some() && self.replay && replaying_every_post() {
            return send_twice(build, path).await;
        }
        build()
            .send()
            .await
            .unwrap_or_else(|e| panic!("upload to {path} failed: {e}"))
    }

    /// A request with a bearer token, for adding headers before sending.
    pub fn request(&self, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.send(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.send(Method::POST, path, Some(token), Some(&body))
            .await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Response {
        self.send(Method::PATCH, path, Some(token), Some(&body))
            .await
    }

    /// Signs in and returns the access token; panics unless the sign-in succeeds.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let response = self
            .send(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(&json!({"email": email, "password": password})),
            )
            .await;
        let status = response.status();
        let body = json_body(response).await;
        assert_eq!(status, StatusCode::OK, "login failed: {body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// Registers an organisation as the admin and returns its id.
    pub async fn organisation(&self, kind: &str) -> String {
        let response = self
            .post(
                "/api/v1/organisations",
                &self.admin_token,
                json!({"name": format!("Test {kind} {}", Uuid::new_v4().simple()), "kind": kind}),
            )
            .await;
        let status = response.status();
        let body = json_body(response).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// Creates a user with `role` in a new organisation of the fitting kind, and signs them in.
    pub async fn user(&self, role: &str) -> TestUser {
        let kind = match role {
            "buyer_lead" | "buyer_evaluator" => "buyer",
            "supplier_bidder" => "supplier",
            "regulator" => "regulator",
            _ => "platform",
        };
        let organisation_id = self.organisation(kind).await;
        self.user_in(role, &organisation_id).await
    }

    /// Creates a user with `role` in an existing organisation, and signs them in.
    pub async fn user_in(&self, role: &str, organisation_id: &str) -> TestUser {
        let email = format!("{role}.{}@test.example", Uuid::new_v4().simple());
        let response = self
            .post(
                "/api/v1/users",
                &self.admin_token,
                json!({"email": email, "name": "Test User", "password": PASSWORD, "role": role, "organisation_id": organisation_id}),
            )
            .await;
        let status = response.status();
        let body = json_body(response).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let token = self.login(&email, PASSWORD).await;
        TestUser {
            id: body["id"].as_str().unwrap().to_owned(),
            email,
            organisation_id: organisation_id.to_owned(),
            token,
        }
    }
}

/// A valid new offer; `changes` replaces or adds fields.
pub fn offer_json(changes: Value) -> Value {
    let mut offer = json!({
        "category": "data_analysis_bi",
        "title": "Population health analytics",
        "summary": "Linked primary and secondary care data, dashboards and risk stratification.",
        "description": "A team of analysts builds and runs a linked dataset for the system.",
        "regions": ["north_west"],
        "pricing_unit": "day_rate",
        "unit_price_pence": 65_000,
        "minimum_term_months": 12
    });
    if let (Some(offer), Some(changes)) = (offer.as_object_mut(), changes.as_object()) {
        for (key, value) in changes {
            offer.insert(key.clone(), value.clone());
        }
    }
    offer
}

impl TestApp {
    /// Creates a draft offer as `supplier`, with `changes` to the default fields.
    pub async fn create_offer(&self, supplier: &TestUser, changes: Value) -> Value {
        let response = self
            .post("/api/v1/offers", &supplier.token, offer_json(changes))
            .await;
        let status = response.status();
        let body = json_body(response).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Creates and publishes an offer as `supplier`.
    pub async fn published_offer(&self, supplier: &TestUser, changes: Value) -> Value {
        let draft = self.create_offer(supplier, changes).await;
        let id = draft["id"].as_str().unwrap();
        let response = self
            .send(
                Method::POST,
                &format!("/api/v1/offers/{id}/publish"),
                Some(&supplier.token),
                None,
            )
            .await;
        let status = response.status();
        let body = json_body(response).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

/// The response body as JSON (panics on a non-JSON body, naming it).
pub async fn json_body(response: Response) -> Value {
    let text = response.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// Asserts a problem details response with `status`, returning its body.
pub async fn assert_problem(response: Response, status: StatusCode) -> Value {
    assert_problem_type(response, status, generic_problem_type(status)).await
}

/// The problem type the service gives a status when no more specific kind applies.
fn generic_problem_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad-request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not-found",
        405 => "method-not-allowed",
        409 => "conflict",
        412 => "precondition-failed",
        413 => "payload-too-large",
        415 => "unsupported-media-type",
        422 => "validation",
        428 => "precondition-required",
        429 => "too-many-requests",
        503 => "unavailable",
        other => panic!("no generic problem type is expected for status {other}"),
    }
}

/// Asserts `response` is problem details with `status` and the type `/problems/{slug}`, so that
/// one kind of refusal (a `deadline-passed` 409) never passes for another (a plain `conflict`).
pub async fn assert_problem_type(response: Response, status: StatusCode, slug: &str) -> Value {
    let actual = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = json_body(response).await;
    assert_eq!(actual, status, "unexpected status; body: {body}");
    assert_eq!(content_type, "application/problem+json", "body: {body}");
    assert_eq!(body["status"], json!(status.as_u16()));
    assert_eq!(
        body["type"],
        json!(format!("/problems/{slug}")),
        "body: {body}"
    );
    for field in ["title", "detail"] {
        assert!(body[field].is_string(), "problem lacks {field}: {body}");
    }
    body
}

/// The JSON pointers named by a validation problem.
pub fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["pointer"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap()
}

/// The non-admin roles, each of which must be refused every admin endpoint.
pub const NON_ADMIN_ROLES: [&str; 4] = [
    "buyer_lead",
    "buyer_evaluator",
    "supplier_bidder",
    "regulator",
];

/// An RFC 3339 instant `seconds` from now (the test host shares the database's clock).
pub fn in_seconds(seconds: f64) -> String {
    let millis = (seconds * 1000.0) as i64;
    (chrono::Utc::now() + chrono::Duration::milliseconds(millis))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Sleeps until just after the RFC 3339 instant `deadline`.
pub async fn wait_until(deadline: &str) {
    let deadline = chrono::DateTime::parse_from_rfc3339(deadline)
        .unwrap_or_else(|e| panic!("deadline {deadline}: {e}"))
        .with_timezone(&chrono::Utc);
    let left = deadline - chrono::Utc::now() + chrono::Duration::milliseconds(50);
    if let Ok(left) = left.to_std() {
        tokio::time::sleep(left).await;
    }
}

/// A valid new tender whose bids close `submission_in_seconds` from now (questions close at
/// the same time); `changes` replaces or adds fields.
pub fn tender_json(submission_in_seconds: f64, changes: Value) -> Value {
    let deadline = in_seconds(submission_in_seconds);
    let mut tender = json!({
        "title": "Procurement support service",
        "description": "Strategic and operational procurement support for the system.",
        "category": "procurement",
        "region": "east_of_england",
        "estimated_value_pence": 20_000_000,
        "budget_ceiling_pence": 30_000_000,
        "contract_term_months": 24,
        "procedure": "open",
        "criteria": [
            {"name": "Price", "kind": "price", "weight": 40},
            {"name": "Delivery approach", "kind": "quality", "weight": 35},
            {"name": "Social value", "kind": "quality", "weight": 25}
        ],
        "clarification_deadline": deadline,
        "submission_deadline": deadline,
    });
    if let (Some(tender), Some(changes)) = (tender.as_object_mut(), changes.as_object()) {
        for (key, value) in changes {
            tender.insert(key.clone(), value.clone());
        }
    }
    tender
}

/// A bid answering every quality criterion of `tender` at `price_pence`.
pub fn bid_json(tender: &Value, price_pence: i64) -> Value {
    let responses: Vec<Value> = tender["criteria"]
        .as_array()
        .map(|criteria| {
            criteria
                .iter()
                .filter(|c| c["kind"] == "quality")
                .map(|c| json!({"criterion_id": c["id"], "text": format!("Our answer to {}", c["name"])}))
                .collect()
        })
        .unwrap();
    json!({"price_pence": price_pence, "responses": responses})
}

/// A `multipart/form-data` body of text `fields` and an optional file part named `file`, with
/// its content type.
pub fn multipart_body(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "e2e-boundary-7f3a9c";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((file_name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// A small but well-formed PDF whose page says `text`.
pub fn pdf_with(text: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
         2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
         3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >> endobj\n\
         4 0 obj << /Length {} >> stream\nBT /F1 12 Tf 72 770 Td ({text}) Tj ET\nendstream endobj\n\
         trailer << /Root 1 0 R >>\n%%EOF\n",
        text.len() + 35
    )
    .into_bytes()
}

/// The `id` of a JSON object, as a string.
pub fn id_of(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

impl TestApp {
    /// Creates a draft tender as `lead`.
    pub async fn draft_tender(
        &self,
        lead: &TestUser,
        submission_in_seconds: f64,
        changes: Value,
    ) -> Value {
        let response = self
            .post(
                "/api/v1/tenders",
                &lead.token,
                tender_json(submission_in_seconds, changes),
            )
            .await;
        let status = response.status();
        let body = json_body(response).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Creates and publishes a tender as `lead`, bids closing `submission_in_seconds` from now.
    pub async fn published_tender(
        &self,
        lead: &TestUser,
        submission_in_seconds: f64,
        changes: Value,
    ) -> Value {
        let draft = self
            .draft_tender(lead, submission_in_seconds, changes)
            .await;
        let response = self
            .send(
                Method::POST,
                &format!("/api/v1/tenders/{}/publish", id_of(&draft)),
                Some(&lead.token),
                None,
            )
            .await;
        let status = response.status();
        let body = json_body(response).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Submits a bid on `tender` as `supplier`.
    pub async fn bid(&self, supplier: &TestUser, tender: &Value, price_pence: i64) -> Response {
        self.post(
            &format!("/api/v1/tenders/{}/bids", id_of(tender)),
            &supplier.token,
            bid_json(tender, price_pence),
        )
        .await
    }

    /// Submits a bid that must be accepted, and returns it.
    pub async fn accepted_bid(
        &self,
        supplier: &TestUser,
        tender: &Value,
        price_pence: i64,
    ) -> Value {
        let response = self.bid(supplier, tender, price_pence).await;
        let status = response.status();
        let body = json_body(response).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }
}

/// The quality criteria's ids of `tender`, in order.
pub fn quality_criteria(tender: &Value) -> Vec<String> {
    tender["criteria"]
        .as_array()
        .map(|criteria| {
            criteria
                .iter()
                .filter(|c| c["kind"] == "quality")
                .filter_map(|c| c["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap()
}

impl TestApp {
    /// Sends `body` as JSON with `method`, as `token`.
    pub async fn json(&self, method: Method, path: &str, token: &str, body: Value) -> Response {
        self.request(method, path, token)
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Puts `evaluator` on the tender's panel as `lead`.
    pub async fn assign(&self, lead: &TestUser, tender: &Value, evaluator: &TestUser) -> Response {
        self.post(
            &format!("/api/v1/tenders/{}/evaluators", id_of(tender)),
            &lead.token,
            json!({"user_id": evaluator.id}),
        )
        .await
    }

    /// `who` declares its interests on the tender.
    pub async fn declare(&self, who: &TestUser, tender: &Value, has_conflict: bool) -> Response {
        let body = if has_conflict {
            json!({"has_conflict": true, "details": "A close relative works for a bidder."})
        } else {
            json!({"has_conflict": false})
        };
        self.post(
            &format!("/api/v1/tenders/{}/conflict-declaration", id_of(tender)),
            &who.token,
            body,
        )
        .await
    }

    /// `evaluator`'s mark for `bid` on the quality criterion `criterion`.
    pub async fn score(
        &self,
        evaluator: &TestUser,
        tender: &Value,
        bid: &str,
        criterion: &str,
        score: i64,
    ) -> Response {
        self.json(
            Method::PUT,
            &format!(
                "/api/v1/tenders/{}/bids/{bid}/scores/{criterion}",
                id_of(tender)
            ),
            &evaluator.token,
            json!({"score": score, "justification": format!("Scored {score} against the published criteria.")}),
        )
        .await
    }

    /// `evaluator` marks `bid` with `scores`, one per quality criterion in order; each must
    /// be accepted.
    pub async fn score_all(&self, evaluator: &TestUser, tender: &Value, bid: &str, scores: &[i64]) {
        for (criterion, score) in quality_criteria(tender).iter().zip(scores) {
            let response = self.score(evaluator, tender, bid, criterion, *score).await;
            let status = response.status();
            let body = json_body(response).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    }

    /// `lead` awards the tender to `bid`.
    pub async fn award(
        &self,
        lead: &TestUser,
        tender: &Value,
        bid: &str,
        justification: Option<&str>,
    ) -> Response {
        let mut body = json!({"bid_id": bid});
        if let Some(text) = justification {
            body["justification"] = json!(text);
        }
        self.post(
            &format!("/api/v1/tenders/{}/award", id_of(tender)),
            &lead.token,
            body,
        )
        .await
    }
}

/// The body of a response that must succeed.
pub async fn success(response: Response) -> Value {
    let status = response.status();
    let body = json_body(response).await;
    assert!(status.is_success(), "{status}: {body}");
    body
}

/// A tender closed with one bid per price, and an evaluator on its panel who declared no
/// conflict before the deadline.
pub struct Competition {
    pub lead: TestUser,
    pub evaluator: TestUser,
    pub suppliers: Vec<TestUser>,
    pub tender: Value,
    pub bids: Vec<String>,
}

impl Competition {
    pub async fn run(app: &TestApp, prices: &[i64], changes: Value) -> Self {
        let lead = app.user("buyer_lead").await;
        let evaluator = app.user_in("buyer_evaluator", &lead.organisation_id).await;
        let mut suppliers = Vec::new();
        for _ in prices {
            suppliers.push(app.user("supplier_bidder").await);
        }
        let seconds = 1.5 + 0.25 * prices.len() as f64;
        let tender = app.published_tender(&lead, seconds, changes).await;
        success(app.assign(&lead, &tender, &evaluator).await).await;
        success(app.declare(&evaluator, &tender, false).await).await;
        let mut bids = Vec::new();
        for (supplier, price) in suppliers.iter().zip(prices) {
            bids.push(id_of(&app.accepted_bid(supplier, &tender, *price).await));
        }
        wait_until(tender["submission_deadline"].as_str().unwrap()).await;
        Self {
            lead,
            evaluator,
            suppliers,
            tender,
            bids,
        }
    }

    pub fn path(&self, rest: &str) -> String {
        format!("/api/v1/tenders/{}{rest}", id_of(&self.tender))
    }

    pub async fn ranking(&self, app: &TestApp) -> Value {
        success(app.get(&self.path("/ranking"), &self.lead.token).await).await
    }

    /// The evaluator marks every bid on every criterion.
    pub async fn score_everything(&self, app: &TestApp, marks: &[i64]) {
        for bid in &self.bids {
            app.score_all(&self.evaluator, &self.tender, bid, marks)
                .await;
        }
    }
}

/// A competition awarded without standstill and its contract entered.
pub async fn contracted(app: &TestApp, prices: &[i64]) -> (Competition, Value) {
    let c = Competition::run(app, prices, json!({"standstill_days": 0})).await;
    c.score_everything(app, &[70, 70]).await;
    success(app.award(&c.lead, &c.tender, &c.bids[0], None).await).await;
    let contract = success(
        app.post(
            &c.path("/contract"),
            &c.lead.token,
            json!({"start_date": "2031-04-01", "end_date": "2032-03-31"}),
        )
        .await,
    )
    .await;
    (c, contract)
}

/// The OCDS 1.1.5 release package schema with the UK (Find a Tender) profile's extensions
/// merged in, dereferenced: validation needs no network.
const UK_SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/ocds/uk-release-package-schema.json"
);

/// Asserts that `package` is a valid release package of the UK profile, every error listed.
pub fn assert_valid_uk_package(package: &Value) {
    let text = std::fs::read_to_string(UK_SCHEMA).unwrap();
    assert_valid_against(&serde_json::from_str(&text).unwrap(), package);
}

/// Asserts that `instance` is valid against the (draft 4, dereferenced) `schema`, every error
/// listed.
pub fn assert_valid_against(schema: &Value, instance: &Value) {
    let validator = jsonschema::draft4::new(schema).expect("schema");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{instance:#}");
}

/// Moves one of `tender`'s instants (`column`) a second into the past, as if it had passed:
/// the day limits of the law cannot be waited for in a test.
pub async fn passed(app: &TestApp, tender: &Value, column: persistence::entities::tenders::Column) {
    use persistence::entities::tenders;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let id: Uuid = id_of(tender).parse().unwrap();
    tenders::Entity::update_many()
        .col_expr(
            column,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(tenders::Column::Id.eq(id))
        .exec(app.database.db.conn())
        .await
        .unwrap();
}

/// A real SMTP server for a test: aiosmtpd (from PyPI, in the virtual environment
/// `scripts/test` makes) on a free loopback port, keeping every message it accepts in a Maildir
/// of its own; stopped when dropped.
pub struct SmtpSink {
    pub url: String,
    mbox: std::path::PathBuf,
    child: std::process::Child,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.mbox);
    }
}

/// One message an [`SmtpSink`] accepted: its headers and its whole text.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: String,
    pub subject: String,
    pub message_id: String,
    pub raw: String,
    /// The whole message with quoted-printable undone (soft line breaks joined, `=XX` decoded).
    pub text: String,
}

fn quoted_printable_decoded(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .filter(|h| {
                h.chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
            })
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl SmtpSink {
    /// Starts aiosmtpd with the Python that `TEST_SMTP_PYTHON` names (`scripts/test` sets it),
    /// or the workspace's `.venv/smtp/bin/python`.
    pub async fn start() -> Self {
        let python = std::env::var("TEST_SMTP_PYTHON")
            .unwrap_or_else(|_| format!("{}/../.venv/smtp/bin/python", env!("CARGO_MANIFEST_DIR")));
        assert!(
            std::path::Path::new(&python).exists(),
            "no aiosmtpd at {python}: run ./scripts/test, which installs it"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mbox = std::env::temp_dir().join(format!("smtp-sink-{}", Uuid::new_v4()));
        let child = std::process::Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&mbox)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("cannot start aiosmtpd");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        Self {
            url: format!("smtp://127.0.0.1:{port}?tls=none"),
            mbox,
            child,
        }
    }

    /// Every message accepted so far, in the order they arrived (one file each in the
    /// Maildir's `new/`).
    pub fn messages(&self) -> Vec<Received> {
        let mut files: Vec<(std::time::SystemTime, String)> =
            std::fs::read_dir(self.mbox.join("new"))
                .map(|dir| {
                    dir.filter_map(Result::ok)
                        .filter_map(|entry| {
                            let modified = entry.metadata().ok()?.modified().ok()?;
                            Some((modified, std::fs::read_to_string(entry.path()).ok()?))
                        })
                        .collect()
                })
                .unwrap_or_default();
        files.sort_by_key(|(modified, _)| *modified);
        let messages: Vec<String> = files.into_iter().map(|(_, raw)| raw).collect();
        messages
            .into_iter()
            .map(|raw| {
                let header = |name: &str| {
                    raw.lines()
                        .take_while(|l| !l.is_empty())
                        .find_map(|l| {
                            l.split_once(':')
                                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                                .map(|(_, v)| v.trim().to_owned())
                        })
                        .unwrap_or_default()
                };
                Received {
                    to: header("To"),
                    subject: header("Subject"),
                    message_id: header("Message-ID"),
                    text: quoted_printable_decoded(&raw),
                    raw: raw.clone(),
                }
            })
            .collect()
    }

    /// The messages to `address`.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.messages()
            .into_iter()
            .filter(|m| m.to.contains(address))
            .collect()
    }
}

/// A webhook receiver for a test: `tests/webhook_receiver.py`, run with the Python that has the
/// `standardwebhooks` package (`TEST_WEBHOOK_PYTHON`, set by `scripts/test`, or the
/// workspace's `.venv/webhooks/bin/python`), verifying every delivery's signature with the
/// secret written by [`WebhookReceiver::trust`]; stopped when dropped.
pub struct WebhookReceiver {
    pub url: String,
    dir: std::path::PathBuf,
    child: std::process::Child,
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl WebhookReceiver {
    /// Starts a receiver that answers 500 to its first `fail_first` requests, 204 afterwards.
    pub async fn start(fail_first: u32) -> Self {
        let python = std::env::var("TEST_WEBHOOK_PYTHON").unwrap_or_else(|_| {
            format!(
                "{}/../.venv/webhooks/bin/python",
                env!("CARGO_MANIFEST_DIR")
            )
        });
        assert!(
            std::path::Path::new(&python).exists(),
            "no standardwebhooks at {python}: run ./scripts/test, which installs it"
        );
        let dir = std::env::temp_dir().join(format!("webhook-receiver-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = format!("{}/webhook_receiver.py", env!("CARGO_MANIFEST_DIR"));
        let child = std::process::Command::new(&python)
            .arg(script)
            .arg(dir.join("port"))
            .arg(dir.join("log"))
            .arg(dir.join("secret"))
            .arg(fail_first.to_string())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("cannot start the webhook receiver");
        let mut port = String::new();
        for _ in 0..100 {
            port = std::fs::read_to_string(dir.join("port")).unwrap_or_default();
            if !port.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(!port.is_empty(), "the webhook receiver did not start");
        Self {
            url: format!("http://127.0.0.1:{port}/hooks/marketplace"),
            dir,
            child,
        }
    }

    /// The secret the receiver verifies signatures with.
    pub fn trust(&self, secret: &str) {
        std::fs::write(self.dir.join("secret"), secret).unwrap();
    }

    /// Every request received so far, as the receiver recorded it.
    pub fn received(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.join("log"))
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }
}
