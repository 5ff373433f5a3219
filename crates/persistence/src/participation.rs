//! Requests to participate in a competitive flexible procedure: one per supplier per tender,
//! revised in place until the expression-of-interest deadline; the shortlist decision is written
//! on each request once, and the admitted suppliers become the tender's invitations.

use crate::StoreError;
use crate::entities::participation_requests::{self, Column, Entity};
use crate::entities::tender_invitations;
use crate::entities::tenders;
use chrono::{DateTime, Utc};
use domain::ids::{OrganisationId, TenderId, UserId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

/// A supplier's request, and the lead's decision on it once the shortlist is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipationRequest {
    pub id: Uuid,
    pub tender_id: TenderId,
    pub supplier_id: OrganisationId,
    pub statement: String,
    /// 1 for the first request, one more for each revision.
    pub version: i32,
    pub submitted_by: UserId,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub admitted: Option<bool>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

fn to_domain(m: participation_requests::Model) -> Result<ParticipationRequest, StoreError> {
    Ok(ParticipationRequest {
        id: m.id,
        tender_id: TenderId::from_uuid(m.tender_id),
        supplier_id: OrganisationId::from_uuid(m.supplier_id),
        statement: m.statement,
        version: m.version,
        submitted_by: UserId::from_uuid(m.submitted_by),
        submitted_at: m.submitted_at,
        updated_at: m.updated_at,
        admitted: m.admitted,
        decision_reason: m.decision_reason,
        decided_at: m.decided_at,
    })
}

/// The supplier's request on the tender, if it made one.
pub async fn of_supplier(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    supplier: OrganisationId,
) -> Result<Option<ParticipationRequest>, StoreError> {
    crate::one_as(
        conn,
        Entity::find()
            .filter(Column::TenderId.eq(tender.as_uuid()))
            .filter(Column::SupplierId.eq(supplier.as_uuid())),
        to_domain,
    )
    .await
}

/// Every request on the tender, the first made first.
pub async fn of_tender(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<Vec<ParticipationRequest>, StoreError> {
    crate::all_as(
        conn,
        Entity::find()
            .filter(Column::TenderId.eq(tender.as_uuid()))
            .order_by_asc(Column::SubmittedAt)
            .order_by_asc(Column::Id),
        to_domain,
    )
    .await
}

/// Makes the supplier's request, or revises the one it made (its version goes up).
pub async fn submit(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    supplier: OrganisationId,
    statement: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<ParticipationRequest, StoreError> {
    match of_supplier(conn, tender, supplier).await? {
        Some(existing) => {
            Entity::update_many()
                .col_expr(Column::Statement, Expr::value(statement))
                .col_expr(Column::Version, Expr::value(existing.version + 1))
                .col_expr(Column::SubmittedBy, Expr::value(by.as_uuid()))
                .col_expr(Column::UpdatedAt, Expr::value(now))
                .filter(Column::Id.eq(existing.id))
                .exec(conn)
                .await?;
        }
        None => {
            participation_requests::ActiveModel {
                id: Set(Uuid::new_v4()),
                tender_id: Set(tender.as_uuid()),
                supplier_id: Set(supplier.as_uuid()),
                statement: Set(statement.to_owned()),
                version: Set(1),
                submitted_by: Set(by.as_uuid()),
                submitted_at: Set(now),
                updated_at: Set(now),
                admitted: Set(None),
                decision_reason: Set(None),
                decided_at: Set(None),
            }
            .insert(conn)
            .await
            .map_err(|e| {
                StoreError::unique_conflict(e, "your organisation's request was made meanwhile")
            })?;
        }
    }
    of_supplier(conn, tender, supplier)
        .await?
        .ok_or(StoreError::NotFound("participation request"))
}

/// One decision of a shortlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub supplier_id: OrganisationId,
    pub admitted: bool,
    pub reason: String,
}

/// Writes the shortlist: each request's decision, the admitted suppliers as the tender's
/// invitations, the instant it was made and the (possibly new) deadlines.
pub async fn shortlist(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    decisions: &[Decision],
    clarification_deadline: DateTime<Utc>,
    submission_deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for d in decisions {
        Entity::update_many()
            .col_expr(Column::Admitted, Expr::value(d.admitted))
            .col_expr(Column::DecisionReason, Expr::value(d.reason.clone()))
            .col_expr(Column::DecidedAt, Expr::value(now))
            .filter(Column::TenderId.eq(tender.as_uuid()))
            .filter(Column::SupplierId.eq(d.supplier_id.as_uuid()))
            .exec(conn)
            .await?;
    }
    let admitted: Vec<tender_invitations::ActiveModel> = decisions
        .iter()
        .filter(|d| d.admitted)
        .map(|d| tender_invitations::ActiveModel {
            tender_id: Set(tender.as_uuid()),
            supplier_id: Set(d.supplier_id.as_uuid()),
        })
        .collect();
    if !admitted.is_empty() {
        tender_invitations::Entity::insert_many(admitted)
            .exec(conn)
            .await?;
    }
    tenders::Entity::update_many()
        .col_expr(tenders::Column::ShortlistedAt, Expr::value(now))
        .col_expr(
            tenders::Column::ClarificationDeadline,
            Expr::value(clarification_deadline),
        )
        .col_expr(
            tenders::Column::SubmissionDeadline,
            Expr::value(submission_deadline),
        )
        .col_expr(tenders::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            tenders::Column::Version,
            Expr::col(tenders::Column::Version).add(1),
        )
        .filter(tenders::Column::Id.eq(tender.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}
