//! Awards with their standstill, and the challenges bidders lodge against them.

use crate::StoreError;
use crate::entities::{awards, challenges};
use chrono::{DateTime, NaiveDate, Utc};
use domain::contract::ChallengeStatus;
use domain::ids::{BidId, LotId, OrganisationId, TenderId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

/// An award's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwardStatus {
    /// Awarded; the standstill runs or has run, the contract is not yet entered.
    Standstill,
    /// The contract was entered.
    Contracted,
    /// Cancelled: a challenge was upheld, or the tender was cancelled.
    Cancelled,
}

impl AwardStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Standstill => "standstill",
            Self::Contracted => "contracted",
            Self::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Standstill, Self::Contracted, Self::Cancelled]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// An award.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Award {
    pub id: Uuid,
    /// The decision as it was recorded.
    pub decision: NewAward,
    pub status: AwardStatus,
    pub cancelled_at: Option<DateTime<Utc>>,
}

fn award(model: awards::Model) -> Result<Award, StoreError> {
    let decision = NewAward {
        tender_id: TenderId::from_uuid(model.tender_id),
        lot_id: model.lot_id.map(LotId::from_uuid),
        framework: model.framework,
        bid_id: BidId::from_uuid(model.bid_id),
        supplier_id: OrganisationId::from_uuid(model.supplier_id),
        rank: model.rank,
        justification: model.justification,
        awarded_by: UserId::from_uuid(model.awarded_by),
        awarded_at: model.awarded_at,
        standstill_last_day: model.standstill_last_day,
        standstill_ends_at: model.standstill_ends_at,
        assessment_summaries_sent_at: model.assessment_summaries_sent_at,
    };
    Ok(Award {
        id: model.id,
        decision,
        status: AwardStatus::parse(&model.status)
            .ok_or_else(|| StoreError::Corrupt(format!("award {}: status", model.id)))?,
        cancelled_at: model.cancelled_at,
    })
}

/// What a new award records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAward {
    pub tender_id: TenderId,
    /// The lot awarded; none on an undivided tender.
    pub lot_id: Option<LotId>,
    /// A place on a framework (one of several awards on the tender or lot), not a contract.
    pub framework: bool,
    pub bid_id: BidId,
    pub supplier_id: OrganisationId,
    /// The bid's rank when it was awarded.
    pub rank: i32,
    pub justification: Option<String>,
    pub awarded_by: UserId,
    pub awarded_at: DateTime<Utc>,
    pub standstill_last_day: Option<NaiveDate>,
    pub standstill_ends_at: DateTime<Utc>,
    /// When every assessed bidder was sent its assessment summary (s.50): with the award,
    /// before its contract award notice. None for awards recorded before summaries were kept.
    pub assessment_summaries_sent_at: Option<DateTime<Utc>>,
}

/// Stores an award. A second award in force on the tender is refused by the database too.
pub async fn insert(conn: &impl ConnectionTrait, new: NewAward) -> Result<Award, StoreError> {
    let model = awards::ActiveModel {
        id: Set(Uuid::new_v4()),
        tender_id: Set(new.tender_id.as_uuid()),
        bid_id: Set(new.bid_id.as_uuid()),
        supplier_id: Set(new.supplier_id.as_uuid()),
        rank: Set(new.rank),
        justification: Set(new.justification),
        awarded_by: Set(new.awarded_by.as_uuid()),
        awarded_at: Set(new.awarded_at),
        standstill_last_day: Set(new.standstill_last_day),
        standstill_ends_at: Set(new.standstill_ends_at),
        status: Set(AwardStatus::Standstill.as_str().to_owned()),
        cancelled_at: Set(None),
        assessment_summaries_sent_at: Set(new.assessment_summaries_sent_at),
        lot_id: Set(new.lot_id.map(|l| l.as_uuid())),
        framework: Set(new.framework),
    }
    .insert(conn)
    .await
    .map_err(|e| {
        StoreError::unique_conflict(
            e,
            if new.lot_id.is_some() {
                "the lot has already been awarded"
            } else {
                "the tender has already been awarded"
            },
        )
    })?;
    award(model)
}

/// The tender's award in force (not cancelled) on `lot` (none: of an undivided tender), if any.
pub async fn in_force(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    lot: Option<LotId>,
) -> Result<Option<Award>, StoreError> {
    let query = awards::Entity::find()
        .filter(awards::Column::TenderId.eq(tender.as_uuid()))
        .filter(awards::Column::Status.ne(AwardStatus::Cancelled.as_str()));
    let query = match lot {
        Some(lot) => query.filter(awards::Column::LotId.eq(lot.as_uuid())),
        None => query.filter(awards::Column::LotId.is_null()),
    };
    crate::one_as(conn, query, award).await
}

/// Every award in force on the tender, whatever its lot, the earliest first.
pub async fn all_in_force(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<Vec<Award>, StoreError> {
    crate::all_as(
        conn,
        awards::Entity::find()
            .filter(awards::Column::TenderId.eq(tender.as_uuid()))
            .filter(awards::Column::Status.ne(AwardStatus::Cancelled.as_str()))
            .order_by_asc(awards::Column::AwardedAt)
            .order_by_asc(awards::Column::Id),
        award,
    )
    .await
}

/// Every award the tender has had, the latest first.
pub async fn history(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<Vec<Award>, StoreError> {
    crate::all_as(
        conn,
        awards::Entity::find()
            .filter(awards::Column::TenderId.eq(tender.as_uuid()))
            .order_by_desc(awards::Column::AwardedAt),
        award,
    )
    .await
}

/// Moves the award on: contracted, or cancelled (stamped now).
pub async fn set_status(
    conn: &impl ConnectionTrait,
    id: Uuid,
    status: AwardStatus,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut update = awards::Entity::update_many()
        .col_expr(awards::Column::Status, Expr::value(status.as_str()));
    if status == AwardStatus::Cancelled {
        update = update.col_expr(awards::Column::CancelledAt, Expr::value(now));
    }
    update.filter(awards::Column::Id.eq(id)).exec(conn).await?;
    Ok(())
}

/// A challenge to an award.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub id: Uuid,
    pub tender_id: TenderId,
    pub award_id: Uuid,
    pub supplier_id: OrganisationId,
    pub grounds: String,
    pub lodged_by: UserId,
    pub lodged_at: DateTime<Utc>,
    pub status: ChallengeStatus,
    pub resolution_notes: Option<String>,
    pub resolved_by: Option<UserId>,
    pub resolved_at: Option<DateTime<Utc>>,
}

pub(crate) fn challenge(model: challenges::Model) -> Result<Challenge, StoreError> {
    Ok(Challenge {
        id: model.id,
        tender_id: TenderId::from_uuid(model.tender_id),
        award_id: model.award_id,
        supplier_id: OrganisationId::from_uuid(model.supplier_id),
        grounds: model.grounds,
        lodged_by: UserId::from_uuid(model.lodged_by),
        lodged_at: model.lodged_at,
        status: model
            .status
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("challenge {}: status", model.id)))?,
        resolution_notes: model.resolution_notes,
        resolved_by: model.resolved_by.map(UserId::from_uuid),
        resolved_at: model.resolved_at,
    })
}

pub async fn lodge(
    conn: &impl ConnectionTrait,
    award: &Award,
    supplier: OrganisationId,
    grounds: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Challenge, StoreError> {
    let model = challenges::ActiveModel {
        id: Set(Uuid::new_v4()),
        tender_id: Set(award.decision.tender_id.as_uuid()),
        award_id: Set(award.id),
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

pub async fn find_challenge(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    id: Uuid,
) -> Result<Option<Challenge>, StoreError> {
    crate::one_as(
        conn,
        challenges::Entity::find_by_id(id)
            .filter(challenges::Column::TenderId.eq(tender.as_uuid())),
        challenge,
    )
    .await
}

/// The tender's challenges, earliest first.
pub async fn challenges(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<Vec<Challenge>, StoreError> {
    let earliest_first = challenges::Entity::find()
        .filter(challenges::Column::TenderId.eq(tender.as_uuid()))
        .order_by_asc(challenges::Column::LodgedAt)
        .order_by_asc(challenges::Column::Id);
    crate::all_as(conn, earliest_first, challenge).await
}

/// Records how a challenge was resolved.
pub async fn resolve(
    conn: &impl ConnectionTrait,
    id: Uuid,
    status: ChallengeStatus,
    notes: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    challenges::Entity::update_many()
        .col_expr(challenges::Column::Status, Expr::value(status.as_str()))
        .col_expr(challenges::Column::ResolutionNotes, Expr::value(notes))
        .col_expr(challenges::Column::ResolvedBy, Expr::value(by.as_uuid()))
        .col_expr(challenges::Column::ResolvedAt, Expr::value(now))
        .filter(challenges::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Closes the award's other open challenges as lapsed (the award they challenged is gone);
/// returns the challengers.
pub async fn lapse_open(
    conn: &impl ConnectionTrait,
    award: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<OrganisationId>, StoreError> {
    let open: Vec<OrganisationId> = challenges::Entity::find()
        .filter(challenges::Column::AwardId.eq(award))
        .filter(challenges::Column::Status.eq(ChallengeStatus::Open.as_str()))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| OrganisationId::from_uuid(c.supplier_id))
        .collect();
    challenges::Entity::update_many()
        .col_expr(
            challenges::Column::Status,
            Expr::value(ChallengeStatus::Lapsed.as_str()),
        )
        .col_expr(challenges::Column::ResolvedAt, Expr::value(now))
        .filter(challenges::Column::AwardId.eq(award))
        .filter(challenges::Column::Status.eq(ChallengeStatus::Open.as_str()))
        .exec(conn)
        .await?;
    Ok(open)
}
