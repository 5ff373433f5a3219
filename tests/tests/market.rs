//! Market oversight through the API: shares, HHI and CR3 of a small market computed by hand,
//! attribution before and after a takeover and a break-up, merger simulation, CSV downloads,
//! and who may see which figures.

use e2e::{TestApp, TestUser, assert_problem, id_of, json_body, pointers, success, wait_until};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A market: one buyer awards contracts to chosen suppliers through full competitions.
struct Market {
    lead: TestUser,
    evaluator: TestUser,
}

/// A competition to run: who wins at what price, in which category.
struct Award<'a> {
    winner: &'a TestUser,
    loser: &'a TestUser,
    price_pence: i64,
    category: &'a str,
}

impl Market {
    async fn new(app: &TestApp) -> Self {
        let lead = app.user("buyer_lead").await;
        let evaluator = app.user_in("buyer_evaluator", &lead.organisation_id).await;
        Self { lead, evaluator }
    }

    /// Runs every competition side by side and returns the contracts, in order.
    async fn award(&self, app: &TestApp, awards: &[Award<'_>]) -> Vec<Value> {
        let seconds = 1.5 + 0.6 * awards.len() as f64;
        let mut tenders = Vec::new();
        for award in awards {
            let tender = app
                .published_tender(
                    &self.lead,
                    seconds,
                    json!({"standstill_days": 0, "category": award.category, "budget_ceiling_pence": null}),
                )
                .await;
            success(app.assign(&self.lead, &tender, &self.evaluator).await).await;
            success(app.declare(&self.evaluator, &tender, false).await).await;
            let win = app
                .accepted_bid(award.winner, &tender, award.price_pence)
                .await;
            let lose = app
                .accepted_bid(award.loser, &tender, award.price_pence + 1_000_000)
                .await;
            tenders.push((tender, id_of(&win), id_of(&lose)));
        }
        let (last, _, _) = tenders.last().expect("at least one tender");
        wait_until(last["submission_deadline"].as_str().unwrap()).await;
        let mut contracts = Vec::new();
        for (tender, win, lose) in &tenders {
            app.score_all(&self.evaluator, tender, win, &[90, 90]).await;
            app.score_all(&self.evaluator, tender, lose, &[40, 40])
                .await;
            success(app.award(&self.lead, tender, win, None).await).await;
            contracts.push(
                success(
                    app.post(
                        &format!("/api/v1/tenders/{}/contract", id_of(tender)),
                        &self.lead.token,
                        json!({"start_date": "2031-01-01"}),
                    )
                    .await,
                )
                .await,
            );
        }
        contracts
    }
}

async fn share_of(app: &TestApp, token: &str, query: &str) -> Value {
    success(
        app.get(&format!("/api/v1/market/share?{query}"), token)
            .await,
    )
    .await
}

fn value_shares(share: &Value) -> Vec<(String, f64)> {
    share["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    (
                        i["supplier_id"].as_str().unwrap().to_owned(),
                        i["value_share_percent"].as_f64().unwrap_or(-1.0),
                    )
                })
                .collect()
        })
        .unwrap()
}

#[tokio::test]
async fn a_small_market_is_measured_as_by_hand_and_a_takeover_moves_current_share_only() {
    let app = TestApp::spawn().await;
    let market = Market::new(&app).await;
    let [a, b, c, d, e] = [
        app.user("supplier_bidder").await,
        app.user("supplier_bidder").await,
        app.user("supplier_bidder").await,
        app.user("supplier_bidder").await,
        app.user("supplier_bidder").await,
    ];
    // A wins £300k and £200k, B £300k, C £150k (procurement); D £50k (finance). E always loses.
    market
        .award(
            &app,
            &[
                Award {
                    winner: &a,
                    loser: &e,
                    price_pence: 30_000_000,
                    category: "procurement",
                },
                Award {
                    winner: &a,
                    loser: &e,
                    price_pence: 20_000_000,
                    category: "procurement",
                },
                Award {
                    winner: &b,
                    loser: &e,
                    price_pence: 30_000_000,
                    category: "procurement",
                },
                Award {
                    winner: &c,
                    loser: &e,
                    price_pence: 15_000_000,
                    category: "procurement",
                },
                Award {
                    winner: &d,
                    loser: &e,
                    price_pence: 5_000_000,
                    category: "finance",
                },
            ],
        )
        .await;
    let regulator = app.user("regulator").await;

    // Shares 50, 30, 15, 5 by value; 40, 20, 20, 20 by count.
    let share = share_of(&app, &regulator.token, "").await;
    assert_eq!(share["total_value_pence"], 100_000_000);
    assert_eq!(
        value_shares(&share),
        vec![
            (a.organisation_id.clone(), 50.0),
            (b.organisation_id.clone(), 30.0),
            (c.organisation_id.clone(), 15.0),
            (d.organisation_id.clone(), 5.0),
        ]
    );
    assert_eq!(share["items"][0]["count_share_percent"], json!(40.0));
    assert_eq!(share["items"][0]["contracts"], 2);
    assert_eq!(share["items"][3]["rank"], 4);

    // HHI 2500 + 900 + 225 + 25 = 3650; CR3 95.
    let concentration = success(
        app.get(
            "/api/v1/market/concentration?group_by=category",
            &regulator.token,
        )
        .await,
    )
    .await;
    assert_eq!(concentration["hhi"], json!(3650.0));
    assert_eq!(concentration["cr3"], json!(95.0));
    assert_eq!(concentration["suppliers"], 4);
    assert_eq!(concentration["level"], "highly_concentrated");
    assert_eq!(concentration["scale"]["name"], "US 2023 Merger Guidelines");
    assert_eq!(concentration["scale"]["high_above"], json!(1800.0));
    // Finance has one supplier: a monopoly. Procurement: (2500 + 900 + 225) / 95² × 10 000.
    let groups = concentration["groups"].as_array().cloned().unwrap();
    let group = |name: &str| groups.iter().find(|g| g["group"] == name).cloned().unwrap();
    assert_eq!(group("finance")["hhi"], json!(10000.0));
    assert_eq!(group("finance")["cr3"], json!(100.0));
    assert_eq!(group("procurement")["hhi"], json!(4016.62));
    // An empty market answers plainly.
    let empty = success(
        app.get("/api/v1/market/concentration?category=hr", &regulator.token)
            .await,
    )
    .await;
    assert_eq!(
        (
            empty["hhi"].clone(),
            empty["suppliers"].clone(),
            empty["level"].clone()
        ),
        (json!(0.0), json!(0), json!("empty"))
    );
    let empty_share = share_of(&app, &regulator.token, "category=hr").await;
    assert_eq!(empty_share["items"], json!([]));

    // A + B would add 2 × 50 × 30 = 3000.
    let simulation = success(
        app.get(
            &format!(
                "/api/v1/market/merger-simulation?acquirer={}&target={}",
                a.organisation_id, b.organisation_id
            ),
            &regulator.token,
        )
        .await,
    )
    .await;
    assert_eq!(simulation["hhi_before"], json!(3650.0));
    assert_eq!(simulation["delta_hhi"], json!(3000.0));
    assert_eq!(simulation["hhi_after"], json!(6650.0));
    assert_eq!(simulation["overall"]["combined_share_percent"], json!(80.0));
    assert_eq!(simulation["overall"]["flagged"], true);
    let procurement = simulation["markets"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["category"] == "procurement"))
        .cloned()
        .unwrap();
    assert_eq!(procurement["region"], "east_of_england");
    assert_eq!(procurement["flagged"], true);

    // C takes D over: current attribution moves D's contract; original attribution does not.
    let offer = app.published_offer(&d, json!({})).await;
    let transfer = success(
        app.post(
            "/api/v1/transfers",
            &regulator.token,
            json!({
                "from_supplier_id": d.organisation_id,
                "to_supplier_id": c.organisation_id,
                "effective_date": "2031-04-01",
                "kind": "takeover",
                "reason": "C acquires D's business."
            }),
        )
        .await,
    )
    .await;
    assert_eq!(transfer["contract_ids"].as_array().map(Vec::len), Some(1));
    assert_eq!(transfer["offers_withdrawn"], 1);
    let now = share_of(&app, &regulator.token, "attribution=current").await;
    assert_eq!(
        value_shares(&now),
        vec![
            (a.organisation_id.clone(), 50.0),
            (b.organisation_id.clone(), 30.0),
            (c.organisation_id.clone(), 20.0),
        ]
    );
    let then = share_of(&app, &regulator.token, "attribution=original").await;
    assert_eq!(value_shares(&then), value_shares(&share));
    let after = success(
        app.get("/api/v1/market/concentration", &regulator.token)
            .await,
    )
    .await;
    assert_eq!(after["hhi"], json!(3800.0));
    // D's offer is withdrawn, D is merged into C, and the contract lists both holders.
    let withdrawn = success(
        app.get(
            &format!("/api/v1/offers/{}", id_of(&offer)),
            &regulator.token,
        )
        .await,
    )
    .await;
    assert_eq!(withdrawn["status"], "withdrawn");
    let merged = success(
        app.get(
            &format!("/api/v1/organisations/{}", d.organisation_id),
            &app.admin_token,
        )
        .await,
    )
    .await;
    assert_eq!(merged["successor_id"], json!(c.organisation_id));
    let contract = success(
        app.get(
            &format!(
                "/api/v1/contracts/{}",
                transfer["contract_ids"][0].as_str().unwrap()
            ),
            &regulator.token,
        )
        .await,
    )
    .await;
    assert_eq!(contract["supplier_id"], json!(c.organisation_id));
    assert_eq!(contract["awarded_supplier_id"], json!(d.organisation_id));
    assert_eq!(contract["holders"][0]["to_date"], "2031-03-31");
    assert_eq!(contract["holders"][1]["from_date"], "2031-04-01");
    // Both holders list the novated contract (the one it was awarded to, and the one holding it
    // now), as the single read lets both read it; a bidder that lost it lists nothing.
    let listed = |token: String| {
        let app = &app;
        async move {
            let page = success(app.get("/api/v1/contracts?per_page=100", &token).await).await;
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let novated_id = id_of(&contract);
    assert!(listed(d.token.clone()).await.contains(&novated_id));
    assert!(listed(c.token.clone()).await.contains(&novated_id));
    assert!(listed(e.token.clone()).await.is_empty());
    // Every step is audited.
    let audit = success(
        app.get(
            &format!("/api/v1/audit?entity_id={}", id_of(&transfer)),
            &app.admin_token,
        )
        .await,
    )
    .await;
    assert_eq!(audit["items"][0]["action"], "transfer.recorded");
    let novated = success(
        app.get(
            &format!("/api/v1/audit?entity_id={}", id_of(&contract)),
            &app.admin_token,
        )
        .await,
    )
    .await;
    assert_eq!(novated["items"][0]["action"], "contract.novated");
}

#[tokio::test]
async fn a_break_up_splits_a_suppliers_contracts_and_bad_transfers_are_refused() {
    let app = TestApp::spawn().await;
    let market = Market::new(&app).await;
    let [unviable, first, second, loser] = [
        app.user("supplier_bidder").await,
        app.user("supplier_bidder").await,
        app.user("supplier_bidder").await,
        app.user("supplier_bidder").await,
    ];
    let contracts = market
        .award(
            &app,
            &[
                Award {
                    winner: &unviable,
                    loser: &loser,
                    price_pence: 10_000_000,
                    category: "procurement",
                },
                Award {
                    winner: &unviable,
                    loser: &loser,
                    price_pence: 30_000_000,
                    category: "procurement",
                },
            ],
        )
        .await;
    let regulator = app.user("regulator").await;
    let transfer = |to: &str, contract: &Value, kind: &str| {
        json!({
            "from_supplier_id": unviable.organisation_id,
            "to_supplier_id": to,
            "effective_date": "2031-06-01",
            "kind": kind,
            "contract_ids": [id_of(contract)],
            "reason": "Break-up of an unviable CSU."
        })
    };
    // Refusals: not the regulator's peers, not to itself, not from a buyer, not what is not held.
    for who in [&unviable, &market.lead] {
        assert_problem(
            app.post(
                "/api/v1/transfers",
                &who.token,
                transfer(&first.organisation_id, &contracts[0], "break_up"),
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let to_itself = assert_problem(
        app.post(
            "/api/v1/transfers",
            &regulator.token,
            transfer(&unviable.organisation_id, &contracts[0], "break_up"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&to_itself), vec!["/to_supplier_id"]);
    let mut from_buyer = transfer(&first.organisation_id, &contracts[0], "break_up");
    from_buyer["from_supplier_id"] = json!(market.lead.organisation_id);
    let problem = assert_problem(
        app.post("/api/v1/transfers", &regulator.token, from_buyer)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        pointers(&problem).contains(&"/from_supplier_id".to_owned()),
        "{problem}"
    );
    let mut not_held = transfer(&first.organisation_id, &contracts[0], "novation");
    not_held["from_supplier_id"] = json!(loser.organisation_id);
    let problem = assert_problem(
        app.post("/api/v1/transfers", &regulator.token, not_held)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&problem), vec!["/contract_ids/0"]);

    // The break-up: one contract to each acquirer; the unviable CSU is not merged into either.
    success(
        app.post(
            "/api/v1/transfers",
            &regulator.token,
            transfer(&first.organisation_id, &contracts[0], "break_up"),
        )
        .await,
    )
    .await;
    success(
        app.post(
            "/api/v1/transfers",
            &regulator.token,
            transfer(&second.organisation_id, &contracts[1], "break_up"),
        )
        .await,
    )
    .await;
    let now = share_of(&app, &regulator.token, "").await;
    assert_eq!(
        value_shares(&now),
        vec![
            (second.organisation_id.clone(), 75.0),
            (first.organisation_id.clone(), 25.0),
        ]
    );
    let then = share_of(&app, &regulator.token, "attribution=original").await;
    assert_eq!(
        value_shares(&then),
        vec![(unviable.organisation_id.clone(), 100.0)]
    );
    let listed = success(app.get("/api/v1/transfers", &regulator.token).await).await;
    assert_eq!(listed["total"], 2);
    let organisation = success(
        app.get(
            &format!("/api/v1/organisations/{}", unviable.organisation_id),
            &app.admin_token,
        )
        .await,
    )
    .await;
    assert!(organisation["successor_id"].is_null());
}

#[tokio::test]
async fn market_tables_download_as_csv_and_suppliers_are_refused() {
    let app = TestApp::spawn().await;
    let market = Market::new(&app).await;
    let [a, b] = [
        app.user("supplier_bidder").await,
        app.user("supplier_bidder").await,
    ];
    market
        .award(
            &app,
            &[
                Award {
                    winner: &a,
                    loser: &b,
                    price_pence: 20_000_000,
                    category: "procurement",
                },
                Award {
                    winner: &b,
                    loser: &a,
                    price_pence: 10_000_000,
                    category: "procurement",
                },
            ],
        )
        .await;
    let regulator = app.user("regulator").await;
    let json_share = share_of(&app, &regulator.token, "").await;
    let response = app
        .request(
            reqwest::Method::GET,
            "/api/v1/market/share",
            &regulator.token,
        )
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains("filename=\"market-share.csv\""),
        "{disposition}"
    );
    let text = response.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "rank,supplier_id,supplier_name,contracts,total_value_pence,value_share_percent,count_share_percent"
    );
    // Each row parses back to the JSON figures.
    for (line, item) in lines[1..]
        .iter()
        .zip(json_share["items"].as_array().cloned().unwrap())
    {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[1], item["supplier_id"].as_str().unwrap());
        assert_eq!(
            cells[4].parse::<i64>().ok(),
            item["total_value_pence"].as_i64()
        );
        assert_eq!(
            cells[5].parse::<f64>().ok(),
            item["value_share_percent"].as_f64()
        );
    }
    // 2/3 and 1/3 of the value: 66.6667% and 33.3333%.
    assert_eq!(
        json_share["items"][0]["value_share_percent"],
        json!(66.6667)
    );
    let concentration = app
        .request(
            reqwest::Method::GET,
            "/api/v1/market/concentration?group_by=quarter",
            &regulator.token,
        )
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    let text = concentration.text().await.unwrap();
    assert!(text.starts_with("group,hhi,cr3,suppliers,contracts,total_value_pence,level\r\nall,5555.56,100,2,2,30000000,highly_concentrated\r\n"), "{text}");
    assert_eq!(
        text.lines().count(),
        3,
        "the overall row and this quarter: {text}"
    );

    // Suppliers never see the market's figures; buyers see the aggregates.
    for path in [
        "/api/v1/market/share".to_owned(),
        "/api/v1/market/concentration".to_owned(),
        format!(
            "/api/v1/market/merger-simulation?acquirer={}&target={}",
            a.organisation_id, b.organisation_id
        ),
    ] {
        assert_problem(app.get(&path, &a.token).await, StatusCode::FORBIDDEN).await;
        let response = app.get(&path, &market.lead.token).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{path}: {}",
            json_body(response).await
        );
    }
    let problem = assert_problem(
        app.get("/api/v1/market/merger-simulation", &regulator.token)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&problem), vec!["/acquirer", "/target"]);
}

#[tokio::test]
async fn every_market_figure_asks_for_a_sign_in_before_it_reads_its_filters() {
    let app = TestApp::spawn().await;
    let regulator = app.user("regulator").await;
    for path in [
        "/api/v1/market/share",
        "/api/v1/market/concentration",
        "/api/v1/market/merger-simulation",
        "/api/v1/market/competition",
        "/api/v1/market/prices",
    ] {
        let unreadable = format!("{path}?from=not-a-date");
        let stranger = app
            .send(reqwest::Method::GET, &unreadable, None, None)
            .await;
        assert_problem(stranger, StatusCode::UNAUTHORIZED).await;
        let problem = assert_problem(
            app.get(&unreadable, &regulator.token).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(pointers(&problem), vec!["/from"], "{path}: {problem}");
    }
}

#[tokio::test]
async fn competition_indicators_and_price_benchmarks_are_as_counted_by_hand() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let [a, b] = [
        app.user("supplier_bidder").await,
        app.user("supplier_bidder").await,
    ];
    let changes = json!({"category": "hr", "standstill_days": 0});
    // Two bids, one bid, cancelled, no bid.
    let two = app.published_tender(&lead, 3.0, changes.clone()).await;
    let one = app.published_tender(&lead, 3.0, changes.clone()).await;
    let cancelled = app.published_tender(&lead, 60.0, changes.clone()).await;
    let none = app.published_tender(&lead, 3.0, changes).await;
    let top = app.accepted_bid(&a, &two, 16_000_000).await;
    let second = app.accepted_bid(&b, &two, 22_000_000).await;
    app.accepted_bid(&a, &one, 21_000_000).await;
    success(
        app.post(
            &format!("/api/v1/tenders/{}/cancel", id_of(&cancelled)),
            &lead.token,
            json!({"reason": "Requirement withdrawn."}),
        )
        .await,
    )
    .await;
    // Offers in force today: day rates of £500, £600 and £900.
    for (supplier, price) in [(&a, 50_000), (&b, 60_000), (&a, 90_000)] {
        app.published_offer(
            supplier,
            json!({"category": "hr", "unit_price_pence": price}),
        )
        .await;
    }
    wait_until(none["submission_deadline"].as_str().unwrap()).await;
    success(app.declare(&lead, &two, false).await).await;
    app.score_all(&lead, &two, &id_of(&top), &[80, 80]).await;
    app.score_all(&lead, &two, &id_of(&second), &[60, 60]).await;
    success(app.award(&lead, &two, &id_of(&top), None).await).await;
    success(
        app.post(
            &format!("/api/v1/tenders/{}/contract", id_of(&two)),
            &lead.token,
            json!({"start_date": "2031-01-01"}),
        )
        .await,
    )
    .await;

    let regulator = app.user("regulator").await;
    let figures = success(
        app.get("/api/v1/market/competition?category=hr", &regulator.token)
            .await,
    )
    .await;
    assert_eq!(figures["tenders_published"], 4);
    assert_eq!(figures["tenders_closed"], 3);
    // Bids on the closed tenders: 2, 1, 0 — mean 1, median 1.
    assert_eq!(figures["mean_bids_per_tender"], json!(1.0));
    assert_eq!(figures["median_bids_per_tender"], 1);
    // One of the two closed with bids had a single bid: 50%, red.
    assert_eq!(figures["single_bid_rate_percent"], json!(50.0));
    assert_eq!(figures["single_bid_band"], "red");
    assert_eq!(figures["cancelled_rate_percent"], json!(25.0));
    assert_eq!(figures["unsuccessful_rate_percent"], json!(25.0));
    assert_eq!(figures["short_period_rate_percent"], json!(100.0));
    assert_eq!(figures["awards"], 1);
    assert_eq!(figures["awarded_other_than_top_percent"], json!(0.0));
    let nothing = success(
        app.get(
            "/api/v1/market/competition?category=finance",
            &regulator.token,
        )
        .await,
    )
    .await;
    assert_eq!(nothing["tenders_published"], 0);
    assert!(nothing["single_bid_rate_percent"].is_null());
    assert_eq!(nothing["single_bid_band"], "not_applicable");

    let prices = success(
        app.get("/api/v1/market/prices?category=hr", &regulator.token)
            .await,
    )
    .await;
    let spread = &prices["offers"][0];
    assert_eq!(spread["pricing_unit"], "day_rate");
    assert_eq!(
        (
            spread["offers"].clone(),
            spread["min_pence"].clone(),
            spread["median_pence"].clone(),
            spread["p90_pence"].clone()
        ),
        (json!(3), json!(50_000), json!(60_000), json!(90_000))
    );
    // Estimated £200,000, awarded £160,000: a 20% saving.
    assert_eq!(prices["awards"][0]["mean_saving_percent"], json!(20.0));
    // Before any offer was published there were none.
    let before = success(
        app.get(
            "/api/v1/market/prices?category=hr&at=2020-01-01",
            &regulator.token,
        )
        .await,
    )
    .await;
    assert_eq!(before["offers"], json!([]));
}
