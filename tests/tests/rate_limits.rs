//! Rate limits: per user and per organisation for whoever shows a token, per client address for
//! the rest (behind a trusted proxy, the address it forwards); the health probes never. A refusal
//! is 429 problem details with `Retry-After`, `RateLimit-Policy` and `RateLimit`.

use e2e::{RateLimits, TestApp, assert_problem_type};
use reqwest::{Method, StatusCode};

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_user_over_its_limit_is_refused_with_429_and_the_headers_while_others_go_on() {
    let app = TestApp::spawn_rate_limited(RateLimits {
        user_per_minute: 6,
        organisation_per_minute: 1000,
        address_per_minute: 5,
        trusted_proxies: Vec::new(),
    })
    .await;
    // The admin signed in (the address's first), and makes two users: four of its six.
    let supplier = app.user("supplier_bidder").await;
    let buyer = app.user("buyer_lead").await;
    let mut remaining = Vec::new();
    for _ in 0..6 {
        let response = app.get("/api/v1/offers", &supplier.token).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, "ratelimit-policy"), "\"user\";q=6;w=60");
        remaining.push(header(&response, "ratelimit"));
    }
    assert_eq!(remaining.first().unwrap(), "\"user\";r=5");
    assert_eq!(remaining.last().unwrap(), "\"user\";r=0");
    let refused = app.get("/api/v1/offers", &supplier.token).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = header(&refused, "retry-after").parse().unwrap();
    assert!((1..=61).contains(&wait), "{wait}");
    assert_eq!(header(&refused, "ratelimit-policy"), "\"user\";q=6;w=60");
    assert!(header(&refused, "ratelimit").starts_with("\"user\";r=0;t="));
    assert_problem_type(refused, StatusCode::TOO_MANY_REQUESTS, "too-many-requests").await;
    // Nothing was done for a refused command either.
    let refused = app
        .post(
            "/api/v1/offers",
            &supplier.token,
            e2e::offer_json(serde_json::json!({})),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another user is not held back by the first.
    let other = app.get("/api/v1/offers", &buyer.token).await;
    assert_eq!(other.status(), StatusCode::OK);

    // Without a token, per address: three sign-ins so far, two left.
    for _ in 0..2 {
        let response = app.send(Method::GET, "/api/v1/notices", None, None).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(header(&response, "ratelimit").starts_with("\"address\";"));
    }
    let refused = app.send(Method::GET, "/api/v1/notices", None, None).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&refused, "ratelimit-policy"), "\"address\";q=5;w=60");
    // The health probes never wait.
    for _ in 0..20 {
        let response = app.send(Method::GET, "/healthz", None, None).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn an_organisation_shares_one_limit_among_its_users() {
    let app = TestApp::spawn_rate_limited(RateLimits {
        user_per_minute: 100,
        organisation_per_minute: 4,
        address_per_minute: 100,
        trusted_proxies: Vec::new(),
    })
    .await;
    let organisation = app.organisation("supplier").await;
    let first = app.user_in("supplier_bidder", &organisation).await;
    let second = app.user_in("supplier_bidder", &organisation).await;
    for who in [&first, &first, &second, &second] {
        let response = app.get("/api/v1/offers", &who.token).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let refused = app.get("/api/v1/offers", &second.token).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        header(&refused, "ratelimit-policy"),
        "\"organisation\";q=4;w=60"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_address_is_limited() {
    let app = TestApp::spawn_rate_limited(RateLimits {
        user_per_minute: 100,
        organisation_per_minute: 100,
        address_per_minute: 2,
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
    })
    .await;
    let from = |client: &'static str| {
        app.client
            .get(app.url("/api/v1/notices"))
            .header("x-forwarded-for", format!("{client}, 127.0.0.1"))
            .send()
    };
    for _ in 0..2 {
        assert_eq!(from("203.0.113.5").await.unwrap().status(), StatusCode::OK);
    }
    let refused = from("203.0.113.5").await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy has its own bucket.
    assert_eq!(from("203.0.113.6").await.unwrap().status(), StatusCode::OK);
}
