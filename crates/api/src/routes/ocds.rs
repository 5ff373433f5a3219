//! Open Contracting Data Standard (OCDS 1.1) export: a release package for one published tender,
//! and a paginated package of all the tenders the caller may see (the releases are the
//! service's; this wraps them in a package with its address).

use crate::auth::AuthUser;
use crate::error::{ApiError, BadRequest, NotFound, Unauthorized};
use crate::extract::PathParams;
use crate::extract::{PageParams, Pagination};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use domain::error::Validator;
use domain::ids::TenderId;
use serde::Serialize;
use serde_json::{Value, json};
use service::ocds::{EXTENSIONS, LICENSE, PUBLISHER};
use utoipa::ToSchema;
use uuid::Uuid;

/// An OCDS 1.1 release package (see https://standard.open-contracting.org/1.1/en/schema/).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsPackage {
    /// This package's address.
    pub uri: String,
    /// The OCDS version: `1.1`.
    pub version: String,
    /// The extensions used: the bid statistics extension.
    pub extensions: Vec<String>,
    /// When the package was generated.
    pub published_date: DateTime<Utc>,
    /// Who publishes it.
    #[schema(value_type = Object)]
    pub publisher: Value,
    /// The data's licence.
    pub license: String,
    /// One release per tender, valid against the OCDS 1.1 release schema.
    #[schema(value_type = Vec<Object>)]
    pub releases: Vec<Value>,
}

/// The address the client reached the service at, for the package's absolute `uri`.
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    format!("{scheme}://{host}")
}

pub(crate) fn package(uri: String, releases: Vec<Value>, now: DateTime<Utc>) -> OcdsPackage {
    OcdsPackage {
        uri,
        version: "1.1".to_owned(),
        extensions: EXTENSIONS.iter().map(|e| (*e).to_owned()).collect(),
        published_date: now,
        publisher: json!({"name": PUBLISHER}),
        license: LICENSE.to_owned(),
        releases,
    }
}

/// The tender as an OCDS 1.1 release package, for anyone who may see the published tender.
#[utoipa::path(
    get,
    path = "/tenders/{id}/ocds",
    tag = "market",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "An OCDS release package with one release.", body = OcdsPackage),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get_tender_ocds(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<OcdsPackage>, ApiError> {
    let (release, now) =
        service::ocds::tender_release(&state.ctx, &actor, TenderId::from_uuid(id)).await?;
    Ok(Json(package(
        format!("{}/api/v1/tenders/{id}/ocds", base_url(&headers)),
        vec![release],
        now,
    )))
}

/// One page of releases, a release per published tender the signed-in user may see (the
/// regulator and admins: all), in one OCDS release package.
#[utoipa::path(
    get,
    path = "/ocds/releases",
    tag = "market",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "An OCDS release package.", body = OcdsPackage),
        crate::error::QueryProblems,
    )
)]
pub async fn list_ocds_releases(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    Pagination(query): Pagination,
) -> Result<Json<OcdsPackage>, ApiError> {
    let mut v = Validator::new();
    let page = v.check(query.request());
    v.finish()?;
    let page = page.unwrap_or_default();
    let (releases, now) = service::ocds::releases(&state.ctx, &actor, page).await?;
    Ok(Json(package(
        format!(
            "{}/api/v1/ocds/releases?page={}&per_page={}",
            base_url(&headers),
            page.page(),
            page.per_page()
        ),
        releases,
        now,
    )))
}
