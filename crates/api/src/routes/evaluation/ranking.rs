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
    /// The lot ranked; absent on an undivided tender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lot_id: Option<Uuid>,
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

impl From<evaluation_service::BidStanding> for BidEvaluationResponse {
    fn from(b: evaluation_service::BidStanding) -> Self {
        Self {
            bid_id: b.bid_id.as_uuid(),
            supplier_id: b.supplier_id.as_uuid(),
            supplier_name: b.supplier_name,
            price_pence: b.price_pence,
            excluded: b.excluded,
            exclusion_reason: b.exclusion_reason,
            excluded_at: b.excluded_at,
        }
    }
}

impl From<evaluation_service::CriterionScore> for CriterionScore {
    fn from(c: evaluation_service::CriterionScore) -> Self {
        Self {
            criterion_id: c.criterion_id.as_uuid(),
            name: c.name,
            weight: c.weight,
            mean_score: c.mean_score,
            marks: c.marks,
            score: c.score,
        }
    }
}

impl From<evaluation_service::RankedView> for RankingItem {
    fn from(r: evaluation_service::RankedView) -> Self {
        Self {
            bid_id: r.bid_id.as_uuid(),
            supplier_id: r.supplier_id.as_uuid(),
            supplier_name: r.supplier_name,
            supplier_rating: r.supplier_rating.map(Into::into),
            price_pence: r.price_pence,
            above_budget_ceiling: r.above_budget_ceiling,
            price_score: r.price_score,
            quality_scores: r.quality_scores.into_iter().map(Into::into).collect(),
            quality_score: r.quality_score,
            total_score: r.total_score,
            rank: r.rank,
            submitted_at: r.submitted_at,
        }
    }
}

impl From<evaluation_service::RankingView> for RankingResponse {
    fn from(r: evaluation_service::RankingView) -> Self {
        Self {
            tender_id: r.tender_id.as_uuid(),
            lot_id: r.lot_id.map(|l| l.as_uuid()),
            complete: r.complete,
            missing_marks: r.missing_marks,
            scorers: r.scorers,
            items: r.items.into_iter().map(Into::into).collect(),
            excluded: r.excluded.into_iter().map(Into::into).collect(),
        }
    }
}

/// The ranking of the compliant live bids (of one lot, `?lot=`, when the tender is divided),
/// with each bid's price score, quality scores per criterion, total and rank, and whether
/// scoring is complete. The tender's lead, after the deadline; the regulator and admins once
/// the tender (or the lot) is awarded.
#[utoipa::path(
    get,
    path = "/tenders/{id}/ranking",
    tag = "evaluation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id."), crate::dto::LotQuery),
    responses(
        (status = 200, description = "The ranking.", body = RankingResponse),
        crate::error::SealedReadProblems,
        crate::error::QueryProblems,
    )
)]
pub async fn get_ranking(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    QueryParams(query): QueryParams<crate::dto::LotQuery>,
) -> Result<Json<RankingResponse>, ApiError> {
    let ranking =
        evaluation_service::ranking(&state.ctx, &actor, TenderId::from_uuid(id), query.lot_id())
            .await?;
    Ok(Json(ranking.into()))
}
