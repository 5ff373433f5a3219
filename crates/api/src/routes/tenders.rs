//! Competitive tenders: a buyer's procurement lead drafts, publishes, amends and cancels them;
//! suppliers find the ones they may bid on and ask clarification questions, which the lead
//! answers. Every state is the one in force by the database clock.

use crate::auth::AuthUser;
use crate::concurrency::{IfMatch, etag_header};
use crate::dto::{Paginated, RegionDto, check_category_filter};
use crate::error::{
    ApiError, BadRequest, Conflict, DeadlinePassed, Forbidden, NotFound, PayloadTooLarge,
    PreconditionFailed, PreconditionRequired, Unauthorized, UnsupportedMediaType, ValidationFailed,
};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use chrono::{DateTime, Utc};
use domain::DomainError;
use domain::bid::ClarificationView;
use domain::error::Validator;
use domain::ids::{ClarificationId, OrganisationId, TenderId};
use domain::pagination::PageRequest;
use domain::tender::{
    self, CriterionKind, NewCriterion, Procedure, TenderFields, TenderSpec, TenderStatus,
};
use persistence::tenders::{AmendmentRecord, TenderListing};
use serde::{Deserialize, Deserializer, Serialize};
use service::clarifications::ClarificationSeen;
use service::tenders::TenderView;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Whether a criterion scores price or quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = CriterionKind)]
pub enum CriterionKindDto {
    Price,
    Quality,
}

impl From<CriterionKind> for CriterionKindDto {
    fn from(kind: CriterionKind) -> Self {
        match kind {
            CriterionKind::Price => Self::Price,
            CriterionKind::Quality => Self::Quality,
        }
    }
}

impl CriterionKindDto {
    fn as_str(self) -> &'static str {
        match self {
            Self::Price => "price",
            Self::Quality => "quality",
        }
    }
}

/// How suppliers come to bid: `open` (any supplier) or `invited` (named suppliers only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = Procedure)]
pub enum ProcedureDto {
    Open,
    Invited,
}

impl From<ProcedureDto> for Procedure {
    fn from(p: ProcedureDto) -> Self {
        match p {
            ProcedureDto::Open => Self::Open,
            ProcedureDto::Invited => Self::Invited,
        }
    }
}

impl From<Procedure> for ProcedureDto {
    fn from(p: Procedure) -> Self {
        match p {
            Procedure::Open => Self::Open,
            Procedure::Invited => Self::Invited,
        }
    }
}

/// Where a tender is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = TenderStatus)]
pub enum TenderStatusDto {
    Draft,
    Published,
    Evaluation,
    Standstill,
    Awarded,
    Cancelled,
    Unsuccessful,
}

impl From<TenderStatus> for TenderStatusDto {
    fn from(s: TenderStatus) -> Self {
        match s {
            TenderStatus::Draft => Self::Draft,
            TenderStatus::Published => Self::Published,
            TenderStatus::Evaluation => Self::Evaluation,
            TenderStatus::Standstill => Self::Standstill,
            TenderStatus::Awarded => Self::Awarded,
            TenderStatus::Cancelled => Self::Cancelled,
            TenderStatus::Unsuccessful => Self::Unsuccessful,
        }
    }
}

impl From<TenderStatusDto> for TenderStatus {
    fn from(s: TenderStatusDto) -> Self {
        match s {
            TenderStatusDto::Draft => Self::Draft,
            TenderStatusDto::Published => Self::Published,
            TenderStatusDto::Evaluation => Self::Evaluation,
            TenderStatusDto::Standstill => Self::Standstill,
            TenderStatusDto::Awarded => Self::Awarded,
            TenderStatusDto::Cancelled => Self::Cancelled,
            TenderStatusDto::Unsuccessful => Self::Unsuccessful,
        }
    }
}

/// An evaluation criterion as the buyer writes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionInput {
    /// The criterion's name, unique within the tender.
    #[schema(min_length = 1, max_length = 200, example = "Delivery approach")]
    pub name: String,
    /// `price` (exactly one per tender) or `quality`.
    pub kind: CriterionKindDto,
    /// Its weight: a whole number of percent; the weights of a tender sum to 100.
    #[schema(minimum = 1, maximum = 100, example = 40)]
    pub weight: i64,
}

/// An evaluation criterion, with the id that bids' responses refer to.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Criterion)]
pub struct CriterionResponse {
    /// The criterion's id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// `price` or `quality`.
    pub kind: CriterionKindDto,
    /// Its weight in percent.
    pub weight: i32,
}

/// One amendment to a published tender.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = TenderAmendment)]
pub struct AmendmentResponse {
    /// 1 for the first amendment, and so on.
    pub number: i32,
    /// What changed and why, as the buyer told bidders.
    pub note: String,
    /// The description before the amendment, when it changed.
    pub description_before: Option<String>,
    /// The description after the amendment, when it changed.
    pub description_after: Option<String>,
    /// The clarification deadline before.
    pub clarification_deadline_before: DateTime<Utc>,
    /// The clarification deadline after.
    pub clarification_deadline_after: DateTime<Utc>,
    /// The submission deadline before.
    pub submission_deadline_before: DateTime<Utc>,
    /// The submission deadline after.
    pub submission_deadline_after: DateTime<Utc>,
    /// Whether bids submitted before it need their suppliers' confirmation.
    pub bids_need_confirmation: bool,
    /// When it was made, by the database clock.
    pub amended_at: DateTime<Utc>,
}

impl From<AmendmentRecord> for AmendmentResponse {
    fn from(a: AmendmentRecord) -> Self {
        Self {
            bids_need_confirmation: service::tenders::amendment_needs_confirmation(&a),
            number: a.number,
            note: a.note,
            description_before: a.description_before,
            description_after: a.description_after,
            clarification_deadline_before: a.clarification_deadline_before,
            clarification_deadline_after: a.clarification_deadline_after,
            submission_deadline_before: a.submission_deadline_before,
            submission_deadline_after: a.submission_deadline_after,
            amended_at: a.amended_at,
        }
    }
}

/// A tender.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Tender)]
pub struct TenderResponse {
    /// The tender's id.
    pub id: Uuid,
    /// The buying organisation.
    pub buyer_id: Uuid,
    /// The buyer's name.
    pub buyer_name: String,
    /// A short title.
    pub title: String,
    /// What is being bought.
    pub description: String,
    /// The service category's code.
    pub category: String,
    /// The NHS England region.
    pub region: RegionDto,
    /// The estimated contract value in pence.
    pub estimated_value_pence: i64,
    /// The most the buyer will pay, in pence. Never shown to suppliers: the key is absent from
    /// their responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_ceiling_pence: Option<i64>,
    /// The contract term in months.
    pub contract_term_months: i32,
    /// `open` or `invited`.
    pub procedure: ProcedureDto,
    /// The invited suppliers (invited tenders); absent from suppliers' responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invited_supplier_ids: Option<Vec<Uuid>>,
    /// The evaluation criteria, in order.
    pub criteria: Vec<CriterionResponse>,
    /// Questions close at this instant.
    pub clarification_deadline: DateTime<Utc>,
    /// Bids close at this instant, by the database clock.
    pub submission_deadline: DateTime<Utc>,
    /// Working days of standstill after award.
    pub standstill_days: i32,
    /// The state in force now, by the database clock.
    pub status: TenderStatusDto,
    /// The version; also sent as the `ETag` header.
    pub version: i32,
    /// When the draft was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was published.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why it was cancelled.
    pub cancellation_reason: Option<String>,
    /// When the buyer first opened the bids after the deadline.
    pub bids_opened_at: Option<DateTime<Utc>>,
    /// Why the lead declared the tender unsuccessful (no compliant bid).
    pub unsuccessful_reason: Option<String>,
    /// Every amendment since publication, oldest first.
    pub amendments: Vec<AmendmentResponse>,
}

type Tagged = ([(HeaderName, HeaderValue); 1], Json<TenderResponse>);

fn tagged(tender: TenderResponse) -> Tagged {
    ([etag_header(tender.version)], Json(tender))
}

/// A new tender, created as a draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenderRequest {
    /// A short title.
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Procurement support service"
    )]
    pub title: String,
    /// What is being bought.
    #[schema(min_length = 1, max_length = 20000)]
    pub description: String,
    /// A category code from `GET /api/v1/categories`.
    #[schema(min_length = 1, max_length = 60, example = "procurement")]
    pub category: String,
    /// The NHS England region.
    pub region: RegionDto,
    /// The estimated contract value in pence.
    #[schema(minimum = 1, maximum = 10000000000_i64, example = 25000000)]
    pub estimated_value_pence: i64,
    /// The most the buyer will pay, in pence; never shown to suppliers.
    #[schema(minimum = 1, maximum = 10000000000_i64)]
    pub budget_ceiling_pence: Option<i64>,
    /// The contract term, 1 to 120 months.
    #[schema(minimum = 1, maximum = 120, example = 24)]
    pub contract_term_months: i64,
    /// `open` or `invited`.
    pub procedure: ProcedureDto,
    /// For an invited tender: the supplier organisations invited (1 to 100).
    #[serde(default)]
    #[schema(max_items = 100)]
    pub invited_supplier_ids: Vec<Uuid>,
    /// The evaluation criteria: exactly one of kind price; weights sum to 100.
    #[schema(min_items = 1, max_items = 20)]
    pub criteria: Vec<CriterionInput>,
    /// When questions close; no later than the submission deadline.
    pub clarification_deadline: DateTime<Utc>,
    /// When bids close.
    pub submission_deadline: DateTime<Utc>,
    /// Working days of standstill after award, 0 to 30 (default 8).
    #[schema(minimum = 0, maximum = 30)]
    pub standstill_days: Option<i64>,
}

fn new_criteria(criteria: &[CriterionInput]) -> Vec<NewCriterion> {
    criteria
        .iter()
        .map(|c| NewCriterion {
            name: c.name.clone(),
            kind: c.kind.as_str().to_owned(),
            weight: c.weight,
        })
        .collect()
}

type Created = (
    StatusCode,
    [(HeaderName, HeaderValue); 2],
    Json<TenderResponse>,
);

/// Creates a draft tender for the signed-in buyer lead's organisation.
#[utoipa::path(
    post,
    path = "/tenders",
    tag = "tenders",
    security(("bearer" = [])),
    request_body = CreateTenderRequest,
    responses(
        (status = 201, description = "Created as a draft.", body = TenderResponse,
            headers(("Location" = String, description = "The tender's address."),
                    ("ETag" = String, description = "The tender's version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn create_tender(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    body: Result<JsonBody<CreateTenderRequest>, ApiError>,
) -> Result<Created, ApiError> {
    tender::require_tender_manager(&actor)?;
    let JsonBody(request) = body?;
    let spec = request.spec()?;
    let shown = TenderResponse::from(service::tenders::create(&state.ctx, &actor, &spec).await?);
    let location = HeaderValue::from_str(&format!("/api/v1/tenders/{}", shown.id))
        .map_err(ApiError::internal)?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location), etag_header(shown.version)],
        Json(shown),
    ))
}

/// Filters and paging for the tender list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TenderQuery {
    /// Only tenders in this state (in force now). Suppliers see `published` unless they ask
    /// for another state.
    pub status: Option<TenderStatusDto>,
    /// Only this category.
    #[param(max_length = 60)]
    pub category: Option<String>,
    /// Only this region.
    pub region: Option<RegionDto>,
    /// Only this buyer organisation's tenders.
    pub buyer: Option<Uuid>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u64>,
}

/// One tender in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = TenderSummary)]
pub struct TenderSummaryResponse {
    /// The tender's id.
    pub id: Uuid,
    /// The buying organisation.
    pub buyer_id: Uuid,
    /// The buyer's name.
    pub buyer_name: String,
    /// A short title.
    pub title: String,
    /// The category's code.
    pub category: String,
    /// The region.
    pub region: RegionDto,
    /// `open` or `invited`.
    pub procedure: ProcedureDto,
    /// The estimated value in pence.
    pub estimated_value_pence: i64,
    /// When questions close.
    pub clarification_deadline: DateTime<Utc>,
    /// When bids close.
    pub submission_deadline: DateTime<Utc>,
    /// The state in force now.
    pub status: TenderStatusDto,
    /// When it was published.
    pub published_at: Option<DateTime<Utc>>,
}

impl From<TenderListing> for TenderSummaryResponse {
    fn from(l: TenderListing) -> Self {
        Self {
            id: l.id.as_uuid(),
            buyer_id: l.buyer_id.as_uuid(),
            buyer_name: l.buyer_name,
            title: l.title,
            category: l.category,
            region: l.region.into(),
            procedure: l.procedure.into(),
            estimated_value_pence: l.estimated_value_pence,
            clarification_deadline: l.clarification_deadline,
            submission_deadline: l.submission_deadline,
            status: l.status.into(),
            published_at: l.published_at,
        }
    }
}

/// Lists the tenders the signed-in user may read, soonest submission deadline first: for a
/// buyer, its own (any state) and other buyers' open tenders once published (`buyer` narrows it
/// to one organisation); for a supplier, the published ones it may bid on (or, asked for by
/// `status`, the later states of those it may see); for the regulator and admins, every tender
/// but drafts. Every tender listed can be read with `GET /tenders/{id}`.
#[utoipa::path(
    get,
    path = "/tenders",
    tag = "tenders",
    security(("bearer" = [])),
    params(TenderQuery),
    responses(
        (status = 200, description = "A page of tenders.", body = Paginated<TenderSummaryResponse>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn list_tenders(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    QueryParams(query): QueryParams<TenderQuery>,
) -> Result<Json<Paginated<TenderSummaryResponse>>, ApiError> {
    let mut v = Validator::new();
    let page = v.check(PageRequest::new(query.page, query.per_page));
    check_category_filter(&mut v, query.category.as_ref());
    v.finish()?;
    let page = page.unwrap_or_default();
    let filter = service::tenders::TenderQuery {
        status: query.status.map(Into::into),
        category: query.category,
        region: query.region.map(Into::into),
        buyer: query.buyer.map(OrganisationId::from_uuid),
    };
    let found = service::tenders::list(&state.ctx, &actor, filter, page).await?;
    Ok(Json(Paginated::from_page(found, Into::into)))
}

/// One tender, in the state in force now. Suppliers never see the budget ceiling.
#[utoipa::path(
    get,
    path = "/tenders/{id}",
    tag = "tenders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "The tender.", body = TenderResponse,
            headers(("ETag" = String, description = "The tender's version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get_tender(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Tagged, ApiError> {
    let view = service::tenders::get(&state.ctx, &actor, TenderId::from_uuid(id)).await?;
    Ok(tagged(view.into()))
}

fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A change to a draft; omitted fields stay as they are. Criteria, when given, replace the
/// draft's criteria (and get new ids).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTenderRequest {
    /// A short title.
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    /// What is being bought.
    #[schema(min_length = 1, max_length = 20000)]
    pub description: Option<String>,
    /// A category code.
    #[schema(min_length = 1, max_length = 60)]
    pub category: Option<String>,
    /// The region.
    pub region: Option<RegionDto>,
    /// The estimated value in pence.
    #[schema(minimum = 1, maximum = 10000000000_i64)]
    pub estimated_value_pence: Option<i64>,
    /// The budget ceiling in pence; null removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(minimum = 1, maximum = 10000000000_i64)]
    pub budget_ceiling_pence: Option<Option<i64>>,
    /// The contract term, 1 to 120 months.
    #[schema(minimum = 1, maximum = 120)]
    pub contract_term_months: Option<i64>,
    /// `open` or `invited`.
    pub procedure: Option<ProcedureDto>,
    /// The invited suppliers.
    #[schema(max_items = 100)]
    pub invited_supplier_ids: Option<Vec<Uuid>>,
    /// The criteria, replacing the current ones.
    #[schema(min_items = 1, max_items = 20)]
    pub criteria: Option<Vec<CriterionInput>>,
    /// When questions close.
    pub clarification_deadline: Option<DateTime<Utc>>,
    /// When bids close.
    pub submission_deadline: Option<DateTime<Utc>>,
    /// Working days of standstill, 0 to 30.
    #[schema(minimum = 0, maximum = 30)]
    pub standstill_days: Option<i64>,
}

impl From<UpdateTenderRequest> for service::tenders::DraftChanges {
    fn from(r: UpdateTenderRequest) -> Self {
        Self {
            title: r.title,
            description: r.description,
            category: r.category,
            region: r.region.map(Into::into),
            estimated_value_pence: r.estimated_value_pence,
            budget_ceiling_pence: r.budget_ceiling_pence,
            contract_term_months: r.contract_term_months,
            procedure: r.procedure.map(Into::into),
            invited_supplier_ids: r
                .invited_supplier_ids
                .map(|ids| ids.into_iter().map(OrganisationId::from_uuid).collect()),
            criteria: r.criteria.as_deref().map(new_criteria),
            clarification_deadline: r.clarification_deadline,
            submission_deadline: r.submission_deadline,
            standstill_days: r.standstill_days,
        }
    }
}

/// Edits a draft (the buyer's lead only). Requires `If-Match` with the ETag last read. A
/// published tender is changed by an amendment instead.
#[utoipa::path(
    patch,
    path = "/tenders/{id}",
    tag = "tenders",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("If-Match" = String, Header, description = "The ETag of the version being changed."),
    ),
    request_body = UpdateTenderRequest,
    responses(
        (status = 200, description = "The changed draft.", body = TenderResponse,
            headers(("ETag" = String, description = "The new version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 428, response = PreconditionRequired),
    )
)]
pub async fn update_tender(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    if_match: IfMatch,
    body: Result<JsonBody<UpdateTenderRequest>, ApiError>,
) -> Result<Tagged, ApiError> {
    tender::require_tender_manager(&actor)?;
    let JsonBody(request) = body?;
    let view = service::tenders::update(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        &if_match.expected(),
        &request.into(),
    )
    .await?;
    Ok(tagged(view.into()))
}

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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = DeadlinePassed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
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

/// Why a tender is cancelled.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelTenderRequest {
    /// The reason, for bidders and the regulator: 1 to 2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
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

/// A clarification question and its answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Clarification)]
pub struct ClarificationResponse {
    /// The question's id.
    pub id: Uuid,
    /// The tender it is about.
    pub tender_id: Uuid,
    /// The question.
    pub question: String,
    /// When it was asked.
    pub asked_at: DateTime<Utc>,
    /// The organisation that asked: shown to the buyer only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asked_by_organisation_id: Option<Uuid>,
    /// Whether the signed-in user's organisation asked it.
    pub asked_by_you: bool,
    /// The buyer's answer, once given.
    pub answer: Option<String>,
    /// When it was answered.
    pub answered_at: Option<DateTime<Utc>>,
}

/// A clarification question.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskClarificationRequest {
    /// The question: 1 to 4000 characters.
    #[schema(min_length = 1, max_length = 4000)]
    pub question: String,
}

/// Asks the buyer a question about a published tender, before the clarification deadline
/// (suppliers able to bid). Until answered, only the asker and the buyer see it.
#[utoipa::path(
    post,
    path = "/tenders/{id}/clarifications",
    tag = "tenders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = AskClarificationRequest,
    responses(
        (status = 201, description = "The question, as asked.", body = ClarificationResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = DeadlinePassed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn ask_clarification(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<AskClarificationRequest>, ApiError>,
) -> Result<(StatusCode, Json<ClarificationResponse>), ApiError> {
    let JsonBody(request) = body?;
    let asked = service::clarifications::ask(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        &request.question,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(asked.into())))
}

/// The tender's questions that the signed-in user may see, oldest first: answered ones for
/// everyone who can see the tender, unanswered ones for the asker and the buyer; who asked, for
/// the buyer only.
#[utoipa::path(
    get,
    path = "/tenders/{id}/clarifications",
    tag = "tenders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "The questions.", body = ClarificationList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn list_clarifications(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<ClarificationList>, ApiError> {
    let items = service::clarifications::list(&state.ctx, &actor, TenderId::from_uuid(id))
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(ClarificationList { items }))
}

/// A tender's clarifications.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClarificationList {
    /// The questions, oldest first.
    pub items: Vec<ClarificationResponse>,
}

/// The buyer's answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerClarificationRequest {
    /// The answer: 1 to 10000 characters.
    #[schema(min_length = 1, max_length = 10000)]
    pub answer: String,
}

/// Answers a question (the buyer's lead, until the submission deadline). The answer becomes
/// visible to every supplier that can see the tender, without the asker's name, and they are
/// notified.
#[utoipa::path(
    post,
    path = "/tenders/{id}/clarifications/{cid}/answer",
    tag = "tenders",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("cid" = Uuid, Path, description = "The question's id."),
    ),
    request_body = AnswerClarificationRequest,
    responses(
        (status = 200, description = "The answered question.", body = ClarificationResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = DeadlinePassed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn answer_clarification(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams((id, cid)): PathParams<(Uuid, Uuid)>,
    body: Result<JsonBody<AnswerClarificationRequest>, ApiError>,
) -> Result<Json<ClarificationResponse>, ApiError> {
    let JsonBody(request) = body?;
    let answered = service::clarifications::answer(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        ClarificationId::from_uuid(cid),
        &request.answer,
    )
    .await?;
    Ok(Json(answered.into()))
}

impl CreateTenderRequest {
    /// The draft as the domain parses it.
    pub fn spec(&self) -> Result<TenderSpec, DomainError> {
        let criteria = new_criteria(&self.criteria);
        let invited: Vec<OrganisationId> = self
            .invited_supplier_ids
            .iter()
            .copied()
            .map(OrganisationId::from_uuid)
            .collect();
        TenderSpec::parse(&TenderFields {
            title: &self.title,
            description: &self.description,
            category: &self.category,
            region: self.region.into(),
            estimated_value_pence: self.estimated_value_pence,
            budget_ceiling_pence: self.budget_ceiling_pence,
            contract_term_months: self.contract_term_months,
            procedure: self.procedure.into(),
            invited_supplier_ids: &invited,
            criteria: &criteria,
            clarification_deadline: self.clarification_deadline,
            submission_deadline: self.submission_deadline,
            standstill_days: self.standstill_days,
        })
    }
}

impl From<TenderView> for TenderResponse {
    fn from(view: TenderView) -> Self {
        let budget_ceiling_pence = view.budget_ceiling_pence();
        let invited_supplier_ids = view
            .invited_supplier_ids()
            .map(|ids| ids.iter().map(|i| i.as_uuid()).collect());
        let t = view.tender;
        Self {
            id: t.id.as_uuid(),
            buyer_id: t.buyer_id.as_uuid(),
            buyer_name: view.buyer_name,
            title: t.title,
            description: t.description,
            category: t.category,
            region: t.region.into(),
            estimated_value_pence: t.estimated_value_pence,
            budget_ceiling_pence,
            contract_term_months: t.contract_term_months,
            procedure: t.procedure.into(),
            invited_supplier_ids,
            criteria: t
                .criteria
                .iter()
                .map(|c| CriterionResponse {
                    id: c.id.as_uuid(),
                    name: c.name.clone(),
                    kind: c.kind.into(),
                    weight: c.weight,
                })
                .collect(),
            clarification_deadline: t.clarification_deadline,
            submission_deadline: t.submission_deadline,
            standstill_days: t.standstill_days,
            status: view.status.into(),
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
            published_at: t.published_at,
            cancelled_at: t.cancelled_at,
            cancellation_reason: t.cancellation_reason,
            bids_opened_at: t.bids_opened_at,
            unsuccessful_reason: t.unsuccessful_reason,
            amendments: view.amendments.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<ClarificationSeen> for ClarificationResponse {
    fn from(seen: ClarificationSeen) -> Self {
        let c = seen.clarification;
        Self {
            id: c.id.as_uuid(),
            tender_id: c.tender_id.as_uuid(),
            question: c.question,
            asked_at: c.asked_at,
            asked_by_organisation_id: (seen.view == ClarificationView::WithAsker)
                .then(|| c.asked_by_organisation_id.as_uuid()),
            asked_by_you: seen.asked_by_viewer,
            answer: c.answer,
            answered_at: c.answered_at,
        }
    }
}
