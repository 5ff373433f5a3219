//! The HTTP API under `/api/v1`, one module per resource. Every route is registered through
//! `utoipa_axum::routes!`, so the router and the OpenAPI document are built from the same list.

pub mod audit;
pub mod auth;
pub mod health;
pub mod offers;
pub mod organisations;
pub mod reference;
pub mod users;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every documented route: the `/api/v1` resources and the operational probes.
pub fn documented_routes() -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::new()
        .routes(routes!(auth::login))
        .routes(routes!(auth::get_me))
        .routes(routes!(
            organisations::create_organisation,
            organisations::list_organisations
        ))
        .routes(routes!(organisations::get_organisation))
        .routes(routes!(users::create_user, users::list_users))
        .routes(routes!(users::get_user, users::update_user))
        .routes(routes!(audit::list_audit_events))
        .routes(routes!(audit::verify_audit_chain))
        .routes(routes!(reference::list_categories))
        .routes(routes!(reference::list_regions))
        .routes(routes!(offers::create_offer, offers::search_offers))
        .routes(routes!(offers::compare_offers))
        .routes(routes!(offers::get_offer, offers::update_offer))
        .routes(routes!(offers::publish_offer))
        .routes(routes!(offers::withdraw_offer))
        .routes(routes!(offers::get_offer_price_history));
    OpenApiRouter::new()
        .nest("/api/v1", api)
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
}
