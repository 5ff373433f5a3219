//! The building blocks every page shares: the signed-in context (an extractor that sends an
//! anonymous browser to the sign-in page), CSRF-checked form posts, the NHS page frame with a
//! navigation per role, the error pages (403, 404, 409, 500) and the NHS error summary and inline
//! error pattern used by every form.

use super::session::{self, CSRF_COOKIE};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::access::Actor;
use domain::user::Role;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use std::collections::HashMap;

/// The signed-in user of a page, with the CSRF token its forms carry.
pub struct Ctx {
    pub state: AppState,
    pub actor: Actor,
    pub csrf: String,
    cookies: Vec<HeaderValue>,
    path: String,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(actor) = session::actor(state, &parts.headers).await else {
            return Err(Redirect::to("/sign-in").into_response());
        };
        let (csrf, cookies) = csrf_for(&parts.headers);
        Ok(Self {
            state: state.clone(),
            actor,
            csrf,
            cookies,
            path: parts.uri.path().to_owned(),
        })
    }
}

/// The CSRF token for a form, and the cookie to set when the browser has none yet.
pub fn csrf_for(headers: &HeaderMap) -> (String, Vec<HeaderValue>) {
    let (token, fresh) = session::csrf_token(headers);
    let cookies = if fresh {
        vec![session::set_cookie(headers, CSRF_COOKIE, &token, 86_400)]
    } else {
        Vec::new()
    };
    (token, cookies)
}

/// A posted form whose CSRF token matched the browser's cookie; anything else is refused with
/// the "form expired" page before a handler runs.
pub struct Posted(Vec<(String, String)>);

impl FromRequest<AppState> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let headers = req.headers().clone();
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| refused_form())?;
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&bytes).into_owned().collect();
        let submitted = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        if !session::csrf_ok(&headers, submitted) {
            return Err(refused_form());
        }
        Ok(Self(pairs))
    }
}

impl Posted {
    /// A field's value, trimmed ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.text(name).trim()
    }

    /// A field's value as written (prose keeps its line breaks and spaces).
    pub fn text(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    /// Every value of a repeated field (checkboxes, multiple selects).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The fields as a map, to put back into a form shown again after an error.
    pub fn values(&self) -> HashMap<String, String> {
        let mut map = HashMap::new();
        for (k, v) in &self.0 {
            map.entry(k.clone()).or_insert_with(|| v.clone());
        }
        map
    }
}

/// A form field's text as the JSON the API takes: a whole number, or the text itself so that the
/// API's own parser names the field when it is not one.
pub fn number_or_text(value: &str) -> serde_json::Value {
    let cleaned: String = value
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '£' | ' '))
        .collect();
    cleaned
        .parse::<i64>()
        .map(serde_json::Value::from)
        .unwrap_or_else(|_| serde_json::Value::from(value.trim()))
}

/// Pounds typed into a form (`1,250.50`) as pence, or the text unchanged for the API to refuse.
pub fn pence_of_pounds(value: &str) -> serde_json::Value {
    match parse_pounds(value) {
        Some(p) => serde_json::Value::from(p),
        None => serde_json::Value::from(value.trim()),
    }
}

/// Pounds as typed (`1,250.50`, `£1250`) in pence; `None` when it is not an amount.
pub fn parse_pounds(value: &str) -> Option<i64> {
    let cleaned: String = value
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '£' | ' '))
        .collect();
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let pence = match fraction.len() {
        0 => whole.parse::<i64>().ok().and_then(|p| p.checked_mul(100)),
        1 | 2 => whole
            .parse::<i64>()
            .ok()
            .zip(format!("{fraction:0<2}").parse::<i64>().ok())
            .and_then(|(p, f)| p.checked_mul(100)?.checked_add(f)),
        _ => None,
    };
    pence.filter(|_| !whole.starts_with('-'))
}

/// Pence shown in a form field as pounds (`1250.50`).
pub fn pounds_field(pence: i64) -> String {
    if pence % 100 == 0 {
        (pence / 100).to_string()
    } else {
        format!("{}.{:02}", pence / 100, pence % 100)
    }
}

/// A JSON body for an API handler, parsed by the same parser as a JSON request.
pub fn body<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<crate::extract::JsonBody<T>, ApiError> {
    crate::extract::parse_json(value.to_string().as_bytes()).map(crate::extract::JsonBody)
}

/// An error shown on a form: where it points (the id of the field, or none) and what it says.
#[derive(Debug, Clone)]
pub struct Problem {
    pub field: Option<String>,
    pub message: String,
}

/// The problems an API error carries, each field error pointed at its form field
/// (`/criteria/1/weight` → `criteria-1-weight`).
pub fn problems_of(error: &ApiError) -> Vec<Problem> {
    let anchor = |pointer: &str| {
        let id = pointer.trim_start_matches('/').replace('/', "-");
        (!id.is_empty()).then_some(id)
    };
    match error {
        ApiError::Validation(errors) => errors
            .iter()
            .map(|e| Problem {
                field: anchor(&e.pointer),
                message: sentence(&e.pointer, &e.detail),
            })
            .collect(),
        ApiError::Conflict { detail, errors } if !errors.is_empty() => errors
            .iter()
            .map(|e| Problem {
                field: anchor(&e.pointer),
                message: sentence(&e.pointer, &e.detail),
            })
            .chain(std::iter::once(Problem {
                field: None,
                message: detail.clone(),
            }))
            .collect(),
        // A form carries the version it was shown; a newer one means someone else saved first.
        ApiError::PreconditionFailed(_) => vec![Problem {
            field: None,
            message: "Someone else changed this while you were editing it. Open it again to see \
                      their changes."
                .to_owned(),
        }],
        other => vec![Problem {
            field: None,
            message: detail_of(other),
        }],
    }
}

/// A field error as a sentence a person reads: "Title: must not be empty".
fn sentence(pointer: &str, detail: &str) -> String {
    let name = pointer
        .trim_start_matches('/')
        .split('/')
        .map(|part| match part.parse::<usize>() {
            Ok(i) => format!("{}", i + 1),
            Err(_) => part.replace('_', " "),
        })
        .collect::<Vec<_>>()
        .join(" ");
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{}{}: {detail}", first.to_uppercase(), chars.as_str()),
        None => detail.to_owned(),
    }
}

/// What an error says to a person, never its internal cause.
pub fn detail_of(error: &ApiError) -> String {
    match error {
        ApiError::BadRequest(d)
        | ApiError::Unauthenticated(d)
        | ApiError::Forbidden(d)
        | ApiError::BidsSealed(d)
        | ApiError::NotFound(d)
        | ApiError::PayloadTooLarge(d)
        | ApiError::PreconditionFailed(d)
        | ApiError::PreconditionRequired(d)
        | ApiError::UnsupportedMediaType(d)
        | ApiError::Unavailable(d)
        | ApiError::Status(_, d) => d.clone(),
        ApiError::Conflict { detail, .. }
        | ApiError::DeadlinePassed { detail, .. }
        | ApiError::TooManyRequests { detail, .. } => detail.clone(),
        ApiError::Validation(errors) => errors
            .iter()
            .map(|e| sentence(&e.pointer, &e.detail))
            .collect::<Vec<_>>()
            .join("; "),
        ApiError::Internal(_) => "Sorry, there is a problem with the service.".to_owned(),
    }
}

/// The NHS error summary: the problems, each linked to its field.
pub fn error_summary(problems: &[Problem]) -> Markup {
    html! {
        @if !problems.is_empty() {
            div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" {
                h2 class="nhsuk-error-summary__title" id="error-summary-title" { "There is a problem" }
                div class="nhsuk-error-summary__body" {
                    ul class="nhsuk-list nhsuk-error-summary__list" role="list" {
                        @for p in problems {
                            li {
                                @match &p.field {
                                    Some(field) => { a href=(format!("#{field}")) { (p.message) } }
                                    None => { (p.message) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A form's values and errors, to show it again as it was posted.
#[derive(Default)]
pub struct FormState {
    pub values: HashMap<String, String>,
    pub problems: Vec<Problem>,
}

impl FormState {
    pub fn new(values: HashMap<String, String>) -> Self {
        Self {
            values,
            problems: Vec::new(),
        }
    }

    pub fn failed(posted: &Posted, error: &ApiError) -> Self {
        Self {
            values: posted.values(),
            problems: problems_of(error),
        }
    }

    pub fn value(&self, name: &str) -> &str {
        self.values
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// The error pointed at exactly this field id (a group's own error, not its fields').
    pub fn error_at(&self, id: &str) -> Option<&str> {
        self.problems
            .iter()
            .find(|p| p.field.as_deref() == Some(id))
            .map(|p| p.message.as_str())
    }

    /// The first error pointed at a field id, or at a field id that starts with it.
    pub fn error(&self, id: &str) -> Option<&str> {
        self.problems
            .iter()
            .find(|p| {
                p.field
                    .as_deref()
                    .is_some_and(|f| f == id || f.starts_with(&format!("{id}-")))
            })
            .map(|p| p.message.as_str())
    }
}

fn group_class(error: Option<&str>) -> &'static str {
    if error.is_some() {
        "nhsuk-form-group nhsuk-form-group--error"
    } else {
        "nhsuk-form-group"
    }
}

/// The NHS inline error message above a field (or a group of radios or checkboxes).
pub fn inline_error(id: &str, error: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = error {
            span class="nhsuk-error-message" id=(format!("{id}-error")) {
                span class="nhsuk-u-visually-hidden" { "Error:" } " " (message)
            }
        }
    }
}

fn described_by(id: &str, hint: Option<&str>, error: Option<&str>) -> Option<String> {
    let mut ids = Vec::new();
    if hint.is_some() {
        ids.push(format!("{id}-hint"));
    }
    if error.is_some() {
        ids.push(format!("{id}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A labelled text input. `id` is the field's anchor for errors; `name` its form name.
pub struct Field<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub label: &'a str,
    pub hint: Option<&'a str>,
    pub kind: &'a str,
    pub width: &'a str,
    /// A weight of the criteria builder, summed as it is typed.
    pub weight: bool,
    /// The purpose of a field about the user (`email`, `current-password`), for autofill.
    pub autocomplete: Option<&'a str>,
}

impl<'a> Field<'a> {
    pub fn new(id: &'a str, label: &'a str) -> Self {
        Self {
            id,
            name: id,
            label,
            hint: None,
            kind: "text",
            width: "",
            weight: false,
            autocomplete: None,
        }
    }
    pub fn autocomplete(mut self, purpose: &'a str) -> Self {
        self.autocomplete = Some(purpose);
        self
    }
    pub fn weight(mut self) -> Self {
        self.weight = true;
        self
    }
    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }
    pub fn kind(mut self, kind: &'a str) -> Self {
        self.kind = kind;
        self
    }
    pub fn width(mut self, width: &'a str) -> Self {
        self.width = width;
        self
    }
    pub fn named(mut self, name: &'a str) -> Self {
        self.name = name;
        self
    }

    /// The form group around a control: label, hint, inline error, then the control.
    fn group(&self, error: Option<&str>, control: Markup) -> Markup {
        html! {
            div class=(group_class(error)) {
                label class="nhsuk-label" for=(self.id) { (self.label) }
                @if let Some(hint) = self.hint {
                    div class="nhsuk-hint" id=(format!("{}-hint", self.id)) { (hint) }
                }
                (inline_error(self.id, error))
                (control)
            }
        }
    }

    pub fn input(&self, form: &FormState) -> Markup {
        let error = form.error(self.id);
        let mut class = String::from("nhsuk-input");
        if !self.width.is_empty() {
            class.push_str(&format!(" nhsuk-input--width-{}", self.width));
        }
        if error.is_some() {
            class.push_str(" nhsuk-input--error");
        }
        self.group(
            error,
            html! {
                input class=(class) id=(self.id) name=(self.name) type=(self.kind)
                    value=(form.value(self.name))
                    data-weight[self.weight]
                    inputmode=[(self.weight || self.width == "3" || self.width == "4").then_some("numeric")]
                    autocomplete=[self.autocomplete]
                    spellcheck=[(self.kind == "email").then_some("false")]
                    aria-describedby=[described_by(self.id, self.hint, error)];
            },
        )
    }

    pub fn textarea(&self, form: &FormState) -> Markup {
        let error = form.error(self.id);
        self.group(
            error,
            html! {
                textarea class=(if error.is_some() { "nhsuk-textarea nhsuk-textarea--error" } else { "nhsuk-textarea" })
                    id=(self.id) name=(self.name) rows="5"
                    aria-describedby=[described_by(self.id, self.hint, error)] { (form.value(self.name)) }
            },
        )
    }

    pub fn select(&self, form: &FormState, options: &[(String, String)]) -> Markup {
        let error = form.error(self.id);
        let current = form.value(self.name);
        self.group(
            error,
            html! {
                select class=(if error.is_some() { "nhsuk-select nhsuk-select--error" } else { "nhsuk-select" })
                    id=(self.id) name=(self.name)
                    aria-describedby=[described_by(self.id, self.hint, error)] {
                    @for (value, label) in options {
                        option value=(value) selected[value == current] { (label) }
                    }
                }
            },
        )
    }
}

/// A form's hidden CSRF field.
pub fn csrf_field(csrf: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(csrf); }
}

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

/// A date and time as a person in England reads it: UK time, marked GMT or BST (the API's
/// instants are UTC; the forms take UK time too).
pub fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    let zone = if domain::calendar::uk_offset(at).is_zero() {
        "GMT"
    } else {
        "BST"
    };
    format!(
        "{} {zone}",
        domain::calendar::uk_time(at).format("%-d %B %Y %H:%M")
    )
}

/// A date as a person reads it.
pub fn day(at: chrono::NaiveDate) -> String {
    at.format("%-d %B %Y").to_string()
}

/// A snake-case code as words (`buyer_lead` → `buyer lead`).
pub fn words(code: &str) -> String {
    code.replace('_', " ")
}

/// An enum's wire name (its serde name), for display.
pub fn code_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The links of the header navigation for a role.
fn navigation(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut links = vec![
        ("/dashboard", "Dashboard"),
        ("/tenders", "Tenders"),
        ("/catalogue", "Catalogue"),
    ];
    match role {
        Role::BuyerLead => {
            links.extend([
                ("/tenders/new", "New tender"),
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

impl Ctx {
    /// A page for the signed-in user.
    pub fn page(&self, title: &str, content: Markup) -> Response {
        self.page_with(StatusCode::OK, title, content)
    }

    pub fn page_with(&self, status: StatusCode, title: &str, content: Markup) -> Response {
        page(
            status,
            layout(title, Some((&self.actor, &self.csrf)), &self.path, content),
            self.cookies.clone(),
        )
    }

    /// The page for an error: 404 for what does not exist or is not yours, 403 for what your
    /// role may never do, the problem itself for a rule of the lifecycle.
    pub fn error(&self, error: ApiError) -> Response {
        match error {
            ApiError::NotFound(_) => self.page_with(
                StatusCode::NOT_FOUND,
                "Page not found",
                not_found("/dashboard"),
            ),
            ApiError::Forbidden(detail) | ApiError::BidsSealed(detail) => self.page_with(
                StatusCode::FORBIDDEN,
                "You cannot use this page",
                html! {
                    h1 { "You cannot use this page" }
                    p { (detail) }
                    p { "Your account is a " (words(self.actor.role.as_str())) " account. "
                        a href="/dashboard" { "Go to your dashboard" } "." }
                },
            ),
            ApiError::Unauthenticated(_) => Redirect::to("/sign-in").into_response(),
            ApiError::Internal(cause) => {
                tracing::error!(error = %cause, "a page could not be built");
                self.page_with(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Sorry, there is a problem with the service",
                    html! {
                        h1 { "Sorry, there is a problem with the service" }
                        p { "Try again later." }
                    },
                )
            }
            other => {
                let status = other.status();
                let detail = detail_of(&other);
                self.page_with(
                    status,
                    "This could not be done",
                    html! {
                        h1 { "This could not be done" }
                        p { (detail) }
                        p { a href="/dashboard" { "Go to your dashboard" } }
                    },
                )
            }
        }
    }

    /// A page, or the error page if it could not be built.
    pub fn show(&self, title: &str, built: Result<Markup, ApiError>) -> Response {
        match built {
            Ok(content) => self.page(title, content),
            Err(error) => self.error(error),
        }
    }

    /// A form's page shown again after `error`: the page or the error page, with the error's
    /// status (422 for a validation error, 409 for a rule of the lifecycle).
    pub fn show_again(
        &self,
        title: &str,
        error: &ApiError,
        built: Result<Markup, ApiError>,
    ) -> Response {
        let mut response = self.show(title, built);
        if response.status().is_success() {
            *response.status_mut() = error.status();
        }
        response
    }

    /// Refuses a page to any role not listed (the API would answer 403 too).
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.actor.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "This page is for {}.",
                roles
                    .iter()
                    .map(|r| words(r.as_str()))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )))
        }
    }
}

/// The confirmations a page may show after a successful form, by code (a link cannot make a
/// page say anything else).
const CONFIRMATIONS: &[(&str, &str)] = &[
    ("created", "Saved as a draft."),
    ("saved", "Your changes are saved."),
    ("published", "Published."),
    (
        "amended",
        "The amendment is published and every bidder has been told.",
    ),
    ("cancelled", "Cancelled; every bidder has been told."),
    ("answered", "Your answer is published to every supplier."),
    ("asked", "Your question has been sent to the buyer."),
    (
        "bid",
        "Your bid is submitted. It stays sealed until the deadline.",
    ),
    ("revised", "Your bid is revised. Every version is kept."),
    ("withdrawn", "Withdrawn."),
    (
        "confirmed",
        "Your bid is confirmed against the amended tender.",
    ),
    ("assigned", "The evaluator is assigned."),
    ("removed", "The evaluator is removed from the panel."),
    ("declared", "Your declaration is recorded."),
    ("scored", "Your scores are saved."),
    ("excluded", "The bid is excluded as non-compliant."),
    ("reinstated", "The bid is reinstated."),
    (
        "awarded",
        "Awarded; the standstill period has started and every bidder has been told.",
    ),
    ("unsuccessful", "The tender is declared unsuccessful."),
    (
        "challenged",
        "Your challenge is lodged; the contract cannot be confirmed while it is open.",
    ),
    ("resolved", "The challenge is resolved."),
    ("contracted", "The contract is confirmed."),
    ("reviewed", "The performance review is recorded."),
    ("terminated", "The contract is terminated."),
    ("read", "Marked as read."),
    (
        "transferred",
        "The transfer is recorded and the contracts novated.",
    ),
    ("deleted", "Removed."),
];

/// A path segment that must be an id; anything else is a page that does not exist.
pub fn parse_id(raw: &str) -> Result<uuid::Uuid, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::NotFound("No such page.".to_owned()))
}

/// Select options: an empty choice labelled `first`, then `options`.
pub fn choices(
    first: &str,
    options: impl IntoIterator<Item = (String, String)>,
) -> Vec<(String, String)> {
    std::iter::once((String::new(), first.to_owned()))
        .chain(options)
        .collect()
}

/// The catalogue's categories as select options (code, name).
pub async fn category_options(ctx: &Ctx) -> Result<Vec<(String, String)>, ApiError> {
    Ok(persistence::reference::categories(ctx.state.db.conn())
        .await?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect())
}

/// NHS England's regions as select options (code, name).
pub fn region_options() -> Vec<(String, String)> {
    domain::organisation::Region::ALL
        .iter()
        .map(|r| (r.code().to_owned(), r.name().to_owned()))
        .collect()
}

/// The suppliers still trading (not merged into another), as select options after `first`.
pub async fn trading_suppliers(ctx: &Ctx, first: &str) -> Result<Vec<(String, String)>, ApiError> {
    let suppliers = persistence::organisations::list(
        ctx.state.db.conn(),
        &persistence::organisations::OrganisationFilter {
            kind: Some(domain::organisation::OrganisationKind::Supplier),
        },
        domain::pagination::PageRequest::new(Some(1), Some(100))?,
    )
    .await?;
    Ok(choices(
        first,
        suppliers
            .items
            .into_iter()
            .filter(|s| s.successor_id.is_none())
            .map(|s| (s.id.as_uuid().to_string(), s.name)),
    ))
}

/// After a successful form: back to a page, with the confirmation `code` to show.
pub fn done(to: &str, code: &str) -> Response {
    let separator = if to.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{to}{separator}done={code}")).into_response()
}

/// The confirmation passed by [`done`], if any.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    #[serde(default)]
    pub done: Option<String>,
}

impl Done {
    pub fn message(&self) -> Option<&'static str> {
        let code = self.done.as_deref()?;
        CONFIRMATIONS
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, text)| *text)
    }
}

/// Raw, already-safe markup (server-rendered SVG from the charting crate).
pub fn trusted(markup: String) -> Markup {
    PreEscaped(markup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_typed_into_a_form_become_pence_and_anything_else_is_left_for_the_api_to_refuse() {
        assert_eq!(pence_of_pounds("1,250.5"), serde_json::json!(125_050));
        assert_eq!(pence_of_pounds("£180,000"), serde_json::json!(18_000_000));
        assert_eq!(pence_of_pounds(" 95000.07 "), serde_json::json!(9_500_007));
        assert_eq!(pence_of_pounds("12.345"), serde_json::json!("12.345"));
        assert_eq!(pence_of_pounds("-5"), serde_json::json!("-5"));
        assert_eq!(pence_of_pounds("a lot"), serde_json::json!("a lot"));
        assert_eq!(pounds_field(125_050), "1250.50");
        assert_eq!(pounds_field(18_000_000), "180000");
        assert_eq!(crate::dto::pounds(12_345_678), "£123,456.78");
        assert_eq!(crate::dto::pounds(414_040_000), "£4,140,400");
    }

    #[test]
    fn a_field_error_points_at_its_form_field_and_reads_as_a_sentence() {
        let error = ApiError::Validation(vec![
            domain::FieldError::new("/criteria/1/weight", "must be at least 1"),
            domain::FieldError::new("", "the weights must add up to 100"),
        ]);
        let problems = problems_of(&error);
        assert_eq!(problems[0].field.as_deref(), Some("criteria-1-weight"));
        assert_eq!(problems[0].message, "Criteria 2 weight: must be at least 1");
        assert_eq!(problems[1].field, None);
        assert_eq!(problems[1].message, "the weights must add up to 100");
    }

    #[test]
    fn times_are_shown_in_uk_time() {
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&chrono::Utc))
                .unwrap_or_default()
        };
        assert_eq!(when(at("2026-07-01T11:00:00Z")), "1 July 2026 12:00 BST");
        assert_eq!(
            when(at("2026-12-03T23:59:00Z")),
            "3 December 2026 23:59 GMT"
        );
    }

    #[test]
    fn a_confirmation_is_one_of_the_services_own_sentences() {
        let known = Done {
            done: Some("published".to_owned()),
        };
        assert_eq!(known.message(), Some("Published."));
        let forged = Done {
            done: Some("Your account is suspended, call 0800…".to_owned()),
        };
        assert_eq!(forged.message(), None);
    }
}
