//! The Procurement Act 2023 as the marketplace applies it: a buyer's kind of contracting
//! authority and its threshold, register identifiers, and, above threshold, a competitive
//! procedure, the minimum tendering period (s.54) and the 8-working-day standstill (s.51). The
//! periods are days: these tenders close days ahead, and are only published, never bid on.

use e2e::{
    TestApp, TestUser, assert_problem_type, id_of, json_body, pointers, success, tender_json,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// An instant `days` (and `extra_seconds`) from now, RFC 3339.
fn in_days(days: i64, extra_seconds: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days) + chrono::Duration::seconds(extra_seconds))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A buyer lead in a new buyer organisation of `authority_type`.
async fn lead_of(app: &TestApp, authority_type: &str) -> TestUser {
    let organisation = success(
        app.post(
            "/api/v1/organisations",
            &app.admin_token,
            json!({"name": format!("Buyer {}", uuid::Uuid::new_v4().simple()), "kind": "buyer", "authority_type": authority_type}),
        )
        .await,
    )
    .await;
    app.user_in("buyer_lead", &id_of(&organisation)).await
}

/// A draft closing `days` ahead (plus `extra_seconds`), questions a day earlier.
async fn draft_closing_in(
    app: &TestApp,
    lead: &TestUser,
    days: i64,
    extra_seconds: i64,
    changes: Value,
) -> Value {
    let mut body = tender_json(60.0, changes);
    body["clarification_deadline"] = json!(in_days(days - 1, 0));
    body["submission_deadline"] = json!(in_days(days, extra_seconds));
    success(app.post("/api/v1/tenders", &lead.token, body).await).await
}

async fn publish(app: &TestApp, lead: &TestUser, tender: &Value) -> reqwest::Response {
    app.send(
        Method::POST,
        &format!("/api/v1/tenders/{}/publish", id_of(tender)),
        Some(&lead.token),
        None,
    )
    .await
}

#[tokio::test]
async fn an_admin_sets_a_buyers_authority_type_and_register_identifiers_and_nobody_else_may() {
    let app = TestApp::spawn().await;
    let created = success(
        app.post(
            "/api/v1/organisations",
            &app.admin_token,
            json!({"name": "NHS England (buying at scale)", "kind": "buyer", "ods_code": "x24",
                   "authority_type": "central_government",
                   "identifiers": [{"scheme": "GB-PPON", "id": "pxkn-4562-rthm"}]}),
        )
        .await,
    )
    .await;
    assert_eq!(created["authority_type"], "central_government");
    assert_eq!(
        created["identifiers"],
        json!([{"scheme": "GB-NHS", "id": "X24"}, {"scheme": "GB-PPON", "id": "PXKN-4562-RTHM"}])
    );
    let path = format!("/api/v1/organisations/{}", id_of(&created));

    // A buyer is sub-central unless an admin says otherwise; other kinds have no type.
    let icb = success(
        app.post(
            "/api/v1/organisations",
            &app.admin_token,
            json!({"name": "NHS Norfolk and Waveney ICB", "kind": "buyer"}),
        )
        .await,
    )
    .await;
    assert_eq!(icb["authority_type"], "sub_central");
    assert_eq!(icb["identifiers"], json!([]));
    let refused = assert_problem_type(
        app.post(
            "/api/v1/organisations",
            &app.admin_token,
            json!({"name": "A CSU", "kind": "supplier", "authority_type": "sub_central"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&refused), ["/authority_type"]);

    let changed = success(
        app.patch(
            &path,
            &app.admin_token,
            json!({"authority_type": "sub_central", "identifiers": [{"scheme": "GB-COH", "id": "01234567"}]}),
        )
        .await,
    )
    .await;
    assert_eq!(changed["authority_type"], "sub_central");
    assert_eq!(
        changed["identifiers"],
        json!([{"scheme": "GB-NHS", "id": "X24"}, {"scheme": "GB-COH", "id": "01234567"}])
    );
    assert_eq!(changed["name"], created["name"]);
    assert_eq!(
        success(app.get(&path, &app.admin_token).await).await,
        changed
    );

    // Each register's form is checked, and one entry names one organisation.
    let bad = assert_problem_type(
        app.patch(
            &path,
            &app.admin_token,
            json!({"identifiers": [{"scheme": "GB-CHC", "id": "12AB"}]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&bad), ["/identifiers/0/id"]);
    assert_problem_type(
        app.patch(
            &format!("/api/v1/organisations/{}", id_of(&icb)),
            &app.admin_token,
            json!({"identifiers": [{"scheme": "GB-COH", "id": "01234567"}]}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert_eq!(
        success(app.get(&path, &app.admin_token).await).await,
        changed,
        "nothing lost"
    );

    // Only an admin changes an organisation: a lead is refused, a stranger asked to sign in.
    let lead = app.user_in("buyer_lead", &id_of(&created)).await;
    assert_problem_type(
        app.patch(
            &path,
            &lead.token,
            json!({"authority_type": "central_government"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let stranger = app
        .request(Method::PATCH, &path, "")
        .json(&json!({"name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), StatusCode::UNAUTHORIZED);
    assert_problem_type(
        app.patch(
            &format!("/api/v1/organisations/{}", uuid::Uuid::new_v4()),
            &app.admin_token,
            json!({"name": "X"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;

    let log = success(
        app.get("/api/v1/audit?per_page=100", &app.admin_token)
            .await,
    )
    .await;
    let updates: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "organisation.updated")
        .collect();
    assert_eq!(updates.len(), 1, "refused changes are not audited");
    assert_eq!(updates[0]["before"]["authority_type"], "central_government");
    assert_eq!(updates[0]["after"]["authority_type"], "sub_central");
}

#[tokio::test]
async fn a_tender_is_above_threshold_from_its_buyers_threshold_including_vat_fixed_at_publication()
{
    let app = TestApp::spawn().await;
    let icb = lead_of(&app, "sub_central").await;
    let central = lead_of(&app, "central_government").await;
    // (lead, estimated value in pence, above threshold): £207,720 sub-central, £135,018 central.
    let cases = [
        (&icb, 20_771_999, false),
        (&icb, 20_772_000, true),
        (&central, 13_501_799, false),
        (&central, 13_501_800, true),
    ];
    for (lead, value, above) in cases {
        let draft = draft_closing_in(
            &app,
            lead,
            30,
            0,
            json!({"estimated_value_pence": value, "budget_ceiling_pence": null,
                   "no_lots_rationale": "One integrated service: dividing it would duplicate mobilisation costs."}),
        )
        .await;
        assert_eq!(draft["above_threshold"], above, "{value}");
    }
    // Published below threshold, it stays below when the buyer's type changes afterwards.
    let tender = app
        .published_tender(
            &central,
            3600.0,
            json!({"estimated_value_pence": 13_000_000, "budget_ceiling_pence": null}),
        )
        .await;
    assert_eq!(tender["above_threshold"], false);
    let mut organisation = success(
        app.get(
            &format!("/api/v1/organisations/{}", central.organisation_id),
            &app.admin_token,
        )
        .await,
    )
    .await;
    organisation = success(
        app.patch(
            &format!("/api/v1/organisations/{}", id_of(&organisation)),
            &app.admin_token,
            json!({"authority_type": "central_government"}),
        )
        .await,
    )
    .await;
    assert_eq!(organisation["authority_type"], "central_government");
    let read = success(
        app.get(
            &format!("/api/v1/tenders/{}", id_of(&tender)),
            &central.token,
        )
        .await,
    )
    .await;
    assert_eq!(read["above_threshold"], false);
}

#[tokio::test]
async fn above_threshold_bids_close_no_sooner_than_25_days_after_the_tender_notice_or_10_with_urgency()
 {
    let app = TestApp::spawn().await;
    let lead = lead_of(&app, "sub_central").await;
    let above = json!({"estimated_value_pence": 30_000_000, "budget_ceiling_pence": null,
                       "no_lots_rationale": "One integrated service: dividing it would duplicate mobilisation costs."});

    // One day short of the minimum: refused at the deadline, naming the earliest instant.
    let short = draft_closing_in(&app, &lead, 24, 0, above.clone()).await;
    assert_eq!(short["above_threshold"], true);
    let problem = assert_problem_type(
        publish(&app, &lead, &short).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/submission_deadline"]);
    let detail = problem["errors"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("25 days") && detail.contains("no earlier than"),
        "{detail}"
    );
    let draft = success(
        app.get(&format!("/api/v1/tenders/{}", id_of(&short)), &lead.token)
            .await,
    )
    .await;
    assert_eq!(
        draft["status"], "draft",
        "a refused publication changes nothing"
    );

    // On the minimum (a minute's margin for the request): published.
    let on_minimum = draft_closing_in(&app, &lead, 25, 60, above.clone()).await;
    let published = success(publish(&app, &lead, &on_minimum).await).await;
    assert_eq!(published["status"], "published");
    assert_eq!(published["above_threshold"], true);

    // A stated urgency shortens it to 10 days, not less.
    let mut urgent = above.clone();
    urgent["urgency_reason"] =
        json!("The incumbent service ends in six weeks after its provider withdrew.");
    let nine = draft_closing_in(&app, &lead, 9, 0, urgent.clone()).await;
    let problem = assert_problem_type(
        publish(&app, &lead, &nine).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(
        problem["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("10 days"),
        "{problem}"
    );
    let ten = draft_closing_in(&app, &lead, 10, 60, urgent).await;
    let published = success(publish(&app, &lead, &ten).await).await;
    assert_eq!(
        published["urgency_reason"],
        "The incumbent service ends in six weeks after its provider withdrew."
    );

    // Below threshold there is no statutory minimum: the quick tenders of the other tests.
    let quick = app.published_tender(&lead, 30.0, json!({})).await;
    assert_eq!(quick["above_threshold"], false);
}

#[tokio::test]
async fn above_threshold_an_invited_quotation_and_a_short_standstill_are_refused() {
    let app = TestApp::spawn().await;
    let lead = lead_of(&app, "sub_central").await;
    let supplier = app.user("supplier_bidder").await;
    let mut body = tender_json(
        3600.0,
        json!({
            "estimated_value_pence": 30_000_000, "budget_ceiling_pence": null,
            "no_lots_rationale": "One integrated service: dividing it would duplicate mobilisation costs.",
            "procedure": "invited", "invited_supplier_ids": [supplier.organisation_id],
            "standstill_days": 5,
        }),
    );
    let problem = assert_problem_type(
        app.post("/api/v1/tenders", &lead.token, body.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/procedure", "/standstill_days"]);
    // Below threshold both are allowed.
    body["estimated_value_pence"] = json!(15_000_000);
    body["standstill_days"] = json!(0);
    let draft = success(app.post("/api/v1/tenders", &lead.token, body).await).await;
    // Editing the draft above threshold is refused the same way, and the draft is kept.
    let response = app
        .request(
            Method::PATCH,
            &format!("/api/v1/tenders/{}", id_of(&draft)),
            &lead.token,
        )
        .header("if-match", format!("\"{}\"", draft["version"]))
        .json(&json!({"estimated_value_pence": 25_000_000}))
        .send()
        .await
        .unwrap();
    let problem =
        assert_problem_type(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert_eq!(pointers(&problem), ["/procedure", "/standstill_days"]);
    let kept = json_body(
        app.get(&format!("/api/v1/tenders/{}", id_of(&draft)), &lead.token)
            .await,
    )
    .await;
    assert_eq!(kept["estimated_value_pence"], 15_000_000);
}

#[tokio::test]
async fn ocds_parties_carry_real_register_identifiers_or_none_and_the_procuring_entity_is_referenced()
 {
    let app = TestApp::spawn().await;
    let buyer = success(
        app.post(
            "/api/v1/organisations",
            &app.admin_token,
            json!({"name": "NHS Suffolk ICB", "kind": "buyer", "ods_code": "qjg",
                   "identifiers": [{"scheme": "GB-PPON", "id": "PBCD-1234-EFGH"}]}),
        )
        .await,
    )
    .await;
    let lead = app.user_in("buyer_lead", &id_of(&buyer)).await;
    let unregistered = app.user("buyer_lead").await;
    let regulator = app.user("regulator").await;
    for (lead, party_id, identifier) in [
        (
            &lead,
            "GB-PPON-PBCD-1234-EFGH".to_owned(),
            json!({"scheme": "GB-PPON", "id": "PBCD-1234-EFGH", "legalName": "NHS Suffolk ICB"}),
        ),
        (
            &unregistered,
            unregistered.organisation_id.clone(),
            Value::Null,
        ),
    ] {
        let tender = app.published_tender(lead, 3600.0, json!({})).await;
        let package = success(
            app.get(
                &format!("/api/v1/tenders/{}/ocds", id_of(&tender)),
                &regulator.token,
            )
            .await,
        )
        .await;
        let release = &package["releases"][0];
        assert_eq!(release["tender"]["procuringEntity"]["id"], json!(party_id));
        assert_eq!(release["buyer"]["id"], json!(party_id));
        assert_eq!(release["tender"]["aboveThreshold"], false);
        let party = release["parties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == json!(party_id))
            .cloned()
            .unwrap();
        assert_eq!(party["identifier"], identifier, "{party}");
        assert!(
            !package.to_string().contains("GB-CSMKT"),
            "no invented identifier: {package}"
        );
    }
}

/// Moves a notice's publication back `days`, as if the buyer had published it then.
async fn published_days_ago(app: &TestApp, notice: &Value, days: i64) {
    use persistence::entities::notices;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let at = chrono::Utc::now() - chrono::Duration::days(days);
    let id: uuid::Uuid = id_of(notice).parse().unwrap();
    notices::Entity::update_many()
        .col_expr(notices::Column::PublishedAt, Expr::value(at))
        .filter(notices::Column::Id.eq(id))
        .exec(app.database.db.conn())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_planned_procurement_notice_of_the_buyer_40_days_to_a_year_old_shortens_tendering_to_10_days()
 {
    let app = TestApp::spawn().await;
    let lead = lead_of(&app, "sub_central").await;
    let uk3 = json!({"notice_type": "UK3", "title": "Planned: finance support",
                     "description": "Transactional finance for two years.", "category": "finance",
                     "region": "east_of_england", "estimated_value_pence": 30_000_000,
                     "expected_tender_notice_date": "2027-06-01"});
    let planned = success(app.post("/api/v1/notices", &lead.token, uk3.clone()).await).await;
    let relying = |notice: &Value| {
        json!({"estimated_value_pence": 30_000_000, "budget_ceiling_pence": null,
               "no_lots_rationale": "One integrated service: dividing it would duplicate mobilisation costs.",
               "planned_procurement_notice_id": id_of(notice)})
    };

    // Another buyer's UK3 cannot be relied on, nor a notice of another type.
    let other_lead = lead_of(&app, "sub_central").await;
    let mut body = tender_json(60.0, relying(&planned));
    body["submission_deadline"] = json!(in_days(10, 60));
    body["clarification_deadline"] = json!(in_days(9, 0));
    let problem = assert_problem_type(
        app.post("/api/v1/tenders", &other_lead.token, body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/planned_procurement_notice_id"]);

    // Published 39 days ago: too recent, so the 25-day minimum stands, and the detail says why.
    published_days_ago(&app, &planned, 39).await;
    let recent = draft_closing_in(&app, &lead, 10, 60, relying(&planned)).await;
    assert_eq!(recent["planned_procurement_notice_id"], planned["id"]);
    let problem = assert_problem_type(
        publish(&app, &lead, &recent).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(
        pointers(&problem),
        ["/submission_deadline", "/planned_procurement_notice_id"]
    );

    // Published over a year ago: too old.
    published_days_ago(&app, &planned, 367).await;
    assert_problem_type(
        publish(&app, &lead, &recent).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;

    // Published 41 days ago: ten days is enough, nine is not.
    published_days_ago(&app, &planned, 41).await;
    let nine = draft_closing_in(&app, &lead, 9, 0, relying(&planned)).await;
    let problem = assert_problem_type(
        publish(&app, &lead, &nine).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(pointers(&problem), ["/submission_deadline"]);
    assert!(
        problem["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("10 days"),
        "{problem}"
    );
    let published = success(publish(&app, &lead, &recent).await).await;
    assert_eq!(published["status"], "published");
    let notices = success(
        app.get(
            &format!("/api/v1/notices?tender={}", id_of(&published)),
            &lead.token,
        )
        .await,
    )
    .await;
    assert_eq!(
        notices["items"][0]["details"]["planned_procurement_notice_id"],
        planned["id"]
    );
}
