//! Challenges lodged during the standstill, and their resolution.

use super::*;

/// A challenge to the award.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeRequest {
    /// The lot whose award is challenged: required when the tender is divided into lots.
    pub lot_id: Option<Uuid>,
    /// The grounds: 1 to 10000 characters.
    #[schema(min_length = 1, max_length = 10000)]
    pub grounds: String,
}

/// A challenge.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Challenge)]
pub struct ChallengeResponse {
    /// The challenge's id.
    pub id: Uuid,
    /// The tender.
    pub tender_id: Uuid,
    /// The award challenged.
    pub award_id: Uuid,
    /// The challenging bidder.
    pub supplier_id: Uuid,
    /// The grounds.
    pub grounds: String,
    /// When it was lodged.
    pub lodged_at: DateTime<Utc>,
    /// `open`, `upheld`, `dismissed` or `lapsed` (the award was cancelled otherwise).
    pub status: String,
    /// The lead's notes on resolving it.
    pub resolution_notes: Option<String>,
    /// When it was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl From<Challenge> for ChallengeResponse {
    fn from(c: Challenge) -> Self {
        Self {
            id: c.id,
            tender_id: c.tender_id.as_uuid(),
            award_id: c.award_id,
            supplier_id: c.supplier_id.as_uuid(),
            grounds: c.grounds,
            lodged_at: c.lodged_at,
            status: c.status.as_str().to_owned(),
            resolution_notes: c.resolution_notes,
            resolved_at: c.resolved_at,
        }
    }
}

/// A tender's challenges.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChallengeList {
    /// Earliest first.
    pub items: Vec<ChallengeResponse>,
}

/// An unsuccessful bidder challenges the award, during the standstill only; an open challenge
/// holds the contract back until the lead resolves it.
#[utoipa::path(
    post,
    path = "/tenders/{id}/challenges",
    tag = "award",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = ChallengeRequest,
    responses(
        (status = 201, description = "The challenge.", body = ChallengeResponse,
            headers(("Location" = String, description = "The tender's challenges."))),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = DeadlinePassed),
    )
)]
pub async fn lodge_challenge(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<ChallengeRequest>, ApiError>,
) -> Result<Created<ChallengeResponse>, ApiError> {
    let JsonBody(request) = body?;
    let challenge = awards_service::lodge_challenge(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        request.lot_id.map(LotId::from_uuid),
        &request.grounds,
    )
    .await?;
    created(
        &format!("/api/v1/tenders/{id}/challenges"),
        ChallengeResponse::from(challenge),
    )
}

/// The tender's challenges: the buyer, the regulator and admins see all; a bidder its own.
#[utoipa::path(
    get,
    path = "/tenders/{id}/challenges",
    tag = "award",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "The challenges.", body = ChallengeList),
        crate::error::AccessProblems,
    )
)]
pub async fn list_challenges(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<ChallengeList>, ApiError> {
    let items = awards_service::challenges(&state.ctx, &actor, TenderId::from_uuid(id)).await?;
    Ok(Json(ChallengeList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// How a challenge is resolved.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeOutcomeDto {
    /// The challenge is upheld: the award is cancelled and the tender returns to evaluation
    /// (scores kept).
    Upheld,
    /// The challenge is dismissed: the award stands.
    Dismissed,
}

/// The lead's resolution.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveChallengeRequest {
    /// `upheld` or `dismissed`.
    pub outcome: ChallengeOutcomeDto,
    /// The reasons, which the challenger reads: 1 to 10000 characters.
    #[schema(min_length = 1, max_length = 10000)]
    pub notes: String,
}

/// Resolves an open challenge (the tender's lead). Upheld: the award is cancelled, other open
/// challenges to it lapse, and the tender returns to evaluation with its scores kept; every
/// bidder is told. Dismissed: the award stands.
#[utoipa::path(
    post,
    path = "/tenders/{id}/challenges/{challenge_id}/resolve",
    tag = "award",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("challenge_id" = Uuid, Path, description = "The challenge's id."),
    ),
    request_body = ResolveChallengeRequest,
    responses(
        (status = 200, description = "The challenge, resolved.", body = ChallengeResponse),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn resolve_challenge(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams((id, challenge_id)): PathParams<(Uuid, Uuid)>,
    body: Result<JsonBody<ResolveChallengeRequest>, ApiError>,
) -> Result<Json<ChallengeResponse>, ApiError> {
    let JsonBody(request) = body?;
    let outcome = match request.outcome {
        ChallengeOutcomeDto::Upheld => ChallengeOutcome::Upheld,
        ChallengeOutcomeDto::Dismissed => ChallengeOutcome::Dismissed,
    };
    let resolved = awards_service::resolve_challenge(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        challenge_id,
        outcome,
        &request.notes,
    )
    .await?;
    Ok(Json(resolved.into()))
}
