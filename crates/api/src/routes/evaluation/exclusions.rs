//! Excluding and reinstating bids, and declaring a tender unsuccessful.

use super::*;
use crate::extract::BidPath;

/// Excludes a bid as non-compliant, with the reason the bidder will read (the tender's lead,
/// in evaluation). An excluded bid is not scored or ranked.
#[utoipa::path(
    post,
    path = "/tenders/{id}/bids/{bid_id}/exclude",
    tag = "evaluation",
    security(("bearer" = [])),
    params(BidPath),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "The bid, excluded.", body = BidEvaluationResponse),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn exclude_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(BidPath { id, bid_id }): PathParams<BidPath>,
    body: Result<JsonBody<ReasonRequest>, ApiError>,
) -> Result<Json<BidEvaluationResponse>, ApiError> {
    let JsonBody(request) = body?;
    let standing = evaluation_service::exclude(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        BidId::from_uuid(bid_id),
        &request.reason,
    )
    .await?;
    Ok(Json(standing.into()))
}

/// Why a bid is excluded, or why a tender is declared unsuccessful.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// 1 to 2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Why a tender, or one lot of a divided tender, ends without a contract.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnsuccessfulRequest {
    /// 1 to 2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// The lot declared unsuccessful: required when the tender is divided into lots; the
    /// tender is unsuccessful when every lot is.
    pub lot_id: Option<Uuid>,
}

/// Lifts an exclusion (the tender's lead, in evaluation).
#[utoipa::path(
    post,
    path = "/tenders/{id}/bids/{bid_id}/reinstate",
    tag = "evaluation",
    security(("bearer" = [])),
    params(BidPath),
    responses(
        (status = 200, description = "The bid, compliant again.", body = BidEvaluationResponse),
        crate::error::AccessProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn reinstate_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(BidPath { id, bid_id }): PathParams<BidPath>,
) -> Result<Json<BidEvaluationResponse>, ApiError> {
    let standing = evaluation_service::reinstate(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        BidId::from_uuid(bid_id),
    )
    .await?;
    Ok(Json(standing.into()))
}

/// Declares the tender unsuccessful because no compliant bid remains (the tender's lead, in
/// evaluation): exclude non-compliant bids first, with their reasons.
#[utoipa::path(
    post,
    path = "/tenders/{id}/unsuccessful",
    tag = "evaluation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = UnsuccessfulRequest,
    responses(
        (status = 200, description = "The tender, unsuccessful.", body = TenderResponse),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn declare_unsuccessful(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<UnsuccessfulRequest>, ApiError>,
) -> Result<Json<TenderResponse>, ApiError> {
    let JsonBody(request) = body?;
    let failed = evaluation_service::declare_unsuccessful(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        request.lot_id.map(domain::ids::LotId::from_uuid),
        &request.reason,
    )
    .await?;
    Ok(Json(failed.into()))
}
