//! Reading one tender and listing the tenders a user may read.

use super::*;
use crate::extract::{PageParams, Pagination};

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
    params(TenderQuery, PageParams),
    responses(
        (status = 200, description = "A page of tenders.", body = Paginated<TenderSummaryResponse>),
        crate::error::QueryProblems,
    )
)]
pub async fn list_tenders(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    QueryParams(query): QueryParams<TenderQuery>,
    Pagination(pages): Pagination,
) -> Result<Json<Paginated<TenderSummaryResponse>>, ApiError> {
    let mut v = Validator::new();
    let page = v.check(pages.request());
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
