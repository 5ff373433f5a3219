//! Organisations: insert, edit, read, list, each with its register identifiers.

use crate::StoreError;
use crate::entities::organisation_identifiers as identifiers;
use crate::entities::organisations::{self, Column, Entity};
use chrono::{DateTime, Utc};
use domain::ids::OrganisationId;
use domain::organisation::{
    Identifier, IdentifierScheme, NewOrganisation, Organisation, OrganisationKind,
};
use domain::pagination::{Page, PageRequest};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use std::collections::HashMap;

/// The organisation a row holds, its identifiers but the ODS code still to be attached
/// ([`with_identifiers`]).
fn to_domain(model: organisations::Model) -> Result<Organisation, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("organisation {}: {what}", model.id));
    Ok(Organisation {
        id: OrganisationId::from_uuid(model.id),
        kind: model.kind.parse().map_err(|_| corrupt("kind"))?,
        region: match &model.region {
            Some(code) => Some(code.parse().map_err(|_| corrupt("region"))?),
            None => None,
        },
        authority_type: match &model.authority_type {
            Some(code) => Some(code.parse().map_err(|_| corrupt("authority_type"))?),
            None => None,
        },
        identifiers: model
            .ods_code
            .iter()
            .map(|code| Identifier {
                scheme: IdentifierScheme::Nhs,
                id: code.clone(),
            })
            .collect(),
        name: model.name,
        ods_code: model.ods_code,
        successor_id: model.successor_id.map(OrganisationId::from_uuid),
        created_at: model.created_at,
        updated_at: model.updated_at,
    })
}

/// Adds to each organisation the register identifiers stored beside it, in one query.
async fn with_identifiers(
    conn: &impl ConnectionTrait,
    mut organisations: Vec<Organisation>,
) -> Result<Vec<Organisation>, StoreError> {
    if organisations.is_empty() {
        return Ok(organisations);
    }
    let rows = identifiers::Entity::find()
        .filter(
            identifiers::Column::OrganisationId.is_in(organisations.iter().map(|o| o.id.as_uuid())),
        )
        .all(conn)
        .await?;
    let mut by_owner: HashMap<OrganisationId, Vec<Identifier>> = HashMap::new();
    for row in rows {
        let scheme = row.scheme.parse().map_err(|_| {
            StoreError::Corrupt(format!(
                "organisation {}: identifier scheme",
                row.organisation_id
            ))
        })?;
        by_owner
            .entry(OrganisationId::from_uuid(row.organisation_id))
            .or_default()
            .push(Identifier {
                scheme,
                id: row.identifier,
            });
    }
    for organisation in &mut organisations {
        if let Some(found) = by_owner.remove(&organisation.id) {
            organisation.identifiers.extend(found);
            organisation.identifiers.sort_by_key(|i| i.scheme);
        }
    }
    Ok(organisations)
}

async fn one_with_identifiers(
    conn: &impl ConnectionTrait,
    organisation: Organisation,
) -> Result<Organisation, StoreError> {
    with_identifiers(conn, vec![organisation])
        .await?
        .pop()
        .ok_or(StoreError::NotFound("organisation"))
}

/// The organisation `query` finds, with its identifiers.
async fn find_one(
    conn: &impl ConnectionTrait,
    query: sea_orm::Select<Entity>,
) -> Result<Option<Organisation>, StoreError> {
    match crate::one_as(conn, query, to_domain).await? {
        Some(found) => Ok(Some(one_with_identifiers(conn, found).await?)),
        None => Ok(None),
    }
}

/// The stored row of `id`, to change.
async fn row_to_change(
    conn: &impl ConnectionTrait,
    id: OrganisationId,
) -> Result<organisations::ActiveModel, StoreError> {
    Ok(Entity::find_by_id(id.as_uuid())
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound("organisation"))?
        .into())
}

/// Replaces the stored identifiers of `id` (all but the ODS code, held in its own column).
async fn write_identifiers(
    conn: &impl ConnectionTrait,
    id: OrganisationId,
    all: &[Identifier],
) -> Result<(), StoreError> {
    identifiers::Entity::delete_many()
        .filter(identifiers::Column::OrganisationId.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    let rows: Vec<_> = all
        .iter()
        .filter(|i| i.scheme != IdentifierScheme::Nhs)
        .map(|i| identifiers::ActiveModel {
            organisation_id: Set(id.as_uuid()),
            scheme: Set(i.scheme.as_str().to_owned()),
            identifier: Set(i.id.clone()),
        })
        .collect();
    if !rows.is_empty() {
        identifiers::Entity::insert_many(rows)
            .exec(conn)
            .await
            .map_err(|e| {
                StoreError::unique_as(
                    e,
                    "/identifiers",
                    "another organisation already has one of these identifiers",
                )
            })?;
    }
    Ok(())
}

fn ods_conflict(e: sea_orm::DbErr) -> StoreError {
    StoreError::unique_as(
        e,
        "/ods_code",
        "an organisation with this ODS code already exists",
    )
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
        authority_type: Set(new.authority_type.map(|a| a.as_str().to_owned())),
        successor_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
    .map_err(ods_conflict)?;
    let id = OrganisationId::from_uuid(model.id);
    write_identifiers(conn, id, &new.identifiers).await?;
    get(conn, id).await
}

/// Replaces an organisation's name, ODS code, region, authority type and identifiers (its kind
/// never changes).
pub async fn update(
    conn: &impl ConnectionTrait,
    id: OrganisationId,
    changed: &NewOrganisation,
    now: DateTime<Utc>,
) -> Result<Organisation, StoreError> {
    let mut active = row_to_change(conn, id).await?;
    active.name = Set(changed.name.as_str().to_owned());
    active.ods_code = Set(changed.ods_code.as_ref().map(|c| c.as_str().to_owned()));
    active.region = Set(changed.region.map(|r| r.code().to_owned()));
    active.authority_type = Set(changed.authority_type.map(|a| a.as_str().to_owned()));
    active.updated_at = Set(now);
    active.update(conn).await.map_err(ods_conflict)?;
    write_identifiers(conn, id, &changed.identifiers).await?;
    get(conn, id).await
}

pub async fn find(
    conn: &impl ConnectionTrait,
    id: OrganisationId,
) -> Result<Option<Organisation>, StoreError> {
    find_one(conn, Entity::find_by_id(id.as_uuid())).await
}

/// One organisation's name, in one query (no identifiers read).
pub async fn name(conn: &impl ConnectionTrait, id: OrganisationId) -> Result<String, StoreError> {
    names(conn, &[id])
        .await?
        .remove(&id)
        .ok_or(StoreError::NotFound("organisation"))
}

/// The names of several organisations, in one query.
pub async fn names(
    conn: &impl ConnectionTrait,
    ids: &[OrganisationId],
) -> Result<HashMap<OrganisationId, String>, StoreError> {
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
) -> Result<HashMap<OrganisationId, Organisation>, StoreError> {
    let found: Vec<Organisation> = crate::all_as(
        conn,
        Entity::find().filter(Column::Id.is_in(ids.iter().map(|id| id.as_uuid()))),
        to_domain,
    )
    .await?;
    Ok(with_identifiers(conn, found)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect())
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
    let found = crate::fetch_page(
        conn,
        query.order_by_asc(Column::Name).order_by_asc(Column::Id),
        page,
        to_domain,
    )
    .await?;
    Ok(Page {
        items: with_identifiers(conn, found.items).await?,
        ..found
    })
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
    find_one(conn, Entity::find().filter(Column::OdsCode.eq(ods_code))).await
}

/// Records that `id` was succeeded by `successor` (CCG by ICB, merged CSU by its acquirer).
pub async fn set_successor(
    conn: &impl ConnectionTrait,
    id: OrganisationId,
    successor: OrganisationId,
    now: DateTime<Utc>,
) -> Result<Organisation, StoreError> {
    let mut active = row_to_change(conn, id).await?;
    active.successor_id = Set(Some(successor.as_uuid()));
    active.updated_at = Set(now);
    one_with_identifiers(conn, to_domain(active.update(conn).await?)?).await
}
