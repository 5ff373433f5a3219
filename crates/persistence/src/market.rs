//! Market figures aggregated in the database: awarded contracts per supplier (by who holds them
//! now or who won them), optionally per category, region, market (category × region) or quarter
//! of award. Only per-supplier totals leave the database.

use crate::{Sql, StoreError};
use chrono::{DateTime, Utc};
use domain::ids::OrganisationId;
use domain::market::SupplierTotals;
use domain::organisation::Region;
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};
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
    /// Only the contracts called off under this framework (and its call-off tenders).
    pub framework: Option<domain::ids::FrameworkId>,
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
pub async fn totals(
    conn: &impl ConnectionTrait,
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
    push_filter(&mut sql, filter, "c", "awarded_at");
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

fn push_tender_filter(sql: &mut Sql, filter: &MarketFilter) {
    push_filter(sql, filter, "t", "published_at");
}

/// ` AND …` for the filter's category, region and period, on the contracts (`c`, by award) or
/// the tenders (`t`, by publication) of the query; `table` and `period` are ours, never input.
fn push_filter(sql: &mut Sql, filter: &MarketFilter, table: &str, period: &str) {
    if let Some(category) = &filter.category {
        sql.push(&format!(" AND {table}.category_code = "))
            .bind(category.clone());
    }
    if let Some(region) = filter.region {
        sql.push(&format!(" AND {table}.region = "))
            .bind(region.code());
    }
    if let Some(framework) = filter.framework {
        sql.push(&format!(" AND {table}.framework_id = "))
            .bind(framework.as_uuid());
    }
    if let Some(from) = filter.from {
        sql.push(&format!(" AND {table}.{period} >= ")).bind(from);
    }
    if let Some(until) = filter.until {
        sql.push(&format!(" AND {table}.{period} < ")).bind(until);
    }
}

/// How competitive tendering was, summed by the database.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CompetitionSums {
    /// Tenders published (not drafts).
    pub published: i64,
    pub cancelled: i64,
    /// Unsuccessful in force: declared, or closed with no bid to evaluate.
    pub unsuccessful: i64,
    /// Closed (deadline passed, not cancelled).
    pub closed: i64,
    /// Live bids on the closed tenders.
    pub bids_on_closed: i64,
    /// Closed tenders with exactly one live bid.
    pub single_bid: i64,
    /// Closed tenders with at least one live bid.
    pub closed_with_bids: i64,
    /// The median number of live bids on a closed tender (nearest rank).
    pub median_bids: Option<i64>,
    /// The sum of the tender periods (publication to submission deadline), in days.
    pub period_days: f64,
    /// Tenders whose submission period was under 15 days.
    pub short_periods: i64,
    /// Awards in force.
    pub awards: i64,
    /// Awards in force to a bid other than the top-ranked.
    pub awards_not_top: i64,
}

fn per_tender(sql: &mut Sql, filter: &MarketFilter, now: DateTime<Utc>) {
    let period = match sql.backend {
        DbBackend::Postgres => {
            "EXTRACT(EPOCH FROM (t.submission_deadline - t.published_at)) / 86400.0"
        }
        _ => "(julianday(t.submission_deadline) - julianday(t.published_at))",
    };
    sql.push(&format!(
        "WITH tn AS (SELECT t.id, t.status, {period} AS period_days, \
         (SELECT COUNT(*) FROM bids b WHERE b.tender_id = t.id AND b.status <> 'withdrawn') \
         AS bids, (SELECT COUNT(*) FROM bids b WHERE b.tender_id = t.id AND \
         b.status = 'submitted') AS evaluable, CASE WHEN t.status <> 'cancelled' AND \
         t.submission_deadline <= "
    ))
    .bind(now)
    .push(" THEN 1 ELSE 0 END AS closed FROM tenders t WHERE t.published_at IS NOT NULL");
    push_tender_filter(sql, filter);
    sql.push(")");
}

/// The competition figures for tenders published in the filter's period.
pub async fn competition(
    conn: &impl ConnectionTrait,
    filter: &MarketFilter,
    now: DateTime<Utc>,
) -> Result<CompetitionSums, StoreError> {
    let backend = conn.get_database_backend();
    let mut sql = Sql::new(backend);
    per_tender(&mut sql, filter, now);
    sql.push(
        " SELECT COUNT(*) AS published, \
         COALESCE(SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END), 0) AS cancelled, \
         COALESCE(SUM(CASE WHEN status = 'unsuccessful' OR (status = 'published' AND \
         closed = 1 AND evaluable = 0) THEN 1 ELSE 0 END), 0) AS unsuccessful, \
         COALESCE(SUM(closed), 0) AS closed, \
         CAST(COALESCE(SUM(CASE WHEN closed = 1 THEN bids ELSE 0 END), 0) AS BIGINT) \
         AS bids_on_closed, \
         COALESCE(SUM(CASE WHEN closed = 1 AND bids = 1 THEN 1 ELSE 0 END), 0) AS single_bid, \
         COALESCE(SUM(CASE WHEN closed = 1 AND bids > 0 THEN 1 ELSE 0 END), 0) \
         AS closed_with_bids, \
         CAST(COALESCE(SUM(period_days), 0) AS DOUBLE PRECISION) AS period_days, \
         COALESCE(SUM(CASE WHEN period_days < 15 THEN 1 ELSE 0 END), 0) AS short_periods \
         FROM tn",
    );
    let row = conn
        .query_one_raw(sql.statement())
        .await?
        .ok_or_else(|| StoreError::Corrupt("no competition figures".to_owned()))?;
    let number = |name: &str| -> Result<i64, StoreError> { Ok(row.try_get("", name)?) };
    let mut sums = CompetitionSums {
        published: number("published")?,
        cancelled: number("cancelled")?,
        unsuccessful: number("unsuccessful")?,
        closed: number("closed")?,
        bids_on_closed: number("bids_on_closed")?,
        single_bid: number("single_bid")?,
        closed_with_bids: number("closed_with_bids")?,
        median_bids: None,
        period_days: row.try_get("", "period_days")?,
        short_periods: number("short_periods")?,
        awards: 0,
        awards_not_top: 0,
    };

    let mut median = Sql::new(backend);
    per_tender(&mut median, filter, now);
    median.push(
        ", ranked AS (SELECT bids, ROW_NUMBER() OVER (ORDER BY bids) AS rn, \
         COUNT(*) OVER () AS n FROM tn WHERE closed = 1) \
         SELECT MAX(CASE WHEN rn = (n * 50 + 99) / 100 THEN bids END) AS median FROM ranked",
    );
    sums.median_bids = conn
        .query_one_raw(median.statement())
        .await?
        .map(|row| row.try_get::<Option<i64>>("", "median"))
        .transpose()?
        .flatten();

    let mut awards = Sql::new(backend);
    awards.push(
        "SELECT COUNT(*) AS awards, COALESCE(SUM(CASE WHEN a.rank > 1 THEN 1 ELSE 0 END), 0) \
         AS not_top FROM awards a JOIN tenders t ON t.id = a.tender_id \
         WHERE a.status <> 'cancelled'",
    );
    push_tender_filter(&mut awards, filter);
    if let Some(row) = conn.query_one_raw(awards.statement()).await? {
        sums.awards = row.try_get("", "awards")?;
        sums.awards_not_top = row.try_get("", "not_top")?;
    }
    Ok(sums)
}

/// The spread of published offer prices in one category and pricing unit.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct PriceSpread {
    pub category: String,
    pub pricing_unit: String,
    pub offers: i64,
    pub min_pence: i64,
    /// Nearest-rank median.
    pub median_pence: i64,
    /// Nearest-rank 90th percentile.
    pub p90_pence: i64,
}

/// Offer prices in force at `at` for the offers published then, per category and unit.
pub async fn price_spreads(
    conn: &impl ConnectionTrait,
    category: Option<&str>,
    region_bit: Option<i32>,
    at: DateTime<Utc>,
) -> Result<Vec<PriceSpread>, StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push(
        "WITH inforce AS (SELECT o.category_code AS category, p.pricing_unit AS unit, \
         p.unit_price_pence AS price FROM offers o JOIN offer_prices p ON p.offer_id = o.id \
         WHERE o.published_at IS NOT NULL AND o.published_at <= ",
    )
    .bind(at)
    .push(" AND (o.withdrawn_at IS NULL OR o.withdrawn_at > ")
    .bind(at)
    .push(
        ") AND p.effective_from = (SELECT MAX(p2.effective_from) FROM offer_prices p2 \
         WHERE p2.offer_id = o.id AND p2.effective_from <= ",
    )
    .bind(at)
    .push(")");
    if let Some(category) = category {
        sql.push(" AND o.category_code = ")
            .bind(category.to_owned());
    }
    if let Some(bit) = region_bit {
        sql.push(" AND (o.regions_mask & ").bind(bit).push(") <> 0");
    }
    sql.push(
        "), ranked AS (SELECT category, unit, price, ROW_NUMBER() OVER (PARTITION BY \
         category, unit ORDER BY price) AS rn, COUNT(*) OVER (PARTITION BY category, unit) \
         AS n FROM inforce) \
         SELECT category, unit AS pricing_unit, MIN(n) AS offers, MIN(price) AS min_pence, \
         MAX(CASE WHEN rn = (n * 50 + 99) / 100 THEN price END) AS median_pence, \
         MAX(CASE WHEN rn = (n * 90 + 99) / 100 THEN price END) AS p90_pence \
         FROM ranked GROUP BY category, unit ORDER BY category, unit",
    );
    Ok(PriceSpread::find_by_statement(sql.statement())
        .all(conn)
        .await?)
}

/// Awarded value against the buyers' estimates, per category.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct Savings {
    pub category: String,
    pub contracts: i64,
    pub estimated_value_pence: i64,
    pub awarded_value_pence: i64,
    /// The mean of each contract's (estimate − award) / estimate, percent.
    pub mean_saving_percent: f64,
}

pub async fn savings(
    conn: &impl ConnectionTrait,
    filter: &MarketFilter,
) -> Result<Vec<Savings>, StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push(
        "SELECT c.category_code AS category, COUNT(*) AS contracts, \
         CAST(SUM(t.estimated_value_pence) AS BIGINT) AS estimated_value_pence, \
         CAST(SUM(c.total_value_pence) AS BIGINT) AS awarded_value_pence, \
         CAST(AVG((t.estimated_value_pence - c.total_value_pence) * 100.0 / \
         t.estimated_value_pence) AS DOUBLE PRECISION) AS mean_saving_percent \
         FROM contracts c JOIN tenders t ON t.id = c.tender_id WHERE 1 = 1",
    );
    push_filter(&mut sql, filter, "c", "awarded_at");
    sql.push(" GROUP BY c.category_code ORDER BY c.category_code");
    Ok(Savings::find_by_statement(sql.statement())
        .all(conn)
        .await?)
}
