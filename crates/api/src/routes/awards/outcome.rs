//! What each bidder learns of the outcome: its assessment summary and the winning tender's.

use super::*;

/// One criterion of an assessed tender.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriterionAssessmentResponse {
    /// The criterion.
    pub criterion_id: Uuid,
    /// Its name.
    pub name: String,
    /// `price` or `quality`.
    pub kind: String,
    /// Its weight, in % of the total.
    pub weight: u8,
    /// The points scored on it, out of its weight (to 4 places).
    pub score: f64,
    /// Quality only: the mean of the evaluators' marks, out of 100.
    pub mean_score: Option<f64>,
    /// Quality only: each evaluator's mark out of 100, in the order of `reasons`.
    pub marks: Vec<u8>,
    /// Why: for price, how the score follows from the prices; for quality, each evaluator's
    /// justification (evaluators are not named).
    pub reasons: Vec<String>,
}

/// An assessed tender's summary, as sent to its bidder at the award (s.50(3)–(5)).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssessmentSummaryResponse {
    /// The bid.
    pub bid_id: Uuid,
    /// The bidder.
    pub supplier_id: Uuid,
    /// The bidder's name.
    pub supplier_name: String,
    /// Its price in pence.
    pub price_pence: i64,
    /// Every award criterion, in the tender's order.
    pub criteria: Vec<CriterionAssessmentResponse>,
    /// Out of 100 (to 4 places).
    pub total: f64,
    /// 1 for the most advantageous tender.
    pub rank: u32,
    /// Whether this tender was awarded the contract.
    pub successful: bool,
}

/// What a bidder learns of its own bid beyond its summary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YourBidOutcome {
    /// Your bid.
    pub bid_id: Uuid,
    /// Whether it won.
    pub successful: bool,
    /// Whether the lead excluded it as non-compliant: it was then not assessed and has no
    /// assessment summary.
    pub excluded: bool,
    /// Why.
    pub exclusion_reason: Option<String>,
}

/// A tender's outcome.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomeResponse {
    /// The tender.
    pub tender_id: Uuid,
    /// The lot whose outcome this is; absent on an undivided tender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lot_id: Option<Uuid>,
    /// The tender's state now.
    pub status: crate::routes::tenders::TenderStatusDto,
    /// The award in force.
    pub award: AwardResponse,
    /// When every assessed bidder was sent its summary: with the award, before the contract
    /// award notice.
    pub assessment_summaries_sent_at: Option<DateTime<Utc>>,
    /// When the standstill is over (8 working days above threshold, beginning with the day the
    /// contract award notice was published).
    pub standstill_ends_at: DateTime<Utc>,
    /// The signed-in bidder's own summary, when its tender was assessed (bidders only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment_summary: Option<AssessmentSummaryResponse>,
    /// The winning tender's summary.
    pub winner: AssessmentSummaryResponse,
    /// The signed-in bidder's bid: successful, or excluded and why (bidders only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub your_bid: Option<YourBidOutcome>,
    /// Every assessed tender's summary, best first (the buyer, the regulator and admins only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment_summaries: Option<Vec<AssessmentSummaryResponse>>,
    /// How many tenders were assessed.
    pub assessed_tenders: usize,
    /// The contract, once entered.
    pub contract_id: Option<Uuid>,
}

/// The outcome of an awarded tender: a bidder reads its assessment summary (Procurement Act 2023
/// s.50(3)) — each criterion's weight, its score and the reasons, its total and rank — and the
/// winning tender's, with when the summaries were sent and when the standstill ends; a bidder
/// whose bid was excluded reads why. The buyer, the regulator and admins read every summary.
#[utoipa::path(
    get,
    path = "/tenders/{id}/outcome",
    tag = "award",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id."), crate::dto::LotQuery),
    responses(
        (status = 200, description = "The outcome.", body = OutcomeResponse),
        crate::error::AccessProblems,
        crate::error::QueryProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn get_outcome(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    QueryParams(query): QueryParams<crate::dto::LotQuery>,
) -> Result<Json<OutcomeResponse>, ApiError> {
    let outcome =
        awards_service::outcome(&state.ctx, &actor, TenderId::from_uuid(id), query.lot_id())
            .await?;
    Ok(Json(outcome.into()))
}

impl From<awards_service::AssessmentSummary> for AssessmentSummaryResponse {
    fn from(s: awards_service::AssessmentSummary) -> Self {
        Self {
            bid_id: s.bid_id.as_uuid(),
            supplier_id: s.supplier_id.as_uuid(),
            supplier_name: s.supplier_name,
            price_pence: s.price_pence,
            criteria: s
                .criteria
                .into_iter()
                .map(|c| CriterionAssessmentResponse {
                    criterion_id: c.criterion_id.as_uuid(),
                    name: c.name,
                    kind: c.kind,
                    weight: c.weight,
                    score: c.score,
                    mean_score: c.mean_score,
                    marks: c.marks,
                    reasons: c.reasons,
                })
                .collect(),
            total: s.total,
            rank: s.rank,
            successful: s.successful,
        }
    }
}

impl From<awards_service::OutcomeView> for OutcomeResponse {
    fn from(o: awards_service::OutcomeView) -> Self {
        Self {
            tender_id: o.tender_id.as_uuid(),
            lot_id: o.lot_id.map(|l| l.as_uuid()),
            status: o.status.into(),
            award: o.award.into(),
            assessment_summaries_sent_at: o.assessment_summaries_sent_at,
            standstill_ends_at: o.standstill_ends_at,
            assessment_summary: o.assessment_summary.map(Into::into),
            winner: o.winner.into(),
            your_bid: o.your_bid.map(|y| YourBidOutcome {
                bid_id: y.bid_id.as_uuid(),
                successful: y.successful,
                excluded: y.excluded,
                exclusion_reason: y.exclusion_reason,
            }),
            assessment_summaries: o
                .assessment_summaries
                .map(|all| all.into_iter().map(Into::into).collect()),
            assessed_tenders: o.assessed_tenders,
            contract_id: o.contract_id,
        }
    }
}
