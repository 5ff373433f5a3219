//! In-app notifications: each organisation reads its own and marks them read. They are
//! written by the commands they report (see [`crate::notify`]), in the same transaction.

use crate::{Ctx, ServiceError};
use domain::DomainError;
use domain::access::Actor;
use domain::pagination::{Page, PageRequest};
use persistence::notifications::Notification;
use uuid::Uuid;

/// The actor's organisation's notifications, newest first; only the unread when asked.
pub async fn list(
    ctx: &Ctx,
    actor: &Actor,
    unread_only: bool,
    page: PageRequest,
) -> Result<Page<Notification>, ServiceError> {
    Ok(
        persistence::notifications::list(ctx.db().conn(), actor.organisation_id, unread_only, page)
            .await?,
    )
}

/// One of the actor's organisation's notifications, with how the actor's own email of it
/// stands (`None` when none was queued for it: its emails were off).
pub async fn get(
    ctx: &Ctx,
    actor: &Actor,
    id: Uuid,
) -> Result<(Notification, Option<persistence::email::Delivery>), ServiceError> {
    let conn = ctx.db().conn();
    let notification = persistence::notifications::find(conn, actor.organisation_id, id)
        .await?
        .ok_or(DomainError::NotFound("notification"))?;
    let email = persistence::email::of(conn, id, actor.user_id).await?;
    Ok((notification, email))
}

/// How the actor's own emails of `notifications` stand, by notification (none for those it
/// was not emailed).
pub async fn emails(
    ctx: &Ctx,
    actor: &Actor,
    notifications: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, persistence::email::Delivery>, ServiceError> {
    Ok(persistence::email::of_many(ctx.db().conn(), notifications, actor.user_id).await?)
}

/// Marks one of the organisation's notifications read, by the database clock.
pub async fn mark_read(ctx: &Ctx, actor: &Actor, id: Uuid) -> Result<Notification, ServiceError> {
    let now = ctx.now().await?;
    Ok(persistence::notifications::mark_read(
        ctx.db().conn(),
        actor.organisation_id,
        id,
        actor.user_id,
        now,
    )
    .await?
    .ok_or(DomainError::NotFound("notification"))?)
}
