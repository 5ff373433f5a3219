//! Request extractors whose rejections go through the one error path: bad JSON is 400, a field of
//! the wrong type or a missing one is 422 with a JSON pointer, a body that is not JSON is 415, an
//! oversized body is 413.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts};
use domain::pagination::PageRequest;
use domain::{DomainError, FieldError};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;
use utoipa::IntoParams;

/// A JSON request body.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

fn is_json_content_type(parts: &axum::http::HeaderMap) -> bool {
    let Some(value) = parts
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Turns a serde path into a JSON pointer (`users[0].email` → `/users/0/email`).
fn pointer_of(path: &serde_path_to_error::Path) -> String {
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Enum { variant } => {
                pointer.push('/');
                pointer.push_str(variant);
            }
            Segment::Unknown => pointer.push_str("/?"),
        }
    }
    pointer
}

/// serde's message without its position suffix; a missing field is reported at the field.
fn field_error(pointer: String, message: &str) -> FieldError {
    let message = match message.find(" at line ") {
        Some(at) => &message[..at],
        None => message,
    };
    if let Some(rest) = message.strip_prefix("missing field `")
        && let Some(name) = rest.strip_suffix('`')
    {
        return FieldError::new(format!("{pointer}/{name}"), "is required");
    }
    FieldError::new(pointer, message)
}

/// Parses JSON text into `T`, classifying failures as unreadable (400) or invalid (422).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value: T = match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => value,
        Err(err) => {
            let pointer = pointer_of(err.path());
            let inner = err.into_inner();
            return Err(match inner.classify() {
                serde_json::error::Category::Data => {
                    ApiError::Validation(vec![field_error(pointer, &inner.to_string())])
                }
                serde_json::error::Category::Eof if bytes.iter().all(u8::is_ascii_whitespace) => {
                    ApiError::BadRequest(
                        "The request body is empty; a JSON object was expected.".to_owned(),
                    )
                }
                _ => {
                    ApiError::BadRequest(format!("The request body is not valid JSON ({}).", inner))
                }
            });
        }
    };
    deserializer.end().map_err(|_| {
        ApiError::BadRequest("The request body has data after the JSON value.".to_owned())
    })?;
    Ok(value)
}

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        parse_json(&json_bytes(req, state).await?).map(JsonBody)
    }
}

/// The bytes of a JSON request body: refused unless sent as JSON and within the size limit.
async fn json_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    if !is_json_content_type(req.headers()) {
        return Err(ApiError::UnsupportedMediaType(
            "Send the request body as JSON with the header Content-Type: application/json."
                .to_owned(),
        ));
    }
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(format!(
                "The request body is larger than {} bytes.",
                crate::MAX_BODY_BYTES
            ))
        } else {
            ApiError::BadRequest("The request body could not be read.".to_owned())
        }
    })
}

/// A JSON body that changes some of a resource's fields: an object naming none (`{}`) is
/// refused with 422, as its schema's `minProperties: 1` says.
#[derive(Debug)]
pub struct JsonPatch<T>(pub T);

impl<S, T> FromRequest<S> for JsonPatch<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = json_bytes(req, state).await?;
        let patch: T = parse_json(&bytes)?;
        let named = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes)
            .map_or(true, |fields| !fields.is_empty());
        if !named {
            return Err(ApiError::Validation(vec![FieldError::new(
                "",
                "name at least one field to change",
            )]));
        }
        Ok(Self(patch))
    }
}

/// Path parameters.
#[derive(Debug)]
pub struct PathParams<T>(pub T);

impl<S, T> FromRequestParts<S> for PathParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| PathParams(value))
            .map_err(|rejection| {
                ApiError::BadRequest(format!(
                    "The address has an invalid parameter: {}.",
                    rejection.body_text()
                ))
            })
    }
}

/// A bid's address: `/tenders/{id}/bids/{bid_id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct BidPath {
    /// The tender's id.
    pub id: uuid::Uuid,
    /// The bid's id.
    pub bid_id: uuid::Uuid,
}

/// Query parameters; a value of the wrong type is a validation error naming the parameter.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<S, T> FromRequestParts<S> for QueryParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(QueryParams)
            .map_err(|err| {
                let pointer = pointer_of(err.path());
                ApiError::Validation(vec![field_error(pointer, &err.into_inner().to_string())])
            })
    }
}

/// `page` and `per_page`: the one pagination parameter set of every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u64>,
}

impl PageParams {
    /// The page asked for, or the field error of a page or size out of range.
    pub fn request(&self) -> Result<PageRequest, DomainError> {
        PageRequest::new(self.page, self.per_page)
    }
}

/// The pagination of a list, read from the query beside its filters (a value of the wrong type
/// is a validation error naming the parameter).
#[derive(Debug)]
pub struct Pagination(pub PageParams);

impl<S: Send + Sync> FromRequestParts<S> for Pagination {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let QueryParams(params) = QueryParams::from_request_parts(parts, state).await?;
        Ok(Self(params))
    }
}

/// The addresses of the next and previous pages of the list at `path_and_query` (its other
/// parameters kept), when there are such pages.
pub(crate) fn page_links(
    path_and_query: &str,
    page: u64,
    per_page: u64,
    total: u64,
) -> (Option<String>, Option<String>) {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("page=") && !p.starts_with("per_page="))
        .collect();
    let at = |n: u64| {
        let mut params = kept.clone();
        let page_param = format!("page={n}");
        let size_param = format!("per_page={per_page}");
        params.push(&page_param);
        params.push(&size_param);
        format!("{path}?{}", params.join("&"))
    };
    (
        (page.saturating_mul(per_page) < total).then(|| at(page + 1)),
        (page > 1).then(|| at(page - 1)),
    )
}

/// The `Link` header of a page: `next` and `prev` with the same filters.
pub(crate) fn link_header(
    path_and_query: &str,
    page: u64,
    per_page: u64,
    total: u64,
) -> Option<axum::http::HeaderValue> {
    let (next, prev) = page_links(path_and_query, page, per_page, total);
    let links: Vec<String> = [(next, "next"), (prev, "prev")]
        .into_iter()
        .filter_map(|(at, rel)| at.map(|at| format!("<{at}>; rel=\"{rel}\"")))
        .collect();
    (!links.is_empty())
        .then(|| axum::http::HeaderValue::from_str(&links.join(", ")).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        email: String,
        items: Vec<Item>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        weight: u8,
    }

    fn pointers(err: ApiError) -> Vec<String> {
        match err {
            ApiError::Validation(errors) => errors.into_iter().map(|e| e.pointer).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_field_is_reported_at_the_field() {
        let err = parse_json::<Body>(br#"{"items": []}"#).err();
        assert_eq!(err.map(pointers), Some(vec!["/email".to_owned()]));
    }

    #[test]
    fn a_wrongly_typed_nested_field_is_reported_with_its_pointer() {
        let err = parse_json::<Body>(
            br#"{"email": "a@b.org", "items": [{"weight": 1}, {"weight": "x"}]}"#,
        )
        .err();
        assert_eq!(err.map(pointers), Some(vec!["/items/1/weight".to_owned()]));
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert!(matches!(
            parse_json::<Body>(b"{\"email\":"),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            parse_json::<Body>(b""),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            parse_json::<Body>(b"{} x"),
            Err(ApiError::Validation(_)) | Err(ApiError::BadRequest(_))
        ));
    }
}
