//! Publishing, amending and cancelling a tender.

use super::*;

/// Publishes a draft: both deadlines must still be ahead by the database clock. Suppliers whose
/// published offers match its category and region (or, for an invited tender, the invited
/// ones) are notified. An `If-Match` header, when sent, must name the current version.
#[utoipa::path(
    post,
    path = "/tenders/{id}/publish",
    tag = "tenders",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("If-Match" = Option<String>, Header, description = "Optionally, the ETag of the version being published."),
    ),
    responses(
        (status = 200, description = "The published tender.", body = TenderResponse,
            headers(("ETag" = String, description = "The new version."))),
        crate::error::AccessProblems,
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn publish_tender(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged, ApiError> {
    let view = service::tenders::publish(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        &if_match.expected(),
    )
    .await?;
    Ok(tagged(view.into()))
}

/// An amendment to a published tender.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendTenderRequest {
    /// What changed and why, for bidders: 1 to 2000 characters.
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "Deadline extended by a week at suppliers' request."
    )]
    pub note: String,
    /// The clarified description.
    #[schema(min_length = 1, max_length = 20000)]
    pub description: Option<String>,
    /// A later clarification deadline.
    pub clarification_deadline: Option<DateTime<Utc>>,
    /// A later submission deadline.
    pub submission_deadline: Option<DateTime<Utc>>,
}

/// Amends a published tender before its submission deadline: a clarified description and/or
/// later deadlines (never earlier; criteria are frozen). When the description or the submission
/// deadline changes, every live bid needs its supplier's confirmation (or a revision) before
/// the deadline to be evaluated. Suppliers with a bid or a question are notified.
#[utoipa::path(
    post,
    path = "/tenders/{id}/amendments",
    tag = "tenders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = AmendTenderRequest,
    responses(
        (status = 201, description = "The amended tender; its `amendments` end with this one.", body = TenderResponse,
            headers(("ETag" = String, description = "The new version."))),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = DeadlinePassed),
    )
)]
pub async fn amend_tender(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<AmendTenderRequest>, ApiError>,
) -> Result<(StatusCode, Tagged), ApiError> {
    tender::require_tender_manager(&actor)?;
    let JsonBody(request) = body?;
    let input = service::tenders::AmendmentInput {
        note: request.note,
        description: request.description,
        clarification_deadline: request.clarification_deadline,
        submission_deadline: request.submission_deadline,
    };
    let view = service::tenders::amend(&state.ctx, &actor, TenderId::from_uuid(id), &input).await?;
    Ok((StatusCode::CREATED, tagged(view.into())))
}

/// Cancels a tender at any state before award, with a reason.
#[utoipa::path(
    post,
    path = "/tenders/{id}/cancel",
    tag = "tenders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = CancelTenderRequest,
    responses(
        (status = 200, description = "The cancelled tender.", body = TenderResponse,
            headers(("ETag" = String, description = "The new version."))),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn cancel_tender(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<CancelTenderRequest>, ApiError>,
) -> Result<Tagged, ApiError> {
    tender::require_tender_manager(&actor)?;
    let JsonBody(request) = body?;
    let view =
        service::tenders::cancel(&state.ctx, &actor, TenderId::from_uuid(id), &request.reason)
            .await?;
    Ok(tagged(view.into()))
}

/// Why a tender is cancelled.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelTenderRequest {
    /// The reason, for bidders and the regulator: 1 to 2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}
