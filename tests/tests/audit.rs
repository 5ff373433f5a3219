//! The audit log: every change is recorded in its own transaction and chained by hash, and
//! tampering is found at the row that was changed.

use e2e::{PASSWORD, TestApp, assert_problem, json_body};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

#[tokio::test]
async fn each_change_writes_an_audit_entry_and_the_chain_verifies() {
    let app = TestApp::spawn().await;
    let organisation = app.organisation("buyer").await;
    let user = app.user_in("buyer_lead", &organisation).await;
    app.patch(
        &format!("/api/v1/users/{}", user.id),
        &app.admin_token,
        json!({"active": false}),
    )
    .await;

    let log = json_body(
        app.get("/api/v1/audit?per_page=100", &app.admin_token)
            .await,
    )
    .await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap();
    // Newest first: the admin's own creation (platform organisation and admin) comes last.
    assert_eq!(
        actions,
        [
            "user.updated",
            "user.created",
            "organisation.created",
            "user.created",
            "organisation.created"
        ]
    );
    let update = &log["items"][0];
    assert_eq!(update["entity_type"], "user");
    assert_eq!(update["entity_id"], json!(user.id));
    assert_eq!(update["before"]["active"], true);
    assert_eq!(update["after"]["active"], false);
    let me = json_body(app.get("/api/v1/me", &app.admin_token).await).await;
    assert_eq!(update["actor_user_id"], me["id"]);
    assert_eq!(update["actor_organisation_id"], me["organisation"]["id"]);
    let seqs: Vec<i64> = log["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|e| e["seq"].as_i64()).collect())
        .unwrap();
    assert_eq!(seqs, [5, 4, 3, 2, 1]);
    assert_eq!(log["items"][4]["prev_hash"], "0".repeat(64));
    assert_eq!(log["items"][0]["prev_hash"], log["items"][1]["hash"]);

    let verify = json_body(app.get("/api/v1/audit/verify", &app.admin_token).await).await;
    assert_eq!(
        verify,
        json!({"valid": true, "checked": 5, "first_bad_seq": null})
    );
}

#[tokio::test]
async fn the_audit_log_can_be_filtered_by_entity_and_actor() {
    let app = TestApp::spawn().await;
    let organisation = app.organisation("supplier").await;
    let user = app.user_in("supplier_bidder", &organisation).await;
    let by_entity = json_body(
        app.get(
            &format!("/api/v1/audit?entity_type=user&entity_id={}", user.id),
            &app.admin_token,
        )
        .await,
    )
    .await;
    assert_eq!(by_entity["total"], 1);
    assert_eq!(by_entity["items"][0]["action"], "user.created");
    let me = json_body(app.get("/api/v1/me", &app.admin_token).await).await;
    let by_actor = json_body(
        app.get(
            &format!("/api/v1/audit?actor_user_id={}", me["id"].as_str().unwrap()),
            &app.admin_token,
        )
        .await,
    )
    .await;
    assert_eq!(by_actor["total"], 2);
    let future = json_body(
        app.get("/api/v1/audit?from=2999-01-01T00:00:00Z", &app.admin_token)
            .await,
    )
    .await;
    assert_eq!(future["total"], 0);
}

#[tokio::test]
async fn tampering_with_a_stored_entry_is_detected_at_that_row() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.organisation("buyer").await;
    }
    let conn = app.database.db.conn();
    let backend = conn.get_database_backend();
    conn.execute_raw(Statement::from_string(
        backend,
        "UPDATE audit_events SET after = replace(after, 'Test', 'Forged') WHERE seq = 4",
    ))
    .await
    .unwrap();
    let verify = json_body(app.get("/api/v1/audit/verify", &app.admin_token).await).await;
    assert_eq!(
        verify,
        json!({"valid": false, "checked": 4, "first_bad_seq": 4})
    );
}

#[tokio::test]
async fn a_deleted_entry_is_detected_where_the_gap_starts() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.organisation("buyer").await;
    }
    let conn = app.database.db.conn();
    conn.execute_raw(Statement::from_string(
        conn.get_database_backend(),
        "DELETE FROM audit_events WHERE seq = 3",
    ))
    .await
    .unwrap();
    let verify = json_body(app.get("/api/v1/audit/verify", &app.admin_token).await).await;
    assert_eq!(verify["valid"], false);
    assert_eq!(verify["first_bad_seq"], 3);
}

#[tokio::test]
async fn the_regulator_reads_the_audit_log_but_buyers_and_suppliers_may_not() {
    let app = TestApp::spawn().await;
    let regulator = app.user("regulator").await;
    assert_eq!(
        app.get("/api/v1/audit", &regulator.token).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/audit/verify", &regulator.token)
            .await
            .status(),
        StatusCode::OK
    );
    for role in ["buyer_lead", "buyer_evaluator", "supplier_bidder"] {
        let user = app.user(role).await;
        assert_problem(
            app.get("/api/v1/audit", &user.token).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert_problem(
            app.get("/api/v1/audit/verify", &user.token).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
}

#[tokio::test]
async fn a_refused_change_leaves_no_audit_entry() {
    let app = TestApp::spawn().await;
    let before = json_body(app.get("/api/v1/audit", &app.admin_token).await).await["total"].clone();
    let organisation = app.organisation("buyer").await;
    let response = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"email": "x@y.example", "name": "X", "password": PASSWORD, "role": "supplier_bidder", "organisation_id": organisation}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let after = json_body(app.get("/api/v1/audit", &app.admin_token).await).await["total"].clone();
    assert_eq!(
        after.as_i64(),
        before.as_i64().map(|n| n + 1),
        "only the organisation was audited"
    );
}

#[tokio::test]
async fn concurrent_changes_keep_the_chain_gap_free_and_unforked() {
    let app = TestApp::spawn().await;
    let organisation = app.organisation("supplier").await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let client = app.client.clone();
        let url = app.url("/api/v1/users");
        let token = app.admin_token.clone();
        let organisation = organisation.clone();
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"email": format!("bidder{i}@csu.example"), "name": "B", "password": PASSWORD, "role": "supplier_bidder", "organisation_id": organisation}))
                .send()
                .await
                .map(|r| r.status())
        }));
    }
    for task in tasks {
        let status = task.await.unwrap().unwrap();
        assert_eq!(status, StatusCode::CREATED);
    }
    let verify = json_body(app.get("/api/v1/audit/verify", &app.admin_token).await).await;
    assert_eq!(
        verify,
        json!({"valid": true, "checked": 15, "first_bad_seq": null})
    );
}
