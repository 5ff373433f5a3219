//! The JSON API of the marketplace: axum handlers over the service, authentication extractors,
//! problem details and the OpenAPI contract.

pub mod auth;
pub mod concurrency;
pub mod csv;
#[macro_use]
pub mod dto;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod openapi;
pub mod routes;
pub mod state;

use axum::Router;

/// The largest request body accepted (413 beyond it). Documented in the README. Large enough
/// that an over-long field (a 100 KB title, say) is answered with a 422 naming the field.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

use utoipa_swagger_ui::{Config, SwaggerUi};

/// The documented API routes and their interactive documentation, with their state.
pub fn router(state: state::AppState) -> Router {
    let (api, document) = openapi::documented_router();
    Router::new()
        .merge(api)
        .merge(
            SwaggerUi::new("/docs")
                .url("/openapi.json", document)
                // The default validator badge calls out to an external site; the docs must work
                // with no internet access.
                .config(Config::new(["/openapi.json"]).validator_url("none")),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::idempotency,
        ))
        .with_state(state)
}
