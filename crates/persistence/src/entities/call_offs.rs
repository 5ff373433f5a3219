use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "call_offs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub framework_id: Uuid,
    pub lot_id: Option<Uuid>,
    pub buyer_id: Uuid,
    pub method: String,
    pub title: String,
    pub status: String,
    pub search: Option<String>,
    pub volumes: Option<String>,
    pub term_months: i32,
    pub tender_id: Option<Uuid>,
    pub offer_id: Option<Uuid>,
    pub justification: Option<String>,
    pub contract_id: Option<Uuid>,
    pub cancel_reason: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
