//! Market figures aggregated in the database: awarded contracts per supplier (by who holds them
//! now or who won them), optionally per category, region, market (category × region) or quarter
//! of award. Only per-supplier totals leave the database.

use crate::{Sql, StoreError};
use chrono::{DateTime, Utc};
use domain::ids::OrganisationId;
use domain::market::SupplierTotals;
use domain::organisation::Region;
use sea_orm::{ConnectionTrait, DbBackend};
use uuid::Uuid;

/// Whose a contract is for the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribution {
    /// The supplier holding it now (after novations).
    Current,
    /// The supplier that won it.
    Original,
}

/// How to break the figures down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Nothing,
    Category,
    Region,
    /// Category and region together: one market.
    Market,
    /// The calendar quarter of award, `2026-Q3`.
    Quarter,
}

/// Which contracts count.
#[derive(Debug, Clone)]
pub struct MarketFilter {
    pub category: Option<String>,
    pub region: Option<Region>,
    /// Awarded at or after.
    pub from: Option<DateTime<Utc>>,
    /// Awarded before.
    pub until: Option<DateTime<Utc>>,
    pub attribution: Attribution,
}

/// One supplier's totals within one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupTotals {
    /// The group's key (`None` when not grouped).
    pub group: Option<String>,
    pub totals: SupplierTotals,
}

fn group_expression(backend: DbBackend, group_by: GroupBy) -> &'static str {
    match (group_by, backend) {
        (GroupBy::Nothing, _) => "''",
        (GroupBy::Category, _) => "c.category_code",
        (GroupBy::Region, _) => "c.region",
        (GroupBy::Market, _) => "c.category_code || '/' || c.region",
        (GroupBy::Quarter, DbBackend::Postgres) => {
            "to_char(c.awarded_at AT TIME ZONE 'UTC', 'YYYY') || '-Q' || \
             to_char(c.awarded_at AT TIME ZONE 'UTC', 'Q')"
        }
        (GroupBy::Quarter, _) => {
            "strftime('%Y', c.awarded_at) || '-Q' || \
             ((CAST(strftime('%m', c.awarded_at) AS INTEGER) + 2) / 3)"
        }
    }
}

/// Awarded contracts and their value per supplier (and group), summed by the database.
pub async fn totals<C: ConnectionTrait>(
    conn: &C,
    filter: &MarketFilter,
    group_by: GroupBy,
) -> Result<Vec<GroupTotals>, StoreError> {
    let backend = conn.get_database_backend();
    let supplier = match filter.attribution {
        Attribution::Current => "c.supplier_id",
        Attribution::Original => "c.awarded_supplier_id",
    };
    let group = group_expression(backend, group_by);
    let mut sql = Sql::new(backend);
    sql.push(&format!(
        "SELECT {group} AS grp, {supplier} AS supplier_id, COUNT(*) AS contracts, \
         CAST(SUM(c.total_value_pence) AS BIGINT) AS value_pence FROM contracts c WHERE 1 = 1"
    ));
    if let Some(category) = &filter.category {
        sql.push(" AND c.category_code = ").bind(category.clone());
    }
    if let Some(region) = filter.region {
        sql.push(" AND c.region = ").bind(region.code());
    }
    if let Some(from) = filter.from {
        sql.push(" AND c.awarded_at >= ").bind(from);
    }
    if let Some(until) = filter.until {
        sql.push(" AND c.awarded_at < ").bind(until);
    }
    // PostgreSQL refuses a constant in GROUP BY: ungrouped figures group by supplier alone.
    if group_by == GroupBy::Nothing {
        sql.push(&format!(" GROUP BY {supplier} ORDER BY 2"));
    } else {
        sql.push(&format!(" GROUP BY {group}, {supplier} ORDER BY 1, 2"));
    }
    let rows = conn.query_all_raw(sql.statement()).await?;
    rows.iter()
        .map(|row| {
            let group: String = row.try_get("", "grp")?;
            let supplier: Uuid = row.try_get("", "supplier_id")?;
            Ok(GroupTotals {
                group: (group_by != GroupBy::Nothing).then_some(group),
                totals: SupplierTotals {
                    supplier: OrganisationId::from_uuid(supplier),
                    contracts: row.try_get("", "contracts")?,
                    value_pence: row.try_get("", "value_pence")?,
                },
            })
        })
        .collect()
}
