use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub notice_type: String,
    pub buyer_id: Uuid,
    pub tender_id: Option<Uuid>,
    pub contract_id: Option<Uuid>,
    pub sequence: i32,
    pub previous_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub category_code: String,
    pub region: String,
    pub published_at: DateTimeUtc,
    pub published_by: Option<Uuid>,
    pub details: String,
    pub release: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
