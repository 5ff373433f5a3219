//! The security headers every response carries, whichever router answered it: no type sniffing,
//! no referrer, a minimal permissions policy, `no-store` on anything authenticated or bearing a
//! token (a careless proxy must not keep a bid or a token), a content security policy for the
//! API and for the interactive docs (only the service's own Swagger UI files run), and — when the
//! public address is https — `Strict-Transport-Security` and `Secure` on every cookie.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// Which of the headers depend on where the service is published.
#[derive(Debug, Clone, Copy, Default)]
pub struct Security {
    /// The public address is https.
    pub https: bool,
}

const PERMISSIONS_POLICY: &str =
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";

/// The docs page runs Swagger UI's own scripts and styles from this service only; Swagger UI
/// sets style attributes as it renders, hence inline styles (never inline scripts).
const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'none'";

/// A JSON answer is never a document to render or frame.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Whether the request carries credentials: a bearer token or a session cookie.
fn authenticated(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
        || headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(';').any(|c| c.trim().starts_with("mkt_session=")))
}

pub async fn security_headers(
    State(security): State<Security>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let credentials = authenticated(request.headers());
    let mut response = next.run(request).await;
    let sets_cookie = response.headers().contains_key(header::SET_COOKIE);
    // Sign-in answers with a token in its body.
    let bears_token = path.starts_with("/api/v1/auth/");
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
    if credentials || sets_cookie || bears_token {
        // An asset keeps its own caching: it is the same for everyone.
        if !path.starts_with("/assets/") || !headers.contains_key(header::CACHE_CONTROL) {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
    if path == "/docs" || path.starts_with("/docs/") {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_POLICY),
        );
    } else if !headers.contains_key(header::CONTENT_SECURITY_POLICY)
        && (path.starts_with("/api/") || path == "/openapi.json")
    {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_POLICY),
        );
    }
    if security.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
        let cookies: Vec<HeaderValue> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .cloned()
            .collect();
        if !cookies.is_empty() {
            headers.remove(header::SET_COOKIE);
            for cookie in cookies {
                headers.append(header::SET_COOKIE, secure(cookie));
            }
        }
    }
    response
}

/// The cookie with `Secure`, if it lacked it.
fn secure(cookie: HeaderValue) -> HeaderValue {
    let Ok(text) = cookie.to_str() else {
        return cookie;
    };
    if text
        .split(';')
        .any(|part| part.trim().eq_ignore_ascii_case("secure"))
    {
        return cookie;
    }
    HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(cookie)
}
