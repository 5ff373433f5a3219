//! Clarification questions: a supplier able to bid asks before the clarification deadline; the
//! buyer's lead answers before the submission deadline. An answer is visible to every supplier,
//! the asker's identity only to the buyer (and to the asker itself).

use crate::tenders::{lock_and_settle, visible_scope};
use crate::{Ctx, ServiceError};
use domain::DomainError;
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::bid::{self, ClarificationView, NotificationKind};
use domain::ids::{ClarificationId, TenderId};
use domain::tender::{Procedure, TenderStatus, can_view_tender, check_before};
use persistence::tenders::Clarification;
use serde_json::json;

/// A question as one viewer may see it: the asker's organisation only when `view` says so.
#[derive(Debug, Clone)]
pub struct ClarificationSeen {
    pub clarification: Clarification,
    pub view: ClarificationView,
    /// Whether the viewer's organisation asked it.
    pub asked_by_viewer: bool,
}

fn seen(actor: &Actor, clarification: Clarification, view: ClarificationView) -> ClarificationSeen {
    ClarificationSeen {
        asked_by_viewer: actor.organisation_id == clarification.asked_by_organisation_id,
        clarification,
        view,
    }
}

/// What the audit log records of a question (the asker included: the log is for oversight).
fn audit_value(c: &Clarification, actor: &Actor) -> serde_json::Value {
    json!({
        "id": c.id,
        "tender_id": c.tender_id,
        "question": c.question,
        "asked_at": c.asked_at,
        "asked_by_organisation_id": c.asked_by_organisation_id,
        "asked_by_you": actor.organisation_id == c.asked_by_organisation_id,
        "answer": c.answer,
        "answered_at": c.answered_at,
    })
}

/// Asks a question on a published tender, before its clarification deadline.
pub async fn ask(
    ctx: &Ctx,
    actor: &Actor,
    tender: TenderId,
    question: &str,
) -> Result<ClarificationSeen, ServiceError> {
    let mut command = ctx.command().await?;
    let (current, status) = lock_and_settle(&mut command, tender).await?;
    let scope = current.scope(status);
    if !can_view_tender(actor, &scope) {
        return Err(DomainError::NotFound("tender").into());
    }
    if !domain::tender::can_ask_questions(actor, &scope, current.shortlisted_at.is_some()) {
        return Err(DomainError::Forbidden(
            "only suppliers able to bid on the tender may ask questions".to_owned(),
        )
        .into());
    }
    let question = bid::question(question)?;
    if current.deadlines_apply() {
        check_before(current.clarification_deadline, command.now(), "questions")?;
    }
    if status != TenderStatus::Published {
        return Err(ServiceError::conflict(format!(
            "a {status} tender takes no questions"
        )));
    }
    let asked = persistence::tenders::insert_clarification(
        command.conn(),
        current.id,
        actor.organisation_id,
        actor.user_id,
        &question,
        command.now(),
    )
    .await?;
    command
        .audit(
            AuditEntry::by(actor, "clarification.asked", "clarification", asked.id)
                .after(audit_value(&asked, actor)),
        )
        .await?;
    command.commit().await?;
    Ok(seen(actor, asked, ClarificationView::WithAsker))
}

/// The questions on a tender that `actor` may see, oldest first.
pub async fn list(
    ctx: &Ctx,
    actor: &Actor,
    tender: TenderId,
) -> Result<Vec<ClarificationSeen>, ServiceError> {
    let (tender, scope) = visible_scope(ctx, actor, tender).await?;
    Ok(
        persistence::tenders::clarifications(ctx.db().conn(), tender.id)
            .await?
            .into_iter()
            .filter_map(|c| {
                let view = bid::clarification_view(
                    actor,
                    &scope,
                    c.asked_by_organisation_id,
                    c.answer.is_some(),
                );
                (view != ClarificationView::Hidden).then(|| seen(actor, c, view))
            })
            .collect(),
    )
}

/// Answers a question (the buyer's lead), before the submission deadline; every supplier that
/// may bid is told.
pub async fn answer(
    ctx: &Ctx,
    actor: &Actor,
    tender: TenderId,
    id: ClarificationId,
    answer: &str,
) -> Result<ClarificationSeen, ServiceError> {
    let mut command = ctx.command().await?;
    let (current, status) = lock_and_settle(&mut command, tender).await?;
    current
        .scope(status)
        .check_lead(actor, "answer questions on this tender")?;
    let question = persistence::tenders::find_clarification(command.conn(), current.id, id)
        .await?
        .ok_or(DomainError::NotFound("clarification"))?;
    let answer = bid::answer(answer)?;
    if current.deadlines_apply() {
        check_before(current.submission_deadline, command.now(), "answers")?;
    }
    if status != TenderStatus::Published {
        return Err(ServiceError::conflict(format!(
            "questions on a {status} tender can no longer be answered"
        )));
    }
    let answered = persistence::tenders::answer_clarification(
        command.conn(),
        &question,
        &answer,
        actor.user_id,
        command.now(),
    )
    .await?
    .ok_or_else(|| ServiceError::conflict("the question is already answered"))?;
    let recipients = match current.procedure {
        Procedure::Invited => current.invited.clone(),
        Procedure::Open | Procedure::CompetitiveFlexible | Procedure::DirectAward => {
            persistence::notifications::all_suppliers(command.conn()).await?
        }
    };
    crate::notify(
        &command,
        &recipients,
        NotificationKind::ClarificationAnswered,
        current.id,
        format!("Question answered: {}", current.title),
        format!("Q: {}\nA: {}", answered.question, answer),
    )
    .await?;
    command
        .audit(
            AuditEntry::by(
                actor,
                "clarification.answered",
                "clarification",
                answered.id,
            )
            .after(audit_value(&answered, actor)),
        )
        .await?;
    command.commit().await?;
    Ok(seen(actor, answered, ClarificationView::WithAsker))
}
