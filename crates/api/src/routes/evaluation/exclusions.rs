//! Excluding and reinstating bids, and declaring a tender unsuccessful.

use super::*;

/// Why a bid is excluded, or why a tender is declared unsuccessful.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// 1 to 2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Excludes a bid as non-compliant, with the reason the bidder will read (the tender's lead,
/// in evaluation). An excluded bid is not scored or ranked.
#[utoipa::path(
    post,
    path = "/tenders/{id}/bids/{bid_id}/exclude",
    tag = "evaluation",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("bid_id" = Uuid, Path, description = "The bid's id."),
    ),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "The bid, excluded.", body = BidEvaluationResponse),
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
pub async fn exclude_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams((id, bid_id)): PathParams<(Uuid, Uuid)>,
    body: Result<JsonBody<ReasonRequest>, ApiError>,
) -> Result<Json<BidEvaluationResponse>, ApiError> {
    let mut command = state.db.command().await?;
    let (tender, bid) = lead_and_bid(&mut command, &actor, id, bid_id, "exclude bids").await?;
    let JsonBody(request) = body?;
    let reason = evaluation::reason(&request.reason)?;
    let exclusion = persistence::evaluation::exclude(
        command.conn(),
        tender.id,
        bid.id,
        &reason,
        actor.user_id,
        command.now(),
    )
    .await?;
    let shown = bid_evaluation(command.conn(), &bid, Some(&exclusion)).await?;
    command
        .audit(
            AuditEntry::new(Some(actor), "bid.excluded", "bid", bid.id).after(
                serde_json::json!({"tender_id": tender.id, "reason": reason, "excluded_at": exclusion.excluded_at}),
            ),
        )
        .await?;
    command.commit().await?;
    Ok(Json(shown))
}

/// Lifts an exclusion (the tender's lead, in evaluation).
#[utoipa::path(
    post,
    path = "/tenders/{id}/bids/{bid_id}/reinstate",
    tag = "evaluation",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("bid_id" = Uuid, Path, description = "The bid's id."),
    ),
    responses(
        (status = 200, description = "The bid, compliant again.", body = BidEvaluationResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn reinstate_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams((id, bid_id)): PathParams<(Uuid, Uuid)>,
) -> Result<Json<BidEvaluationResponse>, ApiError> {
    let mut command = state.db.command().await?;
    let (tender, bid) = lead_and_bid(&mut command, &actor, id, bid_id, "reinstate bids").await?;
    let previous = persistence::evaluation::exclusions(command.conn(), tender.id)
        .await?
        .into_iter()
        .find(|e| e.bid_id == bid.id)
        .ok_or_else(|| DomainError::Conflict("the bid is not excluded".to_owned()))?;
    persistence::evaluation::reinstate(command.conn(), bid.id).await?;
    let shown = bid_evaluation(command.conn(), &bid, None).await?;
    command
        .audit(
            AuditEntry::new(Some(actor), "bid.reinstated", "bid", bid.id)
                .before(serde_json::json!({"tender_id": tender.id, "reason": previous.reason}))
                .after(serde_json::json!({"tender_id": tender.id, "excluded": false})),
        )
        .await?;
    command.commit().await?;
    Ok(Json(shown))
}

/// Declares the tender unsuccessful because no compliant bid remains (the tender's lead, in
/// evaluation): exclude non-compliant bids first, with their reasons.
#[utoipa::path(
    post,
    path = "/tenders/{id}/unsuccessful",
    tag = "evaluation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "The tender, unsuccessful.", body = TenderResponse),
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
pub async fn declare_unsuccessful(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<ReasonRequest>, ApiError>,
) -> Result<Json<TenderResponse>, ApiError> {
    domain::tender::require_tender_manager(&actor)?;
    let mut command = state.db.command().await?;
    let (tender, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    tender
        .scope(status)
        .check_lead(&actor, "declare the tender unsuccessful")?;
    let JsonBody(request) = body?;
    let reason = evaluation::reason(&request.reason)?;
    let next = status.fail()?;
    let evaluated = evaluate(command.conn(), &tender, command.now()).await?;
    evaluation::check_no_compliant_bid(evaluated.ranking.items.len())?;
    let before_status = status;
    let failed = persistence::tenders::set_status(
        command.conn(),
        &tender,
        next,
        Transition {
            unsuccessful_reason: Some(reason.clone()),
            ..Transition::default()
        },
        command.now(),
    )
    .await?;
    let shown = TenderResponse::from(
        service::tenders::view(command.conn(), Some(&actor), failed, next).await?,
    );
    command
        .audit(
            AuditEntry::new(
                Some(actor),
                "tender.declared_unsuccessful",
                "tender",
                tender.id,
            )
            .before(serde_json::json!({"status": before_status.as_str()}))
            .after(serde_json::json!({"status": next.as_str(), "reason": reason})),
        )
        .await?;
    command.commit().await?;
    Ok(Json(shown))
}
