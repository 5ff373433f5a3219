//! The email outbox: one delivery per notification and recipient user, queued in the
//! notification's own transaction, claimed by one sender at a time (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, the write lock on SQLite, and a lease so that a sender that dies lets another
//! take over), and recorded as sent, retried later, or failed.

use crate::entities::{email_deliveries as deliveries, notifications, users};
use crate::{Sql, StoreError};
use chrono::{DateTime, Utc};
use domain::bid::NotificationKind;
use domain::ids::{TenderId, UserId};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailStatus {
    /// Waiting to be sent, or to be tried again.
    Pending,
    Sent,
    /// Given up on after a day of attempts.
    Failed,
}

impl EmailStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }
}

impl std::str::FromStr for EmailStatus {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        [Self::Pending, Self::Sent, Self::Failed]
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or(())
    }
}

/// Queues an email of each of `notifications` for every active user of its organisation who
/// has not turned notification emails off.
pub(crate) async fn queue(
    conn: &impl ConnectionTrait,
    notifications: &[Uuid],
) -> Result<(), StoreError> {
    if notifications.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push(
        "INSERT INTO email_deliveries \
         (notification_id, user_id, email, status, attempts, next_attempt_at, created_at) \
         SELECT n.id, u.id, u.email, 'pending', 0, n.created_at, n.created_at \
         FROM notifications n JOIN users u ON u.organisation_id = n.organisation_id \
         WHERE u.active = ",
    );
    sql.bind(true).push(" AND u.email_notifications = ");
    sql.bind(true).push(" AND n.id IN (");
    for (i, id) in notifications.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(*id);
    }
    sql.push(")");
    conn.execute_raw(sql.statement()).await?;
    Ok(())
}

/// The rows of an outbox table (emails, webhook deliveries) that are pending, due at `now` and
/// held by no sender, soonest first: locked with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so
/// that two senders never take one row; SQLite's write lock does the same there.
pub(crate) async fn due_rows<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    query: sea_orm::Select<E>,
    (status, next_attempt_at, locked_until): (E::Column, E::Column, E::Column),
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<E::Model>, StoreError> {
    let mut query = query
        .filter(status.eq(EmailStatus::Pending.as_str()))
        .filter(next_attempt_at.lte(now))
        .filter(
            sea_orm::Condition::any()
                .add(locked_until.is_null())
                .add(locked_until.lt(now)),
        )
        .order_by_asc(next_attempt_at)
        .limit(limit);
    if conn.get_database_backend() == DbBackend::Postgres {
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    Ok(query.all(conn).await?)
}

/// A delivery claimed for sending, with what it tells.
#[derive(Debug, Clone)]
pub struct Due {
    pub notification_id: Uuid,
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub kind: NotificationKind,
    pub tender_id: Option<TenderId>,
    pub subject: String,
    pub body: String,
    pub attempts: i32,
    pub queued_at: DateTime<Utc>,
}

/// Claims up to `limit` deliveries due at `now` that no other sender holds, holding them until
/// `lease_until`. Run in a transaction of its own, committed before anything is sent.
pub async fn claim(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
    lease_until: DateTime<Utc>,
) -> Result<Vec<Due>, StoreError> {
    let claimed = due_rows(
        conn,
        deliveries::Entity::find(),
        (
            deliveries::Column::Status,
            deliveries::Column::NextAttemptAt,
            deliveries::Column::LockedUntil,
        ),
        now,
        limit,
    )
    .await?;
    if claimed.is_empty() {
        return Ok(Vec::new());
    }
    for row in &claimed {
        deliveries::Entity::update_many()
            .col_expr(deliveries::Column::LockedUntil, Expr::value(lease_until))
            .filter(deliveries::Column::NotificationId.eq(row.notification_id))
            .filter(deliveries::Column::UserId.eq(row.user_id))
            .exec(conn)
            .await?;
    }
    let notification_ids: Vec<Uuid> = claimed.iter().map(|d| d.notification_id).collect();
    let told: std::collections::HashMap<Uuid, notifications::Model> = notifications::Entity::find()
        .filter(notifications::Column::Id.is_in(notification_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    let user_ids: Vec<Uuid> = claimed.iter().map(|d| d.user_id).collect();
    let names: std::collections::HashMap<Uuid, String> = users::Entity::find()
        .filter(users::Column::Id.is_in(user_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    claimed
        .into_iter()
        .map(|d| {
            let n = told.get(&d.notification_id).ok_or_else(|| {
                StoreError::Corrupt(format!("email of notification {}: none", d.notification_id))
            })?;
            Ok(Due {
                notification_id: d.notification_id,
                user_id: UserId::from_uuid(d.user_id),
                name: names.get(&d.user_id).cloned().unwrap_or_default(),
                email: d.email,
                kind: n
                    .kind
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("notification {}: kind", n.id)))?,
                tender_id: n.tender_id.map(TenderId::from_uuid),
                subject: n.subject.clone(),
                body: n.body.clone(),
                attempts: d.attempts,
                queued_at: d.created_at,
            })
        })
        .collect()
}

/// What became of one attempt.
#[derive(Debug, Clone)]
pub enum Attempt {
    Sent,
    /// Failed; tried again at `retry_at`.
    Retry {
        error: String,
        retry_at: DateTime<Utc>,
    },
    /// Failed, and given up on.
    GaveUp {
        error: String,
    },
}

/// Records an attempt at a claimed delivery, releasing its claim.
pub async fn record(
    conn: &impl ConnectionTrait,
    due: &Due,
    attempt: &Attempt,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut update = deliveries::Entity::update_many()
        .col_expr(deliveries::Column::Attempts, Expr::value(due.attempts + 1))
        .col_expr(
            deliveries::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        );
    update = match attempt {
        Attempt::Sent => update
            .col_expr(
                deliveries::Column::Status,
                Expr::value(EmailStatus::Sent.as_str()),
            )
            .col_expr(deliveries::Column::SentAt, Expr::value(now))
            .col_expr(
                deliveries::Column::LastError,
                Expr::value(Option::<String>::None),
            ),
        Attempt::Retry { error, retry_at } => update
            .col_expr(deliveries::Column::NextAttemptAt, Expr::value(*retry_at))
            .col_expr(deliveries::Column::LastError, Expr::value(error.clone())),
        Attempt::GaveUp { error } => update
            .col_expr(
                deliveries::Column::Status,
                Expr::value(EmailStatus::Failed.as_str()),
            )
            .col_expr(deliveries::Column::LastError, Expr::value(error.clone())),
    };
    update
        .filter(deliveries::Column::NotificationId.eq(due.notification_id))
        .filter(deliveries::Column::UserId.eq(due.user_id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// How one user's email of a notification stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub status: EmailStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
}

fn delivery(d: deliveries::Model) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        status: d
            .status
            .parse()
            .map_err(|()| StoreError::Corrupt(format!("email {}: status", d.notification_id)))?,
        attempts: d.attempts,
        last_error: d.last_error,
        sent_at: d.sent_at,
    })
}

/// The emails of `notifications` to `user`, by notification.
pub async fn of_many(
    conn: &impl ConnectionTrait,
    notifications: &[Uuid],
    user: UserId,
) -> Result<std::collections::HashMap<Uuid, Delivery>, StoreError> {
    deliveries::Entity::find()
        .filter(deliveries::Column::UserId.eq(user.as_uuid()))
        .filter(deliveries::Column::NotificationId.is_in(notifications.to_vec()))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| Ok((d.notification_id, delivery(d)?)))
        .collect()
}

/// The email of `notification` to `user`, if one was queued.
pub async fn of(
    conn: &impl ConnectionTrait,
    notification: Uuid,
    user: UserId,
) -> Result<Option<Delivery>, StoreError> {
    let found = deliveries::Entity::find_by_id((notification, user.as_uuid()))
        .one(conn)
        .await?;
    found.map(delivery).transpose()
}
