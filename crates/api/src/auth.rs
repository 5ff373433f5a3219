//! The extractors handlers use to learn who is asking: the bearer token checked by the service's
//! sessions, and the platform permissions named at the type level.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use domain::access::{Actor, PlatformAction};
use std::marker::PhantomData;

pub use service::sessions::{AUDIENCE, ISSUER, LEEWAY_SECONDS};

/// The signed-in user: a valid token for an account that still exists, is active, and still
/// holds the role and organisation the token names. Rejects with 401 and `WWW-Authenticate`.
#[derive(Debug, Clone, Copy)]
pub struct AuthUser(pub Actor);

/// The access token of an `Authorization: Bearer …` header (the scheme in any case, RFC 9110),
/// if the request has one: the one reading every layer and extractor shares.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    bearer_of_value(headers.get(header::AUTHORIZATION)?)
}

fn bearer_of_value(value: &axum::http::HeaderValue) -> Option<&str> {
    let (scheme, token) = value.to_str().ok()?.split_once(' ')?;
    Some(token.trim()).filter(|t| scheme.eq_ignore_ascii_case("bearer") && !t.is_empty())
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let value = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            ApiError::Unauthenticated(
                "Sign in and send the access token as `Authorization: Bearer <token>`.".to_owned(),
            )
        })?;
        let token = bearer_of_value(value).ok_or_else(|| {
            ApiError::Unauthenticated(
                "The Authorization header must use the Bearer scheme.".to_owned(),
            )
        })?;
        Ok(Self(
            state.sessions.actor_of_token(&state.ctx, token).await?,
        ))
    }
}

/// The signed-in user if a token is sent (then it must be valid: 401 otherwise), or nobody: for
/// what the public may read too (a published tender's documents).
#[derive(Debug, Clone, Copy)]
pub struct MaybeAuthUser(pub Option<Actor>);

impl FromRequestParts<AppState> for MaybeAuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            let AuthUser(actor) = AuthUser::from_request_parts(parts, state).await?;
            Ok(Self(Some(actor)))
        } else {
            Ok(Self(None))
        }
    }
}

/// A platform action, named at the type level so a handler can require it as an extractor.
pub trait Permission {
    const ACTION: PlatformAction;
}

/// Create, list, read organisations.
#[derive(Debug)]
pub struct ManageOrganisations;
impl Permission for ManageOrganisations {
    const ACTION: PlatformAction = PlatformAction::ManageOrganisations;
}

/// Create, list, read, change users.
#[derive(Debug)]
pub struct ManageUsers;
impl Permission for ManageUsers {
    const ACTION: PlatformAction = PlatformAction::ManageUsers;
}

/// Read and verify the audit log.
#[derive(Debug)]
pub struct ReadAudit;
impl Permission for ReadAudit {
    const ACTION: PlatformAction = PlatformAction::ReadAudit;
}

/// A signed-in user whose role the domain allows to take `P`'s action; 403 otherwise. As an
/// extractor it runs before the body is read, so a refused role learns nothing from validation.
#[derive(Debug)]
pub struct Permitted<P: Permission>(pub Actor, pub PhantomData<P>);

impl<P: Permission> Permitted<P> {
    /// The permission for an actor already signed in another way (a web session): the same
    /// domain check as the extractor, 403 when the role may not.
    pub fn check(actor: Actor) -> Result<Self, ApiError> {
        actor.require(P::ACTION)?;
        Ok(Self(actor, PhantomData))
    }
}

impl<P: Permission> FromRequestParts<AppState> for Permitted<P> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let AuthUser(actor) = AuthUser::from_request_parts(parts, state).await?;
        actor.require(P::ACTION)?;
        Ok(Self(actor, PhantomData))
    }
}
