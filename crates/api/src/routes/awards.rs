//! Award and standstill: the lead awards a fully scored tender, which starts the standstill
//! (working days, skipping weekends and bank holidays); every bidder is told and reads its
//! outcome; an unsuccessful bidder may challenge during the standstill; after it, with no open
//! challenge, the lead enters the contract.

use crate::auth::AuthUser;
use crate::dto::{Created, created};
use crate::error::{
    ApiError, BadRequest, Conflict, DeadlinePassed, Forbidden, NotFound, PayloadTooLarge,
    Unauthorized, UnsupportedMediaType, ValidationFailed,
};
use crate::extract::{JsonBody, PathParams};
use crate::routes::contracts::ContractResponse;
use crate::routes::evaluation::{RankingItem, evaluate};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::DomainError;
use domain::audit::AuditEntry;
use domain::bid::NotificationKind;
use domain::calendar::{self, uk_date};
use domain::contract::{self, ChallengeOutcome, ChallengeStatus, ContractTerm};
use domain::evaluation;
use domain::ids::{BidId, TenderId};
use domain::tender::{TenderStatus, can_view_tender};
use domain::user::Role;
use persistence::Command;
use persistence::awards::{Award, AwardStatus, Challenge, NewAward};
use persistence::bids::BidSelection;
use persistence::notifications::NewNotification;
use persistence::tenders::{Tender, Transition};
use serde::{Deserialize, Serialize};
use service::tenders::{lock_and_settle, visible};
use utoipa::ToSchema;
use uuid::Uuid;

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

fn award_response(award: Award, supplier_name: String, confidential: bool) -> AwardResponse {
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

async fn notify_bidders(
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

/// A bidder's own result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YourBidOutcome {
    /// Your bid.
    pub bid_id: Uuid,
    /// Whether it won.
    pub successful: bool,
    /// Whether the lead excluded it as non-compliant (then it has no scores or rank).
    pub excluded: bool,
    /// Why.
    pub exclusion_reason: Option<String>,
    /// Your bid's scores and rank, when it was ranked.
    pub result: Option<RankingItem>,
    /// The evaluators' justifications for your marks, per quality criterion (anonymised).
    pub feedback: Vec<CriterionFeedback>,
}

/// The evaluators' reasons for a bid's marks on one criterion.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriterionFeedback {
    /// The criterion.
    pub criterion_id: Uuid,
    /// Its name.
    pub name: String,
    /// Each evaluator's mark and reasons (evaluators are not named).
    pub marks: Vec<MarkFeedback>,
}

/// One evaluator's mark and reasons.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MarkFeedback {
    /// 0 to 100.
    pub score: u8,
    /// Why.
    pub justification: String,
}

/// A tender's outcome.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomeResponse {
    /// The tender.
    pub tender_id: Uuid,
    /// The tender's state now.
    pub status: crate::routes::tenders::TenderStatusDto,
    /// The award in force.
    pub award: AwardResponse,
    /// The winning bid's scores and rank.
    pub winner: RankingItem,
    /// How many bids were ranked.
    pub ranked_bids: usize,
    /// The signed-in bidder's own result (bidders only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub your_bid: Option<YourBidOutcome>,
    /// Every ranked bid (the buyer, the regulator and admins only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<RankingItem>>,
    /// The contract, once entered.
    pub contract_id: Option<Uuid>,
}

/// The outcome of an awarded tender: a bidder sees its own scores per criterion with the
/// evaluators' reasons, its rank, the winner's name and scores and the standstill's end; the
/// buyer, the regulator and admins see every ranked bid.
#[utoipa::path(
    get,
    path = "/tenders/{id}/outcome",
    tag = "award",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "The outcome.", body = OutcomeResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn get_outcome(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<OutcomeResponse>, ApiError> {
    let conn = state.db.conn();
    let now = state.db.now().await?;
    let (tender, status) = visible(conn, &actor, TenderId::from_uuid(id), now).await?;
    let scope = tender.scope(status);
    let own_bids = if actor.role == Role::SupplierBidder {
        persistence::bids::list(
            conn,
            tender.id,
            BidSelection::Supplier(actor.organisation_id),
        )
        .await?
        .into_iter()
        .filter(|b| b.status.is_live())
        .collect()
    } else {
        Vec::new()
    };
    let sees_all = match actor.role {
        Role::BuyerLead | Role::BuyerEvaluator if scope.is_buyer(&actor) => true,
        Role::Regulator | Role::Admin => true,
        Role::SupplierBidder if !own_bids.is_empty() => false,
        _ => {
            return Err(DomainError::Forbidden(
                "the outcome is for the tender's bidders, its buyer, the regulator and admins"
                    .to_owned(),
            )
            .into());
        }
    };
    let award = persistence::awards::in_force(conn, tender.id)
        .await?
        .ok_or_else(|| {
            DomainError::Conflict(format!("the tender is {status}; it has not been awarded"))
        })?;
    let evaluated = evaluate(conn, &tender, now).await?;
    let winner_ranked = evaluated
        .ranking
        .find(award.bid_id)
        .ok_or_else(|| ApiError::Internal("the awarded bid is not ranked".into()))?;
    let winner = evaluated.item(&tender, winner_ranked);
    let your_bid = match own_bids.first() {
        Some(bid) if !sees_all => {
            let exclusion = evaluated.exclusions.iter().find(|(b, _)| b.id == bid.id);
            let feedback = tender
                .criteria
                .iter()
                .filter(|c| c.kind == domain::tender::CriterionKind::Quality)
                .map(|c| CriterionFeedback {
                    criterion_id: c.id.as_uuid(),
                    name: c.name.clone(),
                    marks: evaluated
                        .marks
                        .iter()
                        .filter(|m| m.bid_id == bid.id && m.criterion_id == c.id)
                        .map(|m| MarkFeedback {
                            score: m.score.value(),
                            justification: m.justification.clone(),
                        })
                        .collect(),
                })
                .collect();
            Some(YourBidOutcome {
                bid_id: bid.id.as_uuid(),
                successful: bid.id == award.bid_id,
                excluded: exclusion.is_some(),
                exclusion_reason: exclusion.map(|(_, e)| e.reason.clone()),
                result: evaluated
                    .ranking
                    .find(bid.id)
                    .map(|r| evaluated.item(&tender, r)),
                feedback,
            })
        }
        _ => None,
    };
    let contract_id = persistence::contracts::of_tender(conn, tender.id, uk_date(now))
        .await?
        .map(|c| c.id);
    Ok(Json(OutcomeResponse {
        tender_id: tender.id.as_uuid(),
        status: status.into(),
        award: award_response(award, winner.supplier_name.clone(), sees_all),
        winner,
        ranked_bids: evaluated.ranking.items.len(),
        your_bid,
        items: sees_all.then(|| {
            evaluated
                .ranking
                .items
                .iter()
                .map(|r| evaluated.item(&tender, r))
                .collect()
        }),
        contract_id,
    }))
}

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
