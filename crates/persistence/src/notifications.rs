//! In-app notifications, written in the same transaction as the event they report. The table is
//! also the outbox: each is queued, in the same transaction, as emails and webhook deliveries.

use crate::entities::notifications::{self, Column, Entity};
use crate::entities::organisations;
use crate::{Sql, StoreError};
use chrono::{DateTime, Utc};
use domain::bid::NotificationKind;
use domain::ids::{OrganisationId, TenderId, UserId};
use domain::offer::{OfferStatus, RegionSet};
use domain::organisation::{OrganisationKind, Region};
use domain::pagination::{Page, PageRequest};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// A notification as an organisation reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: Uuid,
    pub organisation_id: OrganisationId,
    pub kind: NotificationKind,
    pub tender_id: Option<TenderId>,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

fn to_domain(model: notifications::Model) -> Result<Notification, StoreError> {
    Ok(Notification {
        id: model.id,
        organisation_id: OrganisationId::from_uuid(model.organisation_id),
        kind: model
            .kind
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("notification {}: kind", model.id)))?,
        tender_id: model.tender_id.map(TenderId::from_uuid),
        subject: model.subject,
        body: model.body,
        created_at: model.created_at,
        read_at: model.read_at,
    })
}

/// What to tell, about which tender.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub kind: NotificationKind,
    pub tender_id: Option<TenderId>,
    pub subject: String,
    pub body: String,
}

/// Notifies each of `recipients` (once each, however often listed).
pub async fn notify(
    conn: &impl ConnectionTrait,
    recipients: &[OrganisationId],
    notification: &NewNotification,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut recipients = recipients.to_vec();
    recipients.sort();
    recipients.dedup();
    if recipients.is_empty() {
        return Ok(0);
    }
    let count = recipients.len();
    // Subject lines are bounded by the column; the body holds the rest.
    let subject: String = notification.subject.chars().take(300).collect();
    for chunk in recipients.chunks(500) {
        let ids: Vec<Uuid> = chunk.iter().map(|_| Uuid::new_v4()).collect();
        let rows: Vec<notifications::ActiveModel> = chunk
            .iter()
            .zip(&ids)
            .map(|(org, id)| notifications::ActiveModel {
                id: Set(*id),
                organisation_id: Set(org.as_uuid()),
                kind: Set(notification.kind.as_str().to_owned()),
                tender_id: Set(notification.tender_id.map(|t| t.as_uuid())),
                subject: Set(subject.clone()),
                body: Set(notification.body.clone()),
                created_at: Set(now),
                read_at: Set(None),
                read_by: Set(None),
                delivered_at: Set(None),
            })
            .collect();
        Entity::insert_many(rows).exec(conn).await?;
        // The outbox: each notification's emails, in its own transaction.
        crate::email::queue(conn, &ids).await?;
        crate::webhooks::queue(conn, &ids).await?;
    }
    Ok(count)
}

/// One of the organisation's notifications.
pub async fn find(
    conn: &impl ConnectionTrait,
    organisation: OrganisationId,
    id: Uuid,
) -> Result<Option<Notification>, StoreError> {
    crate::one_as(
        conn,
        Entity::find_by_id(id).filter(Column::OrganisationId.eq(organisation.as_uuid())),
        to_domain,
    )
    .await
}

/// An organisation's notifications, newest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    organisation: OrganisationId,
    unread_only: bool,
    page: PageRequest,
) -> Result<Page<Notification>, StoreError> {
    let mut query = Entity::find().filter(Column::OrganisationId.eq(organisation.as_uuid()));
    if unread_only {
        query = query.filter(Column::ReadAt.is_null());
    }
    crate::fetch_page(
        conn,
        query
            .order_by_desc(Column::CreatedAt)
            .order_by_desc(Column::Id),
        page,
        to_domain,
    )
    .await
}

/// Marks the organisation's notification read (once; a second read keeps the first time).
/// `Ok(None)` when it is not the organisation's.
pub async fn mark_read(
    conn: &impl ConnectionTrait,
    organisation: OrganisationId,
    id: Uuid,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Option<Notification>, StoreError> {
    Entity::update_many()
        .col_expr(Column::ReadAt, Expr::value(now))
        .col_expr(Column::ReadBy, Expr::value(by.as_uuid()))
        .filter(Column::Id.eq(id))
        .filter(Column::OrganisationId.eq(organisation.as_uuid()))
        .filter(Column::ReadAt.is_null())
        .exec(conn)
        .await?;
    crate::one_as(
        conn,
        Entity::find_by_id(id).filter(Column::OrganisationId.eq(organisation.as_uuid())),
        to_domain,
    )
    .await
}

/// Suppliers with a published offer in `category` serving `region`: who hears of an open tender.
pub async fn suppliers_offering(
    conn: &impl ConnectionTrait,
    category: &str,
    region: Region,
) -> Result<Vec<OrganisationId>, StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push("SELECT DISTINCT supplier_id FROM offers WHERE status = ")
        .bind(OfferStatus::Published.as_str())
        .push(" AND category_code = ")
        .bind(category.to_owned())
        .push(" AND (regions_mask & ")
        .bind(RegionSet::bit(region))
        .push(") <> 0");
    conn.query_all_raw(sql.statement())
        .await?
        .iter()
        .map(|row| Ok(OrganisationId::from_uuid(row.try_get("", "supplier_id")?)))
        .collect()
}

/// Every supplier organisation.
pub async fn all_suppliers(conn: &impl ConnectionTrait) -> Result<Vec<OrganisationId>, StoreError> {
    let rows = organisations::Entity::find()
        .select_only()
        .column(organisations::Column::Id)
        .filter(organisations::Column::Kind.eq(OrganisationKind::Supplier.as_str()))
        .into_tuple::<Uuid>()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(OrganisationId::from_uuid).collect())
}
