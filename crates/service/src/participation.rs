//! A competitive flexible procedure's participation stage (Procurement Act 2023 s.20(2)(b)):
//! suppliers request to participate until the expression-of-interest deadline (by the database
//! clock, the tender's row locked); then the lead decides the shortlist once, a reason for every
//! request, and sets the tendering period (at least 25 days above threshold, s.54(4)); each
//! requester is told its own decision; only the admitted tender.

use crate::tenders::{TenderView, lead_command, lock_and_settle, view, visible_now};
use crate::{Ctx, ServiceError, notify};
use chrono::{DateTime, Utc};
use domain::DomainError;
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::bid::NotificationKind;
use domain::ids::{OrganisationId, TenderId};
use domain::participation::{self, DecisionInput};
use domain::procurement::{Circumstances, Period};
use domain::tender::{Procedure, TenderStatus, can_view_tender, check_before};
use domain::user::Role;
use persistence::participation::{Decision, ParticipationRequest};
use persistence::tenders::Tender;
use serde_json::json;

/// A request as one viewer may see it, with its supplier's name.
#[derive(Debug, Clone)]
pub struct RequestView {
    pub request: ParticipationRequest,
    pub supplier_name: String,
}

/// What the audit log keeps of a request: not the statement, which only the supplier and, once
/// requests close, the buyer read.
fn request_audit(r: &ParticipationRequest) -> serde_json::Value {
    json!({
        "id": r.id,
        "tender_id": r.tender_id,
        "supplier_id": r.supplier_id,
        "version": r.version,
        "submitted_at": r.submitted_at,
        "updated_at": r.updated_at,
        "admitted": r.admitted,
        "decided_at": r.decided_at,
    })
}

fn require_participation(tender: &Tender) -> Result<DateTime<Utc>, ServiceError> {
    match (tender.procedure, tender.expression_of_interest_deadline) {
        (Procedure::CompetitiveFlexible, Some(deadline)) => Ok(deadline),
        _ => Err(ServiceError::conflict(
            "only a competitive flexible procedure has a participation stage",
        )),
    }
}

async fn named(
    conn: &impl sea_orm::ConnectionTrait,
    requests: Vec<ParticipationRequest>,
) -> Result<Vec<RequestView>, ServiceError> {
    let ids: Vec<OrganisationId> = requests.iter().map(|r| r.supplier_id).collect();
    let names = persistence::organisations::names(conn, &ids).await?;
    Ok(requests
        .into_iter()
        .map(|request| RequestView {
            supplier_name: names.get(&request.supplier_id).cloned().unwrap_or_default(),
            request,
        })
        .collect())
}

/// A supplier requests to participate, or revises its request, before the
/// expression-of-interest deadline. Returns the request and whether it is new.
pub async fn request(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    statement: &str,
) -> Result<(RequestView, bool), ServiceError> {
    if actor.role != Role::SupplierBidder {
        return Err(ServiceError::Forbidden(format!(
            "a {} may not request to participate; a supplier_bidder may",
            actor.role
        )));
    }
    let mut command = ctx.command().await?;
    let (tender, status) = lock_and_settle(&mut command, id).await?;
    if !can_view_tender(actor, &tender.scope(status)) {
        return Err(DomainError::NotFound("tender").into());
    }
    let deadline = require_participation(&tender)?;
    check_before(deadline, command.now(), "requests to participate")?;
    if status != TenderStatus::Published {
        return Err(ServiceError::conflict(format!(
            "a {status} tender takes no requests to participate"
        )));
    }
    let statement = participation::statement(statement)?;
    let before =
        persistence::participation::of_supplier(command.conn(), tender.id, actor.organisation_id)
            .await?;
    let after = persistence::participation::submit(
        command.conn(),
        tender.id,
        actor.organisation_id,
        &statement,
        actor.user_id,
        command.now(),
    )
    .await?;
    let mut entry = AuditEntry::by(
        actor,
        if before.is_some() {
            "participation.revised"
        } else {
            "participation.requested"
        },
        "participation_request",
        after.id,
    )
    .after(request_audit(&after));
    if let Some(before) = &before {
        entry = entry.before(request_audit(before));
    }
    command.audit(entry).await?;
    let mut shown = named(command.conn(), vec![after]).await?;
    command.commit().await?;
    Ok((shown.remove(0), before.is_none()))
}

/// The requests on a tender: a supplier its own; the buyer, the regulator and admins every one
/// once requests close (before then they are sealed, like bids).
pub async fn requests(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
) -> Result<Vec<RequestView>, ServiceError> {
    let conn = ctx.db().conn();
    let (tender, status, now) = visible_now(ctx, actor, id).await?;
    let deadline = require_participation(&tender)?;
    let scope = tender.scope(status);
    let all = match actor.role {
        Role::SupplierBidder => {
            let own =
                persistence::participation::of_supplier(conn, tender.id, actor.organisation_id)
                    .await?;
            return named(conn, own.into_iter().collect()).await;
        }
        Role::BuyerLead | Role::BuyerEvaluator if scope.is_buyer(actor) => true,
        Role::Regulator | Role::Admin => true,
        _ => false,
    };
    if !all {
        return Err(ServiceError::Forbidden(
            "requests to participate are for the tender's buyer, the regulator and admins"
                .to_owned(),
        ));
    }
    if now < deadline {
        return Err(DomainError::Sealed(format!(
            "requests to participate are sealed until the expression-of-interest deadline, {}",
            deadline.to_rfc3339()
        ))
        .into());
    }
    named(
        conn,
        persistence::participation::of_tender(conn, tender.id).await?,
    )
    .await
}

/// The shortlist as the lead sends it.
#[derive(Debug, Clone, Default)]
pub struct ShortlistInput {
    pub decisions: Vec<DecisionInput>,
    /// A new submission deadline; otherwise the tender's stands.
    pub submission_deadline: Option<DateTime<Utc>>,
}

/// The lead decides the shortlist once requests have closed: a decision with its reason for
/// every request, and the tendering period from now to the submission deadline (at least its
/// minimum above threshold, s.54(4)). Every requester is told its own decision.
pub async fn shortlist(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    input: &ShortlistInput,
) -> Result<TenderView, ServiceError> {
    let (command, tender, status) = lead_command(ctx, actor, id, "decide the shortlist").await?;
    let deadline = require_participation(&tender)?;
    let now = command.now();
    if status != TenderStatus::Published {
        return Err(ServiceError::conflict(format!(
            "a {status} tender is not shortlisted"
        )));
    }
    if now < deadline {
        return Err(ServiceError::conflict(format!(
            "requests to participate close at {}: the shortlist follows",
            deadline.to_rfc3339()
        )));
    }
    if tender.shortlisted_at.is_some() {
        return Err(ServiceError::conflict("the shortlist is already decided"));
    }
    let requests = persistence::participation::of_tender(command.conn(), tender.id).await?;
    let requesters: Vec<OrganisationId> = requests.iter().map(|r| r.supplier_id).collect();
    let decisions = participation::check_shortlist(&requesters, &input.decisions)?;
    let submission = input
        .submission_deadline
        .unwrap_or(tender.submission_deadline);
    if submission <= now {
        return Err(ServiceError::field(
            "/submission_deadline",
            "must be in the future: tenders are invited now",
        ));
    }
    if tender.above_threshold {
        let planned = match tender.planned_procurement_notice_id {
            Some(planned) => persistence::notices::find(command.conn(), planned).await?,
            None => None,
        };
        let qualifying = planned
            .zip(tender.published_at)
            .is_some_and(|(n, at)| domain::notice::qualifies_as_planned_notice(n.published_at, at));
        Period::Tendering.check(
            "/submission_deadline",
            now,
            submission,
            Circumstances {
                urgency: tender.urgency_reason.is_some(),
                planned_procurement_notice: qualifying,
                electronic_with_documents: true,
                ..Circumstances::default()
            },
        )?;
    }
    let before = view(command.conn(), None, tender.clone(), status).await?;
    let stored: Vec<Decision> = decisions
        .iter()
        .map(|d| Decision {
            supplier_id: d.supplier_id,
            admitted: d.admitted,
            reason: d.reason.clone(),
        })
        .collect();
    persistence::participation::shortlist(
        command.conn(),
        tender.id,
        &stored,
        tender.clarification_deadline.min(submission),
        submission,
        now,
    )
    .await?;
    for d in &decisions {
        let (subject, body) = if d.admitted {
            (
                format!("Shortlisted: {}", tender.title),
                format!(
                    "Your organisation is admitted to tender. {} Tenders close {}.",
                    d.reason,
                    submission.to_rfc3339()
                ),
            )
        } else {
            (
                format!("Not shortlisted: {}", tender.title),
                format!("Your organisation is not admitted to tender. {}", d.reason),
            )
        };
        notify(
            &command,
            &[d.supplier_id],
            NotificationKind::ParticipationDecided,
            tender.id,
            subject,
            body,
        )
        .await?;
    }
    let shortlisted = persistence::tenders::find(command.conn(), tender.id)
        .await?
        .ok_or(DomainError::NotFound("tender"))?;
    let shown = view(command.conn(), None, shortlisted, status).await?;
    command
        .audit(
            AuditEntry::by(actor, "tender.shortlisted", "tender", tender.id)
                .before(json!({
                    "submission_deadline": before.tender.submission_deadline,
                    "shortlisted_at": null,
                }))
                .after(json!({
                    "submission_deadline": shown.tender.submission_deadline,
                    "clarification_deadline": shown.tender.clarification_deadline,
                    "shortlisted_at": shown.tender.shortlisted_at,
                    "decisions": decisions.iter().map(|d| json!({
                        "supplier_id": d.supplier_id,
                        "admitted": d.admitted,
                        "reason": d.reason,
                    })).collect::<Vec<_>>(),
                })),
        )
        .await?;
    command.commit().await?;
    Ok(shown)
}
