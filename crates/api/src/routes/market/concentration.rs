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

impl From<service::market::GroupConcentration> for GroupConcentration {
    fn from(g: service::market::GroupConcentration) -> Self {
        Self {
            group: g.group,
            hhi: g.hhi,
            cr3: g.cr3,
            suppliers: g.suppliers,
            contracts: g.contracts,
            total_value_pence: g.total_value_pence,
            level: g.level.into(),
        }
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
        crate::error::FilteredReadProblems,
    )
)]
pub async fn market_concentration(figures: FiguresRequest) -> Result<Response, ApiError> {
    let view =
        service::market::concentration(&figures.state.ctx, &figures.actor, &figures.ask).await?;
    figures.answer(view, |v| Ok(v.table()), ConcentrationResponse::from)
}

impl From<ConcentrationView> for ConcentrationResponse {
    fn from(view: ConcentrationView) -> Self {
        let overall = GroupConcentration::from(view.overall);
        Self {
            scale: (&view.scale).into(),
            attribution: attribution_of(view.attribution),
            hhi: overall.hhi,
            cr3: overall.cr3,
            suppliers: overall.suppliers,
            contracts: overall.contracts,
            total_value_pence: overall.total_value_pence,
            level: overall.level,
            groups: view
                .groups
                .map(|groups| groups.into_iter().map(Into::into).collect()),
        }
    }
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

impl From<service::market::MergerFigures> for MergerFigures {
    fn from(m: service::market::MergerFigures) -> Self {
        let effect = m.effect;
        Self {
            category: m.category,
            region: m.region,
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
        crate::error::FilteredReadProblems,
    )
)]
pub async fn merger_simulation(figures: FiguresRequest) -> Result<Response, ApiError> {
    let view = service::market::merger(&figures.state.ctx, &figures.actor, &figures.ask).await?;
    figures.answer(view, |v| Ok(v.table()), MergerSimulationResponse::from)
}

impl From<MergerView> for MergerSimulationResponse {
    fn from(view: MergerView) -> Self {
        let overall = MergerFigures::from(view.overall);
        Self {
            scale: (&view.scale).into(),
            acquirer_id: view.acquirer_id.as_uuid(),
            acquirer_name: view.acquirer_name,
            target_id: view.target_id.as_uuid(),
            target_name: view.target_name,
            hhi_before: overall.hhi_before,
            hhi_after: overall.hhi_after,
            delta_hhi: overall.delta_hhi,
            overall,
            markets: view.markets.into_iter().map(Into::into).collect(),
        }
    }
}
