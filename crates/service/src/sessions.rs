//! Who is asking: access tokens (HS256 JWTs with every registered claim checked) issued at
//! sign-in and turned back into an actor on every request, by the API's bearer token and the
//! web session cookie alike.

use crate::context::Standing;
use crate::{Ctx, ServiceError};
use domain::access::Actor;
use domain::ids::{OrganisationId, UserId};
use domain::user::{Password, Role};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
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

/// The keys derived from the configured secret, the token lifetime, and the decoy hash a
/// sign-in with an unknown email is checked against (so timing reveals nothing).
pub struct Sessions {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    lifetime_seconds: u64,
    decoy_hash: String,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("lifetime_seconds", &self.lifetime_seconds)
            .finish_non_exhaustive()
    }
}

impl Sessions {
    /// Keys for `secret`, tokens valid for `lifetime_seconds`, and a fresh decoy hash.
    pub async fn new(secret: &[u8], lifetime_seconds: u64) -> Result<Self, ServiceError> {
        let mut validation = Validation::new(ALGORITHM);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "nbf"]);
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            lifetime_seconds,
            decoy_hash: decoy_hash().await?,
        })
    }

    /// How long an issued token is valid.
    pub fn lifetime_seconds(&self) -> u64 {
        self.lifetime_seconds
    }

    /// Checks the credentials (the service's sign-in, under its rate limit) and issues a token
    /// valid from the database's instant.
    pub async fn sign_in(
        &self,
        ctx: &Ctx,
        email: &str,
        password: String,
    ) -> Result<(Actor, String), ServiceError> {
        let (actor, now) = crate::accounts::sign_in(ctx, email, password, &self.decoy_hash).await?;
        let token = self.issue(&actor, now.timestamp())?;
        Ok((actor, token))
    }

    /// Issues a token for `actor`, valid from `now` (seconds since the epoch).
    fn issue(&self, actor: &Actor, now: i64) -> Result<String, ServiceError> {
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
            .map_err(ServiceError::internal)
    }

    /// Who a token names — its user and organisation — if its signature and times hold, without
    /// reading the account (the rate limiter's key; authorisation still reads it).
    pub fn bearer_of(&self, token: &str) -> Option<(UserId, OrganisationId)> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| {
                (
                    UserId::from_uuid(data.claims.sub),
                    OrganisationId::from_uuid(data.claims.org),
                )
            })
    }

    /// The actor a token stands for: signature, algorithm, issuer, audience, expiry and
    /// not-before verified, and the account's standing checked — read at most a second before
    /// (forgotten at once when this process changes the account), so that a deactivated user or
    /// a changed role or organisation is refused within a second on every replica.
    pub async fn actor_of_token(&self, ctx: &Ctx, token: &str) -> Result<Actor, ServiceError> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|_| invalid_token())?;
        let id = UserId::from_uuid(claims.sub);
        let standing = match ctx.standings().fresh(id) {
            Some(standing) => standing,
            None => {
                let read = std::time::Instant::now();
                let standing = persistence::users::find(ctx.db().conn(), id)
                    .await?
                    .map(|user| Standing {
                        active: user.active,
                        role: user.role,
                        organisation_id: user.organisation_id,
                    });
                ctx.standings().remember(id, read, standing);
                standing
            }
        };
        let standing = standing.ok_or_else(invalid_token)?;
        if !standing.active
            || standing.role != claims.role
            || standing.organisation_id != OrganisationId::from_uuid(claims.org)
        {
            return Err(invalid_token());
        }
        Ok(Actor {
            user_id: id,
            organisation_id: standing.organisation_id,
            role: standing.role,
        })
    }
}

fn invalid_token() -> ServiceError {
    ServiceError::Unauthenticated(
        "The access token is invalid or has expired; sign in again.".to_owned(),
    )
}

/// A hash of a random password, checked against when the email is unknown so that a failed
/// sign-in takes as long whether or not the account exists.
async fn decoy_hash() -> Result<String, ServiceError> {
    let mut bytes = [0_u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| ServiceError::Internal(e.to_string().into()))?;
    let password = Password::parse(&hex::encode(bytes))
        .map_err(|e| ServiceError::Internal(e.to_string().into()))?;
    crate::accounts::hash_password(&password).await
}
