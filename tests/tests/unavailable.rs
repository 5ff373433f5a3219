//! With PostgreSQL out of reach every request answers within 3 seconds with 503
//! `/problems/unavailable` and `Retry-After` — never a 500, never a hang — `/readyz` says 503,
//! and the service recovers on its own when the database is back. The fault is real: the server
//! reaches a real PostgreSQL through a TCP relay that the test cuts (every live connection
//! dropped, every new one refused) and restores.

use e2e::{TestApp, TestDatabase, id_of, offer_json, success};
use reqwest::{Method, StatusCode};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// A TCP relay to PostgreSQL that can be cut and restored.
struct Relay {
    port: u16,
    cut: Arc<AtomicBool>,
    live: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Relay {
    async fn to(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let live: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let accept = tokio::spawn({
            let (cut, live) = (cut.clone(), live.clone());
            async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    if cut.load(Ordering::SeqCst) {
                        drop(client);
                        continue;
                    }
                    let upstream = upstream.clone();
                    live.lock().await.push(tokio::spawn(async move {
                        if let Ok(mut server) = TcpStream::connect(&upstream).await {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        }
                    }));
                }
            }
        });
        Self {
            port,
            cut,
            live,
            accept,
        }
    }

    /// The database goes away: live connections are dropped mid-stream, new ones refused.
    async fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for relay in self.live.lock().await.drain(..) {
            relay.abort();
        }
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// `postgres://user@host:port/db?x` with `host:port` replaced by the relay's.
fn through(url: &str, port: u16) -> (String, String) {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (authority, path) = rest.split_once('/').unwrap();
    let (user, host) = authority
        .rsplit_once('@')
        .map_or(("", authority), |(u, h)| (u, h));
    let host = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:5432")
    };
    let user = if user.is_empty() {
        String::new()
    } else {
        format!("{user}@")
    };
    (format!("{scheme}://{user}127.0.0.1:{port}/{path}"), host)
}

#[tokio::test]
async fn with_the_database_away_every_request_answers_503_within_3_seconds_and_recovers_alone() {
    let database = TestDatabase::migrated().await;
    if !database.is_postgres() {
        // SQLite is a file beside the process: it cannot be away.
        return;
    }
    let (_, upstream) = through(&database.url, 0);
    let relay = Relay::to(upstream).await;
    let (url, _) = through(&database.url, relay.port);
    let app = TestApp::spawn_reaching(database, &url).await;
    let supplier = app.user("supplier_bidder").await;
    let offer = app.published_offer(&supplier, serde_json::json!({})).await;
    let read = format!("/api/v1/offers/{}", id_of(&offer));
    success(app.get(&read, &supplier.token).await).await;

    relay.cut().await;
    let mut slowest = Duration::ZERO;
    for (method, path, body) in [
        (Method::GET, read.as_str(), None),
        (Method::GET, "/api/v1/offers?q=analytics", None),
        (
            Method::POST,
            "/api/v1/offers",
            Some(offer_json(serde_json::json!({}))),
        ),
        (Method::GET, "/api/v1/notices", None),
        (Method::GET, "/readyz", None),
    ] {
        let token = (!path.starts_with("/readyz") && !path.starts_with("/api/v1/notices"))
            .then_some(supplier.token.as_str());
        let started = Instant::now();
        let response = app.send(method.clone(), path, token, body.as_ref()).await;
        let took = started.elapsed();
        slowest = slowest.max(took);
        assert_eq!(
            response.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "{method} {path}"
        );
        assert!(
            took < Duration::from_secs(3),
            "{method} {path} took {took:?}"
        );
        assert_eq!(
            response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("5"),
            "{method} {path}"
        );
        let problem = e2e::json_body(response).await;
        assert_eq!(problem["type"], "/problems/unavailable", "{method} {path}");
        assert!(!problem["detail"].as_str().unwrap().contains("sqlx"));
    }
    // A page says so too, without sending anyone back to sign in.
    let page = app
        .client
        .get(app.url("/dashboard"))
        .header("cookie", format!("mkt_session={}", supplier.token))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("the service is unavailable")
    );

    // Back: the first success comes within 10 s, with no restart; nothing was lost.
    relay.restore();
    let back = Instant::now();
    loop {
        let response = app.get(&read, &supplier.token).await;
        if response.status() == StatusCode::OK {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "not back after {:?}: {}",
            back.elapsed(),
            response.status()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ready = app.send(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status(), StatusCode::OK);
    let mine = success(
        app.get("/api/v1/offers?per_page=100", &supplier.token)
            .await,
    )
    .await;
    assert_eq!(
        mine["total"], 1,
        "the refused create wrote nothing; the offer is kept"
    );
    eprintln!(
        "database away: slowest answer {slowest:?}; back after {:?}",
        back.elapsed()
    );
}
