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
use axum::response::IntoResponse;
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

/// The next and previous pages of a release package.
#[derive(Debug, Serialize, ToSchema)]
pub struct PackageLinks {
    /// The next page, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The previous page, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
}

/// A page of the release feed: an OCDS release package with links to its neighbours.
#[derive(Debug, Serialize, ToSchema)]
pub struct OcdsFeedPage {
    #[serde(flatten)]
    pub package: OcdsPackage,
    /// The neighbouring pages.
    pub links: PackageLinks,
}

/// Every release published, one per notice, in the order published (a contracting process's
/// history, not only its latest state): public (no token needed). Pages link to each other in
/// `links` and in a `Link` header.
#[utoipa::path(
    get,
    path = "/ocds/releases",
    tag = "notices",
    security(()),
    params(PageParams),
    responses(
        (status = 200, description = "An OCDS release package (Find a Tender profile).", body = OcdsFeedPage,
            headers(("Link" = String, description = "The next and previous pages, when there are."))),
        crate::error::QueryProblems,
    )
)]
pub async fn list_ocds_releases(
    State(state): State<AppState>,
    headers: HeaderMap,
    Pagination(query): Pagination,
) -> Result<axum::response::Response, ApiError> {
    let mut v = Validator::new();
    let page = v.check(query.request());
    v.finish()?;
    let page = page.unwrap_or_default();
    let (found, now) = service::ocds::published_releases(&state.ctx, page).await?;
    let base = base_url(&headers);
    let path = format!(
        "/api/v1/ocds/releases?page={}&per_page={}",
        found.page, found.per_page
    );
    let (next, prev) = crate::extract::page_links(&path, found.page, found.per_page, found.total);
    let link = crate::extract::link_header(&path, found.page, found.per_page, found.total);
    let body = OcdsFeedPage {
        package: package(format!("{base}{path}"), found.items, now),
        links: PackageLinks {
            next: next.map(|at| format!("{base}{at}")),
            prev: prev.map(|at| format!("{base}{at}")),
        },
    };
    let mut response = Json(body).into_response();
    if let Some(link) = link {
        response
            .headers_mut()
            .insert(axum::http::header::LINK, link);
    }
    Ok(response)
}

/// One contracting process in an OCDS record.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsRecord {
    /// The process's ocid.
    pub ocid: String,
    /// Every release of the process, in the order published.
    #[schema(value_type = Vec<Object>)]
    pub releases: Vec<Value>,
    /// The releases merged by the OCDS merge rules: the process's current state.
    #[schema(value_type = Object)]
    pub compiled_release: Value,
}

/// An OCDS 1.1 record package with one record.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OcdsRecordPackage {
    /// This package's address.
    pub uri: String,
    /// The OCDS version: `1.1`.
    pub version: String,
    /// The extensions used: the UK (Find a Tender) profile.
    pub extensions: Vec<String>,
    /// When the package was generated.
    pub published_date: DateTime<Utc>,
    /// Who publishes it.
    #[schema(value_type = Object)]
    pub publisher: Value,
    /// The data's licence.
    pub license: String,
    /// The record.
    pub records: Vec<OcdsRecord>,
}

/// A contracting process's record: every release it published and the compiled release,
/// merged by the OCDS rules: public (no token needed).
#[utoipa::path(
    get,
    path = "/ocds/records/{ocid}",
    tag = "notices",
    security(()),
    params(("ocid" = String, Path, description = "The process's ocid, as its releases give it.")),
    responses(
        (status = 200, description = "An OCDS record package.", body = OcdsRecordPackage),
        (status = 404, response = NotFound),
    )
)]
pub async fn get_ocds_record(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathParams(ocid): PathParams<String>,
) -> Result<Json<OcdsRecordPackage>, ApiError> {
    let (record, now) = service::ocds::record(&state.ctx, &ocid).await?;
    Ok(Json(OcdsRecordPackage {
        uri: format!("{}/api/v1/ocds/records/{ocid}", base_url(&headers)),
        version: "1.1".to_owned(),
        extensions: EXTENSIONS.iter().map(|e| (*e).to_owned()).collect(),
        published_date: now,
        publisher: json!({"name": PUBLISHER}),
        license: LICENSE.to_owned(),
        records: vec![OcdsRecord {
            ocid: record.ocid,
            releases: record.releases,
            compiled_release: record.compiled_release,
        }],
    }))
}
