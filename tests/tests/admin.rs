//! Organisations and users: what admins can do, and that nobody else can.

use e2e::{NON_ADMIN_ROLES, PASSWORD, TestApp, assert_problem, json_body, pointers};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn an_admin_registers_an_organisation_and_reads_it_back() {
    let app = TestApp::spawn().await;
    let response = app
        .post(
            "/api/v1/organisations",
            &app.admin_token,
            json!({"name": "NHS Kent and Medway ICB", "kind": "buyer", "ods_code": "qks", "region": "south_east"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let created = json_body(response).await;
    assert_eq!(created["ods_code"], "QKS");
    assert_eq!(created["region"], "south_east");
    assert_eq!(created["successor_id"], json!(null));
    let id = created["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/v1/organisations/{id}"));

    let fetched = json_body(app.get(&location, &app.admin_token).await).await;
    assert_eq!(fetched, created);

    let listed = json_body(
        app.get("/api/v1/organisations?kind=buyer", &app.admin_token)
            .await,
    )
    .await;
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["id"], created["id"]);
    assert_eq!(listed["page"], 1);
    assert_eq!(listed["per_page"], 20);
}

#[tokio::test]
async fn an_ods_code_is_unique_whatever_its_case() {
    let app = TestApp::spawn().await;
    let first = app
        .post(
            "/api/v1/organisations",
            &app.admin_token,
            json!({"name": "A", "kind": "supplier", "ods_code": "0DF"}),
        )
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let second = app
        .post(
            "/api/v1/organisations",
            &app.admin_token,
            json!({"name": "B", "kind": "supplier", "ods_code": "0df"}),
        )
        .await;
    let problem = assert_problem(second, StatusCode::CONFLICT).await;
    assert_eq!(pointers(&problem), ["/ods_code"]);
    let text = problem.to_string().to_lowercase();
    assert!(
        !text.contains("unique") && !text.contains("constraint") && !text.contains("insert"),
        "{text}"
    );
    // Organisations without a code are not in conflict with each other.
    for name in ["C", "D"] {
        let response = app
            .post(
                "/api/v1/organisations",
                &app.admin_token,
                json!({"name": name, "kind": "buyer"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
}

#[tokio::test]
async fn an_invalid_organisation_is_refused_with_every_bad_field_named() {
    let app = TestApp::spawn().await;
    let response = app
        .post(
            "/api/v1/organisations",
            &app.admin_token,
            json!({"name": " ", "kind": "buyer", "ods_code": "A-1"}),
        )
        .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), ["/name", "/ods_code"]);

    let response = app
        .post(
            "/api/v1/organisations",
            &app.admin_token,
            json!({"name": "X", "kind": "ccg"}),
        )
        .await;
    assert_eq!(
        pointers(&assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["/kind"]
    );

    let response = app
        .post(
            "/api/v1/organisations",
            &app.admin_token,
            json!({"name": "X", "kind": "buyer", "region": "scotland"}),
        )
        .await;
    assert_eq!(
        pointers(&assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["/region"]
    );

    let response = app
        .post(
            "/api/v1/organisations",
            &app.admin_token,
            json!({"kind": "buyer"}),
        )
        .await;
    assert_eq!(
        pointers(&assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["/name"]
    );

    let response = app
        .post(
            "/api/v1/organisations",
            &app.admin_token,
            json!({"name": "X", "kind": "buyer", "colour": "blue"}),
        )
        .await;
    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
}

#[tokio::test]
async fn an_admin_creates_a_user_whose_role_fits_the_organisation() {
    let app = TestApp::spawn().await;
    let buyer = app.organisation("buyer").await;
    let response = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"email": "Grace.Lead@ICB.example", "name": "Grace Lead", "password": PASSWORD, "role": "buyer_lead", "organisation_id": buyer}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let user = json_body(response).await;
    assert_eq!(user["email"], "grace.lead@icb.example");
    assert_eq!(user["active"], true);
    assert!(user.get("password_hash").is_none() && user.get("password").is_none());
    let token = app.login("grace.lead@icb.example", PASSWORD).await;
    let me = json_body(app.get("/api/v1/me", &token).await).await;
    assert_eq!(me["organisation"]["id"], json!(buyer));
}

#[tokio::test]
async fn a_supplier_bidder_cannot_belong_to_a_buyer() {
    let app = TestApp::spawn().await;
    let buyer = app.organisation("buyer").await;
    let response = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"email": "bidder@example.org", "name": "B", "password": PASSWORD, "role": "supplier_bidder", "organisation_id": buyer}),
        )
        .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), ["/role"]);
}

#[tokio::test]
async fn a_user_email_is_unique_regardless_of_case() {
    let app = TestApp::spawn().await;
    let supplier = app.organisation("supplier").await;
    let body = |email: &str| json!({"email": email, "name": "N", "password": PASSWORD, "role": "supplier_bidder", "organisation_id": supplier});
    assert_eq!(
        app.post("/api/v1/users", &app.admin_token, body("bids@csu.example"))
            .await
            .status(),
        StatusCode::CREATED
    );
    let problem = assert_problem(
        app.post("/api/v1/users", &app.admin_token, body("BIDS@csu.example"))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(pointers(&problem), ["/email"]);
}

#[tokio::test]
async fn a_user_with_bad_fields_or_an_unknown_organisation_is_refused() {
    let app = TestApp::spawn().await;
    let response = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"email": "not-an-email", "name": "", "password": "short", "role": "admin", "organisation_id": uuid::Uuid::new_v4()}),
        )
        .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), ["/email", "/name", "/password"]);

    let response = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"email": "a@b.example", "name": "A", "password": PASSWORD, "role": "admin", "organisation_id": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(
        pointers(&assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["/organisation_id"]
    );
}

#[tokio::test]
async fn an_admin_changes_a_role_and_deactivates_a_user() {
    let app = TestApp::spawn().await;
    let buyer = app.organisation("buyer").await;
    let user = app.user_in("buyer_evaluator", &buyer).await;
    let path = format!("/api/v1/users/{}", user.id);

    let changed = json_body(
        app.patch(&path, &app.admin_token, json!({"role": "buyer_lead"}))
            .await,
    )
    .await;
    assert_eq!(changed["role"], "buyer_lead");
    let problem = assert_problem(
        app.patch(&path, &app.admin_token, json!({"role": "regulator"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&problem), ["/role"]);
    assert_problem(
        app.patch(&path, &app.admin_token, json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    let deactivated = json_body(
        app.patch(&path, &app.admin_token, json!({"active": false}))
            .await,
    )
    .await;
    assert_eq!(deactivated["active"], false);
    let listed = json_body(
        app.get(
            &format!("/api/v1/users?organisation_id={buyer}&active=false"),
            &app.admin_token,
        )
        .await,
    )
    .await;
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["id"], json!(user.id));

    let missing = format!("/api/v1/users/{}", uuid::Uuid::new_v4());
    assert_problem(
        app.patch(&missing, &app.admin_token, json!({"active": false}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn an_admin_cannot_deactivate_or_demote_itself() {
    let app = TestApp::spawn().await;
    let me = json_body(app.get("/api/v1/me", &app.admin_token).await).await;
    let path = format!("/api/v1/users/{}", me["id"].as_str().unwrap());
    assert_problem(
        app.patch(&path, &app.admin_token, json!({"active": false}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_problem(
        app.patch(&path, &app.admin_token, json!({"role": "regulator"}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        app.get("/api/v1/me", &app.admin_token).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn every_admin_endpoint_is_refused_for_every_non_admin_role() {
    let app = TestApp::spawn().await;
    let some_org = app.organisation("buyer").await;
    let some_user = app.user_in("buyer_lead", &some_org).await;
    let requests = [
        (
            Method::POST,
            "/api/v1/organisations".to_owned(),
            Some(json!({"name": "Sneaky", "kind": "buyer"})),
        ),
        (Method::GET, "/api/v1/organisations".to_owned(), None),
        (
            Method::GET,
            format!("/api/v1/organisations/{some_org}"),
            None,
        ),
        (
            Method::POST,
            "/api/v1/users".to_owned(),
            Some(
                json!({"email": "x@y.example", "name": "X", "password": PASSWORD, "role": "buyer_lead", "organisation_id": some_org}),
            ),
        ),
        (Method::GET, "/api/v1/users".to_owned(), None),
        (Method::GET, format!("/api/v1/users/{}", some_user.id), None),
        (
            Method::PATCH,
            format!("/api/v1/users/{}", some_user.id),
            Some(json!({"active": false})),
        ),
    ];
    for role in NON_ADMIN_ROLES {
        let actor = app.user(role).await;
        for (method, path, body) in &requests {
            let response = app
                .send(method.clone(), path, Some(&actor.token), body.as_ref())
                .await;
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{role} {method} {path}"
            );
            assert_problem(response, StatusCode::FORBIDDEN).await;
        }
    }
    // Nothing the refused requests asked for happened.
    let user = json_body(
        app.get(&format!("/api/v1/users/{}", some_user.id), &app.admin_token)
            .await,
    )
    .await;
    assert_eq!(user["active"], true);
    let sneaky = json_body(
        app.get("/api/v1/organisations?per_page=100", &app.admin_token)
            .await,
    )
    .await;
    assert!(
        sneaky["items"]
            .as_array()
            .is_some_and(|items| items.iter().all(|o| o["name"] != "Sneaky"))
    );
}

#[tokio::test]
async fn a_non_admin_never_lists_users_of_another_organisation() {
    let app = TestApp::spawn().await;
    let own = app.organisation("buyer").await;
    let other = app.organisation("buyer").await;
    let lead = app.user_in("buyer_lead", &own).await;
    let stranger = app.user_in("buyer_lead", &other).await;
    for path in [
        "/api/v1/users".to_owned(),
        format!("/api/v1/users?organisation_id={other}"),
        format!("/api/v1/users/{}", stranger.id),
    ] {
        let response = app.get(&path, &lead.token).await;
        let status = response.status();
        let body = response.text().await.unwrap();
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
            "{path}: {status}"
        );
        assert!(
            !body.contains(&stranger.email),
            "{path} leaked another organisation's user"
        );
    }
}

#[tokio::test]
async fn pages_are_capped_at_one_hundred_items() {
    let app = TestApp::spawn().await;
    for query in ["per_page=101", "per_page=0", "page=0", "page=abc"] {
        let response = app
            .get(&format!("/api/v1/users?{query}"), &app.admin_token)
            .await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let page = json_body(
        app.get("/api/v1/users?per_page=100&page=1", &app.admin_token)
            .await,
    )
    .await;
    assert_eq!(page["per_page"], 100);
}

#[tokio::test]
async fn lists_are_paginated_with_a_total() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.organisation("supplier").await;
    }
    let first = json_body(
        app.get(
            "/api/v1/organisations?kind=supplier&per_page=2",
            &app.admin_token,
        )
        .await,
    )
    .await;
    let second = json_body(
        app.get(
            "/api/v1/organisations?kind=supplier&per_page=2&page=2",
            &app.admin_token,
        )
        .await,
    )
    .await;
    assert_eq!(first["total"], 3);
    assert_eq!(first["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(second["items"].as_array().map(Vec::len), Some(1));
    assert_ne!(first["items"][0]["id"], second["items"][0]["id"]);
}
