//! Tenders: a buyer's procurement lead drafts, edits, publishes, amends and cancels; the state
//! follows the database clock; invited tenders stay invisible to everyone else; suppliers never
//! see the budget ceiling; clarifications are seen by whom the rules say.

use e2e::{
    TestApp, TestUser, assert_problem, assert_problem_type, id_of, in_seconds, json_body, pointers,
    tender_json, wait_until,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn post_empty(app: &TestApp, who: &TestUser, path: &str) -> reqwest::Response {
    app.send(Method::POST, path, Some(&who.token), None).await
}

async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body = json_body(response).await;
    assert!(status.is_success(), "{status}: {body}");
    body
}

fn tender_path(tender: &Value) -> String {
    format!("/api/v1/tenders/{}", id_of(tender))
}

#[tokio::test]
async fn a_buyer_lead_drafts_edits_and_publishes_a_tender() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let draft = app.draft_tender(&lead, 3600.0, json!({})).await;
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["standstill_days"], 8);
    assert_eq!(draft["budget_ceiling_pence"], 30_000_000);
    let criteria = draft["criteria"].as_array().cloned().unwrap();
    assert_eq!(criteria.len(), 3);
    assert!(criteria.iter().all(|c| c["id"].is_string()));
    let path = tender_path(&draft);

    let unconditional = app
        .patch(&path, &lead.token, json!({"title": "Renamed"}))
        .await;
    assert_problem(unconditional, StatusCode::PRECONDITION_REQUIRED).await;
    let edited = app
        .request(Method::PATCH, &path, &lead.token)
        .header("if-match", "\"1\"")
        .json(&json!({"title": "Procurement and contracting support", "standstill_days": 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.headers()["etag"], "\"2\"");
    let edited = ok(edited).await;
    assert_eq!(edited["title"], "Procurement and contracting support");
    assert_eq!(edited["standstill_days"], 10);
    assert_eq!(edited["criteria"][0]["id"], criteria[0]["id"]);
    let stale = app
        .request(Method::PATCH, &path, &lead.token)
        .header("if-match", "\"1\"")
        .json(&json!({"title": "Stale"}))
        .send()
        .await
        .unwrap();
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;

    let published = ok(post_empty(&app, &lead, &format!("{path}/publish")).await).await;
    assert_eq!(published["status"], "published");
    assert!(published["published_at"].is_string());
    let again = post_empty(&app, &lead, &format!("{path}/publish")).await;
    assert_problem(again, StatusCode::CONFLICT).await;
    let edit_published = app
        .request(Method::PATCH, &path, &lead.token)
        .header("if-match", "\"3\"")
        .json(&json!({"title": "Too late"}))
        .send()
        .await
        .unwrap();
    assert_problem(edit_published, StatusCode::CONFLICT).await;
    let listed = ok(app.get("/api/v1/tenders", &lead.token).await).await;
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["status"], "published");
}

#[tokio::test]
async fn only_the_buying_organisations_lead_manages_its_tenders() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let evaluator = app.user_in("buyer_evaluator", &lead.organisation_id).await;
    let other_lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let regulator = app.user("regulator").await;
    for who in [&evaluator, &supplier, &regulator] {
        let refused = app
            .post(
                "/api/v1/tenders",
                &who.token,
                tender_json(3600.0, json!({})),
            )
            .await;
        assert_problem(refused, StatusCode::FORBIDDEN).await;
    }
    let admin_create = app
        .post(
            "/api/v1/tenders",
            &app.admin_token,
            tender_json(3600.0, json!({})),
        )
        .await;
    assert_problem(admin_create, StatusCode::FORBIDDEN).await;

    let draft = app.draft_tender(&lead, 3600.0, json!({})).await;
    let path = tender_path(&draft);
    // A draft is its buyer's alone.
    for who in [&other_lead, &supplier, &regulator] {
        assert_problem(app.get(&path, &who.token).await, StatusCode::NOT_FOUND).await;
        assert_problem(
            post_empty(&app, who, &format!("{path}/publish")).await,
            if who.email.starts_with("buyer_lead") {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::FORBIDDEN
            },
        )
        .await;
    }
    ok(app.get(&path, &evaluator.token).await).await;
    assert_problem(
        post_empty(&app, &evaluator, &format!("{path}/publish")).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let published = ok(post_empty(&app, &lead, &format!("{path}/publish")).await).await;
    for who in [&other_lead, &evaluator] {
        let refused = app
            .post(
                &format!("{path}/cancel"),
                &who.token,
                json!({"reason": "not mine to cancel"}),
            )
            .await;
        assert_problem(refused, StatusCode::FORBIDDEN).await;
        let refused = app
            .post(
                &format!("{path}/amendments"),
                &who.token,
                json!({"note": "x", "description": "y"}),
            )
            .await;
        assert_problem(refused, StatusCode::FORBIDDEN).await;
    }
    // Once published, an open tender is visible to other buyers, suppliers and the regulator.
    for who in [&other_lead, &supplier, &regulator] {
        ok(app.get(&tender_path(&published), &who.token).await).await;
    }
    // A buyer's list holds what it may read: the other buyer's open tender too, unless it asks
    // for its own organisation's.
    let other_list = ok(app.get("/api/v1/tenders", &other_lead.token).await).await;
    assert_eq!(
        other_list["total"], 1,
        "an open tender is listed to other buyers"
    );
    let own_only = ok(app
        .get(
            &format!("/api/v1/tenders?buyer={}", other_lead.organisation_id),
            &other_lead.token,
        )
        .await)
    .await;
    assert_eq!(own_only["total"], 0);
}

#[tokio::test]
async fn bad_criteria_and_deadlines_are_refused_with_pointers() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let cases = [
        (
            json!({"criteria": [
                {"name": "Price", "kind": "price", "weight": 40},
                {"name": "Quality", "kind": "quality", "weight": 50}
            ]}),
            vec!["/criteria"],
        ),
        (
            json!({"criteria": [
                {"name": "Price", "kind": "price", "weight": 50},
                {"name": "Cost", "kind": "price", "weight": 50}
            ]}),
            vec!["/criteria"],
        ),
        (
            json!({"criteria": [
                {"name": "Price", "kind": "price", "weight": 0},
                {"name": "Quality", "kind": "quality", "weight": 100}
            ]}),
            vec!["/criteria/0/weight"],
        ),
        (
            json!({"clarification_deadline": in_seconds(7200.0), "submission_deadline": in_seconds(3600.0)}),
            vec!["/clarification_deadline"],
        ),
        (json!({"category": "no_such_category"}), vec!["/category"]),
        (
            json!({"procedure": "invited"}),
            vec!["/invited_supplier_ids"],
        ),
        (
            json!({"budget_ceiling_pence": 1, "standstill_days": 31, "contract_term_months": 0}),
            vec![
                "/budget_ceiling_pence",
                "/contract_term_months",
                "/standstill_days",
            ],
        ),
    ];
    for (changes, expected) in cases {
        let response = app
            .post(
                "/api/v1/tenders",
                &lead.token,
                tender_json(3600.0, changes.clone()),
            )
            .await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        let mut got = pointers(&problem);
        got.dedup();
        assert_eq!(got, expected, "{changes}: {problem}");
    }
    let buyer_org = app.organisation("buyer").await;
    let not_a_supplier = app
        .post(
            "/api/v1/tenders",
            &lead.token,
            tender_json(
                3600.0,
                json!({"procedure": "invited", "invited_supplier_ids": [buyer_org]}),
            ),
        )
        .await;
    let problem = assert_problem(not_a_supplier, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), vec!["/invited_supplier_ids/0"]);

    // Deadlines in the past are refused at publication, and the draft stays a draft.
    let past = app
        .draft_tender(
            &lead,
            3600.0,
            json!({"clarification_deadline": in_seconds(-60.0), "submission_deadline": in_seconds(-30.0)}),
        )
        .await;
    let refused = post_empty(&app, &lead, &format!("{}/publish", tender_path(&past))).await;
    let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        pointers(&problem),
        vec!["/clarification_deadline", "/submission_deadline"]
    );
    let still = ok(app.get(&tender_path(&past), &lead.token).await).await;
    assert_eq!(still["status"], "draft");
}

#[tokio::test]
async fn the_state_follows_the_database_clock_at_the_deadline() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let with_bid = app.published_tender(&lead, 2.0, json!({})).await;
    let without_bid = app.published_tender(&lead, 2.0, json!({})).await;
    app.accepted_bid(&supplier, &with_bid, 20_000_000).await;
    let open = ok(app.get("/api/v1/tenders", &supplier.token).await).await;
    assert_eq!(open["total"], 2, "{open}");
    wait_until(with_bid["submission_deadline"].as_str().unwrap()).await;
    wait_until(without_bid["submission_deadline"].as_str().unwrap()).await;

    let read = ok(app.get(&tender_path(&with_bid), &lead.token).await).await;
    assert_eq!(read["status"], "evaluation");
    let read = ok(app.get(&tender_path(&without_bid), &lead.token).await).await;
    assert_eq!(read["status"], "unsuccessful");
    let evaluation = ok(app
        .get("/api/v1/tenders?status=evaluation", &lead.token)
        .await)
    .await;
    assert_eq!(evaluation["total"], 1);
    assert_eq!(evaluation["items"][0]["id"], with_bid["id"]);
    let open = ok(app.get("/api/v1/tenders", &supplier.token).await).await;
    assert_eq!(
        open["total"], 0,
        "closed tenders are no longer open for bids: {open}"
    );
    let mine = ok(app
        .get("/api/v1/tenders?status=evaluation", &supplier.token)
        .await)
    .await;
    assert_eq!(mine["total"], 1);

    // A later command records the close; the state read stays the same.
    let cancelled = ok(app
        .post(
            &format!("{}/cancel", tender_path(&with_bid)),
            &lead.token,
            json!({"reason": "Budget withdrawn by the board."}),
        )
        .await)
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(
        cancelled["cancellation_reason"],
        "Budget withdrawn by the board."
    );
    let again = app
        .post(
            &format!("{}/cancel", tender_path(&with_bid)),
            &lead.token,
            json!({"reason": "again"}),
        )
        .await;
    assert_problem(again, StatusCode::CONFLICT).await;
    let unsuccessful_cancel = app
        .post(
            &format!("{}/cancel", tender_path(&without_bid)),
            &lead.token,
            json!({"reason": "x"}),
        )
        .await;
    assert_problem(unsuccessful_cancel, StatusCode::CONFLICT).await;
    let audit = ok(app
        .get(
            &format!("/api/v1/audit?entity_id={}", id_of(&with_bid)),
            &app.admin_token,
        )
        .await)
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap();
    assert_eq!(
        actions,
        vec![
            "tender.cancelled",
            "tender.closed",
            "tender.published",
            "tender.created"
        ]
    );
}

#[tokio::test]
async fn a_reason_is_required_to_cancel() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let draft = app.draft_tender(&lead, 3600.0, json!({})).await;
    let refused = app
        .post(
            &format!("{}/cancel", tender_path(&draft)),
            &lead.token,
            json!({"reason": "  "}),
        )
        .await;
    let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), vec!["/reason"]);
    let cancelled = ok(app
        .post(
            &format!("{}/cancel", tender_path(&draft)),
            &lead.token,
            json!({"reason": "Requirement merged into another tender."}),
        )
        .await)
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    let publish = post_empty(&app, &lead, &format!("{}/publish", tender_path(&draft))).await;
    assert_problem(publish, StatusCode::CONFLICT).await;
}

#[tokio::test]
async fn an_invited_tender_is_invisible_to_everyone_it_does_not_name() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let invited = app.user("supplier_bidder").await;
    let outsider = app.user("supplier_bidder").await;
    let other_buyer = app.user("buyer_lead").await;
    let regulator = app.user("regulator").await;
    let tender = app
        .published_tender(
            &lead,
            3600.0,
            json!({"procedure": "invited", "invited_supplier_ids": [invited.organisation_id]}),
        )
        .await;
    let path = tender_path(&tender);
    for who in [&outsider, &other_buyer] {
        assert_problem(app.get(&path, &who.token).await, StatusCode::NOT_FOUND).await;
        assert_problem(
            app.get(&format!("{path}/clarifications"), &who.token).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    let bid = app.bid(&outsider, &tender, 1_000).await;
    assert_problem(bid, StatusCode::NOT_FOUND).await;
    let listed = ok(app.get("/api/v1/tenders", &outsider.token).await).await;
    assert_eq!(listed["total"], 0);

    let seen = ok(app.get(&path, &invited.token).await).await;
    assert!(seen.get("invited_supplier_ids").is_none(), "{seen}");
    assert!(seen.get("budget_ceiling_pence").is_none(), "{seen}");
    let listed = ok(app.get("/api/v1/tenders", &invited.token).await).await;
    assert_eq!(listed["total"], 1);
    app.accepted_bid(&invited, &tender, 1_000).await;
    let regulator_view = ok(app.get(&path, &regulator.token).await).await;
    assert_eq!(
        regulator_view["invited_supplier_ids"],
        json!([invited.organisation_id])
    );
}

#[tokio::test]
async fn the_budget_ceiling_is_never_in_a_suppliers_response() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let tender = app.published_tender(&lead, 3600.0, json!({})).await;
    assert_eq!(tender["budget_ceiling_pence"], 30_000_000);
    for path in [tender_path(&tender), "/api/v1/tenders".to_owned()] {
        let response = app.get(&path, &supplier.token).await;
        let text = response.text().await.unwrap();
        assert!(!text.contains("budget_ceiling"), "{path}: {text}");
        assert!(!text.contains("30000000"), "{path}: {text}");
    }
    let bid = app.bid(&supplier, &tender, 1_000).await;
    let text = bid.text().await.unwrap();
    assert!(!text.contains("30000000"), "{text}");
}

#[tokio::test]
async fn an_amendment_reopens_bids_and_confirmation_restores_them() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let confirming = app.user("supplier_bidder").await;
    let silent = app.user("supplier_bidder").await;
    let tender = app
        .published_tender(
            &lead,
            4.0,
            json!({"clarification_deadline": in_seconds(2.0)}),
        )
        .await;
    let path = tender_path(&tender);
    let confirmed_bid = app.accepted_bid(&confirming, &tender, 20_000_000).await;
    let silent_bid = app.accepted_bid(&silent, &tender, 19_000_000).await;

    // Shortening, and amending nothing, are refused.
    let shorter = app
        .post(
            &format!("{path}/amendments"),
            &lead.token,
            json!({"note": "Sooner", "submission_deadline": in_seconds(1.0)}),
        )
        .await;
    let problem = assert_problem(shorter, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(pointers(&problem).contains(&"/submission_deadline".to_owned()));
    let nothing = app
        .post(
            &format!("{path}/amendments"),
            &lead.token,
            json!({"note": "Nothing"}),
        )
        .await;
    assert_problem(nothing, StatusCode::UNPROCESSABLE_ENTITY).await;
    let frozen = app
        .post(
            &format!("{path}/amendments"),
            &lead.token,
            json!({"note": "x", "criteria": []}),
        )
        .await;
    assert_problem(frozen, StatusCode::UNPROCESSABLE_ENTITY).await;

    // A later clarification deadline alone leaves the bids as they are.
    let clarification_deadline = in_seconds(3.0);
    let amended = ok(app
        .post(
            &format!("{path}/amendments"),
            &lead.token,
            json!({"note": "More time for questions", "clarification_deadline": clarification_deadline}),
        )
        .await)
    .await;
    assert_eq!(amended["amendments"][0]["bids_need_confirmation"], false);
    let bid_path = format!("{path}/bids/{}", id_of(&confirmed_bid));
    let unchanged = ok(app.get(&bid_path, &confirming.token).await).await;
    assert_eq!(unchanged["status"], "submitted");

    // A clarified description reopens every live bid.
    let amended = ok(app
        .post(
            &format!("{path}/amendments"),
            &lead.token,
            json!({"note": "Scope clarified", "description": "Now including contract management."}),
        )
        .await)
    .await;
    assert_eq!(amended["description"], "Now including contract management.");
    let history = amended["amendments"].as_array().cloned().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["number"], 2);
    assert_eq!(
        history[1]["description_before"],
        "Strategic and operational procurement support for the system."
    );
    assert_eq!(history[1]["bids_need_confirmation"], true);
    for (who, bid) in [(&confirming, &confirmed_bid), (&silent, &silent_bid)] {
        let read = ok(app
            .get(&format!("{path}/bids/{}", id_of(bid)), &who.token)
            .await)
        .await;
        assert_eq!(read["status"], "needs_confirmation");
    }
    let audit = ok(app
        .get(
            &format!(
                "/api/v1/audit?entity_id={}&action=tender.amended",
                id_of(&tender)
            ),
            &app.admin_token,
        )
        .await)
    .await;
    assert_eq!(audit["total"], 2, "each amendment is audited: {audit}");
    assert_eq!(
        audit["items"][0]["after"]["description"],
        "Now including contract management."
    );
    let confirmed = ok(post_empty(&app, &confirming, &format!("{bid_path}/confirm")).await).await;
    assert_eq!(confirmed["status"], "submitted");
    assert!(confirmed["confirmed_at"].is_string());
    let twice = post_empty(&app, &confirming, &format!("{bid_path}/confirm")).await;
    assert_problem(twice, StatusCode::CONFLICT).await;
    let supplier_view = ok(app.get(&path, &silent.token).await).await;
    assert_eq!(
        supplier_view["amendments"].as_array().map(Vec::len),
        Some(2)
    );

    // After the deadline only the confirmed bid is evaluated; the unconfirmed one is still live.
    wait_until(tender["submission_deadline"].as_str().unwrap()).await;
    let read = ok(app.get(&path, &lead.token).await).await;
    assert_eq!(read["status"], "evaluation");
    let bids = ok(app.get(&format!("{path}/bids"), &lead.token).await).await;
    let statuses: Vec<(String, String)> = bids["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|b| (id_of(b), b["status"].as_str().unwrap().to_owned()))
                .collect()
        })
        .unwrap();
    assert_eq!(
        statuses,
        vec![
            (id_of(&confirmed_bid), "submitted".to_owned()),
            (id_of(&silent_bid), "needs_confirmation".to_owned())
        ]
    );
    let late = app
        .post(
            &format!("{path}/amendments"),
            &lead.token,
            json!({"note": "Too late", "description": "x"}),
        )
        .await;
    assert_problem_type(late, StatusCode::CONFLICT, "deadline-passed").await;
}

#[tokio::test]
async fn a_tender_whose_only_bids_were_never_confirmed_is_unsuccessful() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let tender = app.published_tender(&lead, 2.0, json!({})).await;
    app.accepted_bid(&supplier, &tender, 1_000).await;
    ok(app
        .post(
            &format!("{}/amendments", tender_path(&tender)),
            &lead.token,
            json!({"note": "Clarified", "description": "Clarified scope."}),
        )
        .await)
    .await;
    wait_until(tender["submission_deadline"].as_str().unwrap()).await;
    let read = ok(app.get(&tender_path(&tender), &lead.token).await).await;
    assert_eq!(read["status"], "unsuccessful");
}

#[tokio::test]
async fn clarifications_are_seen_as_the_rules_say() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let evaluator = app.user_in("buyer_evaluator", &lead.organisation_id).await;
    let asker = app.user("supplier_bidder").await;
    let other = app.user("supplier_bidder").await;
    let regulator = app.user("regulator").await;
    let tender = app
        .published_tender(
            &lead,
            4.0,
            json!({"clarification_deadline": in_seconds(2.5)}),
        )
        .await;
    let path = format!("{}/clarifications", tender_path(&tender));

    for who in [&lead, &evaluator, &regulator] {
        let refused = app
            .post(&path, &who.token, json!({"question": "May we ask?"}))
            .await;
        assert_problem(refused, StatusCode::FORBIDDEN).await;
    }
    let empty = app.post(&path, &asker.token, json!({"question": ""})).await;
    let problem = assert_problem(empty, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), vec!["/question"]);
    let asked = ok(app
        .post(
            &path,
            &asker.token,
            json!({"question": "Is TUPE expected to apply?"}),
        )
        .await)
    .await;
    assert_eq!(asked["asked_by_you"], true);

    let count = |body: &Value| body["items"].as_array().map_or(0, Vec::len);
    let by_other = ok(app.get(&path, &other.token).await).await;
    assert_eq!(
        count(&by_other),
        0,
        "unanswered questions are the asker's: {by_other}"
    );
    let by_regulator = ok(app.get(&path, &regulator.token).await).await;
    assert_eq!(count(&by_regulator), 0);
    let by_asker = ok(app.get(&path, &asker.token).await).await;
    assert_eq!(count(&by_asker), 1);
    assert!(
        by_asker["items"][0]
            .get("asked_by_organisation_id")
            .is_none()
    );
    for who in [&lead, &evaluator] {
        let by_buyer = ok(app.get(&path, &who.token).await).await;
        assert_eq!(
            by_buyer["items"][0]["asked_by_organisation_id"],
            json!(asker.organisation_id)
        );
    }

    let answer_path = format!("{path}/{}/answer", id_of(&asked));
    for who in [&evaluator, &asker] {
        let refused = app
            .post(&answer_path, &who.token, json!({"answer": "Yes."}))
            .await;
        assert_problem(refused, StatusCode::FORBIDDEN).await;
    }
    let answered = ok(app
        .post(
            &answer_path,
            &lead.token,
            json!({"answer": "Yes, TUPE applies to two staff."}),
        )
        .await)
    .await;
    assert_eq!(answered["answer"], "Yes, TUPE applies to two staff.");
    let twice = app
        .post(&answer_path, &lead.token, json!({"answer": "Again."}))
        .await;
    assert_problem(twice, StatusCode::CONFLICT).await;
    let audit = ok(app
        .get(
            &format!("/api/v1/audit?entity_id={}", id_of(&asked)),
            &app.admin_token,
        )
        .await)
    .await;
    let actions: Vec<(&str, &str)> = audit["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|e| {
                    (
                        e["action"].as_str().unwrap(),
                        e["actor_organisation_id"].as_str().unwrap(),
                    )
                })
                .collect()
        })
        .unwrap();
    assert_eq!(
        actions,
        vec![
            ("clarification.answered", lead.organisation_id.as_str()),
            ("clarification.asked", asker.organisation_id.as_str()),
        ]
    );
    for who in [&other, &regulator, &asker] {
        let seen = ok(app.get(&path, &who.token).await).await;
        assert_eq!(count(&seen), 1);
        assert_eq!(
            seen["items"][0]["answer"],
            "Yes, TUPE applies to two staff."
        );
        assert!(
            seen["items"][0].get("asked_by_organisation_id").is_none(),
            "{seen}"
        );
        assert_eq!(
            seen["items"][0]["asked_by_you"],
            json!(who.email == asker.email)
        );
    }

    // Questions close at the clarification deadline; answers at the submission deadline.
    wait_until(tender["clarification_deadline"].as_str().unwrap()).await;
    let late = app
        .post(&path, &other.token, json!({"question": "Too late?"}))
        .await;
    let problem = assert_problem_type(late, StatusCode::CONFLICT, "deadline-passed").await;
    assert_eq!(
        problem["deadline"]
            .as_str()
            .map(|d| d.get(..19).unwrap_or(d).to_owned()),
        tender["clarification_deadline"]
            .as_str()
            .map(|d| d.get(..19).unwrap_or(d).to_owned())
    );
}

#[tokio::test]
async fn notifications_reach_the_right_organisations_only() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let matching = app.user("supplier_bidder").await;
    let elsewhere = app.user("supplier_bidder").await;
    let other_category = app.user("supplier_bidder").await;
    let invited = app.user("supplier_bidder").await;
    app.published_offer(
        &matching,
        json!({"category": "procurement", "regions": ["east_of_england", "london"]}),
    )
    .await;
    app.published_offer(
        &elsewhere,
        json!({"category": "procurement", "regions": ["london"]}),
    )
    .await;
    app.published_offer(
        &other_category,
        json!({"category": "finance", "regions": ["east_of_england"]}),
    )
    .await;
    let tender = app.published_tender(&lead, 3600.0, json!({})).await;
    let kinds = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|n| n["kind"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap()
    };
    let inbox = |who: &TestUser| {
        let token = who.token.clone();
        let app = &app;
        async move { ok(app.get("/api/v1/notifications", &token).await).await }
    };
    assert_eq!(kinds(&inbox(&matching).await), vec!["tender_published"]);
    assert_eq!(
        inbox(&matching).await["items"][0]["tender_id"],
        tender["id"]
    );
    for who in [&elsewhere, &other_category, &invited] {
        assert!(kinds(&inbox(who).await).is_empty());
    }
    let invitation = app
        .published_tender(
            &lead,
            3600.0,
            json!({"procedure": "invited", "invited_supplier_ids": [invited.organisation_id]}),
        )
        .await;
    assert_eq!(kinds(&inbox(&invited).await), vec!["tender_published"]);
    assert_eq!(kinds(&inbox(&matching).await).len(), 1);

    // A bid's receipt goes to its bidder alone; an answer to every supplier that can see the
    // tender; an amendment to those with a bid or a question.
    app.accepted_bid(&matching, &tender, 1_000).await;
    assert_eq!(
        kinds(&inbox(&matching).await),
        vec!["bid_received", "tender_published"]
    );
    let question = ok(app
        .post(
            &format!("{}/clarifications", tender_path(&invitation)),
            &invited.token,
            json!({"question": "Which systems?"}),
        )
        .await)
    .await;
    ok(app
        .post(
            &format!(
                "{}/clarifications/{}/answer",
                tender_path(&invitation),
                id_of(&question)
            ),
            &lead.token,
            json!({"answer": "Atamis."}),
        )
        .await)
    .await;
    assert_eq!(
        kinds(&inbox(&invited).await),
        vec!["clarification_answered", "tender_published"]
    );
    assert_eq!(kinds(&inbox(&elsewhere).await), Vec::<String>::new());
    ok(app
        .post(
            &format!("{}/amendments", tender_path(&tender)),
            &lead.token,
            json!({"note": "Scope clarified", "description": "Clarified."}),
        )
        .await)
    .await;
    assert_eq!(kinds(&inbox(&matching).await)[0], "tender_amended");
    assert!(kinds(&inbox(&elsewhere).await).is_empty());
    assert!(kinds(&inbox(&lead).await).is_empty());

    // Reading is per organisation.
    let first = inbox(&matching).await["items"][0].clone();
    let foreign = post_empty(
        &app,
        &invited,
        &format!("/api/v1/notifications/{}/read", id_of(&first)),
    )
    .await;
    assert_problem(foreign, StatusCode::NOT_FOUND).await;
    let colleague = app
        .user_in("supplier_bidder", &matching.organisation_id)
        .await;
    let read = ok(post_empty(
        &app,
        &colleague,
        &format!("/api/v1/notifications/{}/read", id_of(&first)),
    )
    .await)
    .await;
    assert!(read["read_at"].is_string());
    let unread = ok(app
        .get("/api/v1/notifications?unread=true", &matching.token)
        .await)
    .await;
    assert_eq!(unread["total"], 2);
    let anonymous = app
        .send(Method::GET, "/api/v1/notifications", None, None)
        .await;
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn an_unknown_tender_or_question_is_not_found() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let missing = "/api/v1/tenders/00000000-0000-4000-8000-000000000000";
    assert_problem(app.get(missing, &lead.token).await, StatusCode::NOT_FOUND).await;
    let tender = app.published_tender(&lead, 3600.0, json!({})).await;
    let missing_question = app
        .post(
            &format!(
                "{}/clarifications/00000000-0000-4000-8000-000000000000/answer",
                tender_path(&tender)
            ),
            &lead.token,
            json!({"answer": "?"}),
        )
        .await;
    assert_problem(missing_question, StatusCode::NOT_FOUND).await;
    let bad_id = app.get("/api/v1/tenders/not-a-uuid", &lead.token).await;
    assert_problem(bad_id, StatusCode::BAD_REQUEST).await;
}

/// The ids in a page of tenders.
fn listed_ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(id_of)
        .collect()
}

#[tokio::test]
async fn every_user_lists_exactly_the_tenders_it_may_read() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let evaluator = app.user_in("buyer_evaluator", &lead.organisation_id).await;
    let other_lead = app.user("buyer_lead").await;
    let invited = app.user("supplier_bidder").await;
    let uninvited = app.user("supplier_bidder").await;
    let regulator = app.user("regulator").await;
    let admin = app.user("admin").await;
    let draft = app.draft_tender(&lead, 3600.0, json!({})).await;
    let open = app.published_tender(&lead, 3600.0, json!({})).await;
    let invitation = app
        .published_tender(
            &lead,
            3600.0,
            json!({"procedure": "invited", "invited_supplier_ids": [invited.organisation_id]}),
        )
        .await;
    let cancelled = app.published_tender(&lead, 3600.0, json!({})).await;
    ok(app
        .post(
            &format!("{}/cancel", tender_path(&cancelled)),
            &lead.token,
            json!({"reason": "No longer needed."}),
        )
        .await)
    .await;
    let elsewhere_open = app.published_tender(&other_lead, 3600.0, json!({})).await;
    let elsewhere_draft = app.draft_tender(&other_lead, 3600.0, json!({})).await;
    let every = [
        &draft,
        &open,
        &invitation,
        &cancelled,
        &elsewhere_open,
        &elsewhere_draft,
    ];
    let mut readable_count = Vec::new();
    for (name, who) in [
        ("lead", &lead),
        ("evaluator", &evaluator),
        ("other lead", &other_lead),
        ("invited supplier", &invited),
        ("uninvited supplier", &uninvited),
        ("regulator", &regulator),
        ("admin", &admin),
    ] {
        let listed =
            listed_ids(&ok(app.get("/api/v1/tenders?per_page=100", &who.token).await).await);
        for id in &listed {
            let read = app.get(&format!("/api/v1/tenders/{id}"), &who.token).await;
            assert_eq!(
                read.status(),
                StatusCode::OK,
                "{name} lists {id} but cannot read it"
            );
        }
        let mut readable = 0;
        for tender in every {
            let read = app.get(&tender_path(tender), &who.token).await;
            if read.status() == StatusCode::NOT_FOUND {
                assert!(
                    !listed.contains(&id_of(tender)),
                    "{name} lists what it cannot read"
                );
                continue;
            }
            let shown = ok(read).await;
            readable += 1;
            if shown["status"] == "published" {
                assert!(
                    listed.contains(&id_of(tender)),
                    "{name} reads the published {} but does not list it",
                    shown["title"]
                );
            }
        }
        readable_count.push((name, readable));
    }
    // Who reads what: the lead's side all of its own and the other buyer's open one; the other
    // lead its own two and the open ones; suppliers only what they may bid on; oversight all
    // but the drafts.
    assert_eq!(
        readable_count,
        vec![
            ("lead", 5),
            ("evaluator", 5),
            ("other lead", 4),
            ("invited supplier", 4),
            ("uninvited supplier", 3),
            ("regulator", 4),
            ("admin", 4),
        ]
    );
}
