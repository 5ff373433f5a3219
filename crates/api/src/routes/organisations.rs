//! Organisations: registered and read by platform admins.

use crate::auth::{ManageOrganisations, Permitted};
use crate::dto::{
    AuthorityTypeDto, Created, IdentifierDto, OrganisationKindDto, OrganisationResponse, Paginated,
    RegionDto, created,
};
use crate::error::{ApiError, Conflict, Forbidden, Unauthorized};
use crate::extract::{JsonBody, JsonPatch, PathParams, QueryParams};
use crate::extract::{PageParams, Pagination};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::ids::OrganisationId;
use serde::Deserialize;
use service::accounts::{OrganisationChanges, OrganisationInput};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A new organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganisationRequest {
    /// Its name.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
        min_length = 1,
        max_length = 200,
        example = "NHS Greater Manchester Integrated Care Board"
    )]
    pub name: String,
    /// Buyer (CCG/ICB), supplier (CSU or other), regulator or platform.
    pub kind: OrganisationKindDto,
    /// Its Organisation Data Service code (3 to 10 letters and digits); unique when present.
    #[schema(pattern = "^[A-Za-z0-9]{3,10}$", example = "QOP")]
    pub ods_code: Option<String>,
    /// The NHS England region it sits in.
    pub region: Option<RegionDto>,
    /// For a buyer: its kind of contracting authority, which decides its threshold (default
    /// `sub_central`); refused for any other kind.
    pub authority_type: Option<AuthorityTypeDto>,
    /// Its entries in public registers, at most one per scheme; a `GB-NHS` entry is the ODS code
    /// (and must equal `ods_code` when both are given).
    #[serde(default)]
    #[schema(max_items = 4)]
    pub identifiers: Vec<IdentifierDto>,
}

/// Registers an organisation (admin).
#[utoipa::path(
    post,
    path = "/organisations",
    tag = "organisations",
    security(("bearer" = [])),
    request_body = CreateOrganisationRequest,
    responses(
        (status = 201, description = "Registered.", body = OrganisationResponse,
            headers(("Location" = String, description = "The new organisation's address."))),
        crate::error::BodyProblems,
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
    )
)]
pub async fn create_organisation(
    State(state): State<AppState>,
    Permitted(actor, _): Permitted<ManageOrganisations>,
    JsonBody(request): JsonBody<CreateOrganisationRequest>,
) -> Result<Created<OrganisationResponse>, ApiError> {
    let input = OrganisationInput {
        name: request.name,
        kind: request.kind.into(),
        ods_code: request.ods_code,
        region: request.region.map(Into::into),
        authority_type: request.authority_type.map(Into::into),
        identifiers: IdentifierDto::inputs(&request.identifiers),
    };
    let response = OrganisationResponse::from(
        service::accounts::create_organisation(&state.ctx, &actor, &input).await?,
    );
    let location = format!("/api/v1/organisations/{}", response.id);
    created(&location, response)
}

/// Filters for the organisation list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganisationQuery {
    /// Only organisations of this kind.
    pub kind: Option<OrganisationKindDto>,
}

/// Lists organisations by name (admin).
#[utoipa::path(
    get,
    path = "/organisations",
    tag = "organisations",
    security(("bearer" = [])),
    params(OrganisationQuery, PageParams),
    responses(
        (status = 200, description = "A page of organisations.", body = Paginated<OrganisationResponse>),
        crate::error::FilteredReadProblems,
    )
)]
pub async fn list_organisations(
    State(state): State<AppState>,
    Permitted(actor, _): Permitted<ManageOrganisations>,
    QueryParams(query): QueryParams<OrganisationQuery>,
    Pagination(pages): Pagination,
) -> Result<Json<Paginated<OrganisationResponse>>, ApiError> {
    let page = pages.request()?;
    let found =
        service::accounts::organisations(&state.ctx, &actor, query.kind.map(Into::into), page)
            .await?;
    Ok(Json(Paginated::from_page(
        found,
        OrganisationResponse::from,
    )))
}

/// One organisation (admin).
#[utoipa::path(
    get,
    path = "/organisations/{id}",
    tag = "organisations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The organisation's id.")),
    responses(
        (status = 200, description = "The organisation.", body = OrganisationResponse),
        crate::error::AccessProblems,
    )
)]
pub async fn get_organisation(
    State(state): State<AppState>,
    Permitted(actor, _): Permitted<ManageOrganisations>,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<OrganisationResponse>, ApiError> {
    let organisation =
        service::accounts::organisation(&state.ctx, &actor, OrganisationId::from_uuid(id)).await?;
    Ok(Json(organisation.into()))
}

/// A change to an organisation; omitted fields stay as they are. Its kind never changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct UpdateOrganisationRequest {
    /// Its name.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
        min_length = 1,
        max_length = 200
    )]
    pub name: Option<String>,
    /// Its ODS code; null removes it.
    #[serde(default, deserialize_with = "crate::dto::double_option")]
    #[schema(pattern = "^[A-Za-z0-9]{3,10}$")]
    pub ods_code: Option<Option<String>>,
    /// Its region; null removes it.
    #[serde(default, deserialize_with = "crate::dto::double_option")]
    pub region: Option<Option<RegionDto>>,
    /// For a buyer: its kind of contracting authority. Tenders already published keep whether
    /// they were above threshold.
    pub authority_type: Option<AuthorityTypeDto>,
    /// Replaces its register entries (the ODS code stays unless `ods_code` or a `GB-NHS` entry
    /// changes it).
    #[schema(max_items = 4)]
    pub identifiers: Option<Vec<IdentifierDto>>,
}

/// Changes an organisation (admin): its name, codes, region, a buyer's authority type, its
/// register identifiers. Audited with the before and after.
#[utoipa::path(
    patch,
    path = "/organisations/{id}",
    tag = "organisations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The organisation's id.")),
    request_body = UpdateOrganisationRequest,
    responses(
        (status = 200, description = "The changed organisation.", body = OrganisationResponse),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn update_organisation(
    State(state): State<AppState>,
    Permitted(actor, _): Permitted<ManageOrganisations>,
    PathParams(id): PathParams<Uuid>,
    JsonPatch(request): JsonPatch<UpdateOrganisationRequest>,
) -> Result<Json<OrganisationResponse>, ApiError> {
    let changes = OrganisationChanges {
        name: request.name,
        ods_code: request.ods_code,
        region: request.region.map(|r| r.map(Into::into)),
        authority_type: request.authority_type.map(Into::into),
        identifiers: request.identifiers.as_deref().map(IdentifierDto::inputs),
    };
    let changed = service::accounts::update_organisation(
        &state.ctx,
        &actor,
        OrganisationId::from_uuid(id),
        &changes,
    )
    .await?;
    Ok(Json(changed.into()))
}
