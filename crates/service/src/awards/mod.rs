//! Award and standstill: the lead awards a fully scored tender, which sends every assessed
//! bidder its assessment summary, publishes the contract award notice (UK6) and starts the
//! standstill (working days, skipping weekends and bank holidays, beginning with the notice's
//! day); an unsuccessful bidder may challenge during the standstill; after it, with no open
//! challenge, the lead enters the contract.

use crate::contracts::ContractView;
use crate::evaluation::evaluate;
use crate::tenders::{lead_command, lock_and_settle, visible_now};
use crate::{Ctx, ServiceError, audit_json, notify};
use chrono::{DateTime, NaiveDate, Utc};
use domain::DomainError;
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::bid::NotificationKind;
use domain::calendar::uk_date;
use domain::contract::{self, ChallengeOutcome, ChallengeStatus, ContractTerm};
use domain::evaluation;
use domain::ids::{BidId, CriterionId, LotId, OrganisationId, TenderId};
use domain::notice::NoticeType;
use domain::tender::{TenderStatus, can_view_tender};
use domain::user::Role;
use persistence::Command;
use persistence::awards::{Award, AwardStatus, Challenge, NewAward};
use persistence::bids::BidSelection;
use persistence::tenders::{Tender, Transition};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

mod framework;
mod outcome;
pub use framework::*;
pub use outcome::*;

/// An award and its standstill, as one viewer may see it.
#[derive(Debug, Clone, Serialize)]
pub struct AwardView {
    pub id: Uuid,
    pub tender_id: TenderId,
    /// The lot awarded; none on an undivided tender.
    pub lot_id: Option<LotId>,
    pub bid_id: BidId,
    pub supplier_id: OrganisationId,
    pub supplier_name: String,
    pub rank: i32,
    /// Shown to the buyer, the regulator and admins only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    pub awarded_at: DateTime<Utc>,
    pub standstill_last_day: Option<NaiveDate>,
    pub standstill_ends_at: DateTime<Utc>,
    /// When every assessed bidder was sent its assessment summary.
    pub assessment_summaries_sent_at: Option<DateTime<Utc>>,
    pub status: &'static str,
}

fn award_view(award: Award, supplier_name: String, confidential: bool) -> AwardView {
    AwardView {
        id: award.id,
        tender_id: award.decision.tender_id,
        lot_id: award.decision.lot_id,
        bid_id: award.decision.bid_id,
        supplier_id: award.decision.supplier_id,
        supplier_name,
        rank: award.decision.rank,
        justification: award.decision.justification.filter(|_| confidential),
        awarded_at: award.decision.awarded_at,
        standstill_last_day: award.decision.standstill_last_day,
        standstill_ends_at: award.decision.standstill_ends_at,
        assessment_summaries_sent_at: award.decision.assessment_summaries_sent_at,
        status: award.status.as_str(),
    }
}

/// Tells every bidder on the tender (on `lot`, when one is named), inside the command.
async fn notify_bidders(
    command: &Command,
    tender: &Tender,
    lot: Option<LotId>,
    kind: NotificationKind,
    subject: String,
    body: String,
) -> Result<(), ServiceError> {
    let bidders = persistence::bids::bidders(command.conn(), tender.id, lot).await?;
    notify(command, &bidders, kind, tender.id, subject, body).await
}

/// What a notice or message calls the tender, or one lot of it.
fn subject_of(tender: &Tender, lot: Option<LotId>) -> String {
    match lot.and_then(|l| tender.lot(l)) {
        Some(lot) => format!("{}, lot {}: {}", tender.title, lot.number, lot.title),
        None => tender.title.clone(),
    }
}

/// The awards in force on `lot` of the tender (none: an undivided tender's), best-ranked first:
/// one, or a framework's one per admitted supplier.
pub(crate) async fn lot_awards<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tender: &Tender,
    lot: Option<LotId>,
) -> Result<Vec<Award>, ServiceError> {
    let mut awards: Vec<Award> = persistence::awards::all_in_force(conn, tender.id)
        .await?
        .into_iter()
        .filter(|a| a.decision.lot_id == lot)
        .collect();
    awards.sort_by_key(|a| a.decision.rank);
    Ok(awards)
}

/// The call-off a competitive selection tender runs for, if it does.
async fn call_off_of_tender<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tender: &Tender,
) -> Result<Option<domain::ids::CallOffId>, ServiceError> {
    if tender.call_off_of.is_none() {
        return Ok(None);
    }
    Ok(persistence::call_offs::of_tender(conn, tender.id)
        .await?
        .map(|c| c.id))
}

/// How many lots of the tender each supplier holds an award in force on.
async fn lots_won<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tender: &Tender,
) -> Result<std::collections::HashMap<OrganisationId, usize>, ServiceError> {
    let mut won = std::collections::HashMap::new();
    for award in persistence::awards::all_in_force(conn, tender.id).await? {
        *won.entry(award.decision.supplier_id).or_insert(0) += 1;
    }
    Ok(won)
}

/// The tender's lead awards the tender (or the lot the bid is for) to a bid once scoring is
/// complete: the top-ranked, or another with a written justification; a supplier already
/// holding the most lots one supplier may win is refused. Starts the standstill; every bidder
/// (on the lot) is notified. Of concurrent awards exactly one succeeds.
pub async fn award(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    bid_id: BidId,
    justification: Option<&str>,
) -> Result<AwardView, ServiceError> {
    let (command, tender, status) = lead_command(ctx, actor, id, "award this tender").await?;
    if tender.framework.is_some() {
        return Err(ServiceError::field(
            "/bid_ids",
            "is required: a framework admits its suppliers by naming their bids in bid_ids",
        ));
    }
    let undivided_next = status.start_standstill()?;
    let lot = persistence::bids::find(command.conn(), tender.id, bid_id)
        .await?
        .and_then(|b| b.lot_id);
    if let Some(lot) = lot.and_then(|l| tender.lot(l)) {
        lot.status.award()?;
    }
    let evaluated = evaluate(command.conn(), &tender, lot, command.now()).await?;
    let justification = if tender.is_divided() {
        let won = lots_won(command.conn(), &tender).await?;
        let division = tender.division();
        let at_limit = |bid: BidId| {
            evaluated.bids.get(&bid).is_some_and(|b| {
                !division.may_win_another(won.get(&b.supplier_id).copied().unwrap_or(0))
            })
        };
        domain::tender::check_lot_award(
            &division,
            &evaluated.ranking,
            bid_id,
            at_limit,
            justification,
        )?
    } else {
        evaluation::check_award(&evaluated.ranking, bid_id, justification)?
    };
    let ranked = evaluated
        .ranking
        .find(bid_id)
        .ok_or(DomainError::NotFound("bid"))?;
    let bid = evaluated
        .bids
        .get(&bid_id)
        .ok_or(DomainError::NotFound("bid"))?;
    let now = command.now();
    let standstill = crate::calendar::standstill_from_now(&command, tender.standstill_days).await?;
    let award = persistence::awards::insert(
        command.conn(),
        NewAward {
            tender_id: tender.id,
            lot_id: lot,
            framework: false,
            bid_id,
            supplier_id: bid.supplier_id,
            rank: i32::try_from(ranked.rank).unwrap_or(i32::MAX),
            justification,
            awarded_by: actor.user_id,
            awarded_at: now,
            standstill_last_day: standstill.last_day,
            standstill_ends_at: standstill.ends_at,
            assessment_summaries_sent_at: Some(now),
        },
    )
    .await?;
    // Every assessed bidder is sent its summary before the contract award notice (s.50(3)).
    let summaries = assess(&evaluated, &tender, &[bid_id]);
    send_summaries(&command, &award, &summaries).await?;
    let next = crate::tenders::settle_lot(
        &command,
        &tender,
        lot,
        domain::tender::LotStatus::Standstill,
        undivided_next,
        Transition::default(),
    )
    .await?;
    let winner = evaluated
        .names
        .get(&bid.supplier_id)
        .cloned()
        .unwrap_or_default();
    let (what, outcome_query) = match lot {
        Some(lot) => ("lot", format!("?lot={lot}")),
        None => ("tender", String::new()),
    };
    notify_bidders(
        &command,
        &tender,
        lot,
        NotificationKind::TenderAwarded,
        format!("Tender awarded: {}", subject_of(&tender, lot)),
        format!(
            "The {what} was awarded to {winner}. Your assessment summary, with your scores \
             and reasons for each criterion and the winning tender's, is at \
             /api/v1/tenders/{}/outcome{outcome_query}. The standstill runs until {}; an \
             unsuccessful bidder may challenge the award until then.",
            tender.id,
            standstill.ends_at.to_rfc3339()
        ),
    )
    .await?;
    let awarded = persistence::tenders::find(command.conn(), tender.id)
        .await?
        .ok_or(DomainError::NotFound("tender"))?;
    // The contract award notice names the winner, the value and the number of tenders, never
    // another bidder; the standstill begins with the day it is published (s.51).
    crate::notices::publish_for_tender(
        &command,
        Some(actor),
        NoticeType::Uk6,
        &awarded,
        next,
        None,
        json!({
            "lot_id": lot,
            "lot_title": lot.and_then(|l| tender.lot(l)).map(|l| l.title.clone()),
            "supplier_id": bid.supplier_id,
            "supplier_name": winner,
            "value_pence": bid.price_pence,
            "tenders_received": evaluated.bids.len() + evaluated.exclusions.len(),
            "assessment_summaries_sent_at": now,
            "standstill_last_day": standstill.last_day,
            "standstill_ends_at": standstill.ends_at,
        }),
    )
    .await?;
    let shown = award_view(award, winner, true);
    let ranking = evaluated.view(&tender);
    command
        .audit(
            AuditEntry::by(actor, "tender.awarded", "tender", tender.id)
                .before(json!({"status": status.as_str()}))
                .after(json!({
                    "status": next.as_str(),
                    "lot_id": lot,
                    "award": audit_json(&shown)?,
                    "assessment_summaries_sent": summaries.len(),
                    "ranking": audit_json(&ranking)?,
                })),
        )
        .await?;
    command.commit().await?;
    Ok(shown)
}

/// What the audit log keeps of a challenge: all of it.
fn challenge_value(c: &Challenge) -> serde_json::Value {
    json!({
        "id": c.id,
        "tender_id": c.tender_id,
        "award_id": c.award_id,
        "supplier_id": c.supplier_id,
        "grounds": c.grounds,
        "lodged_at": c.lodged_at,
        "status": c.status.as_str(),
        "resolution_notes": c.resolution_notes,
        "resolved_at": c.resolved_at,
    })
}

/// An unsuccessful bidder challenges the award during the standstill, with its grounds.
pub async fn lodge_challenge(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    lot: Option<LotId>,
    grounds: &str,
) -> Result<Challenge, ServiceError> {
    if actor.role != Role::SupplierBidder {
        return Err(ServiceError::Forbidden(format!(
            "a {} may not challenge an award; an unsuccessful bidder may",
            actor.role
        )));
    }
    let mut command = ctx.command().await?;
    let (tender, status) = lock_and_settle(&mut command, id).await?;
    if !can_view_tender(actor, &tender.scope(status)) {
        return Err(DomainError::NotFound("tender").into());
    }
    if crate::direct_awards::is_direct(&tender) {
        let challenge =
            crate::direct_awards::lodge_challenge(&command, actor, &tender, status, grounds)
                .await?;
        return challenge_lodged(command, actor, &tender, challenge).await;
    }
    let lot = crate::evaluation::lot_to_evaluate(&tender, lot, "/lot_id")?;
    let bid = persistence::bids::live_bid_of(command.conn(), tender.id, lot, actor.organisation_id)
        .await?
        .ok_or_else(|| {
            ServiceError::Forbidden(
                "only a bidder on this tender may challenge its award".to_owned(),
            )
        })?;
    let grounds = contract::grounds(grounds)?;
    // An awarded tender's standstill is over: the window check below refuses it with the date.
    // A framework's lot has an award per admitted supplier: a challenge is to the lot's award.
    let awards = lot_awards(command.conn(), &tender, lot).await?;
    let award = awards
        .first()
        .cloned()
        .filter(|_| {
            lot.is_some() || matches!(status, TenderStatus::Standstill | TenderStatus::Awarded)
        })
        .ok_or_else(|| {
            ServiceError::conflict(match lot {
                Some(_) => "the lot has no award in standstill to challenge".to_owned(),
                None => format!("a {status} tender has no award in standstill to challenge"),
            })
        })?;
    if awards.iter().any(|a| a.decision.bid_id == bid.id) {
        return Err(ServiceError::Forbidden(
            "the successful bidder does not challenge its own award".to_owned(),
        ));
    }
    contract::check_challenge_window(award.decision.standstill_ends_at, command.now())?;
    let existing = persistence::awards::challenges(command.conn(), tender.id).await?;
    if existing.iter().any(|c| {
        c.award_id == award.id
            && c.supplier_id == actor.organisation_id
            && c.status == ChallengeStatus::Open
    }) {
        return Err(ServiceError::conflict(
            "your organisation already has an open challenge to this award",
        ));
    }
    let challenge = persistence::awards::lodge(
        command.conn(),
        &award,
        actor.organisation_id,
        &grounds,
        actor.user_id,
        command.now(),
    )
    .await?;
    challenge_lodged(command, actor, &tender, challenge).await
}

/// Tells the buyer of a lodged challenge, audits it and commits.
async fn challenge_lodged(
    command: Command,
    actor: &Actor,
    tender: &Tender,
    challenge: Challenge,
) -> Result<Challenge, ServiceError> {
    notify(
        &command,
        &[tender.buyer_id],
        NotificationKind::ChallengeLodged,
        tender.id,
        format!("Award challenged: {}", tender.title),
        "A supplier challenged the award. The contract cannot be entered until the challenge is \
         resolved."
            .to_owned(),
    )
    .await?;
    command
        .audit(
            AuditEntry::by(actor, "challenge.lodged", "challenge", challenge.id)
                .after(challenge_value(&challenge)),
        )
        .await?;
    command.commit().await?;
    Ok(challenge)
}

/// The challenges to the tender's award: the buyer, the regulator and admins see all; a
/// bidder its own.
pub async fn challenges(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
) -> Result<Vec<Challenge>, ServiceError> {
    let conn = ctx.db().conn();
    let (tender, status, _) = visible_now(ctx, actor, id).await?;
    if crate::direct_awards::is_direct(&tender) {
        let buyer = tender.scope(status).is_buyer(actor);
        return crate::direct_awards::challenges(conn, actor, &tender, buyer).await;
    }
    let all = persistence::awards::challenges(conn, tender.id).await?;
    match actor.role {
        Role::BuyerLead | Role::BuyerEvaluator if tender.scope(status).is_buyer(actor) => Ok(all),
        Role::Regulator | Role::Admin => Ok(all),
        Role::SupplierBidder => Ok(all
            .into_iter()
            .filter(|c| c.supplier_id == actor.organisation_id)
            .collect()),
        _ => Err(ServiceError::Forbidden(
            "only the buyer, its bidders, the regulator and admins see challenges".to_owned(),
        )),
    }
}

/// The tender's lead resolves a challenge: dismissed (the award stands) or upheld (the award
/// is cancelled and the tender goes back to evaluation, its scores kept).
pub async fn resolve_challenge(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    challenge_id: Uuid,
    outcome: ChallengeOutcome,
    notes: &str,
) -> Result<Challenge, ServiceError> {
    let (command, tender, status) = lead_command(ctx, actor, id, "resolve challenges").await?;
    if crate::direct_awards::is_direct(&tender) {
        let before = persistence::direct_awards::challenges(command.conn(), tender.id)
            .await?
            .into_iter()
            .find(|c| c.id == challenge_id)
            .ok_or(DomainError::NotFound("challenge"))?;
        let after = crate::direct_awards::resolve_challenge(
            &command,
            actor,
            &tender,
            status,
            challenge_id,
            outcome,
            notes,
        )
        .await?;
        command
            .audit(
                AuditEntry::by(actor, "challenge.resolved", "challenge", after.id)
                    .before(challenge_value(&before))
                    .after(challenge_value(&after)),
            )
            .await?;
        command.commit().await?;
        return Ok(after);
    }
    let challenge = persistence::awards::find_challenge(command.conn(), tender.id, challenge_id)
        .await?
        .ok_or(DomainError::NotFound("challenge"))?;
    let notes = contract::resolution_notes(notes)?;
    let resolved_status = challenge.status.resolve(outcome)?;
    let now = command.now();
    persistence::awards::resolve(
        command.conn(),
        challenge.id,
        resolved_status,
        &notes,
        actor.user_id,
        now,
    )
    .await?;
    if outcome == ChallengeOutcome::Upheld {
        let challenged = persistence::awards::all_in_force(command.conn(), tender.id)
            .await?
            .into_iter()
            .find(|a| a.id == challenge.award_id);
        let lot = challenged.as_ref().and_then(|a| a.decision.lot_id);
        let undivided = match lot.and_then(|l| tender.lot(l)) {
            Some(lot) => {
                lot.status.reopen()?;
                status
            }
            None => status.reopen_evaluation()?,
        };
        // Upheld against a framework's lot, every place it awarded goes with it.
        let cancelled: Vec<Uuid> = match challenged.filter(|a| a.decision.framework) {
            Some(_) => lot_awards(command.conn(), &tender, lot)
                .await?
                .iter()
                .map(|a| a.id)
                .collect(),
            None => vec![challenge.award_id],
        };
        for award in cancelled {
            persistence::awards::set_status(command.conn(), award, AwardStatus::Cancelled, now)
                .await?;
            persistence::awards::lapse_open(command.conn(), award, now).await?;
        }
        let reopened = crate::tenders::settle_lot(
            &command,
            &tender,
            lot,
            domain::tender::LotStatus::Open,
            undivided,
            Transition::default(),
        )
        .await?;
        let what = if lot.is_some() { "lot" } else { "tender" };
        notify_bidders(
            &command,
            &tender,
            lot,
            NotificationKind::AwardCancelled,
            format!("Award cancelled: {}", subject_of(&tender, lot)),
            format!(
                "A challenge to the award was upheld. The award is cancelled and the {what} is \
                 back in evaluation; the scores stand."
            ),
        )
        .await?;
        command
            .audit(
                AuditEntry::by(actor, "tender.award_cancelled", "tender", tender.id)
                    .before(json!({"status": status.as_str(), "award_id": challenge.award_id}))
                    .after(json!({
                        "status": reopened.as_str(),
                        "lot_id": lot,
                        "challenge_id": challenge.id,
                    })),
            )
            .await?;
    }
    notify(
        &command,
        &[challenge.supplier_id],
        NotificationKind::ChallengeResolved,
        tender.id,
        format!("Challenge {}: {}", resolved_status.as_str(), tender.title),
        notes.clone(),
    )
    .await?;
    let after = persistence::awards::find_challenge(command.conn(), tender.id, challenge_id)
        .await?
        .ok_or(DomainError::NotFound("challenge"))?;
    command
        .audit(
            AuditEntry::by(actor, "challenge.resolved", "challenge", after.id)
                .before(challenge_value(&challenge))
                .after(challenge_value(&after)),
        )
        .await?;
    command.commit().await?;
    Ok(after)
}

/// The tender's lead enters the contract (of one lot of a divided tender) once the standstill
/// has ended with no open challenge to that award.
pub async fn confirm_contract(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    lot: Option<LotId>,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
) -> Result<Entered, ServiceError> {
    let (command, tender, status) = lead_command(ctx, actor, id, "enter the contract").await?;
    if crate::direct_awards::is_direct(&tender) {
        let shown = crate::direct_awards::confirm_contract(
            &command, actor, &tender, status, start_date, end_date,
        )
        .await?;
        command.commit().await?;
        return Ok(Entered::Contract(Box::new(shown)));
    }
    let lot = crate::evaluation::lot_to_evaluate(&tender, lot, "/lot_id")?;
    if tender.framework.is_some() {
        let shown =
            confirm_framework(&command, actor, &tender, status, lot, start_date, end_date).await?;
        command.commit().await?;
        return Ok(Entered::Framework(Box::new(shown)));
    }
    let undivided_next = match lot.and_then(|l| tender.lot(l)) {
        Some(lot) => {
            lot.status.confirm()?;
            status
        }
        None => status.confirm_award()?,
    };
    let award = persistence::awards::in_force(command.conn(), tender.id, lot)
        .await?
        .ok_or_else(|| ServiceError::conflict("the tender has no award in force"))?;
    let open = persistence::awards::challenges(command.conn(), tender.id)
        .await?
        .into_iter()
        .filter(|c| c.award_id == award.id && c.status == ChallengeStatus::Open)
        .count();
    let now = command.now();
    contract::check_contract_may_start(award.decision.standstill_ends_at, now, open)?;
    let term = ContractTerm::parse(
        start_date,
        end_date,
        u32::try_from(tender.contract_term_months).unwrap_or(1),
        uk_date(award.decision.standstill_ends_at),
    )?;
    let bid = persistence::bids::find(command.conn(), tender.id, award.decision.bid_id)
        .await?
        .ok_or(DomainError::NotFound("bid"))?;
    let created = persistence::contracts::insert(
        command.conn(),
        persistence::contracts::NewContract {
            tender_id: tender.id,
            lot_id: lot,
            // A competitive selection call-off's contract is made under its framework.
            framework_id: tender.call_off_of,
            call_off_id: call_off_of_tender(command.conn(), &tender).await?,
            award_id: award.id,
            bid_id: bid.id,
            buyer_id: tender.buyer_id,
            awarded_supplier_id: award.decision.supplier_id,
            title: subject_of(&tender, lot),
            category: tender.category.clone(),
            region: tender.region,
            total_value_pence: bid.price_pence,
            annual_value_pence: term.annual_value_pence(bid.price_pence),
            start_date: term.start_date,
            end_date: term.end_date,
            awarded_at: award.decision.awarded_at,
            created_by: actor.user_id,
        },
        now,
        uk_date(now),
    )
    .await?;
    persistence::awards::set_status(command.conn(), award.id, AwardStatus::Contracted, now).await?;
    crate::call_offs::tender_ended(&command, &tender, Some(created.id), "").await?;
    let next = crate::tenders::settle_lot(
        &command,
        &tender,
        lot,
        domain::tender::LotStatus::Awarded,
        undivided_next,
        Transition::default(),
    )
    .await?;
    notify_bidders(
        &command,
        &tender,
        lot,
        NotificationKind::ContractAwarded,
        format!("Contract entered: {}", subject_of(&tender, lot)),
        format!(
            "The contract runs from {} to {}.",
            term.start_date, term.end_date
        ),
    )
    .await?;
    let shown = contract_entered(&command, actor, &tender, status, next, created).await?;
    command.commit().await?;
    Ok(Entered::Contract(Box::new(shown)))
}

/// What entering after the standstill made: the contract, or the framework agreement of a
/// framework tender.
#[derive(Debug, Clone)]
pub enum Entered {
    Contract(Box<ContractView>),
    Framework(Box<FrameworkView>),
}

impl Entered {
    /// The contract, where a contract was what the tender procured.
    pub fn into_contract(self) -> Result<ContractView, ServiceError> {
        match self {
            Self::Contract(view) => Ok(*view),
            Self::Framework(_) => Err(ServiceError::Internal(
                "a framework was entered where a contract was expected".into(),
            )),
        }
    }
}

/// After a contract is stored for `tender` (now `next`): its contract details notice (UK7) and
/// the audit entries of the contract and of the tender.
pub(crate) async fn contract_entered(
    command: &Command,
    actor: &Actor,
    tender: &Tender,
    status: TenderStatus,
    next: TenderStatus,
    created: persistence::contracts::Contract,
) -> Result<ContractView, ServiceError> {
    let shown = crate::contracts::present(command.conn(), created).await?;
    let contracted = persistence::tenders::find(command.conn(), tender.id)
        .await?
        .ok_or(DomainError::NotFound("tender"))?;
    crate::notices::publish_for_tender(
        command,
        Some(actor),
        NoticeType::Uk7,
        &contracted,
        next,
        Some(shown.contract.id),
        json!({
            "supplier_id": shown.contract.supplier_id,
            "supplier_name": shown.supplier_name,
            "total_value_pence": shown.contract.terms.total_value_pence,
            "start_date": shown.contract.terms.start_date,
            "end_date": shown.contract.terms.end_date,
        }),
    )
    .await?;
    command
        .audit(
            AuditEntry::by(actor, "contract.created", "contract", shown.contract.id)
                .after(audit_json(&shown)?),
        )
        .await?;
    command
        .audit(
            AuditEntry::by(actor, "tender.contracted", "tender", tender.id)
                .before(json!({"status": status.as_str()}))
                .after(json!({"status": next.as_str(), "contract_id": shown.contract.id})),
        )
        .await?;
    Ok(shown)
}
