//! Signing in and finding out who you are.

use crate::auth::{AuthUser, verify_password};
use crate::dto::{OrganisationResponse, RoleDto};
use crate::error::{
    ApiError, BadRequest, NotFound, PayloadTooLarge, TooManyRequests, Unauthorized,
    UnsupportedMediaType, ValidationFailed,
};
use crate::extract::JsonBody;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use domain::FieldError;
use domain::access::Actor;
use domain::user::EmailAddress;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Failed sign-ins allowed per email within [`FAILURE_WINDOW_MINUTES`].
pub const MAX_FAILURES: u64 = 5;
pub const FAILURE_WINDOW_MINUTES: i64 = 15;
/// Bounds the work a sign-in can ask of argon2.
const MAX_PASSWORD_CHARS: usize = 1024;

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
    /// The user's organisation.
    pub organisation: OrganisationResponse,
}

fn wrong_credentials() -> ApiError {
    ApiError::Unauthenticated("The email address or password is not right.".to_owned())
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 429, response = TooManyRequests),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<LoginRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let (_, access_token) = sign_in(&state, &request.email, request.password).await?;
    Ok(Json(TokenResponse {
        access_token,
        token_type: "Bearer".to_owned(),
        expires_in: state.tokens.lifetime_seconds,
    }))
}

/// Checks an email address and password with the sign-in rate limit and answers the same for an
/// unknown address, a wrong password and a deactivated account; returns the actor and a fresh
/// access token. The API's login and the web sign-in page both use it.
pub(crate) async fn sign_in(
    state: &AppState,
    email: &str,
    password: String,
) -> Result<(Actor, String), ApiError> {
    let email = EmailAddress::parse(email)?;
    if password.is_empty() || password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(ApiError::Validation(vec![FieldError::new(
            "/password",
            format!("must be 1 to {MAX_PASSWORD_CHARS} characters"),
        )]));
    }
    let conn = state.db.conn();
    let now = state.db.now().await?;
    let window_start = now - Duration::minutes(FAILURE_WINDOW_MINUTES);
    let failures =
        persistence::login_failures::count_since(conn, email.as_str(), window_start).await?;
    if failures >= MAX_FAILURES {
        let oldest = persistence::login_failures::oldest_since(conn, email.as_str(), window_start)
            .await?
            .unwrap_or(now);
        return Err(too_many(oldest, now));
    }

    let user = persistence::users::find_by_email(conn, &email).await?;
    let hash = user.as_ref().map_or_else(
        || state.decoy_hash.as_str().to_owned(),
        |u| u.password_hash.clone(),
    );
    let password_matches = verify_password(password, hash).await?;
    let user = match user {
        Some(user) if password_matches && user.active => user,
        _ => {
            persistence::login_failures::record(conn, email.as_str(), now).await?;
            return Err(wrong_credentials());
        }
    };
    persistence::login_failures::clear(conn, email.as_str(), window_start).await?;
    let actor = Actor {
        user_id: user.id,
        organisation_id: user.organisation_id,
        role: user.role,
    };
    let access_token = state.tokens.issue(&actor, now.timestamp())?;
    Ok((actor, access_token))
}

fn too_many(oldest: DateTime<Utc>, now: DateTime<Utc>) -> ApiError {
    let lifts_at = oldest + Duration::minutes(FAILURE_WINDOW_MINUTES);
    let retry_after_seconds = u64::try_from((lifts_at - now).num_seconds().max(1)).unwrap_or(1);
    ApiError::TooManyRequests {
        detail: format!(
            "Too many failed sign-ins for this email address. Try again in {} minutes.",
            retry_after_seconds.div_ceil(60)
        ),
        retry_after_seconds,
    }
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
    let conn = state.db.conn();
    let user = persistence::users::get(conn, actor.user_id).await?;
    let organisation = persistence::organisations::get(conn, actor.organisation_id).await?;
    Ok(Json(MeResponse {
        id: user.id.as_uuid(),
        email: user.email,
        name: user.name,
        role: user.role.into(),
        active: user.active,
        organisation: organisation.into(),
    }))
}
