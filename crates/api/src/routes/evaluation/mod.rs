//! Evaluation of a closed tender: the lead assigns the panel, each member declares its interests
//! before seeing any bid, cleared members score each compliant bid on each quality criterion with
//! a justification, the lead excludes non-compliant bids, and the ranking follows exactly.

use crate::auth::AuthUser;
use crate::error::{
    ApiError, BadRequest, BidsSealed, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorized,
    UnsupportedMediaType, ValidationFailed,
};
use crate::extract::{JsonBody, PathParams};
use crate::routes::contracts::{RatingResponse, rating_response};
use crate::routes::tenders::TenderResponse;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::DomainError;
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::bid::BidStatus;
use domain::evaluation::{
    self, BidToRank, Declaration, PanelStanding, QualityCriterion, Ranking, Scoring,
};
use domain::ids::{BidId, CriterionId, OrganisationId, TenderId, UserId};
use domain::tender::{CriterionKind, TenderStatus, can_view_tender};
use domain::user::Role;
use persistence::Command;
use persistence::bids::{Bid, BidSelection};
use persistence::evaluation::{Exclusion, MarkKey, PanelMember, StoredScore};
use persistence::tenders::{Tender, Transition};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use service::tenders::{lock_and_settle, visible};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

mod exclusions;
mod panel;
mod ranking;
mod scores;

pub use exclusions::*;
pub use panel::*;
pub use ranking::*;
pub use scores::*;

/// How many decimal places scores are shown to (they are computed exactly).
pub(crate) const PLACES: u32 = 4;

/// Everything the ranking is computed from, read once.
pub(crate) struct Evaluated {
    pub ranking: Ranking,
    pub bids: HashMap<BidId, Bid>,
    pub exclusions: Vec<(Bid, Exclusion)>,
    pub names: HashMap<OrganisationId, String>,
    pub ratings: HashMap<OrganisationId, persistence::contracts::RatingSums>,
    pub marks: Vec<StoredScore>,
}

/// Ranks the tender's compliant live bids: submitted (or confirmed after an amendment), not
/// withdrawn, not excluded. Marks count from panel members who declared no conflict.
pub(crate) async fn evaluate<C: ConnectionTrait>(
    conn: &C,
    tender: &Tender,
    now: DateTime<Utc>,
) -> Result<Evaluated, ApiError> {
    let live = persistence::bids::list(conn, tender.id, BidSelection::Live).await?;
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
        .criteria
        .iter()
        .filter(|c| c.kind == CriterionKind::Quality)
        .map(|c| QualityCriterion {
            id: c.id,
            weight: u8::try_from(c.weight).unwrap_or(0),
        })
        .collect();
    let price_weight = tender
        .criteria
        .iter()
        .find(|c| c.kind == CriterionKind::Price)
        .map_or(0, |c| u8::try_from(c.weight).unwrap_or(0));
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
    let ratings = persistence::contracts::ratings(conn, &suppliers, now).await?;
    Ok(Evaluated {
        ranking,
        bids: compliant.into_iter().map(|b| (b.id, b)).collect(),
        exclusions: out,
        names,
        ratings,
        marks,
    })
}

impl Evaluated {
    pub(crate) fn item(&self, tender: &Tender, ranked: &evaluation::RankedBid) -> RankingItem {
        let bid = self.bids.get(&ranked.bid);
        let supplier = bid.map(|b| b.supplier_id);
        RankingItem {
            bid_id: ranked.bid.as_uuid(),
            supplier_id: supplier.map(|s| s.as_uuid()).unwrap_or_default(),
            supplier_name: supplier
                .and_then(|s| self.names.get(&s).cloned())
                .unwrap_or_default(),
            supplier_rating: supplier
                .and_then(|s| self.ratings.get(&s))
                .map(rating_response),
            price_pence: ranked.price_pence,
            above_budget_ceiling: tender
                .budget_ceiling_pence
                .is_some_and(|ceiling| ranked.price_pence > ceiling),
            price_score: ranked.price_score.rounded(PLACES),
            quality_scores: ranked
                .quality_scores
                .iter()
                .map(|c| CriterionScore {
                    criterion_id: c.criterion.as_uuid(),
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

    pub(crate) fn excluded(&self) -> Vec<BidEvaluationResponse> {
        self.exclusions
            .iter()
            .map(|(bid, exclusion)| BidEvaluationResponse {
                bid_id: bid.id.as_uuid(),
                supplier_id: bid.supplier_id.as_uuid(),
                supplier_name: self
                    .names
                    .get(&bid.supplier_id)
                    .cloned()
                    .unwrap_or_default(),
                price_pence: bid.price_pence,
                excluded: true,
                exclusion_reason: Some(exclusion.reason.clone()),
                excluded_at: Some(exclusion.excluded_at),
            })
            .collect()
    }

    pub(crate) fn response(&self, tender: &Tender) -> RankingResponse {
        RankingResponse {
            tender_id: tender.id.as_uuid(),
            complete: self.ranking.complete,
            missing_marks: self.ranking.missing_marks,
            scorers: self.ranking.scorers,
            items: self
                .ranking
                .items
                .iter()
                .map(|r| self.item(tender, r))
                .collect(),
            excluded: self.excluded(),
        }
    }
}

/// The tender's panel may change until it is awarded.
fn check_panel_open(status: TenderStatus) -> Result<(), ApiError> {
    match status {
        TenderStatus::Draft | TenderStatus::Published | TenderStatus::Evaluation => Ok(()),
        other => Err(DomainError::Conflict(format!(
            "the evaluation panel of a {other} tender cannot change"
        ))
        .into()),
    }
}

/// Scores, exclusions and the lead's evaluation decisions are for a tender in evaluation.
fn check_in_evaluation(tender: &Tender, status: TenderStatus) -> Result<(), ApiError> {
    match status {
        TenderStatus::Evaluation => Ok(()),
        TenderStatus::Published => Err(DomainError::Conflict(format!(
            "the tender is open for bids until {}; evaluation starts after the deadline",
            tender.submission_deadline.to_rfc3339()
        ))
        .into()),
        other => Err(DomainError::Conflict(format!(
            "a {other} tender is not in evaluation; scores and exclusions are made before award"
        ))
        .into()),
    }
}

fn audit_member(member: &EvaluatorResponse) -> serde_json::Value {
    serde_json::json!({
        "user_id": member.user_id,
        "assigned_at": member.assigned_at,
        "has_conflict": member.has_conflict,
        "conflict_details": member.conflict_details,
        "declared_at": member.declared_at,
    })
}

/// The regulator and admins read the evaluation once the tender is awarded, as they read bids.
fn check_awarded_for_oversight(tender: &Tender, status: TenderStatus) -> Result<(), ApiError> {
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

/// Loads the tender for the lead's evaluation command and its live bid.
async fn lead_and_bid(
    command: &mut Command,
    actor: &Actor,
    id: Uuid,
    bid_id: Uuid,
    action: &str,
) -> Result<(Tender, Bid), ApiError> {
    domain::tender::require_tender_manager(actor)?;
    let (tender, status) = lock_and_settle(command, TenderId::from_uuid(id)).await?;
    tender.scope(status).check_lead(actor, action)?;
    check_in_evaluation(&tender, status)?;
    let bid = persistence::bids::find(command.conn(), tender.id, BidId::from_uuid(bid_id))
        .await?
        .filter(|b| b.status.is_live())
        .ok_or(DomainError::NotFound("bid"))?;
    Ok((tender, bid))
}
