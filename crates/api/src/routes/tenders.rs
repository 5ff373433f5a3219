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
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::bid::{self, ClarificationView, NotificationKind};
use domain::error::Validator;
use domain::ids::{ClarificationId, OrganisationId, TenderId};
use domain::organisation::{OrganisationKind, Region};
use domain::pagination::PageRequest;
use domain::tender::{
    self, Amendment, CriterionKind, NewCriterion, Procedure, TenderFields, TenderSpec,
    TenderStatus, can_bid, can_view_tender, cancellation_reason, check_before,
};
use domain::user::Role;
use domain::{DomainError, FieldError};
use persistence::Command;
use persistence::notifications::NewNotification;
use persistence::tenders::{
    AmendmentRecord, Clarification, Tender, TenderAudience, TenderFilter, TenderListing, Transition,
};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Deserializer, Serialize};
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
            bids_need_confirmation: a.description_after.is_some()
                || a.submission_deadline_after != a.submission_deadline_before,
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

/// Whether `actor` sees the buyer's confidential fields (budget ceiling, invitation list).
fn sees_confidential(actor: &Actor, tender: &Tender) -> bool {
    match actor.role {
        Role::BuyerLead | Role::BuyerEvaluator => actor.organisation_id == tender.buyer_id,
        Role::Regulator | Role::Admin => true,
        Role::SupplierBidder => false,
    }
}

/// The tender as `actor` may see it, in the state in force.
pub(crate) async fn present<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    tender: Tender,
    status: TenderStatus,
) -> Result<TenderResponse, ApiError> {
    let buyer_name = persistence::organisations::get(conn, tender.buyer_id)
        .await?
        .name;
    let amendments = persistence::tenders::amendments(conn, tender.id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let confidential = actor.is_none_or(|a| sees_confidential(a, &tender));
    Ok(TenderResponse {
        id: tender.id.as_uuid(),
        buyer_id: tender.buyer_id.as_uuid(),
        buyer_name,
        title: tender.title,
        description: tender.description,
        category: tender.category,
        region: tender.region.into(),
        estimated_value_pence: tender.estimated_value_pence,
        budget_ceiling_pence: tender.budget_ceiling_pence.filter(|_| confidential),
        contract_term_months: tender.contract_term_months,
        procedure: tender.procedure.into(),
        invited_supplier_ids: (confidential && tender.procedure == Procedure::Invited)
            .then(|| tender.invited.iter().map(|i| i.as_uuid()).collect()),
        criteria: tender
            .criteria
            .iter()
            .map(|c| CriterionResponse {
                id: c.id.as_uuid(),
                name: c.name.clone(),
                kind: c.kind.into(),
                weight: c.weight,
            })
            .collect(),
        clarification_deadline: tender.clarification_deadline,
        submission_deadline: tender.submission_deadline,
        standstill_days: tender.standstill_days,
        status: status.into(),
        version: tender.version,
        created_at: tender.created_at,
        updated_at: tender.updated_at,
        published_at: tender.published_at,
        cancelled_at: tender.cancelled_at,
        cancellation_reason: tender.cancellation_reason,
        bids_opened_at: tender.bids_opened_at,
        unsuccessful_reason: tender.unsuccessful_reason,
        amendments,
    })
}

/// What a tender's audit entries record of it (all of it: the audit log is for the regulator
/// and admins, who may see the budget ceiling).
fn audit_value(tender: &TenderResponse) -> Result<serde_json::Value, ApiError> {
    let mut value = serde_json::to_value(tender).map_err(ApiError::internal)?;
    if let Some(object) = value.as_object_mut() {
        // The history is audited entry by entry; repeating it in every entry adds nothing.
        object.remove("amendments");
    }
    Ok(value)
}

type Tagged = ([(HeaderName, HeaderValue); 1], Json<TenderResponse>);

fn tagged(tender: TenderResponse) -> Tagged {
    ([etag_header(tender.version)], Json(tender))
}

/// Loads a tender `actor` may see, with its state in force; 404 otherwise.
pub(crate) async fn visible<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    id: TenderId,
    now: DateTime<Utc>,
) -> Result<(Tender, TenderStatus), ApiError> {
    let tender = persistence::tenders::find(conn, id)
        .await?
        .ok_or(DomainError::NotFound("tender"))?;
    let status = tender.status_at(conn, now).await?;
    if !can_view_tender(actor, &tender.scope(status)) {
        return Err(DomainError::NotFound("tender").into());
    }
    Ok((tender, status))
}

/// Loads and locks a tender for a command, at the moment the lock is held, and records the
/// close at the deadline if the clock has passed it: returns the tender as stored afterwards
/// and the state in force.
pub(crate) async fn lock_and_settle(
    command: &mut Command,
    id: TenderId,
) -> Result<(Tender, TenderStatus), ApiError> {
    let tender = persistence::tenders::find_for_update(command.conn(), id)
        .await?
        .ok_or(DomainError::NotFound("tender"))?;
    let now = command.refresh_now().await?;
    let status = tender.status_at(command.conn(), now).await?;
    if status == tender.status {
        return Ok((tender, status));
    }
    let before = present(command.conn(), None, tender.clone(), tender.status).await?;
    let closed = persistence::tenders::set_status(
        command.conn(),
        &tender,
        status,
        Transition::default(),
        now,
    )
    .await?;
    let after = present(command.conn(), None, closed.clone(), status).await?;
    command
        .audit(
            AuditEntry::new(None, "tender.closed", "tender", closed.id)
                .before(audit_value(&before)?)
                .after(audit_value(&after)?),
        )
        .await?;
    Ok((closed, status))
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

/// Checks what the domain cannot: the category exists and every invited organisation is a
/// supplier.
async fn check_references<C: ConnectionTrait>(conn: &C, spec: &TenderSpec) -> Result<(), ApiError> {
    let mut v = Validator::new();
    if !persistence::reference::category_exists(conn, &spec.category).await? {
        v.push(FieldError::new("/category", "is not a known category code"));
    }
    for (i, id) in spec.invited_supplier_ids.iter().enumerate() {
        let found = persistence::organisations::find(conn, *id).await?;
        if !found.is_some_and(|o| o.kind == OrganisationKind::Supplier) {
            v.push(FieldError::new(
                format!("/invited_supplier_ids/{i}"),
                "is not a supplier organisation",
            ));
        }
    }
    v.finish().map_err(Into::into)
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
    let criteria = new_criteria(&request.criteria);
    let invited: Vec<OrganisationId> = request
        .invited_supplier_ids
        .iter()
        .copied()
        .map(OrganisationId::from_uuid)
        .collect();
    let spec = TenderSpec::parse(&TenderFields {
        title: &request.title,
        description: &request.description,
        category: &request.category,
        region: request.region.into(),
        estimated_value_pence: request.estimated_value_pence,
        budget_ceiling_pence: request.budget_ceiling_pence,
        contract_term_months: request.contract_term_months,
        procedure: request.procedure.into(),
        invited_supplier_ids: &invited,
        criteria: &criteria,
        clarification_deadline: request.clarification_deadline,
        submission_deadline: request.submission_deadline,
        standstill_days: request.standstill_days,
    })?;
    let command = state.db.command().await?;
    let shown = create_in(&command, Some(actor), actor.organisation_id, &spec).await?;
    command.commit().await?;
    let location = HeaderValue::from_str(&format!("/api/v1/tenders/{}", shown.id))
        .map_err(ApiError::internal)?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location), etag_header(shown.version)],
        Json(shown),
    ))
}

/// Creates a draft for `buyer` with its audit entry, inside `command`. `actor` is `None` only
/// for the demo loader.
pub(crate) async fn create_in(
    command: &Command,
    actor: Option<Actor>,
    buyer: OrganisationId,
    spec: &TenderSpec,
) -> Result<TenderResponse, ApiError> {
    check_references(command.conn(), spec).await?;
    let created = persistence::tenders::insert(command.conn(), buyer, spec, command.now()).await?;
    let shown = present(command.conn(), None, created, TenderStatus::Draft).await?;
    command
        .audit(
            AuditEntry::new(actor, "tender.created", "tender", shown.id)
                .after(audit_value(&shown)?),
        )
        .await?;
    Ok(shown)
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

/// Lists tenders, soonest submission deadline first: a buyer's own (any state); for a
/// supplier, the published ones it may bid on (or, asked for by `status`, the later states of
/// those it may see); for the regulator and admins, every tender but drafts.
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
    let audience = match actor.role {
        Role::BuyerLead | Role::BuyerEvaluator => TenderAudience::Buyer(actor.organisation_id),
        Role::SupplierBidder => TenderAudience::Supplier(actor.organisation_id),
        Role::Regulator | Role::Admin => TenderAudience::Oversight,
    };
    let status = match (query.status, actor.role) {
        (None, Role::SupplierBidder) => Some(TenderStatus::Published),
        (status, _) => status.map(Into::into),
    };
    let filter = TenderFilter {
        status,
        category: query.category,
        region: query.region.map(Into::into),
        buyer: query.buyer.map(OrganisationId::from_uuid),
        published_only: false,
    };
    let now = state.db.now().await?;
    let found = persistence::tenders::list(state.db.conn(), audience, &filter, now, page).await?;
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
    let conn = state.db.conn();
    let now = state.db.now().await?;
    let (tender, status) = visible(conn, &actor, TenderId::from_uuid(id), now).await?;
    Ok(tagged(present(conn, Some(&actor), tender, status).await?))
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

impl UpdateTenderRequest {
    fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.category.is_none()
            && self.region.is_none()
            && self.estimated_value_pence.is_none()
            && self.budget_ceiling_pence.is_none()
            && self.contract_term_months.is_none()
            && self.procedure.is_none()
            && self.invited_supplier_ids.is_none()
            && self.criteria.is_none()
            && self.clarification_deadline.is_none()
            && self.submission_deadline.is_none()
            && self.standstill_days.is_none()
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
    let mut command = state.db.command().await?;
    let (current, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    current
        .scope(status)
        .check_lead(&actor, "edit this tender")?;
    if_match.require(current.version)?;
    let JsonBody(request) = body?;
    if request.is_empty() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "",
            "give at least one field to change",
        )]));
    }
    status.check_editable()?;
    let criteria = match &request.criteria {
        Some(c) => new_criteria(c),
        None => current
            .criteria
            .iter()
            .map(|c| NewCriterion {
                name: c.name.clone(),
                kind: c.kind.as_str().to_owned(),
                weight: i64::from(c.weight),
            })
            .collect(),
    };
    let procedure: Procedure = request.procedure.map_or(current.procedure, Into::into);
    let invited: Vec<OrganisationId> = match &request.invited_supplier_ids {
        Some(ids) => ids.iter().copied().map(OrganisationId::from_uuid).collect(),
        None if procedure == Procedure::Open => Vec::new(),
        None => current.invited.clone(),
    };
    let spec = TenderSpec::parse(&TenderFields {
        title: request.title.as_deref().unwrap_or(&current.title),
        description: request
            .description
            .as_deref()
            .unwrap_or(&current.description),
        category: request.category.as_deref().unwrap_or(&current.category),
        region: request.region.map_or(current.region, Region::from),
        estimated_value_pence: request
            .estimated_value_pence
            .unwrap_or(current.estimated_value_pence),
        budget_ceiling_pence: request
            .budget_ceiling_pence
            .unwrap_or(current.budget_ceiling_pence),
        contract_term_months: request
            .contract_term_months
            .unwrap_or(i64::from(current.contract_term_months)),
        procedure,
        invited_supplier_ids: &invited,
        criteria: &criteria,
        clarification_deadline: request
            .clarification_deadline
            .unwrap_or(current.clarification_deadline),
        submission_deadline: request
            .submission_deadline
            .unwrap_or(current.submission_deadline),
        standstill_days: Some(
            request
                .standstill_days
                .unwrap_or(i64::from(current.standstill_days)),
        ),
    })?;
    check_references(command.conn(), &spec).await?;
    let before = present(command.conn(), None, current.clone(), status).await?;
    let changed = persistence::tenders::replace_draft(
        command.conn(),
        &current,
        &spec,
        request.criteria.is_some(),
        command.now(),
    )
    .await?
    .ok_or_else(|| {
        ApiError::PreconditionFailed("The tender changed while you edited it.".to_owned())
    })?;
    let shown = present(command.conn(), None, changed, TenderStatus::Draft).await?;
    command
        .audit(
            AuditEntry::new(Some(actor), "tender.updated", "tender", shown.id)
                .before(audit_value(&before)?)
                .after(audit_value(&shown)?),
        )
        .await?;
    command.commit().await?;
    Ok(tagged(shown))
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
    tender::require_tender_manager(&actor)?;
    let mut command = state.db.command().await?;
    let (current, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    current
        .scope(status)
        .check_lead(&actor, "publish this tender")?;
    if_match.check(current.version)?;
    let published_status = status.publish()?;
    let shown = publish_in(&command, Some(actor), current, published_status).await?;
    command.commit().await?;
    Ok(tagged(shown))
}

/// Publishes `current` inside `command`: checks the deadlines against the command's clock,
/// notifies the suppliers concerned and audits.
pub(crate) async fn publish_in(
    command: &Command,
    actor: Option<Actor>,
    current: Tender,
    published_status: TenderStatus,
) -> Result<TenderResponse, ApiError> {
    let now = command.now();
    tender::Deadlines::new(current.clarification_deadline, current.submission_deadline)?
        .check_ahead_of(now)?;
    let before = present(command.conn(), None, current.clone(), current.status).await?;
    let published = persistence::tenders::set_status(
        command.conn(),
        &current,
        published_status,
        Transition::default(),
        now,
    )
    .await?;
    let recipients = match published.procedure {
        Procedure::Invited => published.invited.clone(),
        Procedure::Open => {
            persistence::notifications::suppliers_offering(
                command.conn(),
                &published.category,
                published.region,
            )
            .await?
        }
    };
    persistence::notifications::notify(
        command.conn(),
        &recipients,
        &NewNotification {
            kind: NotificationKind::TenderPublished,
            tender_id: Some(published.id),
            subject: format!("New tender: {}", published.title),
            body: format!(
                "{} has published a tender you may bid on. Questions close {}; bids close {}.",
                before.buyer_name,
                published.clarification_deadline.to_rfc3339(),
                published.submission_deadline.to_rfc3339()
            ),
        },
        now,
    )
    .await?;
    let shown = present(command.conn(), None, published, published_status).await?;
    command
        .audit(
            AuditEntry::new(actor, "tender.published", "tender", shown.id)
                .before(audit_value(&before)?)
                .after(audit_value(&shown)?),
        )
        .await?;
    Ok(shown)
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
    let mut command = state.db.command().await?;
    let (current, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    current
        .scope(status)
        .check_lead(&actor, "amend this tender")?;
    let JsonBody(request) = body?;
    if current.deadlines_apply() {
        check_before(current.submission_deadline, command.now(), "amendments")?;
    }
    status.check_amendable()?;
    let deadlines =
        tender::Deadlines::new(current.clarification_deadline, current.submission_deadline)?;
    let amendment = Amendment::parse(
        &request.note,
        request.description.as_deref(),
        request.clarification_deadline,
        request.submission_deadline,
        &current.description,
        &deadlines,
        command.now(),
    )?;
    let reopened = if amendment.needs_confirmation {
        persistence::bids::require_confirmation(command.conn(), current.id).await?
    } else {
        Vec::new()
    };
    let number = i32::try_from(
        persistence::tenders::amendments(command.conn(), current.id)
            .await?
            .len(),
    )
    .unwrap_or(i32::MAX - 1)
        + 1;
    let record = AmendmentRecord {
        number,
        note: amendment.note.clone(),
        description_before: amendment
            .description
            .as_ref()
            .map(|_| current.description.clone()),
        description_after: amendment.description.clone(),
        clarification_deadline_before: current.clarification_deadline,
        clarification_deadline_after: amendment.deadlines.clarification(),
        submission_deadline_before: current.submission_deadline,
        submission_deadline_after: amendment.deadlines.submission(),
        bids_reopened: i32::try_from(reopened.len()).unwrap_or(i32::MAX),
        amended_by: actor.user_id,
        amended_at: command.now(),
    };
    let before = present(command.conn(), None, current.clone(), status).await?;
    let amended = persistence::tenders::amend(command.conn(), &current, &record).await?;
    let mut recipients = persistence::bids::bidders(command.conn(), current.id).await?;
    recipients.extend(persistence::tenders::askers(command.conn(), current.id).await?);
    let action = if amendment.needs_confirmation {
        " Your bid will be evaluated only if you confirm or revise it before the deadline."
    } else {
        ""
    };
    persistence::notifications::notify(
        command.conn(),
        &recipients,
        &NewNotification {
            kind: NotificationKind::TenderAmended,
            tender_id: Some(amended.id),
            subject: format!("Tender amended: {}", amended.title),
            body: format!(
                "Amendment {number}: {}{action} Bids close {}.",
                amendment.note,
                amended.submission_deadline.to_rfc3339()
            ),
        },
        command.now(),
    )
    .await?;
    let shown = present(command.conn(), Some(&actor), amended, status).await?;
    command
        .audit(
            AuditEntry::new(Some(actor), "tender.amended", "tender", shown.id)
                .before(audit_value(&before)?)
                .after(audit_value(&shown)?),
        )
        .await?;
    command.commit().await?;
    Ok((StatusCode::CREATED, tagged(shown)))
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
    let mut command = state.db.command().await?;
    let (current, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    current
        .scope(status)
        .check_lead(&actor, "cancel this tender")?;
    let JsonBody(request) = body?;
    let reason = cancellation_reason(&request.reason)?;
    let cancelled_status = status.cancel()?;
    let shown = cancel_in(&command, Some(actor), current, cancelled_status, reason).await?;
    command.commit().await?;
    Ok(tagged(shown))
}

/// Cancels `current` inside `command`, with its audit entry.
pub(crate) async fn cancel_in(
    command: &Command,
    actor: Option<Actor>,
    current: Tender,
    cancelled_status: TenderStatus,
    reason: String,
) -> Result<TenderResponse, ApiError> {
    let before = present(command.conn(), None, current.clone(), current.status).await?;
    crate::routes::awards::cancel_award_of(command, current.id).await?;
    let cancelled = persistence::tenders::set_status(
        command.conn(),
        &current,
        cancelled_status,
        Transition {
            cancellation_reason: Some(reason),
            ..Transition::default()
        },
        command.now(),
    )
    .await?;
    let shown = present(command.conn(), None, cancelled, cancelled_status).await?;
    command
        .audit(
            AuditEntry::new(actor, "tender.cancelled", "tender", shown.id)
                .before(audit_value(&before)?)
                .after(audit_value(&shown)?),
        )
        .await?;
    Ok(shown)
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

fn clarification_response(
    actor: &Actor,
    c: Clarification,
    view: ClarificationView,
) -> ClarificationResponse {
    ClarificationResponse {
        id: c.id.as_uuid(),
        tender_id: c.tender_id.as_uuid(),
        question: c.question,
        asked_at: c.asked_at,
        asked_by_organisation_id: (view == ClarificationView::WithAsker)
            .then(|| c.asked_by_organisation_id.as_uuid()),
        asked_by_you: actor.organisation_id == c.asked_by_organisation_id,
        answer: c.answer,
        answered_at: c.answered_at,
    }
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
    let mut command = state.db.command().await?;
    let (current, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    let scope = current.scope(status);
    if !can_view_tender(&actor, &scope) {
        return Err(DomainError::NotFound("tender").into());
    }
    if !can_bid(&actor, &scope) {
        return Err(DomainError::Forbidden(
            "only suppliers able to bid on the tender may ask questions".to_owned(),
        )
        .into());
    }
    let JsonBody(request) = body?;
    let question = bid::question(&request.question)?;
    if current.deadlines_apply() {
        check_before(current.clarification_deadline, command.now(), "questions")?;
    }
    if status != TenderStatus::Published {
        return Err(DomainError::Conflict(format!("a {status} tender takes no questions")).into());
    }
    let asked = persistence::tenders::insert_clarification(
        command.conn(),
        current.id,
        actor.organisation_id,
        actor.user_id,
        &question,
        command.now(),
    )
    .await?;
    let shown = clarification_response(&actor, asked, ClarificationView::WithAsker);
    command
        .audit(
            AuditEntry::new(
                Some(actor),
                "clarification.asked",
                "clarification",
                shown.id,
            )
            .after(serde_json::to_value(&shown).map_err(ApiError::internal)?),
        )
        .await?;
    command.commit().await?;
    Ok((StatusCode::CREATED, Json(shown)))
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
    let conn = state.db.conn();
    let now = state.db.now().await?;
    let (tender, status) = visible(conn, &actor, TenderId::from_uuid(id), now).await?;
    let items = clarifications_for(conn, &actor, &tender, status).await?;
    Ok(Json(ClarificationList { items }))
}

/// The tender's questions `actor` may see, as it may see them (the API and the pages).
pub(crate) async fn clarifications_for<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tender: &Tender,
    status: TenderStatus,
) -> Result<Vec<ClarificationResponse>, ApiError> {
    let scope = tender.scope(status);
    Ok(persistence::tenders::clarifications(conn, tender.id)
        .await?
        .into_iter()
        .filter_map(|c| {
            let view = bid::clarification_view(
                actor,
                &scope,
                c.asked_by_organisation_id,
                c.answer.is_some(),
            );
            (view != ClarificationView::Hidden).then(|| clarification_response(actor, c, view))
        })
        .collect())
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
    let mut command = state.db.command().await?;
    let (current, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    current
        .scope(status)
        .check_lead(&actor, "answer questions on this tender")?;
    let question = persistence::tenders::find_clarification(
        command.conn(),
        current.id,
        ClarificationId::from_uuid(cid),
    )
    .await?
    .ok_or(DomainError::NotFound("clarification"))?;
    let JsonBody(request) = body?;
    let answer = bid::answer(&request.answer)?;
    if current.deadlines_apply() {
        check_before(current.submission_deadline, command.now(), "answers")?;
    }
    if status != TenderStatus::Published {
        return Err(DomainError::Conflict(format!(
            "questions on a {status} tender can no longer be answered"
        ))
        .into());
    }
    let answered = persistence::tenders::answer_clarification(
        command.conn(),
        &question,
        &answer,
        actor.user_id,
        command.now(),
    )
    .await?
    .ok_or_else(|| DomainError::Conflict("the question is already answered".to_owned()))?;
    let recipients = match current.procedure {
        Procedure::Invited => current.invited.clone(),
        Procedure::Open => persistence::notifications::all_suppliers(command.conn()).await?,
    };
    persistence::notifications::notify(
        command.conn(),
        &recipients,
        &NewNotification {
            kind: NotificationKind::ClarificationAnswered,
            tender_id: Some(current.id),
            subject: format!("Question answered: {}", current.title),
            body: format!("Q: {}\nA: {}", answered.question, answer),
        },
        command.now(),
    )
    .await?;
    let shown = clarification_response(&actor, answered, ClarificationView::WithAsker);
    command
        .audit(
            AuditEntry::new(
                Some(actor),
                "clarification.answered",
                "clarification",
                shown.id,
            )
            .after(serde_json::to_value(&shown).map_err(ApiError::internal)?),
        )
        .await?;
    command.commit().await?;
    Ok(Json(shown))
}
