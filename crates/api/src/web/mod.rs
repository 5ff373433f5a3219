//! Server-rendered pages in the NHS design language, and the NHS.UK frontend assets they use,
//! embedded in the binary so that nothing is fetched from a CDN. Every page works without
//! JavaScript; every form is protected against CSRF; the pages call the same domain and
//! persistence code as the API.

pub mod admin;
pub mod bids;
pub mod contracts;
pub mod evaluation;
pub mod market;
pub mod offers;
pub mod pages;
pub mod session;
pub mod tenders;
pub mod ui;

use crate::error::ApiError;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// One embedded asset under `/assets/`, cached for a day (the binary's version changes them).
pub async fn asset(Path(path): Path<String>) -> Result<Response, ApiError> {
    let (_, media, bytes) = ASSETS
        .iter()
        .find(|(name, _, _)| *name == path)
        .ok_or_else(|| ApiError::NotFound(format!("No such asset: {path}.")))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        *bytes,
    )
        .into_response())
}

/// The front page: what the service is, and the way in.
pub async fn home() -> Response {
    ui::page(
        axum::http::StatusCode::OK,
        ui::layout(
            "Welcome",
            None,
            "/",
            maud::html! {
                h1 { "Commissioning Support Marketplace" }
                p class="nhsuk-lede-text" {
                    "Commissioners buy back-office support services from Commissioning Support Units and other suppliers here."
                }
                ul class="nhsuk-list nhsuk-list--bullet" {
                    li { "Suppliers publish priced service offers." }
                    li { "Buyers compare them and run sealed competitive tenders." }
                    li { "Contracts and supplier performance are recorded." }
                    li { "NHS England watches market share and concentration." }
                }
                a class="nhsuk-button" href="/sign-in" { "Sign in" }
                p { a href="/docs/" { "API documentation" } " (interactive, works offline) · "
                    a href="/openapi.json" { "OpenAPI 3.1 contract" } }
            },
        ),
        Vec::new(),
    )
}
