//! Reference data seeded by migration: service categories and NHS England regions, two code
//! lists of the same shape (`code`, `name`, `sort_order`).

use crate::{Sql, StoreError};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// A reference item: `{code, name}`.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct ReferenceItem {
    pub code: String,
    pub name: String,
}

/// Which seeded code list to read; the table name never comes from input.
#[derive(Debug, Clone, Copy)]
enum CodeList {
    Categories,
    Regions,
}

impl CodeList {
    const fn table(self) -> &'static str {
        match self {
            Self::Categories => "categories",
            Self::Regions => "regions",
        }
    }
}

/// The list in its display order, or (with `code`) the one item with that code.
async fn read(
    conn: &impl ConnectionTrait,
    list: CodeList,
    code: Option<&str>,
) -> Result<Vec<ReferenceItem>, StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push("SELECT code, name FROM ").push(list.table());
    if let Some(code) = code {
        sql.push(" WHERE code = ").bind(code.to_owned());
    }
    sql.push(" ORDER BY sort_order");
    Ok(ReferenceItem::find_by_statement(sql.statement())
        .all(conn)
        .await?)
}

pub async fn categories(conn: &impl ConnectionTrait) -> Result<Vec<ReferenceItem>, StoreError> {
    read(conn, CodeList::Categories, None).await
}

pub async fn category_exists(conn: &impl ConnectionTrait, code: &str) -> Result<bool, StoreError> {
    Ok(!read(conn, CodeList::Categories, Some(code))
        .await?
        .is_empty())
}

pub async fn regions(conn: &impl ConnectionTrait) -> Result<Vec<ReferenceItem>, StoreError> {
    read(conn, CodeList::Regions, None).await
}
