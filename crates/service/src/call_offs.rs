//! Call-offs under a framework (Procurement Act 2023 s.45–46), by a buyer lead of an eligible
//! buyer while the framework is active: a direct award saves a catalogue search and freezes its
//! results at the buyer's volumes, then awards an offer of that snapshot — the cheapest, or
//! another with the buyer's written reason — as a contract with its award and contract details
//! notices; a competitive selection is a tender only the framework's suppliers on the lot may
//! bid on, with no statutory minimum period.

use crate::tenders::TenderView;
use crate::{Ctx, ServiceError, audit_json};
use chrono::{DateTime, Utc};
use domain::DomainError;
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::bid::NotificationKind;
use domain::calendar::uk_date;
use domain::contract::ContractTerm;
use domain::framework::{CallOffMethod, CallOffStatus, FrameworkStatus, check_call_off_award};
use domain::ids::{BidId, CallOffId, FrameworkId, LotId, OfferId, OrganisationId};
use domain::notice::NoticeType;
use domain::offer::{AnnualisationBasis, OfferStatus, PricingUnit};
use domain::organisation::Region;
use domain::tender::{NewCriterion, Procedure, TenderFields, TenderSpec};
use domain::user::Role;
use persistence::Command;
use persistence::call_offs::{CallOff, CallOffFilter, NewCallOff, ShortlistEntry};
use persistence::frameworks::Framework;
use persistence::offers::{OfferSearch, OfferSort};
use persistence::tenders::Tender;
use serde_json::json;

/// A direct award's saved search.
#[derive(Debug, Clone, Default)]
pub struct SearchInput {
    pub q: Option<String>,
    pub region: Option<Region>,
    pub pricing_unit: Option<PricingUnit>,
}

/// A competitive selection's tender, as the buyer writes it: the framework gives its category,
/// its suppliers on the lot are the only bidders, and no statutory minimum period applies.
#[derive(Debug, Clone)]
pub struct SelectionTender {
    pub title: String,
    pub description: String,
    pub estimated_value_pence: i64,
    pub budget_ceiling_pence: Option<i64>,
    pub contract_term_months: i64,
    pub criteria: Vec<NewCriterion>,
    pub clarification_deadline: Option<DateTime<Utc>>,
    pub submission_deadline: Option<DateTime<Utc>>,
    pub standstill_days: Option<i64>,
}

/// How the buyer calls off.
#[derive(Debug, Clone)]
pub enum CallOffRequest {
    DirectAward {
        title: String,
        search: SearchInput,
        volumes: AnnualisationBasis,
        term_months: i64,
    },
    CompetitiveSelection(Box<SelectionTender>),
}

/// A call-off with its framework's title and its contract's value, once awarded.
#[derive(Debug, Clone)]
pub struct CallOffView {
    pub call_off: CallOff,
    pub framework_title: String,
    pub buyer_name: String,
    pub contract_value_pence: Option<i64>,
}

async fn view<C: sea_orm::ConnectionTrait>(
    conn: &C,
    call_off: CallOff,
    now: DateTime<Utc>,
) -> Result<CallOffView, ServiceError> {
    let framework = persistence::frameworks::find(conn, call_off.framework_id, uk_date(now))
        .await?
        .ok_or(DomainError::NotFound("framework"))?;
    let buyer_name = persistence::organisations::name(conn, call_off.buyer_id).await?;
    let contract_value_pence = match call_off.contract_id {
        Some(id) => persistence::contracts::find(conn, id, uk_date(now))
            .await?
            .map(|c| c.terms.total_value_pence),
        None => None,
    };
    Ok(CallOffView {
        call_off,
        framework_title: framework.title,
        buyer_name,
        contract_value_pence,
    })
}

fn audit_value(view: &CallOffView) -> serde_json::Value {
    let c = &view.call_off;
    json!({
        "id": c.id,
        "framework_id": c.framework_id,
        "lot_id": c.lot_id,
        "buyer_id": c.buyer_id,
        "method": c.method.as_str(),
        "title": c.title,
        "status": c.status.as_str(),
        "search": c.search,
        "volumes": c.volumes,
        "term_months": c.term_months,
        "tender_id": c.tender_id,
        "offer_id": c.offer_id,
        "justification": c.justification,
        "contract_id": c.contract_id,
        "cancel_reason": c.cancel_reason,
    })
}

/// The framework, checked for a call-off by `actor`: it exists, is active by the database
/// clock, names the actor's organisation among its buyers and allows `method`; and its tender.
async fn framework_for(
    command: &Command,
    actor: &Actor,
    id: FrameworkId,
    method: Option<CallOffMethod>,
) -> Result<(Framework, Tender), ServiceError> {
    let conn = command.conn();
    let framework = persistence::frameworks::find(conn, id, uk_date(command.now()))
        .await?
        .ok_or(DomainError::NotFound("framework"))?;
    let tender = persistence::tenders::find(conn, framework.tender_id)
        .await?
        .ok_or(DomainError::NotFound("tender"))?;
    let terms = tender
        .framework
        .clone()
        .ok_or_else(|| ServiceError::Internal("a framework without terms".into()))?;
    if !terms.eligible_buyers.includes(actor.organisation_id) {
        return Err(ServiceError::Forbidden(
            "your organisation is not among the buyers entitled to call off from this \
             framework (s.45(5)(f))"
                .to_owned(),
        ));
    }
    if framework.status != FrameworkStatus::Active {
        return Err(ServiceError::conflict(format!(
            "the framework expired on {}: nothing more is called off from it",
            framework.end_date
        )));
    }
    if let Some(method) = method
        && !terms.allows(method)
    {
        return Err(ServiceError::field(
            "/method",
            format!("this framework does not allow {method} call-offs"),
        ));
    }
    Ok((framework, tender))
}

/// A buyer lead calls off from the framework.
pub async fn create(
    ctx: &Ctx,
    actor: &Actor,
    framework_id: FrameworkId,
    lot: Option<LotId>,
    request: &CallOffRequest,
) -> Result<CallOffView, ServiceError> {
    domain::tender::require_tender_manager(actor)?;
    let command = ctx.command().await?;
    let method = match request {
        CallOffRequest::DirectAward { .. } => CallOffMethod::DirectAward,
        CallOffRequest::CompetitiveSelection(_) => CallOffMethod::CompetitiveSelection,
    };
    let (framework, framework_tender) =
        framework_for(&command, actor, framework_id, Some(method)).await?;
    let lot = crate::evaluation::lot_to_evaluate(&framework_tender, lot, "/lot_id")?;
    let created = match request {
        CallOffRequest::DirectAward {
            title,
            search,
            volumes,
            term_months,
        } => {
            direct(
                &command,
                actor,
                &framework,
                lot,
                title,
                search,
                volumes,
                *term_months,
            )
            .await?
        }
        CallOffRequest::CompetitiveSelection(tender) => {
            selection(ctx, &command, actor, &framework, lot, tender).await?
        }
    };
    let shown = view(command.conn(), created, command.now()).await?;
    command
        .audit(
            AuditEntry::by(actor, "call_off.created", "call_off", shown.call_off.id)
                .after(audit_value(&shown)),
        )
        .await?;
    command.commit().await?;
    Ok(shown)
}

/// Saves the search and freezes every matching offer of the framework's catalogue (on the lot)
/// whose supplier holds its place now, at the buyer's volumes, cheapest first.
#[allow(clippy::too_many_arguments)]
async fn direct(
    command: &Command,
    actor: &Actor,
    framework: &Framework,
    lot: Option<LotId>,
    title: &str,
    search: &SearchInput,
    volumes: &AnnualisationBasis,
    term_months: i64,
) -> Result<CallOff, ServiceError> {
    let mut v = domain::error::Validator::new();
    let title = v.check(domain::framework::call_off_title(title));
    let term = v.check(domain::framework::call_off_term(term_months));
    if search.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        v.push(domain::FieldError::new(
            "/search/q",
            "must be at most 200 characters",
        ));
    }
    v.finish()?;
    let (Some(title), Some(term)) = (title, term) else {
        return Err(DomainError::Validation(Vec::new()).into());
    };
    let conn = command.conn();
    let places = persistence::frameworks::places(conn, framework.id).await?;
    let mut found = Vec::new();
    for page in 1..=20 {
        let asked = OfferSearch {
            terms: search
                .q
                .as_deref()
                .map(domain::offer::search_terms)
                .unwrap_or_default(),
            framework: Some(framework.id),
            framework_lot: lot,
            status: OfferStatus::Published,
            only_supplier: None,
            category: None,
            region_bit: search.region.map(domain::offer::RegionSet::bit),
            supplier: None,
            pricing_unit: search.pricing_unit,
            min_price_pence: None,
            max_price_pence: None,
            sort: OfferSort::PriceAsc,
        };
        let request = domain::pagination::PageRequest::new(Some(page), Some(100))?;
        let got = persistence::offers::search(conn, &asked, request, u64::MAX).await?;
        let last = got.items.len() < 100;
        found.extend(got.items);
        if last {
            break;
        }
    }
    found.retain(|o| {
        places
            .iter()
            .any(|p| p.supplier_id == o.supplier_id && p.lot_id == lot)
    });
    let suppliers: Vec<OrganisationId> = found.iter().map(|o| o.supplier_id).collect();
    let ratings = crate::contracts::ratings(conn, &suppliers, command.now()).await?;
    let mut entries: Vec<(ShortlistEntry, i64)> = found
        .into_iter()
        .filter_map(|o| {
            let annual = domain::offer::annualise(o.pricing_unit, o.unit_price_pence, volumes);
            let annual_price_pence = annual.annual_price_pence?;
            let rating = ratings
                .get(&o.supplier_id)
                .and_then(|r| serde_json::to_value(r).ok());
            Some((
                ShortlistEntry {
                    offer_id: o.id,
                    supplier_id: o.supplier_id,
                    supplier_name: o.supplier_name,
                    title: o.title,
                    pricing_unit: o.pricing_unit,
                    unit_price_pence: o.unit_price_pence,
                    annual_price_pence,
                    basis: annual.basis,
                    rating,
                },
                domain::offer::tie_break_key(o.id),
            ))
        })
        .collect();
    if entries.is_empty() {
        return Err(ServiceError::field(
            "/search",
            "no offer of the framework's catalogue (on this lot) matches the search and can be \
             priced at these volumes",
        ));
    }
    entries.sort_by_key(|(e, tie)| (e.annual_price_pence, *tie));
    let entries: Vec<ShortlistEntry> = entries.into_iter().map(|(e, _)| e).collect();
    let call_off = persistence::call_offs::insert(
        conn,
        NewCallOff {
            framework_id: framework.id,
            lot_id: lot,
            buyer_id: actor.organisation_id,
            method: CallOffMethod::DirectAward,
            title,
            search: Some(json!({
                "q": search.q,
                "region": search.region.map(|r| r.code()),
                "pricing_unit": search.pricing_unit.map(PricingUnit::as_str),
            })),
            volumes: Some(json!({
                "fte": volumes.fte,
                "population": volumes.population,
                "days_per_year": volumes.days_per_year,
                "transactions_per_year": volumes.transactions_per_year,
            })),
            term_months: term,
            tender_id: None,
            created_by: actor.user_id,
        },
        command.now(),
    )
    .await?;
    persistence::call_offs::freeze(conn, call_off.id, &entries).await?;
    Ok(call_off)
}

/// Drafts the competitive selection's tender: invited, to the framework's suppliers on the lot.
async fn selection(
    ctx: &Ctx,
    command: &Command,
    actor: &Actor,
    framework: &Framework,
    lot: Option<LotId>,
    tender: &SelectionTender,
) -> Result<CallOff, ServiceError> {
    let conn = command.conn();
    let mut invited: Vec<OrganisationId> = Vec::new();
    for place in persistence::frameworks::places(conn, framework.id).await? {
        if place.lot_id == lot && !invited.contains(&place.supplier_id) {
            invited.push(place.supplier_id);
        }
    }
    let buyer = persistence::organisations::get(conn, actor.organisation_id).await?;
    let mut fields = TenderFields::new(
        &tender.title,
        &tender.description,
        &framework.category,
        buyer.region.unwrap_or(framework.region),
        tender.estimated_value_pence,
        tender.contract_term_months,
        Procedure::Invited,
        &tender.criteria,
    );
    fields.budget_ceiling_pence = tender.budget_ceiling_pence;
    fields.invited_supplier_ids = &invited;
    fields.clarification_deadline = tender.clarification_deadline;
    fields.submission_deadline = tender.submission_deadline;
    fields.standstill_days = tender.standstill_days;
    let mut spec = TenderSpec::parse(&fields).map_err(|e| e.under("/tender"))?;
    spec.call_off_of = Some(framework.id);
    let draft: TenderView =
        crate::tenders::create_call_off_draft(command, &ctx.config().thresholds, actor, &spec)
            .await?;
    Ok(persistence::call_offs::insert(
        conn,
        NewCallOff {
            framework_id: framework.id,
            lot_id: lot,
            buyer_id: actor.organisation_id,
            method: CallOffMethod::CompetitiveSelection,
            title: draft.tender.title.clone(),
            search: None,
            volumes: None,
            term_months: draft.tender.contract_term_months,
            tender_id: Some(draft.tender.id),
            created_by: actor.user_id,
        },
        command.now(),
    )
    .await?)
}

/// Whether `actor` may read the call-off: its buyer, the regulator and admins.
fn may_read(actor: &Actor, call_off: &CallOff) -> bool {
    match actor.role {
        Role::Regulator | Role::Admin => true,
        Role::BuyerLead | Role::BuyerEvaluator => actor.organisation_id == call_off.buyer_id,
        Role::SupplierBidder => false,
    }
}

/// One call-off `actor` may read; 404 otherwise.
pub async fn get(ctx: &Ctx, actor: &Actor, id: CallOffId) -> Result<CallOffView, ServiceError> {
    let conn = ctx.db().conn();
    let call_off = persistence::call_offs::find(conn, id)
        .await?
        .filter(|c| may_read(actor, c))
        .ok_or(DomainError::NotFound("call-off"))?;
    view(conn, call_off, ctx.now().await?).await
}

/// A direct award's frozen shortlist, cheapest first, as it was when the search was saved.
pub async fn shortlist(
    ctx: &Ctx,
    actor: &Actor,
    id: CallOffId,
) -> Result<(CallOffView, Vec<ShortlistEntry>), ServiceError> {
    let shown = get(ctx, actor, id).await?;
    let entries = persistence::call_offs::shortlist(ctx.db().conn(), id).await?;
    Ok((shown, entries))
}

/// The call-offs `actor` may read: a buyer its own, the regulator and admins all.
pub async fn list(
    ctx: &Ctx,
    actor: &Actor,
    framework: Option<FrameworkId>,
    status: Option<CallOffStatus>,
) -> Result<Vec<CallOffView>, ServiceError> {
    let buyer = match actor.role {
        Role::Regulator | Role::Admin => None,
        Role::BuyerLead | Role::BuyerEvaluator => Some(actor.organisation_id),
        Role::SupplierBidder => {
            return Err(ServiceError::Forbidden(
                "call-offs are their buyers', the regulator's and admins'".to_owned(),
            ));
        }
    };
    let conn = ctx.db().conn();
    let now = ctx.now().await?;
    let filter = CallOffFilter {
        buyer,
        framework,
        status,
    };
    let mut shown = Vec::new();
    for call_off in persistence::call_offs::list(conn, &filter).await? {
        shown.push(view(conn, call_off, now).await?);
    }
    Ok(shown)
}

/// The call-off locked for its buyer's lead's command, a direct award still open.
async fn lead_direct(
    command: &Command,
    actor: &Actor,
    id: CallOffId,
) -> Result<CallOff, ServiceError> {
    domain::tender::require_tender_manager(actor)?;
    let call_off = persistence::call_offs::find_for_update(command.conn(), id)
        .await?
        .filter(|c| c.buyer_id == actor.organisation_id)
        .ok_or(DomainError::NotFound("call-off"))?;
    if call_off.method != CallOffMethod::DirectAward {
        return Err(ServiceError::conflict(
            "a competitive selection is awarded, or cancelled, through its tender",
        ));
    }
    Ok(call_off)
}

/// The buyer's lead awards the direct award call-off to an offer of its frozen shortlist: the
/// contract (the snapshot's annual price × the term), its contract award and contract details
/// notices, and the call-off's outcome.
pub async fn award(
    ctx: &Ctx,
    actor: &Actor,
    id: CallOffId,
    offer: OfferId,
    justification: Option<&str>,
) -> Result<CallOffView, ServiceError> {
    let command = ctx.command().await?;
    let call_off = lead_direct(&command, actor, id).await?;
    call_off.status.award()?;
    let (framework, _) = framework_for(&command, actor, call_off.framework_id, None).await?;
    let conn = command.conn();
    let entries = persistence::call_offs::shortlist(conn, id).await?;
    let position = entries.iter().position(|e| e.offer_id == offer);
    let justification = check_call_off_award(position, justification)?;
    let chosen = position
        .and_then(|p| entries.get(p))
        .ok_or_else(|| ServiceError::field("/offer_id", "is not in the shortlist"))?;
    let now = command.now();
    let today = uk_date(now);
    let term = ContractTerm::parse(
        today,
        None,
        u32::try_from(call_off.term_months).unwrap_or(1),
        today,
    )?;
    let total = i128::from(chosen.annual_price_pence) * i128::from(call_off.term_months);
    let total_value_pence = i64::try_from((total + 6) / 12).unwrap_or(i64::MAX);
    let buyer = persistence::organisations::get(conn, call_off.buyer_id).await?;
    let created = persistence::contracts::insert(
        conn,
        persistence::contracts::NewContract {
            tender_id: framework.tender_id,
            lot_id: call_off.lot_id,
            framework_id: Some(framework.id),
            call_off_id: Some(call_off.id),
            // A direct award call-off has no competitive award and no bid: the award is the
            // call-off's own decision.
            award_id: call_off.id.as_uuid(),
            bid_id: BidId::from_uuid(uuid::Uuid::nil()),
            buyer_id: call_off.buyer_id,
            awarded_supplier_id: chosen.supplier_id,
            title: call_off.title.clone(),
            category: framework.category.clone(),
            region: buyer.region.unwrap_or(framework.region),
            total_value_pence,
            annual_value_pence: chosen.annual_price_pence,
            start_date: term.start_date,
            end_date: term.end_date,
            awarded_at: now,
            created_by: actor.user_id,
        },
        now,
        today,
    )
    .await?;
    persistence::call_offs::awarded(
        conn,
        id,
        Some(offer),
        justification.as_deref(),
        created.id,
        now,
    )
    .await?;
    let decided = persistence::call_offs::find(conn, id)
        .await?
        .ok_or(DomainError::NotFound("call-off"))?;
    let shown = view(conn, decided, now).await?;
    for notice_type in [NoticeType::Uk6, NoticeType::Uk7] {
        crate::notices::publish_for_call_off(
            &command,
            actor,
            notice_type,
            &shown,
            &framework,
            chosen,
            &created,
        )
        .await?;
    }
    crate::notify(
        &command,
        &[chosen.supplier_id],
        NotificationKind::ContractAwarded,
        framework.tender_id,
        format!("Call-off awarded: {}", call_off.title),
        format!(
            "{} called off {} from {} by direct award: a contract of {} months from {}.",
            buyer.name, chosen.title, framework.title, call_off.term_months, term.start_date
        ),
    )
    .await?;
    let contract = crate::contracts::present(conn, created).await?;
    command
        .audit(
            AuditEntry::by(actor, "contract.created", "contract", contract.contract.id)
                .after(audit_json(&contract)?),
        )
        .await?;
    command
        .audit(
            AuditEntry::by(actor, "call_off.awarded", "call_off", id)
                .before(json!({"status": CallOffStatus::Open.as_str()}))
                .after(audit_value(&shown)),
        )
        .await?;
    command.commit().await?;
    Ok(shown)
}

/// The buyer's lead ends a direct award call-off with no award, for `reason`.
pub async fn cancel(
    ctx: &Ctx,
    actor: &Actor,
    id: CallOffId,
    reason: &str,
) -> Result<CallOffView, ServiceError> {
    let command = ctx.command().await?;
    let call_off = lead_direct(&command, actor, id).await?;
    call_off.status.cancel()?;
    let reason = domain::tender::cancellation_reason(reason)?;
    persistence::call_offs::cancelled(command.conn(), id, &reason, command.now()).await?;
    let cancelled = persistence::call_offs::find(command.conn(), id)
        .await?
        .ok_or(DomainError::NotFound("call-off"))?;
    let shown = view(command.conn(), cancelled, command.now()).await?;
    command
        .audit(
            AuditEntry::by(actor, "call_off.cancelled", "call_off", id)
                .before(json!({"status": call_off.status.as_str()}))
                .after(audit_value(&shown)),
        )
        .await?;
    command.commit().await?;
    Ok(shown)
}

/// A competitive selection's call-off follows its tender: awarded when its contract is
/// entered, cancelled with it.
pub(crate) async fn tender_ended(
    command: &Command,
    tender: &Tender,
    contract: Option<uuid::Uuid>,
    reason: &str,
) -> Result<(), ServiceError> {
    let Some(call_off) = persistence::call_offs::of_tender(command.conn(), tender.id).await? else {
        return Ok(());
    };
    match contract {
        Some(contract) => {
            persistence::call_offs::awarded(
                command.conn(),
                call_off.id,
                None,
                None,
                contract,
                command.now(),
            )
            .await?
        }
        None => {
            persistence::call_offs::cancelled(command.conn(), call_off.id, reason, command.now())
                .await?
        }
    }
    Ok(())
}
