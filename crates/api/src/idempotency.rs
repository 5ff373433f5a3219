//! The `Idempotency-Key` header on the API's changes: a signed-in client's POST that carries a
//! key is answered once, and a retry of it (same user, key, method, path and body) within 24
//! hours gets the stored answer with `Idempotency-Replayed: true`, changing nothing. The answer is
//! stored in the change's own transaction (see `service::idempotency`); failures on our side
//! (5xx) and refusals before the request was read (401, 429) are not stored, so a retry runs
//! afresh.

use crate::MAX_BODY_BYTES;
use crate::error::ApiError;
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use service::idempotency::{Begin, Key, StoredResponse, fingerprint};

/// The request header that carries the key.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The response header that marks a stored answer given again.
pub const IDEMPOTENCY_REPLAYED: HeaderName = HeaderName::from_static("idempotency-replayed");

/// The answers' headers that are stored with them; the layers outside (security headers, rate
/// limits, request id) add theirs to a replay as to any answer.
const STORED_HEADERS: [HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::LOCATION,
    header::ETAG,
    header::CONTENT_DISPOSITION,
];

/// The metric counting keyed requests by what became of their key.
pub const KEYED_REQUESTS: &str = "marketplace_idempotency_requests_total";

/// The largest answer stored; every answer of the API's changes is far smaller.
const MAX_STORED_BYTES: usize = 4 * 1024 * 1024;

/// Runs a keyed request once and replays its answer to retries.
pub async fn idempotency(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(header) = request.headers().get(&IDEMPOTENCY_KEY) else {
        return next.run(request).await;
    };
    // Keys are the user's: a request without a valid token, or from an account no longer in
    // good standing (deactivated, its role changed), has none and is refused (or signs in) as it
    // would be without a key — a stored answer is never given to it.
    let actor = match crate::auth::bearer_token(request.headers()) {
        Some(token) => state.sessions.actor_of_token(&state.ctx, token).await.ok(),
        None => None,
    };
    let Some(user) = actor.map(|a| a.user_id) else {
        return next.run(request).await;
    };
    let key = match header.to_str() {
        Ok(text) => Key::parse(text),
        Err(_) => Err("the Idempotency-Key may hold only printable ASCII characters".to_owned()),
    };
    let key = match key {
        Ok(key) => key,
        Err(detail) => return ApiError::BadRequest(detail).into_response(),
    };
    let (parts, body) = request.into_parts();
    // An upload is read whole to be fingerprinted, up to a file's limit; anything else up to
    // the body limit.
    let multipart = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/"));
    let limit = if multipart {
        crate::routes::documents::UPLOAD_BODY_MAX
    } else {
        MAX_BODY_BYTES
    };
    let Ok(bytes) = to_bytes(body, limit).await else {
        return ApiError::PayloadTooLarge(format!("the request body is larger than {limit} bytes"))
            .into_response();
    };
    let target = parts
        .uri
        .path_and_query()
        .map_or(parts.uri.path(), |p| p.as_str());
    let fingerprint = fingerprint(parts.method.as_str(), target, &bytes);
    let begun = service::idempotency::begin(&state.ctx, user, key, &fingerprint).await;
    let outcome = match &begun {
        Ok(Begin::Proceed(_)) => "first",
        Ok(Begin::Replay(_)) => "replayed",
        Ok(Begin::InUse) => "in_use",
        Ok(Begin::Mismatch) => "mismatch",
        Err(_) => "failed",
    };
    metrics::counter!(KEYED_REQUESTS, "outcome" => outcome).increment(1);
    let claim = match begun {
        Ok(Begin::Proceed(claim)) => claim,
        Ok(Begin::Replay(stored)) => return replay(stored),
        Ok(Begin::InUse) => return in_use(),
        Ok(Begin::Mismatch) => {
            return ApiError::IdempotencyKeyMismatch(
                "This Idempotency-Key was used within the last 24 hours for a different request; \
                 send a new key for a new request."
                    .to_owned(),
            )
            .into_response();
        }
        Err(err) => return ApiError::from(err).into_response(),
    };
    let request = Request::from_parts(parts, Body::from(bytes));
    let response = claim.run(next.run(request)).await;
    let status = response.status();
    let storable = !(status.is_server_error()
        || status == StatusCode::UNAUTHORIZED
        || status == StatusCode::TOO_MANY_REQUESTS);
    if !storable {
        return match claim.release(&state.ctx).await {
            Ok(()) => response,
            Err(err) => ApiError::from(err).into_response(),
        };
    }
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_STORED_BYTES).await {
        Ok(bytes) => bytes,
        Err(err) => {
            let _ = claim.release(&state.ctx).await;
            return ApiError::internal(std::io::Error::other(err.to_string())).into_response();
        }
    };
    let stored = StoredResponse {
        status: status.as_u16(),
        headers: STORED_HEADERS
            .iter()
            .filter_map(|name| {
                let value = parts.headers.get(name)?.to_str().ok()?;
                Some((name.as_str().to_owned(), value.to_owned()))
            })
            .collect(),
        body: bytes.to_vec(),
    };
    match claim.complete(&state.ctx, &stored).await {
        Ok(true) => Response::from_parts(parts, Body::from(bytes)),
        Ok(false) => in_use(),
        Err(err) => ApiError::from(err).into_response(),
    }
}

fn in_use() -> Response {
    ApiError::IdempotencyKeyInUse(
        "A request with this Idempotency-Key is still running; try again shortly.".to_owned(),
    )
    .into_response()
}

/// The stored answer, marked as given again.
fn replay(stored: StoredResponse) -> Response {
    let mut response = Response::new(Body::from(stored.body));
    *response.status_mut() = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    for (name, value) in stored.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            headers.append(name, value);
        }
    }
    headers.insert(IDEMPOTENCY_REPLAYED, HeaderValue::from_static("true"));
    response
}
