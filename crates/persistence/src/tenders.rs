//! Tenders: insert and edit drafts, move them through their lifecycle, lock one for a command,
//! keep their amendment history and clarification questions, and list what an actor may see
//! with the state in force by the database clock.

use crate::entities::tenders::{self, Column, Entity};
use crate::entities::{clarifications, tender_amendments, tender_criteria, tender_invitations};
use crate::{Sql, StoreError};
use chrono::{DateTime, Utc};
use domain::bid::BidStatus;
use domain::ids::{ClarificationId, CriterionId, OrganisationId, TenderId, UserId};
use domain::organisation::Region;
use domain::pagination::{Page, PageRequest};
use domain::tender::{CriterionKind, Procedure, TenderScope, TenderSpec, TenderStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QueryResult, Set, Statement,
};
use uuid::Uuid;

/// A criterion with the id bids and scores refer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub id: CriterionId,
    pub name: String,
    pub kind: CriterionKind,
    pub weight: i32,
}

/// A tender as stored. `status` is the stored state: read [`Tender::status_at`] for the state
/// in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tender {
    pub id: TenderId,
    pub buyer_id: OrganisationId,
    pub title: String,
    pub description: String,
    pub category: String,
    pub region: Region,
    pub estimated_value_pence: i64,
    pub budget_ceiling_pence: Option<i64>,
    pub contract_term_months: i32,
    pub procedure: Procedure,
    pub invited: Vec<OrganisationId>,
    pub criteria: Vec<Criterion>,
    pub clarification_deadline: DateTime<Utc>,
    pub submission_deadline: DateTime<Utc>,
    pub standstill_days: i32,
    pub status: TenderStatus,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancellation_reason: Option<String>,
    pub bids_opened_at: Option<DateTime<Utc>>,
    pub unsuccessful_reason: Option<String>,
}

impl Tender {
    /// What decides who may see the tender, with the state in force.
    pub fn scope(&self, status: TenderStatus) -> TenderScope {
        TenderScope {
            buyer: self.buyer_id,
            procedure: self.procedure,
            invited: self.invited.clone(),
            status,
        }
    }

    /// Only a published tender past its deadline can be in a different state than stored, and
    /// only then are its bids counted.
    fn closes_by_clock(&self, now: DateTime<Utc>) -> bool {
        self.status == TenderStatus::Published && now >= self.submission_deadline
    }

    /// The state in force at `now` (the database's clock): a published tender past its deadline
    /// is in evaluation if a bid is in, otherwise unsuccessful.
    pub async fn status_at<C: ConnectionTrait>(
        &self,
        conn: &C,
        now: DateTime<Utc>,
    ) -> Result<TenderStatus, StoreError> {
        let has_bid = self.closes_by_clock(now) && has_evaluable_bid(conn, self.id).await?;
        Ok(self.status.at(self.submission_deadline, now, has_bid))
    }

    /// Whether the tender's deadlines decide what may still be done: it is published, or it
    /// closed by the clock (a late action is then refused as past the deadline).
    pub fn deadlines_apply(&self) -> bool {
        self.status == TenderStatus::Published || self.closed_at.is_some()
    }

    /// The criteria as bids answer them: id and kind, in order.
    pub fn criteria_kinds(&self) -> Vec<(CriterionId, CriterionKind)> {
        self.criteria.iter().map(|c| (c.id, c.kind)).collect()
    }
}

fn corrupt(id: Uuid, what: &str) -> StoreError {
    StoreError::Corrupt(format!("tender {id}: {what}"))
}

fn to_domain(
    model: tenders::Model,
    criteria: Vec<Criterion>,
    invited: Vec<OrganisationId>,
) -> Result<Tender, StoreError> {
    let id = model.id;
    Ok(Tender {
        id: TenderId::from_uuid(id),
        buyer_id: OrganisationId::from_uuid(model.buyer_id),
        title: model.title,
        description: model.description,
        category: model.category_code,
        region: model.region.parse().map_err(|_| corrupt(id, "region"))?,
        estimated_value_pence: model.estimated_value_pence,
        budget_ceiling_pence: model.budget_ceiling_pence,
        contract_term_months: model.contract_term_months,
        procedure: model
            .procedure
            .parse()
            .map_err(|_| corrupt(id, "procedure"))?,
        invited,
        criteria,
        clarification_deadline: model.clarification_deadline,
        submission_deadline: model.submission_deadline,
        standstill_days: model.standstill_days,
        status: model.status.parse().map_err(|_| corrupt(id, "status"))?,
        version: model.version,
        created_at: model.created_at,
        updated_at: model.updated_at,
        published_at: model.published_at,
        closed_at: model.closed_at,
        cancelled_at: model.cancelled_at,
        cancellation_reason: model.cancellation_reason,
        bids_opened_at: model.bids_opened_at,
        unsuccessful_reason: model.unsuccessful_reason,
    })
}

/// Whether a bid that will be evaluated (submitted, or confirmed after an amendment) is in.
pub async fn has_evaluable_bid<C: ConnectionTrait>(
    conn: &C,
    tender: TenderId,
) -> Result<bool, StoreError> {
    use crate::entities::bids;
    Ok(bids::Entity::find()
        .filter(bids::Column::TenderId.eq(tender.as_uuid()))
        .filter(bids::Column::Status.eq(BidStatus::Submitted.as_str()))
        .one(conn)
        .await?
        .is_some())
}

async fn write_criteria<C: ConnectionTrait>(
    conn: &C,
    tender: TenderId,
    spec: &TenderSpec,
) -> Result<(), StoreError> {
    let criteria: Vec<tender_criteria::ActiveModel> = spec
        .criteria
        .iter()
        .enumerate()
        .map(|(position, c)| tender_criteria::ActiveModel {
            id: Set(CriterionId::new().as_uuid()),
            tender_id: Set(tender.as_uuid()),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            name: Set(c.name.clone()),
            kind: Set(c.kind.as_str().to_owned()),
            weight: Set(i32::from(c.weight.percent())),
        })
        .collect();
    tender_criteria::Entity::insert_many(criteria)
        .exec(conn)
        .await?;
    Ok(())
}

async fn write_invitations<C: ConnectionTrait>(
    conn: &C,
    tender: TenderId,
    spec: &TenderSpec,
) -> Result<(), StoreError> {
    if !spec.invited_supplier_ids.is_empty() {
        let invitations: Vec<tender_invitations::ActiveModel> = spec
            .invited_supplier_ids
            .iter()
            .map(|supplier| tender_invitations::ActiveModel {
                tender_id: Set(tender.as_uuid()),
                supplier_id: Set(supplier.as_uuid()),
            })
            .collect();
        tender_invitations::Entity::insert_many(invitations)
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Stores a new draft.
pub async fn insert<C: ConnectionTrait>(
    conn: &C,
    buyer: OrganisationId,
    spec: &TenderSpec,
    now: DateTime<Utc>,
) -> Result<Tender, StoreError> {
    let id = TenderId::new();
    tenders::ActiveModel {
        id: Set(id.as_uuid()),
        buyer_id: Set(buyer.as_uuid()),
        title: Set(spec.title.clone()),
        description: Set(spec.description.clone()),
        category_code: Set(spec.category.clone()),
        region: Set(spec.region.code().to_owned()),
        estimated_value_pence: Set(spec.estimated_value_pence),
        budget_ceiling_pence: Set(spec.budget_ceiling_pence),
        contract_term_months: Set(spec.contract_term_months),
        procedure: Set(spec.procedure.as_str().to_owned()),
        clarification_deadline: Set(spec.deadlines.clarification()),
        submission_deadline: Set(spec.deadlines.submission()),
        standstill_days: Set(i32::from(spec.standstill_days.days())),
        status: Set(TenderStatus::Draft.as_str().to_owned()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        published_at: Set(None),
        closed_at: Set(None),
        cancelled_at: Set(None),
        cancellation_reason: Set(None),
        bids_opened_at: Set(None),
        bids_opened_by: Set(None),
        unsuccessful_reason: Set(None),
    }
    .insert(conn)
    .await?;
    write_criteria(conn, id, spec).await?;
    write_invitations(conn, id, spec).await?;
    find(conn, id).await?.ok_or(StoreError::NotFound("tender"))
}

/// Replaces a draft's fields when its version is still `current`'s; `Ok(None)` when someone
/// changed it in between. The criteria keep their ids unless `new_criteria` (they are then
/// replaced and get new ids).
pub async fn replace_draft<C: ConnectionTrait>(
    conn: &C,
    current: &Tender,
    spec: &TenderSpec,
    new_criteria: bool,
    now: DateTime<Utc>,
) -> Result<Option<Tender>, StoreError> {
    let result = Entity::update_many()
        .col_expr(Column::Title, Expr::value(spec.title.clone()))
        .col_expr(Column::Description, Expr::value(spec.description.clone()))
        .col_expr(Column::CategoryCode, Expr::value(spec.category.clone()))
        .col_expr(Column::Region, Expr::value(spec.region.code()))
        .col_expr(
            Column::EstimatedValuePence,
            Expr::value(spec.estimated_value_pence),
        )
        .col_expr(
            Column::BudgetCeilingPence,
            Expr::value(spec.budget_ceiling_pence),
        )
        .col_expr(
            Column::ContractTermMonths,
            Expr::value(spec.contract_term_months),
        )
        .col_expr(Column::Procedure, Expr::value(spec.procedure.as_str()))
        .col_expr(
            Column::ClarificationDeadline,
            Expr::value(spec.deadlines.clarification()),
        )
        .col_expr(
            Column::SubmissionDeadline,
            Expr::value(spec.deadlines.submission()),
        )
        .col_expr(
            Column::StandstillDays,
            Expr::value(i32::from(spec.standstill_days.days())),
        )
        .col_expr(Column::Version, Expr::value(current.version + 1))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(current.id.as_uuid()))
        .filter(Column::Version.eq(current.version))
        .filter(Column::Status.eq(TenderStatus::Draft.as_str()))
        .exec(conn)
        .await?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    if new_criteria {
        tender_criteria::Entity::delete_many()
            .filter(tender_criteria::Column::TenderId.eq(current.id.as_uuid()))
            .exec(conn)
            .await?;
        write_criteria(conn, current.id, spec).await?;
    }
    tender_invitations::Entity::delete_many()
        .filter(tender_invitations::Column::TenderId.eq(current.id.as_uuid()))
        .exec(conn)
        .await?;
    write_invitations(conn, current.id, spec).await?;
    find(conn, current.id).await
}

pub async fn find<C: ConnectionTrait>(
    conn: &C,
    id: TenderId,
) -> Result<Option<Tender>, StoreError> {
    let Some(model) = Entity::find_by_id(id.as_uuid()).one(conn).await? else {
        return Ok(None);
    };
    let criteria = tender_criteria::Entity::find()
        .filter(tender_criteria::Column::TenderId.eq(id.as_uuid()))
        .order_by_asc(tender_criteria::Column::Position)
        .all(conn)
        .await?
        .into_iter()
        .map(|c| {
            Ok(Criterion {
                id: CriterionId::from_uuid(c.id),
                kind: c
                    .kind
                    .parse()
                    .map_err(|_| corrupt(c.tender_id, "criterion kind"))?,
                name: c.name,
                weight: c.weight,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let invited = tender_invitations::Entity::find()
        .filter(tender_invitations::Column::TenderId.eq(id.as_uuid()))
        .order_by_asc(tender_invitations::Column::SupplierId)
        .all(conn)
        .await?
        .into_iter()
        .map(|i| OrganisationId::from_uuid(i.supplier_id))
        .collect();
    to_domain(model, criteria, invited).map(Some)
}

/// Loads a tender for a command, holding its row until the command ends so that bids,
/// amendments and the close at the deadline are serialised: `SELECT … FOR UPDATE` on
/// PostgreSQL; on SQLite the command's `IMMEDIATE` transaction already holds the write lock.
pub async fn find_for_update<C: ConnectionTrait>(
    conn: &C,
    id: TenderId,
) -> Result<Option<Tender>, StoreError> {
    if conn.get_database_backend() == DbBackend::Postgres {
        let locked = conn
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT id FROM tenders WHERE id = $1 FOR UPDATE",
                [id.as_uuid().into()],
            ))
            .await?;
        if locked.is_none() {
            return Ok(None);
        }
    }
    find(conn, id).await
}

/// What else changes with a new state.
#[derive(Debug, Clone, Default)]
pub struct Transition {
    pub cancellation_reason: Option<String>,
    /// Why the lead declared the tender unsuccessful.
    pub unsuccessful_reason: Option<String>,
}

/// Moves the tender to `status` (already checked by the domain), stamping the matching time.
pub async fn set_status<C: ConnectionTrait>(
    conn: &C,
    tender: &Tender,
    status: TenderStatus,
    transition: Transition,
    now: DateTime<Utc>,
) -> Result<Tender, StoreError> {
    let mut update = Entity::update_many()
        .col_expr(Column::Status, Expr::value(status.as_str()))
        .col_expr(Column::Version, Expr::value(tender.version + 1))
        .col_expr(Column::UpdatedAt, Expr::value(now));
    match status {
        TenderStatus::Published => {
            update = update.col_expr(Column::PublishedAt, Expr::value(now));
        }
        TenderStatus::Evaluation | TenderStatus::Unsuccessful
            if tender.status == TenderStatus::Published =>
        {
            // Closed by the clock: the close happened at the deadline, whenever it is recorded.
            update = update.col_expr(Column::ClosedAt, Expr::value(tender.submission_deadline));
        }
        TenderStatus::Unsuccessful => {
            update = update.col_expr(
                Column::UnsuccessfulReason,
                Expr::value(transition.unsuccessful_reason),
            );
        }
        TenderStatus::Cancelled => {
            update = update
                .col_expr(Column::CancelledAt, Expr::value(now))
                .col_expr(
                    Column::CancellationReason,
                    Expr::value(transition.cancellation_reason),
                );
        }
        _ => {}
    }
    update
        .filter(Column::Id.eq(tender.id.as_uuid()))
        .exec(conn)
        .await?;
    find(conn, tender.id)
        .await?
        .ok_or(StoreError::NotFound("tender"))
}

/// Records the first read of the bids by the buyer after the deadline; `false` when they were
/// already opened.
pub async fn mark_bids_opened<C: ConnectionTrait>(
    conn: &C,
    tender: TenderId,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let result = Entity::update_many()
        .col_expr(Column::BidsOpenedAt, Expr::value(now))
        .col_expr(Column::BidsOpenedBy, Expr::value(by.as_uuid()))
        .filter(Column::Id.eq(tender.as_uuid()))
        .filter(Column::BidsOpenedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// One amendment, as kept in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentRecord {
    pub number: i32,
    pub note: String,
    pub description_before: Option<String>,
    pub description_after: Option<String>,
    pub clarification_deadline_before: DateTime<Utc>,
    pub clarification_deadline_after: DateTime<Utc>,
    pub submission_deadline_before: DateTime<Utc>,
    pub submission_deadline_after: DateTime<Utc>,
    pub bids_reopened: i32,
    pub amended_by: UserId,
    pub amended_at: DateTime<Utc>,
}

/// Applies an amendment to a published tender and adds it to the history.
pub async fn amend<C: ConnectionTrait>(
    conn: &C,
    tender: &Tender,
    record: &AmendmentRecord,
) -> Result<Tender, StoreError> {
    let mut update = Entity::update_many()
        .col_expr(
            Column::ClarificationDeadline,
            Expr::value(record.clarification_deadline_after),
        )
        .col_expr(
            Column::SubmissionDeadline,
            Expr::value(record.submission_deadline_after),
        )
        .col_expr(Column::Version, Expr::value(tender.version + 1))
        .col_expr(Column::UpdatedAt, Expr::value(record.amended_at));
    if let Some(description) = &record.description_after {
        update = update.col_expr(Column::Description, Expr::value(description.clone()));
    }
    update
        .filter(Column::Id.eq(tender.id.as_uuid()))
        .exec(conn)
        .await?;
    tender_amendments::ActiveModel {
        id: Set(Uuid::new_v4()),
        tender_id: Set(tender.id.as_uuid()),
        number: Set(record.number),
        note: Set(record.note.clone()),
        description_before: Set(record.description_before.clone()),
        description_after: Set(record.description_after.clone()),
        clarification_deadline_before: Set(record.clarification_deadline_before),
        clarification_deadline_after: Set(record.clarification_deadline_after),
        submission_deadline_before: Set(record.submission_deadline_before),
        submission_deadline_after: Set(record.submission_deadline_after),
        bids_reopened: Set(record.bids_reopened),
        amended_by: Set(record.amended_by.as_uuid()),
        amended_at: Set(record.amended_at),
    }
    .insert(conn)
    .await?;
    find(conn, tender.id)
        .await?
        .ok_or(StoreError::NotFound("tender"))
}

/// The amendment history, oldest first.
pub async fn amendments<C: ConnectionTrait>(
    conn: &C,
    tender: TenderId,
) -> Result<Vec<AmendmentRecord>, StoreError> {
    Ok(tender_amendments::Entity::find()
        .filter(tender_amendments::Column::TenderId.eq(tender.as_uuid()))
        .order_by_asc(tender_amendments::Column::Number)
        .all(conn)
        .await?
        .into_iter()
        .map(|a| AmendmentRecord {
            number: a.number,
            note: a.note,
            description_before: a.description_before,
            description_after: a.description_after,
            clarification_deadline_before: a.clarification_deadline_before,
            clarification_deadline_after: a.clarification_deadline_after,
            submission_deadline_before: a.submission_deadline_before,
            submission_deadline_after: a.submission_deadline_after,
            bids_reopened: a.bids_reopened,
            amended_by: UserId::from_uuid(a.amended_by),
            amended_at: a.amended_at,
        })
        .collect())
}

/// Who a tender list is for: the domain's rule, turned into SQL by `push_listing_query`.
pub use domain::tender::TenderAudience;

/// A tender list's filters.
#[derive(Debug, Clone, Default)]
pub struct TenderFilter {
    /// The state in force, by the database clock.
    pub status: Option<TenderStatus>,
    pub category: Option<String>,
    pub region: Option<Region>,
    pub buyer: Option<OrganisationId>,
    /// Leave drafts out (a buyer's own list includes them otherwise).
    pub published_only: bool,
}

/// One line of a tender list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenderListing {
    pub id: TenderId,
    pub buyer_id: OrganisationId,
    pub buyer_name: String,
    pub title: String,
    pub category: String,
    pub region: Region,
    pub procedure: Procedure,
    pub estimated_value_pence: i64,
    pub clarification_deadline: DateTime<Utc>,
    pub submission_deadline: DateTime<Utc>,
    pub status: TenderStatus,
    pub published_at: Option<DateTime<Utc>>,
}

/// `t.*`'s state in force at the bound instant: the database's own rule for the clock-driven
/// close, the same as [`TenderStatus::at`].
fn push_status_in_force(sql: &mut Sql, now: DateTime<Utc>) {
    sql.push("CASE WHEN t.status = 'published' AND t.submission_deadline <= ")
        .bind(now)
        .push(
            " THEN CASE WHEN EXISTS (SELECT 1 FROM bids b WHERE b.tender_id = t.id \
             AND b.status = 'submitted') THEN 'evaluation' ELSE 'unsuccessful' END \
             ELSE t.status END",
        );
}

fn push_listing_query(
    sql: &mut Sql,
    audience: TenderAudience,
    filter: &TenderFilter,
    now: DateTime<Utc>,
) {
    sql.push(
        "SELECT t.id, t.buyer_id, org.name AS buyer_name, t.title, t.category_code, t.region, \
         t.procedure, t.estimated_value_pence, t.clarification_deadline, t.submission_deadline, \
         t.published_at, ",
    );
    push_status_in_force(sql, now);
    sql.push(
        " AS status_in_force FROM tenders t JOIN organisations org ON org.id = t.buyer_id WHERE ",
    );
    match audience {
        TenderAudience::Buyer(org) => {
            sql.push("(t.buyer_id = ")
                .bind(org.as_uuid())
                .push(" OR (t.status <> 'draft' AND t.procedure = 'open'))");
        }
        TenderAudience::Supplier(org) => {
            sql.push(
                "t.status <> 'draft' AND (t.procedure = 'open' OR EXISTS (SELECT 1 FROM \
                 tender_invitations i WHERE i.tender_id = t.id AND i.supplier_id = ",
            )
            .bind(org.as_uuid())
            .push("))");
        }
        TenderAudience::Oversight => {
            sql.push("t.status <> 'draft'");
        }
    }
    if let Some(category) = &filter.category {
        sql.push(" AND t.category_code = ").bind(category.clone());
    }
    if let Some(region) = filter.region {
        sql.push(" AND t.region = ").bind(region.code());
    }
    if let Some(buyer) = filter.buyer {
        sql.push(" AND t.buyer_id = ").bind(buyer.as_uuid());
    }
    if filter.published_only {
        sql.push(" AND t.status <> 'draft'");
    }
}

fn listing(row: &QueryResult) -> Result<TenderListing, StoreError> {
    let id: Uuid = row.try_get("", "id")?;
    let region: String = row.try_get("", "region")?;
    let procedure: String = row.try_get("", "procedure")?;
    let status: String = row.try_get("", "status_in_force")?;
    Ok(TenderListing {
        id: TenderId::from_uuid(id),
        buyer_id: OrganisationId::from_uuid(row.try_get("", "buyer_id")?),
        buyer_name: row.try_get("", "buyer_name")?,
        title: row.try_get("", "title")?,
        category: row.try_get("", "category_code")?,
        region: region.parse().map_err(|_| corrupt(id, "region"))?,
        procedure: procedure.parse().map_err(|_| corrupt(id, "procedure"))?,
        estimated_value_pence: row.try_get("", "estimated_value_pence")?,
        clarification_deadline: row.try_get("", "clarification_deadline")?,
        submission_deadline: row.try_get("", "submission_deadline")?,
        status: status.parse().map_err(|_| corrupt(id, "status"))?,
        published_at: row.try_get("", "published_at")?,
    })
}

/// The tenders `audience` may see that match `filter`, soonest deadline first, with the state in
/// force at `now` (filtering on it too).
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    audience: TenderAudience,
    filter: &TenderFilter,
    now: DateTime<Utc>,
    page: PageRequest,
) -> Result<Page<TenderListing>, StoreError> {
    let backend = conn.get_database_backend();
    let statement = |count: bool| {
        let mut sql = Sql::new(backend);
        sql.push(if count {
            "SELECT COUNT(*) AS n FROM ("
        } else {
            "SELECT * FROM ("
        });
        push_listing_query(&mut sql, audience, filter, now);
        sql.push(") AS visible");
        if let Some(status) = filter.status {
            sql.push(" WHERE status_in_force = ").bind(status.as_str());
        }
        if !count {
            sql.push(" ORDER BY submission_deadline ASC, id ASC LIMIT ")
                .bind(i64::try_from(page.per_page()).unwrap_or(100))
                .push(" OFFSET ")
                .bind(i64::try_from(page.offset()).unwrap_or(0));
        }
        sql.statement()
    };
    let total: i64 = conn
        .query_one_raw(statement(true))
        .await?
        .map(|row| row.try_get("", "n"))
        .transpose()?
        .unwrap_or(0);
    let items = conn
        .query_all_raw(statement(false))
        .await?
        .iter()
        .map(listing)
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        total: u64::try_from(total).unwrap_or(0),
        total_exact: true,
        page: page.page(),
        per_page: page.per_page(),
    })
}

/// A clarification question and, once given, its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clarification {
    pub id: ClarificationId,
    pub tender_id: TenderId,
    pub asked_by_organisation_id: OrganisationId,
    pub question: String,
    pub asked_at: DateTime<Utc>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

fn to_clarification(model: clarifications::Model) -> Clarification {
    Clarification {
        id: ClarificationId::from_uuid(model.id),
        tender_id: TenderId::from_uuid(model.tender_id),
        asked_by_organisation_id: OrganisationId::from_uuid(model.asked_by_organisation_id),
        question: model.question,
        asked_at: model.asked_at,
        answer: model.answer,
        answered_at: model.answered_at,
    }
}

pub async fn insert_clarification<C: ConnectionTrait>(
    conn: &C,
    tender: TenderId,
    organisation: OrganisationId,
    user: UserId,
    question: &str,
    now: DateTime<Utc>,
) -> Result<Clarification, StoreError> {
    let model = clarifications::ActiveModel {
        id: Set(ClarificationId::new().as_uuid()),
        tender_id: Set(tender.as_uuid()),
        asked_by_organisation_id: Set(organisation.as_uuid()),
        asked_by_user_id: Set(user.as_uuid()),
        question: Set(question.to_owned()),
        asked_at: Set(now),
        answer: Set(None),
        answered_by: Set(None),
        answered_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(to_clarification(model))
}

pub async fn find_clarification<C: ConnectionTrait>(
    conn: &C,
    tender: TenderId,
    id: ClarificationId,
) -> Result<Option<Clarification>, StoreError> {
    Ok(clarifications::Entity::find_by_id(id.as_uuid())
        .filter(clarifications::Column::TenderId.eq(tender.as_uuid()))
        .one(conn)
        .await?
        .map(to_clarification))
}

/// Records the answer unless one was given meanwhile; `Ok(None)` then.
pub async fn answer_clarification<C: ConnectionTrait>(
    conn: &C,
    clarification: &Clarification,
    answer: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Option<Clarification>, StoreError> {
    let result = clarifications::Entity::update_many()
        .col_expr(
            clarifications::Column::Answer,
            Expr::value(answer.to_owned()),
        )
        .col_expr(
            clarifications::Column::AnsweredBy,
            Expr::value(by.as_uuid()),
        )
        .col_expr(clarifications::Column::AnsweredAt, Expr::value(now))
        .filter(clarifications::Column::Id.eq(clarification.id.as_uuid()))
        .filter(clarifications::Column::Answer.is_null())
        .exec(conn)
        .await?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    find_clarification(conn, clarification.tender_id, clarification.id).await
}

/// Every question on a tender, oldest first; the caller shows each as the actor may see it.
pub async fn clarifications<C: ConnectionTrait>(
    conn: &C,
    tender: TenderId,
) -> Result<Vec<Clarification>, StoreError> {
    Ok(clarifications::Entity::find()
        .filter(clarifications::Column::TenderId.eq(tender.as_uuid()))
        .order_by_asc(clarifications::Column::AskedAt)
        .order_by_asc(clarifications::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(to_clarification)
        .collect())
}

/// Organisations that asked a question on the tender.
pub async fn askers<C: ConnectionTrait>(
    conn: &C,
    tender: TenderId,
) -> Result<Vec<OrganisationId>, StoreError> {
    let mut askers: Vec<OrganisationId> = clarifications::Entity::find()
        .filter(clarifications::Column::TenderId.eq(tender.as_uuid()))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| OrganisationId::from_uuid(c.asked_by_organisation_id))
        .collect();
    askers.sort();
    askers.dedup();
    Ok(askers)
}
