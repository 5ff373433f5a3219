//! The web pages' sign-in: the session cookie's flags, CSRF protection on every form, and the
//! NHS error pattern with the form values kept.

use e2e::TestApp;
use reqwest::{StatusCode, redirect};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// An `application/x-www-form-urlencoded` body, as a browser posts a form.
fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

trait FormPost {
    fn form_body(self, pairs: &[(&str, &str)]) -> Self;
}

impl FormPost for reqwest::RequestBuilder {
    fn form_body(self, pairs: &[(&str, &str)]) -> Self {
        self.header("content-type", "application/x-www-form-urlencoded")
            .body(form(pairs))
    }
}

fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn value_of(cookie: &str) -> String {
    cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_session_and_every_form_needs_its_csrf_token() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let client = client();
    let page = client
        .get(app.url("/sign-in"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.status(), StatusCode::OK);
    let csrf_cookie = set_cookie(&page, "mkt_csrf").unwrap_or_default();
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"));
    let csrf = value_of(&csrf_cookie);
    let html = page.text().await.unwrap_or_default();
    assert!(
        html.contains(&format!("value=\"{csrf}\"")),
        "the form carries the token"
    );
    assert!(html.contains("/assets/nhsuk-frontend.min.css"));

    // Without the token (or with another one) the form is refused.
    for (cookie, field) in [("", csrf.as_str()), (csrf.as_str(), "forged")] {
        let refused = client
            .post(app.url("/sign-in"))
            .header("cookie", format!("mkt_csrf={cookie}"))
            .form_body(&[
                ("csrf", field),
                ("email", lead.email.as_str()),
                ("password", e2e::PASSWORD),
            ])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(set_cookie(&refused, "mkt_session").is_none());
    }

    // A wrong password: the NHS error summary, the email kept.
    let wrong = client
        .post(app.url("/sign-in"))
        .header("cookie", format!("mkt_csrf={csrf}"))
        .form_body(&[
            ("csrf", csrf.as_str()),
            ("email", lead.email.as_str()),
            ("password", "wrong password!"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = wrong.text().await.unwrap_or_default();
    assert!(html.contains("nhsuk-error-summary"), "{html}");
    assert!(
        html.contains(&format!("value=\"{}\"", lead.email)),
        "{html}"
    );

    let signed_in = client
        .post(app.url("/sign-in"))
        .header("cookie", format!("mkt_csrf={csrf}"))
        .form_body(&[
            ("csrf", csrf.as_str()),
            ("email", lead.email.as_str()),
            ("password", e2e::PASSWORD),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let session = set_cookie(&signed_in, "mkt_session").unwrap_or_default();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(session.contains(flag), "{flag}: {session}");
    }
    assert!(
        !session.contains("Secure"),
        "plain-HTTP localhost: {session}"
    );
    let token = value_of(&session);

    let dashboard = client
        .get(app.url("/dashboard"))
        .header("cookie", format!("mkt_session={token}; mkt_csrf={csrf}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dashboard.status(), StatusCode::OK);
    assert!(
        dashboard
            .text()
            .await
            .unwrap_or_default()
            .contains("Sign out")
    );
    let anonymous = client
        .get(app.url("/dashboard"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);

    // Signing out needs the token too, and clears the session.
    let out = client
        .post(app.url("/sign-out"))
        .header("cookie", format!("mkt_session={token}; mkt_csrf={csrf}"))
        .form_body(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(set_cookie(&out, "mkt_session").is_some_and(|c| c.contains("Max-Age=0")));
}

#[tokio::test]
async fn off_localhost_the_session_cookie_is_secure() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let csrf = "0123456789abcdef0123456789abcdef";
    let signed_in = client()
        .post(app.url("/sign-in"))
        .header("host", "marketplace.example")
        .header("cookie", format!("mkt_csrf={csrf}"))
        .form_body(&[
            ("csrf", csrf),
            ("email", lead.email.as_str()),
            ("password", e2e::PASSWORD),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let session = set_cookie(&signed_in, "mkt_session").unwrap_or_default();
    assert!(session.contains("; Secure"), "{session}");
}

/// Signs in through the form and returns the cookies a browser would send.
async fn browser_session(app: &TestApp, email: &str, password: &str) -> String {
    let csrf = "00112233445566778899aabbccddeeff";
    let response = client()
        .post(app.url("/sign-in"))
        .header("cookie", format!("mkt_csrf={csrf}"))
        .form_body(&[("csrf", csrf), ("email", email), ("password", password)])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{email}");
    let session = set_cookie(&response, "mkt_session").unwrap_or_default();
    format!("mkt_session={}; mkt_csrf={csrf}", value_of(&session))
}

async fn dashboard_of(app: &TestApp, email: &str) -> String {
    let cookies = browser_session(app, email, api::demo::DEMO_PASSWORD).await;
    let response = client()
        .get(app.url("/dashboard"))
        .header("cookie", cookies)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK, "{email}");
    response.text().await.unwrap_or_default()
}

#[tokio::test]
async fn each_role_sees_its_own_dashboard_on_the_demo_market() {
    let app = TestApp::spawn_demo().await;
    let regulator = dashboard_of(&app, "regulator@england.nhs.example").await;
    assert!(
        regulator.contains("Market share by supplier"),
        "{regulator}"
    );
    assert!(regulator.contains("NHS North and East London Commissioning Support Unit"));
    assert!(regulator.contains("highly concentrated"));
    let lead = dashboard_of(&app, "lead@north-norfolk-ccg.nhs.example").await;
    assert!(
        lead.contains("Procurement and contract management support"),
        "{lead}"
    );
    assert!(
        !lead.contains("Market share"),
        "a buyer's dashboard is its tenders"
    );
    let supplier = dashboard_of(&app, "bids@necsu.nhs.example").await;
    assert!(
        supplier.contains("Opportunities you can bid on"),
        "{supplier}"
    );
    assert!(supplier.contains("Procurement and contract management support"));
    // The invited tender is not NECSU's to see.
    assert!(
        !supplier.contains("Population health analytics for frailty"),
        "{supplier}"
    );
}

#[tokio::test]
async fn the_catalogue_page_searches_with_every_filter_and_shows_ratings() {
    let app = TestApp::spawn_demo().await;
    let cookies = browser_session(&app, "lead@gm-icb.nhs.example", api::demo::DEMO_PASSWORD).await;
    let response = client()
        .get(app.url("/catalogue?q=&category=finance&region=&sort=rating"))
        .header("cookie", cookies)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap_or_default();
    assert!(html.contains("offers found"), "{html}");
    assert!(
        html.contains("<option value=\"finance\" selected>"),
        "the filter is kept"
    );
    // NECSU is rated (its West Norfolk payroll contract); the best-rated come first.
    let rated = html
        .find(" of 5 (")
        .unwrap_or_else(|| panic!("no rated supplier: {html}"));
    if let Some(unrated) = html.find("Not yet rated") {
        assert!(rated < unrated, "rated suppliers first");
    }
    let anonymous = client()
        .get(app.url("/catalogue"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_tender_page_follows_the_apis_rules_and_shows_no_sealed_bid() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let outsider = app.user("supplier_bidder").await;
    let tender = app
        .published_tender(
            &lead,
            3600.0,
            serde_json::json!({"procedure": "invited", "invited_supplier_ids": [supplier.organisation_id]}),
        )
        .await;
    app.accepted_bid(&supplier, &tender, 12_345_678).await;
    let path = format!("/tenders/{}", e2e::id_of(&tender));
    let mut pages = Vec::new();
    for who in [&lead, &supplier, &outsider] {
        let cookies = browser_session(&app, &who.email, e2e::PASSWORD).await;
        let response = client()
            .get(app.url(&path))
            .header("cookie", cookies)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let status = response.status();
        pages.push((status, response.text().await.unwrap_or_default()));
    }
    let (lead_status, lead_page) = &pages[0];
    assert_eq!(*lead_status, StatusCode::OK);
    assert!(
        lead_page.contains("Budget ceiling"),
        "the buyer sees its ceiling"
    );
    assert!(lead_page.contains("£300,000"));
    let (supplier_status, supplier_page) = &pages[1];
    assert_eq!(*supplier_status, StatusCode::OK);
    assert!(
        !supplier_page.contains("Budget ceiling"),
        "never shown to suppliers"
    );
    for (_, page) in &pages {
        assert!(!page.contains("123,456"), "a sealed bid appears on no page");
    }
    let (outsider_status, outsider_page) = &pages[2];
    assert_eq!(*outsider_status, StatusCode::NOT_FOUND);
    assert!(outsider_page.contains("Page not found"));
}
