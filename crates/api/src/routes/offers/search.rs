//! Catalogue search and side-by-side comparison.

use super::*;
use crate::extract::{PageParams, Pagination};

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
    /// Only this framework's catalogue: the offers its suppliers list on it.
    pub framework: Option<Uuid>,
    /// With `framework`: only the offers listed on this lot.
    pub lot: Option<Uuid>,
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

impl From<ListingView> for OfferListingResponse {
    fn from(v: ListingView) -> Self {
        let l = v.listing;
        Self {
            id: l.id.as_uuid(),
            supplier_id: l.supplier_id.as_uuid(),
            supplier_name: l.supplier_name,
            category: l.category,
            title: l.title,
            summary: l.summary,
            regions: l.regions.regions().into_iter().map(Into::into).collect(),
            pricing_unit: l.pricing_unit.into(),
            unit_price_pence: l.unit_price_pence,
            price_label: offer::price_label(l.pricing_unit, l.unit_price_pence),
            annual_price_pence: v.annual_price_pence,
            minimum_term_months: l.minimum_term_months,
            status: l.status.into(),
            published_at: l.published_at,
            supplier_rating: v.supplier_rating.map(Into::into),
        }
    }
}

impl From<OfferSortDto> for SortOrder {
    fn from(sort: OfferSortDto) -> Self {
        match sort {
            OfferSortDto::Relevance => Self::Relevance,
            OfferSortDto::PriceAsc => Self::PriceAsc,
            OfferSortDto::PriceDesc => Self::PriceDesc,
            OfferSortDto::Newest => Self::Newest,
            OfferSortDto::Rating => Self::Rating,
        }
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
    params(OfferSearchQuery, PageParams),
    responses(
        (status = 200, description = "A page of offers.", body = Paginated<OfferListingResponse>),
        crate::error::QueryProblems,
    )
)]
pub async fn search_offers(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    QueryParams(query): QueryParams<OfferSearchQuery>,
    Pagination(pages): Pagination,
) -> Result<Json<Paginated<OfferListingResponse>>, ApiError> {
    let page = pages.request();
    let asked = OfferQuery {
        framework: query.framework.map(domain::ids::FrameworkId::from_uuid),
        lot: query.lot.map(domain::ids::LotId::from_uuid),
        q: query.q,
        category: query.category,
        region: query.region.map(Into::into),
        supplier: query.supplier.map(OrganisationId::from_uuid),
        pricing_unit: query.pricing_unit.map(Into::into),
        min_price_pence: query.min_price_pence,
        max_price_pence: query.max_price_pence,
        status: query.status.map(Into::into),
        sort: query.sort.map(Into::into).unwrap_or_default(),
    };
    let found = service::offers::search(&state.ctx, &actor, asked, page).await?;
    Ok(Json(Paginated::from_page(found, Into::into)))
}

/// The offers to compare and the volumes to annualise their prices with.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// 2 to 10 offer ids (hyphenated UUIDs), separated by commas without spaces.
    #[param(
        min_length = 73,
        max_length = 369,
        pattern = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(,[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}){1,9}$"
    )]
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
        crate::error::QueryProblems,
        (status = 404, response = NotFound),
    )
)]
pub async fn compare_offers(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    QueryParams(query): QueryParams<CompareQuery>,
) -> Result<Json<OfferComparison>, ApiError> {
    let basis = AnnualisationBasis {
        fte: query.fte,
        population: query.population,
        days_per_year: query.days_per_year,
        transactions_per_year: query.transactions_per_year,
    };
    let items = service::offers::compare(&state.ctx, &actor, &query.ids, &basis)
        .await?
        .into_iter()
        .map(|c| ComparedOffer {
            offer: c.offer.into(),
            annual_price_pence: c.annual_price_pence,
            annualisation: c.annualisation,
        })
        .collect();
    Ok(Json(OfferComparison { items }))
}
