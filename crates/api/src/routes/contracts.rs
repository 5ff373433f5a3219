//! Contracts and supplier performance: the contracts an actor may see, the buyer's periodic
//! reviews of its supplier, and each supplier's rating from those reviews.

use crate::auth::AuthUser;
use crate::dto::{Created, Paginated, RegionDto, check_category_filter, created};
use crate::error::{ApiError, BadRequest, Conflict, NotFound, Unauthorized};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::extract::{PageParams, Pagination};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use domain::FieldError;
use domain::contract::ContractStatus;
use domain::error::Validator;
use domain::ids::OrganisationId;
use persistence::contracts::{ContractFilter, StoredReview};
use serde::{Deserialize, Serialize};
use service::contracts::{ContractView, Rating, ReviewInput};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Where a contract stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ContractStatus)]
pub enum ContractStatusDto {
    /// In force.
    Active,
    /// Past its end date.
    Ended,
    /// Ended early by the buyer.
    Terminated,
    /// Transferred to another supplier.
    Novated,
}

impl From<ContractStatus> for ContractStatusDto {
    fn from(s: ContractStatus) -> Self {
        match s {
            ContractStatus::Active => Self::Active,
            ContractStatus::Ended => Self::Ended,
            ContractStatus::Terminated => Self::Terminated,
            ContractStatus::Novated => Self::Novated,
        }
    }
}

impl From<ContractStatusDto> for ContractStatus {
    fn from(s: ContractStatusDto) -> Self {
        match s {
            ContractStatusDto::Active => Self::Active,
            ContractStatusDto::Ended => Self::Ended,
            ContractStatusDto::Terminated => Self::Terminated,
            ContractStatusDto::Novated => Self::Novated,
        }
    }
}

/// A contract.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Contract)]
pub struct ContractResponse {
    /// The contract's id.
    pub id: Uuid,
    /// The tender it was awarded through.
    pub tender_id: Uuid,
    /// The lot of that tender it is for; absent when the tender is not divided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lot_id: Option<Uuid>,
    /// The framework it was called off under, and the call-off; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_off_id: Option<Uuid>,
    /// The awarded bid.
    pub bid_id: Uuid,
    /// The buying organisation.
    pub buyer_id: Uuid,
    /// The buyer's name.
    pub buyer_name: String,
    /// The supplier holding the contract.
    pub supplier_id: Uuid,
    /// The holder's name.
    pub supplier_name: String,
    /// The supplier the contract was awarded to.
    pub awarded_supplier_id: Uuid,
    /// The tender's title.
    pub title: String,
    /// The service category's code.
    pub category: String,
    /// The NHS England region.
    pub region: RegionDto,
    /// The awarded bid's price, in pence: the contract's whole value.
    pub total_value_pence: i64,
    /// The value per year, in pence (total × 12 / the term in months).
    pub annual_value_pence: i64,
    /// The first day.
    pub start_date: NaiveDate,
    /// The last day.
    pub end_date: NaiveDate,
    /// The state in force today.
    pub status: ContractStatusDto,
    /// When the tender was awarded.
    pub awarded_at: DateTime<Utc>,
    /// When the contract was entered.
    pub created_at: DateTime<Utc>,
    /// When it was terminated.
    pub terminated_at: Option<DateTime<Utc>>,
    /// Why.
    pub termination_reason: Option<String>,
    /// When the buyer recorded that it ended at the end of its term.
    pub ended_at: Option<DateTime<Utc>>,
    /// Every supplier that has held the contract, the original awardee first, with the dates
    /// each held it from and to (on a single contract's page only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holders: Option<Vec<HolderResponse>>,
}

/// A supplier's time holding a contract.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HolderResponse {
    /// The supplier.
    pub supplier_id: Uuid,
    /// Its name.
    pub supplier_name: String,
    /// From the contract's start, or the novation's effective date.
    pub from_date: NaiveDate,
    /// Until the day before the next novation; null for the holder now.
    pub to_date: Option<NaiveDate>,
    /// The transfer that novated the contract to it; null for the original awardee.
    pub transfer_id: Option<Uuid>,
}

impl From<service::contracts::Holder> for HolderResponse {
    fn from(h: service::contracts::Holder) -> Self {
        Self {
            supplier_id: h.supplier_id.as_uuid(),
            supplier_name: h.supplier_name,
            from_date: h.from_date,
            to_date: h.to_date,
            transfer_id: h.transfer_id,
        }
    }
}

impl From<ContractView> for ContractResponse {
    fn from(c: ContractView) -> Self {
        Self {
            id: c.contract.id,
            tender_id: c.contract.terms.tender_id.as_uuid(),
            lot_id: c.contract.terms.lot_id.map(|l| l.as_uuid()),
            framework_id: c.contract.terms.framework_id.map(|f| f.as_uuid()),
            call_off_id: c.contract.terms.call_off_id.map(|c| c.as_uuid()),
            bid_id: c.contract.terms.bid_id.as_uuid(),
            buyer_id: c.contract.terms.buyer_id.as_uuid(),
            buyer_name: c.buyer_name,
            supplier_id: c.contract.supplier_id.as_uuid(),
            supplier_name: c.supplier_name,
            awarded_supplier_id: c.contract.terms.awarded_supplier_id.as_uuid(),
            title: c.contract.terms.title,
            category: c.contract.terms.category,
            region: c.contract.terms.region.into(),
            total_value_pence: c.contract.terms.total_value_pence,
            annual_value_pence: c.contract.terms.annual_value_pence,
            start_date: c.contract.terms.start_date,
            end_date: c.contract.terms.end_date,
            status: c.contract.status.into(),
            awarded_at: c.contract.terms.awarded_at,
            created_at: c.contract.created_at,
            terminated_at: c.contract.terminated_at,
            termination_reason: c.contract.termination_reason,
            ended_at: c.contract.ended_at,
            holders: c
                .holders
                .map(|holders| holders.into_iter().map(Into::into).collect()),
        }
    }
}

/// Filters and paging for the contract list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContractQuery {
    /// Only this supplier's (the holder's) contracts.
    pub supplier: Option<Uuid>,
    /// Only this buyer's contracts.
    pub buyer: Option<Uuid>,
    /// Only this category.
    #[param(max_length = 60)]
    pub category: Option<String>,
    /// Only this region.
    pub region: Option<RegionDto>,
    /// Only contracts in this state today.
    pub status: Option<ContractStatusDto>,
    /// Only contracts in force on or after this date (their term ends on or after it).
    pub from: Option<NaiveDate>,
    /// Only contracts in force on or before this date (their term starts on or before it).
    pub to: Option<NaiveDate>,
}

/// Lists contracts, most recently awarded first: a buyer's own, a supplier's own, or (for the
/// regulator and admins) all. `from` and `to` select the contracts in force during that period.
#[utoipa::path(
    get,
    path = "/contracts",
    tag = "contracts",
    security(("bearer" = [])),
    params(ContractQuery, PageParams),
    responses(
        (status = 200, description = "A page of contracts.", body = Paginated<ContractResponse>),
        crate::error::QueryProblems,
    )
)]
pub async fn list_contracts(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    QueryParams(query): QueryParams<ContractQuery>,
    Pagination(pages): Pagination,
) -> Result<Json<Paginated<ContractResponse>>, ApiError> {
    let mut v = Validator::new();
    let page = v.check(pages.request());
    check_category_filter(&mut v, query.category.as_ref());
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from > to
    {
        v.push(FieldError::new("/to", "must not be before `from`"));
    }
    v.finish()?;
    let filter = ContractFilter {
        supplier: query.supplier.map(OrganisationId::from_uuid),
        buyer: query.buyer.map(OrganisationId::from_uuid),
        category: query.category,
        region: query.region.map(Into::into),
        status: query.status.map(Into::into),
        from: query.from,
        to: query.to,
    };
    let found =
        service::contracts::list(&state.ctx, &actor, &filter, page.unwrap_or_default()).await?;
    Ok(Json(Paginated::from_page(found, Into::into)))
}

/// One contract, if the signed-in user may see it.
#[utoipa::path(
    get,
    path = "/contracts/{id}",
    tag = "contracts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The contract's id.")),
    responses(
        (status = 200, description = "The contract.", body = ContractResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get_contract(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<ContractResponse>, ApiError> {
    Ok(Json(
        service::contracts::get(&state.ctx, &actor, id)
            .await?
            .into(),
    ))
}

/// Why a contract is terminated.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminateContractRequest {
    /// 1 to 2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Terminates an active contract early (the buyer's lead), with the reason.
#[utoipa::path(
    post,
    path = "/contracts/{id}/terminate",
    tag = "contracts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The contract's id.")),
    request_body = TerminateContractRequest,
    responses(
        (status = 200, description = "The contract, terminated.", body = ContractResponse),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn terminate_contract(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<TerminateContractRequest>, ApiError>,
) -> Result<Json<ContractResponse>, ApiError> {
    let JsonBody(request) = body?;
    Ok(Json(
        service::contracts::terminate(&state.ctx, &actor, id, &request.reason)
            .await?
            .into(),
    ))
}

/// Records that an active contract ended at the end of its term (the buyer's lead, from its
/// last day on), publishing its contract termination notice (UK11). Ending it sooner is a
/// termination.
#[utoipa::path(
    post,
    path = "/contracts/{id}/end",
    tag = "contracts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The contract's id.")),
    responses(
        (status = 200, description = "The contract, ended.", body = ContractResponse),
        crate::error::AccessProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn end_contract(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<ContractResponse>, ApiError> {
    Ok(Json(
        service::contracts::end(&state.ctx, &actor, id)
            .await?
            .into(),
    ))
}

/// A performance review.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReviewRequest {
    /// The period reviewed, for example `2026-Q3`: 1 to 40 characters, one review per period.
    #[schema(min_length = 1, max_length = 40, example = "2026-Q3")]
    pub period: String,
    /// Delivery against the specification, 1 (poor) to 5 (excellent).
    #[schema(minimum = 1, maximum = 5)]
    pub delivery: i64,
    /// Quality of the work, 1 to 5.
    #[schema(minimum = 1, maximum = 5)]
    pub quality: i64,
    /// Value for money, 1 to 5.
    #[schema(minimum = 1, maximum = 5)]
    pub value_for_money: i64,
    /// Responsiveness, 1 to 5.
    #[schema(minimum = 1, maximum = 5)]
    pub responsiveness: i64,
    /// What went well and what did not: up to 5000 characters.
    #[schema(max_length = 5000)]
    pub comments: Option<String>,
}

/// A performance review.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = PerformanceReview)]
pub struct ReviewResponse {
    /// The review's id.
    pub id: Uuid,
    /// The contract reviewed.
    pub contract_id: Uuid,
    /// The supplier reviewed.
    pub supplier_id: Uuid,
    /// The reviewing buyer.
    pub buyer_id: Uuid,
    /// The period reviewed.
    pub period: String,
    /// 1 to 5.
    pub delivery: u8,
    /// 1 to 5.
    pub quality: u8,
    /// 1 to 5.
    pub value_for_money: u8,
    /// 1 to 5.
    pub responsiveness: u8,
    /// The buyer's comments.
    pub comments: Option<String>,
    /// When it was recorded.
    pub reviewed_at: DateTime<Utc>,
}

impl From<StoredReview> for ReviewResponse {
    fn from(r: StoredReview) -> Self {
        Self {
            id: r.id,
            contract_id: r.contract_id,
            supplier_id: r.supplier_id.as_uuid(),
            buyer_id: r.buyer_id.as_uuid(),
            period: r.review.period,
            delivery: r.review.marks.delivery,
            quality: r.review.marks.quality,
            value_for_money: r.review.marks.value_for_money,
            responsiveness: r.review.marks.responsiveness,
            comments: r.review.comments,
            reviewed_at: r.reviewed_at,
        }
    }
}

/// A contract's reviews.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewList {
    /// Latest first.
    pub items: Vec<ReviewResponse>,
}

/// Records the buyer's performance review of the contract's supplier for a period (the
/// contract's buyer lead only).
#[utoipa::path(
    post,
    path = "/contracts/{id}/reviews",
    tag = "contracts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The contract's id.")),
    request_body = CreateReviewRequest,
    responses(
        (status = 201, description = "The review.", body = ReviewResponse,
            headers(("Location" = String, description = "The contract's reviews."))),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn create_review(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<CreateReviewRequest>, ApiError>,
) -> Result<Created<ReviewResponse>, ApiError> {
    let JsonBody(request) = body?;
    let input = ReviewInput {
        period: request.period,
        delivery: request.delivery,
        quality: request.quality,
        value_for_money: request.value_for_money,
        responsiveness: request.responsiveness,
        comments: request.comments,
    };
    let stored = service::contracts::review(&state.ctx, &actor, id, &input).await?;
    created(
        &format!("/api/v1/contracts/{id}/reviews"),
        ReviewResponse::from(stored),
    )
}

/// The contract's performance reviews, for whoever may see the contract.
#[utoipa::path(
    get,
    path = "/contracts/{id}/reviews",
    tag = "contracts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The contract's id.")),
    responses(
        (status = 200, description = "The reviews.", body = ReviewList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn list_reviews(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<ReviewList>, ApiError> {
    let items = service::contracts::reviews(&state.ctx, &actor, id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(ReviewList { items }))
}

/// A supplier's rating from its buyers' performance reviews. Each mean is weighted by the
/// review's age: reviews from the last 12 months count three times, from the 12 months before
/// that twice, and older ones once, so recent performance weighs most.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SupplierRating)]
pub struct RatingResponse {
    /// How many reviews the rating draws on.
    pub reviews: i64,
    /// The weighted mean of the four marks together, 1 to 5, to 2 decimal places.
    pub overall: f64,
    /// Weighted mean delivery mark, 1 to 5.
    pub delivery: f64,
    /// Weighted mean quality mark, 1 to 5.
    pub quality: f64,
    /// Weighted mean value-for-money mark, 1 to 5.
    pub value_for_money: f64,
    /// Weighted mean responsiveness mark, 1 to 5.
    pub responsiveness: f64,
    /// When the latest review was recorded.
    pub last_reviewed_at: Option<DateTime<Utc>>,
}

impl From<Rating> for RatingResponse {
    fn from(r: Rating) -> Self {
        Self {
            reviews: r.reviews,
            overall: r.overall,
            delivery: r.delivery,
            quality: r.quality,
            value_for_money: r.value_for_money,
            responsiveness: r.responsiveness,
            last_reviewed_at: r.last_reviewed_at,
        }
    }
}

/// A supplier's rating.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationRatingResponse {
    /// The supplier.
    pub organisation_id: Uuid,
    /// Its name.
    pub name: String,
    /// How many reviews.
    pub reviews: i64,
    /// The rating; null when the supplier has no reviews yet.
    pub rating: Option<RatingResponse>,
}

/// A supplier's rating from buyers' performance reviews (any signed-in user; the catalogue and
/// the ranking show it beside the supplier's offers and bids).
#[utoipa::path(
    get,
    path = "/organisations/{id}/rating",
    tag = "contracts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The supplier organisation's id.")),
    responses(
        (status = 200, description = "The rating.", body = OrganisationRatingResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get_rating(
    State(state): State<AppState>,
    AuthUser(_actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<OrganisationRatingResponse>, ApiError> {
    let (organisation, rating) =
        service::contracts::rating_of(&state.ctx, OrganisationId::from_uuid(id)).await?;
    Ok(Json(OrganisationRatingResponse {
        organisation_id: organisation.id.as_uuid(),
        name: organisation.name.as_str().to_owned(),
        reviews: rating.as_ref().map_or(0, |r| r.reviews),
        rating: rating.map(Into::into),
    }))
}
