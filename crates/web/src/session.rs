//! The web session and CSRF protection. The session is an access token (the API's kind) in an `HttpOnly`,
//! `SameSite=Strict` cookie (`Secure` except on plain-HTTP localhost); every form carries a CSRF
//! token that must equal the one in its own `HttpOnly`, `SameSite=Strict` cookie (double
//! submit), so a form posted from another site is refused.

use crate::WebState;
use axum::http::{HeaderMap, HeaderValue, header};
use domain::access::Actor;

pub const SESSION_COOKIE: &str = "mkt_session";
pub const CSRF_COOKIE: &str = "mkt_csrf";

/// A cookie's value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

/// Whether the request came over plain HTTP to this machine, where a `Secure` cookie would never
/// be sent back.
fn plain_http_localhost(headers: &HeaderMap) -> bool {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let name = host
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(name, _)| name);
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    !https && matches!(name, "localhost" | "127.0.0.1" | "[::1]")
}

/// A `Set-Cookie` value with the session's flags.
pub fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age: u64) -> HeaderValue {
    let secure = if plain_http_localhost(headers) {
        ""
    } else {
        "; Secure"
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The signed-in actor, if the session cookie holds a valid token for an active account.
pub async fn actor(state: &WebState, headers: &HeaderMap) -> Option<Actor> {
    signed_in(state, headers).await.ok().flatten()
}

/// [`actor`], telling a session that is not valid (`None`) from a database that cannot say
/// (the error): the second is no reason to sign in again.
pub async fn signed_in(
    state: &WebState,
    headers: &HeaderMap,
) -> Result<Option<Actor>, service::ServiceError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    match state.sessions.actor_of_token(&state.ctx, token).await {
        Ok(actor) => Ok(Some(actor)),
        Err(error @ service::ServiceError::Unavailable(_)) => Err(error),
        Err(_) => Ok(None),
    }
}

/// The CSRF token for this browser: the one in its cookie, or a fresh random one to set.
pub fn csrf_token(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, CSRF_COOKIE)
        .filter(|t| t.len() == 32 && t.chars().all(|c| c.is_ascii_hexdigit()))
    {
        Some(token) => (token.to_owned(), false),
        None => (uuid::Uuid::new_v4().simple().to_string(), true),
    }
}

/// Whether a form's CSRF token matches the browser's cookie.
pub fn csrf_ok(headers: &HeaderMap, submitted: &str) -> bool {
    cookie(headers, CSRF_COOKIE).is_some_and(|expected| {
        expected.len() == submitted.len()
            && expected
                .bytes()
                .zip(submitted.bytes())
                .fold(0u8, |diff, (a, b)| diff | (a ^ b))
                == 0
    })
}
