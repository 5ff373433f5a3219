//! The security headers, per route family: every response refuses type sniffing and referrers
//! and carries a minimal permissions policy; whatever is authenticated or bears a token is
//! `no-store`; the API and the docs carry their content security policies; an https public
//! address adds `Strict-Transport-Security` and `Secure` cookies.

use e2e::{PASSWORD, TestApp};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::json;

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The headers every response carries.
fn assert_common(headers: &HeaderMap, what: &str) {
    assert_eq!(
        header(headers, "x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        header(headers, "referrer-policy"),
        Some("no-referrer"),
        "{what}"
    );
    let permissions = header(headers, "permissions-policy").unwrap_or_default();
    assert!(
        permissions.contains("camera=()") && permissions.contains("geolocation=()"),
        "{what}: {permissions}"
    );
    assert_eq!(
        header(headers, "strict-transport-security"),
        None,
        "{what}: plain http"
    );
}

#[tokio::test]
async fn every_route_family_sends_the_security_headers_and_nothing_private_is_cacheable() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // The authenticated API: no-store, and a policy that renders nothing.
    let offer = app.published_offer(&supplier, json!({})).await;
    for path in [
        "/api/v1/offers".to_owned(),
        format!("/api/v1/offers/{}", e2e::id_of(&offer)),
        "/api/v1/tenders".to_owned(),
        "/api/v1/organisations/00000000-0000-0000-0000-000000000000".to_owned(),
    ] {
        let response = app.get(&path, &supplier.token).await;
        let headers = response.headers();
        assert_common(headers, &path);
        assert_eq!(header(headers, "cache-control"), Some("no-store"), "{path}");
        assert_eq!(
            header(headers, "content-security-policy"),
            Some("default-src 'none'; frame-ancestors 'none'"),
            "{path}"
        );
    }
    // Sign-in bears a token, so it is not stored either, nor its refusal.
    for password in [PASSWORD, "not the password"] {
        let response = app
            .send(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(&json!({"email": supplier.email, "password": password})),
            )
            .await;
        assert_common(response.headers(), "sign-in");
        assert_eq!(
            header(response.headers(), "cache-control"),
            Some("no-store")
        );
    }
    // Public notices and OCDS, the health checks, the contract and a problem: the common
    // headers; being public, they may be cached.
    for path in [
        "/api/v1/notices",
        "/healthz",
        "/readyz",
        "/openapi.json",
        "/api/v1/nothing",
    ] {
        let response = app.send(Method::GET, path, None, None).await;
        assert_common(response.headers(), path);
        assert_ne!(
            header(response.headers(), "cache-control"),
            Some("no-store"),
            "{path}"
        );
    }
    // The interactive docs run only the service's own scripts, never an inline one.
    let docs = app.send(Method::GET, "/docs/", None, None).await;
    assert_eq!(docs.status(), StatusCode::OK);
    assert_common(docs.headers(), "/docs/");
    let policy = header(docs.headers(), "content-security-policy").unwrap_or_default();
    assert!(
        policy.contains("default-src 'none'")
            && policy.contains("script-src 'self';")
            && policy.contains("frame-ancestors 'none'"),
        "{policy}"
    );

    // The pages: sign-in sets a cookie, a signed-in page is private; the assets stay cacheable.
    let sign_in = client.get(app.url("/sign-in")).send().await.unwrap();
    assert_common(sign_in.headers(), "/sign-in");
    assert_eq!(header(sign_in.headers(), "cache-control"), Some("no-store"));
    let csrf = "00112233445566778899aabbccddeeff";
    let signed_in = client
        .post(app.url("/sign-in"))
        .header("cookie", format!("mkt_csrf={csrf}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("csrf", csrf),
                    ("email", supplier.email.as_str()),
                    ("password", PASSWORD),
                ])
                .finish(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let session = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("mkt_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        !signed_in
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().contains("Secure")),
        "plain http on localhost: no Secure cookie"
    );
    let dashboard = client
        .get(app.url("/dashboard"))
        .header("cookie", format!("{session}; mkt_csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(dashboard.status(), StatusCode::OK);
    assert_common(dashboard.headers(), "/dashboard");
    assert_eq!(
        header(dashboard.headers(), "cache-control"),
        Some("no-store")
    );
    assert!(
        header(dashboard.headers(), "content-security-policy")
            .unwrap_or_default()
            .contains("default-src 'self'"),
        "a page keeps its own policy"
    );
    let asset = client
        .get(app.url("/assets/nhsuk-frontend.min.css"))
        .header("cookie", format!("{session}; mkt_csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_common(asset.headers(), "an asset");
    assert_eq!(
        header(asset.headers(), "cache-control"),
        Some("public, max-age=86400")
    );
}

#[tokio::test]
async fn an_https_public_address_adds_strict_transport_security_and_secure_cookies() {
    let app = TestApp::spawn_configured(|config| {
        config.public_url = Some("https://marketplace.example.nhs.uk".to_owned());
    })
    .await;
    for path in ["/healthz", "/api/v1/notices", "/sign-in"] {
        let response = app.send(Method::GET, path, None, None).await;
        assert_eq!(
            header(response.headers(), "strict-transport-security"),
            Some("max-age=31536000; includeSubDomains"),
            "{path}"
        );
    }
    let sign_in = app.send(Method::GET, "/sign-in", None, None).await;
    let cookies: Vec<&str> = sign_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(!cookies.is_empty());
    for cookie in cookies {
        assert!(cookie.ends_with("; Secure"), "{cookie}");
    }
}

#[test]
fn a_public_address_is_http_or_https_without_a_trailing_slash() {
    assert!(service::public_url("https://marketplace.example.nhs.uk").is_ok());
    assert!(service::public_url("http://localhost:8080").is_ok());
    for wrong in [
        "marketplace.example",
        "https://",
        "https://x/",
        "ftp://x",
        "https://x?y",
    ] {
        assert!(service::public_url(wrong).is_err(), "{wrong}");
    }
}
