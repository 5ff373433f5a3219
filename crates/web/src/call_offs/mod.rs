//! Call-offs under a framework, as their buyer runs them and oversight reads them: the list, one
//! call-off with its frozen shortlist compared at the buyer's volumes, and the buyer lead's award
//! (a justification when it is not the cheapest) or cancellation. The forms that start a
//! call-off are in [`direct`] and [`selection`].

mod direct;
mod selection;

use super::ui::{
    Ctx, Done, Field, FormState, Posted, csrf_field, done, error_summary, notice, parse_id,
    summary, table, when, words,
};
use crate::WebState;
use crate::ui::Content;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{get, post};
use domain::framework::{CallOffMethod, CallOffStatus};
use domain::ids::{CallOffId, OfferId};
use domain::money::pounds;
use domain::user::Role;
use maud::{Markup, html};
use serde_json::Value;
use service::ServiceError;
use service::call_offs::CallOffView;
use std::collections::HashMap;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/call-offs", get(call_offs_page))
        .route("/call-offs/{id}", get(call_off_page))
        .route("/call-offs/{id}/award", post(award_call_off))
        .route("/call-offs/{id}/cancel", post(cancel_call_off))
        .route(
            "/frameworks/{id}/call-off",
            get(direct::new_call_off).post(direct::create_call_off),
        )
        .route(
            "/frameworks/{id}/selection",
            get(selection::new_selection).post(selection::create_selection),
        )
}

/// Who sees call-offs: their buyers, the regulator and admins.
const CALL_OFF_READERS: [Role; 4] = [
    Role::BuyerLead,
    Role::BuyerEvaluator,
    Role::Regulator,
    Role::Admin,
];

async fn call_offs_content(ctx: &Ctx) -> Content {
    ctx.require(&CALL_OFF_READERS)?;
    let call_offs = service::call_offs::list(&ctx.state.ctx, &ctx.actor, None, None).await?;
    let own = ctx.actor.role == Role::BuyerLead;
    Ok(html! {
        h1 { "Call-offs" }
        p { @if own { "Your organisation's call-offs from frameworks: a direct award from a framework's frozen catalogue, or a competitive selection among its suppliers. Start one from a " a href="/frameworks" { "framework" } "." } @else { "Every call-off from every framework." } }
        @if call_offs.is_empty() {
            p { "No call-off yet." }
        } @else {
            (table("Call-offs", &["Call-off", "Framework", "Buyer", "How", "State", "Contract value"], &[5],
                call_offs.iter().map(|c| vec![
                    html! { a href=(format!("/call-offs/{}", c.call_off.id)) { (c.call_off.title) } },
                    html! { a href=(format!("/frameworks/{}", c.call_off.framework_id)) { (c.framework_title) } },
                    html! { (c.buyer_name) },
                    html! { (words(c.call_off.method.as_str())) },
                    html! { (words(c.call_off.status.as_str())) },
                    html! { (c.contract_value_pence.map(pounds).unwrap_or_else(|| "—".to_owned())) },
                ]).collect()))
        }
    })
}

async fn call_offs_page(ctx: Ctx) -> Response {
    let built = call_offs_content(&ctx).await;
    ctx.show("Call-offs", built)
}

/// A saved search or volumes as the buyer gave them: "label: value" for each part given.
fn described(value: Option<&Value>, parts: &[(&str, &str)]) -> String {
    let given: Vec<String> = parts
        .iter()
        .filter_map(|(key, label)| {
            let part = value?.get(*key)?;
            let text = match part {
                Value::String(s) if !s.is_empty() => words(s),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            Some(format!("{label}: {text}"))
        })
        .collect();
    if given.is_empty() {
        "None given".to_owned()
    } else {
        given.join("; ")
    }
}

/// A supplier's rating as frozen with the shortlist.
fn frozen_rating(rating: Option<&Value>) -> String {
    match rating.and_then(|r| Some((r.get("overall")?.as_f64()?, r.get("reviews")?.as_i64()?))) {
        Some((overall, reviews)) => format!("{overall:.1} of 5 ({reviews} reviews)"),
        None => "Not yet rated".to_owned(),
    }
}

async fn call_off_content(ctx: &Ctx, id: &str, form: &FormState, banner: Option<&str>) -> Content {
    let id = CallOffId::from_uuid(parse_id(id)?);
    let service = &ctx.state.ctx;
    let (shown, entries) = service::call_offs::shortlist(service, &ctx.actor, id).await?;
    let c = &shown.call_off;
    let framework = service::frameworks::get(service, c.framework_id).await?;
    let lot = c
        .lot_id
        .and_then(|l| framework.lots.iter().find(|lot| lot.id == l))
        .map(|lot| format!("Lot {}: {}", lot.number, lot.title));
    let deciding = ctx.actor.role == Role::BuyerLead
        && ctx.actor.organisation_id == c.buyer_id
        && c.status == CallOffStatus::Open
        && c.method == CallOffMethod::DirectAward;
    let chosen = form.value("offer_id");
    let cheapest = entries.first().map(|e| e.offer_id.to_string());
    let chosen = if chosen.is_empty() {
        cheapest.as_deref().unwrap_or_default()
    } else {
        chosen
    };
    let mut rows = vec![
        (
            "Framework",
            html! { a href=(format!("/frameworks/{}", c.framework_id)) { (shown.framework_title) } },
        ),
        ("Buyer", html! { (shown.buyer_name) }),
        ("How", html! { (words(c.method.as_str())) }),
        (
            "State",
            html! { strong class="nhsuk-tag" { (words(c.status.as_str())) } },
        ),
        ("Contract term", html! { (c.term_months) " months" }),
        ("Started", html! { (when(c.created_at)) }),
    ];
    if let Some(lot) = &lot {
        rows.insert(1, ("Lot", html! { (lot) }));
    }
    if c.method == CallOffMethod::DirectAward {
        rows.push((
            "Search saved",
            html! { (described(c.search.as_ref(), &[("q", "words"), ("region", "region"), ("pricing_unit", "pricing unit")])) },
        ));
        rows.push((
            "Volumes",
            html! { (described(c.volumes.as_ref(), &[("fte", "full-time staff"), ("population", "population"), ("days_per_year", "days a year"), ("transactions_per_year", "transactions a year")])) },
        ));
    }
    if let Some(tender) = c.tender_id {
        rows.push((
            "Its tender",
            html! { a href=(format!("/tenders/{tender}")) { "The competitive selection" } },
        ));
    }
    if let Some(contract) = c.contract_id {
        rows.push((
            "Contract",
            html! { a href=(format!("/contracts/{contract}")) { (shown.contract_value_pence.map(pounds).unwrap_or_default()) } },
        ));
    }
    if let Some(reason) = &c.justification {
        rows.push(("Why not the cheapest", html! { (reason) }));
    }
    if let Some(reason) = &c.cancel_reason {
        rows.push(("Why it was cancelled", html! { (reason) }));
    }
    Ok(html! {
        (error_summary(&form.problems))
        (notice(banner))
        span class="nhsuk-caption-l" { "Call-off" }
        h1 { (c.title) }
        (summary(rows))
        @if c.method == CallOffMethod::DirectAward {
            h2 { "The frozen shortlist" }
            p { "Every offer of the framework's catalogue that matched the search when it was saved, priced for a year at the volumes above, cheapest first. It never changes, even if an offer is repriced or withdrawn later." }
            @if deciding {
                form method="post" action=(format!("/call-offs/{}/award", c.id)) novalidate {
                    (csrf_field(&ctx.csrf))
                    (shortlist_table(&entries, Some(chosen), form.error("offer_id")))
                    (Field::new("justification", "Why this offer, if it is not the cheapest").hint("The framework's rule is the lowest annual price at your volumes. Choosing another needs the reason each cheaper offer does not meet your need; it is recorded and published with the award.").textarea(form))
                    button class="nhsuk-button" type="submit" { "Award the call-off" }
                }
                h2 { "Cancel the call-off" }
                form method="post" action=(format!("/call-offs/{}/cancel", c.id)) novalidate {
                    (csrf_field(&ctx.csrf))
                    (Field::new("reason", "Why it ends without an award").textarea(form))
                    button class="nhsuk-button nhsuk-button--warning" type="submit" { "Cancel the call-off" }
                }
            } @else {
                (shortlist_table(&entries, None, None))
            }
        }
    })
}

/// The shortlist as a table; with `chosen`, a radio button per offer to award it.
fn shortlist_table(
    entries: &[persistence::call_offs::ShortlistEntry],
    chosen: Option<&str>,
    error: Option<&str>,
) -> Markup {
    let mut headings = vec![
        "Offer",
        "Supplier",
        "Price",
        "Per year at your volumes",
        "How the year is priced",
        "Supplier rating",
    ];
    if chosen.is_some() {
        headings.insert(0, "Award to");
    }
    let numeric: &[usize] = if chosen.is_some() { &[4] } else { &[3] };
    html! {
        div class=(crate::ui::group_class(error)) id="offer_id" {
            (crate::ui::inline_error("offer_id", error))
            (table("The frozen shortlist", &headings, numeric,
                entries.iter().enumerate().map(|(i, e)| {
                    let mut row = vec![
                        html! { a href=(format!("/offers/{}", e.offer_id)) { (e.title) } },
                        html! { (e.supplier_name) },
                        html! { (domain::offer::price_label(e.pricing_unit, e.unit_price_pence)) },
                        html! { strong { (pounds(e.annual_price_pence)) } @if i == 0 { " (the cheapest)" } },
                        html! { (e.basis) },
                        html! { (frozen_rating(e.rating.as_ref())) },
                    ];
                    if let Some(chosen) = chosen {
                        let value = e.offer_id.to_string();
                        row.insert(0, html! {
                            div class="nhsuk-radios nhsuk-radios--small" {
                                div class="nhsuk-radios__item" {
                                    input class="nhsuk-radios__input" id=(format!("offer-{i}")) name="offer_id" type="radio" value=(value) checked[value == chosen];
                                    label class="nhsuk-label nhsuk-radios__label" for=(format!("offer-{i}")) {
                                        span class="nhsuk-u-visually-hidden" { "Award to " (e.supplier_name) ": " (e.title) }
                                    }
                                }
                            }
                        });
                    }
                    row
                }).collect()))
        }
    }
}

async fn call_off_page(ctx: Ctx, Path(id): Path<String>, Query(banner): Query<Done>) -> Response {
    let built = call_off_content(&ctx, &id, &FormState::default(), banner.message()).await;
    ctx.show("Call-off", built)
}

/// After a call-off form: to the call-off, or its page again with the problem.
async fn decided(
    ctx: &Ctx,
    id: &str,
    posted: &Posted,
    result: Result<CallOffView, ServiceError>,
    code: &str,
) -> Response {
    match result {
        Ok(shown) => done(&format!("/call-offs/{}", shown.call_off.id), code),
        Err(error) if error.refuses_access() => ctx.error(error),
        Err(error) => {
            let form = FormState::failed(posted, &error);
            let built = call_off_content(ctx, id, &form, None).await;
            ctx.show_again("Call-off", &error, built)
        }
    }
}

async fn award_call_off(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let call_off = CallOffId::from_uuid(parse_id(&id)?);
        let offer = OfferId::from_uuid(posted.id("offer_id", "choose an offer of the shortlist")?);
        let justification = Some(posted.text("justification").trim()).filter(|j| !j.is_empty());
        service::call_offs::award(&ctx.state.ctx, &ctx.actor, call_off, offer, justification).await
    }
    .await;
    decided(&ctx, &id, &posted, result, "called_off").await
}

async fn cancel_call_off(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let call_off = CallOffId::from_uuid(parse_id(&id)?);
        service::call_offs::cancel(&ctx.state.ctx, &ctx.actor, call_off, posted.text("reason"))
            .await
    }
    .await;
    decided(&ctx, &id, &posted, result, "call_off_cancelled").await
}

/// Query values as a form's values (a link from the catalogue fills the search in).
fn prefilled(params: &HashMap<String, String>, keys: &[&str]) -> HashMap<String, String> {
    keys.iter()
        .filter_map(|k| params.get(*k).map(|v| ((*k).to_owned(), v.clone())))
        .collect()
}
