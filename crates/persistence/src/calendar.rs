//! The bank-holiday calendar that standstill periods are counted against.

use crate::StoreError;
use crate::entities::bank_holidays::{self, Column, Entity};
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use std::collections::BTreeSet;

/// A bank holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankHoliday {
    pub day: NaiveDate,
    pub name: String,
}

/// The holidays from `from` to `to`, inclusive.
pub async fn between(
    conn: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<BankHoliday>, StoreError> {
    Ok(Entity::find()
        .filter(Column::Day.gte(from))
        .filter(Column::Day.lte(to))
        .order_by_asc(Column::Day)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| BankHoliday {
            day: m.day,
            name: m.name,
        })
        .collect())
}

/// The holiday dates from `from` to `to`, as the working-day rules take them.
pub async fn dates(
    conn: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeSet<NaiveDate>, StoreError> {
    Ok(between(conn, from, to)
        .await?
        .into_iter()
        .map(|h| h.day)
        .collect())
}

pub async fn find(
    conn: &impl ConnectionTrait,
    day: NaiveDate,
) -> Result<Option<BankHoliday>, StoreError> {
    Ok(Entity::find_by_id(day)
        .one(conn)
        .await?
        .map(|m| BankHoliday {
            day: m.day,
            name: m.name,
        }))
}

/// Adds the holiday, or renames it.
pub async fn put(
    conn: &impl ConnectionTrait,
    day: NaiveDate,
    name: &str,
) -> Result<(), StoreError> {
    Entity::insert(bank_holidays::ActiveModel {
        day: Set(day),
        name: Set(name.to_owned()),
    })
    .on_conflict(
        OnConflict::column(Column::Day)
            .value(Column::Name, Expr::value(name))
            .to_owned(),
    )
    .exec(conn)
    .await?;
    Ok(())
}

/// Removes the holiday; `false` when there was none that day.
pub async fn remove(conn: &impl ConnectionTrait, day: NaiveDate) -> Result<bool, StoreError> {
    Ok(Entity::delete_by_id(day).exec(conn).await?.rows_affected == 1)
}
