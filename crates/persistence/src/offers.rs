//! Service offers: insert, read, change with optimistic concurrency, price history, and catalogue
//! search with full text on either database.

use crate::entities::offer_prices;
use crate::entities::offers::{self, Column, Entity};
use crate::{Sql, StoreError};
use chrono::{DateTime, Utc};
use domain::ids::{OfferId, OrganisationId};
use domain::offer::{
    NewOffer, Offer, OfferChange, OfferStatus, PricingUnit, RegionSet, tie_break_key,
};
use domain::pagination::{Page, PageRequest, Total};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QueryResult, Set, Statement,
};
use uuid::Uuid;

fn to_domain(model: offers::Model) -> Result<Offer, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("offer {}: {what}", model.id));
    let details = NewOffer {
        category: model.category_code,
        title: model.title,
        summary: model.summary,
        description: model.description,
        regions: RegionSet::from_mask(model.regions_mask),
        pricing_unit: model
            .pricing_unit
            .parse()
            .map_err(|_| corrupt("pricing unit"))?,
        unit_price_pence: model.unit_price_pence,
        minimum_term_months: model.minimum_term_months,
    };
    Ok(Offer {
        id: OfferId::from_uuid(model.id),
        supplier_id: OrganisationId::from_uuid(model.supplier_id),
        details,
        status: model.status.parse().map_err(|_| corrupt("status"))?,
        version: model.version,
        created_at: model.created_at,
        updated_at: model.updated_at,
        published_at: model.published_at,
        withdrawn_at: model.withdrawn_at,
        framework: model
            .framework_id
            .map(|framework| domain::offer::FrameworkListing {
                framework_id: domain::ids::FrameworkId::from_uuid(framework),
                lot_id: model.framework_lot_id.map(domain::ids::LotId::from_uuid),
            }),
    })
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    supplier: OrganisationId,
    new: &NewOffer,
    now: DateTime<Utc>,
) -> Result<Offer, StoreError> {
    let id = OfferId::new();
    let model = offers::ActiveModel {
        id: Set(id.as_uuid()),
        supplier_id: Set(supplier.as_uuid()),
        category_code: Set(new.category.clone()),
        title: Set(new.title.clone()),
        summary: Set(new.summary.clone()),
        description: Set(new.description.clone()),
        regions_mask: Set(new.regions.mask()),
        pricing_unit: Set(new.pricing_unit.as_str().to_owned()),
        unit_price_pence: Set(new.unit_price_pence),
        minimum_term_months: Set(new.minimum_term_months),
        status: Set(OfferStatus::Draft.as_str().to_owned()),
        version: Set(1),
        tie_break: Set(tie_break_key(id)),
        created_at: Set(now),
        updated_at: Set(now),
        published_at: Set(None),
        withdrawn_at: Set(None),
        framework_id: Set(None),
        framework_lot_id: Set(None),
    }
    .insert(conn)
    .await?;
    to_domain(model)
}

/// Marks the offer as its supplier's catalogue entry for a framework (and lot), or unmarks it;
/// `Ok(None)` when someone changed the offer in between.
pub async fn set_framework(
    conn: &impl ConnectionTrait,
    current: &Offer,
    listing: Option<domain::offer::FrameworkListing>,
    now: DateTime<Utc>,
) -> Result<Option<Offer>, StoreError> {
    let result = Entity::update_many()
        .col_expr(Column::Version, Expr::value(current.version + 1))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .col_expr(
            Column::FrameworkId,
            Expr::value(listing.map(|l| l.framework_id.as_uuid())),
        )
        .col_expr(
            Column::FrameworkLotId,
            Expr::value(listing.and_then(|l| l.lot_id).map(|l| l.as_uuid())),
        )
        .filter(Column::Id.eq(current.id.as_uuid()))
        .filter(Column::Version.eq(current.version))
        .exec(conn)
        .await?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    find(conn, current.id).await
}

pub async fn find(conn: &impl ConnectionTrait, id: OfferId) -> Result<Option<Offer>, StoreError> {
    crate::one_as(conn, Entity::find_by_id(id.as_uuid()), to_domain).await
}

/// One offer as readers see it, in one statement: the offer, its supplier's name and the price
/// in force at `at` — or, without `at`, its latest price (every price takes effect when it is
/// recorded, so the latest is the one in force now and no clock need be read).
pub async fn find_presented(
    conn: &impl ConnectionTrait,
    id: OfferId,
    at: Option<DateTime<Utc>>,
) -> Result<Option<(Offer, String, Option<PricePoint>)>, StoreError> {
    use sea_orm::FromQueryResult;
    let statement = presented_statement(conn.get_database_backend(), id, at);
    let Some(row) = conn.query_one_raw(statement).await? else {
        return Ok(None);
    };
    let offer = to_domain(offers::Model::from_query_result(&row, "")?)?;
    let supplier_name: String = row.try_get("", "presented_supplier_name")?;
    let unit: Option<String> = row.try_get("", "presented_price_unit")?;
    let price = match unit {
        Some(unit) => Some(PricePoint {
            pricing_unit: unit
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("offer {} price: unit", offer.id)))?,
            unit_price_pence: row.try_get("", "presented_price_pence")?,
            effective_from: row.try_get("", "presented_price_from")?,
        }),
        None => None,
    };
    Ok(Some((offer, supplier_name, price)))
}

/// The statement [`find_presented`] runs (the benchmark runs it through pgbench too).
pub fn presented_statement(
    backend: sea_orm::DbBackend,
    id: OfferId,
    at: Option<DateTime<Utc>>,
) -> sea_orm::Statement {
    let mut sql = Sql::new(backend);
    sql.push(
        "SELECT o.*, s.name AS presented_supplier_name, p.pricing_unit AS presented_price_unit, \
         p.unit_price_pence AS presented_price_pence, p.effective_from AS presented_price_from \
         FROM offers o JOIN organisations s ON s.id = o.supplier_id \
         LEFT JOIN offer_prices p ON p.id = (SELECT q.id FROM offer_prices q \
         WHERE q.offer_id = o.id",
    );
    if let Some(at) = at {
        sql.push(" AND q.effective_from <= ").bind(at);
    }
    sql.push(" ORDER BY q.effective_from DESC LIMIT 1) WHERE o.id = ")
        .bind(id.as_uuid());
    sql.statement()
}

/// Several offers by id, in no particular order.
pub async fn find_many(
    conn: &impl ConnectionTrait,
    ids: &[OfferId],
) -> Result<Vec<Offer>, StoreError> {
    crate::all_as(
        conn,
        Entity::find().filter(Column::Id.is_in(ids.iter().map(|id| id.as_uuid()))),
        to_domain,
    )
    .await
}

/// A supplier's offers in `status`.
pub async fn of_supplier(
    conn: &impl ConnectionTrait,
    supplier: OrganisationId,
    status: OfferStatus,
) -> Result<Vec<Offer>, StoreError> {
    crate::all_as(
        conn,
        Entity::find()
            .filter(Column::SupplierId.eq(supplier.as_uuid()))
            .filter(Column::Status.eq(status.as_str()))
            .order_by_asc(Column::Id),
        to_domain,
    )
    .await
}

/// Applies `change` (and a new status, if given) when the stored version is still `expected`;
/// `Ok(None)` when someone changed the offer in between.
pub async fn update(
    conn: &impl ConnectionTrait,
    current: &Offer,
    change: &OfferChange,
    status: Option<OfferStatus>,
    now: DateTime<Utc>,
) -> Result<Option<Offer>, StoreError> {
    let mut update = Entity::update_many()
        .col_expr(Column::Version, Expr::value(current.version + 1))
        .col_expr(Column::UpdatedAt, Expr::value(now));
    if let Some(v) = &change.category {
        update = update.col_expr(Column::CategoryCode, Expr::value(v.clone()));
    }
    if let Some(v) = &change.title {
        update = update.col_expr(Column::Title, Expr::value(v.clone()));
    }
    if let Some(v) = &change.summary {
        update = update.col_expr(Column::Summary, Expr::value(v.clone()));
    }
    if let Some(v) = &change.description {
        update = update.col_expr(Column::Description, Expr::value(v.clone()));
    }
    if let Some(v) = change.regions {
        update = update.col_expr(Column::RegionsMask, Expr::value(v.mask()));
    }
    if let Some(v) = change.pricing_unit {
        update = update.col_expr(Column::PricingUnit, Expr::value(v.as_str()));
    }
    if let Some(v) = change.unit_price_pence {
        update = update.col_expr(Column::UnitPricePence, Expr::value(v));
    }
    if let Some(v) = change.minimum_term_months {
        update = update.col_expr(Column::MinimumTermMonths, Expr::value(v));
    }
    if let Some(status) = status {
        update = update.col_expr(Column::Status, Expr::value(status.as_str()));
        match status {
            OfferStatus::Published => {
                update = update.col_expr(Column::PublishedAt, Expr::value(now))
            }
            OfferStatus::Withdrawn => {
                update = update.col_expr(Column::WithdrawnAt, Expr::value(now))
            }
            OfferStatus::Draft => {}
        }
    }
    let result = update
        .filter(Column::Id.eq(current.id.as_uuid()))
        .filter(Column::Version.eq(current.version))
        .exec(conn)
        .await?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    find(conn, current.id).await
}

/// One price in an offer's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricePoint {
    pub pricing_unit: PricingUnit,
    pub unit_price_pence: i64,
    pub effective_from: DateTime<Utc>,
}

fn to_price(model: offer_prices::Model) -> Result<PricePoint, StoreError> {
    Ok(PricePoint {
        pricing_unit: model
            .pricing_unit
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("offer price {}: unit", model.id)))?,
        unit_price_pence: model.unit_price_pence,
        effective_from: model.effective_from,
    })
}

/// Records that `offer`'s current price (its unit and unit price) is in force from `at`.
pub async fn record_price(
    conn: &impl ConnectionTrait,
    offer: &Offer,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    offer_prices::Entity::insert(offer_prices::ActiveModel {
        id: Set(Uuid::new_v4()),
        offer_id: Set(offer.id.as_uuid()),
        pricing_unit: Set(offer.details.pricing_unit.as_str().to_owned()),
        unit_price_pence: Set(offer.details.unit_price_pence),
        effective_from: Set(at),
    })
    .exec(conn)
    .await?;
    Ok(())
}

/// The price history, newest first.
pub async fn price_history(
    conn: &impl ConnectionTrait,
    offer: OfferId,
    page: PageRequest,
) -> Result<Page<PricePoint>, StoreError> {
    let query = offer_prices::Entity::find()
        .filter(offer_prices::Column::OfferId.eq(offer.as_uuid()))
        .order_by_desc(offer_prices::Column::EffectiveFrom);
    crate::fetch_page(conn, query, page, to_price).await
}

/// The price in force at `at`: the latest that took effect at or before it.
pub async fn price_at(
    conn: &impl ConnectionTrait,
    offer: OfferId,
    at: DateTime<Utc>,
) -> Result<Option<PricePoint>, StoreError> {
    crate::one_as(
        conn,
        offer_prices::Entity::find()
            .filter(offer_prices::Column::OfferId.eq(offer.as_uuid()))
            .filter(offer_prices::Column::EffectiveFrom.lte(at))
            .order_by_desc(offer_prices::Column::EffectiveFrom),
        to_price,
    )
    .await
}

/// How search results are ordered; ties always fall to the neutral hash order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferSort {
    /// Best text match first (neutral order when there is no text).
    Relevance,
    PriceAsc,
    PriceDesc,
    Newest,
    /// Best-rated supplier first (unrated last), reviews aged at the given instant.
    Rating(DateTime<Utc>),
}

/// A catalogue search, already authorised: `only_supplier` restricts to one organisation's
/// offers where the actor may see no one else's in that status.
#[derive(Debug, Clone)]
pub struct OfferSearch {
    pub terms: Vec<String>,
    /// Only the offers marked for this framework (and lot).
    pub framework: Option<domain::ids::FrameworkId>,
    pub framework_lot: Option<domain::ids::LotId>,
    pub status: OfferStatus,
    pub only_supplier: Option<OrganisationId>,
    pub category: Option<String>,
    pub region_bit: Option<i32>,
    pub supplier: Option<OrganisationId>,
    pub pricing_unit: Option<PricingUnit>,
    pub min_price_pence: Option<i64>,
    pub max_price_pence: Option<i64>,
    pub sort: OfferSort,
}

/// One search result: the offer's catalogue card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferListing {
    pub id: OfferId,
    pub supplier_id: OrganisationId,
    pub supplier_name: String,
    pub category: String,
    pub title: String,
    pub summary: String,
    pub regions: RegionSet,
    pub pricing_unit: PricingUnit,
    pub unit_price_pence: i64,
    pub minimum_term_months: Option<i32>,
    pub status: OfferStatus,
    pub published_at: Option<DateTime<Utc>>,
}

/// The text query for the backend: every term must match (stemmed on both databases).
fn text_query(backend: DbBackend, terms: &[String]) -> String {
    match backend {
        DbBackend::Postgres => terms.join(" & "),
        _ => terms
            .iter()
            .map(|t| format!("\"{t}\""))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// `FROM … WHERE …` for a search; `cards` joins the supplier's name for the page of cards.
///
/// Each filter is stated once, as a plain condition, so that the planner estimates it once. On
/// PostgreSQL one GIN index holds the text, category, pricing unit and regions (migration 9), so
/// rare words and their filters narrow each other inside the index; for common words the planner
/// may instead walk the B-tree in price order and stop after one page.
fn from_and_where(sql: &mut Sql, search: &OfferSearch, cards: bool) {
    let backend = sql.backend;
    let postgres = backend == DbBackend::Postgres;
    sql.push(" FROM offers o");
    if cards {
        sql.push(" JOIN organisations org ON org.id = o.supplier_id");
    }
    if !search.terms.is_empty() && !postgres {
        sql.push(" JOIN offers_fts ON offers_fts.rowid = o.rowid");
    }
    sql.push(" WHERE o.status = ").bind(search.status.as_str());
    if !search.terms.is_empty() {
        let query = text_query(backend, &search.terms);
        if postgres {
            sql.push(" AND o.search_vector @@ to_tsquery('english', ")
                .bind(query)
                .push(")");
        } else {
            sql.push(" AND offers_fts MATCH ").bind(query);
        }
    }
    if let Some(category) = &search.category {
        sql.push(" AND o.category_code = ").bind(category.clone());
    }
    if let Some(framework) = search.framework {
        sql.push(" AND o.framework_id = ").bind(framework.as_uuid());
    }
    if let Some(lot) = search.framework_lot {
        sql.push(" AND o.framework_lot_id = ").bind(lot.as_uuid());
    }
    if let Some(bit) = search.region_bit {
        if postgres {
            sql.push(" AND o.region_bits @> ARRAY[")
                .bind(bit)
                .push("]::smallint[]");
        } else {
            sql.push(" AND (o.regions_mask & ").bind(bit).push(") <> 0");
        }
    }
    if let Some(unit) = search.pricing_unit {
        sql.push(" AND o.pricing_unit = ").bind(unit.as_str());
    }
    if let Some(org) = search.only_supplier {
        sql.push(" AND o.supplier_id = ").bind(org.as_uuid());
    }
    if let Some(supplier) = search.supplier {
        sql.push(" AND o.supplier_id = ").bind(supplier.as_uuid());
    }
    if let Some(min) = search.min_price_pence {
        sql.push(" AND o.unit_price_pence >= ").bind(min);
    }
    if let Some(max) = search.max_price_pence {
        sql.push(" AND o.unit_price_pence <= ").bind(max);
    }
}

fn listing(row: &QueryResult) -> Result<OfferListing, StoreError> {
    let id: Uuid = row.try_get("", "id")?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("offer {id}: {what}"));
    let unit: String = row.try_get("", "pricing_unit")?;
    let status: String = row.try_get("", "status")?;
    Ok(OfferListing {
        id: OfferId::from_uuid(id),
        supplier_id: OrganisationId::from_uuid(row.try_get("", "supplier_id")?),
        supplier_name: row.try_get("", "supplier_name")?,
        category: row.try_get("", "category_code")?,
        title: row.try_get("", "title")?,
        summary: row.try_get("", "summary")?,
        regions: RegionSet::from_mask(row.try_get("", "regions_mask")?),
        pricing_unit: unit.parse().map_err(|_| corrupt("pricing unit"))?,
        unit_price_pence: row.try_get("", "unit_price_pence")?,
        minimum_term_months: row.try_get("", "minimum_term_months")?,
        status: status.parse().map_err(|_| corrupt("status"))?,
        published_at: row.try_get("", "published_at")?,
    })
}

/// The statements a search runs. Public so that the benchmark can run exactly the same SQL
/// directly against the database.
///
/// A page within the first `total_limit + 1` matches is one statement: the matches, in the order
/// asked for and no more than `total_limit + 1` of them, are gathered once, counted, and the page
/// is cut from them. The database then finds the matches once per search, and for common words
/// in price order it stops after the limit instead of gathering every match. A page further on
/// (or an empty page past the end) needs the plain page and a separate capped count.
pub fn search_statements(
    backend: DbBackend,
    search: &OfferSearch,
    page: PageRequest,
    total_limit: u64,
) -> SearchStatements {
    let capped = total_limit.saturating_add(1);
    let within_cap = page.offset().saturating_add(page.per_page()) <= capped;
    let order = SortKey::of(backend, search);

    let mut count = Sql::new(backend);
    count.push("SELECT COUNT(*) AS n FROM (SELECT 1 AS one");
    from_and_where(&mut count, search, false);
    if backend == DbBackend::Postgres {
        // The order changes nothing in the count; it lets the planner weigh the count as it
        // weighs the page: walk the price-ordered B-tree and stop early for common words, or
        // take the GIN index for rare ones, instead of gathering every match of a common word.
        count.push(" ORDER BY o.unit_price_pence, o.tie_break");
    }
    count
        .push(" LIMIT ")
        .bind(i64::try_from(capped).unwrap_or(i64::MAX))
        .push(") AS capped");

    let mut cards = Sql::new(backend);
    if within_cap {
        cards.push("WITH matches AS MATERIALIZED (");
        push_matches(&mut cards, search, &order, capped);
        cards.push(
            ") SELECT m.id, m.supplier_id, org.name AS supplier_name, m.category_code, m.title, \
             m.summary, m.regions_mask, m.pricing_unit, m.unit_price_pence, \
             m.minimum_term_months, m.status, m.published_at, \
             (SELECT COUNT(*) FROM matches) AS matched \
             FROM matches m JOIN organisations org ON org.id = m.supplier_id ORDER BY ",
        );
        if order.expression.is_some() {
            cards.push("m.sort_key").push(order.direction).push(", ");
        }
        cards.push("m.tie_break ASC");
    } else {
        cards.push(
            "SELECT o.id, o.supplier_id, org.name AS supplier_name, o.category_code, o.title, \
             o.summary, o.regions_mask, o.pricing_unit, o.unit_price_pence, \
             o.minimum_term_months, o.status, o.published_at",
        );
        from_and_where(&mut cards, search, true);
        order.push_order_by(&mut cards, search);
    }
    cards
        .push(" LIMIT ")
        .bind(i64::try_from(page.per_page()).unwrap_or(100))
        .push(" OFFSET ")
        .bind(i64::try_from(page.offset()).unwrap_or(0));
    SearchStatements {
        page: cards.statement(),
        counted_with_page: within_cap,
        count: count.statement(),
    }
}

/// The first `capped` matches in the order asked for, with the key they are ordered by.
fn push_matches(sql: &mut Sql, search: &OfferSearch, order: &SortKey, capped: u64) {
    sql.push(
        "SELECT o.id, o.supplier_id, o.category_code, o.title, o.summary, o.regions_mask, \
         o.pricing_unit, o.unit_price_pence, o.minimum_term_months, o.status, o.published_at, \
         o.tie_break",
    );
    if let Some(expression) = &order.expression {
        sql.push(", ");
        expression.push_to(sql, search);
        sql.push(" AS sort_key");
    }
    from_and_where(sql, search, false);
    order.push_order_by(sql, search);
    sql.push(" LIMIT ")
        .bind(i64::try_from(capped).unwrap_or(i64::MAX));
}

/// What a search is ordered by before the neutral tie-break.
struct SortKey {
    expression: Option<SortExpression>,
    direction: &'static str,
}

enum SortExpression {
    /// PostgreSQL's `ts_rank` (not `ts_rank_cd`: the same weights, a fifth of the cost per
    /// match), higher first.
    TsRank,
    /// SQLite's bm25, lower first; title outweighs summary outweighs description.
    Bm25,
    Price,
    Newest,
    Rating(DateTime<Utc>),
}

impl SortKey {
    /// ` ORDER BY <key> <direction>, o.tie_break ASC` over the offers table.
    fn push_order_by(&self, sql: &mut Sql, search: &OfferSearch) {
        sql.push(" ORDER BY ");
        if let Some(expression) = &self.expression {
            expression.push_to(sql, search);
            sql.push(self.direction).push(", ");
        }
        sql.push("o.tie_break ASC");
    }

    fn of(backend: DbBackend, search: &OfferSearch) -> Self {
        let (expression, direction) = match search.sort {
            OfferSort::Relevance if !search.terms.is_empty() => {
                if backend == DbBackend::Postgres {
                    (Some(SortExpression::TsRank), " DESC")
                } else {
                    (Some(SortExpression::Bm25), " ASC")
                }
            }
            OfferSort::Relevance => (None, ""),
            OfferSort::PriceAsc => (Some(SortExpression::Price), " ASC"),
            OfferSort::PriceDesc => (Some(SortExpression::Price), " DESC"),
            OfferSort::Newest => (Some(SortExpression::Newest), " DESC"),
            OfferSort::Rating(at) => (Some(SortExpression::Rating(at)), " DESC"),
        };
        Self {
            expression,
            direction,
        }
    }
}

impl SortExpression {
    fn push_to(&self, sql: &mut Sql, search: &OfferSearch) {
        match self {
            Self::TsRank => {
                sql.push("ts_rank(o.search_vector, to_tsquery('english', ")
                    .bind(text_query(DbBackend::Postgres, &search.terms))
                    .push("))");
            }
            Self::Bm25 => {
                sql.push("bm25(offers_fts, 10.0, 4.0, 1.0)");
            }
            Self::Price => {
                sql.push("o.unit_price_pence");
            }
            Self::Newest => {
                sql.push("COALESCE(o.published_at, o.created_at)");
            }
            Self::Rating(at) => {
                crate::contracts::push_overall_rating(sql, "o.supplier_id", *at);
            }
        }
    }
}

/// The SQL of one search.
#[derive(Debug, Clone)]
pub struct SearchStatements {
    /// One page of cards, in the order asked for; when `counted_with_page`, each row also
    /// carries `matched`, the number of matches up to the limit and one more.
    pub page: Statement,
    pub counted_with_page: bool,
    /// How many match, counting no further than the limit and one more.
    pub count: Statement,
}

/// Searches the catalogue: filters in the database, one page of cards back, and the number of
/// matches counted exactly up to `total_limit`.
pub async fn search(
    conn: &impl ConnectionTrait,
    search: &OfferSearch,
    page: PageRequest,
    total_limit: u64,
) -> Result<Page<OfferListing>, StoreError> {
    let statements = search_statements(conn.get_database_backend(), search, page, total_limit);
    let rows = conn.query_all_raw(statements.page).await?;
    let items: Vec<OfferListing> = rows.iter().map(listing).collect::<Result<_, _>>()?;
    let known = match rows.first() {
        Some(row) if statements.counted_with_page => {
            let matched: i64 = row.try_get("", "matched")?;
            Some(Total::from_capped_count(
                u64::try_from(matched).unwrap_or(0),
                total_limit,
            ))
        }
        _ => Total::from_page(page, items.len()),
    };
    let total = match known {
        Some(total) => total,
        None => {
            let counted: i64 = conn
                .query_one_raw(statements.count)
                .await?
                .map(|row| row.try_get("", "n"))
                .transpose()?
                .unwrap_or(0);
            Total::from_capped_count(u64::try_from(counted).unwrap_or(0), total_limit)
        }
    };
    Ok(Page {
        items,
        total: total.value,
        total_exact: total.exact,
        page: page.page(),
        per_page: page.per_page(),
    })
}
