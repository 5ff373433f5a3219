//! Tenders: a buyer's procurement lead drafts, edits, publishes, amends and cancels them; anyone
//! the domain lets see a tender reads it in the state in force by the database clock.

use crate::{Ctx, Expected, ServiceError};
use chrono::{DateTime, Utc};
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::bid::NotificationKind;
use domain::error::Validator;
use domain::ids::{OrganisationId, TenderId};
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
    let tender = persistence::tenders::find_for_update(command.conn(), id)
        .await?
        .ok_or(DomainError::NotFound("tender"))?;
    let now = command.refresh_now().await?;
    let status = tender.status_at(command.conn(), now).await?;
    if status == tender.status {
        return Ok((tender, status));
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
    Ok((closed, status))
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

/// Checks what the domain cannot: the category exists and every invited organisation is a
/// supplier.
async fn check_references<C: ConnectionTrait>(
    conn: &C,
    spec: &TenderSpec,
) -> Result<(), ServiceError> {
    let mut v = Validator::new();
    if !persistence::reference::category_exists(conn, &spec.category).await? {
        v.push(FieldError::new("/category", "is not a known category code"));
    }
    for (i, id) in spec.invited_supplier_ids.iter().enumerate() {
        let found = persistence::organisations::find(conn, *id).await?;
        if !found.is_some_and(|o| o.kind == OrganisationKind::Supplier) {
            v.push(FieldError::new(
                format!("/invited_supplier_ids/{i}"),
                "is not a supplier organisation",
            ));
        }
    }
    Ok(v.finish()?)
}

/// Whether a tender of `buyer` as `spec` describes it is above threshold (by the buyer's kind of
/// authority and the estimated value including VAT), refusing what the Act then forbids.
async fn check_covered<C: ConnectionTrait>(
    conn: &C,
    thresholds: &Thresholds,
    buyer: OrganisationId,
    spec: &TenderSpec,
) -> Result<bool, ServiceError> {
    let above = above_threshold(conn, thresholds, buyer, spec.estimated_value_pence).await?;
    domain::procurement::check_covered(above, spec.procedure, spec.standstill_days.days())?;
    Ok(above)
}

async fn above_threshold<C: ConnectionTrait>(
    conn: &C,
    thresholds: &Thresholds,
    buyer: OrganisationId,
    estimated_value_pence: i64,
) -> Result<bool, ServiceError> {
    let authority = persistence::organisations::get(conn, buyer)
        .await?
        .authority_type
        .unwrap_or(AuthorityType::SubCentral);
    Ok(thresholds.covers(authority, estimated_value_pence))
}

/// Creates a draft tender for the buyer lead's organisation.
pub async fn create(
    ctx: &Ctx,
    actor: &Actor,
    spec: &TenderSpec,
) -> Result<TenderView, ServiceError> {
    tender::require_tender_manager(actor)?;
    let command = ctx.command().await?;
    let shown = create_in(
        &command,
        &ctx.config().thresholds,
        Some(*actor),
        actor.organisation_id,
        spec,
    )
    .await?;
    command.commit().await?;
    Ok(shown)
}

/// Creates a draft for `buyer` inside `command`. `actor` is `None` only for the demo loader,
/// which still loads its market in one transaction of its own.
async fn create_in(
    command: &Command,
    thresholds: &Thresholds,
    actor: Option<Actor>,
    buyer: OrganisationId,
    spec: &TenderSpec,
) -> Result<TenderView, ServiceError> {
    check_references(command.conn(), spec).await?;
    let above = check_covered(command.conn(), thresholds, buyer, spec).await?;
    let created =
        persistence::tenders::insert(command.conn(), buyer, spec, above, command.now()).await?;
    let shown = view(command.conn(), None, created, TenderStatus::Draft).await?;
    command
        .audit(
            AuditEntry::new(actor, "tender.created", "tender", shown.tender.id)
                .after(audit_value(&shown)),
        )
        .await?;
    Ok(shown)
}

/// A change to a draft: each field given replaces the draft's; criteria, when given, replace
/// the draft's criteria (and get new ids).
#[derive(Debug, Clone, Default)]
pub struct DraftChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub region: Option<Region>,
    pub estimated_value_pence: Option<i64>,
    /// `Some(None)` removes the ceiling.
    pub budget_ceiling_pence: Option<Option<i64>>,
    pub contract_term_months: Option<i64>,
    pub procedure: Option<Procedure>,
    pub invited_supplier_ids: Option<Vec<OrganisationId>>,
    pub criteria: Option<Vec<NewCriterion>>,
    pub clarification_deadline: Option<DateTime<Utc>>,
    pub submission_deadline: Option<DateTime<Utc>>,
    pub standstill_days: Option<i64>,
    /// `Some(None)` withdraws a stated urgency.
    pub urgency_reason: Option<Option<String>>,
}

impl DraftChanges {
    fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.category.is_none()
            && self.region.is_none()
            && self.estimated_value_pence.is_none()
            && self.budget_ceiling_pence.is_none()
            && self.contract_term_months.is_none()
            && self.procedure.is_none()
            && self.invited_supplier_ids.is_none()
            && self.criteria.is_none()
            && self.clarification_deadline.is_none()
            && self.submission_deadline.is_none()
            && self.standstill_days.is_none()
            && self.urgency_reason.is_none()
    }

    /// The draft as it would be with these changes, parsed by the domain.
    fn apply_to(&self, current: &Tender) -> Result<TenderSpec, DomainError> {
        let criteria = match &self.criteria {
            Some(c) => c.clone(),
            None => current
                .criteria
                .iter()
                .map(|c| NewCriterion {
                    name: c.name.clone(),
                    kind: c.kind.as_str().to_owned(),
                    weight: i64::from(c.weight),
                })
                .collect(),
        };
        let procedure = self.procedure.unwrap_or(current.procedure);
        let invited = match &self.invited_supplier_ids {
            Some(ids) => ids.clone(),
            None if procedure == Procedure::Open => Vec::new(),
            None => current.invited.clone(),
        };
        TenderSpec::parse(&TenderFields {
            title: self.title.as_deref().unwrap_or(&current.title),
            description: self.description.as_deref().unwrap_or(&current.description),
            category: self.category.as_deref().unwrap_or(&current.category),
            region: self.region.unwrap_or(current.region),
            estimated_value_pence: self
                .estimated_value_pence
                .unwrap_or(current.estimated_value_pence),
            budget_ceiling_pence: self
                .budget_ceiling_pence
                .unwrap_or(current.budget_ceiling_pence),
            contract_term_months: self
                .contract_term_months
                .unwrap_or(i64::from(current.contract_term_months)),
            procedure,
            invited_supplier_ids: &invited,
            criteria: &criteria,
            clarification_deadline: self
                .clarification_deadline
                .unwrap_or(current.clarification_deadline),
            submission_deadline: self
                .submission_deadline
                .unwrap_or(current.submission_deadline),
            standstill_days: Some(
                self.standstill_days
                    .unwrap_or(i64::from(current.standstill_days)),
            ),
            urgency_reason: match &self.urgency_reason {
                Some(changed) => changed.as_deref(),
                None => current.urgency_reason.as_deref(),
            },
        })
    }
}

/// Edits a draft (the buyer's lead), which must still be at the version `expected` names.
pub async fn update(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    expected: &Expected,
    changes: &DraftChanges,
) -> Result<TenderView, ServiceError> {
    let (command, current, status) = lead_command(ctx, actor, id, "edit this tender").await?;
    expected.require(current.version)?;
    if changes.is_empty() {
        return Err(ServiceError::field("", "give at least one field to change"));
    }
    status.check_editable()?;
    let spec = changes.apply_to(&current)?;
    check_references(command.conn(), &spec).await?;
    let above = check_covered(
        command.conn(),
        &ctx.config().thresholds,
        current.buyer_id,
        &spec,
    )
    .await?;
    let before = view(command.conn(), None, current.clone(), status).await?;
    let changed = persistence::tenders::replace_draft(
        command.conn(),
        &current,
        &spec,
        above,
        changes.criteria.is_some(),
        command.now(),
    )
    .await?
    .ok_or_else(|| ServiceError::Stale("The tender changed while you edited it.".to_owned()))?;
    let shown = view(command.conn(), None, changed, TenderStatus::Draft).await?;
    audit_change(&command, Some(*actor), "tender.updated", &before, &shown).await?;
    command.commit().await?;
    Ok(shown)
}

/// Publishes a draft: both deadlines must still be ahead by the clock. Suppliers whose
/// published offers match its category and region (or, for an invited tender, the invited
/// ones) are notified.
pub async fn publish(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    expected: &Expected,
) -> Result<TenderView, ServiceError> {
    let (command, current, status) = lead_command(ctx, actor, id, "publish this tender").await?;
    expected.check(current.version)?;
    let published_status = status.publish()?;
    let shown = publish_in(
        &command,
        &ctx.config().thresholds,
        Some(*actor),
        current,
        published_status,
    )
    .await?;
    command.commit().await?;
    Ok(shown)
}

/// Publishes `current` inside `command`: checks the deadlines against the command's clock and,
/// above threshold, the Act's rules and minimum tendering period (s.54, counted from now: the
/// tender notice is published with it); fixes whether it is above threshold; notifies the
/// suppliers concerned and audits. `actor` is `None` only for the demo loader.
async fn publish_in(
    command: &Command,
    thresholds: &Thresholds,
    actor: Option<Actor>,
    current: Tender,
    published_status: TenderStatus,
) -> Result<TenderView, ServiceError> {
    let now = command.now();
    tender::Deadlines::new(current.clarification_deadline, current.submission_deadline)?
        .check_ahead_of(now)?;
    let above = above_threshold(
        command.conn(),
        thresholds,
        current.buyer_id,
        current.estimated_value_pence,
    )
    .await?;
    if above {
        let mut v = Validator::new();
        let standstill = u8::try_from(current.standstill_days).unwrap_or(u8::MAX);
        v.check(domain::procurement::check_covered(
            above,
            current.procedure,
            standstill,
        ));
        v.check(Period::Tendering.check(
            "/submission_deadline",
            now,
            current.submission_deadline,
            Circumstances {
                urgency: current.urgency_reason.is_some(),
                // Tenders are only ever submitted here, electronically, and the tender notice
                // carries the whole specification.
                electronic_with_documents: true,
                ..Circumstances::default()
            },
        ));
        v.finish()?;
    }
    let before = view(command.conn(), None, current.clone(), current.status).await?;
    let published = persistence::tenders::set_status(
        command.conn(),
        &current,
        published_status,
        Transition {
            above_threshold: above,
            ..Transition::default()
        },
        now,
    )
    .await?;
    let recipients = match published.procedure {
        Procedure::Invited => published.invited.clone(),
        Procedure::Open => {
            persistence::notifications::suppliers_offering(
                command.conn(),
                &published.category,
                published.region,
            )
            .await?
        }
    };
    crate::notify(
        command,
        &recipients,
        NotificationKind::TenderPublished,
        published.id,
        format!("New tender: {}", published.title),
        format!(
            "{} has published a tender you may bid on. Questions close {}; bids close {}.",
            before.buyer_name,
            published.clarification_deadline.to_rfc3339(),
            published.submission_deadline.to_rfc3339()
        ),
    )
    .await?;
    let shown = view(command.conn(), None, published, published_status).await?;
    audit_change(command, actor, "tender.published", &before, &shown).await?;
    // An open tender is advertised by its tender notice; an invited quotation (below threshold
    // only) is not advertised.
    if shown.tender.procedure == Procedure::Open {
        crate::notices::publish_for_tender(
            command,
            actor.as_ref(),
            NoticeType::Uk4,
            &shown.tender,
            published_status,
            None,
            json!({
                "procedure": shown.tender.procedure.as_str(),
                "above_threshold": shown.tender.above_threshold,
                "estimated_value_pence": shown.tender.estimated_value_pence,
                "contract_term_months": shown.tender.contract_term_months,
                "clarification_deadline": shown.tender.clarification_deadline,
                "submission_deadline": shown.tender.submission_deadline,
                "urgency_reason": shown.tender.urgency_reason,
                "criteria": shown.tender.criteria.iter().map(|c| json!({"name": c.name, "kind": c.kind.as_str(), "weight": c.weight})).collect::<Vec<_>>(),
            }),
        )
        .await?;
    }
    Ok(shown)
}

/// An amendment to a published tender: a note for bidders, and optionally a clarified
/// description and later deadlines.
#[derive(Debug, Clone, Default)]
pub struct AmendmentInput {
    pub note: String,
    pub description: Option<String>,
    pub clarification_deadline: Option<DateTime<Utc>>,
    pub submission_deadline: Option<DateTime<Utc>>,
}

/// Amends a published tender before its deadline. A changed description or submission deadline
/// reopens every live bid for confirmation; every bidder and asker is notified.
pub async fn amend(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    input: &AmendmentInput,
) -> Result<TenderView, ServiceError> {
    let (command, current, status) = lead_command(ctx, actor, id, "amend this tender").await?;
    if current.deadlines_apply() {
        check_before(current.submission_deadline, command.now(), "amendments")?;
    }
    status.check_amendable()?;
    let deadlines =
        tender::Deadlines::new(current.clarification_deadline, current.submission_deadline)?;
    let amendment = Amendment::parse(
        &input.note,
        input.description.as_deref(),
        input.clarification_deadline,
        input.submission_deadline,
        &current.description,
        &deadlines,
        command.now(),
    )?;
    let reopened = if amendment.needs_confirmation {
        persistence::bids::require_confirmation(command.conn(), current.id).await?
    } else {
        Vec::new()
    };
    let number = i32::try_from(
        persistence::tenders::amendments(command.conn(), current.id)
            .await?
            .len(),
    )
    .unwrap_or(i32::MAX - 1)
        + 1;
    let record = AmendmentRecord {
        number,
        note: amendment.note.clone(),
        description_before: amendment
            .description
            .as_ref()
            .map(|_| current.description.clone()),
        description_after: amendment.description.clone(),
        clarification_deadline_before: current.clarification_deadline,
        clarification_deadline_after: amendment.deadlines.clarification(),
        submission_deadline_before: current.submission_deadline,
        submission_deadline_after: amendment.deadlines.submission(),
        bids_reopened: i32::try_from(reopened.len()).unwrap_or(i32::MAX),
        amended_by: actor.user_id,
        amended_at: command.now(),
    };
    let before = view(command.conn(), None, current.clone(), status).await?;
    let amended = persistence::tenders::amend(command.conn(), &current, &record).await?;
    let mut recipients = persistence::bids::bidders(command.conn(), current.id).await?;
    recipients.extend(persistence::tenders::askers(command.conn(), current.id).await?);
    let action = if amendment.needs_confirmation {
        " Your bid will be evaluated only if you confirm or revise it before the deadline."
    } else {
        ""
    };
    crate::notify(
        &command,
        &recipients,
        NotificationKind::TenderAmended,
        amended.id,
        format!("Tender amended: {}", amended.title),
        format!(
            "Amendment {number}: {}{action} Bids close {}.",
            amendment.note,
            amended.submission_deadline.to_rfc3339()
        ),
    )
    .await?;
    let after = view(command.conn(), None, amended, status).await?;
    audit_change(&command, Some(*actor), "tender.amended", &before, &after).await?;
    if crate::notices::has_notice(command.conn(), after.tender.id).await? {
        crate::notices::publish_for_tender(
            &command,
            Some(actor),
            NoticeType::Uk4,
            &after.tender,
            status,
            None,
            json!({
                "amendment": number,
                "note": amendment.note,
                "description_changed": amendment.description.is_some(),
                "clarification_deadline": after.tender.clarification_deadline,
                "submission_deadline": after.tender.submission_deadline,
            }),
        )
        .await?;
    }
    command.commit().await?;
    // Only the buyer's lead amends, and it sees the confidential fields the audit view holds.
    Ok(after)
}

/// Cancels a tender before award (any award in its standstill lapses), for `reason`.
pub async fn cancel(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    reason: &str,
) -> Result<TenderView, ServiceError> {
    let (command, current, status) = lead_command(ctx, actor, id, "cancel this tender").await?;
    let reason = cancellation_reason(reason)?;
    let cancelled_status = status.cancel()?;
    let shown = cancel_in(&command, Some(*actor), current, cancelled_status, reason).await?;
    command.commit().await?;
    Ok(shown)
}

/// Cancels `current` inside `command` for `reason` (already parsed). `actor` is `None` only for
/// the demo loader.
async fn cancel_in(
    command: &Command,
    actor: Option<Actor>,
    current: Tender,
    cancelled_status: TenderStatus,
    reason: String,
) -> Result<TenderView, ServiceError> {
    let before = view(command.conn(), None, current.clone(), current.status).await?;
    cancel_award_of(command, current.id).await?;
    let cancelled = persistence::tenders::set_status(
        command.conn(),
        &current,
        cancelled_status,
        Transition {
            cancellation_reason: Some(reason),
            ..Transition::default()
        },
        command.now(),
    )
    .await?;
    let shown = view(command.conn(), None, cancelled, cancelled_status).await?;
    audit_change(command, actor, "tender.cancelled", &before, &shown).await?;
    crate::notices::terminated(
        command,
        actor.as_ref(),
        &shown.tender,
        cancelled_status,
        shown
            .tender
            .cancellation_reason
            .as_deref()
            .unwrap_or_default(),
    )
    .await?;
    Ok(shown)
}

/// Cancels the tender's award in force, if it is still in its standstill, and lapses its open
/// challenges.
async fn cancel_award_of(command: &Command, tender: TenderId) -> Result<(), ServiceError> {
    if let Some(award) = persistence::awards::in_force(command.conn(), tender).await?
        && award.status == persistence::awards::AwardStatus::Standstill
    {
        persistence::awards::set_status(
            command.conn(),
            award.id,
            persistence::awards::AwardStatus::Cancelled,
            command.now(),
        )
        .await?;
        persistence::awards::lapse_open(command.conn(), award.id, command.now()).await?;
    }
    Ok(())
}
