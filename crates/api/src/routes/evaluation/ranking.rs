//! The ranking of compliant bids, computed exactly.

use super::*;

/// A bid's standing in the evaluation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BidEvaluationResponse {
    /// The bid.
    pub bid_id: Uuid,
    /// The bidder.
    pub supplier_id: Uuid,
    /// The bidder's name.
    pub supplier_name: String,
    /// The price in pence.
    pub price_pence: i64,
    /// Whether the lead excluded it as non-compliant.
    pub excluded: bool,
    /// Why.
    pub exclusion_reason: Option<String>,
    /// When.
    pub excluded_at: Option<DateTime<Utc>>,
}

/// A bid's result on one quality criterion.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriterionScore {
    /// The criterion.
    pub criterion_id: Uuid,
    /// Its name.
    pub name: String,
    /// Its weight.
    pub weight: u8,
    /// The mean of the panel's marks (0 to 100), to 4 decimal places; null before any mark.
    pub mean_score: Option<f64>,
    /// How many panel members have marked it.
    pub marks: usize,
    /// weight × mean mark / 100, to 4 decimal places.
    pub score: f64,
}

/// A ranked bid. Scores are computed exactly (rational arithmetic) and shown to 4 decimal
/// places; ranks are decided on the exact values.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankingItem {
    /// The bid.
    pub bid_id: Uuid,
    /// The bidder.
    pub supplier_id: Uuid,
    /// The bidder's name.
    pub supplier_name: String,
    /// The bidder's rating from buyers' performance reviews; null when it has none.
    pub supplier_rating: Option<RatingResponse>,
    /// The price in pence.
    pub price_pence: i64,
    /// Whether the price is above the tender's budget ceiling (grounds to exclude it).
    pub above_budget_ceiling: bool,
    /// price weight × lowest compliant price / this price.
    pub price_score: f64,
    /// Per quality criterion.
    pub quality_scores: Vec<CriterionScore>,
    /// The sum of the quality criteria's scores.
    pub quality_score: f64,
    /// price_score + quality_score.
    pub total_score: f64,
    /// 1 for the best; ties go to the higher quality score, then the earlier submission.
    pub rank: u32,
    /// When the version evaluated was submitted.
    pub submitted_at: DateTime<Utc>,
}

/// The ranking of the compliant live bids.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankingResponse {
    /// The tender.
    pub tender_id: Uuid,
    /// Whether every assigned evaluator without a conflict of interest has scored every quality
    /// criterion of every compliant bid (then the tender may be awarded).
    pub complete: bool,
    /// How many marks are still missing.
    pub missing_marks: usize,
    /// How many panel members score (assigned, declared no conflict).
    pub scorers: usize,
    /// The compliant live bids, best first.
    pub items: Vec<RankingItem>,
    /// The bids excluded as non-compliant.
    pub excluded: Vec<BidEvaluationResponse>,
}

pub(crate) async fn bid_evaluation<C: ConnectionTrait>(
    conn: &C,
    bid: &Bid,
    exclusion: Option<&Exclusion>,
) -> Result<BidEvaluationResponse, ApiError> {
    let name = persistence::organisations::get(conn, bid.supplier_id)
        .await?
        .name;
    Ok(BidEvaluationResponse {
        bid_id: bid.id.as_uuid(),
        supplier_id: bid.supplier_id.as_uuid(),
        supplier_name: name,
        price_pence: bid.price_pence,
        excluded: exclusion.is_some(),
        exclusion_reason: exclusion.map(|e| e.reason.clone()),
        excluded_at: exclusion.map(|e| e.excluded_at),
    })
}

/// The ranking of the compliant live bids, with each bid's price score, quality scores per
/// criterion, total and rank, and whether scoring is complete. The tender's lead, after the
/// deadline; the regulator and admins once the tender is awarded.
#[utoipa::path(
    get,
    path = "/tenders/{id}/ranking",
    tag = "evaluation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "The ranking.", body = RankingResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = BidsSealed),
        (status = 404, response = NotFound),
    )
)]
pub async fn get_ranking(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<RankingResponse>, ApiError> {
    let conn = state.db.conn();
    let now = state.db.now().await?;
    let (tender, status) = visible(conn, &actor, TenderId::from_uuid(id), now).await?;
    let scope = tender.scope(status);
    let sealed = || {
        ApiError::from(DomainError::Sealed(format!(
            "The bids are sealed until the submission deadline ({}).",
            tender.submission_deadline.to_rfc3339()
        )))
    };
    match actor.role {
        Role::BuyerLead if scope.is_buyer(&actor) => {
            if matches!(status, TenderStatus::Draft | TenderStatus::Published) {
                return Err(sealed());
            }
        }
        Role::Regulator | Role::Admin => {
            if matches!(status, TenderStatus::Draft | TenderStatus::Published) {
                return Err(sealed());
            }
            check_awarded_for_oversight(&tender, status)?;
        }
        _ => {
            return Err(DomainError::Forbidden(
                "the ranking is the buying organisation's lead's (and, after award, the \
                 regulator's); bidders read their outcome"
                    .to_owned(),
            )
            .into());
        }
    }
    let evaluated = evaluate(conn, &tender, now).await?;
    Ok(Json(evaluated.response(&tender)))
}
