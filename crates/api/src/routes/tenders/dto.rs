//! The tender's shapes shared by its operations: states, procedures, criteria, amendments and the tender itself.

use super::*;

/// Whether a criterion scores price or quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = CriterionKind)]
pub enum CriterionKindDto {
    Price,
    Quality,
}

impl From<CriterionKind> for CriterionKindDto {
    fn from(kind: CriterionKind) -> Self {
        match kind {
            CriterionKind::Price => Self::Price,
            CriterionKind::Quality => Self::Quality,
        }
    }
}

impl CriterionKindDto {
    fn as_str(self) -> &'static str {
        match self {
            Self::Price => "price",
            Self::Quality => "quality",
        }
    }
}

mirror_enum!(
    /// The procedure (Procurement Act 2023 s.20): `open` (any supplier tenders),
    /// `competitive_flexible` (suppliers request to participate against the conditions of
    /// participation, the lead shortlists them with reasons, only the admitted tender), or
    /// `invited` (named suppliers quote; below threshold only).
    ProcedureDto as Procedure mirrors Procedure {
        Open = "open",
        CompetitiveFlexible = "competitive_flexible",
        DirectAward = "direct_award",
        Invited = "invited",
    }
);

mirror_enum!(
    /// The Schedule 5 ground of a direct award (Procurement Act 2023 s.41): `exclusive_rights`
    /// (para 5: only this supplier, through intellectual property or other exclusive rights, no
    /// reasonable alternative), `technical_reasons` (para 6: only this supplier, competition
    /// absent for technical reasons, no reasonable alternative), `additional_supply` (para 7:
    /// additional or repeat supply from the existing supplier where a change would be
    /// incompatible or disproportionately difficult), `repeat_supply` (para 8: similar services
    /// from the supplier of a competitively tendered contract within five years, provided for in
    /// its tender notice), `extreme_urgency` (para 13: strictly necessary for reasons of extreme
    /// and unavoidable urgency).
    DirectAwardGroundDto as DirectAwardGround mirrors domain::tender::DirectAwardGround {
        ExclusiveRights = "exclusive_rights",
        TechnicalReasons = "technical_reasons",
        AdditionalSupply = "additional_supply",
        RepeatSupply = "repeat_supply",
        ExtremeUrgency = "extreme_urgency",
    }
);

/// Where a tender is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = TenderStatus)]
pub enum TenderStatusDto {
    Draft,
    Published,
    Evaluation,
    Standstill,
    Awarded,
    Cancelled,
    Unsuccessful,
}

impl From<TenderStatus> for TenderStatusDto {
    fn from(s: TenderStatus) -> Self {
        match s {
            TenderStatus::Draft => Self::Draft,
            TenderStatus::Published => Self::Published,
            TenderStatus::Evaluation => Self::Evaluation,
            TenderStatus::Standstill => Self::Standstill,
            TenderStatus::Awarded => Self::Awarded,
            TenderStatus::Cancelled => Self::Cancelled,
            TenderStatus::Unsuccessful => Self::Unsuccessful,
        }
    }
}

impl From<TenderStatusDto> for TenderStatus {
    fn from(s: TenderStatusDto) -> Self {
        match s {
            TenderStatusDto::Draft => Self::Draft,
            TenderStatusDto::Published => Self::Published,
            TenderStatusDto::Evaluation => Self::Evaluation,
            TenderStatusDto::Standstill => Self::Standstill,
            TenderStatusDto::Awarded => Self::Awarded,
            TenderStatusDto::Cancelled => Self::Cancelled,
            TenderStatusDto::Unsuccessful => Self::Unsuccessful,
        }
    }
}

/// An evaluation criterion as the buyer writes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionInput {
    /// The criterion's name, unique within the tender.
    #[schema(min_length = 1, max_length = 200, example = "Delivery approach")]
    pub name: String,
    /// `price` (exactly one per tender) or `quality`.
    pub kind: CriterionKindDto,
    /// Its weight: a whole number of percent; the weights of a tender sum to 100.
    #[schema(minimum = 1, maximum = 100, example = 40)]
    pub weight: i64,
}

/// An evaluation criterion, with the id that bids' responses refer to.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Criterion)]
pub struct CriterionResponse {
    /// The criterion's id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// `price` or `quality`.
    pub kind: CriterionKindDto,
    /// Its weight in percent.
    pub weight: i32,
}

/// A lot as the buyer writes it (Procurement Act 2023 s.18).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LotInput {
    /// The lot's title, unique within the tender.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
        min_length = 1,
        max_length = 200,
        example = "Business intelligence"
    )]
    pub title: String,
    /// What the lot covers.
    #[schema(min_length = 1, max_length = 20000)]
    pub description: String,
    /// The lot's estimated value in pence, including VAT.
    #[schema(minimum = 1, maximum = 10000000000_i64)]
    pub estimated_value_pence: i64,
}

mirror_enum!(
    /// Whether a lot is open, in standstill after its award, contracted, or ended without one.
    LotStatusDto as LotStatus mirrors domain::tender::LotStatus {
        Open = "open",
        Standstill = "standstill",
        Awarded = "awarded",
        Unsuccessful = "unsuccessful",
    }
);

/// A lot of a divided tender: bid for, ranked and awarded on its own under the shared criteria.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Lot)]
pub struct LotResponse {
    /// The lot's id: bids, rankings, awards and contracts name it.
    pub id: Uuid,
    /// Its number, 1 for the first.
    pub number: i32,
    /// Its title.
    pub title: String,
    /// What it covers.
    pub description: String,
    /// Its estimated value in pence.
    pub estimated_value_pence: i64,
    /// `open` until awarded or declared unsuccessful; `standstill` after its award; `awarded`
    /// once its contract is entered.
    pub status: LotStatusDto,
    /// Why the lead declared it unsuccessful.
    pub unsuccessful_reason: Option<String>,
}

pub(crate) fn new_lots(lots: &[LotInput]) -> Vec<domain::tender::NewLot> {
    lots.iter()
        .map(|l| domain::tender::NewLot {
            title: l.title.clone(),
            description: l.description.clone(),
            estimated_value_pence: l.estimated_value_pence,
        })
        .collect()
}

/// One amendment to a published tender.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = TenderAmendment)]
pub struct AmendmentResponse {
    /// 1 for the first amendment, and so on.
    pub number: i32,
    /// What changed and why, as the buyer told bidders.
    pub note: String,
    /// The description before the amendment, when it changed.
    pub description_before: Option<String>,
    /// The description after the amendment, when it changed.
    pub description_after: Option<String>,
    /// The clarification deadline before.
    pub clarification_deadline_before: DateTime<Utc>,
    /// The clarification deadline after.
    pub clarification_deadline_after: DateTime<Utc>,
    /// The submission deadline before.
    pub submission_deadline_before: DateTime<Utc>,
    /// The submission deadline after.
    pub submission_deadline_after: DateTime<Utc>,
    /// Whether bids submitted before it need their suppliers' confirmation.
    pub bids_need_confirmation: bool,
    /// When it was made, by the database clock.
    pub amended_at: DateTime<Utc>,
}

impl From<AmendmentRecord> for AmendmentResponse {
    fn from(a: AmendmentRecord) -> Self {
        Self {
            bids_need_confirmation: domain::tender::reopens_bids(
                a.submission_deadline_before,
                a.submission_deadline_after,
                a.description_after.is_some(),
            ),
            number: a.number,
            note: a.note,
            description_before: a.description_before,
            description_after: a.description_after,
            clarification_deadline_before: a.clarification_deadline_before,
            clarification_deadline_after: a.clarification_deadline_after,
            submission_deadline_before: a.submission_deadline_before,
            submission_deadline_after: a.submission_deadline_after,
            amended_at: a.amended_at,
        }
    }
}

/// A tender.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Tender)]
pub struct TenderResponse {
    /// The tender's id.
    pub id: Uuid,
    /// The buying organisation.
    pub buyer_id: Uuid,
    /// The buyer's name.
    pub buyer_name: String,
    /// A short title.
    pub title: String,
    /// What is being bought.
    pub description: String,
    /// The service category's code.
    pub category: String,
    /// The NHS England region.
    pub region: RegionDto,
    /// The estimated contract value in pence.
    pub estimated_value_pence: i64,
    /// The most the buyer will pay, in pence. Never shown to suppliers: the key is absent from
    /// their responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_ceiling_pence: Option<i64>,
    /// The contract term in months.
    pub contract_term_months: i32,
    /// `open` or `invited`.
    pub procedure: ProcedureDto,
    /// The invited suppliers (invited tenders); absent from suppliers' responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invited_supplier_ids: Option<Vec<Uuid>>,
    /// The evaluation criteria, in order.
    pub criteria: Vec<CriterionResponse>,
    /// Questions close at this instant.
    pub clarification_deadline: DateTime<Utc>,
    /// Bids close at this instant, by the database clock.
    pub submission_deadline: DateTime<Utc>,
    /// Working days of standstill after award.
    pub standstill_days: i32,
    /// Whether the contract is a public contract above threshold under the Procurement Act
    /// 2023 (its estimated value including VAT not less than the buyer's threshold, Schedule 1):
    /// as of the last save while a draft, fixed when it is published. Above threshold the Act's
    /// minimum periods (s.54) and an 8-working-day standstill (s.51) apply, and `invited` is
    /// refused.
    pub above_threshold: bool,
    /// The urgency the buyer states to shorten the minimum tendering period to 10 days (s.54(4)).
    pub urgency_reason: Option<String>,
    /// The planned procurement notice (UK3) relied on to shorten the tendering period (s.54(5)).
    pub planned_procurement_notice_id: Option<Uuid>,
    /// Competitive flexible: when requests to participate close.
    pub expression_of_interest_deadline: Option<DateTime<Utc>>,
    /// Competitive flexible: what a supplier must show to be admitted.
    pub conditions_of_participation: Option<String>,
    /// Competitive flexible: when the lead decided the shortlist; only the admitted tender.
    pub shortlisted_at: Option<DateTime<Utc>>,
    /// Direct award: the Schedule 5 ground.
    pub direct_award_ground: Option<DirectAwardGroundDto>,
    /// Direct award: why the ground applies (published in the transparency notice).
    pub direct_award_justification: Option<String>,
    /// Direct award: the supplier to be awarded.
    pub direct_award_supplier_id: Option<Uuid>,
    /// Direct award: when its transparency standstill is over (8 working days above threshold,
    /// beginning with the day the transparency notice was published; s.44, s.51); the contract
    /// is entered after it.
    pub standstill_ends_at: Option<DateTime<Utc>>,
    /// The state in force now, by the database clock.
    pub status: TenderStatusDto,
    /// The version; also sent as the `ETag` header.
    pub version: i32,
    /// When the draft was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was published.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why it was cancelled.
    pub cancellation_reason: Option<String>,
    /// When the buyer first opened the bids after the deadline.
    pub bids_opened_at: Option<DateTime<Utc>>,
    /// Why the lead declared the tender unsuccessful (no compliant bid).
    pub unsuccessful_reason: Option<String>,
    /// Every amendment since publication, oldest first.
    pub amendments: Vec<AmendmentResponse>,
    /// The lots it is divided into, in order; empty when it is not divided.
    pub lots: Vec<LotResponse>,
    /// The most lots one supplier may be awarded.
    pub max_lots_per_supplier: Option<i32>,
    /// Why it is not divided into lots (required above threshold, s.18).
    pub no_lots_rationale: Option<String>,
    /// A framework tender's terms; null for a contract.
    pub framework: Option<crate::routes::frameworks::FrameworkTermsResponse>,
    /// The framework a competitive selection call-off is run under.
    pub call_off_of: Option<Uuid>,
}

pub(crate) type Tagged = ([(HeaderName, HeaderValue); 1], Json<TenderResponse>);

pub(crate) fn tagged(tender: TenderResponse) -> Tagged {
    ([etag_header(tender.version)], Json(tender))
}

pub(crate) fn new_criteria(criteria: &[CriterionInput]) -> Vec<NewCriterion> {
    criteria
        .iter()
        .map(|c| NewCriterion {
            name: c.name.clone(),
            kind: c.kind.as_str().to_owned(),
            weight: c.weight,
        })
        .collect()
}

impl From<TenderView> for TenderResponse {
    fn from(view: TenderView) -> Self {
        let budget_ceiling_pence = view.budget_ceiling_pence();
        let invited_supplier_ids = view
            .invited_supplier_ids()
            .map(|ids| ids.iter().map(|i| i.as_uuid()).collect());
        let t = view.tender;
        Self {
            id: t.id.as_uuid(),
            buyer_id: t.buyer_id.as_uuid(),
            buyer_name: view.buyer_name,
            title: t.title,
            description: t.description,
            category: t.category,
            region: t.region.into(),
            estimated_value_pence: t.estimated_value_pence,
            budget_ceiling_pence,
            contract_term_months: t.contract_term_months,
            procedure: t.procedure.into(),
            invited_supplier_ids,
            criteria: t
                .criteria
                .iter()
                .map(|c| CriterionResponse {
                    id: c.id.as_uuid(),
                    name: c.name.clone(),
                    kind: c.kind.into(),
                    weight: c.weight,
                })
                .collect(),
            clarification_deadline: t.clarification_deadline,
            submission_deadline: t.submission_deadline,
            standstill_days: t.standstill_days,
            above_threshold: t.above_threshold,
            urgency_reason: t.urgency_reason,
            planned_procurement_notice_id: t.planned_procurement_notice_id.map(|n| n.as_uuid()),
            expression_of_interest_deadline: t.expression_of_interest_deadline,
            conditions_of_participation: t.conditions_of_participation.clone(),
            shortlisted_at: t.shortlisted_at,
            direct_award_ground: t.direct_award.as_ref().map(|d| d.ground.into()),
            direct_award_justification: t.direct_award.as_ref().map(|d| d.justification.clone()),
            direct_award_supplier_id: t.direct_award.as_ref().map(|d| d.supplier_id.as_uuid()),
            standstill_ends_at: t.transparency_standstill_ends_at,
            status: view.status.into(),
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
            published_at: t.published_at,
            cancelled_at: t.cancelled_at,
            cancellation_reason: t.cancellation_reason,
            bids_opened_at: t.bids_opened_at,
            unsuccessful_reason: t.unsuccessful_reason,
            amendments: view.amendments.into_iter().map(Into::into).collect(),
            lots: t
                .lots
                .into_iter()
                .map(|l| LotResponse {
                    id: l.id.as_uuid(),
                    number: l.number,
                    title: l.title,
                    description: l.description,
                    estimated_value_pence: l.estimated_value_pence,
                    status: l.status.into(),
                    unsuccessful_reason: l.unsuccessful_reason,
                })
                .collect(),
            max_lots_per_supplier: t.max_lots_per_supplier,
            no_lots_rationale: t.no_lots_rationale,
            framework: t.framework.as_ref().map(Into::into),
            call_off_of: t.call_off_of.map(|f| f.as_uuid()),
        }
    }
}
