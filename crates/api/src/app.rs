//! Assembles the router: documented API routes, interactive docs, the web root, and the layers
//! every request passes through (request id, trace log, panic guard, problem details, body limit).

use crate::error::{ensure_problem_details, route_not_found};
use crate::openapi::documented_router;
use crate::state::AppState;
use crate::web;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, Response};
use axum::middleware;
use axum::routing::get;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;
use utoipa_swagger_ui::{Config, SwaggerUi};

/// The largest request body accepted (413 beyond it). Documented in the README. Large enough
/// that an over-long field (a 100 KB title, say) is answered with a 422 naming the field.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState) -> Router {
    let (api, document) = documented_router();
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            // The route template, never the raw path or query, which may carry personal data.
            let route = request
                .extensions()
                .get::<MatchedPath>()
                .map_or("(unmatched)", MatchedPath::as_str);
            let request_id = request
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            tracing::info_span!(
                "request",
                method = %request.method(),
                route,
                request_id,
            )
        })
        .on_request(())
        .on_response(|response: &Response<_>, latency: Duration, _span: &Span| {
            tracing::info!(
                status = response.status().as_u16(),
                latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
                "request served"
            );
        })
        .on_failure(());

    Router::new()
        .merge(api)
        .merge(
            SwaggerUi::new("/docs")
                .url("/openapi.json", document)
                // The default validator badge calls out to an external site; the docs must work
                // with no internet access.
                .config(Config::new(["/openapi.json"]).validator_url("none")),
        )
        .route("/", get(web::home))
        .route("/assets/{*path}", get(web::asset))
        .merge(web::pages::routes())
        .merge(web::tenders::routes())
        .merge(web::bids::routes())
        .merge(web::evaluation::routes())
        .merge(web::market::routes())
        .merge(web::contracts::routes())
        .merge(web::offers::routes())
        .merge(web::admin::routes())
        .fallback(route_not_found)
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn(ensure_problem_details))
        .layer(trace)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}
