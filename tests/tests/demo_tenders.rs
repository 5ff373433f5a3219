//! The demo market's tenders: the five Norfolk and Waveney CCGs with a tender in each state a
//! competition reaches before award, and a full competition run on it through the API.

use api::demo::DEMO_PASSWORD;
use e2e::{TestApp, assert_problem, bid_json, id_of, json_body, wait_until};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body = json_body(response).await;
    assert!(status.is_success(), "{status}: {body}");
    body
}

fn statuses(page: &Value) -> Vec<String> {
    let mut found: Vec<String> = page["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|t| t["status"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

#[tokio::test]
async fn the_demo_has_norfolk_and_waveney_tenders_in_every_state_before_award() {
    let app = TestApp::spawn_demo().await;
    let regulator = app
        .login("regulator@england.nhs.example", DEMO_PASSWORD)
        .await;
    let all = ok(app.get("/api/v1/tenders", &regulator).await).await;
    assert_eq!(
        statuses(&all),
        vec![
            "cancelled",
            "evaluation",
            "published",
            "published",
            "unsuccessful"
        ],
        "the regulator sees every tender but the draft"
    );
    let norwich = app
        .login("lead@norwich-ccg.nhs.example", DEMO_PASSWORD)
        .await;
    let own = ok(app.get("/api/v1/tenders", &norwich).await).await;
    assert_eq!(statuses(&own), vec!["cancelled", "draft"]);

    // The open tender: questions (one still to answer) and sealed bids.
    let lead = app
        .login("lead@north-norfolk-ccg.nhs.example", DEMO_PASSWORD)
        .await;
    let open = ok(app.get("/api/v1/tenders", &lead).await).await["items"][0].clone();
    let path = format!("/api/v1/tenders/{}", id_of(&open));
    let questions = ok(app.get(&format!("{path}/clarifications"), &lead).await).await;
    let unanswered: Vec<Value> = questions["items"]
        .as_array()
        .map(|q| {
            q.iter()
                .filter(|q| q["answer"].is_null())
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(questions["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(unanswered.len(), 1);
    ok(app
        .post(
            &format!("{path}/clarifications/{}/answer", id_of(&unanswered[0])),
            &lead,
            json!({"answer": "No: the post is vacant."}),
        )
        .await)
    .await;
    let sealed = assert_problem(
        app.get(&format!("{path}/bids"), &lead).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(sealed["type"], "/problems/bids-sealed");
    let anglia = app.login("bids@anglia.nhs.example", DEMO_PASSWORD).await;
    let mine = ok(app.get(&format!("{path}/bids"), &anglia).await).await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(1));

    // The closed tender: its lead reads the three bids.
    let west = app
        .login("lead@west-norfolk-ccg.nhs.example", DEMO_PASSWORD)
        .await;
    let closed = ok(app.get("/api/v1/tenders", &west).await).await["items"][0].clone();
    assert_eq!(closed["status"], "evaluation");
    let bids = ok(app
        .get(&format!("/api/v1/tenders/{}/bids", id_of(&closed)), &west)
        .await)
    .await;
    assert_eq!(bids["items"].as_array().map(Vec::len), Some(3));
    // The invited tender is invisible to a CSU it does not name.
    let necsu = app.login("bids@necsu.nhs.example", DEMO_PASSWORD).await;
    let open_to_necsu = ok(app.get("/api/v1/tenders", &necsu).await).await;
    assert_eq!(open_to_necsu["total"], 1);
}

#[tokio::test]
async fn on_the_demo_a_lead_runs_a_competition_two_csus_bid_and_nobody_bends_the_deadline() {
    let app = TestApp::spawn_demo().await;
    let lead = e2e::TestUser {
        id: String::new(),
        email: "lead@norwich-ccg.nhs.example".to_owned(),
        organisation_id: String::new(),
        token: app
            .login("lead@norwich-ccg.nhs.example", DEMO_PASSWORD)
            .await,
    };
    let tender = app.published_tender(&lead, 3.0, json!({})).await;
    let path = format!("/api/v1/tenders/{}", id_of(&tender));
    let necsu = app.login("bids@necsu.nhs.example", DEMO_PASSWORD).await;
    let anglia = app.login("bids@anglia.nhs.example", DEMO_PASSWORD).await;

    let question = ok(app
        .post(
            &format!("{path}/clarifications"),
            &necsu,
            json!({"question": "Which e-procurement system?"}),
        )
        .await)
    .await;
    ok(app
        .post(
            &format!("{path}/clarifications/{}/answer", id_of(&question)),
            &lead.token,
            json!({"answer": "Atamis."}),
        )
        .await)
    .await;

    let necsu_bid = ok(app
        .post(
            &format!("{path}/bids"),
            &necsu,
            bid_json(&tender, 24_000_000),
        )
        .await)
    .await;
    let anglia_bid = ok(app
        .post(
            &format!("{path}/bids"),
            &anglia,
            bid_json(&tender, 23_000_000),
        )
        .await)
    .await;
    let necsu_path = format!("{path}/bids/{}", id_of(&necsu_bid));
    let anglia_path = format!("{path}/bids/{}", id_of(&anglia_bid));
    ok(app
        .request(Method::PUT, &necsu_path, &necsu)
        .json(&bid_json(&tender, 22_500_000))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}")))
    .await;
    ok(app
        .send(
            Method::POST,
            &format!("{anglia_path}/withdraw"),
            Some(&anglia),
            None,
        )
        .await)
    .await;
    let anglia_again = ok(app
        .post(
            &format!("{path}/bids"),
            &anglia,
            bid_json(&tender, 22_900_000),
        )
        .await)
    .await;
    assert_problem(
        app.get(&format!("{path}/bids"), &lead.token).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    wait_until(tender["submission_deadline"].as_str().unwrap_or_default()).await;
    let late_revision = app
        .request(Method::PUT, &necsu_path, &necsu)
        .json(&bid_json(&tender, 1))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_problem(late_revision, StatusCode::CONFLICT).await;
    let late_withdrawal = app
        .send(
            Method::POST,
            &format!("{path}/bids/{}/withdraw", id_of(&anglia_again)),
            Some(&anglia),
            None,
        )
        .await;
    assert_problem(late_withdrawal, StatusCode::CONFLICT).await;
    let bids = ok(app.get(&format!("{path}/bids"), &lead.token).await).await;
    let prices: Vec<i64> = bids["items"]
        .as_array()
        .map(|b| b.iter().filter_map(|b| b["price_pence"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(prices, vec![22_500_000, 22_900_000]);
}
