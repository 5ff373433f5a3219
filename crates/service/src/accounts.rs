//! Organisations and user accounts: platform admins register and read organisations, create,
//! list and change users; the command line and the demo loader register them too, each change
//! audited inside the caller's command. Passwords are hashed with argon2 off the async runtime.

use crate::{Ctx, ServiceError};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use domain::DomainError;
use domain::FieldError;
use domain::access::{Actor, PlatformAction, can_view_user, check_self_change};
use domain::audit::AuditEntry;
use domain::ids::{OrganisationId, UserId};
use domain::organisation::{
    IdentifierScheme, NewOrganisation, Organisation, OrganisationFields, OrganisationKind, Region,
};
use domain::pagination::{Page, PageRequest};
use domain::procurement::AuthorityType;
use domain::user::{EmailAddress, NewUser, Password, Role, User};
use persistence::Command;
use persistence::organisations::OrganisationFilter;
use persistence::users::{UserChange, UserFilter, UserRecord};
use serde_json::json;

/// Hashes a password with argon2 (its default parameters), off the async runtime.
pub async fn hash_password(password: &Password) -> Result<String, ServiceError> {
    let password = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
    })
    .await
    .map_err(ServiceError::internal)?
    .map_err(|e| ServiceError::Internal(e.to_string().into()))
}

/// Checks a password against a stored hash, off the async runtime. A malformed hash counts as a
/// mismatch.
pub async fn verify_password(password: String, hash: String) -> Result<bool, ServiceError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .map_err(ServiceError::internal)
}

/// What the audit log keeps of an organisation: all of it.
fn organisation_value(o: &Organisation) -> serde_json::Value {
    json!({
        "id": o.id,
        "name": o.name,
        "kind": o.kind,
        "ods_code": o.ods_code,
        "region": o.region,
        "authority_type": o.authority_type,
        "identifiers": o.identifiers,
        "successor_id": o.successor_id,
        "created_at": o.created_at,
        "updated_at": o.updated_at,
    })
}

/// What the audit log keeps of a user: never the password hash.
fn user_value(u: &User) -> serde_json::Value {
    json!({
        "id": u.id,
        "email": u.email,
        "name": u.name,
        "role": u.role,
        "organisation_id": u.organisation_id,
        "active": u.active,
        "created_at": u.created_at,
        "updated_at": u.updated_at,
    })
}

/// Inserts an organisation and its `organisation.created` audit entry inside `command`
/// (`actor` is `None` for the command line and the demo loader).
pub async fn register_organisation(
    command: &Command,
    actor: Option<Actor>,
    new: &NewOrganisation,
) -> Result<Organisation, ServiceError> {
    let organisation =
        persistence::organisations::insert(command.conn(), new, command.now()).await?;
    command
        .audit(
            AuditEntry::new(
                actor,
                "organisation.created",
                "organisation",
                organisation.id,
            )
            .after(organisation_value(&organisation)),
        )
        .await?;
    Ok(organisation)
}

/// Inserts a user whose role fits `organisation`, and its `user.created` audit entry, inside
/// `command`. The password is hashed before the command starts, so that the write lock is not
/// held while argon2 runs.
pub async fn register_user(
    command: &Command,
    actor: Option<Actor>,
    new: &NewUser,
    organisation: &Organisation,
    password_hash: &str,
) -> Result<User, ServiceError> {
    new.role.check_fits(organisation.kind)?;
    let user = persistence::users::insert(
        command.conn(),
        UserRecord {
            email: &new.email,
            name: &new.name,
            role: new.role,
            organisation_id: organisation.id,
            password_hash,
        },
        command.now(),
    )
    .await?;
    command
        .audit(AuditEntry::new(actor, "user.created", "user", user.id).after(user_value(&user)))
        .await?;
    Ok(user)
}

/// An organisation as an admin registers it, before it is checked.
#[derive(Debug, Clone)]
pub struct OrganisationInput {
    pub name: String,
    pub kind: OrganisationKind,
    pub ods_code: Option<String>,
    pub region: Option<Region>,
    /// A buyer's kind of contracting authority (sub-central when not given).
    pub authority_type: Option<AuthorityType>,
    /// Register entries as sent: `(scheme, id)`.
    pub identifiers: Vec<(IdentifierScheme, String)>,
}

impl OrganisationInput {
    fn parse(&self) -> Result<NewOrganisation, ServiceError> {
        Ok(NewOrganisation::parse_fields(&OrganisationFields {
            name: &self.name,
            kind: self.kind,
            ods_code: self.ods_code.as_deref(),
            region: self.region,
            authority_type: self.authority_type,
            identifiers: &self.identifiers,
        })?)
    }
}

/// An admin registers an organisation.
pub async fn create_organisation(
    ctx: &Ctx,
    actor: &Actor,
    input: &OrganisationInput,
) -> Result<Organisation, ServiceError> {
    actor.require(PlatformAction::ManageOrganisations)?;
    let new = input.parse()?;
    let command = ctx.command().await?;
    let organisation = register_organisation(&command, Some(*actor), &new).await?;
    command.commit().await?;
    Ok(organisation)
}

/// A change to an organisation: each field given replaces the stored one (`Some(None)` clears
/// an optional one); its kind never changes.
#[derive(Debug, Clone, Default)]
pub struct OrganisationChanges {
    pub name: Option<String>,
    pub ods_code: Option<Option<String>>,
    pub region: Option<Option<Region>>,
    pub authority_type: Option<AuthorityType>,
    /// Replaces every identifier but the ODS code, which `ods_code` (or a `GB-NHS` entry) sets.
    pub identifiers: Option<Vec<(IdentifierScheme, String)>>,
}

/// An admin changes an organisation's details, say a buyer's kind of contracting authority or
/// its register identifiers.
pub async fn update_organisation(
    ctx: &Ctx,
    actor: &Actor,
    id: OrganisationId,
    changes: &OrganisationChanges,
) -> Result<Organisation, ServiceError> {
    actor.require(PlatformAction::ManageOrganisations)?;
    let command = ctx.command().await?;
    let before = persistence::organisations::get(command.conn(), id).await?;
    let kept_identifiers: Vec<(IdentifierScheme, String)> = before
        .identifiers
        .iter()
        .filter(|i| i.scheme != IdentifierScheme::Nhs)
        .map(|i| (i.scheme, i.id.clone()))
        .collect();
    let input = OrganisationInput {
        name: changes.name.clone().unwrap_or_else(|| before.name.clone()),
        kind: before.kind,
        ods_code: changes
            .ods_code
            .clone()
            .unwrap_or_else(|| before.ods_code.clone()),
        region: changes.region.unwrap_or(before.region),
        authority_type: changes.authority_type.or(before.authority_type),
        identifiers: changes.identifiers.clone().unwrap_or(kept_identifiers),
    };
    let changed = input.parse()?;
    let after =
        persistence::organisations::update(command.conn(), id, &changed, command.now()).await?;
    command
        .audit(
            AuditEntry::by(actor, "organisation.updated", "organisation", id)
                .before(organisation_value(&before))
                .after(organisation_value(&after)),
        )
        .await?;
    command.commit().await?;
    Ok(after)
}

/// The organisations, of one kind or all (admins).
pub async fn organisations(
    ctx: &Ctx,
    actor: &Actor,
    kind: Option<OrganisationKind>,
    page: PageRequest,
) -> Result<Page<Organisation>, ServiceError> {
    actor.require(PlatformAction::ManageOrganisations)?;
    Ok(
        persistence::organisations::list(ctx.db().conn(), &OrganisationFilter { kind }, page)
            .await?,
    )
}

/// An admin records that `successor` took over from `organisation` (a CCG succeeded by its
/// Integrated Care Board).
pub async fn set_successor(
    ctx: &Ctx,
    actor: &Actor,
    organisation: OrganisationId,
    successor: OrganisationId,
) -> Result<Organisation, ServiceError> {
    actor.require(PlatformAction::ManageOrganisations)?;
    let command = ctx.command().await?;
    let before = persistence::organisations::get(command.conn(), organisation).await?;
    persistence::organisations::get(command.conn(), successor).await?;
    let after = persistence::organisations::set_successor(
        command.conn(),
        organisation,
        successor,
        command.now(),
    )
    .await?;
    command
        .audit(
            AuditEntry::by(actor, "organisation.succeeded", "organisation", after.id)
                .before(json!({ "successor_id": before.successor_id }))
                .after(json!({ "successor_id": after.successor_id })),
        )
        .await?;
    command.commit().await?;
    Ok(after)
}

/// The signed-in user's own account and organisation.
pub async fn me(ctx: &Ctx, actor: &Actor) -> Result<(User, Organisation), ServiceError> {
    let conn = ctx.db().conn();
    let user = persistence::users::get(conn, actor.user_id).await?;
    let organisation = persistence::organisations::get(conn, actor.organisation_id).await?;
    Ok((user, organisation))
}

/// One organisation (admins).
pub async fn organisation(
    ctx: &Ctx,
    actor: &Actor,
    id: OrganisationId,
) -> Result<Organisation, ServiceError> {
    actor.require(PlatformAction::ManageOrganisations)?;
    Ok(persistence::organisations::get(ctx.db().conn(), id).await?)
}

/// A user account as an admin creates it, before it is checked.
#[derive(Debug, Clone)]
pub struct UserInput {
    pub email: String,
    pub name: String,
    pub password: String,
    pub role: Role,
    pub organisation_id: OrganisationId,
}

/// An admin creates a user in an organisation its role fits.
pub async fn create_user(
    ctx: &Ctx,
    actor: &Actor,
    input: &UserInput,
) -> Result<User, ServiceError> {
    actor.require(PlatformAction::ManageUsers)?;
    let new = NewUser::parse(&input.email, &input.name, &input.password, input.role)?;
    let organisation = persistence::organisations::find(ctx.db().conn(), input.organisation_id)
        .await?
        .ok_or_else(|| DomainError::field("/organisation_id", "no such organisation"))?;
    new.role.check_fits(organisation.kind)?;
    let password_hash = hash_password(&new.password).await?;
    let command = ctx.command().await?;
    let user = register_user(&command, Some(*actor), &new, &organisation, &password_hash).await?;
    command.commit().await?;
    Ok(user)
}

/// The user accounts (admins; anyone else only its own organisation's, should the permission
/// ever widen).
pub async fn users(
    ctx: &Ctx,
    actor: &Actor,
    mut filter: UserFilter,
    page: PageRequest,
) -> Result<Page<User>, ServiceError> {
    actor.require(PlatformAction::ManageUsers)?;
    if actor.role != Role::Admin {
        filter.organisation_id = Some(actor.organisation_id);
    }
    Ok(persistence::users::list(ctx.db().conn(), &filter, page).await?)
}

/// One user account (admins).
pub async fn user(ctx: &Ctx, actor: &Actor, id: UserId) -> Result<User, ServiceError> {
    actor.require(PlatformAction::ManageUsers)?;
    let user = persistence::users::get(ctx.db().conn(), id).await?;
    if !can_view_user(actor, user.organisation_id) {
        return Err(DomainError::NotFound("user").into());
    }
    Ok(user)
}

/// An admin changes a user's role or deactivates (or reactivates) it; nobody changes their own.
pub async fn update_user(
    ctx: &Ctx,
    actor: &Actor,
    id: UserId,
    role: Option<Role>,
    active: Option<bool>,
) -> Result<User, ServiceError> {
    actor.require(PlatformAction::ManageUsers)?;
    if role.is_none() && active.is_none() {
        return Err(ServiceError::field(
            "",
            "give at least one of role or active",
        ));
    }
    let command = ctx.command().await?;
    let before = persistence::users::get(command.conn(), id).await?;
    if !can_view_user(actor, before.organisation_id) {
        return Err(DomainError::NotFound("user").into());
    }
    check_self_change(actor, id, role, active)?;
    if let Some(role) = role {
        let organisation =
            persistence::organisations::get(command.conn(), before.organisation_id).await?;
        role.check_fits(organisation.kind)?;
    }
    let after = persistence::users::update(
        command.conn(),
        id,
        UserChange { role, active },
        command.now(),
    )
    .await?;
    command
        .audit(
            AuditEntry::by(actor, "user.updated", "user", after.id)
                .before(user_value(&before))
                .after(user_value(&after)),
        )
        .await?;
    command.commit().await?;
    // The account's standing as this process last read it no longer holds: its next request
    // reads it afresh (other replicas within a second).
    ctx.standings().forget(id);
    Ok(after)
}

/// Failed sign-ins allowed per email within [`FAILURE_WINDOW_MINUTES`].
pub const MAX_FAILURES: u64 = 5;
pub const FAILURE_WINDOW_MINUTES: i64 = 15;
/// Bounds the work a sign-in can ask of argon2.
const MAX_PASSWORD_CHARS: usize = 1024;

fn wrong_credentials() -> ServiceError {
    ServiceError::Unauthenticated("The email address or password is not right.".to_owned())
}

fn too_many(oldest: DateTime<Utc>, now: DateTime<Utc>) -> ServiceError {
    let lifts_at = oldest + Duration::minutes(FAILURE_WINDOW_MINUTES);
    let retry_after_seconds = u64::try_from((lifts_at - now).num_seconds().max(1)).unwrap_or(1);
    ServiceError::TooManyRequests {
        detail: format!(
            "Too many failed sign-ins for this email address. Try again in {} minutes.",
            retry_after_seconds.div_ceil(60)
        ),
        retry_after_seconds,
    }
}

/// Checks an email address and password under the sign-in rate limit and answers the same, in
/// the same time, for an unknown address (checked against `decoy_hash`), a wrong password and a
/// deactivated account. Answers the actor and the instant it signed in.
pub(crate) async fn sign_in(
    ctx: &Ctx,
    email: &str,
    password: String,
    decoy_hash: &str,
) -> Result<(Actor, DateTime<Utc>), ServiceError> {
    let email = EmailAddress::parse(email)?;
    if password.is_empty() || password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "/password",
            format!("must be 1 to {MAX_PASSWORD_CHARS} characters"),
        )]));
    }
    let conn = ctx.db().conn();
    let now = ctx.now().await?;
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
    let hash = user
        .as_ref()
        .map_or_else(|| decoy_hash.to_owned(), |u| u.password_hash.clone());
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
    Ok((actor, now))
}
