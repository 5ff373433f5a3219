//! The pages: the NHS layout, sign in and sign out, and the signed-in user's dashboard.

use super::session::{self, CSRF_COOKIE, SESSION_COOKIE};
use crate::dto::pounds;
use crate::error::ApiError;
use crate::routes::auth::sign_in;
use crate::state::AppState;
use axum::Form;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::access::Actor;
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

/// The page routes (HTML, not part of the API contract).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(sign_in_page).post(sign_in_submit))
        .route("/sign-out", post(sign_out))
        .route("/dashboard", get(dashboard))
        .route("/catalogue", get(catalogue))
        .route("/tenders/{id}", get(tender_page))
}

/// The NHS page frame: skip link, header with the service name (and who is signed in), main.
fn layout(title: &str, signed_in: Option<(&Actor, &str)>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – Commissioning Support Marketplace" }
                link rel="stylesheet" href="/assets/nhsuk-frontend.min.css";
                link rel="icon" href="/assets/images/favicon.ico";
            }
            body {
                a class="nhsuk-skip-link" href="#maincontent" { "Skip to main content" }
                header class="nhsuk-header" role="banner" {
                    div class="nhsuk-header__container nhsuk-width-container" {
                        div class="nhsuk-header__service" {
                            a class="nhsuk-header__service-logo" href="/" {
                                span class="nhsuk-header__service-name" { "Commissioning Support Marketplace" }
                            }
                        }
                        @if let Some((actor, csrf)) = signed_in {
                            div class="nhsuk-header__account" {
                                p class="nhsuk-body-s nhsuk-u-margin-bottom-1" {
                                    "Signed in as " (actor.role.as_str().replace('_', " "))
                                }
                                form method="post" action="/sign-out" {
                                    input type="hidden" name="csrf" value=(csrf);
                                    button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit" { "Sign out" }
                                }
                            }
                        }
                    }
                }
                div class="nhsuk-width-container" {
                    main class="nhsuk-main-wrapper" id="maincontent" role="main" {
                        (content)
                    }
                }
            }
        }
    }
}

fn page(status: StatusCode, markup: Markup, set_cookies: Vec<HeaderValue>) -> Response {
    let mut response = (status, Html(markup.into_string())).into_response();
    for cookie in set_cookies {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The CSRF token for a form, and the cookie to set when the browser has none yet.
fn csrf_for(headers: &HeaderMap) -> (String, Vec<HeaderValue>) {
    let (token, fresh) = session::csrf_token(headers);
    let cookies = if fresh {
        vec![session::set_cookie(headers, CSRF_COOKIE, &token, 86_400)]
    } else {
        Vec::new()
    };
    (token, cookies)
}

fn sign_in_form(csrf: &str, email: &str, error: Option<&str>) -> Markup {
    layout(
        "Sign in",
        None,
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

fn refused_form() -> Response {
    page(
        StatusCode::FORBIDDEN,
        layout(
            "Form expired",
            None,
            html! {
                h1 { "This form has expired" }
                p { "For your security the form could not be accepted. "
                    a href="/sign-in" { "Go back and try again" } "." }
            },
        ),
        Vec::new(),
    )
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

async fn dashboard(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(actor) = session::actor(&state, &headers).await else {
        return Redirect::to("/sign-in").into_response();
    };
    let (csrf, cookies) = csrf_for(&headers);
    match dashboard_content(&state, &actor).await {
        Ok(content) => page(
            StatusCode::OK,
            layout("Dashboard", Some((&actor, &csrf)), content),
            cookies,
        ),
        Err(error) => {
            tracing::error!(?error, "the dashboard could not be built");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                layout(
                    "Sorry, there is a problem with the service",
                    Some((&actor, &csrf)),
                    html! {
                        h1 { "Sorry, there is a problem with the service" }
                        p { "Try again later." }
                    },
                ),
                cookies,
            )
        }
    }
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
async fn catalogue(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<CatalogueQuery>,
) -> Response {
    let Some(actor) = session::actor(&state, &headers).await else {
        return Redirect::to("/sign-in").into_response();
    };
    let (csrf, cookies) = csrf_for(&headers);
    match catalogue_content(&state, &query).await {
        Ok(content) => page(
            StatusCode::OK,
            layout("Catalogue", Some((&actor, &csrf)), content),
            cookies,
        ),
        Err(error) => {
            tracing::error!(?error, "the catalogue page could not be built");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                layout(
                    "Sorry, there is a problem with the service",
                    Some((&actor, &csrf)),
                    html! { h1 { "Sorry, there is a problem with the service" } },
                ),
                cookies,
            )
        }
    }
}

async fn catalogue_content(state: &AppState, query: &CatalogueQuery) -> Result<Markup, ApiError> {
    use domain::offer::{OfferStatus, RegionSet};
    use domain::organisation::Region;
    use persistence::offers::{OfferSearch, OfferSort};
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

fn not_found_page(actor: &Actor, csrf: &str, cookies: Vec<HeaderValue>) -> Response {
    page(
        StatusCode::NOT_FOUND,
        layout(
            "Page not found",
            Some((actor, csrf)),
            html! {
                h1 { "Page not found" }
                p { "If you typed the web address, check it is correct. "
                    a href="/dashboard" { "Go to your dashboard" } "." }
            },
        ),
        cookies,
    )
}

/// A tender as the signed-in user may see it (the same rules as `GET /api/v1/tenders/{id}`):
/// the budget ceiling only for the buyer and oversight, questions as the asker may see them, and
/// no bid information at all.
async fn tender_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let Some(actor) = session::actor(&state, &headers).await else {
        return Redirect::to("/sign-in").into_response();
    };
    let (csrf, cookies) = csrf_for(&headers);
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return not_found_page(&actor, &csrf, cookies);
    };
    let conn = state.db.conn();
    let shown = async {
        let now = state.db.now().await?;
        let (tender, status) = crate::routes::tenders::visible(
            conn,
            &actor,
            domain::ids::TenderId::from_uuid(id),
            now,
        )
        .await?;
        let questions =
            crate::routes::tenders::clarifications_for(conn, &actor, &tender, status).await?;
        let shown = crate::routes::tenders::present(conn, Some(&actor), tender, status).await?;
        Ok::<_, ApiError>((shown, questions))
    }
    .await;
    let (tender, questions) = match shown {
        Ok(found) => found,
        Err(ApiError::NotFound(_)) => return not_found_page(&actor, &csrf, cookies),
        Err(error) => {
            tracing::error!(?error, "the tender page could not be built");
            return not_found_page(&actor, &csrf, cookies);
        }
    };
    let status = serde_json::to_value(tender.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let content = html! {
        span class="nhsuk-caption-l" { (tender.buyer_name) }
        h1 { (tender.title) }
        dl class="nhsuk-summary-list" {
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "State" }
                dd class="nhsuk-summary-list__value" { (status) }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Questions close" }
                dd class="nhsuk-summary-list__value" { (tender.clarification_deadline.format("%d %B %Y %H:%M UTC")) }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Bids close" }
                dd class="nhsuk-summary-list__value" { (tender.submission_deadline.format("%d %B %Y %H:%M UTC")) }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Estimated value" }
                dd class="nhsuk-summary-list__value" { (pounds(tender.estimated_value_pence)) }
            }
            @if let Some(ceiling) = tender.budget_ceiling_pence {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Budget ceiling (not shown to suppliers)" }
                    dd class="nhsuk-summary-list__value" { (pounds(ceiling)) }
                }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Contract term" }
                dd class="nhsuk-summary-list__value" { (tender.contract_term_months) " months" }
            }
        }
        h2 { "What is being bought" }
        p { (tender.description) }
        h2 { "How bids are evaluated" }
        table class="nhsuk-table" {
            caption class="nhsuk-table__caption nhsuk-u-visually-hidden" { "Evaluation criteria" }
            thead class="nhsuk-table__head" {
                tr class="nhsuk-table__row" {
                    th class="nhsuk-table__header" scope="col" { "Criterion" }
                    th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col" { "Weight" }
                }
            }
            tbody class="nhsuk-table__body" {
                @for c in &tender.criteria {
                    tr class="nhsuk-table__row" {
                        td class="nhsuk-table__cell" { (c.name) }
                        td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (c.weight) "%" }
                    }
                }
            }
        }
        h2 { "Clarification questions" }
        @if questions.is_empty() {
            p { "No questions yet." }
        }
        @for q in &questions {
            div class="nhsuk-inset-text" {
                p { strong { "Question: " } (q.question) }
                @match &q.answer {
                    Some(answer) => { p { strong { "Answer: " } (answer) } }
                    None => { p { "Not answered yet." } }
                }
            }
        }
    };
    page(
        StatusCode::OK,
        layout(&tender.title, Some((&actor, &csrf)), content),
        cookies,
    )
}
