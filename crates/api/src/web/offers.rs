//! Catalogue pages: the search with every filter and order the API offers, an offer with its
//! price history and its supplier's rating, the comparison of up to ten offers, and the
//! supplier's own offers (create, edit, reprice, publish, withdraw). Every read and change is the
//! API's own handler.

use super::ui::{
    Ctx, Done, Field, FormState, Posted, body, category_options, choices, code_of, csrf_field,
    done, error_summary, inline_error, notice, parse_id, pence_of_pounds, pounds_field,
    region_options, summary, table, when, words,
};
use crate::auth::AuthUser;
use crate::concurrency::IfMatch;
use crate::error::ApiError;
use crate::extract::{PathParams, QueryParams};
use crate::routes::offers as api;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use domain::offer::{OfferStatus, PricingUnit};
use domain::organisation::{OrganisationKind, Region};
use domain::user::Role;
use maud::{Markup, html};
use serde_json::json;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/catalogue", get(catalogue))
        .route("/compare", get(compare))
        .route("/offers/mine", get(my_offers))
        .route("/offers/new", get(new_offer).post(create_offer))
        .route("/offers/{id}", get(offer_page))
        .route("/offers/{id}/edit", get(edit_offer).post(update_offer))
        .route("/offers/{id}/publish", post(publish_offer))
        .route("/offers/{id}/withdraw", post(withdraw_offer))
}

fn rating_text(rating: Option<&crate::routes::contracts::RatingResponse>) -> String {
    match rating {
        Some(r) => format!("{:.1} of 5 ({} reviews)", r.overall, r.reviews),
        None => "Not yet rated".to_owned(),
    }
}

/// Every supplier, merged ones too (the catalogue can be searched by a past supplier's name).
async fn supplier_options(ctx: &Ctx) -> Result<Vec<(String, String)>, ApiError> {
    let suppliers = persistence::organisations::list(
        ctx.state.db.conn(),
        &persistence::organisations::OrganisationFilter {
            kind: Some(OrganisationKind::Supplier),
        },
        domain::pagination::PageRequest::new(Some(1), Some(100))?,
    )
    .await?;
    Ok(suppliers
        .items
        .into_iter()
        .map(|s| (s.id.as_uuid().to_string(), s.name))
        .collect())
}

fn unit_options(any: Option<&str>) -> Vec<(String, String)> {
    any.map(|label| (String::new(), label.to_owned()))
        .into_iter()
        .chain(
            PricingUnit::ALL
                .iter()
                .map(|u| (u.as_str().to_owned(), words(u.as_str()))),
        )
        .collect()
}

/// The catalogue: a GET form (bookmarkable, no script needed) with every filter of
/// `GET /api/v1/offers`, the results with each supplier's rating, and ticks to compare offers.
async fn catalogue_content(
    ctx: &Ctx,
    params: &HashMap<String, String>,
) -> Result<Markup, ApiError> {
    let categories = category_options(ctx).await?;
    let suppliers = supplier_options(ctx).await?;
    let mut query = serde_json::Map::new();
    for key in [
        "q",
        "category",
        "region",
        "supplier",
        "pricing_unit",
        "sort",
        "page",
    ] {
        if let Some(v) = params.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            query.insert(
                key.to_owned(),
                if key == "page" {
                    super::ui::number_or_text(v)
                } else {
                    json!(v)
                },
            );
        }
    }
    for key in ["min_price_pence", "max_price_pence"] {
        if let Some(v) = params.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            query.insert(key.to_owned(), pence_of_pounds(v));
        }
    }
    query.insert("per_page".to_owned(), json!(20));
    let mut form = FormState::new(params.clone());
    let found = match body::<api::OfferSearchQuery>(serde_json::Value::Object(query)) {
        Ok(q) => match api::search_offers(
            State(ctx.state.clone()),
            AuthUser(ctx.actor),
            QueryParams(q.0),
        )
        .await
        {
            Ok(axum::Json(found)) => Some(found),
            Err(error @ (ApiError::Validation(_) | ApiError::BadRequest(_))) => {
                form.problems = super::ui::problems_of(&error);
                None
            }
            Err(error) => return Err(error),
        },
        Err(error) => {
            form.problems = super::ui::problems_of(&error);
            None
        }
    };
    let regions = region_options();
    let sorts: Vec<(String, String)> = [
        ("relevance", "Best match"),
        ("price_asc", "Price, lowest first"),
        ("price_desc", "Price, highest first"),
        ("rating", "Supplier rating"),
        ("newest", "Newest"),
    ]
    .iter()
    .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
    .collect();
    let page = params
        .get("page")
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(1)
        .max(1);
    let next = {
        let mut p = params.clone();
        p.insert("page".to_owned(), (page + 1).to_string());
        let mut out = form_urlencoded::Serializer::new(String::new());
        let mut keys: Vec<_> = p.keys().cloned().collect();
        keys.sort();
        for k in keys {
            out.append_pair(&k, &p[&k]);
        }
        out.finish()
    };
    Ok(html! {
        (error_summary(&form.problems))
        h1 { "Catalogue" }
        form method="get" action="/catalogue" novalidate {
            (Field::new("q", "Search offers").kind("search").input(&form))
            div class="nhsuk-grid-row" {
                div class="nhsuk-grid-column-one-half" {
                    (Field::new("category", "Category").select(&form, &choices("Any category", categories.clone())))
                    (Field::new("region", "Region").select(&form, &choices("Any region", regions.clone())))
                    (Field::new("supplier", "Supplier").select(&form, &choices("Any supplier", suppliers.clone())))
                }
                div class="nhsuk-grid-column-one-half" {
                    (Field::new("pricing_unit", "Pricing unit").select(&form, &unit_options(Some("Any pricing unit"))))
                    (Field::new("min_price_pence", "Lowest unit price, in pounds").width("10").input(&form))
                    (Field::new("max_price_pence", "Highest unit price, in pounds").width("10").input(&form))
                }
            }
            (Field::new("sort", "Order").select(&form, &sorts))
            button class="nhsuk-button" type="submit" { "Search" }
        }
        @if let Some(found) = &found {
            p { (if found.total_exact { format!("{} offers found", found.total) } else { format!("More than {} offers found", found.total) }) }
            @if !found.items.is_empty() {
                form method="get" action="/compare" {
                    (table("Offers found", &["Compare", "Offer", "Supplier", "Price", "Supplier rating"], &[],
                        found.items.iter().enumerate().map(|(i, o)| vec![
                            html! {
                                div class="nhsuk-checkboxes__item" {
                                    input class="nhsuk-checkboxes__input" id=(format!("compare-{i}")) name="ids" type="checkbox" value=(o.id);
                                    label class="nhsuk-label nhsuk-checkboxes__label" for=(format!("compare-{i}")) { span class="nhsuk-u-visually-hidden" { "Compare " (o.title) } }
                                }
                            },
                            html! { a href=(format!("/offers/{}", o.id)) { (o.title) } br; span class="nhsuk-body-s" { (o.summary) } },
                            html! { (o.supplier_name) },
                            html! { (o.price_label) },
                            html! { (rating_text(o.supplier_rating.as_ref())) },
                        ]).collect()))
                    button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Compare the ticked offers (up to 10)" }
                }
                @if page * 20 < found.total {
                    p { a href=(format!("/catalogue?{next}")) { "Next page of offers" } }
                }
            }
        }
    })
}

async fn catalogue(ctx: Ctx, Query(params): Query<HashMap<String, String>>) -> Response {
    let built = catalogue_content(&ctx, &params).await;
    ctx.show("Catalogue", built)
}

/// Up to ten offers side by side, each priced per year where its unit allows (the API's own
/// annualisation, with the volumes the buyer gives).
async fn compare_content(ctx: &Ctx, raw: &[(String, String)]) -> Result<Markup, ApiError> {
    let ids: Vec<&str> = raw
        .iter()
        .filter(|(k, _)| k == "ids")
        .flat_map(|(_, v)| v.split(','))
        .filter(|v| !v.is_empty())
        .collect();
    let value = |key: &str| {
        raw.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let mut query = json!({ "ids": ids.join(",") });
    for key in [
        "fte",
        "population",
        "days_per_year",
        "transactions_per_year",
    ] {
        if let Some(v) = value(key) {
            query[key] = super::ui::number_or_text(v);
        }
    }
    let values: HashMap<String, String> = raw.iter().filter(|(k, _)| k != "ids").cloned().collect();
    let mut form = FormState::new(values);
    let compared = match body::<api::CompareQuery>(query) {
        Ok(q) => match api::compare_offers(
            State(ctx.state.clone()),
            AuthUser(ctx.actor),
            QueryParams(q.0),
        )
        .await
        {
            Ok(axum::Json(c)) => Some(c),
            Err(error @ (ApiError::Validation(_) | ApiError::BadRequest(_))) => {
                form.problems = super::ui::problems_of(&error);
                // The offers are ticked in the catalogue, not on this page.
                for p in &mut form.problems {
                    if p.field.as_deref() == Some("ids") {
                        p.field = None;
                    }
                }
                None
            }
            Err(error) => return Err(error),
        },
        Err(error) => {
            form.problems = super::ui::problems_of(&error);
            None
        }
    };
    Ok(html! {
        (error_summary(&form.problems))
        h1 { "Compare offers" }
        @if let Some(c) = &compared {
            (table("Offers compared", &["Offer", "Supplier", "Price", "Per year", "How the year is priced", "Supplier rating"], &[3],
                c.items.iter().map(|i| vec![
                    html! { a href=(format!("/offers/{}", i.offer.id)) { (i.offer.title) } },
                    html! { (i.offer.supplier_name) },
                    html! { (i.offer.price_label) },
                    html! { (i.annual_price_pence.map(crate::dto::pounds).unwrap_or_else(|| "—".to_owned())) },
                    html! { (i.annualisation) },
                    html! { (rating_text(i.offer.supplier_rating.as_ref())) },
                ]).collect()))
        }
        h2 { "Price a year at your volumes" }
        form method="get" action="/compare" novalidate {
            @for id in &ids { input type="hidden" name="ids" value=(id); }
            (Field::new("fte", "Full-time staff (for per-FTE prices)").width("5").input(&form))
            (Field::new("population", "Population served (for per-1,000-population prices)").width("10").input(&form))
            (Field::new("days_per_year", "Days a year (for day rates)").width("5").input(&form))
            (Field::new("transactions_per_year", "Transactions a year (for per-transaction prices)").width("10").input(&form))
            button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Compare again" }
        }
        p { a href="/catalogue" { "Back to the catalogue" } }
    })
}

async fn compare(ctx: Ctx, Query(raw): Query<Vec<(String, String)>>) -> Response {
    let built = compare_content(&ctx, &raw).await;
    ctx.show("Compare offers", built)
}

async fn offer_content(
    ctx: &Ctx,
    id: &str,
    confirmation: Option<&str>,
) -> Result<Markup, ApiError> {
    let uuid = parse_id(id)?;
    let s = || State(ctx.state.clone());
    let no_date = || QueryParams(api::OfferAtQuery { at: None });
    let (_, axum::Json(offer)) =
        api::get_offer(s(), AuthUser(ctx.actor), PathParams(uuid), no_date()).await?;
    let page = serde_json::from_value(json!({ "per_page": 100 })).map_err(ApiError::internal)?;
    let axum::Json(history) = api::get_offer_price_history(
        s(),
        AuthUser(ctx.actor),
        PathParams(uuid),
        QueryParams(page),
    )
    .await?;
    let axum::Json(rating) = crate::routes::contracts::get_rating(
        s(),
        AuthUser(ctx.actor),
        PathParams(offer.supplier_id),
    )
    .await?;
    let own = ctx.actor.role == Role::SupplierBidder
        && ctx.actor.organisation_id.as_uuid() == offer.supplier_id;
    let status = code_of(&offer.status);
    Ok(html! {
        (notice(confirmation))
        span class="nhsuk-caption-l" { (offer.supplier_name) }
        h1 { (offer.title) }
        p class="nhsuk-lede-text" { (offer.summary) }
        (summary(vec![
            ("Price", html! { strong { (offer.price_label) } }),
            ("Category", html! { (offer.category) }),
            ("Regions", html! { (offer.regions.iter().map(|r| words(&code_of(r))).collect::<Vec<_>>().join(", ")) }),
            ("Minimum term", html! { (offer.minimum_term_months.map(|m| format!("{m} months")).unwrap_or_else(|| "None".to_owned())) }),
            ("State", html! { (words(&status)) }),
            ("Supplier rating", html! { (rating_text(rating.rating.as_ref())) }),
        ]))
        @if own {
            div class="mkt-inline-forms" {
                @if status != "withdrawn" {
                    a class="nhsuk-button nhsuk-button--secondary" href=(format!("/offers/{id}/edit")) { "Edit or reprice" } " "
                }
                @if status == "draft" {
                    form method="post" action=(format!("/offers/{id}/publish")) {
                        (csrf_field(&ctx.csrf))
                        input type="hidden" name="version" value=(offer.version);
                        button class="nhsuk-button" type="submit" { "Publish" }
                    }
                }
                @if status == "published" {
                    form method="post" action=(format!("/offers/{id}/withdraw")) {
                        (csrf_field(&ctx.csrf))
                        input type="hidden" name="version" value=(offer.version);
                        button class="nhsuk-button nhsuk-button--warning" type="submit" { "Withdraw" }
                    }
                }
            }
        }
        h2 { "Description" }
        p class="mkt-pre" { (offer.description) }
        h2 { "Price history" }
        (table("Price history", &["In force from", "Pricing unit", "Unit price"], &[2],
            history.items.iter().map(|h| vec![
                html! { (when(h.effective_from)) },
                html! { (words(&code_of(&h.pricing_unit))) },
                html! { (crate::dto::pounds(h.unit_price_pence)) },
            ]).collect()))
    })
}

async fn offer_page(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(confirmation): Query<Done>,
) -> Response {
    let built = offer_content(&ctx, &id, confirmation.message()).await;
    ctx.show("Offer", built)
}

async fn my_offers_content(ctx: &Ctx, confirmation: Option<&str>) -> Result<Markup, ApiError> {
    ctx.require(&[Role::SupplierBidder])?;
    let conn = ctx.state.db.conn();
    let mut offers = Vec::new();
    for status in OfferStatus::ALL {
        offers.extend(
            persistence::offers::of_supplier(conn, ctx.actor.organisation_id, status).await?,
        );
    }
    Ok(html! {
        (notice(confirmation))
        h1 { "Your organisation's offers" }
        p { a class="nhsuk-button" href="/offers/new" { "Create an offer" } }
        @if offers.is_empty() {
            p { "None yet." }
        } @else {
            (table("Your offers", &["Offer", "Price", "State"], &[],
                offers.iter().map(|o| vec![
                    html! { a href=(format!("/offers/{}", o.id.as_uuid())) { (o.title) } },
                    html! { (domain::offer::price_label(o.pricing_unit, o.unit_price_pence)) },
                    html! { (words(o.status.as_str())) },
                ]).collect()))
        }
    })
}

async fn my_offers(ctx: Ctx, Query(confirmation): Query<Done>) -> Response {
    let built = my_offers_content(&ctx, confirmation.message()).await;
    ctx.show("Your offers", built)
}

async fn offer_form(
    ctx: &Ctx,
    action: &str,
    heading: &str,
    form: &FormState,
    regions: &[String],
) -> Result<Markup, ApiError> {
    let categories = category_options(ctx).await?;
    Ok(html! {
        (error_summary(&form.problems))
        h1 { (heading) }
        form method="post" action=(action) novalidate {
            (csrf_field(&ctx.csrf))
            @if !form.value("version").is_empty() {
                input type="hidden" name="version" value=(form.value("version"));
            }
            (Field::new("title", "Title").input(form))
            (Field::new("category", "Category").select(form, &choices("Choose a category", categories.clone())))
            (Field::new("summary", "Summary").hint("One or two sentences shown in search results.").input(form))
            (Field::new("description", "Description").textarea(form))
            div class=(if form.error("regions").is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
                fieldset class="nhsuk-fieldset" id="regions" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Regions served" }
                    (inline_error("regions", form.error("regions")))
                    div class="nhsuk-checkboxes" {
                        @for (i, r) in Region::ALL.iter().enumerate() {
                            div class="nhsuk-checkboxes__item" {
                                input class="nhsuk-checkboxes__input" id=(format!("region-{i}")) name="regions" type="checkbox" value=(r.code()) checked[regions.iter().any(|x| x == r.code())];
                                label class="nhsuk-label nhsuk-checkboxes__label" for=(format!("region-{i}")) { (r.name()) }
                            }
                        }
                    }
                }
            }
            (Field::new("pricing_unit", "Pricing unit").select(form, &unit_options(None)))
            (Field::new("unit_price_pence", "Unit price, in pounds").hint("A new price keeps the old one in the offer's price history.").width("10").input(form))
            (Field::new("minimum_term_months", "Minimum term, in months (optional)").width("4").input(form))
            button class="nhsuk-button" type="submit" { "Save" }
        }
    })
}

fn offer_request(posted: &Posted) -> serde_json::Value {
    let term = posted.get("minimum_term_months");
    json!({
        "title": posted.get("title"),
        "category": posted.get("category"),
        "summary": posted.get("summary"),
        "description": posted.text("description").trim(),
        "regions": posted.all("regions"),
        "pricing_unit": posted.get("pricing_unit"),
        "unit_price_pence": pence_of_pounds(posted.get("unit_price_pence")),
        "minimum_term_months": if term.is_empty() { serde_json::Value::Null } else { super::ui::number_or_text(term) },
    })
}

async fn new_offer(ctx: Ctx) -> Response {
    let built = async {
        ctx.require(&[Role::SupplierBidder])?;
        offer_form(
            &ctx,
            "/offers/new",
            "Create an offer",
            &FormState::default(),
            &[],
        )
        .await
    }
    .await;
    ctx.show("Create an offer", built)
}

async fn show_offer_form_again(
    ctx: &Ctx,
    action: &str,
    heading: &str,
    posted: &Posted,
    error: ApiError,
) -> Response {
    if matches!(error, ApiError::Forbidden(_) | ApiError::NotFound(_)) {
        return ctx.error(error);
    }
    let form = FormState::failed(posted, &error);
    let regions: Vec<String> = posted
        .all("regions")
        .iter()
        .map(|s| s.to_string())
        .collect();
    let built = offer_form(ctx, action, heading, &form, &regions).await;
    ctx.show_again(heading, &error, built)
}

async fn create_offer(ctx: Ctx, posted: Posted) -> Response {
    match api::create_offer(
        State(ctx.state.clone()),
        AuthUser(ctx.actor),
        body(offer_request(&posted)),
    )
    .await
    {
        Ok((_, _, axum::Json(offer))) => done(&format!("/offers/{}", offer.id), "created"),
        Err(error) => {
            show_offer_form_again(&ctx, "/offers/new", "Create an offer", &posted, error).await
        }
    }
}

async fn edit_offer(ctx: Ctx, Path(id): Path<String>) -> Response {
    let built = async {
        ctx.require(&[Role::SupplierBidder])?;
        let uuid = parse_id(&id)?;
        let (_, axum::Json(offer)) = api::get_offer(
            State(ctx.state.clone()),
            AuthUser(ctx.actor),
            PathParams(uuid),
            QueryParams(api::OfferAtQuery { at: None }),
        )
        .await?;
        if offer.supplier_id != ctx.actor.organisation_id.as_uuid() {
            return Err(ApiError::NotFound("No such offer.".to_owned()));
        }
        let mut values = HashMap::new();
        values.insert("version".to_owned(), offer.version.to_string());
        values.insert("title".to_owned(), offer.title.clone());
        values.insert("category".to_owned(), offer.category.clone());
        values.insert("summary".to_owned(), offer.summary.clone());
        values.insert("description".to_owned(), offer.description.clone());
        values.insert("pricing_unit".to_owned(), code_of(&offer.pricing_unit));
        values.insert(
            "unit_price_pence".to_owned(),
            pounds_field(offer.unit_price_pence),
        );
        if let Some(term) = offer.minimum_term_months {
            values.insert("minimum_term_months".to_owned(), term.to_string());
        }
        let regions: Vec<String> = offer.regions.iter().map(code_of).collect();
        offer_form(
            &ctx,
            &format!("/offers/{id}/edit"),
            "Edit the offer",
            &FormState::new(values),
            &regions,
        )
        .await
    }
    .await;
    ctx.show("Edit the offer", built)
}

async fn update_offer(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let Ok(uuid) = parse_id(&id) else {
        return ctx.error(ApiError::NotFound("No such offer.".to_owned()));
    };
    let version = posted.get("version").parse::<i32>().unwrap_or_default();
    match api::update_offer(
        State(ctx.state.clone()),
        AuthUser(ctx.actor),
        PathParams(uuid),
        IfMatch::version(version),
        body(offer_request(&posted)),
    )
    .await
    {
        Ok(_) => done(&format!("/offers/{uuid}"), "saved"),
        Err(error) => {
            show_offer_form_again(
                &ctx,
                &format!("/offers/{uuid}/edit"),
                "Edit the offer",
                &posted,
                error,
            )
            .await
        }
    }
}

async fn offer_transition(ctx: &Ctx, id: &str, posted: &Posted, publish: bool) -> Response {
    let result = async {
        let uuid = parse_id(id)?;
        let version = posted.get("version").parse::<i32>().unwrap_or_default();
        let args = (
            State(ctx.state.clone()),
            AuthUser(ctx.actor),
            PathParams(uuid),
            IfMatch::version(version),
        );
        if publish {
            let _ = api::publish_offer(args.0, args.1, args.2, args.3).await?;
        } else {
            let _ = api::withdraw_offer(args.0, args.1, args.2, args.3).await?;
        }
        Ok::<_, ApiError>(uuid)
    }
    .await;
    match result {
        Ok(uuid) => done(
            &format!("/offers/{uuid}"),
            if publish { "published" } else { "withdrawn" },
        ),
        Err(error) => ctx.error(error),
    }
}

async fn publish_offer(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    offer_transition(&ctx, &id, &posted, true).await
}

async fn withdraw_offer(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    offer_transition(&ctx, &id, &posted, false).await
}
