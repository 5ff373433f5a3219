//! The framework journeys from the pages: the lead drafts a framework tender, a supplier lists
//! its offer in the framework's catalogue, a buyer calls off by direct award (search → save and
//! freeze → compare the shortlist at its volumes → award, with a reason when not the cheapest →
//! contract) or runs a competitive selection; each page refuses the roles and organisations it
//! is not for.

use crate::frameworks::{entered_framework, entered_framework_for, listed_offers};
use crate::web::{CSRF, browser_session, location, page, post_form};
use e2e::{TestApp, id_of, success};
use reqwest::StatusCode;
use serde_json::json;

/// The actions of the audit log's entries about one entity, oldest first, each with the user
/// who acted.
async fn audited(app: &TestApp, entity_type: &str, id: &str) -> Vec<(String, String)> {
    let log = success(
        app.get(
            &format!("/api/v1/audit?entity_type={entity_type}&entity_id={id}&per_page=100"),
            &app.admin_token,
        )
        .await,
    )
    .await;
    let mut entries: Vec<(String, String)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor_user_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    entries.reverse();
    entries
}

/// The id a form's redirect names: `/things/{id}?done=…` → `{id}`.
fn redirected_id(response: &reqwest::Response, prefix: &str) -> String {
    let to = location(response);
    let rest = to.strip_prefix(prefix).unwrap_or_else(|| panic!("{to}"));
    rest.split('?').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_buyer_calls_off_by_direct_award_from_the_pages_and_a_dearer_offer_needs_its_reason() {
    let app = TestApp::spawn().await;
    let caller = app.user("buyer_lead").await;
    let (f, framework) = entered_framework_for(&app, Some(&[&caller])).await;
    let (annual, daily) = listed_offers(&app, &f, &framework).await;
    let id = id_of(&framework);
    let lead = browser_session(&app, &caller.email, e2e::PASSWORD).await;
    let outsider_lead = app.user("buyer_lead").await;
    let outsider = browser_session(&app, &outsider_lead.email, e2e::PASSWORD).await;
    let supplier = browser_session(&app, &f.suppliers[0].email, e2e::PASSWORD).await;

    // The framework's page offers the call-off to an entitled buyer lead only.
    let (_, mine) = page(&app, &lead, &format!("/frameworks/{id}")).await;
    assert!(
        mine.contains(&format!("/frameworks/{id}/call-off\""))
            && mine.contains(&format!("/frameworks/{id}/selection\"")),
        "{mine}"
    );
    for cookies in [&outsider, &supplier] {
        let (status, theirs) = page(&app, cookies, &format!("/frameworks/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!theirs.contains("/call-off\""), "{theirs}");
    }
    // The framework's catalogue, searched, leads to the call-off form with the search filled in.
    let lot = &f.lots[0];
    let (_, catalogue) = page(
        &app,
        &lead,
        &format!("/catalogue?framework={id}&lot={lot}&q=analytics"),
    )
    .await;
    let link = format!("/frameworks/{id}/call-off?lot_id={lot}&amp;q=analytics");
    assert!(catalogue.contains(&link), "{catalogue}");
    let (status, form) = page(
        &app,
        &lead,
        &format!("/frameworks/{id}/call-off?lot_id={lot}&q=analytics"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"analytics\""), "{form}");
    let (status, _) = page(&app, &supplier, &format!("/frameworks/{id}/call-off")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let fields = |term: &'static str| {
        vec![
            ("csrf", CSRF),
            ("title", "Procurement support for Norfolk and Waveney"),
            ("lot_id", lot.as_str()),
            ("q", "analytics"),
            ("region", ""),
            ("pricing_unit", ""),
            ("days_per_year", "200"),
            ("term_months", term),
        ]
    };
    // A term that is not a number is shown at its field, the form kept.
    let wrong = post_form(
        &app,
        &lead,
        &format!("/frameworks/{id}/call-off"),
        &fields("two years"),
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = wrong.text().await.unwrap();
    assert!(
        html.contains("href=\"#term_months\"") && html.contains("value=\"analytics\""),
        "{html}"
    );
    // An entitled buyer's lead only.
    let refused = post_form(
        &app,
        &outsider,
        &format!("/frameworks/{id}/call-off"),
        &fields("24"),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let saved = post_form(
        &app,
        &lead,
        &format!("/frameworks/{id}/call-off"),
        &fields("24"),
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let call_off = redirected_id(&saved, "/call-offs/");

    // The frozen shortlist at the buyer's volumes, cheapest first, a radio per offer.
    let (status, shortlist) = page(&app, &lead, &format!("/call-offs/{call_off}")).await;
    assert_eq!(status, StatusCode::OK);
    let cheap = shortlist.find("£100,000").expect("the annual offer");
    let dear = shortlist
        .find("£130,000")
        .expect("the day rate at 200 days");
    assert!(cheap < dear, "cheapest first");
    assert!(
        shortlist.contains("(the cheapest)")
            && shortlist.contains(&format!("value=\"{}\"", id_of(&daily))),
        "{shortlist}"
    );
    // Nobody but its buyer (and oversight) reads it.
    for cookies in [&outsider, &supplier] {
        let (status, _) = page(&app, cookies, &format!("/call-offs/{call_off}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, _) = page(&app, &supplier, "/call-offs").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The dearer offer without a reason is refused at the reason's field; with one, awarded.
    let award = |justification: &'static str| {
        vec![
            ("csrf", CSRF),
            ("offer_id", daily["id"].as_str().unwrap()),
            ("justification", justification),
        ]
    };
    let path = format!("/call-offs/{call_off}/award");
    let unjustified = post_form(&app, &lead, &path, &award("")).await;
    assert_eq!(unjustified.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = unjustified.text().await.unwrap();
    assert!(html.contains("href=\"#justification\""), "{html}");
    let by_outsider = post_form(&app, &outsider, &path, &award("Ours now.")).await;
    assert_eq!(by_outsider.status(), StatusCode::NOT_FOUND);
    let reason = "The annual offer covers no on-site days, which this service needs each week.";
    let awarded = post_form(&app, &lead, &path, &award(reason)).await;
    assert_eq!(awarded.status(), StatusCode::SEE_OTHER);
    assert!(location(&awarded).ends_with("done=called_off"));
    let (_, decided) = page(&app, &lead, &location(&awarded)).await;
    assert!(
        decided.contains("Called off: the contract is entered")
            && decided.contains(reason)
            && decided.contains("href=\"/contracts/")
            && !decided.contains("Award the call-off"),
        "{decided}"
    );
    // Each step is in the audit log, by the lead who took it.
    let entries = audited(&app, "call_off", &call_off).await;
    let actions: Vec<&str> = entries.iter().map(|(a, _)| a.as_str()).collect();
    assert!(
        actions.contains(&"call_off.created") && actions.contains(&"call_off.awarded"),
        "{actions:?}"
    );
    assert!(
        entries.iter().all(|(_, actor)| *actor == caller.id),
        "{entries:?}"
    );
    // The call-off and its contract are on the buyer's list and the framework's page.
    let (_, list) = page(&app, &lead, "/call-offs").await;
    assert!(list.contains(&format!("/call-offs/{call_off}")), "{list}");
    let (_, shown) = page(&app, &supplier, &format!("/frameworks/{id}")).await;
    assert!(
        shown.contains("Procurement support for Norfolk and Waveney")
            && shown.contains("1 contract worth £260,000"),
        "{shown}"
    );
    assert_ne!(annual["id"], daily["id"]);
}

#[tokio::test]
async fn a_buyer_cancels_a_direct_award_call_off_from_its_page_with_a_reason() {
    let app = TestApp::spawn().await;
    let caller = app.user("buyer_lead").await;
    let (f, framework) = entered_framework_for(&app, Some(&[&caller])).await;
    listed_offers(&app, &f, &framework).await;
    let lead = browser_session(&app, &caller.email, e2e::PASSWORD).await;
    let saved = post_form(
        &app,
        &lead,
        &format!("/frameworks/{}/call-off", id_of(&framework)),
        &[
            ("csrf", CSRF),
            ("title", "Finance support"),
            ("lot_id", f.lots[0].as_str()),
            ("days_per_year", "200"),
            ("term_months", "12"),
        ],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let call_off = redirected_id(&saved, "/call-offs/");
    let path = format!("/call-offs/{call_off}/cancel");
    let without = post_form(&app, &lead, &path, &[("csrf", CSRF), ("reason", "")]).await;
    assert_eq!(without.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(without.text().await.unwrap().contains("href=\"#reason\""));
    let cancelled = post_form(
        &app,
        &lead,
        &path,
        &[
            ("csrf", CSRF),
            ("reason", "The service is brought in-house."),
        ],
    )
    .await;
    assert_eq!(cancelled.status(), StatusCode::SEE_OTHER);
    let (_, shown) = page(&app, &lead, &format!("/call-offs/{call_off}")).await;
    assert!(
        shown.contains("The service is brought in-house.") && shown.contains(">cancelled<"),
        "{shown}"
    );
    let entries = audited(&app, "call_off", &call_off).await;
    assert_eq!(
        entries.last().map(|(a, _)| a.as_str()),
        Some("call_off.cancelled"),
        "{entries:?}"
    );
}

#[tokio::test]
async fn a_supplier_lists_its_offer_in_a_frameworks_catalogue_from_its_offer_page() {
    let app = TestApp::spawn().await;
    let (f, framework) = entered_framework(&app).await;
    let offer = app
        .published_offer(&f.suppliers[0], json!({"category": "procurement"}))
        .await;
    let offer_id = id_of(&offer);
    let owner = browser_session(&app, &f.suppliers[0].email, e2e::PASSWORD).await;
    let (_, html) = page(&app, &owner, &format!("/offers/{offer_id}")).await;
    let place = format!("{}/{}", id_of(&framework), f.lots[0]);
    assert!(
        html.contains("Framework catalogue") && html.contains(&format!("value=\"{place}\"")),
        "{html}"
    );
    // Another supplier sees no such form, and cannot list the offer.
    let other = browser_session(&app, &f.suppliers[1].email, e2e::PASSWORD).await;
    let (_, theirs) = page(&app, &other, &format!("/offers/{offer_id}")).await;
    assert!(!theirs.contains("Framework catalogue"), "{theirs}");
    let version = offer["version"].to_string();
    let pairs = [
        ("csrf", CSRF),
        ("version", version.as_str()),
        ("place", place.as_str()),
    ];
    let refused = post_form(
        &app,
        &other,
        &format!("/offers/{offer_id}/framework"),
        &pairs,
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // Supplier 0 holds no place on lot 2: refused there.
    let lot_two = format!("{}/{}", id_of(&framework), f.lots[1]);
    let wrong_lot = post_form(
        &app,
        &owner,
        &format!("/offers/{offer_id}/framework"),
        &[
            ("csrf", CSRF),
            ("version", version.as_str()),
            ("place", lot_two.as_str()),
        ],
    )
    .await;
    assert_eq!(wrong_lot.status(), StatusCode::FORBIDDEN);
    let listed = post_form(
        &app,
        &owner,
        &format!("/offers/{offer_id}/framework"),
        &pairs,
    )
    .await;
    assert_eq!(listed.status(), StatusCode::SEE_OTHER);
    let read = success(
        app.get(&format!("/api/v1/offers/{offer_id}"), &f.suppliers[0].token)
            .await,
    )
    .await;
    assert_eq!(read["framework_id"], framework["id"]);
    assert_eq!(read["lot_id"], json!(f.lots[0]));
    let (_, html) = page(&app, &owner, &format!("/offers/{offer_id}")).await;
    assert!(html.contains("Listed in the catalogue of"), "{html}");
    // Taken out again.
    let version = read["version"].to_string();
    let removed = post_form(
        &app,
        &owner,
        &format!("/offers/{offer_id}/framework/remove"),
        &[("csrf", CSRF), ("version", version.as_str())],
    )
    .await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    let read = success(
        app.get(&format!("/api/v1/offers/{offer_id}"), &f.suppliers[0].token)
            .await,
    )
    .await;
    assert_eq!(read["framework_id"], json!(null));
    // Listed and taken out, each audited; the refused attempts wrote nothing.
    let listings: Vec<(String, String)> = audited(&app, "offer", &offer_id)
        .await
        .into_iter()
        .filter(|(action, _)| action == "offer.framework_listed")
        .collect();
    assert_eq!(listings.len(), 2, "{listings:?}");
    assert!(
        listings
            .iter()
            .all(|(_, actor)| *actor == f.suppliers[0].id)
    );
}

/// The tender form's fields for a quick tender below threshold, with `more`.
fn tender_fields<'a>(more: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut pairs = vec![
        ("csrf", CSRF),
        ("title", "Commissioning support framework"),
        ("description", "Support for every buyer in the region."),
        ("category", "procurement"),
        ("region", "north_west"),
        ("estimated_value_pence", "150000"),
        ("contract_term_months", "12"),
        ("procedure", "open"),
        ("clarification_deadline", "2030-01-01T12:00"),
        ("submission_deadline", "2030-01-10T12:00"),
        ("criteria-0-weight", "40"),
        ("criteria-1-name", "Quality"),
        ("criteria-1-weight", "60"),
    ];
    pairs.extend_from_slice(more);
    pairs
}

#[tokio::test]
async fn a_buyer_lead_drafts_a_framework_tender_with_its_call_off_terms_from_the_tender_form() {
    let app = TestApp::spawn().await;
    let lead_user = app.user("buyer_lead").await;
    let other_buyer = app.user("buyer_lead").await;
    let lead = browser_session(&app, &lead_user.email, e2e::PASSWORD).await;
    let (_, form) = page(&app, &lead, "/tenders/new").await;
    assert!(
        form.contains("Award a framework agreement instead of a contract")
            && form.contains(&format!("value=\"{}\"", other_buyer.organisation_id)),
        "{form}"
    );
    // Five years is refused at the framework's term; no buyer ticked at the buyers.
    let too_long = post_form(
        &app,
        &lead,
        "/tenders/new",
        &tender_fields(&[
            ("framework", "yes"),
            ("framework-max_suppliers", "3"),
            ("framework-term_months", "60"),
            ("framework-call_off_methods", "direct_award"),
            ("framework-eligible", "listed"),
        ]),
    )
    .await;
    assert_eq!(too_long.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = too_long.text().await.unwrap();
    assert!(
        html.contains("href=\"#framework-term_months\"")
            && html.contains("href=\"#framework-eligible_buyers\"")
            && html.contains("id=\"framework-call_off_methods-direct_award\" name=\"framework-call_off_methods\" type=\"checkbox\" value=\"direct_award\" checked"),
        "{html}"
    );
    let created = post_form(
        &app,
        &lead,
        "/tenders/new",
        &tender_fields(&[
            ("framework", "yes"),
            ("framework-max_suppliers", "3"),
            ("framework-term_months", "48"),
            ("framework-call_off_methods", "direct_award"),
            ("framework-call_off_methods", "competitive_selection"),
            ("framework-eligible", "listed"),
            (
                "framework-eligible_buyers",
                other_buyer.organisation_id.as_str(),
            ),
        ]),
    )
    .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let tender = redirected_id(&created, "/tenders/");
    let read = success(
        app.get(&format!("/api/v1/tenders/{tender}"), &lead_user.token)
            .await,
    )
    .await;
    assert_eq!(
        read["framework"],
        json!({
            "max_suppliers": 3,
            "term_months": 48,
            "call_off_methods": ["direct_award", "competitive_selection"],
            "direct_award_rule": "lowest_annual_price",
            "eligible_buyers": [other_buyer.organisation_id],
        })
    );
    // The tender page shows the terms; the edit form keeps them; unticked, they are dropped.
    let (_, shown) = page(&app, &lead, &format!("/tenders/{tender}")).await;
    assert!(
        shown.contains("This tender awards a framework agreement")
            && shown.contains("Only 1 named buyer"),
        "{shown}"
    );
    let (_, edit) = page(&app, &lead, &format!("/tenders/{tender}/edit")).await;
    assert!(
        edit.contains("name=\"framework\" type=\"checkbox\" value=\"yes\" checked")
            && edit.contains("name=\"framework-term_months\" type=\"text\" value=\"48\""),
        "{edit}"
    );
    let version = read["version"].to_string();
    let mut pairs = tender_fields(&[("version", version.as_str())]);
    pairs.retain(|(k, _)| !k.starts_with("framework"));
    let saved = post_form(&app, &lead, &format!("/tenders/{tender}/edit"), &pairs).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let read = success(
        app.get(&format!("/api/v1/tenders/{tender}"), &lead_user.token)
            .await,
    )
    .await;
    assert_eq!(read["framework"], json!(null));
}

#[tokio::test]
async fn a_buyer_runs_a_competitive_selection_among_the_frameworks_suppliers_from_its_page() {
    let app = TestApp::spawn().await;
    let caller = app.user("buyer_lead").await;
    let (f, framework) = entered_framework_for(&app, Some(&[&caller])).await;
    let id = id_of(&framework);
    let lead = browser_session(&app, &caller.email, e2e::PASSWORD).await;
    let (status, form) = page(&app, &lead, &format!("/frameworks/{id}/selection")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Run a competitive selection"), "{form}");
    let supplier = browser_session(&app, &f.suppliers[0].email, e2e::PASSWORD).await;
    let (status, _) = page(&app, &supplier, &format!("/frameworks/{id}/selection")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let fields = |description: &'static str| {
        vec![
            ("csrf", CSRF),
            ("title", "Business intelligence for Greater Manchester"),
            ("lot_id", f.lots[0].as_str()),
            ("description", description),
            ("estimated_value_pence", "90000"),
            ("contract_term_months", "24"),
            ("clarification_deadline", "2030-01-01T12:00"),
            ("submission_deadline", "2030-01-10T12:00"),
            ("criteria-0-weight", "50"),
            ("criteria-1-name", "Method"),
            ("criteria-1-weight", "50"),
        ]
    };
    let path = format!("/frameworks/{id}/selection");
    let empty = post_form(&app, &lead, &path, &fields("")).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = empty.text().await.unwrap();
    assert!(
        html.contains("href=\"#description\"") && html.contains("value=\"Method\""),
        "{html}"
    );
    let outsider = browser_session(&app, &app.user("buyer_lead").await.email, e2e::PASSWORD).await;
    let refused = post_form(&app, &outsider, &path, &fields("Dashboards.")).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let created = post_form(&app, &lead, &path, &fields("Dashboards and analysis.")).await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let tender = redirected_id(&created, "/tenders/");
    let read = success(
        app.get(&format!("/api/v1/tenders/{tender}"), &caller.token)
            .await,
    )
    .await;
    assert_eq!(read["procedure"], "invited");
    let mut invited: Vec<String> = read["invited_supplier_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    invited.sort();
    let mut on_lot: Vec<String> = f.suppliers[..2]
        .iter()
        .map(|s| s.organisation_id.clone())
        .collect();
    on_lot.sort();
    assert_eq!(invited, on_lot);
    let (_, shown) = page(&app, &lead, &format!("/tenders/{tender}")).await;
    assert!(
        shown.contains(&format!("href=\"/frameworks/{id}\""))
            && shown.contains("only they may bid"),
        "{shown}"
    );
}
