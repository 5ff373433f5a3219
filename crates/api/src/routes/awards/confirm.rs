//! Confirming the contract once the standstill ends with no open challenge.

use super::*;

/// The contract's dates.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmContractRequest {
    /// The first day: on or after the day the standstill ended.
    pub start_date: NaiveDate,
    /// The last day; by default the day before the same date the tender's term later.
    pub end_date: Option<NaiveDate>,
}

/// Enters the contract with the awarded supplier (the tender's lead) once the standstill is over
/// and no challenge is open: the tender becomes `awarded`. With a standstill of 0 days it may
/// follow the award at once.
#[utoipa::path(
    post,
    path = "/tenders/{id}/contract",
    tag = "award",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = ConfirmContractRequest,
    responses(
        (status = 201, description = "The contract.", body = ContractResponse,
            headers(("Location" = String, description = "The contract's address."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn confirm_contract(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<ConfirmContractRequest>, ApiError>,
) -> Result<Created<ContractResponse>, ApiError> {
    domain::tender::require_tender_manager(&actor)?;
    let mut command = state.db.command().await?;
    let (tender, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    tender
        .scope(status)
        .check_lead(&actor, "enter the contract")?;
    let JsonBody(request) = body?;
    let next = status.confirm_award()?;
    let award = persistence::awards::in_force(command.conn(), tender.id)
        .await?
        .ok_or_else(|| DomainError::Conflict("the tender has no award in force".to_owned()))?;
    let open = persistence::awards::challenges(command.conn(), tender.id)
        .await?
        .into_iter()
        .filter(|c| c.status == ChallengeStatus::Open)
        .count();
    let now = command.now();
    contract::check_contract_may_start(award.standstill_ends_at, now, open)?;
    let term = ContractTerm::parse(
        request.start_date,
        request.end_date,
        u32::try_from(tender.contract_term_months).unwrap_or(1),
        uk_date(award.standstill_ends_at),
    )?;
    let bid = persistence::bids::find(command.conn(), tender.id, award.bid_id)
        .await?
        .ok_or(DomainError::NotFound("bid"))?;
    let created_contract = persistence::contracts::insert(
        command.conn(),
        persistence::contracts::NewContract {
            tender_id: tender.id,
            award_id: award.id,
            bid_id: bid.id,
            buyer_id: tender.buyer_id,
            supplier_id: award.supplier_id,
            title: tender.title.clone(),
            category: tender.category.clone(),
            region: tender.region,
            total_value_pence: bid.price_pence,
            annual_value_pence: term.annual_value_pence(bid.price_pence),
            start_date: term.start_date,
            end_date: term.end_date,
            awarded_at: award.awarded_at,
            created_by: actor.user_id,
        },
        now,
        uk_date(now),
    )
    .await?;
    persistence::awards::set_status(command.conn(), award.id, AwardStatus::Contracted, now).await?;
    persistence::tenders::set_status(command.conn(), &tender, next, Transition::default(), now)
        .await?;
    notify_bidders(
        &command,
        &tender,
        NotificationKind::ContractAwarded,
        format!("Contract entered: {}", tender.title),
        format!(
            "The contract runs from {} to {}.",
            term.start_date, term.end_date
        ),
    )
    .await?;
    let shown = crate::routes::contracts::present(command.conn(), created_contract).await?;
    command
        .audit(
            AuditEntry::new(Some(actor), "contract.created", "contract", shown.id)
                .after(serde_json::to_value(&shown).map_err(ApiError::internal)?),
        )
        .await?;
    command
        .audit(
            AuditEntry::new(Some(actor), "tender.contracted", "tender", tender.id)
                .before(serde_json::json!({"status": status.as_str()}))
                .after(serde_json::json!({"status": next.as_str(), "contract_id": shown.id})),
        )
        .await?;
    command.commit().await?;
    created(&format!("/api/v1/contracts/{}", shown.id), shown)
}
