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
