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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn assign_evaluator(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<AssignEvaluatorRequest>, ApiError>,
) -> Result<(StatusCode, Json<EvaluatorResponse>), ApiError> {
    domain::tender::require_tender_manager(&actor)?;
    let mut command = state.db.command().await?;
    let (tender, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    tender
        .scope(status)
        .check_lead(&actor, "assign evaluators")?;
    let JsonBody(request) = body?;
    check_panel_open(status)?;
    let user = persistence::users::find(command.conn(), UserId::from_uuid(request.user_id))
        .await?
        .filter(|u| {
            u.active
                && u.organisation_id == tender.buyer_id
                && matches!(u.role, Role::BuyerEvaluator | Role::BuyerLead)
        })
        .ok_or_else(|| {
            DomainError::field(
                "/user_id",
                "must be an active buyer_evaluator or buyer_lead of the buying organisation",
            )
        })?;
    let panel = persistence::evaluation::panel(command.conn(), tender.id).await?;
    if panel.len() >= evaluation::PANEL_MAX && !panel.iter().any(|m| m.user_id == user.id) {
        return Err(DomainError::Conflict(format!(
            "the panel is full: at most {} evaluators",
            evaluation::PANEL_MAX
        ))
        .into());
    }
    let member = persistence::evaluation::assign(
        command.conn(),
        tender.id,
        user.id,
        actor.user_id,
        command.now(),
    )
    .await?;
    let shown = EvaluatorResponse::from(member);
    command
        .audit(
            AuditEntry::new(
                Some(actor),
                "tender.evaluator_assigned",
                "tender",
                tender.id,
            )
            .after(audit_member(&shown)),
        )
        .await?;
    command.commit().await?;
    Ok((StatusCode::CREATED, Json(shown)))
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn list_evaluators(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<EvaluatorList>, ApiError> {
    let conn = state.db.conn();
    let now = state.db.now().await?;
    let (tender, status) = visible(conn, &actor, TenderId::from_uuid(id), now).await?;
    let scope = tender.scope(status);
    let panel = persistence::evaluation::panel(conn, tender.id).await?;
    let items: Vec<EvaluatorResponse> = match actor.role {
        Role::BuyerLead if scope.is_buyer(&actor) => panel.into_iter().map(Into::into).collect(),
        Role::Regulator | Role::Admin => panel.into_iter().map(Into::into).collect(),
        Role::BuyerEvaluator if scope.is_buyer(&actor) => panel
            .into_iter()
            .filter(|m| m.user_id == actor.user_id)
            .map(Into::into)
            .collect(),
        _ => {
            return Err(DomainError::Forbidden(
                "only the buying organisation, the regulator and admins see the panel".to_owned(),
            )
            .into());
        }
    };
    Ok(Json(EvaluatorList { items }))
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn remove_evaluator(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams((id, user_id)): PathParams<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    domain::tender::require_tender_manager(&actor)?;
    let mut command = state.db.command().await?;
    let (tender, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    tender
        .scope(status)
        .check_lead(&actor, "change the evaluation panel")?;
    check_panel_open(status)?;
    let user = UserId::from_uuid(user_id);
    let member = persistence::evaluation::find_member(command.conn(), tender.id, user)
        .await?
        .ok_or(DomainError::NotFound("evaluator"))?;
    let marks = persistence::evaluation::remove(command.conn(), tender.id, user)
        .await?
        .unwrap_or(0);
    command
        .audit(
            AuditEntry::new(Some(actor), "tender.evaluator_removed", "tender", tender.id)
                .before(audit_member(&member.into()))
                .after(serde_json::json!({"user_id": user_id, "marks_removed": marks})),
        )
        .await?;
    command.commit().await?;
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn declare_conflict(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<ConflictDeclarationRequest>, ApiError>,
) -> Result<(StatusCode, Json<EvaluatorResponse>), ApiError> {
    if !matches!(actor.role, Role::BuyerEvaluator | Role::BuyerLead) {
        return Err(
            DomainError::Forbidden(format!("a {} does not evaluate tenders", actor.role)).into(),
        );
    }
    let mut command = state.db.command().await?;
    let (tender, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    let scope = tender.scope(status);
    if !can_view_tender(&actor, &scope) {
        return Err(DomainError::NotFound("tender").into());
    }
    if !scope.is_buyer(&actor) {
        return Err(DomainError::Forbidden(
            "only the buying organisation's evaluators declare on its tenders".to_owned(),
        )
        .into());
    }
    let JsonBody(request) = body?;
    let declaration = Declaration::parse(request.has_conflict, request.details.as_deref())?;
    check_panel_open(status)?;
    let mut member =
        persistence::evaluation::find_member(command.conn(), tender.id, actor.user_id).await?;
    if member.is_none() && actor.role == Role::BuyerLead {
        member = Some(
            persistence::evaluation::assign(
                command.conn(),
                tender.id,
                actor.user_id,
                actor.user_id,
                command.now(),
            )
            .await?,
        );
    }
    let member = member.ok_or_else(|| {
        DomainError::Forbidden(
            "you are not on this tender's evaluation panel; the lead assigns evaluators".to_owned(),
        )
    })?;
    declaration.check_replaces(member.has_conflict)?;
    let first = member.has_conflict.is_none();
    let before = EvaluatorResponse::from(member);
    let declared = persistence::evaluation::declare(
        command.conn(),
        tender.id,
        actor.user_id,
        &declaration,
        command.now(),
    )
    .await?;
    let shown = EvaluatorResponse::from(declared);
    command
        .audit(
            AuditEntry::new(Some(actor), "tender.conflict_declared", "tender", tender.id)
                .before(audit_member(&before))
                .after(audit_member(&shown)),
        )
        .await?;
    command.commit().await?;
    let code = if first {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((code, Json(shown)))
}
