//! Creating and editing a draft tender.

use super::*;
use crate::extract::JsonPatch;

/// A new tender, created as a draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenderRequest {
    /// A short title.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
        min_length = 1,
        max_length = 200,
        example = "Procurement support service"
    )]
    pub title: String,
    /// What is being bought.
    #[schema(min_length = 1, max_length = 20000)]
    pub description: String,
    /// A category code from `GET /api/v1/categories`.
    #[schema(min_length = 1, max_length = 60, example = "procurement")]
    pub category: String,
    /// The NHS England region.
    pub region: RegionDto,
    /// The estimated contract value in pence, including VAT (as the Procurement Act 2023
    /// measures it against the threshold).
    #[schema(minimum = 1, maximum = 10000000000_i64, example = 15000000)]
    pub estimated_value_pence: i64,
    /// The most the buyer will pay, in pence; never shown to suppliers.
    #[schema(minimum = 1, maximum = 10000000000_i64)]
    pub budget_ceiling_pence: Option<i64>,
    /// The contract term, 1 to 120 months.
    #[schema(minimum = 1, maximum = 120, example = 24)]
    pub contract_term_months: i64,
    /// `open`, `competitive_flexible`, `direct_award` (Schedule 5), or `invited` (below
    /// threshold only).
    pub procedure: ProcedureDto,
    /// For an invited tender: the supplier organisations invited (1 to 100).
    #[serde(default)]
    #[schema(max_items = 100)]
    pub invited_supplier_ids: Vec<Uuid>,
    /// The evaluation criteria: exactly one of kind price; weights sum to 100. None for a
    /// direct award.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub criteria: Vec<CriterionInput>,
    /// When questions close; no later than the submission deadline. Required but for a direct
    /// award, which has none.
    pub clarification_deadline: Option<DateTime<Utc>>,
    /// When bids close. Required but for a direct award, which has none.
    pub submission_deadline: Option<DateTime<Utc>>,
    /// Working days of standstill after award, 0 to 30 (default 8; at least 8 above threshold).
    #[schema(minimum = 0, maximum = 30)]
    pub standstill_days: Option<i64>,
    /// Above threshold: why the minimum tendering period must be shortened because of urgency
    /// (s.54(4): 10 days instead of 25). Published with the tender.
    #[schema(max_length = 2000)]
    pub urgency_reason: Option<String>,
    /// Above threshold: a planned procurement notice (UK3) of the same buyer, published at
    /// least 40 days and at most a year before this tender is published, that shortens the
    /// minimum tendering period to 10 days (s.54(4) and (5)).
    pub planned_procurement_notice_id: Option<Uuid>,
    /// Competitive flexible only (required then): when requests to participate close, before
    /// the submission deadline. Above threshold at least 25 days after the tender notice (10
    /// with an `urgency_reason`; s.54(3)).
    pub expression_of_interest_deadline: Option<DateTime<Utc>>,
    /// Competitive flexible only (required then): what a supplier must show to be admitted to
    /// the shortlist (s.22).
    #[schema(max_length = 20000)]
    pub conditions_of_participation: Option<String>,
    /// Direct award only (required then): the Schedule 5 ground.
    pub direct_award_ground: Option<DirectAwardGroundDto>,
    /// Direct award only (required then): why the ground applies, published in the
    /// transparency notice (UK5).
    #[schema(max_length = 20000)]
    pub direct_award_justification: Option<String>,
    /// Direct award only (required then): the supplier to be awarded.
    pub direct_award_supplier_id: Option<Uuid>,
    /// The lots the contract is divided into (2 to 50), or none (s.18). Criteria are shared;
    /// each lot is bid for, ranked and awarded on its own.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub lots: Vec<LotInput>,
    /// With lots: the most lots one supplier may be awarded (1 to the number of lots).
    #[schema(minimum = 1, maximum = 50)]
    pub max_lots_per_supplier: Option<i64>,
    /// Without lots: why the contract is not divided. Required above threshold (Procurement
    /// Act 2023 s.18: the reasons are published in the tender or transparency notice).
    #[schema(max_length = 2000)]
    pub no_lots_rationale: Option<String>,
    /// A framework's terms: the tender then procures a framework (s.45) instead of a contract,
    /// its award admitting up to `max_suppliers` suppliers (per lot).
    pub framework: Option<crate::routes::frameworks::FrameworkTermsInput>,
}

pub(crate) type Created = (
    StatusCode,
    [(HeaderName, HeaderValue); 2],
    Json<TenderResponse>,
);

/// Creates a draft tender for the signed-in buyer lead's organisation.
#[utoipa::path(
    post,
    path = "/tenders",
    tag = "tenders",
    security(("bearer" = [])),
    request_body = CreateTenderRequest,
    responses(
        (status = 201, description = "Created as a draft.", body = TenderResponse,
            headers(("Location" = String, description = "The tender's address."),
                    ("ETag" = String, description = "The tender's version."))),
        crate::error::BodyProblems,
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
pub async fn create_tender(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    body: Result<JsonBody<CreateTenderRequest>, ApiError>,
) -> Result<Created, ApiError> {
    tender::require_tender_manager(&actor)?;
    let JsonBody(request) = body?;
    let spec = request.spec()?;
    let shown = TenderResponse::from(service::tenders::create(&state.ctx, &actor, &spec).await?);
    let location = HeaderValue::from_str(&format!("/api/v1/tenders/{}", shown.id))
        .map_err(ApiError::internal)?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location), etag_header(shown.version)],
        Json(shown),
    ))
}

/// A change to a draft; omitted fields stay as they are. Criteria, when given, replace the
/// draft's criteria (and get new ids).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct UpdateTenderRequest {
    /// A short title.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
        min_length = 1,
        max_length = 200
    )]
    pub title: Option<String>,
    /// What is being bought.
    #[schema(min_length = 1, max_length = 20000)]
    pub description: Option<String>,
    /// A category code.
    #[schema(min_length = 1, max_length = 60)]
    pub category: Option<String>,
    /// The region.
    pub region: Option<RegionDto>,
    /// The estimated value in pence.
    #[schema(minimum = 1, maximum = 10000000000_i64)]
    pub estimated_value_pence: Option<i64>,
    /// The budget ceiling in pence; null removes it.
    #[serde(default, deserialize_with = "crate::dto::double_option")]
    #[schema(minimum = 1, maximum = 10000000000_i64)]
    pub budget_ceiling_pence: Option<Option<i64>>,
    /// The contract term, 1 to 120 months.
    #[schema(minimum = 1, maximum = 120)]
    pub contract_term_months: Option<i64>,
    /// `open`, `competitive_flexible` or `invited`.
    pub procedure: Option<ProcedureDto>,
    /// The invited suppliers.
    #[schema(max_items = 100)]
    pub invited_supplier_ids: Option<Vec<Uuid>>,
    /// The criteria, replacing the current ones.
    #[schema(min_items = 1, max_items = 20)]
    pub criteria: Option<Vec<CriterionInput>>,
    /// When questions close.
    pub clarification_deadline: Option<DateTime<Utc>>,
    /// When bids close.
    pub submission_deadline: Option<DateTime<Utc>>,
    /// Working days of standstill, 0 to 30.
    #[schema(minimum = 0, maximum = 30)]
    pub standstill_days: Option<i64>,
    /// The stated urgency; null withdraws it.
    #[serde(default, deserialize_with = "crate::dto::double_option")]
    #[schema(max_length = 2000)]
    pub urgency_reason: Option<Option<String>>,
    /// The planned procurement notice relied on; null no longer relies on one.
    #[serde(default, deserialize_with = "crate::dto::double_option")]
    pub planned_procurement_notice_id: Option<Option<Uuid>>,
    /// When requests to participate close; null removes it.
    #[serde(default, deserialize_with = "crate::dto::double_option")]
    pub expression_of_interest_deadline: Option<Option<DateTime<Utc>>>,
    /// The conditions of participation; null removes them.
    #[serde(default, deserialize_with = "crate::dto::double_option")]
    #[schema(max_length = 20000)]
    pub conditions_of_participation: Option<Option<String>>,
    /// The Schedule 5 ground; null removes it.
    #[serde(default, deserialize_with = "crate::dto::double_option")]
    pub direct_award_ground: Option<Option<DirectAwardGroundDto>>,
    /// Why the ground applies; null removes it.
    #[serde(default, deserialize_with = "crate::dto::double_option")]
    #[schema(max_length = 20000)]
    pub direct_award_justification: Option<Option<String>>,
    /// The supplier to be awarded; null removes it.
    #[serde(default, deserialize_with = "crate::dto::double_option")]
    pub direct_award_supplier_id: Option<Option<Uuid>>,
    /// The lots, replacing the current ones (they get new ids); an empty list: not divided.
    #[schema(max_items = 50)]
    pub lots: Option<Vec<LotInput>>,
    /// The most lots one supplier may be awarded; null removes the limit.
    #[serde(default, deserialize_with = "crate::dto::double_option")]
    #[schema(minimum = 1, maximum = 50)]
    pub max_lots_per_supplier: Option<Option<i64>>,
    /// Why the contract is not divided; null removes it.
    #[serde(default, deserialize_with = "crate::dto::double_option")]
    #[schema(max_length = 2000)]
    pub no_lots_rationale: Option<Option<String>>,
    /// The framework's terms; null: the tender procures a contract.
    #[serde(default, deserialize_with = "crate::dto::double_option")]
    pub framework: Option<Option<crate::routes::frameworks::FrameworkTermsInput>>,
}

impl From<UpdateTenderRequest> for service::tenders::DraftChanges {
    fn from(r: UpdateTenderRequest) -> Self {
        Self {
            title: r.title,
            description: r.description,
            category: r.category,
            region: r.region.map(Into::into),
            estimated_value_pence: r.estimated_value_pence,
            budget_ceiling_pence: r.budget_ceiling_pence,
            contract_term_months: r.contract_term_months,
            procedure: r.procedure.map(Into::into),
            invited_supplier_ids: r
                .invited_supplier_ids
                .map(|ids| ids.into_iter().map(OrganisationId::from_uuid).collect()),
            criteria: r.criteria.as_deref().map(new_criteria),
            clarification_deadline: r.clarification_deadline,
            submission_deadline: r.submission_deadline,
            standstill_days: r.standstill_days,
            urgency_reason: r.urgency_reason,
            planned_procurement_notice_id: r
                .planned_procurement_notice_id
                .map(|n| n.map(NoticeId::from_uuid)),
            expression_of_interest_deadline: r.expression_of_interest_deadline,
            conditions_of_participation: r.conditions_of_participation,
            direct_award_ground: r.direct_award_ground.map(|g| g.map(Into::into)),
            direct_award_justification: r.direct_award_justification,
            direct_award_supplier_id: r
                .direct_award_supplier_id
                .map(|s| s.map(OrganisationId::from_uuid)),
            lots: r.lots.as_deref().map(new_lots),
            max_lots_per_supplier: r.max_lots_per_supplier,
            no_lots_rationale: r.no_lots_rationale,
            framework: r.framework.map(|f| f.as_ref().map(Into::into)),
        }
    }
}

/// Edits a draft (the buyer's lead only). Requires `If-Match` with the ETag last read. A
/// published tender is changed by an amendment instead.
#[utoipa::path(
    patch,
    path = "/tenders/{id}",
    tag = "tenders",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("If-Match" = String, Header, description = "The ETag of the version being changed."),
    ),
    request_body = UpdateTenderRequest,
    responses(
        (status = 200, description = "The changed draft.", body = TenderResponse,
            headers(("ETag" = String, description = "The new version."))),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        crate::error::VersionProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn update_tender(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    if_match: IfMatch,
    body: Result<JsonPatch<UpdateTenderRequest>, ApiError>,
) -> Result<Tagged, ApiError> {
    tender::require_tender_manager(&actor)?;
    let JsonPatch(request) = body?;
    let view = service::tenders::update(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        &if_match.expected(),
        &request.into(),
    )
    .await?;
    Ok(tagged(view.into()))
}

impl CreateTenderRequest {
    /// The draft as the domain parses it.
    pub fn spec(&self) -> Result<TenderSpec, DomainError> {
        let criteria = new_criteria(&self.criteria);
        let lots = new_lots(&self.lots);
        let framework: Option<domain::framework::NewFrameworkTerms> =
            self.framework.as_ref().map(Into::into);
        let invited: Vec<OrganisationId> = self
            .invited_supplier_ids
            .iter()
            .copied()
            .map(OrganisationId::from_uuid)
            .collect();
        TenderSpec::parse(&TenderFields {
            title: &self.title,
            description: &self.description,
            category: &self.category,
            region: self.region.into(),
            estimated_value_pence: self.estimated_value_pence,
            budget_ceiling_pence: self.budget_ceiling_pence,
            contract_term_months: self.contract_term_months,
            procedure: self.procedure.into(),
            invited_supplier_ids: &invited,
            criteria: &criteria,
            clarification_deadline: self.clarification_deadline,
            submission_deadline: self.submission_deadline,
            standstill_days: self.standstill_days,
            urgency_reason: self.urgency_reason.as_deref(),
            planned_procurement_notice_id: self
                .planned_procurement_notice_id
                .map(NoticeId::from_uuid),
            expression_of_interest_deadline: self.expression_of_interest_deadline,
            conditions_of_participation: self.conditions_of_participation.as_deref(),
            direct_award_ground: self.direct_award_ground.map(Into::into),
            direct_award_justification: self.direct_award_justification.as_deref(),
            direct_award_supplier_id: self.direct_award_supplier_id.map(OrganisationId::from_uuid),
            lots: &lots,
            max_lots_per_supplier: self.max_lots_per_supplier,
            no_lots_rationale: self.no_lots_rationale.as_deref(),
            framework: framework.as_ref(),
        })
    }
}
