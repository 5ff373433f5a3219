//! The regulator's pages: the market dashboard (share by supplier as a table and a bar chart,
//! HHI per category and region as a heat table, HHI by quarter as a line chart, competition
//! indicators and price benchmarks), the merger simulator, transfers and the audit log with its
//! chain verification. Every figure comes from the service; every table has a CSV download,
//! the same file as the API's.

use crate::WebState;
use crate::ui::{
    Ctx, Done, Field, FormState, Posted, code_of, csrf_field, detail_of, done, error_summary,
    notice, summary, table, trusted, words,
};
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::get;
use domain::FieldError;
use domain::ids::OrganisationId;
use domain::market::{ConcentrationLevel, ConcentrationScale, MARKET_READERS};
use domain::money::pounds;
use domain::organisation::Region;
use maud::{Markup, html};
use persistence::market::GroupBy;
use serde_json::json;
use service::ServiceError;
use service::market::{self as market, MarketAsk};
use std::collections::HashMap;
use uuid::Uuid;

mod audit;
mod charts;
mod dashboard;
mod merger;
mod transfers;

use audit::*;
use charts::*;
use dashboard::*;
use merger::*;
use transfers::*;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/market", get(market_page))
        .route("/market/merger", get(merger_page))
        .route("/market/{table}", get(download))
        .route("/transfers", get(transfers_page).post(record_transfer))
        .route("/transfers.csv", get(transfers_csv))
        .route("/audit", get(audit_page))
        .route("/audit.csv", get(audit_csv))
}

/// The market filters of the page's query string as the service's question; a value that
/// cannot even be read is an error at its field.
fn market_ask(params: &HashMap<String, String>) -> Result<MarketAsk, ServiceError> {
    let mut errors = Vec::new();
    let filled = |key: &str| params.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut date = |key: &str| {
        let raw = filled(key)?;
        chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map_err(|_| {
                errors.push(FieldError::new(
                    format!("/{key}"),
                    "must be a date, like 2026-04-01",
                ));
            })
            .ok()
    };
    let from = date("from");
    let to = date("to");
    let mut supplier = |key: &str| {
        let raw = filled(key)?;
        Uuid::parse_str(raw)
            .map(OrganisationId::from_uuid)
            .map_err(|_| errors.push(FieldError::new(format!("/{key}"), "choose a supplier")))
            .ok()
    };
    let acquirer = supplier("acquirer");
    let target = supplier("target");
    let region = match filled("region").map(str::parse::<Region>) {
        None => None,
        Some(Ok(region)) => Some(region),
        Some(Err(_)) => {
            errors.push(FieldError::new("/region", "is not one of the regions"));
            None
        }
    };
    let group_by = match filled("group_by") {
        None => None,
        Some("category") => Some(GroupBy::Category),
        Some("region") => Some(GroupBy::Region),
        Some("quarter") => Some(GroupBy::Quarter),
        Some(_) => {
            errors.push(FieldError::new("/group_by", "is not one of the choices"));
            None
        }
    };
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    Ok(MarketAsk {
        framework: None,
        category: filled("category").map(str::to_owned),
        region,
        from,
        to,
        original: filled("attribution") == Some("original"),
        group_by,
        acquirer,
        target,
    })
}

/// The query string of the current filters, for links (CSV downloads keep the filters).
fn filter_string(params: &HashMap<String, String>) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for key in ["category", "region", "from", "to", "attribution"] {
        if let Some(value) = params.get(key).filter(|v| !v.is_empty()) {
            out.append_pair(key, value);
        }
    }
    out.finish()
}

fn csv_link(name: &str, query: &str, label: &str) -> Markup {
    let href = if query.is_empty() {
        format!("/market/{name}.csv")
    } else {
        format!("/market/{name}.csv?{query}")
    };
    html! { p { a href=(href) download { "Download " (label) " (CSV)" } } }
}
