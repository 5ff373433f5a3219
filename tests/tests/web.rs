//! The web pages' sign-in: the session cookie's flags, CSRF protection on every form, and the
//! NHS error pattern with the form values kept.

use e2e::TestApp;
use reqwest::{StatusCode, redirect};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
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
        .unwrap()
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_session_and_every_form_needs_its_csrf_token() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let client = client();
    let page = client.get(app.url("/sign-in")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csrf_cookie = set_cookie(&page, "mkt_csrf").unwrap();
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"));
    let csrf = value_of(&csrf_cookie);
    let html = page.text().await.unwrap();
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
            .unwrap();
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
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = wrong.text().await.unwrap();
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
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let session = set_cookie(&signed_in, "mkt_session").unwrap();
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
        .unwrap();
    assert_eq!(dashboard.status(), StatusCode::OK);
    assert!(dashboard.text().await.unwrap().contains("Sign out"));
    let anonymous = client.get(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);

    // Signing out needs the token too, and clears the session.
    let out = client
        .post(app.url("/sign-out"))
        .header("cookie", format!("mkt_session={token}; mkt_csrf={csrf}"))
        .form_body(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
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
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let session = set_cookie(&signed_in, "mkt_session").unwrap();
    assert!(session.contains("; Secure"), "{session}");
}

/// Signs in through the form and returns the cookies a browser would send.
pub(crate) async fn browser_session(app: &TestApp, email: &str, password: &str) -> String {
    let csrf = "00112233445566778899aabbccddeeff";
    let response = client()
        .post(app.url("/sign-in"))
        .header("cookie", format!("mkt_csrf={csrf}"))
        .form_body(&[("csrf", csrf), ("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{email}");
    let session = set_cookie(&response, "mkt_session").unwrap();
    format!("mkt_session={}; mkt_csrf={csrf}", value_of(&session))
}

async fn dashboard_of(app: &TestApp, email: &str) -> String {
    let cookies = browser_session(app, email, server::demo::DEMO_PASSWORD).await;
    let response = client()
        .get(app.url("/dashboard"))
        .header("cookie", cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{email}");
    response.text().await.unwrap()
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
    let cookies =
        browser_session(&app, "lead@gm-icb.nhs.example", server::demo::DEMO_PASSWORD).await;
    let response = client()
        .get(app.url("/catalogue?q=&category=finance&region=&sort=rating"))
        .header("cookie", cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("offers found"), "{html}");
    assert!(
        html.contains("<option value=\"finance\" selected>"),
        "the filter is kept"
    );
    // NECSU is rated (its West Norfolk payroll contract); the best-rated come first.
    let rated = html
        .find(" of 5 (")
        .unwrap_or_else(|| panic!("no rated supplier: {html}"));
    let unrated = html.find("Not yet rated").expect("an unrated supplier");
    assert!(rated < unrated, "rated suppliers first");
    let anonymous = client().get(app.url("/catalogue")).send().await.unwrap();
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
            .unwrap();
        let status = response.status();
        pages.push((status, response.text().await.unwrap()));
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

pub(crate) async fn page(app: &TestApp, cookies: &str, path: &str) -> (StatusCode, String) {
    let response = client()
        .get(app.url(path))
        .header("cookie", cookies)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

pub(crate) async fn post_form(
    app: &TestApp,
    cookies: &str,
    path: &str,
    pairs: &[(&str, &str)],
) -> reqwest::Response {
    client()
        .post(app.url(path))
        .header("cookie", cookies)
        .form_body(pairs)
        .send()
        .await
        .unwrap()
}

pub(crate) const CSRF: &str = "00112233445566778899aabbccddeeff";

#[tokio::test]
async fn each_role_is_refused_the_pages_of_another_with_a_403_page() {
    let app = TestApp::spawn_demo().await;
    let supplier =
        browser_session(&app, "bids@necsu.nhs.example", server::demo::DEMO_PASSWORD).await;
    let lead = browser_session(&app, "lead@gm-icb.nhs.example", server::demo::DEMO_PASSWORD).await;
    let regulator = browser_session(
        &app,
        "regulator@england.nhs.example",
        server::demo::DEMO_PASSWORD,
    )
    .await;
    for (who, cookies, path) in [
        ("supplier", &supplier, "/tenders/new"),
        ("supplier", &supplier, "/market"),
        ("supplier", &supplier, "/market/merger"),
        ("supplier", &supplier, "/audit"),
        ("supplier", &supplier, "/transfers"),
        ("lead", &lead, "/offers/new"),
        ("lead", &lead, "/offers/mine"),
        ("lead", &lead, "/audit"),
        ("lead", &lead, "/transfers"),
        ("regulator", &regulator, "/tenders/new"),
        ("regulator", &regulator, "/offers/new"),
    ] {
        let (status, html) = page(&app, cookies, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} {path}");
        assert!(
            html.contains("You cannot use this page"),
            "{who} {path}: {html}"
        );
    }
    // A buyer page of another buyer's tender is a 404 page (no existence oracle); a supplier's
    // post to a buyer's action is the 403 page and changes nothing.
    let (_, dashboard) = page(&app, &lead, "/dashboard").await;
    let tender = dashboard
        .split("href=\"/tenders/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|id| id.len() == 36)
        .unwrap_or_else(|| panic!("a tender on the lead's dashboard: {dashboard}"))
        .to_owned();
    let kent = browser_session(&app, "lead@km-icb.nhs.example", server::demo::DEMO_PASSWORD).await;
    let (status, html) = page(&app, &kent, &format!("/tenders/{tender}/evaluation")).await;
    assert!(
        status == StatusCode::NOT_FOUND && html.contains("Page not found"),
        "{status}"
    );
    let refused = post_form(
        &app,
        &supplier,
        &format!("/tenders/{tender}/cancel"),
        &[("csrf", CSRF), ("reason", "No.")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let (_, after) = page(&app, &lead, &format!("/tenders/{tender}")).await;
    assert!(!after.contains("Cancelled"), "nothing changed");
    // Not signed in: every page sends the browser to sign in.
    for path in [
        "/tenders/new",
        "/market",
        "/offers/mine",
        "/contracts",
        "/notifications",
        "/audit",
    ] {
        let response = client().get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
    }
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn_demo().await;
    let lead = browser_session(&app, "lead@gm-icb.nhs.example", server::demo::DEMO_PASSWORD).await;
    let fields = [
        ("title", "Forged tender"),
        ("description", "Posted from another site."),
        ("category", "procurement"),
        ("region", "north_west"),
        ("estimated_value_pence", "100000"),
        ("contract_term_months", "12"),
        ("procedure", "open"),
        ("clarification_deadline", "2030-01-01T12:00"),
        ("submission_deadline", "2030-01-10T12:00"),
        ("criteria-0-weight", "40"),
        ("criteria-1-name", "Quality"),
        ("criteria-1-weight", "60"),
    ];
    // No token, a wrong token, and a token without its cookie: all refused.
    let without_cookie = lead.replace(&format!("; mkt_csrf={CSRF}"), "");
    for (cookies, token) in [
        (&lead, None),
        (&lead, Some("ffffffffffffffffffffffffffffffff")),
        (&without_cookie, Some(CSRF)),
    ] {
        let mut pairs = fields.to_vec();
        if let Some(token) = token {
            pairs.push(("csrf", token));
        }
        let refused = post_form(&app, cookies, "/tenders/new", &pairs).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(
            refused
                .text()
                .await
                .unwrap()
                .contains("This form has expired")
        );
    }
    let (_, dashboard) = page(&app, &lead, "/dashboard").await;
    assert!(!dashboard.contains("Forged tender"), "no tender was made");
    // With its token the same form makes the draft.
    let mut pairs = fields.to_vec();
    pairs.push(("csrf", CSRF));
    let made = post_form(&app, &lead, "/tenders/new", &pairs).await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let (_, dashboard) = page(&app, &lead, "/dashboard").await;
    assert!(dashboard.contains("Forged tender"));
}

#[tokio::test]
async fn pages_send_a_content_security_policy_that_allows_only_the_services_own_files() {
    let app = TestApp::spawn_demo().await;
    let lead = browser_session(&app, "lead@gm-icb.nhs.example", server::demo::DEMO_PASSWORD).await;
    let response = client()
        .get(app.url("/dashboard"))
        .header("cookie", &lead)
        .send()
        .await
        .unwrap();
    let policy = response
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"),
        "{policy}"
    );
    let html = response.text().await.unwrap();
    assert!(
        !html.contains("https://"),
        "nothing is loaded from another host"
    );
    let script = client()
        .get(app.url("/assets/marketplace.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_supplier_manages_its_offers_from_the_pages_and_a_buyer_compares_them() {
    let app = TestApp::spawn_demo().await;
    let supplier = browser_session(&app, "bids@insight.example", server::demo::DEMO_PASSWORD).await;
    let fields = |price: &'static str| {
        vec![
            ("csrf", CSRF),
            ("title", "Week-end reporting service"),
            ("category", "data_analysis_bi"),
            ("summary", "Board reports every Monday."),
            ("description", "Reports\nand dashboards."),
            ("regions", "north_west"),
            ("regions", "london"),
            ("pricing_unit", "day_rate"),
            ("unit_price_pence", price),
        ]
    };
    // A wrong price is refused with the NHS error pattern and the values kept.
    let refused = post_form(&app, &supplier, "/offers/new", &fields("lots")).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("nhsuk-error-summary") && html.contains("href=\"#unit_price_pence\""),
        "{html}"
    );
    assert!(html.contains("Week-end reporting service"));
    let made = post_form(&app, &supplier, "/offers/new", &fields("650")).await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let location = made
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap()
        .to_owned();
    let offer = location
        .trim_start_matches("/offers/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let (_, draft) = page(&app, &supplier, &format!("/offers/{offer}")).await;
    assert!(
        draft.contains("£650.00 per day") || draft.contains("£650 per day"),
        "{draft}"
    );
    // Publish (with the version shown), then reprice: the history keeps both prices.
    let published = post_form(
        &app,
        &supplier,
        &format!("/offers/{offer}/publish"),
        &[("csrf", CSRF), ("version", "1")],
    )
    .await;
    assert_eq!(published.status(), StatusCode::SEE_OTHER);
    let mut repriced = fields("700");
    repriced.push(("version", "2"));
    let saved = post_form(&app, &supplier, &format!("/offers/{offer}/edit"), &repriced).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let stale = post_form(&app, &supplier, &format!("/offers/{offer}/edit"), &repriced).await;
    assert_eq!(
        stale.status(),
        StatusCode::PRECONDITION_FAILED,
        "an edit of an old version is refused"
    );
    let lead = browser_session(&app, "lead@gm-icb.nhs.example", server::demo::DEMO_PASSWORD).await;
    let (status, html) = page(&app, &lead, &format!("/offers/{offer}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Price history") && html.contains("£650") && html.contains("£700"),
        "{html}"
    );
    // Another supplier cannot edit it.
    let other = browser_session(&app, "bids@necsu.nhs.example", server::demo::DEMO_PASSWORD).await;
    let (status, _) = page(&app, &other, &format!("/offers/{offer}/edit")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The buyer finds it with every filter and compares it with another at its volumes.
    let (_, found) = page(&app, &lead, "/catalogue?q=reporting&category=data_analysis_bi&region=london&supplier=&pricing_unit=day_rate&min_price_pence=600&max_price_pence=800&sort=price_asc").await;
    assert!(found.contains("Week-end reporting service"), "{found}");
    let (_, none) = page(
        &app,
        &lead,
        "/catalogue?q=reporting&pricing_unit=day_rate&max_price_pence=600",
    )
    .await;
    assert!(!none.contains("Week-end reporting service"));
    let (_, bad) = page(&app, &lead, "/catalogue?min_price_pence=cheap").await;
    assert!(
        bad.contains("nhsuk-error-summary"),
        "a bad filter is explained"
    );
    let (_, analysis) = page(&app, &lead, "/catalogue?category=data_analysis_bi").await;
    let other_offer = analysis
        .split("href=\"/offers/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|id| *id != offer)
        .map(str::to_owned);
    let mut ids = vec![format!("ids={offer}")];
    ids.extend(other_offer.map(|o| format!("ids={o}")));
    let (status, compared) = page(
        &app,
        &lead,
        &format!("/compare?{}&days_per_year=100", ids.join("&")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        compared.contains("Week-end reporting service") && compared.contains("£70,000"),
        "100 days at £700: {compared}"
    );
    // Withdrawn, it leaves the catalogue.
    let withdrawn = post_form(
        &app,
        &supplier,
        &format!("/offers/{offer}/withdraw"),
        &[("csrf", CSRF), ("version", "3")],
    )
    .await;
    assert_eq!(withdrawn.status(), StatusCode::SEE_OTHER);
    let (_, gone) = page(&app, &lead, "/catalogue?q=reporting").await;
    assert!(!gone.contains("Week-end reporting service"));
}

#[tokio::test]
async fn the_regulator_downloads_every_market_table_as_csv() {
    let app = TestApp::spawn_demo().await;
    let regulator = browser_session(
        &app,
        "regulator@england.nhs.example",
        server::demo::DEMO_PASSWORD,
    )
    .await;
    let (_, market) = page(&app, &regulator, "/market").await;
    for (link, heading) in [
        ("/market/share.csv", "rank,supplier_id,supplier_name"),
        ("/market/concentration.csv?group_by=category", "group"),
        ("/market/concentration.csv?group_by=quarter", "group"),
        ("/market/competition.csv", "indicator,value"),
        ("/market/prices.csv", "category"),
        ("/market/heat.csv", "category,region,hhi,level"),
    ] {
        assert!(
            market.contains(&format!("href=\"{}\"", link.replace('&', "&amp;"))),
            "{link} is linked"
        );
        let response = client()
            .get(app.url(link))
            .header("cookie", &regulator)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{link}");
        assert!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap()
                .starts_with("text/csv"),
            "{link}"
        );
        let csv = response.text().await.unwrap();
        assert!(
            csv.lines().next().unwrap().contains(heading),
            "{link}: {csv}"
        );
        assert!(csv.lines().count() > 1, "{link} has rows");
    }
    let (_, filtered) = page(
        &app,
        &regulator,
        "/market?category=procurement&attribution=original",
    )
    .await;
    assert!(
        filtered
            .contains("href=\"/market/share.csv?category=procurement&amp;attribution=original\""),
        "downloads keep the filters"
    );
    let supplier =
        browser_session(&app, "bids@necsu.nhs.example", server::demo::DEMO_PASSWORD).await;
    let (status, _) = page(&app, &supplier, "/market/share.csv").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "suppliers get no market table"
    );
}

#[tokio::test]
async fn the_admin_manages_organisations_accounts_and_the_calendar_from_the_pages() {
    let app = TestApp::spawn_demo().await;
    let admin = browser_session(
        &app,
        "admin@marketplace.example",
        server::demo::DEMO_PASSWORD,
    )
    .await;
    let regulator = browser_session(
        &app,
        "regulator@england.nhs.example",
        server::demo::DEMO_PASSWORD,
    )
    .await;
    for path in ["/admin/organisations", "/admin/users", "/admin/calendar"] {
        let (status, _) = page(&app, &regulator, path).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "the regulator may not use {path}"
        );
        let (status, _) = page(&app, &admin, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    // An organisation, with the error pattern for a bad ODS code first.
    let refused = post_form(
        &app,
        &admin,
        "/admin/organisations",
        &[
            ("csrf", CSRF),
            ("name", "NHS Test ICB"),
            ("kind", "buyer"),
            ("ods_code", "not an ods code!"),
            ("region", "london"),
        ],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("href=\"#ods_code\""));
    let made = post_form(
        &app,
        &admin,
        "/admin/organisations",
        &[
            ("csrf", CSRF),
            ("name", "NHS Test ICB"),
            ("kind", "buyer"),
            ("ods_code", ""),
            ("region", "london"),
        ],
    )
    .await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let (_, organisations) = page(&app, &admin, "/admin/organisations").await;
    let organisation = organisations
        .split("<option value=\"")
        .filter_map(|rest| rest.split_once("\">"))
        .find(|(_, name)| name.starts_with("NHS Test ICB"))
        .map(|(id, _)| id.to_owned());
    assert!(organisations.contains("NHS Test ICB"));
    // An account in it, who can sign in; then deactivated, who cannot.
    let (_, users) = page(&app, &admin, "/admin/users").await;
    let organisation = organisation.or_else(|| {
        users
            .split("<option value=\"")
            .filter_map(|rest| rest.split_once("\">"))
            .find(|(_, name)| name.starts_with("NHS Test ICB"))
            .map(|(id, _)| id.to_owned())
    });
    let organisation = organisation.expect("the new organisation is offered");
    let made = post_form(
        &app,
        &admin,
        "/admin/users",
        &[
            ("csrf", CSRF),
            ("name", "Test Lead"),
            ("email", "lead@test-icb.nhs.example"),
            ("organisation_id", &organisation),
            ("role", "buyer_lead"),
            ("password", "a long enough password"),
        ],
    )
    .await;
    let status = made.status();
    let html = made.text().await.unwrap();
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "len {} {}",
        html.len(),
        &html[html.find("<main").unwrap_or(0)..]
    );
    let _ = browser_session(&app, "lead@test-icb.nhs.example", "a long enough password").await;
    let (_, users) = page(&app, &admin, "/admin/users").await;
    let row = users.find("Test Lead").expect("the new account is listed");
    let user = users[row..]
        .split("action=\"/admin/users/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .expect("the new account is listed");
    let saved = post_form(
        &app,
        &admin,
        &format!("/admin/users/{user}"),
        &[("csrf", CSRF), ("role", "buyer_lead"), ("active", "false")],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let refused = client()
        .post(app.url("/sign-in"))
        .header("cookie", format!("mkt_csrf={CSRF}"))
        .form_body(&[
            ("csrf", CSRF),
            ("email", "lead@test-icb.nhs.example"),
            ("password", "a long enough password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a deactivated account cannot sign in"
    );
    // A bank holiday added and removed.
    let added = post_form(
        &app,
        &admin,
        "/admin/calendar",
        &[
            ("csrf", CSRF),
            ("date", "2027-06-07"),
            ("name", "Test holiday"),
        ],
    )
    .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let (_, calendar) = page(&app, &admin, "/admin/calendar?year=2027").await;
    assert!(calendar.contains("Test holiday"));
    let removed = post_form(
        &app,
        &admin,
        "/admin/calendar/2027-06-07/delete",
        &[("csrf", CSRF)],
    )
    .await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    let (_, calendar) = page(&app, &admin, "/admin/calendar?year=2027").await;
    assert!(!calendar.contains("Test holiday"));
    // Every role lists the tenders it may see.
    let supplier =
        browser_session(&app, "bids@necsu.nhs.example", server::demo::DEMO_PASSWORD).await;
    let (status, tenders) = page(&app, &supplier, "/tenders").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        tenders.contains("</span>published</td>"),
        "a supplier sees the published tenders"
    );
    assert!(
        !tenders.contains("</span>draft</td>"),
        "a supplier sees no draft"
    );
    let (_, drafts) = page(&app, &regulator, "/tenders?status=draft").await;
    assert!(
        drafts.contains(" 0 tenders.") || drafts.contains(">0 tenders."),
        "the regulator sees no draft"
    );
}

pub(crate) fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn amendments_questions_bids_and_cancellation_work_from_the_pages() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let tender = app
        .published_tender(&lead, 3600.0, serde_json::json!({}))
        .await;
    let id = e2e::id_of(&tender);
    let lead_cookies = browser_session(&app, &lead.email, e2e::PASSWORD).await;
    let supplier_cookies = browser_session(&app, &supplier.email, e2e::PASSWORD).await;

    // The supplier bids through its form; a price that is not one is refused, values kept.
    let criteria = e2e::quality_criteria(&tender);
    let bid_form = |price: &'static str| {
        let mut pairs = vec![("csrf", CSRF.to_owned()), ("price_pence", price.to_owned())];
        for (i, c) in criteria.iter().enumerate() {
            pairs.push((
                ["responses-0-criterion_id", "responses-1-criterion_id"][i],
                c.clone(),
            ));
            pairs.push((
                ["responses-0-text", "responses-1-text"][i],
                format!("Our answer {i}."),
            ));
        }
        pairs
    };
    let as_refs = |pairs: &[(&'static str, String)]| {
        pairs
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Vec<_>>()
    };
    let post = |cookies: String, path: String, pairs: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(app, &cookies, &path, &borrowed).await
        }
    };
    let refused = post(
        supplier_cookies.clone(),
        format!("/tenders/{id}/bid"),
        as_refs(&bid_form("a lot")),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("href=\"#price_pence\"") && html.contains("Our answer 1."),
        "{html}"
    );
    let made = post(
        supplier_cookies.clone(),
        format!("/tenders/{id}/bid"),
        as_refs(&bid_form("95,000")),
    )
    .await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let (_, page_of_bid) = page(&app, &supplier_cookies, &format!("/tenders/{id}/bid")).await;
    assert!(page_of_bid.contains("£95,000") && page_of_bid.contains("Revise my bid"));
    let revised = post(
        supplier_cookies.clone(),
        format!("/tenders/{id}/bid"),
        as_refs(&bid_form("90000")),
    )
    .await;
    assert_eq!(revised.status(), StatusCode::SEE_OTHER);
    assert!(location(&revised).ends_with("done=revised"));

    // A question through the tender page, answered by the lead through the same page.
    let asked = post(
        supplier_cookies.clone(),
        format!("/tenders/{id}/questions"),
        vec![
            ("csrf", CSRF.to_owned()),
            ("question", "Is TUPE expected?".to_owned()),
        ],
    )
    .await;
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    let (_, lead_page) = page(&app, &lead_cookies, &format!("/tenders/{id}")).await;
    let question = lead_page
        .split("/questions/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("an answer form: {lead_page}"))
        .to_owned();
    let empty = post(
        lead_cookies.clone(),
        format!("/tenders/{id}/questions/{question}/answer"),
        vec![("csrf", CSRF.to_owned()), ("answer", String::new())],
    )
    .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty
            .text()
            .await
            .unwrap()
            .contains(&format!("href=\"#answer-{question}\"")),
        "the error points at that question's answer"
    );
    let answered = post(
        lead_cookies.clone(),
        format!("/tenders/{id}/questions/{question}/answer"),
        vec![("csrf", CSRF.to_owned()), ("answer", "No.".to_owned())],
    )
    .await;
    assert_eq!(answered.status(), StatusCode::SEE_OTHER);
    let (_, supplier_page) = page(&app, &supplier_cookies, &format!("/tenders/{id}")).await;
    assert!(supplier_page.contains("Is TUPE expected?") && supplier_page.contains("No."));
    assert!(
        !supplier_page.contains("Budget ceiling"),
        "no confidential field for a supplier"
    );

    // An amendment that changes what is asked: the bid needs confirming, done from its page.
    let description = format!(
        "{} Clarified: includes the CCG's GP practices.",
        tender["description"].as_str().unwrap()
    );
    let deadline = (chrono::Utc::now() + chrono::Duration::days(20))
        .format("%Y-%m-%dT12:00")
        .to_string();
    let amended = post(
        lead_cookies.clone(),
        format!("/tenders/{id}/amend"),
        vec![
            ("csrf", CSRF.to_owned()),
            (
                "note",
                "The scope is clarified and the deadline extended.".to_owned(),
            ),
            ("description", description),
            ("clarification_deadline", deadline.clone()),
            ("submission_deadline", deadline),
        ],
    )
    .await;
    assert_eq!(
        amended.status(),
        StatusCode::SEE_OTHER,
        "{}",
        amended.text().await.unwrap()
    );
    let (_, page_of_bid) = page(&app, &supplier_cookies, &format!("/tenders/{id}/bid")).await;
    assert!(page_of_bid.contains("Confirm my bid"), "{page_of_bid}");
    let confirmed = post(
        supplier_cookies.clone(),
        format!("/tenders/{id}/bid/confirm"),
        vec![("csrf", CSRF.to_owned())],
    )
    .await;
    assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);
    let (_, page_of_bid) = page(&app, &supplier_cookies, &location(&confirmed)).await;
    assert!(
        !page_of_bid.contains("Confirm my bid") && page_of_bid.contains("Your bid is confirmed"),
        "{page_of_bid}"
    );

    // Withdrawn from its page; then the lead cancels (a reason is needed).
    let withdrawn = post(
        supplier_cookies.clone(),
        format!("/tenders/{id}/bid/withdraw"),
        vec![("csrf", CSRF.to_owned())],
    )
    .await;
    assert_eq!(withdrawn.status(), StatusCode::SEE_OTHER);
    let (_, page_of_bid) = page(&app, &supplier_cookies, &format!("/tenders/{id}/bid")).await;
    assert!(
        page_of_bid.contains("Submit my bid"),
        "a new bid may follow a withdrawal"
    );
    let (status, _) = page(&app, &supplier_cookies, &format!("/tenders/{id}/cancel")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let no_reason = post(
        lead_cookies.clone(),
        format!("/tenders/{id}/cancel"),
        vec![("csrf", CSRF.to_owned()), ("reason", String::new())],
    )
    .await;
    assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.text().await.unwrap().contains("href=\"#reason\""));
    let cancelled = post(
        lead_cookies.clone(),
        format!("/tenders/{id}/cancel"),
        vec![
            ("csrf", CSRF.to_owned()),
            ("reason", "The service is no longer needed.".to_owned()),
        ],
    )
    .await;
    assert_eq!(cancelled.status(), StatusCode::SEE_OTHER);
    let (_, supplier_page) = page(&app, &supplier_cookies, &format!("/tenders/{id}")).await;
    assert!(supplier_page.contains("The service is no longer needed."));
}

#[tokio::test]
async fn exclusion_scoring_award_challenge_and_unsuccessful_work_from_the_pages() {
    let app = TestApp::spawn().await;
    let c = e2e::Competition::run(&app, &[100_000, 120_000], serde_json::json!({})).await;
    let id = e2e::id_of(&c.tender);
    let lead = browser_session(&app, &c.lead.email, e2e::PASSWORD).await;
    let evaluator = browser_session(&app, &c.evaluator.email, e2e::PASSWORD).await;
    let first = browser_session(&app, &c.suppliers[0].email, e2e::PASSWORD).await;
    let criteria = e2e::quality_criteria(&c.tender);

    // Exclusion needs a reason (pointed at that bid's field), and can be undone.
    let (cheap, dear) = (&c.bids[0], &c.bids[1]);
    let refused = post_form(
        &app,
        &lead,
        &format!("/tenders/{id}/bids/{dear}/exclude"),
        &[("csrf", CSRF), ("reason", "")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains(&format!("href=\"#reason-{dear}\""))
    );
    let excluded = post_form(
        &app,
        &lead,
        &format!("/tenders/{id}/bids/{dear}/exclude"),
        &[("csrf", CSRF), ("reason", "Late insurance certificate.")],
    )
    .await;
    assert_eq!(excluded.status(), StatusCode::SEE_OTHER);
    let (_, evaluation) = page(&app, &lead, &format!("/tenders/{id}/evaluation")).await;
    assert!(evaluation.contains("Excluded: Late insurance certificate."));
    let reinstated = post_form(
        &app,
        &lead,
        &format!("/tenders/{id}/bids/{dear}/reinstate"),
        &[("csrf", CSRF)],
    )
    .await;
    assert_eq!(reinstated.status(), StatusCode::SEE_OTHER);

    // The evaluator scores from its form: a mark out of range is refused at its field, the
    // right ones are kept.
    let (status, scoring) = page(&app, &evaluator, &format!("/tenders/{id}/scoring")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(scoring.contains(&format!("{cheap}-{}-score", criteria[0])));
    let marks = |bid: &str, first_mark: &str| {
        vec![
            (
                format!("{bid}-{}-score", criteria[0]),
                first_mark.to_owned(),
            ),
            (
                format!("{bid}-{}-justification", criteria[0]),
                "Clear plan.".to_owned(),
            ),
            (format!("{bid}-{}-score", criteria[1]), "60".to_owned()),
            (
                format!("{bid}-{}-justification", criteria[1]),
                "Some local hiring.".to_owned(),
            ),
        ]
    };
    let send_marks = |bid: String, first_mark: &'static str| {
        let app = &app;
        let evaluator = evaluator.clone();
        let id = id.clone();
        async move {
            let mut pairs: Vec<(String, String)> = vec![("csrf".to_owned(), CSRF.to_owned())];
            pairs.extend(marks(&bid, first_mark));
            let borrowed: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            post_form(
                app,
                &evaluator,
                &format!("/tenders/{id}/bids/{bid}/scores"),
                &borrowed,
            )
            .await
        }
    };
    let out_of_range = send_marks(cheap.clone(), "101").await;
    assert_eq!(out_of_range.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = out_of_range.text().await.unwrap();
    assert!(
        html.contains(&format!("href=\"#{cheap}-{}-score\"", criteria[0])),
        "{html}"
    );
    assert_eq!(
        send_marks(cheap.clone(), "80").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        send_marks(dear.clone(), "90").await.status(),
        StatusCode::SEE_OTHER
    );

    // An award to the bid not ranked first needs a justification.
    let (_, evaluation) = page(&app, &lead, &format!("/tenders/{id}/evaluation")).await;
    let top = evaluation
        .split("id=\"award-0\"")
        .nth(1)
        .and_then(|after| after.split("value=\"").nth(1))
        .and_then(|v| v.split('"').next())
        .unwrap()
        .to_owned();
    assert!(
        top == *cheap || top == *dear,
        "the top-ranked bid is chosen first: {top}"
    );
    let other = if top == *cheap {
        dear.clone()
    } else {
        cheap.clone()
    };
    let unjustified = post_form(
        &app,
        &lead,
        &format!("/tenders/{id}/award"),
        &[("csrf", CSRF), ("bid_id", &other), ("justification", "")],
    )
    .await;
    assert_eq!(unjustified.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unjustified
            .text()
            .await
            .unwrap()
            .contains("href=\"#justification\"")
    );
    let awarded = post_form(
        &app,
        &lead,
        &format!("/tenders/{id}/award"),
        &[("csrf", CSRF), ("bid_id", &top)],
    )
    .await;
    assert_eq!(awarded.status(), StatusCode::SEE_OTHER);

    // The losing bidder challenges from its outcome page; the lead dismisses it from its page.
    let loser = if top == *cheap {
        &c.suppliers[1]
    } else {
        &c.suppliers[0]
    };
    let loser_cookies = browser_session(&app, &loser.email, e2e::PASSWORD).await;
    let (_, outcome) = page(&app, &loser_cookies, &format!("/tenders/{id}/outcome")).await;
    assert!(
        outcome.contains("Challenge the award") && outcome.contains("Evaluator 1:"),
        "{outcome}"
    );
    let challenged = post_form(
        &app,
        &loser_cookies,
        &format!("/tenders/{id}/challenge"),
        &[
            ("csrf", CSRF),
            ("grounds", "The price scoring was misapplied."),
        ],
    )
    .await;
    assert_eq!(challenged.status(), StatusCode::SEE_OTHER);
    let (_, evaluation) = page(&app, &lead, &format!("/tenders/{id}/evaluation")).await;
    let challenge = evaluation
        .split("/challenges/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("a resolve form: {evaluation}"))
        .to_owned();
    let resolved = post_form(
        &app,
        &lead,
        &format!("/tenders/{id}/challenges/{challenge}/resolve"),
        &[
            ("csrf", CSRF),
            ("outcome", "dismissed"),
            ("notes", "The formula was applied as published."),
        ],
    )
    .await;
    assert_eq!(resolved.status(), StatusCode::SEE_OTHER);
    let (_, outcome) = page(&app, &loser_cookies, &format!("/tenders/{id}/outcome")).await;
    assert!(
        outcome.contains("dismissed") && outcome.contains("The formula was applied as published.")
    );
    // The winning supplier cannot challenge, and another buyer sees nothing.
    let winner_cookies = if top == *cheap {
        first.clone()
    } else {
        browser_session(&app, &c.suppliers[1].email, e2e::PASSWORD).await
    };
    let (_, outcome) = page(&app, &winner_cookies, &format!("/tenders/{id}/outcome")).await;
    assert!(!outcome.contains("Challenge the award"));

    // A tender whose only bid is excluded is declared unsuccessful from the page.
    let single = e2e::Competition::run(&app, &[50_000], serde_json::json!({})).await;
    let single_id = e2e::id_of(&single.tender);
    let single_lead = browser_session(&app, &single.lead.email, e2e::PASSWORD).await;
    let early = post_form(
        &app,
        &single_lead,
        &format!("/tenders/{single_id}/unsuccessful"),
        &[("csrf", CSRF), ("reason", "No compliant bid.")],
    )
    .await;
    assert_eq!(
        early.status(),
        StatusCode::CONFLICT,
        "not while a compliant bid remains"
    );
    let excluded = post_form(
        &app,
        &single_lead,
        &format!("/tenders/{single_id}/bids/{}/exclude", single.bids[0]),
        &[("csrf", CSRF), ("reason", "No accreditation.")],
    )
    .await;
    assert_eq!(excluded.status(), StatusCode::SEE_OTHER);
    let declared = post_form(
        &app,
        &single_lead,
        &format!("/tenders/{single_id}/unsuccessful"),
        &[("csrf", CSRF), ("reason", "No compliant bid.")],
    )
    .await;
    assert_eq!(declared.status(), StatusCode::SEE_OTHER);
    let (_, tender_page) = page(&app, &single_lead, &format!("/tenders/{single_id}")).await;
    assert!(tender_page.contains("Unsuccessful") && tender_page.contains("No compliant bid."));
}

#[tokio::test]
async fn before_the_deadline_no_page_of_any_role_shows_a_sealed_bid() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let evaluator = app.user_in("buyer_evaluator", &lead.organisation_id).await;
    let bidder = app.user("supplier_bidder").await;
    let rival = app.user("supplier_bidder").await;
    let regulator = app.user("regulator").await;
    let tender = app
        .published_tender(&lead, 3600.0, serde_json::json!({}))
        .await;
    e2e::success(app.assign(&lead, &tender, &evaluator).await).await;
    e2e::success(app.declare(&evaluator, &tender, false).await).await;
    app.accepted_bid(&bidder, &tender, 12_345_678).await;
    let id = e2e::id_of(&tender);
    let admin = browser_session(&app, e2e::ADMIN_EMAIL, e2e::PASSWORD).await;
    let mut readers = vec![("admin", admin)];
    for (who, user) in [
        ("lead", &lead),
        ("evaluator", &evaluator),
        ("rival", &rival),
        ("regulator", &regulator),
    ] {
        readers.push((who, browser_session(&app, &user.email, e2e::PASSWORD).await));
    }
    let paths = [
        format!("/tenders/{id}"),
        format!("/tenders/{id}/evaluation"),
        format!("/tenders/{id}/scoring"),
        format!("/tenders/{id}/outcome"),
        format!("/tenders/{id}/bid"),
        "/tenders".to_owned(),
        "/dashboard".to_owned(),
        "/notifications".to_owned(),
        "/market".to_owned(),
        "/contracts".to_owned(),
        "/audit".to_owned(),
        "/audit.csv".to_owned(),
    ];
    for (who, cookies) in &readers {
        for path in &paths {
            let (status, html) = page(&app, cookies, path).await;
            assert!(status != StatusCode::INTERNAL_SERVER_ERROR, "{who} {path}");
            assert!(
                !html.contains("123,456") && !html.contains("12345678"),
                "{who} sees the sealed price on {path}"
            );
            assert!(
                !html.contains("Our answer to"),
                "{who} sees the sealed response on {path}"
            );
        }
    }
    // The lead and the evaluator are told the bids are sealed.
    let (status, html) = page(&app, &readers[1].1, &format!("/tenders/{id}/evaluation")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("sealed"), "{html}");
    // Only the bidder sees its own bid.
    let own = browser_session(&app, &bidder.email, e2e::PASSWORD).await;
    let (_, html) = page(&app, &own, &format!("/tenders/{id}/bid")).await;
    assert!(
        html.contains("£123,456.78"),
        "the bidder sees its own price"
    );
}

#[tokio::test]
async fn the_criteria_builder_names_each_error_as_its_row_is_labelled_and_skips_empty_rows() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let cookies = browser_session(&app, &lead.email, e2e::PASSWORD).await;
    let fields = |third_weight: &'static str| {
        vec![
            ("csrf", CSRF),
            ("title", "Criteria builder check"),
            ("description", "Checks the builder."),
            ("category", "procurement"),
            ("region", "london"),
            ("estimated_value_pence", "100000"),
            ("contract_term_months", "12"),
            ("procedure", "open"),
            ("clarification_deadline", "2030-01-01T12:00"),
            ("submission_deadline", "2030-01-10T12:00"),
            ("criteria-0-weight", "40"),
            ("criteria-1-name", "Approach"),
            ("criteria-1-weight", "30"),
            ("criteria-2-name", ""),
            ("criteria-2-weight", ""),
            ("criteria-3-name", "Social value"),
            ("criteria-3-weight", third_weight),
        ]
    };
    let refused = post_form(&app, &cookies, "/tenders/new", &fields("none")).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    // The empty second row is dropped, so "Social value" is shown (and named) as row 2.
    assert!(
        html.contains("href=\"#criteria-2-weight\">Weight of quality criterion 2:"),
        "{html}"
    );
    assert!(
        html.contains(
            "id=\"criteria-2-name\" name=\"criteria-2-name\" type=\"text\" value=\"Social value\""
        ),
        "{html}"
    );
    let made = post_form(&app, &cookies, "/tenders/new", &fields("30")).await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let (_, tender) = page(&app, &cookies, &location(&made)).await;
    assert!(
        tender.contains("Approach")
            && tender.contains("Social value")
            && tender.contains("Saved as a draft")
    );
}

#[tokio::test]
async fn an_unknown_address_is_an_html_page_for_a_browser_and_problem_details_for_a_client() {
    let app = TestApp::spawn().await;
    let browser = client()
        .get(app.url("/no-such-page"))
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(browser.status(), StatusCode::NOT_FOUND);
    assert!(browser.text().await.unwrap().contains("Page not found"));
    for (path, accept) in [
        ("/no-such-page", "application/json"),
        ("/api/v1/no-such-thing", "text/html"),
    ] {
        let api = client()
            .get(app.url(path))
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), StatusCode::NOT_FOUND);
        let media = api
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap()
            .to_owned();
        assert_eq!(media, "application/problem+json", "{path}");
    }
}

#[tokio::test]
async fn the_admin_sets_a_buyers_authority_type_and_identifiers_on_its_page_and_the_lead_sees_its_minimum_period()
 {
    let app = TestApp::spawn_demo().await;
    let admin = browser_session(
        &app,
        "admin@marketplace.example",
        server::demo::DEMO_PASSWORD,
    )
    .await;
    let made = post_form(
        &app,
        &admin,
        "/admin/organisations",
        &[
            ("csrf", CSRF),
            ("name", "NHS England Commercial"),
            ("kind", "buyer"),
            ("ods_code", ""),
            ("region", ""),
            ("authority_type", "central_government"),
            ("identifier_coh", ""),
            ("identifier_chc", ""),
            ("identifier_ppon", "pqrs-1234-tuvw"),
        ],
    )
    .await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let (_, list) = page(&app, &admin, "/admin/organisations").await;
    let link = list
        .split("href=\"/admin/organisations/")
        .skip(1)
        .find_map(|rest| {
            rest.split_once("\">")
                .filter(|(_, name)| name.starts_with("NHS England Commercial"))
        })
        .map(|(id, _)| format!("/admin/organisations/{id}"))
        .expect("the new organisation links to its page");
    assert!(
        list.contains("GB-PPON PQRS-1234-TUVW"),
        "the table shows identifiers"
    );
    let (status, shown) = page(&app, &admin, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(shown.contains("value=\"PQRS-1234-TUVW\""), "{shown}");
    assert!(
        shown.contains("value=\"central_government\" selected"),
        "{shown}"
    );

    // A bad charity number comes back at its field, and nothing is saved.
    let fields = |chc: &'static str| {
        [
            ("csrf", CSRF),
            ("name", "NHS England Commercial"),
            ("ods_code", ""),
            ("region", ""),
            ("authority_type", "sub_central"),
            ("identifier_coh", "01234567"),
            ("identifier_chc", chc),
            ("identifier_ppon", "PQRS-1234-TUVW"),
        ]
    };
    let refused = post_form(&app, &admin, &link, &fields("12AB")).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("href=\"#identifier_chc\"")
    );
    let (_, unchanged) = page(&app, &admin, &link).await;
    assert!(!unchanged.contains("value=\"01234567\""));
    let saved = post_form(&app, &admin, &link, &fields("")).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, changed) = page(&app, &admin, &link).await;
    assert!(
        changed.contains("value=\"01234567\"")
            && changed.contains("value=\"sub_central\" selected"),
        "{changed}"
    );

    // Nobody else may open or post it.
    let regulator = browser_session(
        &app,
        "regulator@england.nhs.example",
        server::demo::DEMO_PASSWORD,
    )
    .await;
    assert_eq!(page(&app, &regulator, &link).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        post_form(&app, &regulator, &link, &fields(""))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // A buyer lead's tender form states its threshold and the earliest close above it.
    let lead = browser_session(
        &app,
        "lead@north-norfolk-ccg.nhs.example",
        server::demo::DEMO_PASSWORD,
    )
    .await;
    let (_, form) = page(&app, &lead, "/tenders/new").await;
    assert!(
        form.contains("£207,720"),
        "the sub-central threshold is shown"
    );
    assert!(form.contains("no earlier than 25 days after publication"));
    assert!(form.contains("id=\"urgency_reason\""));
}

#[tokio::test]
async fn anyone_reads_the_notices_pages_without_signing_in_and_searches_them_by_type() {
    let app = TestApp::spawn_demo().await;
    let (status, home) = page(&app, "", "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains("href=\"/notices\""),
        "the home page links to the notices"
    );
    let (status, all) = page(&app, "", "/notices").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        all.contains("Procurement and contract management support"),
        "a tender notice of the demo"
    );
    let (_, terminations) = page(&app, "", "/notices?notice_type=UK12").await;
    assert!(
        terminations.contains("IT service desk and end-user computing"),
        "the cancelled tender's UK12"
    );
    assert!(!terminations.contains("Procurement and contract management support"));
    let link = all
        .split("href=\"/notices/")
        .nth(1)
        .and_then(|rest| rest.split_once('"'))
        .map(|(id, _)| format!("/notices/{id}"))
        .expect("a notice links to its page");
    let (status, one) = page(&app, "", &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(one.contains("OCDS"), "{one}");
    assert_eq!(
        page(&app, "", "/notices/00000000-0000-0000-0000-000000000000")
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        page(&app, "", "/notices?notice_type=UK99").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // A tender's page lists its notices.
    let lead = browser_session(
        &app,
        "lead@north-norfolk-ccg.nhs.example",
        server::demo::DEMO_PASSWORD,
    )
    .await;
    let (_, tenders) = page(&app, &lead, "/tenders").await;
    let tender = tenders
        .split("href=\"/tenders/")
        .filter_map(|rest| rest.split_once("\">"))
        .find(|(_, title)| title.starts_with("Procurement and contract management support"))
        .map(|(id, _)| format!("/tenders/{id}"))
        .expect("the lead's open tender");
    let (_, shown) = page(&app, &lead, &tender).await;
    assert!(shown.contains("UK4: Tender notice"), "{shown}");
}

#[tokio::test]
async fn a_competitive_flexible_procedure_runs_from_the_pages_requests_then_the_shortlist() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let admitted = app.user("supplier_bidder").await;
    let refused = app.user("supplier_bidder").await;
    let lead_cookies = browser_session(&app, &lead.email, e2e::PASSWORD).await;

    // The form asks for the participation stage of a competitive flexible procedure.
    let new = [
        ("csrf", CSRF),
        ("title", "Flexible procedure check"),
        ("description", "Checks the participation stage."),
        ("category", "procurement"),
        ("region", "london"),
        ("estimated_value_pence", "100000"),
        ("contract_term_months", "12"),
        ("procedure", "competitive_flexible"),
        ("clarification_deadline", "2030-01-01T12:00"),
        ("submission_deadline", "2030-01-10T12:00"),
        ("criteria-0-weight", "40"),
        ("criteria-1-name", "Approach"),
        ("criteria-1-weight", "60"),
    ];
    let refused_form = post_form(&app, &lead_cookies, "/tenders/new", &new).await;
    assert_eq!(refused_form.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused_form.text().await.unwrap();
    assert!(
        html.contains("href=\"#expression_of_interest_deadline\"")
            && html.contains("href=\"#conditions_of_participation\"")
            && html.contains("a planned procurement notice does not shorten it"),
        "{html}"
    );

    let draft = e2e::success(
        app.post(
            "/api/v1/tenders",
            &lead.token,
            e2e::tender_json(
                3600.0,
                serde_json::json!({
                    "procedure": "competitive_flexible",
                    "expression_of_interest_deadline": e2e::in_seconds(3.0),
                    "conditions_of_participation": "Three years of NHS work.",
                }),
            ),
        )
        .await,
    )
    .await;
    let id = e2e::id_of(&draft);
    let published = post_form(
        &app,
        &lead_cookies,
        &format!("/tenders/{id}/publish"),
        &[("csrf", CSRF), ("version", "1")],
    )
    .await;
    assert_eq!(published.status(), StatusCode::SEE_OTHER);
    let (_, tender_page) = page(&app, &lead_cookies, &format!("/tenders/{id}")).await;
    assert!(
        tender_page.contains("Requests to participate close"),
        "{tender_page}"
    );

    // Each supplier requests from its page; an empty statement is refused at its field.
    let participation = format!("/tenders/{id}/participation");
    let mut supplier_cookies = Vec::new();
    for (who, statement) in [
        (&admitted, "Five years of ICB procurement."),
        (&refused, "We start next year."),
    ] {
        let cookies = browser_session(&app, &who.email, e2e::PASSWORD).await;
        let empty = post_form(
            &app,
            &cookies,
            &participation,
            &[("csrf", CSRF), ("statement", " ")],
        )
        .await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.text().await.unwrap().contains("href=\"#statement\""));
        let sent = post_form(
            &app,
            &cookies,
            &participation,
            &[("csrf", CSRF), ("statement", statement)],
        )
        .await;
        assert_eq!(sent.status(), StatusCode::SEE_OTHER);
        let (_, own) = page(&app, &cookies, &participation).await;
        assert!(own.contains(statement), "{own}");
        // Before the shortlist nobody is offered the bid form.
        let (_, tender_page) = page(&app, &cookies, &format!("/tenders/{id}")).await;
        assert!(!tender_page.contains(">Your bid<"), "{tender_page}");
        supplier_cookies.push(cookies);
    }
    // The lead reads them only once requests close.
    let (_, sealed) = page(&app, &lead_cookies, &participation).await;
    assert!(sealed.contains("sealed until") && !sealed.contains("We start next year"));
    e2e::wait_until(draft["expression_of_interest_deadline"].as_str().unwrap()).await;
    let (_, open) = page(&app, &lead_cookies, &participation).await;
    assert!(open.contains("We start next year") && open.contains("Decide the shortlist"));

    // The shortlist: a missing reason is refused at its row; then decided.
    let decide = |second_reason: &'static str| {
        vec![
            ("csrf", CSRF.to_owned()),
            ("decisions-0-supplier_id", admitted.organisation_id.clone()),
            ("decisions-0-admitted", "admit".to_owned()),
            ("decisions-0-reason", "Meets the conditions.".to_owned()),
            ("decisions-1-supplier_id", refused.organisation_id.clone()),
            ("decisions-1-admitted", "refuse".to_owned()),
            ("decisions-1-reason", second_reason.to_owned()),
        ]
    };
    let missing = decide("");
    let missing: Vec<(&str, &str)> = missing.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let shortlist_path = format!("/tenders/{id}/shortlist");
    let refused_shortlist = post_form(&app, &lead_cookies, &shortlist_path, &missing).await;
    assert_eq!(refused_shortlist.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused_shortlist
            .text()
            .await
            .unwrap()
            .contains("href=\"#decisions-1-reason\"")
    );
    let complete = decide("No NHS references.");
    let complete: Vec<(&str, &str)> = complete.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let decided = post_form(&app, &lead_cookies, &shortlist_path, &complete).await;
    assert_eq!(decided.status(), StatusCode::SEE_OTHER);
    let (_, admitted_page) = page(&app, &supplier_cookies[0], &participation).await;
    assert!(
        admitted_page.contains("Admitted to tender"),
        "{admitted_page}"
    );
    let (_, refused_page) = page(&app, &supplier_cookies[1], &participation).await;
    assert!(
        refused_page.contains("Not admitted") && refused_page.contains("No NHS references."),
        "{refused_page}"
    );
    let (_, admitted_tender) = page(&app, &supplier_cookies[0], &format!("/tenders/{id}")).await;
    assert!(admitted_tender.contains(">Your bid<"), "{admitted_tender}");
    let (_, refused_tender) = page(&app, &supplier_cookies[1], &format!("/tenders/{id}")).await;
    assert!(!refused_tender.contains(">Your bid<"));
}

#[tokio::test]
async fn a_direct_award_is_challenged_and_contracted_from_its_tender_page() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let named = app.user("supplier_bidder").await;
    let rival = app.user("supplier_bidder").await;
    let lead_cookies = browser_session(&app, &lead.email, e2e::PASSWORD).await;
    let rival_cookies = browser_session(&app, &rival.email, e2e::PASSWORD).await;
    let direct = |standstill: i64| {
        serde_json::json!({
            "title": "Payroll continuity", "description": "Payroll after the incumbent's exit.",
            "category": "finance", "region": "london", "estimated_value_pence": 9_000_000,
            "contract_term_months": 12, "procedure": "direct_award", "standstill_days": standstill,
            "direct_award_ground": "extreme_urgency",
            "direct_award_justification": "The incumbent stopped trading this week.",
            "direct_award_supplier_id": named.organisation_id,
        })
    };
    let publish = |draft: serde_json::Value| {
        let app = &app;
        let lead = &lead;
        async move {
            e2e::success(
                app.send(
                    reqwest::Method::POST,
                    &format!("/api/v1/tenders/{}/publish", e2e::id_of(&draft)),
                    Some(&lead.token),
                    None,
                )
                .await,
            )
            .await
        }
    };

    // With a standstill running, another supplier challenges from the page; the lead sees it.
    let draft = e2e::success(app.post("/api/v1/tenders", &lead.token, direct(8)).await).await;
    let running = publish(draft).await;
    let id = e2e::id_of(&running);
    let (_, rival_page) = page(&app, &rival_cookies, &format!("/tenders/{id}")).await;
    assert!(
        rival_page.contains("Schedule 5 paragraph 13")
            && rival_page.contains("Lodge the challenge"),
        "{rival_page}"
    );
    assert!(!rival_page.contains(">Your bid<"));
    let lodged = post_form(
        &app,
        &rival_cookies,
        &format!("/tenders/{id}/direct-award/challenge"),
        &[
            ("csrf", CSRF),
            ("grounds", "We could supply it within the week."),
        ],
    )
    .await;
    assert_eq!(lodged.status(), StatusCode::SEE_OTHER);
    let (_, lead_page) = page(&app, &lead_cookies, &format!("/tenders/{id}")).await;
    assert!(
        lead_page.contains("We could supply it within the week.")
            && lead_page.contains("Resolve the challenge")
            && !lead_page.contains("Enter the contract"),
        "{lead_page}"
    );

    // With no standstill (below threshold), the lead enters the contract at once.
    let draft = e2e::success(app.post("/api/v1/tenders", &lead.token, direct(0)).await).await;
    let ready = publish(draft).await;
    let id = e2e::id_of(&ready);
    let (_, lead_page) = page(&app, &lead_cookies, &format!("/tenders/{id}")).await;
    assert!(lead_page.contains("Enter the contract"), "{lead_page}");
    let bad = post_form(
        &app,
        &lead_cookies,
        &format!("/tenders/{id}/direct-award/contract"),
        &[("csrf", CSRF), ("start_date", "soon")],
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("href=\"#start_date\""));
    let today = domain::calendar::uk_date(chrono::Utc::now()).to_string();
    let made = post_form(
        &app,
        &lead_cookies,
        &format!("/tenders/{id}/direct-award/contract"),
        &[("csrf", CSRF), ("start_date", &today)],
    )
    .await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    assert!(location(&made).starts_with("/contracts/"));
}

#[tokio::test]
async fn a_tender_in_lots_is_drafted_bid_for_ranked_and_awarded_lot_by_lot_from_the_pages() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let evaluator = app.user_in("buyer_evaluator", &lead.organisation_id).await;
    let cookies = browser_session(&app, &lead.email, e2e::PASSWORD).await;
    let fields = |first_value: &'static str| {
        vec![
            ("csrf", CSRF),
            ("title", "Support in lots"),
            ("description", "Business intelligence and finance."),
            ("category", "procurement"),
            ("region", "london"),
            ("estimated_value_pence", "150000"),
            ("contract_term_months", "12"),
            ("procedure", "open"),
            ("criteria-0-weight", "40"),
            ("criteria-1-name", "Approach"),
            ("criteria-1-weight", "60"),
            ("lots-0-title", ""),
            ("lots-0-estimated_value_pence", ""),
            ("lots-0-description", ""),
            ("lots-1-title", "Business intelligence"),
            ("lots-1-estimated_value_pence", first_value),
            ("lots-1-description", "Dashboards."),
            ("lots-2-title", "Finance"),
            ("lots-2-estimated_value_pence", "50000"),
            ("lots-2-description", "Transactional finance."),
            ("max_lots_per_supplier", "1"),
            ("standstill_days", "0"),
        ]
    };
    // The empty first row is skipped: the BI lot is shown (and named) as lot 1.
    let mut bad = fields("lots");
    bad.push(("clarification_deadline", "2030-01-01T12:00"));
    bad.push(("submission_deadline", "2030-01-10T12:00"));
    let mut good = fields("100000");
    good.extend(bad[bad.len() - 2..].iter().copied());
    let refused = post_form(&app, &cookies, "/tenders/new", &bad).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("href=\"#lots-0-estimated_value_pence\""),
        "{html}"
    );
    assert!(html.contains("value=\"Business intelligence\""), "{html}");
    let made = post_form(&app, &cookies, "/tenders/new", &good).await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let tender_path = location(&made).split('?').next().unwrap().to_owned();
    let id = tender_path.trim_start_matches("/tenders/").to_owned();
    let (_, shown) = page(&app, &cookies, &tender_path).await;
    assert!(
        shown.contains("Lot 1: Business intelligence")
            && shown.contains("Lot 2: Finance")
            && shown.contains("at most 1 lot(s)"),
        "{shown}"
    );
    // Below threshold a short competition is lawful: its deadline is brought forward to
    // seconds away, which the minutes of the page's fields cannot say.
    let draft = e2e::success(app.get(&format!("/api/v1/tenders/{id}"), &lead.token).await).await;
    let soon = e2e::in_seconds(4.0);
    let response = app
        .request(
            reqwest::Method::PATCH,
            &format!("/api/v1/tenders/{id}"),
            &lead.token,
        )
        .header("if-match", format!("\"{}\"", draft["version"]))
        .json(&serde_json::json!({"clarification_deadline": soon, "submission_deadline": soon}))
        .send()
        .await
        .unwrap();
    let tender = e2e::success(response).await;
    let lots: Vec<String> = tender["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(e2e::id_of)
        .collect();
    let published = post_form(
        &app,
        &cookies,
        &format!("/tenders/{id}/publish"),
        &[("csrf", CSRF), ("version", &tender["version"].to_string())],
    )
    .await;
    assert_eq!(published.status(), StatusCode::SEE_OTHER);
    e2e::success(app.assign(&lead, &tender, &evaluator).await).await;
    e2e::success(app.declare(&evaluator, &tender, false).await).await;

    // A supplier picks a lot, then bids on it; the other lot stays without its bid.
    let supplier = app.user("supplier_bidder").await;
    let supplier_cookies = browser_session(&app, &supplier.email, e2e::PASSWORD).await;
    let (_, chooser) = page(&app, &supplier_cookies, &format!("/tenders/{id}/bid")).await;
    assert!(
        chooser.contains(&format!("/tenders/{id}/bid?lot={}", lots[1]))
            && chooser.contains("no bid from your organisation"),
        "{chooser}"
    );
    let (_, form) = page(
        &app,
        &supplier_cookies,
        &format!("/tenders/{id}/bid?lot={}", lots[0]),
    )
    .await;
    assert!(form.contains("Lot 1: Business intelligence"), "{form}");
    let criterion = e2e::quality_criteria(&tender)[0].clone();
    let bid = post_form(
        &app,
        &supplier_cookies,
        &format!("/tenders/{id}/bid"),
        &[
            ("csrf", CSRF),
            ("lot_id", &lots[0]),
            ("price_pence", "90000"),
            ("offer_id", ""),
            ("responses-0-criterion_id", &criterion),
            ("responses-0-text", "Our BI approach."),
        ],
    )
    .await;
    assert_eq!(bid.status(), StatusCode::SEE_OTHER);
    assert!(location(&bid).contains(&format!("lot={}", lots[0])));
    let (_, chooser) = page(&app, &supplier_cookies, &format!("/tenders/{id}/bid")).await;
    assert!(chooser.contains("your bid: £90,000"), "{chooser}");

    // After the deadline the lead's page lists the lots; each lot has its ranking and award.
    e2e::wait_until(tender["submission_deadline"].as_str().unwrap()).await;
    let bids = e2e::success(
        app.get(&format!("/api/v1/tenders/{id}/bids"), &lead.token)
            .await,
    )
    .await;
    let bid_id = e2e::id_of(&bids["items"][0]);
    app.score_all(&evaluator, &tender, &bid_id, &[80]).await;
    let (_, overview) = page(&app, &cookies, &format!("/tenders/{id}/evaluation")).await;
    assert!(
        overview.contains(&format!("/tenders/{id}/evaluation?lot={}", lots[1]))
            && !overview.contains("Choose the bid to award"),
        "{overview}"
    );
    let (_, lot_page) = page(
        &app,
        &cookies,
        &format!("/tenders/{id}/evaluation?lot={}", lots[0]),
    )
    .await;
    assert!(lot_page.contains("Choose the bid to award"), "{lot_page}");
    let awarded = post_form(
        &app,
        &cookies,
        &format!("/tenders/{id}/award"),
        &[("csrf", CSRF), ("lot_id", &lots[0]), ("bid_id", &bid_id)],
    )
    .await;
    assert_eq!(awarded.status(), StatusCode::SEE_OTHER);
    assert!(location(&awarded).contains(&format!("lot={}", lots[0])));
    let contracted = post_form(
        &app,
        &cookies,
        &format!("/tenders/{id}/contract"),
        &[
            ("csrf", CSRF),
            ("lot_id", &lots[0]),
            ("start_date", "2031-04-01"),
            ("end_date", ""),
        ],
    )
    .await;
    assert_eq!(contracted.status(), StatusCode::SEE_OTHER);
    let declared = post_form(
        &app,
        &cookies,
        &format!("/tenders/{id}/unsuccessful"),
        &[
            ("csrf", CSRF),
            ("lot_id", &lots[1]),
            ("reason", "No bid for finance."),
        ],
    )
    .await;
    assert_eq!(declared.status(), StatusCode::SEE_OTHER);
    let (_, finished) = page(&app, &cookies, &tender_path).await;
    assert!(
        finished.contains("unsuccessful: No bid for finance.")
            && finished.contains("<strong class=\"nhsuk-tag\">awarded</strong>"),
        "{finished}"
    );
    // The supplier reads its lot's outcome from the chooser.
    let (_, outcome) = page(
        &app,
        &supplier_cookies,
        &format!("/tenders/{id}/outcome?lot={}", lots[0]),
    )
    .await;
    assert!(
        outcome.contains("Your bid was successful.") && outcome.contains("Lot 1"),
        "{outcome}"
    );
}

#[tokio::test]
async fn everyone_signed_in_reads_a_framework_and_its_suppliers_from_the_pages() {
    let app = TestApp::spawn().await;
    let terms = serde_json::json!({
        "max_suppliers": 2,
        "term_months": 48,
        "call_off_methods": ["direct_award"],
        "direct_award_rule": "lowest_annual_price",
        "eligible_buyers": "all_buyers",
    });
    let c = e2e::Competition::run(
        &app,
        &[100_000, 120_000],
        serde_json::json!({"framework": terms, "standstill_days": 0}),
    )
    .await;
    c.score_everything(&app, &[70, 70]).await;
    // The lead's page offers a tick per bid, the framework's most suppliers ticked.
    let lead = browser_session(&app, &c.lead.email, e2e::PASSWORD).await;
    let id = e2e::id_of(&c.tender);
    let (_, evaluation) = page(&app, &lead, &format!("/tenders/{id}/evaluation")).await;
    assert!(
        evaluation.contains("at most 2")
            && evaluation.contains("name=\"bid_ids\" type=\"checkbox\""),
        "{evaluation}"
    );
    let none = post_form(
        &app,
        &lead,
        &format!("/tenders/{id}/award"),
        &[("csrf", CSRF), ("framework", "1"), ("justification", "")],
    )
    .await;
    assert_eq!(none.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.text().await.unwrap().contains("href=\"#bid_ids\""));
    let awarded = post_form(
        &app,
        &lead,
        &format!("/tenders/{id}/award"),
        &[
            ("csrf", CSRF),
            ("framework", "1"),
            ("bid_ids", &c.bids[0]),
            ("bid_ids", &c.bids[1]),
            ("justification", ""),
        ],
    )
    .await;
    assert_eq!(awarded.status(), StatusCode::SEE_OTHER);
    // The lead enters the framework from its page and lands on the framework's page.
    let entered = post_form(
        &app,
        &lead,
        &format!("/tenders/{id}/contract"),
        &[
            ("csrf", CSRF),
            ("start_date", "2031-04-01"),
            ("end_date", ""),
        ],
    )
    .await;
    assert_eq!(entered.status(), StatusCode::SEE_OTHER);
    let framework_page = location(&entered)
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(
        framework_page.starts_with("/frameworks/"),
        "{framework_page}"
    );
    let supplier = browser_session(&app, &c.suppliers[1].email, e2e::PASSWORD).await;
    let (status, html) = page(&app, &supplier, &framework_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Procurement support service")
            && html.contains("2031-04-01 to 2035-03-31")
            && html.contains("<h2>Suppliers</h2>")
            && !html.contains("No supplier holds a place."),
        "{html}"
    );
    let (status, list) = page(&app, &supplier, "/frameworks").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(framework_page.as_str()), "{list}");
    // Signed out, the pages ask for a sign-in.
    let (status, _) = page(&app, "", &framework_page).await;
    assert_ne!(status, StatusCode::OK);
}
