//! Lots (Procurement Act 2023 s.18): a tender divided into lots takes one live bid per supplier
//! per lot, sealed like any bid; each lot is ranked, awarded (with its own assessment
//! summaries, contract award notice, standstill and contract) or declared unsuccessful on its
//! own; a supplier holding the most lots one supplier may win cannot win another; and the
//! tender follows its lots.

use e2e::{
    TestApp, TestUser, assert_problem, assert_problem_type, assert_valid_uk_package, id_of,
    json_body, pointers, success, tender_json, wait_until,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn three_lots() -> Value {
    json!([
        {"title": "Business intelligence", "description": "Dashboards and analysis.", "estimated_value_pence": 8_000_000},
        {"title": "Procurement and contracting", "description": "Sourcing and contract management.", "estimated_value_pence": 7_000_000},
        {"title": "Finance and HR", "description": "Transactional finance and HR.", "estimated_value_pence": 5_000_000},
    ])
}

/// The lot ids of `tender`, in order.
fn lots_of(tender: &Value) -> Vec<String> {
    tender["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect()
}

/// A bid on `lot` answering every quality criterion at `price_pence`.
fn lot_bid(tender: &Value, lot: &str, price_pence: i64) -> Value {
    let mut body = e2e::bid_json(tender, price_pence);
    body["lot_id"] = json!(lot);
    body
}

async fn bid_on(app: &TestApp, who: &TestUser, tender: &Value, lot: &str, price: i64) -> String {
    id_of(
        &success(
            app.post(
                &format!("/api/v1/tenders/{}/bids", id_of(tender)),
                &who.token,
                lot_bid(tender, lot, price),
            )
            .await,
        )
        .await,
    )
}

/// A published tender in three lots (at most `max` per supplier), closing in `seconds`, with an
/// evaluator cleared on its panel.
async fn divided(
    app: &TestApp,
    seconds: f64,
    max: Option<i64>,
    changes: Value,
) -> (TestUser, TestUser, Value) {
    let lead = app.user("buyer_lead").await;
    let evaluator = app.user_in("buyer_evaluator", &lead.organisation_id).await;
    let mut body = json!({"lots": three_lots(), "max_lots_per_supplier": max});
    for (key, value) in changes.as_object().unwrap() {
        body[key] = value.clone();
    }
    let tender = app.published_tender(&lead, seconds, body).await;
    success(app.assign(&lead, &tender, &evaluator).await).await;
    success(app.declare(&evaluator, &tender, false).await).await;
    (lead, evaluator, tender)
}

async fn ranking(app: &TestApp, lead: &TestUser, tender: &Value, lot: &str) -> Value {
    success(
        app.get(
            &format!("/api/v1/tenders/{}/ranking?lot={lot}", id_of(tender)),
            &lead.token,
        )
        .await,
    )
    .await
}

async fn contract(app: &TestApp, lead: &TestUser, tender: &Value, lot: &str) -> reqwest::Response {
    app.post(
        &format!("/api/v1/tenders/{}/contract", id_of(tender)),
        &lead.token,
        json!({"lot_id": lot, "start_date": "2031-04-01", "end_date": "2032-03-31"}),
    )
    .await
}

async fn tender_now(app: &TestApp, lead: &TestUser, tender: &Value) -> Value {
    success(
        app.get(&format!("/api/v1/tenders/{}", id_of(tender)), &lead.token)
            .await,
    )
    .await
}

#[tokio::test]
async fn a_tender_has_2_to_50_distinct_lots_or_above_threshold_says_why_it_is_not_divided() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let create = |body: Value| app.post("/api/v1/tenders", &lead.token, body);
    let one =
        json!([{"title": "All of it", "description": "Everything.", "estimated_value_pence": 1}]);
    let problem = assert_problem_type(
        create(tender_json(
            3600.0,
            json!({"lots": one, "max_lots_per_supplier": 2}),
        ))
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/lots", "/max_lots_per_supplier"]);
    let problem = assert_problem_type(
        create(tender_json(
            3600.0,
            json!({"lots": three_lots(), "no_lots_rationale": "Not divided."}),
        ))
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/no_lots_rationale"]);

    // Above threshold (£207,720 for a sub-central buyer) an undivided tender says why.
    let above = json!({"estimated_value_pence": 30_000_000, "budget_ceiling_pence": null});
    let problem = assert_problem_type(
        create(tender_json(3600.0, above.clone())).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/no_lots_rationale"]);
    let mut explained = tender_json(3600.0, above.clone());
    explained["no_lots_rationale"] = json!("One integrated service.");
    let draft = success(create(explained).await).await;
    assert_eq!(draft["no_lots_rationale"], "One integrated service.");
    assert_eq!(draft["lots"], json!([]));
    let mut in_lots = tender_json(3600.0, above);
    in_lots["lots"] = three_lots();
    in_lots["max_lots_per_supplier"] = json!(2);
    let draft = success(create(in_lots).await).await;
    let lots = draft["lots"].as_array().unwrap();
    assert_eq!(lots.len(), 3);
    assert_eq!(
        (lots[2]["number"].clone(), lots[2]["status"].clone()),
        (json!(3), json!("open"))
    );
    assert_eq!(draft["max_lots_per_supplier"], 2);

    // Editing the draft to undivided above threshold is refused the same way, nothing changed.
    let response = app
        .request(
            Method::PATCH,
            &format!("/api/v1/tenders/{}", id_of(&draft)),
            &lead.token,
        )
        .header("if-match", format!("\"{}\"", draft["version"]))
        .json(&json!({"lots": [], "max_lots_per_supplier": null}))
        .send()
        .await
        .unwrap();
    let problem =
        assert_problem_type(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert_eq!(pointers(&problem), ["/no_lots_rationale"]);
    assert_eq!(tender_now(&app, &lead, &draft).await["lots"], draft["lots"]);
}

#[tokio::test]
async fn bids_are_made_per_lot_sealed_and_each_lot_is_ranked_on_its_own() {
    let app = TestApp::spawn().await;
    let (lead, evaluator, tender) = divided(&app, 3.0, None, json!({})).await;
    let lots = lots_of(&tender);
    let (ann, bob, cara) = (
        app.user("supplier_bidder").await,
        app.user("supplier_bidder").await,
        app.user("supplier_bidder").await,
    );
    let bids_path = format!("/api/v1/tenders/{}/bids", id_of(&tender));

    // A bid names one of the tender's lots; one live bid per supplier per lot.
    let problem = assert_problem_type(
        app.post(&bids_path, &ann.token, e2e::bid_json(&tender, 100))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/lot_id"]);
    let stranger = lot_bid(&tender, &uuid::Uuid::new_v4().to_string(), 100);
    let problem = assert_problem_type(
        app.post(&bids_path, &ann.token, stranger).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/lot_id"]);
    let ann_1 = bid_on(&app, &ann, &tender, &lots[0], 4_000_000).await;
    assert_problem_type(
        app.post(
            &bids_path,
            &ann.token,
            lot_bid(&tender, &lots[0], 3_900_000),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let ann_2 = bid_on(&app, &ann, &tender, &lots[1], 6_000_000).await;
    let bob_1 = bid_on(&app, &bob, &tender, &lots[0], 5_000_000).await;
    let bob_3 = bid_on(&app, &bob, &tender, &lots[2], 4_500_000).await;
    // A revision stays on its lot.
    let mut moved = lot_bid(&tender, &lots[2], 3_000_000);
    moved["lot_id"] = json!(lots[2]);
    let problem = assert_problem_type(
        app.json(
            Method::PUT,
            &format!("{bids_path}/{ann_1}"),
            &ann.token,
            moved,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/lot_id"]);

    // Sealed per bid as always: before the deadline a supplier sees its own bids only, the
    // buyer none, and nobody a ranking.
    let own = success(app.get(&bids_path, &bob.token).await).await;
    let own: Vec<_> = own["items"].as_array().unwrap().iter().map(id_of).collect();
    assert_eq!(own, [bob_1.clone(), bob_3.clone()]);
    assert_problem_type(
        app.get(&bids_path, &lead.token).await,
        StatusCode::FORBIDDEN,
        "bids-sealed",
    )
    .await;
    assert_problem_type(
        app.get(
            &format!("/api/v1/tenders/{}/ranking?lot={}", id_of(&tender), lots[0]),
            &lead.token,
        )
        .await,
        StatusCode::FORBIDDEN,
        "bids-sealed",
    )
    .await;

    wait_until(tender["submission_deadline"].as_str().unwrap()).await;
    // Every lot is ranked on its own: the lowest price on the lot scores the whole price
    // weight (40).
    for bid in [&ann_1, &ann_2, &bob_1, &bob_3] {
        app.score_all(&evaluator, &tender, bid, &[60, 60]).await;
    }
    let problem = assert_problem_type(
        app.get(
            &format!("/api/v1/tenders/{}/ranking", id_of(&tender)),
            &lead.token,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/lot"]);
    let first = ranking(&app, &lead, &tender, &lots[0]).await;
    assert_eq!(first["lot_id"], json!(lots[0]));
    let ranked: Vec<(String, f64)> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                id_of(&json!({"id": i["bid_id"]})),
                i["price_score"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(ranked, [(ann_1.clone(), 40.0), (bob_1.clone(), 32.0)]);
    for (lot, only) in [(&lots[1], &ann_2), (&lots[2], &bob_3)] {
        let alone = ranking(&app, &lead, &tender, lot).await;
        let items = alone["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["bid_id"], json!(only));
        assert_eq!(items[0]["price_score"], 40.0);
    }
    // After the deadline the buyer sees every lot's bids with their lot; a supplier still its
    // own; another buyer's lead and a supplier read no ranking.
    let all = success(app.get(&bids_path, &lead.token).await).await;
    let with_lots: Vec<(String, String)> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (id_of(b), b["lot_id"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(with_lots.len(), 4);
    assert!(with_lots.contains(&(bob_3.clone(), lots[2].clone())));
    let own = success(app.get(&bids_path, &cara.token).await).await;
    assert_eq!(own["items"], json!([]));
    let other_lead = app.user("buyer_lead").await;
    let path = format!("/api/v1/tenders/{}/ranking?lot={}", id_of(&tender), lots[0]);
    // (An open tender is public: another buyer sees it, and is refused its ranking.)
    assert_problem(
        app.get(&path, &other_lead.token).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(app.get(&path, &ann.token).await, StatusCode::FORBIDDEN).await;
    // The regulator reads a lot's ranking only once that lot is awarded.
    let regulator = app.user("regulator").await;
    assert_problem_type(
        app.get(&path, &regulator.token).await,
        StatusCode::FORBIDDEN,
        "bids-sealed",
    )
    .await;
}

#[tokio::test]
async fn the_lot_limit_refuses_a_third_lot_and_each_lot_gets_its_own_award_notice_and_contract() {
    let app = TestApp::spawn().await;
    let (lead, evaluator, tender) =
        divided(&app, 3.0, Some(2), json!({"standstill_days": 0})).await;
    let lots = lots_of(&tender);
    let (ann, bob) = (
        app.user("supplier_bidder").await,
        app.user("supplier_bidder").await,
    );
    let mut ann_bids = Vec::new();
    for lot in &lots {
        ann_bids.push(bid_on(&app, &ann, &tender, lot, 3_000_000).await);
    }
    let bob_3 = bid_on(&app, &bob, &tender, &lots[2], 4_000_000).await;
    let bob_2 = bid_on(&app, &bob, &tender, &lots[1], 4_000_000).await;
    wait_until(tender["submission_deadline"].as_str().unwrap()).await;
    for bid in ann_bids.iter().chain([&bob_2, &bob_3]) {
        app.score_all(&evaluator, &tender, bid, &[70, 70]).await;
    }

    // Another buyer's lead cannot award (an open tender is public: 403); a supplier may not.
    let other_lead = app.user("buyer_lead").await;
    assert_problem(
        app.award(&other_lead, &tender, &ann_bids[0], None).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.award(&ann, &tender, &ann_bids[0], None).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let first = success(app.award(&lead, &tender, &ann_bids[0], None).await).await;
    assert_eq!(first["lot_id"], json!(lots[0]));
    assert_eq!(
        tender_now(&app, &lead, &tender).await["status"],
        "evaluation"
    );
    assert_problem_type(
        app.award(&lead, &tender, &ann_bids[0], None).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    success(app.award(&lead, &tender, &ann_bids[1], None).await).await;
    // Ann holds two lots, the most one supplier may win: the third is refused, naming the limit.
    let refused = assert_problem_type(
        app.award(&lead, &tender, &ann_bids[2], None).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("max_lots_per_supplier"),
        "{refused}"
    );
    // The next-ranked bid wins the lot with the justification the ranking rule gives.
    let third = success(app.award(&lead, &tender, &bob_3, None).await).await;
    assert_eq!(third["rank"], 2);
    assert!(
        third["justification"]
            .as_str()
            .unwrap()
            .contains("most lots one supplier may win (2)"),
        "{third}"
    );
    let standing = tender_now(&app, &lead, &tender).await;
    assert_eq!(standing["status"], "standstill");
    let states: Vec<&str> = standing["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["status"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["standstill", "standstill", "standstill"]);

    // Each awarded lot has its own contract award notice, naming only its winner.
    let notices = success(
        app.send(
            Method::GET,
            &format!("/api/v1/notices?tender={}&notice_type=UK6", id_of(&tender)),
            None,
            None,
        )
        .await,
    )
    .await;
    let uk6: Vec<(String, String)> = notices["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["details"]["lot_id"].as_str().unwrap().to_owned(),
                n["details"]["supplier_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(uk6.len(), 3);
    assert!(uk6.contains(&(lots[2].clone(), bob.organisation_id.clone())));
    assert!(uk6.contains(&(lots[0].clone(), ann.organisation_id.clone())));
    // Each lot's outcome holds that lot's assessment summaries only.
    let outcome = success(
        app.get(
            &format!("/api/v1/tenders/{}/outcome?lot={}", id_of(&tender), lots[1]),
            &bob.token,
        )
        .await,
    )
    .await;
    assert_eq!(outcome["lot_id"], json!(lots[1]));
    assert_eq!(outcome["assessed_tenders"], 2);
    assert_eq!(outcome["winner"]["bid_id"], json!(ann_bids[1]));
    assert_eq!(outcome["assessment_summary"]["bid_id"], json!(bob_2));
    assert_problem(
        app.get(
            &format!("/api/v1/tenders/{}/outcome?lot={}", id_of(&tender), lots[0]),
            &bob.token,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // Each lot's contract is entered on its own; the tender is awarded with the last.
    let problem = assert_problem_type(
        app.post(
            &format!("/api/v1/tenders/{}/contract", id_of(&tender)),
            &lead.token,
            json!({"start_date": "2031-04-01"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/lot_id"]);
    assert_problem(
        contract(&app, &other_lead, &tender, &lots[0]).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let mut contracts = Vec::new();
    for lot in &lots {
        let made = success(contract(&app, &lead, &tender, lot).await).await;
        assert_eq!(made["lot_id"], json!(lot));
        contracts.push(made);
    }
    assert_eq!(contracts[2]["supplier_id"], json!(bob.organisation_id));
    assert_eq!(contracts[2]["total_value_pence"], 4_000_000);
    assert!(
        contracts[0]["title"]
            .as_str()
            .unwrap()
            .ends_with("lot 1: Business intelligence")
    );
    assert_problem_type(
        contract(&app, &lead, &tender, &lots[0]).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert_eq!(tender_now(&app, &lead, &tender).await["status"], "awarded");

    // The OCDS release carries the lots, the lot limit and each award's lot, valid UK OCDS.
    let package = success(
        app.get(
            &format!("/api/v1/tenders/{}/ocds", id_of(&tender)),
            &lead.token,
        )
        .await,
    )
    .await;
    assert_valid_uk_package(&package);
    let release = &package["releases"][0];
    assert_eq!(release["tender"]["lots"].as_array().unwrap().len(), 3);
    assert_eq!(release["tender"]["lots"][0]["status"], "complete");
    assert_eq!(
        release["tender"]["lotDetails"]["maximumLotsAwardedPerSupplier"],
        2
    );
    assert_eq!(release["tender"]["items"][2]["relatedLot"], json!(lots[2]));
    let mut related: Vec<String> = release["awards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["relatedLots"][0].as_str().unwrap().to_owned())
        .collect();
    related.sort();
    let mut expected = lots.clone();
    expected.sort();
    assert_eq!(related, expected);
    assert_eq!(release["contracts"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_lot_without_a_compliant_bid_ends_alone_and_the_tender_follows_its_lots() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let evaluator = app.user_in("buyer_evaluator", &lead.organisation_id).await;
    let two = json!([
        {"title": "Business intelligence", "description": "Dashboards.", "estimated_value_pence": 8_000_000},
        {"title": "Finance", "description": "Transactional finance.", "estimated_value_pence": 5_000_000},
    ]);
    let tender = app
        .published_tender(&lead, 2.0, json!({"lots": two, "standstill_days": 0}))
        .await;
    success(app.assign(&lead, &tender, &evaluator).await).await;
    success(app.declare(&evaluator, &tender, false).await).await;
    let lots = lots_of(&tender);
    let ann = app.user("supplier_bidder").await;
    let bid = bid_on(&app, &ann, &tender, &lots[0], 3_000_000).await;
    wait_until(tender["submission_deadline"].as_str().unwrap()).await;
    app.score_all(&evaluator, &tender, &bid, &[70, 70]).await;
    let unsuccessful = format!("/api/v1/tenders/{}/unsuccessful", id_of(&tender));
    // A lot with a compliant bid is not unsuccessful; a divided tender names the lot.
    assert_problem_type(
        app.post(
            &unsuccessful,
            &lead.token,
            json!({"lot_id": lots[0], "reason": "No."}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    success(app.award(&lead, &tender, &bid, None).await).await;
    success(contract(&app, &lead, &tender, &lots[0]).await).await;
    let now = tender_now(&app, &lead, &tender).await;
    assert_eq!(now["status"], "evaluation");
    assert_eq!(now["lots"][0]["status"], "awarded");
    // With a lot's contract entered, the tender is no longer cancelled as a whole.
    assert_problem_type(
        app.post(
            &format!("/api/v1/tenders/{}/cancel", id_of(&tender)),
            &lead.token,
            json!({"reason": "Budget withdrawn."}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let problem = assert_problem_type(
        app.post(&unsuccessful, &lead.token, json!({"reason": "No bid."}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/lot_id"]);
    let evaluator_refused = app
        .post(
            &unsuccessful,
            &evaluator.token,
            json!({"lot_id": lots[1], "reason": "No bid was received for finance."}),
        )
        .await;
    assert_problem(evaluator_refused, StatusCode::FORBIDDEN).await;
    let ended = success(
        app.post(
            &unsuccessful,
            &lead.token,
            json!({"lot_id": lots[1], "reason": "No bid was received for finance."}),
        )
        .await,
    )
    .await;
    assert_eq!(ended["status"], "awarded");
    assert_eq!(ended["lots"][1]["status"], "unsuccessful");
    assert_eq!(
        ended["lots"][1]["unsuccessful_reason"],
        "No bid was received for finance."
    );
    // Its procurement termination notice names the lot.
    let notices = success(
        app.send(
            Method::GET,
            &format!("/api/v1/notices?tender={}&notice_type=UK12", id_of(&tender)),
            None,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(notices["total"], 1);
    assert_eq!(notices["items"][0]["details"]["lot_id"], json!(lots[1]));
}

#[tokio::test]
async fn a_challenge_names_its_lot_and_when_upheld_reopens_that_lot_only() {
    let app = TestApp::spawn().await;
    let (lead, evaluator, tender) = divided(&app, 3.0, None, json!({})).await;
    let lots = lots_of(&tender);
    let (ann, bob) = (
        app.user("supplier_bidder").await,
        app.user("supplier_bidder").await,
    );
    let ann_1 = bid_on(&app, &ann, &tender, &lots[0], 3_000_000).await;
    let bob_1 = bid_on(&app, &bob, &tender, &lots[0], 4_000_000).await;
    let bob_2 = bid_on(&app, &bob, &tender, &lots[1], 4_000_000).await;
    wait_until(tender["submission_deadline"].as_str().unwrap()).await;
    for bid in [&ann_1, &bob_1, &bob_2] {
        app.score_all(&evaluator, &tender, bid, &[70, 70]).await;
    }
    success(app.award(&lead, &tender, &ann_1, None).await).await;
    success(app.award(&lead, &tender, &bob_2, None).await).await;
    let challenges = format!("/api/v1/tenders/{}/challenges", id_of(&tender));
    let problem = assert_problem_type(
        app.post(&challenges, &bob.token, json!({"grounds": "Mis-scored."}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/lot_id"]);
    // The winner of a lot does not challenge its own award.
    assert_problem(
        app.post(
            &challenges,
            &bob.token,
            json!({"lot_id": lots[1], "grounds": "Mis-scored."}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let challenge = success(
        app.post(
            &challenges,
            &bob.token,
            json!({"lot_id": lots[0], "grounds": "Our delivery approach was mis-scored."}),
        )
        .await,
    )
    .await;
    let resolved = success(
        app.post(
            &format!("{challenges}/{}/resolve", id_of(&challenge)),
            &lead.token,
            json!({"outcome": "upheld", "notes": "A mark was recorded against the wrong bid."}),
        )
        .await,
    )
    .await;
    assert_eq!(resolved["status"], "upheld");
    let now = tender_now(&app, &lead, &tender).await;
    assert_eq!(now["status"], "evaluation");
    let states: Vec<&str> = now["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["status"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["open", "standstill", "open"]);
    // Lot 1 is back in evaluation, its scores kept: it may be ranked and awarded again.
    let again = ranking(&app, &lead, &tender, &lots[0]).await;
    assert_eq!(again["complete"], true);
    let outcome = json_body(
        app.get(
            &format!("/api/v1/tenders/{}/outcome?lot={}", id_of(&tender), lots[0]),
            &lead.token,
        )
        .await,
    )
    .await;
    assert_eq!(outcome["status"], 409, "{outcome}");
}
