//! Liveness and readiness probes for the load balancer and the orchestrator.

use crate::error::{ApiError, ServiceUnavailable};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;

/// A probe's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthStatus {
    /// `ok` when the process is up; `ready` when it can also reach its database.
    pub status: String,
}

/// The process is up.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    security(()),
    responses((status = 200, description = "The process is up.", body = HealthStatus))
)]
pub async fn healthz() -> Json<HealthStatus> {
    Json(HealthStatus {
        status: "ok".to_owned(),
    })
}

/// The service can reach its database and take traffic.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "The database answers.", body = HealthStatus),
        (status = 503, response = ServiceUnavailable),
    )
)]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<HealthStatus>, ApiError> {
    match tokio::time::timeout(Duration::from_secs(3), state.db.ping()).await {
        Ok(Ok(())) => Ok(Json(HealthStatus {
            status: "ready".to_owned(),
        })),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check failed");
            Err(ApiError::Unavailable(
                "The database cannot be reached.".to_owned(),
            ))
        }
        Err(_) => Err(ApiError::Unavailable(
            "The database did not answer in time.".to_owned(),
        )),
    }
}
