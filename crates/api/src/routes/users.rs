//! User accounts: created, listed and changed by platform admins.

use crate::auth::{ManageUsers, Permitted};
use crate::dto::{Created, Paginated, RoleDto, UserResponse, created};
use crate::error::{ApiError, Conflict, Forbidden, Unauthorized};
use crate::extract::{JsonBody, JsonPatch, PathParams, QueryParams};
use crate::extract::{PageParams, Pagination};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::ids::{OrganisationId, UserId};
use persistence::users::UserFilter;
use serde::Deserialize;
use service::accounts::UserInput;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A new user account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Email address; unique regardless of case.
    #[schema(format = "email", max_length = 254, example = "jane.doe@nhs.example")]
    pub email: String,
    /// Display name.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
        min_length = 1,
        max_length = 200,
        example = "Jane Doe"
    )]
    pub name: String,
    /// Initial password, 12 to 128 characters.
    #[schema(min_length = 12, max_length = 128, format = "password")]
    pub password: String,
    /// What the user may do; must fit the organisation's kind.
    pub role: RoleDto,
    /// The organisation the user belongs to.
    pub organisation_id: Uuid,
}

/// Creates a user account (admin).
#[utoipa::path(
    post,
    path = "/users",
    tag = "users",
    security(("bearer" = [])),
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "Created.", body = UserResponse,
            headers(("Location" = String, description = "The new user's address."))),
        crate::error::BodyProblems,
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
    )
)]
pub async fn create_user(
    State(state): State<AppState>,
    Permitted(actor, _): Permitted<ManageUsers>,
    JsonBody(request): JsonBody<CreateUserRequest>,
) -> Result<Created<UserResponse>, ApiError> {
    let input = UserInput {
        email: request.email,
        name: request.name,
        password: request.password,
        role: request.role.into(),
        organisation_id: OrganisationId::from_uuid(request.organisation_id),
    };
    let response =
        UserResponse::from(service::accounts::create_user(&state.ctx, &actor, &input).await?);
    let location = format!("/api/v1/users/{}", response.id);
    created(&location, response)
}

/// Filters for the user list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Only users of this organisation.
    pub organisation_id: Option<Uuid>,
    /// Only users with this role.
    pub role: Option<RoleDto>,
    /// Only active (`true`) or deactivated (`false`) users.
    pub active: Option<bool>,
}

/// Lists user accounts by email (admin).
#[utoipa::path(
    get,
    path = "/users",
    tag = "users",
    security(("bearer" = [])),
    params(UserQuery, PageParams),
    responses(
        (status = 200, description = "A page of users.", body = Paginated<UserResponse>),
        crate::error::FilteredReadProblems,
    )
)]
pub async fn list_users(
    State(state): State<AppState>,
    Permitted(actor, _): Permitted<ManageUsers>,
    QueryParams(query): QueryParams<UserQuery>,
    Pagination(pages): Pagination,
) -> Result<Json<Paginated<UserResponse>>, ApiError> {
    let page = pages.request()?;
    let filter = UserFilter {
        organisation_id: query.organisation_id.map(OrganisationId::from_uuid),
        role: query.role.map(Into::into),
        active: query.active,
    };
    let found = service::accounts::users(&state.ctx, &actor, filter, page).await?;
    Ok(Json(Paginated::from_page(found, UserResponse::from)))
}

/// One user account (admin).
#[utoipa::path(
    get,
    path = "/users/{id}",
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user's id.")),
    responses(
        (status = 200, description = "The user.", body = UserResponse),
        crate::error::AccessProblems,
    )
)]
pub async fn get_user(
    State(state): State<AppState>,
    Permitted(actor, _): Permitted<ManageUsers>,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<UserResponse>, ApiError> {
    let user = service::accounts::user(&state.ctx, &actor, UserId::from_uuid(id)).await?;
    Ok(Json(user.into()))
}

/// A change to a user account; omitted fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct UpdateUserRequest {
    /// A new role; it must fit the user's organisation.
    pub role: Option<RoleDto>,
    /// `false` deactivates the account (its tokens stop working at once); `true` reactivates it.
    pub active: Option<bool>,
}

/// Deactivates, reactivates or changes the role of a user (admin).
///
/// An admin cannot deactivate their own account or change their own role (409).
#[utoipa::path(
    patch,
    path = "/users/{id}",
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user's id.")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "The changed user.", body = UserResponse),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn update_user(
    State(state): State<AppState>,
    Permitted(actor, _): Permitted<ManageUsers>,
    PathParams(id): PathParams<Uuid>,
    JsonPatch(request): JsonPatch<UpdateUserRequest>,
) -> Result<Json<UserResponse>, ApiError> {
    let updated = service::accounts::update_user(
        &state.ctx,
        &actor,
        UserId::from_uuid(id),
        request.role.map(Into::into),
        request.active,
    )
    .await?;
    Ok(Json(updated.into()))
}
