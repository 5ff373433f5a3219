//! Tenders: insert and edit drafts, move them through their lifecycle, lock one for a command,
//! keep their amendment history and clarification questions, and list what an actor may see
//! with the state in force by the database clock.

use crate::entities::tenders::{self, Column, Entity};
use crate::entities::{tender_amendments, tender_criteria, tender_invitations};
use crate::{Sql, StoreError};
use chrono::{DateTime, Utc};
use domain::bid::BidStatus;
use domain::ids::{ClarificationId, CriterionId, NoticeId, OrganisationId, TenderId, UserId};
use domain::organisation::Region;
use domain::pagination::{Page, PageRequest};
use domain::tender::{
    CriterionKind, DirectAwardTerms, Procedure, TenderScope, TenderSpec, TenderStatus,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QueryResult, Set, Statement,
};
use uuid::Uuid;

mod listing;
mod lots;
mod questions;

pub use listing::*;
pub use lots::*;
pub use questions::*;

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
    /// Whether it is a public contract above threshold: as of its last save while a draft,
    /// then fixed when it is published.
    pub above_threshold: bool,
    /// The urgency the buyer states to shorten the minimum periods (s.54).
    pub urgency_reason: Option<String>,
    /// The planned procurement notice (UK3) it relies on to shorten its tendering period.
    pub planned_procurement_notice_id: Option<NoticeId>,
    /// Competitive flexible: when requests to participate close.
    pub expression_of_interest_deadline: Option<DateTime<Utc>>,
    /// Competitive flexible: what a supplier must show to be admitted.
    pub conditions_of_participation: Option<String>,
    /// Competitive flexible: when the lead decided the shortlist (the admitted suppliers are
    /// then the tender's invitations).
    pub shortlisted_at: Option<DateTime<Utc>>,
    /// Direct award: its Schedule 5 ground, justification and supplier.
    pub direct_award: Option<DirectAwardTerms>,
    /// Direct award: the transparency standstill's last working day and end (s.44), once the
    /// transparency notice is published.
    pub transparency_standstill_last_day: Option<chrono::NaiveDate>,
    pub transparency_standstill_ends_at: Option<DateTime<Utc>>,
    /// Its lots, in order (none when it is not divided), the most lots one supplier may win,
    /// and why it is not divided (s.18).
    pub lots: Vec<Lot>,
    pub max_lots_per_supplier: Option<i32>,
    pub no_lots_rationale: Option<String>,
    /// A framework's terms, when it procures a framework instead of a contract (s.45).
    pub framework: Option<domain::framework::FrameworkTerms>,
    /// The framework it is a competitive selection call-off under.
    pub call_off_of: Option<domain::ids::FrameworkId>,
}

impl Tender {
    /// The criteria that evaluators mark (every one but price), in their order.
    pub fn quality_criteria(&self) -> impl Iterator<Item = &Criterion> {
        self.criteria
            .iter()
            .filter(|c| c.kind == CriterionKind::Quality)
    }

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
    pub async fn status_at(
        &self,
        conn: &impl ConnectionTrait,
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
    lots: Vec<Lot>,
    framework: Option<domain::framework::FrameworkTerms>,
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
        above_threshold: model.above_threshold,
        urgency_reason: model.urgency_reason,
        planned_procurement_notice_id: model.planned_procurement_notice_id.map(NoticeId::from_uuid),
        expression_of_interest_deadline: model.expression_of_interest_deadline,
        conditions_of_participation: model.conditions_of_participation,
        shortlisted_at: model.shortlisted_at,
        direct_award: match (
            model.direct_award_ground,
            model.direct_award_justification,
            model.direct_award_supplier_id,
        ) {
            (Some(ground), Some(justification), Some(supplier)) => Some(DirectAwardTerms {
                ground: ground
                    .parse()
                    .map_err(|_| corrupt(id, "direct award ground"))?,
                justification,
                supplier_id: OrganisationId::from_uuid(supplier),
            }),
            _ => None,
        },
        transparency_standstill_last_day: model.transparency_standstill_last_day,
        transparency_standstill_ends_at: model.transparency_standstill_ends_at,
        lots,
        max_lots_per_supplier: model.max_lots_per_supplier,
        no_lots_rationale: model.no_lots_rationale,
        framework,
        call_off_of: model.framework_id.map(domain::ids::FrameworkId::from_uuid),
    })
}

/// Whether a bid that will be evaluated (submitted, or confirmed after an amendment) is in.
pub async fn has_evaluable_bid(
    conn: &impl ConnectionTrait,
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

async fn write_criteria(
    conn: &impl ConnectionTrait,
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

async fn write_invitations(
    conn: &impl ConnectionTrait,
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

/// Publishes a direct award: its transparency standstill starts now (the notice's day), and
/// its deadlines are the moment it was published (it takes no bids).
pub async fn start_transparency_standstill(
    conn: &impl ConnectionTrait,
    tender: &Tender,
    last_day: Option<chrono::NaiveDate>,
    ends_at: DateTime<Utc>,
    above_threshold: bool,
    now: DateTime<Utc>,
) -> Result<Tender, StoreError> {
    let update = changing(tender, now)
        .col_expr(
            Column::Status,
            Expr::value(TenderStatus::Standstill.as_str()),
        )
        .col_expr(Column::AboveThreshold, Expr::value(above_threshold))
        .col_expr(Column::PublishedAt, Expr::value(now))
        .col_expr(Column::ClarificationDeadline, Expr::value(now))
        .col_expr(Column::SubmissionDeadline, Expr::value(now))
        .col_expr(Column::TransparencyStandstillLastDay, Expr::value(last_day))
        .col_expr(Column::TransparencyStandstillEndsAt, Expr::value(ends_at));
    apply(conn, tender.id, update).await
}

/// An update of `tender` that moves its version on, stamped `now`.
fn changing(tender: &Tender, now: DateTime<Utc>) -> sea_orm::UpdateMany<Entity> {
    Entity::update_many()
        .col_expr(Column::Version, Expr::value(tender.version + 1))
        .col_expr(Column::UpdatedAt, Expr::value(now))
}

/// Applies `update` to tender `id` and reads the tender back.
async fn apply(
    conn: &impl ConnectionTrait,
    id: TenderId,
    update: sea_orm::UpdateMany<Entity>,
) -> Result<Tender, StoreError> {
    update
        .filter(Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    find(conn, id).await?.ok_or(StoreError::NotFound("tender"))
}

/// Stores a new draft.
pub async fn insert(
    conn: &impl ConnectionTrait,
    buyer: OrganisationId,
    spec: &TenderSpec,
    above_threshold: bool,
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
        // A direct award takes no bids: its deadlines are the moment it was drafted (and then
        // published), never a period open for bids.
        clarification_deadline: Set(spec.deadlines.map_or(now, |d| d.clarification())),
        submission_deadline: Set(spec.deadlines.map_or(now, |d| d.submission())),
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
        above_threshold: Set(above_threshold),
        urgency_reason: Set(spec.urgency_reason.clone()),
        planned_procurement_notice_id: Set(spec.planned_procurement_notice_id.map(|n| n.as_uuid())),
        expression_of_interest_deadline: Set(spec
            .participation
            .as_ref()
            .map(|p| p.expression_of_interest_deadline)),
        conditions_of_participation: Set(spec.participation.as_ref().map(|p| p.conditions.clone())),
        shortlisted_at: Set(None),
        direct_award_ground: Set(spec
            .direct_award
            .as_ref()
            .map(|d| d.ground.as_str().to_owned())),
        direct_award_justification: Set(spec
            .direct_award
            .as_ref()
            .map(|d| d.justification.clone())),
        direct_award_supplier_id: Set(spec.direct_award.as_ref().map(|d| d.supplier_id.as_uuid())),
        transparency_standstill_last_day: Set(None),
        transparency_standstill_ends_at: Set(None),
        max_lots_per_supplier: Set(spec.division.max_lots_per_supplier.map(i32::from)),
        no_lots_rationale: Set(spec.division.no_lots_rationale.clone()),
        framework_id: Set(spec.call_off_of.map(|f| f.as_uuid())),
    }
    .insert(conn)
    .await?;
    write_criteria(conn, id, spec).await?;
    write_invitations(conn, id, spec).await?;
    write_lots(conn, id, spec).await?;
    crate::frameworks::write_terms(conn, id, spec.framework.as_ref()).await?;
    find(conn, id).await?.ok_or(StoreError::NotFound("tender"))
}

/// Replaces a draft's fields when its version is still `current`'s; `Ok(None)` when someone
/// changed it in between. The criteria keep their ids unless `new_criteria` (they are then
/// replaced and get new ids).
pub async fn replace_draft(
    conn: &impl ConnectionTrait,
    current: &Tender,
    spec: &TenderSpec,
    above_threshold: bool,
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
            Expr::value(spec.deadlines.map_or(now, |d| d.clarification())),
        )
        .col_expr(
            Column::SubmissionDeadline,
            Expr::value(spec.deadlines.map_or(now, |d| d.submission())),
        )
        .col_expr(
            Column::StandstillDays,
            Expr::value(i32::from(spec.standstill_days.days())),
        )
        .col_expr(
            Column::UrgencyReason,
            Expr::value(spec.urgency_reason.clone()),
        )
        .col_expr(
            Column::PlannedProcurementNoticeId,
            Expr::value(spec.planned_procurement_notice_id.map(|n| n.as_uuid())),
        )
        .col_expr(
            Column::ExpressionOfInterestDeadline,
            Expr::value(
                spec.participation
                    .as_ref()
                    .map(|p| p.expression_of_interest_deadline),
            ),
        )
        .col_expr(
            Column::DirectAwardGround,
            Expr::value(spec.direct_award.as_ref().map(|d| d.ground.as_str())),
        )
        .col_expr(
            Column::DirectAwardJustification,
            Expr::value(spec.direct_award.as_ref().map(|d| d.justification.clone())),
        )
        .col_expr(
            Column::DirectAwardSupplierId,
            Expr::value(spec.direct_award.as_ref().map(|d| d.supplier_id.as_uuid())),
        )
        .col_expr(
            Column::ConditionsOfParticipation,
            Expr::value(spec.participation.as_ref().map(|p| p.conditions.clone())),
        )
        .col_expr(
            Column::MaxLotsPerSupplier,
            Expr::value(spec.division.max_lots_per_supplier.map(i32::from)),
        )
        .col_expr(
            Column::NoLotsRationale,
            Expr::value(spec.division.no_lots_rationale.clone()),
        )
        .col_expr(Column::AboveThreshold, Expr::value(above_threshold))
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
    // A draft has no bids yet: its lots are written afresh.
    delete_lots(conn, current.id).await?;
    write_lots(conn, current.id, spec).await?;
    crate::frameworks::write_terms(conn, current.id, spec.framework.as_ref()).await?;
    find(conn, current.id).await
}

pub async fn find(conn: &impl ConnectionTrait, id: TenderId) -> Result<Option<Tender>, StoreError> {
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
    let lots = read_lots(conn, id).await?;
    let framework = crate::frameworks::read_terms(conn, id).await?;
    to_domain(model, criteria, invited, lots, framework).map(Some)
}

/// The published tenders whose submission deadline is at or before `now`, the earliest first:
/// those the clock has closed but no command has settled yet.
pub async fn published_past_deadline(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Vec<TenderId>, StoreError> {
    Ok(Entity::find()
        .filter(Column::Status.eq(TenderStatus::Published.as_str()))
        .filter(Column::SubmissionDeadline.lte(now))
        .order_by_asc(Column::SubmissionDeadline)
        .all(conn)
        .await?
        .into_iter()
        .map(|t| TenderId::from_uuid(t.id))
        .collect())
}

/// The tenders still published after their submission deadline at `now` (the background
/// sweep's queue): how many, and the earliest deadline among them.
pub async fn settlement_backlog(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<(u64, Option<DateTime<Utc>>), StoreError> {
    let query = Entity::find()
        .filter(Column::Status.eq(TenderStatus::Published.as_str()))
        .filter(Column::SubmissionDeadline.lte(now));
    let count = sea_orm::PaginatorTrait::count(query.clone(), conn).await?;
    let oldest = query
        .order_by_asc(Column::SubmissionDeadline)
        .one(conn)
        .await?
        .map(|t| t.submission_deadline);
    Ok((count, oldest))
}

/// Loads a tender for a command, holding its row until the command ends so that bids,
/// amendments and the close at the deadline are serialised: `SELECT … FOR UPDATE` on
/// PostgreSQL; on SQLite the command's `IMMEDIATE` transaction already holds the write lock.
pub async fn find_for_update(
    conn: &impl ConnectionTrait,
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
    /// At publication: whether the tender is above threshold, fixed from then on.
    pub above_threshold: bool,
}

/// Moves the tender to `status` (already checked by the domain), stamping the matching time.
pub async fn set_status(
    conn: &impl ConnectionTrait,
    tender: &Tender,
    status: TenderStatus,
    transition: Transition,
    now: DateTime<Utc>,
) -> Result<Tender, StoreError> {
    let mut update = changing(tender, now).col_expr(Column::Status, Expr::value(status.as_str()));
    match status {
        TenderStatus::Published => {
            update = update
                .col_expr(Column::PublishedAt, Expr::value(now))
                .col_expr(
                    Column::AboveThreshold,
                    Expr::value(transition.above_threshold),
                );
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
    apply(conn, tender.id, update).await
}

/// Records the first read of the bids by the buyer after the deadline; `false` when they were
/// already opened.
pub async fn mark_bids_opened(
    conn: &impl ConnectionTrait,
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
pub async fn amend(
    conn: &impl ConnectionTrait,
    tender: &Tender,
    record: &AmendmentRecord,
) -> Result<Tender, StoreError> {
    let mut update = changing(tender, record.amended_at)
        .col_expr(
            Column::ClarificationDeadline,
            Expr::value(record.clarification_deadline_after),
        )
        .col_expr(
            Column::SubmissionDeadline,
            Expr::value(record.submission_deadline_after),
        );
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
pub async fn amendments(
    conn: &impl ConnectionTrait,
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
