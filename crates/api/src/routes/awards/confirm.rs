//! Confirming the contract once the standstill ends with no open challenge.

use super::*;

/// The contract's dates.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmContractRequest {
    /// The lot whose contract is entered: required when the tender is divided into lots.
    pub lot_id: Option<Uuid>,
    /// The first day: on or after the day the standstill ended.
    pub start_date: NaiveDate,
    /// The last day; by default the day before the same date the tender's term later.
    pub end_date: Option<NaiveDate>,
}

/// Enters the contract with the awarded supplier (the tender's lead) once the standstill is over
/// and no challenge is open: the tender becomes `awarded` (a divided tender once every lot is
/// contracted or unsuccessful). With a standstill of 0 days it may
/// follow the award at once.
#[utoipa::path(
    post,
    path = "/tenders/{id}/contract",
    tag = "award",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = ConfirmContractRequest,
    responses(
        (status = 201, description = "The contract.", body = ContractResponse,
            headers(("Location" = String, description = "The contract's address."))),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn confirm_contract(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<ConfirmContractRequest>, ApiError>,
) -> Result<Created<ContractResponse>, ApiError> {
    let JsonBody(request) = body?;
    let contract = awards_service::confirm_contract(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        request.lot_id.map(LotId::from_uuid),
        request.start_date,
        request.end_date,
    )
    .await?;
    let shown = ContractResponse::from(contract);
    created(&format!("/api/v1/contracts/{}", shown.id), shown)
}
