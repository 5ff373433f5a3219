//! Catalogue search and side-by-side comparison.

use super::*;

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
pub(crate) async fn ratings_of<C: sea_orm::ConnectionTrait>(
    conn: &C,
    suppliers: impl Iterator<Item = OrganisationId>,
    now: DateTime<Utc>,
) -> Result<HashMap<OrganisationId, Rating>, ApiError> {
    let suppliers: Vec<OrganisationId> = suppliers.collect();
    Ok(service::contracts::ratings(conn, &suppliers, now).await?)
}

pub(crate) fn listing_response(
    l: OfferListing,
    ratings: &HashMap<OrganisationId, Rating>,
) -> OfferListingResponse {
    let supplier_rating = ratings.get(&l.supplier_id).cloned().map(Into::into);
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
pub(crate) fn sees_every_supplier(actor: &Actor, status: OfferStatus) -> bool {
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
