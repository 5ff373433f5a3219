use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participation_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tender_id: Uuid,
    pub supplier_id: Uuid,
    pub statement: String,
    pub version: i32,
    pub submitted_by: Uuid,
    pub submitted_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub admitted: Option<bool>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
