//! Transfers of business between suppliers and the novations of the contracts they moved.

use crate::StoreError;
use crate::entities::{contract_novations, contracts, transfers};
use chrono::{DateTime, NaiveDate, Utc};
use domain::contract::ContractStatus;
use domain::ids::{OrganisationId, UserId};
use domain::transfer::TransferKind;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// A recorded transfer: what was recorded, with its id and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub id: Uuid,
    pub details: NewTransfer,
    pub recorded_at: DateTime<Utc>,
}

fn transfer(model: transfers::Model) -> Result<Transfer, StoreError> {
    let details = NewTransfer {
        kind: model
            .kind
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("transfer {}: kind", model.id)))?,
        from_supplier_id: OrganisationId::from_uuid(model.from_supplier_id),
        to_supplier_id: OrganisationId::from_uuid(model.to_supplier_id),
        effective_date: model.effective_date,
        whole_business: model.whole_business,
        reason: model.reason,
        contracts_moved: model.contracts_moved,
        offers_withdrawn: model.offers_withdrawn,
        recorded_by: UserId::from_uuid(model.recorded_by),
    };
    Ok(Transfer {
        id: model.id,
        details,
        recorded_at: model.recorded_at,
    })
}

/// The ids of the contracts `supplier` holds that are still in force on `today`.
pub async fn active_contracts_of(
    conn: &impl ConnectionTrait,
    supplier: OrganisationId,
    today: NaiveDate,
) -> Result<Vec<Uuid>, StoreError> {
    Ok(contracts::Entity::find()
        .select_only()
        .column(contracts::Column::Id)
        .filter(contracts::Column::SupplierId.eq(supplier.as_uuid()))
        .filter(contracts::Column::Status.eq(ContractStatus::Active.as_str()))
        .filter(contracts::Column::EndDate.gte(today))
        .order_by_asc(contracts::Column::Id)
        .into_tuple::<Uuid>()
        .all(conn)
        .await?)
}

/// What a new transfer records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransfer {
    pub kind: TransferKind,
    pub from_supplier_id: OrganisationId,
    pub to_supplier_id: OrganisationId,
    pub effective_date: NaiveDate,
    pub whole_business: bool,
    pub reason: String,
    pub contracts_moved: i32,
    pub offers_withdrawn: i32,
    pub recorded_by: UserId,
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    new: NewTransfer,
    now: DateTime<Utc>,
) -> Result<Transfer, StoreError> {
    let model = transfers::ActiveModel {
        id: Set(Uuid::new_v4()),
        kind: Set(new.kind.as_str().to_owned()),
        from_supplier_id: Set(new.from_supplier_id.as_uuid()),
        to_supplier_id: Set(new.to_supplier_id.as_uuid()),
        effective_date: Set(new.effective_date),
        whole_business: Set(new.whole_business),
        reason: Set(new.reason),
        contracts_moved: Set(new.contracts_moved),
        offers_withdrawn: Set(new.offers_withdrawn),
        recorded_by: Set(new.recorded_by.as_uuid()),
        recorded_at: Set(now),
    }
    .insert(conn)
    .await?;
    transfer(model)
}

/// Moves `contract_ids` from `transfer`'s source to its target, keeping each novation.
pub async fn novate(
    conn: &impl ConnectionTrait,
    transfer: &Transfer,
    contract_ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if contract_ids.is_empty() {
        return Ok(());
    }
    contracts::Entity::update_many()
        .col_expr(
            contracts::Column::SupplierId,
            Expr::value(transfer.details.to_supplier_id.as_uuid()),
        )
        .filter(contracts::Column::Id.is_in(contract_ids.iter().copied()))
        .filter(contracts::Column::SupplierId.eq(transfer.details.from_supplier_id.as_uuid()))
        .exec(conn)
        .await?;
    let rows: Vec<contract_novations::ActiveModel> = contract_ids
        .iter()
        .map(|contract| contract_novations::ActiveModel {
            id: Set(Uuid::new_v4()),
            contract_id: Set(*contract),
            transfer_id: Set(transfer.id),
            from_supplier_id: Set(transfer.details.from_supplier_id.as_uuid()),
            to_supplier_id: Set(transfer.details.to_supplier_id.as_uuid()),
            effective_date: Set(transfer.details.effective_date),
            recorded_at: Set(now),
        })
        .collect();
    contract_novations::Entity::insert_many(rows)
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn find(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Transfer>, StoreError> {
    crate::one_as(conn, transfers::Entity::find_by_id(id), transfer).await
}

/// Transfers, most recently effective first, and how many there are.
pub async fn list(
    conn: &impl ConnectionTrait,
    page: domain::pagination::PageRequest,
) -> Result<domain::pagination::Page<Transfer>, StoreError> {
    let query = transfers::Entity::find()
        .order_by_desc(transfers::Column::EffectiveDate)
        .order_by_desc(transfers::Column::RecordedAt);
    let total = query.clone().count(conn).await?;
    let items = query
        .offset(page.offset())
        .limit(page.per_page())
        .all(conn)
        .await?
        .into_iter()
        .map(transfer)
        .collect::<Result<_, _>>()?;
    Ok(domain::pagination::Page {
        items,
        total,
        total_exact: true,
        page: page.page(),
        per_page: page.per_page(),
    })
}

/// One change of a contract's holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Novation {
    pub transfer_id: Uuid,
    pub from_supplier_id: OrganisationId,
    pub to_supplier_id: OrganisationId,
    pub effective_date: NaiveDate,
}

/// A contract's novations, oldest first.
pub async fn novations_of(
    conn: &impl ConnectionTrait,
    contract: Uuid,
) -> Result<Vec<Novation>, StoreError> {
    Ok(contract_novations::Entity::find()
        .filter(contract_novations::Column::ContractId.eq(contract))
        .order_by_asc(contract_novations::Column::EffectiveDate)
        .order_by_asc(contract_novations::Column::RecordedAt)
        .all(conn)
        .await?
        .into_iter()
        .map(|n| Novation {
            transfer_id: n.transfer_id,
            from_supplier_id: OrganisationId::from_uuid(n.from_supplier_id),
            to_supplier_id: OrganisationId::from_uuid(n.to_supplier_id),
            effective_date: n.effective_date,
        })
        .collect())
}

/// The contracts a transfer moved.
pub async fn moved_by(
    conn: &impl ConnectionTrait,
    transfer: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    Ok(contract_novations::Entity::find()
        .select_only()
        .column(contract_novations::Column::ContractId)
        .filter(contract_novations::Column::TransferId.eq(transfer))
        .order_by_asc(contract_novations::Column::ContractId)
        .into_tuple::<Uuid>()
        .all(conn)
        .await?)
}
