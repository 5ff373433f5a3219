//! Challenges to a direct award, lodged by suppliers during its transparency standstill
//! (Procurement Act 2023 s.44): they name the tender alone, as a direct award has no bid.

use crate::StoreError;
use crate::awards::Challenge;
use crate::entities::direct_award_challenges::{self, Column, Entity};
use chrono::{DateTime, Utc};
use domain::contract::ChallengeStatus;
use domain::ids::{OrganisationId, TenderId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

/// A challenge as the award's are read: its `award_id` is the tender's id (the direct award).
fn challenge(m: direct_award_challenges::Model) -> Result<Challenge, StoreError> {
    crate::awards::challenge(crate::entities::challenges::Model {
        award_id: m.tender_id,
        id: m.id,
        tender_id: m.tender_id,
        supplier_id: m.supplier_id,
        grounds: m.grounds,
        lodged_by: m.lodged_by,
        lodged_at: m.lodged_at,
        status: m.status,
        resolution_notes: m.resolution_notes,
        resolved_by: m.resolved_by,
        resolved_at: m.resolved_at,
    })
}

pub async fn lodge(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    supplier: OrganisationId,
    grounds: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Challenge, StoreError> {
    let model = direct_award_challenges::ActiveModel {
        id: Set(Uuid::new_v4()),
        tender_id: Set(tender.as_uuid()),
        supplier_id: Set(supplier.as_uuid()),
        grounds: Set(grounds.to_owned()),
        lodged_by: Set(by.as_uuid()),
        lodged_at: Set(now),
        status: Set(ChallengeStatus::Open.as_str().to_owned()),
        resolution_notes: Set(None),
        resolved_by: Set(None),
        resolved_at: Set(None),
    }
    .insert(conn)
    .await?;
    challenge(model)
}

/// The direct award's challenges, earliest first.
pub async fn challenges(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<Vec<Challenge>, StoreError> {
    crate::all_as(
        conn,
        Entity::find()
            .filter(Column::TenderId.eq(tender.as_uuid()))
            .order_by_asc(Column::LodgedAt)
            .order_by_asc(Column::Id),
        challenge,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
/// Records how a challenge was resolved; with `lapse_others`, the tender's other open
/// challenges lapse (the direct award they challenged is withdrawn).
pub async fn resolve(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    id: Uuid,
    status: ChallengeStatus,
    notes: &str,
    by: UserId,
    now: DateTime<Utc>,
    lapse_others: bool,
) -> Result<(), StoreError> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(status.as_str()))
        .col_expr(Column::ResolutionNotes, Expr::value(notes))
        .col_expr(Column::ResolvedBy, Expr::value(by.as_uuid()))
        .col_expr(Column::ResolvedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(conn)
        .await?;
    if lapse_others {
        Entity::update_many()
            .col_expr(
                Column::Status,
                Expr::value(ChallengeStatus::Lapsed.as_str()),
            )
            .col_expr(Column::ResolvedAt, Expr::value(now))
            .filter(Column::TenderId.eq(tender.as_uuid()))
            .filter(Column::Status.eq(ChallengeStatus::Open.as_str()))
            .exec(conn)
            .await?;
    }
    Ok(())
}
