//! The service catalogue: suppliers create, price, publish and withdraw their offers; everyone
//! signed in searches and compares published ones.

use crate::auth::AuthUser;
use crate::concurrency::{IfMatch, etag_header};
use crate::dto::{OfferStatusDto, Paginated, PricingUnitDto, RegionDto};
use crate::error::{
    ApiError, BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, PreconditionFailed,
    PreconditionRequired, Unauthorized, UnsupportedMediaType, ValidationFailed,
};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::routes::contracts::{RatingResponse, rating_response};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use chrono::{DateTime, Utc};
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::error::Validator;
use domain::ids::{OfferId, OrganisationId};
use domain::offer::{
    self, AnnualisationBasis, NewOffer, Offer, OfferChange, OfferFields, OfferStatus, RegionSet,
};
use domain::organisation::Region;
use domain::pagination::PageRequest;
use domain::user::Role;
use domain::{DomainError, FieldError};
use persistence::Command;
use persistence::contracts::RatingSums;
use persistence::offers::{OfferListing, OfferSearch, OfferSort, PricePoint};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A service offer.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Offer)]
pub struct OfferResponse {
    /// The offer's id.
    pub id: Uuid,
    /// The supplier organisation that makes it.
    pub supplier_id: Uuid,
    /// The supplier's name.
    pub supplier_name: String,
    /// The service category's code.
    pub category: String,
    /// A short title.
    pub title: String,
    /// One or two sentences shown in search results.
    pub summary: String,
    /// The full description of the service.
    pub description: String,
    /// The NHS England regions served.
    pub regions: Vec<RegionDto>,
    /// How the price is expressed.
    pub pricing_unit: PricingUnitDto,
    /// The unit price in pence (the price in force at `at`, when asked).
    pub unit_price_pence: i64,
    /// The unit price as a buyer reads it, such as `£650.00 per day`.
    pub price_label: String,
    /// When the price shown took effect; null for a draft, whose price is not yet offered.
    pub price_effective_from: Option<DateTime<Utc>>,
    /// The shortest contract term accepted, in months.
    pub minimum_term_months: Option<i32>,
    /// draft, published or withdrawn.
    pub status: OfferStatusDto,
    /// The version; also sent as the `ETag` header.
    pub version: i32,
    /// When the offer was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was published.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was withdrawn.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

fn regions_of(set: RegionSet) -> Vec<RegionDto> {
    set.regions().into_iter().map(Into::into).collect()
}

fn response(offer: Offer, supplier_name: String, price: Option<&PricePoint>) -> OfferResponse {
    let (unit, pence) = price.map_or((offer.pricing_unit, offer.unit_price_pence), |p| {
        (p.pricing_unit, p.unit_price_pence)
    });
    OfferResponse {
        id: offer.id.as_uuid(),
        supplier_id: offer.supplier_id.as_uuid(),
        supplier_name,
        category: offer.category,
        title: offer.title,
        summary: offer.summary,
        description: offer.description,
        regions: regions_of(offer.regions),
        pricing_unit: unit.into(),
        unit_price_pence: pence,
        price_label: offer::price_label(unit, pence),
        price_effective_from: price.map(|p| p.effective_from),
        minimum_term_months: offer.minimum_term_months,
        status: offer.status.into(),
        version: offer.version,
        created_at: offer.created_at,
        updated_at: offer.updated_at,
        published_at: offer.published_at,
        withdrawn_at: offer.withdrawn_at,
    }
}

async fn supplier_name<C: sea_orm::ConnectionTrait>(
    conn: &C,
    id: OrganisationId,
) -> Result<String, ApiError> {
    Ok(persistence::organisations::get(conn, id).await?.name)
}

/// The offer as `actor` sees it now: with its supplier's name and the price in force.
async fn present<C: sea_orm::ConnectionTrait>(
    conn: &C,
    offer: Offer,
    now: DateTime<Utc>,
) -> Result<OfferResponse, ApiError> {
    let name = supplier_name(conn, offer.supplier_id).await?;
    let price = match offer.status {
        OfferStatus::Draft => None,
        _ => persistence::offers::price_at(conn, offer.id, now).await?,
    };
    Ok(response(offer, name, price.as_ref()))
}

fn audit_value(offer: &OfferResponse) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(offer).map_err(ApiError::internal)
}

type Created = (
    StatusCode,
    [(HeaderName, HeaderValue); 2],
    Json<OfferResponse>,
);
type Tagged = ([(HeaderName, HeaderValue); 1], Json<OfferResponse>);

fn tagged(offer: OfferResponse) -> Tagged {
    ([etag_header(offer.version)], Json(offer))
}

/// A new offer, created as a draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOfferRequest {
    /// A category code from `GET /api/v1/categories`.
    #[schema(min_length = 1, max_length = 60, example = "data_analysis_bi")]
    pub category: String,
    /// A short title.
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Population health analytics"
    )]
    pub title: String,
    /// One or two sentences for search results.
    #[schema(min_length = 1, max_length = 500)]
    pub summary: String,
    /// The full description.
    #[schema(min_length = 1, max_length = 20000)]
    pub description: String,
    /// The regions served; at least one.
    #[schema(min_items = 1)]
    pub regions: Vec<RegionDto>,
    /// How the price is expressed.
    pub pricing_unit: PricingUnitDto,
    /// The unit price in pence: a positive whole number.
    #[schema(minimum = 1, maximum = 10000000000_i64, example = 65000)]
    pub unit_price_pence: i64,
    /// The shortest contract term accepted, 1 to 120 months.
    #[schema(minimum = 1, maximum = 120)]
    pub minimum_term_months: Option<i32>,
}

/// Creates a draft offer for the signed-in supplier (`supplier_bidder`).
#[utoipa::path(
    post,
    path = "/offers",
    tag = "catalogue",
    security(("bearer" = [])),
    request_body = CreateOfferRequest,
    responses(
        (status = 201, description = "Created as a draft.", body = OfferResponse,
            headers(("Location" = String, description = "The offer's address."),
                    ("ETag" = String, description = "The offer's version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn create_offer(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    body: Result<JsonBody<CreateOfferRequest>, ApiError>,
) -> Result<Created, ApiError> {
    offer::require_offer_manager(&actor)?;
    let JsonBody(request) = body?;
    let regions: Vec<Region> = request.regions.iter().copied().map(Into::into).collect();
    let new = NewOffer::parse(&OfferFields {
        category: Some(&request.category),
        title: Some(&request.title),
        summary: Some(&request.summary),
        description: Some(&request.description),
        regions: Some(&regions),
        pricing_unit: Some(request.pricing_unit.into()),
        unit_price_pence: Some(request.unit_price_pence),
        minimum_term_months: Some(request.minimum_term_months),
    })?;
    let command = state.db.command().await?;
    let shown = create_in(&command, Some(actor), actor.organisation_id, &new).await?;
    command.commit().await?;
    let location = HeaderValue::from_str(&format!("/api/v1/offers/{}", shown.id))
        .map_err(ApiError::internal)?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location), etag_header(shown.version)],
        Json(shown),
    ))
}

/// Creates a draft offer for `supplier` with its audit entry, inside `command`. `actor` is `None`
/// only for the demo loader.
pub(crate) async fn create_in(
    command: &Command,
    actor: Option<Actor>,
    supplier: OrganisationId,
    new: &NewOffer,
) -> Result<OfferResponse, ApiError> {
    check_category(command.conn(), &new.category).await?;
    let created = persistence::offers::insert(command.conn(), supplier, new, command.now()).await?;
    let shown = present(command.conn(), created, command.now()).await?;
    command
        .audit(
            AuditEntry::new(actor, "offer.created", "offer", shown.id).after(audit_value(&shown)?),
        )
        .await?;
    Ok(shown)
}

async fn check_category<C: sea_orm::ConnectionTrait>(conn: &C, code: &str) -> Result<(), ApiError> {
    if persistence::reference::category_exists(conn, code).await? {
        Ok(())
    } else {
        Err(DomainError::field("/category", "is not a known category code").into())
    }
}

/// Loads an offer `actor` may see; 404 otherwise.
async fn visible_offer<C: sea_orm::ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    id: Uuid,
) -> Result<Offer, ApiError> {
    persistence::offers::find(conn, OfferId::from_uuid(id))
        .await?
        .filter(|o| offer::can_view_offer(actor, o.supplier_id, o.status))
        .ok_or_else(|| DomainError::NotFound("offer").into())
}

/// Options for reading one offer.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfferAtQuery {
    /// Show the price in force at this instant (RFC 3339) instead of now.
    pub at: Option<DateTime<Utc>>,
}

/// One offer, with the price in force now or at `at`.
#[utoipa::path(
    get,
    path = "/offers/{id}",
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The offer's id."), OfferAtQuery),
    responses(
        (status = 200, description = "The offer.", body = OfferResponse,
            headers(("ETag" = String, description = "The offer's version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn get_offer(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    QueryParams(query): QueryParams<OfferAtQuery>,
) -> Result<Tagged, ApiError> {
    let conn = state.db.conn();
    let found = visible_offer(conn, &actor, id).await?;
    let shown = match query.at {
        None => present(conn, found, state.db.now().await?).await?,
        Some(at) => {
            let price = persistence::offers::price_at(conn, found.id, at)
                .await?
                .ok_or_else(|| {
                    ApiError::NotFound(
                        "No price of this offer was in force at that date.".to_owned(),
                    )
                })?;
            let name = supplier_name(conn, found.supplier_id).await?;
            response(found, name, Some(&price))
        }
    };
    Ok(tagged(shown))
}

fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A change to an offer; omitted fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOfferRequest {
    /// A category code.
    #[schema(min_length = 1, max_length = 60)]
    pub category: Option<String>,
    /// A short title.
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    /// One or two sentences for search results.
    #[schema(min_length = 1, max_length = 500)]
    pub summary: Option<String>,
    /// The full description.
    #[schema(min_length = 1, max_length = 20000)]
    pub description: Option<String>,
    /// The regions served; at least one.
    #[schema(min_items = 1)]
    pub regions: Option<Vec<RegionDto>>,
    /// How the price is expressed.
    pub pricing_unit: Option<PricingUnitDto>,
    /// A new unit price in pence. On a published offer the old price stays in the history.
    #[schema(minimum = 1, maximum = 10000000000_i64)]
    pub unit_price_pence: Option<i64>,
    /// The shortest term accepted, 1 to 120 months; null removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(minimum = 1, maximum = 120)]
    pub minimum_term_months: Option<Option<i32>>,
}

/// Edits an offer (its own supplier only). Requires `If-Match` with the ETag last read.
///
/// A price change on a published offer takes effect now, by the database clock, and is added to
/// the price history.
#[utoipa::path(
    patch,
    path = "/offers/{id}",
    tag = "catalogue",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The offer's id."),
        ("If-Match" = String, Header, description = "The ETag of the version being changed."),
    ),
    request_body = UpdateOfferRequest,
    responses(
        (status = 200, description = "The changed offer.", body = OfferResponse,
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
pub async fn update_offer(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    if_match: IfMatch,
    body: Result<JsonBody<UpdateOfferRequest>, ApiError>,
) -> Result<Tagged, ApiError> {
    offer::require_offer_manager(&actor)?;
    let command = state.db.command().await?;
    let current = persistence::offers::find(command.conn(), OfferId::from_uuid(id))
        .await?
        .ok_or(DomainError::NotFound("offer"))?;
    offer::check_can_manage_offer(&actor, &current)?;
    if_match.require(current.version)?;
    let JsonBody(request) = body?;
    let regions: Option<Vec<Region>> = request
        .regions
        .as_ref()
        .map(|r| r.iter().copied().map(Into::into).collect());
    let change = OfferChange::parse(&OfferFields {
        category: request.category.as_deref(),
        title: request.title.as_deref(),
        summary: request.summary.as_deref(),
        description: request.description.as_deref(),
        regions: regions.as_deref(),
        pricing_unit: request.pricing_unit.map(Into::into),
        unit_price_pence: request.unit_price_pence,
        minimum_term_months: request.minimum_term_months,
    })?;
    if change.is_empty() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "",
            "give at least one field to change",
        )]));
    }
    current.status.check_editable()?;
    if let Some(category) = &change.category {
        check_category(command.conn(), category).await?;
    }
    let price_changed = change.changes_price(current.pricing_unit, current.unit_price_pence);
    let before = present(command.conn(), current.clone(), command.now()).await?;
    let updated =
        persistence::offers::update(command.conn(), &current, &change, None, command.now())
            .await?
            .ok_or_else(|| {
                ApiError::PreconditionFailed(
                    "The offer changed while this edit was made; read it again.".to_owned(),
                )
            })?;
    if price_changed && updated.status == OfferStatus::Published {
        persistence::offers::record_price(
            command.conn(),
            updated.id,
            updated.pricing_unit,
            updated.unit_price_pence,
            command.now(),
        )
        .await?;
    }
    let after = present(command.conn(), updated, command.now()).await?;
    let action = if price_changed && after.status == OfferStatusDto::Published {
        "offer.price_changed"
    } else {
        "offer.updated"
    };
    command
        .audit(
            AuditEntry::new(Some(actor), action, "offer", after.id)
                .before(audit_value(&before)?)
                .after(audit_value(&after)?),
        )
        .await?;
    command.commit().await?;
    Ok(tagged(after))
}

async fn transition(
    state: &AppState,
    actor: Actor,
    id: Uuid,
    if_match: &IfMatch,
    to: fn(OfferStatus) -> Result<OfferStatus, DomainError>,
    action: &str,
) -> Result<Tagged, ApiError> {
    offer::require_offer_manager(&actor)?;
    let command = state.db.command().await?;
    let current = persistence::offers::find(command.conn(), OfferId::from_uuid(id))
        .await?
        .ok_or(DomainError::NotFound("offer"))?;
    offer::check_can_manage_offer(&actor, &current)?;
    if_match.check(current.version)?;
    let after = transition_in(&command, Some(actor), current, to, action).await?;
    command.commit().await?;
    Ok(tagged(after))
}

/// Moves `current` to the status `to` gives, recording the first price in force on publication
/// and the audit entry, inside `command`. `actor` is `None` only for the demo loader.
pub(crate) async fn transition_in(
    command: &Command,
    actor: Option<Actor>,
    current: Offer,
    to: fn(OfferStatus) -> Result<OfferStatus, DomainError>,
    action: &str,
) -> Result<OfferResponse, ApiError> {
    let next = to(current.status)?;
    let before = present(command.conn(), current.clone(), command.now()).await?;
    let updated = persistence::offers::update(
        command.conn(),
        &current,
        &OfferChange::default(),
        Some(next),
        command.now(),
    )
    .await?
    .ok_or_else(|| {
        ApiError::PreconditionFailed(
            "The offer changed at the same moment; read it again.".to_owned(),
        )
    })?;
    if next == OfferStatus::Published {
        // The first price in force: from the moment of publication.
        persistence::offers::record_price(
            command.conn(),
            updated.id,
            updated.pricing_unit,
            updated.unit_price_pence,
            command.now(),
        )
        .await?;
    }
    let after = present(command.conn(), updated, command.now()).await?;
    command
        .audit(
            AuditEntry::new(actor, action, "offer", after.id)
                .before(audit_value(&before)?)
                .after(audit_value(&after)?),
        )
        .await?;
    Ok(after)
}

/// Publishes a draft offer: from now on every signed-in user can find it.
#[utoipa::path(
    post,
    path = "/offers/{id}/publish",
    tag = "catalogue",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The offer's id."),
        ("If-Match" = Option<String>, Header, description = "Optional: the ETag of the version being published."),
    ),
    responses(
        (status = 200, description = "Published.", body = OfferResponse,
            headers(("ETag" = String, description = "The new version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
    )
)]
pub async fn publish_offer(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged, ApiError> {
    transition(
        &state,
        actor,
        id,
        &if_match,
        OfferStatus::publish,
        "offer.published",
    )
    .await
}

/// Withdraws a published offer. It is kept forever (contracts may refer to it) and stays
/// visible to its supplier, the regulator and admins.
#[utoipa::path(
    post,
    path = "/offers/{id}/withdraw",
    tag = "catalogue",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The offer's id."),
        ("If-Match" = Option<String>, Header, description = "Optional: the ETag of the version being withdrawn."),
    ),
    responses(
        (status = 200, description = "Withdrawn.", body = OfferResponse,
            headers(("ETag" = String, description = "The new version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
    )
)]
pub async fn withdraw_offer(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged, ApiError> {
    transition(
        &state,
        actor,
        id,
        &if_match,
        OfferStatus::withdraw,
        "offer.withdrawn",
    )
    .await
}

/// A price that was in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceHistoryEntry {
    /// How the price was expressed.
    pub pricing_unit: PricingUnitDto,
    /// The unit price in pence.
    pub unit_price_pence: i64,
    /// When it took effect, by the database clock.
    pub effective_from: DateTime<Utc>,
}

/// Paging for the price history.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u64>,
}

/// Every price the offer has had since it was published, newest first.
#[utoipa::path(
    get,
    path = "/offers/{id}/price-history",
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The offer's id."), PageQuery),
    responses(
        (status = 200, description = "The price history.", body = Paginated<PriceHistoryEntry>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn get_offer_price_history(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    QueryParams(query): QueryParams<PageQuery>,
) -> Result<Json<Paginated<PriceHistoryEntry>>, ApiError> {
    let page = PageRequest::new(query.page, query.per_page)?;
    let conn = state.db.conn();
    let found = visible_offer(conn, &actor, id).await?;
    let history = persistence::offers::price_history(conn, found.id, page).await?;
    Ok(Json(Paginated::from_page(history, |p| PriceHistoryEntry {
        pricing_unit: p.pricing_unit.into(),
        unit_price_pence: p.unit_price_pence,
        effective_from: p.effective_from,
    })))
}

/// How search results are ordered.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = OfferSort)]
pub enum OfferSortDto {
    /// Best text match first; with no text, the neutral order.
    Relevance,
    PriceAsc,
    PriceDesc,
    Newest,
    /// Best-rated supplier first (see the supplier rating), unrated suppliers last.
    Rating,
}

/// Catalogue search.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfferSearchQuery {
    /// Words to find in the title, summary and description (all must match; English stemming).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// A category code.
    #[param(max_length = 60)]
    pub category: Option<String>,
    /// Only offers serving this region.
    pub region: Option<RegionDto>,
    /// Only this supplier's offers.
    pub supplier: Option<Uuid>,
    /// Only offers priced in this unit.
    pub pricing_unit: Option<PricingUnitDto>,
    /// Lowest unit price, in pence.
    #[param(minimum = 0, maximum = 10000000000_i64)]
    pub min_price_pence: Option<i64>,
    /// Highest unit price, in pence.
    #[param(minimum = 0, maximum = 10000000000_i64)]
    pub max_price_pence: Option<i64>,
    /// `published` (default); `draft` and `withdrawn` show only your own organisation's (the
    /// regulator and admins see every withdrawn offer).
    pub status: Option<OfferStatusDto>,
    /// The order (default: relevance). Ties are broken by a stable hash of the offer id, never
    /// by name.
    pub sort: Option<OfferSortDto>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u64>,
}

/// A search result: an offer's catalogue card.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfferListingResponse {
    /// The offer's id.
    pub id: Uuid,
    /// The supplier's id.
    pub supplier_id: Uuid,
    /// The supplier's name.
    pub supplier_name: String,
    /// The category code.
    pub category: String,
    /// The title.
    pub title: String,
    /// The summary.
    pub summary: String,
    /// The regions served.
    pub regions: Vec<RegionDto>,
    /// How the price is expressed.
    pub pricing_unit: PricingUnitDto,
    /// The unit price in pence.
    pub unit_price_pence: i64,
    /// The unit price as a buyer reads it.
    pub price_label: String,
    /// The price for a year where the unit alone allows it (fixed annual, monthly); null
    /// otherwise — compare offers with your volumes for the rest.
    pub annual_price_pence: Option<i64>,
    /// The shortest contract term accepted, in months.
    pub minimum_term_months: Option<i32>,
    /// The offer's status.
    pub status: OfferStatusDto,
    /// When it was published.
    pub published_at: Option<DateTime<Utc>>,
    /// The supplier's rating from buyers' performance reviews; null when it has none.
    pub supplier_rating: Option<RatingResponse>,
}

/// Every supplier's rating on a page of offers, in one query.
async fn ratings_of<C: sea_orm::ConnectionTrait>(
    conn: &C,
    suppliers: impl Iterator<Item = OrganisationId>,
    now: DateTime<Utc>,
) -> Result<HashMap<OrganisationId, RatingSums>, ApiError> {
    let suppliers: Vec<OrganisationId> = suppliers.collect();
    Ok(persistence::contracts::ratings(conn, &suppliers, now).await?)
}

fn listing_response(
    l: OfferListing,
    ratings: &HashMap<OrganisationId, RatingSums>,
) -> OfferListingResponse {
    let supplier_rating = ratings.get(&l.supplier_id).map(rating_response);
    let annual = offer::annualise(
        l.pricing_unit,
        l.unit_price_pence,
        &AnnualisationBasis::default(),
    );
    OfferListingResponse {
        id: l.id.as_uuid(),
        supplier_id: l.supplier_id.as_uuid(),
        supplier_name: l.supplier_name,
        category: l.category,
        title: l.title,
        summary: l.summary,
        regions: regions_of(l.regions),
        pricing_unit: l.pricing_unit.into(),
        unit_price_pence: l.unit_price_pence,
        price_label: offer::price_label(l.pricing_unit, l.unit_price_pence),
        annual_price_pence: annual.annual_price_pence,
        minimum_term_months: l.minimum_term_months,
        status: l.status.into(),
        published_at: l.published_at,
        supplier_rating,
    }
}

/// Searches the catalogue.
///
/// `total` is exact up to the server's count limit (1,000 by default); when more offers match,
/// `total` is the limit and `total_exact` is false. Narrow the search to get an exact count.
#[utoipa::path(
    get,
    path = "/offers",
    tag = "catalogue",
    security(("bearer" = [])),
    params(OfferSearchQuery),
    responses(
        (status = 200, description = "A page of offers.", body = Paginated<OfferListingResponse>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn search_offers(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    QueryParams(query): QueryParams<OfferSearchQuery>,
) -> Result<Json<Paginated<OfferListingResponse>>, ApiError> {
    let mut v = Validator::new();
    let page = v.check(PageRequest::new(query.page, query.per_page));
    if query.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        v.push(FieldError::new("/q", "must be at most 200 characters"));
    }
    if query
        .category
        .as_ref()
        .is_some_and(|c| c.chars().count() > 60)
    {
        v.push(FieldError::new(
            "/category",
            "must be at most 60 characters",
        ));
    }
    for (name, value) in [
        ("min_price_pence", query.min_price_pence),
        ("max_price_pence", query.max_price_pence),
    ] {
        if value.is_some_and(|p| !(0..=offer::MAX_UNIT_PRICE_PENCE).contains(&p)) {
            v.push(FieldError::new(
                format!("/{name}"),
                format!("must be between 0 and {}", offer::MAX_UNIT_PRICE_PENCE),
            ));
        }
    }
    if let (Some(min), Some(max)) = (query.min_price_pence, query.max_price_pence)
        && min > max
    {
        v.push(FieldError::new(
            "/max_price_pence",
            "must not be below min_price_pence",
        ));
    }
    v.finish()?;
    let page = page.unwrap_or_default();
    let status: OfferStatus = query.status.map_or(OfferStatus::Published, Into::into);
    let only_supplier = (!sees_every_supplier(&actor, status)).then_some(actor.organisation_id);
    let now = state.db.now().await?;
    let search = OfferSearch {
        terms: query
            .q
            .as_deref()
            .map(offer::search_terms)
            .unwrap_or_default(),
        status,
        only_supplier,
        category: query.category,
        region_bit: query.region.map(|r| RegionSet::bit(r.into())),
        supplier: query.supplier.map(OrganisationId::from_uuid),
        pricing_unit: query.pricing_unit.map(Into::into),
        min_price_pence: query.min_price_pence,
        max_price_pence: query.max_price_pence,
        sort: match query.sort.unwrap_or(OfferSortDto::Relevance) {
            OfferSortDto::Relevance => OfferSort::Relevance,
            OfferSortDto::PriceAsc => OfferSort::PriceAsc,
            OfferSortDto::PriceDesc => OfferSort::PriceDesc,
            OfferSortDto::Newest => OfferSort::Newest,
            OfferSortDto::Rating => OfferSort::Rating(now),
        },
    };
    let conn = state.db.conn();
    let found =
        persistence::offers::search(conn, &search, page, state.ctx.config().search_total_limit)
            .await?;
    let ratings = ratings_of(conn, found.items.iter().map(|o| o.supplier_id), now).await?;
    Ok(Json(Paginated::from_page(found, |l| {
        listing_response(l, &ratings)
    })))
}

/// Whether `actor` may see every supplier's offers in `status`, or only its own organisation's.
fn sees_every_supplier(actor: &Actor, status: OfferStatus) -> bool {
    match status {
        OfferStatus::Published => true,
        OfferStatus::Withdrawn => matches!(actor.role, Role::Regulator | Role::Admin),
        OfferStatus::Draft => false,
    }
}

/// The offers to compare and the volumes to annualise their prices with.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// 2 to 10 offer ids, separated by commas.
    #[param(min_length = 1, max_length = 400)]
    pub ids: String,
    /// Whole-time equivalents, to annualise prices per FTE-month.
    #[param(minimum = 1, maximum = 100000)]
    pub fte: Option<u32>,
    /// Population covered, to annualise prices per 1,000 population a year.
    #[param(minimum = 1, maximum = 100000000)]
    pub population: Option<u64>,
    /// Working days a year, to annualise day rates.
    #[param(minimum = 1, maximum = 366)]
    pub days_per_year: Option<u32>,
    /// Transactions a year, to annualise per-transaction prices.
    #[param(minimum = 1, maximum = 1000000000)]
    pub transactions_per_year: Option<u64>,
}

/// One offer in a comparison.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComparedOffer {
    /// The offer.
    pub offer: OfferListingResponse,
    /// The price for a year on the stated basis; null when the unit needs a volume not given.
    pub annual_price_pence: Option<i64>,
    /// The assumption behind `annual_price_pence`, or what is missing.
    pub annualisation: String,
}

/// Offers side by side.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfferComparison {
    /// The offers, in the order asked for.
    pub items: Vec<ComparedOffer>,
}

/// Compares 2 to 10 offers side by side, with prices annualised where the unit allows it.
#[utoipa::path(
    get,
    path = "/offers/compare",
    tag = "catalogue",
    security(("bearer" = [])),
    params(CompareQuery),
    responses(
        (status = 200, description = "The comparison.", body = OfferComparison),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn compare_offers(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    QueryParams(query): QueryParams<CompareQuery>,
) -> Result<Json<OfferComparison>, ApiError> {
    let mut ids: Vec<OfferId> = Vec::new();
    for raw in query.ids.split(',').map(str::trim) {
        let id = Uuid::parse_str(raw)
            .map_err(|_| DomainError::field("/ids", format!("{raw:?} is not an offer id")))?;
        if !ids.contains(&OfferId::from_uuid(id)) {
            ids.push(OfferId::from_uuid(id));
        }
    }
    if !(2..=10).contains(&ids.len()) {
        return Err(DomainError::field("/ids", "compare between 2 and 10 different offers").into());
    }
    let mut v = Validator::new();
    for (name, bad) in [
        (
            "fte",
            query.fte.is_some_and(|n| !(1..=100_000).contains(&n)),
        ),
        (
            "population",
            query
                .population
                .is_some_and(|n| !(1..=100_000_000).contains(&n)),
        ),
        (
            "days_per_year",
            query.days_per_year.is_some_and(|n| !(1..=366).contains(&n)),
        ),
        (
            "transactions_per_year",
            query
                .transactions_per_year
                .is_some_and(|n| !(1..=1_000_000_000).contains(&n)),
        ),
    ] {
        if bad {
            v.push(FieldError::new(format!("/{name}"), "is out of range"));
        }
    }
    v.finish()?;
    let basis = AnnualisationBasis {
        fte: query.fte,
        population: query.population,
        days_per_year: query.days_per_year,
        transactions_per_year: query.transactions_per_year,
    };
    let conn = state.db.conn();
    let found = persistence::offers::find_many(conn, &ids).await?;
    let now = state.db.now().await?;
    let ratings = ratings_of(conn, found.iter().map(|o| o.supplier_id), now).await?;
    let mut items = Vec::with_capacity(ids.len());
    // Offers often share a supplier: look each supplier's name up once.
    let mut names: Vec<(OrganisationId, String)> = Vec::new();
    for id in &ids {
        let o = found
            .iter()
            .find(|o| o.id == *id)
            .filter(|o| offer::can_view_offer(&actor, o.supplier_id, o.status))
            .ok_or_else(|| ApiError::NotFound(format!("No such offer: {id}.")))?;
        let name = match names.iter().find(|(org, _)| *org == o.supplier_id) {
            Some((_, name)) => name.clone(),
            None => {
                let name = supplier_name(conn, o.supplier_id).await?;
                names.push((o.supplier_id, name.clone()));
                name
            }
        };
        let annual = offer::annualise(o.pricing_unit, o.unit_price_pence, &basis);
        items.push(ComparedOffer {
            offer: listing_response(
                OfferListing {
                    id: o.id,
                    supplier_id: o.supplier_id,
                    supplier_name: name,
                    category: o.category.clone(),
                    title: o.title.clone(),
                    summary: o.summary.clone(),
                    regions: o.regions,
                    pricing_unit: o.pricing_unit,
                    unit_price_pence: o.unit_price_pence,
                    minimum_term_months: o.minimum_term_months,
                    status: o.status,
                    published_at: o.published_at,
                },
                &ratings,
            ),
            annual_price_pence: annual.annual_price_pence,
            annualisation: annual.basis,
        });
    }
    Ok(Json(OfferComparison { items }))
}
