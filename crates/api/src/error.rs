//! The one error path: every failure becomes an RFC 9457 problem details response
//! (`application/problem+json`), with field-level errors for validation. Server errors log their
//! cause and tell the client nothing about it.

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::{DomainError, FieldError};
use persistence::StoreError;
use serde::Serialize;
use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder, header::HeaderBuilder};
use utoipa::{ToResponse, ToSchema};

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// A problem details object (RFC 9457).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation",
    "title": "Your request has invalid fields",
    "status": 422,
    "detail": "1 field is invalid",
    "errors": [{"pointer": "/email", "detail": "must be an email address like name@example.org"}]
}))]
pub struct Problem {
    /// A URI reference naming the kind of problem; stable, so clients may switch on it.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short, human-readable summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence, in plain words.
    pub detail: String,
    /// For validation problems: each invalid field, located by a JSON pointer into the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ProblemField>>,
    /// For `deadline-passed`: the deadline that has passed (RFC 3339, database clock).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<Utc>>,
}

/// One invalid field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// JSON pointer (RFC 6901) to the field in the request body, or `/name` for a query or path
    /// parameter.
    pub pointer: String,
    /// What is wrong with it.
    pub detail: String,
}

impl From<FieldError> for ProblemField {
    fn from(e: FieldError) -> Self {
        Self {
            pointer: e.pointer,
            detail: e.detail,
        }
    }
}

/// How long a client is asked to wait before trying again when the database is away.
pub const UNAVAILABLE_RETRY_AFTER_SECONDS: &str = "5";

/// Every way a request can fail.
#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    Unauthenticated(String),
    Forbidden(String),
    /// 403 `bids-sealed`: the bids may not be read before the submission deadline.
    BidsSealed(String),
    NotFound(String),
    Conflict {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// 409 `deadline-passed`, naming the deadline.
    DeadlinePassed {
        detail: String,
        deadline: DateTime<Utc>,
    },
    PayloadTooLarge(String),
    PreconditionFailed(String),
    PreconditionRequired(String),
    UnsupportedMediaType(String),
    Validation(Vec<FieldError>),
    TooManyRequests {
        detail: String,
        retry_after_seconds: u64,
    },
    Unavailable(String),
    /// 409 `idempotency-key-in-use`: a request with the same key is still running.
    IdempotencyKeyInUse(String),
    /// 422 `idempotency-key-mismatch`: the key was used for a different request.
    IdempotencyKeyMismatch(String),
    /// Any other status raised outside our handlers (axum, tower); described by its reason.
    Status(StatusCode, String),
    /// A failure that is ours, not the client's; the cause is logged, never sent.
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(err))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::BidsSealed(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } | Self::DeadlinePassed { .. } | Self::IdempotencyKeyInUse(_) => {
                StatusCode::CONFLICT
            }
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) | Self::IdempotencyKeyMismatch(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Status(status, _) => *status,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The stable `type` and `title` for a status.
fn kind_of(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("bad-request", "The request could not be read"),
        401 => ("unauthenticated", "You need to sign in"),
        403 => ("forbidden", "Your role may not do this"),
        404 => ("not-found", "Not found"),
        405 => ("method-not-allowed", "This method is not allowed here"),
        409 => ("conflict", "The request conflicts with the current state"),
        412 => (
            "precondition-failed",
            "The resource has changed since you read it",
        ),
        413 => ("payload-too-large", "The request body is too large"),
        415 => ("unsupported-media-type", "The request body must be JSON"),
        422 => ("validation", "Your request has invalid fields"),
        428 => ("precondition-required", "This request must be conditional"),
        429 => ("too-many-requests", "Too many attempts"),
        503 => ("unavailable", "The service is unavailable"),
        500..=599 => ("internal", "Something went wrong on our side"),
        _ => ("http-error", "The request failed"),
    }
}

/// The parts of a problem that vary by occurrence.
#[derive(Default)]
struct Occurrence {
    errors: Option<Vec<ProblemField>>,
    /// A more specific kind than the status gives: `(slug, title)`.
    kind: Option<(&'static str, &'static str)>,
    deadline: Option<DateTime<Utc>>,
}

fn problem_response(
    status: StatusCode,
    detail: String,
    occurrence: Occurrence,
    mut headers: HeaderMap,
) -> Response {
    let (slug, title) = occurrence.kind.unwrap_or_else(|| kind_of(status));
    let body = Problem {
        problem_type: format!("/problems/{slug}"),
        title: title.to_owned(),
        status: status.as_u16(),
        detail,
        errors: occurrence.errors,
        deadline: occurrence.deadline,
    };
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
    );
    (status, headers, Json(body)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut headers = HeaderMap::new();
        let mut occurrence = Occurrence::default();
        let detail = match self {
            Self::Validation(errors) => {
                let detail = match errors.len() {
                    1 => "1 field is invalid".to_owned(),
                    n => format!("{n} fields are invalid"),
                };
                occurrence.errors = Some(errors.into_iter().map(Into::into).collect());
                detail
            }
            Self::Conflict { detail, errors } => {
                occurrence.errors =
                    (!errors.is_empty()).then(|| errors.into_iter().map(Into::into).collect());
                detail
            }
            Self::BidsSealed(detail) => {
                occurrence.kind = Some(("bids-sealed", "The bids are sealed"));
                detail
            }
            Self::IdempotencyKeyInUse(detail) => {
                occurrence.kind = Some((
                    "idempotency-key-in-use",
                    "A request with this idempotency key is still running",
                ));
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                detail
            }
            Self::IdempotencyKeyMismatch(detail) => {
                occurrence.kind = Some((
                    "idempotency-key-mismatch",
                    "This idempotency key was used for a different request",
                ));
                detail
            }
            Self::DeadlinePassed { detail, deadline } => {
                occurrence.kind = Some(("deadline-passed", "The deadline has passed"));
                occurrence.deadline = Some(deadline);
                detail
            }
            Self::Unauthenticated(detail) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"marketplace\""),
                );
                detail
            }
            Self::TooManyRequests {
                detail,
                retry_after_seconds,
            } => {
                if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
                    headers.insert(header::RETRY_AFTER, value);
                }
                detail
            }
            Self::Internal(cause) => {
                tracing::error!(error = %ErrorChain(cause.as_ref()), "request failed");
                "The request could not be completed. It has been logged; please try again."
                    .to_owned()
            }
            Self::BadRequest(d)
            | Self::Forbidden(d)
            | Self::NotFound(d)
            | Self::PayloadTooLarge(d)
            | Self::PreconditionFailed(d)
            | Self::PreconditionRequired(d)
            | Self::UnsupportedMediaType(d)
            | Self::Status(_, d) => d,
            Self::Unavailable(detail) => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from_static(UNAVAILABLE_RETRY_AFTER_SECONDS),
                );
                detail
            }
        };
        problem_response(status, detail, occurrence, headers)
    }
}

/// Displays an error and every `source` beneath it, for the log.
struct ErrorChain<'a>(&'a (dyn std::error::Error + 'static));

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        service::ServiceError::from(err).into()
    }
}

impl From<service::ServiceError> for ApiError {
    fn from(err: service::ServiceError) -> Self {
        use service::ServiceError as E;
        match err {
            E::Validation(errors) => Self::Validation(errors),
            E::NotFound(detail) => Self::NotFound(detail),
            E::Forbidden(detail) => Self::Forbidden(detail),
            E::Sealed(detail) => Self::BidsSealed(detail),
            E::Conflict { detail, errors } => Self::Conflict { detail, errors },
            E::DeadlinePassed { detail, deadline } => Self::DeadlinePassed { detail, deadline },
            E::Stale(detail) => Self::PreconditionFailed(detail),
            E::VersionRequired(detail) => Self::PreconditionRequired(detail),
            E::Unauthenticated(detail) => Self::Unauthenticated(detail),
            E::TooManyRequests {
                detail,
                retry_after_seconds,
            } => Self::TooManyRequests {
                detail,
                retry_after_seconds,
            },
            E::Unavailable(detail) => Self::Unavailable(detail),
            E::TooLarge(detail) => Self::PayloadTooLarge(detail),
            E::UnsupportedType(detail) => Self::UnsupportedMediaType(detail),
            E::Internal(cause) => Self::Internal(cause),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        service::ServiceError::from(err).into()
    }
}

/// Rewrites any error response that is not already problem details — axum's 405, a layer's 413,
/// a caught panic — into one, keeping headers such as `Allow`. The body is replaced, so nothing
/// an inner component wrote (a stack trace, a driver message) can leak.
pub async fn ensure_problem_details(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        // Web pages answer errors as HTML pages in the NHS error pattern, on purpose.
        .is_some_and(|v| v.starts_with(PROBLEM_CONTENT_TYPE) || v.starts_with("text/html"));
    if is_problem {
        return response;
    }
    let mut headers = response.headers().clone();
    headers.remove(header::CONTENT_LENGTH);
    headers.remove(header::CONTENT_TYPE);
    let detail = match status.as_u16() {
        404 => "There is nothing at this address.".to_owned(),
        405 => "This address does not accept that method; see the Allow header.".to_owned(),
        413 => "The request body is larger than the service accepts.".to_owned(),
        s if s >= 500 => {
            tracing::error!(status = s, "an inner component failed");
            "The request could not be completed. It has been logged; please try again.".to_owned()
        }
        _ => status
            .canonical_reason()
            .unwrap_or("The request failed")
            .to_owned(),
    };
    problem_response(status, detail, Occurrence::default(), headers)
}

/// The answer for an address with no route, as problem details.
pub async fn route_not_found() -> Response {
    ApiError::NotFound("There is nothing at this address.".to_owned()).into_response()
}

macro_rules! problem_responses {
    ($($name:ident => $status:literal, $description:literal $(, header $header:literal : $header_desc:literal)?;)*) => {
        $(
            #[doc = $description]
            pub struct $name;

            impl<'r> ToResponse<'r> for $name {
                fn response() -> (&'r str, RefOr<utoipa::openapi::Response>) {
                    #[allow(unused_mut)]
                    let mut builder = ResponseBuilder::new()
                        .description($description)
                        .content(
                            PROBLEM_CONTENT_TYPE,
                            ContentBuilder::new()
                                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Problem"))))
                                .build(),
                        );
                    $(
                        builder = builder.header(
                            $header,
                            HeaderBuilder::new()
                                .schema(Some(utoipa::openapi::schema::Object::with_type(utoipa::openapi::schema::Type::String)))
                                .description(Some($header_desc))
                                .build(),
                        );
                    )?
                    (stringify!($name), RefOr::T(builder.build()))
                }
            }
        )*

        /// Every reusable problem response, for the document's components.
        pub fn problem_response_components() -> Vec<(String, RefOr<utoipa::openapi::Response>)> {
            vec![$({
                let (name, response) = <$name as ToResponse>::response();
                (name.to_owned(), response)
            }),*]
        }
    };
}

problem_responses! {
    BadRequest => 400, "The request could not be read: malformed JSON, or a bad path or query parameter.";
    Unauthorized => 401, "No valid access token was sent.", header "WWW-Authenticate": "The authentication scheme: Bearer.";
    Forbidden => 403, "The signed-in user's role may never take this action.";
    BidsSealed => 403, "Problem type `bids-sealed`: bids are sealed until the submission deadline; not even the buyer, the regulator or an admin may read them before it.";
    DeadlinePassed => 409, "Problem type `deadline-passed`: the deadline for this action has passed by the database clock; `deadline` names it. Or another conflict with the tender's current state.";
    NotFound => 404, "No such resource, or it is not yours to see.";
    Conflict => 409, "The request conflicts with the current state or with an existing resource.";
    PreconditionFailed => 412, "The If-Match header names a version that is no longer current; read the resource again.";
    PreconditionRequired => 428, "This change must be conditional: send If-Match with the ETag you read.";
    PayloadTooLarge => 413, "The request body is larger than the service accepts.";
    UnsupportedMediaType => 415, "The request body must be sent as application/json; or, for a file upload, the file's content is none of the accepted kinds (PDF, DOCX, XLSX, PPTX, ODT, ODS, CSV, plain text, PNG, JPEG), whatever its name says.";
    ValidationFailed => 422, "One or more fields are invalid; `errors` lists each with a JSON pointer.";
    TooManyRequests => 429, "Too many requests: a rate limit per user, per organisation or per client address (the `RateLimit-Policy` and `RateLimit` headers name it and what is left), or too many failed sign-ins; wait and try again.", header "Retry-After": "Seconds to wait before trying again.";
    ServiceUnavailable => 503, "The database cannot be reached.";
    IdempotencyKeyInUse => 409, "Problem type `idempotency-key-in-use`: a request with the same `Idempotency-Key` is still running; try again shortly.", header "Retry-After": "Seconds to wait before trying again.";
    IdempotencyKeyMismatch => 422, "Problem type `idempotency-key-mismatch`: the `Idempotency-Key` was used within the last 24 hours for a different request (another method, path or body).";
}

/// Declares a set of problem responses one operation lists together, by status and component.
macro_rules! problem_sets {
    ($($(#[$doc:meta])* $set:ident => [$($status:literal => $name:ident),*];)*) => {
        $(
            $(#[$doc])*
            pub struct $set;

            impl utoipa::IntoResponses for $set {
                fn responses() -> std::collections::BTreeMap<String, RefOr<utoipa::openapi::Response>> {
                    [$(($status, stringify!($name))),*]
                        .into_iter()
                        .map(|(status, name)| {
                            (
                                status.to_owned(),
                                RefOr::Ref(utoipa::openapi::Ref::from_response_name(name)),
                            )
                        })
                        .collect()
                }
            }
        )*
    };
}

problem_sets! {
    /// Reaching a resource by its path as a signed-in user: a bad path, no token, a role that may
    /// never, or nothing there that is yours to see.
    AccessProblems => ["400" => BadRequest, "401" => Unauthorized, "403" => Forbidden, "404" => NotFound];
    /// Sending a JSON body: unreadable, too large, not JSON, or invalid fields.
    BodyProblems => ["400" => BadRequest, "413" => PayloadTooLarge, "415" => UnsupportedMediaType, "422" => ValidationFailed];
    /// A conditional change: a stale or missing `If-Match`.
    VersionProblems => ["412" => PreconditionFailed, "428" => PreconditionRequired];
    /// Reading a list with query filters as a signed-in user.
    QueryProblems => ["400" => BadRequest, "401" => Unauthorized, "422" => ValidationFailed];
    /// Reading a list or figures with query filters, for the roles that may.
    FilteredReadProblems => ["400" => BadRequest, "401" => Unauthorized, "403" => Forbidden, "422" => ValidationFailed];
    /// Reading a tender's sealed bids or marks: before the deadline nobody may (403 bids-sealed).
    SealedReadProblems => ["400" => BadRequest, "401" => Unauthorized, "403" => BidsSealed, "404" => NotFound];
}
