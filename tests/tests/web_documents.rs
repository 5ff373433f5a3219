//! Documents, attachments, email settings and webhooks from the pages: the lead uploads a
//! specification on the tender page (a forged form is refused before its file is read), everyone
//! who may see the tender downloads it, the supplier attaches, downloads and deletes files on its
//! sealed bid page, turns its emails off and registers a webhook.

use crate::web::{CSRF, browser_session, location, page};
use e2e::{TestApp, id_of, multipart_body, pdf_with};
use reqwest::StatusCode;
use serde_json::json;

/// Posts a multipart form from the pages, as a browser does (the CSRF field first).
async fn post_multipart(
    app: &TestApp,
    cookies: &str,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> reqwest::Response {
    let (content_type, body) = multipart_body(fields, file);
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url(path))
        .header("cookie", cookies)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn download(app: &TestApp, cookies: &str, path: &str) -> (StatusCode, Vec<u8>) {
    let response = reqwest::Client::new()
        .get(app.url(path))
        .header("cookie", cookies)
        .send()
        .await
        .unwrap();
    (response.status(), response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn the_lead_uploads_documents_on_the_tender_page_and_the_supplier_attaches_files_to_its_bid()
{
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let rival = app.user("supplier_bidder").await;
    let tender = app.published_tender(&lead, 3600.0, json!({})).await;
    let id = id_of(&tender);
    let lead_cookies = browser_session(&app, &lead.email, e2e::PASSWORD).await;
    let supplier_cookies = browser_session(&app, &supplier.email, e2e::PASSWORD).await;
    let rival_cookies = browser_session(&app, &rival.email, e2e::PASSWORD).await;
    let specification = pdf_with("Specification from the pages");

    let (_, html) = page(&app, &lead_cookies, &format!("/tenders/{id}")).await;
    assert!(html.contains("enctype=\"multipart/form-data\"") && html.contains("No documents yet."));
    let (_, html) = page(&app, &supplier_cookies, &format!("/tenders/{id}")).await;
    assert!(
        !html.contains("Upload the document"),
        "only the lead is offered the form"
    );

    let forged = post_multipart(
        &app,
        &lead_cookies,
        &format!("/tenders/{id}/documents"),
        &[
            ("csrf", "forged"),
            ("title", "Specification"),
            ("document_type", "technicalSpecifications"),
        ],
        Some(("spec.pdf", &specification)),
    )
    .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let untitled = post_multipart(
        &app,
        &lead_cookies,
        &format!("/tenders/{id}/documents"),
        &[
            ("csrf", CSRF),
            ("title", ""),
            ("document_type", "technicalSpecifications"),
        ],
        Some(("spec.pdf", &specification)),
    )
    .await;
    assert_eq!(untitled.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(untitled.text().await.unwrap().contains("href=\"#title\""));
    let uploaded = post_multipart(
        &app,
        &lead_cookies,
        &format!("/tenders/{id}/documents"),
        &[
            ("csrf", CSRF),
            ("title", "Specification"),
            ("document_type", "technicalSpecifications"),
        ],
        Some(("spec.pdf", &specification)),
    )
    .await;
    assert_eq!(uploaded.status(), StatusCode::SEE_OTHER);
    assert!(location(&uploaded).ends_with("done=uploaded"));

    // Every supplier sees the published tender's document and downloads it from the page.
    let documents = e2e::success(
        app.get(&format!("/api/v1/tenders/{id}/documents"), &lead.token)
            .await,
    )
    .await;
    let document = id_of(&documents["items"][0]);
    let (_, html) = page(&app, &rival_cookies, &format!("/tenders/{id}")).await;
    assert!(
        html.contains(&format!("/tenders/{id}/documents/{document}")),
        "{html}"
    );
    let (status, bytes) = download(
        &app,
        &rival_cookies,
        &format!("/tenders/{id}/documents/{document}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, specification);

    // The supplier attaches a file on its bid page; the rival cannot reach it.
    let bid = app.accepted_bid(&supplier, &tender, 20_000_000).await;
    let bid_id = id_of(&bid);
    let statement = b"Our method statement, sealed.\n".to_vec();
    let attached = post_multipart(
        &app,
        &supplier_cookies,
        &format!("/tenders/{id}/bids/{bid_id}/attachments"),
        &[("csrf", CSRF), ("title", "Method statement")],
        Some(("method.txt", &statement)),
    )
    .await;
    assert_eq!(attached.status(), StatusCode::SEE_OTHER);
    assert!(location(&attached).ends_with("done=attached"));
    let (_, html) = page(&app, &supplier_cookies, &format!("/tenders/{id}/bid")).await;
    assert!(
        html.contains("Method statement") && html.contains("Attach the file"),
        "{html}"
    );
    let attachment = e2e::success(
        app.get(
            &format!("/api/v1/tenders/{id}/bids/{bid_id}/attachments"),
            &supplier.token,
        )
        .await,
    )
    .await;
    let file = format!(
        "/tenders/{id}/bids/{bid_id}/attachments/{}",
        id_of(&attachment["items"][0])
    );
    assert_eq!(
        download(&app, &supplier_cookies, &file).await,
        (StatusCode::OK, statement)
    );
    let (status, _) = download(&app, &rival_cookies, &file).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = download(&app, &lead_cookies, &file).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "sealed before the deadline");

    let deleted = crate::web::post_form(
        &app,
        &supplier_cookies,
        &format!("{file}/delete"),
        &[("csrf", CSRF)],
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &supplier_cookies, &format!("/tenders/{id}/bid")).await;
    assert!(html.contains("No files attached."), "{html}");
}

#[tokio::test]
async fn the_notifications_page_shows_each_emails_state_and_turns_emails_off() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let tender = app.published_tender(&lead, 3600.0, json!({})).await;
    app.accepted_bid(&supplier, &tender, 20_000_000).await;
    let cookies = browser_session(&app, &supplier.email, e2e::PASSWORD).await;
    let (_, html) = page(&app, &cookies, "/notifications").await;
    assert!(html.contains("Email: waiting to be sent"), "{html}");
    assert!(html.contains("Stop emailing me"));

    let off = crate::web::post_form(
        &app,
        &cookies,
        "/notifications/email",
        &[("csrf", CSRF), ("email_notifications", "false")],
    )
    .await;
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    let me = e2e::success(app.get("/api/v1/me", &supplier.token).await).await;
    assert_eq!(me["email_notifications"], false);
    let (_, html) = page(&app, &cookies, "/notifications").await;
    assert!(html.contains("Email me notifications"), "{html}");
    let forged = crate::web::post_form(
        &app,
        &cookies,
        "/notifications/email",
        &[("csrf", "forged"), ("email_notifications", "true")],
    )
    .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_organisation_registers_sees_and_removes_its_webhooks_from_its_page() {
    let app = TestApp::spawn_configured(|config| {
        config.webhook_allow_http = true;
        config.webhook_allow_private = true;
    })
    .await;
    let supplier = app.user("supplier_bidder").await;
    let evaluator = app.user("buyer_evaluator").await;
    let cookies = browser_session(&app, &supplier.email, e2e::PASSWORD).await;
    let (status, html) = page(&app, &cookies, "/webhooks").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No webhooks yet."));

    let refused = crate::web::post_form(
        &app,
        &cookies,
        "/webhooks",
        &[
            ("csrf", CSRF),
            ("url", "ftp://example.org"),
            ("event-bid_received", "on"),
        ],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("href=\"#url\""));
    let made = crate::web::post_form(
        &app,
        &cookies,
        "/webhooks",
        &[
            ("csrf", CSRF),
            ("url", "http://127.0.0.1:9/hooks"),
            ("event-bid_received", "on"),
            ("description", "Contract register"),
        ],
    )
    .await;
    assert_eq!(made.status(), StatusCode::OK);
    let html = made.text().await.unwrap();
    assert!(
        html.contains("whsec_") && html.contains("it is not shown again"),
        "{html}"
    );
    let (_, html) = page(&app, &cookies, "/webhooks").await;
    assert!(html.contains("http://127.0.0.1:9/hooks") && !html.contains("whsec_"));

    let listed = e2e::success(app.get("/api/v1/webhooks", &supplier.token).await).await;
    let id = id_of(&listed["items"][0]);
    let removed = crate::web::post_form(
        &app,
        &cookies,
        &format!("/webhooks/{id}/delete"),
        &[("csrf", CSRF)],
    )
    .await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &cookies, "/webhooks").await;
    assert!(html.contains("No webhooks yet."));

    let evaluator_cookies = browser_session(&app, &evaluator.email, e2e::PASSWORD).await;
    let (status, _) = page(&app, &evaluator_cookies, "/webhooks").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
