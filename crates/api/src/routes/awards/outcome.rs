//! What each bidder learns of the outcome: its own marks and reasons, and the winner's.

use super::*;

/// A bidder's own result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YourBidOutcome {
    /// Your bid.
    pub bid_id: Uuid,
    /// Whether it won.
    pub successful: bool,
    /// Whether the lead excluded it as non-compliant (then it has no scores or rank).
    pub excluded: bool,
    /// Why.
    pub exclusion_reason: Option<String>,
    /// Your bid's scores and rank, when it was ranked.
    pub result: Option<RankingItem>,
    /// The evaluators' justifications for your marks, per quality criterion (anonymised).
    pub feedback: Vec<CriterionFeedback>,
}

/// The evaluators' reasons for a bid's marks on one criterion.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriterionFeedback {
    /// The criterion.
    pub criterion_id: Uuid,
    /// Its name.
    pub name: String,
    /// Each evaluator's mark and reasons (evaluators are not named).
    pub marks: Vec<MarkFeedback>,
}

/// One evaluator's mark and reasons.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MarkFeedback {
    /// 0 to 100.
    pub score: u8,
    /// Why.
    pub justification: String,
}

/// A tender's outcome.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomeResponse {
    /// The tender.
    pub tender_id: Uuid,
    /// The tender's state now.
    pub status: crate::routes::tenders::TenderStatusDto,
    /// The award in force.
    pub award: AwardResponse,
    /// The winning bid's scores and rank.
    pub winner: RankingItem,
    /// How many bids were ranked.
    pub ranked_bids: usize,
    /// The signed-in bidder's own result (bidders only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub your_bid: Option<YourBidOutcome>,
    /// Every ranked bid (the buyer, the regulator and admins only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<RankingItem>>,
    /// The contract, once entered.
    pub contract_id: Option<Uuid>,
}

/// The outcome of an awarded tender: a bidder sees its own scores per criterion with the
/// evaluators' reasons, its rank, the winner's name and scores and the standstill's end; the
/// buyer, the regulator and admins see every ranked bid.
#[utoipa::path(
    get,
    path = "/tenders/{id}/outcome",
    tag = "award",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "The outcome.", body = OutcomeResponse),
        crate::error::AccessProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn get_outcome(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<OutcomeResponse>, ApiError> {
    let outcome = awards_service::outcome(&state.ctx, &actor, TenderId::from_uuid(id)).await?;
    Ok(Json(outcome.into()))
}

impl From<awards_service::YourBidOutcome> for YourBidOutcome {
    fn from(y: awards_service::YourBidOutcome) -> Self {
        Self {
            bid_id: y.bid_id.as_uuid(),
            successful: y.successful,
            excluded: y.excluded,
            exclusion_reason: y.exclusion_reason,
            result: y.result.map(Into::into),
            feedback: y
                .feedback
                .into_iter()
                .map(|c| CriterionFeedback {
                    criterion_id: c.criterion_id.as_uuid(),
                    name: c.name,
                    marks: c
                        .marks
                        .into_iter()
                        .map(|m| MarkFeedback {
                            score: m.score,
                            justification: m.justification,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

impl From<awards_service::OutcomeView> for OutcomeResponse {
    fn from(o: awards_service::OutcomeView) -> Self {
        Self {
            tender_id: o.tender_id.as_uuid(),
            status: o.status.into(),
            award: o.award.into(),
            winner: o.winner.into(),
            ranked_bids: o.ranked_bids,
            your_bid: o.your_bid.map(Into::into),
            items: o
                .items
                .map(|items| items.into_iter().map(Into::into).collect()),
            contract_id: o.contract_id,
        }
    }
}
