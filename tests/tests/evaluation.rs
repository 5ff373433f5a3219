//! Evaluation and award through the API: the panel declares before it sees a bid, scores are
//! exact and ranked as computed by hand, the award needs complete scoring and a justification
//! away from the top, exactly one of many concurrent awards wins, the standstill counts working
//! days, challenges hold the contract, bidders read their own outcome, and buyers rate suppliers.

use e2e::{
    Competition, TestApp, TestUser, assert_problem, assert_problem_type, id_of, json_body,
    pointers, quality_criteria, success,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body = json_body(response).await;
    assert!(status.is_success(), "{status}: {body}");
    body
}

async fn audit_actions(app: &TestApp, entity_id: &str) -> Vec<String> {
    let audit = ok(app
        .get(
            &format!("/api/v1/audit?entity_id={entity_id}&per_page=100"),
            &app.admin_token,
        )
        .await)
    .await;
    audit["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|e| e["action"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap()
}

fn ranked<'a>(ranking: &'a Value, bid: &str) -> &'a Value {
    ranking["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["bid_id"] == bid))
        .unwrap_or_else(|| panic!("bid {bid} is not ranked: {ranking}"))
}

#[tokio::test]
async fn a_worked_example_is_ranked_exactly_as_computed_by_hand_with_its_ties() {
    let app = TestApp::spawn().await;
    // Price 40, delivery 35, social value 25 (the test tender's criteria).
    let prices = [20_000_000, 25_000_000, 25_000_000, 20_000_000, 33_000_000];
    let c = Competition::run(&app, &prices, json!({})).await;
    let second = app
        .user_in("buyer_evaluator", &c.lead.organisation_id)
        .await;
    ok(app.assign(&c.lead, &c.tender, &second).await).await;
    ok(app.declare(&second, &c.tender, false).await).await;
    let [a, b, d, e, over] = [0, 1, 2, 3, 4].map(|i| c.bids[i].clone());

    // The dearest bid is above the £300,000 budget ceiling: the ranking flags it.
    let before = c.ranking(&app).await;
    assert_eq!(ranked(&before, &over)["above_budget_ceiling"], true);
    assert_eq!(ranked(&before, &a)["above_budget_ceiling"], false);
    assert_eq!(before["complete"], false);
    let excluded = ok(app
        .post(
            &c.path(&format!("/bids/{over}/exclude")),
            &c.lead.token,
            json!({"reason": "The price is above the budget ceiling."}),
        )
        .await)
    .await;
    assert_eq!(excluded["excluded"], true);

    // A: delivery (60 + 80) / 2 = 70 → 35 × 70 / 100 = 24.5; social 50 → 12.5; quality 37;
    //    price 40 × 200k / 200k = 40; total 77.
    app.score_all(&c.evaluator, &c.tender, &a, &[60, 50]).await;
    app.score_all(&second, &c.tender, &a, &[80, 50]).await;
    // B: delivery 90 → 31.5; social (80 + 60) / 2 = 70 → 17.5; quality 49; price 40 × 200k /
    //    250k = 32; total 81.
    app.score_all(&c.evaluator, &c.tender, &b, &[90, 80]).await;
    app.score_all(&second, &c.tender, &b, &[90, 60]).await;
    // D: the same price and marks as B, submitted later: 81, quality 49.
    app.score_all(&c.evaluator, &c.tender, &d, &[90, 80]).await;
    // Scoring is incomplete until the second evaluator marks D: the award is refused.
    let incomplete = c.ranking(&app).await;
    assert_eq!(incomplete["complete"], false);
    assert_eq!(incomplete["missing_marks"], 2 + 4);
    let refused = assert_problem(
        app.award(&c.lead, &c.tender, &b, None).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        refused["detail"].as_str().unwrap().contains("not complete"),
        "{refused}"
    );
    app.score_all(&second, &c.tender, &d, &[90, 60]).await;
    // E: delivery 80 → 28; social 52 → 13; quality 41; price 40; total 81 — tied with B and D
    //    on total, behind them on quality.
    app.score_all(&c.evaluator, &c.tender, &e, &[80, 52]).await;
    app.score_all(&second, &c.tender, &e, &[80, 52]).await;

    let ranking = c.ranking(&app).await;
    assert_eq!(ranking["complete"], true, "{ranking}");
    assert_eq!(ranking["missing_marks"], 0);
    assert_eq!(ranking["scorers"], 2);
    let order: Vec<&str> = ranking["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["bid_id"].as_str()).collect())
        .unwrap();
    assert_eq!(order, vec![b.as_str(), d.as_str(), e.as_str(), a.as_str()]);
    let expected = [
        (&a, 40.0, 37.0, 77.0, 4),
        (&b, 32.0, 49.0, 81.0, 1),
        (&d, 32.0, 49.0, 81.0, 2),
        (&e, 40.0, 41.0, 81.0, 3),
    ];
    for (bid, price, quality, total, rank) in expected {
        let item = ranked(&ranking, bid);
        assert_eq!(item["price_score"], json!(price), "{item}");
        assert_eq!(item["quality_score"], json!(quality), "{item}");
        assert_eq!(item["total_score"], json!(total), "{item}");
        assert_eq!(item["rank"], rank, "{item}");
    }
    let a_item = ranked(&ranking, &a);
    assert_eq!(a_item["quality_scores"][0]["mean_score"], json!(70.0));
    assert_eq!(a_item["quality_scores"][0]["score"], json!(24.5));
    assert_eq!(a_item["quality_scores"][1]["score"], json!(12.5));
    assert_eq!(ranking["excluded"][0]["bid_id"], json!(over));

    // The runner-up needs a written justification; the top-ranked does not.
    let problem = assert_problem(
        app.award(&c.lead, &c.tender, &d, None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&problem), vec!["/justification"]);
    let award = ok(app.award(&c.lead, &c.tender, &b, None).await).await;
    assert_eq!(award["rank"], 1);
    assert_eq!(award["supplier_id"], json!(c.suppliers[1].organisation_id));
    let tender = ok(app.get(&c.path(""), &c.lead.token).await).await;
    assert_eq!(tender["status"], "standstill");
    // Scores are frozen by the award.
    let late = app
        .score(
            &c.evaluator,
            &c.tender,
            &a,
            &quality_criteria(&c.tender)[0],
            10,
        )
        .await;
    assert_problem(late, StatusCode::CONFLICT).await;

    let actions = audit_actions(&app, &id_of(&c.tender)).await;
    for action in [
        "tender.evaluator_assigned",
        "tender.conflict_declared",
        "tender.awarded",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
    assert!(
        audit_actions(&app, &over)
            .await
            .contains(&"bid.excluded".to_owned())
    );
    assert!(
        audit_actions(&app, &a)
            .await
            .contains(&"bid.scored".to_owned())
    );
}

#[tokio::test]
async fn only_a_cleared_panel_member_scores_and_only_quality_criteria() {
    let app = TestApp::spawn().await;
    let c = Competition::run(&app, &[20_000_000], json!({})).await;
    let bid = c.bids[0].clone();
    let criterion = quality_criteria(&c.tender)[0].clone();
    let org = c.lead.organisation_id.clone();
    let conflicted = app.user_in("buyer_evaluator", &org).await;
    let undeclared = app.user_in("buyer_evaluator", &org).await;
    let elsewhere = app.user_in("buyer_evaluator", &org).await;
    let other_buyer_lead = app.user("buyer_lead").await;
    let other_buyer = app
        .user_in("buyer_evaluator", &other_buyer_lead.organisation_id)
        .await;
    let regulator = app.user("regulator").await;
    for evaluator in [&conflicted, &undeclared] {
        ok(app.assign(&c.lead, &c.tender, evaluator).await).await;
    }
    ok(app.declare(&conflicted, &c.tender, true).await).await;
    // An evaluator of another of the buyer's tenders.
    let other_tender = app.published_tender(&c.lead, 60.0, json!({})).await;
    ok(app.assign(&c.lead, &other_tender, &elsewhere).await).await;
    ok(app.declare(&elsewhere, &other_tender, false).await).await;

    let cases: [(&str, &TestUser, StatusCode); 6] = [
        ("conflicted", &conflicted, StatusCode::FORBIDDEN),
        ("undeclared", &undeclared, StatusCode::FORBIDDEN),
        (
            "evaluator of another tender",
            &elsewhere,
            StatusCode::NOT_FOUND,
        ),
        (
            "evaluator of another buyer",
            &other_buyer,
            StatusCode::NOT_FOUND,
        ),
        ("supplier", &c.suppliers[0], StatusCode::FORBIDDEN),
        ("regulator", &regulator, StatusCode::FORBIDDEN),
    ];
    for (name, who, status) in cases {
        let response = app.score(who, &c.tender, &bid, &criterion, 50).await;
        assert_eq!(response.status(), status, "{name}");
        assert_problem(response, status).await;
    }
    // The conflicted and the undeclared see no bid content either.
    for who in [&conflicted, &undeclared] {
        assert_problem(
            app.get(&c.path("/bids"), &who.token).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert_problem(
            app.get(&c.path(&format!("/bids/{bid}")), &who.token).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    // A declared conflict stands.
    assert_problem(
        app.declare(&conflicted, &c.tender, false).await,
        StatusCode::CONFLICT,
    )
    .await;
    // The lead sees who declared what.
    let panel = ok(app.get(&c.path("/evaluators"), &c.lead.token).await).await;
    let declared: Vec<(Value, Value)> = panel["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|m| (m["user_id"].clone(), m["has_conflict"].clone()))
                .collect()
        })
        .unwrap();
    assert!(
        declared.contains(&(json!(conflicted.id), json!(true))),
        "{panel}"
    );
    assert!(
        declared.contains(&(json!(undeclared.id), Value::Null)),
        "{panel}"
    );
    assert!(
        declared.contains(&(json!(c.evaluator.id), json!(false))),
        "{panel}"
    );
    // A panel member sees only its own entry; a supplier none.
    let own = ok(app.get(&c.path("/evaluators"), &undeclared.token).await).await;
    assert_eq!(own["items"].as_array().map(Vec::len), Some(1));
    assert_problem(
        app.get(&c.path("/evaluators"), &c.suppliers[0].token).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // The cleared evaluator scores quality criteria, 0 to 100, with a justification.
    let price = c.tender["criteria"][0]["id"].as_str().unwrap().to_owned();
    let problem = assert_problem(
        app.score(&c.evaluator, &c.tender, &bid, &price, 50).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&problem), vec!["/criterion_id"]);
    let problem = assert_problem(
        app.json(
            Method::PUT,
            &c.path(&format!("/bids/{bid}/scores/{criterion}")),
            &c.evaluator.token,
            json!({"score": 101, "justification": " "}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&problem), vec!["/score", "/justification"]);
    assert_problem(
        app.score(
            &c.evaluator,
            &c.tender,
            &uuid::Uuid::new_v4().to_string(),
            &criterion,
            50,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let first = ok(app
        .score(&c.evaluator, &c.tender, &bid, &criterion, 50)
        .await)
    .await;
    let changed = ok(app
        .score(&c.evaluator, &c.tender, &bid, &criterion, 65)
        .await)
    .await;
    assert_eq!(changed["score"], 65);
    assert_eq!(changed["scored_at"], first["scored_at"]);
    let marks = ok(app.get(&c.path("/scores"), &c.lead.token).await).await;
    assert_eq!(marks["items"].as_array().map(Vec::len), Some(1));
    // Before the deadline a tender is not scored.
    let open = app.published_tender(&c.lead, 60.0, json!({})).await;
    ok(app.assign(&c.lead, &open, &c.evaluator).await).await;
    ok(app.declare(&c.evaluator, &open, false).await).await;
    let open_bid = app.accepted_bid(&c.suppliers[0], &open, 10_000_000).await;
    assert_problem(
        app.score(
            &c.evaluator,
            &open,
            &id_of(&open_bid),
            &quality_criteria(&open)[0],
            50,
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_problem_type(
        app.get(
            &format!("/api/v1/tenders/{}/ranking", id_of(&open)),
            &c.lead.token,
        )
        .await,
        StatusCode::FORBIDDEN,
        "bids-sealed",
    )
    .await;
}

#[tokio::test]
async fn the_panel_is_the_leads_to_set_with_its_own_organisations_evaluators() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let evaluator = app.user_in("buyer_evaluator", &lead.organisation_id).await;
    let outsider = app.user("buyer_evaluator").await;
    let other_lead = app.user_in("buyer_lead", &outsider.organisation_id).await;
    let supplier = app.user("supplier_bidder").await;
    let tender = app
        .published_tender(
            &lead,
            60.0,
            json!({"procedure": "invited", "invited_supplier_ids": [supplier.organisation_id]}),
        )
        .await;
    assert_problem(
        app.assign(&supplier, &tender, &evaluator).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.assign(&evaluator, &tender, &evaluator).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.assign(&other_lead, &tender, &outsider).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let problem = assert_problem(
        app.assign(&lead, &tender, &outsider).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&problem), vec!["/user_id"]);
    let member = ok(app.assign(&lead, &tender, &evaluator).await).await;
    assert_eq!(member["declared"], false);
    assert_problem(
        app.assign(&lead, &tender, &evaluator).await,
        StatusCode::CONFLICT,
    )
    .await;
    let path = format!(
        "/api/v1/tenders/{}/evaluators/{}",
        id_of(&tender),
        evaluator.id
    );
    let removed = app
        .send(Method::DELETE, &path, Some(&lead.token), None)
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let again = app
        .send(Method::DELETE, &path, Some(&lead.token), None)
        .await;
    assert_problem(again, StatusCode::NOT_FOUND).await;
    // An unassigned evaluator cannot declare; the lead joins the panel by declaring.
    assert_problem(
        app.declare(&evaluator, &tender, false).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let joined = app.declare(&lead, &tender, false).await;
    assert_eq!(joined.status(), StatusCode::CREATED);
    let actions = audit_actions(&app, &id_of(&tender)).await;
    assert!(
        actions.contains(&"tender.evaluator_removed".to_owned()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn of_twenty_concurrent_awards_one_wins_and_one_contract_follows() {
    let app = TestApp::spawn().await;
    let c = Competition::run(
        &app,
        &[20_000_000, 22_000_000],
        json!({"standstill_days": 0, "contract_term_months": 24}),
    )
    .await;
    c.score_everything(&app, &[70, 70]).await;
    let client = reqwest::Client::new();
    let url = app.url(&c.path("/award"));
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (client, url, token) = (client.clone(), url.clone(), c.lead.token.clone());
        let body = json!({"bid_id": c.bids[0]});
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .map(|r| r.status())
                .unwrap()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, conflicts), (1, 19), "{statuses:?}");

    // No standstill: the contract may follow at once, and only once.
    let today = chrono::Utc::now().date_naive();
    let contract = ok(app
        .post(
            &c.path("/contract"),
            &c.lead.token,
            json!({"start_date": today.succ_opt().unwrap_or(today).to_string()}),
        )
        .await)
    .await;
    assert_eq!(contract["total_value_pence"], 20_000_000);
    assert_eq!(contract["annual_value_pence"], 10_000_000);
    assert_eq!(contract["status"], "active");
    assert_eq!(
        contract["supplier_id"],
        json!(c.suppliers[0].organisation_id)
    );
    assert_problem(
        app.post(
            &c.path("/contract"),
            &c.lead.token,
            json!({"start_date": today.to_string()}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let tender = ok(app.get(&c.path(""), &c.lead.token).await).await;
    assert_eq!(tender["status"], "awarded");
    // The regulator reads the bids once the tender is awarded.
    let bids = ok(app
        .get(&c.path("/bids"), &app.user("regulator").await.token)
        .await)
    .await;
    assert_eq!(bids["items"].as_array().map(Vec::len), Some(2));
    let actions = audit_actions(&app, &id_of(&tender)).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "tender.awarded").count(),
        1,
        "{actions:?}"
    );
    assert!(actions.contains(&"tender.contracted".to_owned()));
    assert!(
        audit_actions(&app, contract["id"].as_str().unwrap())
            .await
            .contains(&"contract.created".to_owned())
    );
}

/// Moves the award's standstill end into the past, as if the days had gone by (no client can).
async fn end_standstill(app: &TestApp, tender: &Value) {
    use persistence::entities::awards;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    let tender_id: uuid::Uuid = id_of(tender).parse().unwrap();
    awards::Entity::update_many()
        .col_expr(awards::Column::StandstillEndsAt, Expr::value(past))
        .filter(awards::Column::TenderId.eq(tender_id))
        .exec(app.database.db.conn())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_challenge_in_the_standstill_holds_the_contract_until_it_is_resolved() {
    let app = TestApp::spawn().await;
    let c = Competition::run(
        &app,
        &[20_000_000, 22_000_000, 24_000_000],
        json!({"standstill_days": 1}),
    )
    .await;
    c.score_everything(&app, &[70, 70]).await;
    let award = ok(app.award(&c.lead, &c.tender, &c.bids[0], None).await).await;
    assert!(award["standstill_last_day"].is_string(), "{award}");
    let start = json!({"start_date": "2031-01-01"});
    // In the standstill the contract waits.
    assert_problem(
        app.post(&c.path("/contract"), &c.lead.token, start.clone())
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    let grounds = json!({"grounds": "The delivery scores do not follow the published method."});
    // The winner does not challenge; outsiders and buyers cannot.
    assert_problem(
        app.post(
            &c.path("/challenges"),
            &c.suppliers[0].token,
            grounds.clone(),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.post(&c.path("/challenges"), &c.lead.token, grounds.clone())
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let stranger = app.user("supplier_bidder").await;
    assert_problem(
        app.post(&c.path("/challenges"), &stranger.token, grounds.clone())
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let challenge = ok(app
        .post(
            &c.path("/challenges"),
            &c.suppliers[1].token,
            grounds.clone(),
        )
        .await)
    .await;
    assert_eq!(challenge["status"], "open");
    assert_problem(
        app.post(
            &c.path("/challenges"),
            &c.suppliers[1].token,
            grounds.clone(),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;

    // The standstill ends with the challenge open: still no contract, and no new challenge.
    end_standstill(&app, &c.tender).await;
    assert_problem_type(
        app.post(&c.path("/challenges"), &c.suppliers[2].token, grounds)
            .await,
        StatusCode::CONFLICT,
        "deadline-passed",
    )
    .await;
    let blocked = assert_problem(
        app.post(&c.path("/contract"), &c.lead.token, start.clone())
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        blocked["detail"].as_str().unwrap().contains("challenge"),
        "{blocked}"
    );
    // Only the lead resolves it.
    let resolve = c.path(&format!("/challenges/{}/resolve", id_of(&challenge)));
    let dismissal = json!({"outcome": "dismissed", "notes": "The method was followed."});
    assert_problem(
        app.post(&resolve, &c.evaluator.token, dismissal.clone())
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let resolved = ok(app.post(&resolve, &c.lead.token, dismissal.clone()).await).await;
    assert_eq!(resolved["status"], "dismissed");
    assert_problem(
        app.post(&resolve, &c.lead.token, dismissal).await,
        StatusCode::CONFLICT,
    )
    .await;
    let contract = ok(app.post(&c.path("/contract"), &c.lead.token, start).await).await;
    assert_eq!(contract["start_date"], "2031-01-01");
    let notifications = ok(app
        .get("/api/v1/notifications", &c.suppliers[1].token)
        .await)
    .await;
    let kinds: Vec<&str> = notifications["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|n| n["kind"].as_str()).collect())
        .unwrap();
    for kind in ["tender_awarded", "challenge_resolved", "contract_awarded"] {
        assert!(kinds.contains(&kind), "{kind}: {kinds:?}");
    }
    let actions = audit_actions(&app, &id_of(&challenge)).await;
    assert_eq!(actions, vec!["challenge.resolved", "challenge.lodged"]);
}

#[tokio::test]
async fn with_no_standstill_a_challenge_is_already_too_late() {
    let app = TestApp::spawn().await;
    let c = Competition::run(
        &app,
        &[20_000_000, 22_000_000],
        json!({"standstill_days": 0}),
    )
    .await;
    c.score_everything(&app, &[70, 70]).await;
    ok(app.award(&c.lead, &c.tender, &c.bids[0], None).await).await;
    let problem = assert_problem_type(
        app.post(
            &c.path("/challenges"),
            &c.suppliers[1].token,
            json!({"grounds": "Unfair."}),
        )
        .await,
        StatusCode::CONFLICT,
        "deadline-passed",
    )
    .await;
    assert!(problem["deadline"].is_string());
}

#[tokio::test]
async fn an_upheld_challenge_returns_the_tender_to_evaluation_with_its_scores() {
    let app = TestApp::spawn().await;
    let c = Competition::run(&app, &[20_000_000, 22_000_000], json!({})).await;
    c.score_everything(&app, &[70, 70]).await;
    ok(app.award(&c.lead, &c.tender, &c.bids[0], None).await).await;
    let challenge = ok(app
        .post(
            &c.path("/challenges"),
            &c.suppliers[1].token,
            json!({"grounds": "The winning bid is above the budget ceiling."}),
        )
        .await)
    .await;
    ok(app
        .post(
            &c.path(&format!("/challenges/{}/resolve", id_of(&challenge))),
            &c.lead.token,
            json!({"outcome": "upheld", "notes": "Upheld: we will re-evaluate."}),
        )
        .await)
    .await;
    let tender = ok(app.get(&c.path(""), &c.lead.token).await).await;
    assert_eq!(tender["status"], "evaluation");
    let ranking = c.ranking(&app).await;
    assert_eq!(ranking["complete"], true, "the scores are kept: {ranking}");
    assert_problem(
        app.get(&c.path("/outcome"), &c.suppliers[1].token).await,
        StatusCode::CONFLICT,
    )
    .await;
    // Scores may change again, and the lead awards anew (to the runner-up, with reasons).
    app.score_all(&c.evaluator, &c.tender, &c.bids[1], &[90, 90])
        .await;
    let award = ok(app
        .award(
            &c.lead,
            &c.tender,
            &c.bids[1],
            Some("Re-evaluated after the challenge."),
        )
        .await)
    .await;
    assert_eq!(award["supplier_id"], json!(c.suppliers[1].organisation_id));
    let actions = audit_actions(&app, &id_of(&c.tender)).await;
    assert!(
        actions.contains(&"tender.award_cancelled".to_owned()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn the_award_sends_each_assessed_bidder_its_assessment_summary_and_the_winners_only() {
    let app = TestApp::spawn().await;
    let c = Competition::run(&app, &[20_000_000, 22_000_000, 24_000_000], json!({})).await;
    for (bid, marks) in c.bids.iter().zip([[80, 80], [60, 40], [50, 50]]) {
        app.score_all(&c.evaluator, &c.tender, bid, &marks).await;
    }
    // Before the award there is no outcome.
    assert_problem(
        app.get(&c.path("/outcome"), &c.suppliers[1].token).await,
        StatusCode::CONFLICT,
    )
    .await;
    let award = ok(app.award(&c.lead, &c.tender, &c.bids[0], None).await).await;
    assert!(award["assessment_summaries_sent_at"].is_string(), "{award}");
    let outcome = ok(app.get(&c.path("/outcome"), &c.suppliers[1].token).await).await;
    assert_eq!(
        outcome["assessment_summaries_sent_at"],
        award["assessment_summaries_sent_at"]
    );
    assert_eq!(outcome["standstill_ends_at"], award["standstill_ends_at"]);

    // The loser's summary: every criterion's weight, score and reasons, its total and rank.
    // Price 40 × 20m / 22m = 36.3636; quality 35 × 0.6 = 21 and 25 × 0.4 = 10.
    let mine = &outcome["assessment_summary"];
    assert_eq!(mine["bid_id"], json!(c.bids[1]));
    assert_eq!(mine["rank"], 2);
    assert_eq!(mine["successful"], false);
    assert_eq!(mine["total"], json!(67.3636));
    let criteria = mine["criteria"].as_array().unwrap();
    assert_eq!(criteria.len(), 3);
    assert_eq!(criteria[0]["kind"], "price");
    assert_eq!(criteria[0]["weight"], 40);
    assert_eq!(criteria[0]["score"], json!(36.3636));
    let price_reason = criteria[0]["reasons"][0].as_str().unwrap();
    assert!(
        price_reason.contains("£220,000") && price_reason.contains("£200,000"),
        "{price_reason}"
    );
    assert_eq!(criteria[1]["name"], "Delivery approach");
    assert_eq!(criteria[1]["weight"], 35);
    assert_eq!(criteria[1]["score"], json!(21.0));
    assert_eq!(criteria[1]["marks"], json!([60]));
    assert!(criteria[1]["reasons"][0].is_string());
    assert_eq!(criteria[2]["score"], json!(10.0));
    assert_eq!(
        criteria[1]["criterion_id"],
        quality_criteria(&c.tender)[0].as_str()
    );

    // The winner's, the same shape: 40 + 28 + 20.
    let winner = &outcome["winner"];
    assert_eq!(winner["bid_id"], json!(c.bids[0]));
    assert_eq!(winner["supplier_name"], award["supplier_name"], "{outcome}");
    assert_eq!(winner["total"], json!(88.0));
    assert_eq!(winner["rank"], 1);
    assert_eq!(winner["criteria"][1]["marks"], json!([80]));
    assert!(outcome.get("assessment_summaries").is_none(), "{outcome}");
    assert!(outcome["award"].get("justification").is_none());
    // Nothing of the third bidder's bid reaches the second.
    let text = outcome.to_string();
    assert!(!text.contains(&c.bids[2]), "{text}");
    assert!(!text.contains(&c.suppliers[2].organisation_id), "{text}");

    // The winner reads its own summary, the same as the winner's.
    let won = ok(app.get(&c.path("/outcome"), &c.suppliers[0].token).await).await;
    assert_eq!(won["assessment_summary"], won["winner"]);
    assert_eq!(won["assessment_summary"]["successful"], true);

    // The buyer reads every summary, best first; a supplier that did not bid, or another
    // buyer, reads nothing.
    let buyer_view = ok(app.get(&c.path("/outcome"), &c.lead.token).await).await;
    let all = buyer_view["assessment_summaries"].as_array().unwrap();
    assert_eq!(
        all.iter()
            .map(|s| s["rank"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(all[1], outcome["assessment_summary"]);
    let stranger = app.user("supplier_bidder").await;
    assert_problem(
        app.get(&c.path("/outcome"), &stranger.token).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let other_buyer = app.user("buyer_lead").await;
    assert_problem(
        app.get(&c.path("/outcome"), &other_buyer.token).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // Each bidder was told where to read its summary; the message carries no scores.
    let notifications = ok(app
        .get("/api/v1/notifications", &c.suppliers[1].token)
        .await)
    .await;
    let awarded = notifications["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "tender_awarded")
        .cloned()
        .unwrap();
    let message = awarded.to_string();
    assert!(message.contains("assessment summary"), "{message}");
    assert!(!message.contains("67.36"), "{message}");
}

/// A bid the lead excluded was not assessed (s.50(5)(b)): its bidder reads why, and gets no
/// summary; the others' summaries are unaffected.
#[tokio::test]
async fn an_excluded_bidder_reads_why_and_has_no_assessment_summary() {
    let app = TestApp::spawn().await;
    let c = Competition::run(&app, &[20_000_000, 22_000_000], json!({})).await;
    ok(app
        .post(
            &c.path(&format!("/bids/{}/exclude", c.bids[1])),
            &c.lead.token,
            json!({"reason": "The pricing schedule was incomplete."}),
        )
        .await)
    .await;
    app.score_all(&c.evaluator, &c.tender, &c.bids[0], &[70, 70])
        .await;
    ok(app.award(&c.lead, &c.tender, &c.bids[0], None).await).await;
    let outcome = ok(app.get(&c.path("/outcome"), &c.suppliers[1].token).await).await;
    assert!(outcome.get("assessment_summary").is_none(), "{outcome}");
    assert_eq!(outcome["your_bid"]["excluded"], true);
    assert_eq!(
        outcome["your_bid"]["exclusion_reason"],
        "The pricing schedule was incomplete."
    );
    assert_eq!(outcome["assessed_tenders"], 1);
    assert_eq!(outcome["winner"]["bid_id"], json!(c.bids[0]));
}

#[tokio::test]
async fn a_tender_is_declared_unsuccessful_only_when_no_compliant_bid_remains() {
    let app = TestApp::spawn().await;
    let c = Competition::run(&app, &[40_000_000], json!({})).await;
    let path = c.path("/unsuccessful");
    let reason = json!({"reason": "The only bid is above the budget ceiling."});
    assert_problem(
        app.post(&path, &c.evaluator.token, reason.clone()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.post(&path, &c.lead.token, reason.clone()).await,
        StatusCode::CONFLICT,
    )
    .await;
    ok(app
        .post(
            &c.path(&format!("/bids/{}/exclude", c.bids[0])),
            &c.lead.token,
            json!({"reason": "Above the budget ceiling."}),
        )
        .await)
    .await;
    // Reinstating and excluding again is allowed while in evaluation.
    let back = ok(app
        .send(
            Method::POST,
            &c.path(&format!("/bids/{}/reinstate", c.bids[0])),
            Some(&c.lead.token),
            None,
        )
        .await)
    .await;
    assert_eq!(back["excluded"], false);
    ok(app
        .post(
            &c.path(&format!("/bids/{}/exclude", c.bids[0])),
            &c.lead.token,
            json!({"reason": "Above the budget ceiling."}),
        )
        .await)
    .await;
    let tender = ok(app.post(&path, &c.lead.token, reason).await).await;
    assert_eq!(tender["status"], "unsuccessful");
    assert_eq!(
        tender["unsuccessful_reason"],
        "The only bid is above the budget ceiling."
    );
    let actions = audit_actions(&app, &id_of(&c.tender)).await;
    assert!(actions.contains(&"tender.declared_unsuccessful".to_owned()));
    let bid_actions = audit_actions(&app, &c.bids[0]).await;
    assert_eq!(
        bid_actions,
        vec![
            "bid.excluded",
            "bid.reinstated",
            "bid.excluded",
            "bid.submitted"
        ]
    );
}

#[tokio::test]
async fn the_ranking_and_the_marks_are_the_leads_until_award_and_each_bidder_sees_its_own_challenge()
 {
    let app = TestApp::spawn().await;
    let c = Competition::run(&app, &[20_000_000, 22_000_000, 24_000_000], json!({})).await;
    c.score_everything(&app, &[70, 70]).await;
    let regulator = app.user("regulator").await;
    let other_buyer = app.user("buyer_lead").await;
    // In evaluation: the lead reads the ranking and every mark; nobody else reads the ranking.
    success(app.get(&c.path("/ranking"), &c.lead.token).await).await;
    // The regulator is told the evaluation is sealed until award; the others that their role
    // never reads a ranking.
    for (who, status, kind) in [
        (&c.evaluator, StatusCode::FORBIDDEN, "forbidden"),
        (&c.suppliers[0], StatusCode::FORBIDDEN, "forbidden"),
        (&regulator, StatusCode::FORBIDDEN, "bids-sealed"),
        (&other_buyer, StatusCode::FORBIDDEN, "forbidden"),
    ] {
        assert_problem_type(app.get(&c.path("/ranking"), &who.token).await, status, kind).await;
    }
    assert_problem_type(
        app.get(&c.path("/scores"), &regulator.token).await,
        StatusCode::FORBIDDEN,
        "bids-sealed",
    )
    .await;
    assert_problem(
        app.get(&c.path("/scores"), &c.suppliers[0].token).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let second = app
        .user_in("buyer_evaluator", &c.lead.organisation_id)
        .await;
    success(app.assign(&c.lead, &c.tender, &second).await).await;
    success(app.declare(&second, &c.tender, false).await).await;
    app.score_all(&second, &c.tender, &c.bids[0], &[50, 50])
        .await;
    let all = success(app.get(&c.path("/scores"), &c.lead.token).await).await;
    let own = success(app.get(&c.path("/scores"), &second.token).await).await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(3 * 2 + 2));
    assert_eq!(
        own["items"].as_array().map(Vec::len),
        Some(2),
        "an evaluator sees its own"
    );
    assert!(
        own["items"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|m| m["evaluator_id"] == json!(second.id))
    );
    for bid in &c.bids[1..] {
        app.score_all(&second, &c.tender, bid, &[50, 50]).await;
    }

    // After award the regulator reads the ranking and the marks.
    success(app.award(&c.lead, &c.tender, &c.bids[0], None).await).await;
    let ranking = success(app.get(&c.path("/ranking"), &regulator.token).await).await;
    assert_eq!(ranking["items"][0]["bid_id"], json!(c.bids[0]));
    let marks = success(app.get(&c.path("/scores"), &regulator.token).await).await;
    assert_eq!(marks["items"].as_array().map(Vec::len), Some(12));

    // Two losers challenge; each sees only its own, the buyer and the regulator see both.
    for supplier in &c.suppliers[1..] {
        success(
            app.post(
                &c.path("/challenges"),
                &supplier.token,
                json!({"grounds": format!("Grounds of {}", supplier.organisation_id)}),
            )
            .await,
        )
        .await;
    }
    let mine = success(app.get(&c.path("/challenges"), &c.suppliers[1].token).await).await;
    let items = mine["items"].as_array().cloned().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0]["supplier_id"],
        json!(c.suppliers[1].organisation_id)
    );
    for who in [&c.lead, &regulator] {
        let every = success(app.get(&c.path("/challenges"), &who.token).await).await;
        assert_eq!(every["items"].as_array().map(Vec::len), Some(2));
    }
    let notified = success(app.get("/api/v1/notifications", &c.lead.token).await).await;
    assert!(
        notified["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|n| n["kind"] == "challenge_lodged"),
        "{notified}"
    );
}
