//! Market monitoring for NHS England: market share by supplier, concentration (HHI and CR3) with
//! its level on a named scale, what a merger would do to it, competition indicators and price
//! benchmarks. Figures are aggregated in the database per supplier; the regulator and admins read
//! them, buyers read the aggregates, and suppliers are refused (they would learn their
//! competitors' contract values). Every figure is also a [`Table`], so that the API's CSV and the
//! pages' CSV are the same file.

use crate::{Ctx, ServiceError};
use chrono::{NaiveDate, NaiveTime};
use domain::FieldError;
use domain::access::Actor;
use domain::error::Validator;
use domain::ids::OrganisationId;
use domain::market::{
    self, ConcentrationLevel, ConcentrationScale, MergerEffect, ScoreboardBand, SupplierTotals,
};
use domain::organisation::{OrganisationKind, Region};
use persistence::market::{Attribution, GroupBy, GroupTotals, MarketFilter};
use serde::Serialize;
use std::collections::BTreeMap;

/// A table for download: a header row and rows of text (RFC 4180 when written as CSV).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub file_name: String,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

impl Table {
    /// The media type of [`Table::csv`].
    pub const MEDIA_TYPE: &'static str = "text/csv; charset=utf-8";

    /// The `Content-Disposition` that downloads the table under its file name.
    pub fn disposition(&self) -> String {
        format!("attachment; filename=\"{}\"", self.file_name)
    }

    /// The table as CSV text: a header row, CRLF line ends, fields quoted when they hold a
    /// comma, a quote or a line break, quotes doubled.
    pub fn csv(&self) -> String {
        let line = |cells: Vec<String>| cells.join(",") + "\r\n";
        let mut out = line(self.header.iter().map(|h| csv_field(h)).collect());
        for row in &self.rows {
            out.push_str(&line(row.iter().map(|c| csv_field(c)).collect()));
        }
        out
    }
}

fn number(value: f64) -> String {
    format!("{value}")
}

fn two_places(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// The market asked about, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct MarketAsk {
    pub category: Option<String>,
    /// Only the contracts called off under this framework.
    pub framework: Option<domain::ids::FrameworkId>,
    pub region: Option<Region>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Attribute contracts to their original awardee instead of their holder now.
    pub original: bool,
    pub group_by: Option<GroupBy>,
    pub acquirer: Option<OrganisationId>,
    pub target: Option<OrganisationId>,
}

impl MarketAsk {
    fn attribution(&self) -> Attribution {
        if self.original {
            Attribution::Original
        } else {
            Attribution::Current
        }
    }

    fn filter(&self) -> Result<MarketFilter, ServiceError> {
        let mut v = Validator::new();
        domain::offer::check_category_filter(self.category.as_deref(), &mut v);
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            v.push(FieldError::new("/to", "must not be before `from`"));
        }
        v.finish()?;
        let start = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
        Ok(MarketFilter {
            category: self.category.clone(),
            framework: self.framework,
            region: self.region,
            from: self.from.map(start),
            until: self.to.and_then(|d| d.succ_opt()).map(start),
            attribution: self.attribution(),
        })
    }
}

/// The figures `actor` may read, for the market asked.
fn checked(actor: &Actor, ask: &MarketAsk) -> Result<MarketFilter, ServiceError> {
    market::require_market_reader(actor)?;
    ask.filter()
}

fn totals_of(rows: &[GroupTotals]) -> Vec<SupplierTotals> {
    rows.iter().map(|r| r.totals).collect()
}

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

fn attribution_name(original: bool) -> &'static str {
    if original { "original" } else { "current" }
}

/// One supplier's share of the market.
#[derive(Debug, Clone, Serialize)]
pub struct ShareItem {
    pub supplier_id: OrganisationId,
    pub supplier_name: String,
    pub contracts: i64,
    pub total_value_pence: i64,
    pub value_share_percent: f64,
    pub count_share_percent: f64,
    pub rank: u32,
}

/// Market share by supplier, largest first.
#[derive(Debug, Clone)]
pub struct ShareView {
    /// `current` or `original`.
    pub attribution: &'static str,
    pub contracts: i64,
    pub total_value_pence: i64,
    pub items: Vec<ShareItem>,
}

impl ShareView {
    pub fn table(&self) -> Table {
        Table {
            file_name: "market-share.csv".to_owned(),
            header: vec![
                "rank",
                "supplier_id",
                "supplier_name",
                "contracts",
                "total_value_pence",
                "value_share_percent",
                "count_share_percent",
            ],
            rows: self
                .items
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
                .collect(),
        }
    }
}

/// Market share by supplier.
pub async fn share(ctx: &Ctx, actor: &Actor, ask: &MarketAsk) -> Result<ShareView, ServiceError> {
    let filter = checked(actor, ask)?;
    let conn = ctx.db().conn();
    let rows = persistence::market::totals(conn, &filter, GroupBy::Nothing).await?;
    let shares = market::shares(&totals_of(&rows));
    let ids: Vec<OrganisationId> = shares.iter().map(|s| s.supplier).collect();
    let names = persistence::organisations::names(conn, &ids).await?;
    let items: Vec<ShareItem> = shares
        .into_iter()
        .map(|s| ShareItem {
            supplier_id: s.supplier,
            supplier_name: names.get(&s.supplier).cloned().unwrap_or_default(),
            contracts: s.contracts,
            total_value_pence: s.value_pence,
            value_share_percent: s.value_share_percent,
            count_share_percent: s.count_share_percent,
            rank: s.rank,
        })
        .collect();
    Ok(ShareView {
        attribution: attribution_name(ask.original),
        contracts: items.iter().map(|i| i.contracts).sum(),
        total_value_pence: items.iter().map(|i| i.total_value_pence).sum(),
        items,
    })
}

/// Concentration in one group (or `all`).
#[derive(Debug, Clone)]
pub struct GroupConcentration {
    pub group: String,
    pub hhi: f64,
    pub cr3: f64,
    pub suppliers: usize,
    pub contracts: i64,
    pub total_value_pence: i64,
    pub level: ConcentrationLevel,
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
        level: c.level,
    }
}

/// The market's concentration overall and, when asked, by group, on the scale configured.
#[derive(Debug, Clone)]
pub struct ConcentrationView {
    pub scale: ConcentrationScale,
    pub attribution: &'static str,
    pub overall: GroupConcentration,
    pub groups: Option<Vec<GroupConcentration>>,
}

impl ConcentrationView {
    pub fn table(&self) -> Table {
        let row = |g: &GroupConcentration| {
            vec![
                g.group.clone(),
                number(g.hhi),
                number(g.cr3),
                g.suppliers.to_string(),
                g.contracts.to_string(),
                g.total_value_pence.to_string(),
                g.level.as_str().to_owned(),
            ]
        };
        let mut rows = vec![row(&self.overall)];
        rows.extend(self.groups.iter().flatten().map(row));
        Table {
            file_name: "market-concentration.csv".to_owned(),
            header: vec![
                "group",
                "hhi",
                "cr3",
                "suppliers",
                "contracts",
                "total_value_pence",
                "level",
            ],
            rows,
        }
    }
}

/// Concentration (HHI, CR3) overall and by the group asked.
pub async fn concentration(
    ctx: &Ctx,
    actor: &Actor,
    ask: &MarketAsk,
) -> Result<ConcentrationView, ServiceError> {
    let filter = checked(actor, ask)?;
    let scale = &ctx.config().concentration_scale;
    let conn = ctx.db().conn();
    let overall_rows = persistence::market::totals(conn, &filter, GroupBy::Nothing).await?;
    let overall = group_figures("all".to_owned(), &totals_of(&overall_rows), scale);
    let groups = match ask.group_by {
        None | Some(GroupBy::Nothing) => None,
        Some(by) => {
            let rows = persistence::market::totals(conn, &filter, by).await?;
            Some(
                by_group(rows)
                    .into_iter()
                    .map(|(group, totals)| group_figures(group, &totals, scale))
                    .collect(),
            )
        }
    };
    Ok(ConcentrationView {
        scale: scale.clone(),
        attribution: attribution_name(ask.original),
        overall,
        groups,
    })
}

/// Concentration per category in every region: the heat table.
pub async fn heat(
    ctx: &Ctx,
    actor: &Actor,
    ask: &MarketAsk,
) -> Result<Vec<(Region, ConcentrationView)>, ServiceError> {
    let mut heat = Vec::new();
    for region in Region::ALL {
        let scoped = MarketAsk {
            region: Some(region),
            group_by: Some(GroupBy::Category),
            ..ask.clone()
        };
        heat.push((region, concentration(ctx, actor, &scoped).await?));
    }
    Ok(heat)
}

/// The heat table for download: a row per category and region with an award.
pub fn heat_table(heat: &[(Region, ConcentrationView)]) -> Table {
    Table {
        file_name: "market-concentration-by-category-and-region.csv".to_owned(),
        header: vec![
            "category",
            "region",
            "hhi",
            "level",
            "cr3",
            "suppliers",
            "contracts",
            "total_value_pence",
        ],
        rows: heat
            .iter()
            .flat_map(|(region, figures)| {
                figures.groups.iter().flatten().map(move |g| {
                    vec![
                        g.group.clone(),
                        region.code().to_owned(),
                        format!("{:.2}", g.hhi),
                        g.level.as_str().to_owned(),
                        format!("{:.2}", g.cr3),
                        g.suppliers.to_string(),
                        g.contracts.to_string(),
                        g.total_value_pence.to_string(),
                    ]
                })
            })
            .collect(),
    }
}

/// What a merger would do in one market (category and region), or overall.
#[derive(Debug, Clone)]
pub struct MergerFigures {
    pub category: Option<String>,
    pub region: Option<String>,
    pub effect: MergerEffect,
}

/// A merger that has not happened, simulated.
#[derive(Debug, Clone)]
pub struct MergerView {
    pub scale: ConcentrationScale,
    pub acquirer_id: OrganisationId,
    pub acquirer_name: String,
    pub target_id: OrganisationId,
    pub target_name: String,
    pub overall: MergerFigures,
    pub markets: Vec<MergerFigures>,
}

impl MergerView {
    pub fn table(&self) -> Table {
        let row = |m: &MergerFigures| {
            vec![
                m.category.clone().unwrap_or_else(|| "all".to_owned()),
                m.region.clone().unwrap_or_else(|| "all".to_owned()),
                number(m.effect.hhi_before),
                number(m.effect.hhi_after),
                number(m.effect.delta_hhi),
                number(m.effect.combined_share_percent),
                m.effect.flagged.to_string(),
            ]
        };
        let mut rows = vec![row(&self.overall)];
        rows.extend(self.markets.iter().map(row));
        Table {
            file_name: "merger-simulation.csv".to_owned(),
            header: vec![
                "category",
                "region",
                "hhi_before",
                "hhi_after",
                "delta_hhi",
                "combined_share_percent",
                "flagged",
            ],
            rows,
        }
    }
}

/// Simulates `acquirer` taking over `target`: the HHI before and after, overall and in every
/// market where either holds contracts.
pub async fn merger(ctx: &Ctx, actor: &Actor, ask: &MarketAsk) -> Result<MergerView, ServiceError> {
    let filter = checked(actor, ask)?;
    let conn = ctx.db().conn();
    let mut v = Validator::new();
    let mut party = |id: Option<OrganisationId>, pointer: &str| {
        if id.is_none() {
            v.push(FieldError::new(pointer, "is required: a supplier's id"));
        }
        id
    };
    let acquirer = party(ask.acquirer, "/acquirer");
    let target = party(ask.target, "/target");
    if acquirer.is_some() && acquirer == target {
        v.push(FieldError::new(
            "/target",
            "must be another supplier than the acquirer",
        ));
    }
    v.finish()?;
    let (Some(acquirer), Some(target)) = (acquirer, target) else {
        return Err(ServiceError::Internal("merger parties".into()));
    };
    let mut v = Validator::new();
    for (id, pointer) in [(acquirer, "/acquirer"), (target, "/target")] {
        let supplier = persistence::organisations::find(conn, id).await?;
        if supplier.is_none_or(|o| o.kind != OrganisationKind::Supplier) {
            v.push(FieldError::new(pointer, "must be a supplier organisation"));
        }
    }
    v.finish()?;
    let names = persistence::organisations::names(conn, &[acquirer, target]).await?;
    let scale = &ctx.config().concentration_scale;
    let overall_rows = persistence::market::totals(conn, &filter, GroupBy::Nothing).await?;
    let overall = MergerFigures {
        category: None,
        region: None,
        effect: market::merger_effect(&totals_of(&overall_rows), acquirer, target, scale),
    };
    let rows = persistence::market::totals(conn, &filter, GroupBy::Market).await?;
    let markets = by_group(rows)
        .into_iter()
        .map(|(key, totals)| {
            let (category, region) = key.split_once('/').unwrap_or((key.as_str(), ""));
            MergerFigures {
                category: Some(category.to_owned()),
                region: Some(region.to_owned()),
                effect: market::merger_effect(&totals, acquirer, target, scale),
            }
        })
        .collect();
    Ok(MergerView {
        scale: scale.clone(),
        acquirer_id: acquirer,
        acquirer_name: names.get(&acquirer).cloned().unwrap_or_default(),
        target_id: target,
        target_name: names.get(&target).cloned().unwrap_or_default(),
        overall,
        markets,
    })
}

/// Competition indicators: tenders, bids per tender, single-bid and failure rates.
#[derive(Debug, Clone, Serialize)]
pub struct CompetitionView {
    pub tenders_published: i64,
    pub tenders_closed: i64,
    pub mean_bids_per_tender: Option<f64>,
    pub median_bids_per_tender: Option<i64>,
    pub single_bid_rate_percent: Option<f64>,
    pub single_bid_band: ScoreboardBand,
    pub cancelled_rate_percent: Option<f64>,
    pub unsuccessful_rate_percent: Option<f64>,
    pub mean_tender_period_days: Option<f64>,
    pub short_period_rate_percent: Option<f64>,
    pub awards: i64,
    pub awarded_other_than_top_percent: Option<f64>,
}

impl CompetitionView {
    /// One row per indicator, in name order.
    pub fn table(&self) -> Result<Table, ServiceError> {
        let value = serde_json::to_value(self).map_err(ServiceError::internal)?;
        let rows = value
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
        Ok(Table {
            file_name: "market-competition.csv".to_owned(),
            header: vec!["indicator", "value"],
            rows,
        })
    }
}

/// Competition indicators of the tenders in the market asked.
pub async fn competition(
    ctx: &Ctx,
    actor: &Actor,
    ask: &MarketAsk,
) -> Result<CompetitionView, ServiceError> {
    let filter = checked(actor, ask)?;
    let now = ctx.now().await?;
    let sums = persistence::market::competition(ctx.db().conn(), &filter, now).await?;
    let single = market::rate_percent(sums.single_bid, sums.closed_with_bids);
    #[allow(clippy::cast_precision_loss)]
    let mean = |total: f64, count: i64| (count > 0).then(|| two_places(total / count as f64));
    #[allow(clippy::cast_precision_loss)]
    let figures = CompetitionView {
        tenders_published: sums.published,
        tenders_closed: sums.closed,
        mean_bids_per_tender: mean(sums.bids_on_closed as f64, sums.closed),
        median_bids_per_tender: sums.median_bids,
        single_bid_rate_percent: single,
        single_bid_band: market::single_bid_band(single),
        cancelled_rate_percent: market::rate_percent(sums.cancelled, sums.published),
        unsuccessful_rate_percent: market::rate_percent(sums.unsuccessful, sums.published),
        mean_tender_period_days: mean(sums.period_days, sums.published),
        short_period_rate_percent: market::rate_percent(sums.short_periods, sums.published),
        awards: sums.awards,
        awarded_other_than_top_percent: market::rate_percent(sums.awards_not_top, sums.awards),
    };
    Ok(figures)
}

/// Price benchmarks of published offers at a date, and awarded against estimated value.
#[derive(Debug, Clone)]
pub struct PricesView {
    pub at: NaiveDate,
    pub offers: Vec<persistence::market::PriceSpread>,
    pub awards: Vec<persistence::market::Savings>,
}

impl PricesView {
    pub fn table(&self) -> Table {
        Table {
            file_name: "market-prices.csv".to_owned(),
            header: vec![
                "category",
                "pricing_unit",
                "offers",
                "min_pence",
                "median_pence",
                "p90_pence",
            ],
            rows: self
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
                .collect(),
        }
    }
}

/// Price benchmarks at the end of `at` (today when not given).
pub async fn prices(
    ctx: &Ctx,
    actor: &Actor,
    ask: &MarketAsk,
    at: Option<NaiveDate>,
) -> Result<PricesView, ServiceError> {
    let filter = checked(actor, ask)?;
    let conn = ctx.db().conn();
    let now = ctx.now().await?;
    let at_date = at.unwrap_or_else(|| now.date_naive());
    let until = at_date
        .succ_opt()
        .map_or(now, |d| d.and_time(NaiveTime::MIN).and_utc());
    let region_bit = filter.region.map(domain::offer::RegionSet::bit);
    let offers =
        persistence::market::price_spreads(conn, filter.category.as_deref(), region_bit, until)
            .await?;
    let mut awards = persistence::market::savings(conn, &filter).await?;
    for saving in &mut awards {
        saving.mean_saving_percent = two_places(saving.mean_saving_percent);
    }
    Ok(PricesView {
        at: at_date,
        offers,
        awards,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_quotes_and_line_breaks_are_quoted() {
        let table = Table {
            file_name: "t.csv".to_owned(),
            header: vec!["name", "value"],
            rows: vec![
                vec!["Anglia, CSU".to_owned(), "1".to_owned()],
                vec!["The \"best\"".to_owned(), "line\nbreak".to_owned()],
            ],
        };
        assert_eq!(
            table.csv(),
            "name,value\r\n\"Anglia, CSU\",1\r\n\"The \"\"best\"\"\",\"line\nbreak\"\r\n"
        );
    }
}
