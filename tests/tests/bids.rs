//! Sealed bids: nobody but its supplier reads a bid before the deadline; the deadline is the
//! database's, at the moment of the write, and nothing slips past it however many bids race it.

use e2e::{
    TestApp, TestUser, assert_problem, assert_problem_type, bid_json, id_of, json_body, pointers,
    wait_until,
};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body = json_body(response).await;
    assert!(status.is_success(), "{status}: {body}");
    body
}

/// The audit actions recorded for an entity, newest first (read as the admin).
async fn audit_actions(app: &TestApp, entity_id: &str) -> Vec<String> {
    let audit = ok(app
        .get(
            &format!("/api/v1/audit?entity_id={entity_id}"),
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

fn bids_path(tender: &Value) -> String {
    format!("/api/v1/tenders/{}/bids", id_of(tender))
}

/// What each reader gets from the bid list and from one bid (supplier A's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sees {
    /// 200 with these many bids listed; the single bid 200.
    All(usize),
    /// 200 with its own bid only; A's bid 200 if it is A, else 404.
    Own,
    /// 403 bids-sealed on the list; 404 for the bid.
    Sealed,
    /// 403 (not assigned, not yet declared, or conflicted) on the list; 404 for the bid.
    Refused,
    /// 404 for both: not theirs to see at all.
    Hidden,
}

#[tokio::test]
async fn the_sealing_matrix_holds_for_every_role_before_the_deadline_after_it_and_after_award() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let evaluator = app.user_in("buyer_evaluator", &lead.organisation_id).await;
    let other_buyer = app.user("buyer_lead").await;
    let supplier_a = app.user("supplier_bidder").await;
    let supplier_b = app.user("supplier_bidder").await;
    let regulator = app.user("regulator").await;
    let admin = TestUser {
        id: String::new(),
        email: "admin".to_owned(),
        organisation_id: String::new(),
        token: app.admin_token.clone(),
    };
    let tender = app
        .published_tender(
            &lead,
            5.0,
            json!({"procedure": "invited", "invited_supplier_ids": [supplier_a.organisation_id, supplier_b.organisation_id]}),
        )
        .await;
    let bid_a = app.accepted_bid(&supplier_a, &tender, 20_000_000).await;
    let bid_b = app.accepted_bid(&supplier_b, &tender, 21_000_000).await;
    let list = bids_path(&tender);
    let one = format!("{list}/{}", id_of(&bid_a));

    // The panel: one evaluator cleared to score, one yet to declare, one conflicted.
    let cleared = app.user_in("buyer_evaluator", &lead.organisation_id).await;
    let undeclared = app.user_in("buyer_evaluator", &lead.organisation_id).await;
    let conflicted = app.user_in("buyer_evaluator", &lead.organisation_id).await;
    for member in [&cleared, &undeclared, &conflicted] {
        ok(app.assign(&lead, &tender, member).await).await;
    }
    ok(app.declare(&cleared, &tender, false).await).await;
    ok(app.declare(&conflicted, &tender, true).await).await;

    // Before the deadline, after it (evaluation), and after the award (standstill).
    let readers: [(&str, &TestUser, [Sees; 3]); 10] = [
        (
            "buyer lead",
            &lead,
            [Sees::Sealed, Sees::All(2), Sees::All(2)],
        ),
        (
            "assigned evaluator, no conflict",
            &cleared,
            [Sees::Sealed, Sees::All(2), Sees::All(2)],
        ),
        (
            "assigned evaluator, not yet declared",
            &undeclared,
            [Sees::Sealed, Sees::Refused, Sees::Refused],
        ),
        (
            "assigned evaluator with a conflict",
            &conflicted,
            [Sees::Sealed, Sees::Refused, Sees::Refused],
        ),
        (
            "unassigned evaluator",
            &evaluator,
            [Sees::Sealed, Sees::Refused, Sees::Refused],
        ),
        ("another buyer", &other_buyer, [Sees::Hidden; 3]),
        ("supplier A", &supplier_a, [Sees::Own; 3]),
        ("supplier B", &supplier_b, [Sees::Own; 3]),
        (
            "regulator",
            &regulator,
            [Sees::Sealed, Sees::Sealed, Sees::All(2)],
        ),
        ("admin", &admin, [Sees::Sealed, Sees::Sealed, Sees::All(2)]),
    ];
    for phase in 0..3 {
        if phase == 1 {
            wait_until(tender["submission_deadline"].as_str().unwrap()).await;
        }
        if phase == 2 {
            for bid in [id_of(&bid_a), id_of(&bid_b)] {
                app.score_all(&cleared, &tender, &bid, &[70, 70]).await;
            }
            ok(app.award(&lead, &tender, &id_of(&bid_a), None).await).await;
        }
        for (name, who, expectations) in &readers {
            let expected = expectations[phase];
            let context = format!("{name}, phase {phase}");
            let listed = app.get(&list, &who.token).await;
            let single = app.get(&one, &who.token).await;
            match expected {
                Sees::All(n) => {
                    let body = ok(listed).await;
                    assert_eq!(body["items"].as_array().map(Vec::len), Some(n), "{context}");
                    let bid = ok(single).await;
                    assert_eq!(bid["price_pence"], 20_000_000, "{context}");
                }
                Sees::Own => {
                    let body = ok(listed).await;
                    let suppliers: Vec<&str> = body["items"]
                        .as_array()
                        .map(|items| {
                            items
                                .iter()
                                .filter_map(|b| b["supplier_id"].as_str())
                                .collect()
                        })
                        .unwrap();
                    assert_eq!(suppliers, vec![who.organisation_id.as_str()], "{context}");
                    if who.organisation_id == supplier_a.organisation_id {
                        let bid = ok(single).await;
                        assert_eq!(bid["versions"].as_array().map(Vec::len), Some(1));
                    } else {
                        assert_problem(single, StatusCode::NOT_FOUND).await;
                    }
                }
                Sees::Sealed => {
                    assert_problem_type(listed, StatusCode::FORBIDDEN, "bids-sealed").await;
                    assert_problem(single, StatusCode::NOT_FOUND).await;
                }
                Sees::Refused => {
                    assert_problem_type(listed, StatusCode::FORBIDDEN, "forbidden").await;
                    assert_problem(single, StatusCode::NOT_FOUND).await;
                }
                Sees::Hidden => {
                    assert_problem(listed, StatusCode::NOT_FOUND).await;
                    assert_problem(single, StatusCode::NOT_FOUND).await;
                }
            }
        }
    }
}

#[tokio::test]
async fn the_first_read_after_the_deadline_opens_the_bids_once_and_is_audited() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let tender = app.published_tender(&lead, 2.0, json!({})).await;
    let bid = app.accepted_bid(&supplier, &tender, 12_345_678).await;
    wait_until(tender["submission_deadline"].as_str().unwrap()).await;
    ok(app.get(&bids_path(&tender), &lead.token).await).await;
    ok(app.get(&bids_path(&tender), &lead.token).await).await;
    let read = ok(app
        .get(&format!("/api/v1/tenders/{}", id_of(&tender)), &lead.token)
        .await)
    .await;
    assert!(read["bids_opened_at"].is_string());
    let audit = ok(app
        .get(
            &format!("/api/v1/audit?entity_id={}", id_of(&tender)),
            &app.admin_token,
        )
        .await)
    .await;
    let opened: Vec<&Value> = audit["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|e| e["action"] == "tender.bids_opened")
                .collect()
        })
        .unwrap();
    assert_eq!(opened.len(), 1, "{audit}");
    assert_eq!(opened[0]["actor_user_id"], json!(lead.id));
    // The bid's own audit entry proves its content by digest, never shows it.
    let bid_audit = ok(app
        .get(
            &format!("/api/v1/audit?entity_id={}", id_of(&bid)),
            &app.admin_token,
        )
        .await)
    .await;
    let text = bid_audit.to_string();
    assert!(text.contains("bid.submitted"), "{text}");
    assert!(text.contains("content_sha256"), "{text}");
    assert!(!text.contains("12345678"), "{text}");
    assert!(!text.contains("Our answer"), "{text}");
}

#[tokio::test]
async fn a_bid_answers_every_quality_criterion_and_names_only_its_own_offer() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let rival = app.user("supplier_bidder").await;
    let tender = app.published_tender(&lead, 3600.0, json!({})).await;
    let path = bids_path(&tender);
    let criteria = tender["criteria"].as_array().cloned().unwrap();

    for who in [&lead, &app.user("regulator").await] {
        let refused = app.post(&path, &who.token, bid_json(&tender, 1_000)).await;
        assert_problem(refused, StatusCode::FORBIDDEN).await;
    }
    let missing = app
        .post(
            &path,
            &supplier.token,
            json!({"price_pence": 0, "responses": [{"criterion_id": criteria[1]["id"], "text": "Only one"}]}),
        )
        .await;
    let problem = assert_problem(missing, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), vec!["/price_pence", "/responses"]);
    let mut priced = bid_json(&tender, 1_000);
    priced["responses"]
        .as_array_mut()
        .expect("responses")
        .push(json!({"criterion_id": criteria[0]["id"], "text": "Cheap"}));
    let problem = assert_problem(
        app.post(&path, &supplier.token, priced).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&problem), vec!["/responses/2/criterion_id"]);

    let rivals_offer = app
        .published_offer(&rival, json!({"category": "procurement"}))
        .await;
    let wrong_category = app
        .published_offer(&supplier, json!({"category": "finance"}))
        .await;
    let draft_offer = app
        .create_offer(&supplier, json!({"category": "procurement"}))
        .await;
    for offer in [&rivals_offer, &wrong_category, &draft_offer] {
        let mut body = bid_json(&tender, 1_000);
        body["offer_id"] = offer["id"].clone();
        let problem = assert_problem(
            app.post(&path, &supplier.token, body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(pointers(&problem), vec!["/offer_id"]);
    }
    let own = app
        .published_offer(&supplier, json!({"category": "procurement"}))
        .await;
    let mut body = bid_json(&tender, 1_000);
    body["offer_id"] = own["id"].clone();
    let bid = ok(app.post(&path, &supplier.token, body).await).await;
    assert_eq!(bid["offer_id"], own["id"]);
    assert_eq!(bid["status"], "submitted");
    assert_eq!(bid["responses"].as_array().map(Vec::len), Some(2));

    // One live bid per supplier; after withdrawing, it may bid again.
    let second = app.bid(&supplier, &tender, 2_000).await;
    assert_problem(second, StatusCode::CONFLICT).await;
    let withdrawn = ok(app
        .send(
            Method::POST,
            &format!("{path}/{}/withdraw", id_of(&bid)),
            Some(&supplier.token),
            None,
        )
        .await)
    .await;
    assert_eq!(withdrawn["status"], "withdrawn");
    let revise_withdrawn = app
        .request(
            Method::PUT,
            &format!("{path}/{}", id_of(&bid)),
            &supplier.token,
        )
        .json(&bid_json(&tender, 3_000))
        .send()
        .await
        .unwrap();
    assert_problem(revise_withdrawn, StatusCode::CONFLICT).await;
    app.accepted_bid(&supplier, &tender, 2_000).await;
    let mine = ok(app.get(&path, &supplier.token).await).await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(2));
    for listed in mine["items"].as_array().cloned().unwrap() {
        assert!(
            listed["supplier_name"]
                .as_str()
                .is_some_and(|n| !n.is_empty()),
            "{listed}"
        );
    }
    assert_eq!(
        audit_actions(&app, &id_of(&bid)).await,
        vec!["bid.withdrawn", "bid.submitted"]
    );
}

#[tokio::test]
async fn a_revision_keeps_every_version() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let rival = app.user("supplier_bidder").await;
    let tender = app.published_tender(&lead, 3600.0, json!({})).await;
    let bid = app.accepted_bid(&supplier, &tender, 30_000).await;
    let path = format!("{}/{}", bids_path(&tender), id_of(&bid));
    let revised = ok(app
        .request(Method::PUT, &path, &supplier.token)
        .json(&bid_json(&tender, 28_000))
        .send()
        .await
        .unwrap())
    .await;
    assert_eq!(revised["version"], 2);
    assert_eq!(revised["price_pence"], 28_000);
    assert_eq!(revised["first_submitted_at"], bid["submitted_at"]);
    let read = ok(app.get(&path, &supplier.token).await).await;
    let prices: Vec<i64> = read["versions"]
        .as_array()
        .map(|v| v.iter().filter_map(|x| x["price_pence"].as_i64()).collect())
        .unwrap();
    assert_eq!(prices, vec![30_000, 28_000]);
    assert_eq!(
        audit_actions(&app, &id_of(&bid)).await,
        vec!["bid.revised", "bid.submitted"]
    );
    // Another supplier can neither read nor revise nor withdraw it.
    assert_problem(app.get(&path, &rival.token).await, StatusCode::NOT_FOUND).await;
    let foreign = app
        .request(Method::PUT, &path, &rival.token)
        .json(&bid_json(&tender, 1))
        .send()
        .await
        .unwrap();
    assert_problem(foreign, StatusCode::NOT_FOUND).await;
    let foreign = app
        .send(
            Method::POST,
            &format!("{path}/withdraw"),
            Some(&rival.token),
            None,
        )
        .await;
    assert_problem(foreign, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn a_late_bid_revision_or_withdrawal_is_refused_with_the_deadline() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let early = app.user("supplier_bidder").await;
    let late = app.user("supplier_bidder").await;
    let tender = app.published_tender(&lead, 2.0, json!({})).await;
    let bid = app.accepted_bid(&early, &tender, 10_000).await;
    let deadline = tender["submission_deadline"].as_str().unwrap().to_owned();
    wait_until(&deadline).await;
    let path = format!("{}/{}", bids_path(&tender), id_of(&bid));
    let attempts = [
        app.bid(&late, &tender, 9_000).await,
        app.request(Method::PUT, &path, &early.token)
            .json(&bid_json(&tender, 9_500))
            .send()
            .await
            .unwrap(),
        app.send(
            Method::POST,
            &format!("{path}/withdraw"),
            Some(&early.token),
            None,
        )
        .await,
        app.send(
            Method::POST,
            &format!("{path}/confirm"),
            Some(&early.token),
            None,
        )
        .await,
    ];
    for response in attempts {
        let problem = assert_problem_type(response, StatusCode::CONFLICT, "deadline-passed").await;
        let said = chrono::DateTime::parse_from_rfc3339(problem["deadline"].as_str().unwrap());
        let set = chrono::DateTime::parse_from_rfc3339(&deadline);
        assert_eq!(said.ok(), set.ok(), "{problem}");
    }
    let stored = ok(app.get(&path, &early.token).await).await;
    assert_eq!(stored["price_pence"], 10_000);
    assert_eq!(stored["status"], "submitted");
    let theirs = ok(app.get(&bids_path(&tender), &late.token).await).await;
    assert_eq!(theirs["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn fifty_bids_racing_the_deadline_are_either_stored_before_it_or_refused() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let mut suppliers = Vec::new();
    for _ in 0..50 {
        suppliers.push(app.user("supplier_bidder").await);
    }
    let tender = app.published_tender(&lead, 1.5, json!({})).await;
    let deadline_text = tender["submission_deadline"].as_str().unwrap().to_owned();
    let deadline = chrono::DateTime::parse_from_rfc3339(&deadline_text)
        .unwrap()
        .with_timezone(&chrono::Utc);
    // The bids go out over the last ~400 ms before the deadline and the first ~100 ms after.
    let start = deadline - chrono::Duration::milliseconds(400);
    if let Ok(wait) = (start - chrono::Utc::now()).to_std() {
        tokio::time::sleep(wait).await;
    }
    let client = Client::new();
    let url = app.url(&bids_path(&tender));
    let body = bid_json(&tender, 5_000);
    let mut tasks = Vec::new();
    for (i, supplier) in suppliers.iter().enumerate() {
        let client = client.clone();
        let url = url.clone();
        let body = body.clone();
        let token = supplier.token.clone();
        let organisation = supplier.organisation_id.clone();
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(10 * i as u64)).await;
            let response = client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body: Value = response.json().await.unwrap();
            (organisation, status, body)
        }));
    }
    let mut accepted = BTreeSet::new();
    let mut refused = 0;
    for task in tasks {
        let (organisation, status, body) = task.await.unwrap();
        match status {
            StatusCode::CREATED => {
                let submitted =
                    chrono::DateTime::parse_from_rfc3339(body["submitted_at"].as_str().unwrap())
                        .unwrap_or_else(|e| panic!("{e}: {body}"));
                assert!(submitted < deadline, "{submitted} is not before {deadline}");
                accepted.insert((organisation, id_of(&body)));
            }
            StatusCode::CONFLICT => {
                assert_eq!(body["type"], "/problems/deadline-passed", "{body}");
                refused += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(accepted.len() + refused, 50);
    eprintln!(
        "{} bids accepted, {refused} refused at the deadline",
        accepted.len()
    );
    wait_until(&deadline_text).await;
    let stored = ok(app.get(&bids_path(&tender), &lead.token).await).await;
    let stored: BTreeSet<(String, String)> = stored["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|b| (b["supplier_id"].as_str().unwrap().to_owned(), id_of(b)))
                .collect()
        })
        .unwrap();
    assert_eq!(
        stored, accepted,
        "every acknowledged bid is stored and no refused one is"
    );
    for item in ok(app.get(&bids_path(&tender), &lead.token).await).await["items"]
        .as_array()
        .cloned()
        .unwrap()
    {
        let submitted =
            chrono::DateTime::parse_from_rfc3339(item["submitted_at"].as_str().unwrap()).unwrap();
        assert!(submitted < deadline);
    }
}

#[tokio::test]
async fn concurrent_duplicate_bids_from_one_supplier_store_exactly_one() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let tender = app.published_tender(&lead, 3600.0, json!({})).await;
    let client = Client::new();
    let url = app.url(&bids_path(&tender));
    let mut tasks = Vec::new();
    for i in 0..10 {
        let client = client.clone();
        let url = url.clone();
        let body = bid_json(&tender, 1_000 + i);
        let token = supplier.token.clone();
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
    assert_eq!((created, conflicts), (1, 9), "{statuses:?}");
    let mine = ok(app.get(&bids_path(&tender), &supplier.token).await).await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(1));
}
