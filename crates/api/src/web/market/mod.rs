//! The regulator's pages: the market dashboard (share by supplier as a table and a bar chart,
//! HHI per category and region as a heat table, HHI by quarter as a line chart, competition
//! indicators and price benchmarks), the merger simulator, transfers and the audit log with its
//! chain verification. Every figure comes from the API's own handlers; every table has a CSV
//! download, which is the API's CSV.

use crate::auth::{AuthUser, Permitted};
use crate::dto::pounds;
use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::routes::market as api;
use crate::state::AppState;
use crate::web::ui::{
    Ctx, Done, Field, FormState, Posted, body, code_of, csrf_field, detail_of, done, error_summary,
    notice, summary, table, trusted, words,
};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use domain::organisation::Region;
use domain::user::Role;
use maud::{Markup, html};
use serde::de::DeserializeOwned;
use serde_json::json;
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

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/market", get(market_page))
        .route("/market/merger", get(merger_page))
        .route("/market/{table}", get(download))
        .route("/transfers", get(transfers_page).post(record_transfer))
        .route("/transfers.csv", get(transfers_csv))
        .route("/audit", get(audit_page))
        .route("/audit.csv", get(audit_csv))
}

/// The market filters of the page's query string, as the API's query (an unknown value is the
/// API's own validation error).
fn market_query(
    params: &HashMap<String, String>,
    extra: &[(&str, &str)],
) -> Result<api::MarketQuery, ApiError> {
    let mut map = serde_json::Map::new();
    for key in [
        "category",
        "region",
        "from",
        "to",
        "attribution",
        "acquirer",
        "target",
    ] {
        if let Some(value) = params.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            map.insert(key.to_owned(), json!(value));
        }
    }
    for (key, value) in extra {
        map.insert((*key).to_owned(), json!(value));
    }
    body::<api::MarketQuery>(serde_json::Value::Object(map)).map(|b| b.0)
}

/// Reads a market handler's JSON answer.
async fn json_of<T: DeserializeOwned>(response: Result<Response, ApiError>) -> Result<T, ApiError> {
    let bytes = axum::body::to_bytes(response?.into_body(), 16 * 1024 * 1024)
        .await
        .map_err(ApiError::internal)?;
    serde_json::from_slice(&bytes).map_err(ApiError::internal)
}

fn json_accept() -> HeaderMap {
    HeaderMap::new()
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
