//! Transfers of business between suppliers, recorded by the regulator or an admin: a merger or
//! takeover moves every active contract of the source to the target, withdraws the source's
//! offers and marks it merged; a break-up or novation moves named contracts. One transaction,
//! every step audited, each contract keeping its original awardee and its novations.

use crate::auth::AuthUser;
use crate::dto::{Created, Paginated, created};
use crate::error::{ApiError, Forbidden, Unauthorized};
use crate::extract::{JsonBody, PathParams};
use crate::extract::{PageParams, Pagination};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::OrganisationId;
use domain::transfer::TransferKind;
use serde::{Deserialize, Serialize};
use service::transfers::{TransferInput, TransferView};
use utoipa::ToSchema;
use uuid::Uuid;

/// What kind of transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = TransferKind)]
pub enum TransferKindDto {
    /// Two suppliers combine; the source is merged into the target.
    Merger,
    /// The target takes the source over.
    Takeover,
    /// One of several transfers splitting an unviable supplier's contracts between acquirers.
    BreakUp,
    /// Named contracts move to another supplier.
    Novation,
}

impl From<TransferKindDto> for TransferKind {
    fn from(k: TransferKindDto) -> Self {
        match k {
            TransferKindDto::Merger => Self::Merger,
            TransferKindDto::Takeover => Self::Takeover,
            TransferKindDto::BreakUp => Self::BreakUp,
            TransferKindDto::Novation => Self::Novation,
        }
    }
}

impl From<TransferKind> for TransferKindDto {
    fn from(k: TransferKind) -> Self {
        match k {
            TransferKind::Merger => Self::Merger,
            TransferKind::Takeover => Self::Takeover,
            TransferKind::BreakUp => Self::BreakUp,
            TransferKind::Novation => Self::Novation,
        }
    }
}

/// A transfer to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTransferRequest {
    /// The supplier whose business moves.
    pub from_supplier_id: Uuid,
    /// The supplier it moves to.
    pub to_supplier_id: Uuid,
    /// When it takes effect.
    pub effective_date: NaiveDate,
    /// `merger`, `takeover`, `break_up` or `novation`.
    pub kind: TransferKindDto,
    /// The contracts that move (required for `break_up` and `novation`). Left out: every active
    /// contract of the source moves, its published offers are withdrawn, and it is marked as
    /// merged into the target.
    #[schema(max_items = 1000)]
    pub contract_ids: Option<Vec<Uuid>>,
    /// Why, for the record: 1 to 2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// A recorded transfer.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Transfer)]
pub struct TransferResponse {
    /// The transfer's id.
    pub id: Uuid,
    /// Its kind.
    pub kind: TransferKindDto,
    /// The source supplier.
    pub from_supplier_id: Uuid,
    /// Its name.
    pub from_supplier_name: String,
    /// The target supplier.
    pub to_supplier_id: Uuid,
    /// Its name.
    pub to_supplier_name: String,
    /// When it takes effect.
    pub effective_date: NaiveDate,
    /// Whether the whole business moved (the source merged into the target).
    pub whole_business: bool,
    /// Why.
    pub reason: String,
    /// The contracts novated to the target.
    pub contract_ids: Vec<Uuid>,
    /// How many of the source's published offers were withdrawn.
    pub offers_withdrawn: i32,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl From<TransferView> for TransferResponse {
    fn from(t: TransferView) -> Self {
        Self {
            id: t.id,
            kind: t.kind.into(),
            from_supplier_id: t.from_supplier_id.as_uuid(),
            from_supplier_name: t.from_supplier_name,
            to_supplier_id: t.to_supplier_id.as_uuid(),
            to_supplier_name: t.to_supplier_name,
            effective_date: t.effective_date,
            whole_business: t.whole_business,
            reason: t.reason,
            contract_ids: t.contract_ids,
            offers_withdrawn: t.offers_withdrawn,
            recorded_at: t.recorded_at,
        }
    }
}

/// Records a transfer of business (regulator or admin). A transfer to itself, from or to a
/// non-supplier, or of a contract the source does not hold is refused with 422.
#[utoipa::path(
    post,
    path = "/transfers",
    tag = "market",
    security(("bearer" = [])),
    request_body = CreateTransferRequest,
    responses(
        (status = 201, description = "The transfer, carried out.", body = TransferResponse,
            headers(("Location" = String, description = "The transfer's address."))),
        crate::error::BodyProblems,
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
pub async fn create_transfer(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    body: Result<JsonBody<CreateTransferRequest>, ApiError>,
) -> Result<Created<TransferResponse>, ApiError> {
    let JsonBody(request) = body?;
    let input = TransferInput {
        from_supplier_id: OrganisationId::from_uuid(request.from_supplier_id),
        to_supplier_id: OrganisationId::from_uuid(request.to_supplier_id),
        effective_date: request.effective_date,
        kind: request.kind.into(),
        contract_ids: request.contract_ids,
        reason: request.reason,
    };
    let shown =
        TransferResponse::from(service::transfers::record(&state.ctx, &actor, &input).await?);
    created(&format!("/api/v1/transfers/{}", shown.id), shown)
}

/// Recorded transfers, the most recently effective first (regulator or admin).
#[utoipa::path(
    get,
    path = "/transfers",
    tag = "market",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of transfers.", body = Paginated<TransferResponse>),
        crate::error::FilteredReadProblems,
    )
)]
pub async fn list_transfers(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    Pagination(query): Pagination,
) -> Result<Json<Paginated<TransferResponse>>, ApiError> {
    let page = query.request()?;
    let found = service::transfers::list(&state.ctx, &actor, page).await?;
    Ok(Json(Paginated::from_page(found, Into::into)))
}

/// One transfer (regulator or admin).
#[utoipa::path(
    get,
    path = "/transfers/{id}",
    tag = "market",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The transfer's id.")),
    responses(
        (status = 200, description = "The transfer.", body = TransferResponse),
        crate::error::AccessProblems,
    )
)]
pub async fn get_transfer(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<TransferResponse>, ApiError> {
    Ok(Json(
        service::transfers::get(&state.ctx, &actor, id)
            .await?
            .into(),
    ))
}
