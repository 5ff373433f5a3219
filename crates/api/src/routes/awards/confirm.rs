//! Confirming the contract once the standstill ends with no open challenge.

use super::*;
use crate::routes::frameworks::FrameworkResponse;

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
        (status = 201, description = "The contract, or a framework tender's framework agreement.", body = Entered,
            headers(("Location" = String, description = "The contract's (or framework's) address."))),
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
) -> Result<Created<Entered>, ApiError> {
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
    match contract {
        awards_service::Entered::Contract(view) => {
            let shown = ContractResponse::from(*view);
            created(
                &format!("/api/v1/contracts/{}", shown.id),
                Entered::Contract(Box::new(shown)),
            )
        }
        awards_service::Entered::Framework(view) => {
            let shown = FrameworkResponse::from(*view);
            created(
                &format!("/api/v1/frameworks/{}", shown.id),
                Entered::Framework(Box::new(shown)),
            )
        }
    }
}

/// The contract entered, or the framework agreement of a framework tender.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Entered {
    Contract(Box<ContractResponse>),
    Framework(Box<FrameworkResponse>),
}
