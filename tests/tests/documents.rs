//! Files: a tender's documents (the buyer's while a draft, public once published, a change after
//! publication an amendment) and a bid's attachments (sealed exactly like the bid), kept in the
//! test's own file store — a directory, or a real S3 API server when `TEST_OBJECT_STORE` names a
//! bucket (as `scripts/test` arranges).

use e2e::{
    TestApp, TestUser, assert_problem, assert_problem_type, id_of, json_body, pdf_with, pointers,
    wait_until,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body = json_body(response).await;
    assert!(status.is_success(), "{status}: {body}");
    body
}

fn documents_path(tender: &Value) -> String {
    format!("/api/v1/tenders/{}/documents", id_of(tender))
}

async fn upload_document(
    app: &TestApp,
    lead: &TestUser,
    tender: &Value,
    fields: &[(&str, &str)],
    file: (&str, &[u8]),
) -> reqwest::Response {
    app.upload(
        &documents_path(tender),
        Some(&lead.token),
        fields,
        Some(file),
    )
    .await
}

async fn specification(app: &TestApp, lead: &TestUser, tender: &Value, text: &str) -> Value {
    let pdf = pdf_with(text);
    let response = upload_document(
        app,
        lead,
        tender,
        &[
            ("title", "Specification"),
            ("document_type", "technicalSpecifications"),
        ],
        ("specification.pdf", &pdf),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    json_body(response).await
}

async fn get_anonymous(app: &TestApp, path: &str) -> reqwest::Response {
    app.send(Method::GET, path, None, None).await
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[tokio::test]
async fn a_drafts_documents_are_its_buyers_alone_and_downloads_are_sent_as_stored() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let colleague = app.user_in("buyer_evaluator", &lead.organisation_id).await;
    let other_lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let tender = app.draft_tender(&lead, 3600.0, json!({})).await;
    let pdf = pdf_with("Scope of the procurement support service");

    let response = upload_document(
        &app,
        &lead,
        &tender,
        &[
            ("title", "Specification"),
            ("document_type", "technicalSpecifications"),
        ],
        ("../../Specification v1.pdf", &pdf),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let document = json_body(response).await;
    assert_eq!(document["media_type"], "application/pdf");
    assert_eq!(document["file_name"], "Specification v1.pdf");
    assert_eq!(document["size_bytes"], pdf.len());
    assert_eq!(document["sha256"], sha256_hex(&pdf));
    assert_eq!(document["version"], 1);
    assert_eq!(document["document_type"], "technicalSpecifications");
    assert_eq!(
        location,
        format!("/api/v1/documents/{}/content", id_of(&document))
    );

    // The buyer's own users see it; nobody else, not even signed out, learns it exists.
    for who in [&lead, &colleague] {
        let list = ok(app.get(&documents_path(&tender), &who.token).await).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
    }
    for who in [&other_lead, &supplier] {
        assert_problem(
            app.get(&documents_path(&tender), &who.token).await,
            StatusCode::NOT_FOUND,
        )
        .await;
        assert_problem(app.get(&location, &who.token).await, StatusCode::NOT_FOUND).await;
    }
    assert_problem(
        get_anonymous(&app, &documents_path(&tender)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(get_anonymous(&app, &location).await, StatusCode::NOT_FOUND).await;

    // Only the tender's lead adds documents.
    for (who, status) in [
        (&supplier, StatusCode::FORBIDDEN),
        (&colleague, StatusCode::FORBIDDEN),
        (&other_lead, StatusCode::NOT_FOUND),
    ] {
        let refused = upload_document(
            &app,
            who,
            &tender,
            &[("title", "Mine"), ("document_type", "other")],
            ("x.pdf", &pdf),
        )
        .await;
        assert_problem(refused, status).await;
    }

    let download = app.get(&location, &lead.token).await;
    assert_eq!(download.status(), StatusCode::OK);
    let headers = download.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"Specification v1.pdf\""
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, format!("\"{}\"", sha256_hex(&pdf)));
    assert_eq!(download.bytes().await.unwrap().as_ref(), pdf.as_slice());
    let cached = app
        .request(Method::GET, &location, &lead.token)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    assert!(cached.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_file_is_known_by_its_content_not_its_name_and_bad_forms_are_refused_field_by_field() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let tender = app.draft_tender(&lead, 3600.0, json!({})).await;
    let fields = [
        ("title", "Pricing schedule"),
        ("document_type", "biddingDocuments"),
    ];

    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec();
    let refused = upload_document(&app, &lead, &tender, &fields, ("pricing.pdf", &exe)).await;
    assert_problem(refused, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;

    let csv = b"item,unit,price_pence\nContract management,per_month,450000\n".to_vec();
    let accepted =
        ok(upload_document(&app, &lead, &tender, &fields, ("prices.csv", &csv)).await).await;
    assert_eq!(accepted["media_type"], "text/csv");
    let text = ok(upload_document(&app, &lead, &tender, &fields, ("notes", &csv)).await).await;
    assert_eq!(text["media_type"], "text/plain");
    assert_eq!(text["file_name"], "notes.txt");

    let empty = upload_document(&app, &lead, &tender, &fields, ("empty.csv", b"")).await;
    assert_eq!(
        pointers(&assert_problem(empty, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["/file"]
    );
    let no_file = app
        .upload(&documents_path(&tender), Some(&lead.token), &fields, None)
        .await;
    assert_eq!(
        pointers(&assert_problem(no_file, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["/file"]
    );
    let bad_fields = upload_document(
        &app,
        &lead,
        &tender,
        &[("title", " "), ("document_type", "specification")],
        ("prices.csv", &csv),
    )
    .await;
    let problem = assert_problem(bad_fields, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), ["/title", "/document_type"]);

    // Past 25 MiB the upload is refused, and nothing was stored of it.
    let mut big = pdf_with("large");
    big.resize(25 * 1024 * 1024 + 1, b' ');
    let too_large = upload_document(&app, &lead, &tender, &fields, ("big.pdf", &big)).await;
    assert_problem(too_large, StatusCode::PAYLOAD_TOO_LARGE).await;
    let json_instead = app
        .post(&documents_path(&tender), &lead.token, json!({"title": "x"}))
        .await;
    assert_problem(json_instead, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;

    let list = ok(app.get(&documents_path(&tender), &lead.token).await).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");
}

#[tokio::test]
async fn once_published_documents_are_public_and_a_new_version_is_an_amendment_bidders_hear_of() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let draft = app.draft_tender(&lead, 3600.0, json!({})).await;
    let first = specification(&app, &lead, &draft, "Version one").await;
    let published = ok(app
        .send(
            Method::POST,
            &format!("/api/v1/tenders/{}/publish", id_of(&draft)),
            Some(&lead.token),
            None,
        )
        .await)
    .await;
    let first_url = format!("/api/v1/documents/{}/content", id_of(&first));
    let download = get_anonymous(&app, &first_url).await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(
        download.bytes().await.unwrap().as_ref(),
        pdf_with("Version one").as_slice()
    );
    let bid = app.accepted_bid(&supplier, &published, 20_000_000).await;

    let v2_pdf = pdf_with("Version two");
    let replaced = upload_document(
        &app,
        &lead,
        &published,
        &[
            ("title", "Specification"),
            ("document_type", "technicalSpecifications"),
            ("replaces", &id_of(&first)),
        ],
        ("specification-v2.pdf", &v2_pdf),
    )
    .await;
    assert_eq!(replaced.status(), StatusCode::CREATED);
    let second = json_body(replaced).await;
    assert_eq!(second["version"], 2);
    assert_eq!(second["replaces"], first["id"]);

    let list = ok(get_anonymous(&app, &documents_path(&published)).await).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items[0]["superseded_at"].is_string(), "{list}");
    assert!(items[1]["superseded_at"].is_null(), "{list}");

    // An amendment: the bid must be confirmed again, and the bidder was told.
    let bid_now = ok(app
        .get(
            &format!("/api/v1/tenders/{}/bids/{}", id_of(&published), id_of(&bid)),
            &supplier.token,
        )
        .await)
    .await;
    assert_eq!(bid_now["status"], "needs_confirmation");
    let notifications = ok(app.get("/api/v1/notifications", &supplier.token).await).await;
    assert!(
        notifications["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "tender_amended"
                && n["body"]
                    .as_str()
                    .unwrap()
                    .contains("Version 2 of the document")),
        "{notifications}"
    );

    // The changed tender notice lists the current document at an address that downloads it.
    let notices = ok(get_anonymous(
        &app,
        &format!("/api/v1/notices?tender={}", id_of(&published)),
    )
    .await)
    .await;
    let latest = notices["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["notice_type"] == "UK4")
        .max_by_key(|n| n["published_at"].as_str().unwrap().to_owned())
        .cloned()
        .unwrap();
    let release =
        ok(get_anonymous(&app, &format!("/api/v1/notices/{}/ocds", id_of(&latest))).await).await;
    let documents = release["releases"][0]["tender"]["documents"]
        .as_array()
        .unwrap()
        .clone();
    let listed: Vec<&Value> = documents
        .iter()
        .filter(|d| d["documentType"] == "technicalSpecifications")
        .collect();
    assert_eq!(listed.len(), 1, "only the current version: {documents:#?}");
    let url = listed[0]["url"].as_str().unwrap();
    assert_eq!(
        url,
        app.url(&format!("/api/v1/documents/{}/content", id_of(&second)))
    );
    let fetched = app.client.get(url).send().await.unwrap();
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), v2_pdf.as_slice());
    e2e::assert_valid_uk_package(&release);

    // The superseded version cannot be replaced again.
    let stale = upload_document(
        &app,
        &lead,
        &published,
        &[
            ("title", "Specification"),
            ("document_type", "technicalSpecifications"),
            ("replaces", &id_of(&first)),
        ],
        ("specification-v3.pdf", &v2_pdf),
    )
    .await;
    let problem = assert_problem(stale, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), ["/replaces"]);

    // The audit log keeps what each file was, never its bytes.
    let audit = ok(app
        .get(
            &format!("/api/v1/audit?entity_id={}", id_of(&published)),
            &app.admin_token,
        )
        .await)
    .await;
    let text = audit.to_string();
    assert!(text.contains(&sha256_hex(&v2_pdf)), "{audit}");
    assert!(!text.contains("Version two"), "{audit}");
}

fn attachments_path(tender: &Value, bid: &Value) -> String {
    format!(
        "/api/v1/tenders/{}/bids/{}/attachments",
        id_of(tender),
        id_of(bid)
    )
}

#[tokio::test]
async fn bid_attachments_are_sealed_exactly_like_the_bid_and_each_version_lists_its_files() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let evaluator = app.user_in("buyer_evaluator", &lead.organisation_id).await;
    let supplier = app.user("supplier_bidder").await;
    let rival = app.user("supplier_bidder").await;
    let regulator = app.user("regulator").await;
    let tender = app.published_tender(&lead, 4.0, json!({})).await;
    let bid = app.accepted_bid(&supplier, &tender, 20_000_000).await;
    let secret = "Method statement: our confidential delivery model";
    let statement = pdf_with(secret);

    let attached = app
        .upload(
            &attachments_path(&tender, &bid),
            Some(&supplier.token),
            &[("title", "Method statement")],
            Some(("method.pdf", &statement)),
        )
        .await;
    assert_eq!(attached.status(), StatusCode::CREATED);
    let attachment = json_body(attached).await;
    assert_eq!(attachment["added_in_version"], 2);
    let content = attachment["content_url"].as_str().unwrap().to_owned();

    // Nobody but the supplier attaches to its bid, or reads what it attached.
    let rival_upload = app
        .upload(
            &attachments_path(&tender, &bid),
            Some(&rival.token),
            &[("title", "Mine")],
            Some(("x.pdf", &statement)),
        )
        .await;
    assert_problem(rival_upload, StatusCode::NOT_FOUND).await;
    let lead_upload = app
        .upload(
            &attachments_path(&tender, &bid),
            Some(&lead.token),
            &[("title", "Mine")],
            Some(("x.pdf", &statement)),
        )
        .await;
    assert_problem(lead_upload, StatusCode::FORBIDDEN).await;
    for who in [&rival, &lead, &evaluator, &regulator] {
        assert_problem(
            app.get(&attachments_path(&tender, &bid), &who.token).await,
            StatusCode::NOT_FOUND,
        )
        .await;
        assert_problem(app.get(&content, &who.token).await, StatusCode::NOT_FOUND).await;
    }
    assert_problem(
        app.get(&content, &app.admin_token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let own = app.get(&content, &supplier.token).await;
    assert_eq!(own.status(), StatusCode::OK);
    assert_eq!(own.headers()["cache-control"], "no-store");
    assert_eq!(own.bytes().await.unwrap().as_ref(), statement.as_slice());

    // A second file, then the first deleted: each a version, and each version lists its files.
    let prices = b"item,price_pence\nService,20000000\n".to_vec();
    let second = ok(app
        .upload(
            &attachments_path(&tender, &bid),
            Some(&supplier.token),
            &[("title", "Pricing workbook")],
            Some(("prices.csv", &prices)),
        )
        .await)
    .await;
    let deleted = app
        .send(
            Method::DELETE,
            &format!("{}/{}", attachments_path(&tender, &bid), id_of(&attachment)),
            Some(&supplier.token),
            None,
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let shown = ok(app
        .get(
            &format!("/api/v1/tenders/{}/bids/{}", id_of(&tender), id_of(&bid)),
            &supplier.token,
        )
        .await)
    .await;
    assert_eq!(shown["version"], 4);
    let carried: Vec<Vec<String>> = shown["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            v["attachments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["title"].as_str().unwrap().to_owned())
                .collect()
        })
        .collect();
    assert_eq!(
        carried,
        [
            vec![],
            vec!["Method statement".to_owned()],
            vec!["Method statement".to_owned(), "Pricing workbook".to_owned()],
            vec!["Pricing workbook".to_owned()],
        ]
    );
    let current = ok(app
        .get(&attachments_path(&tender, &bid), &supplier.token)
        .await)
    .await;
    assert_eq!(current["items"].as_array().unwrap().len(), 1);
    assert_eq!(current["items"][0]["id"], second["id"]);

    // The receipts and the audit log name each file by its digest, never by its content.
    let notifications = ok(app.get("/api/v1/notifications", &supplier.token).await).await;
    assert!(!notifications.to_string().contains(secret));
    let audit = ok(app
        .get(
            &format!("/api/v1/audit?entity_id={}", id_of(&bid)),
            &app.admin_token,
        )
        .await)
    .await;
    assert!(
        audit.to_string().contains(&sha256_hex(&statement)),
        "{audit}"
    );
    assert!(!audit.to_string().contains(secret));

    // After the deadline: the lead reads the files (an earlier version's too); the supplier
    // changes nothing more.
    wait_until(tender["submission_deadline"].as_str().unwrap()).await;
    let late = app
        .upload(
            &attachments_path(&tender, &bid),
            Some(&supplier.token),
            &[("title", "Late")],
            Some(("late.csv", &prices)),
        )
        .await;
    assert_problem_type(late, StatusCode::CONFLICT, "deadline-passed").await;
    let late_delete = app
        .send(
            Method::DELETE,
            &format!("{}/{}", attachments_path(&tender, &bid), id_of(&second)),
            Some(&supplier.token),
            None,
        )
        .await;
    assert_problem_type(late_delete, StatusCode::CONFLICT, "deadline-passed").await;
    let list = ok(app.get(&attachments_path(&tender, &bid), &lead.token).await).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let earlier = app.get(&content, &lead.token).await;
    assert_eq!(earlier.status(), StatusCode::OK);
    assert_eq!(
        earlier.bytes().await.unwrap().as_ref(),
        statement.as_slice()
    );
    for who in [&rival, &regulator] {
        assert_problem(app.get(&content, &who.token).await, StatusCode::NOT_FOUND).await;
    }
}

#[tokio::test]
async fn a_bid_carries_at_most_twenty_files() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let tender = app.published_tender(&lead, 3600.0, json!({})).await;
    let bid = app.accepted_bid(&supplier, &tender, 20_000_000).await;
    for n in 0..20 {
        let file = format!("line {n}\n").into_bytes();
        let title = format!("Annex {n}");
        let response = app
            .upload(
                &attachments_path(&tender, &bid),
                Some(&supplier.token),
                &[("title", &title)],
                Some(("annex.txt", &file)),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "file {n}");
    }
    let one_more = app
        .upload(
            &attachments_path(&tender, &bid),
            Some(&supplier.token),
            &[("title", "Annex 21")],
            Some(("annex.txt", b"one too many\n")),
        )
        .await;
    assert_problem(one_more, StatusCode::CONFLICT).await;
}

#[tokio::test]
async fn stored_files_that_nothing_names_are_collected_and_named_ones_kept() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let tender = app.draft_tender(&lead, 3600.0, json!({})).await;
    let kept = specification(&app, &lead, &tender, "Kept").await;
    // An upload whose transaction never committed: its bytes are stored, no row names them.
    let orphan = pdf_with("Orphan");
    let spool = std::env::temp_dir().join(format!("orphan-{}", uuid::Uuid::new_v4()));
    std::fs::write(&spool, &orphan).unwrap();
    let ctx = app.ctx();
    let objects = ctx.objects();
    objects
        .put_file(&spool, &sha256_hex(&orphan))
        .await
        .unwrap();
    std::fs::remove_file(&spool).unwrap();
    assert_eq!(objects.list().await.unwrap().len(), 2);

    let young = service::documents::collect_garbage(&app.ctx(), chrono::Duration::hours(24))
        .await
        .unwrap();
    assert_eq!(young, 0, "objects younger than a day are spared");
    let removed = service::documents::collect_garbage(&app.ctx(), chrono::Duration::zero())
        .await
        .unwrap();
    assert_eq!(removed, 1);
    let left: Vec<String> = objects
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|(sha, _)| sha)
        .collect();
    assert_eq!(left, [kept["sha256"].as_str().unwrap().to_owned()]);
    let download = app
        .get(
            &format!("/api/v1/documents/{}/content", id_of(&kept)),
            &lead.token,
        )
        .await;
    assert_eq!(download.status(), StatusCode::OK);
    if std::env::var("TEST_OBJECT_STORE").is_ok_and(|s| s.starts_with("s3://")) {
        assert!(
            objects.location().starts_with("S3 "),
            "{}",
            objects.location()
        );
    }
}
