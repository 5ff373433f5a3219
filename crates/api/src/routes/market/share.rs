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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn market_share(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    QueryParams(query): QueryParams<MarketQuery>,
) -> Result<Response, ApiError> {
    require_market_reader(&actor)?;
    let filter = filter_of(&query)?;
    let conn = state.db.conn();
    let rows = persistence::market::totals(conn, &filter, GroupBy::Nothing).await?;
    let shares = market::shares(&totals_of(&rows));
    let ids: Vec<OrganisationId> = shares.iter().map(|s| s.supplier).collect();
    let names = persistence::organisations::names(conn, &ids).await?;
    let items: Vec<ShareItem> = shares
        .into_iter()
        .map(|s| ShareItem {
            supplier_id: s.supplier.as_uuid(),
            supplier_name: names.get(&s.supplier).cloned().unwrap_or_default(),
            contracts: s.contracts,
            total_value_pence: s.value_pence,
            value_share_percent: s.value_share_percent,
            count_share_percent: s.count_share_percent,
            rank: s.rank,
        })
        .collect();
    if crate::csv::wants_csv(&headers) {
        let table: Vec<Vec<String>> = items
            .iter()
            .map(|i| {
                vec![
                    i.rank.to_string(),
                    i.supplier_id.to_string(),
                    i.supplier_name.clone(),
                    i.contracts.to_string(),
                    i.total_value_pence.to_string(),
                    number(i.value_share_percent),
                    number(i.count_share_percent),
                ]
            })
            .collect();
        return Ok(crate::csv::download(
            "market-share.csv",
            &[
                "rank",
                "supplier_id",
                "supplier_name",
                "contracts",
                "total_value_pence",
                "value_share_percent",
                "count_share_percent",
            ],
            &table,
        ));
    }
    Ok(Json(ShareResponse {
        attribution: query.attribution.unwrap_or_default(),
        contracts: items.iter().map(|i| i.contracts).sum(),
        total_value_pence: items.iter().map(|i| i.total_value_pence).sum(),
        items,
    })
    .into_response())
}
