//! Contracts and performance: who sees which contract, reviews by the contract's buyer only,
//! supplier ratings in the catalogue and the ranking, and the working-day calendar the
//! standstill is counted against.

use chrono::{DateTime, NaiveDate, Utc};
use domain::calendar;
use e2e::{Competition, TestApp, assert_problem, contracted, id_of, pointers, success};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn review(period: &str, marks: [i64; 4]) -> Value {
    json!({
        "period": period,
        "delivery": marks[0],
        "quality": marks[1],
        "value_for_money": marks[2],
        "responsiveness": marks[3],
        "comments": "Monthly reports arrived late twice.\nThe team was responsive.",
    })
}

#[tokio::test]
async fn reviews_are_the_contracts_buyers_alone_and_ratings_reach_search_and_ranking() {
    let app = TestApp::spawn().await;
    let (c, contract) = contracted(&app, &[20_000_000, 22_000_000]).await;
    let winner = &c.suppliers[0];
    let loser = &c.suppliers[1];
    assert_eq!(contract["annual_value_pence"], 20_000_000);
    let reviews = format!("/api/v1/contracts/{}/reviews", id_of(&contract));
    let other_buyer = app.user("buyer_lead").await;
    let regulator = app.user("regulator").await;
    let refusals = [
        (&winner.token, StatusCode::FORBIDDEN),
        (&c.evaluator.token, StatusCode::FORBIDDEN),
        (&regulator.token, StatusCode::FORBIDDEN),
        (&other_buyer.token, StatusCode::NOT_FOUND),
        (&loser.token, StatusCode::NOT_FOUND),
    ];
    for (token, status) in refusals {
        assert_problem(
            app.post(&reviews, token, review("2031-Q2", [3, 3, 3, 3]))
                .await,
            status,
        )
        .await;
    }
    let problem = assert_problem(
        app.post(&reviews, &c.lead.token, review(" ", [0, 6, 3, 3]))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&problem), vec!["/period", "/delivery", "/quality"]);
    let first = success(
        app.post(&reviews, &c.lead.token, review("2031-Q2", [2, 3, 3, 4]))
            .await,
    )
    .await;
    assert_eq!(first["delivery"], 2);
    assert_problem(
        app.post(&reviews, &c.lead.token, review("2031-Q2", [4, 4, 4, 4]))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    success(
        app.post(&reviews, &c.lead.token, review("2031-Q3", [4, 4, 4, 4]))
            .await,
    )
    .await;
    let listed = success(app.get(&reviews, &winner.token).await).await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2));

    // Both reviews are recent, so weigh the same: delivery (2 + 4) / 2 = 3, quality 3.5,
    // value for money 3.5, responsiveness 4, overall 28 / 8 = 3.5.
    let rating = success(
        app.get(
            &format!("/api/v1/organisations/{}/rating", winner.organisation_id),
            &loser.token,
        )
        .await,
    )
    .await;
    assert_eq!(rating["reviews"], 2);
    assert_eq!(rating["rating"]["delivery"], json!(3.0));
    assert_eq!(rating["rating"]["quality"], json!(3.5));
    assert_eq!(rating["rating"]["responsiveness"], json!(4.0));
    assert_eq!(rating["rating"]["overall"], json!(3.5));
    let unrated = success(
        app.get(
            &format!("/api/v1/organisations/{}/rating", loser.organisation_id),
            &c.lead.token,
        )
        .await,
    )
    .await;
    assert_eq!(unrated["reviews"], 0);
    assert!(unrated["rating"].is_null());
    assert_problem(
        app.get(
            &format!("/api/v1/organisations/{}/rating", c.lead.organisation_id),
            &c.lead.token,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // The catalogue shows the rating and sorts by it, rated suppliers first.
    app.published_offer(
        loser,
        json!({"title": "Unrated procurement support", "category": "procurement"}),
    )
    .await;
    app.published_offer(
        winner,
        json!({"title": "Rated procurement support", "category": "procurement"}),
    )
    .await;
    let found = success(
        app.get(
            "/api/v1/offers?sort=rating&category=procurement",
            &c.lead.token,
        )
        .await,
    )
    .await;
    let cards: Vec<(Value, Value)> = found["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|o| {
                    (
                        o["supplier_id"].clone(),
                        o["supplier_rating"]["overall"].clone(),
                    )
                })
                .collect()
        })
        .unwrap();
    assert_eq!(
        cards,
        vec![
            (json!(winner.organisation_id), json!(3.5)),
            (json!(loser.organisation_id), Value::Null)
        ]
    );
    // And the ranking shows it beside the bid.
    let ranking = c.ranking(&app).await;
    let rated = ranking["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|i| i["supplier_id"] == json!(winner.organisation_id))
        })
        .cloned()
        .unwrap();
    assert_eq!(rated["supplier_rating"]["reviews"], 2, "{ranking}");

    let audit = success(
        app.get(
            &format!("/api/v1/audit?entity_id={}", id_of(&contract)),
            &app.admin_token,
        )
        .await,
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap();
    assert_eq!(
        actions,
        vec!["contract.reviewed", "contract.reviewed", "contract.created"]
    );
}

#[tokio::test]
async fn contracts_are_listed_to_their_buyer_their_supplier_and_the_regulator() {
    let app = TestApp::spawn().await;
    let (c, contract) = contracted(&app, &[20_000_000, 22_000_000]).await;
    let winner = &c.suppliers[0];
    let other_buyer = app.user("buyer_lead").await;
    let regulator = app.user("regulator").await;
    let count = |body: &Value| body["items"].as_array().map_or(0, Vec::len);
    for (who, seen) in [
        (&c.lead, 1),
        (&c.evaluator, 1),
        (winner, 1),
        (&c.suppliers[1], 0),
        (&other_buyer, 0),
        (&regulator, 1),
    ] {
        let listed = success(app.get("/api/v1/contracts", &who.token).await).await;
        assert_eq!(count(&listed), seen, "{}: {listed}", who.email);
    }
    let filters = [
        (format!("supplier={}", winner.organisation_id), 1),
        (format!("supplier={}", c.suppliers[1].organisation_id), 0),
        (format!("buyer={}", c.lead.organisation_id), 1),
        ("category=procurement&region=east_of_england".to_owned(), 1),
        ("category=finance".to_owned(), 0),
        ("status=active".to_owned(), 1),
        ("status=ended".to_owned(), 0),
        ("from=2032-01-01&to=2032-12-31".to_owned(), 1),
        ("from=2033-01-01".to_owned(), 0),
        ("to=2031-03-31".to_owned(), 0),
    ];
    for (query, seen) in filters {
        let listed = success(
            app.get(&format!("/api/v1/contracts?{query}"), &regulator.token)
                .await,
        )
        .await;
        assert_eq!(count(&listed), seen, "{query}: {listed}");
    }
    assert_problem(
        app.get(
            "/api/v1/contracts?from=2032-01-01&to=2031-01-01",
            &regulator.token,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let one = format!("/api/v1/contracts/{}", id_of(&contract));
    success(app.get(&one, &winner.token).await).await;
    assert_problem(
        app.get(&one, &other_buyer.token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(&one, &c.suppliers[1].token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The buyer's lead terminates it, once.
    let terminate = format!("{one}/terminate");
    let reason = json!({"reason": "The service moved in-house."});
    assert_problem(
        app.post(&terminate, &winner.token, reason.clone()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let terminated = success(app.post(&terminate, &c.lead.token, reason.clone()).await).await;
    assert_eq!(terminated["status"], "terminated");
    assert_problem(
        app.post(&terminate, &c.lead.token, reason).await,
        StatusCode::CONFLICT,
    )
    .await;
    let audit = success(
        app.get(
            &format!("/api/v1/audit?entity_id={}", id_of(&contract)),
            &app.admin_token,
        )
        .await,
    )
    .await;
    assert_eq!(audit["items"][0]["action"], "contract.terminated");
}

async fn holidays(app: &TestApp, token: &str) -> BTreeSet<NaiveDate> {
    let listed = success(app.get("/api/v1/bank-holidays", token).await).await;
    listed["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|h| h["date"].as_str().and_then(|d| d.parse().ok()))
                .collect()
        })
        .unwrap()
}

#[tokio::test]
async fn the_calendar_holds_england_and_wales_bank_holidays_and_only_admins_edit_it() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    for year in 2024..=2030 {
        let listed = success(
            app.get(&format!("/api/v1/bank-holidays?year={year}"), &lead.token)
                .await,
        )
        .await;
        let dates: Vec<String> = listed["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|h| h["date"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap();
        let expected: Vec<String> = calendar::regular_bank_holidays(year)
            .into_iter()
            .map(|(d, _)| d.to_string())
            .collect();
        assert_eq!(dates, expected, "{year}");
    }
    let day = "/api/v1/bank-holidays/2029-06-04";
    let body = json!({"name": "A proclaimed holiday"});
    assert_problem(
        app.json(Method::PUT, day, &lead.token, body.clone()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let set = success(app.json(Method::PUT, day, &app.admin_token, body).await).await;
    assert_eq!(set["date"], "2029-06-04");
    assert!(
        holidays(&app, &lead.token)
            .await
            .contains(&NaiveDate::from_ymd_opt(2029, 6, 4).unwrap())
    );
    let removed = app
        .send(Method::DELETE, day, Some(&app.admin_token), None)
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.send(Method::DELETE, day, Some(&app.admin_token), None)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let audit = success(
        app.get("/api/v1/audit?entity_id=2029-06-04", &app.admin_token)
            .await,
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap();
    assert_eq!(
        actions,
        vec!["calendar.holiday_removed", "calendar.holiday_set"]
    );
    assert_problem(
        app.json(
            Method::PUT,
            "/api/v1/bank-holidays/2029-06-04",
            &app.admin_token,
            json!({"name": ""}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

#[tokio::test]
async fn the_standstill_counts_working_days_against_the_calendar_admins_keep() {
    let app = TestApp::spawn().await;
    let c = Competition::run(
        &app,
        &[20_000_000, 22_000_000],
        json!({"standstill_days": 8}),
    )
    .await;
    c.score_everything(&app, &[70, 70]).await;
    // A holiday on the first working day after today moves the end one working day later.
    let calendar_before = holidays(&app, &c.lead.token).await;
    let today = calendar::uk_date(Utc::now());
    let next_working_day = calendar::add_working_days(today, 1, &calendar_before);
    success(
        app.json(
            Method::PUT,
            &format!("/api/v1/bank-holidays/{next_working_day}"),
            &app.admin_token,
            json!({"name": "A proclaimed holiday"}),
        )
        .await,
    )
    .await;
    let calendar_after = holidays(&app, &c.lead.token).await;
    let award = success(app.award(&c.lead, &c.tender, &c.bids[0], None).await).await;
    let awarded_at: DateTime<Utc> = award["awarded_at"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap();
    let expected = calendar::standstill(awarded_at, 8, &calendar_after);
    let without = calendar::standstill(awarded_at, 8, &calendar_before);
    assert_eq!(
        award["standstill_last_day"],
        json!(expected.last_day.map(|d| d.to_string()))
    );
    let ends_at: DateTime<Utc> = award["standstill_ends_at"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap();
    assert_eq!(ends_at, expected.ends_at);
    assert!(expected.last_day > without.last_day);
    // Eight working days are at least ten calendar days (two weekends).
    let last: NaiveDate = expected.last_day.unwrap();
    assert!((last - today).num_days() >= 10, "{last}");
}

#[tokio::test]
async fn the_buyer_records_a_contracts_natural_end_once_from_its_last_day_publishing_its_uk11() {
    let app = TestApp::spawn().await;
    // A contract still running: it can only be terminated, not ended.
    let (_, running) = contracted(&app, &[11_100_000]).await;
    let c = Competition::run(&app, &[12_000_000], json!({"standstill_days": 0})).await;
    c.score_everything(&app, &[70, 70]).await;
    success(app.award(&c.lead, &c.tender, &c.bids[0], None).await).await;
    // A contract whose last day is today.
    let today = calendar::uk_date(Utc::now()).to_string();
    let contract = success(
        app.post(
            &c.path("/contract"),
            &c.lead.token,
            json!({"start_date": today, "end_date": today}),
        )
        .await,
    )
    .await;
    let end = |id: &str| format!("/api/v1/contracts/{id}/end");
    let post = |path: String, token: String| {
        let app = &app;
        async move { app.send(Method::POST, &path, Some(&token), None).await }
    };
    // Nobody but the buyer's lead: the evaluator may not, the supplier may not, another
    // buyer does not see it.
    assert_problem(
        post(end(&id_of(&contract)), c.evaluator.token.clone()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        post(end(&id_of(&contract)), c.suppliers[0].token.clone()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let stranger = app.user("buyer_lead").await;
    assert_problem(
        post(end(&id_of(&contract)), stranger.token.clone()).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let running_end = post(end(&id_of(&running)), app_lead_of(&app, &running).await).await;
    assert_problem(running_end, StatusCode::CONFLICT).await;

    let ended = success(post(end(&id_of(&contract)), c.lead.token.clone()).await).await;
    assert_eq!(ended["status"], "ended");
    assert!(ended["ended_at"].is_string());
    // Once only; and an ended contract is not terminated after.
    assert_problem(
        post(end(&id_of(&contract)), c.lead.token.clone()).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_problem(
        app.post(
            &format!("/api/v1/contracts/{}/terminate", id_of(&contract)),
            &c.lead.token,
            json!({"reason": "Too late."}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let notices = success(
        app.send(
            Method::GET,
            &format!("/api/v1/notices?tender={}", id_of(&c.tender)),
            None,
            None,
        )
        .await,
    )
    .await;
    let uk11 = &notices["items"][0];
    assert_eq!(uk11["notice_type"], "UK11");
    assert_eq!(uk11["contract_id"], contract["id"]);
    assert_eq!(
        uk11["details"]["reason"],
        "The contract expired at the end of its term."
    );
    assert_eq!(notices["total"], 4, "UK4, UK6, UK7, UK11: {notices}");
    let package = success(
        app.send(
            Method::GET,
            &format!("/api/v1/notices/{}/ocds", id_of(uk11)),
            None,
            None,
        )
        .await,
    )
    .await;
    e2e::assert_valid_uk_package(&package);
    assert_eq!(
        package["releases"][0]["contracts"][0]["status"],
        "terminated"
    );
    assert_eq!(
        package["releases"][0]["contracts"][0]["terminationRationaleClassifications"][0]["id"],
        "expired"
    );
}

/// The token of the lead who entered `contract` (the buyer's lead of its competition).
async fn app_lead_of(app: &TestApp, contract: &Value) -> String {
    let buyer = contract["buyer_id"].as_str().unwrap();
    app.user_in("buyer_lead", buyer).await.token
}
