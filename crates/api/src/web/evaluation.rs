//! The buyer's side after the deadline: the lead's page with the bids, the evaluation panel, the
//! ranking, the award (with a justification where it is not the top bid), the challenges and
//! the contract; and the evaluator's page with the conflict declaration and the scoring form.
//! Each action is the service's own command, so every rule is decided in one place.

use super::ui::{
    Ctx, Done, Field, FormState, Posted, Problem, csrf_field, done, error_summary, inline_error,
    notice, parse_id, problems_of, summary, table, when, words,
};
use crate::dto::pounds;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{get, post};
use domain::FieldError;
use domain::contract::ChallengeOutcome;
use domain::evaluation::PanelStanding;
use domain::ids::{BidId, CriterionId, TenderId, UserId};
use domain::tender::{CriterionKind, TenderStatus};
use domain::user::Role;
use maud::{Markup, html};
use service::contracts::Rating;
use service::evaluation::{self as evaluation, MarkTarget};
use service::{awards, bids};
use std::collections::HashMap;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tenders/{id}/evaluation", get(evaluation_page))
        .route("/tenders/{id}/evaluators", post(assign_evaluator))
        .route(
            "/tenders/{id}/evaluators/{user}/remove",
            post(remove_evaluator),
        )
        .route("/tenders/{id}/bids/{bid}/exclude", post(exclude_bid))
        .route("/tenders/{id}/bids/{bid}/reinstate", post(reinstate_bid))
        .route("/tenders/{id}/award", post(award_tender))
        .route("/tenders/{id}/unsuccessful", post(declare_unsuccessful))
        .route(
            "/tenders/{id}/challenges/{challenge}/resolve",
            post(resolve_challenge),
        )
        .route("/tenders/{id}/contract", post(confirm_contract))
        .route("/tenders/{id}/scoring", get(scoring_page))
        .route("/tenders/{id}/declaration", post(declare))
        .route("/tenders/{id}/bids/{bid}/scores", post(score_bid))
}

fn rating_text(rating: Option<&Rating>) -> String {
    match rating {
        Some(r) => format!("{:.1} of 5 ({} reviews)", r.overall, r.reviews),
        None => "Not yet rated".to_owned(),
    }
}

/// The lead's page after the deadline. Which sections show follows the tender's state; what
/// each shows is what the API gives the lead.
async fn evaluation_content(
    ctx: &Ctx,
    id: &str,
    form: &FormState,
    confirmation: Option<&str>,
) -> Result<Markup, ApiError> {
    ctx.require(&[Role::BuyerLead])?;
    let service = &ctx.state.ctx;
    let who = &ctx.actor;
    let tender_id = TenderId::from_uuid(parse_id(id)?);
    let view = service::tenders::get(service, who, tender_id).await?;
    if view.tender.buyer_id != ctx.actor.organisation_id {
        return Err(ApiError::NotFound("No such tender.".to_owned()));
    }
    let tender = &view.tender;
    let state = view.status.as_str();
    let evaluating = view.status == TenderStatus::Evaluation;
    let panel = evaluation::panel(service, who, tender_id).await?;
    let bid_list = bids::list(service, who, tender_id).await?;
    let ranking = if evaluating {
        Some(evaluation::ranking(service, who, tender_id).await?)
    } else {
        None
    };
    let outcome = if matches!(
        view.status,
        TenderStatus::Standstill | TenderStatus::Awarded
    ) {
        Some(awards::outcome(service, who, tender_id).await?)
    } else {
        None
    };
    let challenges = if outcome.is_some() {
        awards::challenges(service, who, tender_id).await?
    } else {
        Vec::new()
    };
    let colleagues = persistence::users::list(
        ctx.state.db.conn(),
        &persistence::users::UserFilter {
            organisation_id: Some(ctx.actor.organisation_id),
            role: None,
            active: Some(true),
        },
        domain::pagination::PageRequest::new(Some(1), Some(100))?,
    )
    .await?;
    let assignable: Vec<(String, String)> =
        std::iter::once((String::new(), "Choose a colleague".to_owned()))
            .chain(
                colleagues
                    .items
                    .iter()
                    .filter(|u| matches!(u.role, Role::BuyerEvaluator | Role::BuyerLead))
                    .filter(|u| !panel.iter().any(|m| m.user_id == u.id))
                    .map(|u| {
                        (
                            u.id.as_uuid().to_string(),
                            format!("{} ({})", u.name, u.email),
                        )
                    }),
            )
            .collect();
    let excluded: HashMap<BidId, String> = ranking
        .as_ref()
        .map(|r| {
            r.excluded
                .iter()
                .map(|e| (e.bid_id, e.exclusion_reason.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    Ok(html! {
        (notice(confirmation))
        (error_summary(&form.problems))
        span class="nhsuk-caption-l" { (tender.title) }
        h1 { "Bids, evaluation and award" }
        p { "State: " strong class="nhsuk-tag" { (words(state)) } " — bids closed " (when(tender.submission_deadline)) "." }

        h2 { "Bids" }
        @if bid_list.is_empty() {
            p { "No bids were received." }
        } @else {
            (table("Bids received", &["Supplier", "Price", "Submitted", "Compliance"], &[1],
                bid_list.iter().map(|b| vec![
                    html! { (b.supplier_name) },
                    html! { (pounds(b.bid.price_pence)) },
                    html! { (when(b.bid.submitted_at)) },
                    html! {
                        @if let Some(reason) = excluded.get(&b.bid.id) {
                            "Excluded: " (reason)
                            @if evaluating {
                                form method="post" action=(format!("/tenders/{id}/bids/{}/reinstate", b.bid.id)) {
                                    (csrf_field(&ctx.csrf))
                                    button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit" { "Reinstate " span class="nhsuk-u-visually-hidden" { (b.supplier_name) } }
                                }
                            }
                        } @else if evaluating {
                            form method="post" action=(format!("/tenders/{id}/bids/{}/exclude", b.bid.id)) novalidate {
                                (csrf_field(&ctx.csrf))
                                (Field::new(&format!("reason-{}", b.bid.id), &format!("Reason to exclude {}", b.supplier_name)).named("reason").input(form))
                                button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit" { "Exclude as non-compliant" }
                            }
                        } @else {
                            "Compliant"
                        }
                    },
                ]).collect()))
            @for b in &bid_list {
                details class="nhsuk-details" {
                    summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "Responses from " (b.supplier_name) } }
                    div class="nhsuk-details__text" {
                        @for r in &b.bid.responses {
                            @let name = tender.criteria.iter().find(|c| c.id == r.criterion_id).map(|c| c.name.clone()).unwrap_or_default();
                            h3 class="nhsuk-heading-s" { (name) }
                            p class="mkt-pre" { (r.text) }
                        }
                    }
                }
            }
        }

        h2 { "Evaluation panel" }
        @if panel.is_empty() {
            p { "Nobody is assigned yet." }
        } @else {
            (table("Evaluation panel", &["Evaluator", "Declaration", ""], &[],
                panel.iter().map(|m| vec![
                    html! { (m.name) br; span class="nhsuk-body-s" { (m.email) } },
                    html! {
                        @match m.standing() {
                            PanelStanding::Conflicted => { "Conflict of interest: " (m.conflict_details.clone().unwrap_or_default()) }
                            PanelStanding::Cleared => { "No conflict" }
                            _ => { "Not yet declared" }
                        }
                    },
                    html! {
                        @if evaluating {
                            form method="post" action=(format!("/tenders/{id}/evaluators/{}/remove", m.user_id)) {
                                (csrf_field(&ctx.csrf))
                                button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit" { "Remove " span class="nhsuk-u-visually-hidden" { (m.name) } }
                            }
                        }
                    },
                ]).collect()))
        }
        @if evaluating {
            form method="post" action=(format!("/tenders/{id}/evaluators")) novalidate {
                (csrf_field(&ctx.csrf))
                (Field::new("user_id", "Assign an evaluator").select(form, &assignable))
                button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Assign" }
            }
            p { "You may score too: " a href=(format!("/tenders/{id}/scoring")) { "declare and score" } "." }
        }

        @if let Some(ranking) = &ranking {
            h2 { "Ranking" }
            @if !ranking.complete {
                div class="nhsuk-inset-text" { p { (ranking.missing_marks) " marks are still missing from " (ranking.scorers) " scoring evaluators. The award waits for every mark." } }
            }
            @if ranking.items.is_empty() {
                p { "No compliant bid to rank." }
            } @else {
                form method="post" action=(format!("/tenders/{id}/award")) novalidate {
                    (csrf_field(&ctx.csrf))
                    div class=(if form.error("bid_id").is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
                        fieldset class="nhsuk-fieldset" {
                            legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Choose the bid to award" }
                            (inline_error("bid_id", form.error("bid_id")))
                            div class="nhsuk-radios" id="bid_id" {
                                @for (i, item) in ranking.items.iter().enumerate() {
                                    div class="nhsuk-radios__item" {
                                        input class="nhsuk-radios__input" id=(format!("award-{i}")) name="bid_id" type="radio" value=(item.bid_id) checked[i == 0];
                                        label class="nhsuk-label nhsuk-radios__label" for=(format!("award-{i}")) {
                                            strong { (item.rank) ". " (item.supplier_name) } " — total " (format!("{:.2}", item.total_score))
                                            " (price " (format!("{:.2}", item.price_score)) ", quality " (format!("{:.2}", item.quality_score)) "); "
                                            (pounds(item.price_pence))
                                            @if item.above_budget_ceiling { " — above the budget ceiling" }
                                            "; supplier rating " (rating_text(item.supplier_rating.as_ref()))
                                        }
                                    }
                                }
                            }
                        }
                    }
                    (Field::new("justification", "Justification").hint("Needed when you award to any bid but the top-ranked one.").textarea(form))
                    button class="nhsuk-button" type="submit" { "Award" }
                }
                details class="nhsuk-details" {
                    summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "Scores by criterion" } }
                    div class="nhsuk-details__text" {
                        @for item in &ranking.items {
                            h3 class="nhsuk-heading-s" { (item.supplier_name) }
                            (table(&format!("Scores of {}", item.supplier_name), &["Criterion", "Weight", "Mean mark", "Score"], &[1, 2, 3],
                                item.quality_scores.iter().map(|q| vec![
                                    html! { (q.name) },
                                    html! { (q.weight) "%" },
                                    html! { (q.mean_score.map(|m| format!("{m:.1}")).unwrap_or_else(|| "—".to_owned())) },
                                    html! { (format!("{:.2}", q.score)) },
                                ]).collect()))
                        }
                    }
                }
            }
            h2 { "No compliant bid?" }
            form method="post" action=(format!("/tenders/{id}/unsuccessful")) novalidate {
                (csrf_field(&ctx.csrf))
                (Field::new("unsuccessful-reason", "Reason to declare the tender unsuccessful").named("reason").hint("Only when no compliant bid remains.").textarea(form))
                button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Declare unsuccessful" }
            }
        }

        @if let Some(outcome) = &outcome {
            h2 { "Award" }
            (summary(vec![
                ("Awarded to", html! { strong { (outcome.award.supplier_name) } }),
                ("Rank", html! { (outcome.award.rank) }),
                ("Awarded", html! { (when(outcome.award.awarded_at)) }),
                ("Standstill ends", html! { (when(outcome.award.standstill_ends_at)) }),
            ]))
            @if let Some(justification) = &outcome.award.justification {
                p class="mkt-pre" { strong { "Justification: " } (justification) }
            }
            h2 { "Challenges" }
            @if challenges.is_empty() { p { "No challenge has been lodged." } }
            @for c in &challenges {
                div class="nhsuk-inset-text" {
                    p class="mkt-pre" { (c.grounds) }
                    p { "Lodged " (when(c.lodged_at)) " — " strong { (words(c.status.as_str())) } }
                    @if let Some(notes) = &c.resolution_notes { p class="mkt-pre" { (notes) } }
                    @if c.status == domain::contract::ChallengeStatus::Open {
                        form method="post" action=(format!("/tenders/{id}/challenges/{}/resolve", c.id)) novalidate {
                            (csrf_field(&ctx.csrf))
                            (Field::new(&format!("outcome-{}", c.id), "Outcome").named("outcome").select(form, &[("dismissed".to_owned(), "Dismissed: the award stands".to_owned()), ("upheld".to_owned(), "Upheld: the award is cancelled and evaluation reopens".to_owned())]))
                            (Field::new(&format!("notes-{}", c.id), "Notes").named("notes").textarea(form))
                            button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Resolve the challenge" }
                        }
                    }
                }
            }
            h2 { "Contract" }
            @match outcome.contract_id {
                Some(contract) => { p { a href=(format!("/contracts/{contract}")) { "The contract" } } }
                None => {
                    p { "When the standstill has ended with no open challenge, confirm the contract." }
                    form method="post" action=(format!("/tenders/{id}/contract")) novalidate {
                        (csrf_field(&ctx.csrf))
                        (Field::new("start_date", "Start date").kind("date").input(form))
                        (Field::new("end_date", "End date (optional)").hint("Leave empty to run the tender's contract term.").kind("date").input(form))
                        button class="nhsuk-button" type="submit" { "Confirm the contract" }
                    }
                }
            }
        }
        p { a href=(format!("/tenders/{id}")) { "Back to the tender" } }
    })
}

async fn evaluation_page(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(confirmation): Query<Done>,
) -> Response {
    let built = evaluation_content(&ctx, &id, &FormState::default(), confirmation.message()).await;
    ctx.show("Bids, evaluation and award", built)
}

/// After a lead's action: back to the evaluation page with a confirmation, or the page again
/// with the problem pointed at the field that caused it.
async fn after(
    ctx: &Ctx,
    id: &str,
    posted: &Posted,
    result: Result<(), ApiError>,
    code: &str,
    rename: &[(&str, String)],
) -> Response {
    match result {
        Ok(()) => done(&format!("/tenders/{id}/evaluation"), code),
        Err(error @ (ApiError::Forbidden(_) | ApiError::NotFound(_))) => ctx.error(error),
        Err(error) => {
            let mut form = FormState::failed(posted, &error);
            for p in &mut form.problems {
                if let Some((_, to)) = rename
                    .iter()
                    .find(|(from, _)| p.field.as_deref() == Some(*from))
                {
                    p.field = Some(to.clone());
                }
            }
            let built = evaluation_content(ctx, id, &form, None).await;
            ctx.show_again("Bids, evaluation and award", &error, built)
        }
    }
}

fn ids(id: &str, other: &str) -> Result<(TenderId, Uuid), ApiError> {
    Ok((TenderId::from_uuid(parse_id(id)?), parse_id(other)?))
}

fn tender_id(id: &str) -> Result<TenderId, ApiError> {
    Ok(TenderId::from_uuid(parse_id(id)?))
}

/// A free-text field, `None` when left empty.
fn optional(posted: &Posted, field: &str) -> Option<String> {
    let text = posted.text(field).trim();
    (!text.is_empty()).then(|| text.to_owned())
}

async fn assign_evaluator(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let tender = tender_id(&id)?;
        let user = Uuid::parse_str(posted.get("user_id")).map_err(|_| {
            ApiError::from(service::ServiceError::Validation(vec![FieldError::new(
                "/user_id",
                "choose a colleague to assign",
            )]))
        })?;
        evaluation::assign(&ctx.state.ctx, &ctx.actor, tender, UserId::from_uuid(user)).await?;
        Ok(())
    }
    .await;
    after(&ctx, &id, &posted, result, "assigned", &[]).await
}

async fn remove_evaluator(
    ctx: Ctx,
    Path((id, user)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    let result = async {
        let (tender, user) = ids(&id, &user)?;
        evaluation::remove(&ctx.state.ctx, &ctx.actor, tender, UserId::from_uuid(user)).await?;
        Ok(())
    }
    .await;
    after(&ctx, &id, &posted, result, "removed", &[]).await
}

async fn exclude_bid(
    ctx: Ctx,
    Path((id, bid)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    let result = async {
        let (tender, bid_id) = ids(&id, &bid)?;
        let reason = posted.text("reason").trim();
        evaluation::exclude(
            &ctx.state.ctx,
            &ctx.actor,
            tender,
            BidId::from_uuid(bid_id),
            reason,
        )
        .await?;
        Ok(())
    }
    .await;
    after(
        &ctx,
        &id,
        &posted,
        result,
        "excluded",
        &[("reason", format!("reason-{bid}"))],
    )
    .await
}

async fn reinstate_bid(
    ctx: Ctx,
    Path((id, bid)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    let result = async {
        let (tender, bid_id) = ids(&id, &bid)?;
        evaluation::reinstate(&ctx.state.ctx, &ctx.actor, tender, BidId::from_uuid(bid_id)).await?;
        Ok(())
    }
    .await;
    after(&ctx, &id, &posted, result, "reinstated", &[]).await
}

async fn award_tender(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let tender = tender_id(&id)?;
        let bid = Uuid::parse_str(posted.get("bid_id")).map_err(|_| {
            ApiError::from(service::ServiceError::Validation(vec![FieldError::new(
                "/bid_id",
                "choose the bid to award",
            )]))
        })?;
        let justification = optional(&posted, "justification");
        awards::award(
            &ctx.state.ctx,
            &ctx.actor,
            tender,
            BidId::from_uuid(bid),
            justification.as_deref(),
        )
        .await?;
        Ok(())
    }
    .await;
    after(&ctx, &id, &posted, result, "awarded", &[]).await
}

async fn declare_unsuccessful(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let tender = tender_id(&id)?;
        let reason = posted.text("reason").trim();
        evaluation::declare_unsuccessful(&ctx.state.ctx, &ctx.actor, tender, reason).await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => done(&format!("/tenders/{id}"), "unsuccessful"),
        Err(error) => {
            after(
                &ctx,
                &id,
                &posted,
                Err(error),
                "",
                &[("reason", "unsuccessful-reason".to_owned())],
            )
            .await
        }
    }
}

async fn resolve_challenge(
    ctx: Ctx,
    Path((id, challenge)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    let result = async {
        let (tender, challenge_id) = ids(&id, &challenge)?;
        let outcome = match posted.get("outcome") {
            "upheld" => ChallengeOutcome::Upheld,
            "dismissed" => ChallengeOutcome::Dismissed,
            _ => {
                return Err(ApiError::from(service::ServiceError::Validation(vec![
                    FieldError::new("/outcome", "choose dismissed or upheld"),
                ])));
            }
        };
        let notes = posted.text("notes").trim();
        awards::resolve_challenge(
            &ctx.state.ctx,
            &ctx.actor,
            tender,
            challenge_id,
            outcome,
            notes,
        )
        .await?;
        Ok(())
    }
    .await;
    match result {
        // An upheld challenge reopens evaluation: the tender page says where it now stands.
        Ok(()) => done(&format!("/tenders/{id}"), "resolved"),
        Err(error) => {
            after(
                &ctx,
                &id,
                &posted,
                Err(error),
                "",
                &[
                    ("notes", format!("notes-{challenge}")),
                    ("outcome", format!("outcome-{challenge}")),
                ],
            )
            .await
        }
    }
}

async fn confirm_contract(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let tender = tender_id(&id)?;
        let mut errors = Vec::new();
        let start = date_field(&posted, "start_date", &mut errors);
        let end = optional(&posted, "end_date")
            .and_then(|_| date_field(&posted, "end_date", &mut errors));
        let start = match start {
            Some(start) if errors.is_empty() => start,
            _ => return Err(ApiError::from(service::ServiceError::Validation(errors))),
        };
        let contract =
            awards::confirm_contract(&ctx.state.ctx, &ctx.actor, tender, start, end).await?;
        Ok::<_, ApiError>(contract.id)
    }
    .await;
    match result {
        Ok(contract) => done(&format!("/contracts/{contract}"), "contracted"),
        Err(error) => after(&ctx, &id, &posted, Err(error), "", &[]).await,
    }
}

/// A `date` field as a date; a missing or unreadable one is an error at that field.
fn date_field(
    posted: &Posted,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<chrono::NaiveDate> {
    let parsed = chrono::NaiveDate::parse_from_str(posted.get(field).trim(), "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.push(FieldError::new(
            format!("/{field}"),
            "must be a date, like 2027-04-01",
        ));
    }
    parsed
}

/// The evaluator's page (or the lead's, when it scores): the declaration first; once it has
/// declared no conflict, a scoring form per bid with a mark and a justification per quality
/// criterion, filled with the marks it gave so far.
async fn scoring_content(
    ctx: &Ctx,
    id: &str,
    form: &FormState,
    confirmation: Option<&str>,
) -> Result<Markup, ApiError> {
    ctx.require(&[Role::BuyerEvaluator, Role::BuyerLead])?;
    let service = &ctx.state.ctx;
    let tender_id = TenderId::from_uuid(parse_id(id)?);
    let view = service::tenders::get(service, &ctx.actor, tender_id).await?;
    let tender = &view.tender;
    let member = evaluation::standing_on_panel(service, &ctx.actor, tender_id).await?;
    let quality: Vec<_> = tender
        .criteria
        .iter()
        .filter(|c| c.kind == CriterionKind::Quality)
        .collect();
    let declared_clear = member
        .as_ref()
        .is_some_and(|m| m.standing() == PanelStanding::Cleared);
    let declared = member
        .as_ref()
        .is_some_and(|m| m.standing() != PanelStanding::Undeclared);
    let lead = ctx.actor.role == Role::BuyerLead;
    if member.is_none() && !lead {
        return Err(ApiError::NotFound(
            "You are not on this tender's evaluation panel.".to_owned(),
        ));
    }
    let (bid_list, marks) = if declared_clear {
        (
            bids::list(service, &ctx.actor, tender_id).await?,
            evaluation::scores(service, &ctx.actor, tender_id).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let mine: HashMap<(BidId, CriterionId), &persistence::evaluation::StoredScore> = marks
        .iter()
        .filter(|m| m.evaluator_id == ctx.actor.user_id)
        .map(|m| ((m.bid_id, m.criterion_id), m))
        .collect();
    let value = |bid: BidId, criterion: CriterionId, field: &str| -> String {
        let key = format!("{bid}-{criterion}-{field}");
        if let Some(v) = form.values.get(&key) {
            return v.clone();
        }
        mine.get(&(bid, criterion))
            .map(|m| {
                if field == "score" {
                    m.score.value().to_string()
                } else {
                    m.justification.clone()
                }
            })
            .unwrap_or_default()
    };
    let mut values = form.values.clone();
    for b in &bid_list {
        for c in &quality {
            for field in ["score", "justification"] {
                values.insert(
                    format!("{}-{}-{field}", b.bid.id, c.id),
                    value(b.bid.id, c.id, field),
                );
            }
        }
    }
    let filled = FormState {
        values,
        problems: form
            .problems
            .iter()
            .map(|p| Problem {
                field: p.field.clone(),
                message: p.message.clone(),
            })
            .collect(),
    };
    Ok(html! {
        (notice(confirmation))
        (error_summary(&form.problems))
        span class="nhsuk-caption-l" { (tender.title) }
        h1 { "Evaluate the bids" }
        @if !declared {
            p { "Before you see any bid, declare whether you have a conflict of interest with any bidder. A conflict can never be withdrawn; you would then take no part." }
            form method="post" action=(format!("/tenders/{id}/declaration")) novalidate {
                (csrf_field(&ctx.csrf))
                div class="nhsuk-form-group" {
                    fieldset class="nhsuk-fieldset" {
                        legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Do you have a conflict of interest?" }
                        div class="nhsuk-radios" id="has_conflict" {
                            div class="nhsuk-radios__item" {
                                input class="nhsuk-radios__input" id="conflict-no" name="has_conflict" type="radio" value="false" checked;
                                label class="nhsuk-label nhsuk-radios__label" for="conflict-no" { "No, I have no conflict of interest" }
                            }
                            div class="nhsuk-radios__item" {
                                input class="nhsuk-radios__input" id="conflict-yes" name="has_conflict" type="radio" value="true";
                                label class="nhsuk-label nhsuk-radios__label" for="conflict-yes" { "Yes, I have a conflict" }
                            }
                        }
                    }
                }
                (Field::new("details", "Details of the conflict (if any)").textarea(form))
                button class="nhsuk-button" type="submit" { "Make the declaration" }
            }
        } @else if !declared_clear {
            div class="nhsuk-inset-text" { p { "You declared a conflict of interest, so you take no part in this evaluation." } }
        } @else if view.status != TenderStatus::Evaluation {
            p { "The evaluation is over." }
        } @else {
            p { "Mark each bid on each quality criterion from 0 to 100, with the reason. Bidders read your reasons (not your name) after the award." }
            @for b in &bid_list {
                h2 { (b.supplier_name) }
                form method="post" action=(format!("/tenders/{id}/bids/{}/scores", b.bid.id)) novalidate {
                    (csrf_field(&ctx.csrf))
                    @for c in &quality {
                        @let response = b.bid.responses.iter().find(|r| r.criterion_id == c.id).map(|r| r.text.clone()).unwrap_or_default();
                        fieldset class="nhsuk-fieldset mkt-criteria-row" {
                            legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { (c.name) " (" (c.weight) "%)" }
                            div class="nhsuk-inset-text" { p class="mkt-pre" { (response) } }
                            (Field::new(&format!("{}-{}-score", b.bid.id, c.id), &format!("Mark for {} on {}, 0 to 100", b.supplier_name, c.name)).width("3").input(&filled))
                            (Field::new(&format!("{}-{}-justification", b.bid.id, c.id), &format!("Reason for the mark for {} on {}", b.supplier_name, c.name)).textarea(&filled))
                        }
                    }
                    button class="nhsuk-button" type="submit" { "Save marks for " (b.supplier_name) }
                }
            }
        }
        p { a href=(format!("/tenders/{id}")) { "Back to the tender" } }
    })
}

async fn scoring_page(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(confirmation): Query<Done>,
) -> Response {
    let built = scoring_content(&ctx, &id, &FormState::default(), confirmation.message()).await;
    ctx.show("Evaluate the bids", built)
}

async fn show_scoring_again(
    ctx: &Ctx,
    id: &str,
    form: FormState,
    status: axum::http::StatusCode,
) -> Response {
    let built = scoring_content(ctx, id, &form, None).await;
    let mut response = ctx.show("Evaluate the bids", built);
    *response.status_mut() = status;
    response
}

async fn declare(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let Ok(tender) = tender_id(&id) else {
        return ctx.error(ApiError::NotFound("No such tender.".to_owned()));
    };
    let has_conflict = posted.get("has_conflict") == "true";
    let details = optional(&posted, "details");
    match evaluation::declare(
        &ctx.state.ctx,
        &ctx.actor,
        tender,
        has_conflict,
        details.as_deref(),
    )
    .await
    .map_err(ApiError::from)
    {
        Ok(_) => done(&format!("/tenders/{tender}/scoring"), "declared"),
        Err(error @ (ApiError::Forbidden(_) | ApiError::NotFound(_))) => ctx.error(error),
        Err(error) => {
            show_scoring_again(
                &ctx,
                &id,
                FormState::failed(&posted, &error),
                error.status(),
            )
            .await
        }
    }
}

/// Saves every mark of one bid: one command per criterion, each checked on its own; the marks
/// that were right are kept and the wrong ones shown with their errors.
async fn score_bid(ctx: Ctx, Path((id, bid)): Path<(String, String)>, posted: Posted) -> Response {
    let Ok((tender_id, bid_id)) = ids(&id, &bid) else {
        return ctx.error(ApiError::NotFound("No such bid.".to_owned()));
    };
    let bid_id = BidId::from_uuid(bid_id);
    let tender = match service::tenders::get(&ctx.state.ctx, &ctx.actor, tender_id).await {
        Ok(view) => view.tender,
        Err(error) => return ctx.error(error.into()),
    };
    let mut problems = Vec::new();
    let mut status = axum::http::StatusCode::OK;
    for c in tender
        .criteria
        .iter()
        .filter(|c| c.kind == CriterionKind::Quality)
    {
        let prefix = format!("{bid_id}-{}", c.id);
        let justification = posted.text(&format!("{prefix}-justification")).trim();
        let result = match posted.get(&format!("{prefix}-score")).trim().parse::<i64>() {
            Ok(score) => {
                let target = MarkTarget {
                    tender: tender_id,
                    bid: bid_id,
                    criterion: c.id,
                };
                evaluation::score(&ctx.state.ctx, &ctx.actor, target, score, justification)
                    .await
                    .map(|_| ())
                    .map_err(ApiError::from)
            }
            Err(_) => Err(ApiError::from(service::ServiceError::Validation(vec![
                FieldError::new("/score", "must be a whole number from 0 to 100"),
            ]))),
        };
        if let Err(error) = result {
            if matches!(
                error,
                ApiError::Forbidden(_) | ApiError::NotFound(_) | ApiError::BidsSealed(_)
            ) {
                return ctx.error(error);
            }
            status = error.status();
            for mut p in problems_of(&error) {
                p.message = format!("{}: {}", c.name, p.message);
                p.field = Some(match p.field.as_deref() {
                    Some("justification") => format!("{prefix}-justification"),
                    _ => format!("{prefix}-score"),
                });
                problems.push(p);
            }
        }
    }
    if problems.is_empty() {
        done(&format!("/tenders/{tender_id}/scoring"), "scored")
    } else {
        let mut form = FormState::new(posted.values());
        form.problems = problems;
        show_scoring_again(&ctx, &id, form, status).await
    }
}
