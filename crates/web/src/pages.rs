//! The pages: the NHS layout, sign in and sign out, and the signed-in user's dashboard.

use super::session::{self, SESSION_COOKIE};
use super::ui::{Ctx, csrf_for, layout, page, refused_form};
use crate::WebState;
use crate::ui::Content;
use axum::Form;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::access::Actor;
use domain::money::pounds;
use maud::{Markup, html};
use serde::Deserialize;
use service::ServiceError;

/// The page routes (HTML, not part of the API contract).
pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/sign-in", get(sign_in_page).post(sign_in_submit))
        .route("/sign-out", post(sign_out))
        .route("/dashboard", get(dashboard))
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
    State(state): State<WebState>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    if !session::csrf_ok(&headers, &form.csrf) {
        return refused_form();
    }
    match state
        .sessions
        .sign_in(&state.ctx, &form.email, form.password)
        .await
    {
        Ok((_, token)) => {
            let mut response = Redirect::to("/dashboard").into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                session::set_cookie(
                    &headers,
                    SESSION_COOKIE,
                    &token,
                    state.sessions.lifetime_seconds(),
                ),
            );
            response
        }
        Err(error) => {
            let message = match error {
                ServiceError::TooManyRequests { detail, .. } => detail,
                ServiceError::Validation(_) => "Enter your email address and password".to_owned(),
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
async fn dashboard_content(state: &WebState, actor: &Actor) -> Content {
    use domain::tender::TenderStatus;
    use domain::user::Role;
    use service::tenders::TenderQuery;
    let ctx = &state.ctx;
    let (_, organisation) = service::accounts::me(ctx, actor).await?;
    let organisation = organisation.name;
    let page_request = domain::pagination::PageRequest::new(Some(1), Some(100))?;
    let tenders_table = |title: &str, items: &[persistence::tenders::TenderListing]| {
        html! {
            h2 { (title) }
            @if items.is_empty() {
                p { "None yet." }
            } @else {
                (super::ui::table(title, &["Tender", "Buyer", "State", "Bids close", "Estimated value"], &[4],
                    items.iter().map(|t| vec![
                        html! { a href=(format!("/tenders/{}", t.id)) { (t.title) } },
                        html! { (t.buyer_name) },
                        html! { (t.status.as_str()) },
                        html! { (super::ui::when(t.submission_deadline)) },
                        html! { (pounds(t.estimated_value_pence)) },
                    ]).collect()))
            }
        }
    };
    let body = match actor.role {
        Role::BuyerLead => {
            let own = service::tenders::list(
                ctx,
                actor,
                TenderQuery {
                    buyer: Some(actor.organisation_id),
                    ..TenderQuery::default()
                },
                page_request,
            )
            .await?;
            let in_state = |states: &[TenderStatus]| -> Vec<persistence::tenders::TenderListing> {
                let mut items: Vec<_> = own
                    .items
                    .iter()
                    .filter(|t| states.contains(&t.status))
                    .cloned()
                    .collect();
                items.sort_by_key(|t| t.submission_deadline);
                items
            };
            html! {
                p { a class="nhsuk-button" href="/tenders/new" { "Create a tender" } }
                (tenders_table("Deadlines coming up", &in_state(&[TenderStatus::Published])))
                (tenders_table("In evaluation", &in_state(&[TenderStatus::Evaluation])))
                (tenders_table("In standstill", &in_state(&[TenderStatus::Standstill])))
                (tenders_table("Drafts", &in_state(&[TenderStatus::Draft])))
                (tenders_table("Finished", &in_state(&[TenderStatus::Awarded, TenderStatus::Cancelled, TenderStatus::Unsuccessful])))
            }
        }
        Role::BuyerEvaluator => {
            let assigned = service::evaluation::assigned(ctx, actor).await?;
            html! {
                (tenders_table("Tenders you are assigned to evaluate", &assigned))
                @if assigned.iter().any(|t| t.status == TenderStatus::Evaluation) {
                    p { "Open a tender in evaluation, then " strong { "Declare and score" } "." }
                }
            }
        }
        Role::SupplierBidder => {
            let open = service::tenders::list(
                ctx,
                actor,
                TenderQuery {
                    status: Some(TenderStatus::Published),
                    ..TenderQuery::default()
                },
                page_request,
            )
            .await?;
            html! {
                (tenders_table("Opportunities you can bid on", &open.items))
                p { a href="/offers/mine" { "Your organisation's offers" } " · " a href="/notifications" { "Notifications" } }
            }
        }
        Role::Regulator | Role::Admin => {
            let ask = service::market::MarketAsk::default();
            let share = service::market::share(ctx, actor, &ask).await?;
            let figures = service::market::concentration(ctx, actor, &ask).await?;
            let (scale, figures) = (figures.scale, figures.overall);
            html! {
                h2 { "Market share by supplier" }
                p {
                    "HHI " (format!("{:.0}", figures.hhi)) " — "
                    (figures.level.as_str().replace('_', " "))
                    " (" (scale.name) " scale); CR3 "
                    (format!("{:.1}", figures.cr3)) "%."
                }
                (super::ui::table("Market share by supplier", &["Rank", "Supplier", "Contracts", "Value", "Share of value"], &[2, 3, 4],
                    share.items.iter().map(|s| vec![
                        html! { (s.rank) },
                        html! { (s.supplier_name) },
                        html! { (s.contracts) },
                        html! { (pounds(s.total_value_pence)) },
                        html! { (format!("{:.1}%", s.value_share_percent)) },
                    ]).collect()))
            }
        }
    };
    Ok(html! {
        h1 { "Your dashboard" }
        p class="nhsuk-lede-text" { (organisation) }
        p { a href="/catalogue" { "Search the catalogue" } }
        (body)
    })
}
