//! Sealed bids: a supplier submits, revises, withdraws and confirms its one live bid on a tender
//! until the submission deadline, by the database clock at the moment of the write; nobody else
//! reads a bid before the deadline, and afterwards only those the sealing rule names.

use crate::auth::AuthUser;
use crate::dto::{Created, created};
use crate::error::{ApiError, BadRequest, DeadlinePassed, NotFound, Unauthorized};
use crate::extract::BidPath;
use crate::extract::{JsonBody, PathParams};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use domain::access::Actor;
use domain::bid::{BidStatus, NewResponse};
use domain::ids::{BidId, CriterionId, LotId, OfferId, TenderId};
use serde::{Deserialize, Serialize};
use service::bids::{BidChange, BidInput, BidView};
use utoipa::ToSchema;
use uuid::Uuid;

/// Where a bid stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = BidStatus)]
pub enum BidStatusDto {
    /// In, and will be evaluated.
    Submitted,
    /// The tender was amended since: evaluated only if confirmed or revised before the deadline.
    NeedsConfirmation,
    /// Withdrawn by its supplier.
    Withdrawn,
}

impl From<BidStatus> for BidStatusDto {
    fn from(s: BidStatus) -> Self {
        match s {
            BidStatus::Submitted => Self::Submitted,
            BidStatus::NeedsConfirmation => Self::NeedsConfirmation,
            BidStatus::Withdrawn => Self::Withdrawn,
        }
    }
}

/// A response to one quality criterion.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = BidCriterionResponse)]
pub struct ResponseInput {
    /// The quality criterion answered.
    pub criterion_id: Uuid,
    /// The answer: 1 to 20000 characters.
    #[schema(min_length = 1, max_length = 20000)]
    pub text: String,
}

/// A bid's content.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitBidRequest {
    /// The lot bid for: required when the tender is divided into lots (one live bid per
    /// supplier per lot), refused otherwise. A revision keeps its bid's lot.
    pub lot_id: Option<Uuid>,
    /// The price in pence for the whole contract (or lot).
    #[schema(minimum = 1, maximum = 10000000000_i64, example = 23500000)]
    pub price_pence: i64,
    /// The supplier's own published offer, in the tender's category, that the bid is based on.
    pub offer_id: Option<Uuid>,
    /// One response to each quality criterion.
    #[schema(max_items = 20)]
    pub responses: Vec<ResponseInput>,
}

/// One version of a bid.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BidVersionResponse {
    /// 1 for the first submission, and so on.
    pub version: i32,
    /// The price in pence.
    pub price_pence: i64,
    /// The offer it was based on.
    pub offer_id: Option<Uuid>,
    /// The responses.
    pub responses: Vec<ResponseInput>,
    /// When it was submitted, by the database clock.
    pub submitted_at: DateTime<Utc>,
    /// The files this version carried (on a single bid's page only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<VersionAttachment>>,
}

/// A file one version of a bid carried.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionAttachment {
    /// The attachment's id.
    pub id: Uuid,
    /// What it is.
    pub title: String,
    /// Its file name.
    pub file_name: String,
    /// The SHA-256 of its bytes.
    pub sha256: String,
}

/// A bid.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Bid)]
pub struct BidResponse {
    /// The bid's id.
    pub id: Uuid,
    /// The tender.
    pub tender_id: Uuid,
    /// The bidding supplier.
    pub supplier_id: Uuid,
    /// The supplier's name.
    pub supplier_name: String,
    /// The lot it is for; null on an undivided tender.
    pub lot_id: Option<Uuid>,
    /// submitted, needs_confirmation or withdrawn.
    pub status: BidStatusDto,
    /// The price in pence.
    pub price_pence: i64,
    /// The offer it is based on.
    pub offer_id: Option<Uuid>,
    /// The responses, in the criteria's order.
    pub responses: Vec<ResponseInput>,
    /// The version in force (1 + the number of revisions).
    pub version: i32,
    /// When the first version was submitted, by the database clock.
    pub first_submitted_at: DateTime<Utc>,
    /// When the version in force was submitted, by the database clock.
    pub submitted_at: DateTime<Utc>,
    /// When it was last confirmed after an amendment.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When it was withdrawn.
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Every version, oldest first (on a single bid's page only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<BidVersionResponse>>,
    /// The files the bid carries now (on a single bid's page only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<crate::routes::documents::AttachmentResponse>>,
}

/// Submits the signed-in supplier's bid (`supplier_bidder`; any supplier on an open tender,
/// invited ones on an invited tender). One live bid per supplier per tender; a response to every
/// quality criterion. A bid at or after the deadline, by the database clock, is refused with
/// `deadline-passed`.
#[utoipa::path(
    post,
    path = "/tenders/{id}/bids",
    tag = "bids",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = SubmitBidRequest,
    responses(
        (status = 201, description = "The bid, received; `submitted_at` is the database's time.", body = BidResponse,
            headers(("Location" = String, description = "The bid's address."))),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = DeadlinePassed),
    )
)]
pub async fn submit_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<SubmitBidRequest>, ApiError>,
) -> Result<Created<BidResponse>, ApiError> {
    let JsonBody(request) = body?;
    let submitted =
        service::bids::submit(&state.ctx, &actor, TenderId::from_uuid(id), &request.into()).await?;
    let shown = BidResponse::from(submitted);
    let location = format!("/api/v1/tenders/{}/bids/{}", shown.tender_id, shown.id);
    created(&location, shown)
}

/// A tender's bids.
#[derive(Debug, Serialize, ToSchema)]
pub struct BidList {
    /// The bids, earliest first.
    pub items: Vec<BidResponse>,
}

/// The bids the signed-in user may see. Before the submission deadline the bids are sealed: a
/// supplier sees only its own; the buyer, the regulator and admins get 403 `bids-sealed`. After
/// it the buyer's lead and the assigned evaluators who declared no conflict of interest see every
/// live bid (an assigned evaluator who has not yet declared gets 403); the regulator and admins
/// once the tender is awarded.
#[utoipa::path(
    get,
    path = "/tenders/{id}/bids",
    tag = "bids",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "The bids.", body = BidList),
        crate::error::SealedReadProblems,
    )
)]
pub async fn list_bids(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<BidList>, ApiError> {
    let bids = service::bids::list(&state.ctx, &actor, TenderId::from_uuid(id)).await?;
    Ok(Json(BidList {
        items: bids.into_iter().map(Into::into).collect(),
    }))
}

/// One bid, with every version, if the signed-in user may see it; 404 otherwise (including any
/// bid before the deadline for anyone but its own supplier).
#[utoipa::path(
    get,
    path = "/tenders/{id}/bids/{bid_id}",
    tag = "bids",
    security(("bearer" = [])),
    params(BidPath),
    responses(
        (status = 200, description = "The bid.", body = BidResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(BidPath { id, bid_id }): PathParams<BidPath>,
) -> Result<Json<BidResponse>, ApiError> {
    let bid = service::bids::get(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        BidId::from_uuid(bid_id),
    )
    .await?;
    Ok(Json(bid.into()))
}

/// Revises the supplier's bid before the deadline: a new version (every version is kept). A
/// revision also confirms a bid after an amendment.
#[utoipa::path(
    put,
    path = "/tenders/{id}/bids/{bid_id}",
    tag = "bids",
    security(("bearer" = [])),
    params(BidPath),
    request_body = SubmitBidRequest,
    responses(
        (status = 200, description = "The revised bid.", body = BidResponse),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = DeadlinePassed),
    )
)]
pub async fn revise_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(BidPath { id, bid_id }): PathParams<BidPath>,
    body: Result<JsonBody<SubmitBidRequest>, ApiError>,
) -> Result<Json<BidResponse>, ApiError> {
    let JsonBody(request) = body?;
    let revised = service::bids::revise(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        BidId::from_uuid(bid_id),
        &request.into(),
    )
    .await?;
    Ok(Json(revised.into()))
}

/// Withdraws the supplier's bid before the deadline. It may then bid again.
#[utoipa::path(
    post,
    path = "/tenders/{id}/bids/{bid_id}/withdraw",
    tag = "bids",
    security(("bearer" = [])),
    params(BidPath),
    responses(
        (status = 200, description = "The withdrawn bid.", body = BidResponse),
        crate::error::AccessProblems,
        (status = 409, response = DeadlinePassed),
    )
)]
pub async fn withdraw_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(path): PathParams<BidPath>,
) -> Result<Json<BidResponse>, ApiError> {
    change_bid(&state, &actor, path, BidChange::Withdraw).await
}

/// Confirms the supplier's bid after an amendment reopened it, before the deadline, so that it
/// is evaluated as it stands.
#[utoipa::path(
    post,
    path = "/tenders/{id}/bids/{bid_id}/confirm",
    tag = "bids",
    security(("bearer" = [])),
    params(BidPath),
    responses(
        (status = 200, description = "The confirmed bid.", body = BidResponse),
        crate::error::AccessProblems,
        (status = 409, response = DeadlinePassed),
    )
)]
pub async fn confirm_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(path): PathParams<BidPath>,
) -> Result<Json<BidResponse>, ApiError> {
    change_bid(&state, &actor, path, BidChange::Confirm).await
}

async fn change_bid(
    state: &AppState,
    actor: &Actor,
    path: BidPath,
    change: BidChange,
) -> Result<Json<BidResponse>, ApiError> {
    let bid = (TenderId::from_uuid(path.id), BidId::from_uuid(path.bid_id));
    let changed = service::bids::change(&state.ctx, actor, bid, change).await?;
    Ok(Json(changed.into()))
}

impl From<SubmitBidRequest> for BidInput {
    fn from(r: SubmitBidRequest) -> Self {
        Self {
            lot_id: r.lot_id.map(LotId::from_uuid),
            price_pence: r.price_pence,
            offer_id: r.offer_id.map(OfferId::from_uuid),
            responses: r
                .responses
                .into_iter()
                .map(|r| NewResponse {
                    criterion_id: CriterionId::from_uuid(r.criterion_id),
                    text: r.text,
                })
                .collect(),
        }
    }
}

fn responses(bid_responses: &[domain::bid::BidResponse]) -> Vec<ResponseInput> {
    bid_responses
        .iter()
        .map(|r| ResponseInput {
            criterion_id: r.criterion_id.as_uuid(),
            text: r.text.clone(),
        })
        .collect()
}

impl From<BidView> for BidResponse {
    fn from(view: BidView) -> Self {
        let bid = view.bid;
        let files = view.attachments;
        let carried = |version: i32| {
            files.as_ref().map(|all| {
                all.iter()
                    .filter(|a| a.in_version(version))
                    .map(|a| VersionAttachment {
                        id: a.id.as_uuid(),
                        title: a.title.clone(),
                        file_name: a.file.file_name.clone(),
                        sha256: a.file.sha256.clone(),
                    })
                    .collect()
            })
        };
        Self {
            id: bid.id.as_uuid(),
            tender_id: bid.tender_id.as_uuid(),
            supplier_id: bid.supplier_id.as_uuid(),
            supplier_name: view.supplier_name,
            lot_id: bid.lot_id.map(|l| l.as_uuid()),
            status: bid.status.into(),
            price_pence: bid.price_pence,
            offer_id: bid.offer_id.map(|o| o.as_uuid()),
            responses: responses(&bid.responses),
            version: bid.version,
            first_submitted_at: bid.first_submitted_at,
            submitted_at: bid.submitted_at,
            confirmed_at: bid.confirmed_at,
            withdrawn_at: bid.withdrawn_at,
            versions: view.versions.map(|vs| {
                vs.into_iter()
                    .map(|v| BidVersionResponse {
                        version: v.version,
                        price_pence: v.price_pence,
                        offer_id: v.offer_id.map(|o| o.as_uuid()),
                        responses: responses(&v.responses),
                        submitted_at: v.submitted_at,
                        attachments: carried(v.version),
                    })
                    .collect()
            }),
            attachments: files.as_ref().map(|all| {
                all.iter()
                    .filter(|a| a.removed_in_version.is_none())
                    .map(Into::into)
                    .collect()
            }),
        }
    }
}
