//! Registering organisations and users: one implementation used by the API, the command line and
//! the demo loader, each change audited inside the caller's command.

use crate::dto::{OrganisationResponse, UserResponse};
use crate::error::ApiError;
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::organisation::{NewOrganisation, Organisation};
use domain::user::NewUser;
use persistence::Command;
use persistence::users::UserRecord;

fn audit_value<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(ApiError::internal)
}

/// Inserts an organisation and its `organisation.created` audit entry.
pub async fn register_organisation(
    command: &Command,
    actor: Option<Actor>,
    new: &NewOrganisation,
) -> Result<Organisation, ApiError> {
    let organisation =
        persistence::organisations::insert(command.conn(), new, command.now()).await?;
    let shown = OrganisationResponse::from(organisation.clone());
    command
        .audit(
            AuditEntry::new(actor, "organisation.created", "organisation", shown.id)
                .after(audit_value(&shown)?),
        )
        .await?;
    Ok(organisation)
}

/// Inserts a user whose role fits `organisation`, and its `user.created` audit entry. The
/// password is hashed by the caller before the command starts, so the write lock is not held
/// while argon2 runs.
pub async fn register_user(
    command: &Command,
    actor: Option<Actor>,
    new: &NewUser,
    organisation: &Organisation,
    password_hash: &str,
) -> Result<UserResponse, ApiError> {
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
    let shown = UserResponse::from(user);
    command
        .audit(AuditEntry::new(actor, "user.created", "user", shown.id).after(audit_value(&shown)?))
        .await?;
    Ok(shown)
}

/// Audits a change from `before` to `after` of one user.
pub async fn audit_user_change(
    command: &Command,
    actor: Option<Actor>,
    before: &UserResponse,
    after: &UserResponse,
) -> Result<(), ApiError> {
    command
        .audit(
            AuditEntry::new(actor, "user.updated", "user", after.id)
                .before(audit_value(before)?)
                .after(audit_value(after)?),
        )
        .await?;
    Ok(())
}
