use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "call_off_shortlist")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub call_off_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub offer_id: Uuid,
    pub supplier_id: Uuid,
    pub supplier_name: String,
    pub title: String,
    pub pricing_unit: String,
    pub unit_price_pence: i64,
    pub annual_price_pence: i64,
    pub basis: String,
    pub rating: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
