//! A tender's public life: publication (with its minimum periods and its tender notice),
//! amendments (each a changed notice, every bidder told), and cancellation.

use super::*;

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
    let above = above_threshold(
        command.conn(),
        thresholds,
        current.buyer_id,
        current.estimated_value_pence,
    )
    .await?;
    if current.procedure == Procedure::DirectAward {
        let mut v = Validator::new();
        v.check(domain::procurement::check_covered(
            above,
            current.procedure,
            u8::try_from(current.standstill_days).unwrap_or(u8::MAX),
        ));
        v.check(current.division().check_above_threshold(above));
        v.finish()?;
        return crate::direct_awards::publish_in(command, actor, current, above).await;
    }
    tender::Deadlines::new(current.clarification_deadline, current.submission_deadline)?
        .check_ahead_of(now)?;
    if let Some(deadline) = current.expression_of_interest_deadline
        && deadline <= now
    {
        return Err(ServiceError::field(
            "/expression_of_interest_deadline",
            "must be in the future when the tender is published",
        ));
    }
    // A call-off's competition has no statutory minimum period (its framework had them).
    if above && current.call_off_of.is_none() {
        let mut v = Validator::new();
        let standstill = u8::try_from(current.standstill_days).unwrap_or(u8::MAX);
        v.check(domain::procurement::check_covered(
            above,
            current.procedure,
            standstill,
        ));
        v.check(current.division().check_above_threshold(above));
        // A planned procurement notice shortens the tendering period only when it was
        // published 40 days to a year before this tender notice (s.54(5)).
        let planned = match current.planned_procurement_notice_id {
            Some(id) => planned_notice(command.conn(), current.buyer_id, id).await?,
            None => None,
        };
        let qualifying = planned
            .as_ref()
            .is_some_and(|n| domain::notice::qualifies_as_planned_notice(n.published_at, now));
        let circumstances = Circumstances {
            urgency: current.urgency_reason.is_some(),
            planned_procurement_notice: qualifying,
            // Tenders are only ever submitted here, electronically, and the associated tender
            // documents (s.21) are the draft's documents, public from the moment the tender
            // notice is: provided with it. One added later is a modification (s.31), whose time
            // the lead weighs (s.54(1)(d)); no table row turns on it.
            electronic_with_documents: true,
            ..Circumstances::default()
        };
        // A competitive flexible procedure's first period is its participation period, from the
        // tender notice to the expression-of-interest deadline (s.54(3)); its tendering period
        // runs from the shortlist and is checked then.
        let period = match current.expression_of_interest_deadline {
            Some(deadline) => v.check(Period::Participation.check(
                "/expression_of_interest_deadline",
                now,
                deadline,
                circumstances,
            )),
            None => v.check(Period::Tendering.check(
                "/submission_deadline",
                now,
                current.submission_deadline,
                circumstances,
            )),
        };
        if period.is_none()
            && current.expression_of_interest_deadline.is_none()
            && let Some(notice) = planned.filter(|_| !qualifying)
        {
            v.push(FieldError::new(
                "/planned_procurement_notice_id",
                format!(
                    "was published on {}: a planned procurement notice shortens the tendering \
                     period only when published at least 40 days and at most a year before the \
                     tender notice (s.54(5))",
                    domain::calendar::uk_date(notice.published_at)
                ),
            ));
        }
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
        Procedure::Open | Procedure::CompetitiveFlexible | Procedure::DirectAward => {
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
    if shown.tender.procedure.is_advertised() {
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
                "planned_procurement_notice_id": shown.tender.planned_procurement_notice_id,
                "expression_of_interest_deadline": shown.tender.expression_of_interest_deadline,
                "conditions_of_participation": shown.tender.conditions_of_participation,
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
    let after = record_amendment(&command, actor, &current, status, &amendment, json!({})).await?;
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
    domain::tender::check_lots_cancellable(&current.lot_statuses())?;
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
    crate::call_offs::tender_ended(command, &current, None, &reason).await?;
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

/// Cancels the tender's awards in force (one, or one per lot) still in their standstill, and
/// lapses their open challenges.
async fn cancel_award_of(command: &Command, tender: TenderId) -> Result<(), ServiceError> {
    for award in persistence::awards::all_in_force(command.conn(), tender).await? {
        if award.status != persistence::awards::AwardStatus::Standstill {
            continue;
        }
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

/// Records `amendment` of the published tender `current` inside `command` (which holds its
/// lock): reopens the live bids when it must, keeps it in the history, tells every bidder and
/// asker, audits it and publishes the changed tender notice (`notice` adds what this change
/// says). The tender as amended.
pub(crate) async fn record_amendment(
    command: &Command,
    actor: &Actor,
    current: &Tender,
    status: TenderStatus,
    amendment: &Amendment,
    notice: serde_json::Value,
) -> Result<TenderView, ServiceError> {
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
    let amended = persistence::tenders::amend(command.conn(), current, &record).await?;
    let mut recipients = persistence::bids::bidders(command.conn(), current.id, None).await?;
    recipients.extend(persistence::tenders::askers(command.conn(), current.id).await?);
    let action = if amendment.needs_confirmation {
        " Your bid will be evaluated only if you confirm or revise it before the deadline."
    } else {
        ""
    };
    crate::notify(
        command,
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
    audit_change(command, Some(*actor), "tender.amended", &before, &after).await?;
    if crate::notices::has_notice(command.conn(), after.tender.id).await? {
        crate::notices::publish_for_tender(
            command,
            Some(actor),
            NoticeType::Uk4,
            &after.tender,
            status,
            None,
            {
                let mut details = json!({
                    "amendment": number,
                    "note": amendment.note,
                    "description_changed": amendment.description.is_some(),
                    "clarification_deadline": after.tender.clarification_deadline,
                    "submission_deadline": after.tender.submission_deadline,
                });
                if let (Some(details), serde_json::Value::Object(more)) =
                    (details.as_object_mut(), notice)
                {
                    details.extend(more);
                }
                details
            },
        )
        .await?;
    }
    Ok(after)
}
