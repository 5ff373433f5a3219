//! Server-rendered pages in the NHS design language, and the NHS.UK frontend assets they use,
//! embedded in the binary so that nothing is fetched from a CDN. Every page works without
//! JavaScript; every form is protected against CSRF and parsed straight into the service's
//! input; the pages call the same service functions as the JSON API, and never the API itself.

pub mod admin;
pub mod bids;
pub mod call_offs;
pub mod contracts;
pub mod documents;
pub mod evaluation;
pub mod frameworks;
pub mod market;
pub mod notices;
pub mod offers;
pub mod pages;
pub mod session;
pub mod tenders;
pub mod ui;
pub mod webhooks;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;

/// What every page runs with: the use cases' context and the sessions that sign users in.
#[derive(Clone, Debug)]
pub struct WebState {
    pub ctx: service::Ctx,
    pub sessions: Arc<service::sessions::Sessions>,
}

/// Every page and asset, with their state.
pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/assets/{*path}", get(asset))
        .merge(pages::routes())
        .merge(tenders::routes())
        .merge(bids::routes())
        .merge(documents::routes())
        .merge(evaluation::routes())
        .merge(market::routes())
        .merge(contracts::routes())
        .merge(frameworks::routes())
        .merge(call_offs::routes())
        .merge(offers::routes())
        .merge(admin::routes())
        .merge(notices::routes())
        .merge(webhooks::routes())
        .with_state(state)
}

/// The page for an address with no route, for a browser.
pub fn not_found_page() -> Response {
    ui::page(
        StatusCode::NOT_FOUND,
        ui::layout("Page not found", None, "", ui::not_found("/")),
        Vec::new(),
    )
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// One embedded asset under `/assets/`, cached for a day (the binary's version changes them);
/// an unknown one is a bare 404, which the server's layers answer as problem details.
pub async fn asset(Path(path): Path<String>) -> Response {
    let Some((_, media, bytes)) = ASSETS.iter().find(|(name, _, _)| *name == path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        *bytes,
    )
        .into_response()
}

/// The front page: what the service is, and the way in.
pub async fn home() -> Response {
    ui::page(
        StatusCode::OK,
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
                p { a href="/notices" { "Public notices" } ": every tender, award and contract notice published here under the Procurement Act 2023, open to all." }
                p { a href="/docs/" { "API documentation" } " (interactive, works offline) · "
                    a href="/openapi.json" { "OpenAPI 3.1 contract" } }
            },
        ),
        Vec::new(),
    )
}
