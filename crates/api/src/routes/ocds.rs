//! Open Contracting Data Standard (OCDS 1.1) export: a release package for one published tender,
//! and a paginated package of all the tenders the caller may see. Nothing sealed leaks: before
//! the submission deadline there is no bid information at all; the number of bids follows the
//! deadline, and the tenderers' names the award.

use crate::auth::AuthUser;
use crate::error::{ApiError, BadRequest, NotFound, Unauthorized, ValidationFailed};
use crate::extract::{PathParams, QueryParams};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use domain::calendar::uk_date;
use domain::error::Validator;
use domain::ids::{OrganisationId, TenderId};
use domain::pagination::PageRequest;
use domain::tender::{Procedure, TenderStatus};
use persistence::awards::AwardStatus;
use persistence::tenders::{Tender, TenderAudience, TenderFilter};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use service::tenders::visible;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The OCID prefix of this marketplace's releases.
const OCID_PREFIX: &str = "ocds-csmkt1";
/// The OCDS bid statistics extension, whose `bids` object the releases use.
const BID_EXTENSION: &str = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json";

/// An OCDS 1.1 release package (see https://standard.open-contracting.org/1.1/en/schema/).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsPackage {
    /// This package's address.
    pub uri: String,
    /// The OCDS version: `1.1`.
    pub version: String,
    /// The extensions used: the bid statistics extension.
    pub extensions: Vec<String>,
    /// When the package was generated.
    pub published_date: DateTime<Utc>,
    /// Who publishes it.
    #[schema(value_type = Object)]
    pub publisher: Value,
    /// The data's licence.
    pub license: String,
    /// One release per tender, valid against the OCDS 1.1 release schema.
    #[schema(value_type = Vec<Object>)]
    pub releases: Vec<Value>,
}

fn pounds(pence: i64) -> Value {
    // Money in OCDS is a decimal amount with its currency.
    #[allow(clippy::cast_precision_loss)]
    let amount = pence as f64 / 100.0;
    json!({"amount": amount, "currency": "GBP"})
}

fn party_id(ods_code: Option<&str>, id: OrganisationId) -> String {
    match ods_code {
        Some(code) => format!("GB-NHS-{code}"),
        None => format!("GB-CSMKT-{id}"),
    }
}

/// The release describing `tender` now.
async fn release<C: ConnectionTrait>(
    conn: &C,
    tender: &Tender,
    status: TenderStatus,
    now: DateTime<Utc>,
) -> Result<Value, ApiError> {
    let opened = !matches!(status, TenderStatus::Draft | TenderStatus::Published);
    let awarded = matches!(status, TenderStatus::Standstill | TenderStatus::Awarded);
    let live = if opened {
        persistence::bids::list(conn, tender.id, persistence::bids::BidSelection::Live).await?
    } else {
        Vec::new()
    };
    let award_history = persistence::awards::history(conn, tender.id).await?;
    // Every party in one query: the buyer, the tenderers (after award), the awardees.
    let mut ids = vec![tender.buyer_id];
    if awarded {
        ids.extend(live.iter().map(|b| b.supplier_id));
    }
    ids.extend(award_history.iter().map(|a| a.supplier_id));
    let organisations = persistence::organisations::many(conn, &ids).await?;
    let organisation = |id: OrganisationId| {
        organisations
            .get(&id)
            .ok_or_else(|| ApiError::Internal(format!("organisation {id} vanished").into()))
    };
    let buyer = organisation(tender.buyer_id)?;
    let mut parties: BTreeMap<OrganisationId, (Value, Vec<&str>)> = BTreeMap::new();
    let party = |o: &domain::organisation::Organisation| {
        let id = party_id(o.ods_code.as_deref(), o.id);
        let mut p = json!({"id": id, "name": o.name});
        if let Some(code) = &o.ods_code {
            p["identifier"] = json!({"scheme": "GB-NHS", "id": code, "legalName": o.name});
        }
        p
    };
    parties.insert(buyer.id, (party(buyer), vec!["buyer", "procuringEntity"]));

    let evaluable = live
        .iter()
        .filter(|b| b.status == domain::bid::BidStatus::Submitted)
        .count();
    let mut tenderers = Vec::new();
    if awarded {
        for bid in &live {
            let supplier = organisation(bid.supplier_id)?;
            tenderers.push(json!({"id": party_id(supplier.ods_code.as_deref(), supplier.id), "name": supplier.name}));
            parties
                .entry(supplier.id)
                .or_insert_with(|| (party(supplier), Vec::new()))
                .1
                .push("tenderer");
        }
    }
    let tender_status = match status {
        TenderStatus::Draft => "planning",
        TenderStatus::Published | TenderStatus::Evaluation | TenderStatus::Standstill => "active",
        TenderStatus::Awarded => "complete",
        TenderStatus::Cancelled => "cancelled",
        TenderStatus::Unsuccessful => "unsuccessful",
    };
    let mut tender_json = json!({
        "id": tender.id,
        "title": tender.title,
        "description": tender.description,
        "status": tender_status,
        "value": pounds(tender.estimated_value_pence),
        "procurementMethod": match tender.procedure { Procedure::Open => "open", Procedure::Invited => "selective" },
        "procurementMethodDetails": match tender.procedure { Procedure::Open => "Open competition", Procedure::Invited => "Invited competition" },
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": tender.criteria.iter().map(|c| format!("{} ({}%)", c.name, c.weight)).collect::<Vec<_>>().join("; "),
        "enquiryPeriod": {"endDate": tender.clarification_deadline},
        "tenderPeriod": {"endDate": tender.submission_deadline},
        "contractPeriod": {"durationInDays": i64::from(tender.contract_term_months) * 365 / 12},
        "items": [{
            "id": "1",
            "description": tender.title,
            "classification": {"scheme": "x_CSMKT", "id": tender.category, "description": tender.category},
        }],
    });
    if let Some(published) = tender.published_at {
        tender_json["tenderPeriod"]["startDate"] = json!(published);
        tender_json["enquiryPeriod"]["startDate"] = json!(published);
    }
    if opened {
        tender_json["numberOfTenderers"] = json!(live.len());
    }
    if awarded {
        tender_json["tenderers"] = json!(tenderers);
    }

    let mut tags = vec!["tender"];
    if !persistence::tenders::amendments(conn, tender.id)
        .await?
        .is_empty()
    {
        tags.push("tenderAmendment");
    }
    if status == TenderStatus::Cancelled {
        tags.push("tenderCancellation");
    }
    let mut awards = Vec::new();
    let mut contracts = Vec::new();
    for award in award_history {
        let price = live
            .iter()
            .find(|b| b.id == award.bid_id)
            .map_or(0, |b| b.price_pence);
        let supplier = organisation(award.supplier_id)?;
        parties
            .entry(supplier.id)
            .or_insert_with(|| (party(supplier), Vec::new()))
            .1
            .push("supplier");
        awards.push(json!({
            "id": award.id,
            "title": tender.title,
            "status": match award.status {
                AwardStatus::Standstill => "pending",
                AwardStatus::Contracted => "active",
                AwardStatus::Cancelled => "cancelled",
            },
            "date": award.awarded_at,
            "value": pounds(price),
            "suppliers": [{"id": party_id(supplier.ods_code.as_deref(), supplier.id), "name": supplier.name}],
        }));
        if !tags.contains(&"award") {
            tags.push("award");
        }
    }
    if let Some(contract) = persistence::contracts::of_tender(conn, tender.id, uk_date(now)).await?
    {
        contracts.push(json!({
            "id": contract.id,
            "awardID": contract.award_id,
            "title": contract.title,
            "status": match contract.status {
                domain::contract::ContractStatus::Terminated => "terminated",
                _ => "active",
            },
            "period": {"startDate": contract.start_date.and_time(chrono::NaiveTime::MIN).and_utc(), "endDate": contract.end_date.and_time(chrono::NaiveTime::MIN).and_utc()},
            "value": pounds(contract.total_value_pence),
            "dateSigned": contract.created_at,
        }));
        tags.push("contract");
    }
    let mut release = json!({
        "ocid": format!("{OCID_PREFIX}-{}", tender.id),
        "id": format!("{}-{}", tender.id, tender.version),
        "date": tender.updated_at,
        "tag": tags,
        "initiationType": "tender",
        "language": "en",
        "buyer": {"id": party_id(buyer.ods_code.as_deref(), buyer.id), "name": buyer.name},
        "tender": tender_json,
        "parties": parties.into_values().map(|(mut p, roles)| { p["roles"] = json!(roles); p }).collect::<Vec<_>>(),
    });
    if opened {
        release["bids"] = json!({"statistics": [
            {"id": "1", "measure": "bids", "value": live.len()},
            {"id": "2", "measure": "validBids", "value": evaluable},
        ]});
    }
    if !awards.is_empty() {
        release["awards"] = json!(awards);
    }
    if !contracts.is_empty() {
        release["contracts"] = json!(contracts);
    }
    Ok(release)
}

/// The address the client reached the service at, for the package's absolute `uri`.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    format!("{scheme}://{host}")
}

fn package(uri: String, releases: Vec<Value>, now: DateTime<Utc>) -> OcdsPackage {
    OcdsPackage {
        uri,
        version: "1.1".to_owned(),
        extensions: vec![BID_EXTENSION.to_owned()],
        published_date: now,
        publisher: json!({"name": "Commissioning Support Marketplace"}),
        license: "http://opendatacommons.org/licenses/pddl/1.0/".to_owned(),
        releases,
    }
}

/// The tender as an OCDS 1.1 release package, for anyone who may see the published tender.
#[utoipa::path(
    get,
    path = "/tenders/{id}/ocds",
    tag = "market",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "An OCDS release package with one release.", body = OcdsPackage),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get_tender_ocds(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<OcdsPackage>, ApiError> {
    let conn = state.db.conn();
    let now = state.db.now().await?;
    let (tender, status) = visible(conn, &actor, TenderId::from_uuid(id), now).await?;
    if status == TenderStatus::Draft {
        return Err(domain::DomainError::NotFound("tender").into());
    }
    let release = release(conn, &tender, status, now).await?;
    Ok(Json(package(
        format!("{}/api/v1/tenders/{id}/ocds", base_url(&headers)),
        vec![release],
        now,
    )))
}

/// Paging for the release list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OcdsQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u64>,
}

/// One page of releases, a release per published tender the signed-in user may see (the
/// regulator and admins: all), in one OCDS release package.
#[utoipa::path(
    get,
    path = "/ocds/releases",
    tag = "market",
    security(("bearer" = [])),
    params(OcdsQuery),
    responses(
        (status = 200, description = "An OCDS release package.", body = OcdsPackage),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn list_ocds_releases(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    QueryParams(query): QueryParams<OcdsQuery>,
) -> Result<Json<OcdsPackage>, ApiError> {
    let mut v = Validator::new();
    let page = v.check(PageRequest::new(query.page, query.per_page));
    v.finish()?;
    let page = page.unwrap_or_default();
    let conn = state.db.conn();
    let now = state.db.now().await?;
    let found = persistence::tenders::list(
        conn,
        TenderAudience::of(&actor),
        &TenderFilter {
            published_only: true,
            ..TenderFilter::default()
        },
        now,
        page,
    )
    .await?;
    let mut releases = Vec::with_capacity(found.items.len());
    for listing in found.items {
        let (tender, status) = visible(conn, &actor, listing.id, now).await?;
        releases.push(release(conn, &tender, status, now).await?);
    }
    Ok(Json(package(
        format!(
            "{}/api/v1/ocds/releases?page={}&per_page={}",
            base_url(&headers),
            page.page(),
            page.per_page()
        ),
        releases,
        now,
    )))
}
