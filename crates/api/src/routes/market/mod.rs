//! Market monitoring for NHS England: market share by supplier, concentration (HHI and CR3) with
//! its level on a named scale, and what a merger would do to it. Figures are aggregated in the
//! database per supplier; the regulator and admins read them, buyers read the aggregates, and
//! suppliers are refused (they would learn their competitors' contract values). Every table is
//! JSON by default and CSV with `Accept: text/csv`.

use crate::auth::AuthUser;
use crate::dto::RegionDto;
use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::state::AppState;
use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use domain::access::Actor;
use domain::ids::OrganisationId;
use domain::market::{self, ConcentrationLevel, ConcentrationScale};
use persistence::market::GroupBy;
use serde::{Deserialize, Serialize};
use service::market::{
    CompetitionView, ConcentrationView, MarketAsk, MergerView, PricesView, ShareView, Table,
};
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
    /// Only the contracts called off under this framework.
    pub framework: Option<Uuid>,
}

impl MarketQuery {
    /// The market asked about, as the service takes it.
    pub(crate) fn ask(&self) -> MarketAsk {
        MarketAsk {
            category: self.category.clone(),
            framework: self.framework.map(domain::ids::FrameworkId::from_uuid),
            region: self.region.map(Into::into),
            from: self.from,
            to: self.to,
            original: self.attribution == Some(AttributionDto::Original),
            group_by: self.group_by.map(|by| match by {
                GroupByDto::Category => GroupBy::Category,
                GroupByDto::Region => GroupBy::Region,
                GroupByDto::Quarter => GroupBy::Quarter,
            }),
            acquirer: self.acquirer.map(OrganisationId::from_uuid),
            target: self.target.map(OrganisationId::from_uuid),
        }
    }
}

/// A request for market figures: who asks (signed in first, so a bad query from a stranger is
/// still 401), the filters, and whether the answer is the CSV table.
pub struct FiguresRequest {
    state: AppState,
    actor: Actor,
    ask: MarketAsk,
    csv: bool,
}

impl FromRequestParts<AppState> for FiguresRequest {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let AuthUser(actor) = AuthUser::from_request_parts(parts, state).await?;
        let QueryParams(query) =
            QueryParams::<MarketQuery>::from_request_parts(parts, state).await?;
        Ok(Self {
            state: state.clone(),
            actor,
            ask: query.ask(),
            csv: crate::csv::wants_csv(&parts.headers),
        })
    }
}

impl FiguresRequest {
    /// The figures as a CSV download when the client asks for `text/csv`, otherwise as JSON.
    fn answer<V, R: Serialize>(
        &self,
        view: V,
        table: impl FnOnce(&V) -> Result<Table, ApiError>,
        json: impl FnOnce(V) -> R,
    ) -> Result<Response, ApiError> {
        if self.csv {
            Ok(crate::csv::download(&table(&view)?))
        } else {
            Ok(Json(json(view)).into_response())
        }
    }
}

fn attribution_of(name: &str) -> AttributionDto {
    if name == "original" {
        AttributionDto::Original
    } else {
        AttributionDto::Current
    }
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
