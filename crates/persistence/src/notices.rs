//! Notices: written once, each in its procurement's chain; read one, or a page by filters,
//! newest first.

use crate::StoreError;
use crate::entities::notices::{self, Column, Entity};
use chrono::{DateTime, Utc};
use domain::ids::{NoticeId, OrganisationId, TenderId, UserId};
use domain::notice::NoticeType;
use domain::organisation::Region;
use domain::pagination::{Page, PageRequest};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::Value;
use uuid::Uuid;

/// A notice as published.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub id: NoticeId,
    pub notice_type: NoticeType,
    pub buyer_id: OrganisationId,
    pub tender_id: Option<TenderId>,
    pub contract_id: Option<Uuid>,
    pub sequence: i32,
    pub previous_id: Option<NoticeId>,
    pub title: String,
    pub description: String,
    pub category: String,
    pub region: Region,
    pub published_at: DateTime<Utc>,
    pub published_by: Option<UserId>,
    /// What this type of notice says beyond the common fields.
    pub details: Value,
    /// The OCDS release it publishes.
    pub release: Value,
}

/// A notice to write.
#[derive(Debug, Clone)]
pub struct NewNotice {
    pub notice_type: NoticeType,
    pub buyer_id: OrganisationId,
    pub tender_id: Option<TenderId>,
    pub contract_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub category: String,
    pub region: Region,
    pub published_by: Option<UserId>,
    pub details: Value,
}

fn to_domain(model: notices::Model) -> Result<Notice, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("notice {}: {what}", model.id));
    Ok(Notice {
        id: NoticeId::from_uuid(model.id),
        notice_type: model.notice_type.parse().map_err(|_| corrupt("type"))?,
        buyer_id: OrganisationId::from_uuid(model.buyer_id),
        tender_id: model.tender_id.map(TenderId::from_uuid),
        contract_id: model.contract_id,
        sequence: model.sequence,
        previous_id: model.previous_id.map(NoticeId::from_uuid),
        region: model.region.parse().map_err(|_| corrupt("region"))?,
        details: serde_json::from_str(&model.details).map_err(|_| corrupt("details"))?,
        release: serde_json::from_str(&model.release).map_err(|_| corrupt("release"))?,
        title: model.title,
        description: model.description,
        category: model.category_code,
        published_at: model.published_at,
        published_by: model.published_by.map(UserId::from_uuid),
    })
}

/// The last notice of a procurement's chain, if it has one.
pub async fn last_of(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<Option<Notice>, StoreError> {
    crate::one_as(
        conn,
        Entity::find()
            .filter(Column::TenderId.eq(tender.as_uuid()))
            .order_by_desc(Column::Sequence),
        to_domain,
    )
    .await
}

/// Every notice of a procurement, in its order.
pub async fn of_tender(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<Vec<Notice>, StoreError> {
    crate::all_as(
        conn,
        Entity::find()
            .filter(Column::TenderId.eq(tender.as_uuid()))
            .order_by_asc(Column::Sequence),
        to_domain,
    )
    .await
}

/// Writes a notice at the end of its procurement's chain (the caller holds the tender's lock),
/// with the release `release_of` builds for it once its id and place are known.
pub async fn insert(
    conn: &impl ConnectionTrait,
    new: NewNotice,
    now: DateTime<Utc>,
    release_of: impl FnOnce(NoticeId, i32) -> Value,
) -> Result<Notice, StoreError> {
    let previous = match new.tender_id {
        Some(tender) => last_of(conn, tender).await?,
        None => None,
    };
    let id = NoticeId::new();
    let sequence = previous.as_ref().map_or(1, |p| p.sequence + 1);
    let release = release_of(id, sequence);
    let model = notices::ActiveModel {
        id: Set(id.as_uuid()),
        notice_type: Set(new.notice_type.as_str().to_owned()),
        buyer_id: Set(new.buyer_id.as_uuid()),
        tender_id: Set(new.tender_id.map(|t| t.as_uuid())),
        contract_id: Set(new.contract_id),
        sequence: Set(sequence),
        previous_id: Set(previous.map(|p| p.id.as_uuid())),
        title: Set(new.title),
        description: Set(new.description),
        category_code: Set(new.category),
        region: Set(new.region.code().to_owned()),
        published_at: Set(now),
        published_by: Set(new.published_by.map(|u| u.as_uuid())),
        details: Set(new.details.to_string()),
        release: Set(release.to_string()),
    }
    .insert(conn)
    .await?;
    to_domain(model)
}

pub async fn find(conn: &impl ConnectionTrait, id: NoticeId) -> Result<Option<Notice>, StoreError> {
    crate::one_as(conn, Entity::find_by_id(id.as_uuid()), to_domain).await
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct NoticeFilter {
    pub notice_type: Option<NoticeType>,
    pub buyer: Option<OrganisationId>,
    pub category: Option<String>,
    pub region: Option<Region>,
    pub tender: Option<TenderId>,
    pub from: Option<DateTime<Utc>>,
    /// Published before this instant.
    pub to: Option<DateTime<Utc>>,
    /// In the order published (a feed), rather than the newest first.
    pub oldest_first: bool,
}

/// A page of notices, newest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    filter: &NoticeFilter,
    page: PageRequest,
) -> Result<Page<Notice>, StoreError> {
    let mut query = Entity::find();
    if let Some(t) = filter.notice_type {
        query = query.filter(Column::NoticeType.eq(t.as_str()));
    }
    if let Some(b) = filter.buyer {
        query = query.filter(Column::BuyerId.eq(b.as_uuid()));
    }
    if let Some(c) = &filter.category {
        query = query.filter(Column::CategoryCode.eq(c.as_str()));
    }
    if let Some(r) = filter.region {
        query = query.filter(Column::Region.eq(r.code()));
    }
    if let Some(t) = filter.tender {
        query = query.filter(Column::TenderId.eq(t.as_uuid()));
    }
    if let Some(from) = filter.from {
        query = query.filter(Column::PublishedAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(Column::PublishedAt.lt(to));
    }
    let query = if filter.oldest_first {
        query
            .order_by_asc(Column::PublishedAt)
            .order_by_asc(Column::Sequence)
            .order_by_asc(Column::Id)
    } else {
        query
            .order_by_desc(Column::PublishedAt)
            .order_by_desc(Column::Sequence)
            .order_by_desc(Column::Id)
    };
    crate::fetch_page(conn, query, page, to_domain).await
}

/// The notices of one contracting process, in order: a procurement's (by its tender's id), or a
/// planning notice published on its own (by the notice's id).
pub async fn of_process(
    conn: &impl ConnectionTrait,
    process: Uuid,
) -> Result<Vec<Notice>, StoreError> {
    crate::all_as(
        conn,
        Entity::find()
            .filter(
                sea_orm::Condition::any()
                    .add(Column::TenderId.eq(process))
                    .add(
                        sea_orm::Condition::all()
                            .add(Column::Id.eq(process))
                            .add(Column::TenderId.is_null()),
                    ),
            )
            .order_by_asc(Column::PublishedAt)
            .order_by_asc(Column::Sequence),
        to_domain,
    )
    .await
}
