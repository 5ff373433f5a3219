//! Authentication: argon2 password hashes, HS256 access tokens with every registered claim
//! checked, and the extractors handlers use to learn who is asking.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use domain::access::{Actor, PlatformAction};
use domain::ids::{OrganisationId, UserId};
use domain::user::{Password, Role};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;
use uuid::Uuid;

pub const ISSUER: &str = "commissioning-support-marketplace";
pub const AUDIENCE: &str = "commissioning-support-marketplace-api";
/// Clock skew tolerated on `exp` and `nbf`.
pub const LEEWAY_SECONDS: u64 = 30;
/// The only algorithm accepted; a token naming another (or `none`) is refused.
const ALGORITHM: Algorithm = Algorithm::HS256;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: Uuid,
    pub org: Uuid,
    pub role: Role,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
}

/// Signing and verifying keys derived from the configured secret.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub lifetime_seconds: u64,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("lifetime_seconds", &self.lifetime_seconds)
            .finish_non_exhaustive()
    }
}

impl TokenKeys {
    pub fn new(secret: &[u8], lifetime_seconds: u64) -> Self {
        let mut validation = Validation::new(ALGORITHM);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "nbf"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            lifetime_seconds,
        }
    }

    /// Issues a token for `actor`, valid from `now` for the configured lifetime.
    pub fn issue(&self, actor: &Actor, now: i64) -> Result<String, ApiError> {
        let claims = Claims {
            sub: actor.user_id.as_uuid(),
            org: actor.organisation_id.as_uuid(),
            role: actor.role,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            nbf: now,
            exp: now + i64::try_from(self.lifetime_seconds).unwrap_or(i64::MAX / 2),
        };
        jsonwebtoken::encode(&Header::new(ALGORITHM), &claims, &self.encoding)
            .map_err(ApiError::internal)
    }

    /// Verifies signature, algorithm, issuer, audience, expiry and not-before.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|_| invalid_token())
    }
}

fn invalid_token() -> ApiError {
    ApiError::Unauthenticated(
        "The access token is invalid or has expired; sign in again.".to_owned(),
    )
}

pub use service::accounts::hash_password;

/// A hash of a random password, checked against when the email is unknown so that a failed
/// sign-in takes as long whether or not the account exists.
pub async fn decoy_hash() -> Result<String, ApiError> {
    let mut bytes = [0_u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(e.to_string().into()))?;
    let password = Password::parse(&hex::encode(bytes))
        .map_err(|e| ApiError::Internal(e.to_string().into()))?;
    Ok(hash_password(&password).await?)
}

/// The signed-in user: a valid token for an account that still exists, is active, and still
/// holds the role and organisation the token names. Rejects with 401 and `WWW-Authenticate`.
#[derive(Debug, Clone, Copy)]
pub struct AuthUser(pub Actor);

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
        let token = value
            .to_str()
            .ok()
            .and_then(|v| {
                let (scheme, token) = v.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::Unauthenticated(
                    "The Authorization header must use the Bearer scheme.".to_owned(),
                )
            })?;
        Ok(Self(actor_of_token(state, token).await?))
    }
}

/// The actor an access token stands for, re-reading the account so that a deactivated user or a
/// changed role or organisation is refused at once (the API's bearer token and the web session
/// cookie alike).
pub async fn actor_of_token(state: &AppState, token: &str) -> Result<Actor, ApiError> {
    let claims = state.tokens.verify(token)?;
    let user = persistence::users::find(state.db.conn(), UserId::from_uuid(claims.sub))
        .await?
        .ok_or_else(invalid_token)?;
    if !user.active
        || user.role != claims.role
        || user.organisation_id != OrganisationId::from_uuid(claims.org)
    {
        return Err(invalid_token());
    }
    Ok(Actor {
        user_id: user.id,
        organisation_id: user.organisation_id,
        role: user.role,
    })
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
