//! Direct award (Procurement Act 2023 s.41 and Schedule 5): publishing it publishes the
//! transparency notice (UK5, s.44) and starts its standstill, 8 working days above threshold
//! beginning with the notice's day; during it any other supplier may challenge; after it, with
//! no open challenge, the lead enters the contract with the named supplier. No criteria, no bids.

use crate::contracts::ContractView;
use crate::tenders::{TenderView, view};
use crate::{ServiceError, notify};
use chrono::NaiveDate;
use domain::DomainError;
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::bid::NotificationKind;
use domain::calendar::uk_date;
use domain::contract::{self, ChallengeOutcome, ChallengeStatus, ContractTerm};
use domain::ids::BidId;
use domain::notice::NoticeType;
use domain::organisation::OrganisationKind;
use domain::tender::{DirectAwardTerms, TenderStatus};
use domain::user::Role;
use persistence::Command;
use persistence::awards::Challenge;
use persistence::tenders::Tender;
use serde_json::json;
use uuid::Uuid;

fn terms(tender: &Tender) -> Result<&DirectAwardTerms, ServiceError> {
    tender
        .direct_award
        .as_ref()
        .ok_or_else(|| ServiceError::Internal("a direct award without its terms".into()))
}

/// Checks that the supplier named is a supplier organisation.
pub(crate) async fn check_supplier<C: sea_orm::ConnectionTrait>(
    conn: &C,
    terms: &DirectAwardTerms,
) -> Result<(), ServiceError> {
    let found = persistence::organisations::find(conn, terms.supplier_id).await?;
    if found.is_some_and(|o| o.kind == OrganisationKind::Supplier) {
        Ok(())
    } else {
        Err(ServiceError::field(
            "/direct_award_supplier_id",
            "is not a supplier organisation",
        ))
    }
}

/// Publishes the direct award inside `command`: the transparency notice (UK5) and its
/// standstill, beginning with the notice's day (s.44, s.51 working days).
pub(crate) async fn publish_in(
    command: &Command,
    actor: Option<Actor>,
    current: Tender,
    above_threshold: bool,
) -> Result<TenderView, ServiceError> {
    let next = current.status.publish_direct_award()?;
    let terms = terms(&current)?.clone();
    check_supplier(command.conn(), &terms).await?;
    let now = command.now();
    let standstill = crate::calendar::standstill_from_now(command, current.standstill_days).await?;
    let before = view(command.conn(), None, current.clone(), current.status).await?;
    let published = persistence::tenders::start_transparency_standstill(
        command.conn(),
        &current,
        standstill.last_day,
        standstill.ends_at,
        above_threshold,
        now,
    )
    .await?;
    let supplier = persistence::organisations::get(command.conn(), terms.supplier_id).await?;
    notify(
        command,
        &[terms.supplier_id],
        NotificationKind::TenderPublished,
        published.id,
        format!("Direct award intended: {}", published.title),
        format!(
            "{} intends to award this contract to your organisation directly (Schedule 5 \
             paragraph {}). The standstill runs until {}; the contract may be entered after it.",
            before.buyer_name,
            terms.ground.paragraph(),
            standstill.ends_at.to_rfc3339()
        ),
    )
    .await?;
    let shown = view(command.conn(), None, published, next).await?;
    command
        .audit(
            AuditEntry::new(actor, "tender.published", "tender", shown.tender.id)
                .before(crate::tenders::audit_value(&before))
                .after(crate::tenders::audit_value(&shown)),
        )
        .await?;
    crate::notices::publish_for_tender(
        command,
        actor.as_ref(),
        NoticeType::Uk5,
        &shown.tender,
        next,
        None,
        json!({
            "direct_award_ground": terms.ground.as_str(),
            "schedule_5_paragraph": terms.ground.paragraph(),
            "justification": terms.justification,
            "supplier_id": terms.supplier_id,
            "supplier_name": supplier.name,
            "value_pence": shown.tender.estimated_value_pence,
            "above_threshold": shown.tender.above_threshold,
            "standstill_last_day": standstill.last_day,
            "standstill_ends_at": standstill.ends_at,
        }),
    )
    .await?;
    Ok(shown)
}

/// The end of the direct award's standstill, once published.
fn standstill_end(tender: &Tender) -> Result<chrono::DateTime<chrono::Utc>, ServiceError> {
    tender
        .transparency_standstill_ends_at
        .ok_or_else(|| ServiceError::conflict("the direct award is not published"))
}

/// Any supplier but the one named challenges the direct award during its standstill.
pub(crate) async fn lodge_challenge(
    command: &Command,
    actor: &Actor,
    tender: &Tender,
    status: TenderStatus,
    grounds: &str,
) -> Result<Challenge, ServiceError> {
    let terms = terms(tender)?;
    if terms.supplier_id == actor.organisation_id {
        return Err(ServiceError::Forbidden(
            "the supplier to be awarded does not challenge its own award".to_owned(),
        ));
    }
    let grounds = contract::grounds(grounds)?;
    if status != TenderStatus::Standstill {
        return Err(ServiceError::conflict(format!(
            "a {status} direct award has no standstill to challenge"
        )));
    }
    contract::check_challenge_window(standstill_end(tender)?, command.now())?;
    let existing = persistence::direct_awards::challenges(command.conn(), tender.id).await?;
    if existing
        .iter()
        .any(|c| c.supplier_id == actor.organisation_id && c.status == ChallengeStatus::Open)
    {
        return Err(ServiceError::conflict(
            "your organisation already has an open challenge to this direct award",
        ));
    }
    Ok(persistence::direct_awards::lodge(
        command.conn(),
        tender.id,
        actor.organisation_id,
        &grounds,
        actor.user_id,
        command.now(),
    )
    .await?)
}

/// The direct award's challenges: the buyer, the regulator and admins all; a supplier its own.
pub(crate) async fn challenges<C: sea_orm::ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tender: &Tender,
    buyer: bool,
) -> Result<Vec<Challenge>, ServiceError> {
    let all = persistence::direct_awards::challenges(conn, tender.id).await?;
    Ok(match actor.role {
        Role::SupplierBidder => all
            .into_iter()
            .filter(|c| c.supplier_id == actor.organisation_id)
            .collect(),
        Role::Regulator | Role::Admin => all,
        _ if buyer => all,
        _ => {
            return Err(ServiceError::Forbidden(
                "only the buyer, the challengers, the regulator and admins see challenges"
                    .to_owned(),
            ));
        }
    })
}

/// The lead resolves a challenge: dismissed, the direct award stands; upheld, it is withdrawn
/// (the procurement is cancelled, with its termination notice) and other open challenges lapse.
pub(crate) async fn resolve_challenge(
    command: &Command,
    actor: &Actor,
    tender: &Tender,
    status: TenderStatus,
    challenge_id: Uuid,
    outcome: ChallengeOutcome,
    notes: &str,
) -> Result<Challenge, ServiceError> {
    let found = persistence::direct_awards::challenges(command.conn(), tender.id)
        .await?
        .into_iter()
        .find(|c| c.id == challenge_id)
        .ok_or(DomainError::NotFound("challenge"))?;
    let notes = contract::resolution_notes(notes)?;
    let resolved = found.status.resolve(outcome)?;
    let upheld = outcome == ChallengeOutcome::Upheld;
    persistence::direct_awards::resolve(
        command.conn(),
        tender.id,
        found.id,
        resolved,
        &notes,
        actor.user_id,
        command.now(),
        upheld,
    )
    .await?;
    if upheld {
        let cancelled = status.cancel()?;
        let reason = format!("A challenge to the direct award was upheld: {notes}");
        let after = persistence::tenders::set_status(
            command.conn(),
            tender,
            cancelled,
            persistence::tenders::Transition {
                cancellation_reason: Some(reason.clone()),
                ..persistence::tenders::Transition::default()
            },
            command.now(),
        )
        .await?;
        crate::notices::terminated(command, Some(actor), &after, cancelled, &reason).await?;
        command
            .audit(
                AuditEntry::by(actor, "tender.cancelled", "tender", tender.id)
                    .before(json!({"status": status.as_str()}))
                    .after(json!({"status": cancelled.as_str(), "cancellation_reason": reason})),
            )
            .await?;
    }
    notify(
        command,
        &[found.supplier_id],
        NotificationKind::ChallengeResolved,
        tender.id,
        format!("Challenge {}: {}", resolved.as_str(), tender.title),
        notes,
    )
    .await?;
    persistence::direct_awards::challenges(command.conn(), tender.id)
        .await?
        .into_iter()
        .find(|c| c.id == challenge_id)
        .ok_or_else(|| DomainError::NotFound("challenge").into())
}

/// The lead enters the contract with the named supplier once the standstill has ended with no
/// open challenge: its value is the tender's estimated value.
pub(crate) async fn confirm_contract(
    command: &Command,
    actor: &Actor,
    tender: &Tender,
    status: TenderStatus,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
) -> Result<ContractView, ServiceError> {
    let next = status.confirm_award()?;
    let terms = terms(tender)?.clone();
    let ends_at = standstill_end(tender)?;
    let open = persistence::direct_awards::challenges(command.conn(), tender.id)
        .await?
        .into_iter()
        .filter(|c| c.status == ChallengeStatus::Open)
        .count();
    let now = command.now();
    contract::check_contract_may_start(ends_at, now, open)?;
    let term = ContractTerm::parse(
        start_date,
        end_date,
        u32::try_from(tender.contract_term_months).unwrap_or(1),
        uk_date(ends_at),
    )?;
    let value = tender.estimated_value_pence;
    let created = persistence::contracts::insert(
        command.conn(),
        persistence::contracts::NewContract {
            tender_id: tender.id,
            lot_id: None,
            framework_id: None,
            call_off_id: None,
            // A direct award has no competitive award and no bid: the award is the tender's
            // own decision, and no bid is named.
            award_id: tender.id.as_uuid(),
            bid_id: BidId::from_uuid(Uuid::nil()),
            buyer_id: tender.buyer_id,
            awarded_supplier_id: terms.supplier_id,
            title: tender.title.clone(),
            category: tender.category.clone(),
            region: tender.region,
            total_value_pence: value,
            annual_value_pence: term.annual_value_pence(value),
            start_date: term.start_date,
            end_date: term.end_date,
            awarded_at: tender.published_at.unwrap_or(now),
            created_by: actor.user_id,
        },
        now,
        uk_date(now),
    )
    .await?;
    persistence::tenders::set_status(
        command.conn(),
        tender,
        next,
        persistence::tenders::Transition::default(),
        now,
    )
    .await?;
    notify(
        command,
        &[terms.supplier_id],
        NotificationKind::ContractAwarded,
        tender.id,
        format!("Contract entered: {}", tender.title),
        format!(
            "The contract runs from {} to {}.",
            term.start_date, term.end_date
        ),
    )
    .await?;
    crate::awards::contract_entered(command, actor, tender, status, next, created).await
}

/// Whether the tender is a direct award (the award commands branch on it).
pub(crate) fn is_direct(tender: &Tender) -> bool {
    tender.procedure == domain::tender::Procedure::DirectAward
}
