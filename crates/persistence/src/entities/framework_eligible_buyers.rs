use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "framework_eligible_buyers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tender_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub buyer_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
