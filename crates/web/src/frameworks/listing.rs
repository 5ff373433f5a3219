//! A supplier's offer in a framework's catalogue (s.45): on its offer page, the frameworks
//! (and lots) where its organisation holds a place, to list the offer on one or take it out.
//! Buyers calling off by direct award search only what is listed there.

use crate::WebState;
use crate::ui::{Ctx, Posted, csrf_field, done, parse_id};
use axum::Router;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::post;
use domain::framework::FrameworkStatus;
use domain::ids::{FrameworkId, LotId, OfferId};
use domain::offer::{FrameworkListing, OfferStatus};
use domain::user::Role;
use maud::{Markup, html};
use service::offers::OfferView;
use service::{Expected, ServiceError};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/offers/{id}/framework", post(list_offer))
        .route("/offers/{id}/framework/remove", post(unlist_offer))
}

/// A framework place as a choice: `framework` or `framework/lot`, and its name.
fn place_choice(framework: FrameworkId, lot: Option<LotId>) -> String {
    match lot {
        Some(lot) => format!("{framework}/{lot}"),
        None => framework.to_string(),
    }
}

/// The places the supplier's organisation holds on active frameworks, as choices.
async fn places_held(ctx: &Ctx) -> Result<Vec<(String, String)>, ServiceError> {
    let mut choices = Vec::new();
    for shown in service::frameworks::list(&ctx.state.ctx).await? {
        if shown.framework.status != FrameworkStatus::Active {
            continue;
        }
        for (place, _) in &shown.places {
            if place.supplier_id != ctx.actor.organisation_id {
                continue;
            }
            let lot = place
                .lot_id
                .and_then(|l| shown.lots.iter().find(|lot| lot.id == l));
            let label = match lot {
                Some(lot) => format!(
                    "{}, lot {}: {}",
                    shown.framework.title, lot.number, lot.title
                ),
                None => shown.framework.title.clone(),
            };
            choices.push((place_choice(shown.framework.id, place.lot_id), label));
        }
    }
    Ok(choices)
}

/// The offer page's section for its own supplier: where the offer is listed, and the forms to
/// list it on a framework where the organisation holds a place, or take it out.
pub async fn section(ctx: &Ctx, offer: &OfferView) -> Result<Markup, ServiceError> {
    let own = ctx.actor.role == Role::SupplierBidder
        && ctx.actor.organisation_id == offer.supplier_id
        && offer.status != OfferStatus::Withdrawn;
    if !own {
        return Ok(html! {});
    }
    let held = places_held(ctx).await?;
    let listed = offer
        .framework_id
        .map(|f| place_choice(f, offer.framework_lot_id));
    let listed_name = listed.as_ref().map(|code| {
        held.iter().find(|(c, _)| c == code).map_or(
            "a framework whose place your organisation no longer holds",
            |(_, name)| name.as_str(),
        )
    });
    if held.is_empty() && listed.is_none() {
        return Ok(html! {});
    }
    let id = offer.id;
    Ok(html! {
        h2 { "Framework catalogue" }
        @if let Some(name) = listed_name {
            p { "Listed in the catalogue of " strong { (name) } ": buyers calling off from it by direct award find it there." }
            form method="post" action=(format!("/offers/{id}/framework/remove")) {
                (csrf_field(&ctx.csrf))
                input type="hidden" name="version" value=(offer.version);
                button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Take it out of the framework's catalogue" }
            }
        } @else {
            p { "Your organisation holds a place on a framework: list this offer in its catalogue so that buyers calling off by direct award can find it." }
        }
        @if !held.is_empty() {
            form method="post" action=(format!("/offers/{id}/framework")) {
                (csrf_field(&ctx.csrf))
                input type="hidden" name="version" value=(offer.version);
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="place" { "Framework and lot" }
                    select class="nhsuk-select" id="place" name="place" {
                        @for (code, name) in &held {
                            option value=(code) selected[listed.as_deref() == Some(code.as_str())] { (name) }
                        }
                    }
                }
                button class="nhsuk-button" type="submit" { @if listed.is_some() { "Move it to this catalogue" } @else { "List it in this catalogue" } }
            }
        }
    })
}

/// The place chosen: a framework id, then a lot id when it is divided.
fn listing_of(posted: &Posted) -> Result<FrameworkListing, ServiceError> {
    let raw = posted.get("place");
    let (framework, lot) = raw
        .split_once('/')
        .map_or((raw, None), |(f, l)| (f, Some(l)));
    Ok(FrameworkListing {
        framework_id: FrameworkId::from_uuid(parse_id(framework)?),
        lot_id: lot.map(|l| parse_id(l).map(LotId::from_uuid)).transpose()?,
    })
}

async fn change(ctx: &Ctx, id: &str, posted: &Posted, listing: bool) -> Response {
    let result = async {
        let offer = OfferId::from_uuid(parse_id(id)?);
        let version = posted.get("version").parse::<i32>().unwrap_or_default();
        let listing = if listing {
            Some(listing_of(posted)?)
        } else {
            None
        };
        service::offers::list_on_framework(
            &ctx.state.ctx,
            &ctx.actor,
            offer,
            &Expected::version(version),
            listing,
        )
        .await
    }
    .await;
    match result {
        Ok(offer) => done(
            &format!("/offers/{}", offer.id.as_uuid()),
            if listing { "listed" } else { "unlisted" },
        ),
        Err(error) => ctx.error(error),
    }
}

async fn list_offer(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    change(&ctx, &id, &posted, true).await
}

async fn unlist_offer(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    change(&ctx, &id, &posted, false).await
}
