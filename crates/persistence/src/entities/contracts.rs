use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contracts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tender_id: Uuid,
    pub award_id: Uuid,
    pub bid_id: Uuid,
    pub buyer_id: Uuid,
    pub supplier_id: Uuid,
    pub awarded_supplier_id: Uuid,
    pub title: String,
    pub category_code: String,
    pub region: String,
    pub total_value_pence: i64,
    pub annual_value_pence: i64,
    pub start_date: Date,
    pub end_date: Date,
    pub status: String,
    pub awarded_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub created_by: Uuid,
    pub terminated_at: Option<DateTimeUtc>,
    pub termination_reason: Option<String>,
    pub ended_at: Option<DateTimeUtc>,
    pub lot_id: Option<Uuid>,
    pub framework_id: Option<Uuid>,
    pub call_off_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
