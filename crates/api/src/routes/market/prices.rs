//! Price benchmarks of published offers, and awarded against estimated value.

use super::*;

/// The spread of offer prices in one category and pricing unit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PriceSpreadItem {
    /// The category code.
    pub category: String,
    /// The pricing unit.
    pub pricing_unit: String,
    /// Published offers at the date.
    pub offers: i64,
    /// The lowest unit price in pence.
    pub min_pence: i64,
    /// The median (nearest rank).
    pub median_pence: i64,
    /// The 90th percentile (nearest rank).
    pub p90_pence: i64,
}

/// Awarded value against estimated value in one category.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SavingsItem {
    /// The category code.
    pub category: String,
    /// Awarded contracts.
    pub contracts: i64,
    /// The buyers' estimates, summed, in pence.
    pub estimated_value_pence: i64,
    /// The awarded values, summed, in pence.
    pub awarded_value_pence: i64,
    /// The mean of each contract's saving against its estimate, percent (negative: dearer).
    pub mean_saving_percent: f64,
}

/// Price benchmarks.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PricesResponse {
    /// The date the offer prices are read at.
    pub at: NaiveDate,
    /// Per category and pricing unit.
    pub offers: Vec<PriceSpreadItem>,
    /// Per category, over the awarded contracts in the period.
    pub awards: Vec<SavingsItem>,
}

/// Extra query for price benchmarks.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PricesQuery {
    /// The date offer prices are read at (the end of that day, UTC); today by default.
    pub at: Option<NaiveDate>,
}

/// Price benchmarks: per category and pricing unit, the count, minimum, median and 90th
/// percentile (nearest rank) of published offers' prices at a date; and per category, awarded
/// value against estimated value (mean saving %).
#[utoipa::path(
    get,
    path = "/market/prices",
    tag = "market",
    security(("bearer" = [])),
    params(MarketQuery, PricesQuery),
    responses(
        (status = 200, description = "The benchmarks.", content(
            (PricesResponse = "application/json"),
            (String = "text/csv"),
        )),
        crate::error::FilteredReadProblems,
    )
)]
pub async fn market_prices(
    figures: FiguresRequest,
    QueryParams(prices): QueryParams<PricesQuery>,
) -> Result<Response, ApiError> {
    let view = service::market::prices(&figures.state.ctx, &figures.actor, &figures.ask, prices.at)
        .await?;
    figures.answer(view, |v| Ok(v.table()), PricesResponse::from)
}

impl From<PricesView> for PricesResponse {
    fn from(view: PricesView) -> Self {
        Self {
            at: view.at,
            offers: view
                .offers
                .into_iter()
                .map(|s| PriceSpreadItem {
                    category: s.category,
                    pricing_unit: s.pricing_unit,
                    offers: s.offers,
                    min_pence: s.min_pence,
                    median_pence: s.median_pence,
                    p90_pence: s.p90_pence,
                })
                .collect(),
            awards: view
                .awards
                .into_iter()
                .map(|s| SavingsItem {
                    category: s.category,
                    contracts: s.contracts,
                    estimated_value_pence: s.estimated_value_pence,
                    awarded_value_pence: s.awarded_value_pence,
                    mean_saving_percent: s.mean_saving_percent,
                })
                .collect(),
        }
    }
}
