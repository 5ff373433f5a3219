//! One offer (at a past date too) and its price history.

use super::*;
use crate::extract::{PageParams, Pagination};

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
        crate::error::QueryProblems,
        (status = 404, response = NotFound),
    )
)]
pub async fn get_offer(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    QueryParams(query): QueryParams<OfferAtQuery>,
) -> Result<Tagged, ApiError> {
    let shown = service::offers::get(&state.ctx, &actor, OfferId::from_uuid(id), query.at).await?;
    Ok(tagged(shown))
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

/// Every price the offer has had since it was published, newest first.
#[utoipa::path(
    get,
    path = "/offers/{id}/price-history",
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The offer's id."), PageParams),
    responses(
        (status = 200, description = "The price history.", body = Paginated<PriceHistoryEntry>),
        crate::error::QueryProblems,
        (status = 404, response = NotFound),
    )
)]
pub async fn get_offer_price_history(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    Pagination(query): Pagination,
) -> Result<Json<Paginated<PriceHistoryEntry>>, ApiError> {
    let page = query.request()?;
    let history =
        service::offers::price_history(&state.ctx, &actor, OfferId::from_uuid(id), page).await?;
    Ok(Json(Paginated::from_page(history, |p| PriceHistoryEntry {
        pricing_unit: p.pricing_unit.into(),
        unit_price_pence: p.unit_price_pence,
        effective_from: p.effective_from,
    })))
}
