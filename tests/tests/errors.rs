//! Every failure is RFC 9457 problem details, including the ones axum raises itself.

use e2e::{TestApp, assert_problem, pointers};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/json")
        .body("{\"name\": \"x\", ")
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_an_unsupported_media_type() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "text/plain")
        .body("email=a@b.example")
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
}

#[tokio::test]
async fn an_oversized_body_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let huge = "x".repeat(api::MAX_BODY_BYTES + 1);
    let response = app
        .post(
            "/api/v1/organisations",
            &app.admin_token,
            json!({"name": huge, "kind": "buyer"}),
        )
        .await;
    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    let listed = e2e::json_body(
        app.get("/api/v1/organisations?kind=buyer", &app.admin_token)
            .await,
    )
    .await;
    assert_eq!(listed["total"], 0);
}

#[tokio::test]
async fn an_unknown_route_is_not_found() {
    let app = TestApp::spawn().await;
    for path in ["/api/v1/nothing-here", "/api/v2/users", "/favicon.ico"] {
        assert_problem(app.get(path, &app.admin_token).await, StatusCode::NOT_FOUND).await;
    }
}

#[tokio::test]
async fn a_wrong_method_is_not_allowed_and_says_which_are() {
    let app = TestApp::spawn().await;
    let response = app
        .send(
            Method::DELETE,
            "/api/v1/organisations",
            Some(&app.admin_token),
            None,
        )
        .await;
    let allow = response
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(
        allow.contains("GET") && allow.contains("POST"),
        "Allow: {allow}"
    );
    assert_problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
}

#[tokio::test]
async fn a_malformed_path_parameter_is_a_bad_request() {
    let app = TestApp::spawn().await;
    assert_problem(
        app.get("/api/v1/users/not-a-uuid", &app.admin_token).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_named_by_its_pointer() {
    let app = TestApp::spawn().await;
    let response = app
        .patch(
            &format!("/api/v1/users/{}", uuid::Uuid::new_v4()),
            &app.admin_token,
            json!({"active": "yes"}),
        )
        .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), ["/active"]);
    assert_eq!(problem["type"], "/problems/validation");
}

#[tokio::test]
async fn a_bad_query_parameter_is_named() {
    let app = TestApp::spawn().await;
    let problem = assert_problem(
        app.get("/api/v1/audit?from=yesterday", &app.admin_token)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&problem), ["/from"]);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let response = app.send(Method::GET, "/healthz", None, None).await;
    assert!(response.headers().contains_key("x-request-id"));
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("trace-me-123")
    );
}

#[tokio::test]
async fn the_nhs_frontend_is_served_by_the_binary_with_no_cdn_fonts() {
    let app = e2e::TestApp::spawn().await;
    let css = app
        .client
        .get(app.url("/assets/nhsuk-frontend.min.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), reqwest::StatusCode::OK);
    assert_eq!(
        css.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/css; charset=utf-8")
    );
    let text = css.text().await.unwrap();
    assert!(text.len() > 10_000);
    assert!(
        !text.contains("https://"),
        "the stylesheet loads nothing from elsewhere"
    );
    // The images it refers to are served too.
    for image in [
        "/assets/images/nhsuk-icon-cross.svg",
        "/assets/nhsuk-frontend.min.js",
    ] {
        let response = app.client.get(app.url(image)).send().await.unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK, "{image}");
    }
    let missing = app
        .client
        .get(app.url("/assets/nothing.css"))
        .send()
        .await
        .unwrap();
    e2e::assert_problem(missing, reqwest::StatusCode::NOT_FOUND).await;
}

/// The rules the contract states in its schemas, held by the service too.
mod schema_rules {
    use e2e::{TestApp, assert_problem_type, id_of, json_body, offer_json, pointers};
    use reqwest::{Method, StatusCode};
    use serde_json::json;

    #[tokio::test]
    async fn a_change_that_names_no_field_is_refused() {
        let app = TestApp::spawn().await;
        let supplier = app.user("supplier_bidder").await;
        let lead = app.user("buyer_lead").await;
        let offer = app.create_offer(&supplier, json!({})).await;
        let tender = app.draft_tender(&lead, 3600.0, json!({})).await;
        let cases = [
            (
                format!("/api/v1/offers/{}", id_of(&offer)),
                supplier.token.clone(),
                Some(offer["version"].clone()),
            ),
            (
                format!("/api/v1/tenders/{}", id_of(&tender)),
                lead.token.clone(),
                Some(tender["version"].clone()),
            ),
            (
                format!("/api/v1/organisations/{}", supplier.organisation_id),
                app.admin_token.clone(),
                None,
            ),
            (
                format!("/api/v1/users/{}", supplier.id),
                app.admin_token.clone(),
                None,
            ),
        ];
        for (path, token, version) in cases {
            let mut request = app.request(Method::PATCH, &path, &token).json(&json!({}));
            if let Some(version) = version {
                request = request.header("if-match", format!("\"{version}\""));
            }
            let problem = assert_problem_type(
                request.send().await.unwrap(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
            )
            .await;
            assert_eq!(pointers(&problem), vec![String::new()], "{path}: {problem}");
        }
        let unchanged = json_body(
            app.get(
                &format!("/api/v1/offers/{}", id_of(&offer)),
                &supplier.token,
            )
            .await,
        )
        .await;
        assert_eq!(unchanged["version"], offer["version"]);
    }

    #[tokio::test]
    async fn a_region_named_twice_is_refused() {
        let app = TestApp::spawn().await;
        let supplier = app.user("supplier_bidder").await;
        let twice = offer_json(json!({"regions": ["london", "north_west", "london"]}));
        let problem = assert_problem_type(
            app.post("/api/v1/offers", &supplier.token, twice).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert_eq!(pointers(&problem), vec!["/regions/2".to_owned()]);
    }

    #[tokio::test]
    async fn a_name_with_a_control_character_even_at_its_end_is_refused() {
        let app = TestApp::spawn().await;
        for name in ["Acme\u{7} Ltd", "Acme Ltd\n", "Acme\u{85}Ltd"] {
            let problem = assert_problem_type(
                app.post(
                    "/api/v1/organisations",
                    &app.admin_token,
                    json!({"name": name, "kind": "supplier"}),
                )
                .await,
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
            )
            .await;
            assert_eq!(pointers(&problem), vec!["/name".to_owned()], "{name:?}");
        }
        let spaced = app
            .post(
                "/api/v1/organisations",
                &app.admin_token,
                json!({"name": "  Acme Ltd  ", "kind": "supplier"}),
            )
            .await;
        assert_eq!(json_body(spaced).await["name"], "Acme Ltd");
    }

    #[tokio::test]
    async fn offers_to_compare_are_hyphenated_ids_separated_by_commas_alone() {
        let app = TestApp::spawn().await;
        let supplier = app.user("supplier_bidder").await;
        let a = id_of(&app.published_offer(&supplier, json!({})).await);
        let b = id_of(&app.published_offer(&supplier, json!({})).await);
        let ok = app
            .get(
                &format!("/api/v1/offers/compare?ids={a},{b}"),
                &supplier.token,
            )
            .await;
        assert_eq!(ok.status(), StatusCode::OK);
        for ids in [format!("{a},%20{b}"), format!("{a},{}", b.replace('-', ""))] {
            assert_problem_type(
                app.get(
                    &format!("/api/v1/offers/compare?ids={ids}"),
                    &supplier.token,
                )
                .await,
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
            )
            .await;
        }
    }
}
