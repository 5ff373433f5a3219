//! What each bidder learns of the outcome: its own marks and reasons, and the winner's.

use super::*;

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
