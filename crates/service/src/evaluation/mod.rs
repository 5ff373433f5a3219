//! Evaluation of a closed tender: the lead assigns the panel, each member declares its interests
//! before seeing any bid, cleared members score each compliant bid on each quality criterion with
//! a justification, the lead excludes non-compliant bids, and the ranking follows exactly.

use crate::contracts::Rating;
use crate::tenders::{TenderView, lead_command, lock_and_settle, visible_now, visible_scope};
use crate::{Ctx, ServiceError};
use chrono::{DateTime, Utc};
use domain::DomainError;
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::bid::BidStatus;
use domain::evaluation::{
    self, BidToRank, Declaration, PanelStanding, QualityCriterion, Ranking, Scoring,
};
use domain::ids::{BidId, CriterionId, LotId, OrganisationId, TenderId, UserId};
use domain::tender::{CriterionKind, LotStatus, TenderStatus, can_view_tender};
use domain::user::Role;
use persistence::Command;
use persistence::bids::{Bid, BidSelection};
use persistence::evaluation::{Exclusion, MarkKey, PanelMember, StoredScore};
use persistence::tenders::{Tender, Transition};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

mod panel;
pub use panel::*;

/// How many decimal places scores are shown to (they are computed exactly).
pub const PLACES: u32 = 4;

/// A bid's standing in the evaluation: compliant, or excluded and why.
#[derive(Debug, Clone, Serialize)]
pub struct BidStanding {
    pub bid_id: BidId,
    pub supplier_id: OrganisationId,
    pub supplier_name: String,
    pub price_pence: i64,
    pub excluded: bool,
    pub exclusion_reason: Option<String>,
    pub excluded_at: Option<DateTime<Utc>>,
}

/// A bid's result on one quality criterion, rounded to [`PLACES`].
#[derive(Debug, Clone, Serialize)]
pub struct CriterionScore {
    pub criterion_id: CriterionId,
    pub name: String,
    pub weight: u8,
    pub mean_score: Option<f64>,
    pub marks: usize,
    pub score: f64,
}

/// A ranked bid, its scores rounded to [`PLACES`] (ranks are decided on the exact values).
#[derive(Debug, Clone, Serialize)]
pub struct RankedView {
    pub bid_id: BidId,
    pub supplier_id: OrganisationId,
    pub supplier_name: String,
    pub supplier_rating: Option<Rating>,
    pub price_pence: i64,
    pub above_budget_ceiling: bool,
    pub price_score: f64,
    pub quality_scores: Vec<CriterionScore>,
    pub quality_score: f64,
    pub total_score: f64,
    pub rank: u32,
    pub submitted_at: DateTime<Utc>,
}

/// The ranking of the compliant live bids, and the bids excluded.
#[derive(Debug, Clone, Serialize)]
pub struct RankingView {
    pub tender_id: TenderId,
    /// The lot ranked; none on an undivided tender.
    pub lot_id: Option<LotId>,
    pub complete: bool,
    pub missing_marks: usize,
    pub scorers: usize,
    pub items: Vec<RankedView>,
    pub excluded: Vec<BidStanding>,
}

/// Everything the ranking is computed from, read once.
pub struct Evaluated {
    /// The lot evaluated; none on an undivided tender.
    pub lot: Option<LotId>,
    pub ranking: Ranking,
    pub bids: HashMap<BidId, Bid>,
    pub exclusions: Vec<(Bid, Exclusion)>,
    pub names: HashMap<OrganisationId, String>,
    pub ratings: HashMap<OrganisationId, Rating>,
    pub marks: Vec<StoredScore>,
}

fn weight_of(weight: i32) -> u8 {
    u8::try_from(weight).unwrap_or(0)
}

/// Ranks the tender's compliant live bids (on `lot`, of a divided tender: each lot is ranked on
/// its own, its lowest price scoring in full): submitted (or confirmed after an amendment), not
/// withdrawn, not excluded. Marks count from panel members who declared no conflict.
pub(crate) async fn evaluate<C: ConnectionTrait>(
    conn: &C,
    tender: &Tender,
    lot: Option<LotId>,
    now: DateTime<Utc>,
) -> Result<Evaluated, ServiceError> {
    let live: Vec<Bid> = persistence::bids::list(conn, tender.id, BidSelection::Live)
        .await?
        .into_iter()
        .filter(|b| b.lot_id == lot)
        .collect();
    let exclusions = persistence::evaluation::exclusions(conn, tender.id).await?;
    let excluded: HashMap<BidId, Exclusion> =
        exclusions.into_iter().map(|e| (e.bid_id, e)).collect();
    let mut compliant = Vec::new();
    let mut out = Vec::new();
    for bid in live {
        match excluded.get(&bid.id) {
            Some(exclusion) => out.push((bid, exclusion.clone())),
            None if bid.status == BidStatus::Submitted => compliant.push(bid),
            None => {}
        }
    }
    let panel = persistence::evaluation::panel(conn, tender.id).await?;
    let scorers: Vec<UserId> = panel
        .iter()
        .filter(|m| m.standing() == PanelStanding::Cleared)
        .map(|m| m.user_id)
        .collect();
    let marks = persistence::evaluation::scores(conn, tender.id).await?;
    let quality: Vec<QualityCriterion> = tender
        .quality_criteria()
        .map(|c| QualityCriterion {
            id: c.id,
            weight: weight_of(c.weight),
        })
        .collect();
    let price_weight = tender
        .criteria
        .iter()
        .find(|c| c.kind == CriterionKind::Price)
        .map_or(0, |c| weight_of(c.weight));
    let to_rank: Vec<BidToRank> = compliant
        .iter()
        .map(|b| BidToRank {
            bid: b.id,
            price_pence: b.price_pence,
            submitted_at: b.submitted_at,
        })
        .collect();
    let all_marks: Vec<_> = marks.iter().map(StoredScore::mark).collect();
    let ranking = evaluation::rank(&Scoring {
        price_weight,
        quality: &quality,
        bids: &to_rank,
        scorers: &scorers,
        marks: &all_marks,
    });
    let suppliers: Vec<OrganisationId> = compliant
        .iter()
        .chain(out.iter().map(|(b, _)| b))
        .map(|b| b.supplier_id)
        .collect();
    let names = persistence::organisations::names(conn, &suppliers).await?;
    let ratings = crate::contracts::ratings(conn, &suppliers, now).await?;
    Ok(Evaluated {
        lot,
        ranking,
        bids: compliant.into_iter().map(|b| (b.id, b)).collect(),
        exclusions: out,
        names,
        ratings,
        marks,
    })
}

impl Evaluated {
    pub(crate) fn item(&self, tender: &Tender, ranked: &evaluation::RankedBid) -> RankedView {
        let supplier = self.bids.get(&ranked.bid).map(|b| b.supplier_id);
        RankedView {
            bid_id: ranked.bid,
            supplier_id: supplier.unwrap_or(OrganisationId::from_uuid(uuid::Uuid::nil())),
            supplier_name: supplier
                .and_then(|s| self.names.get(&s).cloned())
                .unwrap_or_default(),
            supplier_rating: supplier.and_then(|s| self.ratings.get(&s)).cloned(),
            price_pence: ranked.price_pence,
            above_budget_ceiling: tender
                .budget_ceiling_pence
                .is_some_and(|ceiling| ranked.price_pence > ceiling),
            price_score: ranked.price_score.rounded(PLACES),
            quality_scores: ranked
                .quality_scores
                .iter()
                .map(|c| CriterionScore {
                    criterion_id: c.criterion,
                    name: tender
                        .criteria
                        .iter()
                        .find(|t| t.id == c.criterion)
                        .map(|t| t.name.clone())
                        .unwrap_or_default(),
                    weight: c.weight,
                    mean_score: c.mean_score.as_ref().map(|m| m.rounded(PLACES)),
                    marks: c.marks,
                    score: c.points.rounded(PLACES),
                })
                .collect(),
            quality_score: ranked.quality_score.rounded(PLACES),
            total_score: ranked.total_score.rounded(PLACES),
            rank: ranked.rank,
            submitted_at: ranked.submitted_at,
        }
    }

    pub(crate) fn items(&self, tender: &Tender) -> Vec<RankedView> {
        self.ranking
            .items
            .iter()
            .map(|r| self.item(tender, r))
            .collect()
    }

    pub(crate) fn view(&self, tender: &Tender) -> RankingView {
        RankingView {
            tender_id: tender.id,
            lot_id: self.lot,
            complete: self.ranking.complete,
            missing_marks: self.ranking.missing_marks,
            scorers: self.ranking.scorers,
            items: self.items(tender),
            excluded: self
                .exclusions
                .iter()
                .map(|(bid, exclusion)| {
                    standing(bid, self.names.get(&bid.supplier_id), Some(exclusion))
                })
                .collect(),
        }
    }
}

fn standing(bid: &Bid, name: Option<&String>, exclusion: Option<&Exclusion>) -> BidStanding {
    BidStanding {
        bid_id: bid.id,
        supplier_id: bid.supplier_id,
        supplier_name: name.cloned().unwrap_or_default(),
        price_pence: bid.price_pence,
        excluded: exclusion.is_some(),
        exclusion_reason: exclusion.map(|e| e.reason.clone()),
        excluded_at: exclusion.map(|e| e.excluded_at),
    }
}

async fn standing_of<C: ConnectionTrait>(
    conn: &C,
    bid: &Bid,
    exclusion: Option<&Exclusion>,
) -> Result<BidStanding, ServiceError> {
    let name = persistence::organisations::get(conn, bid.supplier_id)
        .await?
        .name;
    Ok(standing(bid, Some(&name), exclusion))
}

/// Scores, exclusions and the lead's evaluation decisions are for a tender in evaluation.
fn check_in_evaluation(tender: &Tender, status: TenderStatus) -> Result<(), ServiceError> {
    match status {
        TenderStatus::Evaluation => Ok(()),
        TenderStatus::Published => Err(ServiceError::conflict(format!(
            "the tender is open for bids until {}; evaluation starts after the deadline",
            tender.submission_deadline.to_rfc3339()
        ))),
        other => Err(ServiceError::conflict(format!(
            "a {other} tender is not in evaluation; scores and exclusions are made before award"
        ))),
    }
}

/// What the audit log keeps of a mark: all of it.
fn audit_score(score: &StoredScore) -> serde_json::Value {
    json!({
        "bid_id": score.bid_id,
        "criterion_id": score.criterion_id,
        "evaluator_id": score.evaluator_id,
        "score": score.score.value(),
        "justification": score.justification,
        "scored_at": score.scored_at,
        "updated_at": score.updated_at,
    })
}

/// The regulator and admins read the evaluation once the tender is awarded, as they read bids.
fn check_awarded_for_oversight(tender: &Tender, status: TenderStatus) -> Result<(), ServiceError> {
    if matches!(status, TenderStatus::Standstill | TenderStatus::Awarded) {
        Ok(())
    } else {
        Err(DomainError::Sealed(format!(
            "The evaluation is the buyer's until the tender is awarded (it is {status}; bids \
             closed {}).",
            tender.submission_deadline.to_rfc3339()
        ))
        .into())
    }
}

/// The tender locked for the lead's evaluation command, in evaluation, and its live bid.
async fn lead_and_bid(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    bid_id: BidId,
    action: &str,
) -> Result<(Command, Tender, Bid), ServiceError> {
    let (command, tender, status) = lead_command(ctx, actor, id, action).await?;
    check_in_evaluation(&tender, status)?;
    let bid = persistence::bids::find(command.conn(), tender.id, bid_id)
        .await?
        .filter(|b| b.status.is_live())
        .ok_or(DomainError::NotFound("bid"))?;
    Ok((command, tender, bid))
}

/// Which mark: a bid, on one of the tender's quality criteria.
#[derive(Debug, Clone, Copy)]
pub struct MarkTarget {
    pub tender: TenderId,
    pub bid: BidId,
    pub criterion: CriterionId,
}

/// Records or changes the signed-in evaluator's mark for a bid on a quality criterion, with its
/// justification: panel members who declared no conflict, while the tender is in evaluation.
pub async fn score(
    ctx: &Ctx,
    actor: &Actor,
    target: MarkTarget,
    score: i64,
    justification: &str,
) -> Result<StoredScore, ServiceError> {
    if !matches!(actor.role, Role::BuyerEvaluator | Role::BuyerLead) {
        return Err(ServiceError::Forbidden(format!(
            "a {} does not score bids; the buyer's evaluators do",
            actor.role
        )));
    }
    let mut command = ctx.command().await?;
    let (tender, status) = lock_and_settle(&mut command, target.tender).await?;
    let scope = tender.scope(status);
    if !scope.is_buyer(actor) {
        // Another buyer's tender, whether or not it may see it: nothing of its bids is theirs.
        return Err(if can_view_tender(actor, &scope) {
            DomainError::NotFound("bid")
        } else {
            DomainError::NotFound("tender")
        }
        .into());
    }
    persistence::evaluation::standing(command.conn(), tender.id, actor.user_id)
        .await?
        .check_may_score()?;
    check_in_evaluation(&tender, status)?;
    let bid = persistence::bids::find(command.conn(), tender.id, target.bid)
        .await?
        .filter(|b| b.status.is_live())
        .ok_or(DomainError::NotFound("bid"))?;
    let criterion = tender
        .criteria
        .iter()
        .find(|c| c.id == target.criterion)
        .ok_or(DomainError::NotFound("criterion"))?;
    if criterion.kind == CriterionKind::Price {
        return Err(ServiceError::field(
            "/criterion_id",
            "the price criterion is scored by formula from the bid prices, not by evaluators",
        ));
    }
    if bid.status != BidStatus::Submitted {
        return Err(ServiceError::conflict(
            "the bid was not confirmed after the tender was amended, so it is not evaluated",
        ));
    }
    if persistence::evaluation::exclusions(command.conn(), tender.id)
        .await?
        .iter()
        .any(|e| e.bid_id == bid.id)
    {
        return Err(ServiceError::conflict(
            "the bid is excluded as non-compliant; reinstate it to score it",
        ));
    }
    let (score, justification) = evaluation::parse_score(score, justification)?;
    let (current, previous) = persistence::evaluation::put_score(
        command.conn(),
        MarkKey {
            tender: tender.id,
            bid: bid.id,
            criterion: target.criterion,
            evaluator: actor.user_id,
        },
        score,
        &justification,
        command.now(),
    )
    .await?;
    let mut entry = AuditEntry::by(actor, "bid.scored", "bid", bid.id).after(audit_score(&current));
    if let Some(previous) = &previous {
        entry = entry.before(audit_score(previous));
    }
    command.audit(entry).await?;
    command.commit().await?;
    Ok(current)
}

/// The marks given on the tender: the lead sees every evaluator's (for moderation), as do the
/// regulator and admins once the tender is awarded; a panel member sees its own.
pub async fn scores(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
) -> Result<Vec<StoredScore>, ServiceError> {
    let (tender, status, _) = visible_now(ctx, actor, id).await?;
    let scope = tender.scope(status);
    let marks = persistence::evaluation::scores(ctx.db().conn(), tender.id).await?;
    match actor.role {
        Role::BuyerLead if scope.is_buyer(actor) => Ok(marks),
        Role::BuyerEvaluator | Role::BuyerLead if scope.is_buyer(actor) => Ok(marks
            .into_iter()
            .filter(|m| m.evaluator_id == actor.user_id)
            .collect()),
        Role::Regulator | Role::Admin => {
            check_awarded_for_oversight(&tender, status)?;
            Ok(marks)
        }
        _ => Err(ServiceError::Forbidden(
            "only the buying organisation's evaluators, the regulator and admins see marks"
                .to_owned(),
        )),
    }
}

/// The tender's lead excludes a bid as non-compliant, with the reason the bidder will read.
pub async fn exclude(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    bid_id: BidId,
    reason: &str,
) -> Result<BidStanding, ServiceError> {
    let (command, tender, bid) = lead_and_bid(ctx, actor, id, bid_id, "exclude bids").await?;
    let reason = evaluation::reason(reason)?;
    let exclusion = persistence::evaluation::exclude(
        command.conn(),
        tender.id,
        bid.id,
        &reason,
        actor.user_id,
        command.now(),
    )
    .await?;
    let shown = standing_of(command.conn(), &bid, Some(&exclusion)).await?;
    command
        .audit(AuditEntry::by(actor, "bid.excluded", "bid", bid.id).after(
            json!({"tender_id": tender.id, "reason": reason, "excluded_at": exclusion.excluded_at}),
        ))
        .await?;
    command.commit().await?;
    Ok(shown)
}

/// The tender's lead lifts an exclusion, in evaluation.
pub async fn reinstate(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    bid_id: BidId,
) -> Result<BidStanding, ServiceError> {
    let (command, tender, bid) = lead_and_bid(ctx, actor, id, bid_id, "reinstate bids").await?;
    let previous = persistence::evaluation::exclusions(command.conn(), tender.id)
        .await?
        .into_iter()
        .find(|e| e.bid_id == bid.id)
        .ok_or_else(|| ServiceError::conflict("the bid is not excluded"))?;
    persistence::evaluation::reinstate(command.conn(), bid.id).await?;
    let shown = standing_of(command.conn(), &bid, None).await?;
    command
        .audit(
            AuditEntry::by(actor, "bid.reinstated", "bid", bid.id)
                .before(json!({"tender_id": tender.id, "reason": previous.reason}))
                .after(json!({"tender_id": tender.id, "excluded": false})),
        )
        .await?;
    command.commit().await?;
    Ok(shown)
}

/// The tender's lead declares the tender (or one lot of a divided tender) unsuccessful because
/// no compliant bid remains on it.
pub async fn declare_unsuccessful(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    lot: Option<LotId>,
    reason: &str,
) -> Result<TenderView, ServiceError> {
    let (command, tender, status) =
        lead_command(ctx, actor, id, "declare the tender unsuccessful").await?;
    let reason = evaluation::reason(reason)?;
    let lot = lot_to_evaluate(&tender, lot, "/lot_id")?;
    let undivided = status.fail()?;
    if let Some(lot) = lot.and_then(|l| tender.lot(l)) {
        lot.status.fail()?;
    }
    let evaluated = evaluate(command.conn(), &tender, lot, command.now()).await?;
    evaluation::check_no_compliant_bid(evaluated.ranking.items.len())?;
    let next = crate::tenders::settle_lot(
        &command,
        &tender,
        lot,
        LotStatus::Unsuccessful,
        undivided,
        Transition {
            unsuccessful_reason: Some(reason.clone()),
            ..Transition::default()
        },
    )
    .await?;
    let failed = persistence::tenders::find(command.conn(), tender.id)
        .await?
        .ok_or(DomainError::NotFound("tender"))?;
    let shown = crate::tenders::view(command.conn(), Some(actor), failed, next).await?;
    crate::notices::terminated_lot(
        &command,
        Some(actor),
        &shown.tender,
        next,
        lot.and_then(|l| shown.tender.lot(l)),
        &reason,
    )
    .await?;
    command
        .audit(
            AuditEntry::by(actor, "tender.declared_unsuccessful", "tender", tender.id)
                .before(json!({"status": status.as_str()}))
                .after(json!({"status": next.as_str(), "lot_id": lot, "reason": reason})),
        )
        .await?;
    command.commit().await?;
    Ok(shown)
}

/// The lot to evaluate: one of a divided tender's (then required), none on any other.
pub(crate) fn lot_to_evaluate(
    tender: &Tender,
    lot: Option<LotId>,
    pointer: &str,
) -> Result<Option<LotId>, ServiceError> {
    match (tender.is_divided(), lot) {
        (true, None) => Err(ServiceError::field(
            pointer,
            "is required: the tender is divided into lots, each ranked on its own",
        )),
        (true, Some(id)) if tender.lot(id).is_none() => {
            Err(ServiceError::field(pointer, "is not a lot of this tender"))
        }
        (false, Some(_)) => Err(ServiceError::field(
            pointer,
            "must be absent: the tender is not divided into lots",
        )),
        (_, lot) => Ok(lot),
    }
}

/// The ranking (of one lot of a divided tender): the tender's lead after the deadline; the
/// regulator and admins once the tender (or that lot) is awarded.
pub async fn ranking(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    lot: Option<LotId>,
) -> Result<RankingView, ServiceError> {
    let conn = ctx.db().conn();
    let (tender, status, now) = visible_now(ctx, actor, id).await?;
    let scope = tender.scope(status);
    let sealed = || {
        ServiceError::from(DomainError::Sealed(format!(
            "The bids are sealed until the submission deadline ({}).",
            tender.submission_deadline.to_rfc3339()
        )))
    };
    let before_deadline = matches!(status, TenderStatus::Draft | TenderStatus::Published);
    match actor.role {
        Role::BuyerLead if scope.is_buyer(actor) => {
            if before_deadline {
                return Err(sealed());
            }
        }
        Role::Regulator | Role::Admin => {
            if before_deadline {
                return Err(sealed());
            }
            let lot_awarded = lot
                .and_then(|l| tender.lot(l))
                .is_some_and(|l| matches!(l.status, LotStatus::Standstill | LotStatus::Awarded));
            if !lot_awarded {
                check_awarded_for_oversight(&tender, status)?;
            }
        }
        _ => {
            return Err(ServiceError::Forbidden(
                "the ranking is the buying organisation's lead's (and, after award, the \
                 regulator's); bidders read their outcome"
                    .to_owned(),
            ));
        }
    }
    let lot = lot_to_evaluate(&tender, lot, "/lot")?;
    let evaluated = evaluate(conn, &tender, lot, now).await?;
    Ok(evaluated.view(&tender))
}
