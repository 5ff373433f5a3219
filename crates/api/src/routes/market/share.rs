//! Market share by supplier.

use super::*;

/// One supplier's share.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ShareItem {
    /// The supplier.
    pub supplier_id: Uuid,
    /// Its name.
    pub supplier_name: String,
    /// Awarded contracts.
    pub contracts: i64,
    /// Their total value in pence.
    pub total_value_pence: i64,
    /// Percent of the market's value, to 4 places.
    pub value_share_percent: f64,
    /// Percent of the market's contracts, to 4 places.
    pub count_share_percent: f64,
    /// 1 for the largest by value.
    pub rank: u32,
}

/// Market share by supplier.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ShareResponse {
    /// Whose the contracts count as.
    pub attribution: AttributionDto,
    /// Awarded contracts in the market.
    pub contracts: i64,
    /// Their total value in pence.
    pub total_value_pence: i64,
    /// Largest first.
    pub items: Vec<ShareItem>,
}

/// Market share by supplier: awarded contracts and value, value and count shares, rank.
/// `Accept: text/csv` downloads the table.
#[utoipa::path(
    get,
    path = "/market/share",
    tag = "market",
    security(("bearer" = [])),
    params(MarketQuery),
    responses(
        (status = 200, description = "Shares, largest first.", content(
            (ShareResponse = "application/json"),
            (String = "text/csv"),
        )),
        crate::error::FilteredReadProblems,
    )
)]
pub async fn market_share(figures: FiguresRequest) -> Result<Response, ApiError> {
    let view = service::market::share(&figures.state.ctx, &figures.actor, &figures.ask).await?;
    figures.answer(view, |v| Ok(v.table()), ShareResponse::from)
}

impl From<ShareView> for ShareResponse {
    fn from(view: ShareView) -> Self {
        Self {
            attribution: attribution_of(view.attribution),
            contracts: view.contracts,
            total_value_pence: view.total_value_pence,
            items: view
                .items
                .into_iter()
                .map(|s| ShareItem {
                    supplier_id: s.supplier_id.as_uuid(),
                    supplier_name: s.supplier_name,
                    contracts: s.contracts,
                    total_value_pence: s.total_value_pence,
                    value_share_percent: s.value_share_percent,
                    count_share_percent: s.count_share_percent,
                    rank: s.rank,
                })
                .collect(),
        }
    }
}
