//! Prometheus metrics, in the text format, on a bind of their own (`MARKETPLACE_METRICS_BIND`,
//! off by default) so that they never face the public: requests by route template, method and
//! status; request latency; the database pool; the background queues and the age of their oldest
//! item; rate-limit refusals; idempotent replays; the audit chain's length. Gauges that live in
//! the database are read when Prometheus scrapes.

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const REQUESTS: &str = "marketplace_http_requests_total";
pub const REQUEST_DURATION: &str = "marketplace_http_request_duration_seconds";
pub const RATE_LIMIT_REFUSALS: &str = "marketplace_rate_limit_refusals_total";
const POOL_CONNECTIONS: &str = "marketplace_db_pool_connections";
const POOL_WAITING: &str = "marketplace_db_pool_waiting";
const QUEUE_DEPTH: &str = "marketplace_background_queue_depth";
const QUEUE_OLDEST: &str = "marketplace_background_queue_oldest_age_seconds";
const AUDIT_CHAIN: &str = "marketplace_audit_chain_length";
const DATABASE_UP: &str = "marketplace_database_up";

/// Latency buckets in seconds: the API's answers take milliseconds; a request that waits for
/// an unreachable database gives up after about 2 s.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// The process's recorder, installed at the first call (a process has one).
pub fn recorder() -> Result<PrometheusHandle, String> {
    static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(REQUEST_DURATION.to_owned()),
                    &LATENCY_BUCKETS,
                )
                .and_then(PrometheusBuilder::install_recorder)
                .map_err(|e| format!("cannot record metrics: {e}"))
        })
        .clone()
}

/// Counts every request and times it, by its route template (never the raw path, which may
/// carry ids and personal data).
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!(REQUEST_DURATION, "method" => method.clone(), "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!(REQUESTS, "method" => method, "route" => route, "status" => status)
        .increment(1);
    response
}

#[derive(Clone)]
struct Scrape {
    handle: PrometheusHandle,
    ctx: service::Ctx,
}

/// Serves `GET /metrics` on `listener` for as long as the server runs.
pub async fn serve(listener: tokio::net::TcpListener, handle: PrometheusHandle, ctx: service::Ctx) {
    let upkeep = handle.clone();
    // Without the exporter's own listener, its histograms are drained here.
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(5));
        loop {
            ticks.tick().await;
            upkeep.run_upkeep();
        }
    });
    let router = Router::new()
        .route("/metrics", get(scrape))
        .with_state(Scrape { handle, ctx });
    if let Err(error) = axum::serve(listener, router).await {
        tracing::error!(%error, "the metrics listener stopped");
    }
}

/// Binds the metrics address, before the service says it is ready.
pub async fn bind(address: SocketAddr) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| format!("cannot listen for metrics on {address}: {e}"))
}

async fn scrape(State(scrape): State<Scrape>) -> Response {
    let pool = service::operations::pool(&scrape.ctx);
    metrics::gauge!(POOL_CONNECTIONS, "state" => "in_use").set(pool.in_use as f64);
    metrics::gauge!(POOL_CONNECTIONS, "state" => "idle").set(pool.idle as f64);
    metrics::gauge!(POOL_WAITING).set(pool.waiting as f64);
    // The database may be away: the scrape still answers, saying so, within the pool's timeout.
    match tokio::time::timeout(
        Duration::from_secs(3),
        service::operations::readings(&scrape.ctx),
    )
    .await
    {
        Ok(Ok(readings)) => {
            metrics::gauge!(DATABASE_UP).set(1.0);
            metrics::gauge!(AUDIT_CHAIN).set(readings.audit_chain_length as f64);
            for backlog in readings.backlogs {
                metrics::gauge!(QUEUE_DEPTH, "queue" => backlog.queue).set(backlog.depth as f64);
                metrics::gauge!(QUEUE_OLDEST, "queue" => backlog.queue)
                    .set(backlog.oldest_age_seconds as f64);
            }
        }
        Ok(Err(_)) | Err(_) => metrics::gauge!(DATABASE_UP).set(0.0),
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        scrape.handle.render(),
    )
        .into_response()
}
