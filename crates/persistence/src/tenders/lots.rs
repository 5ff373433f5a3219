//! A divided tender's lots: written with the draft, read with the tender, and moved through
//! their own states as each is awarded, contracted or declared unsuccessful.

use super::*;
use crate::entities::tender_lots;
use domain::ids::LotId;
use domain::tender::{Division, LotSpec, LotStatus};

/// A lot as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lot {
    pub id: LotId,
    /// 1 for the first.
    pub number: i32,
    pub title: String,
    pub description: String,
    pub estimated_value_pence: i64,
    pub status: LotStatus,
    pub unsuccessful_reason: Option<String>,
    /// When it was awarded, contracted or declared unsuccessful, last.
    pub decided_at: Option<DateTime<Utc>>,
}

impl Tender {
    /// How the tender is divided, as the domain's rules read it.
    pub fn division(&self) -> Division {
        Division {
            lots: self
                .lots
                .iter()
                .map(|l| LotSpec {
                    title: l.title.clone(),
                    description: l.description.clone(),
                    estimated_value_pence: l.estimated_value_pence,
                })
                .collect(),
            max_lots_per_supplier: self
                .max_lots_per_supplier
                .and_then(|m| u8::try_from(m).ok()),
            no_lots_rationale: self.no_lots_rationale.clone(),
        }
    }

    pub fn is_divided(&self) -> bool {
        !self.lots.is_empty()
    }

    pub fn lot(&self, id: LotId) -> Option<&Lot> {
        self.lots.iter().find(|l| l.id == id)
    }

    /// Every lot's state, in order.
    pub fn lot_statuses(&self) -> Vec<LotStatus> {
        self.lots.iter().map(|l| l.status).collect()
    }
}

pub(super) async fn write_lots(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    spec: &TenderSpec,
) -> Result<(), StoreError> {
    if spec.division.lots.is_empty() {
        return Ok(());
    }
    let lots: Vec<tender_lots::ActiveModel> = spec
        .division
        .lots
        .iter()
        .enumerate()
        .map(|(position, lot)| tender_lots::ActiveModel {
            id: Set(LotId::new().as_uuid()),
            tender_id: Set(tender.as_uuid()),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            title: Set(lot.title.clone()),
            description: Set(lot.description.clone()),
            estimated_value_pence: Set(lot.estimated_value_pence),
            status: Set(LotStatus::Open.as_str().to_owned()),
            unsuccessful_reason: Set(None),
            decided_at: Set(None),
        })
        .collect();
    tender_lots::Entity::insert_many(lots).exec(conn).await?;
    Ok(())
}

pub(super) async fn delete_lots(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<(), StoreError> {
    tender_lots::Entity::delete_many()
        .filter(tender_lots::Column::TenderId.eq(tender.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

pub(super) async fn read_lots(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<Vec<Lot>, StoreError> {
    tender_lots::Entity::find()
        .filter(tender_lots::Column::TenderId.eq(tender.as_uuid()))
        .order_by_asc(tender_lots::Column::Position)
        .all(conn)
        .await?
        .into_iter()
        .map(|l| {
            Ok(Lot {
                id: LotId::from_uuid(l.id),
                number: l.position + 1,
                status: l
                    .status
                    .parse()
                    .map_err(|_| corrupt(l.tender_id, "lot status"))?,
                title: l.title,
                description: l.description,
                estimated_value_pence: l.estimated_value_pence,
                unsuccessful_reason: l.unsuccessful_reason,
                decided_at: l.decided_at,
            })
        })
        .collect()
}

/// Moves one lot to `status` at `now`, with the reason when it is declared unsuccessful.
pub async fn set_lot_status(
    conn: &impl ConnectionTrait,
    lot: LotId,
    status: LotStatus,
    unsuccessful_reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    tender_lots::Entity::update_many()
        .col_expr(tender_lots::Column::Status, Expr::value(status.as_str()))
        .col_expr(
            tender_lots::Column::UnsuccessfulReason,
            Expr::value(unsuccessful_reason.map(str::to_owned)),
        )
        .col_expr(tender_lots::Column::DecidedAt, Expr::value(now))
        .filter(tender_lots::Column::Id.eq(lot.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}
