//! The demo market's tenders: the five Norfolk and Waveney CCGs with a tender in each state a
//! competition reaches before award, and a full competition run on it through the API.

use e2e::{TestApp, assert_problem_type, bid_json, id_of, json_body, wait_until};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use server::demo::DEMO_PASSWORD;

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
        .unwrap();
    found.sort();
    found
}

#[tokio::test]
async fn the_demo_has_norfolk_and_waveney_tenders_in_every_state() {
    let app = TestApp::spawn_demo().await;
    let regulator = app
        .login("regulator@england.nhs.example", DEMO_PASSWORD)
        .await;
    let all = ok(app.get("/api/v1/tenders?per_page=100", &regulator).await).await;
    // 17 awarded competitions, an interim direct award (contracted and then terminated), NHS
    // England's framework and Greater Manchester's competitive selection called off from it.
    let mut expected = vec!["awarded"; 20];
    expected.extend([
        "cancelled",
        "evaluation",
        // The open and invited tenders, and the competitive flexible procedure.
        "published",
        "published",
        "published",
        // A competition and a direct award in their standstill.
        "standstill",
        "standstill",
        "unsuccessful",
    ]);
    assert_eq!(
        statuses(&all),
        expected,
        "the regulator sees every tender but the draft"
    );
    let norwich = app
        .login("lead@norwich-ccg.nhs.example", DEMO_PASSWORD)
        .await;
    let me = ok(app.get("/api/v1/me", &norwich).await).await;
    let own = ok(app
        .get(
            &format!(
                "/api/v1/tenders?buyer={}",
                me["organisation"]["id"].as_str().unwrap()
            ),
            &norwich,
        )
        .await)
    .await;
    assert_eq!(statuses(&own), vec!["awarded", "cancelled", "draft"]);
    // Unfiltered, a lead's list also holds every other buyer's published open tender.
    let listed = ok(app.get("/api/v1/tenders?per_page=100", &norwich).await).await;
    // The 28 the regulator sees but the two invited ones (one of them Greater Manchester's
    // call-off competition), and Norwich's own draft.
    assert_eq!(listed["total"], 27, "{listed}");

    // The open tender: questions (one still to answer) and sealed bids.
    let lead = app
        .login("lead@north-norfolk-ccg.nhs.example", DEMO_PASSWORD)
        .await;
    let open =
        ok(app.get("/api/v1/tenders?status=published", &lead).await).await["items"][0].clone();
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
        .unwrap();
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
    assert_problem_type(
        app.get(&format!("{path}/bids"), &lead).await,
        StatusCode::FORBIDDEN,
        "bids-sealed",
    )
    .await;
    let anglia = app.login("bids@anglia.nhs.example", DEMO_PASSWORD).await;
    let mine = ok(app.get(&format!("{path}/bids"), &anglia).await).await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(1));

    // The closed tender: its lead reads the three bids.
    let west = app
        .login("lead@west-norfolk-ccg.nhs.example", DEMO_PASSWORD)
        .await;
    let closed =
        ok(app.get("/api/v1/tenders?status=evaluation", &west).await).await["items"][0].clone();
    assert_eq!(closed["status"], "evaluation");
    let bids = ok(app
        .get(&format!("/api/v1/tenders/{}/bids", id_of(&closed)), &west)
        .await)
    .await;
    assert_eq!(bids["items"].as_array().map(Vec::len), Some(3));
    // The invited tender is invisible to a CSU it does not name.
    let necsu = app.login("bids@necsu.nhs.example", DEMO_PASSWORD).await;
    let open_to_necsu = ok(app.get("/api/v1/tenders", &necsu).await).await;
    // The open tender and the competitive flexible procedure, not the invited quotation.
    assert_eq!(open_to_necsu["total"], 2, "{open_to_necsu}");
    assert!(
        open_to_necsu["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["procedure"] != "invited")
    );
}

#[tokio::test]
async fn on_the_demo_a_full_competition_runs_from_publish_to_contract() {
    let app = TestApp::spawn_demo().await;
    let lead = demo_user(&app, "lead@norwich-ccg.nhs.example").await;
    let evaluator = demo_user(&app, "evaluator@norwich-ccg.nhs.example").await;
    let tender = app
        .published_tender(&lead, 3.0, json!({"standstill_days": 0}))
        .await;
    ok(app.assign(&lead, &tender, &evaluator).await).await;
    ok(app.declare(&evaluator, &tender, false).await).await;
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
        .unwrap())
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
    assert_problem_type(
        app.get(&format!("{path}/bids"), &lead.token).await,
        StatusCode::FORBIDDEN,
        "bids-sealed",
    )
    .await;

    wait_until(tender["submission_deadline"].as_str().unwrap()).await;
    let late_revision = app
        .request(Method::PUT, &necsu_path, &necsu)
        .json(&bid_json(&tender, 1))
        .send()
        .await
        .unwrap();
    assert_problem_type(late_revision, StatusCode::CONFLICT, "deadline-passed").await;
    let late_withdrawal = app
        .send(
            Method::POST,
            &format!("{path}/bids/{}/withdraw", id_of(&anglia_again)),
            Some(&anglia),
            None,
        )
        .await;
    assert_problem_type(late_withdrawal, StatusCode::CONFLICT, "deadline-passed").await;
    let bids = ok(app.get(&format!("{path}/bids"), &lead.token).await).await;
    let prices: Vec<i64> = bids["items"]
        .as_array()
        .map(|b| b.iter().filter_map(|b| b["price_pence"].as_i64()).collect())
        .unwrap();
    assert_eq!(prices, vec![22_500_000, 22_900_000]);

    // The evaluator scores; Anglia's stronger responses outweigh NECSU's lower price.
    app.score_all(&evaluator, &tender, &id_of(&necsu_bid), &[60, 60])
        .await;
    app.score_all(&evaluator, &tender, &id_of(&anglia_again), &[80, 80])
        .await;
    let ranking = ok(app.get(&format!("{path}/ranking"), &lead.token).await).await;
    assert_eq!(ranking["complete"], true);
    assert_eq!(ranking["items"][0]["bid_id"], json!(id_of(&anglia_again)));
    // Anglia: price 40 × 22.5m / 22.9m = 39.3013; quality 35 × 0.8 + 25 × 0.8 = 48.
    assert_eq!(ranking["items"][0]["price_score"], json!(39.3013));
    assert_eq!(ranking["items"][0]["total_score"], json!(87.3013));
    assert_eq!(ranking["items"][1]["total_score"], json!(76.0));
    ok(app.award(&lead, &tender, &id_of(&anglia_again), None).await).await;

    // The losing bidder reads why it lost.
    let outcome = ok(app.get(&format!("{path}/outcome"), &necsu).await).await;
    assert_eq!(outcome["assessment_summary"]["rank"], 2);
    assert_eq!(outcome["assessment_summary"]["criteria"][1]["marks"][0], 60);
    assert_eq!(
        outcome["winner"]["supplier_name"],
        "NHS Anglia Commissioning Support Unit"
    );
    assert_eq!(outcome["winner"]["total"], json!(87.3013));

    let contract = ok(app
        .post(
            &format!("{path}/contract"),
            &lead.token,
            json!({"start_date": "2031-04-01"}),
        )
        .await)
    .await;
    assert_eq!(contract["total_value_pence"], 22_900_000);
    assert_eq!(contract["end_date"], "2033-03-31");
    let tender = ok(app.get(&path, &lead.token).await).await;
    assert_eq!(tender["status"], "awarded");
}

async fn demo_user(app: &TestApp, email: &str) -> e2e::TestUser {
    let token = app.login(email, DEMO_PASSWORD).await;
    let me = ok(app.get("/api/v1/me", &token).await).await;
    e2e::TestUser {
        id: me["id"].as_str().unwrap().to_owned(),
        email: email.to_owned(),
        organisation_id: me["organisation"]["id"].as_str().unwrap().to_owned(),
        token,
    }
}

#[tokio::test]
async fn the_demo_has_contracts_where_anglia_is_rated_poorly_on_delivery_and_a_standstill() {
    let app = TestApp::spawn_demo().await;
    let regulator = app
        .login("regulator@england.nhs.example", DEMO_PASSWORD)
        .await;
    let contracts = ok(app.get("/api/v1/contracts?per_page=100", &regulator).await).await;
    // 17 competitions, the interim direct award (terminated) and the two call-offs from NHS
    // England's framework.
    assert_eq!(contracts["total"], 20, "{contracts}");
    // Anglia won one contract with each of the five CCGs; since the takeover NEL CSU holds them.
    let taken_over: Vec<Value> = contracts["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|c| {
                    c["supplier_name"] == "NHS North and East London Commissioning Support Unit"
                        && c["awarded_supplier_id"] != c["supplier_id"]
                })
                .cloned()
                .collect()
        })
        .unwrap();
    assert_eq!(taken_over.len(), 5, "{contracts}");
    let anglia_id = taken_over[0]["awarded_supplier_id"].clone();
    let rating = ok(app
        .get(
            &format!(
                "/api/v1/organisations/{}/rating",
                anglia_id.as_str().unwrap()
            ),
            &regulator,
        )
        .await)
    .await;
    assert_eq!(rating["reviews"], 20);
    let delivery = rating["rating"]["delivery"].as_f64().unwrap_or(5.0);
    assert!(
        delivery < 2.5,
        "Anglia's delivery is rated poorly: {rating}"
    );

    // The catalogue puts better-rated suppliers first.
    let lead = app
        .login("lead@norwich-ccg.nhs.example", DEMO_PASSWORD)
        .await;
    let offers = ok(app
        .get("/api/v1/offers?sort=rating&per_page=100", &lead)
        .await)
    .await;
    let ratings: Vec<f64> = offers["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|o| o["supplier_rating"]["overall"].as_f64().unwrap_or(-1.0))
                .collect()
        })
        .unwrap();
    assert!(ratings.windows(2).all(|w| w[0] >= w[1]), "{ratings:?}");
    assert!(ratings.first().is_some_and(|r| *r > 4.0), "{ratings:?}");

    // The tender in standstill: Anglia lost it and reads its outcome.
    let anglia = app.login("bids@anglia.nhs.example", DEMO_PASSWORD).await;
    let standstill = ok(app.get("/api/v1/tenders?status=standstill", &anglia).await).await;
    let tender = standstill["items"][0].clone();
    let outcome = ok(app
        .get(
            &format!("/api/v1/tenders/{}/outcome", id_of(&tender)),
            &anglia,
        )
        .await)
    .await;
    assert_eq!(outcome["your_bid"]["successful"], false);
    assert_eq!(
        outcome["winner"]["supplier_name"],
        "North of England Commissioning Support Unit"
    );
    assert!(outcome["award"]["standstill_ends_at"].is_string());
}

#[tokio::test]
async fn on_the_demo_the_regulator_sees_what_the_anglia_takeover_did_and_can_simulate_another() {
    let app = TestApp::spawn_demo().await;
    let regulator = app
        .login("regulator@england.nhs.example", DEMO_PASSWORD)
        .await;
    let transfers = ok(app.get("/api/v1/transfers", &regulator).await).await;
    assert_eq!(transfers["total"], 3, "a takeover and a two-way break-up");
    let takeover = transfers["items"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["kind"] == "takeover"))
        .cloned()
        .unwrap();
    assert_eq!(
        takeover["to_supplier_name"],
        "NHS North and East London Commissioning Support Unit"
    );
    assert_eq!(takeover["contract_ids"].as_array().map(Vec::len), Some(5));
    let region = "region=east_of_england&category=contracting";
    let now = ok(app
        .get(&format!("/api/v1/market/share?{region}"), &regulator)
        .await)
    .await;
    let then = ok(app
        .get(
            &format!("/api/v1/market/share?{region}&attribution=original"),
            &regulator,
        )
        .await)
    .await;
    assert_eq!(
        now["items"][0]["supplier_name"],
        "NHS North and East London Commissioning Support Unit"
    );
    assert_eq!(
        then["items"][0]["supplier_name"],
        "NHS Anglia Commissioning Support Unit"
    );
    let by_region = ok(app
        .get("/api/v1/market/concentration?group_by=region", &regulator)
        .await)
    .await;
    assert_eq!(by_region["groups"].as_array().map(Vec::len), Some(3));
    assert!(
        by_region["hhi"]
            .as_f64()
            .is_some_and(|h| h > 0.0 && h < 10_000.0)
    );
    // Simulate NEL CSU taking over the next largest supplier too.
    let overall = ok(app.get("/api/v1/market/share", &regulator).await).await;
    let other = overall["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|i| i["supplier_id"] != takeover["to_supplier_id"])
        })
        .cloned()
        .unwrap();
    let simulation = ok(app
        .get(
            &format!(
                "/api/v1/market/merger-simulation?acquirer={}&target={}",
                takeover["to_supplier_id"].as_str().unwrap(),
                other["supplier_id"].as_str().unwrap()
            ),
            &regulator,
        )
        .await)
    .await;
    assert!(
        simulation["delta_hhi"].as_f64().is_some_and(|d| d > 0.0),
        "{simulation}"
    );
}

/// Every audit entry, oldest first.
async fn audit_log(app: &TestApp) -> Vec<Value> {
    let mut entries = Vec::new();
    for page in 1.. {
        let found = ok(app
            .get(
                &format!("/api/v1/audit?per_page=100&page={page}"),
                &app.admin_token,
            )
            .await)
        .await;
        let items = found["items"].as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        entries.extend(items);
    }
    entries.sort_by_key(|e| e["seq"].as_i64().unwrap());
    entries
}

/// The keys of a `before` or `after` object (`None` when there is none).
fn keys(value: &Value) -> Option<Vec<String>> {
    let mut keys: Vec<String> = value.as_object()?.keys().cloned().collect();
    keys.sort();
    Some(keys)
}

/// Each action's shapes: the keys of `before` and of `after`, for every entry of it.
type Shapes = std::collections::BTreeMap<
    String,
    std::collections::BTreeSet<(Option<Vec<String>>, Option<Vec<String>>)>,
>;

fn shapes(entries: &[Value]) -> Shapes {
    let mut shapes = Shapes::new();
    for e in entries {
        shapes
            .entry(e["action"].as_str().unwrap().to_owned())
            .or_default()
            .insert((keys(&e["before"]), keys(&e["after"])));
    }
    shapes
}

#[tokio::test]
async fn the_demo_writes_every_audit_entry_in_the_shape_the_api_writes_it_and_names_its_actor() {
    let app = TestApp::spawn_demo().await;
    let loaded = audit_log(&app).await;
    // The platform and its admin are registered first, by nobody (as `create-admin` does); the
    // test admin is registered the same way after the demo, where the demo's entries end.
    assert_eq!(loaded[0]["action"], "organisation.created");
    assert_eq!(loaded[1]["action"], "user.created");
    assert!(loaded[..2].iter().all(|e| e["actor_user_id"].is_null()));
    let end = loaded
        .iter()
        .position(|e| e["action"] == "user.created" && e["after"]["email"] == e2e::ADMIN_EMAIL)
        .unwrap();
    let demo = &loaded[..end];
    assert!(demo.len() > 500, "the demo wrote {} entries", demo.len());

    // The same actions through the API: a whole competition with a question, a review, a
    // cancellation, an offer and a takeover.
    let (c, contract) = e2e::contracted(&app, &[20_000_000, 22_000_000]).await;
    ok(app
        .post(
            &format!("/api/v1/contracts/{}/reviews", id_of(&contract)),
            &c.lead.token,
            json!({"period": "2031-Q2", "delivery": 3, "quality": 4, "value_for_money": 3,
                   "responsiveness": 4, "comments": "On time."}),
        )
        .await)
    .await;
    let open = app.published_tender(&c.lead, 3600.0, json!({})).await;
    let asked = ok(app
        .post(
            &format!("/api/v1/tenders/{}/clarifications", id_of(&open)),
            &c.suppliers[1].token,
            json!({"question": "Which region?"}),
        )
        .await)
    .await;
    ok(app
        .post(
            &format!(
                "/api/v1/tenders/{}/clarifications/{}/answer",
                id_of(&open),
                id_of(&asked)
            ),
            &c.lead.token,
            json!({"answer": "The East of England."}),
        )
        .await)
    .await;
    ok(app
        .post(
            &format!("/api/v1/tenders/{}/cancel", id_of(&open)),
            &c.lead.token,
            json!({"reason": "Bought jointly instead."}),
        )
        .await)
    .await;
    app.published_offer(&c.suppliers[1], json!({})).await;
    let regulator = demo_user(&app, "regulator@england.nhs.example").await;
    ok(app
        .post(
            "/api/v1/transfers",
            &regulator.token,
            json!({
                "from_supplier_id": c.suppliers[1].organisation_id,
                "to_supplier_id": c.suppliers[0].organisation_id,
                "effective_date": "2031-04-01",
                "kind": "takeover",
                "reason": "The winner takes the loser over."
            }),
        )
        .await)
    .await;
    // The clock closes a tender with no bid, publishing its termination notice.
    let lonely = app.published_tender(&c.lead, 1.0, json!({})).await;
    e2e::wait_until(lonely["submission_deadline"].as_str().unwrap()).await;
    service::tenders::settle_due(&app.ctx()).await.unwrap();
    let everything = audit_log(&app).await;
    let api = &everything[loaded.len()..];
    // What nobody does but the clock (a tender closing at its deadline) has no actor, in the
    // API's run as in the demo; everything else the demo did names the demo user who did it.
    let by_the_clock: std::collections::BTreeSet<&str> = api
        .iter()
        .filter(|e| e["actor_user_id"].is_null())
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    let unnamed: Vec<&Value> = demo[2..]
        .iter()
        .filter(|e| {
            e["actor_user_id"].is_null() && !by_the_clock.contains(e["action"].as_str().unwrap())
        })
        .collect();
    assert!(
        unnamed.is_empty(),
        "demo entries without an actor: {unnamed:#?}"
    );

    let (demo, api) = (shapes(demo), shapes(api));
    let both: Vec<&String> = demo.keys().filter(|a| api.contains_key(*a)).collect();
    for action in [
        "organisation.created",
        "user.created",
        "offer.created",
        "offer.published",
        "tender.created",
        "tender.published",
        "tender.cancelled",
        "clarification.asked",
        "clarification.answered",
        "bid.submitted",
        "tender.evaluator_assigned",
        "tender.conflict_declared",
        "bid.scored",
        "tender.awarded",
        "contract.created",
        "contract.reviewed",
        "transfer.recorded",
    ] {
        assert!(
            both.contains(&&action.to_owned()),
            "{action} is not in both logs: {both:?}"
        );
    }
    for action in both {
        assert_eq!(
            demo[action], api[action],
            "{action}: the demo's shapes, then the API's"
        );
    }
}

#[tokio::test]
async fn the_demo_publishes_every_notice_type_on_the_norfolk_and_waveney_story() {
    let app = TestApp::spawn_demo().await;
    for notice_type in [
        "UK2", "UK3", "UK4", "UK5", "UK6", "UK7", "UK10", "UK11", "UK12",
    ] {
        let found = ok(app
            .send(
                reqwest::Method::GET,
                &format!("/api/v1/notices?notice_type={notice_type}"),
                None,
                None,
            )
            .await)
        .await;
        assert!(
            found["total"].as_u64().is_some_and(|n| n >= 1),
            "no {notice_type} in the demo: {found}"
        );
    }
    // The competitive flexible procedure relies on West Norfolk's planned procurement notice,
    // and its requests to participate stay sealed until they close.
    let west = app
        .login("lead@west-norfolk-ccg.nhs.example", DEMO_PASSWORD)
        .await;
    let published = ok(app.get("/api/v1/tenders?status=published", &west).await).await;
    let joint = published["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["procedure"] == "competitive_flexible")
        .cloned()
        .unwrap();
    let tender = ok(app
        .get(&format!("/api/v1/tenders/{}", id_of(&joint)), &west)
        .await)
    .await;
    assert!(tender["planned_procurement_notice_id"].is_string());
    let sealed = app
        .get(
            &format!("/api/v1/tenders/{}/participation-requests", id_of(&joint)),
            &west,
        )
        .await;
    assert_eq!(sealed.status(), reqwest::StatusCode::FORBIDDEN);
    let anglia = app.login("bids@anglia.nhs.example", DEMO_PASSWORD).await;
    let own = ok(app
        .get(
            &format!("/api/v1/tenders/{}/participation-requests", id_of(&joint)),
            &anglia,
        )
        .await)
    .await;
    assert_eq!(own.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn the_demo_has_nhs_englands_framework_its_call_offs_and_anglias_places_moved_by_the_takeover()
 {
    let app = TestApp::spawn_demo().await;
    let nw = app.login("lead@nw-icb.nhs.example", DEMO_PASSWORD).await;
    let frameworks = ok(app.get("/api/v1/frameworks", &nw).await).await;
    let framework = &frameworks["items"][0];
    assert_eq!(framework["title"], "Commissioning Support Framework 2026");
    assert_eq!(framework["status"], "active");
    let lots = framework["lots"].as_array().unwrap();
    assert_eq!(lots.len(), 3);
    let names = |lot: &Value| -> Vec<String> {
        lot["suppliers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["supplier_name"].as_str().unwrap().to_owned())
            .collect()
    };
    // Anglia won places on two lots; the takeover moved the procurement place to NEL CSU and
    // ended the analytics one, which NEL CSU already held.
    let nel = "NHS North and East London Commissioning Support Unit";
    assert!(names(&lots[1]).iter().any(|n| n == nel), "{framework}");
    for lot in lots {
        assert!(
            !names(lot).iter().any(|n| n.contains("Anglia")),
            "{framework}"
        );
    }
    assert_eq!(names(&lots[0]).len(), 2, "{framework}");
    // Norfolk and Waveney called off by direct award; its frozen shortlist is cheapest first.
    let call_offs = ok(app.get("/api/v1/call-offs", &nw).await).await;
    let direct = &call_offs["items"][0];
    assert_eq!(direct["method"], "direct_award");
    assert_eq!(direct["status"], "awarded");
    let shortlist = ok(app
        .get(
            &format!(
                "/api/v1/call-offs/{}/shortlist",
                direct["id"].as_str().unwrap()
            ),
            &nw,
        )
        .await)
    .await;
    let prices: Vec<i64> = shortlist["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["annual_price_pence"].as_i64().unwrap())
        .collect();
    assert!(
        !prices.is_empty() && prices.windows(2).all(|w| w[0] <= w[1]),
        "{shortlist}"
    );
    // The regulator sees both call-offs, and the framework's market.
    let regulator = app
        .login("regulator@england.nhs.example", DEMO_PASSWORD)
        .await;
    let all = ok(app.get("/api/v1/call-offs", &regulator).await).await;
    let methods: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods.len(), 2);
    assert!(methods.contains(&"competitive_selection") && methods.contains(&"direct_award"));
    let share = ok(app
        .get(
            &format!(
                "/api/v1/market/share?framework={}",
                framework["id"].as_str().unwrap()
            ),
            &regulator,
        )
        .await)
    .await;
    assert_eq!(share["contracts"], 2, "{share}");
}
