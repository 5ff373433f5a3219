//! Public notices (Procurement Act 2023 UK2–UK12): anyone reads them without a token (a token
//! is accepted); a buyer lead publishes UK2 and UK3; every other type is published by the step
//! that causes it.

use crate::auth::AuthUser;
use crate::dto::{Created, Paginated, RegionDto, created};
use crate::error::{ApiError, BadRequest, NotFound, Unauthorized};
use crate::extract::{JsonBody, PageParams, Pagination, PathParams, QueryParams};
use crate::routes::ocds::{OcdsPackage, base_url, package};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::{NoticeId, OrganisationId, TenderId};
use domain::notice::BuyerNoticeFields;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use service::notices::NoticeView;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

mirror_enum!(
    /// A notice type of the Procurement Act 2023: UK2 preliminary market engagement, UK3 planned
    /// procurement, UK4 tender (and its changes), UK5 transparency, UK6 contract award, UK7
    /// contract details, UK10 contract change, UK11 contract termination, UK12 procurement
    /// termination.
    NoticeTypeDto as NoticeType mirrors domain::notice::NoticeType {
        Uk2 = "UK2",
        Uk3 = "UK3",
        Uk4 = "UK4",
        Uk5 = "UK5",
        Uk6 = "UK6",
        Uk7 = "UK7",
        Uk10 = "UK10",
        Uk11 = "UK11",
        Uk12 = "UK12",
    }
);

/// A published notice: immutable.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Notice)]
pub struct NoticeResponse {
    /// The notice's id.
    pub id: Uuid,
    /// Its type.
    pub notice_type: NoticeTypeDto,
    /// Its type's name.
    pub name: String,
    /// The buyer that published it.
    pub buyer_id: Uuid,
    /// The buyer's name.
    pub buyer_name: String,
    /// The procurement it belongs to (none for a UK2 or UK3 published on its own).
    pub tender_id: Option<Uuid>,
    /// The contract it concerns (UK7, UK10, UK11).
    pub contract_id: Option<Uuid>,
    /// Its place in its procurement's chain of notices, from 1.
    pub sequence: i32,
    /// The notice before it in the chain.
    pub previous_id: Option<Uuid>,
    /// The procurement's title.
    pub title: String,
    /// What is bought.
    pub description: String,
    /// The category code.
    pub category: String,
    /// The region.
    pub region: RegionDto,
    /// When it was published.
    pub published_at: DateTime<Utc>,
    /// What this type of notice says beyond the common fields (never anything sealed).
    #[schema(value_type = Object)]
    pub details: Value,
}

impl From<NoticeView> for NoticeResponse {
    fn from(view: NoticeView) -> Self {
        let n = view.notice;
        Self {
            id: n.id.as_uuid(),
            notice_type: n.notice_type.into(),
            name: n.notice_type.name().to_owned(),
            buyer_id: n.buyer_id.as_uuid(),
            buyer_name: view.buyer_name,
            tender_id: n.tender_id.map(|t| t.as_uuid()),
            contract_id: n.contract_id,
            sequence: n.sequence,
            previous_id: n.previous_id.map(|p| p.as_uuid()),
            title: n.title,
            description: n.description,
            category: n.category,
            region: n.region.into(),
            published_at: n.published_at,
            details: n.details,
        }
    }
}

/// A notice a buyer publishes by itself: a UK2 or a UK3 (any other type is 422).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNoticeRequest {
    /// `UK2` (preliminary market engagement, s.17) or `UK3` (planned procurement, s.15).
    pub notice_type: NoticeTypeDto,
    /// A short title.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
        min_length = 1,
        max_length = 200
    )]
    pub title: String,
    /// What the buyer plans to buy or wants to discuss.
    #[schema(min_length = 1, max_length = 20000)]
    pub description: String,
    /// A category code.
    #[schema(min_length = 1, max_length = 60)]
    pub category: String,
    /// The region.
    pub region: RegionDto,
    /// UK2: when the engagement closes (in the future).
    pub engagement_deadline: Option<DateTime<Utc>>,
    /// UK3: the estimated value in pence, including VAT.
    #[schema(minimum = 1, maximum = 10000000000_i64)]
    pub estimated_value_pence: Option<i64>,
    /// UK3: when the tender notice is expected (after today). Published at least 40 days and
    /// at most a year before it, a UK3 lets the tender shorten its tendering period (s.54(5)).
    pub expected_tender_notice_date: Option<NaiveDate>,
}

/// Publishes a UK2 or UK3 notice for the signed-in buyer lead's organisation.
#[utoipa::path(
    post,
    path = "/notices",
    tag = "notices",
    security(("bearer" = [])),
    request_body = CreateNoticeRequest,
    responses(
        (status = 201, description = "Published.", body = NoticeResponse,
            headers(("Location" = String, description = "The notice's address."))),
        crate::error::BodyProblems,
        (status = 401, response = Unauthorized),
        (status = 403, response = crate::error::Forbidden),
    )
)]
pub async fn create_notice(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    body: Result<JsonBody<CreateNoticeRequest>, ApiError>,
) -> Result<Created<NoticeResponse>, ApiError> {
    domain::tender::require_tender_manager(&actor)?;
    let JsonBody(r) = body?;
    let input = BuyerNoticeFields {
        notice_type: r.notice_type.into(),
        title: r.title,
        description: r.description,
        category: r.category,
        region: r.region.into(),
        engagement_deadline: r.engagement_deadline,
        estimated_value_pence: r.estimated_value_pence,
        expected_tender_notice_date: r.expected_tender_notice_date,
    };
    let shown = NoticeResponse::from(
        service::notices::publish_buyer_notice(&state.ctx, &actor, &input).await?,
    );
    created(&format!("/api/v1/notices/{}", shown.id), shown)
}

/// Filters for the notice list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticeQuery {
    /// Only notices of this type.
    pub notice_type: Option<NoticeTypeDto>,
    /// Only this buyer's.
    pub buyer: Option<Uuid>,
    /// Only this category's.
    #[param(max_length = 60)]
    pub category: Option<String>,
    /// Only this region's.
    pub region: Option<RegionDto>,
    /// Only this procurement's.
    pub tender: Option<Uuid>,
    /// Published on or after this day (UK date).
    pub from: Option<NaiveDate>,
    /// Published on or before this day (UK date).
    pub to: Option<NaiveDate>,
}

fn uk_midnight(day: NaiveDate) -> DateTime<Utc> {
    domain::calendar::uk_local(day.and_time(chrono::NaiveTime::MIN))
}

/// The published notices, newest first: public (no token needed). Pages link to each other
/// in a `Link` header (`rel="next"`, `rel="prev"`). `Accept: text/csv` downloads the page as CSV.
#[utoipa::path(
    get,
    path = "/notices",
    tag = "notices",
    security(()),
    params(NoticeQuery, PageParams),
    responses(
        (status = 200, description = "A page of notices.", content(
            (Paginated<NoticeResponse> = "application/json"),
            (String = "text/csv"),
        ), headers(("Link" = String, description = "The next and previous pages, when there are."))),
        (status = 400, response = BadRequest),
        (status = 422, response = crate::error::ValidationFailed),
    )
)]
pub async fn list_notices(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    QueryParams(query): QueryParams<NoticeQuery>,
    Pagination(pages): Pagination,
) -> Result<Response, ApiError> {
    let page = pages.request()?;
    let mut v = domain::error::Validator::new();
    crate::dto::check_category_filter(&mut v, query.category.as_ref());
    v.finish()?;
    let filter = persistence::notices::NoticeFilter {
        notice_type: query.notice_type.map(Into::into),
        buyer: query.buyer.map(OrganisationId::from_uuid),
        category: query.category,
        region: query.region.map(Into::into),
        tender: query.tender.map(TenderId::from_uuid),
        from: query.from.map(uk_midnight),
        to: query.to.and_then(|d| d.succ_opt()).map(uk_midnight),
        oldest_first: false,
    };
    let found = service::notices::list(&state.ctx, &filter, page).await?;
    let link = crate::extract::link_header(
        &format!(
            "/api/v1{}",
            uri.path_and_query()
                .map_or("/notices", |p| p.as_str())
                .trim_start_matches("/api/v1")
        ),
        found.page,
        found.per_page,
        found.total,
    );
    let mut response = if crate::csv::wants_csv(&headers) {
        crate::csv::download(&service::notices::table(&found))
    } else {
        Json(Paginated::from_page(found, NoticeResponse::from)).into_response()
    };
    if let Some(link) = link {
        response.headers_mut().insert(header::LINK, link);
    }
    Ok(response)
}

/// One notice: public.
#[utoipa::path(
    get,
    path = "/notices/{id}",
    tag = "notices",
    security(()),
    params(("id" = Uuid, Path, description = "The notice's id.")),
    responses(
        (status = 200, description = "The notice.", body = NoticeResponse),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
    )
)]
pub async fn get_notice(
    State(state): State<AppState>,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<NoticeResponse>, ApiError> {
    Ok(Json(
        service::notices::get(&state.ctx, NoticeId::from_uuid(id))
            .await?
            .into(),
    ))
}

/// The notice's OCDS release (Find a Tender profile), fixed when it was published, in a release
/// package: public.
#[utoipa::path(
    get,
    path = "/notices/{id}/ocds",
    tag = "notices",
    security(()),
    params(("id" = Uuid, Path, description = "The notice's id.")),
    responses(
        (status = 200, description = "A release package with the notice's release.", body = OcdsPackage),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
    )
)]
pub async fn get_notice_ocds(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<OcdsPackage>, ApiError> {
    let view = service::notices::get(&state.ctx, NoticeId::from_uuid(id)).await?;
    Ok(Json(package(
        format!("{}/api/v1/notices/{id}/ocds", base_url(&headers)),
        vec![view.notice.release],
        view.notice.published_at,
    )))
}
