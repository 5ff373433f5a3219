//! Concentration (HHI, CR3) overall and by group, and merger simulation.

use super::*;

/// One group's concentration.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GroupConcentration {
    /// The category code, region code or quarter (`2026-Q3`).
    pub group: String,
    /// HHI over value shares in percent, 0 to 10 000.
    pub hhi: f64,
    /// The three largest suppliers' value share, percent.
    pub cr3: f64,
    /// Suppliers holding contracts.
    pub suppliers: usize,
    /// Awarded contracts.
    pub contracts: i64,
    /// Their value in pence.
    pub total_value_pence: i64,
    /// The level on the scale.
    pub level: LevelDto,
}

/// A market's concentration.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConcentrationResponse {
    /// The scale used for `level`.
    pub scale: ScaleResponse,
    /// Whose the contracts count as.
    pub attribution: AttributionDto,
    /// HHI over value shares in percent, 0 to 10 000 (0 for an empty market).
    pub hhi: f64,
    /// The three largest suppliers' value share, percent.
    pub cr3: f64,
    /// Suppliers holding contracts.
    pub suppliers: usize,
    /// Awarded contracts.
    pub contracts: i64,
    /// Their value in pence.
    pub total_value_pence: i64,
    /// `empty`, `unconcentrated`, `moderately_concentrated` or `highly_concentrated`.
    pub level: LevelDto,
    /// The breakdown asked for with `group_by`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<GroupConcentration>>,
}

pub(crate) fn group_figures(
    group: String,
    totals: &[SupplierTotals],
    scale: &ConcentrationScale,
) -> GroupConcentration {
    let c = market::concentration(totals, scale);
    GroupConcentration {
        group,
        hhi: c.hhi,
        cr3: c.cr3,
        suppliers: c.suppliers,
        contracts: c.contracts,
        total_value_pence: c.value_pence,
        level: c.level.into(),
    }
}

/// Concentration: HHI over value shares (0 to 10 000), CR3 and the level on the configured scale
/// (named in the answer), overall and, with `group_by`, per category, region or quarter.
/// `Accept: text/csv` downloads the table (the overall row first, group `all`).
#[utoipa::path(
    get,
    path = "/market/concentration",
    tag = "market",
    security(("bearer" = [])),
    params(MarketQuery),
    responses(
        (status = 200, description = "The concentration.", content(
            (ConcentrationResponse = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn market_concentration(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    QueryParams(query): QueryParams<MarketQuery>,
) -> Result<Response, ApiError> {
    require_market_reader(&actor)?;
    let filter = filter_of(&query)?;
    let scale = &state.ctx.config().concentration_scale;
    let conn = state.db.conn();
    let overall_rows = persistence::market::totals(conn, &filter, GroupBy::Nothing).await?;
    let overall = group_figures("all".to_owned(), &totals_of(&overall_rows), scale);
    let groups = match query.group_by {
        None => None,
        Some(by) => {
            let by = match by {
                GroupByDto::Category => GroupBy::Category,
                GroupByDto::Region => GroupBy::Region,
                GroupByDto::Quarter => GroupBy::Quarter,
            };
            let rows = persistence::market::totals(conn, &filter, by).await?;
            Some(
                by_group(rows)
                    .into_iter()
                    .map(|(group, totals)| group_figures(group, &totals, scale))
                    .collect::<Vec<_>>(),
            )
        }
    };
    if crate::csv::wants_csv(&headers) {
        let row = |g: &GroupConcentration| {
            vec![
                g.group.clone(),
                number(g.hhi),
                number(g.cr3),
                g.suppliers.to_string(),
                g.contracts.to_string(),
                g.total_value_pence.to_string(),
                level_name(g.level).to_owned(),
            ]
        };
        let mut table = vec![row(&overall)];
        table.extend(groups.iter().flatten().map(row));
        return Ok(crate::csv::download(
            "market-concentration.csv",
            &[
                "group",
                "hhi",
                "cr3",
                "suppliers",
                "contracts",
                "total_value_pence",
                "level",
            ],
            &table,
        ));
    }
    Ok(Json(ConcentrationResponse {
        scale: scale.into(),
        attribution: query.attribution.unwrap_or_default(),
        hhi: overall.hhi,
        cr3: overall.cr3,
        suppliers: overall.suppliers,
        contracts: overall.contracts,
        total_value_pence: overall.total_value_pence,
        level: overall.level,
        groups,
    })
    .into_response())
}

/// What a merger would do to one market.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MergerFigures {
    /// The market's category code (absent for the overall figures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The market's region code (absent for the overall figures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// HHI now.
    pub hhi_before: f64,
    /// HHI with the two combined.
    pub hhi_after: f64,
    /// The change: 2 × acquirer's share × target's share.
    pub delta_hhi: f64,
    /// The acquirer's value share, percent.
    pub acquirer_share_percent: f64,
    /// The target's value share, percent.
    pub target_share_percent: f64,
    /// Their combined share, percent.
    pub combined_share_percent: f64,
    /// The level now.
    pub level_before: LevelDto,
    /// The level after.
    pub level_after: LevelDto,
    /// Post-merger HHI above the high threshold with a change above 100, or a combined share
    /// above 30% with a change above 100.
    pub flagged: bool,
    /// Why it is flagged.
    pub reasons: Vec<String>,
}

pub(crate) fn merger_figures(
    category: Option<String>,
    region: Option<String>,
    effect: market::MergerEffect,
) -> MergerFigures {
    MergerFigures {
        category,
        region,
        hhi_before: effect.hhi_before,
        hhi_after: effect.hhi_after,
        delta_hhi: effect.delta_hhi,
        acquirer_share_percent: effect.acquirer_share_percent,
        target_share_percent: effect.target_share_percent,
        combined_share_percent: effect.combined_share_percent,
        level_before: effect.level_before.into(),
        level_after: effect.level_after.into(),
        flagged: effect.flagged,
        reasons: effect.reasons,
    }
}

/// A simulated merger.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MergerSimulationResponse {
    /// The scale used.
    pub scale: ScaleResponse,
    /// The acquirer.
    pub acquirer_id: Uuid,
    /// Its name.
    pub acquirer_name: String,
    /// The supplier acquired.
    pub target_id: Uuid,
    /// Its name.
    pub target_name: String,
    /// Overall HHI now.
    pub hhi_before: f64,
    /// Overall HHI with the two combined.
    pub hhi_after: f64,
    /// The overall change.
    pub delta_hhi: f64,
    /// The overall figures in full.
    pub overall: MergerFigures,
    /// Each market (category × region) with awarded contracts.
    pub markets: Vec<MergerFigures>,
}

/// Simulates `acquirer` taking over `target`: HHI before and after, the change, the combined
/// share and the flags, overall and for each market (category × region).
#[utoipa::path(
    get,
    path = "/market/merger-simulation",
    tag = "market",
    security(("bearer" = [])),
    params(MarketQuery),
    responses(
        (status = 200, description = "The simulation.", content(
            (MergerSimulationResponse = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn merger_simulation(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    QueryParams(query): QueryParams<MarketQuery>,
) -> Result<Response, ApiError> {
    require_market_reader(&actor)?;
    let filter = filter_of(&query)?;
    let conn = state.db.conn();
    let mut v = Validator::new();
    let mut party = |id: Option<Uuid>, pointer: &str| -> Option<OrganisationId> {
        match id {
            Some(id) => Some(OrganisationId::from_uuid(id)),
            None => {
                v.push(FieldError::new(pointer, "is required: a supplier's id"));
                None
            }
        }
    };
    let acquirer = party(query.acquirer, "/acquirer");
    let target = party(query.target, "/target");
    if acquirer.is_some() && acquirer == target {
        v.push(FieldError::new(
            "/target",
            "must be another supplier than the acquirer",
        ));
    }
    v.finish()?;
    let (Some(acquirer), Some(target)) = (acquirer, target) else {
        return Err(ApiError::Internal("merger parties".into()));
    };
    let names = persistence::organisations::names(conn, &[acquirer, target]).await?;
    let mut v = Validator::new();
    for (id, pointer) in [(acquirer, "/acquirer"), (target, "/target")] {
        let supplier = persistence::organisations::find(conn, id).await?;
        if supplier.is_none_or(|o| o.kind != domain::organisation::OrganisationKind::Supplier) {
            v.push(FieldError::new(pointer, "must be a supplier organisation"));
        }
    }
    v.finish()?;
    let scale = &state.ctx.config().concentration_scale;
    let overall_rows = persistence::market::totals(conn, &filter, GroupBy::Nothing).await?;
    let overall = merger_figures(
        None,
        None,
        market::merger_effect(&totals_of(&overall_rows), acquirer, target, scale),
    );
    let rows = persistence::market::totals(conn, &filter, GroupBy::Market).await?;
    let markets: Vec<MergerFigures> = by_group(rows)
        .into_iter()
        .map(|(key, totals)| {
            let (category, region) = key.split_once('/').unwrap_or((key.as_str(), ""));
            merger_figures(
                Some(category.to_owned()),
                Some(region.to_owned()),
                market::merger_effect(&totals, acquirer, target, scale),
            )
        })
        .collect();
    if crate::csv::wants_csv(&headers) {
        let row = |m: &MergerFigures| {
            vec![
                m.category.clone().unwrap_or_else(|| "all".to_owned()),
                m.region.clone().unwrap_or_else(|| "all".to_owned()),
                number(m.hhi_before),
                number(m.hhi_after),
                number(m.delta_hhi),
                number(m.combined_share_percent),
                m.flagged.to_string(),
            ]
        };
        let mut table = vec![row(&overall)];
        table.extend(markets.iter().map(row));
        return Ok(crate::csv::download(
            "merger-simulation.csv",
            &[
                "category",
                "region",
                "hhi_before",
                "hhi_after",
                "delta_hhi",
                "combined_share_percent",
                "flagged",
            ],
            &table,
        ));
    }
    Ok(Json(MergerSimulationResponse {
        scale: scale.into(),
        acquirer_id: acquirer.as_uuid(),
        acquirer_name: names.get(&acquirer).cloned().unwrap_or_default(),
        target_id: target.as_uuid(),
        target_name: names.get(&target).cloned().unwrap_or_default(),
        hhi_before: overall.hhi_before,
        hhi_after: overall.hhi_after,
        delta_hhi: overall.delta_hhi,
        overall,
        markets,
    })
    .into_response())
}
