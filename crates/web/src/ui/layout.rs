//! The NHS page frame with a navigation per role, tables, summaries and notices.

use super::*;

/// A page's main content, or why it cannot be shown.
pub type Content = Result<Markup, ServiceError>;

/// A table with a caption (visually hidden) and column headings; `numeric` marks right-aligned
/// columns by index.
pub fn table(
    caption: &str,
    headings: &[&str],
    numeric: &[usize],
    rows: Vec<Vec<Markup>>,
) -> Markup {
    html! {
        table class="nhsuk-table-responsive" {
            caption class="nhsuk-table__caption nhsuk-u-visually-hidden" { (caption) }
            thead class="nhsuk-table__head" {
                tr class="nhsuk-table__row" {
                    @for (i, h) in headings.iter().enumerate() {
                        th class=(if numeric.contains(&i) { "nhsuk-table__header nhsuk-table__header--numeric" } else { "nhsuk-table__header" }) scope="col" { (h) }
                    }
                }
            }
            tbody class="nhsuk-table__body" {
                @for row in rows {
                    tr class="nhsuk-table__row" {
                        @for (i, cell) in row.into_iter().enumerate() {
                            td class=(if numeric.contains(&i) { "nhsuk-table__cell nhsuk-table__cell--numeric" } else { "nhsuk-table__cell" }) {
                                span class="nhsuk-table-responsive__heading" aria-hidden="true" { (headings.get(i).copied().unwrap_or_default()) " " }
                                (cell)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A summary list of key–value rows.
pub fn summary(rows: Vec<(&str, Markup)>) -> Markup {
    html! {
        dl class="nhsuk-summary-list" {
            @for (key, value) in rows {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { (key) }
                    dd class="nhsuk-summary-list__value" { (value) }
                }
            }
        }
    }
}

/// A green confirmation banner after a successful action.
pub fn notice(message: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = message {
            div class="nhsuk-card nhsuk-card--feature nhsuk-u-margin-bottom-5" role="status" {
                div class="nhsuk-card__content nhsuk-card__content--feature" {
                    h2 class="nhsuk-card--feature__heading nhsuk-heading-m" { "Done" }
                    p class="nhsuk-card__description" { (message) }
                }
            }
        }
    }
}

/// The links of the header navigation for a role.
pub(crate) fn navigation(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut links = vec![
        ("/dashboard", "Dashboard"),
        ("/tenders", "Tenders"),
        ("/catalogue", "Catalogue"),
        ("/frameworks", "Frameworks"),
    ];
    match role {
        Role::BuyerLead => {
            links.extend([
                ("/tenders/new", "New tender"),
                ("/call-offs", "Call-offs"),
                ("/contracts", "Contracts"),
                ("/notifications", "Notifications"),
            ]);
        }
        Role::BuyerEvaluator => links.push(("/notifications", "Notifications")),
        Role::SupplierBidder => {
            links.extend([
                ("/offers/mine", "My offers"),
                ("/contracts", "Contracts"),
                ("/notifications", "Notifications"),
            ]);
        }
        Role::Regulator | Role::Admin => {
            links.extend([
                ("/market", "Market"),
                ("/market/merger", "Merger simulator"),
                ("/call-offs", "Call-offs"),
                ("/contracts", "Contracts"),
                ("/transfers", "Transfers"),
                ("/audit", "Audit log"),
            ]);
            if role == Role::Admin {
                links.extend([
                    ("/admin/organisations", "Organisations"),
                    ("/admin/users", "Accounts"),
                    ("/admin/calendar", "Bank holidays"),
                ]);
            }
        }
    }
    links
}

/// The NHS page frame: skip link, header with the service name, navigation for the signed-in
/// role and a sign-out button, then the page.
pub fn layout(
    title: &str,
    signed_in: Option<(&Actor, &str)>,
    current: &str,
    content: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – Commissioning Support Marketplace" }
                link rel="stylesheet" href="/assets/nhsuk-frontend.min.css";
                link rel="stylesheet" href="/assets/marketplace.css";
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
                            div class="nhsuk-header__account mkt-account" {
                                p class="nhsuk-body-s nhsuk-u-margin-bottom-1" {
                                    "Signed in as " (words(actor.role.as_str()))
                                }
                                form method="post" action="/sign-out" {
                                    (csrf_field(csrf))
                                    button class="nhsuk-button nhsuk-button--reverse nhsuk-button--small nhsuk-u-margin-bottom-0" type="submit" { "Sign out" }
                                }
                            }
                        }
                    }
                    @if let Some((actor, _)) = signed_in {
                        nav class="mkt-nav" aria-label="Menu" {
                            ul class="nhsuk-width-container mkt-nav__list" {
                                @for (href, label) in navigation(actor.role) {
                                    li class="mkt-nav__item" {
                                        a class="mkt-nav__link" href=(href) aria-current=[(href == current).then_some("page")] { (label) }
                                    }
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
                footer role="contentinfo" class="mkt-footer" {
                    div class="nhsuk-width-container" {
                        p class="nhsuk-body-s" {
                            "Commissioning Support Marketplace. "
                            a href="/docs/" { "API documentation" }
                        }
                    }
                }
                script src="/assets/marketplace.js" defer {}
            }
        }
    }
}

/// An HTML response with the cookies a page sets, and a content security policy that allows only
/// this service's own scripts, styles and images.
pub fn page(status: StatusCode, markup: Markup, set_cookies: Vec<HeaderValue>) -> Response {
    let mut response = (status, Html(markup.into_string())).into_response();
    let headers = response.headers_mut();
    for cookie in set_cookies {
        headers.append(header::SET_COOKIE, cookie);
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The body of the "Page not found" page, with a way back to `home`.
pub fn not_found(home: &str) -> Markup {
    html! {
        h1 { "Page not found" }
        p { "If you typed the web address, check it is correct. "
            a href=(home) { "Go back to the start" } "." }
    }
}

/// The page shown when a form's CSRF token is missing or wrong.
pub fn refused_form() -> Response {
    page(
        StatusCode::FORBIDDEN,
        layout(
            "Form expired",
            None,
            "",
            html! {
                h1 { "This form has expired" }
                p { "For your security the form could not be accepted. "
                    a href="/dashboard" { "Go back and try again" } "." }
            },
        ),
        Vec::new(),
    )
}

/// Raw, already-safe markup (server-rendered SVG from the charting crate).
pub fn trusted(markup: String) -> Markup {
    PreEscaped(markup)
}
