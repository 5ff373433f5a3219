//! A supplier's own offers: create, edit and reprice, publish, withdraw.

use super::*;
use crate::extract::JsonPatch;

/// A new offer, created as a draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOfferRequest {
    /// A category code from `GET /api/v1/categories`.
    #[schema(min_length = 1, max_length = 60, example = "data_analysis_bi")]
    pub category: String,
    /// A short title.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
        min_length = 1,
        max_length = 200,
        example = "Population health analytics"
    )]
    pub title: String,
    /// One or two sentences for search results.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
        min_length = 1,
        max_length = 500
    )]
    pub summary: String,
    /// The full description.
    #[schema(min_length = 1, max_length = 20000)]
    pub description: String,
    /// The regions served: at least one, each once (NHS England has seven).
    #[schema(min_items = 1, max_items = 7)]
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
        crate::error::BodyProblems,
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
pub async fn create_offer(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    body: Result<JsonBody<CreateOfferRequest>, ApiError>,
) -> Result<Created, ApiError> {
    let JsonBody(request) = body?;
    let regions: Vec<Region> = request.regions.iter().copied().map(Into::into).collect();
    let shown = service::offers::create(
        &state.ctx,
        &actor,
        &OfferFields {
            category: Some(&request.category),
            title: Some(&request.title),
            summary: Some(&request.summary),
            description: Some(&request.description),
            regions: Some(&regions),
            pricing_unit: Some(request.pricing_unit.into()),
            unit_price_pence: Some(request.unit_price_pence),
            minimum_term_months: Some(request.minimum_term_months),
        },
    )
    .await?;
    let location = HeaderValue::from_str(&format!("/api/v1/offers/{}", shown.id))
        .map_err(ApiError::internal)?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location), etag_header(shown.version)],
        Json(shown.into()),
    ))
}

/// A change to an offer; omitted fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct UpdateOfferRequest {
    /// A category code.
    #[schema(min_length = 1, max_length = 60)]
    pub category: Option<String>,
    /// A short title.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
        min_length = 1,
        max_length = 200
    )]
    pub title: Option<String>,
    /// One or two sentences for search results.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
        min_length = 1,
        max_length = 500
    )]
    pub summary: Option<String>,
    /// The full description.
    #[schema(min_length = 1, max_length = 20000)]
    pub description: Option<String>,
    /// The regions served: at least one, each once (NHS England has seven).
    #[schema(min_items = 1, max_items = 7)]
    pub regions: Option<Vec<RegionDto>>,
    /// How the price is expressed.
    pub pricing_unit: Option<PricingUnitDto>,
    /// A new unit price in pence. On a published offer the old price stays in the history.
    #[schema(minimum = 1, maximum = 10000000000_i64)]
    pub unit_price_pence: Option<i64>,
    /// The shortest term accepted, 1 to 120 months; null removes it.
    #[serde(default, deserialize_with = "crate::dto::double_option")]
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
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        crate::error::VersionProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn update_offer(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    if_match: IfMatch,
    body: Result<JsonPatch<UpdateOfferRequest>, ApiError>,
) -> Result<Tagged, ApiError> {
    let JsonPatch(request) = body?;
    let regions: Option<Vec<Region>> = request
        .regions
        .as_ref()
        .map(|r| r.iter().copied().map(Into::into).collect());
    let fields = OfferFields {
        category: request.category.as_deref(),
        title: request.title.as_deref(),
        summary: request.summary.as_deref(),
        description: request.description.as_deref(),
        regions: regions.as_deref(),
        pricing_unit: request.pricing_unit.map(Into::into),
        unit_price_pence: request.unit_price_pence,
        minimum_term_months: request.minimum_term_months,
    };
    let updated = service::offers::update(
        &state.ctx,
        &actor,
        OfferId::from_uuid(id),
        &if_match.expected(),
        &fields,
    )
    .await?;
    Ok(tagged(updated))
}

/// Where an offer is listed in a framework's catalogue.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FrameworkListingRequest {
    /// An active framework on which the offer's supplier holds a place.
    pub framework_id: Uuid,
    /// The lot it is listed on: required when the framework is divided, refused otherwise.
    pub lot_id: Option<Uuid>,
}

/// Lists the offer in a framework's catalogue (its own supplier, holding a place on the
/// framework's lot). Requires `If-Match` with the ETag last read.
#[utoipa::path(
    put,
    path = "/offers/{id}/framework",
    tag = "catalogue",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The offer's id."),
        ("If-Match" = String, Header, description = "The ETag of the version being changed."),
    ),
    request_body = FrameworkListingRequest,
    responses(
        (status = 200, description = "The offer, listed.", body = OfferResponse,
            headers(("ETag" = String, description = "The new version."))),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        crate::error::VersionProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn list_offer_on_framework(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    if_match: IfMatch,
    body: Result<JsonBody<FrameworkListingRequest>, ApiError>,
) -> Result<Tagged, ApiError> {
    let JsonBody(request) = body?;
    let listing = domain::offer::FrameworkListing {
        framework_id: domain::ids::FrameworkId::from_uuid(request.framework_id),
        lot_id: request.lot_id.map(domain::ids::LotId::from_uuid),
    };
    let listed = service::offers::list_on_framework(
        &state.ctx,
        &actor,
        OfferId::from_uuid(id),
        &if_match.expected(),
        Some(listing),
    )
    .await?;
    Ok(tagged(listed))
}

/// Takes the offer out of the framework's catalogue it was listed in. Requires `If-Match`.
#[utoipa::path(
    delete,
    path = "/offers/{id}/framework",
    tag = "catalogue",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The offer's id."),
        ("If-Match" = String, Header, description = "The ETag of the version being changed."),
    ),
    responses(
        (status = 200, description = "The offer, no longer listed.", body = OfferResponse,
            headers(("ETag" = String, description = "The new version."))),
        crate::error::AccessProblems,
        crate::error::VersionProblems,
    )
)]
pub async fn unlist_offer_from_framework(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged, ApiError> {
    let unlisted = service::offers::list_on_framework(
        &state.ctx,
        &actor,
        OfferId::from_uuid(id),
        &if_match.expected(),
        None,
    )
    .await?;
    Ok(tagged(unlisted))
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
        crate::error::AccessProblems,
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
    move_offer(&state, &actor, id, if_match, OfferMove::Publish).await
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
        crate::error::AccessProblems,
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
    move_offer(&state, &actor, id, if_match, OfferMove::Withdraw).await
}

async fn move_offer(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    if_match: IfMatch,
    to: OfferMove,
) -> Result<Tagged, ApiError> {
    let (offer, expected) = (OfferId::from_uuid(id), if_match.expected());
    let moved = service::offers::transition(&state.ctx, actor, offer, &expected, to).await?;
    Ok(tagged(moved))
}
