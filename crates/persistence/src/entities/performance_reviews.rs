use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "performance_reviews")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub contract_id: Uuid,
    pub supplier_id: Uuid,
    pub buyer_id: Uuid,
    pub period: String,
    pub delivery: i32,
    pub quality: i32,
    pub value_for_money: i32,
    pub responsiveness: i32,
    pub comments: Option<String>,
    pub reviewed_by: Uuid,
    pub reviewed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
