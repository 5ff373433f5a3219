//! What an award tells each bidder: its assessment summary (Procurement Act 2023 s.50(3)–(5)),
//! written once with the award and before the contract award notice: for each criterion its
//! weight, the score and the reasons, the total and the rank; and the same for the winning
//! tender. Only an assessed tender gets one: a bid excluded as non-compliant was disregarded
//! (s.50(5)(b)), and its bidder reads only why.

use super::*;
use crate::evaluation::Evaluated;
use domain::money::pounds;
use domain::tender::CriterionKind;
use serde::Deserialize;

/// One criterion of an assessed tender, as its summary states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionAssessment {
    pub criterion_id: CriterionId,
    pub name: String,
    /// `price` or `quality`.
    pub kind: String,
    /// Its weight, in % of the total.
    pub weight: u8,
    /// The points the tender scored on it, out of its weight (to 4 places).
    pub score: f64,
    /// Quality only: the mean of the evaluators' marks out of 100.
    pub mean_score: Option<f64>,
    /// Quality only: each evaluator's mark out of 100, in the order of `reasons`.
    pub marks: Vec<u8>,
    /// Why: for price, how the score follows from the prices; for quality, each evaluator's
    /// justification (evaluators are not named).
    pub reasons: Vec<String>,
}

/// An assessed tender's summary as it was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentSummary {
    pub bid_id: BidId,
    pub supplier_id: OrganisationId,
    pub supplier_name: String,
    pub price_pence: i64,
    pub criteria: Vec<CriterionAssessment>,
    /// Out of 100 (to 4 places).
    pub total: f64,
    /// 1 for the most advantageous tender.
    pub rank: u32,
    /// Whether this tender was awarded the contract.
    pub successful: bool,
}

/// Every assessed tender's summary, best first, for an award to `awarded` (several bids: a
/// framework's).
pub(crate) fn assess(
    evaluated: &Evaluated,
    tender: &Tender,
    awarded: &[BidId],
) -> Vec<AssessmentSummary> {
    let lowest = evaluated
        .ranking
        .items
        .iter()
        .map(|r| r.price_pence)
        .min()
        .unwrap_or(0);
    evaluated
        .ranking
        .items
        .iter()
        .map(|ranked| {
            let item = evaluated.item(tender, ranked);
            let criteria = tender
                .criteria
                .iter()
                .map(|c| match c.kind {
                    CriterionKind::Price => CriterionAssessment {
                        criterion_id: c.id,
                        name: c.name.clone(),
                        kind: c.kind.as_str().to_owned(),
                        weight: u8::try_from(c.weight).unwrap_or(0),
                        score: item.price_score,
                        mean_score: None,
                        marks: Vec::new(),
                        reasons: vec![format!(
                            "A price of {} against the lowest compliant price of {}: the weight \
                             {} × {} ÷ {} = {} points.",
                            pounds(item.price_pence),
                            pounds(lowest),
                            c.weight,
                            pounds(lowest),
                            pounds(item.price_pence),
                            item.price_score
                        )],
                    },
                    CriterionKind::Quality => {
                        let result = item.quality_scores.iter().find(|q| q.criterion_id == c.id);
                        let marks: Vec<_> = evaluated
                            .marks
                            .iter()
                            .filter(|m| m.bid_id == item.bid_id && m.criterion_id == c.id)
                            .collect();
                        CriterionAssessment {
                            criterion_id: c.id,
                            name: c.name.clone(),
                            kind: c.kind.as_str().to_owned(),
                            weight: u8::try_from(c.weight).unwrap_or(0),
                            score: result.map_or(0.0, |r| r.score),
                            mean_score: result.and_then(|r| r.mean_score),
                            marks: marks.iter().map(|m| m.score.value()).collect(),
                            reasons: marks.iter().map(|m| m.justification.clone()).collect(),
                        }
                    }
                })
                .collect();
            AssessmentSummary {
                bid_id: item.bid_id,
                supplier_id: item.supplier_id,
                supplier_name: item.supplier_name,
                price_pence: item.price_pence,
                criteria,
                total: item.total_score,
                rank: item.rank,
                successful: awarded.contains(&item.bid_id),
            }
        })
        .collect()
}

/// Writes every assessed tender's summary for `award`, sent now.
pub(super) async fn send_summaries(
    command: &Command,
    award: &Award,
    summaries: &[AssessmentSummary],
) -> Result<(), ServiceError> {
    let rows = summaries
        .iter()
        .map(|s| Ok((s.bid_id, s.supplier_id, audit_json(s)?)))
        .collect::<Result<Vec<_>, ServiceError>>()?;
    persistence::assessment_summaries::insert_all(
        command.conn(),
        award.id,
        award.decision.tender_id,
        &rows,
        command.now(),
    )
    .await?;
    Ok(())
}

/// The summaries sent for `award`, best first.
async fn sent_summaries<C: sea_orm::ConnectionTrait>(
    conn: &C,
    award: &Award,
) -> Result<Vec<AssessmentSummary>, ServiceError> {
    let mut summaries = persistence::assessment_summaries::of_award(conn, award.id)
        .await?
        .into_iter()
        .map(|stored| {
            serde_json::from_value::<AssessmentSummary>(stored.summary).map_err(|_| {
                ServiceError::Internal(format!("assessment summary of award {}", award.id).into())
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    summaries.sort_by_key(|s| s.rank);
    Ok(summaries)
}

/// What a bidder whose bid was not assessed learns: that it was excluded, and why.
#[derive(Debug, Clone)]
pub struct YourBidOutcome {
    pub bid_id: BidId,
    pub successful: bool,
    pub excluded: bool,
    pub exclusion_reason: Option<String>,
}

/// The outcome of an awarded tender as one viewer may see it.
#[derive(Debug, Clone)]
pub struct OutcomeView {
    pub tender_id: TenderId,
    /// The lot whose outcome this is; none on an undivided tender.
    pub lot_id: Option<LotId>,
    pub status: TenderStatus,
    pub award: AwardView,
    /// When the assessment summaries were sent (before the contract award notice).
    pub assessment_summaries_sent_at: Option<DateTime<Utc>>,
    pub standstill_ends_at: DateTime<Utc>,
    /// The winning tender's summary.
    pub winner: AssessmentSummary,
    /// A bidder's own summary, when its tender was assessed (bidders only).
    pub assessment_summary: Option<AssessmentSummary>,
    /// A bidder's own bid: whether it won, or was excluded and why (bidders only).
    pub your_bid: Option<YourBidOutcome>,
    /// Every assessed tender's summary (the buyer, the regulator and admins only).
    pub assessment_summaries: Option<Vec<AssessmentSummary>>,
    pub assessed_tenders: usize,
    pub contract_id: Option<Uuid>,
}

/// The outcome (of one lot of a divided tender): a bidder reads its own assessment summary and
/// the winner's; the buyer, the regulator and admins read every one.
pub async fn outcome(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    lot: Option<LotId>,
) -> Result<OutcomeView, ServiceError> {
    let conn = ctx.db().conn();
    let (tender, status, now) = visible_now(ctx, actor, id).await?;
    let scope = tender.scope(status);
    let lot = crate::evaluation::lot_to_evaluate(&tender, lot, "/lot")?;
    let own_bid = if actor.role == Role::SupplierBidder {
        persistence::bids::list(
            conn,
            tender.id,
            BidSelection::Supplier(actor.organisation_id),
        )
        .await?
        .into_iter()
        .find(|b| b.status.is_live() && b.lot_id == lot)
    } else {
        None
    };
    let sees_all = match actor.role {
        Role::BuyerLead | Role::BuyerEvaluator if scope.is_buyer(actor) => true,
        Role::Regulator | Role::Admin => true,
        Role::SupplierBidder if own_bid.is_some() => false,
        _ => {
            return Err(ServiceError::Forbidden(
                "the outcome is for the tender's bidders, its buyer, the regulator and admins"
                    .to_owned(),
            ));
        }
    };
    // A framework's lot has an award per admitted supplier: a bidder reads its own, anyone
    // else the best-ranked.
    let awards = super::lot_awards(conn, &tender, lot).await?;
    let award = awards
        .iter()
        .find(|a| own_bid.as_ref().is_some_and(|b| b.id == a.decision.bid_id))
        .or(awards.first())
        .cloned()
        .ok_or_else(|| {
            ServiceError::conflict(match lot {
                Some(_) => "the lot has not been awarded".to_owned(),
                None => format!("the tender is {status}; it has not been awarded"),
            })
        })?;
    let mut summaries = sent_summaries(conn, &award).await?;
    if summaries.is_empty() {
        // An award recorded before summaries were kept: they are assessed again, from the
        // same scores.
        let evaluated = evaluate(conn, &tender, lot, now).await?;
        summaries = assess(&evaluated, &tender, &[award.decision.bid_id]);
    }
    let winner = summaries
        .iter()
        .find(|s| s.bid_id == award.decision.bid_id)
        .cloned()
        .ok_or_else(|| ServiceError::Internal("the awarded bid has no summary".into()))?;
    let (assessment_summary, your_bid) = match own_bid {
        Some(bid) if !sees_all => {
            let exclusion = persistence::evaluation::exclusions(conn, tender.id)
                .await?
                .into_iter()
                .find(|e| e.bid_id == bid.id);
            (
                summaries.iter().find(|s| s.bid_id == bid.id).cloned(),
                Some(YourBidOutcome {
                    bid_id: bid.id,
                    successful: awards.iter().any(|a| a.decision.bid_id == bid.id),
                    excluded: exclusion.is_some(),
                    exclusion_reason: exclusion.map(|e| e.reason),
                }),
            )
        }
        _ => (None, None),
    };
    let contract_id = persistence::contracts::of_tender(conn, tender.id, uk_date(now))
        .await?
        .into_iter()
        .find(|c| c.terms.award_id == award.id)
        .map(|c| c.id);
    Ok(OutcomeView {
        tender_id: tender.id,
        lot_id: lot,
        status,
        assessment_summaries_sent_at: award.decision.assessment_summaries_sent_at,
        standstill_ends_at: award.decision.standstill_ends_at,
        award: award_view(award, winner.supplier_name.clone(), sees_all),
        winner,
        assessment_summary,
        your_bid,
        assessed_tenders: summaries.len(),
        assessment_summaries: sees_all.then_some(summaries),
        contract_id,
    })
}
