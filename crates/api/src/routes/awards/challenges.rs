//! Challenges lodged during the standstill, and their resolution.

use super::*;

/// A challenge to the award.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeRequest {
    /// The grounds: 1 to 10000 characters.
    #[schema(min_length = 1, max_length = 10000)]
    pub grounds: String,
}

/// A challenge.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Challenge)]
pub struct ChallengeResponse {
    /// The challenge's id.
    pub id: Uuid,
    /// The tender.
    pub tender_id: Uuid,
    /// The award challenged.
    pub award_id: Uuid,
    /// The challenging bidder.
    pub supplier_id: Uuid,
    /// The grounds.
    pub grounds: String,
    /// When it was lodged.
    pub lodged_at: DateTime<Utc>,
    /// `open`, `upheld`, `dismissed` or `lapsed` (the award was cancelled otherwise).
    pub status: String,
    /// The lead's notes on resolving it.
    pub resolution_notes: Option<String>,
    /// When it was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl From<Challenge> for ChallengeResponse {
    fn from(c: Challenge) -> Self {
        Self {
            id: c.id,
            tender_id: c.tender_id.as_uuid(),
            award_id: c.award_id,
            supplier_id: c.supplier_id.as_uuid(),
            grounds: c.grounds,
            lodged_at: c.lodged_at,
            status: c.status.as_str().to_owned(),
            resolution_notes: c.resolution_notes,
            resolved_at: c.resolved_at,
        }
    }
}

/// A tender's challenges.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChallengeList {
    /// Earliest first.
    pub items: Vec<ChallengeResponse>,
}

/// An unsuccessful bidder challenges the award, during the standstill only; an open challenge
/// holds the contract back until the lead resolves it.
#[utoipa::path(
    post,
    path = "/tenders/{id}/challenges",
    tag = "award",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = ChallengeRequest,
    responses(
        (status = 201, description = "The challenge.", body = ChallengeResponse,
            headers(("Location" = String, description = "The tender's challenges."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = DeadlinePassed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn lodge_challenge(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<ChallengeRequest>, ApiError>,
) -> Result<Created<ChallengeResponse>, ApiError> {
    if actor.role != Role::SupplierBidder {
        return Err(DomainError::Forbidden(format!(
            "a {} may not challenge an award; an unsuccessful bidder may",
            actor.role
        ))
        .into());
    }
    let mut command = state.db.command().await?;
    let (tender, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    if !can_view_tender(&actor, &tender.scope(status)) {
        return Err(DomainError::NotFound("tender").into());
    }
    let bid = persistence::bids::live_bid_of(command.conn(), tender.id, actor.organisation_id)
        .await?
        .ok_or_else(|| {
            DomainError::Forbidden(
                "only a bidder on this tender may challenge its award".to_owned(),
            )
        })?;
    let JsonBody(request) = body?;
    let grounds = contract::grounds(&request.grounds)?;
    // An awarded tender's standstill is over: the window check below refuses it with the date.
    let award = persistence::awards::in_force(command.conn(), tender.id)
        .await?
        .filter(|_| matches!(status, TenderStatus::Standstill | TenderStatus::Awarded))
        .ok_or_else(|| {
            DomainError::Conflict(format!(
                "a {status} tender has no award in standstill to challenge"
            ))
        })?;
    if award.bid_id == bid.id {
        return Err(DomainError::Forbidden(
            "the successful bidder does not challenge its own award".to_owned(),
        )
        .into());
    }
    contract::check_challenge_window(award.standstill_ends_at, command.now())?;
    let existing = persistence::awards::challenges(command.conn(), tender.id).await?;
    if existing
        .iter()
        .any(|c| c.supplier_id == actor.organisation_id && c.status == ChallengeStatus::Open)
    {
        return Err(DomainError::Conflict(
            "your organisation already has an open challenge to this award".to_owned(),
        )
        .into());
    }
    let challenge = persistence::awards::lodge(
        command.conn(),
        &award,
        actor.organisation_id,
        &grounds,
        actor.user_id,
        command.now(),
    )
    .await?;
    persistence::notifications::notify(
        command.conn(),
        &[tender.buyer_id],
        &NewNotification {
            kind: NotificationKind::ChallengeLodged,
            tender_id: Some(tender.id),
            subject: format!("Award challenged: {}", tender.title),
            body: "A bidder challenged the award. The contract cannot be entered until the \
                   challenge is resolved."
                .to_owned(),
        },
        command.now(),
    )
    .await?;
    let shown = ChallengeResponse::from(challenge);
    command
        .audit(
            AuditEntry::new(Some(actor), "challenge.lodged", "challenge", shown.id)
                .after(serde_json::to_value(&shown).map_err(ApiError::internal)?),
        )
        .await?;
    command.commit().await?;
    created(&format!("/api/v1/tenders/{id}/challenges"), shown)
}

/// The tender's challenges: the buyer, the regulator and admins see all; a bidder its own.
#[utoipa::path(
    get,
    path = "/tenders/{id}/challenges",
    tag = "award",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "The challenges.", body = ChallengeList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn list_challenges(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<ChallengeList>, ApiError> {
    let conn = state.db.conn();
    let now = state.db.now().await?;
    let (tender, status) = visible(conn, &actor, TenderId::from_uuid(id), now).await?;
    let all = persistence::awards::challenges(conn, tender.id).await?;
    let items: Vec<Challenge> = match actor.role {
        Role::BuyerLead | Role::BuyerEvaluator if tender.scope(status).is_buyer(&actor) => all,
        Role::Regulator | Role::Admin => all,
        Role::SupplierBidder => all
            .into_iter()
            .filter(|c| c.supplier_id == actor.organisation_id)
            .collect(),
        _ => {
            return Err(DomainError::Forbidden(
                "only the buyer, its bidders, the regulator and admins see challenges".to_owned(),
            )
            .into());
        }
    };
    Ok(Json(ChallengeList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// How a challenge is resolved.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeOutcomeDto {
    /// The challenge is upheld: the award is cancelled and the tender returns to evaluation
    /// (scores kept).
    Upheld,
    /// The challenge is dismissed: the award stands.
    Dismissed,
}

/// The lead's resolution.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveChallengeRequest {
    /// `upheld` or `dismissed`.
    pub outcome: ChallengeOutcomeDto,
    /// The reasons, which the challenger reads: 1 to 10000 characters.
    #[schema(min_length = 1, max_length = 10000)]
    pub notes: String,
}

/// Resolves an open challenge (the tender's lead). Upheld: the award is cancelled, other open
/// challenges to it lapse, and the tender returns to evaluation with its scores kept; every
/// bidder is told. Dismissed: the award stands.
#[utoipa::path(
    post,
    path = "/tenders/{id}/challenges/{challenge_id}/resolve",
    tag = "award",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("challenge_id" = Uuid, Path, description = "The challenge's id."),
    ),
    request_body = ResolveChallengeRequest,
    responses(
        (status = 200, description = "The challenge, resolved.", body = ChallengeResponse),
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
pub async fn resolve_challenge(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams((id, challenge_id)): PathParams<(Uuid, Uuid)>,
    body: Result<JsonBody<ResolveChallengeRequest>, ApiError>,
) -> Result<Json<ChallengeResponse>, ApiError> {
    domain::tender::require_tender_manager(&actor)?;
    let mut command = state.db.command().await?;
    let (tender, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    tender
        .scope(status)
        .check_lead(&actor, "resolve challenges")?;
    let challenge = persistence::awards::find_challenge(command.conn(), tender.id, challenge_id)
        .await?
        .ok_or(DomainError::NotFound("challenge"))?;
    let JsonBody(request) = body?;
    let notes = contract::resolution_notes(&request.notes)?;
    let outcome = match request.outcome {
        ChallengeOutcomeDto::Upheld => ChallengeOutcome::Upheld,
        ChallengeOutcomeDto::Dismissed => ChallengeOutcome::Dismissed,
    };
    let resolved_status = challenge.status.resolve(outcome)?;
    let now = command.now();
    persistence::awards::resolve(
        command.conn(),
        challenge.id,
        resolved_status,
        &notes,
        actor.user_id,
        now,
    )
    .await?;
    if outcome == ChallengeOutcome::Upheld {
        let reopened = status.reopen_evaluation()?;
        persistence::awards::set_status(
            command.conn(),
            challenge.award_id,
            AwardStatus::Cancelled,
            now,
        )
        .await?;
        persistence::awards::lapse_open(command.conn(), challenge.award_id, now).await?;
        persistence::tenders::set_status(
            command.conn(),
            &tender,
            reopened,
            Transition::default(),
            now,
        )
        .await?;
        notify_bidders(
            &command,
            &tender,
            NotificationKind::AwardCancelled,
            format!("Award cancelled: {}", tender.title),
            "A challenge to the award was upheld. The award is cancelled and the tender is back \
             in evaluation; the scores stand."
                .to_owned(),
        )
        .await?;
        command
            .audit(
                AuditEntry::new(Some(actor), "tender.award_cancelled", "tender", tender.id)
                    .before(serde_json::json!({"status": status.as_str(), "award_id": challenge.award_id}))
                    .after(serde_json::json!({"status": reopened.as_str(), "challenge_id": challenge.id})),
            )
            .await?;
    }
    persistence::notifications::notify(
        command.conn(),
        &[challenge.supplier_id],
        &NewNotification {
            kind: NotificationKind::ChallengeResolved,
            tender_id: Some(tender.id),
            subject: format!("Challenge {}: {}", resolved_status.as_str(), tender.title),
            body: notes.clone(),
        },
        now,
    )
    .await?;
    let before = ChallengeResponse::from(challenge);
    let after = persistence::awards::find_challenge(command.conn(), tender.id, challenge_id)
        .await?
        .ok_or(DomainError::NotFound("challenge"))?;
    let shown = ChallengeResponse::from(after);
    command
        .audit(
            AuditEntry::new(Some(actor), "challenge.resolved", "challenge", shown.id)
                .before(serde_json::to_value(&before).map_err(ApiError::internal)?)
                .after(serde_json::to_value(&shown).map_err(ApiError::internal)?),
        )
        .await?;
    command.commit().await?;
    Ok(Json(shown))
}
