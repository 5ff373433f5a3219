//! Assembles the router: the JSON API with its interactive docs, the web pages, and the layers
//! every request passes through (request id, trace log, security headers, rate limits, panic
//! guard, problem details, body limit).

use api::MAX_BODY_BYTES;
use api::error::ensure_problem_details;
use api::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderMap, HeaderName, Response, Uri, header};
use axum::middleware;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;
use web::WebState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application for one state: the API and the pages share the use cases' context and
/// the sessions.
pub fn router(state: AppState) -> Router {
    router_with(state, &crate::rate_limit::RateLimits::default())
}

/// [`router`] with the rate limits given.
pub fn router_with(state: AppState, limits: &crate::rate_limit::RateLimits) -> Router {
    let limiter = std::sync::Arc::new(crate::rate_limit::Limiter::new(
        limits,
        state.sessions.clone(),
    ));
    let security = crate::headers::Security {
        https: state.ctx.config().public_https(),
    };
    let pages = WebState {
        ctx: state.ctx.clone(),
        sessions: state.sessions.clone(),
    };
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
        .merge(api::router(state))
        .merge(web::router(pages))
        .fallback(route_not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn(ensure_problem_details))
        .layer(middleware::from_fn_with_state(
            limiter,
            crate::rate_limit::rate_limit,
        ))
        .layer(middleware::from_fn_with_state(
            security,
            crate::headers::security_headers,
        ))
        .layer(middleware::from_fn(crate::metrics::track))
        .layer(trace)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// The answer for an address with no route: an HTML page for a browser outside the API (its
/// `Accept` asks for HTML), problem details for everyone else.
async fn route_not_found(uri: Uri, headers: HeaderMap) -> axum::response::Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_html && !uri.path().starts_with("/api/") {
        web::not_found_page()
    } else {
        api::error::route_not_found().await
    }
}
