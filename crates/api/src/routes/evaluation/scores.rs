//! Marks per bid and quality criterion, with justifications.

use super::*;

/// One evaluator's mark for one bid on one quality criterion.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreRequest {
    /// 0 to 100.
    #[schema(minimum = 0, maximum = 100, example = 70)]
    pub score: i64,
    /// Why: 1 to 5000 characters, which the bidder will read.
    #[schema(min_length = 1, max_length = 5000)]
    pub justification: String,
}

/// A mark as recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Score)]
pub struct ScoreResponse {
    /// The bid.
    pub bid_id: Uuid,
    /// The quality criterion.
    pub criterion_id: Uuid,
    /// The evaluator.
    pub evaluator_id: Uuid,
    /// 0 to 100.
    pub score: u8,
    /// Why.
    pub justification: String,
    /// When first given.
    pub scored_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<StoredScore> for ScoreResponse {
    fn from(s: StoredScore) -> Self {
        Self {
            bid_id: s.bid_id.as_uuid(),
            criterion_id: s.criterion_id.as_uuid(),
            evaluator_id: s.evaluator_id.as_uuid(),
            score: s.score.value(),
            justification: s.justification,
            scored_at: s.scored_at,
            updated_at: s.updated_at,
        }
    }
}

/// Marks.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreList {
    /// The marks, oldest first.
    pub items: Vec<ScoreResponse>,
}

/// Records or changes the signed-in evaluator's mark for a bid on a quality criterion, with its
/// justification: panel members who declared no conflict of interest, while the tender is in
/// evaluation (editable until the award).
#[utoipa::path(
    put,
    path = "/tenders/{id}/bids/{bid_id}/scores/{criterion_id}",
    tag = "evaluation",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("bid_id" = Uuid, Path, description = "The bid's id."),
        ("criterion_id" = Uuid, Path, description = "A quality criterion's id."),
    ),
    request_body = ScoreRequest,
    responses(
        (status = 200, description = "The mark as recorded.", body = ScoreResponse),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn score_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams((id, bid_id, criterion_id)): PathParams<(Uuid, Uuid, Uuid)>,
    body: Result<JsonBody<ScoreRequest>, ApiError>,
) -> Result<Json<ScoreResponse>, ApiError> {
    let JsonBody(request) = body?;
    let target = evaluation_service::MarkTarget {
        tender: TenderId::from_uuid(id),
        bid: BidId::from_uuid(bid_id),
        criterion: CriterionId::from_uuid(criterion_id),
    };
    let mark = evaluation_service::score(
        &state.ctx,
        &actor,
        target,
        request.score,
        &request.justification,
    )
    .await?;
    Ok(Json(mark.into()))
}

/// The marks given on the tender: the lead sees every evaluator's (for moderation), as do the
/// regulator and admins once the tender is awarded; a panel member sees its own.
#[utoipa::path(
    get,
    path = "/tenders/{id}/scores",
    tag = "evaluation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "The marks.", body = ScoreList),
        crate::error::SealedReadProblems,
    )
)]
pub async fn list_scores(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<ScoreList>, ApiError> {
    let marks = evaluation_service::scores(&state.ctx, &actor, TenderId::from_uuid(id)).await?;
    Ok(Json(ScoreList {
        items: marks.into_iter().map(Into::into).collect(),
    }))
}
