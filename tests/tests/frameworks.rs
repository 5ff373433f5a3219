//! Frameworks (Procurement Act 2023 s.45–47): a framework tender's award admits up to its most
//! suppliers per lot (any but the top-ranked with a justification), one standstill and contract
//! award notice per lot; confirming after the standstill enters the framework agreement, which
//! everyone signed in reads with its suppliers per lot, term and state; a takeover moves the
//! acquired supplier's places to the acquirer.

use e2e::{
    TestApp, TestUser, assert_problem, assert_problem_type, assert_valid_uk_package, id_of,
    pointers, success, tender_json, wait_until,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn terms() -> Value {
    json!({
        "max_suppliers": 2,
        "term_months": 48,
        "call_off_methods": ["direct_award", "competitive_selection"],
        "direct_award_rule": "lowest_annual_price",
        "eligible_buyers": "all_buyers",
    })
}

fn two_lots() -> Value {
    json!([
        {"title": "Business intelligence", "description": "Dashboards and analysis.", "estimated_value_pence": 12_000_000},
        {"title": "Finance and HR", "description": "Transactional finance and HR.", "estimated_value_pence": 8_000_000},
    ])
}

/// Moves the framework's last day into the past: four years cannot be waited for in a test.
async fn expire(app: &TestApp, framework: &Value) {
    use persistence::entities::frameworks;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let id: uuid::Uuid = id_of(framework).parse().unwrap();
    frameworks::Entity::update_many()
        .col_expr(
            frameworks::Column::EndDate,
            Expr::value(chrono::Utc::now().date_naive() - chrono::Duration::days(2)),
        )
        .filter(frameworks::Column::Id.eq(id))
        .exec(app.database.db.conn())
        .await
        .unwrap();
}

async fn bid_on(app: &TestApp, who: &TestUser, tender: &Value, lot: &str, price: i64) -> String {
    let mut body = e2e::bid_json(tender, price);
    body["lot_id"] = json!(lot);
    id_of(
        &success(
            app.post(
                &format!("/api/v1/tenders/{}/bids", id_of(tender)),
                &who.token,
                body,
            )
            .await,
        )
        .await,
    )
}

async fn award(app: &TestApp, lead: &TestUser, tender: &Value, body: Value) -> reqwest::Response {
    app.post(
        &format!("/api/v1/tenders/{}/award", id_of(tender)),
        &lead.token,
        body,
    )
    .await
}

async fn enter(app: &TestApp, lead: &TestUser, tender: &Value, lot: &str) -> reqwest::Response {
    app.post(
        &format!("/api/v1/tenders/{}/contract", id_of(tender)),
        &lead.token,
        json!({"lot_id": lot, "start_date": "2031-04-01"}),
    )
    .await
}

/// A framework in two lots, closed with three bids on the first lot and two on the second,
/// every bid scored: (lead, tender, lot ids, suppliers, bids on lot 1, bids on lot 2).
pub(crate) struct Framework {
    pub(crate) lead: TestUser,
    pub(crate) tender: Value,
    pub(crate) lots: Vec<String>,
    pub(crate) suppliers: Vec<TestUser>,
    pub(crate) first: Vec<String>,
    pub(crate) second: Vec<String>,
}

async fn closed_framework(app: &TestApp) -> Framework {
    closed_framework_for(app, None).await
}

/// [`closed_framework`], its buyers `eligible` (`None`: every buyer).
async fn closed_framework_for(app: &TestApp, eligible: Option<&[&TestUser]>) -> Framework {
    let lead = app.user("buyer_lead").await;
    let mut terms = terms();
    if let Some(buyers) = eligible {
        let mut ids: Vec<&str> = buyers.iter().map(|b| b.organisation_id.as_str()).collect();
        ids.push(&lead.organisation_id);
        terms["eligible_buyers"] = json!(ids);
    }
    let evaluator = app.user_in("buyer_evaluator", &lead.organisation_id).await;
    let tender = app
        .published_tender(
            &lead,
            3.0,
            json!({"lots": two_lots(), "framework": terms, "standstill_days": 0}),
        )
        .await;
    success(app.assign(&lead, &tender, &evaluator).await).await;
    success(app.declare(&evaluator, &tender, false).await).await;
    let lots: Vec<String> = tender["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    let mut suppliers = Vec::new();
    for _ in 0..3 {
        suppliers.push(app.user("supplier_bidder").await);
    }
    let mut first = Vec::new();
    for (supplier, price) in suppliers.iter().zip([3_000_000, 3_500_000, 4_000_000]) {
        first.push(bid_on(app, supplier, &tender, &lots[0], price).await);
    }
    let mut second = Vec::new();
    for (supplier, price) in suppliers[1..].iter().zip([2_000_000, 2_500_000]) {
        second.push(bid_on(app, supplier, &tender, &lots[1], price).await);
    }
    wait_until(tender["submission_deadline"].as_str().unwrap()).await;
    for bid in first.iter().chain(&second) {
        app.score_all(&evaluator, &tender, bid, &[70, 70]).await;
    }
    Framework {
        lead,
        tender,
        lots,
        suppliers,
        first,
        second,
    }
}

#[tokio::test]
async fn a_framework_lasts_at_most_four_years_and_says_how_buyers_call_off() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let mut long = terms();
    long["term_months"] = json!(49);
    long["direct_award_rule"] = json!(null);
    let problem = assert_problem_type(
        app.post(
            "/api/v1/tenders",
            &lead.token,
            tender_json(3600.0, json!({"framework": long})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(
        pointers(&problem),
        ["/framework/term_months", "/framework/direct_award_rule"]
    );
    let supplier = app.user("supplier_bidder").await;
    let mut listed = terms();
    listed["eligible_buyers"] = json!([supplier.organisation_id]);
    let problem = assert_problem_type(
        app.post(
            "/api/v1/tenders",
            &lead.token,
            tender_json(3600.0, json!({"framework": listed})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/framework/eligible_buyers/0"]);
    listed["eligible_buyers"] = json!([lead.organisation_id]);
    let draft = success(
        app.post(
            "/api/v1/tenders",
            &lead.token,
            tender_json(3600.0, json!({"framework": listed})),
        )
        .await,
    )
    .await;
    assert_eq!(draft["framework"]["max_suppliers"], 2);
    assert_eq!(
        draft["framework"]["eligible_buyers"],
        json!([lead.organisation_id])
    );
    assert_eq!(
        draft["framework"]["call_off_methods"],
        json!(["direct_award", "competitive_selection"])
    );
}

#[tokio::test]
async fn a_framework_admits_up_to_its_most_suppliers_per_lot_and_is_entered_after_the_standstill() {
    let app = TestApp::spawn().await;
    let f = closed_framework(&app).await;
    let (lead, tender) = (&f.lead, &f.tender);

    // A framework names its suppliers' bids; at most two; the top two unless justified.
    let problem = assert_problem_type(
        award(&app, lead, tender, json!({"bid_id": f.first[0]})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/bid_ids"]);
    let problem = assert_problem_type(
        award(&app, lead, tender, json!({"bid_ids": f.first})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/bid_ids"]);
    let mixed = json!({"bid_ids": [f.first[0], f.second[0]]});
    let problem = assert_problem_type(
        award(&app, lead, tender, mixed).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/bid_ids/1"]);
    let skipping = json!({"bid_ids": [f.first[0], f.first[2]]});
    let problem = assert_problem_type(
        award(&app, lead, tender, skipping).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/justification"]);
    // A supplier and another buyer's lead may not award.
    assert_problem(
        award(
            &app,
            &f.suppliers[0],
            tender,
            json!({"bid_ids": [f.first[0]]}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let other_lead = app.user("buyer_lead").await;
    assert_problem(
        award(&app, &other_lead, tender, json!({"bid_ids": [f.first[0]]})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let awarded = success(
        award(
            &app,
            lead,
            tender,
            json!({"bid_ids": [f.first[0], f.first[1]]}),
        )
        .await,
    )
    .await;
    let awards = awarded["awards"].as_array().unwrap();
    assert_eq!(awards.len(), 2);
    assert!(awards.iter().all(|a| a["lot_id"] == json!(f.lots[0])));

    // The third bidder on the lot was assessed and not admitted; the second was.
    let outcome_path = format!(
        "/api/v1/tenders/{}/outcome?lot={}",
        id_of(tender),
        f.lots[0]
    );
    let third = success(app.get(&outcome_path, &f.suppliers[2].token).await).await;
    assert_eq!(third["your_bid"]["successful"], false);
    assert_eq!(third["assessment_summary"]["successful"], false);
    let second = success(app.get(&outcome_path, &f.suppliers[1].token).await).await;
    assert_eq!(second["your_bid"]["successful"], true);
    assert_eq!(second["assessed_tenders"], 3);
    // One contract award notice names both admitted suppliers.
    let notices = success(
        app.send(
            Method::GET,
            &format!("/api/v1/notices?tender={}&notice_type=UK6", id_of(tender)),
            None,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(notices["total"], 1);
    let admitted: Vec<&str> = notices["items"][0]["details"]["suppliers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["supplier_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        admitted,
        [
            f.suppliers[0].organisation_id.as_str(),
            f.suppliers[1].organisation_id.as_str()
        ]
    );

    // After the standstill the lead enters the framework agreement, a lot at a time.
    let entered = enter(&app, lead, tender, &f.lots[0]).await;
    assert_eq!(entered.status(), StatusCode::CREATED);
    let location = entered.headers()["location"].to_str().unwrap().to_owned();
    let framework = e2e::json_body(entered).await;
    assert_eq!(
        location,
        format!("/api/v1/frameworks/{}", id_of(&framework))
    );
    assert_eq!(framework["status"], "active");
    assert_eq!(framework["start_date"], "2031-04-01");
    assert_eq!(framework["end_date"], "2035-03-31");
    assert_eq!(
        framework["lots"][0]["suppliers"].as_array().unwrap().len(),
        2
    );
    assert_eq!(framework["lots"][1]["suppliers"], json!([]));
    success(award(&app, lead, tender, json!({"bid_ids": f.second})).await).await;
    let again = success(enter(&app, lead, tender, &f.lots[1]).await).await;
    assert_eq!(id_of(&again), id_of(&framework));
    let on_second: Vec<&str> = again["lots"][1]["suppliers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["supplier_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        on_second,
        [
            f.suppliers[1].organisation_id.as_str(),
            f.suppliers[2].organisation_id.as_str()
        ]
    );
    let now = success(
        app.get(&format!("/api/v1/tenders/{}", id_of(tender)), &lead.token)
            .await,
    )
    .await;
    assert_eq!(now["status"], "awarded");

    // Everyone signed in reads the frameworks; nobody signed out.
    let regulator = app.user("regulator").await;
    for reader in [&f.suppliers[2], &regulator, &other_lead] {
        let list = success(app.get("/api/v1/frameworks", &reader.token).await).await;
        assert!(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["id"] == framework["id"])
        );
    }
    let path = format!("/api/v1/frameworks/{}", id_of(&framework));
    let one = success(app.get(&path, &regulator.token).await).await;
    assert_eq!(one["suppliers"].as_array().unwrap().len(), 4);
    assert_eq!(one["terms"]["term_months"], 48);
    assert_problem(
        app.send(Method::GET, &path, None, None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        app.get(
            &format!("/api/v1/frameworks/{}", uuid::Uuid::new_v4()),
            &regulator.token,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // Its release is valid UK OCDS: a closed framework agreement of two suppliers per lot.
    let package = success(
        app.get(
            &format!("/api/v1/tenders/{}/ocds", id_of(tender)),
            &lead.token,
        )
        .await,
    )
    .await;
    assert_valid_uk_package(&package);
    let techniques = &package["releases"][0]["tender"]["techniques"];
    assert_eq!(techniques["hasFrameworkAgreement"], true);
    assert_eq!(techniques["frameworkAgreement"]["maximumParticipants"], 2);
    assert_eq!(
        package["releases"][0]["awards"].as_array().unwrap().len(),
        4
    );

    // Past its last day by the database clock the framework has expired.
    expire(&app, &framework).await;
    let expired = success(app.get(&path, &regulator.token).await).await;
    assert_eq!(expired["status"], "expired");
}

#[tokio::test]
async fn a_takeover_moves_the_acquired_suppliers_framework_places_to_the_acquirer() {
    let app = TestApp::spawn().await;
    let f = closed_framework(&app).await;
    let (lead, tender) = (&f.lead, &f.tender);
    success(
        award(
            &app,
            lead,
            tender,
            json!({"bid_ids": [f.first[0], f.first[1]]}),
        )
        .await,
    )
    .await;
    success(award(&app, lead, tender, json!({"bid_ids": f.second})).await).await;
    success(enter(&app, lead, tender, &f.lots[0]).await).await;
    let framework = success(enter(&app, lead, tender, &f.lots[1]).await).await;
    // Supplier 1 (lot 1 and lot 2) takes over supplier 2 (lot 2): supplier 0 keeps lot 1, and
    // supplier 1 holds one place on each lot.
    let (acquirer, acquired) = (&f.suppliers[1], &f.suppliers[2]);
    let regulator = app.user("regulator").await;
    let transfer = json!({
        "kind": "takeover",
        "from_supplier_id": acquired.organisation_id,
        "to_supplier_id": acquirer.organisation_id,
        "effective_date": "2031-06-01",
        "reason": "The acquirer bought the whole business.",
    });
    assert_problem(
        app.post("/api/v1/transfers", &lead.token, transfer.clone())
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    success(
        app.post("/api/v1/transfers", &regulator.token, transfer)
            .await,
    )
    .await;
    let after = success(
        app.get(
            &format!("/api/v1/frameworks/{}", id_of(&framework)),
            &regulator.token,
        )
        .await,
    )
    .await;
    let held: Vec<(String, String)> = after["suppliers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["lot_id"].as_str().unwrap().to_owned(),
                s["supplier_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(held.len(), 3, "{after}");
    assert!(held.contains(&(f.lots[1].clone(), acquirer.organisation_id.clone())));
    assert!(!held.iter().any(|(_, s)| *s == acquired.organisation_id));
    // The framework agreement's change is a contract change notice (UK10).
    let notices = success(
        app.send(
            Method::GET,
            &format!("/api/v1/notices?tender={}&notice_type=UK10", id_of(tender)),
            None,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(notices["total"], 1);
    let details = &notices["items"][0]["details"];
    assert_eq!(details["framework_id"], framework["id"]);
    assert_eq!(
        details["supplier_added"]["id"],
        json!(acquirer.organisation_id)
    );
    assert_eq!(details["places"][0]["ended"], true);
}

/// A closed framework whose two lots are awarded to their top two and entered.
pub(crate) async fn entered_framework(app: &TestApp) -> (Framework, Value) {
    entered_framework_for(app, None).await
}

pub(crate) async fn entered_framework_for(
    app: &TestApp,
    eligible: Option<&[&TestUser]>,
) -> (Framework, Value) {
    let f = closed_framework_for(app, eligible).await;
    let (lead, tender) = (&f.lead, &f.tender);
    success(
        award(
            app,
            lead,
            tender,
            json!({"bid_ids": [f.first[0], f.first[1]]}),
        )
        .await,
    )
    .await;
    success(award(app, lead, tender, json!({"bid_ids": f.second})).await).await;
    success(enter(app, lead, tender, &f.lots[0]).await).await;
    let framework = success(enter(app, lead, tender, &f.lots[1]).await).await;
    (f, framework)
}

async fn list_offer(
    app: &TestApp,
    who: &TestUser,
    offer: &Value,
    body: Value,
) -> reqwest::Response {
    app.request(
        Method::PUT,
        &format!("/api/v1/offers/{}/framework", id_of(offer)),
        &who.token,
    )
    .header("if-match", format!("\"{}\"", offer["version"]))
    .json(&body)
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn a_supplier_on_a_framework_lists_its_offers_in_the_frameworks_catalogue_per_lot() {
    let app = TestApp::spawn().await;
    let (f, framework) = entered_framework(&app).await;
    let on_lot_one = json!({"framework_id": framework["id"], "lot_id": f.lots[0]});
    let procurement = json!({"category": "procurement"});
    let offer = app
        .published_offer(&f.suppliers[0], procurement.clone())
        .await;
    // The lot named, a place held on it, the supplier's own offer only.
    let problem = assert_problem_type(
        list_offer(
            &app,
            &f.suppliers[0],
            &offer,
            json!({"framework_id": framework["id"]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/lot_id"]);
    let not_on_lot = app
        .published_offer(&f.suppliers[2], procurement.clone())
        .await;
    assert_problem(
        list_offer(&app, &f.suppliers[2], &not_on_lot, on_lot_one.clone()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // (A published offer is public: another supplier is refused, not told it is missing.)
    assert_problem(
        list_offer(&app, &f.suppliers[1], &offer, on_lot_one.clone()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let listed = success(list_offer(&app, &f.suppliers[0], &offer, on_lot_one.clone()).await).await;
    assert_eq!(listed["framework_id"], framework["id"]);
    assert_eq!(listed["lot_id"], json!(f.lots[0]));
    let on_lot_two = app.published_offer(&f.suppliers[2], procurement).await;
    let body = json!({"framework_id": framework["id"], "lot_id": f.lots[1]});
    success(list_offer(&app, &f.suppliers[2], &on_lot_two, body).await).await;

    // The framework's catalogue holds its listed offers only, per lot.
    let buyer = app.user("buyer_lead").await;
    let path = format!("/api/v1/offers?framework={}", id_of(&framework));
    let found = success(app.get(&path, &buyer.token).await).await;
    let ids: Vec<String> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&id_of(&offer)) && ids.contains(&id_of(&on_lot_two)));
    let path = format!("{path}&lot={}", f.lots[1]);
    let found = success(app.get(&path, &buyer.token).await).await;
    let ids: Vec<String> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(ids, [id_of(&on_lot_two)]);

    // An expired framework takes no more listings.
    expire(&app, &framework).await;
    let late = app
        .published_offer(&f.suppliers[1], json!({"category": "procurement"}))
        .await;
    assert_problem_type(
        list_offer(&app, &f.suppliers[1], &late, on_lot_one).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
}

/// The offers `f`'s suppliers list on lot 1: supplier 0 at £100,000 a year, supplier 1 at
/// £650 a day (£130,000 at 200 days).
pub(crate) async fn listed_offers(
    app: &TestApp,
    f: &Framework,
    framework: &Value,
) -> (Value, Value) {
    let annual = app
        .published_offer(
            &f.suppliers[0],
            json!({"category": "procurement", "pricing_unit": "fixed_annual", "unit_price_pence": 10_000_000}),
        )
        .await;
    let daily = app
        .published_offer(
            &f.suppliers[1],
            json!({"category": "procurement", "pricing_unit": "day_rate", "unit_price_pence": 65_000}),
        )
        .await;
    let body = json!({"framework_id": framework["id"], "lot_id": f.lots[0]});
    let annual = success(list_offer(app, &f.suppliers[0], &annual, body.clone()).await).await;
    let daily = success(list_offer(app, &f.suppliers[1], &daily, body).await).await;
    (annual, daily)
}

fn direct_call_off(lot: &str) -> Value {
    json!({
        "method": "direct_award",
        "lot_id": lot,
        "title": "Procurement support for Norfolk and Waveney",
        "search": {"q": "analytics"},
        "volumes": {"days_per_year": 200},
        "term_months": 24,
    })
}

#[tokio::test]
async fn a_direct_award_call_off_freezes_its_shortlist_and_awards_the_cheapest_or_a_justified_other()
 {
    let app = TestApp::spawn().await;
    let caller = app.user("buyer_lead").await;
    let (f, framework) = entered_framework_for(&app, Some(&[&caller])).await;
    let (annual, daily) = listed_offers(&app, &f, &framework).await;
    let path = format!("/api/v1/frameworks/{}/call-offs", id_of(&framework));

    // Only a buyer lead of an eligible buyer calls off.
    let outsider = app.user("buyer_lead").await;
    assert_problem(
        app.post(&path, &outsider.token, direct_call_off(&f.lots[0]))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.post(&path, &f.suppliers[0].token, direct_call_off(&f.lots[0]))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let problem = assert_problem_type(
        app.post(
            &path,
            &caller.token,
            json!({"method": "direct_award", "lot_id": f.lots[0]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/title"]);
    let call_off = success(
        app.post(&path, &caller.token, direct_call_off(&f.lots[0]))
            .await,
    )
    .await;
    assert_eq!(call_off["status"], "open");
    let shortlist_path = format!("/api/v1/call-offs/{}/shortlist", id_of(&call_off));
    let shortlist = success(app.get(&shortlist_path, &caller.token).await).await;
    let frozen: Vec<(String, i64)> = shortlist["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["offer_id"].as_str().unwrap().to_owned(),
                i["annual_price_pence"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        frozen,
        [(id_of(&annual), 10_000_000), (id_of(&daily), 13_000_000)]
    );

    // Repricing or withdrawing an offer afterwards changes nothing in the snapshot.
    let repriced = app
        .request(
            Method::PATCH,
            &format!("/api/v1/offers/{}", id_of(&annual)),
            &f.suppliers[0].token,
        )
        .header("if-match", format!("\"{}\"", annual["version"]))
        .json(&json!({"unit_price_pence": 20_000_000}))
        .send()
        .await
        .unwrap();
    success(repriced).await;
    success(
        app.request(
            Method::POST,
            &format!("/api/v1/offers/{}/withdraw", id_of(&daily)),
            &f.suppliers[1].token,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        success(app.get(&shortlist_path, &caller.token).await).await,
        shortlist
    );
    // Nobody but its buyer, the regulator and admins reads it.
    assert_problem(
        app.get(&shortlist_path, &outsider.token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(&shortlist_path, &f.suppliers[0].token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let regulator = app.user("regulator").await;
    success(app.get(&shortlist_path, &regulator.token).await).await;

    // The dearer offer needs a justification; an offer outside the snapshot is refused.
    let award_path = format!("/api/v1/call-offs/{}/award", id_of(&call_off));
    let problem = assert_problem_type(
        app.post(
            &award_path,
            &caller.token,
            json!({"offer_id": id_of(&daily)}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/justification"]);
    let stranger = app
        .published_offer(&f.suppliers[0], json!({"category": "procurement"}))
        .await;
    let problem = assert_problem_type(
        app.post(
            &award_path,
            &caller.token,
            json!({"offer_id": id_of(&stranger), "justification": "x"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/offer_id"]);
    assert_problem(
        app.post(
            &award_path,
            &outsider.token,
            json!({"offer_id": id_of(&annual)}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let awarded = success(
        app.post(
            &award_path,
            &caller.token,
            json!({"offer_id": id_of(&daily), "justification": "The annual offer does not cover the mobilisation the specification states."}),
        )
        .await,
    )
    .await;
    assert_eq!(awarded["status"], "awarded");
    // The contract: the snapshot's annual price × the term (£130,000 × 24 months).
    assert_eq!(awarded["contract_value_pence"], 26_000_000);
    let contract = success(
        app.get(
            &format!(
                "/api/v1/contracts/{}",
                awarded["contract_id"].as_str().unwrap()
            ),
            &caller.token,
        )
        .await,
    )
    .await;
    assert_eq!(contract["framework_id"], framework["id"]);
    assert_eq!(
        contract["supplier_id"],
        json!(f.suppliers[1].organisation_id)
    );
    assert_eq!(contract["annual_value_pence"], 13_000_000);
    assert_problem_type(
        app.post(
            &format!("/api/v1/call-offs/{}/cancel", id_of(&call_off)),
            &caller.token,
            json!({"reason": "No longer needed."}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    // Its contract award and contract details notices are public, valid UK OCDS.
    for notice_type in ["UK6", "UK7"] {
        let notices = success(
            app.send(
                Method::GET,
                &format!(
                    "/api/v1/notices?buyer={}&notice_type={notice_type}",
                    caller.organisation_id
                ),
                None,
                None,
            )
            .await,
        )
        .await;
        assert_eq!(notices["total"], 1, "{notice_type}");
        let notice = &notices["items"][0];
        assert_eq!(notice["details"]["call_off_id"], call_off["id"]);
        let package = success(
            app.send(
                Method::GET,
                &format!("/api/v1/notices/{}/ocds", id_of(notice)),
                None,
                None,
            )
            .await,
        )
        .await;
        assert_valid_uk_package(&package);
    }
    // Its buyer lists it; another buyer's list is empty; a supplier may not list call-offs.
    let mine = success(app.get("/api/v1/call-offs", &caller.token).await).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    let theirs = success(app.get("/api/v1/call-offs", &outsider.token).await).await;
    assert_eq!(theirs["items"], json!([]));
    assert_problem(
        app.get("/api/v1/call-offs", &f.suppliers[0].token).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // The framework shows everyone its awarded call-offs and their total value (each was
    // published in a contract award notice); a call-off still open is not among them.
    let open = success(
        app.post(&path, &caller.token, direct_call_off(&f.lots[0]))
            .await,
    )
    .await;
    let shown = success(
        app.get(
            &format!("/api/v1/frameworks/{}", id_of(&framework)),
            &f.suppliers[2].token,
        )
        .await,
    )
    .await;
    let called = shown["call_offs"].as_array().unwrap();
    assert_eq!(called.len(), 1);
    assert_eq!(called[0]["call_off_id"], call_off["id"]);
    assert_eq!(called[0]["contract_id"], awarded["contract_id"]);
    assert_eq!(called[0]["buyer_id"], json!(caller.organisation_id));
    assert_eq!(
        called[0]["supplier_id"],
        json!(f.suppliers[1].organisation_id)
    );
    assert_eq!(
        called[0]["total_value_pence"],
        contract["total_value_pence"]
    );
    assert_eq!(
        shown["call_offs_value_pence"],
        contract["total_value_pence"]
    );
    assert_ne!(called[0]["call_off_id"], open["id"]);

    // After its last day nothing more is called off.
    expire(&app, &framework).await;
    assert_problem_type(
        app.post(&path, &caller.token, direct_call_off(&f.lots[0]))
            .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
}

#[tokio::test]
async fn a_competitive_selection_admits_only_the_frameworks_suppliers_and_counts_in_the_market() {
    let app = TestApp::spawn().await;
    let (f, framework) = entered_framework(&app).await;
    let (_, daily) = listed_offers(&app, &f, &framework).await;
    let caller = app.user("buyer_lead").await;
    let evaluator = app
        .user_in("buyer_evaluator", &caller.organisation_id)
        .await;
    let path = format!("/api/v1/frameworks/{}/call-offs", id_of(&framework));
    // A direct award from lot 1, to the cheapest: no justification needed.
    let direct = success(
        app.post(&path, &caller.token, direct_call_off(&f.lots[0]))
            .await,
    )
    .await;
    let shortlist = success(
        app.get(
            &format!("/api/v1/call-offs/{}/shortlist", id_of(&direct)),
            &caller.token,
        )
        .await,
    )
    .await;
    let cheapest = shortlist["items"][0]["offer_id"].clone();
    assert_ne!(cheapest, daily["id"]);
    success(
        app.post(
            &format!("/api/v1/call-offs/{}/award", id_of(&direct)),
            &caller.token,
            json!({"offer_id": cheapest}),
        )
        .await,
    )
    .await;

    // A competitive selection on lot 2: its suppliers (1 and 2) are the only bidders.
    let deadline = e2e::in_seconds(3.0);
    let selection = success(
        app.post(
            &path,
            &caller.token,
            json!({"method": "competitive_selection", "lot_id": f.lots[1], "tender": {
                "title": "Finance support call-off",
                "description": "Transactional finance for a year.",
                "estimated_value_pence": 6_000_000,
                "contract_term_months": 12,
                "criteria": [
                    {"name": "Price", "kind": "price", "weight": 40},
                    {"name": "Delivery approach", "kind": "quality", "weight": 35},
                    {"name": "Social value", "kind": "quality", "weight": 25}
                ],
                "clarification_deadline": deadline,
                "submission_deadline": deadline,
                "standstill_days": 0,
            }}),
        )
        .await,
    )
    .await;
    let tender_id = selection["tender_id"].as_str().unwrap().to_owned();
    let tender_path = format!("/api/v1/tenders/{tender_id}");
    let draft = success(app.get(&tender_path, &caller.token).await).await;
    assert_eq!(draft["procedure"], "invited");
    assert_eq!(draft["call_off_of"], framework["id"]);
    let mut invited: Vec<&str> = draft["invited_supplier_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap())
        .collect();
    invited.sort_unstable();
    let mut expected = vec![
        f.suppliers[1].organisation_id.as_str(),
        f.suppliers[2].organisation_id.as_str(),
    ];
    expected.sort_unstable();
    assert_eq!(invited, expected);
    let tender = success(
        app.send(
            Method::POST,
            &format!("{tender_path}/publish"),
            Some(&caller.token),
            None,
        )
        .await,
    )
    .await;
    success(app.assign(&caller, &tender, &evaluator).await).await;
    success(app.declare(&evaluator, &tender, false).await).await;
    // A supplier outside the framework's lot sees no tender and cannot bid.
    assert_problem(
        app.get(&tender_path, &f.suppliers[0].token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.bid(&f.suppliers[0], &tender, 4_000_000).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let winning = id_of(&app.accepted_bid(&f.suppliers[2], &tender, 5_000_000).await);
    let other = id_of(&app.accepted_bid(&f.suppliers[1], &tender, 5_500_000).await);
    wait_until(tender["submission_deadline"].as_str().unwrap()).await;
    for bid in [&winning, &other] {
        app.score_all(&evaluator, &tender, bid, &[70, 70]).await;
    }
    success(app.award(&caller, &tender, &winning, None).await).await;
    let contract = success(
        app.post(
            &format!("{tender_path}/contract"),
            &caller.token,
            json!({"start_date": "2031-04-01"}),
        )
        .await,
    )
    .await;
    assert_eq!(contract["framework_id"], framework["id"]);
    let ended = success(
        app.get(
            &format!("/api/v1/call-offs/{}", id_of(&selection)),
            &caller.token,
        )
        .await,
    )
    .await;
    assert_eq!(ended["status"], "awarded");
    assert_eq!(ended["contract_id"], contract["id"]);

    // The framework's market: £200,000 (£100,000 × 24 months) to supplier 0, £50,000 to
    // supplier 2 — shares 80% and 20% of £250,000.
    let regulator = app.user("regulator").await;
    let share = success(
        app.get(
            &format!("/api/v1/market/share?framework={}", id_of(&framework)),
            &regulator.token,
        )
        .await,
    )
    .await;
    assert_eq!(share["contracts"], 2);
    assert_eq!(share["total_value_pence"], 25_000_000);
    let items: Vec<(String, i64, f64)> = share["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["supplier_id"].as_str().unwrap().to_owned(),
                i["total_value_pence"].as_i64().unwrap(),
                i["value_share_percent"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            (f.suppliers[0].organisation_id.clone(), 20_000_000, 80.0),
            (f.suppliers[2].organisation_id.clone(), 5_000_000, 20.0),
        ]
    );
}
