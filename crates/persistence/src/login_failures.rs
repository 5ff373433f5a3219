//! Failed sign-ins per email, for the rate limit. Kept in the database so every replica agrees.

use crate::StoreError;
use crate::entities::login_failures::{self, Column, Entity};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

pub async fn record(
    conn: &impl ConnectionTrait,
    email: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::insert(login_failures::ActiveModel {
        id: Set(Uuid::new_v4()),
        email: Set(email.to_owned()),
        attempted_at: Set(at),
    })
    .exec(conn)
    .await?;
    Ok(())
}

/// Failures for `email` at or after `since`.
pub async fn count_since(
    conn: &impl ConnectionTrait,
    email: &str,
    since: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(Entity::find()
        .filter(Column::Email.eq(email))
        .filter(Column::AttemptedAt.gte(since))
        .count(conn)
        .await?)
}

/// The oldest failure for `email` at or after `since`: the limit lifts when it ages out.
pub async fn oldest_since(
    conn: &impl ConnectionTrait,
    email: &str,
    since: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    use sea_orm::QueryOrder;
    Ok(Entity::find()
        .filter(Column::Email.eq(email))
        .filter(Column::AttemptedAt.gte(since))
        .order_by_asc(Column::AttemptedAt)
        .one(conn)
        .await?
        .map(|m| m.attempted_at))
}

/// Forgets failures for `email` (after a successful sign-in) and any older than `before`.
pub async fn clear(
    conn: &impl ConnectionTrait,
    email: &str,
    before: DateTime<Utc>,
) -> Result<(), StoreError> {
    Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(Column::Email.eq(email))
                .add(Column::AttemptedAt.lt(before)),
        )
        .exec(conn)
        .await?;
    Ok(())
}
