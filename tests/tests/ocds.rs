//! The OCDS export validates offline against the OCDS 1.1.5 release package schema, and leaks
//! nothing sealed: before the deadline no bid information at all.

use e2e::{
    Competition, TestApp, assert_problem, assert_valid_uk_package, id_of, json_body, success,
};
use reqwest::Method;
use reqwest::StatusCode;
use serde_json::{Value, json};

const SCHEMAS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/ocds");

fn read_schema(name: &str) -> Value {
    let path = format!("{SCHEMAS}/{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Validates against the release package schema, its releases against the release schema
/// (inlined, dereferenced, so that nothing is fetched from the network).
fn assert_valid_package(package: &Value) {
    let mut schema = read_schema("release-package-schema.json");
    schema["properties"]["releases"]["items"] = read_schema("dereferenced-release-schema.json");
    e2e::assert_valid_against(&schema, package);
}

#[tokio::test]
async fn a_tender_exports_as_valid_ocds_with_no_bid_information_before_the_deadline() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let supplier = app.user("supplier_bidder").await;
    let open = app.published_tender(&lead, 3600.0, json!({})).await;
    app.accepted_bid(&supplier, &open, 20_000_000).await;
    let path = format!("/api/v1/tenders/{}/ocds", id_of(&open));
    let package = success(app.get(&path, &supplier.token).await).await;
    assert_valid_package(&package);
    let release = &package["releases"][0];
    assert_eq!(release["tender"]["status"], "active");
    assert_eq!(release["tag"], json!(["tender"]));
    for sealed in ["bids", "awards", "contracts"] {
        assert!(release.get(sealed).is_none(), "{sealed}: {release}");
    }
    assert!(release["tender"].get("numberOfTenderers").is_none());
    assert!(!package.to_string().contains(&supplier.organisation_id));
    // A draft is nobody's to export; another buyer's invited tender is invisible.
    let draft = app.draft_tender(&lead, 3600.0, json!({})).await;
    assert_problem(
        app.get(
            &format!("/api/v1/tenders/{}/ocds", id_of(&draft)),
            &lead.token,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let invited = app
        .published_tender(
            &lead,
            3600.0,
            json!({"procedure": "invited", "invited_supplier_ids": [supplier.organisation_id]}),
        )
        .await;
    let outsider = app.user("supplier_bidder").await;
    assert_problem(
        app.get(
            &format!("/api/v1/tenders/{}/ocds", id_of(&invited)),
            &outsider.token,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn an_awarded_tender_exports_its_bids_award_and_contract() {
    let app = TestApp::spawn().await;
    let c = Competition::run(
        &app,
        &[20_000_000, 22_000_000],
        json!({"standstill_days": 0}),
    )
    .await;
    c.score_everything(&app, &[70, 70]).await;
    success(app.award(&c.lead, &c.tender, &c.bids[0], None).await).await;
    success(
        app.post(
            &c.path("/contract"),
            &c.lead.token,
            json!({"start_date": "2031-01-01"}),
        )
        .await,
    )
    .await;
    let regulator = app.user("regulator").await;
    let package = success(app.get(&c.path("/ocds"), &regulator.token).await).await;
    assert_valid_package(&package);
    let release = &package["releases"][0];
    assert_eq!(release["tender"]["status"], "complete");
    assert_eq!(release["tender"]["numberOfTenderers"], 2);
    assert_eq!(release["bids"]["statistics"][0]["value"], 2);
    assert_eq!(release["awards"][0]["status"], "active");
    assert_eq!(release["awards"][0]["value"]["amount"], json!(200_000.0));
    assert_eq!(
        release["contracts"][0]["awardID"],
        release["awards"][0]["id"]
    );
    let roles: Vec<Value> = release["parties"]
        .as_array()
        .map(|p| p.iter().map(|p| p["roles"].clone()).collect())
        .unwrap();
    assert!(
        roles.contains(&json!(["buyer", "procuringEntity"])),
        "{roles:?}"
    );
    assert!(
        roles.contains(&json!(["tenderer", "supplier"])),
        "{roles:?}"
    );
    assert!(roles.contains(&json!(["tenderer"])), "{roles:?}");
}

#[tokio::test]
async fn every_demo_release_is_published_openly_as_valid_uk_ocds_with_nhs_identifiers() {
    let app = TestApp::spawn_demo().await;
    let package = success(public(&app, "/api/v1/ocds/releases?per_page=100").await).await;
    assert_valid_uk_package(&package);
    let releases = package["releases"].as_array().cloned().unwrap();
    let notices = success(public(&app, "/api/v1/notices?per_page=1").await).await;
    assert_eq!(
        releases.len() as u64,
        notices["total"].as_u64().unwrap(),
        "one release per notice"
    );
    let contracted = releases
        .iter()
        .find(|r| r.get("contracts").is_some())
        .cloned()
        .unwrap();
    // Parties with an ODS code are identified by it (GB-NHS); the buyer always has one.
    for release in &releases {
        for party in release["parties"].as_array().into_iter().flatten() {
            match party["identifier"]["id"].as_str() {
                Some(code) => {
                    let scheme = party["identifier"]["scheme"].as_str().unwrap();
                    assert_eq!(party["id"], json!(format!("{scheme}-{code}")), "{party}");
                }
                None => assert!(
                    !party["roles"]
                        .as_array()
                        .is_some_and(|r| r.contains(&json!("buyer"))),
                    "a buyer without an ODS code: {party}"
                ),
            }
        }
    }
    assert!(
        contracted["buyer"]["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("GB-NHS-"))
    );
}

/// A public read: no token at all.
async fn public(app: &TestApp, path: &str) -> reqwest::Response {
    app.send(Method::GET, path, None, None).await
}

#[tokio::test]
async fn the_release_feed_holds_every_release_in_the_order_published_and_pages_link_onwards() {
    let app = TestApp::spawn().await;
    let (c, contract) = e2e::contracted(&app, &[11_100_000, 12_200_000]).await;
    let first = public(&app, "/api/v1/ocds/releases?per_page=2").await;
    assert_eq!(first.status(), StatusCode::OK);
    let link = first.headers()["link"].to_str().unwrap().to_owned();
    assert!(
        link.contains("page=2") && link.contains("rel=\"next\""),
        "{link}"
    );
    let page = json_body(first).await;
    assert_valid_uk_package(&page);
    assert!(
        page["links"]["next"]
            .as_str()
            .unwrap()
            .ends_with("/api/v1/ocds/releases?page=2&per_page=2"),
        "{page}"
    );
    assert!(page["links"].get("prev").is_none());
    // Every release of the procurement, not only its latest: tender, award, contract.
    let all = success(public(&app, "/api/v1/ocds/releases?per_page=100").await).await;
    let tags: Vec<Value> = all["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["tag"][0].clone())
        .collect();
    assert_eq!(tags, [json!("tender"), json!("award"), json!("contract")]);
    let second = success(public(&app, "/api/v1/ocds/releases?page=2&per_page=2").await).await;
    assert_eq!(second["releases"][0], all["releases"][2]);
    assert!(second["links"]["prev"].is_string());
    // The same ocid throughout, under the marketplace's prefix.
    let ocid = format!("ocds-csmkt1-{}", id_of(&c.tender));
    for release in all["releases"].as_array().unwrap() {
        assert_eq!(release["ocid"], json!(ocid));
    }
    assert_eq!(all["releases"][2]["contracts"][0]["id"], contract["id"]);
    assert_problem(
        public(&app, "/api/v1/ocds/releases?per_page=0").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

#[tokio::test]
async fn a_record_compiles_every_release_of_the_procurement_into_its_latest_state() {
    let app = TestApp::spawn().await;
    let (c, contract) = e2e::contracted(&app, &[11_100_000, 12_200_000]).await;
    let ocid = format!("ocds-csmkt1-{}", id_of(&c.tender));
    let package = success(public(&app, &format!("/api/v1/ocds/records/{ocid}")).await).await;
    let record = &package["records"][0];
    assert_eq!(record["ocid"], json!(ocid));
    let releases = record["releases"].as_array().unwrap();
    assert_eq!(releases.len(), 3);
    // Each release, and the compiled release, is valid in the UK profile.
    let mut as_releases = package.clone();
    as_releases.as_object_mut().unwrap().remove("records");
    as_releases["releases"] = json!(releases);
    assert_valid_uk_package(&as_releases);
    let compiled = &record["compiledRelease"];
    as_releases["releases"] = json!([compiled]);
    assert_valid_uk_package(&as_releases);
    // The compiled release is the latest state: the award active, the contract signed, every
    // notice's document listed, and the tender as the last release left it.
    let latest = releases.last().unwrap();
    assert_eq!(compiled["tag"], json!(["compiled"]));
    assert_eq!(compiled["date"], latest["date"]);
    assert_eq!(compiled["awards"], latest["awards"]);
    assert_eq!(compiled["contracts"], latest["contracts"]);
    assert_eq!(compiled["contracts"][0]["id"], contract["id"]);
    assert_eq!(compiled["tender"]["status"], latest["tender"]["status"]);
    // The same parties: merged by id, in the order first published.
    let by_id = |release: &Value| {
        let mut parties = release["parties"].as_array().unwrap().clone();
        parties.sort_by_key(|p| p["id"].as_str().unwrap().to_owned());
        parties
    };
    assert_eq!(by_id(compiled), by_id(latest));
    let documents: Vec<Value> = compiled["tender"]["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["noticeType"].clone())
        .collect();
    assert_eq!(documents, [json!("UK4"), json!("UK6"), json!("UK7")]);
    // Any other ocid has no record.
    for unknown in [
        format!("ocds-csmkt1-{}", uuid::Uuid::new_v4()),
        format!("ocds-zzzzzz-{}", id_of(&c.tender)),
        "not-an-ocid".to_owned(),
    ] {
        assert_problem(
            public(&app, &format!("/api/v1/ocds/records/{unknown}")).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
}

#[tokio::test]
async fn the_ocid_prefix_is_configuration() {
    let app =
        TestApp::spawn_configured(|config| config.ocid_prefix = "ocds-abc123".to_owned()).await;
    let (c, _) = e2e::contracted(&app, &[11_100_000]).await;
    let all = success(public(&app, "/api/v1/ocds/releases").await).await;
    let ocid = format!("ocds-abc123-{}", id_of(&c.tender));
    assert_eq!(all["releases"][0]["ocid"], json!(ocid));
    let tender_package = success(app.get(&c.path("/ocds"), &c.lead.token).await).await;
    assert_eq!(tender_package["releases"][0]["ocid"], json!(ocid));
    success(public(&app, &format!("/api/v1/ocds/records/{ocid}")).await).await;
    assert!(service::ocid_prefix("ocds-abc12").is_err());
    assert!(service::ocid_prefix("ocds-ABC123").is_err());
}

#[tokio::test]
async fn a_planning_notice_is_a_contracting_process_of_its_own_with_its_record() {
    let app = TestApp::spawn().await;
    let lead = app.user("buyer_lead").await;
    let planned = success(
        app.post(
            "/api/v1/notices",
            &lead.token,
            json!({"notice_type": "UK3", "title": "Planned: finance support",
                   "description": "Transactional finance for two years.", "category": "finance",
                   "region": "east_of_england", "estimated_value_pence": 30_000_000,
                   "expected_tender_notice_date": "2031-06-01"}),
        )
        .await,
    )
    .await;
    let ocid = format!("ocds-csmkt1-{}", id_of(&planned));
    let package = success(public(&app, &format!("/api/v1/ocds/records/{ocid}")).await).await;
    let record = &package["records"][0];
    assert_eq!(record["releases"].as_array().map(Vec::len), Some(1));
    assert_eq!(record["releases"][0]["ocid"], json!(ocid));
    assert_eq!(record["compiledRelease"]["tender"]["status"], "planning");
    let mut as_releases = package.clone();
    as_releases.as_object_mut().unwrap().remove("records");
    as_releases["releases"] = json!([record["compiledRelease"].clone()]);
    assert_valid_uk_package(&as_releases);
}
