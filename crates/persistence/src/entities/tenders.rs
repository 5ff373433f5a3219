use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub buyer_id: Uuid,
    pub title: String,
    pub description: String,
    pub category_code: String,
    pub region: String,
    pub estimated_value_pence: i64,
    pub budget_ceiling_pence: Option<i64>,
    pub contract_term_months: i32,
    pub procedure: String,
    pub clarification_deadline: DateTimeUtc,
    pub submission_deadline: DateTimeUtc,
    pub standstill_days: i32,
    pub status: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub cancellation_reason: Option<String>,
    pub bids_opened_at: Option<DateTimeUtc>,
    pub bids_opened_by: Option<Uuid>,
    pub unsuccessful_reason: Option<String>,
    pub above_threshold: bool,
    pub urgency_reason: Option<String>,
    pub planned_procurement_notice_id: Option<Uuid>,
    pub expression_of_interest_deadline: Option<DateTimeUtc>,
    pub conditions_of_participation: Option<String>,
    pub shortlisted_at: Option<DateTimeUtc>,
    pub direct_award_ground: Option<String>,
    pub direct_award_justification: Option<String>,
    pub direct_award_supplier_id: Option<Uuid>,
    pub transparency_standstill_last_day: Option<Date>,
    pub transparency_standstill_ends_at: Option<DateTimeUtc>,
    pub max_lots_per_supplier: Option<i32>,
    pub no_lots_rationale: Option<String>,
    pub framework_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
