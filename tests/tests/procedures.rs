//! The Procurement Act's competitive flexible procedure (s.20(2)(b)): suppliers request to
//! participate before the expression-of-interest deadline, the lead shortlists every request
//! with a reason once it has passed, and only the admitted tender. Below threshold (seconds);
//! the day limits above threshold with deadlines days ahead, moved back in the database where
//! the test must stand after them.

use e2e::{
    TestApp, TestUser, assert_problem, assert_problem_type, assert_valid_uk_package, id_of,
    in_seconds, json_body, pointers, success, tender_json, wait_until,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const CONDITIONS: &str = "Three years of NHS procurement support; Cyber Essentials Plus.";

fn cfp(eoi_in_seconds: f64, submission_in_seconds: f64) -> Value {
    tender_json(
        submission_in_seconds,
        json!({
            "procedure": "competitive_flexible",
            "expression_of_interest_deadline": in_seconds(eoi_in_seconds),
            "conditions_of_participation": CONDITIONS,
        }),
    )
}

async fn request(
    app: &TestApp,
    who: &TestUser,
    tender: &Value,
    statement: &str,
) -> reqwest::Response {
    app.post(
        &format!("/api/v1/tenders/{}/participation-requests", id_of(tender)),
        &who.token,
        json!({"statement": statement}),
    )
    .await
}

async fn published(app: &TestApp, lead: &TestUser, body: Value) -> Value {
    let draft = success(app.post("/api/v1/tenders", &lead.token, body).await).await;
    success(
        app.send(
            Method::POST,
            &format!("/api/v1/tenders/{}/publish", id_of(&draft)),
            Some(&lead.token),
            None,
        )
        .await,
    )
    .await
}

#[tokio::test]
async fn suppliers_request_to_participate_the_lead_shortlists_with_reasons_and_only_the_admitted_tender()
 {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let admitted = app.user("supplier_bidder").await;
    let refused = app.user("supplier_bidder").await;
    let bystander = app.user("supplier_bidder").await;
    let tender = published(&app, &lead, cfp(3.0, 3600.0)).await;
    assert_eq!(tender["procedure"], "competitive_flexible");
    assert_eq!(tender["conditions_of_participation"], CONDITIONS);
    let path = |p: &str| format!("/api/v1/tenders/{}{p}", id_of(&tender));

    // Requests before the deadline: one per supplier, revised in place.
    let first = request(&app, &admitted, &tender, "Ten years of NHS procurement.").await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let revised = request(&app, &admitted, &tender, "Ten years; ISO 27001 certified.").await;
    assert_eq!(revised.status(), StatusCode::OK);
    assert_eq!(json_body(revised).await["version"], 2);
    success(request(&app, &refused, &tender, "We are new to the NHS.").await).await;
    // Nobody else requests; and before the deadline the requests are sealed from the buyer.
    assert_problem(
        request(&app, &lead, &tender, "A buyer.").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem_type(
        app.get(&path("/participation-requests"), &lead.token).await,
        StatusCode::FORBIDDEN,
        "bids-sealed",
    )
    .await;
    let own = success(
        app.get(&path("/participation-requests"), &refused.token)
            .await,
    )
    .await;
    assert_eq!(own.as_array().map(Vec::len), Some(1));
    assert_eq!(own[0]["statement"], "We are new to the NHS.");
    // Nobody bids before the shortlist; the lead may not shortlist yet.
    assert_problem_type(
        app.bid(&admitted, &tender, 20_000_000).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let decisions = json!({"decisions": [
        {"supplier_id": admitted.organisation_id, "admitted": true, "reason": "Meets every condition."},
        {"supplier_id": refused.organisation_id, "admitted": false, "reason": "No NHS references were given."},
    ]});
    assert_problem(
        app.post(&path("/shortlist"), &lead.token, decisions.clone())
            .await,
        StatusCode::CONFLICT,
    )
    .await;

    // After the deadline: a late request is refused; the lead reads them all.
    wait_until(tender["expression_of_interest_deadline"].as_str().unwrap()).await;
    assert_problem_type(
        request(&app, &bystander, &tender, "Late.").await,
        StatusCode::CONFLICT,
        "deadline-passed",
    )
    .await;
    let all = success(app.get(&path("/participation-requests"), &lead.token).await).await;
    assert_eq!(all.as_array().map(Vec::len), Some(2));

    // The shortlist decides every request, by the lead alone.
    let incomplete = json!({"decisions": [decisions["decisions"][0].clone()]});
    let problem = assert_problem_type(
        app.post(&path("/shortlist"), &lead.token, incomplete).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/decisions"]);
    assert_problem(
        app.post(&path("/shortlist"), &admitted.token, decisions.clone())
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let stranger = app.user("buyer_lead").await;
    assert_problem(
        app.post(&path("/shortlist"), &stranger.token, decisions.clone())
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let shortlisted = success(
        app.post(&path("/shortlist"), &lead.token, decisions.clone())
            .await,
    )
    .await;
    assert!(shortlisted["shortlisted_at"].is_string());
    assert_problem(
        app.post(&path("/shortlist"), &lead.token, decisions).await,
        StatusCode::CONFLICT,
    )
    .await;

    // Only the admitted tender.
    app.accepted_bid(&admitted, &tender, 20_000_000).await;
    for outsider in [&refused, &bystander] {
        assert_problem_type(
            app.bid(outsider, &tender, 19_000_000).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    // Each requester is told its own decision and reason, and nothing of the other's.
    for (who, reason, other) in [
        (&admitted, "Meets every condition.", "No NHS references"),
        (
            &refused,
            "No NHS references were given.",
            "Meets every condition",
        ),
    ] {
        let notifications = success(app.get("/api/v1/notifications", &who.token).await).await;
        let decided: Vec<&Value> = notifications["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "participation_decided")
            .collect();
        assert_eq!(decided.len(), 1);
        let text = decided[0].to_string();
        assert!(text.contains(reason) && !text.contains(other), "{text}");
    }
    let mine = success(
        app.get(&path("/participation-requests"), &refused.token)
            .await,
    )
    .await;
    assert_eq!(mine[0]["admitted"], false);
    assert_eq!(mine[0]["decision_reason"], "No NHS references were given.");

    // The tender notice carries the participation stage; no statement reaches the audit log.
    let notices = success(
        app.send(
            Method::GET,
            &format!("/api/v1/notices?tender={}", id_of(&tender)),
            None,
            None,
        )
        .await,
    )
    .await;
    let uk4 = &notices["items"][0];
    assert_eq!(uk4["notice_type"], "UK4");
    assert_eq!(uk4["details"]["conditions_of_participation"], CONDITIONS);
    let package = success(
        app.send(
            Method::GET,
            &format!("/api/v1/notices/{}/ocds", id_of(uk4)),
            None,
            None,
        )
        .await,
    )
    .await;
    assert_valid_uk_package(&package);
    let release = &package["releases"][0];
    assert!(release["tender"]["expressionOfInterestDeadline"].is_string());
    assert_eq!(
        release["tender"]["procurementMethodDetails"],
        "Competitive flexible procedure"
    );
    let audit = success(
        app.get("/api/v1/audit?per_page=100", &app.admin_token)
            .await,
    )
    .await;
    let text = audit.to_string();
    assert!(text.contains("participation.requested") && text.contains("tender.shortlisted"));
    assert!(
        !text.contains("ISO 27001 certified"),
        "a statement reached the audit log"
    );
    assert!(
        !text.contains("We are new to the NHS"),
        "a statement reached the audit log"
    );
}

/// Moves the tender's expression-of-interest deadline into the past, as if it had passed.
async fn requests_closed(app: &TestApp, tender: &Value) {
    e2e::passed(
        app,
        tender,
        persistence::entities::tenders::Column::ExpressionOfInterestDeadline,
    )
    .await;
}

fn days(n: i64, extra_seconds: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(n) + chrono::Duration::seconds(extra_seconds))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[tokio::test]
async fn above_threshold_each_period_of_a_competitive_flexible_procedure_is_at_least_25_days() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let above = |eoi: String| {
        let mut body = tender_json(
            0.0,
            json!({
                "procedure": "competitive_flexible",
                "estimated_value_pence": 30_000_000,
                "budget_ceiling_pence": null,
                "no_lots_rationale": "One integrated service: dividing it would duplicate mobilisation costs.",
                "conditions_of_participation": CONDITIONS,
                "expression_of_interest_deadline": eoi,
            }),
        );
        body["clarification_deadline"] = json!(days(60, 0));
        body["submission_deadline"] = json!(days(60, 0));
        body
    };
    // The participation period: 24 days refused at its field, 25 accepted (s.54(3)).
    let short = success(
        app.post("/api/v1/tenders", &lead.token, above(days(24, 0)))
            .await,
    )
    .await;
    let problem = assert_problem_type(
        app.send(
            Method::POST,
            &format!("/api/v1/tenders/{}/publish", id_of(&short)),
            Some(&lead.token),
            None,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/expression_of_interest_deadline"]);
    let tender = published(&app, &lead, above(days(25, 60))).await;
    assert_eq!(tender["above_threshold"], true);
    success(request(&app, &supplier, &tender, "Ten years of NHS work.").await).await;

    // The tendering period runs from the shortlist: 24 days refused, 25 accepted.
    requests_closed(&app, &tender).await;
    let shortlist = |deadline: String| {
        json!({"decisions": [{"supplier_id": supplier.organisation_id, "admitted": true, "reason": "Meets the conditions."}],
               "submission_deadline": deadline})
    };
    let path = format!("/api/v1/tenders/{}/shortlist", id_of(&tender));
    let problem = assert_problem_type(
        app.post(&path, &lead.token, shortlist(days(24, 0))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/submission_deadline"]);
    assert!(
        problem["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("25 days"),
        "{problem}"
    );
    let done = success(app.post(&path, &lead.token, shortlist(days(25, 60))).await).await;
    assert_eq!(
        done["submission_deadline"].as_str().unwrap()[..10],
        days(25, 60)[..10]
    );
    app.accepted_bid(&supplier, &tender, 25_000_000).await;
}

#[tokio::test]
async fn a_competitive_flexible_draft_needs_its_participation_stage_and_other_procedures_refuse_one()
 {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let mut missing = cfp(60.0, 120.0);
    missing
        .as_object_mut()
        .unwrap()
        .remove("conditions_of_participation");
    missing["expression_of_interest_deadline"] = json!(in_seconds(200.0));
    let problem = assert_problem_type(
        app.post("/api/v1/tenders", &lead.token, missing).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(
        pointers(&problem),
        [
            "/expression_of_interest_deadline",
            "/conditions_of_participation"
        ]
    );
    let mut open = cfp(60.0, 120.0);
    open["procedure"] = json!("open");
    let problem = assert_problem_type(
        app.post("/api/v1/tenders", &lead.token, open).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(
        pointers(&problem),
        [
            "/expression_of_interest_deadline",
            "/conditions_of_participation"
        ]
    );
    // On an open tender there is no participation stage to join.
    let plain = app.published_tender(&lead, 3600.0, json!({})).await;
    let supplier = app.user("supplier_bidder").await;
    assert_problem(
        request(&app, &supplier, &plain, "Hello.").await,
        StatusCode::CONFLICT,
    )
    .await;
}

/// A direct award draft to `supplier` on `ground`, above threshold (sub-central).
fn direct_award(supplier: &str, ground: &str) -> Value {
    json!({
        "title": "Urgent payroll continuity",
        "description": "Payroll services after the incumbent's sudden exit.",
        "category": "finance",
        "region": "east_of_england",
        "estimated_value_pence": 30_000_000,
        "no_lots_rationale": "One integrated service: dividing it would duplicate mobilisation costs.",
        "contract_term_months": 12,
        "procedure": "direct_award",
        "direct_award_ground": ground,
        "direct_award_justification": "The incumbent ceased trading without notice; payroll must run this month.",
        "direct_award_supplier_id": supplier,
    })
}

/// Moves the direct award's standstill end into the past, as if it had run.
async fn standstill_over(app: &TestApp, tender: &Value) {
    e2e::passed(
        app,
        tender,
        persistence::entities::tenders::Column::TransparencyStandstillEndsAt,
    )
    .await;
}

#[tokio::test]
async fn a_direct_award_publishes_its_transparency_notice_and_the_contract_waits_for_its_standstill()
 {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let named = app.user("supplier_bidder").await;
    let rival = app.user("supplier_bidder").await;

    // Its terms are required, its supplier must be one, and it has no criteria or deadlines.
    let mut missing = direct_award(&named.organisation_id, "extreme_urgency");
    missing
        .as_object_mut()
        .unwrap()
        .remove("direct_award_ground");
    missing["criteria"] = json!([{"name": "Price", "kind": "price", "weight": 100}]);
    let problem = assert_problem_type(
        app.post("/api/v1/tenders", &lead.token, missing).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/criteria", "/direct_award_ground"]);
    let not_a_supplier = direct_award(&lead.organisation_id, "extreme_urgency");
    let problem = assert_problem_type(
        app.post("/api/v1/tenders", &lead.token, not_a_supplier)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/direct_award_supplier_id"]);

    let tender = published(
        &app,
        &lead,
        direct_award(&named.organisation_id, "extreme_urgency"),
    )
    .await;
    assert_eq!(tender["status"], "standstill");
    assert_eq!(tender["above_threshold"], true);
    assert_eq!(tender["direct_award_ground"], "extreme_urgency");
    assert!(tender["standstill_ends_at"].is_string());
    let path = |p: &str| format!("/api/v1/tenders/{}{p}", id_of(&tender));

    // The transparency notice, public, with its ground and supplier.
    let notices = success(
        app.send(
            Method::GET,
            &format!("/api/v1/notices?tender={}", id_of(&tender)),
            None,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(notices["total"], 1);
    let uk5 = &notices["items"][0];
    assert_eq!(uk5["notice_type"], "UK5");
    assert_eq!(uk5["details"]["schedule_5_paragraph"], 13);
    assert_eq!(uk5["details"]["supplier_id"], json!(named.organisation_id));
    assert_eq!(
        uk5["details"]["standstill_ends_at"],
        tender["standstill_ends_at"]
    );
    let package = success(
        app.send(
            Method::GET,
            &format!("/api/v1/notices/{}/ocds", id_of(uk5)),
            None,
            None,
        )
        .await,
    )
    .await;
    assert_valid_uk_package(&package);
    let release = &package["releases"][0];
    assert_eq!(release["tag"], json!(["award"]));
    assert_eq!(release["tender"]["procurementMethod"], "direct");
    assert_eq!(release["awards"][0]["status"], "pending");
    assert!(release["awards"][0]["standstillPeriod"]["endDate"].is_string());

    // No bids; no contract during the standstill.
    assert_problem_type(
        app.bid(&rival, &tender, 20_000_000).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let start = json!({"start_date": "2031-01-01"});
    assert_problem(
        app.post(&path("/contract"), &lead.token, start.clone())
            .await,
        StatusCode::CONFLICT,
    )
    .await;

    // Any other supplier may challenge during it; the named one may not.
    assert_problem(
        app.post(
            &path("/challenges"),
            &named.token,
            json!({"grounds": "Mine."}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let challenge = success(
        app.post(
            &path("/challenges"),
            &rival.token,
            json!({"grounds": "The urgency was foreseeable: the incumbent gave notice in May."}),
        )
        .await,
    )
    .await;
    let listed = success(app.get(&path("/challenges"), &lead.token).await).await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    let named_view = success(app.get(&path("/challenges"), &named.token).await).await;
    assert_eq!(named_view["items"].as_array().map(Vec::len), Some(0));

    // After the standstill an open challenge still holds the contract; dismissed, it goes on.
    standstill_over(&app, &tender).await;
    assert_problem(
        app.post(&path("/contract"), &lead.token, start.clone())
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    success(
        app.post(
            &path(&format!("/challenges/{}/resolve", id_of(&challenge))),
            &lead.token,
            json!({"outcome": "dismissed", "notes": "The notice in May was withdrawn."}),
        )
        .await,
    )
    .await;
    let contract = success(app.post(&path("/contract"), &lead.token, start).await).await;
    assert_eq!(contract["supplier_id"], json!(named.organisation_id));
    assert_eq!(contract["total_value_pence"], 30_000_000);
    let after = success(app.get(&path(""), &lead.token).await).await;
    assert_eq!(after["status"], "awarded");
    let notices = success(
        app.send(
            Method::GET,
            &format!("/api/v1/notices?tender={}", id_of(&tender)),
            None,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(notices["items"][0]["notice_type"], "UK7");
}

#[tokio::test]
async fn an_upheld_challenge_withdraws_the_direct_award_with_its_termination_notice() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let named = app.user("supplier_bidder").await;
    let rival = app.user("supplier_bidder").await;
    let tender = published(
        &app,
        &lead,
        direct_award(&named.organisation_id, "technical_reasons"),
    )
    .await;
    let path = |p: &str| format!("/api/v1/tenders/{}{p}", id_of(&tender));
    let challenge = success(
        app.post(
            &path("/challenges"),
            &rival.token,
            json!({"grounds": "We run the same system."}),
        )
        .await,
    )
    .await;
    assert_problem(
        app.post(
            &path(&format!("/challenges/{}/resolve", id_of(&challenge))),
            &rival.token,
            json!({"outcome": "upheld", "notes": "Self-serving."}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let resolved = success(
        app.post(
            &path(&format!("/challenges/{}/resolve", id_of(&challenge))),
            &lead.token,
            json!({"outcome": "upheld", "notes": "Another supplier can supply; we will compete it."}),
        )
        .await,
    )
    .await;
    assert_eq!(resolved["status"], "upheld");
    let after = success(app.get(&path(""), &lead.token).await).await;
    assert_eq!(after["status"], "cancelled");
    let notices = success(
        app.send(
            Method::GET,
            &format!("/api/v1/notices?tender={}", id_of(&tender)),
            None,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(notices["items"][0]["notice_type"], "UK12");
}
