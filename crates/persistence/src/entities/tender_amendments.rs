use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tender_amendments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tender_id: Uuid,
    pub number: i32,
    pub note: String,
    pub description_before: Option<String>,
    pub description_after: Option<String>,
    pub clarification_deadline_before: DateTimeUtc,
    pub clarification_deadline_after: DateTimeUtc,
    pub submission_deadline_before: DateTimeUtc,
    pub submission_deadline_after: DateTimeUtc,
    pub bids_reopened: i32,
    pub amended_by: Uuid,
    pub amended_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
