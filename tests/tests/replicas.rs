//! Two replicas: two real server processes (the `marketplace` binary) on one database, with
//! requests alternating between them. Exactly one of twenty concurrent awards wins; bids racing
//! the deadline are stored before it or refused, never acknowledged and lost; a retry with the
//! same idempotency key is replayed by the other replica; the audit chain stays one and verifies;
//! and the replica that serves metrics reports what it saw. Both send notification emails to
//! one SMTP server, and each email goes out exactly once.

use e2e::{Competition, SECRET, TestApp, bid_json, id_of, json_body, offer_json, wait_until};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A server process on the test's database.
struct Replica {
    base: String,
    metrics: Option<String>,
    child: Child,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Replica {
    /// Starts `marketplace serve` on a free loopback port, with the test's signing secret so
    /// that every replica accepts every token; with `metrics`, on a metrics port too.
    fn start(database_url: &str, metrics: bool) -> Self {
        Self::start_with(database_url, metrics, &[])
    }

    /// [`Replica::start`] with more settings.
    fn start_with(database_url: &str, metrics: bool, settings: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_replica"));
        command.envs(settings.iter().copied());
        command
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("MARKETPLACE_BIND", "127.0.0.1:0")
            .env(
                "MARKETPLACE_JWT_SECRET",
                std::str::from_utf8(SECRET).unwrap(),
            )
            .env("MARKETPLACE_NO_MIGRATE", "true")
            .env("MARKETPLACE_SETTLE_INTERVAL_SECONDS", "1")
            .env("MARKETPLACE_RATE_LIMIT_USER_PER_MINUTE", "0")
            .env("MARKETPLACE_RATE_LIMIT_ORGANISATION_PER_MINUTE", "0")
            .env("MARKETPLACE_RATE_LIMIT_ADDRESS_PER_MINUTE", "0")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if metrics {
            command.env("MARKETPLACE_METRICS_BIND", "127.0.0.1:0");
        }
        let mut child = command.spawn().expect("cannot start the server binary");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut metrics_url = None;
        let base = loop {
            let line = lines
                .next()
                .expect("the server stopped before it was ready")
                .unwrap();
            if let Some(url) = line.strip_prefix("Metrics: ") {
                metrics_url = Some(url.to_owned());
            }
            if let Some(url) = line.strip_prefix("Marketplace ready: ") {
                break url.trim_end_matches('/').to_owned();
            }
        };
        // Keep reading, so that the process never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self {
            base,
            metrics: metrics_url,
            child,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

async fn post(
    client: &Client,
    url: String,
    token: &str,
    key: Option<&str>,
    body: &Value,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut request = client.post(url).bearer_auth(token).json(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

#[tokio::test]
async fn two_replicas_on_one_database_keep_every_guarantee() {
    let app = TestApp::spawn().await;
    let replicas = [
        Replica::start(&app.database.url, true),
        Replica::start(&app.database.url, false),
    ];
    let client = Client::new();

    // Twenty concurrent awards, split across both: one wins.
    let c = Competition::run(
        &app,
        &[20_000_000, 22_000_000],
        json!({"standstill_days": 0, "contract_term_months": 24}),
    )
    .await;
    c.score_everything(&app, &[70, 70]).await;
    let mut awards = tokio::task::JoinSet::new();
    for i in 0..20 {
        let request = client
            .post(replicas[i % 2].url(&c.path("/award")))
            .bearer_auth(&c.lead.token)
            .json(&json!({"bid_id": c.bids[0]}));
        awards.spawn(async move { request.send().await.unwrap().status() });
    }
    let statuses = awards.join_all().await;
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, conflicts), (1, 19), "{statuses:?}");

    // Thirty bids racing the deadline, alternating replicas: each acknowledged one is stored,
    // none after the deadline.
    let lead = app.user("buyer_lead").await;
    let mut suppliers = Vec::new();
    for _ in 0..30 {
        suppliers.push(app.user("supplier_bidder").await);
    }
    let tender = app.published_tender(&lead, 2.0, json!({})).await;
    let deadline_text = tender["submission_deadline"].as_str().unwrap().to_owned();
    let deadline = chrono::DateTime::parse_from_rfc3339(&deadline_text)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let start = deadline - chrono::Duration::milliseconds(300);
    if let Ok(wait) = (start - chrono::Utc::now()).to_std() {
        tokio::time::sleep(wait).await;
    }
    let body = bid_json(&tender, 5_000);
    let path = format!("/api/v1/tenders/{}/bids", id_of(&tender));
    let mut bids = tokio::task::JoinSet::new();
    for (i, supplier) in suppliers.iter().enumerate() {
        let request = client
            .post(replicas[i % 2].url(&path))
            .bearer_auth(&supplier.token)
            .json(&body);
        let organisation = supplier.organisation_id.clone();
        bids.spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(20 * i as u64)).await;
            let response = request.send().await.unwrap();
            let status = response.status();
            (
                organisation,
                status,
                response.json::<Value>().await.unwrap(),
            )
        });
    }
    let mut accepted = BTreeSet::new();
    for (organisation, status, body) in bids.join_all().await {
        match status {
            StatusCode::CREATED => {
                let submitted =
                    chrono::DateTime::parse_from_rfc3339(body["submitted_at"].as_str().unwrap())
                        .unwrap();
                assert!(submitted < deadline, "{submitted} is not before {deadline}");
                accepted.insert((organisation, id_of(&body)));
            }
            StatusCode::CONFLICT => assert_eq!(body["type"], "/problems/deadline-passed"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    wait_until(&deadline_text).await;
    let stored = json_body(
        client
            .get(replicas[1].url(&path))
            .bearer_auth(&lead.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let stored: BTreeSet<(String, String)> = stored["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{stored}"))
        .iter()
        .map(|b| (b["supplier_id"].as_str().unwrap().to_owned(), id_of(b)))
        .collect();
    assert_eq!(
        stored, accepted,
        "every acknowledged bid is stored, no other"
    );
    eprintln!("{} of 30 bids in before the deadline", accepted.len());

    // A retry with the same key on the other replica is replayed, changing nothing; the same
    // key raced on both at once makes one change.
    let supplier = app.user("supplier_bidder").await;
    let offer = offer_json(json!({}));
    let first = post(
        &client,
        replicas[0].url("/api/v1/offers"),
        &supplier.token,
        Some("k1"),
        &offer,
    )
    .await;
    assert_eq!(first.0, StatusCode::CREATED, "{}", first.2);
    let retry = post(
        &client,
        replicas[1].url("/api/v1/offers"),
        &supplier.token,
        Some("k1"),
        &offer,
    )
    .await;
    assert_eq!(retry.0, StatusCode::CREATED);
    assert_eq!(retry.1.get("idempotency-replayed").unwrap(), "true");
    assert_eq!(retry.2, first.2);
    let (a, b) = tokio::join!(
        post(
            &client,
            replicas[0].url("/api/v1/offers"),
            &supplier.token,
            Some("k2"),
            &offer
        ),
        post(
            &client,
            replicas[1].url("/api/v1/offers"),
            &supplier.token,
            Some("k2"),
            &offer
        ),
    );
    let fresh = [&a, &b]
        .iter()
        .filter(|r| r.0 == StatusCode::CREATED && !r.1.contains_key("idempotency-replayed"))
        .count();
    assert_eq!(fresh, 1, "{a:?} {b:?}");
    for other in [&a, &b] {
        assert!(
            other.0 == StatusCode::CREATED || other.0 == StatusCode::CONFLICT,
            "{other:?}"
        );
    }
    let log = json_body(
        app.get(
            "/api/v1/audit?entity_type=offer&per_page=100",
            &app.admin_token,
        )
        .await,
    )
    .await;
    let created_offers = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "offer.created")
        .count();
    assert_eq!(created_offers, 2, "{log}");

    // One chain, verified by either replica.
    let mut lengths = Vec::new();
    for replica in &replicas {
        let verify = json_body(
            client
                .get(replica.url("/api/v1/audit/verify"))
                .bearer_auth(&app.admin_token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(verify["valid"], true, "{verify}");
        lengths.push(verify["checked"].clone());
    }
    assert_eq!(lengths[0], lengths[1]);

    // An account deactivated through one replica is refused there at once, and by the other
    // within a second (each replica holds an account's standing for at most a second).
    let reader = app.user("supplier_bidder").await;
    let read = |replica: &Replica| {
        client
            .get(replica.url("/api/v1/offers"))
            .bearer_auth(&reader.token)
            .send()
    };
    assert_eq!(read(&replicas[1]).await.unwrap().status(), StatusCode::OK);
    let deactivated = client
        .patch(replicas[0].url(&format!("/api/v1/users/{}", reader.id)))
        .bearer_auth(&app.admin_token)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(deactivated.status(), StatusCode::OK);
    let since = std::time::Instant::now();
    assert_eq!(
        read(&replicas[0]).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    loop {
        let status = read(&replicas[1]).await.unwrap().status();
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert_eq!(status, StatusCode::OK);
        assert!(
            since.elapsed() < std::time::Duration::from_secs(2),
            "the other replica still accepts a deactivated account"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    eprintln!(
        "the other replica refused the deactivated account after {:?}",
        since.elapsed()
    );

    // The first replica's metrics: its share of the requests, the pool, the queue, the chain.
    let metrics = client
        .get(replicas[0].metrics.clone().expect("no metrics address"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    assert!(
        metrics.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = metrics.text().await.unwrap();
    let value = |prefix: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
    };
    let awards_seen = value(
        "marketplace_http_requests_total{method=\"POST\",route=\"/api/v1/tenders/{id}/award\",status=\"409\"}",
    ) + text
        .lines()
        .find(|l| l.contains("route=\"/api/v1/tenders/{id}/award\",status=\"201\""))
        .map_or(0.0, |l| l.rsplit(' ').next().unwrap().parse().unwrap());
    assert_eq!(
        awards_seen, 10.0,
        "the first replica served half the awards"
    );
    assert!(
        value(
            "marketplace_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/tenders/{id}/bids\"}"
        ) >= 15.0
    );
    assert!(value("marketplace_idempotency_requests_total{outcome=\"first\"}") >= 1.0);
    assert!(value("marketplace_db_pool_connections{state=\"idle\"}") >= 0.0);
    assert_eq!(value("marketplace_db_pool_waiting"), 0.0);
    assert_eq!(value("marketplace_database_up"), 1.0);
    let chain = lengths[0].as_f64().unwrap();
    assert!(value("marketplace_audit_chain_length") >= chain);
    assert!(
        text.contains("marketplace_background_queue_depth{queue=\"tender_settlement\"}"),
        "{text}"
    );
    assert!(
        text.contains(
            "marketplace_background_queue_oldest_age_seconds{queue=\"tender_settlement\"}"
        )
    );
}

#[tokio::test]
async fn two_replicas_sending_email_and_webhooks_send_each_message_exactly_once() {
    let app = TestApp::spawn_configured(|config| {
        config.webhook_allow_http = true;
        config.webhook_allow_private = true;
    })
    .await;
    let sink = e2e::SmtpSink::start().await;
    let receiver = e2e::WebhookReceiver::start(0).await;
    let settings = [
        ("MARKETPLACE_SMTP_URL", sink.url.as_str()),
        ("MARKETPLACE_EMAIL_INTERVAL_MS", "100"),
        ("MARKETPLACE_WEBHOOK_INTERVAL_MS", "100"),
        ("MARKETPLACE_WEBHOOK_ALLOW_HTTP", "true"),
        ("MARKETPLACE_WEBHOOK_ALLOW_PRIVATE", "true"),
    ];
    let _replicas = [
        Replica::start_with(&app.database.url, false, &settings),
        Replica::start_with(&app.database.url, false, &settings),
    ];
    // Forty suppliers, each of two users and a webhook, bid: eighty receipts to email and forty
    // webhook deliveries.
    let lead = app.user("buyer_lead").await;
    let tender = app.published_tender(&lead, 3600.0, json!({})).await;
    let mut addresses = Vec::new();
    for _ in 0..40 {
        let bidder = app.user("supplier_bidder").await;
        let colleague = app
            .user_in("supplier_bidder", &bidder.organisation_id)
            .await;
        let hook = app
            .post(
                "/api/v1/webhooks",
                &bidder.token,
                json!({"url": receiver.url, "events": ["bid_received"]}),
            )
            .await;
        assert_eq!(hook.status(), StatusCode::CREATED);
        app.accepted_bid(&bidder, &tender, 20_000_000).await;
        addresses.push(bidder.email);
        addresses.push(colleague.email);
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while (sink.messages().len() < addresses.len() || receiver.received().len() < 40)
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // Both replicas keep polling a while longer: nothing more may go out.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let messages = sink.messages();
    let ids: BTreeSet<&str> = messages.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len(), messages.len(), "a message went out twice");
    for address in &addresses {
        assert_eq!(
            sink.to(address).len(),
            1,
            "{address} got {} messages",
            sink.to(address).len()
        );
    }
    assert_eq!(messages.len(), addresses.len());
    let received = receiver.received();
    let hook_ids: BTreeSet<&str> = received.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(received.len(), 40, "one webhook delivery per bid");
    assert_eq!(hook_ids.len(), 40, "a webhook delivery went out twice");
}
