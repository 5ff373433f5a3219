//! Assessment summaries (Procurement Act 2023 s.50(3)): each written once, with its award, as it
//! was sent to the bidder; what a bidder was told is never rewritten.

use crate::StoreError;
use crate::entities::assessment_summaries::{self, Column, Entity};
use chrono::{DateTime, Utc};
use domain::ids::{BidId, OrganisationId, TenderId};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::Value;
use uuid::Uuid;

/// One bidder's summary as sent.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSummary {
    pub award_id: Uuid,
    pub bid_id: BidId,
    pub supplier_id: OrganisationId,
    pub summary: Value,
    pub sent_at: DateTime<Utc>,
}

fn to_domain(model: assessment_summaries::Model) -> Result<StoredSummary, StoreError> {
    Ok(StoredSummary {
        award_id: model.award_id,
        bid_id: BidId::from_uuid(model.bid_id),
        supplier_id: OrganisationId::from_uuid(model.supplier_id),
        summary: serde_json::from_str(&model.summary).map_err(|_| {
            StoreError::Corrupt(format!("assessment summary {}: content", model.id))
        })?,
        sent_at: model.sent_at,
    })
}

/// Stores the summaries of one award, all sent at `sent_at`.
pub async fn insert_all(
    conn: &impl ConnectionTrait,
    award_id: Uuid,
    tender: TenderId,
    summaries: &[(BidId, OrganisationId, Value)],
    sent_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if summaries.is_empty() {
        return Ok(());
    }
    let rows: Vec<assessment_summaries::ActiveModel> = summaries
        .iter()
        .map(
            |(bid, supplier, summary)| assessment_summaries::ActiveModel {
                id: Set(Uuid::new_v4()),
                award_id: Set(award_id),
                tender_id: Set(tender.as_uuid()),
                bid_id: Set(bid.as_uuid()),
                supplier_id: Set(supplier.as_uuid()),
                summary: Set(summary.to_string()),
                sent_at: Set(sent_at),
            },
        )
        .collect();
    Entity::insert_many(rows).exec(conn).await?;
    Ok(())
}

/// The summaries sent for an award, in the order they were written.
pub async fn of_award(
    conn: &impl ConnectionTrait,
    award_id: Uuid,
) -> Result<Vec<StoredSummary>, StoreError> {
    crate::all_as(
        conn,
        Entity::find()
            .filter(Column::AwardId.eq(award_id))
            .order_by_asc(Column::SentAt)
            .order_by_asc(Column::Id),
        to_domain,
    )
    .await
}
