//! Contracts, the buyers' performance reviews of them, and suppliers' ratings drawn from those
//! reviews (computed in the database, recent reviews weighing more).

use crate::entities::{contracts, performance_reviews};
use crate::{Sql, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use domain::contract::{ContractStatus, Review};
use domain::ids::{BidId, CallOffId, FrameworkId, LotId, OrganisationId, TenderId, UserId};
use domain::organisation::Region;
use domain::pagination::{Page, PageRequest};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QueryResult, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// A contract as stored; `status` is the state in force on the day it was read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Contract {
    pub id: Uuid,
    /// What was contracted, as recorded when the contract was entered.
    #[serde(flatten)]
    pub terms: NewContract,
    /// Who holds it now: the awarded supplier, or the acquirer it was novated to.
    pub supplier_id: OrganisationId,
    pub status: ContractStatus,
    pub created_at: DateTime<Utc>,
    pub terminated_at: Option<DateTime<Utc>>,
    pub termination_reason: Option<String>,
    /// When the buyer recorded that it ended at the end of its term.
    pub ended_at: Option<DateTime<Utc>>,
}

impl Contract {
    pub fn parties(&self) -> domain::contract::ContractParties {
        domain::contract::ContractParties {
            buyer: self.terms.buyer_id,
            supplier: self.supplier_id,
            awarded_supplier: self.terms.awarded_supplier_id,
        }
    }
}

fn contract(model: contracts::Model, today: NaiveDate) -> Result<Contract, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("contract {}: {what}", model.id));
    let stored: ContractStatus = model.status.parse().map_err(|_| corrupt("status"))?;
    let terms = NewContract {
        tender_id: TenderId::from_uuid(model.tender_id),
        lot_id: model.lot_id.map(LotId::from_uuid),
        framework_id: model.framework_id.map(FrameworkId::from_uuid),
        call_off_id: model.call_off_id.map(CallOffId::from_uuid),
        award_id: model.award_id,
        bid_id: BidId::from_uuid(model.bid_id),
        buyer_id: OrganisationId::from_uuid(model.buyer_id),
        awarded_supplier_id: OrganisationId::from_uuid(model.awarded_supplier_id),
        region: model.region.parse().map_err(|_| corrupt("region"))?,
        title: model.title,
        category: model.category_code,
        total_value_pence: model.total_value_pence,
        annual_value_pence: model.annual_value_pence,
        start_date: model.start_date,
        end_date: model.end_date,
        awarded_at: model.awarded_at,
        created_by: UserId::from_uuid(model.created_by),
    };
    Ok(Contract {
        id: model.id,
        status: stored.on(terms.end_date, today),
        terms,
        supplier_id: OrganisationId::from_uuid(model.supplier_id),
        created_at: model.created_at,
        terminated_at: model.terminated_at,
        termination_reason: model.termination_reason,
        ended_at: model.ended_at,
    })
}

/// What a new contract records.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NewContract {
    pub tender_id: TenderId,
    /// The lot contracted; none on an undivided tender.
    pub lot_id: Option<LotId>,
    /// The framework it was called off under, and the call-off.
    pub framework_id: Option<FrameworkId>,
    pub call_off_id: Option<CallOffId>,
    pub award_id: Uuid,
    pub bid_id: BidId,
    pub buyer_id: OrganisationId,
    /// The supplier awarded the contract, who holds it until a novation.
    pub awarded_supplier_id: OrganisationId,
    pub title: String,
    pub category: String,
    pub region: Region,
    pub total_value_pence: i64,
    pub annual_value_pence: i64,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub awarded_at: DateTime<Utc>,
    pub created_by: UserId,
}

/// Stores a contract; one per tender, or per lot of a divided one (the database refuses a
/// second).
pub async fn insert(
    conn: &impl ConnectionTrait,
    new: NewContract,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Contract, StoreError> {
    let model = contracts::ActiveModel {
        id: Set(Uuid::new_v4()),
        tender_id: Set(new.tender_id.as_uuid()),
        award_id: Set(new.award_id),
        bid_id: Set(new.bid_id.as_uuid()),
        buyer_id: Set(new.buyer_id.as_uuid()),
        supplier_id: Set(new.awarded_supplier_id.as_uuid()),
        awarded_supplier_id: Set(new.awarded_supplier_id.as_uuid()),
        title: Set(new.title),
        category_code: Set(new.category),
        region: Set(new.region.code().to_owned()),
        total_value_pence: Set(new.total_value_pence),
        annual_value_pence: Set(new.annual_value_pence),
        start_date: Set(new.start_date),
        end_date: Set(new.end_date),
        status: Set(ContractStatus::Active.as_str().to_owned()),
        awarded_at: Set(new.awarded_at),
        created_at: Set(now),
        created_by: Set(new.created_by.as_uuid()),
        terminated_at: Set(None),
        termination_reason: Set(None),
        ended_at: Set(None),
        lot_id: Set(new.lot_id.map(|l| l.as_uuid())),
        framework_id: Set(new.framework_id.map(|f| f.as_uuid())),
        call_off_id: Set(new.call_off_id.map(|c| c.as_uuid())),
    }
    .insert(conn)
    .await
    .map_err(|e| {
        StoreError::unique_conflict(
            e,
            if new.lot_id.is_some() {
                "the lot already has its contract"
            } else {
                "the tender already has its contract"
            },
        )
    })?;
    contract(model, today)
}

pub async fn find(
    conn: &impl ConnectionTrait,
    id: Uuid,
    today: NaiveDate,
) -> Result<Option<Contract>, StoreError> {
    crate::one_as(conn, contracts::Entity::find_by_id(id), |m| {
        contract(m, today)
    })
    .await
}

/// The tender's contracts: its one, or one per contracted lot of a divided tender, the
/// earliest entered first.
pub async fn of_tender(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    today: NaiveDate,
) -> Result<Vec<Contract>, StoreError> {
    crate::all_as(
        conn,
        contracts::Entity::find()
            .filter(contracts::Column::TenderId.eq(tender.as_uuid()))
            // A framework's call-offs are contracting processes of their own.
            .filter(contracts::Column::CallOffId.is_null())
            .order_by_asc(contracts::Column::CreatedAt)
            .order_by_asc(contracts::Column::Id),
        |m| contract(m, today),
    )
    .await
}

/// The contracts called off under a framework, the earliest entered first.
pub async fn of_framework(
    conn: &impl ConnectionTrait,
    framework: FrameworkId,
    today: NaiveDate,
) -> Result<Vec<Contract>, StoreError> {
    crate::all_as(
        conn,
        contracts::Entity::find()
            .filter(contracts::Column::FrameworkId.eq(framework.as_uuid()))
            .order_by_asc(contracts::Column::CreatedAt)
            .order_by_asc(contracts::Column::Id),
        |m| contract(m, today),
    )
    .await
}

/// Terminates the contract.
/// Records the contract's natural end, at `now`.
pub async fn end(
    conn: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    contracts::Entity::update_many()
        .col_expr(
            contracts::Column::Status,
            Expr::value(ContractStatus::Ended.as_str()),
        )
        .col_expr(contracts::Column::EndedAt, Expr::value(now))
        .filter(contracts::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn terminate(
    conn: &impl ConnectionTrait,
    id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    contracts::Entity::update_many()
        .col_expr(
            contracts::Column::Status,
            Expr::value(ContractStatus::Terminated.as_str()),
        )
        .col_expr(contracts::Column::TerminatedAt, Expr::value(now))
        .col_expr(contracts::Column::TerminationReason, Expr::value(reason))
        .filter(contracts::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

pub use domain::contract::ContractAudience;

/// Filters on a contract listing.
#[derive(Debug, Clone, Default)]
pub struct ContractFilter {
    pub supplier: Option<OrganisationId>,
    pub buyer: Option<OrganisationId>,
    pub category: Option<String>,
    pub region: Option<Region>,
    pub status: Option<ContractStatus>,
    /// Contracts whose term overlaps the period from `from` to `to` (either end open).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

fn push_status_in_force(sql: &mut Sql, today: NaiveDate) {
    sql.push("CASE WHEN c.status = 'active' AND c.end_date < ")
        .bind(today)
        .push(" THEN 'ended' ELSE c.status END");
}

fn push_listing(
    sql: &mut Sql,
    audience: ContractAudience,
    filter: &ContractFilter,
    today: NaiveDate,
) {
    sql.push(" FROM contracts c WHERE 1 = 1");
    match audience {
        ContractAudience::Buyer(org) => {
            sql.push(" AND c.buyer_id = ").bind(org.as_uuid());
        }
        // As `ContractAudience::admits`: the holder now, and the supplier it was awarded to.
        ContractAudience::Supplier(org) => {
            sql.push(" AND (c.supplier_id = ")
                .bind(org.as_uuid())
                .push(" OR c.awarded_supplier_id = ")
                .bind(org.as_uuid())
                .push(")");
        }
        ContractAudience::All => {}
    }
    if let Some(supplier) = filter.supplier {
        sql.push(" AND c.supplier_id = ").bind(supplier.as_uuid());
    }
    if let Some(buyer) = filter.buyer {
        sql.push(" AND c.buyer_id = ").bind(buyer.as_uuid());
    }
    if let Some(category) = &filter.category {
        sql.push(" AND c.category_code = ").bind(category.clone());
    }
    if let Some(region) = filter.region {
        sql.push(" AND c.region = ").bind(region.code());
    }
    if let Some(status) = filter.status {
        sql.push(" AND ");
        push_status_in_force(sql, today);
        sql.push(" = ").bind(status.as_str());
    }
    if let Some(from) = filter.from {
        sql.push(" AND c.end_date >= ").bind(from);
    }
    if let Some(to) = filter.to {
        sql.push(" AND c.start_date <= ").bind(to);
    }
}

/// The contracts `audience` may see that match `filter`, most recently awarded first.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    audience: ContractAudience,
    filter: &ContractFilter,
    today: NaiveDate,
    page: PageRequest,
) -> Result<Page<Contract>, StoreError> {
    let backend = conn.get_database_backend();
    let mut count = Sql::new(backend);
    count.push("SELECT COUNT(*) AS n");
    push_listing(&mut count, audience, filter, today);
    let total: i64 = conn
        .query_one_raw(count.statement())
        .await?
        .map(|row| row.try_get("", "n"))
        .transpose()?
        .unwrap_or(0);
    let mut rows = Sql::new(backend);
    rows.push("SELECT c.*");
    push_listing(&mut rows, audience, filter, today);
    rows.push(" ORDER BY c.awarded_at DESC, c.id LIMIT ")
        .bind(i64::try_from(page.per_page()).unwrap_or(100))
        .push(" OFFSET ")
        .bind(i64::try_from(page.offset()).unwrap_or(0));
    let items = conn
        .query_all_raw(rows.statement())
        .await?
        .iter()
        .map(|row: &QueryResult| {
            let model = contracts::Model::from_query_result(row, "")?;
            contract(model, today)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page {
        items,
        total: u64::try_from(total).unwrap_or(0),
        total_exact: true,
        page: page.page(),
        per_page: page.per_page(),
    })
}

/// A performance review as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReview {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub supplier_id: OrganisationId,
    pub buyer_id: OrganisationId,
    pub review: Review,
    pub reviewed_by: UserId,
    pub reviewed_at: DateTime<Utc>,
}

fn stored_review(model: performance_reviews::Model) -> Result<StoredReview, StoreError> {
    let mark = |value: i32| {
        u8::try_from(value).map_err(|_| StoreError::Corrupt(format!("review {}: mark", model.id)))
    };
    Ok(StoredReview {
        id: model.id,
        contract_id: model.contract_id,
        supplier_id: OrganisationId::from_uuid(model.supplier_id),
        buyer_id: OrganisationId::from_uuid(model.buyer_id),
        review: Review {
            period: model.period.clone(),
            marks: domain::contract::ReviewMarks {
                delivery: mark(model.delivery)?,
                quality: mark(model.quality)?,
                value_for_money: mark(model.value_for_money)?,
                responsiveness: mark(model.responsiveness)?,
            },
            comments: model.comments.clone(),
        },
        reviewed_by: UserId::from_uuid(model.reviewed_by),
        reviewed_at: model.reviewed_at,
    })
}

/// Records a review of `contract`; one per contract and period.
pub async fn insert_review<C: ConnectionTrait>(
    conn: &C,
    contract: &Contract,
    review: &Review,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<StoredReview, StoreError> {
    let model = performance_reviews::ActiveModel {
        id: Set(Uuid::new_v4()),
        contract_id: Set(contract.id),
        supplier_id: Set(contract.supplier_id.as_uuid()),
        buyer_id: Set(contract.terms.buyer_id.as_uuid()),
        period: Set(review.period.clone()),
        delivery: Set(i32::from(review.marks.delivery)),
        quality: Set(i32::from(review.marks.quality)),
        value_for_money: Set(i32::from(review.marks.value_for_money)),
        responsiveness: Set(i32::from(review.marks.responsiveness)),
        comments: Set(review.comments.clone()),
        reviewed_by: Set(by.as_uuid()),
        reviewed_at: Set(now),
    }
    .insert(conn)
    .await
    .map_err(|e| {
        StoreError::unique_as(
            e,
            "/period",
            "this contract already has a review for that period",
        )
    })?;
    stored_review(model)
}

/// The contract's reviews, latest first.
pub async fn reviews(
    conn: &impl ConnectionTrait,
    contract: Uuid,
) -> Result<Vec<StoredReview>, StoreError> {
    crate::all_as(
        conn,
        performance_reviews::Entity::find()
            .filter(performance_reviews::Column::ContractId.eq(contract))
            .order_by_desc(performance_reviews::Column::ReviewedAt)
            .order_by_asc(performance_reviews::Column::Id),
        stored_review,
    )
    .await
}

/// A supplier's rating: weighted sums per dimension and the total weight, from which the means
/// follow (see [`domain::contract::review_weight`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromQueryResult)]
pub struct RatingSums {
    pub reviews: i64,
    pub weight: i64,
    pub delivery: i64,
    pub quality: i64,
    pub value_for_money: i64,
    pub responsiveness: i64,
    pub last_reviewed_at: Option<DateTime<Utc>>,
}

/// `CASE … END`: a review's weight by its age at `now`, the domain's bands.
pub(crate) fn push_review_weight(sql: &mut Sql, now: DateTime<Utc>) {
    let (recent, older) = domain::contract::rating_thresholds(now);
    sql.push("CASE WHEN r.reviewed_at >= ")
        .bind(recent)
        .push(" THEN 3 WHEN r.reviewed_at >= ")
        .bind(older)
        .push(" THEN 2 ELSE 1 END");
}

/// The rating sums of each of `suppliers` that has reviews, computed in the database.
pub async fn ratings(
    conn: &impl ConnectionTrait,
    suppliers: &[OrganisationId],
    now: DateTime<Utc>,
) -> Result<HashMap<OrganisationId, RatingSums>, StoreError> {
    if suppliers.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push(
        "SELECT x.supplier_id, COUNT(*) AS reviews, SUM(x.w) AS weight, \
         SUM(x.w * x.delivery) AS delivery, SUM(x.w * x.quality) AS quality, \
         SUM(x.w * x.value_for_money) AS value_for_money, \
         SUM(x.w * x.responsiveness) AS responsiveness, MAX(x.reviewed_at) AS last_reviewed_at \
         FROM (SELECT r.supplier_id, r.delivery, r.quality, r.value_for_money, \
         r.responsiveness, r.reviewed_at, ",
    );
    push_review_weight(&mut sql, now);
    sql.push(" AS w FROM performance_reviews r WHERE r.supplier_id IN (");
    for (i, supplier) in suppliers.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(supplier.as_uuid());
    }
    sql.push(")) x GROUP BY x.supplier_id");
    let rows = conn.query_all_raw(sql.statement()).await?;
    rows.iter()
        .map(|row| {
            let supplier: Uuid = row.try_get("", "supplier_id")?;
            Ok((
                OrganisationId::from_uuid(supplier),
                RatingSums::from_query_result(row, "")?,
            ))
        })
        .collect()
}

/// `( … )`: the supplier of `supplier_column`'s overall rating (the weighted mean of the four
/// marks), or -1 with no reviews, for ordering search results.
pub(crate) fn push_overall_rating(sql: &mut Sql, supplier_column: &str, now: DateTime<Utc>) {
    sql.push(
        "COALESCE((SELECT SUM(x.w * (x.delivery + x.quality + x.value_for_money + \
         x.responsiveness)) * 1.0 / (4 * SUM(x.w)) FROM (SELECT r.delivery, r.quality, \
         r.value_for_money, r.responsiveness, ",
    );
    push_review_weight(sql, now);
    sql.push(" AS w FROM performance_reviews r WHERE r.supplier_id = ")
        .push(supplier_column)
        .push(") x), -1)");
}
