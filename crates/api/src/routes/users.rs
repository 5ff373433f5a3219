//! User accounts: created, listed and changed by platform admins.

use crate::accounts::{audit_user_change, register_user};
use crate::auth::{ManageUsers, Permitted, hash_password};
use crate::dto::{Paginated, RoleDto, UserResponse};
use crate::error::{
    ApiError, BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorized,
    UnsupportedMediaType, ValidationFailed,
};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use domain::access::{can_view_user, check_self_change};
use domain::ids::{OrganisationId, UserId};
use domain::pagination::PageRequest;
use domain::user::{NewUser, Role};
use domain::{DomainError, FieldError};
use persistence::users::{self, UserChange, UserFilter};
use serde::Deserialize;
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
    #[schema(min_length = 1, max_length = 200, example = "Jane Doe")]
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn create_user(
    State(state): State<AppState>,
    Permitted(actor, _): Permitted<ManageUsers>,
    JsonBody(request): JsonBody<CreateUserRequest>,
) -> Result<
    (
        StatusCode,
        [(header::HeaderName, String); 1],
        Json<UserResponse>,
    ),
    ApiError,
> {
    let new = NewUser::parse(
        &request.email,
        &request.name,
        &request.password,
        request.role.into(),
    )?;
    let organisation_id = OrganisationId::from_uuid(request.organisation_id);
    let organisation = persistence::organisations::find(state.db.conn(), organisation_id)
        .await?
        .ok_or_else(|| DomainError::field("/organisation_id", "no such organisation"))?;
    new.role.check_fits(organisation.kind)?;
    let password_hash = hash_password(&new.password).await?;

    let command = state.db.command().await?;
    let response =
        register_user(&command, Some(actor), &new, &organisation, &password_hash).await?;
    command.commit().await?;
    let location = format!("/api/v1/users/{}", response.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(response),
    ))
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
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u64>,
}

/// Lists user accounts by email (admin).
#[utoipa::path(
    get,
    path = "/users",
    tag = "users",
    security(("bearer" = [])),
    params(UserQuery),
    responses(
        (status = 200, description = "A page of users.", body = Paginated<UserResponse>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn list_users(
    State(state): State<AppState>,
    Permitted(actor, _): Permitted<ManageUsers>,
    QueryParams(query): QueryParams<UserQuery>,
) -> Result<Json<Paginated<UserResponse>>, ApiError> {
    let page = PageRequest::new(query.page, query.per_page)?;
    let mut filter = UserFilter {
        organisation_id: query.organisation_id.map(OrganisationId::from_uuid),
        role: query.role.map(Into::into),
        active: query.active,
    };
    // Defence in depth: should the permission ever widen, a non-admin still sees only its own
    // organisation's accounts.
    if actor.role != Role::Admin {
        filter.organisation_id = Some(actor.organisation_id);
    }
    let found = users::list(state.db.conn(), &filter, page).await?;
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn get_user(
    State(state): State<AppState>,
    Permitted(actor, _): Permitted<ManageUsers>,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<UserResponse>, ApiError> {
    let user = users::get(state.db.conn(), UserId::from_uuid(id)).await?;
    if !can_view_user(&actor, user.organisation_id) {
        return Err(DomainError::NotFound("user").into());
    }
    Ok(Json(user.into()))
}

/// A change to a user account; omitted fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn update_user(
    State(state): State<AppState>,
    Permitted(actor, _): Permitted<ManageUsers>,
    PathParams(id): PathParams<Uuid>,
    JsonBody(request): JsonBody<UpdateUserRequest>,
) -> Result<Json<UserResponse>, ApiError> {
    if request.role.is_none() && request.active.is_none() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "",
            "give at least one of role or active",
        )]));
    }
    let target = UserId::from_uuid(id);
    let new_role: Option<Role> = request.role.map(Into::into);
    let command = state.db.command().await?;
    let before = users::get(command.conn(), target).await?;
    if !can_view_user(&actor, before.organisation_id) {
        return Err(DomainError::NotFound("user").into());
    }
    check_self_change(&actor, target, new_role, request.active)?;
    if let Some(role) = new_role {
        let organisation =
            persistence::organisations::get(command.conn(), before.organisation_id).await?;
        role.check_fits(organisation.kind)?;
    }
    let after = users::update(
        command.conn(),
        target,
        UserChange {
            role: new_role,
            active: request.active,
        },
        command.now(),
    )
    .await?;
    let before = UserResponse::from(before);
    let after = UserResponse::from(after);
    audit_user_change(&command, Some(actor), &before, &after).await?;
    command.commit().await?;
    Ok(Json(after))
}
