//! The signed-in context of a page (an extractor that sends an anonymous browser to sign in), its CSRF token, its error pages, and the confirmations shown after a form.

use super::*;

/// The signed-in user of a page, with the CSRF token its forms carry.
pub struct Ctx {
    pub state: WebState,
    pub actor: Actor,
    pub csrf: String,
    cookies: Vec<HeaderValue>,
    path: String,
}

impl FromRequestParts<WebState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Response> {
        let actor = match session::signed_in(state, &parts.headers).await {
            Ok(Some(actor)) => actor,
            Ok(None) => return Err(Redirect::to("/sign-in").into_response()),
            Err(error) => return Err(unavailable_page(&error)),
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
    pub fn error(&self, error: ServiceError) -> Response {
        match error {
            ServiceError::NotFound(_) => self.page_with(
                StatusCode::NOT_FOUND,
                "Page not found",
                not_found("/dashboard"),
            ),
            ServiceError::Forbidden(detail) | ServiceError::Sealed(detail) => self.page_with(
                StatusCode::FORBIDDEN,
                "You cannot use this page",
                html! {
                    h1 { "You cannot use this page" }
                    p { (detail) }
                    p { "Your account is a " (words(self.actor.role.as_str())) " account. "
                        a href="/dashboard" { "Go to your dashboard" } "." }
                },
            ),
            ServiceError::Unauthenticated(_) => Redirect::to("/sign-in").into_response(),
            // The same page whether the database went away before the session was checked or
            // while the page was being built (an account's standing is held for a second).
            ServiceError::Unavailable(detail) => {
                let mut response = self.page_with(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Sorry, the service is unavailable",
                    html! {
                        h1 { "Sorry, the service is unavailable" }
                        p { (detail) }
                    },
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
                response
            }
            ServiceError::Internal(cause) => {
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
                let status = status_of(&other);
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
    pub fn show(&self, title: &str, built: Result<Markup, ServiceError>) -> Response {
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
        error: &ServiceError,
        built: Result<Markup, ServiceError>,
    ) -> Response {
        let mut response = self.show(title, built);
        if response.status().is_success() {
            *response.status_mut() = crate::ui::status_of(error);
        }
        response
    }

    /// Refuses a page to any role not listed (the API would answer 403 too).
    pub fn require(&self, roles: &[Role]) -> Result<(), ServiceError> {
        if roles.contains(&self.actor.role) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(format!(
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
pub(crate) const CONFIRMATIONS: &[(&str, &str)] = &[
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
    (
        "uploaded",
        "The document is uploaded. On a published tender every bidder has been told.",
    ),
    (
        "attached",
        "The file is attached: a new version of your bid, sealed until the deadline.",
    ),
    (
        "detached",
        "The file is deleted from your bid's new version.",
    ),
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
    (
        "requested",
        "Your request to participate is sent; you may revise it until requests close.",
    ),
    (
        "shortlisted",
        "The shortlist is decided and every supplier that asked is told its decision.",
    ),
    (
        "ended",
        "The contract's end is recorded and its termination notice published.",
    ),
    ("read", "Marked as read."),
    (
        "transferred",
        "The transfer is recorded and the contracts novated.",
    ),
    ("deleted", "Removed."),
    (
        "frozen",
        "The search is saved and its results frozen: this shortlist will not change.",
    ),
    (
        "called_off",
        "Called off: the contract is entered and its award and contract details notices are published.",
    ),
    ("call_off_cancelled", "The call-off is cancelled."),
    (
        "listed",
        "The offer is in the framework's catalogue; buyers calling off see it.",
    ),
    ("unlisted", "The offer is out of the framework's catalogue."),
];

/// The page for a database that cannot be reached, before anyone is known to be signed in.
fn unavailable_page(error: &ServiceError) -> Response {
    let mut response = page(
        StatusCode::SERVICE_UNAVAILABLE,
        layout(
            "Sorry, the service is unavailable",
            None,
            "",
            html! {
                h1 { "Sorry, the service is unavailable" }
                p { (detail_of(error)) }
            },
        ),
        Vec::new(),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

/// The status a page answers with for an error: the status the API gives the same error.
pub fn status_of(error: &ServiceError) -> StatusCode {
    match error {
        ServiceError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
        ServiceError::Forbidden(_) | ServiceError::Sealed(_) => StatusCode::FORBIDDEN,
        ServiceError::Conflict { .. } | ServiceError::DeadlinePassed { .. } => StatusCode::CONFLICT,
        ServiceError::Stale(_) => StatusCode::PRECONDITION_FAILED,
        ServiceError::VersionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
        ServiceError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        ServiceError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        ServiceError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        ServiceError::UnsupportedType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A path segment that must be an id; anything else is a page that does not exist.
pub fn parse_id(raw: &str) -> Result<uuid::Uuid, ServiceError> {
    raw.parse()
        .map_err(|_| ServiceError::NotFound("No such page.".to_owned()))
}

/// A table as a CSV download, the same file the API gives for the same figures.
pub fn download(table: &service::market::Table) -> Response {
    let disposition = HeaderValue::from_str(&table.disposition())
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(service::market::Table::MEDIA_TYPE),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        table.csv(),
    )
        .into_response()
}

/// After a successful form: back to a page, with the confirmation `code` to show.
pub fn done(to: &str, code: &str) -> Response {
    let separator = if to.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{to}{separator}done={code}")).into_response()
}

/// The lot a page is about (`?lot=`), on a divided tender's pages.
#[derive(Debug, Default, serde::Deserialize)]
pub struct LotParam {
    #[serde(default)]
    pub lot: Option<String>,
}

impl LotParam {
    /// The lot named, if any; a value that is not an id names no page.
    pub fn lot_id(&self) -> Result<Option<domain::ids::LotId>, ServiceError> {
        lot_id_of(self.lot.as_deref().unwrap_or_default())
    }
}

/// A lot id as a form or query sends it: empty for none.
pub fn lot_id_of(raw: &str) -> Result<Option<domain::ids::LotId>, ServiceError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    parse_id(raw.trim()).map(|id| Some(domain::ids::LotId::from_uuid(id)))
}

/// `path` for one lot (`?lot=`), or as it is without one.
pub fn lot_path(path: &str, lot: Option<domain::ids::LotId>) -> String {
    match lot {
        Some(lot) => format!("{path}?lot={lot}"),
        None => path.to_owned(),
    }
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
