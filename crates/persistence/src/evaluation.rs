//! Evaluation records: each tender's panel with its declarations of interest, the panel's scores
//! and the bids the lead excluded as non-compliant. Who may write them is decided by the domain.

use crate::StoreError;
use crate::entities::{bid_exclusions, scores, tender_evaluators, users};
use chrono::{DateTime, Utc};
use domain::evaluation::{Declaration, Mark, PanelStanding, Score};
use domain::ids::{BidId, CriterionId, TenderId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

/// A member of a tender's evaluation panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelMember {
    pub tender_id: TenderId,
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub assigned_by: UserId,
    pub assigned_at: DateTime<Utc>,
    /// `None` until declared.
    pub has_conflict: Option<bool>,
    pub conflict_details: Option<String>,
    pub declared_at: Option<DateTime<Utc>>,
}

impl PanelMember {
    pub fn standing(&self) -> PanelStanding {
        PanelStanding::of(true, self.has_conflict)
    }
}

fn member(model: tender_evaluators::Model, user: Option<&users::Model>) -> PanelMember {
    PanelMember {
        tender_id: TenderId::from_uuid(model.tender_id),
        user_id: UserId::from_uuid(model.user_id),
        name: user.map(|u| u.name.clone()).unwrap_or_default(),
        email: user.map(|u| u.email.clone()).unwrap_or_default(),
        assigned_by: UserId::from_uuid(model.assigned_by),
        assigned_at: model.assigned_at,
        has_conflict: model.has_conflict,
        conflict_details: model.conflict_details,
        declared_at: model.declared_at,
    }
}

/// Puts `user` on the tender's panel; a second assignment is a conflict.
pub async fn assign(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    user: UserId,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<PanelMember, StoreError> {
    tender_evaluators::ActiveModel {
        tender_id: Set(tender.as_uuid()),
        user_id: Set(user.as_uuid()),
        assigned_by: Set(by.as_uuid()),
        assigned_at: Set(now),
        has_conflict: Set(None),
        conflict_details: Set(None),
        declared_at: Set(None),
    }
    .insert(conn)
    .await
    .map_err(|e| {
        StoreError::unique_as(
            e,
            "/user_id",
            "this user is already on the tender's evaluation panel",
        )
    })?;
    find_member(conn, tender, user)
        .await?
        .ok_or(StoreError::NotFound("evaluator"))
}

/// Takes `user` off the panel, with every mark it gave on the tender (they no longer count);
/// returns how many marks were removed, or `None` when the user was not on the panel.
pub async fn remove(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    user: UserId,
) -> Result<Option<u64>, StoreError> {
    let removed = tender_evaluators::Entity::delete_many()
        .filter(tender_evaluators::Column::TenderId.eq(tender.as_uuid()))
        .filter(tender_evaluators::Column::UserId.eq(user.as_uuid()))
        .exec(conn)
        .await?;
    if removed.rows_affected == 0 {
        return Ok(None);
    }
    let marks = scores::Entity::delete_many()
        .filter(scores::Column::TenderId.eq(tender.as_uuid()))
        .filter(scores::Column::EvaluatorId.eq(user.as_uuid()))
        .exec(conn)
        .await?;
    Ok(Some(marks.rows_affected))
}

pub async fn find_member(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    user: UserId,
) -> Result<Option<PanelMember>, StoreError> {
    let found = tender_evaluators::Entity::find()
        .filter(tender_evaluators::Column::TenderId.eq(tender.as_uuid()))
        .filter(tender_evaluators::Column::UserId.eq(user.as_uuid()))
        .one(conn)
        .await?;
    let Some(model) = found else {
        return Ok(None);
    };
    let account = users::Entity::find_by_id(model.user_id).one(conn).await?;
    Ok(Some(member(model, account.as_ref())))
}

/// Where `user` stands on the tender's panel.
pub async fn standing(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    user: UserId,
) -> Result<PanelStanding, StoreError> {
    Ok(find_member(conn, tender, user)
        .await?
        .map_or(PanelStanding::NotOnPanel, |m| m.standing()))
}

/// The panel, in the order it was assigned.
pub async fn panel(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<Vec<PanelMember>, StoreError> {
    let rows = tender_evaluators::Entity::find()
        .filter(tender_evaluators::Column::TenderId.eq(tender.as_uuid()))
        .order_by_asc(tender_evaluators::Column::AssignedAt)
        .order_by_asc(tender_evaluators::Column::UserId)
        .all(conn)
        .await?;
    let accounts: std::collections::HashMap<Uuid, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(rows.iter().map(|r| r.user_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    Ok(rows
        .into_iter()
        .map(|model| {
            let account = accounts.get(&model.user_id);
            member(model, account)
        })
        .collect())
}

/// Records the member's declaration.
pub async fn declare(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    user: UserId,
    declaration: &Declaration,
    now: DateTime<Utc>,
) -> Result<PanelMember, StoreError> {
    tender_evaluators::Entity::update_many()
        .col_expr(
            tender_evaluators::Column::HasConflict,
            Expr::value(declaration.has_conflict),
        )
        .col_expr(
            tender_evaluators::Column::ConflictDetails,
            Expr::value(declaration.details.clone()),
        )
        .col_expr(tender_evaluators::Column::DeclaredAt, Expr::value(now))
        .filter(tender_evaluators::Column::TenderId.eq(tender.as_uuid()))
        .filter(tender_evaluators::Column::UserId.eq(user.as_uuid()))
        .exec(conn)
        .await?;
    find_member(conn, tender, user)
        .await?
        .ok_or(StoreError::NotFound("evaluator"))
}

/// One evaluator's stored mark with its justification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredScore {
    pub id: Uuid,
    pub tender_id: TenderId,
    pub bid_id: BidId,
    pub criterion_id: CriterionId,
    pub evaluator_id: UserId,
    pub score: Score,
    pub justification: String,
    pub scored_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl StoredScore {
    pub fn mark(&self) -> Mark {
        Mark {
            evaluator: self.evaluator_id,
            bid: self.bid_id,
            criterion: self.criterion_id,
            score: self.score,
        }
    }
}

fn stored(model: scores::Model) -> Result<StoredScore, StoreError> {
    Ok(StoredScore {
        id: model.id,
        tender_id: TenderId::from_uuid(model.tender_id),
        bid_id: BidId::from_uuid(model.bid_id),
        criterion_id: CriterionId::from_uuid(model.criterion_id),
        evaluator_id: UserId::from_uuid(model.evaluator_id),
        score: Score::new(i64::from(model.score))
            .map_err(|_| StoreError::Corrupt(format!("score {}: out of range", model.id)))?,
        justification: model.justification,
        scored_at: model.scored_at,
        updated_at: model.updated_at,
    })
}

/// What one mark is about.
#[derive(Debug, Clone, Copy)]
pub struct MarkKey {
    pub tender: TenderId,
    pub bid: BidId,
    pub criterion: CriterionId,
    pub evaluator: UserId,
}

async fn find_score(
    conn: &impl ConnectionTrait,
    key: MarkKey,
) -> Result<Option<StoredScore>, StoreError> {
    crate::one_as(
        conn,
        scores::Entity::find()
            .filter(scores::Column::BidId.eq(key.bid.as_uuid()))
            .filter(scores::Column::CriterionId.eq(key.criterion.as_uuid()))
            .filter(scores::Column::EvaluatorId.eq(key.evaluator.as_uuid())),
        stored,
    )
    .await
}

/// Records or replaces an evaluator's mark; returns the previous one too.
pub async fn put_score(
    conn: &impl ConnectionTrait,
    key: MarkKey,
    score: Score,
    justification: &str,
    now: DateTime<Utc>,
) -> Result<(StoredScore, Option<StoredScore>), StoreError> {
    let previous = find_score(conn, key).await?;
    match &previous {
        Some(old) => {
            scores::Entity::update_many()
                .col_expr(scores::Column::Score, Expr::value(i32::from(score.value())))
                .col_expr(scores::Column::Justification, Expr::value(justification))
                .col_expr(scores::Column::UpdatedAt, Expr::value(now))
                .filter(scores::Column::Id.eq(old.id))
                .exec(conn)
                .await?;
        }
        None => {
            scores::ActiveModel {
                id: Set(Uuid::new_v4()),
                tender_id: Set(key.tender.as_uuid()),
                bid_id: Set(key.bid.as_uuid()),
                criterion_id: Set(key.criterion.as_uuid()),
                evaluator_id: Set(key.evaluator.as_uuid()),
                score: Set(i32::from(score.value())),
                justification: Set(justification.to_owned()),
                scored_at: Set(now),
                updated_at: Set(now),
            }
            .insert(conn)
            .await?;
        }
    }
    let current = find_score(conn, key)
        .await?
        .ok_or(StoreError::NotFound("score"))?;
    Ok((current, previous))
}

/// Every mark on the tender, oldest first.
pub async fn scores(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<Vec<StoredScore>, StoreError> {
    crate::all_as(
        conn,
        scores::Entity::find()
            .filter(scores::Column::TenderId.eq(tender.as_uuid()))
            .order_by_asc(scores::Column::ScoredAt)
            .order_by_asc(scores::Column::Id),
        stored,
    )
    .await
}

/// A bid the lead excluded as non-compliant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub bid_id: BidId,
    pub reason: String,
    pub excluded_by: UserId,
    pub excluded_at: DateTime<Utc>,
}

fn exclusion(model: bid_exclusions::Model) -> Exclusion {
    Exclusion {
        bid_id: BidId::from_uuid(model.bid_id),
        reason: model.reason,
        excluded_by: UserId::from_uuid(model.excluded_by),
        excluded_at: model.excluded_at,
    }
}

pub async fn exclude(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    bid: BidId,
    reason: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Exclusion, StoreError> {
    let model = bid_exclusions::ActiveModel {
        bid_id: Set(bid.as_uuid()),
        tender_id: Set(tender.as_uuid()),
        reason: Set(reason.to_owned()),
        excluded_by: Set(by.as_uuid()),
        excluded_at: Set(now),
    }
    .insert(conn)
    .await
    .map_err(|e| StoreError::unique_conflict(e, "the bid is already excluded"))?;
    Ok(exclusion(model))
}

/// Lifts an exclusion; `false` when the bid was not excluded.
pub async fn reinstate(conn: &impl ConnectionTrait, bid: BidId) -> Result<bool, StoreError> {
    let removed = bid_exclusions::Entity::delete_by_id(bid.as_uuid())
        .exec(conn)
        .await?;
    Ok(removed.rows_affected == 1)
}

/// The tender's exclusions.
pub async fn exclusions(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<Vec<Exclusion>, StoreError> {
    Ok(bid_exclusions::Entity::find()
        .filter(bid_exclusions::Column::TenderId.eq(tender.as_uuid()))
        .all(conn)
        .await?
        .into_iter()
        .map(exclusion)
        .collect())
}
