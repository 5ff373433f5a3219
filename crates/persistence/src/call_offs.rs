//! Call-offs under a framework: the buyer's saved search and its frozen shortlist (a direct
//! award), or the tender a competitive selection runs as; and how each ended.

use crate::StoreError;
use crate::entities::{call_off_shortlist, call_offs};
use chrono::{DateTime, Utc};
use domain::framework::{CallOffMethod, CallOffStatus};
use domain::ids::{CallOffId, FrameworkId, LotId, OfferId, OrganisationId, TenderId, UserId};
use domain::offer::PricingUnit;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::Value;
use uuid::Uuid;

/// A call-off as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CallOff {
    pub id: CallOffId,
    pub framework_id: FrameworkId,
    pub lot_id: Option<LotId>,
    pub buyer_id: OrganisationId,
    pub method: CallOffMethod,
    pub title: String,
    pub status: CallOffStatus,
    /// A direct award's saved search and the volumes its annual prices are at.
    pub search: Option<Value>,
    pub volumes: Option<Value>,
    pub term_months: i32,
    /// A competitive selection's tender.
    pub tender_id: Option<TenderId>,
    /// A direct award's chosen offer and why, when it was not the cheapest.
    pub offer_id: Option<OfferId>,
    pub justification: Option<String>,
    pub contract_id: Option<Uuid>,
    pub cancel_reason: Option<String>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

fn corrupt(id: Uuid, what: &str) -> StoreError {
    StoreError::Corrupt(format!("call-off {id}: {what}"))
}

fn json_of(id: Uuid, text: Option<String>) -> Result<Option<Value>, StoreError> {
    text.map(|t| serde_json::from_str(&t).map_err(|_| corrupt(id, "json")))
        .transpose()
}

fn call_off(model: call_offs::Model) -> Result<CallOff, StoreError> {
    let id = model.id;
    Ok(CallOff {
        id: CallOffId::from_uuid(id),
        framework_id: FrameworkId::from_uuid(model.framework_id),
        lot_id: model.lot_id.map(LotId::from_uuid),
        buyer_id: OrganisationId::from_uuid(model.buyer_id),
        method: model.method.parse().map_err(|_| corrupt(id, "method"))?,
        title: model.title,
        status: model.status.parse().map_err(|_| corrupt(id, "status"))?,
        search: json_of(id, model.search)?,
        volumes: json_of(id, model.volumes)?,
        term_months: model.term_months,
        tender_id: model.tender_id.map(TenderId::from_uuid),
        offer_id: model.offer_id.map(OfferId::from_uuid),
        justification: model.justification,
        contract_id: model.contract_id,
        cancel_reason: model.cancel_reason,
        created_by: UserId::from_uuid(model.created_by),
        created_at: model.created_at,
        decided_at: model.decided_at,
    })
}

/// What a new call-off records.
#[derive(Debug, Clone)]
pub struct NewCallOff {
    pub framework_id: FrameworkId,
    pub lot_id: Option<LotId>,
    pub buyer_id: OrganisationId,
    pub method: CallOffMethod,
    pub title: String,
    pub search: Option<Value>,
    pub volumes: Option<Value>,
    pub term_months: i32,
    pub tender_id: Option<TenderId>,
    pub created_by: UserId,
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    new: NewCallOff,
    now: DateTime<Utc>,
) -> Result<CallOff, StoreError> {
    let model = call_offs::ActiveModel {
        id: Set(CallOffId::new().as_uuid()),
        framework_id: Set(new.framework_id.as_uuid()),
        lot_id: Set(new.lot_id.map(|l| l.as_uuid())),
        buyer_id: Set(new.buyer_id.as_uuid()),
        method: Set(new.method.as_str().to_owned()),
        title: Set(new.title),
        status: Set(CallOffStatus::Open.as_str().to_owned()),
        search: Set(new.search.map(|s| s.to_string())),
        volumes: Set(new.volumes.map(|v| v.to_string())),
        term_months: Set(new.term_months),
        tender_id: Set(new.tender_id.map(|t| t.as_uuid())),
        offer_id: Set(None),
        justification: Set(None),
        contract_id: Set(None),
        cancel_reason: Set(None),
        created_by: Set(new.created_by.as_uuid()),
        created_at: Set(now),
        decided_at: Set(None),
    }
    .insert(conn)
    .await?;
    call_off(model)
}

pub async fn find(
    conn: &impl ConnectionTrait,
    id: CallOffId,
) -> Result<Option<CallOff>, StoreError> {
    crate::one_as(conn, call_offs::Entity::find_by_id(id.as_uuid()), call_off).await
}

/// Locks the call-off for a command (PostgreSQL; SQLite's write transaction already holds it).
pub async fn find_for_update(
    conn: &impl ConnectionTrait,
    id: CallOffId,
) -> Result<Option<CallOff>, StoreError> {
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        conn.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT id FROM call_offs WHERE id = $1 FOR UPDATE",
            [id.as_uuid().into()],
        ))
        .await?;
    }
    find(conn, id).await
}

/// The call-off a competitive selection tender runs for.
pub async fn of_tender(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<Option<CallOff>, StoreError> {
    crate::one_as(
        conn,
        call_offs::Entity::find().filter(call_offs::Column::TenderId.eq(tender.as_uuid())),
        call_off,
    )
    .await
}

/// Which call-offs to list.
#[derive(Debug, Clone, Default)]
pub struct CallOffFilter {
    pub buyer: Option<OrganisationId>,
    pub framework: Option<FrameworkId>,
    pub status: Option<CallOffStatus>,
}

/// The call-offs the filter names, the latest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    filter: &CallOffFilter,
) -> Result<Vec<CallOff>, StoreError> {
    let mut query = call_offs::Entity::find();
    if let Some(buyer) = filter.buyer {
        query = query.filter(call_offs::Column::BuyerId.eq(buyer.as_uuid()));
    }
    if let Some(framework) = filter.framework {
        query = query.filter(call_offs::Column::FrameworkId.eq(framework.as_uuid()));
    }
    if let Some(status) = filter.status {
        query = query.filter(call_offs::Column::Status.eq(status.as_str()));
    }
    crate::all_as(
        conn,
        query
            .order_by_desc(call_offs::Column::CreatedAt)
            .order_by_asc(call_offs::Column::Id),
        call_off,
    )
    .await
}

/// Records the call-off's award: the offer chosen (a direct award), why, and its contract.
pub async fn awarded(
    conn: &impl ConnectionTrait,
    id: CallOffId,
    offer: Option<OfferId>,
    justification: Option<&str>,
    contract: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    call_offs::Entity::update_many()
        .col_expr(
            call_offs::Column::Status,
            Expr::value(CallOffStatus::Awarded.as_str()),
        )
        .col_expr(
            call_offs::Column::OfferId,
            Expr::value(offer.map(|o| o.as_uuid())),
        )
        .col_expr(
            call_offs::Column::Justification,
            Expr::value(justification.map(str::to_owned)),
        )
        .col_expr(call_offs::Column::ContractId, Expr::value(contract))
        .col_expr(call_offs::Column::DecidedAt, Expr::value(now))
        .filter(call_offs::Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn cancelled(
    conn: &impl ConnectionTrait,
    id: CallOffId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    call_offs::Entity::update_many()
        .col_expr(
            call_offs::Column::Status,
            Expr::value(CallOffStatus::Cancelled.as_str()),
        )
        .col_expr(call_offs::Column::CancelReason, Expr::value(reason))
        .col_expr(call_offs::Column::DecidedAt, Expr::value(now))
        .filter(call_offs::Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// One offer of a frozen shortlist, as it was when the search was saved.
#[derive(Debug, Clone, PartialEq)]
pub struct ShortlistEntry {
    pub offer_id: OfferId,
    pub supplier_id: OrganisationId,
    pub supplier_name: String,
    pub title: String,
    pub pricing_unit: PricingUnit,
    pub unit_price_pence: i64,
    /// At the buyer's volumes.
    pub annual_price_pence: i64,
    /// How the annual price follows from the unit price.
    pub basis: String,
    /// The supplier's rating then, as the catalogue showed it.
    pub rating: Option<Value>,
}

/// Freezes the shortlist, cheapest first.
pub async fn freeze(
    conn: &impl ConnectionTrait,
    id: CallOffId,
    entries: &[ShortlistEntry],
) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let rows: Vec<call_off_shortlist::ActiveModel> = entries
        .iter()
        .enumerate()
        .map(|(position, e)| call_off_shortlist::ActiveModel {
            call_off_id: Set(id.as_uuid()),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            offer_id: Set(e.offer_id.as_uuid()),
            supplier_id: Set(e.supplier_id.as_uuid()),
            supplier_name: Set(e.supplier_name.clone()),
            title: Set(e.title.clone()),
            pricing_unit: Set(e.pricing_unit.as_str().to_owned()),
            unit_price_pence: Set(e.unit_price_pence),
            annual_price_pence: Set(e.annual_price_pence),
            basis: Set(e.basis.clone()),
            rating: Set(e.rating.as_ref().map(Value::to_string)),
        })
        .collect();
    call_off_shortlist::Entity::insert_many(rows)
        .exec(conn)
        .await?;
    Ok(())
}

/// The frozen shortlist, cheapest first.
pub async fn shortlist(
    conn: &impl ConnectionTrait,
    id: CallOffId,
) -> Result<Vec<ShortlistEntry>, StoreError> {
    crate::all_as(
        conn,
        call_off_shortlist::Entity::find()
            .filter(call_off_shortlist::Column::CallOffId.eq(id.as_uuid()))
            .order_by_asc(call_off_shortlist::Column::Position),
        |m| {
            Ok(ShortlistEntry {
                offer_id: OfferId::from_uuid(m.offer_id),
                supplier_id: OrganisationId::from_uuid(m.supplier_id),
                pricing_unit: m
                    .pricing_unit
                    .parse()
                    .map_err(|_| corrupt(m.call_off_id, "pricing unit"))?,
                supplier_name: m.supplier_name,
                title: m.title,
                unit_price_pence: m.unit_price_pence,
                annual_price_pence: m.annual_price_pence,
                basis: m.basis,
                rating: json_of(m.call_off_id, m.rating)?,
            })
        },
    )
    .await
}
