//! Signing in, and the tokens the API accepts and refuses.

use e2e::{ADMIN_EMAIL, PASSWORD, SECRET, TestApp, assert_problem, json_body};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn login_response(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.send(
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(&json!({"email": email, "password": password})),
    )
    .await
}

#[tokio::test]
async fn signing_in_with_the_right_password_returns_a_bearer_token_that_identifies_the_user() {
    let app = TestApp::spawn().await;
    let response = login_response(&app, ADMIN_EMAIL, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = json_body(response).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().unwrap();

    let me = json_body(app.get("/api/v1/me", token).await).await;
    assert_eq!(me["email"], ADMIN_EMAIL);
    assert_eq!(me["role"], "admin");
    assert_eq!(me["organisation"]["kind"], "platform");
}

#[tokio::test]
async fn the_email_is_matched_regardless_of_case() {
    let app = TestApp::spawn().await;
    let response = login_response(&app, &ADMIN_EMAIL.to_uppercase(), PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let wrong_password = login_response(&app, ADMIN_EMAIL, "not the password at all").await;
    assert!(wrong_password.headers().contains_key("www-authenticate"));
    let wrong_password = assert_problem(wrong_password, StatusCode::UNAUTHORIZED).await;
    let unknown_email = login_response(&app, "nobody@nowhere.example", PASSWORD).await;
    let unknown_email = assert_problem(unknown_email, StatusCode::UNAUTHORIZED).await;
    assert_eq!(wrong_password, unknown_email);
}

#[tokio::test]
async fn a_deactivated_user_cannot_sign_in_and_its_existing_token_stops_working() {
    let app = TestApp::spawn().await;
    let user = app.user("buyer_lead").await;
    assert_eq!(
        app.get("/api/v1/me", &user.token).await.status(),
        StatusCode::OK
    );

    let response = app
        .patch(
            &format!("/api/v1/users/{}", user.id),
            &app.admin_token,
            json!({"active": false}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let refused = assert_problem(
        login_response(&app, &user.email, PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let unknown = assert_problem(
        login_response(&app, "nobody@nowhere.example", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        refused, unknown,
        "a deactivated account answers like an unknown one"
    );
    assert_problem(
        app.get("/api/v1/me", &user.token).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_rate_limited_per_email() {
    let app = TestApp::spawn().await;
    let user = app.user("supplier_bidder").await;
    for _ in 0..5 {
        let response = login_response(&app, &user.email, "a wrong password").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let limited = login_response(&app, &user.email, PASSWORD).await;
    let retry_after: u64 = limited
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap();
    assert_problem(limited, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(
        (1..=900).contains(&retry_after),
        "Retry-After {retry_after}"
    );

    // Another account is unaffected, and an unknown email is limited the same way.
    assert_eq!(
        login_response(&app, ADMIN_EMAIL, PASSWORD).await.status(),
        StatusCode::OK
    );
    for _ in 0..5 {
        login_response(&app, "ghost@nowhere.example", "whatever").await;
    }
    assert_problem(
        login_response(&app, "ghost@nowhere.example", "whatever").await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
}

#[tokio::test]
async fn a_request_without_a_token_is_refused_with_a_bearer_challenge() {
    let app = TestApp::spawn().await;
    let response = app.send(Method::GET, "/api/v1/me", None, None).await;
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    assert_problem(response, StatusCode::UNAUTHORIZED).await;
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Valid claims for the admin, to be spoiled one way at a time.
async fn admin_claims(app: &TestApp) -> Value {
    let me = json_body(app.get("/api/v1/me", &app.admin_token).await).await;
    json!({
        "sub": me["id"],
        "org": me["organisation"]["id"],
        "role": "admin",
        "iss": api::auth::ISSUER,
        "aud": api::auth::AUDIENCE,
        "iat": now(),
        "nbf": now(),
        "exp": now() + 600,
    })
}

fn sign(claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn b64(bytes: &[u8]) -> String {
    use std::fmt::Write;
    // base64url without padding, written out to keep the test free of another dependency.
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .fold(0_u32, |acc, b| (acc << 8) | u32::from(*b))
            << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            let index = ((n >> (18 - 6 * i)) & 63) as usize;
            let _ = write!(out, "{}", ALPHABET[index] as char);
        }
    }
    out
}

async fn assert_refused(app: &TestApp, token: &str, why: &str) {
    let response = app.get("/api/v1/me", token).await;
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "{why} should be refused"
    );
    assert!(response.headers().contains_key("www-authenticate"), "{why}");
    assert_problem(response, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn a_correctly_made_token_is_accepted() {
    let app = TestApp::spawn().await;
    let token = sign(&admin_claims(&app).await, SECRET);
    assert_eq!(app.get("/api/v1/me", &token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_token_with_alg_none_is_refused() {
    let app = TestApp::spawn().await;
    let claims = admin_claims(&app).await;
    let header = b64(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64(claims.to_string().as_bytes());
    assert_refused(&app, &format!("{header}.{payload}."), "alg none").await;
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_refused() {
    let app = TestApp::spawn().await;
    let claims = admin_claims(&app).await;
    assert_refused(
        &app,
        &sign(&claims, b"another-secret-of-sufficient-length-000000"),
        "another key",
    )
    .await;
}

#[tokio::test]
async fn a_token_signed_with_another_hmac_algorithm_is_refused() {
    let app = TestApp::spawn().await;
    let claims = admin_claims(&app).await;
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS512),
        &claims,
        &EncodingKey::from_secret(SECRET),
    )
    .unwrap();
    assert_refused(&app, &token, "HS512").await;
}

#[tokio::test]
async fn a_token_expired_beyond_the_leeway_is_refused() {
    let app = TestApp::spawn().await;
    let mut claims = admin_claims(&app).await;
    claims["iat"] = json!(now() - 600);
    claims["nbf"] = json!(now() - 600);
    claims["exp"] = json!(now() - 45);
    assert_refused(&app, &sign(&claims, SECRET), "expired 45 s ago").await;
}

#[tokio::test]
async fn a_token_not_yet_valid_is_refused() {
    let app = TestApp::spawn().await;
    let mut claims = admin_claims(&app).await;
    claims["nbf"] = json!(now() + 120);
    assert_refused(&app, &sign(&claims, SECRET), "nbf in the future").await;
}

#[tokio::test]
async fn a_token_from_another_issuer_or_for_another_audience_is_refused() {
    let app = TestApp::spawn().await;
    let mut claims = admin_claims(&app).await;
    claims["iss"] = json!("someone-else");
    assert_refused(&app, &sign(&claims, SECRET), "wrong iss").await;
    let mut claims = admin_claims(&app).await;
    claims["aud"] = json!("another-api");
    assert_refused(&app, &sign(&claims, SECRET), "wrong aud").await;
}

#[tokio::test]
async fn a_token_missing_a_required_claim_is_refused() {
    let app = TestApp::spawn().await;
    for claim in ["exp", "iss", "aud", "sub", "nbf"] {
        let mut claims = admin_claims(&app).await;
        claims.as_object_mut().map(|c| c.remove(claim));
        assert_refused(&app, &sign(&claims, SECRET), &format!("missing {claim}")).await;
    }
}

#[tokio::test]
async fn a_token_with_a_tampered_payload_is_refused() {
    let app = TestApp::spawn().await;
    let user = app.user("supplier_bidder").await;
    let parts: Vec<&str> = user.token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let mut claims = admin_claims(&app).await;
    claims["sub"] = json!(user.id);
    claims["role"] = json!("admin");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64(claims.to_string().as_bytes()),
        parts[2]
    );
    assert_refused(&app, &forged, "tampered payload").await;
}

#[tokio::test]
async fn a_token_whose_role_no_longer_matches_the_account_is_refused() {
    let app = TestApp::spawn().await;
    let organisation = app.organisation("buyer").await;
    let user = app.user_in("buyer_evaluator", &organisation).await;
    let response = app
        .patch(
            &format!("/api/v1/users/{}", user.id),
            &app.admin_token,
            json!({"role": "buyer_lead"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_refused(&app, &user.token, "stale role").await;
}
