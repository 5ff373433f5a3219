use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bid_exclusions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub bid_id: Uuid,
    pub tender_id: Uuid,
    pub reason: String,
    pub excluded_by: Uuid,
    pub excluded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
