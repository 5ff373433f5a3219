//! Notification emails through a real SMTP server (aiosmtpd): each notification is emailed to
//! the active users of its organisation who have not turned emails off, says no more than the
//! notification (never a bid's price), links to the page, is retried after a failure, and
//! reports how it stands on the notification.

use e2e::{SmtpSink, TestApp, id_of, json_body, success};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn mailer(sink: &SmtpSink) -> server::mail::SmtpMailer {
    server::mail::SmtpMailer::from_url(&sink.url, "Marketplace <no-reply@marketplace.example>")
        .unwrap()
}

async fn notification_of(app: &TestApp, token: &str, kind: &str) -> Value {
    let list = success(app.get("/api/v1/notifications", token).await).await;
    let found = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == kind)
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} notification: {list}"));
    success(
        app.get(&format!("/api/v1/notifications/{}", id_of(&found)), token)
            .await,
    )
    .await
}

#[tokio::test]
async fn each_user_is_emailed_its_organisations_notifications_unless_it_opted_out() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let bidder = app.user("supplier_bidder").await;
    let colleague = app
        .user_in("supplier_bidder", &bidder.organisation_id)
        .await;
    let stranger = app.user("supplier_bidder").await;

    // The colleague turns emails off; the account says so.
    let me = success(
        app.patch(
            "/api/v1/me",
            &colleague.token,
            json!({"email_notifications": false}),
        )
        .await,
    )
    .await;
    assert_eq!(me["email_notifications"], false);
    let me = success(app.get("/api/v1/me", &bidder.token).await).await;
    assert_eq!(me["email_notifications"], true);
    let empty = app.patch("/api/v1/me", &bidder.token, json!({})).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = app
        .patch("/api/v1/me", &bidder.token, json!({"role": "admin"}))
        .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let tender = app.published_tender(&lead, 3600.0, json!({})).await;
    app.accepted_bid(&bidder, &tender, 12_345_678).await;
    let sink = SmtpSink::start().await;
    let sent = service::email::deliver_due(&app.ctx(), &mailer(&sink), 50)
        .await
        .unwrap();
    assert!(sent >= 1);

    let to_bidder = sink.to(&bidder.email);
    assert_eq!(to_bidder.len(), 1, "{to_bidder:#?}");
    let email = &to_bidder[0];
    assert!(
        email.subject.starts_with("Bid received"),
        "{}",
        email.subject
    );
    assert!(
        email
            .text
            .contains(&app.url(&format!("/tenders/{}", id_of(&tender)))),
        "{}",
        email.text
    );
    assert!(email.raw.contains("text/html") && email.raw.contains("text/plain"));
    for sealed in ["12345678", "123,456.78", "123456.78"] {
        assert!(
            !email.text.contains(sealed),
            "the price leaked: {}",
            email.text
        );
    }
    assert!(sink.to(&colleague.email).is_empty(), "opted out");
    assert!(
        sink.to(&stranger.email).is_empty(),
        "another organisation's"
    );

    let detail = notification_of(&app, &bidder.token, "bid_received").await;
    assert_eq!(detail["email"]["status"], "sent");
    assert_eq!(detail["email"]["attempts"], 1);
    let detail = notification_of(&app, &colleague.token, "bid_received").await;
    assert!(detail["email"].is_null(), "{detail}");
    // Another organisation cannot read it.
    let hidden = app
        .get(
            &format!("/api/v1/notifications/{}", id_of(&detail)),
            &stranger.token,
        )
        .await;
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);

    // Sent once: the next round sends nothing again.
    let again = service::email::deliver_due(&app.ctx(), &mailer(&sink), 50)
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(sink.to(&bidder.email).len(), 1);
}

#[tokio::test]
async fn an_email_the_server_refuses_is_tried_again_later_and_its_error_shown() {
    use persistence::entities::email_deliveries as deliveries;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let bidder = app.user("supplier_bidder").await;
    let tender = app.published_tender(&lead, 3600.0, json!({})).await;
    app.accepted_bid(&bidder, &tender, 20_000_000).await;

    // Nothing listens where the mail should go.
    let down = {
        let sink = SmtpSink::start().await;
        let url = sink.url.clone();
        drop(sink);
        url
    };
    let unreachable =
        server::mail::SmtpMailer::from_url(&down, "Marketplace <no-reply@marketplace.example>")
            .unwrap();
    let sent = service::email::deliver_due(&app.ctx(), &unreachable, 50)
        .await
        .unwrap();
    assert_eq!(sent, 0);
    let detail = notification_of(&app, &bidder.token, "bid_received").await;
    assert_eq!(detail["email"]["status"], "pending");
    assert_eq!(detail["email"]["attempts"], 1);
    assert!(detail["email"]["last_error"].is_string(), "{detail}");

    // Not due again yet: the next attempt waits (30 s after the first failure).
    let sink = SmtpSink::start().await;
    assert_eq!(
        service::email::deliver_due(&app.ctx(), &mailer(&sink), 50)
            .await
            .unwrap(),
        0
    );
    // Once the wait is over it goes.
    deliveries::Entity::update_many()
        .col_expr(
            deliveries::Column::NextAttemptAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(deliveries::Column::Email.eq(bidder.email.clone()))
        .exec(app.database.db.conn())
        .await
        .unwrap();
    assert_eq!(
        service::email::deliver_due(&app.ctx(), &mailer(&sink), 50)
            .await
            .unwrap(),
        1
    );
    assert_eq!(sink.to(&bidder.email).len(), 1);
    let detail = notification_of(&app, &bidder.token, "bid_received").await;
    assert_eq!(detail["email"]["status"], "sent");
    assert_eq!(detail["email"]["attempts"], 2);

    // A message still refused a day after it was queued is given up on.
    let second = app
        .send(
            Method::POST,
            &format!("/api/v1/tenders/{}/amendments", id_of(&tender)),
            Some(&lead.token),
            Some(&json!({"note": "More detail", "description": "A longer description of the service."})),
        )
        .await;
    assert_eq!(
        second.status(),
        StatusCode::CREATED,
        "{}",
        json_body(second).await
    );
    deliveries::Entity::update_many()
        .col_expr(
            deliveries::Column::CreatedAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::hours(25)),
        )
        .filter(deliveries::Column::Status.eq("pending"))
        .exec(app.database.db.conn())
        .await
        .unwrap();
    service::email::deliver_due(&app.ctx(), &unreachable, 50)
        .await
        .unwrap();
    let detail = notification_of(&app, &bidder.token, "tender_amended").await;
    assert_eq!(detail["email"]["status"], "failed", "{detail}");
}
