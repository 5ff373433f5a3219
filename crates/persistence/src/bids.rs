//! Sealed bids: submit, revise (every version kept), withdraw, confirm after an amendment, and
//! read them back. Who may read which bid is decided by the domain before these are called.

use crate::StoreError;
use crate::entities::bid_versions;
use crate::entities::bids::{self, Column, Entity};
use chrono::{DateTime, Utc};
use domain::bid::{BidContent, BidResponse, BidStatus};
use domain::ids::{BidId, LotId, OfferId, OrganisationId, TenderId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

/// A bid as it stands: its current version's content and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bid {
    pub id: BidId,
    pub tender_id: TenderId,
    pub supplier_id: OrganisationId,
    /// The lot it is for; none on an undivided tender.
    pub lot_id: Option<LotId>,
    pub status: BidStatus,
    pub price_pence: i64,
    pub offer_id: Option<OfferId>,
    pub responses: Vec<BidResponse>,
    pub version: i32,
    pub first_submitted_at: DateTime<Utc>,
    pub submitted_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// One submitted version of a bid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidVersion {
    pub version: i32,
    pub price_pence: i64,
    pub offer_id: Option<OfferId>,
    pub responses: Vec<BidResponse>,
    pub submitted_by: UserId,
    pub submitted_at: DateTime<Utc>,
}

fn responses_from(id: Uuid, json: &str) -> Result<Vec<BidResponse>, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("bid {id}: responses: {e}")))
}

fn responses_json(content: &BidContent) -> Result<String, StoreError> {
    serde_json::to_string(&content.responses)
        .map_err(|e| StoreError::Corrupt(format!("bid responses: {e}")))
}

fn to_domain(model: bids::Model) -> Result<Bid, StoreError> {
    Ok(Bid {
        id: BidId::from_uuid(model.id),
        tender_id: TenderId::from_uuid(model.tender_id),
        supplier_id: OrganisationId::from_uuid(model.supplier_id),
        lot_id: model.lot_id.map(LotId::from_uuid),
        status: model
            .status
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("bid {}: status", model.id)))?,
        price_pence: model.price_pence,
        offer_id: model.offer_id.map(OfferId::from_uuid),
        responses: responses_from(model.id, &model.responses)?,
        version: model.version,
        first_submitted_at: model.first_submitted_at,
        submitted_at: model.submitted_at,
        confirmed_at: model.confirmed_at,
        withdrawn_at: model.withdrawn_at,
    })
}

async fn insert_version(
    conn: &impl ConnectionTrait,
    bid: BidId,
    version: i32,
    content: &BidContent,
    offer: Option<OfferId>,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    bid_versions::ActiveModel {
        id: Set(Uuid::new_v4()),
        bid_id: Set(bid.as_uuid()),
        version: Set(version),
        price_pence: Set(content.price_pence),
        offer_id: Set(offer.map(|o| o.as_uuid())),
        responses: Set(responses_json(content)?),
        submitted_by: Set(by.as_uuid()),
        submitted_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Stores a new bid and its first version. A second live bid from the same supplier (on the
/// same lot) is refused by the database too (a partial unique index), as a conflict.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    lot: Option<LotId>,
    supplier: OrganisationId,
    content: &BidContent,
    offer: Option<OfferId>,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Bid, StoreError> {
    let id = BidId::new();
    let model = bids::ActiveModel {
        id: Set(id.as_uuid()),
        tender_id: Set(tender.as_uuid()),
        supplier_id: Set(supplier.as_uuid()),
        status: Set(BidStatus::Submitted.as_str().to_owned()),
        price_pence: Set(content.price_pence),
        offer_id: Set(offer.map(|o| o.as_uuid())),
        responses: Set(responses_json(content)?),
        version: Set(1),
        first_submitted_at: Set(now),
        submitted_at: Set(now),
        confirmed_at: Set(None),
        withdrawn_at: Set(None),
        lot_id: Set(lot.map(|l| l.as_uuid())),
    }
    .insert(conn)
    .await
    .map_err(|e| {
        StoreError::unique_conflict(
            e,
            if lot.is_some() {
                "your organisation already has a live bid on this lot; revise or withdraw it"
            } else {
                "your organisation already has a live bid on this tender; revise or withdraw it"
            },
        )
    })?;
    insert_version(conn, id, 1, content, offer, by, now).await?;
    to_domain(model)
}

/// Replaces the content with a new version (a revision also confirms the bid).
pub async fn revise(
    conn: &impl ConnectionTrait,
    bid: &Bid,
    content: &BidContent,
    offer: Option<OfferId>,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Bid, StoreError> {
    let version = bid.version + 1;
    Entity::update_many()
        .col_expr(Column::PricePence, Expr::value(content.price_pence))
        .col_expr(Column::OfferId, Expr::value(offer.map(|o| o.as_uuid())))
        .col_expr(Column::Responses, Expr::value(responses_json(content)?))
        .col_expr(Column::Version, Expr::value(version))
        .col_expr(Column::SubmittedAt, Expr::value(now))
        .col_expr(Column::Status, Expr::value(BidStatus::Submitted.as_str()))
        .filter(Column::Id.eq(bid.id.as_uuid()))
        .exec(conn)
        .await?;
    insert_version(conn, bid.id, version, content, offer, by, now).await?;
    get(conn, bid.id).await
}

/// Withdraws or confirms a bid: the new state and its time.
pub async fn set_status(
    conn: &impl ConnectionTrait,
    bid: &Bid,
    status: BidStatus,
    now: DateTime<Utc>,
) -> Result<Bid, StoreError> {
    let mut update = Entity::update_many().col_expr(Column::Status, Expr::value(status.as_str()));
    update = match status {
        BidStatus::Withdrawn => update.col_expr(Column::WithdrawnAt, Expr::value(now)),
        BidStatus::Submitted => update.col_expr(Column::ConfirmedAt, Expr::value(now)),
        BidStatus::NeedsConfirmation => update,
    };
    update
        .filter(Column::Id.eq(bid.id.as_uuid()))
        .exec(conn)
        .await?;
    get(conn, bid.id).await
}

/// Marks every submitted bid on the tender as needing its supplier's confirmation; returns the
/// suppliers whose bids were reopened.
pub async fn require_confirmation(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<Vec<OrganisationId>, StoreError> {
    let reopened: Vec<OrganisationId> = Entity::find()
        .filter(Column::TenderId.eq(tender.as_uuid()))
        .filter(Column::Status.eq(BidStatus::Submitted.as_str()))
        .all(conn)
        .await?
        .into_iter()
        .map(|b| OrganisationId::from_uuid(b.supplier_id))
        .collect();
    Entity::update_many()
        .col_expr(
            Column::Status,
            Expr::value(BidStatus::NeedsConfirmation.as_str()),
        )
        .filter(Column::TenderId.eq(tender.as_uuid()))
        .filter(Column::Status.eq(BidStatus::Submitted.as_str()))
        .exec(conn)
        .await?;
    Ok(reopened)
}

pub async fn find(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    id: BidId,
) -> Result<Option<Bid>, StoreError> {
    crate::one_as(
        conn,
        Entity::find_by_id(id.as_uuid()).filter(Column::TenderId.eq(tender.as_uuid())),
        to_domain,
    )
    .await
}

async fn get(conn: &impl ConnectionTrait, id: BidId) -> Result<Bid, StoreError> {
    crate::one_as(conn, Entity::find_by_id(id.as_uuid()), to_domain)
        .await?
        .ok_or(StoreError::NotFound("bid"))
}

/// Which bids of a tender to read.
#[derive(Debug, Clone, Copy)]
pub enum BidSelection {
    /// Every live bid (not withdrawn): the buyer after the deadline.
    Live,
    /// One organisation's bids, withdrawn ones too: a supplier reading its own.
    Supplier(OrganisationId),
}

/// Bids on a tender, earliest submitted first.
pub async fn list(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    selection: BidSelection,
) -> Result<Vec<Bid>, StoreError> {
    let mut query = Entity::find().filter(Column::TenderId.eq(tender.as_uuid()));
    query = match selection {
        BidSelection::Live => query.filter(Column::Status.ne(BidStatus::Withdrawn.as_str())),
        BidSelection::Supplier(org) => query.filter(Column::SupplierId.eq(org.as_uuid())),
    };
    query
        .order_by_asc(Column::FirstSubmittedAt)
        .order_by_asc(Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(to_domain)
        .collect()
}

/// The supplier's live bid on the tender (on `lot`, of a divided tender), if any.
pub async fn live_bid_of(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    lot: Option<LotId>,
    supplier: OrganisationId,
) -> Result<Option<Bid>, StoreError> {
    let query = Entity::find()
        .filter(Column::TenderId.eq(tender.as_uuid()))
        .filter(Column::SupplierId.eq(supplier.as_uuid()))
        .filter(Column::Status.ne(BidStatus::Withdrawn.as_str()));
    let query = match lot {
        Some(lot) => query.filter(Column::LotId.eq(lot.as_uuid())),
        None => query.filter(Column::LotId.is_null()),
    };
    crate::one_as(conn, query, to_domain).await
}

/// Organisations with a live bid on the tender (on `lot`, when one is named), each once.
pub async fn bidders(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    lot: Option<LotId>,
) -> Result<Vec<OrganisationId>, StoreError> {
    let mut bidders: Vec<OrganisationId> = Vec::new();
    for bid in list(conn, tender, BidSelection::Live).await? {
        if (lot.is_none() || bid.lot_id == lot) && !bidders.contains(&bid.supplier_id) {
            bidders.push(bid.supplier_id);
        }
    }
    Ok(bidders)
}

/// Every version of a bid, oldest first.
pub async fn versions(
    conn: &impl ConnectionTrait,
    bid: BidId,
) -> Result<Vec<BidVersion>, StoreError> {
    bid_versions::Entity::find()
        .filter(bid_versions::Column::BidId.eq(bid.as_uuid()))
        .order_by_asc(bid_versions::Column::Version)
        .all(conn)
        .await?
        .into_iter()
        .map(|v| {
            Ok(BidVersion {
                version: v.version,
                price_pence: v.price_pence,
                offer_id: v.offer_id.map(OfferId::from_uuid),
                responses: responses_from(v.bid_id, &v.responses)?,
                submitted_by: UserId::from_uuid(v.submitted_by),
                submitted_at: v.submitted_at,
            })
        })
        .collect()
}
