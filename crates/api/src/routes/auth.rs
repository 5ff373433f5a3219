//! Signing in and finding out who you are.

use crate::auth::AuthUser;
use crate::dto::{OrganisationResponse, RoleDto};
use crate::error::{ApiError, NotFound, TooManyRequests, Unauthorized};
use crate::extract::JsonBody;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub use service::accounts::{FAILURE_WINDOW_MINUTES, MAX_FAILURES};

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The account's email address.
    #[schema(
        format = "email",
        max_length = 254,
        example = "lead@greater-manchester.example"
    )]
    pub email: String,
    /// The account's password.
    #[schema(min_length = 1, max_length = 1024, format = "password")]
    pub password: String,
}

/// An access token to send as `Authorization: Bearer <access_token>`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A signed JWT (HS256).
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: u64,
}

/// The signed-in user and their organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    /// The user's id.
    pub id: Uuid,
    /// Email address, in lower case.
    pub email: String,
    /// Display name.
    pub name: String,
    /// What the user may do.
    pub role: RoleDto,
    /// Whether the account is active (always true for a signed-in user).
    pub active: bool,
    /// Whether the user is emailed its organisation's notifications.
    pub email_notifications: bool,
    /// The user's organisation.
    pub organisation: OrganisationResponse,
}

/// Signs in with email and password.
///
/// The answer is the same, and takes as long, whether the email is unknown, the password is
/// wrong or the account is deactivated. After 5 failures for one email within 15 minutes,
/// further attempts are refused with 429 until the oldest failure ages out.
#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "auth",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in.", body = TokenResponse),
        crate::error::BodyProblems,
        crate::error::QueryProblems,
        (status = 429, response = TooManyRequests),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<LoginRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let (_, access_token) = state
        .sessions
        .sign_in(&state.ctx, &request.email, request.password)
        .await?;
    Ok(Json(TokenResponse {
        access_token,
        token_type: "Bearer".to_owned(),
        expires_in: state.sessions.lifetime_seconds(),
    }))
}

/// The signed-in user, with their organisation.
#[utoipa::path(
    get,
    path = "/me",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user.", body = MeResponse),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get_me(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
) -> Result<Json<MeResponse>, ApiError> {
    let (user, organisation) = service::accounts::me(&state.ctx, &actor).await?;
    Ok(Json(me_response(user, organisation)))
}

fn me_response(
    user: domain::user::User,
    organisation: domain::organisation::Organisation,
) -> MeResponse {
    MeResponse {
        id: user.id.as_uuid(),
        email: user.email,
        name: user.name,
        role: user.role.into(),
        active: user.active,
        email_notifications: user.email_notifications,
        organisation: organisation.into(),
    }
}

/// What the signed-in user changes of its own account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct UpdateMeRequest {
    /// false: no more notification emails (the notifications stay in the marketplace).
    pub email_notifications: Option<bool>,
}

/// Changes the signed-in user's own settings: whether it is emailed its organisation's
/// notifications.
#[utoipa::path(
    patch,
    path = "/me",
    tag = "auth",
    security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses(
        (status = 200, description = "The signed-in user, changed.", body = MeResponse),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        crate::error::BodyProblems,
    )
)]
pub async fn update_me(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    body: Result<crate::extract::JsonPatch<UpdateMeRequest>, ApiError>,
) -> Result<Json<MeResponse>, ApiError> {
    let crate::extract::JsonPatch(request) = body?;
    if let Some(on) = request.email_notifications {
        service::email::set_preference(&state.ctx, &actor, on).await?;
    }
    let (user, organisation) = service::accounts::me(&state.ctx, &actor).await?;
    Ok(Json(me_response(user, organisation)))
}
