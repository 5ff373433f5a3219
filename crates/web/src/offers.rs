//! Catalogue pages: the search with every filter and order the API offers, an offer with its
//! price history and its supplier's rating, the comparison of up to ten offers, and the
//! supplier's own offers (create, edit, reprice, publish, withdraw). Every read and change is the
//! service's own query or command.

use super::ui::{
    Ctx, Done, Field, FormState, Posted, category_options, choices, csrf_field, done,
    error_summary, inline_error, notice, parse_id, parse_pounds, pounds_field, region_options,
    summary, table, when, words,
};
use crate::WebState;
use crate::ui::Content;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{get, post};
use domain::FieldError;
use domain::ids::{OfferId, OrganisationId};
use domain::offer::{AnnualisationBasis, OfferFields, OfferStatus, PricingUnit};
use domain::organisation::Region;
use domain::pagination::PageRequest;
use domain::user::Role;
use maud::html;
use service::contracts::Rating;
use service::offers::{OfferMove, OfferQuery, SortOrder};
use service::{Expected, ServiceError};
use std::collections::HashMap;
use std::str::FromStr;

pub fn routes() -> Router<WebState> {
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

pub(crate) fn rating_text(rating: Option<&Rating>) -> String {
    match rating {
        Some(r) => format!("{:.1} of 5 ({} reviews)", r.overall, r.reviews),
        None => "Not yet rated".to_owned(),
    }
}

/// Every supplier, merged ones too (the catalogue can be searched by a past supplier's name).
async fn supplier_options(ctx: &Ctx) -> Result<Vec<(String, String)>, ServiceError> {
    let suppliers = service::reference::suppliers(&ctx.state.ctx, false).await?;
    Ok(suppliers
        .into_iter()
        .map(|s| (s.id.as_uuid().to_string(), s.name))
        .collect())
}

pub(crate) fn unit_options(any: Option<&str>) -> Vec<(String, String)> {
    any.map(|label| (String::new(), label.to_owned()))
        .into_iter()
        .chain(
            PricingUnit::ALL
                .iter()
                .map(|u| (u.as_str().to_owned(), words(u.as_str()))),
        )
        .collect()
}

/// A filter's value, `None` when left empty.
fn filled<'a>(params: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    params.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// Reads a coded filter; an unknown code is an error at its field.
fn coded<T: FromStr>(
    params: &HashMap<String, String>,
    key: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let raw = filled(params, key)?;
    raw.parse().ok().or_else(|| {
        errors.push(FieldError::new(
            format!("/{key}"),
            "is not one of the choices",
        ));
        None
    })
}

/// The catalogue form's filters as the service's search; a filter that cannot even be read is
/// an error at its field.
fn catalogue_query(
    params: &HashMap<String, String>,
) -> Result<(OfferQuery, Result<PageRequest, domain::DomainError>), ServiceError> {
    let mut errors = Vec::new();
    let mut pounds = |key: &str| {
        let raw = filled(params, key)?;
        parse_pounds(raw).or_else(|| {
            errors.push(FieldError::new(
                format!("/{key}"),
                "must be an amount in pounds, like 650 or 650.50",
            ));
            None
        })
    };
    let min_price_pence = pounds("min_price_pence");
    let max_price_pence = pounds("max_price_pence");
    let sort = match filled(params, "sort") {
        None | Some("relevance") => SortOrder::Relevance,
        Some("price_asc") => SortOrder::PriceAsc,
        Some("price_desc") => SortOrder::PriceDesc,
        Some("newest") => SortOrder::Newest,
        Some("rating") => SortOrder::Rating,
        Some(_) => {
            errors.push(FieldError::new("/sort", "is not one of the choices"));
            SortOrder::Relevance
        }
    };
    let page = match filled(params, "page").map(str::parse::<u64>) {
        None => None,
        Some(Ok(page)) => Some(page),
        Some(Err(_)) => {
            errors.push(FieldError::new("/page", "must be a page number"));
            None
        }
    };
    let mut id_of = |field: &str| {
        filled(params, field).and_then(|raw| {
            uuid::Uuid::parse_str(raw)
                .map_err(|_| errors.push(FieldError::new(format!("/{field}"), "is not one")))
                .ok()
        })
    };
    let framework = id_of("framework").map(domain::ids::FrameworkId::from_uuid);
    let lot = id_of("lot").map(domain::ids::LotId::from_uuid);
    let query = OfferQuery {
        framework,
        lot,
        q: filled(params, "q").map(str::to_owned),
        category: filled(params, "category").map(str::to_owned),
        region: coded::<Region>(params, "region", &mut errors),
        supplier: filled(params, "supplier").and_then(|raw| {
            uuid::Uuid::parse_str(raw)
                .map(OrganisationId::from_uuid)
                .map_err(|_| errors.push(FieldError::new("/supplier", "is not a supplier")))
                .ok()
        }),
        pricing_unit: coded::<PricingUnit>(params, "pricing_unit", &mut errors),
        min_price_pence,
        max_price_pence,
        status: None,
        sort,
    };
    if errors.is_empty() {
        Ok((query, PageRequest::new(page, Some(20))))
    } else {
        Err(ServiceError::Validation(errors))
    }
}

/// The direct award call-off form with the framework catalogue's search filled in.
fn call_off_link(framework: &str, params: &HashMap<String, String>) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (key, field) in [
        ("lot", "lot_id"),
        ("q", "q"),
        ("region", "region"),
        ("pricing_unit", "pricing_unit"),
    ] {
        if let Some(value) = filled(params, key) {
            out.append_pair(field, value);
        }
    }
    format!("/frameworks/{framework}/call-off?{}", out.finish())
}

/// The catalogue: a GET form (bookmarkable, no script needed) with every filter of
/// `GET /api/v1/offers`, the results with each supplier's rating, and ticks to compare offers.
async fn catalogue_content(ctx: &Ctx, params: &HashMap<String, String>) -> Content {
    let categories = category_options(ctx).await?;
    let suppliers = supplier_options(ctx).await?;
    let mut form = FormState::new(params.clone());
    let found = match catalogue_query(params) {
        Ok((query, page)) => {
            match service::offers::search(&ctx.state.ctx, &ctx.actor, query, page).await {
                Ok(found) => Some(found),
                Err(error @ ServiceError::Validation(_)) => {
                    form.problems = super::ui::problems_of(&error);
                    None
                }
                Err(error) => return Err(error),
            }
        }
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
    let page = crate::ui::page_number(params, 1_000_000);
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
        @if let Some(framework) = filled(params, "framework") {
            p { "Only the offers its suppliers list in " a href=(format!("/frameworks/{framework}")) { "a framework's catalogue" } @if filled(params, "lot").is_some() { ", on one lot" } "." }
            @if ctx.actor.role == Role::BuyerLead {
                p { a class="nhsuk-button nhsuk-button--secondary" href=(call_off_link(framework, params)) { "Call off by direct award with this search" } }
            }
        }
        form method="get" action="/catalogue" novalidate {
            @for key in ["framework", "lot"] {
                @if let Some(value) = filled(params, key) { input type="hidden" name=(key) value=(value); }
            }
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
                                    input class="nhsuk-checkboxes__input" id=(format!("compare-{i}")) name="ids" type="checkbox" value=(o.listing.id);
                                    label class="nhsuk-label nhsuk-checkboxes__label" for=(format!("compare-{i}")) { span class="nhsuk-u-visually-hidden" { "Compare " (o.listing.title) } }
                                }
                            },
                            html! { a href=(format!("/offers/{}", o.listing.id)) { (o.listing.title) } br; span class="nhsuk-body-s" { (o.listing.summary) } },
                            html! { (o.listing.supplier_name) },
                            html! { (domain::offer::price_label(o.listing.pricing_unit, o.listing.unit_price_pence)) },
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
async fn compare_content(ctx: &Ctx, raw: &[(String, String)]) -> Content {
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
    let values: HashMap<String, String> = raw.iter().filter(|(k, _)| k != "ids").cloned().collect();
    let mut form = FormState::new(values);
    let compared = match compare_basis(&value) {
        Ok(basis) => {
            match service::offers::compare(&ctx.state.ctx, &ctx.actor, &ids.join(","), &basis).await
            {
                Ok(c) => Some(c),
                Err(error @ ServiceError::Validation(_)) => {
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
            }
        }
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
                c.iter().map(|i| vec![
                    html! { a href=(format!("/offers/{}", i.offer.listing.id)) { (i.offer.listing.title) } },
                    html! { (i.offer.listing.supplier_name) },
                    html! { (domain::offer::price_label(i.offer.listing.pricing_unit, i.offer.listing.unit_price_pence)) },
                    html! { (i.annual_price_pence.map(domain::money::pounds).unwrap_or_else(|| "—".to_owned())) },
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

/// The buyer's volumes; a volume that is not a whole number is an error at its field.
pub(crate) fn compare_basis<'a>(
    value: &impl Fn(&str) -> Option<&'a str>,
) -> Result<AnnualisationBasis, ServiceError> {
    let mut errors = Vec::new();
    let mut number = |key: &str| -> Option<u64> {
        let raw = value(key)?;
        raw.parse().ok().or_else(|| {
            errors.push(FieldError::new(format!("/{key}"), "must be a whole number"));
            None
        })
    };
    let fte = number("fte");
    let population = number("population");
    let days_per_year = number("days_per_year");
    let transactions_per_year = number("transactions_per_year");
    let small = |n: Option<u64>, key: &str, errors: &mut Vec<FieldError>| {
        n.map(|n| {
            u32::try_from(n).unwrap_or_else(|_| {
                errors.push(FieldError::new(format!("/{key}"), "is out of range"));
                0
            })
        })
    };
    let basis = AnnualisationBasis {
        fte: small(fte, "fte", &mut errors),
        population,
        days_per_year: small(days_per_year, "days_per_year", &mut errors),
        transactions_per_year,
    };
    if errors.is_empty() {
        Ok(basis)
    } else {
        Err(ServiceError::Validation(errors))
    }
}

async fn compare(ctx: Ctx, Query(raw): Query<Vec<(String, String)>>) -> Response {
    let built = compare_content(&ctx, &raw).await;
    ctx.show("Compare offers", built)
}

async fn offer_content(ctx: &Ctx, id: &str, banner: Option<&str>) -> Content {
    let offer_id = OfferId::from_uuid(parse_id(id)?);
    let service = &ctx.state.ctx;
    let offer = service::offers::get(service, &ctx.actor, offer_id, None).await?;
    let history = service::offers::price_history(
        service,
        &ctx.actor,
        offer_id,
        PageRequest::new(Some(1), Some(100))?,
    )
    .await?;
    let (_, rating) = service::contracts::rating_of(service, offer.supplier_id).await?;
    let own =
        ctx.actor.role == Role::SupplierBidder && ctx.actor.organisation_id == offer.supplier_id;
    let status = offer.status;
    let listing = crate::frameworks::listing::section(ctx, &offer).await?;
    Ok(html! {
        (notice(banner))
        span class="nhsuk-caption-l" { (offer.supplier_name) }
        h1 { (offer.title) }
        p class="nhsuk-lede-text" { (offer.summary) }
        (summary(vec![
            ("Price", html! { strong { (offer.price_label) } }),
            ("Category", html! { (offer.category) }),
            ("Regions", html! { (offer.regions.iter().map(|r| words(r.code())).collect::<Vec<_>>().join(", ")) }),
            ("Minimum term", html! { (offer.minimum_term_months.map(|m| format!("{m} months")).unwrap_or_else(|| "None".to_owned())) }),
            ("State", html! { (words(status.as_str())) }),
            ("Supplier rating", html! { (rating_text(rating.as_ref())) }),
        ]))
        @if own {
            div class="mkt-inline-forms" {
                @if status != OfferStatus::Withdrawn {
                    a class="nhsuk-button nhsuk-button--secondary" href=(format!("/offers/{id}/edit")) { "Edit or reprice" } " "
                }
                @if status == OfferStatus::Draft {
                    form method="post" action=(format!("/offers/{id}/publish")) {
                        (csrf_field(&ctx.csrf))
                        input type="hidden" name="version" value=(offer.version);
                        button class="nhsuk-button" type="submit" { "Publish" }
                    }
                }
                @if status == OfferStatus::Published {
                    form method="post" action=(format!("/offers/{id}/withdraw")) {
                        (csrf_field(&ctx.csrf))
                        input type="hidden" name="version" value=(offer.version);
                        button class="nhsuk-button nhsuk-button--warning" type="submit" { "Withdraw" }
                    }
                }
            }
        }
        (listing)
        h2 { "Description" }
        p class="mkt-pre" { (offer.description) }
        h2 { "Price history" }
        (table("Price history", &["In force from", "Pricing unit", "Unit price"], &[2],
            history.items.iter().map(|h| vec![
                html! { (when(h.effective_from)) },
                html! { (words(h.pricing_unit.as_str())) },
                html! { (domain::money::pounds(h.unit_price_pence)) },
            ]).collect()))
    })
}

async fn offer_page(ctx: Ctx, Path(id): Path<String>, Query(banner): Query<Done>) -> Response {
    let built = offer_content(&ctx, &id, banner.message()).await;
    ctx.show("Offer", built)
}

async fn my_offers_content(ctx: &Ctx, banner: Option<&str>) -> Content {
    ctx.require(&domain::offer::OFFER_MANAGERS)?;
    let offers = service::offers::own(&ctx.state.ctx, &ctx.actor, None).await?;
    Ok(html! {
        (notice(banner))
        h1 { "Your organisation's offers" }
        p { a class="nhsuk-button" href="/offers/new" { "Create an offer" } }
        @if offers.is_empty() {
            p { "None yet." }
        } @else {
            (table("Your offers", &["Offer", "Price", "State"], &[],
                offers.iter().map(|o| vec![
                    html! { a href=(format!("/offers/{}", o.id.as_uuid())) { (o.details.title) } },
                    html! { (domain::offer::price_label(o.details.pricing_unit, o.details.unit_price_pence)) },
                    html! { (words(o.status.as_str())) },
                ]).collect()))
        }
    })
}

async fn my_offers(ctx: Ctx, Query(banner): Query<Done>) -> Response {
    let built = my_offers_content(&ctx, banner.message()).await;
    ctx.show("Your offers", built)
}

async fn offer_form(
    ctx: &Ctx,
    action: &str,
    heading: &str,
    form: &FormState,
    regions: &[String],
) -> Content {
    let categories = category_options(ctx).await?;
    let fields = html! {
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
    };
    Ok(crate::ui::edit_form(
        ctx, heading, action, form, fields, "Save",
    ))
}

/// The offer form as the fields the service takes; a price or a term that cannot even be read
/// is an error at its field.
struct OfferForm {
    regions: Vec<Region>,
    pricing_unit: Option<PricingUnit>,
    unit_price_pence: Option<i64>,
    minimum_term_months: Option<i32>,
}

fn offer_form_fields(posted: &Posted) -> Result<OfferForm, ServiceError> {
    let mut errors = Vec::new();
    let mut regions = Vec::new();
    for code in posted.all("regions") {
        match code.parse() {
            Ok(region) => regions.push(region),
            Err(_) => errors.push(FieldError::new("/regions", "is not one of the regions")),
        }
    }
    let unit = posted.get("pricing_unit");
    let pricing_unit = if unit.is_empty() {
        errors.push(FieldError::new("/pricing_unit", "choose a pricing unit"));
        None
    } else {
        unit.parse().ok().or_else(|| {
            errors.push(FieldError::new(
                "/pricing_unit",
                "is not one of the choices",
            ));
            None
        })
    };
    let unit_price_pence = parse_pounds(posted.get("unit_price_pence")).or_else(|| {
        errors.push(FieldError::new(
            "/unit_price_pence",
            "must be an amount in pounds, like 650 or 650.50",
        ));
        None
    });
    let term = posted.get("minimum_term_months").trim();
    let minimum_term_months = if term.is_empty() {
        None
    } else {
        term.parse().ok().or_else(|| {
            errors.push(FieldError::new(
                "/minimum_term_months",
                "must be a whole number of months",
            ));
            None
        })
    };
    if errors.is_empty() {
        Ok(OfferForm {
            regions,
            pricing_unit,
            unit_price_pence,
            minimum_term_months,
        })
    } else {
        Err(ServiceError::Validation(errors))
    }
}

impl OfferForm {
    fn fields<'a>(&'a self, posted: &'a Posted) -> OfferFields<'a> {
        OfferFields {
            category: Some(posted.get("category")),
            title: Some(posted.get("title")),
            summary: Some(posted.get("summary")),
            description: Some(posted.text("description").trim()),
            regions: Some(&self.regions),
            pricing_unit: self.pricing_unit,
            unit_price_pence: self.unit_price_pence,
            minimum_term_months: Some(self.minimum_term_months),
        }
    }
}

async fn new_offer(ctx: Ctx) -> Response {
    let built = async {
        ctx.require(&domain::offer::OFFER_MANAGERS)?;
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
    error: ServiceError,
) -> Response {
    if error.refuses_access() {
        return ctx.error(error);
    }
    let form = FormState::failed(posted, &error);
    let regions: Vec<String> = posted.all_owned("regions");
    let built = offer_form(ctx, action, heading, &form, &regions).await;
    ctx.show_again(heading, &error, built)
}

async fn create_offer(ctx: Ctx, posted: Posted) -> Response {
    let created = async {
        let form = offer_form_fields(&posted)?;
        service::offers::create(&ctx.state.ctx, &ctx.actor, &form.fields(&posted)).await
    }
    .await;
    match created {
        Ok(offer) => done(&format!("/offers/{}", offer.id), "created"),
        Err(error) => {
            show_offer_form_again(&ctx, "/offers/new", "Create an offer", &posted, error).await
        }
    }
}

async fn edit_offer(ctx: Ctx, Path(id): Path<String>) -> Response {
    let built = async {
        ctx.require(&domain::offer::OFFER_MANAGERS)?;
        let uuid = parse_id(&id)?;
        let offer =
            service::offers::get(&ctx.state.ctx, &ctx.actor, OfferId::from_uuid(uuid), None)
                .await?;
        if offer.supplier_id != ctx.actor.organisation_id {
            return Err(ServiceError::NotFound("No such offer.".to_owned()));
        }
        let mut values = HashMap::new();
        values.insert("version".to_owned(), offer.version.to_string());
        values.insert("title".to_owned(), offer.title.clone());
        values.insert("category".to_owned(), offer.category.clone());
        values.insert("summary".to_owned(), offer.summary.clone());
        values.insert("description".to_owned(), offer.description.clone());
        values.insert(
            "pricing_unit".to_owned(),
            offer.pricing_unit.as_str().to_owned(),
        );
        values.insert(
            "unit_price_pence".to_owned(),
            pounds_field(offer.unit_price_pence),
        );
        if let Some(term) = offer.minimum_term_months {
            values.insert("minimum_term_months".to_owned(), term.to_string());
        }
        let regions: Vec<String> = offer.regions.iter().map(|r| r.code().to_owned()).collect();
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
        return ctx.error(ServiceError::NotFound("No such offer.".to_owned()));
    };
    let version = posted.get("version").parse::<i32>().unwrap_or_default();
    let updated = async {
        let form = offer_form_fields(&posted)?;
        service::offers::update(
            &ctx.state.ctx,
            &ctx.actor,
            OfferId::from_uuid(uuid),
            &Expected::version(version),
            &form.fields(&posted),
        )
        .await
    }
    .await;
    match updated {
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
        let (offer, expected) = (OfferId::from_uuid(uuid), Expected::version(version));
        let to = if publish {
            OfferMove::Publish
        } else {
            OfferMove::Withdraw
        };
        service::offers::transition(&ctx.state.ctx, &ctx.actor, offer, &expected, to).await?;
        Ok::<_, ServiceError>(uuid)
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
