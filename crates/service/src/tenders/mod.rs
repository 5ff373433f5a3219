//! Tenders: a buyer's procurement lead drafts, edits, publishes, amends and cancels them; anyone
//! the domain lets see a tender reads it in the state in force by the database clock.

use crate::{Ctx, Expected, ServiceError};
use chrono::{DateTime, Utc};
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::bid::NotificationKind;
use domain::error::Validator;
use domain::ids::{LotId, NoticeId, OrganisationId, TenderId};
use domain::notice::NoticeType;
use domain::organisation::{OrganisationKind, Region};
use domain::pagination::{Page, PageRequest};
use domain::procurement::{AuthorityType, Circumstances, Period, Thresholds};
use domain::tender::{
    self, Amendment, NewCriterion, Procedure, TenderFields, TenderSpec, TenderStatus,
    can_view_tender, cancellation_reason, check_before,
};
use domain::user::Role;
use domain::{DomainError, FieldError};
use persistence::Command;
use persistence::tenders::{
    AmendmentRecord, Tender, TenderAudience, TenderFilter, TenderListing, Transition,
};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

mod drafts;
mod lifecycle;

pub use drafts::*;
pub use lifecycle::*;
/// A tender as one viewer may see it: the stored tender, its state in force, its buyer's name,
/// its amendments, and whether the viewer sees the buyer's confidential fields (the budget
/// ceiling and the invitation list).
#[derive(Debug, Clone)]
pub struct TenderView {
    pub tender: Tender,
    pub status: TenderStatus,
    pub buyer_name: String,
    pub amendments: Vec<AmendmentRecord>,
    pub confidential: bool,
}

impl TenderView {
    /// The budget ceiling, if the viewer may see it.
    pub fn budget_ceiling_pence(&self) -> Option<i64> {
        self.tender
            .budget_ceiling_pence
            .filter(|_| self.confidential)
    }

    /// The invited suppliers of an invited tender, if the viewer may see them.
    pub fn invited_supplier_ids(&self) -> Option<&[OrganisationId]> {
        (self.confidential && self.tender.procedure == Procedure::Invited)
            .then_some(self.tender.invited.as_slice())
    }
}

/// The tender as `viewer` may see it (everything for `None`: the audit log), in `status`.
pub(crate) async fn view<C: ConnectionTrait>(
    conn: &C,
    viewer: Option<&Actor>,
    tender: Tender,
    status: TenderStatus,
) -> Result<TenderView, ServiceError> {
    let buyer_name = persistence::organisations::name(conn, tender.buyer_id).await?;
    let amendments = persistence::tenders::amendments(conn, tender.id).await?;
    let confidential = viewer.is_none_or(|a| tender::sees_confidential(a, tender.buyer_id));
    Ok(TenderView {
        tender,
        status,
        buyer_name,
        amendments,
        confidential,
    })
}

/// What a tender's audit entries record of it: all of it (the audit log is for the regulator
/// and admins, who may see the budget ceiling) but its amendments, which are audited one by one.
/// Every key is always there (null or empty when unset), so one action has one shape.
pub(crate) fn audit_value(view: &TenderView) -> Value {
    let t = &view.tender;
    json!({
        "id": t.id,
        "buyer_id": t.buyer_id,
        "buyer_name": view.buyer_name,
        "title": t.title,
        "description": t.description,
        "category": t.category,
        "region": t.region.code(),
        "estimated_value_pence": t.estimated_value_pence,
        "contract_term_months": t.contract_term_months,
        "procedure": t.procedure.as_str(),
        "criteria": t.criteria.iter().map(|c| json!({
            "id": c.id,
            "name": c.name,
            "kind": c.kind.as_str(),
            "weight": c.weight,
        })).collect::<Vec<_>>(),
        "clarification_deadline": t.clarification_deadline,
        "submission_deadline": t.submission_deadline,
        "standstill_days": t.standstill_days,
        "above_threshold": t.above_threshold,
        "urgency_reason": t.urgency_reason,
        "planned_procurement_notice_id": t.planned_procurement_notice_id,
        "status": view.status.as_str(),
        "version": t.version,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
        "published_at": t.published_at,
        "cancelled_at": t.cancelled_at,
        "cancellation_reason": t.cancellation_reason,
        "bids_opened_at": t.bids_opened_at,
        "unsuccessful_reason": t.unsuccessful_reason,
        "budget_ceiling_pence": t.budget_ceiling_pence,
        "invited_supplier_ids": t.invited,
    })
}

/// Loads a tender `actor` may see, with its state in force at `now`; 404 otherwise.
pub(crate) async fn visible<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    id: TenderId,
    now: DateTime<Utc>,
) -> Result<(Tender, TenderStatus), ServiceError> {
    let tender = persistence::tenders::find(conn, id)
        .await?
        .ok_or(DomainError::NotFound("tender"))?;
    let status = tender.status_at(conn, now).await?;
    if !can_view_tender(actor, &tender.scope(status)) {
        return Err(DomainError::NotFound("tender").into());
    }
    Ok((tender, status))
}

/// A tender `actor` may see, read now: the stored tender, its state in force, and the instant
/// it was read at (by the database clock).
pub(crate) async fn visible_now(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
) -> Result<(Tender, TenderStatus, DateTime<Utc>), ServiceError> {
    let now = ctx.now().await?;
    let (tender, status) = visible(ctx.db().conn(), actor, id, now).await?;
    Ok((tender, status, now))
}

/// [`visible_now`] with what decides who may see the tender's parts.
pub(crate) async fn visible_scope(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
) -> Result<(Tender, domain::tender::TenderScope), ServiceError> {
    let (tender, status, _) = visible_now(ctx, actor, id).await?;
    let scope = tender.scope(status);
    Ok((tender, scope))
}

/// Loads and locks a tender for a command, at the moment the lock is held, and records the
/// close at the deadline if the clock has passed it: the tender as stored afterwards and the
/// state in force.
pub(crate) async fn lock_and_settle(
    command: &mut Command,
    id: TenderId,
) -> Result<(Tender, TenderStatus), ServiceError> {
    let (tender, status, _) = lock_and_settle_changed(command, id).await?;
    Ok((tender, status))
}

/// [`lock_and_settle`], also saying whether the state in force changed the stored one.
async fn lock_and_settle_changed(
    command: &mut Command,
    id: TenderId,
) -> Result<(Tender, TenderStatus, bool), ServiceError> {
    let tender = persistence::tenders::find_for_update(command.conn(), id)
        .await?
        .ok_or(DomainError::NotFound("tender"))?;
    let now = command.refresh_now().await?;
    let status = tender.status_at(command.conn(), now).await?;
    if status == tender.status {
        return Ok((tender, status, false));
    }
    let before = view(command.conn(), None, tender.clone(), tender.status).await?;
    let closed = persistence::tenders::set_status(
        command.conn(),
        &tender,
        status,
        Transition::default(),
        now,
    )
    .await?;
    let after = view(command.conn(), None, closed.clone(), status).await?;
    audit_change(command, None, "tender.closed", &before, &after).await?;
    // An advertised procurement that closed with no tender ends without a contract: its
    // procurement termination notice says so (s.55), once, under the tender's lock.
    if status == TenderStatus::Unsuccessful {
        crate::notices::terminated(
            command,
            None,
            &closed,
            status,
            "No tender was received by the submission deadline.",
        )
        .await?;
    }
    Ok((closed, status, true))
}

/// Settles every published tender whose submission deadline has passed by the database clock:
/// each moves to evaluation, or, with no tender in, to unsuccessful with its procurement
/// termination notice. Each tender is settled in its own transaction under its row lock, so
/// that several replicas sweeping at once settle each exactly once. Returns how many were
/// settled.
pub async fn settle_due(ctx: &Ctx) -> Result<usize, ServiceError> {
    let now = ctx.now().await?;
    let due = persistence::tenders::published_past_deadline(ctx.db().conn(), now).await?;
    let mut settled = 0;
    for id in due {
        let mut command = ctx.command().await?;
        let (_, _, changed) = lock_and_settle_changed(&mut command, id).await?;
        command.commit().await?;
        settled += usize::from(changed);
    }
    Ok(settled)
}

async fn audit_change(
    command: &Command,
    actor: Option<Actor>,
    action: &str,
    before: &TenderView,
    after: &TenderView,
) -> Result<(), ServiceError> {
    command
        .audit(
            AuditEntry::new(actor, action, "tender", after.tender.id)
                .before(audit_value(before))
                .after(audit_value(after)),
        )
        .await?;
    Ok(())
}

/// Moves one lot of a divided tender to `next`, and the tender to the state its lots then give
/// it; returns the tender's state. An undivided tender moves to `undivided`.
pub(crate) async fn settle_lot(
    command: &Command,
    tender: &Tender,
    lot: Option<LotId>,
    next: domain::tender::LotStatus,
    undivided: TenderStatus,
    transition: Transition,
) -> Result<TenderStatus, ServiceError> {
    let now = command.now();
    let status = match lot {
        Some(lot) => {
            persistence::tenders::set_lot_status(
                command.conn(),
                lot,
                next,
                transition.unsuccessful_reason.as_deref(),
                now,
            )
            .await?;
            let statuses: Vec<_> = tender
                .lots
                .iter()
                .map(|l| if l.id == lot { next } else { l.status })
                .collect();
            domain::tender::status_of_lots(&statuses)
        }
        None => undivided,
    };
    persistence::tenders::set_status(command.conn(), tender, status, transition, now).await?;
    Ok(status)
}

/// A command on a tender that only its buying organisation's lead may run: the tender locked
/// and settled, refused (403, or 404 to those who may not see it) for anyone else.
pub(crate) async fn lead_command(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    action: &str,
) -> Result<(Command, Tender, TenderStatus), ServiceError> {
    tender::require_tender_manager(actor)?;
    let mut command = ctx.command().await?;
    let (current, status) = lock_and_settle(&mut command, id).await?;
    current.scope(status).check_lead(actor, action)?;
    Ok((command, current, status))
}

/// One tender, as `actor` may see it now.
pub async fn get(ctx: &Ctx, actor: &Actor, id: TenderId) -> Result<TenderView, ServiceError> {
    let conn = ctx.db().conn();
    let (tender, status, _) = visible_now(ctx, actor, id).await?;
    view(conn, Some(actor), tender, status).await
}

/// A tender list's filters, as asked.
#[derive(Debug, Clone, Default)]
pub struct TenderQuery {
    pub status: Option<TenderStatus>,
    pub category: Option<String>,
    pub region: Option<Region>,
    pub buyer: Option<OrganisationId>,
}

/// Tenders `actor` may see (exactly those [`get`] answers), soonest submission deadline first;
/// a supplier's list holds only published tenders unless it asks for another state.
pub async fn list(
    ctx: &Ctx,
    actor: &Actor,
    query: TenderQuery,
    page: PageRequest,
) -> Result<Page<TenderListing>, ServiceError> {
    let audience = TenderAudience::of(actor);
    let status = match (query.status, actor.role) {
        (None, Role::SupplierBidder) => Some(TenderStatus::Published),
        (status, _) => status,
    };
    let filter = TenderFilter {
        status,
        category: query.category,
        region: query.region,
        buyer: query.buyer,
        published_only: false,
    };
    let now = ctx.now().await?;
    Ok(persistence::tenders::list(ctx.db().conn(), audience, &filter, now, page).await?)
}
