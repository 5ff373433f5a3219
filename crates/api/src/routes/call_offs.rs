//! Call-offs under a framework: a direct award from the frozen catalogue, or a competitive
//! selection among the framework's suppliers; read by their buyer, the regulator and admins.

use crate::auth::AuthUser;
use crate::dto::{Created, PricingUnitDto, RegionDto, created};
use crate::error::{ApiError, Conflict};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::routes::frameworks::CallOffMethodDto;
use crate::routes::tenders::CriterionInput;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use domain::framework::CallOffMethod;
use domain::ids::{CallOffId, FrameworkId, LotId, OfferId};
use domain::offer::AnnualisationBasis;
use serde::{Deserialize, Serialize};
use service::call_offs::{CallOffRequest, CallOffView, SearchInput, SelectionTender};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

mirror_enum!(
    /// `open` until awarded (a contract) or cancelled.
    CallOffStatusDto as CallOffStatus mirrors domain::framework::CallOffStatus {
        Open = "open",
        Awarded = "awarded",
        Cancelled = "cancelled",
    }
);

/// A direct award's catalogue search.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallOffSearchInput {
    /// Words to find (all must match).
    #[schema(max_length = 200)]
    pub q: Option<String>,
    /// Only offers serving this region.
    pub region: Option<RegionDto>,
    /// Only offers priced in this unit.
    pub pricing_unit: Option<PricingUnitDto>,
}

/// The buyer's volumes, at which every offer's annual price is compared.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VolumesInput {
    /// Full-time equivalents (`per_fte_month` offers).
    #[schema(minimum = 1, maximum = 100000)]
    pub fte: Option<u32>,
    /// Population served (`per_1000_population_year` offers).
    #[schema(minimum = 1, maximum = 100000000)]
    pub population: Option<u64>,
    /// Days a year (`day_rate` offers).
    #[schema(minimum = 1, maximum = 366)]
    pub days_per_year: Option<u32>,
    /// Transactions a year (`per_transaction` offers).
    pub transactions_per_year: Option<u64>,
}

/// A competitive selection's tender: the framework gives its category and bidders.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectionTenderInput {
    /// A short title.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
        min_length = 1,
        max_length = 200
    )]
    pub title: String,
    /// What is being bought.
    #[schema(min_length = 1, max_length = 20000)]
    pub description: String,
    /// The estimated value in pence.
    #[schema(minimum = 1, maximum = 10000000000_i64)]
    pub estimated_value_pence: i64,
    /// The most the buyer will pay, in pence; never shown to suppliers.
    pub budget_ceiling_pence: Option<i64>,
    /// The contract term, 1 to 120 months.
    #[schema(minimum = 1, maximum = 120)]
    pub contract_term_months: i64,
    /// The criteria: one price criterion, weights summing to 100.
    #[schema(max_items = 20)]
    pub criteria: Vec<CriterionInput>,
    /// When questions close.
    pub clarification_deadline: Option<DateTime<Utc>>,
    /// When bids close (no statutory minimum period applies to a call-off).
    pub submission_deadline: Option<DateTime<Utc>>,
    /// Working days of standstill, 0 to 30.
    pub standstill_days: Option<i64>,
}

/// A call-off: `direct_award` (`title`, `search`, `volumes`, `term_months`) or
/// `competitive_selection` (`tender`); `lot_id` on a divided framework.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCallOffRequest {
    /// How the buyer calls off.
    pub method: CallOffMethodDto,
    /// The framework's lot: required when it is divided.
    pub lot_id: Option<Uuid>,
    /// A direct award's title.
    #[schema(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$", max_length = 200)]
    pub title: Option<String>,
    /// A direct award's search of the framework's catalogue.
    #[serde(default)]
    pub search: CallOffSearchInput,
    /// A direct award's volumes.
    #[serde(default)]
    pub volumes: VolumesInput,
    /// A direct award's contract term, 1 to 120 months.
    pub term_months: Option<i64>,
    /// A competitive selection's tender.
    pub tender: Option<SelectionTenderInput>,
}

impl CreateCallOffRequest {
    fn request(self) -> Result<CallOffRequest, ApiError> {
        let missing = |pointer: &str| {
            ApiError::Validation(vec![domain::FieldError::new(
                pointer,
                "is required for this method",
            )])
        };
        match self.method.into() {
            CallOffMethod::DirectAward => Ok(CallOffRequest::DirectAward {
                title: self.title.ok_or_else(|| missing("/title"))?,
                search: SearchInput {
                    q: self.search.q,
                    region: self.search.region.map(Into::into),
                    pricing_unit: self.search.pricing_unit.map(Into::into),
                },
                volumes: AnnualisationBasis {
                    fte: self.volumes.fte,
                    population: self.volumes.population,
                    days_per_year: self.volumes.days_per_year,
                    transactions_per_year: self.volumes.transactions_per_year,
                },
                term_months: self.term_months.ok_or_else(|| missing("/term_months"))?,
            }),
            CallOffMethod::CompetitiveSelection => {
                let t = self.tender.ok_or_else(|| missing("/tender"))?;
                Ok(CallOffRequest::CompetitiveSelection(Box::new(
                    SelectionTender {
                        title: t.title,
                        description: t.description,
                        estimated_value_pence: t.estimated_value_pence,
                        budget_ceiling_pence: t.budget_ceiling_pence,
                        contract_term_months: t.contract_term_months,
                        criteria: crate::routes::tenders::new_criteria(&t.criteria),
                        clarification_deadline: t.clarification_deadline,
                        submission_deadline: t.submission_deadline,
                        standstill_days: t.standstill_days,
                    },
                )))
            }
        }
    }
}

/// A call-off.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CallOff)]
pub struct CallOffResponse {
    /// The call-off's id.
    pub id: Uuid,
    /// The framework.
    pub framework_id: Uuid,
    /// Its title.
    pub framework_title: String,
    /// The framework's lot.
    pub lot_id: Option<Uuid>,
    /// The buyer calling off.
    pub buyer_id: Uuid,
    /// Its name.
    pub buyer_name: String,
    /// How.
    pub method: CallOffMethodDto,
    /// What is called off.
    pub title: String,
    /// `open`, `awarded` or `cancelled`.
    pub status: CallOffStatusDto,
    /// A direct award's saved search.
    #[schema(value_type = Option<Object>)]
    pub search: Option<serde_json::Value>,
    /// A direct award's volumes.
    #[schema(value_type = Option<Object>)]
    pub volumes: Option<serde_json::Value>,
    /// The contract term in months.
    pub term_months: i32,
    /// A competitive selection's tender.
    pub tender_id: Option<Uuid>,
    /// A direct award's chosen offer.
    pub offer_id: Option<Uuid>,
    /// Why the chosen offer was not the cheapest.
    pub justification: Option<String>,
    /// The contract, once awarded.
    pub contract_id: Option<Uuid>,
    /// Its total value in pence.
    pub contract_value_pence: Option<i64>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// When the search was saved (the shortlist frozen) or the tender drafted.
    pub created_at: DateTime<Utc>,
    /// When it was awarded or cancelled.
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<CallOffView> for CallOffResponse {
    fn from(v: CallOffView) -> Self {
        let c = v.call_off;
        Self {
            id: c.id.as_uuid(),
            framework_id: c.framework_id.as_uuid(),
            framework_title: v.framework_title,
            lot_id: c.lot_id.map(|l| l.as_uuid()),
            buyer_id: c.buyer_id.as_uuid(),
            buyer_name: v.buyer_name,
            method: c.method.into(),
            title: c.title,
            status: c.status.into(),
            search: c.search,
            volumes: c.volumes,
            term_months: c.term_months,
            tender_id: c.tender_id.map(|t| t.as_uuid()),
            offer_id: c.offer_id.map(|o| o.as_uuid()),
            justification: c.justification,
            contract_id: c.contract_id,
            contract_value_pence: v.contract_value_pence,
            cancel_reason: c.cancel_reason,
            created_at: c.created_at,
            decided_at: c.decided_at,
        }
    }
}

/// A buyer lead of an eligible buyer calls off from an active framework: a direct award saves
/// the search and freezes its results (`GET /call-offs/{id}/shortlist`); a competitive
/// selection drafts a tender only the framework's suppliers on the lot may bid on.
#[utoipa::path(
    post,
    path = "/frameworks/{id}/call-offs",
    tag = "frameworks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The framework's id.")),
    request_body = CreateCallOffRequest,
    responses(
        (status = 201, description = "The call-off.", body = CallOffResponse,
            headers(("Location" = String, description = "The call-off's address."))),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn create_call_off(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<CreateCallOffRequest>, ApiError>,
) -> Result<Created<CallOffResponse>, ApiError> {
    let JsonBody(request) = body?;
    let lot = request.lot_id.map(LotId::from_uuid);
    let asked = request.request()?;
    let shown =
        service::call_offs::create(&state.ctx, &actor, FrameworkId::from_uuid(id), lot, &asked)
            .await?;
    let shown = CallOffResponse::from(shown);
    created(&format!("/api/v1/call-offs/{}", shown.id), shown)
}

/// Which call-offs to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallOffQuery {
    /// Only this framework's.
    pub framework: Option<Uuid>,
    /// Only in this state.
    pub status: Option<CallOffStatusDto>,
}

/// Call-offs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallOffList {
    /// The latest first.
    pub items: Vec<CallOffResponse>,
}

/// The call-offs: a buyer its own, the regulator and admins all; suppliers none (403).
#[utoipa::path(
    get,
    path = "/call-offs",
    tag = "frameworks",
    security(("bearer" = [])),
    params(CallOffQuery),
    responses(
        (status = 200, description = "The call-offs.", body = CallOffList),
        crate::error::QueryProblems,
        (status = 403, response = crate::error::Forbidden),
    )
)]
pub async fn list_call_offs(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    QueryParams(query): QueryParams<CallOffQuery>,
) -> Result<Json<CallOffList>, ApiError> {
    let items = service::call_offs::list(
        &state.ctx,
        &actor,
        query.framework.map(FrameworkId::from_uuid),
        query.status.map(Into::into),
    )
    .await?;
    Ok(Json(CallOffList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// One call-off (its buyer, the regulator and admins; 404 to anyone else).
#[utoipa::path(
    get,
    path = "/call-offs/{id}",
    tag = "frameworks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The call-off's id.")),
    responses(
        (status = 200, description = "The call-off.", body = CallOffResponse),
        crate::error::AccessProblems,
    )
)]
pub async fn get_call_off(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<CallOffResponse>, ApiError> {
    let shown = service::call_offs::get(&state.ctx, &actor, CallOffId::from_uuid(id)).await?;
    Ok(Json(shown.into()))
}

/// One offer of a frozen shortlist, as it was when the search was saved.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShortlistEntryResponse {
    /// 1 for the cheapest.
    pub position: usize,
    /// The offer.
    pub offer_id: Uuid,
    /// Its supplier.
    pub supplier_id: Uuid,
    /// The supplier's name then.
    pub supplier_name: String,
    /// The offer's title then.
    pub title: String,
    /// How it was priced then.
    pub pricing_unit: String,
    /// Its unit price then, in pence.
    pub unit_price_pence: i64,
    /// Its annual price at the buyer's volumes, in pence.
    pub annual_price_pence: i64,
    /// How the annual price follows from the unit price.
    pub basis: String,
    /// The supplier's rating then.
    #[schema(value_type = Option<Object>)]
    pub rating: Option<serde_json::Value>,
}

/// A frozen shortlist.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShortlistResponse {
    /// The call-off.
    pub call_off_id: Uuid,
    /// When it was frozen.
    pub frozen_at: DateTime<Utc>,
    /// Cheapest first.
    pub items: Vec<ShortlistEntryResponse>,
}

/// A direct award call-off's shortlist: every matching framework offer as it was when the
/// search was saved, at the buyer's volumes, cheapest first; it never changes afterwards.
#[utoipa::path(
    get,
    path = "/call-offs/{id}/shortlist",
    tag = "frameworks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The call-off's id.")),
    responses(
        (status = 200, description = "The shortlist.", body = ShortlistResponse),
        crate::error::AccessProblems,
    )
)]
pub async fn get_call_off_shortlist(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<ShortlistResponse>, ApiError> {
    let (shown, entries) =
        service::call_offs::shortlist(&state.ctx, &actor, CallOffId::from_uuid(id)).await?;
    Ok(Json(ShortlistResponse {
        call_off_id: shown.call_off.id.as_uuid(),
        frozen_at: shown.call_off.created_at,
        items: entries
            .into_iter()
            .enumerate()
            .map(|(i, e)| ShortlistEntryResponse {
                position: i + 1,
                offer_id: e.offer_id.as_uuid(),
                supplier_id: e.supplier_id.as_uuid(),
                supplier_name: e.supplier_name,
                title: e.title,
                pricing_unit: e.pricing_unit.as_str().to_owned(),
                unit_price_pence: e.unit_price_pence,
                annual_price_pence: e.annual_price_pence,
                basis: e.basis,
                rating: e.rating,
            })
            .collect(),
    }))
}

/// A direct award call-off's award.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallOffAwardRequest {
    /// An offer of the frozen shortlist.
    pub offer_id: Uuid,
    /// Required for any offer but the cheapest: why each cheaper offer does not meet the
    /// buyer's stated need.
    #[schema(max_length = 5000)]
    pub justification: Option<String>,
}

/// The buyer's lead awards a direct award call-off to an offer of its frozen shortlist: the
/// contract (annual price × term), its contract award and contract details notices.
#[utoipa::path(
    post,
    path = "/call-offs/{id}/award",
    tag = "frameworks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The call-off's id.")),
    request_body = CallOffAwardRequest,
    responses(
        (status = 201, description = "The call-off, awarded.", body = CallOffResponse,
            headers(("Location" = String, description = "The contract's address."))),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn award_call_off(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<CallOffAwardRequest>, ApiError>,
) -> Result<Created<CallOffResponse>, ApiError> {
    let JsonBody(request) = body?;
    let shown = service::call_offs::award(
        &state.ctx,
        &actor,
        CallOffId::from_uuid(id),
        OfferId::from_uuid(request.offer_id),
        request.justification.as_deref(),
    )
    .await?;
    let shown = CallOffResponse::from(shown);
    let contract = shown.contract_id.unwrap_or_default();
    created(&format!("/api/v1/contracts/{contract}"), shown)
}

/// Why a call-off ends without an award.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelCallOffRequest {
    /// 1 to 2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// The buyer's lead ends a direct award call-off with no award.
#[utoipa::path(
    post,
    path = "/call-offs/{id}/cancel",
    tag = "frameworks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The call-off's id.")),
    request_body = CancelCallOffRequest,
    responses(
        (status = 200, description = "The call-off, cancelled.", body = CallOffResponse),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn cancel_call_off(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<CancelCallOffRequest>, ApiError>,
) -> Result<Json<CallOffResponse>, ApiError> {
    let JsonBody(request) = body?;
    let shown = service::call_offs::cancel(
        &state.ctx,
        &actor,
        CallOffId::from_uuid(id),
        &request.reason,
    )
    .await?;
    Ok(Json(shown.into()))
}
