//! The award: to the top-ranked bid, or another with a justification, starting the standstill.

use super::*;

/// The award.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardRequest {
    /// The bid to award.
    pub bid_id: Uuid,
    /// Why, when the bid is not the top-ranked: required then, 1 to 5000 characters.
    #[schema(max_length = 5000)]
    pub justification: Option<String>,
}

/// An award and its standstill.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Award)]
pub struct AwardResponse {
    /// The award's id.
    pub id: Uuid,
    /// The tender.
    pub tender_id: Uuid,
    /// The winning bid.
    pub bid_id: Uuid,
    /// The winner.
    pub supplier_id: Uuid,
    /// The winner's name.
    pub supplier_name: String,
    /// The winning bid's rank when awarded (1 unless the lead justified another).
    pub rank: i32,
    /// Why a bid other than the top-ranked was awarded; shown to the buyer, the regulator and
    /// admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// When it was awarded, by the database clock.
    pub awarded_at: DateTime<Utc>,
    /// The standstill's last working day (UK date); null when the tender has no standstill.
    pub standstill_last_day: Option<NaiveDate>,
    /// When the standstill is over: UK midnight after its last day (or the award itself with a
    /// standstill of 0 days). Challenges are lodged before it, the contract entered after it.
    pub standstill_ends_at: DateTime<Utc>,
    /// `standstill`, `contracted` or `cancelled`.
    pub status: String,
}

pub(crate) fn award_response(
    award: Award,
    supplier_name: String,
    confidential: bool,
) -> AwardResponse {
    AwardResponse {
        id: award.id,
        tender_id: award.tender_id.as_uuid(),
        bid_id: award.bid_id.as_uuid(),
        supplier_id: award.supplier_id.as_uuid(),
        supplier_name,
        rank: award.rank,
        justification: award.justification.filter(|_| confidential),
        awarded_at: award.awarded_at,
        standstill_last_day: award.standstill_last_day,
        standstill_ends_at: award.standstill_ends_at,
        status: award.status.as_str().to_owned(),
    }
}

pub(crate) async fn notify_bidders(
    command: &Command,
    tender: &Tender,
    kind: NotificationKind,
    subject: String,
    body: String,
) -> Result<(), ApiError> {
    let bidders = persistence::bids::bidders(command.conn(), tender.id).await?;
    persistence::notifications::notify(
        command.conn(),
        &bidders,
        &NewNotification {
            kind,
            tender_id: Some(tender.id),
            subject,
            body,
        },
        command.now(),
    )
    .await?;
    Ok(())
}

/// Awards the tender to a bid (the tender's lead, in evaluation, once scoring is complete): the
/// top-ranked, or another with a written justification. Starts the standstill; every bidder is
/// notified. Of concurrent awards exactly one succeeds; the others get 409.
#[utoipa::path(
    post,
    path = "/tenders/{id}/award",
    tag = "award",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = AwardRequest,
    responses(
        (status = 201, description = "The award; the tender is in standstill.", body = AwardResponse),
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
pub async fn award_tender(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<AwardRequest>, ApiError>,
) -> Result<(StatusCode, Json<AwardResponse>), ApiError> {
    domain::tender::require_tender_manager(&actor)?;
    let mut command = state.db.command().await?;
    let (tender, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    tender
        .scope(status)
        .check_lead(&actor, "award this tender")?;
    let JsonBody(request) = body?;
    let next = status.start_standstill()?;
    let evaluated = evaluate(command.conn(), &tender, command.now()).await?;
    let bid_id = BidId::from_uuid(request.bid_id);
    let justification =
        evaluation::check_award(&evaluated.ranking, bid_id, request.justification.as_deref())?;
    let ranked = evaluated
        .ranking
        .find(bid_id)
        .ok_or(DomainError::NotFound("bid"))?;
    let bid = evaluated
        .bids
        .get(&bid_id)
        .ok_or(DomainError::NotFound("bid"))?;
    let now = command.now();
    let today = uk_date(now);
    let holidays = persistence::calendar::dates(
        command.conn(),
        today,
        today + Duration::days(calendar::CALENDAR_WINDOW_DAYS),
    )
    .await?;
    let standstill = calendar::standstill(
        now,
        u32::try_from(tender.standstill_days).unwrap_or(0),
        &holidays,
    );
    let award = persistence::awards::insert(
        command.conn(),
        NewAward {
            tender_id: tender.id,
            bid_id,
            supplier_id: bid.supplier_id,
            rank: i32::try_from(ranked.rank).unwrap_or(i32::MAX),
            justification,
            awarded_by: actor.user_id,
            awarded_at: now,
            standstill_last_day: standstill.last_day,
            standstill_ends_at: standstill.ends_at,
        },
    )
    .await?;
    persistence::tenders::set_status(command.conn(), &tender, next, Transition::default(), now)
        .await?;
    let winner = evaluated
        .names
        .get(&bid.supplier_id)
        .cloned()
        .unwrap_or_default();
    notify_bidders(
        &command,
        &tender,
        NotificationKind::TenderAwarded,
        format!("Tender awarded: {}", tender.title),
        format!(
            "The tender was awarded to {winner}. Read your outcome, with your scores and the \
             winner's, at /api/v1/tenders/{}/outcome. The standstill runs until {}; an \
             unsuccessful bidder may challenge the award until then.",
            tender.id,
            standstill.ends_at.to_rfc3339()
        ),
    )
    .await?;
    let shown = award_response(award, winner, true);
    let ranking = evaluated.response(&tender);
    command
        .audit(
            AuditEntry::new(Some(actor), "tender.awarded", "tender", tender.id)
                .before(serde_json::json!({"status": status.as_str()}))
                .after(serde_json::json!({
                    "status": next.as_str(),
                    "award": shown,
                    "ranking": ranking,
                })),
        )
        .await?;
    command.commit().await?;
    Ok((StatusCode::CREATED, Json(shown)))
}
