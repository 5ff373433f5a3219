//! The web interface in a real browser (headless Chromium through chromedriver): a whole
//! competition through the pages, every page checked with axe-core for serious or critical
//! accessibility violations and photographed into `target/browser-screenshots/`.

use e2e::TestApp;
use e2e::browser::Browser;

const DEMO_PASSWORD: &str = "marketplace-demo-2026";
const LEAD: &str = "lead@gm-icb.nhs.example";
const EVALUATOR: &str = "evaluator@gm-icb.nhs.example";
const WINNER: &str = "bids@necsu.nhs.example";
const WINNER_NAME: &str = "North of England Commissioning Support Unit";
const LOSER: &str = "bids@insight.example";
const REGULATOR: &str = "regulator@england.nhs.example";
const TITLE: &str = "Browser-run business intelligence service";

/// Moves the tender's deadlines into the past, as if the time had gone by (no client can).
async fn pass_the_deadline(app: &TestApp, tender: uuid::Uuid) {
    use persistence::entities::tenders;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    tenders::Entity::update_many()
        .col_expr(
            tenders::Column::ClarificationDeadline,
            Expr::value(past - chrono::Duration::minutes(1)),
        )
        .col_expr(tenders::Column::SubmissionDeadline, Expr::value(past))
        .filter(tenders::Column::Id.eq(tender))
        .exec(app.database.db.conn())
        .await
        .unwrap();
}

/// Moves the award's standstill end into the past.
async fn end_the_standstill(app: &TestApp, tender: uuid::Uuid) {
    use persistence::entities::awards;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    awards::Entity::update_many()
        .col_expr(awards::Column::StandstillEndsAt, Expr::value(past))
        .filter(awards::Column::TenderId.eq(tender))
        .exec(app.database.db.conn())
        .await
        .unwrap();
}

/// The number of contracts the market share table gives `supplier`.
async fn contracts_of(browser: &Browser, supplier: &str) -> i64 {
    let value = browser
        .client
        .execute(
            "const row = Array.from(document.querySelectorAll('table tbody tr')).find(r => r.cells.length > 2 && r.cells[1].innerText.trim() === arguments[0]); return row ? row.cells[2].innerText.trim() : '0';",
            vec![serde_json::json!(supplier)],
        )
        .await
        .unwrap();
    value
        .as_str()
        .unwrap_or("0")
        .parse()
        .unwrap_or_else(|e| panic!("{value}: {e}"))
}

async fn bid(browser: &Browser, tender: &str, pounds: &str, email: &str) {
    browser.sign_in(email, DEMO_PASSWORD).await;
    browser
        .check(&format!(
            "supplier-dashboard-{}",
            email.split('@').nth(1).unwrap()
        ))
        .await;
    assert!(
        browser.text().await.contains(TITLE),
        "the open tender is on {email}'s dashboard"
    );
    browser.follow(TITLE).await;
    browser.check("supplier-tender").await;
    browser.follow("Your bid").await;
    browser.check("supplier-bid-form").await;
    browser.fill("price_pence", pounds).await;
    browser
        .fill(
            "responses-0-text",
            "A named analyst team of four, on site weekly.\nMonthly reporting to the board.",
        )
        .await;
    browser
        .fill(
            "responses-1-text",
            "Apprenticeships for local young people.",
        )
        .await;
    browser.press("Submit my bid").await;
    assert!(
        browser.text().await.contains("Your bid is submitted"),
        "{}",
        browser.text().await
    );
    assert_eq!(browser.path().await, format!("/tenders/{tender}/bid"));
    browser.check("supplier-bid-submitted").await;
}

#[tokio::test]
async fn a_whole_competition_runs_through_the_pages_in_a_real_browser() {
    let app = TestApp::spawn_demo().await;
    let browser = Browser::start(&app.base).await;

    // The regulator's market before.
    browser.sign_in(REGULATOR, DEMO_PASSWORD).await;
    browser.check("regulator-dashboard").await;
    browser.goto("/market").await;
    browser.check("regulator-market").await;
    let before = contracts_of(&browser, WINNER_NAME).await;
    let source = browser.source().await;
    assert!(
        source.contains("<svg role=\"img\""),
        "charts are SVG with an accessible name"
    );
    assert!(
        source.contains("mkt-heat--highly_concentrated"),
        "the heat table shades levels"
    );

    // The buyer lead drafts a tender; weights that do not add up are refused with the values kept.
    browser.sign_in(LEAD, DEMO_PASSWORD).await;
    browser.check("buyer-dashboard").await;
    browser.goto("/catalogue?q=analytics&sort=price_asc").await;
    browser.check("catalogue").await;
    browser.goto("/tenders/new").await;
    browser.check("tender-form").await;
    browser.fill("title", TITLE).await;
    browser
        .fill(
            "description",
            "Dashboards and analysis for the system's finance and performance.\nTwo years.",
        )
        .await;
    browser.set("category", "data_analysis_bi").await;
    browser.set("region", "north_west").await;
    browser.fill("estimated_value_pence", "180,000").await;
    browser.fill("budget_ceiling_pence", "250000").await;
    browser.fill("contract_term_months", "24").await;
    let in_days = |days: i64| {
        (chrono::Utc::now() + chrono::Duration::days(days))
            .format("%Y-%m-%dT12:00")
            .to_string()
    };
    browser.set("clarification_deadline", &in_days(10)).await;
    browser.set("submission_deadline", &in_days(14)).await;
    browser.fill("criteria-0-weight", "40").await;
    browser.fill("criteria-1-name", "Analytical approach").await;
    browser.fill("criteria-1-weight", "35").await;
    browser.fill("criteria-2-name", "Social value").await;
    browser.fill("criteria-2-weight", "30").await;
    let total = browser
        .client
        .execute(
            "return document.getElementById('criteria-total').textContent;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        total,
        serde_json::json!("Weights add up to 105 of 100"),
        "the running total is shown as the weights are typed"
    );
    browser.press("Save draft").await;
    let refused = browser.text().await;
    assert!(refused.contains("There is a problem"), "{refused}");
    assert_eq!(browser.path().await, "/tenders/new");
    browser.check("tender-form-error").await;
    let kept = browser
        .client
        .execute("return document.getElementById('title').value;", vec![])
        .await
        .unwrap();
    assert_eq!(
        kept,
        serde_json::json!(TITLE),
        "the form keeps what was typed"
    );
    browser.fill("criteria-2-weight", "25").await;
    browser.press("Save draft").await;
    assert!(
        browser.text().await.contains("Saved as a draft"),
        "{}",
        browser.text().await
    );
    let tender_path = browser.path().await;
    let tender_id = tender_path.trim_start_matches("/tenders/").to_owned();
    let tender: uuid::Uuid = tender_id
        .parse()
        .unwrap_or_else(|e| panic!("{tender_path}: {e}"));
    browser.check("tender-draft").await;
    browser.press("Publish").await;
    assert!(
        browser.text().await.contains("Published."),
        "{}",
        browser.text().await
    );
    browser.check("tender-published").await;

    // Two suppliers bid; a question is asked and answered.
    bid(&browser, &tender_id, "150000", WINNER).await;
    browser.goto(&tender_path).await;
    browser
        .fill("question", "Is an on-site presence expected?")
        .await;
    browser.press("Send the question").await;
    assert!(browser.text().await.contains("Your question has been sent"));
    bid(&browser, &tender_id, "170000", LOSER).await;

    // Before the deadline the bids are sealed: the lead sees neither bid nor price.
    browser.sign_in(LEAD, DEMO_PASSWORD).await;
    browser.goto(&tender_path).await;
    let sealed = browser.source().await;
    assert!(
        !sealed.contains("150,000") && !sealed.contains("170,000"),
        "no sealed price on the lead's page"
    );
    browser
        .fill(
            &format!(
                "answer-{}",
                browser
                    .client
                    .execute(
                        "return document.querySelector('textarea[name=answer]').id.slice(7);",
                        vec![]
                    )
                    .await
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap()
            ),
            "Yes, one day a week.",
        )
        .await;
    browser.press("Publish the answer").await;
    assert!(browser.text().await.contains("Your answer is published"));
    browser.check("tender-answered").await;
    browser.goto(&format!("{tender_path}/evaluation")).await;
    assert!(
        browser.text().await.contains("You cannot use this page"),
        "bids are sealed before the deadline"
    );

    // The deadline passes; the lead opens the bids and assigns an evaluator.
    pass_the_deadline(&app, tender).await;
    browser.goto(&format!("{tender_path}/evaluation")).await;
    let opened = browser.text().await;
    assert!(
        opened.contains("£150,000") && opened.contains("£170,000"),
        "{opened}"
    );
    browser.check("evaluation-bids").await;
    browser.choose("user_id", EVALUATOR).await;
    browser.press("Assign").await;
    assert!(browser.text().await.contains("The evaluator is assigned"));

    // The evaluator declares no conflict and scores both bids.
    browser.sign_in(EVALUATOR, DEMO_PASSWORD).await;
    browser.goto(&format!("{tender_path}/scoring")).await;
    browser.check("evaluator-declaration").await;
    browser.press("Make the declaration").await;
    assert!(
        browser
            .text()
            .await
            .contains("Your declaration is recorded")
    );
    browser.check("evaluator-scoring").await;
    for (supplier, marks) in [
        (WINNER_NAME, ["80", "70"]),
        ("Northgate Health Insight Ltd", ["60", "55"]),
    ] {
        let ids: Vec<String> = serde_json::from_value(
            browser
                .client
                .execute(
                    "const form = Array.from(document.querySelectorAll('form')).find(f => f.querySelector('button').innerText.includes(arguments[0])); return Array.from(form.querySelectorAll('input[type=text], textarea')).map(e => e.id);",
                    vec![serde_json::json!(supplier)],
                )
                .await
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            ids.len(),
            4,
            "a mark and a reason per quality criterion: {ids:?}"
        );
        for (n, id) in ids.iter().enumerate() {
            let value = if id.ends_with("-score") {
                marks[n / 2].to_owned()
            } else {
                format!("Reason {n} for {supplier}.")
            };
            browser.fill(id, &value).await;
        }
        browser.press(&format!("Save marks for {supplier}")).await;
        assert!(
            browser.text().await.contains("Your scores are saved"),
            "{}",
            browser.text().await
        );
    }

    // The lead awards the top-ranked bid.
    browser.sign_in(LEAD, DEMO_PASSWORD).await;
    browser.goto(&format!("{tender_path}/evaluation")).await;
    let ranking = browser.text().await;
    assert!(ranking.contains(&format!("1. {WINNER_NAME}")), "{ranking}");
    browser.check("evaluation-ranking").await;
    browser.press("Award").await;
    assert!(
        browser.text().await.contains("Awarded;"),
        "{}",
        browser.text().await
    );
    browser.check("evaluation-awarded").await;

    // The loser reads its outcome: its own marks and reasons, the winner's name and scores.
    browser.sign_in(LOSER, DEMO_PASSWORD).await;
    browser.goto(&format!("{tender_path}/outcome")).await;
    let outcome = browser.text().await;
    assert!(
        outcome.contains(WINNER_NAME)
            && outcome.contains("Your bid")
            && outcome.contains("Evaluator 1: 60 of 100"),
        "{outcome}"
    );
    assert!(outcome.contains("Challenge the award"));
    browser.check("supplier-outcome").await;
    browser.goto("/notifications").await;
    browser.check("supplier-notifications").await;

    // After the standstill the lead confirms the contract.
    end_the_standstill(&app, tender).await;
    browser.sign_in(LEAD, DEMO_PASSWORD).await;
    browser.goto(&format!("{tender_path}/evaluation")).await;
    browser
        .set(
            "start_date",
            &(chrono::Utc::now() + chrono::Duration::days(30))
                .format("%Y-%m-%d")
                .to_string(),
        )
        .await;
    browser.press("Confirm the contract").await;
    assert!(
        browser.path().await.starts_with("/contracts/"),
        "{}",
        browser.path().await
    );
    assert!(browser.text().await.contains("The contract is confirmed"));
    browser.check("contract").await;

    // The regulator sees the share change and simulates a merger.
    browser.sign_in(REGULATOR, DEMO_PASSWORD).await;
    browser.goto("/market").await;
    assert_eq!(
        contracts_of(&browser, WINNER_NAME).await,
        before + 1,
        "the new contract counts in the market share"
    );
    browser.goto("/market/merger").await;
    browser.choose("acquirer", WINNER_NAME).await;
    browser
        .choose("target", "Arden and Greater East Midlands")
        .await;
    browser.press("Simulate").await;
    let simulated = browser.text().await;
    assert!(
        simulated.contains("HHI before") && simulated.contains("Change (delta)"),
        "{simulated}"
    );
    browser.check("regulator-merger").await;
    browser.goto("/transfers").await;
    browser.check("regulator-transfers").await;
    browser.goto("/audit?verify=1").await;
    assert!(browser.text().await.contains("The chain is intact"));
    browser.check("regulator-audit").await;
    browser.goto("/contracts").await;
    browser.check("regulator-contracts").await;
    // NHS England's framework and its suppliers per lot.
    browser.goto("/frameworks").await;
    browser.check("frameworks").await;
    browser.follow("Commissioning Support Framework 2026").await;
    assert!(
        browser
            .text()
            .await
            .contains("Lot 1: Business intelligence and analytics")
    );
    browser.check("framework").await;
    browser.goto("/call-offs").await;
    browser.check("regulator-call-offs").await;
    // The interactive docs render under their content security policy.
    browser.goto("/docs/").await;
    let mut rendered = String::new();
    for _ in 0..50 {
        rendered = browser
            .client
            .execute("return document.body.innerText;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        if rendered.contains("Commissioning Support Marketplace API") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        rendered.contains("Commissioning Support Marketplace API"),
        "Swagger UI did not render: {rendered}"
    );

    // Norfolk and Waveney ICB's call-off journey: its awarded call-off, then a new direct award
    // (search → freeze → compare → award) and the competitive selection form.
    browser
        .sign_in("lead@nw-icb.nhs.example", DEMO_PASSWORD)
        .await;
    browser.goto("/call-offs").await;
    browser.check("call-offs").await;
    browser
        .follow("Population health analytics for Norfolk and Waveney")
        .await;
    assert!(browser.text().await.contains("The frozen shortlist"));
    browser.check("call-off-awarded").await;
    browser.goto("/frameworks").await;
    browser.follow("Commissioning Support Framework 2026").await;
    browser.follow("Call off by direct award").await;
    browser.check("call-off-form").await;
    browser.fill("title", "Analytics for 2027").await;
    browser
        .press("Save the search and freeze its results")
        .await;
    assert!(browser.text().await.contains("There is a problem"));
    browser.check("call-off-form-error").await;
    browser
        .client
        .execute(
            "const s = document.getElementById('lot_id'); s.selectedIndex = 1;",
            vec![],
        )
        .await
        .unwrap();
    for (field, value) in [
        ("fte", "4"),
        ("population", "1100000"),
        ("days_per_year", "220"),
    ] {
        browser.fill(field, value).await;
    }
    browser
        .press("Save the search and freeze its results")
        .await;
    assert!(
        browser.text().await.contains("its results frozen"),
        "{}",
        browser.text().await
    );
    browser.check("call-off-shortlist").await;
    browser.press("Award the call-off").await;
    assert!(browser.text().await.contains("Called off"));
    browser.check("call-off-decided").await;
    browser.goto("/frameworks").await;
    browser.follow("Commissioning Support Framework 2026").await;
    browser.follow("Run a competitive selection").await;
    browser.check("selection-form").await;

    browser.close().await;
}

/// The address of the first link in the table under the heading `heading`, if any.
async fn first_link_under(browser: &Browser, heading: &str) -> Option<String> {
    browser
        .client
        .execute(
            "const h = Array.from(document.querySelectorAll('h2')).find(h => h.innerText.trim() === arguments[0]); if (!h) { return null; } let e = h.nextElementSibling; while (e && e.tagName !== 'TABLE' && e.tagName !== 'H2') { e = e.nextElementSibling; } if (!e || e.tagName !== 'TABLE') { return null; } const a = e.querySelector('tbody a'); return a ? a.getAttribute('href') : null;",
            vec![serde_json::json!(heading)],
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
}

#[tokio::test]
async fn every_other_page_meets_the_accessibility_checks() {
    let app = TestApp::spawn_demo().await;
    let browser = Browser::start(&app.base).await;

    // The front page, sign-in, its error, and the error pages.
    browser.goto("/").await;
    browser.check("home").await;
    browser.goto("/sign-in").await;
    browser.check("sign-in").await;
    browser.fill("email", LEAD).await;
    browser.fill("password", "wrong").await;
    browser.press("Sign in").await;
    assert!(browser.text().await.contains("There is a problem"));
    browser.check("sign-in-error").await;

    // The public notices, and one notice, before anyone signs in.
    browser.goto("/notices").await;
    browser.check("notices").await;
    browser
        .follow("Procurement and contract management support")
        .await;
    assert!(browser.text().await.contains("Tender notice"));
    browser.check("notice").await;

    // A supplier's offers, with the error pattern on the offer form.
    browser.sign_in(LOSER, DEMO_PASSWORD).await;
    browser.goto("/market").await;
    assert!(
        browser.text().await.contains("You cannot use this page"),
        "a supplier is refused the market pages"
    );
    browser.check("forbidden").await;
    // The Procurement Act's procedures: a competitive flexible procedure's participation page
    // (requests still open) and a direct award on its tender page.
    let notices = e2e::json_body(
        app.send(
            reqwest::Method::GET,
            "/api/v1/notices?per_page=100",
            None,
            None,
        )
        .await,
    )
    .await;
    let tender_of = |wanted: &dyn Fn(&serde_json::Value) -> bool| {
        notices["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| wanted(n))
            .and_then(|n| n["tender_id"].as_str())
            .unwrap()
            .to_owned()
    };
    let flexible = tender_of(&|n| {
        n["notice_type"] == "UK4" && n["details"]["conditions_of_participation"].is_string()
    });
    browser
        .goto(&format!("/tenders/{flexible}/participation"))
        .await;
    assert!(browser.text().await.contains("Conditions of participation"));
    browser.check("supplier-participation").await;
    let direct = tender_of(&|n| n["notice_type"] == "UK5");
    browser.goto(&format!("/tenders/{direct}")).await;
    assert!(browser.text().await.contains("Schedule 5 paragraph"));
    browser.check("direct-award").await;
    browser
        .goto("/tenders/00000000-0000-0000-0000-000000000000")
        .await;
    assert!(browser.text().await.contains("Page not found"));
    browser.check("not-found").await;
    browser.goto("/offers/mine").await;
    browser.check("supplier-offers").await;
    browser.follow("Create an offer").await;
    browser.check("offer-form").await;
    browser.fill("title", "Accessible analytics").await;
    browser.press("Save").await;
    assert!(browser.text().await.contains("There is a problem"));
    browser.check("offer-form-error").await;
    browser.set("category", "data_analysis_bi").await;
    browser
        .fill("summary", "Analytics that everyone can read.")
        .await;
    browser
        .fill("description", "Charts with text alternatives.")
        .await;
    browser
        .client
        .execute(
            "document.getElementById('region-1').checked = true;",
            vec![],
        )
        .await
        .unwrap();
    browser.set("pricing_unit", "fixed_annual").await;
    browser.fill("unit_price_pence", "48000").await;
    browser.press("Save").await;
    assert!(
        browser.text().await.contains("Saved as a draft"),
        "{}",
        browser.text().await
    );
    browser.check("offer-draft").await;
    browser.press("Publish").await;
    browser.follow("Edit or reprice").await;
    browser.check("offer-edit").await;
    browser.fill("unit_price_pence", "45000").await;
    browser.press("Save").await;
    let history = browser.text().await;
    assert!(
        history.contains("£48,000") && history.contains("£45,000"),
        "the price history keeps both: {history}"
    );
    browser.check("offer-repriced").await;
    browser.goto("/notifications").await;
    browser.check("supplier-notifications-all").await;

    // The buyer compares offers, reads contracts and records a review.
    browser
        .sign_in("lead@norwich-ccg.nhs.example", DEMO_PASSWORD)
        .await;
    browser.goto("/catalogue?category=data_analysis_bi").await;
    browser.client.execute("document.querySelectorAll('input[name=ids]').forEach((c, i) => { if (i < 3) { c.checked = true; } });", vec![]).await.unwrap();
    browser.press("Compare the ticked offers (up to 10)").await;
    assert!(browser.text().await.contains("Compare offers"));
    browser.check("compare").await;
    browser.goto("/contracts").await;
    browser.check("buyer-contracts").await;
    let contract = browser
        .client
        .execute("const a = document.querySelector('main table tbody a'); return a ? a.getAttribute('href') : null;", vec![])
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("the Norwich lead has a contract: {}", "none listed"));
    browser.goto(&contract).await;
    browser.check("buyer-contract").await;
    browser.fill("period", "2026-Q4").await;
    for field in ["delivery", "quality", "value_for_money", "responsiveness"] {
        browser.set(field, "3").await;
    }
    browser.press("Record the review").await;
    assert!(
        browser
            .text()
            .await
            .contains("The performance review is recorded"),
        "{}",
        browser.text().await
    );
    browser.check("buyer-contract-reviewed").await;

    // A lead's draft and open tenders: edit, amend and cancel forms.
    browser.goto("/dashboard").await;
    let draft = first_link_under(&browser, "Drafts")
        .await
        .expect("a draft on the lead's dashboard");
    browser.goto(&format!("{draft}/edit")).await;
    browser.check("tender-edit").await;
    browser
        .sign_in("lead@north-norfolk-ccg.nhs.example", DEMO_PASSWORD)
        .await;
    let open = first_link_under(&browser, "Deadlines coming up")
        .await
        .expect("an open tender on the North Norfolk lead's dashboard");
    browser.goto(&open).await;
    browser.check("tender-open-lead").await;
    browser.goto(&format!("{open}/amend")).await;
    browser.check("tender-amend").await;
    browser.fill("note", "").await;
    browser.press("Publish the amendment").await;
    assert!(
        browser.text().await.contains("There is a problem"),
        "an amendment needs a note"
    );
    browser.check("tender-amend-error").await;
    browser.goto(&format!("{open}/cancel")).await;
    browser.check("tender-cancel").await;

    // The evaluator's dashboard.
    browser
        .sign_in("evaluator@norwich-ccg.nhs.example", DEMO_PASSWORD)
        .await;
    browser.check("evaluator-dashboard").await;

    browser.close().await;
}
