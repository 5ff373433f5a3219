//! Webhooks and their deliveries: the endpoints an organisation registered, and one delivery per
//! notification and endpoint that asked for its kind, queued in the notification's transaction,
//! claimed by one sender at a time (as the email outbox is), and recorded as delivered, retried
//! or failed.

use crate::email::EmailStatus as DeliveryStatus;
use crate::entities::{webhook_deliveries as deliveries, webhooks};
use crate::{Sql, StoreError};
use chrono::{DateTime, Utc};
use domain::bid::NotificationKind;
use domain::ids::{OrganisationId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

/// A registered endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: Uuid,
    pub organisation_id: OrganisationId,
    pub url: String,
    pub events: Vec<NotificationKind>,
    pub description: String,
    /// The signing secret (`whsec_…`): shown once, when it is made.
    pub secret: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub failing_since: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
}

/// `,a,b,`: each kind between commas, so that one is matched with `LIKE '%,kind,%'`.
fn events_text(events: &[NotificationKind]) -> String {
    let codes: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
    format!(",{},", codes.join(","))
}

fn webhook(model: webhooks::Model) -> Result<Webhook, StoreError> {
    let events = model
        .events
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.parse()
                .map_err(|_| StoreError::Corrupt(format!("webhook {}: events", model.id)))
        })
        .collect::<Result<_, _>>()?;
    Ok(Webhook {
        id: model.id,
        organisation_id: OrganisationId::from_uuid(model.organisation_id),
        url: model.url,
        events,
        description: model.description,
        secret: model.secret,
        active: model.active,
        created_at: model.created_at,
        failing_since: model.failing_since,
        disabled_at: model.disabled_at,
    })
}

/// What a new endpoint is.
#[derive(Debug, Clone)]
pub struct NewWebhook<'a> {
    pub organisation_id: OrganisationId,
    pub url: &'a str,
    pub events: &'a [NotificationKind],
    pub description: &'a str,
    pub secret: &'a str,
    pub created_by: UserId,
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    new: NewWebhook<'_>,
    now: DateTime<Utc>,
) -> Result<Webhook, StoreError> {
    let model = webhooks::ActiveModel {
        id: Set(Uuid::new_v4()),
        organisation_id: Set(new.organisation_id.as_uuid()),
        url: Set(new.url.to_owned()),
        events: Set(events_text(new.events)),
        description: Set(new.description.to_owned()),
        secret: Set(new.secret.to_owned()),
        active: Set(true),
        created_by: Set(new.created_by.as_uuid()),
        created_at: Set(now),
        failing_since: Set(None),
        disabled_at: Set(None),
    }
    .insert(conn)
    .await?;
    webhook(model)
}

/// The organisation's endpoints, oldest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    organisation: OrganisationId,
) -> Result<Vec<Webhook>, StoreError> {
    crate::all_as(
        conn,
        webhooks::Entity::find()
            .filter(webhooks::Column::OrganisationId.eq(organisation.as_uuid()))
            .order_by_asc(webhooks::Column::CreatedAt),
        webhook,
    )
    .await
}

/// One of the organisation's endpoints.
pub async fn find(
    conn: &impl ConnectionTrait,
    organisation: OrganisationId,
    id: Uuid,
) -> Result<Option<Webhook>, StoreError> {
    crate::one_as(
        conn,
        webhooks::Entity::find_by_id(id)
            .filter(webhooks::Column::OrganisationId.eq(organisation.as_uuid())),
        webhook,
    )
    .await
}

/// Removes an endpoint and its deliveries.
pub async fn delete(conn: &impl ConnectionTrait, id: Uuid) -> Result<(), StoreError> {
    deliveries::Entity::delete_many()
        .filter(deliveries::Column::WebhookId.eq(id))
        .exec(conn)
        .await?;
    webhooks::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

/// Queues a delivery of each of `notifications` to every active endpoint of its organisation
/// that asked for its kind.
pub(crate) async fn queue(
    conn: &impl ConnectionTrait,
    notifications: &[Uuid],
) -> Result<(), StoreError> {
    if notifications.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push(
        "INSERT INTO webhook_deliveries \
         (webhook_id, notification_id, status, attempts, next_attempt_at, created_at) \
         SELECT w.id, n.id, 'pending', 0, n.created_at, n.created_at \
         FROM notifications n JOIN webhooks w ON w.organisation_id = n.organisation_id \
         WHERE w.events LIKE ('%,' || n.kind || ',%') AND w.active = ",
    );
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

/// A delivery claimed for sending.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub webhook: Webhook,
    pub notification_id: Uuid,
    pub attempts: i32,
    pub queued_at: DateTime<Utc>,
}

/// Claims up to `limit` deliveries due at `now` that no other sender holds, until
/// `lease_until`; in a transaction of its own, committed before anything is sent.
pub async fn claim(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
    lease_until: DateTime<Utc>,
) -> Result<Vec<DueDelivery>, StoreError> {
    let claimed = crate::email::due_rows(
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
    let mut due = Vec::with_capacity(claimed.len());
    for row in claimed {
        deliveries::Entity::update_many()
            .col_expr(deliveries::Column::LockedUntil, Expr::value(lease_until))
            .filter(deliveries::Column::WebhookId.eq(row.webhook_id))
            .filter(deliveries::Column::NotificationId.eq(row.notification_id))
            .exec(conn)
            .await?;
        let endpoint = crate::one_as(conn, webhooks::Entity::find_by_id(row.webhook_id), webhook)
            .await?
            .ok_or_else(|| {
                StoreError::Corrupt(format!("delivery of {}: no webhook", row.webhook_id))
            })?;
        due.push(DueDelivery {
            webhook: endpoint,
            notification_id: row.notification_id,
            attempts: row.attempts,
            queued_at: row.created_at,
        });
    }
    Ok(due)
}

/// What became of one attempt at a delivery.
#[derive(Debug, Clone)]
pub enum Outcome {
    Delivered {
        status: u16,
    },
    Retry {
        status: Option<u16>,
        error: String,
        retry_at: DateTime<Utc>,
    },
    Failed {
        status: Option<u16>,
        error: String,
    },
}

/// Records an attempt, releasing the claim; a success ends the endpoint's failing spell, a
/// failure starts one if none has.
pub async fn record(
    conn: &impl ConnectionTrait,
    due: &DueDelivery,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let status_code = |s: &Option<u16>| s.map(i32::from);
    let mut update = deliveries::Entity::update_many()
        .col_expr(deliveries::Column::Attempts, Expr::value(due.attempts + 1))
        .col_expr(
            deliveries::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        );
    update = match outcome {
        Outcome::Delivered { status } => update
            .col_expr(
                deliveries::Column::Status,
                Expr::value(DeliveryStatus::Sent.as_str()),
            )
            .col_expr(
                deliveries::Column::LastStatus,
                Expr::value(i32::from(*status)),
            )
            .col_expr(deliveries::Column::DeliveredAt, Expr::value(now)),
        Outcome::Retry {
            status,
            error,
            retry_at,
        } => update
            .col_expr(
                deliveries::Column::LastStatus,
                Expr::value(status_code(status)),
            )
            .col_expr(deliveries::Column::LastError, Expr::value(error.clone()))
            .col_expr(deliveries::Column::NextAttemptAt, Expr::value(*retry_at)),
        Outcome::Failed { status, error } => update
            .col_expr(
                deliveries::Column::Status,
                Expr::value(DeliveryStatus::Failed.as_str()),
            )
            .col_expr(
                deliveries::Column::LastStatus,
                Expr::value(status_code(status)),
            )
            .col_expr(deliveries::Column::LastError, Expr::value(error.clone())),
    };
    update
        .filter(deliveries::Column::WebhookId.eq(due.webhook.id))
        .filter(deliveries::Column::NotificationId.eq(due.notification_id))
        .exec(conn)
        .await?;
    let failing_since = match outcome {
        Outcome::Delivered { .. } => None,
        _ => Some(due.webhook.failing_since.unwrap_or(now)),
    };
    webhooks::Entity::update_many()
        .col_expr(webhooks::Column::FailingSince, Expr::value(failing_since))
        .filter(webhooks::Column::Id.eq(due.webhook.id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Disables an endpoint that has been failing too long.
pub async fn disable(
    conn: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    webhooks::Entity::update_many()
        .col_expr(webhooks::Column::Active, Expr::value(false))
        .col_expr(webhooks::Column::DisabledAt, Expr::value(now))
        .filter(webhooks::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// One delivery as its endpoint's owner reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub notification_id: Uuid,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// The endpoint's deliveries, newest first (at most 100).
pub async fn deliveries(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Vec<Delivery>, StoreError> {
    deliveries::Entity::find()
        .filter(deliveries::Column::WebhookId.eq(id))
        .order_by_desc(deliveries::Column::CreatedAt)
        .limit(100)
        .all(conn)
        .await?
        .into_iter()
        .map(|d| {
            let status: DeliveryStatus = d.status.parse().map_err(|()| {
                StoreError::Corrupt(format!("webhook delivery {}: status", d.notification_id))
            })?;
            Ok(Delivery {
                notification_id: d.notification_id,
                next_attempt_at: (status == DeliveryStatus::Pending).then_some(d.next_attempt_at),
                status,
                attempts: d.attempts,
                last_status: d.last_status,
                last_error: d.last_error,
                delivered_at: d.delivered_at,
            })
        })
        .collect()
}
