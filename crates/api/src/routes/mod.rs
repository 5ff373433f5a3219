//! The HTTP API under `/api/v1`, one module per resource. Every route is registered through
//! `utoipa_axum::routes!`, so the router and the OpenAPI document are built from the same list.

pub mod audit;
pub mod auth;
pub mod awards;
pub mod bids;
pub mod calendar;
pub mod call_offs;
pub mod contracts;
pub mod documents;
pub mod evaluation;
pub mod frameworks;
pub mod health;
pub mod market;
pub mod notices;
pub mod notifications;
pub mod ocds;
pub mod offers;
pub mod organisations;
pub mod reference;
pub mod tenders;
pub mod transfers;
pub mod users;
pub mod webhooks;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every documented route: the `/api/v1` resources and the operational probes.
pub fn documented_routes() -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::new()
        .routes(routes!(auth::login))
        .routes(routes!(auth::get_me, auth::update_me))
        .routes(routes!(
            organisations::create_organisation,
            organisations::list_organisations
        ))
        .routes(routes!(notices::create_notice, notices::list_notices))
        .routes(routes!(notices::get_notice))
        .routes(routes!(notices::get_notice_ocds))
        .routes(routes!(
            organisations::get_organisation,
            organisations::update_organisation
        ))
        .routes(routes!(users::create_user, users::list_users))
        .routes(routes!(users::get_user, users::update_user))
        .routes(routes!(audit::list_audit_events))
        .routes(routes!(audit::verify_audit_chain))
        .routes(routes!(reference::list_categories))
        .routes(routes!(reference::list_regions))
        .routes(routes!(offers::create_offer, offers::search_offers))
        .routes(routes!(offers::compare_offers))
        .routes(routes!(offers::get_offer, offers::update_offer))
        .routes(routes!(
            offers::list_offer_on_framework,
            offers::unlist_offer_from_framework
        ))
        .routes(routes!(offers::publish_offer))
        .routes(routes!(offers::withdraw_offer))
        .routes(routes!(offers::get_offer_price_history))
        .routes(routes!(tenders::create_tender, tenders::list_tenders))
        .routes(routes!(tenders::get_tender, tenders::update_tender))
        .routes(routes!(tenders::publish_tender))
        .routes(routes!(tenders::amend_tender))
        .routes(routes!(tenders::cancel_tender))
        .routes(routes!(
            tenders::request_participation,
            tenders::list_participation_requests
        ))
        .routes(routes!(tenders::shortlist_tender))
        .routes(routes!(
            tenders::ask_clarification,
            tenders::list_clarifications
        ))
        .routes(routes!(tenders::answer_clarification))
        .routes(routes!(bids::submit_bid, bids::list_bids))
        .routes(routes!(bids::get_bid, bids::revise_bid))
        .merge(
            // Uploads take up to a file's limit; every other body stays within the default.
            OpenApiRouter::new()
                .routes(routes!(
                    documents::upload_tender_document,
                    documents::list_tender_documents
                ))
                .routes(routes!(
                    documents::upload_bid_attachment,
                    documents::list_bid_attachments
                ))
                .layer(axum::extract::DefaultBodyLimit::max(
                    documents::UPLOAD_BODY_MAX,
                )),
        )
        .routes(routes!(documents::download_document))
        .routes(routes!(documents::download_bid_attachment))
        .routes(routes!(documents::delete_bid_attachment))
        .routes(routes!(bids::withdraw_bid))
        .routes(routes!(bids::confirm_bid))
        .routes(routes!(
            evaluation::assign_evaluator,
            evaluation::list_evaluators
        ))
        .routes(routes!(evaluation::remove_evaluator))
        .routes(routes!(evaluation::declare_conflict))
        .routes(routes!(evaluation::score_bid))
        .routes(routes!(evaluation::list_scores))
        .routes(routes!(evaluation::exclude_bid))
        .routes(routes!(evaluation::reinstate_bid))
        .routes(routes!(evaluation::get_ranking))
        .routes(routes!(evaluation::declare_unsuccessful))
        .routes(routes!(awards::award_tender))
        .routes(routes!(awards::get_outcome))
        .routes(routes!(awards::lodge_challenge, awards::list_challenges))
        .routes(routes!(awards::resolve_challenge))
        .routes(routes!(awards::confirm_contract))
        .routes(routes!(frameworks::list_frameworks))
        .routes(routes!(frameworks::get_framework))
        .routes(routes!(call_offs::create_call_off))
        .routes(routes!(call_offs::list_call_offs))
        .routes(routes!(call_offs::get_call_off))
        .routes(routes!(call_offs::get_call_off_shortlist))
        .routes(routes!(call_offs::award_call_off))
        .routes(routes!(call_offs::cancel_call_off))
        .routes(routes!(contracts::list_contracts))
        .routes(routes!(contracts::get_contract))
        .routes(routes!(contracts::terminate_contract))
        .routes(routes!(contracts::end_contract))
        .routes(routes!(contracts::create_review, contracts::list_reviews))
        .routes(routes!(contracts::get_rating))
        .routes(routes!(
            transfers::create_transfer,
            transfers::list_transfers
        ))
        .routes(routes!(transfers::get_transfer))
        .routes(routes!(market::market_share))
        .routes(routes!(market::market_concentration))
        .routes(routes!(market::merger_simulation))
        .routes(routes!(market::market_competition))
        .routes(routes!(market::market_prices))
        .routes(routes!(ocds::get_tender_ocds))
        .routes(routes!(ocds::list_ocds_releases))
        .routes(routes!(ocds::get_ocds_record))
        .routes(routes!(calendar::list_bank_holidays))
        .routes(routes!(
            calendar::put_bank_holiday,
            calendar::delete_bank_holiday
        ))
        .routes(routes!(notifications::list_notifications))
        .routes(routes!(notifications::get_notification))
        .routes(routes!(webhooks::create_webhook, webhooks::list_webhooks))
        .routes(routes!(webhooks::get_webhook, webhooks::delete_webhook))
        .routes(routes!(webhooks::list_webhook_deliveries))
        .routes(routes!(notifications::read_notification));
    OpenApiRouter::new()
        .nest("/api/v1", api)
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
}
