//! Framework agreements as everyone signed in reads them: each framework's term and state, its
//! lots and the suppliers holding a place on each, a link to its catalogue, the contracts called
//! off under it, and — for a buyer lead entitled to — the way to call off.

use super::ui::{Ctx, Done, notice, parse_id, summary, table, when, words};
use crate::WebState;
use crate::ui::Content;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::get;
use domain::framework::{CallOffMethod, FrameworkStatus};
use domain::ids::FrameworkId;
use domain::money::pounds;
use domain::user::Role;
use maud::html;

pub mod listing;

pub fn routes() -> Router<WebState> {
    Router::new()
        .merge(listing::routes())
        .route("/frameworks", get(frameworks_page))
        .route("/frameworks/{id}", get(framework_page))
}

async fn frameworks_content(ctx: &Ctx) -> Content {
    let frameworks = service::frameworks::list(&ctx.state.ctx).await?;
    Ok(html! {
        h1 { "Frameworks" }
        p { "National and regional frameworks: buyers named by a framework call off from the suppliers admitted to it, by direct award from its catalogue or by a competitive selection among them." }
        @if frameworks.is_empty() {
            p { "No framework has been entered yet." }
        } @else {
            (table("Frameworks", &["Framework", "Buyer", "Term", "State"], &[],
                frameworks.iter().map(|f| vec![
                    html! { a href=(format!("/frameworks/{}", f.framework.id)) { (f.framework.title) } },
                    html! { (f.buyer_name) },
                    html! { (f.framework.start_date) " to " (f.framework.end_date) },
                    html! { (words(f.framework.status.as_str())) },
                ]).collect()))
        }
    })
}

async fn frameworks_page(ctx: Ctx) -> Response {
    let built = frameworks_content(&ctx).await;
    ctx.show("Frameworks", built)
}

async fn framework_content(ctx: &Ctx, id: &str, banner: Option<&str>) -> Content {
    let id = FrameworkId::from_uuid(parse_id(id)?);
    let shown = service::frameworks::get(&ctx.state.ctx, id).await?;
    let f = &shown.framework;
    let methods: Vec<&str> = shown
        .terms
        .call_off_methods
        .iter()
        .map(|m| m.as_str())
        .collect();
    // A buyer lead entitled to call off, while the framework is active.
    let calling_off = ctx.actor.role == Role::BuyerLead
        && f.status == FrameworkStatus::Active
        && shown
            .terms
            .eligible_buyers
            .includes(ctx.actor.organisation_id);
    let lots: Vec<(Option<domain::ids::LotId>, String)> = if shown.lots.is_empty() {
        vec![(None, "Suppliers".to_owned())]
    } else {
        shown
            .lots
            .iter()
            .map(|l| (Some(l.id), format!("Lot {}: {}", l.number, l.title)))
            .collect()
    };
    Ok(html! {
        (notice(banner))
        span class="nhsuk-caption-l" { (shown.buyer_name) }
        h1 { (f.title) }
        (summary(vec![
            ("State", html! { strong class="nhsuk-tag" { (words(f.status.as_str())) } }),
            ("Term", html! { (f.start_date) " to " (f.end_date) }),
            ("Suppliers per lot", html! { "at most " (shown.terms.max_suppliers) }),
            ("Call-offs", html! { (words(&methods.join(", "))) }),
            ("Procured by", html! { a href=(format!("/tenders/{}", f.tender_id)) { "its tender" } }),
            ("Called off", html! { (counted(shown.call_offs.len(), "contract")) " worth " (pounds(shown.call_offs_value_pence())) }),
        ]))
        @if calling_off {
            div class="mkt-inline-forms" {
                @if shown.terms.allows(CallOffMethod::DirectAward) {
                    a class="nhsuk-button" href=(format!("/frameworks/{}/call-off", f.id)) { "Call off by direct award" } " "
                }
                @if shown.terms.allows(CallOffMethod::CompetitiveSelection) {
                    a class="nhsuk-button nhsuk-button--secondary" href=(format!("/frameworks/{}/selection", f.id)) { "Run a competitive selection" }
                }
            }
        }
        @for (lot, heading) in &lots {
            h2 { (heading) }
            @let places: Vec<_> = shown.places.iter().filter(|(p, _)| p.lot_id == *lot).collect();
            @if places.is_empty() {
                p { "No supplier holds a place." }
            } @else {
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for (place, name) in places {
                        li { (name) @if place.awarded_supplier_id != place.supplier_id { " (a place won by another supplier it took over)" } }
                    }
                }
            }
            p {
                a href=(match lot {
                    Some(lot) => format!("/catalogue?framework={}&lot={lot}", f.id),
                    None => format!("/catalogue?framework={}", f.id),
                }) { "Its catalogue" }
            }
        }
        h2 { "Contracts called off" }
        @if shown.call_offs.is_empty() {
            p { "None yet." }
        } @else {
            (table("Contracts called off", &["Contract", "Buyer", "Supplier", "Value", "Awarded"], &[3],
                shown.call_offs.iter().map(|c| vec![
                    html! { (c.contract.terms.title) },
                    html! { (c.buyer_name) },
                    html! { (c.supplier_name) },
                    html! { (pounds(c.contract.terms.total_value_pence)) },
                    html! { (when(c.contract.terms.awarded_at)) },
                ]).collect()))
        }
    })
}

/// "1 contract", "2 contracts".
pub(crate) fn counted(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

async fn framework_page(ctx: Ctx, Path(id): Path<String>, Query(banner): Query<Done>) -> Response {
    let built = framework_content(&ctx, &id, banner.message()).await;
    ctx.show("Framework", built)
}
