//! Optimistic concurrency over HTTP: a resource's version is its `ETag`; a change names the
//! version it was based on in `If-Match`.

use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::{HeaderName, HeaderValue, header, request::Parts};

/// The strong entity tag of a version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The `ETag` header for a version.
pub fn etag_header(version: i32) -> (HeaderName, HeaderValue) {
    (
        header::ETAG,
        HeaderValue::from_str(&etag(version)).unwrap_or(HeaderValue::from_static("\"0\"")),
    )
}

/// The `If-Match` header, if sent: `*` or a list of entity tags.
#[derive(Debug, Clone, Default)]
pub struct IfMatch(Option<Vec<String>>);

impl IfMatch {
    /// `If-Match` naming one version (a web form carries the version it was shown).
    pub fn version(version: i32) -> Self {
        Self(Some(vec![etag(version)]))
    }

    /// 428 when the header is missing, 412 when it names no current version.
    pub fn require(&self, current_version: i32) -> Result<(), ApiError> {
        match &self.0 {
            None => Err(ApiError::PreconditionRequired(
                "Send If-Match with the ETag of the version you are changing.".to_owned(),
            )),
            Some(_) => self.check(current_version),
        }
    }

    /// 412 when the header is sent and names no current version; fine when absent.
    pub fn check(&self, current_version: i32) -> Result<(), ApiError> {
        let Some(tags) = &self.0 else { return Ok(()) };
        let current = etag(current_version);
        if tags
            .iter()
            // If-Match compares strongly (RFC 9110 §13.1.1): a weak tag never matches.
            .any(|t| t == "*" || *t == current)
        {
            Ok(())
        } else {
            Err(ApiError::PreconditionFailed(format!(
                "The resource has changed; its current ETag is {current}."
            )))
        }
    }
}

impl IfMatch {
    /// What the client says it last read, for the service to check under the row's lock.
    pub fn expected(&self) -> service::Expected {
        match &self.0 {
            None => service::Expected::Unstated,
            Some(tags) if tags.iter().any(|t| t == "*") => service::Expected::Any,
            Some(tags) => service::Expected::OneOf(
                tags.iter()
                    .filter_map(|t| t.strip_prefix('"')?.strip_suffix('"')?.parse().ok())
                    .collect(),
            ),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let values: Vec<String> = parts
            .headers
            .get_all(header::IF_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
        Ok(Self((!values.is_empty()).then_some(values)))
    }
}
