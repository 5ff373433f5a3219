//! Open Contracting Data Standard (OCDS 1.1) releases: one per published tender, built from what
//! the viewer may see. Nothing sealed leaks: before the submission deadline there is no bid
//! information at all; the number of bids follows the deadline, and the tenderers' names the
//! award.

use crate::tenders::visible_now;
use crate::{Ctx, ServiceError};
use chrono::{DateTime, Utc};
use domain::DomainError;
use domain::access::Actor;
use domain::calendar::uk_date;
use domain::ids::{NoticeId, OrganisationId, TenderId};
use domain::notice::{BuyerNotice, NoticeType};
use domain::organisation::Organisation;
use domain::pagination::PageRequest;
use domain::tender::{Procedure, TenderStatus};
use persistence::awards::AwardStatus;
use persistence::tenders::Tender;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::collections::BTreeMap;

mod merge;
mod records;

pub use merge::compile;
pub use records::*;

/// The ocid of a contracting process: the configured prefix and the process's own id (a
/// tender's, or a planning notice's).
pub fn ocid(prefix: &str, process: &str) -> String {
    format!("{prefix}-{process}")
}

/// The release as published under the configured OCID prefix. Releases are stored with their
/// process's id as the ocid (older ones with a prefix before it): the prefix is the publisher's,
/// registered with the Open Contracting Partnership, and applies to the whole history alike.
pub(crate) fn presented(ctx: &Ctx, mut release: Value) -> Value {
    let stored = release["ocid"].as_str().unwrap_or_default();
    // A process id is a UUID: the last 36 characters of whatever was stored.
    if let Some(process) = stored
        .get(stored.len().saturating_sub(36)..)
        .map(str::to_owned)
    {
        release["ocid"] = json!(ocid(&ctx.config().ocid_prefix, &process));
    }
    // Documents are stored with the path they are downloaded at; the address is the
    // deployment's, like the prefix.
    if let Some(documents) = release
        .get_mut("tender")
        .and_then(|t| t.get_mut("documents"))
        .and_then(Value::as_array_mut)
    {
        for document in documents {
            if let Some(path) = document["url"].as_str().filter(|u| u.starts_with('/')) {
                document["url"] = json!(format!("{}{path}", ctx.links()));
            }
        }
    }
    release
}

/// The path a published tender document is downloaded at, without a token.
pub fn document_path(id: domain::ids::DocumentId) -> String {
    format!("/api/v1/documents/{id}/content")
}

/// The tender's current documents (no superseded version), once it is published: each with
/// the path it is downloaded at (made an address when presented).
async fn tender_documents<C: ConnectionTrait>(
    conn: &C,
    tender: &Tender,
) -> Result<Vec<Value>, ServiceError> {
    let published = tender.published_at.unwrap_or(tender.created_at);
    Ok(persistence::documents::list(conn, tender.id)
        .await?
        .into_iter()
        .filter(|d| d.superseded_at.is_none())
        .map(|d| {
            let mut entry = json!({
                "id": d.id,
                "documentType": d.document_type.as_str(),
                "title": d.title,
                "url": document_path(d.id),
                "datePublished": published.max(d.uploaded_at),
                "format": d.file.kind.media_type(),
                "language": "en",
            });
            if d.version > 1 {
                entry["dateModified"] = json!(d.uploaded_at);
                entry["description"] = json!(format!("Version {}", d.version));
            }
            entry
        })
        .collect())
}
/// The extensions a package declares: the UK (Find a Tender) profile, which is the Cabinet
/// Office's UK extension and every extension it builds on, lots and submission terms first, in
/// the order they apply (OCDS tools apply only the listed ones, and do not follow dependencies).
pub const EXTENSIONS: [&str; 12] = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_submissionTerms_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_awardCriteria_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_communication_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_location_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_otherRequirements_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_performance_failures_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_subcontracting_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_suitability_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_techniques_extension/master/extension.json",
    "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json",
];

/// Who publishes the packages, and under which licence.
pub const PUBLISHER: &str = "Commissioning Support Marketplace";
pub const LICENSE: &str = "http://opendatacommons.org/licenses/pddl/1.0/";

fn pounds(pence: i64) -> Value {
    // Money in OCDS is a decimal amount with its currency.
    #[allow(clippy::cast_precision_loss)]
    let amount = pence as f64 / 100.0;
    json!({"amount": amount, "currency": "GBP"})
}

/// A party's id in a release: its main register entry (`GB-COH-01234567`), or for an
/// organisation on no register our own id for it, which is not presented as an identifier.
fn party_id(o: &Organisation) -> String {
    match o.main_identifier() {
        Some(main) => format!("{}-{}", main.scheme, main.id),
        None => o.id.to_string(),
    }
}

/// A reference to a party: its id and name.
fn party_ref(o: &Organisation) -> Value {
    json!({"id": party_id(o), "name": o.name})
}

/// A party as the release lists it: its main identifier, the others as additional ones, and
/// no identifier at all when it is on no register.
fn party(o: &Organisation) -> Value {
    let mut p = party_ref(o);
    if let Some(main) = o.main_identifier() {
        p["identifier"] =
            json!({"scheme": main.scheme.as_str(), "id": main.id, "legalName": o.name});
        let others: Vec<Value> = o
            .identifiers
            .iter()
            .filter(|i| *i != main)
            .map(|i| json!({"scheme": i.scheme.as_str(), "id": i.id}))
            .collect();
        if !others.is_empty() {
            p["additionalIdentifiers"] = json!(others);
        }
    }
    p
}

/// The release describing `tender` now. A `public` release (a notice's) never names a tenderer
/// that was not awarded: only the number of tenders.
async fn release<C: ConnectionTrait>(
    conn: &C,
    tender: &Tender,
    status: TenderStatus,
    now: DateTime<Utc>,
    public: bool,
) -> Result<Value, ServiceError> {
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
    if awarded && !public {
        ids.extend(live.iter().map(|b| b.supplier_id));
    }
    ids.extend(award_history.iter().map(|a| a.decision.supplier_id));
    ids.extend(tender.direct_award.as_ref().map(|d| d.supplier_id));
    let organisations = persistence::organisations::many(conn, &ids).await?;
    let organisation = |id: OrganisationId| {
        organisations
            .get(&id)
            .ok_or_else(|| ServiceError::Internal(format!("organisation {id} vanished").into()))
    };
    let buyer = organisation(tender.buyer_id)?;
    let mut parties: BTreeMap<OrganisationId, (Value, Vec<&str>)> = BTreeMap::new();
    parties.insert(buyer.id, (party(buyer), vec!["buyer", "procuringEntity"]));

    let evaluable = live
        .iter()
        .filter(|b| b.status == domain::bid::BidStatus::Submitted)
        .count();
    let mut tenderers = Vec::new();
    if awarded && !public {
        // A supplier bidding on several lots is one tenderer.
        let mut bidders: Vec<OrganisationId> = Vec::new();
        for bid in &live {
            if !bidders.contains(&bid.supplier_id) {
                bidders.push(bid.supplier_id);
            }
        }
        for bidder in bidders {
            let supplier = organisation(bidder)?;
            tenderers.push(party_ref(supplier));
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
        "procurementMethod": match tender.procedure {
            Procedure::Open => "open",
            Procedure::CompetitiveFlexible | Procedure::Invited => "selective",
            Procedure::DirectAward => "direct",
        },
        "procurementMethodDetails": match tender.procedure {
            Procedure::Open => "Open procedure".to_owned(),
            Procedure::CompetitiveFlexible => "Competitive flexible procedure".to_owned(),
            Procedure::DirectAward => format!(
                "Direct award (Schedule 5 paragraph {})",
                tender.direct_award.as_ref().map_or(0, |d| d.ground.paragraph())
            ),
            Procedure::Invited => "Invited competition".to_owned(),
        },
        "mainProcurementCategory": "services",
        "procuringEntity": party_ref(buyer),
        "aboveThreshold": tender.above_threshold,
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": tender.criteria.iter().map(|c| format!("{} ({}%)", c.name, c.weight)).collect::<Vec<_>>().join("; "),
        "enquiryPeriod": {"endDate": tender.clarification_deadline},
        "tenderPeriod": {"endDate": tender.submission_deadline},
        "expressionOfInterestDeadline": tender.expression_of_interest_deadline,
        "eligibilityCriteria": tender.conditions_of_participation,
        "contractPeriod": {"durationInDays": i64::from(tender.contract_term_months) * 365 / 12},
        "items": [{
            "id": "1",
            "description": tender.title,
            "classification": {"scheme": "x_CSMKT", "id": tender.category, "description": tender.category},
        }],
    });
    if let Some(terms) = &tender.framework {
        tender_json["techniques"] = framework_agreement(terms);
    }
    if tender.is_divided() {
        lots(&mut tender_json, tender, status);
    } else if let Some(rationale) = &tender.no_lots_rationale {
        tender_json["lotDetails"] = json!({"noLotsDivisionRationale": rationale});
    }
    if let Some(published) = tender.published_at {
        tender_json["tenderPeriod"]["startDate"] = json!(published);
        tender_json["enquiryPeriod"]["startDate"] = json!(published);
    }
    if opened {
        tender_json["numberOfTenderers"] = json!(live.len());
    }
    if status != TenderStatus::Draft {
        let documents = tender_documents(conn, tender).await?;
        if !documents.is_empty() {
            tender_json["documents"] = json!(documents);
        }
    }
    if awarded && !public {
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
            .find(|b| b.id == award.decision.bid_id)
            .map_or(0, |b| b.price_pence);
        let supplier = organisation(award.decision.supplier_id)?;
        let roles = &mut parties
            .entry(supplier.id)
            .or_insert_with(|| (party(supplier), Vec::new()))
            .1;
        // A supplier awarded several lots (or again after a cancelled award) is one supplier.
        if !roles.contains(&"supplier") {
            roles.push("supplier");
        }
        let mut entry = json!({
            "id": award.id,
            "title": tender.title,
            "status": match award.status {
                AwardStatus::Standstill => "pending",
                AwardStatus::Contracted => "active",
                AwardStatus::Cancelled => "cancelled",
            },
            "date": award.decision.awarded_at,
            "value": pounds(price),
            "suppliers": [party_ref(supplier)],
            "aboveThreshold": tender.above_threshold,
            // The standstill begins with the contract award notice, published with the award.
            "standstillPeriod": {"startDate": award.decision.awarded_at, "endDate": award.decision.standstill_ends_at},
            "assessmentSummariesDateSent": award.decision.assessment_summaries_sent_at,
        });
        if let Some(lot) = award.decision.lot_id {
            entry["relatedLots"] = json!([lot]);
            entry["title"] = json!(tender.lot(lot).map_or_else(
                || tender.title.clone(),
                |l| format!("{}: {}", tender.title, l.title)
            ));
        }
        awards.push(entry);
        if !tags.contains(&"award") {
            tags.push("award");
        }
    }
    // A direct award's award is the tender's own decision, to the supplier it names.
    if let (Some(terms), true) = (
        &tender.direct_award,
        awarded || status == TenderStatus::Cancelled,
    ) {
        let supplier = organisation(terms.supplier_id)?;
        parties
            .entry(supplier.id)
            .or_insert_with(|| (party(supplier), Vec::new()))
            .1
            .push("supplier");
        awards.push(json!({
            "id": tender.id,
            "title": tender.title,
            "status": match status {
                TenderStatus::Standstill => "pending",
                TenderStatus::Awarded => "active",
                _ => "cancelled",
            },
            "date": tender.published_at,
            "value": pounds(tender.estimated_value_pence),
            "suppliers": [party_ref(supplier)],
            "aboveThreshold": tender.above_threshold,
            "standstillPeriod": {"startDate": tender.published_at, "endDate": tender.transparency_standstill_ends_at},
        }));
        tender_json["procurementMethodRationale"] = json!(terms.justification);
        if !tags.contains(&"award") {
            tags.push("award");
        }
    }
    for contract in persistence::contracts::of_tender(conn, tender.id, uk_date(now)).await? {
        contracts.push(json!({
            "id": contract.id,
            "awardID": contract.terms.award_id,
            "title": contract.terms.title,
            "status": match contract.status {
                // OCDS "terminated": once in force, now over, early or at the end of its term.
                domain::contract::ContractStatus::Terminated
                | domain::contract::ContractStatus::Ended => "terminated",
                _ => "active",
            },
            "period": {"startDate": contract.terms.start_date.and_time(chrono::NaiveTime::MIN).and_utc(), "endDate": contract.terms.end_date.and_time(chrono::NaiveTime::MIN).and_utc()},
            "value": pounds(contract.terms.total_value_pence),
            "dateSigned": contract.created_at,
            "aboveThreshold": tender.above_threshold,
        }));
        if !tags.contains(&"contract") {
            tags.push("contract");
        }
    }
    let mut release = json!({
        "ocid": tender.id,
        "id": format!("{}-{}", tender.id, tender.version),
        "date": tender.updated_at,
        "tag": tags,
        "initiationType": "tender",
        "language": "en",
        "buyer": party_ref(buyer),
        "tender": tender_json,
        "parties": parties.into_values().map(|(mut p, roles)| { p["roles"] = json!(roles); p }).collect::<Vec<_>>(),
    });
    if opened {
        let mut statistics = vec![
            json!({"id": "1", "measure": "bids", "value": live.len()}),
            json!({"id": "2", "measure": "validBids", "value": evaluable}),
        ];
        // A divided tender counts its bids per lot too.
        for lot in &tender.lots {
            let on_lot = || live.iter().filter(|b| b.lot_id == Some(lot.id));
            let valid = on_lot()
                .filter(|b| b.status == domain::bid::BidStatus::Submitted)
                .count();
            for (measure, value) in [("bids", on_lot().count()), ("validBids", valid)] {
                statistics.push(json!({
                    "id": (statistics.len() + 1).to_string(),
                    "measure": measure,
                    "value": value,
                    "relatedLot": lot.id,
                }));
            }
        }
        release["bids"] = json!({"statistics": statistics});
    }
    if !awards.is_empty() {
        release["awards"] = json!(awards);
    }
    if !contracts.is_empty() {
        release["contracts"] = json!(contracts);
    }
    Ok(release)
}

/// A framework tender's framework agreement (OCDS techniques extension): how many suppliers it
/// admits, how buyers call off, for how long, and who may.
fn framework_agreement(terms: &domain::framework::FrameworkTerms) -> Value {
    use domain::framework::{CallOffMethod, EligibleBuyers};
    let method = match (
        terms.allows(CallOffMethod::DirectAward),
        terms.allows(CallOffMethod::CompetitiveSelection),
    ) {
        (true, true) => "withAndWithoutReopeningCompetition",
        (true, false) => "withoutReopeningCompetition",
        _ => "withReopeningCompetition",
    };
    json!({
        "hasFrameworkAgreement": true,
        "frameworkAgreement": {
            "maximumParticipants": terms.max_suppliers,
            "method": method,
            "type": "closed",
            "period": {"durationInDays": i64::from(terms.term_months) * 365 / 12},
            "buyerCategories": match &terms.eligible_buyers {
                EligibleBuyers::All => "Every buyer organisation in the marketplace".to_owned(),
                EligibleBuyers::Listed(buyers) => format!("{} named buyer organisations", buyers.len()),
            },
        },
    })
}

/// A divided tender's lots (OCDS lots extension): each lot with its value and state, an item per
/// lot related to it, and the lot limit.
fn lots(tender_json: &mut Value, tender: &Tender, status: TenderStatus) {
    use domain::tender::LotStatus;
    let lots: Vec<Value> = tender
        .lots
        .iter()
        .map(|lot| {
            json!({
                "id": lot.id,
                "title": lot.title,
                "description": lot.description,
                "value": pounds(lot.estimated_value_pence),
                "status": match (status, lot.status) {
                    (TenderStatus::Draft, _) => "planning",
                    (TenderStatus::Cancelled, LotStatus::Open | LotStatus::Standstill) => "cancelled",
                    (_, LotStatus::Open | LotStatus::Standstill) => "active",
                    (_, LotStatus::Awarded) => "complete",
                    (_, LotStatus::Unsuccessful) => "unsuccessful",
                },
            })
        })
        .collect();
    let items: Vec<Value> = tender
        .lots
        .iter()
        .map(|lot| {
            json!({
                "id": lot.number.to_string(),
                "description": lot.title,
                "classification": {"scheme": "x_CSMKT", "id": tender.category, "description": tender.category},
                "relatedLot": lot.id,
            })
        })
        .collect();
    tender_json["lots"] = json!(lots);
    tender_json["items"] = json!(items);
    if let Some(max) = tender.max_lots_per_supplier {
        tender_json["lotDetails"] = json!({"maximumLotsAwardedPerSupplier": max});
    }
}

/// The release of one published tender `actor` may see, and the instant it describes.
pub async fn tender_release(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
) -> Result<(Value, DateTime<Utc>), ServiceError> {
    let conn = ctx.db().conn();
    let (tender, status, now) = visible_now(ctx, actor, id).await?;
    if status == TenderStatus::Draft {
        return Err(DomainError::NotFound("tender").into());
    }
    Ok((
        presented(ctx, release(conn, &tender, status, now, false).await?),
        now,
    ))
}

/// Adds to `release` the novation of contract `contract_id` from `from` to `to` (a contract
/// change notice, UK10): the contract's amendment with the suppliers added and removed, and
/// both suppliers among the parties.
pub(crate) fn with_novation(
    release: &mut Value,
    contract_id: uuid::Uuid,
    amendment: &Value,
    from: &Organisation,
    to: &Organisation,
) {
    if let Some(contracts) = release["contracts"].as_array_mut() {
        for contract in contracts
            .iter_mut()
            .filter(|c| c["id"] == json!(contract_id))
        {
            let mut change = amendment.clone();
            change["suppliersAdded"] = json!([party_ref(to)]);
            change["suppliersRemoved"] = json!([party_ref(from)]);
            contract["amendments"] = json!([change]);
        }
    }
    if let Some(parties) = release["parties"].as_array_mut() {
        for organisation in [from, to] {
            let id = json!(party_id(organisation));
            if !parties.iter().any(|p| p["id"] == id) {
                let mut entry = party(organisation);
                entry["roles"] = json!(["supplier"]);
                parties.push(entry);
            }
        }
    }
}

/// The release of `tender` as a notice publishes it to everyone, at `now`.
pub(crate) async fn public_release<C: ConnectionTrait>(
    conn: &C,
    tender: &Tender,
    status: TenderStatus,
    now: DateTime<Utc>,
) -> Result<Value, ServiceError> {
    release(conn, tender, status, now, true).await
}

/// The notice's document, as its release lists it.
fn notice_document(
    id: NoticeId,
    notice_type: NoticeType,
    title: &str,
    now: DateTime<Utc>,
) -> Value {
    json!({
        "id": id,
        "documentType": notice_type.document_type(),
        "noticeType": notice_type.as_str(),
        "title": format!("{}: {title}", notice_type.name()),
        "datePublished": now,
        "format": "application/json",
        "language": "en",
    })
}

/// `release` made the release of notice `id`: its own id, date, tag and notice document.
pub(crate) fn as_notice_release(
    mut release: Value,
    id: NoticeId,
    notice_type: NoticeType,
    amended: bool,
    now: DateTime<Utc>,
) -> Value {
    let title = release["tender"]["title"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    release["id"] = json!(id);
    release["date"] = json!(now);
    release["tag"] = json!([notice_type.release_tag(amended)]);
    // The notice's own document first, then the tender's published documents.
    let mut documents = vec![notice_document(id, notice_type, &title, now)];
    if let Some(Value::Array(tender_documents)) =
        release["tender"].get_mut("documents").map(Value::take)
    {
        documents.extend(tender_documents);
    }
    release["tender"]["documents"] = json!(documents);
    release
}

/// The release of a direct award call-off's notice: its own contracting process (the
/// call-off's ocid), related to the framework's, with its award and contract.
#[allow(clippy::too_many_arguments)]
pub(crate) fn call_off_release(
    id: NoticeId,
    notice_type: NoticeType,
    call_off: &crate::call_offs::CallOffView,
    framework: &persistence::frameworks::Framework,
    buyer: &Organisation,
    supplier: &Organisation,
    contract: &persistence::contracts::Contract,
    now: DateTime<Utc>,
) -> Value {
    let c = &call_off.call_off;
    let midnight = |d: chrono::NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc();
    let mut buyer_party = party(buyer);
    buyer_party["roles"] = json!(["buyer", "procuringEntity"]);
    let mut supplier_party = party(supplier);
    supplier_party["roles"] = json!(["supplier"]);
    json!({
        "ocid": c.id,
        "id": id,
        "date": now,
        "tag": [notice_type.release_tag(false)],
        "initiationType": "tender",
        "language": "en",
        "buyer": party_ref(buyer),
        "parties": [buyer_party, supplier_party],
        "relatedProcesses": [{
            "id": "1",
            "relationship": ["framework"],
            "title": framework.title,
            "scheme": "ocid",
            "identifier": framework.tender_id,
        }],
        "tender": {
            "id": c.id,
            "title": c.title,
            "status": "complete",
            "procurementMethod": "direct",
            "procurementMethodDetails": "Call-off from a framework by direct award",
            "procurementMethodRationale": c.justification,
            "mainProcurementCategory": "services",
            "procuringEntity": party_ref(buyer),
            "items": [{
                "id": "1",
                "description": c.title,
                "classification": {"scheme": "x_CSMKT", "id": framework.category, "description": framework.category},
            }],
            "documents": [notice_document(id, notice_type, &c.title, now)],
        },
        "awards": [{
            "id": c.id,
            "title": c.title,
            "status": "active",
            "date": c.decided_at,
            "value": pounds(contract.terms.total_value_pence),
            "suppliers": [party_ref(supplier)],
        }],
        "contracts": [{
            "id": contract.id,
            "awardID": c.id,
            "title": contract.terms.title,
            "status": "active",
            "period": {"startDate": midnight(contract.terms.start_date), "endDate": midnight(contract.terms.end_date)},
            "value": pounds(contract.terms.total_value_pence),
            "dateSigned": contract.created_at,
        }],
    })
}

/// The release of a buyer's UK2 or UK3 notice: the planning stage of a new contracting process,
/// whose ocid is the notice's.
pub(crate) fn planning_release(
    id: NoticeId,
    notice: &BuyerNotice,
    buyer: &Organisation,
    now: DateTime<Utc>,
) -> Value {
    let mut tender = json!({
        "id": id,
        "title": notice.title,
        "description": notice.description,
        "status": "planning",
        "mainProcurementCategory": "services",
        "procuringEntity": party_ref(buyer),
        "items": [{
            "id": "1",
            "description": notice.title,
            "classification": {"scheme": "x_CSMKT", "id": notice.category, "description": notice.category},
        }],
        "documents": [notice_document(id, notice.notice_type, &notice.title, now)],
    });
    if let Some(value) = notice.estimated_value_pence {
        tender["value"] = pounds(value);
    }
    if let Some(date) = notice.expected_tender_notice_date {
        tender["tenderPeriod"] =
            json!({"startDate": date.and_time(chrono::NaiveTime::MIN).and_utc()});
    }
    if let Some(deadline) = notice.engagement_deadline {
        tender["enquiryPeriod"] = json!({"endDate": deadline});
    }
    let mut buyer_party = party(buyer);
    buyer_party["roles"] = json!(["buyer", "procuringEntity"]);
    json!({
        "ocid": id,
        "id": id,
        "date": now,
        "tag": [notice.notice_type.release_tag(false)],
        "initiationType": "tender",
        "language": "en",
        "buyer": party_ref(buyer),
        "tender": tender,
        "parties": [buyer_party],
    })
}
