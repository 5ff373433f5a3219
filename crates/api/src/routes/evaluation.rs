//! Evaluation of a closed tender: the lead assigns the panel, each member declares its interests
//! before seeing any bid, cleared members score each compliant bid on each quality criterion with
//! a justification, the lead excludes non-compliant bids, and the ranking follows exactly.

use crate::auth::AuthUser;
use crate::error::{
    ApiError, BadRequest, BidsSealed, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorized,
    UnsupportedMediaType, ValidationFailed,
};
use crate::extract::{JsonBody, PathParams};
use crate::routes::contracts::{RatingResponse, rating_response};
use crate::routes::tenders::TenderResponse;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::DomainError;
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::bid::BidStatus;
use domain::evaluation::{
    self, BidToRank, Declaration, PanelStanding, QualityCriterion, Ranking, Scoring,
};
use domain::ids::{BidId, CriterionId, OrganisationId, TenderId, UserId};
use domain::tender::{CriterionKind, TenderStatus, can_view_tender};
use domain::user::Role;
use persistence::Command;
use persistence::bids::{Bid, BidSelection};
use persistence::evaluation::{Exclusion, MarkKey, PanelMember, StoredScore};
use persistence::tenders::{Tender, Transition};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use service::tenders::{lock_and_settle, visible};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// How many decimal places scores are shown to (they are computed exactly).
pub(crate) const PLACES: u32 = 4;

/// A member of a tender's evaluation panel.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Evaluator)]
pub struct EvaluatorResponse {
    /// The user.
    pub user_id: Uuid,
    /// Their name.
    pub name: String,
    /// Their email address.
    pub email: String,
    /// When they were put on the panel.
    pub assigned_at: DateTime<Utc>,
    /// Whether they have declared their interests.
    pub declared: bool,
    /// Whether they declared a conflict of interest (then they may not see bids or score);
    /// null until declared.
    pub has_conflict: Option<bool>,
    /// What they declared.
    pub conflict_details: Option<String>,
    /// When they declared.
    pub declared_at: Option<DateTime<Utc>>,
}

impl From<PanelMember> for EvaluatorResponse {
    fn from(m: PanelMember) -> Self {
        Self {
            user_id: m.user_id.as_uuid(),
            name: m.name,
            email: m.email,
            assigned_at: m.assigned_at,
            declared: m.has_conflict.is_some(),
            has_conflict: m.has_conflict,
            conflict_details: m.conflict_details,
            declared_at: m.declared_at,
        }
    }
}

/// The panel.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluatorList {
    /// The members, in the order they were assigned.
    pub items: Vec<EvaluatorResponse>,
}

/// Puts a user on the panel.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignEvaluatorRequest {
    /// A `buyer_evaluator` (or `buyer_lead`) of the buying organisation.
    pub user_id: Uuid,
}

/// A declaration of interests.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictDeclarationRequest {
    /// Whether the evaluator has a conflict of interest with any bidder.
    pub has_conflict: bool,
    /// What the conflict is: required when there is one, 1 to 2000 characters.
    #[schema(max_length = 2000)]
    pub details: Option<String>,
}

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

/// Why a bid is excluded, or why a tender is declared unsuccessful.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// 1 to 2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// A bid's standing in the evaluation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BidEvaluationResponse {
    /// The bid.
    pub bid_id: Uuid,
    /// The bidder.
    pub supplier_id: Uuid,
    /// The bidder's name.
    pub supplier_name: String,
    /// The price in pence.
    pub price_pence: i64,
    /// Whether the lead excluded it as non-compliant.
    pub excluded: bool,
    /// Why.
    pub exclusion_reason: Option<String>,
    /// When.
    pub excluded_at: Option<DateTime<Utc>>,
}

/// A bid's result on one quality criterion.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriterionScore {
    /// The criterion.
    pub criterion_id: Uuid,
    /// Its name.
    pub name: String,
    /// Its weight.
    pub weight: u8,
    /// The mean of the panel's marks (0 to 100), to 4 decimal places; null before any mark.
    pub mean_score: Option<f64>,
    /// How many panel members have marked it.
    pub marks: usize,
    /// weight × mean mark / 100, to 4 decimal places.
    pub score: f64,
}

/// A ranked bid. Scores are computed exactly (rational arithmetic) and shown to 4 decimal
/// places; ranks are decided on the exact values.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankingItem {
    /// The bid.
    pub bid_id: Uuid,
    /// The bidder.
    pub supplier_id: Uuid,
    /// The bidder's name.
    pub supplier_name: String,
    /// The bidder's rating from buyers' performance reviews; null when it has none.
    pub supplier_rating: Option<RatingResponse>,
    /// The price in pence.
    pub price_pence: i64,
    /// Whether the price is above the tender's budget ceiling (grounds to exclude it).
    pub above_budget_ceiling: bool,
    /// price weight × lowest compliant price / this price.
    pub price_score: f64,
    /// Per quality criterion.
    pub quality_scores: Vec<CriterionScore>,
    /// The sum of the quality criteria's scores.
    pub quality_score: f64,
    /// price_score + quality_score.
    pub total_score: f64,
    /// 1 for the best; ties go to the higher quality score, then the earlier submission.
    pub rank: u32,
    /// When the version evaluated was submitted.
    pub submitted_at: DateTime<Utc>,
}

/// The ranking of the compliant live bids.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankingResponse {
    /// The tender.
    pub tender_id: Uuid,
    /// Whether every assigned evaluator without a conflict of interest has scored every quality
    /// criterion of every compliant bid (then the tender may be awarded).
    pub complete: bool,
    /// How many marks are still missing.
    pub missing_marks: usize,
    /// How many panel members score (assigned, declared no conflict).
    pub scorers: usize,
    /// The compliant live bids, best first.
    pub items: Vec<RankingItem>,
    /// The bids excluded as non-compliant.
    pub excluded: Vec<BidEvaluationResponse>,
}

/// Everything the ranking is computed from, read once.
pub(crate) struct Evaluated {
    pub ranking: Ranking,
    pub bids: HashMap<BidId, Bid>,
    pub exclusions: Vec<(Bid, Exclusion)>,
    pub names: HashMap<OrganisationId, String>,
    pub ratings: HashMap<OrganisationId, persistence::contracts::RatingSums>,
    pub marks: Vec<StoredScore>,
}

/// Ranks the tender's compliant live bids: submitted (or confirmed after an amendment), not
/// withdrawn, not excluded. Marks count from panel members who declared no conflict.
pub(crate) async fn evaluate<C: ConnectionTrait>(
    conn: &C,
    tender: &Tender,
    now: DateTime<Utc>,
) -> Result<Evaluated, ApiError> {
    let live = persistence::bids::list(conn, tender.id, BidSelection::Live).await?;
    let exclusions = persistence::evaluation::exclusions(conn, tender.id).await?;
    let excluded: HashMap<BidId, Exclusion> =
        exclusions.into_iter().map(|e| (e.bid_id, e)).collect();
    let mut compliant = Vec::new();
    let mut out = Vec::new();
    for bid in live {
        match excluded.get(&bid.id) {
            Some(exclusion) => out.push((bid, exclusion.clone())),
            None if bid.status == BidStatus::Submitted => compliant.push(bid),
            None => {}
        }
    }
    let panel = persistence::evaluation::panel(conn, tender.id).await?;
    let scorers: Vec<UserId> = panel
        .iter()
        .filter(|m| m.standing() == PanelStanding::Cleared)
        .map(|m| m.user_id)
        .collect();
    let marks = persistence::evaluation::scores(conn, tender.id).await?;
    let quality: Vec<QualityCriterion> = tender
        .criteria
        .iter()
        .filter(|c| c.kind == CriterionKind::Quality)
        .map(|c| QualityCriterion {
            id: c.id,
            weight: u8::try_from(c.weight).unwrap_or(0),
        })
        .collect();
    let price_weight = tender
        .criteria
        .iter()
        .find(|c| c.kind == CriterionKind::Price)
        .map_or(0, |c| u8::try_from(c.weight).unwrap_or(0));
    let to_rank: Vec<BidToRank> = compliant
        .iter()
        .map(|b| BidToRank {
            bid: b.id,
            price_pence: b.price_pence,
            submitted_at: b.submitted_at,
        })
        .collect();
    let all_marks: Vec<_> = marks.iter().map(StoredScore::mark).collect();
    let ranking = evaluation::rank(&Scoring {
        price_weight,
        quality: &quality,
        bids: &to_rank,
        scorers: &scorers,
        marks: &all_marks,
    });
    let suppliers: Vec<OrganisationId> = compliant
        .iter()
        .chain(out.iter().map(|(b, _)| b))
        .map(|b| b.supplier_id)
        .collect();
    let names = persistence::organisations::names(conn, &suppliers).await?;
    let ratings = persistence::contracts::ratings(conn, &suppliers, now).await?;
    Ok(Evaluated {
        ranking,
        bids: compliant.into_iter().map(|b| (b.id, b)).collect(),
        exclusions: out,
        names,
        ratings,
        marks,
    })
}

impl Evaluated {
    pub(crate) fn item(&self, tender: &Tender, ranked: &evaluation::RankedBid) -> RankingItem {
        let bid = self.bids.get(&ranked.bid);
        let supplier = bid.map(|b| b.supplier_id);
        RankingItem {
            bid_id: ranked.bid.as_uuid(),
            supplier_id: supplier.map(|s| s.as_uuid()).unwrap_or_default(),
            supplier_name: supplier
                .and_then(|s| self.names.get(&s).cloned())
                .unwrap_or_default(),
            supplier_rating: supplier
                .and_then(|s| self.ratings.get(&s))
                .map(rating_response),
            price_pence: ranked.price_pence,
            above_budget_ceiling: tender
                .budget_ceiling_pence
                .is_some_and(|ceiling| ranked.price_pence > ceiling),
            price_score: ranked.price_score.rounded(PLACES),
            quality_scores: ranked
                .quality_scores
                .iter()
                .map(|c| CriterionScore {
                    criterion_id: c.criterion.as_uuid(),
                    name: tender
                        .criteria
                        .iter()
                        .find(|t| t.id == c.criterion)
                        .map(|t| t.name.clone())
                        .unwrap_or_default(),
                    weight: c.weight,
                    mean_score: c.mean_score.as_ref().map(|m| m.rounded(PLACES)),
                    marks: c.marks,
                    score: c.points.rounded(PLACES),
                })
                .collect(),
            quality_score: ranked.quality_score.rounded(PLACES),
            total_score: ranked.total_score.rounded(PLACES),
            rank: ranked.rank,
            submitted_at: ranked.submitted_at,
        }
    }

    pub(crate) fn excluded(&self) -> Vec<BidEvaluationResponse> {
        self.exclusions
            .iter()
            .map(|(bid, exclusion)| BidEvaluationResponse {
                bid_id: bid.id.as_uuid(),
                supplier_id: bid.supplier_id.as_uuid(),
                supplier_name: self
                    .names
                    .get(&bid.supplier_id)
                    .cloned()
                    .unwrap_or_default(),
                price_pence: bid.price_pence,
                excluded: true,
                exclusion_reason: Some(exclusion.reason.clone()),
                excluded_at: Some(exclusion.excluded_at),
            })
            .collect()
    }

    pub(crate) fn response(&self, tender: &Tender) -> RankingResponse {
        RankingResponse {
            tender_id: tender.id.as_uuid(),
            complete: self.ranking.complete,
            missing_marks: self.ranking.missing_marks,
            scorers: self.ranking.scorers,
            items: self
                .ranking
                .items
                .iter()
                .map(|r| self.item(tender, r))
                .collect(),
            excluded: self.excluded(),
        }
    }
}

/// The tender's panel may change until it is awarded.
fn check_panel_open(status: TenderStatus) -> Result<(), ApiError> {
    match status {
        TenderStatus::Draft | TenderStatus::Published | TenderStatus::Evaluation => Ok(()),
        other => Err(DomainError::Conflict(format!(
            "the evaluation panel of a {other} tender cannot change"
        ))
        .into()),
    }
}

/// Scores, exclusions and the lead's evaluation decisions are for a tender in evaluation.
fn check_in_evaluation(tender: &Tender, status: TenderStatus) -> Result<(), ApiError> {
    match status {
        TenderStatus::Evaluation => Ok(()),
        TenderStatus::Published => Err(DomainError::Conflict(format!(
            "the tender is open for bids until {}; evaluation starts after the deadline",
            tender.submission_deadline.to_rfc3339()
        ))
        .into()),
        other => Err(DomainError::Conflict(format!(
            "a {other} tender is not in evaluation; scores and exclusions are made before award"
        ))
        .into()),
    }
}

fn audit_member(member: &EvaluatorResponse) -> serde_json::Value {
    serde_json::json!({
        "user_id": member.user_id,
        "assigned_at": member.assigned_at,
        "has_conflict": member.has_conflict,
        "conflict_details": member.conflict_details,
        "declared_at": member.declared_at,
    })
}

/// Assigns a `buyer_evaluator` (or another `buyer_lead`) of the buying organisation to the
/// tender's evaluation panel (the tender's lead only; until the award).
#[utoipa::path(
    post,
    path = "/tenders/{id}/evaluators",
    tag = "evaluation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = AssignEvaluatorRequest,
    responses(
        (status = 201, description = "The panel member.", body = EvaluatorResponse),
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
pub async fn assign_evaluator(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<AssignEvaluatorRequest>, ApiError>,
) -> Result<(StatusCode, Json<EvaluatorResponse>), ApiError> {
    domain::tender::require_tender_manager(&actor)?;
    let mut command = state.db.command().await?;
    let (tender, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    tender
        .scope(status)
        .check_lead(&actor, "assign evaluators")?;
    let JsonBody(request) = body?;
    check_panel_open(status)?;
    let user = persistence::users::find(command.conn(), UserId::from_uuid(request.user_id))
        .await?
        .filter(|u| {
            u.active
                && u.organisation_id == tender.buyer_id
                && matches!(u.role, Role::BuyerEvaluator | Role::BuyerLead)
        })
        .ok_or_else(|| {
            DomainError::field(
                "/user_id",
                "must be an active buyer_evaluator or buyer_lead of the buying organisation",
            )
        })?;
    let panel = persistence::evaluation::panel(command.conn(), tender.id).await?;
    if panel.len() >= evaluation::PANEL_MAX && !panel.iter().any(|m| m.user_id == user.id) {
        return Err(DomainError::Conflict(format!(
            "the panel is full: at most {} evaluators",
            evaluation::PANEL_MAX
        ))
        .into());
    }
    let member = persistence::evaluation::assign(
        command.conn(),
        tender.id,
        user.id,
        actor.user_id,
        command.now(),
    )
    .await?;
    let shown = EvaluatorResponse::from(member);
    command
        .audit(
            AuditEntry::new(
                Some(actor),
                "tender.evaluator_assigned",
                "tender",
                tender.id,
            )
            .after(audit_member(&shown)),
        )
        .await?;
    command.commit().await?;
    Ok((StatusCode::CREATED, Json(shown)))
}

/// The tender's evaluation panel with each member's declaration: the lead, the regulator and
/// admins see every member; a panel member sees its own entry.
#[utoipa::path(
    get,
    path = "/tenders/{id}/evaluators",
    tag = "evaluation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "The panel.", body = EvaluatorList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn list_evaluators(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<EvaluatorList>, ApiError> {
    let conn = state.db.conn();
    let now = state.db.now().await?;
    let (tender, status) = visible(conn, &actor, TenderId::from_uuid(id), now).await?;
    let scope = tender.scope(status);
    let panel = persistence::evaluation::panel(conn, tender.id).await?;
    let items: Vec<EvaluatorResponse> = match actor.role {
        Role::BuyerLead if scope.is_buyer(&actor) => panel.into_iter().map(Into::into).collect(),
        Role::Regulator | Role::Admin => panel.into_iter().map(Into::into).collect(),
        Role::BuyerEvaluator if scope.is_buyer(&actor) => panel
            .into_iter()
            .filter(|m| m.user_id == actor.user_id)
            .map(Into::into)
            .collect(),
        _ => {
            return Err(DomainError::Forbidden(
                "only the buying organisation, the regulator and admins see the panel".to_owned(),
            )
            .into());
        }
    };
    Ok(Json(EvaluatorList { items }))
}

/// Takes a member off the panel (the tender's lead; until the award). Its marks on the tender
/// are removed with it and no longer count.
#[utoipa::path(
    delete,
    path = "/tenders/{id}/evaluators/{user_id}",
    tag = "evaluation",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("user_id" = Uuid, Path, description = "The panel member's user id."),
    ),
    responses(
        (status = 204, description = "Removed."),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn remove_evaluator(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams((id, user_id)): PathParams<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    domain::tender::require_tender_manager(&actor)?;
    let mut command = state.db.command().await?;
    let (tender, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    tender
        .scope(status)
        .check_lead(&actor, "change the evaluation panel")?;
    check_panel_open(status)?;
    let user = UserId::from_uuid(user_id);
    let member = persistence::evaluation::find_member(command.conn(), tender.id, user)
        .await?
        .ok_or(DomainError::NotFound("evaluator"))?;
    let marks = persistence::evaluation::remove(command.conn(), tender.id, user)
        .await?
        .unwrap_or(0);
    command
        .audit(
            AuditEntry::new(Some(actor), "tender.evaluator_removed", "tender", tender.id)
                .before(audit_member(&member.into()))
                .after(serde_json::json!({"user_id": user_id, "marks_removed": marks})),
        )
        .await?;
    command.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in panel member declares whether it has a conflict of interest, before it may see
/// any bid. A lead declaring joins the panel (the lead may also score). A declaration is made
/// once; afterwards only a newly found conflict may be declared, and it can never be withdrawn.
#[utoipa::path(
    post,
    path = "/tenders/{id}/conflict-declaration",
    tag = "evaluation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = ConflictDeclarationRequest,
    responses(
        (status = 201, description = "The declaration, recorded on the panel member.", body = EvaluatorResponse),
        (status = 200, description = "A conflict declared after an earlier declaration of none.", body = EvaluatorResponse),
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
pub async fn declare_conflict(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<ConflictDeclarationRequest>, ApiError>,
) -> Result<(StatusCode, Json<EvaluatorResponse>), ApiError> {
    if !matches!(actor.role, Role::BuyerEvaluator | Role::BuyerLead) {
        return Err(
            DomainError::Forbidden(format!("a {} does not evaluate tenders", actor.role)).into(),
        );
    }
    let mut command = state.db.command().await?;
    let (tender, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    let scope = tender.scope(status);
    if !can_view_tender(&actor, &scope) {
        return Err(DomainError::NotFound("tender").into());
    }
    if !scope.is_buyer(&actor) {
        return Err(DomainError::Forbidden(
            "only the buying organisation's evaluators declare on its tenders".to_owned(),
        )
        .into());
    }
    let JsonBody(request) = body?;
    let declaration = Declaration::parse(request.has_conflict, request.details.as_deref())?;
    check_panel_open(status)?;
    let mut member =
        persistence::evaluation::find_member(command.conn(), tender.id, actor.user_id).await?;
    if member.is_none() && actor.role == Role::BuyerLead {
        member = Some(
            persistence::evaluation::assign(
                command.conn(),
                tender.id,
                actor.user_id,
                actor.user_id,
                command.now(),
            )
            .await?,
        );
    }
    let member = member.ok_or_else(|| {
        DomainError::Forbidden(
            "you are not on this tender's evaluation panel; the lead assigns evaluators".to_owned(),
        )
    })?;
    declaration.check_replaces(member.has_conflict)?;
    let first = member.has_conflict.is_none();
    let before = EvaluatorResponse::from(member);
    let declared = persistence::evaluation::declare(
        command.conn(),
        tender.id,
        actor.user_id,
        &declaration,
        command.now(),
    )
    .await?;
    let shown = EvaluatorResponse::from(declared);
    command
        .audit(
            AuditEntry::new(Some(actor), "tender.conflict_declared", "tender", tender.id)
                .before(audit_member(&before))
                .after(audit_member(&shown)),
        )
        .await?;
    command.commit().await?;
    let code = if first {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((code, Json(shown)))
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

/// The regulator and admins read the evaluation once the tender is awarded, as they read bids.
fn check_awarded_for_oversight(tender: &Tender, status: TenderStatus) -> Result<(), ApiError> {
    if matches!(status, TenderStatus::Standstill | TenderStatus::Awarded) {
        Ok(())
    } else {
        Err(DomainError::Sealed(format!(
            "The evaluation is the buyer's until the tender is awarded (it is {status}; bids \
             closed {}).",
            tender.submission_deadline.to_rfc3339()
        ))
        .into())
    }
}

/// Loads the tender for the lead's evaluation command and its live bid.
async fn lead_and_bid(
    command: &mut Command,
    actor: &Actor,
    id: Uuid,
    bid_id: Uuid,
    action: &str,
) -> Result<(Tender, Bid), ApiError> {
    domain::tender::require_tender_manager(actor)?;
    let (tender, status) = lock_and_settle(command, TenderId::from_uuid(id)).await?;
    tender.scope(status).check_lead(actor, action)?;
    check_in_evaluation(&tender, status)?;
    let bid = persistence::bids::find(command.conn(), tender.id, BidId::from_uuid(bid_id))
        .await?
        .filter(|b| b.status.is_live())
        .ok_or(DomainError::NotFound("bid"))?;
    Ok((tender, bid))
}

async fn bid_evaluation<C: ConnectionTrait>(
    conn: &C,
    bid: &Bid,
    exclusion: Option<&Exclusion>,
) -> Result<BidEvaluationResponse, ApiError> {
    let name = persistence::organisations::get(conn, bid.supplier_id)
        .await?
        .name;
    Ok(BidEvaluationResponse {
        bid_id: bid.id.as_uuid(),
        supplier_id: bid.supplier_id.as_uuid(),
        supplier_name: name,
        price_pence: bid.price_pence,
        excluded: exclusion.is_some(),
        exclusion_reason: exclusion.map(|e| e.reason.clone()),
        excluded_at: exclusion.map(|e| e.excluded_at),
    })
}

/// Excludes a bid as non-compliant, with the reason the bidder will read (the tender's lead,
/// in evaluation). An excluded bid is not scored or ranked.
#[utoipa::path(
    post,
    path = "/tenders/{id}/bids/{bid_id}/exclude",
    tag = "evaluation",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("bid_id" = Uuid, Path, description = "The bid's id."),
    ),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "The bid, excluded.", body = BidEvaluationResponse),
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
pub async fn exclude_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams((id, bid_id)): PathParams<(Uuid, Uuid)>,
    body: Result<JsonBody<ReasonRequest>, ApiError>,
) -> Result<Json<BidEvaluationResponse>, ApiError> {
    let mut command = state.db.command().await?;
    let (tender, bid) = lead_and_bid(&mut command, &actor, id, bid_id, "exclude bids").await?;
    let JsonBody(request) = body?;
    let reason = evaluation::reason(&request.reason)?;
    let exclusion = persistence::evaluation::exclude(
        command.conn(),
        tender.id,
        bid.id,
        &reason,
        actor.user_id,
        command.now(),
    )
    .await?;
    let shown = bid_evaluation(command.conn(), &bid, Some(&exclusion)).await?;
    command
        .audit(
            AuditEntry::new(Some(actor), "bid.excluded", "bid", bid.id).after(
                serde_json::json!({"tender_id": tender.id, "reason": reason, "excluded_at": exclusion.excluded_at}),
            ),
        )
        .await?;
    command.commit().await?;
    Ok(Json(shown))
}

/// Lifts an exclusion (the tender's lead, in evaluation).
#[utoipa::path(
    post,
    path = "/tenders/{id}/bids/{bid_id}/reinstate",
    tag = "evaluation",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("bid_id" = Uuid, Path, description = "The bid's id."),
    ),
    responses(
        (status = 200, description = "The bid, compliant again.", body = BidEvaluationResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn reinstate_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams((id, bid_id)): PathParams<(Uuid, Uuid)>,
) -> Result<Json<BidEvaluationResponse>, ApiError> {
    let mut command = state.db.command().await?;
    let (tender, bid) = lead_and_bid(&mut command, &actor, id, bid_id, "reinstate bids").await?;
    let previous = persistence::evaluation::exclusions(command.conn(), tender.id)
        .await?
        .into_iter()
        .find(|e| e.bid_id == bid.id)
        .ok_or_else(|| DomainError::Conflict("the bid is not excluded".to_owned()))?;
    persistence::evaluation::reinstate(command.conn(), bid.id).await?;
    let shown = bid_evaluation(command.conn(), &bid, None).await?;
    command
        .audit(
            AuditEntry::new(Some(actor), "bid.reinstated", "bid", bid.id)
                .before(serde_json::json!({"tender_id": tender.id, "reason": previous.reason}))
                .after(serde_json::json!({"tender_id": tender.id, "excluded": false})),
        )
        .await?;
    command.commit().await?;
    Ok(Json(shown))
}

/// The ranking of the compliant live bids, with each bid's price score, quality scores per
/// criterion, total and rank, and whether scoring is complete. The tender's lead, after the
/// deadline; the regulator and admins once the tender is awarded.
#[utoipa::path(
    get,
    path = "/tenders/{id}/ranking",
    tag = "evaluation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "The ranking.", body = RankingResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = BidsSealed),
        (status = 404, response = NotFound),
    )
)]
pub async fn get_ranking(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<RankingResponse>, ApiError> {
    let conn = state.db.conn();
    let now = state.db.now().await?;
    let (tender, status) = visible(conn, &actor, TenderId::from_uuid(id), now).await?;
    let scope = tender.scope(status);
    let sealed = || {
        ApiError::from(DomainError::Sealed(format!(
            "The bids are sealed until the submission deadline ({}).",
            tender.submission_deadline.to_rfc3339()
        )))
    };
    match actor.role {
        Role::BuyerLead if scope.is_buyer(&actor) => {
            if matches!(status, TenderStatus::Draft | TenderStatus::Published) {
                return Err(sealed());
            }
        }
        Role::Regulator | Role::Admin => {
            if matches!(status, TenderStatus::Draft | TenderStatus::Published) {
                return Err(sealed());
            }
            check_awarded_for_oversight(&tender, status)?;
        }
        _ => {
            return Err(DomainError::Forbidden(
                "the ranking is the buying organisation's lead's (and, after award, the \
                 regulator's); bidders read their outcome"
                    .to_owned(),
            )
            .into());
        }
    }
    let evaluated = evaluate(conn, &tender, now).await?;
    Ok(Json(evaluated.response(&tender)))
}

/// Declares the tender unsuccessful because no compliant bid remains (the tender's lead, in
/// evaluation): exclude non-compliant bids first, with their reasons.
#[utoipa::path(
    post,
    path = "/tenders/{id}/unsuccessful",
    tag = "evaluation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "The tender, unsuccessful.", body = TenderResponse),
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
pub async fn declare_unsuccessful(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<ReasonRequest>, ApiError>,
) -> Result<Json<TenderResponse>, ApiError> {
    domain::tender::require_tender_manager(&actor)?;
    let mut command = state.db.command().await?;
    let (tender, status) = lock_and_settle(&mut command, TenderId::from_uuid(id)).await?;
    tender
        .scope(status)
        .check_lead(&actor, "declare the tender unsuccessful")?;
    let JsonBody(request) = body?;
    let reason = evaluation::reason(&request.reason)?;
    let next = status.fail()?;
    let evaluated = evaluate(command.conn(), &tender, command.now()).await?;
    evaluation::check_no_compliant_bid(evaluated.ranking.items.len())?;
    let before_status = status;
    let failed = persistence::tenders::set_status(
        command.conn(),
        &tender,
        next,
        Transition {
            unsuccessful_reason: Some(reason.clone()),
            ..Transition::default()
        },
        command.now(),
    )
    .await?;
    let shown = TenderResponse::from(
        service::tenders::view(command.conn(), Some(&actor), failed, next).await?,
    );
    command
        .audit(
            AuditEntry::new(
                Some(actor),
                "tender.declared_unsuccessful",
                "tender",
                tender.id,
            )
            .before(serde_json::json!({"status": before_status.as_str()}))
            .after(serde_json::json!({"status": next.as_str(), "reason": reason})),
        )
        .await?;
    command.commit().await?;
    Ok(Json(shown))
}
