//! Service offers: insert, read, change with optimistic concurrency, price history, and catalogue
//! search with full text on either database.

use crate::StoreError;
use crate::entities::offer_prices;
use crate::entities::offers::{self, Column, Entity};
use chrono::{DateTime, Utc};
use domain::ids::{OfferId, OrganisationId};
use domain::offer::{
    NewOffer, Offer, OfferChange, OfferStatus, PricingUnit, RegionSet, tie_break_key,
};
use domain::pagination::{Page, PageRequest};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QueryResult, Set, Statement, Value,
};
use uuid::Uuid;

fn to_domain(model: offers::Model) -> Result<Offer, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("offer {}: {what}", model.id));
    Ok(Offer {
        id: OfferId::from_uuid(model.id),
        supplier_id: OrganisationId::from_uuid(model.supplier_id),
        pricing_unit: model
            .pricing_unit
            .parse()
            .map_err(|_| corrupt("pricing unit"))?,
        status: model.status.parse().map_err(|_| corrupt("status"))?,
        regions: RegionSet::from_mask(model.regions_mask),
        category: model.category_code,
        title: model.title,
        summary: model.summary,
        description: model.description,
        unit_price_pence: model.unit_price_pence,
        minimum_term_months: model.minimum_term_months,
        version: model.version,
        created_at: model.created_at,
        updated_at: model.updated_at,
        published_at: model.published_at,
        withdrawn_at: model.withdrawn_at,
    })
}

pub async fn insert<C: ConnectionTrait>(
    conn: &C,
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
    }
    .insert(conn)
    .await?;
    to_domain(model)
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: OfferId) -> Result<Option<Offer>, StoreError> {
    Entity::find_by_id(id.as_uuid())
        .one(conn)
        .await?
        .map(to_domain)
        .transpose()
}

/// Several offers by id, in no particular order.
pub async fn find_many<C: ConnectionTrait>(
    conn: &C,
    ids: &[OfferId],
) -> Result<Vec<Offer>, StoreError> {
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().map(|id| id.as_uuid())))
        .all(conn)
        .await?
        .into_iter()
        .map(to_domain)
        .collect()
}

/// Applies `change` (and a new status, if given) when the stored version is still `expected`;
/// `Ok(None)` when someone changed the offer in between.
pub async fn update<C: ConnectionTrait>(
    conn: &C,
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

/// Records that `offer`'s price became `unit_price_pence` per `pricing_unit` at `at`.
pub async fn record_price<C: ConnectionTrait>(
    conn: &C,
    offer: OfferId,
    pricing_unit: PricingUnit,
    unit_price_pence: i64,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    offer_prices::Entity::insert(offer_prices::ActiveModel {
        id: Set(Uuid::new_v4()),
        offer_id: Set(offer.as_uuid()),
        pricing_unit: Set(pricing_unit.as_str().to_owned()),
        unit_price_pence: Set(unit_price_pence),
        effective_from: Set(at),
    })
    .exec(conn)
    .await?;
    Ok(())
}

/// The price history, newest first.
pub async fn price_history<C: ConnectionTrait>(
    conn: &C,
    offer: OfferId,
    page: PageRequest,
) -> Result<Page<PricePoint>, StoreError> {
    let query = offer_prices::Entity::find()
        .filter(offer_prices::Column::OfferId.eq(offer.as_uuid()))
        .order_by_desc(offer_prices::Column::EffectiveFrom);
    crate::fetch_page(conn, query, page, to_price).await
}

/// The price in force at `at`: the latest that took effect at or before it.
pub async fn price_at<C: ConnectionTrait>(
    conn: &C,
    offer: OfferId,
    at: DateTime<Utc>,
) -> Result<Option<PricePoint>, StoreError> {
    offer_prices::Entity::find()
        .filter(offer_prices::Column::OfferId.eq(offer.as_uuid()))
        .filter(offer_prices::Column::EffectiveFrom.lte(at))
        .order_by_desc(offer_prices::Column::EffectiveFrom)
        .one(conn)
        .await?
        .map(to_price)
        .transpose()
}

/// How search results are ordered; ties always fall to the neutral hash order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferSort {
    /// Best text match first (neutral order when there is no text).
    Relevance,
    PriceAsc,
    PriceDesc,
    Newest,
}

/// A catalogue search, already authorised: `only_supplier` restricts to one organisation's
/// offers where the actor may see no one else's in that status.
#[derive(Debug, Clone)]
pub struct OfferSearch {
    pub terms: Vec<String>,
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

/// Builds SQL with numbered (`$1`) or positional (`?`) placeholders for the backend.
struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        if self.backend == DbBackend::Postgres {
            let n = self.values.len();
            self.text.push_str(&format!("${n}"));
        } else {
            self.text.push('?');
        }
        self
    }

    fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
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

/// What a statement is for: the count, or a page of cards.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Count,
    Page,
}

/// The equality filters as the tags of the `search_filters` column (PostgreSQL).
fn filter_tags(search: &OfferSearch) -> Vec<String> {
    let mut tags = vec![format!("s={}", search.status.as_str())];
    if let Some(category) = &search.category {
        tags.push(format!("c={category}"));
    }
    if let Some(unit) = search.pricing_unit {
        tags.push(format!("u={}", unit.as_str()));
    }
    if let Some(bit) = search.region_bit {
        tags.push(format!("r={bit}"));
    }
    tags
}

/// `FROM … WHERE …` for a search.
///
/// On PostgreSQL the status, category, unit and region are matched as tags in the one GIN index
/// that also holds the text, so the words and the filters narrow each other inside the index.
/// The count uses only that (and the supplier and price, which are rare and cheap): with nothing
/// left to check row by row, an all-visible page need not be read at all. The page also states
/// the plain column conditions, so that for common words the planner may instead walk the
/// B-tree in price order and stop after one page.
fn from_and_where(sql: &mut Sql, search: &OfferSearch, part: Part) {
    let backend = sql.backend;
    let postgres = backend == DbBackend::Postgres;
    let has_text = !search.terms.is_empty();
    sql.push(" FROM offers o");
    if part == Part::Page {
        // The count needs no supplier: every offer has one, by foreign key.
        sql.push(" JOIN organisations org ON org.id = o.supplier_id");
    }
    if has_text && !postgres {
        sql.push(" JOIN offers_fts ON offers_fts.rowid = o.rowid");
    }
    sql.push(" WHERE ");
    if postgres {
        sql.push("o.search_filters @> ARRAY[");
        for (i, tag) in filter_tags(search).into_iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(tag);
        }
        sql.push("]::text[]");
    } else {
        sql.push("o.status = ").bind(search.status.as_str());
    }
    if has_text {
        let query = text_query(backend, &search.terms);
        if postgres {
            sql.push(" AND o.search_vector @@ to_tsquery('english', ")
                .bind(query)
                .push(")");
        } else {
            sql.push(" AND offers_fts MATCH ").bind(query);
        }
    }
    let plain_columns = !postgres || part == Part::Page;
    if plain_columns {
        if postgres {
            sql.push(" AND o.status = ").bind(search.status.as_str());
        }
        if let Some(category) = &search.category {
            sql.push(" AND o.category_code = ").bind(category.clone());
        }
        if let Some(bit) = search.region_bit {
            sql.push(" AND (o.regions_mask & ").bind(bit).push(") <> 0");
        }
        if let Some(unit) = search.pricing_unit {
            sql.push(" AND o.pricing_unit = ").bind(unit.as_str());
        }
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

/// The two statements a search runs: the count of every match, and one page of cards. Public so
/// that the benchmark can run exactly the same SQL directly against the database.
pub fn search_statements(
    backend: DbBackend,
    search: &OfferSearch,
    page: PageRequest,
) -> (Statement, Statement) {
    let has_text = !search.terms.is_empty();

    let mut count = Sql::new(backend);
    count.push("SELECT COUNT(*) AS n");
    from_and_where(&mut count, search, Part::Count);

    let mut sql = Sql::new(backend);
    sql.push(
        "SELECT o.id, o.supplier_id, org.name AS supplier_name, o.category_code, o.title, \
         o.summary, o.regions_mask, o.pricing_unit, o.unit_price_pence, o.minimum_term_months, \
         o.status, o.published_at",
    );
    from_and_where(&mut sql, search, Part::Page);
    sql.push(" ORDER BY ");
    match search.sort {
        OfferSort::Relevance if has_text => {
            if backend == DbBackend::Postgres {
                sql.push("ts_rank_cd(o.search_vector, to_tsquery('english', ")
                    .bind(text_query(backend, &search.terms))
                    .push(")) DESC, ");
            } else {
                // bm25 is lower for better matches; title outweighs summary outweighs description.
                sql.push("bm25(offers_fts, 10.0, 4.0, 1.0) ASC, ");
            }
        }
        OfferSort::Relevance => {}
        OfferSort::PriceAsc => {
            sql.push("o.unit_price_pence ASC, ");
        }
        OfferSort::PriceDesc => {
            sql.push("o.unit_price_pence DESC, ");
        }
        OfferSort::Newest => {
            sql.push("COALESCE(o.published_at, o.created_at) DESC, ");
        }
    }
    sql.push("o.tie_break ASC LIMIT ")
        .bind(i64::try_from(page.per_page()).unwrap_or(100))
        .push(" OFFSET ")
        .bind(i64::try_from(page.offset()).unwrap_or(0));
    (count.statement(), sql.statement())
}

/// Searches the catalogue: filters and counts in the database, one page of cards back.
pub async fn search<C: ConnectionTrait>(
    conn: &C,
    search: &OfferSearch,
    page: PageRequest,
) -> Result<Page<OfferListing>, StoreError> {
    let (count, cards) = search_statements(conn.get_database_backend(), search, page);
    let total: i64 = conn
        .query_one_raw(count)
        .await?
        .map(|row| row.try_get("", "n"))
        .transpose()?
        .unwrap_or(0);
    let rows = conn.query_all_raw(cards).await?;
    Ok(Page {
        items: rows.iter().map(listing).collect::<Result<_, _>>()?,
        total: u64::try_from(total).unwrap_or(0),
        page: page.page(),
        per_page: page.per_page(),
    })
}
