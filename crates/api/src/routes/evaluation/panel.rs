//! The evaluation panel: assigning evaluators and their conflict-of-interest declarations.

use super::*;

/// A member of a tender's evaluation panel.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Evaluator)]
pub struct EvaluatorResponse {
    /// The user.
    pub user_id: Uuid,
    /// Their name.
    pub name: String,
    /// Their email address.
    pub email: String,
    /// When they were put on the panel.
    pub assigned_at: DateTime<Utc>,
    /// Whether they have declared their interests.
    pub declared: bool,
    /// Whether they declared a conflict of interest (then they may not see bids or score);
    /// null until declared.
    pub has_conflict: Option<bool>,
    /// What they declared.
    pub conflict_details: Option<String>,
    /// When they declared.
    pub declared_at: Option<DateTime<Utc>>,
}

impl From<PanelMember> for EvaluatorResponse {
    fn from(m: PanelMember) -> Self {
        Self {
            user_id: m.user_id.as_uuid(),
            name: m.name,
            email: m.email,
            assigned_at: m.assigned_at,
            declared: m.has_conflict.is_some(),
            has_conflict: m.has_conflict,
            conflict_details: m.conflict_details,
            declared_at: m.declared_at,
        }
    }
}

/// The panel.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluatorList {
    /// The members, in the order they were assigned.
    pub items: Vec<EvaluatorResponse>,
}

/// Puts a user on the panel.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignEvaluatorRequest {
    /// A `buyer_evaluator` (or `buyer_lead`) of the buying organisation.
    pub user_id: Uuid,
}

/// A declaration of interests.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictDeclarationRequest {
    /// Whether the evaluator has a conflict of interest with any bidder.
    pub has_conflict: bool,
    /// What the conflict is: required when there is one, 1 to 2000 characters.
    #[schema(max_length = 2000)]
    pub details: Option<String>,
}

/// Assigns a `buyer_evaluator` (or another `buyer_lead`) of the buying organisation to the
/// tender's evaluation panel (the tender's lead only; until the award).
#[utoipa::path(
    post,
    path = "/tenders/{id}/evaluators",
    tag = "evaluation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = AssignEvaluatorRequest,
    responses(
        (status = 201, description = "The panel member.", body = EvaluatorResponse),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn assign_evaluator(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<AssignEvaluatorRequest>, ApiError>,
) -> Result<(StatusCode, Json<EvaluatorResponse>), ApiError> {
    let JsonBody(request) = body?;
    let member = evaluation_service::assign(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        UserId::from_uuid(request.user_id),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(member.into())))
}

/// The tender's evaluation panel with each member's declaration: the lead, the regulator and
/// admins see every member; a panel member sees its own entry.
#[utoipa::path(
    get,
    path = "/tenders/{id}/evaluators",
    tag = "evaluation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "The panel.", body = EvaluatorList),
        crate::error::AccessProblems,
    )
)]
pub async fn list_evaluators(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<EvaluatorList>, ApiError> {
    let panel = evaluation_service::panel(&state.ctx, &actor, TenderId::from_uuid(id)).await?;
    Ok(Json(EvaluatorList {
        items: panel.into_iter().map(Into::into).collect(),
    }))
}

/// Takes a member off the panel (the tender's lead; until the award). Its marks on the tender
/// are removed with it and no longer count.
#[utoipa::path(
    delete,
    path = "/tenders/{id}/evaluators/{user_id}",
    tag = "evaluation",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("user_id" = Uuid, Path, description = "The panel member's user id."),
    ),
    responses(
        (status = 204, description = "Removed."),
        crate::error::AccessProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn remove_evaluator(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams((id, user_id)): PathParams<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    evaluation_service::remove(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        UserId::from_uuid(user_id),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in panel member declares whether it has a conflict of interest, before it may see
/// any bid. A lead declaring joins the panel (the lead may also score). A declaration is made
/// once; afterwards only a newly found conflict may be declared, and it can never be withdrawn.
#[utoipa::path(
    post,
    path = "/tenders/{id}/conflict-declaration",
    tag = "evaluation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = ConflictDeclarationRequest,
    responses(
        (status = 201, description = "The declaration, recorded on the panel member.", body = EvaluatorResponse),
        (status = 200, description = "A conflict declared after an earlier declaration of none.", body = EvaluatorResponse),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn declare_conflict(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<ConflictDeclarationRequest>, ApiError>,
) -> Result<(StatusCode, Json<EvaluatorResponse>), ApiError> {
    let JsonBody(request) = body?;
    let declared = evaluation_service::declare(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        request.has_conflict,
        request.details.as_deref(),
    )
    .await?;
    let code = if declared.first {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((code, Json(declared.member.into())))
}
