//! Frameworks: a tender's framework terms (written with the draft), the framework agreement
//! entered after the standstill, and the suppliers' places on it (per lot), which a takeover
//! moves to the acquirer.

use crate::StoreError;
use crate::entities::{framework_eligible_buyers, framework_places, framework_terms, frameworks};
use chrono::{DateTime, NaiveDate, Utc};
use domain::framework::{CallOffMethod, EligibleBuyers, FrameworkStatus, FrameworkTerms};
use domain::ids::{FrameworkId, LotId, OrganisationId, TenderId, UserId};
use domain::organisation::Region;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

fn corrupt(id: Uuid, what: &str) -> StoreError {
    StoreError::Corrupt(format!("framework {id}: {what}"))
}

/// Writes `terms` as the tender's framework terms, replacing any it had.
pub(crate) async fn write_terms(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    terms: Option<&FrameworkTerms>,
) -> Result<(), StoreError> {
    framework_eligible_buyers::Entity::delete_many()
        .filter(framework_eligible_buyers::Column::TenderId.eq(tender.as_uuid()))
        .exec(conn)
        .await?;
    framework_terms::Entity::delete_many()
        .filter(framework_terms::Column::TenderId.eq(tender.as_uuid()))
        .exec(conn)
        .await?;
    let Some(terms) = terms else {
        return Ok(());
    };
    let methods: Vec<&str> = terms.call_off_methods.iter().map(|m| m.as_str()).collect();
    framework_terms::ActiveModel {
        tender_id: Set(tender.as_uuid()),
        max_suppliers: Set(i32::from(terms.max_suppliers)),
        term_months: Set(i32::from(terms.term_months)),
        call_off_methods: Set(methods.join(",")),
        direct_award_rule: Set(terms.direct_award_rule.map(|r| r.as_str().to_owned())),
        all_buyers: Set(terms.eligible_buyers == EligibleBuyers::All),
    }
    .insert(conn)
    .await?;
    if let EligibleBuyers::Listed(buyers) = &terms.eligible_buyers {
        let rows: Vec<framework_eligible_buyers::ActiveModel> = buyers
            .iter()
            .map(|buyer| framework_eligible_buyers::ActiveModel {
                tender_id: Set(tender.as_uuid()),
                buyer_id: Set(buyer.as_uuid()),
            })
            .collect();
        framework_eligible_buyers::Entity::insert_many(rows)
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// The tender's framework terms, if it procures a framework.
pub(crate) async fn read_terms(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<Option<FrameworkTerms>, StoreError> {
    let Some(model) = framework_terms::Entity::find_by_id(tender.as_uuid())
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let id = model.tender_id;
    let call_off_methods = model
        .call_off_methods
        .split(',')
        .map(|m| {
            m.parse::<CallOffMethod>()
                .map_err(|_| corrupt(id, "call-off method"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let eligible_buyers = if model.all_buyers {
        EligibleBuyers::All
    } else {
        EligibleBuyers::Listed(
            framework_eligible_buyers::Entity::find()
                .filter(framework_eligible_buyers::Column::TenderId.eq(id))
                .order_by_asc(framework_eligible_buyers::Column::BuyerId)
                .all(conn)
                .await?
                .into_iter()
                .map(|b| OrganisationId::from_uuid(b.buyer_id))
                .collect(),
        )
    };
    Ok(Some(FrameworkTerms {
        max_suppliers: u8::try_from(model.max_suppliers).map_err(|_| corrupt(id, "max"))?,
        term_months: u8::try_from(model.term_months).map_err(|_| corrupt(id, "term"))?,
        call_off_methods,
        direct_award_rule: model
            .direct_award_rule
            .map(|r| r.parse().map_err(|_| corrupt(id, "direct award rule")))
            .transpose()?,
        eligible_buyers,
    }))
}

/// A framework agreement as stored; `status` is the state on the day it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framework {
    pub id: FrameworkId,
    pub tender_id: TenderId,
    pub buyer_id: OrganisationId,
    pub title: String,
    pub category: String,
    pub region: Region,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub status: FrameworkStatus,
    pub created_at: DateTime<Utc>,
    pub created_by: UserId,
}

fn framework(model: frameworks::Model, today: NaiveDate) -> Result<Framework, StoreError> {
    Ok(Framework {
        id: FrameworkId::from_uuid(model.id),
        tender_id: TenderId::from_uuid(model.tender_id),
        buyer_id: OrganisationId::from_uuid(model.buyer_id),
        region: model
            .region
            .parse()
            .map_err(|_| corrupt(model.id, "region"))?,
        title: model.title,
        category: model.category_code,
        start_date: model.start_date,
        end_date: model.end_date,
        status: FrameworkStatus::on(model.end_date, today),
        created_at: model.created_at,
        created_by: UserId::from_uuid(model.created_by),
    })
}

/// What a new framework agreement records.
#[derive(Debug, Clone)]
pub struct NewFramework {
    pub tender_id: TenderId,
    pub buyer_id: OrganisationId,
    pub title: String,
    pub category: String,
    pub region: Region,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub created_by: UserId,
}

/// Stores the agreement; one per tender (the database refuses a second).
pub async fn insert(
    conn: &impl ConnectionTrait,
    new: NewFramework,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Framework, StoreError> {
    let model = frameworks::ActiveModel {
        id: Set(FrameworkId::new().as_uuid()),
        tender_id: Set(new.tender_id.as_uuid()),
        buyer_id: Set(new.buyer_id.as_uuid()),
        title: Set(new.title),
        category_code: Set(new.category),
        region: Set(new.region.code().to_owned()),
        start_date: Set(new.start_date),
        end_date: Set(new.end_date),
        created_at: Set(now),
        created_by: Set(new.created_by.as_uuid()),
    }
    .insert(conn)
    .await
    .map_err(|e| StoreError::unique_conflict(e, "the tender already has its framework"))?;
    framework(model, today)
}

pub async fn find(
    conn: &impl ConnectionTrait,
    id: FrameworkId,
    today: NaiveDate,
) -> Result<Option<Framework>, StoreError> {
    crate::one_as(conn, frameworks::Entity::find_by_id(id.as_uuid()), |m| {
        framework(m, today)
    })
    .await
}

/// The framework agreement a tender procured, once entered.
pub async fn of_tender(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    today: NaiveDate,
) -> Result<Option<Framework>, StoreError> {
    crate::one_as(
        conn,
        frameworks::Entity::find().filter(frameworks::Column::TenderId.eq(tender.as_uuid())),
        |m| framework(m, today),
    )
    .await
}

/// Every framework agreement, the latest entered first.
pub async fn list(
    conn: &impl ConnectionTrait,
    today: NaiveDate,
) -> Result<Vec<Framework>, StoreError> {
    crate::all_as(
        conn,
        frameworks::Entity::find()
            .order_by_desc(frameworks::Column::CreatedAt)
            .order_by_asc(frameworks::Column::Id),
        |m| framework(m, today),
    )
    .await
}

/// A supplier's place on a framework (on one lot of a divided one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub id: Uuid,
    pub framework_id: FrameworkId,
    pub lot_id: Option<LotId>,
    /// The award that admitted it.
    pub award_id: Uuid,
    /// Who won it, and who holds it now (the acquirer, after a takeover).
    pub awarded_supplier_id: OrganisationId,
    pub supplier_id: OrganisationId,
    pub joined_at: DateTime<Utc>,
    /// When it ended: its holder was taken over by a supplier already on the same lot.
    pub ended_at: Option<DateTime<Utc>>,
}

fn place(model: framework_places::Model) -> Result<Place, StoreError> {
    Ok(Place {
        id: model.id,
        framework_id: FrameworkId::from_uuid(model.framework_id),
        lot_id: model.lot_id.map(LotId::from_uuid),
        award_id: model.award_id,
        awarded_supplier_id: OrganisationId::from_uuid(model.awarded_supplier_id),
        supplier_id: OrganisationId::from_uuid(model.supplier_id),
        joined_at: model.joined_at,
        ended_at: model.ended_at,
    })
}

/// Admits the awarded supplier of `award` to the framework on `lot`.
pub async fn add_place(
    conn: &impl ConnectionTrait,
    framework: FrameworkId,
    lot: Option<LotId>,
    award: Uuid,
    supplier: OrganisationId,
    now: DateTime<Utc>,
) -> Result<Place, StoreError> {
    let model = framework_places::ActiveModel {
        id: Set(Uuid::new_v4()),
        framework_id: Set(framework.as_uuid()),
        lot_id: Set(lot.map(|l| l.as_uuid())),
        award_id: Set(award),
        awarded_supplier_id: Set(supplier.as_uuid()),
        supplier_id: Set(supplier.as_uuid()),
        joined_at: Set(now),
        ended_at: Set(None),
    }
    .insert(conn)
    .await?;
    place(model)
}

/// The framework's places in force, earliest admitted first.
pub async fn places(
    conn: &impl ConnectionTrait,
    framework: FrameworkId,
) -> Result<Vec<Place>, StoreError> {
    crate::all_as(
        conn,
        framework_places::Entity::find()
            .filter(framework_places::Column::FrameworkId.eq(framework.as_uuid()))
            .filter(framework_places::Column::EndedAt.is_null())
            .order_by_asc(framework_places::Column::JoinedAt)
            .order_by_asc(framework_places::Column::Id),
        place,
    )
    .await
}

/// The places in force that `supplier` holds, on any framework.
pub async fn places_of(
    conn: &impl ConnectionTrait,
    supplier: OrganisationId,
) -> Result<Vec<Place>, StoreError> {
    crate::all_as(
        conn,
        framework_places::Entity::find()
            .filter(framework_places::Column::SupplierId.eq(supplier.as_uuid()))
            .filter(framework_places::Column::EndedAt.is_null())
            .order_by_asc(framework_places::Column::JoinedAt)
            .order_by_asc(framework_places::Column::Id),
        place,
    )
    .await
}

/// Whether `supplier` holds a place in force on the framework (on `lot`, of a divided one).
pub async fn holds_place(
    conn: &impl ConnectionTrait,
    framework: FrameworkId,
    lot: Option<LotId>,
    supplier: OrganisationId,
) -> Result<bool, StoreError> {
    Ok(places(conn, framework)
        .await?
        .iter()
        .any(|p| p.supplier_id == supplier && p.lot_id == lot))
}

/// Moves a place to `to` (a takeover), or ends it when `to` already holds one on that lot.
pub async fn move_place(
    conn: &impl ConnectionTrait,
    moved: &Place,
    to: OrganisationId,
    end: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let update = framework_places::Entity::update_many();
    let update = if end {
        update.col_expr(framework_places::Column::EndedAt, Expr::value(now))
    } else {
        update.col_expr(
            framework_places::Column::SupplierId,
            Expr::value(to.as_uuid()),
        )
    };
    update
        .filter(framework_places::Column::Id.eq(moved.id))
        .exec(conn)
        .await?;
    Ok(())
}
