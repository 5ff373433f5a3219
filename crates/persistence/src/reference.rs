//! Reference data seeded by migration: service categories and NHS England regions.

use crate::StoreError;
use crate::entities::{categories, regions};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};

/// A reference item: `{code, name}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceItem {
    pub code: String,
    pub name: String,
}

pub async fn categories<C: ConnectionTrait>(conn: &C) -> Result<Vec<ReferenceItem>, StoreError> {
    Ok(categories::Entity::find()
        .order_by_asc(categories::Column::SortOrder)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| ReferenceItem {
            code: m.code,
            name: m.name,
        })
        .collect())
}

pub async fn category_exists<C: ConnectionTrait>(conn: &C, code: &str) -> Result<bool, StoreError> {
    Ok(categories::Entity::find_by_id(code.to_owned())
        .one(conn)
        .await?
        .is_some())
}

pub async fn regions<C: ConnectionTrait>(conn: &C) -> Result<Vec<ReferenceItem>, StoreError> {
    Ok(regions::Entity::find()
        .order_by_asc(regions::Column::SortOrder)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| ReferenceItem {
            code: m.code,
            name: m.name,
        })
        .collect())
}
