//! Organisations: insert, read, list.

use crate::StoreError;
use crate::entities::organisations::{self, Column, Entity};
use chrono::{DateTime, Utc};
use domain::ids::OrganisationId;
use domain::organisation::{NewOrganisation, Organisation, OrganisationKind};
use domain::pagination::{Page, PageRequest};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

pub(crate) fn to_domain(model: organisations::Model) -> Result<Organisation, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("organisation {}: {what}", model.id));
    Ok(Organisation {
        id: OrganisationId::from_uuid(model.id),
        kind: model.kind.parse().map_err(|_| corrupt("kind"))?,
        region: match &model.region {
            Some(code) => Some(code.parse().map_err(|_| corrupt("region"))?),
            None => None,
        },
        name: model.name,
        ods_code: model.ods_code,
        successor_id: model.successor_id.map(OrganisationId::from_uuid),
        created_at: model.created_at,
        updated_at: model.updated_at,
    })
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    new: &NewOrganisation,
    now: DateTime<Utc>,
) -> Result<Organisation, StoreError> {
    let model = organisations::ActiveModel {
        id: Set(OrganisationId::new().as_uuid()),
        name: Set(new.name.as_str().to_owned()),
        kind: Set(new.kind.as_str().to_owned()),
        ods_code: Set(new.ods_code.as_ref().map(|c| c.as_str().to_owned())),
        region: Set(new.region.map(|r| r.code().to_owned())),
        successor_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
    .map_err(|e| {
        StoreError::unique_as(
            e,
            "/ods_code",
            "an organisation with this ODS code already exists",
        )
    })?;
    to_domain(model)
}

pub async fn find(
    conn: &impl ConnectionTrait,
    id: OrganisationId,
) -> Result<Option<Organisation>, StoreError> {
    crate::one_as(conn, Entity::find_by_id(id.as_uuid()), to_domain).await
}

/// The names of several organisations, in one query.
pub async fn names(
    conn: &impl ConnectionTrait,
    ids: &[OrganisationId],
) -> Result<std::collections::HashMap<OrganisationId, String>, StoreError> {
    Ok(Entity::find()
        .filter(Column::Id.is_in(ids.iter().map(|id| id.as_uuid())))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (OrganisationId::from_uuid(o.id), o.name))
        .collect())
}

/// The organisations with these ids, in one query.
pub async fn many(
    conn: &impl ConnectionTrait,
    ids: &[OrganisationId],
) -> Result<std::collections::HashMap<OrganisationId, Organisation>, StoreError> {
    crate::all_as(
        conn,
        Entity::find().filter(Column::Id.is_in(ids.iter().map(|id| id.as_uuid()))),
        |model| to_domain(model).map(|o| (o.id, o)),
    )
    .await
}

pub async fn get(
    conn: &impl ConnectionTrait,
    id: OrganisationId,
) -> Result<Organisation, StoreError> {
    find(conn, id)
        .await?
        .ok_or(StoreError::NotFound("organisation"))
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct OrganisationFilter {
    pub kind: Option<OrganisationKind>,
}

pub async fn list(
    conn: &impl ConnectionTrait,
    filter: &OrganisationFilter,
    page: PageRequest,
) -> Result<Page<Organisation>, StoreError> {
    let mut query = Entity::find();
    if let Some(kind) = filter.kind {
        query = query.filter(Column::Kind.eq(kind.as_str()));
    }
    crate::fetch_page(
        conn,
        query.order_by_asc(Column::Name).order_by_asc(Column::Id),
        page,
        to_domain,
    )
    .await
}

/// Whether any organisation exists: an empty database is where the demo market may be loaded.
pub async fn any(conn: &impl ConnectionTrait) -> Result<bool, StoreError> {
    Ok(Entity::find().one(conn).await?.is_some())
}

/// Finds an organisation by its ODS code.
pub async fn find_by_ods_code(
    conn: &impl ConnectionTrait,
    ods_code: &str,
) -> Result<Option<Organisation>, StoreError> {
    crate::one_as(
        conn,
        Entity::find().filter(Column::OdsCode.eq(ods_code)),
        to_domain,
    )
    .await
}

/// Records that `id` was succeeded by `successor` (CCG by ICB, merged CSU by its acquirer).
pub async fn set_successor(
    conn: &impl ConnectionTrait,
    id: OrganisationId,
    successor: OrganisationId,
    now: DateTime<Utc>,
) -> Result<Organisation, StoreError> {
    let model = Entity::find_by_id(id.as_uuid())
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound("organisation"))?;
    let mut active: organisations::ActiveModel = model.into();
    active.successor_id = Set(Some(successor.as_uuid()));
    active.updated_at = Set(now);
    to_domain(active.update(conn).await?)
}
