//! Webhooks: an organisation registers endpoints for its notifications; each delivery is a
//! Standard Webhooks request whose signature a verifier nobody here wrote (the
//! `standardwebhooks` package) accepts, carries no sealed content, is retried after a failure,
//! and an endpoint failing for three days is disabled with a notification. Addresses that lead
//! to loopback, private, link-local or metadata addresses are refused when registered and again
//! at delivery.

use e2e::{TestApp, WebhookReceiver, assert_problem, id_of, pointers, success};
use persistence::entities::{webhook_deliveries as deliveries, webhooks};
use reqwest::{Method, StatusCode};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

/// A server whose webhooks may reach a receiver on this host, over plain http.
async fn spawn() -> TestApp {
    TestApp::spawn_configured(|config| {
        config.webhook_allow_http = true;
        config.webhook_allow_private = true;
    })
    .await
}

async fn deliver(app: &TestApp) -> usize {
    service::webhooks::deliver_due(&app.ctx(), &server::hooks::HttpTransport, 50)
        .await
        .unwrap()
}

/// Makes every pending delivery due now (the wait after a failure is 30 s or more).
async fn due_now(app: &TestApp) {
    deliveries::Entity::update_many()
        .col_expr(
            deliveries::Column::NextAttemptAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(deliveries::Column::Status.eq("pending"))
        .exec(app.database.db.conn())
        .await
        .unwrap();
}

#[tokio::test]
async fn deliveries_are_signed_verified_by_the_standard_library_and_retried_after_a_500() {
    let app = spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let rival = app.user("supplier_bidder").await;
    let evaluator = app.user("buyer_evaluator").await;
    let receiver = WebhookReceiver::start(1).await;

    let created = app
        .post(
            "/api/v1/webhooks",
            &supplier.token,
            json!({"url": receiver.url, "events": ["bid_received"], "description": "Contract register"}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let webhook = success(created).await;
    let secret = webhook["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    receiver.trust(&secret);
    let path = format!("/api/v1/webhooks/{}", id_of(&webhook));
    let read = success(app.get(&path, &supplier.token).await).await;
    assert!(read.get("secret").is_none(), "the secret is shown once");
    let listed = success(app.get("/api/v1/webhooks", &supplier.token).await).await;
    assert!(!listed.to_string().contains(&secret));
    // Another organisation cannot see it; an evaluator may not register one.
    assert_problem(app.get(&path, &rival.token).await, StatusCode::NOT_FOUND).await;
    let refused = app
        .post(
            "/api/v1/webhooks",
            &evaluator.token,
            json!({"url": receiver.url, "events": ["bid_received"]}),
        )
        .await;
    assert_problem(refused, StatusCode::FORBIDDEN).await;
    let audit = success(
        app.get(
            &format!("/api/v1/audit?entity_id={}", id_of(&webhook)),
            &app.admin_token,
        )
        .await,
    )
    .await;
    assert!(
        !audit.to_string().contains(&secret),
        "the audit log never keeps the secret"
    );

    let tender = app.published_tender(&lead, 3600.0, json!({})).await;
    app.accepted_bid(&supplier, &tender, 12_345_678).await;
    app.accepted_bid(&rival, &tender, 11_000_000).await;

    // The endpoint answers 500: the delivery waits, its answer shown.
    assert_eq!(deliver(&app).await, 0);
    let list = success(
        app.get(&format!("{path}/deliveries"), &supplier.token)
            .await,
    )
    .await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "only its own organisation's: {list}"
    );
    let delivery = &list["items"][0];
    assert_eq!(delivery["status"], "pending");
    assert_eq!(delivery["response_code"], 500);
    assert_eq!(delivery["attempts"], 1);
    assert!(delivery["next_attempt_at"].is_string());
    assert_eq!(deliver(&app).await, 0, "not due again yet");

    due_now(&app).await;
    assert_eq!(deliver(&app).await, 1);
    let list = success(
        app.get(&format!("{path}/deliveries"), &supplier.token)
            .await,
    )
    .await;
    assert_eq!(list["items"][0]["status"], "sent");
    assert_eq!(list["items"][0]["response_code"], 204);

    let received = receiver.received();
    assert_eq!(received.len(), 2, "{received:#?}");
    for request in &received {
        assert_eq!(request["verified"], true, "{request}");
        assert_eq!(request["path"], "/hooks/marketplace");
        let body: serde_json::Value =
            serde_json::from_str(request["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["type"], "bid_received");
        assert_eq!(body["data"]["tender_id"], tender["id"]);
        assert!(
            !request["body"].as_str().unwrap().contains("12345678"),
            "no price"
        );
    }
    assert_eq!(
        received[0]["id"], received[1]["id"],
        "a retry is the same message"
    );

    // Deleted, it receives nothing more.
    let deleted = app
        .send(Method::DELETE, &path, Some(&supplier.token), None)
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get(&path, &supplier.token).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn an_endpoint_failing_for_three_days_is_disabled_and_its_organisation_told() {
    let app = spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let closed = {
        let receiver = WebhookReceiver::start(0).await;
        receiver.url.clone()
    };
    let webhook = success(
        app.post(
            "/api/v1/webhooks",
            &supplier.token,
            json!({"url": closed, "events": ["bid_received", "tender_amended"]}),
        )
        .await,
    )
    .await;
    let tender = app.published_tender(&lead, 3600.0, json!({})).await;
    app.accepted_bid(&supplier, &tender, 20_000_000).await;
    assert_eq!(deliver(&app).await, 0);
    let path = format!("/api/v1/webhooks/{}", id_of(&webhook));
    let shown = success(app.get(&path, &supplier.token).await).await;
    assert!(shown["failing_since"].is_string(), "{shown}");
    assert_eq!(shown["active"], true);

    // Three days on, still failing: disabled.
    webhooks::Entity::update_many()
        .col_expr(
            webhooks::Column::FailingSince,
            Expr::value(
                chrono::Utc::now() - chrono::Duration::days(3) - chrono::Duration::minutes(1),
            ),
        )
        .exec(app.database.db.conn())
        .await
        .unwrap();
    due_now(&app).await;
    assert_eq!(deliver(&app).await, 0);
    let shown = success(app.get(&path, &supplier.token).await).await;
    assert_eq!(shown["active"], false, "{shown}");
    assert!(shown["disabled_at"].is_string());
    let list = success(
        app.get(&format!("{path}/deliveries"), &supplier.token)
            .await,
    )
    .await;
    assert_eq!(list["items"][0]["status"], "failed");
    let notifications = success(app.get("/api/v1/notifications", &supplier.token).await).await;
    assert!(
        notifications["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "webhook_disabled"),
        "{notifications}"
    );
    // Nothing more is queued for a disabled endpoint.
    let amended = app
        .post(
            &format!("/api/v1/tenders/{}/amendments", id_of(&tender)),
            &lead.token,
            json!({"note": "More", "description": "A longer description of the service."}),
        )
        .await;
    assert_eq!(amended.status(), StatusCode::CREATED);
    let list = success(
        app.get(&format!("{path}/deliveries"), &supplier.token)
            .await,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn addresses_that_lead_inside_the_network_are_refused_when_registered_and_when_delivered() {
    let strict = TestApp::spawn().await;
    let supplier = strict.user("supplier_bidder").await;
    for url in [
        "http://hooks.example.org/in",
        "https://127.0.0.1/in",
        "https://localhost/in",
        "https://10.0.0.5/in",
        "https://192.168.1.20/in",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/in",
        "https://[fd00::1]/in",
        "https://user:pass@hooks.example.org/in",
    ] {
        let refused = strict
            .post(
                "/api/v1/webhooks",
                &supplier.token,
                json!({"url": url, "events": ["bid_received"]}),
            )
            .await;
        let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(pointers(&problem), ["/url"], "{url}: {problem}");
    }
    let bad_events = strict
        .post(
            "/api/v1/webhooks",
            &supplier.token,
            json!({"url": "https://hooks.example.org/in", "events": ["everything"]}),
        )
        .await;
    assert_eq!(
        pointers(&assert_problem(bad_events, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["/events/0"]
    );

    // Registered where private addresses were allowed, the endpoint is refused at delivery by
    // a server that does not allow them.
    let app = spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let receiver = WebhookReceiver::start(0).await;
    let webhook = success(
        app.post(
            "/api/v1/webhooks",
            &supplier.token,
            json!({"url": receiver.url, "events": ["bid_received"]}),
        )
        .await,
    )
    .await;
    let tender = app.published_tender(&lead, 3600.0, json!({})).await;
    app.accepted_bid(&supplier, &tender, 20_000_000).await;
    let guarded = app.ctx().with_config(service::Config {
        webhook_allow_private: false,
        ..app.ctx().config().clone()
    });
    let sent = service::webhooks::deliver_due(&guarded, &server::hooks::HttpTransport, 50)
        .await
        .unwrap();
    assert_eq!(sent, 0);
    assert!(
        receiver.received().is_empty(),
        "nothing reached the private address"
    );
    let list = success(
        app.get(
            &format!("/api/v1/webhooks/{}/deliveries", id_of(&webhook)),
            &supplier.token,
        )
        .await,
    )
    .await;
    let error = list["items"][0]["last_error"].as_str().unwrap();
    assert!(error.starts_with("refused"), "{error}");
}
