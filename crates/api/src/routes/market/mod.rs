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

mod competition;
mod concentration;
mod prices;
mod share;

pub use competition::*;
pub use concentration::*;
pub use prices::*;
pub use share::*;

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

fn level_name(level: LevelDto) -> &'static str {
    match level {
        LevelDto::Empty => "empty",
        LevelDto::Unconcentrated => "unconcentrated",
        LevelDto::ModeratelyConcentrated => "moderately_concentrated",
        LevelDto::HighlyConcentrated => "highly_concentrated",
    }
}

fn two_places(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}
