//! Transfers of business between suppliers, recorded by the regulator or an admin: a merger or
//! takeover moves every active contract of the source to the target, withdraws the source's
//! offers and marks it merged; a break-up or novation moves named contracts. One transaction,
//! every step audited, each contract keeping its original awardee and its novations.

use crate::auth::AuthUser;
use crate::dto::{Created, Paginated, created};
use crate::error::{
    ApiError, BadRequest, Forbidden, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
    ValidationFailed,
};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use domain::access::{Actor, PlatformAction};
use domain::audit::AuditEntry;
use domain::calendar::uk_date;
use domain::error::Validator;
use domain::ids::OrganisationId;
use domain::offer::OfferStatus;
use domain::pagination::PageRequest;
use domain::transfer::{TransferKind, TransferSpec, check_held};
use persistence::Command;
use persistence::transfers::{NewTransfer, Transfer};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use service::offers::transition_in;
use utoipa::{IntoParams, ToSchema};
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

async fn present<C: ConnectionTrait>(
    conn: &C,
    transfer: Transfer,
) -> Result<TransferResponse, ApiError> {
    let names = persistence::organisations::names(
        conn,
        &[transfer.from_supplier_id, transfer.to_supplier_id],
    )
    .await?;
    let contract_ids = persistence::transfers::moved_by(conn, transfer.id).await?;
    let name = |id: &OrganisationId| names.get(id).cloned().unwrap_or_default();
    Ok(TransferResponse {
        id: transfer.id,
        kind: transfer.kind.into(),
        from_supplier_name: name(&transfer.from_supplier_id),
        to_supplier_name: name(&transfer.to_supplier_id),
        from_supplier_id: transfer.from_supplier_id.as_uuid(),
        to_supplier_id: transfer.to_supplier_id.as_uuid(),
        effective_date: transfer.effective_date,
        whole_business: transfer.whole_business,
        reason: transfer.reason,
        contract_ids,
        offers_withdrawn: transfer.offers_withdrawn,
        recorded_at: transfer.recorded_at,
    })
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn create_transfer(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    body: Result<JsonBody<CreateTransferRequest>, ApiError>,
) -> Result<Created<TransferResponse>, ApiError> {
    actor.require(PlatformAction::RecordTransfers)?;
    let JsonBody(request) = body?;
    let command = state.db.command().await?;
    let shown = record_in(&command, actor, &request).await?;
    command.commit().await?;
    created(&format!("/api/v1/transfers/{}", shown.id), shown)
}

/// Carries out a transfer inside `command`, auditing every step (the API and the demo).
pub(crate) async fn record_in(
    command: &Command,
    actor: Actor,
    request: &CreateTransferRequest,
) -> Result<TransferResponse, ApiError> {
    let conn = command.conn();
    let from =
        persistence::organisations::find(conn, OrganisationId::from_uuid(request.from_supplier_id))
            .await?;
    let to =
        persistence::organisations::find(conn, OrganisationId::from_uuid(request.to_supplier_id))
            .await?;
    let spec = TransferSpec::parse(
        request.kind.into(),
        from.as_ref(),
        to.as_ref(),
        request.contract_ids.as_deref(),
        &request.reason,
    )?;
    let (Some(from), Some(to)) = (from, to) else {
        return Err(ApiError::Internal("transfer parties vanished".into()));
    };
    let held =
        persistence::transfers::active_contracts_of(conn, from.id, uk_date(command.now())).await?;
    let moving = match &spec.contract_ids {
        Some(named) => {
            check_held(named, &held)?;
            named.clone()
        }
        None => held,
    };
    let offers = if spec.whole_business() {
        persistence::offers::of_supplier(conn, from.id, OfferStatus::Published).await?
    } else {
        Vec::new()
    };
    let transfer = persistence::transfers::insert(
        conn,
        NewTransfer {
            kind: spec.kind,
            from_supplier_id: from.id,
            to_supplier_id: to.id,
            effective_date: request.effective_date,
            whole_business: spec.whole_business(),
            reason: spec.reason.clone(),
            contracts_moved: i32::try_from(moving.len()).unwrap_or(i32::MAX),
            offers_withdrawn: i32::try_from(offers.len()).unwrap_or(i32::MAX),
            recorded_by: actor.user_id,
        },
        command.now(),
    )
    .await?;
    persistence::transfers::novate(conn, &transfer, &moving, command.now()).await?;
    for contract in &moving {
        command
            .audit(
                AuditEntry::new(Some(actor), "contract.novated", "contract", contract)
                    .before(serde_json::json!({"supplier_id": from.id}))
                    .after(serde_json::json!({
                        "supplier_id": to.id,
                        "transfer_id": transfer.id,
                        "effective_date": transfer.effective_date,
                    })),
            )
            .await?;
    }
    for offer in offers {
        transition_in(
            command,
            Some(actor),
            offer,
            OfferStatus::withdraw,
            "offer.withdrawn",
        )
        .await?;
    }
    if spec.whole_business() {
        let merged =
            persistence::organisations::set_successor(conn, from.id, to.id, command.now()).await?;
        command
            .audit(
                AuditEntry::new(
                    Some(actor),
                    "organisation.succeeded",
                    "organisation",
                    merged.id,
                )
                .before(serde_json::json!({"successor_id": from.successor_id}))
                .after(serde_json::json!({"successor_id": merged.successor_id})),
            )
            .await?;
    }
    let shown = present(conn, transfer).await?;
    command
        .audit(
            AuditEntry::new(Some(actor), "transfer.recorded", "transfer", shown.id)
                .after(serde_json::to_value(&shown).map_err(ApiError::internal)?),
        )
        .await?;
    Ok(shown)
}

/// Paging for the transfer list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransferQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u64>,
}

/// Recorded transfers, the most recently effective first (regulator or admin).
#[utoipa::path(
    get,
    path = "/transfers",
    tag = "market",
    security(("bearer" = [])),
    params(TransferQuery),
    responses(
        (status = 200, description = "A page of transfers.", body = Paginated<TransferResponse>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn list_transfers(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    QueryParams(query): QueryParams<TransferQuery>,
) -> Result<Json<Paginated<TransferResponse>>, ApiError> {
    actor.require(PlatformAction::RecordTransfers)?;
    let mut v = Validator::new();
    let page = v.check(PageRequest::new(query.page, query.per_page));
    v.finish()?;
    let conn = state.db.conn();
    let found = persistence::transfers::list(conn, page.unwrap_or_default()).await?;
    let mut items = Vec::with_capacity(found.items.len());
    for transfer in found.items {
        items.push(present(conn, transfer).await?);
    }
    Ok(Json(Paginated {
        items,
        total: found.total,
        total_exact: true,
        page: found.page,
        per_page: found.per_page,
    }))
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn get_transfer(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<TransferResponse>, ApiError> {
    actor.require(PlatformAction::RecordTransfers)?;
    let conn = state.db.conn();
    let transfer = persistence::transfers::find(conn, id)
        .await?
        .ok_or(domain::DomainError::NotFound("transfer"))?;
    Ok(Json(present(conn, transfer).await?))
}
