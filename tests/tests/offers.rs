//! The service catalogue: suppliers create, price, publish and withdraw their own offers; everyone
//! signed in finds, filters, sorts and compares published ones; nobody else changes them.

use domain::ids::OfferId;
use domain::offer::tie_break_key;
use e2e::{TestApp, TestUser, assert_problem, json_body, offer_json, pointers};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

fn id_of(offer: &Value) -> String {
    offer["id"].as_str().unwrap().to_owned()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|items| items.iter().map(id_of).collect())
        .unwrap()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn etag(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app.get(&format!("/api/v1/offers?{query}"), token).await;
    let status = response.status();
    let body = json_body(response).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body
}

async fn action(app: &TestApp, who: &TestUser, id: &str, verb: &str) -> reqwest::Response {
    app.send(
        Method::POST,
        &format!("/api/v1/offers/{id}/{verb}"),
        Some(&who.token),
        None,
    )
    .await
}

async fn patch_offer(
    app: &TestApp,
    who: &TestUser,
    id: &str,
    if_match: &str,
    body: Value,
) -> reqwest::Response {
    app.request(Method::PATCH, &format!("/api/v1/offers/{id}"), &who.token)
        .header("if-match", if_match)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn reference_data_lists_the_categories_and_the_seven_regions() {
    let app = TestApp::spawn().await;
    let buyer = app.user("buyer_lead").await;
    let categories = json_body(app.get("/api/v1/categories", &buyer.token).await).await;
    let codes: Vec<&str> = categories["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["code"].as_str()).collect())
        .unwrap();
    for code in [
        "procurement",
        "contracting",
        "data_analysis_bi",
        "finance",
        "hr",
        "it",
        "communications_engagement",
        "medicines_optimisation",
        "continuing_healthcare",
        "primary_care_support",
    ] {
        assert!(codes.contains(&code), "{code} missing from {categories}");
    }
    assert!(
        categories["items"][0]["name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    let regions = json_body(app.get("/api/v1/regions", &buyer.token).await).await;
    let codes: Vec<&str> = regions["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["code"].as_str()).collect())
        .unwrap();
    assert_eq!(
        sorted(codes.iter().map(|c| (*c).to_owned()).collect()),
        sorted(
            [
                "east_of_england",
                "london",
                "midlands",
                "north_east_and_yorkshire",
                "north_west",
                "south_east",
                "south_west"
            ]
            .map(str::to_owned)
            .to_vec()
        )
    );
    for path in ["/api/v1/categories", "/api/v1/regions", "/api/v1/offers"] {
        let anonymous = app.send(Method::GET, path, None, None).await;
        assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
    }
}

#[tokio::test]
async fn a_supplier_creates_publishes_and_withdraws_its_offer() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let response = app
        .post("/api/v1/offers", &supplier.token, offer_json(json!({})))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(etag(&response), "\"1\"");
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let draft = json_body(response).await;
    let id = id_of(&draft);
    assert_eq!(location, format!("/api/v1/offers/{id}"));
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["supplier_id"], json!(supplier.organisation_id));
    assert_eq!(draft["unit_price_pence"], 65_000);
    assert_eq!(draft["price_label"], "£650.00 per day");
    assert_eq!(draft["price_effective_from"], json!(null));
    assert_eq!(draft["published_at"], json!(null));

    let published = action(&app, &supplier, &id, "publish").await;
    assert_eq!(published.status(), StatusCode::OK);
    assert_eq!(etag(&published), "\"2\"");
    let published = json_body(published).await;
    assert_eq!(published["status"], "published");
    assert!(published["published_at"].is_string());
    assert_eq!(published["price_effective_from"], published["published_at"]);

    let again = action(&app, &supplier, &id, "publish").await;
    assert_problem(again, StatusCode::CONFLICT).await;

    let withdrawn = action(&app, &supplier, &id, "withdraw").await;
    assert_eq!(withdrawn.status(), StatusCode::OK);
    let withdrawn = json_body(withdrawn).await;
    assert_eq!(withdrawn["status"], "withdrawn");
    assert!(withdrawn["withdrawn_at"].is_string());

    for verb in ["withdraw", "publish"] {
        let refused = action(&app, &supplier, &id, verb).await;
        assert_problem(refused, StatusCode::CONFLICT).await;
    }
    let edit = patch_offer(&app, &supplier, &id, "\"3\"", json!({"title": "New"})).await;
    assert_problem(edit, StatusCode::CONFLICT).await;
    // Kept forever, and still readable by its supplier.
    let kept = json_body(app.get(&location, &supplier.token).await).await;
    assert_eq!(kept["status"], "withdrawn");
    assert_eq!(kept["title"], draft["title"]);
}

#[tokio::test]
async fn a_draft_cannot_be_withdrawn() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let draft = app.create_offer(&supplier, json!({})).await;
    let refused = action(&app, &supplier, &id_of(&draft), "withdraw").await;
    let problem = assert_problem(refused, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("published"))
    );
}

#[tokio::test]
async fn only_a_supplier_bidder_may_create_offers() {
    let app = TestApp::spawn().await;
    let mut tokens = vec![app.admin_token.clone()];
    for role in ["buyer_lead", "buyer_evaluator", "regulator"] {
        tokens.push(app.user(role).await.token);
    }
    for token in tokens {
        let refused = app
            .post("/api/v1/offers", &token, offer_json(json!({})))
            .await;
        assert_problem(refused, StatusCode::FORBIDDEN).await;
    }
    let search = search(&app, &app.admin_token, "status=draft").await;
    assert_eq!(search["total"], 0, "nothing was created");
}

#[tokio::test]
async fn nobody_but_the_supplier_changes_its_offers() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let rival = app.user("supplier_bidder").await;
    let buyer = app.user("buyer_lead").await;
    let evaluator = app.user("buyer_evaluator").await;
    let regulator = app.user("regulator").await;
    let draft = app.create_offer(&supplier, json!({})).await;
    let draft_id = id_of(&draft);

    // Another supplier cannot tell that the draft exists.
    let edit = patch_offer(&app, &rival, &draft_id, "\"1\"", json!({"title": "Mine"})).await;
    assert_problem(edit, StatusCode::NOT_FOUND).await;
    for verb in ["publish", "withdraw"] {
        let refused = action(&app, &rival, &draft_id, verb).await;
        assert_problem(refused, StatusCode::NOT_FOUND).await;
    }
    // Roles that never manage offers are refused for the role.
    for who in [&buyer, &evaluator, &regulator] {
        let edit = patch_offer(&app, who, &draft_id, "\"1\"", json!({"title": "Mine"})).await;
        assert_problem(edit, StatusCode::FORBIDDEN).await;
        let publish = action(&app, who, &draft_id, "publish").await;
        assert_problem(publish, StatusCode::FORBIDDEN).await;
    }

    let published = action(&app, &supplier, &draft_id, "publish").await;
    assert_eq!(published.status(), StatusCode::OK);
    // Once published it is visible, so another supplier is refused rather than told "not found".
    let edit = patch_offer(&app, &rival, &draft_id, "\"2\"", json!({"title": "Mine"})).await;
    assert_problem(edit, StatusCode::FORBIDDEN).await;
    let withdraw = action(&app, &rival, &draft_id, "withdraw").await;
    assert_problem(withdraw, StatusCode::FORBIDDEN).await;
    for who in [&buyer, &evaluator, &regulator] {
        let withdraw = action(&app, who, &draft_id, "withdraw").await;
        assert_problem(withdraw, StatusCode::FORBIDDEN).await;
    }
    let admin = app
        .send(
            Method::POST,
            &format!("/api/v1/offers/{draft_id}/withdraw"),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_problem(admin, StatusCode::FORBIDDEN).await;

    let unchanged = json_body(
        app.get(&format!("/api/v1/offers/{draft_id}"), &buyer.token)
            .await,
    )
    .await;
    assert_eq!(unchanged["title"], draft["title"]);
    assert_eq!(unchanged["status"], "published");
    assert_eq!(unchanged["version"], 2);
}

#[tokio::test]
async fn drafts_are_seen_only_by_their_own_organisation() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let colleague = app
        .user_in("supplier_bidder", &supplier.organisation_id)
        .await;
    let draft = app.create_offer(&supplier, json!({})).await;
    let path = format!("/api/v1/offers/{}", id_of(&draft));

    let seen = app.get(&path, &colleague.token).await;
    assert_eq!(seen.status(), StatusCode::OK);
    let mut outsiders = vec![app.admin_token.clone()];
    for role in [
        "supplier_bidder",
        "buyer_lead",
        "buyer_evaluator",
        "regulator",
    ] {
        outsiders.push(app.user(role).await.token);
    }
    for token in &outsiders {
        assert_problem(app.get(&path, token).await, StatusCode::NOT_FOUND).await;
        let history = app.get(&format!("{path}/price-history"), token).await;
        assert_problem(history, StatusCode::NOT_FOUND).await;
        let listed = search(&app, token, "status=draft").await;
        assert_eq!(listed["total"], 0);
        let published = search(&app, token, "").await;
        assert_eq!(published["total"], 0);
    }
    let own = search(&app, &colleague.token, "status=draft").await;
    assert_eq!(ids(&own), [id_of(&draft)]);
}

#[tokio::test]
async fn withdrawn_offers_are_seen_by_their_supplier_the_regulator_and_admins_only() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let offer = app.published_offer(&supplier, json!({})).await;
    let id = id_of(&offer);
    let buyer = app.user("buyer_lead").await;
    let rival = app.user("supplier_bidder").await;
    let regulator = app.user("regulator").await;
    let path = format!("/api/v1/offers/{id}");
    assert_eq!(app.get(&path, &buyer.token).await.status(), StatusCode::OK);

    let withdrawn = action(&app, &supplier, &id, "withdraw").await;
    assert_eq!(withdrawn.status(), StatusCode::OK);

    for token in [&buyer.token, &rival.token] {
        assert_problem(app.get(&path, token).await, StatusCode::NOT_FOUND).await;
        let listed = search(&app, token, "status=withdrawn").await;
        assert_eq!(listed["total"], 0);
    }
    for token in [&supplier.token, &regulator.token, &app.admin_token] {
        let seen = json_body(app.get(&path, token).await).await;
        assert_eq!(seen["status"], "withdrawn", "{seen}");
        let listed = search(&app, token, "status=withdrawn").await;
        assert_eq!(ids(&listed), [id.as_str()]);
    }
    let published = search(&app, &buyer.token, "").await;
    assert_eq!(
        published["total"], 0,
        "a withdrawn offer leaves the catalogue"
    );
}

#[tokio::test]
async fn a_price_change_is_added_to_the_history_and_the_old_price_stays_answerable() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let buyer = app.user("buyer_lead").await;
    let draft = app.create_offer(&supplier, json!({})).await;
    let id = id_of(&draft);
    let path = format!("/api/v1/offers/{id}");

    // A draft's price is not yet offered: changing it makes no history.
    let repriced = patch_offer(
        &app,
        &supplier,
        &id,
        "\"1\"",
        json!({"unit_price_pence": 60_000}),
    )
    .await;
    assert_eq!(repriced.status(), StatusCode::OK);
    let history = json_body(
        app.get(&format!("{path}/price-history"), &supplier.token)
            .await,
    )
    .await;
    assert_eq!(history["total"], 0);

    let published = json_body(action(&app, &supplier, &id, "publish").await).await;
    let first_at = published["price_effective_from"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = json_body(
        patch_offer(
            &app,
            &supplier,
            &id,
            "\"3\"",
            json!({"unit_price_pence": 70_000}),
        )
        .await,
    )
    .await;
    let second_at = second["price_effective_from"].as_str().unwrap().to_owned();
    let third = json_body(
        patch_offer(
            &app,
            &supplier,
            &id,
            "\"4\"",
            json!({"pricing_unit": "per_month", "unit_price_pence": 1_200_000}),
        )
        .await,
    )
    .await;
    assert_eq!(third["unit_price_pence"], 1_200_000);
    assert_eq!(third["price_label"], "£12,000.00 a month");
    // A change that does not touch the price adds nothing.
    let retitled = patch_offer(&app, &supplier, &id, "\"5\"", json!({"title": "Renamed"})).await;
    assert_eq!(retitled.status(), StatusCode::OK);

    let history = json_body(
        app.get(&format!("{path}/price-history"), &buyer.token)
            .await,
    )
    .await;
    assert_eq!(history["total"], 3, "{history}");
    let prices: Vec<i64> = history["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["unit_price_pence"].as_i64())
                .collect()
        })
        .unwrap();
    assert_eq!(prices, [1_200_000, 70_000, 60_000], "newest first");
    assert_eq!(history["items"][2]["effective_from"], json!(first_at));
    assert_eq!(history["items"][1]["effective_from"], json!(second_at));
    assert_eq!(history["items"][0]["pricing_unit"], "per_month");
    assert!(first_at < second_at, "{first_at} < {second_at}");

    let at = |instant: &str| {
        let url = format!(
            "{path}?at={}",
            instant.replace(':', "%3A").replace('+', "%2B")
        );
        let token = buyer.token.clone();
        let app = &app;
        async move { app.get(&url, &token).await }
    };
    let then = json_body(at(&first_at).await).await;
    assert_eq!(then["unit_price_pence"], 60_000, "{then}");
    assert_eq!(then["pricing_unit"], "day_rate");
    assert_eq!(then["price_effective_from"], json!(first_at));
    let later = json_body(at(&second_at).await).await;
    assert_eq!(later["unit_price_pence"], 70_000);
    let now = json_body(app.get(&path, &buyer.token).await).await;
    assert_eq!(now["unit_price_pence"], 1_200_000);
    let before = at("2020-01-01T00:00:00Z").await;
    assert_problem(before, StatusCode::NOT_FOUND).await;
    let bad = at("yesterday").await;
    let problem = assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), ["/at"]);
}

#[tokio::test]
async fn an_edit_needs_the_current_etag() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let draft = app.create_offer(&supplier, json!({})).await;
    let path = format!("/api/v1/offers/{}", id_of(&draft));

    let read = app.get(&path, &supplier.token).await;
    assert_eq!(etag(&read), "\"1\"");

    let without = app
        .patch(&path, &supplier.token, json!({"title": "No precondition"}))
        .await;
    assert_problem(without, StatusCode::PRECONDITION_REQUIRED).await;

    let first = patch_offer(
        &app,
        &supplier,
        &id_of(&draft),
        "\"1\"",
        json!({"title": "First edit"}),
    )
    .await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(etag(&first), "\"2\"");

    // A second editor who read version 1 is told it changed, and nothing is overwritten.
    let stale = patch_offer(
        &app,
        &supplier,
        &id_of(&draft),
        "\"1\"",
        json!({"title": "Lost update"}),
    )
    .await;
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let weak = patch_offer(
        &app,
        &supplier,
        &id_of(&draft),
        "W/\"2\"",
        json!({"title": "Weak"}),
    )
    .await;
    assert_problem(weak, StatusCode::PRECONDITION_FAILED).await;
    let current = json_body(app.get(&path, &supplier.token).await).await;
    assert_eq!(current["title"], "First edit");
    assert_eq!(current["version"], 2);

    // A stale ETag on publish is refused too.
    let publish = app
        .request(Method::POST, &format!("{path}/publish"), &supplier.token)
        .header("if-match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_problem(publish, StatusCode::PRECONDITION_FAILED).await;
}

#[tokio::test]
async fn every_bad_field_is_named_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let huge = "x".repeat(100 * 1024);
    let cases: Vec<(Value, &str)> = vec![
        (json!({"unit_price_pence": -100}), "/unit_price_pence"),
        (json!({"unit_price_pence": 0}), "/unit_price_pence"),
        (
            json!({"unit_price_pence": 20_000_000_000_i64}),
            "/unit_price_pence",
        ),
        (json!({"unit_price_pence": "650"}), "/unit_price_pence"),
        (json!({"category": "astrology"}), "/category"),
        (json!({"category": ""}), "/category"),
        (json!({"regions": []}), "/regions"),
        (json!({"regions": ["atlantis"]}), "/regions/0"),
        (json!({"pricing_unit": "per_hour"}), "/pricing_unit"),
        (json!({"title": huge}), "/title"),
        (json!({"title": "   "}), "/title"),
        (json!({"summary": "s".repeat(501)}), "/summary"),
        (json!({"description": ""}), "/description"),
        (json!({"minimum_term_months": 0}), "/minimum_term_months"),
        (json!({"minimum_term_months": 121}), "/minimum_term_months"),
    ];
    for (change, pointer) in cases {
        let response = app
            .post(
                "/api/v1/offers",
                &supplier.token,
                offer_json(change.clone()),
            )
            .await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(
            pointers(&problem).iter().any(|p| p == pointer),
            "{change}: expected {pointer} in {problem}"
        );
    }
    let mut missing = offer_json(json!({}));
    missing.as_object_mut().expect("an object").remove("title");
    let response = app.post("/api/v1/offers", &supplier.token, missing).await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), ["/title"]);
    let unknown = app
        .post(
            "/api/v1/offers",
            &supplier.token,
            offer_json(json!({"colour": "blue"})),
        )
        .await;
    assert_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY).await;

    let listed = search(&app, &supplier.token, "status=draft").await;
    assert_eq!(listed["total"], 0, "no bad offer was saved");

    // The same rules hold for an edit, which then changes nothing.
    let draft = app.create_offer(&supplier, json!({})).await;
    for (change, pointer) in [
        (json!({"unit_price_pence": -1}), "/unit_price_pence"),
        (json!({"category": "astrology"}), "/category"),
        (json!({"regions": []}), "/regions"),
        (json!({"title": "x".repeat(201)}), "/title"),
        (json!({}), ""),
    ] {
        let response = patch_offer(&app, &supplier, &id_of(&draft), "\"1\"", change.clone()).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(
            pointers(&problem).iter().any(|p| p == pointer),
            "{change}: expected {pointer:?} in {problem}"
        );
    }
    let after = json_body(
        app.get(
            &format!("/api/v1/offers/{}", id_of(&draft)),
            &supplier.token,
        )
        .await,
    )
    .await;
    assert_eq!(after["version"], 1);

    for (query, pointer) in [
        ("per_page=1000", "/per_page"),
        ("per_page=0", "/per_page"),
        ("page=0", "/page"),
        ("min_price_pence=-5", "/min_price_pence"),
        (
            "min_price_pence=500&max_price_pence=100",
            "/max_price_pence",
        ),
        ("region=atlantis", "/region"),
        ("sort=cheapest", "/sort"),
        ("supplier=not-a-uuid", "/supplier"),
        ("pricing_unit=per_hour", "/pricing_unit"),
    ] {
        let response = app
            .get(&format!("/api/v1/offers?{query}"), &supplier.token)
            .await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(
            pointers(&problem).iter().any(|p| p == pointer),
            "{query}: expected {pointer} in {problem}"
        );
    }
}

/// Two suppliers' offers with distinct categories, regions, units and prices, plus a draft and a
/// withdrawn offer that a search must never return.
struct Catalogue {
    supplier_a: TestUser,
    supplier_b: TestUser,
    a_accounts: String,
    a_payroll: String,
    b_finance: String,
    b_service_desk: String,
}

async fn catalogue(app: &TestApp) -> Catalogue {
    let supplier_a = app.user("supplier_bidder").await;
    let supplier_b = app.user("supplier_bidder").await;
    let a_accounts = app
        .published_offer(
            &supplier_a,
            json!({"category": "finance", "regions": ["london", "south_east"],
                   "title": "Accounts payable and receivable",
                   "summary": "Transactional accounting for ICBs.",
                   "description": "Invoices, purchase orders and month-end reconciliations.",
                   "pricing_unit": "fixed_annual", "unit_price_pence": 12_000_000}),
        )
        .await;
    let a_payroll = app
        .published_offer(
            &supplier_a,
            json!({"category": "hr", "regions": ["north_west"],
                   "title": "Payroll and workforce advisory",
                   "summary": "Payroll bureau with HR case management.",
                   "description": "Monthly payroll runs, pensions returns and employee relations advice.",
                   "pricing_unit": "per_fte_month", "unit_price_pence": 450_000}),
        )
        .await;
    let b_finance = app
        .published_offer(
            &supplier_b,
            json!({"category": "finance", "regions": ["north_west"],
                   "title": "Interim finance business partner",
                   "summary": "Experienced interim finance support for budget setting.",
                   "description": "A qualified accountant for budget setting and financial planning.",
                   "pricing_unit": "day_rate", "unit_price_pence": 70_000}),
        )
        .await;
    let b_service_desk = app
        .published_offer(
            &supplier_b,
            json!({"category": "it", "regions": ["london"],
                   "title": "IT service desk",
                   "summary": "First and second line support for GP practices.",
                   "description": "Telephone and portal support, device management and patching.",
                   "pricing_unit": "per_month", "unit_price_pence": 900_000}),
        )
        .await;
    app.create_offer(
        &supplier_b,
        json!({"category": "finance", "regions": ["london"], "title": "Draft finance offer"}),
    )
    .await;
    let withdrawn = app
        .published_offer(
            &supplier_a,
            json!({"category": "finance", "regions": ["london"], "title": "Old finance offer"}),
        )
        .await;
    let response = action(app, &supplier_a, &id_of(&withdrawn), "withdraw").await;
    assert_eq!(response.status(), StatusCode::OK);
    Catalogue {
        a_accounts: id_of(&a_accounts),
        a_payroll: id_of(&a_payroll),
        b_finance: id_of(&b_finance),
        b_service_desk: id_of(&b_service_desk),
        supplier_a,
        supplier_b,
    }
}

#[tokio::test]
async fn search_filters_work_alone_and_together() {
    let app = TestApp::spawn().await;
    let c = catalogue(&app).await;
    let buyer = app.user("buyer_lead").await;
    let a = &c.supplier_a.organisation_id;
    let b = &c.supplier_b.organisation_id;
    let cases: Vec<(String, Vec<&String>)> = vec![
        (
            String::new(),
            vec![&c.a_accounts, &c.a_payroll, &c.b_finance, &c.b_service_desk],
        ),
        ("category=finance".into(), vec![&c.a_accounts, &c.b_finance]),
        (
            "region=london".into(),
            vec![&c.a_accounts, &c.b_service_desk],
        ),
        ("region=north_west".into(), vec![&c.a_payroll, &c.b_finance]),
        ("region=south_west".into(), vec![]),
        (format!("supplier={a}"), vec![&c.a_accounts, &c.a_payroll]),
        ("pricing_unit=day_rate".into(), vec![&c.b_finance]),
        (
            "min_price_pence=500000".into(),
            vec![&c.a_accounts, &c.b_service_desk],
        ),
        (
            "max_price_pence=500000".into(),
            vec![&c.a_payroll, &c.b_finance],
        ),
        (
            "min_price_pence=70000&max_price_pence=70000".into(),
            vec![&c.b_finance],
        ),
        ("q=payroll".into(), vec![&c.a_payroll]),
        ("q=budget".into(), vec![&c.b_finance]),
        // Stemmed on both databases: "reconciliation" finds "reconciliations".
        ("q=reconciliation".into(), vec![&c.a_accounts]),
        ("q=support".into(), vec![&c.b_finance, &c.b_service_desk]),
        ("q=unicorn".into(), vec![]),
        (
            "category=finance&region=north_west".into(),
            vec![&c.b_finance],
        ),
        (
            format!("category=finance&supplier={b}&max_price_pence=100000"),
            vec![&c.b_finance],
        ),
        (
            format!("q=support&region=london&supplier={b}&pricing_unit=per_month"),
            vec![&c.b_service_desk],
        ),
        (
            "q=support&category=finance&min_price_pence=100000".into(),
            vec![],
        ),
    ];
    for (query, expected) in cases {
        let found = search(&app, &buyer.token, &query).await;
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(sorted(ids(&found)), sorted(expected.clone()), "{query}");
        assert_eq!(found["total"], json!(expected.len()), "{query}");
    }
    let card = search(&app, &buyer.token, "pricing_unit=per_month").await;
    let item = &card["items"][0];
    assert_eq!(item["supplier_id"], json!(b));
    assert!(
        item["supplier_name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    assert_eq!(item["unit_price_pence"], 900_000);
    assert_eq!(item["annual_price_pence"], 10_800_000);
    assert_eq!(item["price_label"], "£9,000.00 a month");
}

#[tokio::test]
async fn sorting_by_price_and_by_newest() {
    let app = TestApp::spawn().await;
    let c = catalogue(&app).await;
    let buyer = app.user("buyer_lead").await;
    let asc = search(&app, &buyer.token, "sort=price_asc").await;
    assert_eq!(
        ids(&asc),
        [
            c.b_finance.as_str(),
            &c.a_payroll,
            &c.b_service_desk,
            &c.a_accounts
        ]
    );
    let desc = search(&app, &buyer.token, "sort=price_desc").await;
    assert_eq!(
        ids(&desc),
        [
            c.a_accounts.as_str(),
            &c.b_service_desk,
            &c.a_payroll,
            &c.b_finance
        ]
    );
    let newest = search(&app, &buyer.token, "sort=newest").await;
    assert_eq!(
        ids(&newest),
        [
            c.b_service_desk.as_str(),
            &c.b_finance,
            &c.a_payroll,
            &c.a_accounts
        ]
    );
}

#[tokio::test]
async fn text_ranking_puts_the_better_match_first() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let passing = app
        .published_offer(
            &supplier,
            json!({"category": "finance", "title": "Finance support",
                   "summary": "Budgets, ledgers and reporting.",
                   "description": "Includes budget monitoring for continuing healthcare packages."}),
        )
        .await;
    let best = app
        .published_offer(
            &supplier,
            json!({"category": "continuing_healthcare", "title": "Continuing healthcare assessments",
                   "summary": "Continuing healthcare eligibility reviews and continuing healthcare appeals.",
                   "description": "Nurse assessors run continuing healthcare checklists and full assessments."}),
        )
        .await;
    let middle = app
        .published_offer(
            &supplier,
            json!({"category": "continuing_healthcare", "title": "Brokerage for care packages",
                   "summary": "Placements for continuing healthcare patients.",
                   "description": "Care home brokerage for people eligible for continuing healthcare."}),
        )
        .await;
    let buyer = app.user("buyer_lead").await;
    let found = search(&app, &buyer.token, "q=continuing+healthcare").await;
    assert_eq!(
        ids(&found),
        [id_of(&best), id_of(&middle), id_of(&passing)],
        "{found}"
    );
    // Stop words and punctuation do not change what is found.
    let wordy = search(
        &app,
        &buyer.token,
        "q=the+continuing+healthcare%2C+for+assessments%21",
    )
    .await;
    assert_eq!(ids(&wordy), [id_of(&best)]);
}

#[tokio::test]
async fn pages_report_the_total_and_cover_every_offer_once() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let mut created = Vec::new();
    for n in 0..23 {
        let offer = app
            .published_offer(&supplier, json!({"unit_price_pence": 10_000 + n}))
            .await;
        created.push(id_of(&offer));
    }
    let buyer = app.user("buyer_lead").await;
    let mut seen = Vec::new();
    for page in 1..=3 {
        let found = search(
            &app,
            &buyer.token,
            &format!("per_page=10&page={page}&sort=price_asc"),
        )
        .await;
        assert_eq!(found["total"], 23);
        assert_eq!(found["total_exact"], true);
        assert_eq!(found["page"], page);
        assert_eq!(found["per_page"], 10);
        assert_eq!(
            found["items"].as_array().map(Vec::len),
            Some(if page == 3 { 3 } else { 10 })
        );
        seen.extend(ids(&found));
    }
    assert_eq!(seen, created, "price order, each offer once");
    let beyond = search(&app, &buyer.token, "per_page=10&page=4").await;
    assert_eq!(beyond["total"], 23);
    assert_eq!(beyond["items"], json!([]));
    let default = search(&app, &buyer.token, "").await;
    assert_eq!(default["per_page"], 20);
    assert_eq!(default["items"].as_array().map(Vec::len), Some(20));
}

#[tokio::test]
async fn beyond_the_count_limit_the_total_says_more_than() {
    let app = TestApp::spawn_with_search_total_limit(20).await;
    let supplier = app.user("supplier_bidder").await;
    for n in 0..23 {
        let unit = if n < 5 { "day_rate" } else { "fixed_annual" };
        app.published_offer(
            &supplier,
            json!({"unit_price_pence": 10_000 + n, "pricing_unit": unit}),
        )
        .await;
    }
    let buyer = app.user("buyer_lead").await;

    let first = search(&app, &buyer.token, "per_page=10&page=1&sort=price_asc").await;
    assert_eq!(first["total"], 20, "{first}");
    assert_eq!(first["total_exact"], false, "more than 20 match");
    assert_eq!(first["items"].as_array().map(Vec::len), Some(10));

    let last = search(&app, &buyer.token, "per_page=10&page=3&sort=price_asc").await;
    assert_eq!(last["total"], 23, "the last page tells the exact total");
    assert_eq!(last["total_exact"], true);

    let beyond = search(&app, &buyer.token, "per_page=10&page=9").await;
    assert_eq!(beyond["total"], 20);
    assert_eq!(beyond["total_exact"], false);
    assert_eq!(beyond["items"], json!([]));

    let day_rates = search(&app, &buyer.token, "pricing_unit=day_rate&per_page=2").await;
    assert_eq!(day_rates["total"], 5, "{day_rates}");
    assert_eq!(day_rates["total_exact"], true);

    let exactly = search(&app, &buyer.token, "pricing_unit=fixed_annual&per_page=10").await;
    assert_eq!(exactly["total"], 18);
    assert_eq!(exactly["total_exact"], true, "18 is within the limit");
}

#[tokio::test]
async fn equal_offers_are_ordered_by_a_stable_hash_never_by_name() {
    let app = TestApp::spawn().await;
    let mut created = Vec::new();
    // Suppliers and titles in alphabetical order, all at the same price.
    for name in [
        "Aardvark Analytics",
        "Beacon CSU",
        "Crescent Data",
        "Delta Health",
        "Ember BI",
        "Fenwick Finance",
    ] {
        let org = app
            .post(
                "/api/v1/organisations",
                &app.admin_token,
                json!({"name": name, "kind": "supplier"}),
            )
            .await;
        let org = json_body(org).await;
        let supplier = app
            .user_in("supplier_bidder", org["id"].as_str().unwrap())
            .await;
        let offer = app
            .published_offer(&supplier, json!({"title": format!("{name} analytics")}))
            .await;
        created.push(id_of(&offer));
    }
    let mut expected = created.clone();
    expected.sort_by_key(|id| tie_break_key(OfferId::from_uuid(Uuid::parse_str(id).unwrap())));

    let buyer = app.user("buyer_lead").await;
    for query in ["sort=price_asc", "sort=price_desc", "", "q=analytics"] {
        let first = search(&app, &buyer.token, query).await;
        let second = search(&app, &buyer.token, query).await;
        assert_eq!(ids(&first), ids(&second), "{query}: stable");
        if !query.starts_with("q=") {
            assert_eq!(ids(&first), expected, "{query}: the hash order");
        }
    }
    // The same order holds across pages.
    let mut paged = Vec::new();
    for page in 1..=3 {
        let found = search(
            &app,
            &buyer.token,
            &format!("sort=price_asc&per_page=2&page={page}"),
        )
        .await;
        paged.extend(ids(&found));
    }
    assert_eq!(paged, expected);
}

#[tokio::test]
async fn offers_are_compared_side_by_side_with_annual_prices() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let rival = app.user("supplier_bidder").await;
    let annual = app
        .published_offer(
            &supplier,
            json!({"pricing_unit": "fixed_annual", "unit_price_pence": 9_000_000}),
        )
        .await;
    let monthly = app
        .published_offer(
            &rival,
            json!({"pricing_unit": "per_month", "unit_price_pence": 700_000}),
        )
        .await;
    let daily = app
        .published_offer(
            &rival,
            json!({"pricing_unit": "day_rate", "unit_price_pence": 65_000}),
        )
        .await;
    let population = app
        .published_offer(
            &supplier,
            json!({"pricing_unit": "per_1000_population_year", "unit_price_pence": 12_345}),
        )
        .await;
    let buyer = app.user("buyer_lead").await;
    let list = [&daily, &annual, &monthly, &population]
        .map(id_of)
        .join(",");
    let compared = json_body(
        app.get(
            &format!("/api/v1/offers/compare?ids={list}&days_per_year=120"),
            &buyer.token,
        )
        .await,
    )
    .await;
    let items = compared["items"].as_array().cloned().unwrap();
    assert_eq!(items.len(), 4, "{compared}");
    assert_eq!(items[0]["offer"]["id"], daily["id"], "in the order asked");
    assert_eq!(items[0]["annual_price_pence"], 7_800_000);
    assert!(
        items[0]["annualisation"]
            .as_str()
            .is_some_and(|a| a.contains("120 days"))
    );
    assert_eq!(items[1]["annual_price_pence"], 9_000_000);
    assert_eq!(items[2]["annual_price_pence"], 8_400_000);
    assert!(
        items[2]["annualisation"]
            .as_str()
            .is_some_and(|a| a.contains("12 months"))
    );
    assert_eq!(items[3]["annual_price_pence"], json!(null));
    assert!(
        items[3]["annualisation"]
            .as_str()
            .is_some_and(|a| a.contains("population"))
    );
    assert_eq!(
        items[1]["offer"]["supplier_id"],
        json!(supplier.organisation_id)
    );

    let with_population = json_body(
        app.get(
            &format!(
                "/api/v1/offers/compare?ids={},{}&population=250500",
                id_of(&population),
                id_of(&annual)
            ),
            &buyer.token,
        )
        .await,
    )
    .await;
    // 123.45 per 1,000 a year × 250.5 thousand = £30,924.225 → 3,092,423 pence.
    assert_eq!(with_population["items"][0]["annual_price_pence"], 3_092_423);

    let draft = app.create_offer(&rival, json!({})).await;
    let eleven: Vec<String> = (0..11).map(|_| Uuid::new_v4().to_string()).collect();
    for (query, status) in [
        (
            format!("ids={}", id_of(&annual)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("ids={},{}", id_of(&annual), id_of(&annual)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("ids={}", eleven.join(",")),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("ids={},banana", id_of(&annual)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("ids={},{}&fte=0", id_of(&annual), id_of(&monthly)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("ids={},{}", id_of(&annual), Uuid::new_v4()),
            StatusCode::NOT_FOUND,
        ),
        // Another supplier's draft is as good as absent.
        (
            format!("ids={},{}", id_of(&annual), id_of(&draft)),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let response = app
            .get(&format!("/api/v1/offers/compare?{query}"), &buyer.token)
            .await;
        assert_problem(response, status).await;
    }
}

#[tokio::test]
async fn every_change_to_an_offer_is_audited() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let draft = app.create_offer(&supplier, json!({})).await;
    let id = id_of(&draft);
    let edited = patch_offer(&app, &supplier, &id, "\"1\"", json!({"title": "Renamed"})).await;
    assert_eq!(edited.status(), StatusCode::OK);
    assert_eq!(
        action(&app, &supplier, &id, "publish").await.status(),
        StatusCode::OK
    );
    let repriced = patch_offer(
        &app,
        &supplier,
        &id,
        "\"3\"",
        json!({"unit_price_pence": 80_000}),
    )
    .await;
    assert_eq!(repriced.status(), StatusCode::OK);
    assert_eq!(
        action(&app, &supplier, &id, "withdraw").await.status(),
        StatusCode::OK
    );
    // A refused change leaves no entry.
    let refused = patch_offer(&app, &supplier, &id, "\"5\"", json!({"title": "Late"})).await;
    assert_problem(refused, StatusCode::CONFLICT).await;

    let audit = json_body(
        app.get(
            &format!("/api/v1/audit?entity_type=offer&entity_id={id}"),
            &app.admin_token,
        )
        .await,
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap();
    assert_eq!(
        actions,
        [
            "offer.withdrawn",
            "offer.price_changed",
            "offer.published",
            "offer.updated",
            "offer.created"
        ]
    );
    let price_change = &audit["items"][1];
    assert_eq!(price_change["before"]["unit_price_pence"], 65_000);
    assert_eq!(price_change["after"]["unit_price_pence"], 80_000);
    assert_eq!(price_change["actor_user_id"], json!(supplier.id));
    assert_eq!(
        price_change["actor_organisation_id"],
        json!(supplier.organisation_id)
    );
    assert_eq!(audit["items"][3]["before"]["title"], draft["title"]);
    assert_eq!(audit["items"][3]["after"]["title"], "Renamed");
    let verified = json_body(app.get("/api/v1/audit/verify", &app.admin_token).await).await;
    assert_eq!(verified["valid"], true);
}

#[tokio::test]
async fn concurrent_edits_of_one_version_let_exactly_one_through() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let draft = app.create_offer(&supplier, json!({})).await;
    let url = app.url(&format!("/api/v1/offers/{}", id_of(&draft)));
    let mut tasks = Vec::new();
    for n in 0..6 {
        let request = app
            .client
            .patch(&url)
            .bearer_auth(&supplier.token)
            .header("if-match", "\"1\"")
            .json(&json!({"title": format!("Edit {n}")}));
        tasks.push(tokio::spawn(async move {
            request.send().await.map(|r| r.status()).ok()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.ok().flatten());
    }
    let ok = statuses
        .iter()
        .filter(|s| **s == Some(StatusCode::OK))
        .count();
    let stale = statuses
        .iter()
        .filter(|s| **s == Some(StatusCode::PRECONDITION_FAILED))
        .count();
    assert_eq!((ok, stale), (1, 5), "{statuses:?}");
    let current = json_body(
        app.get(
            &format!("/api/v1/offers/{}", id_of(&draft)),
            &supplier.token,
        )
        .await,
    )
    .await;
    assert_eq!(current["version"], 2);
}

#[tokio::test]
async fn a_buyer_in_the_demo_market_finds_filters_and_compares_offers() {
    let app = TestApp::spawn_demo().await;
    let buyer = app
        .login("lead@gm-icb.nhs.example", server::demo::DEMO_PASSWORD)
        .await;
    let all = search(&app, &buyer, "per_page=100").await;
    let total = all["total"].as_u64().unwrap_or(0);
    // Over a hundred were published; the Anglia takeover withdrew Anglia CSU's.
    assert!(total >= 90, "{total} published offers");
    let suppliers: std::collections::BTreeSet<&str> = all["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|o| o["supplier_name"].as_str())
                .collect()
        })
        .unwrap();
    assert!(suppliers.len() >= 10, "{suppliers:?}");

    let chc = search(
        &app,
        &buyer,
        "q=continuing+healthcare+assessments&region=north_west&sort=price_asc",
    )
    .await;
    let prices: Vec<i64> = chc["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|o| o["unit_price_pence"].as_i64())
                .collect()
        })
        .unwrap();
    assert!(prices.len() >= 2, "{chc}");
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}");
    for item in chc["items"].as_array().into_iter().flatten() {
        assert!(
            item["regions"]
                .as_array()
                .is_some_and(|r| r.contains(&json!("north_west")))
        );
    }

    let first_two: Vec<String> = ids(&chc).into_iter().take(2).collect();
    let compared = app
        .get(
            &format!("/api/v1/offers/compare?ids={}", first_two.join(",")),
            &buyer,
        )
        .await;
    assert_eq!(compared.status(), StatusCode::OK);
    let compared = json_body(compared).await;
    let compared_ids: Vec<String> = compared["items"]
        .as_array()
        .map(|a| a.iter().map(|c| id_of(&c["offer"])).collect())
        .unwrap();
    assert_eq!(
        compared_ids, first_two,
        "the demo offers side by side, in order"
    );

    // A demo supplier reprices its own published offer.
    let supplier = app
        .login("bids@necsu.nhs.example", server::demo::DEMO_PASSWORD)
        .await;
    let me = json_body(app.get("/api/v1/me", &supplier).await).await;
    let own = search(
        &app,
        &supplier,
        &format!("supplier={}", me["organisation"]["id"].as_str().unwrap()),
    )
    .await;
    let offer = &own["items"][0];
    let id = id_of(offer);
    let read = app.get(&format!("/api/v1/offers/{id}"), &supplier).await;
    let tag = etag(&read);
    let response = app
        .request(Method::PATCH, &format!("/api/v1/offers/{id}"), &supplier)
        .header("if-match", tag)
        .json(&json!({"unit_price_pence": offer["unit_price_pence"].as_i64().unwrap_or(1) + 500}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let history = json_body(
        app.get(&format!("/api/v1/offers/{id}/price-history"), &supplier)
            .await,
    )
    .await;
    assert_eq!(history["total"], 2);
    let drafts = search(&app, &supplier, "status=draft").await;
    assert_eq!(drafts["total"], 1, "NECSU has one offer in preparation");
}
