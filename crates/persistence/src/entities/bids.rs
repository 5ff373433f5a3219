use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bids")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tender_id: Uuid,
    pub supplier_id: Uuid,
    pub status: String,
    pub price_pence: i64,
    pub offer_id: Option<Uuid>,
    pub responses: String,
    pub version: i32,
    pub first_submitted_at: DateTimeUtc,
    pub submitted_at: DateTimeUtc,
    pub confirmed_at: Option<DateTimeUtc>,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub lot_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
