use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "awards")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tender_id: Uuid,
    pub bid_id: Uuid,
    pub supplier_id: Uuid,
    pub rank: i32,
    pub justification: Option<String>,
    pub awarded_by: Uuid,
    pub awarded_at: DateTimeUtc,
    pub standstill_last_day: Option<Date>,
    pub standstill_ends_at: DateTimeUtc,
    pub status: String,
    pub cancelled_at: Option<DateTimeUtc>,
    pub assessment_summaries_sent_at: Option<DateTimeUtc>,
    pub lot_id: Option<Uuid>,
    pub framework: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
