//! Market monitoring for NHS England: market share by supplier, concentration (HHI and CR3) with
//! its level on a named scale, and what a merger would do to it. Figures are aggregated in the
//! database per supplier; the regulator and admins read them, buyers read the aggregates, and
//! suppliers are refused (they would learn their competitors' contract values). Every table is
//! JSON by default and CSV with `Accept: text/csv`.

use crate::auth::AuthUser;
use crate::dto::RegionDto;
use crate::error::{ApiError, BadRequest, Forbidden, Unauthorized, ValidationFailed};
use crate::extract::QueryParams;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use domain::access::Actor;
use domain::error::Validator;
use domain::ids::OrganisationId;
use domain::market::{self, ConcentrationLevel, ConcentrationScale, SupplierTotals};
use domain::user::Role;
use domain::{DomainError, FieldError};
use persistence::market::{Attribution, GroupBy, GroupTotals, MarketFilter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Whose a contract counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = Attribution)]
pub enum AttributionDto {
    /// The supplier that holds it now, after any novation (default).
    #[default]
    Current,
    /// The supplier that won it.
    Original,
}

/// How a concentration figure is broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = MarketGroupBy)]
pub enum GroupByDto {
    Category,
    Region,
    /// The calendar quarter of award: a time series.
    Quarter,
}

/// How concentrated a market is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ConcentrationLevel)]
pub enum LevelDto {
    /// No awarded contracts: nothing to measure.
    Empty,
    Unconcentrated,
    ModeratelyConcentrated,
    HighlyConcentrated,
}

impl From<ConcentrationLevel> for LevelDto {
    fn from(l: ConcentrationLevel) -> Self {
        match l {
            ConcentrationLevel::Empty => Self::Empty,
            ConcentrationLevel::Unconcentrated => Self::Unconcentrated,
            ConcentrationLevel::ModeratelyConcentrated => Self::ModeratelyConcentrated,
            ConcentrationLevel::HighlyConcentrated => Self::HighlyConcentrated,
        }
    }
}

/// Which awarded contracts count.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MarketQuery {
    /// Only this category.
    #[param(max_length = 60)]
    pub category: Option<String>,
    /// Only this region.
    pub region: Option<RegionDto>,
    /// Only contracts awarded on or after this date (UTC).
    pub from: Option<NaiveDate>,
    /// Only contracts awarded on or before this date (UTC).
    pub to: Option<NaiveDate>,
    /// `current` (who holds each contract now, the default) or `original` (who won it).
    pub attribution: Option<AttributionDto>,
    /// For concentration: a breakdown by `category`, `region` or `quarter`.
    pub group_by: Option<GroupByDto>,
    /// For a merger simulation: the acquiring supplier.
    pub acquirer: Option<Uuid>,
    /// For a merger simulation: the supplier acquired.
    pub target: Option<Uuid>,
}

fn require_market_reader(actor: &Actor) -> Result<(), ApiError> {
    match actor.role {
        Role::Regulator | Role::Admin | Role::BuyerLead | Role::BuyerEvaluator => Ok(()),
        Role::SupplierBidder => Err(DomainError::Forbidden(
            "market figures reveal suppliers' contract values; they are for the regulator and \
             buyers"
                .to_owned(),
        )
        .into()),
    }
}

fn filter_of(query: &MarketQuery) -> Result<MarketFilter, ApiError> {
    let mut v = Validator::new();
    crate::dto::check_category_filter(&mut v, query.category.as_ref());
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from > to
    {
        v.push(FieldError::new("/to", "must not be before `from`"));
    }
    v.finish()?;
    let start = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc();
    Ok(MarketFilter {
        category: query.category.clone(),
        region: query.region.map(Into::into),
        from: query.from.map(start),
        until: query.to.and_then(|d| d.succ_opt()).map(start),
        attribution: match query.attribution.unwrap_or_default() {
            AttributionDto::Current => Attribution::Current,
            AttributionDto::Original => Attribution::Original,
        },
    })
}

fn totals_of(rows: &[GroupTotals]) -> Vec<SupplierTotals> {
    rows.iter().map(|r| r.totals).collect()
}

/// Each group's supplier totals, in the group keys' order.
fn by_group(rows: Vec<GroupTotals>) -> BTreeMap<String, Vec<SupplierTotals>> {
    let mut grouped: BTreeMap<String, Vec<SupplierTotals>> = BTreeMap::new();
    for row in rows {
        grouped
            .entry(row.group.unwrap_or_default())
            .or_default()
            .push(row.totals);
    }
    grouped
}

fn number(value: f64) -> String {
    format!("{value}")
}

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

/// The concentration scale an answer used.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScaleResponse {
    /// Its name (the UK CMA sets no fixed thresholds; this is configuration).
    pub name: String,
    /// Unconcentrated below this HHI.
    pub moderate_from: f64,
    /// Highly concentrated above this HHI.
    pub high_above: f64,
}

impl From<&ConcentrationScale> for ScaleResponse {
    fn from(s: &ConcentrationScale) -> Self {
        Self {
            name: s.name.clone(),
            moderate_from: s.moderate_from,
            high_above: s.high_above,
        }
    }
}

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

fn group_figures(
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

fn level_name(level: LevelDto) -> &'static str {
    match level {
        LevelDto::Empty => "empty",
        LevelDto::Unconcentrated => "unconcentrated",
        LevelDto::ModeratelyConcentrated => "moderately_concentrated",
        LevelDto::HighlyConcentrated => "highly_concentrated",
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

fn merger_figures(
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

/// The EU Single Market Scoreboard band of a single-bid rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ScoreboardBand)]
pub enum BandDto {
    /// 10% or less.
    Green,
    /// Above 10%, up to 20%.
    Amber,
    /// Above 20%.
    Red,
    /// No tender has closed with bids.
    NotApplicable,
}

impl From<market::ScoreboardBand> for BandDto {
    fn from(b: market::ScoreboardBand) -> Self {
        match b {
            market::ScoreboardBand::Green => Self::Green,
            market::ScoreboardBand::Amber => Self::Amber,
            market::ScoreboardBand::Red => Self::Red,
            market::ScoreboardBand::NotApplicable => Self::NotApplicable,
        }
    }
}

/// How competitive tendering is. Rates are percentages to 2 places, null with nothing to rate.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompetitionResponse {
    /// Tenders published in the period (`from`/`to` filter the publication date).
    pub tenders_published: i64,
    /// Of those, closed (deadline passed, not cancelled).
    pub tenders_closed: i64,
    /// Mean live bids per closed tender.
    pub mean_bids_per_tender: Option<f64>,
    /// Median live bids per closed tender (nearest rank).
    pub median_bids_per_tender: Option<i64>,
    /// Closed tenders with exactly one bid, percent of those closed with any bid.
    pub single_bid_rate_percent: Option<f64>,
    /// The EU Single Market Scoreboard band: green ≤ 10%, red > 20%.
    pub single_bid_band: BandDto,
    /// Cancelled, percent of published.
    pub cancelled_rate_percent: Option<f64>,
    /// Unsuccessful, percent of published.
    pub unsuccessful_rate_percent: Option<f64>,
    /// Mean days from publication to the submission deadline.
    pub mean_tender_period_days: Option<f64>,
    /// Tenders with a submission period under 15 days, percent of published.
    pub short_period_rate_percent: Option<f64>,
    /// Awards in force.
    pub awards: i64,
    /// Awards to a bid other than the top-ranked, percent of awards.
    pub awarded_other_than_top_percent: Option<f64>,
}

fn two_places(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Competition indicators: tenders, bids per tender, the single-bid rate and its Scoreboard
/// band, cancelled and unsuccessful rates, tender periods, and awards away from the top-ranked.
#[utoipa::path(
    get,
    path = "/market/competition",
    tag = "market",
    security(("bearer" = [])),
    params(MarketQuery),
    responses(
        (status = 200, description = "The indicators.", content(
            (CompetitionResponse = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn market_competition(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    QueryParams(query): QueryParams<MarketQuery>,
) -> Result<Response, ApiError> {
    require_market_reader(&actor)?;
    let filter = filter_of(&query)?;
    let now = state.db.now().await?;
    let sums = persistence::market::competition(state.db.conn(), &filter, now).await?;
    let single = market::rate_percent(sums.single_bid, sums.closed_with_bids);
    #[allow(clippy::cast_precision_loss)]
    let mean = |total: f64, count: i64| (count > 0).then(|| two_places(total / count as f64));
    #[allow(clippy::cast_precision_loss)]
    let figures = CompetitionResponse {
        tenders_published: sums.published,
        tenders_closed: sums.closed,
        mean_bids_per_tender: mean(sums.bids_on_closed as f64, sums.closed),
        median_bids_per_tender: sums.median_bids,
        single_bid_rate_percent: single,
        single_bid_band: market::single_bid_band(single).into(),
        cancelled_rate_percent: market::rate_percent(sums.cancelled, sums.published),
        unsuccessful_rate_percent: market::rate_percent(sums.unsuccessful, sums.published),
        mean_tender_period_days: mean(sums.period_days, sums.published),
        short_period_rate_percent: market::rate_percent(sums.short_periods, sums.published),
        awards: sums.awards,
        awarded_other_than_top_percent: market::rate_percent(sums.awards_not_top, sums.awards),
    };
    if crate::csv::wants_csv(&headers) {
        let value = serde_json::to_value(&figures).map_err(ApiError::internal)?;
        let rows: Vec<Vec<String>> = value
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        let text = match v {
                            serde_json::Value::Null => String::new(),
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        vec![k.clone(), text]
                    })
                    .collect()
            })
            .unwrap_or_default();
        return Ok(crate::csv::download(
            "market-competition.csv",
            &["indicator", "value"],
            &rows,
        ));
    }
    Ok(Json(figures).into_response())
}

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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn market_prices(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    QueryParams(query): QueryParams<MarketQuery>,
    QueryParams(prices): QueryParams<PricesQuery>,
) -> Result<Response, ApiError> {
    require_market_reader(&actor)?;
    let filter = filter_of(&query)?;
    let conn = state.db.conn();
    let now = state.db.now().await?;
    let at_date = prices.at.unwrap_or_else(|| now.date_naive());
    let at = at_date
        .succ_opt()
        .map_or(now, |d| d.and_time(chrono::NaiveTime::MIN).and_utc());
    let region_bit = filter.region.map(domain::offer::RegionSet::bit);
    let spreads =
        persistence::market::price_spreads(conn, filter.category.as_deref(), region_bit, at)
            .await?;
    let savings = persistence::market::savings(conn, &filter).await?;
    let response = PricesResponse {
        at: at_date,
        offers: spreads
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
        awards: savings
            .into_iter()
            .map(|s| SavingsItem {
                category: s.category,
                contracts: s.contracts,
                estimated_value_pence: s.estimated_value_pence,
                awarded_value_pence: s.awarded_value_pence,
                mean_saving_percent: two_places(s.mean_saving_percent),
            })
            .collect(),
    };
    if crate::csv::wants_csv(&headers) {
        let rows: Vec<Vec<String>> = response
            .offers
            .iter()
            .map(|o| {
                vec![
                    o.category.clone(),
                    o.pricing_unit.clone(),
                    o.offers.to_string(),
                    o.min_pence.to_string(),
                    o.median_pence.to_string(),
                    o.p90_pence.to_string(),
                ]
            })
            .collect();
        return Ok(crate::csv::download(
            "market-prices.csv",
            &[
                "category",
                "pricing_unit",
                "offers",
                "min_pence",
                "median_pence",
                "p90_pence",
            ],
            &rows,
        ));
    }
    Ok(Json(response).into_response())
}
