//! The OCDS export validates offline against the OCDS 1.1.5 release package schema, and leaks
//! nothing sealed: before the deadline no bid information at all.

use e2e::{Competition, TestApp, assert_problem, id_of, success};
use reqwest::StatusCode;
use serde_json::{Value, json};
use server::demo::DEMO_PASSWORD;

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
    let validator = jsonschema::draft4::new(&schema).expect("schema");
    let errors: Vec<String> = validator
        .iter_errors(package)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{package:#}");
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
async fn every_demo_tender_exports_as_valid_ocds_with_nhs_identifiers() {
    let app = TestApp::spawn_demo().await;
    let regulator = app
        .login("regulator@england.nhs.example", DEMO_PASSWORD)
        .await;
    let package = success(
        app.get("/api/v1/ocds/releases?per_page=100", &regulator)
            .await,
    )
    .await;
    assert_valid_package(&package);
    let releases = package["releases"].as_array().cloned().unwrap();
    assert_eq!(releases.len(), 23, "every tender but the draft");
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
                    assert_eq!(party["id"], json!(format!("GB-NHS-{code}")), "{party}");
                    assert_eq!(party["identifier"]["scheme"], "GB-NHS");
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
    // A supplier's package holds only what it may see.
    let necsu = app.login("bids@necsu.nhs.example", DEMO_PASSWORD).await;
    let own = success(app.get("/api/v1/ocds/releases?per_page=100", &necsu).await).await;
    assert_valid_package(&own);
    let seen = own["releases"].as_array().map_or(0, Vec::len);
    assert!(
        seen < releases.len(),
        "the invited tender is not NECSU's to see"
    );
}
