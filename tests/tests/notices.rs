//! Public notices: each produced once by the step that causes it (UK4 at publication and at
//! each amendment, UK12 when an advertised procurement ends without a contract) or posted by a
//! buyer lead (UK2, UK3); readable by anyone without a token; never carrying a bid before award;
//! each an OCDS release valid against the UK (Find a Tender) profile.

use e2e::{
    TestApp, assert_problem_type, assert_valid_uk_package, id_of, json_body, pointers, success,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A public read: no token at all.
async fn public(app: &TestApp, path: &str) -> reqwest::Response {
    app.send(Method::GET, path, None, None).await
}

#[tokio::test]
async fn an_open_tender_publishes_its_tender_notice_each_amendment_a_changed_one_and_its_cancellation_a_uk12()
 {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let tender = app.published_tender(&lead, 3600.0, json!({})).await;
    let bid = app.accepted_bid(&supplier, &tender, 12_345_678).await;
    let list_path = format!("/api/v1/notices?tender={}", id_of(&tender));
    let list = success(public(&app, &list_path).await).await;
    assert_eq!(list["total"], 1);
    let uk4 = &list["items"][0];
    assert_eq!(
        (uk4["notice_type"].clone(), uk4["sequence"].clone()),
        (json!("UK4"), json!(1))
    );
    assert_eq!(uk4["details"]["above_threshold"], false);

    // Public without a token, one and its release; nothing of the bid anywhere.
    let one = success(public(&app, &format!("/api/v1/notices/{}", id_of(uk4))).await).await;
    assert_eq!(&one, uk4);
    let package =
        success(public(&app, &format!("/api/v1/notices/{}/ocds", id_of(uk4))).await).await;
    assert_valid_uk_package(&package);
    let release = &package["releases"][0];
    assert_eq!(release["tag"], json!(["tender"]));
    assert_eq!(release["tender"]["documents"][0]["noticeType"], "UK4");
    for text in [one.to_string(), package.to_string()] {
        assert!(
            !text.contains("12345678") && !text.contains(&id_of(&bid)),
            "sealed data leaked: {text}"
        );
    }

    // An amendment publishes a changed tender notice, chained to the first.
    success(
        app.post(
            &format!("/api/v1/tenders/{}/amendments", id_of(&tender)),
            &lead.token,
            json!({"note": "Bids close a day later.", "submission_deadline": e2e::in_seconds(90_000.0), "clarification_deadline": e2e::in_seconds(80_000.0)}),
        )
        .await,
    )
    .await;
    // The cancellation ends it with a procurement termination notice.
    success(
        app.post(
            &format!("/api/v1/tenders/{}/cancel", id_of(&tender)),
            &lead.token,
            json!({"reason": "The requirement moved into a joint procurement."}),
        )
        .await,
    )
    .await;
    let list = success(public(&app, &list_path).await).await;
    let chain: Vec<(Value, Value)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|n| (n["notice_type"].clone(), n["sequence"].clone()))
        .collect();
    assert_eq!(
        chain,
        [
            (json!("UK4"), json!(1)),
            (json!("UK4"), json!(2)),
            (json!("UK12"), json!(3))
        ]
    );
    let items = list["items"].as_array().unwrap();
    assert_eq!(items[1]["previous_id"], uk4["id"]);
    assert_eq!(
        items[0]["details"]["reason"],
        "The requirement moved into a joint procurement."
    );
    for notice in items {
        let package =
            success(public(&app, &format!("/api/v1/notices/{}/ocds", id_of(notice))).await).await;
        assert_valid_uk_package(&package);
        let tag = package["releases"][0]["tag"][0].clone();
        let expected = match (notice["notice_type"].as_str(), notice["sequence"].as_i64()) {
            (Some("UK4"), Some(1)) => "tender",
            (Some("UK4"), _) => "tenderAmendment",
            _ => "tenderCancellation",
        };
        assert_eq!(tag, expected);
        assert!(!package.to_string().contains("12345678"));
    }
    // A token is accepted too.
    assert_eq!(
        app.get(&list_path, &supplier.token).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_invited_quotation_is_not_advertised_and_a_draft_has_no_notice() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let invited = app
        .published_tender(
            &lead,
            3600.0,
            json!({"procedure": "invited", "invited_supplier_ids": [supplier.organisation_id]}),
        )
        .await;
    let draft = app.draft_tender(&lead, 3600.0, json!({})).await;
    for tender in [&invited, &draft] {
        let list =
            success(public(&app, &format!("/api/v1/notices?tender={}", id_of(tender))).await).await;
        assert_eq!(list["total"], 0, "{tender}");
    }
}

#[tokio::test]
async fn a_buyer_lead_publishes_market_engagement_and_planned_procurement_notices_and_nobody_else_may()
 {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let uk2 = json!({"notice_type": "UK2", "title": "Market engagement: BI support", "description": "We invite suppliers to a webinar on our analytics needs.",
                     "category": "procurement", "region": "east_of_england", "engagement_deadline": e2e::in_seconds(864_000.0)});
    let response = app.post("/api/v1/notices", &lead.token, uk2.clone()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created = json_body(response).await;
    assert_eq!(created["notice_type"], "UK2");
    assert_eq!(created["buyer_id"], json!(lead.organisation_id));
    assert_eq!(success(public(&app, &location).await).await, created);
    let package = success(public(&app, &format!("{location}/ocds")).await).await;
    assert_valid_uk_package(&package);
    assert_eq!(package["releases"][0]["tag"], json!(["planning"]));

    let uk3 = json!({"notice_type": "UK3", "title": "Planned: finance support", "description": "Transactional finance for two years.",
                     "category": "finance", "region": "east_of_england", "estimated_value_pence": 30_000_000, "expected_tender_notice_date": "2027-06-01"});
    let planned = success(app.post("/api/v1/notices", &lead.token, uk3.clone()).await).await;
    assert_eq!(planned["details"]["estimated_value_pence"], 30_000_000);

    // What a buyer may not post, and who may not post at all.
    let mut missing = uk3.clone();
    missing
        .as_object_mut()
        .unwrap()
        .remove("expected_tender_notice_date");
    let problem = assert_problem_type(
        app.post("/api/v1/notices", &lead.token, missing).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/expected_tender_notice_date"]);
    for other in ["UK4", "UK6", "UK12"] {
        let mut body = uk2.clone();
        body["notice_type"] = json!(other);
        let problem = assert_problem_type(
            app.post("/api/v1/notices", &lead.token, body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert_eq!(pointers(&problem), ["/notice_type"], "{other}");
    }
    let mut unknown = uk2.clone();
    unknown["notice_type"] = json!("UK1");
    assert_eq!(
        app.post("/api/v1/notices", &lead.token, unknown)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    for role in ["supplier_bidder", "buyer_evaluator", "regulator"] {
        let user = app.user(role).await;
        assert_problem_type(
            app.post("/api/v1/notices", &user.token, uk2.clone()).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    let stranger = app
        .send(Method::POST, "/api/v1/notices", None, Some(&uk2))
        .await;
    assert_eq!(stranger.status(), StatusCode::UNAUTHORIZED);

    // Filters and pages: by type; a Link header to the next page.
    let only_uk3 = success(public(&app, "/api/v1/notices?notice_type=UK3").await).await;
    assert_eq!(only_uk3["total"], 1);
    assert_eq!(only_uk3["items"][0]["id"], planned["id"]);
    let first = public(&app, "/api/v1/notices?per_page=1").await;
    let link = first.headers()["link"].to_str().unwrap().to_owned();
    assert!(
        link.contains("page=2") && link.contains("rel=\"next\""),
        "{link}"
    );
    let csv = reqwest::Client::new()
        .get(app.url("/api/v1/notices?notice_type=UK3"))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    assert!(
        text.starts_with("id,notice_type,name,published_at,"),
        "{text}"
    );
    assert_eq!(
        text.lines().count(),
        2,
        "the header and the one UK3: {text}"
    );
    assert!(text.contains("Planned: finance support"));
    let bad = assert_problem_type(
        public(&app, "/api/v1/notices?from=yesterday").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&bad), ["/from"]);
    assert_problem_type(
        public(&app, &format!("/api/v1/notices/{}", uuid::Uuid::new_v4())).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
}

#[tokio::test]
async fn an_award_publishes_its_contract_award_notice_naming_only_the_winner_then_the_contract_and_its_termination_theirs()
 {
    let app = TestApp::spawn().await;
    let (c, contract) = e2e::contracted(&app, &[11_100_000, 12_200_000]).await;
    let loser_price = "12200000";
    success(
        app.post(
            &format!("/api/v1/contracts/{}/terminate", id_of(&contract)),
            &c.lead.token,
            json!({"reason": "The service moved in house."}),
        )
        .await,
    )
    .await;
    let list = success(
        public(
            &app,
            &format!("/api/v1/notices?tender={}", id_of(&c.tender)),
        )
        .await,
    )
    .await;
    let types: Vec<Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|n| n["notice_type"].clone())
        .collect();
    assert_eq!(
        types,
        [json!("UK4"), json!("UK6"), json!("UK7"), json!("UK11")],
        "each notice once"
    );
    let items = list["items"].as_array().unwrap();
    let uk6 = &items[2];
    assert_eq!(uk6["details"]["value_pence"], 11_100_000);
    assert_eq!(uk6["details"]["tenders_received"], 2);
    assert_eq!(items[1]["contract_id"], contract["id"]);
    assert_eq!(items[0]["details"]["reason"], "The service moved in house.");
    let loser_org = success(
        app.get(
            &format!("/api/v1/organisations/{}", c.suppliers[1].organisation_id),
            &app.admin_token,
        )
        .await,
    )
    .await;
    for notice in items {
        let text = notice.to_string();
        let package =
            success(public(&app, &format!("/api/v1/notices/{}/ocds", id_of(notice))).await).await;
        assert_valid_uk_package(&package);
        for shown in [text, package.to_string()] {
            assert!(
                !shown.contains(loser_price),
                "the losing price leaked: {shown}"
            );
            assert!(
                !shown.contains(loser_org["name"].as_str().unwrap()),
                "the losing bidder leaked: {shown}"
            );
        }
    }
    let uk6_release =
        success(public(&app, &format!("/api/v1/notices/{}/ocds", id_of(uk6))).await).await;
    assert_eq!(uk6_release["releases"][0]["tag"], json!(["award"]));
    assert_eq!(uk6_release["releases"][0]["tender"]["numberOfTenderers"], 2);
    // The summaries went out with the award, before the notice; the standstill begins with it.
    let award = &uk6_release["releases"][0]["awards"][0];
    assert_eq!(
        award["assessmentSummariesDateSent"],
        uk6["details"]["assessment_summaries_sent_at"]
    );
    assert!(
        award["assessmentSummariesDateSent"].as_str().unwrap()
            <= uk6["published_at"].as_str().unwrap(),
        "{award} {uk6}"
    );
    assert_eq!(
        award["standstillPeriod"]["endDate"],
        uk6["details"]["standstill_ends_at"]
    );
}

#[tokio::test]
async fn a_tender_the_clock_closes_with_no_tender_publishes_its_procurement_termination_once() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let tender = app.published_tender(&lead, 1.0, json!({})).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let list_path = format!("/api/v1/notices?tender={}", id_of(&tender));
    // Reading it shows it unsuccessful by the clock, but only settling it publishes.
    let read = success(
        app.get(&format!("/api/v1/tenders/{}", id_of(&tender)), &lead.token)
            .await,
    )
    .await;
    assert_eq!(read["status"], "unsuccessful");
    assert_eq!(success(public(&app, &list_path).await).await["total"], 1);
    // Two sweeps at once (two replicas) settle it exactly once; a later sweep finds nothing.
    let ctx = app.ctx();
    let (a, b) = tokio::join!(
        service::tenders::settle_due(&ctx),
        service::tenders::settle_due(&ctx)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(service::tenders::settle_due(&ctx).await.unwrap(), 0);
    let list = success(public(&app, &list_path).await).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(list["total"], 2, "{list}");
    let uk12 = &items[0];
    assert_eq!(uk12["notice_type"], "UK12");
    assert_eq!(uk12["details"]["outcome"], "unsuccessful");
    assert_eq!(
        uk12["details"]["reason"],
        "No tender was received by the submission deadline."
    );
    let package =
        success(public(&app, &format!("/api/v1/notices/{}/ocds", id_of(uk12))).await).await;
    assert_valid_uk_package(&package);
    assert_eq!(package["releases"][0]["tag"], json!(["tenderCancellation"]));
}

#[tokio::test]
async fn a_takeover_publishes_a_contract_change_notice_for_each_novated_contract() {
    let app = TestApp::spawn().await;
    let (c, contract) = e2e::contracted(&app, &[11_100_000]).await;
    let acquirer = app.user("supplier_bidder").await;
    let regulator = app.user("regulator").await;
    let transfer = success(
        app.post(
            "/api/v1/transfers",
            &regulator.token,
            json!({
                "from_supplier_id": c.suppliers[0].organisation_id,
                "to_supplier_id": acquirer.organisation_id,
                "effective_date": "2031-06-01",
                "kind": "takeover",
                "reason": "The acquirer buys the whole business."
            }),
        )
        .await,
    )
    .await;
    let list = success(
        public(
            &app,
            &format!(
                "/api/v1/notices?tender={}&notice_type=UK10",
                id_of(&c.tender)
            ),
        )
        .await,
    )
    .await;
    assert_eq!(list["total"], 1, "one UK10 for the one contract: {list}");
    let uk10 = &list["items"][0];
    assert_eq!(uk10["contract_id"], contract["id"]);
    assert_eq!(uk10["details"]["change"], "novation");
    assert_eq!(uk10["details"]["transfer_id"], transfer["id"]);
    assert_eq!(
        uk10["details"]["supplier_added"]["id"],
        json!(acquirer.organisation_id)
    );
    assert_eq!(
        uk10["details"]["supplier_removed"]["id"],
        json!(c.suppliers[0].organisation_id)
    );
    let package =
        success(public(&app, &format!("/api/v1/notices/{}/ocds", id_of(uk10))).await).await;
    assert_valid_uk_package(&package);
    let release = &package["releases"][0];
    assert_eq!(release["tag"], json!(["contractAmendment"]));
    let amendment = &release["contracts"][0]["amendments"][0];
    assert_eq!(amendment["id"], transfer["id"]);
    let added = amendment["suppliersAdded"][0]["id"].as_str().unwrap();
    let removed = amendment["suppliersRemoved"][0]["id"].as_str().unwrap();
    let parties: Vec<&str> = release["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(
        parties.contains(&added) && parties.contains(&removed),
        "{release}"
    );
    assert_ne!(added, removed);
}
