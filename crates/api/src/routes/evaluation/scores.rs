//! Marks per bid and quality criterion, with justifications.

use super::*;

/// One evaluator's mark for one bid on one quality criterion.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreRequest {
    /// 0 to 100.
    #[schema(minimum = 0, maximum = 100, example = 70)]
    pub score: i64,
    /// Why: 1 to 5000 characters, which the bidder will read.
    #[schema(min_length = 1, max_length = 5000)]
    pub justification: String,
}

/// A mark as recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Score)]
pub struct ScoreResponse {
    /// The bid.
    pub bid_id: Uuid,
    /// The quality criterion.
    pub criterion_id: Uuid,
    /// The evaluator.
    pub evaluator_id: Uuid,
    /// 0 to 100.
    pub score: u8,
    /// Why.
    pub justification: String,
    /// When first given.
    pub scored_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<StoredScore> for ScoreResponse {
    fn from(s: StoredScore) -> Self {
        Self {
            bid_id: s.bid_id.as_uuid(),
            criterion_id: s.criterion_id.as_uuid(),
            evaluator_id: s.evaluator_id.as_uuid(),
            score: s.score.value(),
            justification: s.justification,
            scored_at: s.scored_at,
            updated_at: s.updated_at,
        }
    }
}

/// Marks.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreList {
    /// The marks, oldest first.
    pub items: Vec<ScoreResponse>,
}

/// Records or changes the signed-in evaluator's mark for a bid on a quality criterion, with its
/// justification: panel members who declared no conflict of interest, while the tender is in
/// evaluation (editable until the award).
#[utoipa::path(
    put,
    path = "/tenders/{id}/bids/{bid_id}/scores/{criterion_id}",
    tag = "evaluation",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("bid_id" = Uuid, Path, description = "The bid's id."),
        ("criterion_id" = Uuid, Path, description = "A quality criterion's id."),
    ),
    request_body = ScoreRequest,
    responses(
        (status = 200, description = "The mark as recorded.", body = ScoreResponse),
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
pub async fn score_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams((id, bid_id, criterion_id)): PathParams<(Uuid, Uuid, Uuid)>,
    body: Result<JsonBody<ScoreRequest>, ApiError>,
) -> Result<Json<ScoreResponse>, ApiError> {
    if !matches!(actor.role, Role::BuyerEvaluator | Role::BuyerLead) {
        return Err(DomainError::Forbidden(format!(
            "a {} does not score bids; the buyer's evaluators do",
            actor.role
        ))
        .into());
    }
    let mut command = state.db.command().await?;
    let (tender, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    let scope = tender.scope(status);
    if !scope.is_buyer(&actor) {
        // Another buyer's tender, whether or not it may see it: nothing of its bids is theirs.
        return Err(if can_view_tender(&actor, &scope) {
            DomainError::NotFound("bid")
        } else {
            DomainError::NotFound("tender")
        }
        .into());
    }
    persistence::evaluation::standing(command.conn(), tender.id, actor.user_id)
        .await?
        .check_may_score()?;
    check_in_evaluation(&tender, status)?;
    let bid = persistence::bids::find(command.conn(), tender.id, BidId::from_uuid(bid_id))
        .await?
        .filter(|b| b.status.is_live())
        .ok_or(DomainError::NotFound("bid"))?;
    let criterion = tender
        .criteria
        .iter()
        .find(|c| c.id.as_uuid() == criterion_id)
        .ok_or(DomainError::NotFound("criterion"))?;
    if criterion.kind == CriterionKind::Price {
        return Err(DomainError::field(
            "/criterion_id",
            "the price criterion is scored by formula from the bid prices, not by evaluators",
        )
        .into());
    }
    if bid.status != BidStatus::Submitted {
        return Err(DomainError::Conflict(
            "the bid was not confirmed after the tender was amended, so it is not evaluated"
                .to_owned(),
        )
        .into());
    }
    if persistence::evaluation::exclusions(command.conn(), tender.id)
        .await?
        .iter()
        .any(|e| e.bid_id == bid.id)
    {
        return Err(DomainError::Conflict(
            "the bid is excluded as non-compliant; reinstate it to score it".to_owned(),
        )
        .into());
    }
    let JsonBody(request) = body?;
    let (score, justification) = evaluation::parse_score(request.score, &request.justification)?;
    let (current, previous) = persistence::evaluation::put_score(
        command.conn(),
        MarkKey {
            tender: tender.id,
            bid: bid.id,
            criterion: CriterionId::from_uuid(criterion_id),
            evaluator: actor.user_id,
        },
        score,
        &justification,
        command.now(),
    )
    .await?;
    let shown = ScoreResponse::from(current);
    let mut entry = AuditEntry::new(Some(actor), "bid.scored", "bid", bid.id)
        .after(serde_json::to_value(&shown).map_err(ApiError::internal)?);
    if let Some(previous) = previous {
        entry = entry.before(
            serde_json::to_value(ScoreResponse::from(previous)).map_err(ApiError::internal)?,
        );
    }
    command.audit(entry).await?;
    command.commit().await?;
    Ok(Json(shown))
}

/// The marks given on the tender: the lead sees every evaluator's (for moderation), as do the
/// regulator and admins once the tender is awarded; a panel member sees its own.
#[utoipa::path(
    get,
    path = "/tenders/{id}/scores",
    tag = "evaluation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "The marks.", body = ScoreList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = BidsSealed),
        (status = 404, response = NotFound),
    )
)]
pub async fn list_scores(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<ScoreList>, ApiError> {
    let conn = state.db.conn();
    let now = state.db.now().await?;
    let (tender, status) = visible(conn, &actor, TenderId::from_uuid(id), now).await?;
    let scope = tender.scope(status);
    let marks = persistence::evaluation::scores(conn, tender.id).await?;
    let items = match actor.role {
        Role::BuyerLead if scope.is_buyer(&actor) => marks,
        Role::BuyerEvaluator | Role::BuyerLead if scope.is_buyer(&actor) => marks
            .into_iter()
            .filter(|m| m.evaluator_id == actor.user_id)
            .collect(),
        Role::Regulator | Role::Admin => {
            check_awarded_for_oversight(&tender, status)?;
            marks
        }
        _ => {
            return Err(DomainError::Forbidden(
                "only the buying organisation's evaluators, the regulator and admins see marks"
                    .to_owned(),
            )
            .into());
        }
    };
    Ok(Json(ScoreList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}
