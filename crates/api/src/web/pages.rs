//! The pages: the NHS layout, sign in and sign out, and the signed-in user's dashboard.

use super::session::{self, SESSION_COOKIE};
use super::ui::{Ctx, csrf_for, layout, page, refused_form};
use crate::dto::pounds;
use crate::error::ApiError;
use crate::routes::auth::sign_in;
use crate::state::AppState;
use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::access::Actor;
use maud::{Markup, html};
use serde::Deserialize;

/// The page routes (HTML, not part of the API contract).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(sign_in_page).post(sign_in_submit))
        .route("/sign-out", post(sign_out))
        .route("/dashboard", get(dashboard))
        .route("/catalogue", get(catalogue))
}

fn sign_in_form(csrf: &str, email: &str, error: Option<&str>) -> Markup {
    layout(
        "Sign in",
        None,
        "/sign-in",
        html! {
            div class="nhsuk-grid-row" {
                div class="nhsuk-grid-column-two-thirds" {
                    @if let Some(message) = error {
                        div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" {
                            h2 class="nhsuk-error-summary__title" id="error-summary-title" { "There is a problem" }
                            div class="nhsuk-error-summary__body" {
                                ul class="nhsuk-list nhsuk-error-summary__list" role="list" {
                                    li { a href="#email" { (message) } }
                                }
                            }
                        }
                    }
                    h1 { "Sign in" }
                    form method="post" action="/sign-in" novalidate {
                        input type="hidden" name="csrf" value=(csrf);
                        div class=(if error.is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
                            label class="nhsuk-label" for="email" { "Email address" }
                            @if let Some(message) = error {
                                span class="nhsuk-error-message" id="email-error" {
                                    span class="nhsuk-u-visually-hidden" { "Error:" } " " (message)
                                }
                            }
                            input class="nhsuk-input" id="email" name="email" type="email" autocomplete="email" spellcheck="false" value=(email);
                        }
                        div class="nhsuk-form-group" {
                            label class="nhsuk-label" for="password" { "Password" }
                            input class="nhsuk-input" id="password" name="password" type="password" autocomplete="current-password";
                        }
                        button class="nhsuk-button" type="submit" data-module="nhsuk-button" { "Sign in" }
                    }
                }
            }
        },
    )
}

async fn sign_in_page(headers: HeaderMap) -> Response {
    let (csrf, cookies) = csrf_for(&headers);
    page(StatusCode::OK, sign_in_form(&csrf, "", None), cookies)
}

/// A submitted form with its CSRF token.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn sign_in_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    if !session::csrf_ok(&headers, &form.csrf) {
        return refused_form();
    }
    match sign_in(&state, &form.email, form.password).await {
        Ok((_, token)) => {
            let mut response = Redirect::to("/dashboard").into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                session::set_cookie(
                    &headers,
                    SESSION_COOKIE,
                    &token,
                    state.tokens.lifetime_seconds,
                ),
            );
            response
        }
        Err(error) => {
            let message = match error {
                ApiError::TooManyRequests { detail, .. } => detail,
                ApiError::Validation(_) => "Enter your email address and password".to_owned(),
                _ => "The email address or password is not right".to_owned(),
            };
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                sign_in_form(&form.csrf, &form.email, Some(&message)),
                Vec::new(),
            )
        }
    }
}

/// A form carrying only its CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn sign_out(headers: HeaderMap, Form(form): Form<CsrfForm>) -> Response {
    if !session::csrf_ok(&headers, &form.csrf) {
        return refused_form();
    }
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(&headers, SESSION_COOKIE, "", 0),
    );
    response
}

async fn dashboard(ctx: Ctx) -> Response {
    let built = dashboard_content(&ctx.state, &ctx.actor).await;
    ctx.show("Dashboard", built)
}

/// What each role sees first: a buyer its tenders by state with their deadlines, a supplier the
/// tenders it may bid on, the regulator the market share by supplier.
async fn dashboard_content(state: &AppState, actor: &Actor) -> Result<Markup, ApiError> {
    use domain::user::Role;
    use persistence::tenders::{TenderAudience, TenderFilter};
    let conn = state.db.conn();
    let now = state.db.now().await?;
    let organisation = persistence::organisations::get(conn, actor.organisation_id)
        .await?
        .name;
    let page_request = domain::pagination::PageRequest::new(Some(1), Some(100))?;
    let tenders_table = |title: &str, items: &[persistence::tenders::TenderListing]| {
        html! {
            h2 { (title) }
            @if items.is_empty() {
                p { "None yet." }
            } @else {
                table class="nhsuk-table" {
                    caption class="nhsuk-table__caption nhsuk-u-visually-hidden" { (title) }
                    thead class="nhsuk-table__head" {
                        tr class="nhsuk-table__row" {
                            th class="nhsuk-table__header" scope="col" { "Tender" }
                            th class="nhsuk-table__header" scope="col" { "Buyer" }
                            th class="nhsuk-table__header" scope="col" { "State" }
                            th class="nhsuk-table__header" scope="col" { "Bids close" }
                            th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col" { "Estimated value" }
                        }
                    }
                    tbody class="nhsuk-table__body" {
                        @for t in items {
                            tr class="nhsuk-table__row" {
                                td class="nhsuk-table__cell" { a href=(format!("/tenders/{}", t.id)) { (t.title) } }
                                td class="nhsuk-table__cell" { (t.buyer_name) }
                                td class="nhsuk-table__cell" { (t.status.as_str()) }
                                td class="nhsuk-table__cell" { (t.submission_deadline.format("%d %B %Y %H:%M UTC")) }
                                td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (pounds(t.estimated_value_pence)) }
                            }
                        }
                    }
                }
            }
        }
    };
    let body = match actor.role {
        Role::BuyerLead | Role::BuyerEvaluator => {
            let own = persistence::tenders::list(
                conn,
                TenderAudience::Buyer(actor.organisation_id),
                &TenderFilter::default(),
                now,
                page_request,
            )
            .await?;
            tenders_table("Your organisation's tenders", &own.items)
        }
        Role::SupplierBidder => {
            let open = persistence::tenders::list(
                conn,
                TenderAudience::Supplier(actor.organisation_id),
                &TenderFilter {
                    status: Some(domain::tender::TenderStatus::Published),
                    ..TenderFilter::default()
                },
                now,
                page_request,
            )
            .await?;
            tenders_table("Opportunities you can bid on", &open.items)
        }
        Role::Regulator | Role::Admin => {
            let rows = persistence::market::totals(
                conn,
                &persistence::market::MarketFilter {
                    category: None,
                    region: None,
                    from: None,
                    until: None,
                    attribution: persistence::market::Attribution::Current,
                },
                persistence::market::GroupBy::Nothing,
            )
            .await?;
            let totals: Vec<_> = rows.iter().map(|r| r.totals).collect();
            let shares = domain::market::shares(&totals);
            let ids: Vec<_> = shares.iter().map(|s| s.supplier).collect();
            let names = persistence::organisations::names(conn, &ids).await?;
            let figures =
                domain::market::concentration(&totals, state.concentration_scale.as_ref());
            html! {
                h2 { "Market share by supplier" }
                p {
                    "HHI " (format!("{:.0}", figures.hhi)) " — "
                    (figures.level.as_str().replace('_', " "))
                    " (" (state.concentration_scale.name) " scale); CR3 "
                    (format!("{:.1}", figures.cr3)) "%."
                }
                table class="nhsuk-table" {
                    caption class="nhsuk-table__caption nhsuk-u-visually-hidden" { "Market share by supplier" }
                    thead class="nhsuk-table__head" {
                        tr class="nhsuk-table__row" {
                            th class="nhsuk-table__header" scope="col" { "Rank" }
                            th class="nhsuk-table__header" scope="col" { "Supplier" }
                            th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col" { "Contracts" }
                            th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col" { "Value" }
                            th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col" { "Share of value" }
                        }
                    }
                    tbody class="nhsuk-table__body" {
                        @for s in &shares {
                            tr class="nhsuk-table__row" {
                                td class="nhsuk-table__cell" { (s.rank) }
                                td class="nhsuk-table__cell" { (names.get(&s.supplier).cloned().unwrap_or_default()) }
                                td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (s.contracts) }
                                td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (pounds(s.value_pence)) }
                                td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (format!("{:.1}%", s.value_share_percent)) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(html! {
        h1 { "Your dashboard" }
        p class="nhsuk-lede-text" { (organisation) }
        p { a href="/catalogue" { "Search the catalogue" } }
        (body)
        p { "More pages for your role are being built; the whole service is available through the "
            a href="/docs/" { "API documentation" } "." }
    })
}

/// The catalogue search form's fields (a GET form: bookmarkable, no CSRF needed).
#[derive(Debug, Default, Deserialize)]
pub struct CatalogueQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: Option<u64>,
}

/// Catalogue search for every signed-in user: text, category, region and order, with each
/// supplier's rating; the same search as `GET /api/v1/offers`.
async fn catalogue(ctx: Ctx, Query(query): Query<CatalogueQuery>) -> Response {
    let built = catalogue_content(&ctx, &query).await;
    ctx.show("Catalogue", built)
}

async fn catalogue_content(ctx: &Ctx, query: &CatalogueQuery) -> Result<Markup, ApiError> {
    use domain::offer::{OfferStatus, RegionSet};
    use domain::organisation::Region;
    use persistence::offers::{OfferSearch, OfferSort};
    let state = &ctx.state;
    let conn = state.db.conn();
    let now = state.db.now().await?;
    let categories = persistence::reference::categories(conn).await?;
    let category = categories
        .iter()
        .find(|c| c.code == query.category)
        .map(|c| c.code.clone());
    let region: Option<Region> = query.region.parse().ok();
    let sort = match query.sort.as_str() {
        "price_asc" => OfferSort::PriceAsc,
        "price_desc" => OfferSort::PriceDesc,
        "newest" => OfferSort::Newest,
        "rating" => OfferSort::Rating(now),
        _ => OfferSort::Relevance,
    };
    let terms = domain::offer::search_terms(query.q.chars().take(200).collect::<String>().as_str());
    let page_number = query.page.unwrap_or(1).clamp(1, 1000);
    let page_request = domain::pagination::PageRequest::new(Some(page_number), Some(20))?;
    let found = persistence::offers::search(
        conn,
        &OfferSearch {
            terms,
            status: OfferStatus::Published,
            only_supplier: None,
            category: category.clone(),
            region_bit: region.map(RegionSet::bit),
            supplier: None,
            pricing_unit: None,
            min_price_pence: None,
            max_price_pence: None,
            sort,
        },
        page_request,
        state.search_total_limit,
    )
    .await?;
    let suppliers: Vec<_> = found.items.iter().map(|o| o.supplier_id).collect();
    let ratings = persistence::contracts::ratings(conn, &suppliers, now).await?;
    Ok(html! {
        h1 { "Catalogue" }
        form method="get" action="/catalogue" {
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="q" { "Search offers" }
                input class="nhsuk-input" id="q" name="q" type="search" value=(query.q);
            }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="category" { "Category" }
                select class="nhsuk-select" id="category" name="category" {
                    option value="" { "Any category" }
                    @for c in &categories {
                        option value=(c.code) selected[category.as_deref() == Some(c.code.as_str())] { (c.name) }
                    }
                }
            }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="region" { "Region" }
                select class="nhsuk-select" id="region" name="region" {
                    option value="" { "Any region" }
                    @for r in Region::ALL {
                        option value=(r.code()) selected[region == Some(r)] { (r.name()) }
                    }
                }
            }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="sort" { "Order" }
                select class="nhsuk-select" id="sort" name="sort" {
                    @for (value, label) in [("relevance", "Best match"), ("price_asc", "Price, lowest first"), ("price_desc", "Price, highest first"), ("rating", "Supplier rating"), ("newest", "Newest")] {
                        option value=(value) selected[query.sort == value] { (label) }
                    }
                }
            }
            button class="nhsuk-button" type="submit" { "Search" }
        }
        p {
            (if found.total_exact { format!("{} offers found", found.total) } else { format!("More than {} offers found", found.total) })
        }
        @if !found.items.is_empty() {
            table class="nhsuk-table" {
                caption class="nhsuk-table__caption nhsuk-u-visually-hidden" { "Offers found" }
                thead class="nhsuk-table__head" {
                    tr class="nhsuk-table__row" {
                        th class="nhsuk-table__header" scope="col" { "Offer" }
                        th class="nhsuk-table__header" scope="col" { "Supplier" }
                        th class="nhsuk-table__header" scope="col" { "Price" }
                        th class="nhsuk-table__header" scope="col" { "Supplier rating" }
                    }
                }
                tbody class="nhsuk-table__body" {
                    @for o in &found.items {
                        tr class="nhsuk-table__row" {
                            td class="nhsuk-table__cell" { strong { (o.title) } br; span class="nhsuk-body-s" { (o.summary) } }
                            td class="nhsuk-table__cell" { (o.supplier_name) }
                            td class="nhsuk-table__cell" { (domain::offer::price_label(o.pricing_unit, o.unit_price_pence)) }
                            td class="nhsuk-table__cell" {
                                @match ratings.get(&o.supplier_id) {
                                    Some(r) => { (format!("{:.1} of 5", crate::routes::contracts::rating_response(r).overall)) " (" (r.reviews) " reviews)" }
                                    None => { "Not yet rated" }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
}

