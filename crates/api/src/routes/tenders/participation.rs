//! A competitive flexible procedure's participation stage: requests to participate and the
//! shortlist.

use super::*;
use service::participation::{RequestView, ShortlistInput};

/// A supplier's request to participate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipationRequestBody {
    /// How the supplier meets the conditions of participation: 1 to 10000 characters.
    #[schema(min_length = 1, max_length = 10000)]
    pub statement: String,
}

/// A request to participate, and the lead's decision once the shortlist is made.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ParticipationRequest)]
pub struct ParticipationRequestResponse {
    /// The request's id.
    pub id: Uuid,
    /// The tender.
    pub tender_id: Uuid,
    /// The supplier.
    pub supplier_id: Uuid,
    /// Its name.
    pub supplier_name: String,
    /// How it meets the conditions of participation.
    pub statement: String,
    /// 1 for the first request, one more for each revision.
    pub version: i32,
    /// When it was first made.
    pub submitted_at: DateTime<Utc>,
    /// When it was last revised.
    pub updated_at: DateTime<Utc>,
    /// The shortlist's decision: admitted to tender or not (null until decided).
    pub admitted: Option<bool>,
    /// Why.
    pub decision_reason: Option<String>,
    /// When the shortlist was decided.
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<RequestView> for ParticipationRequestResponse {
    fn from(v: RequestView) -> Self {
        let r = v.request;
        Self {
            id: r.id,
            tender_id: r.tender_id.as_uuid(),
            supplier_id: r.supplier_id.as_uuid(),
            supplier_name: v.supplier_name,
            statement: r.statement,
            version: r.version,
            submitted_at: r.submitted_at,
            updated_at: r.updated_at,
            admitted: r.admitted,
            decision_reason: r.decision_reason,
            decided_at: r.decided_at,
        }
    }
}

/// Requests to participate in a competitive flexible procedure (a supplier, before the
/// expression-of-interest deadline by the database clock), or revises the organisation's
/// request: one per supplier. After the deadline: 409 `deadline-passed`.
#[utoipa::path(
    post,
    path = "/tenders/{id}/participation-requests",
    tag = "tenders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = ParticipationRequestBody,
    responses(
        (status = 201, description = "The request, made.", body = ParticipationRequestResponse),
        (status = 200, description = "The request, revised.", body = ParticipationRequestResponse),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = DeadlinePassed),
    )
)]
pub async fn request_participation(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<ParticipationRequestBody>, ApiError>,
) -> Result<(StatusCode, Json<ParticipationRequestResponse>), ApiError> {
    let JsonBody(request) = body?;
    let (made, new) = service::participation::request(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        &request.statement,
    )
    .await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(made.into())))
}

/// The requests to participate: a supplier its own; the buyer, the regulator and admins every
/// one once the expression-of-interest deadline has passed (before it, 403 `bids-sealed`).
#[utoipa::path(
    get,
    path = "/tenders/{id}/participation-requests",
    tag = "tenders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "The requests.", body = Vec<ParticipationRequestResponse>),
        crate::error::SealedReadProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn list_participation_requests(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<Vec<ParticipationRequestResponse>>, ApiError> {
    let found =
        service::participation::requests(&state.ctx, &actor, TenderId::from_uuid(id)).await?;
    Ok(Json(found.into_iter().map(Into::into).collect()))
}

/// One shortlist decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShortlistDecision {
    /// A supplier that requested to participate.
    pub supplier_id: Uuid,
    /// Whether it is admitted to tender.
    pub admitted: bool,
    /// Why, against the conditions of participation: 1 to 2000 characters; the supplier is
    /// told.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// The shortlist.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShortlistRequest {
    /// A decision for every request, and only for them.
    pub decisions: Vec<ShortlistDecision>,
    /// A new submission deadline; otherwise the tender's stands. Above threshold at least 25
    /// days from now (10 with an urgency or a qualifying planned procurement notice; s.54(4)).
    pub submission_deadline: Option<DateTime<Utc>>,
}

/// Decides the shortlist of a competitive flexible procedure (the tender's lead, once, after
/// the expression-of-interest deadline; before it 409): every requester is told its decision
/// and reason; only the admitted may then tender.
#[utoipa::path(
    post,
    path = "/tenders/{id}/shortlist",
    tag = "tenders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = ShortlistRequest,
    responses(
        (status = 200, description = "The tender, shortlisted.", body = TenderResponse),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn shortlist_tender(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<ShortlistRequest>, ApiError>,
) -> Result<Tagged, ApiError> {
    tender::require_tender_manager(&actor)?;
    let JsonBody(request) = body?;
    let input = ShortlistInput {
        decisions: request
            .decisions
            .into_iter()
            .map(|d| domain::participation::DecisionInput {
                supplier_id: OrganisationId::from_uuid(d.supplier_id),
                admitted: d.admitted,
                reason: d.reason,
            })
            .collect(),
        submission_deadline: request.submission_deadline,
    };
    let view =
        service::participation::shortlist(&state.ctx, &actor, TenderId::from_uuid(id), &input)
            .await?;
    Ok(tagged(view.into()))
}
