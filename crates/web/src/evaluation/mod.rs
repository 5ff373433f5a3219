//! The buyer's side after the deadline: the lead's page with the bids, the evaluation panel, the
//! ranking, the award (with a justification where it is not the top bid), the challenges and
//! the contract; and the evaluator's page with the conflict declaration and the scoring form.
//! Each action is the service's own command, so every rule is decided in one place.

use crate::WebState;
use crate::ui::Content;
use crate::ui::{
    Ctx, Done, Field, FormState, LotParam, Posted, Problem, csrf_field, done, error_summary,
    inline_error, lot_id_of, lot_path, notice, parse_id, problems_of, summary, table, when, words,
};
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{get, post};
use domain::FieldError;
use domain::contract::ChallengeOutcome;
use domain::evaluation::PanelStanding;
use domain::ids::{BidId, CriterionId, LotId, TenderId, UserId};
use domain::money::pounds;
use domain::tender::TenderStatus;
use domain::user::Role;
use maud::html;
use service::ServiceError;
use service::contracts::Rating;
use service::evaluation::{self as evaluation, MarkTarget};
use service::{awards, bids};
use std::collections::HashMap;
use uuid::Uuid;

mod scoring;
use scoring::*;

pub fn routes() -> Router<WebState> {
    let tender = Router::new()
        .route("/evaluation", get(evaluation_page))
        .route("/evaluators", post(assign_evaluator))
        .route("/evaluators/{user}/remove", post(remove_evaluator))
        .route("/bids/{bid}/exclude", post(exclude_bid))
        .route("/bids/{bid}/reinstate", post(reinstate_bid))
        .route("/award", post(award_tender))
        .route("/unsuccessful", post(declare_unsuccessful))
        .route("/challenges/{challenge}/resolve", post(resolve_challenge))
        .route("/contract", post(confirm_contract))
        .route("/scoring", get(scoring_page))
        .route("/declaration", post(declare))
        .route("/bids/{bid}/scores", post(score_bid));
    Router::new().nest("/tenders/{id}", tender)
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
    lot: Option<LotId>,
    form: &FormState,
    banner: Option<&str>,
) -> Content {
    use domain::tender::LotStatus;
    ctx.require(&domain::tender::TENDER_MANAGERS)?;
    let service = &ctx.state.ctx;
    let who = &ctx.actor;
    let tender_id = TenderId::from_uuid(parse_id(id)?);
    let view = service::tenders::get(service, who, tender_id).await?;
    if view.tender.buyer_id != ctx.actor.organisation_id {
        return Err(ServiceError::NotFound("No such tender.".to_owned()));
    }
    let tender = &view.tender;
    let state = view.status.as_str();
    let divided = tender.is_divided();
    // A divided tender's page is about one lot, or (none chosen) its bids, panel and lots.
    let lot = lot.and_then(|l| tender.lot(l));
    let lot_id = lot.map(|l| l.id);
    let evaluating = view.status == TenderStatus::Evaluation;
    let ranking_shown = match lot {
        Some(lot) => evaluating && lot.status == LotStatus::Open,
        None => evaluating && !divided,
    };
    let outcome_shown = match lot {
        Some(lot) => matches!(lot.status, LotStatus::Standstill | LotStatus::Awarded),
        None => {
            !divided
                && matches!(
                    view.status,
                    TenderStatus::Standstill | TenderStatus::Awarded
                )
        }
    };
    let panel = evaluation::panel(service, who, tender_id).await?;
    let bid_list: Vec<_> = bids::list(service, who, tender_id)
        .await?
        .into_iter()
        .filter(|b| lot.is_none() || b.bid.lot_id == lot_id)
        .collect();
    let ranking = if ranking_shown {
        Some(evaluation::ranking(service, who, tender_id, lot_id).await?)
    } else {
        None
    };
    let outcome = if outcome_shown {
        Some(awards::outcome(service, who, tender_id, lot_id).await?)
    } else {
        None
    };
    let challenges: Vec<_> = match &outcome {
        Some(outcome) => awards::challenges(service, who, tender_id)
            .await?
            .into_iter()
            .filter(|c| c.award_id == outcome.award.id)
            .collect(),
        None => Vec::new(),
    };
    let lot_of_bid = |lot: Option<LotId>| {
        lot.and_then(|l| tender.lot(l))
            .map(|l| format!("Lot {}", l.number))
            .unwrap_or_default()
    };
    let colleagues = evaluation::assignable(service, who, tender_id).await?;
    let assignable: Vec<(String, String)> =
        std::iter::once((String::new(), "Choose a colleague".to_owned()))
            .chain(colleagues.iter().map(|u| {
                (
                    u.id.as_uuid().to_string(),
                    format!("{} ({})", u.name, u.email),
                )
            }))
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
        (notice(banner))
        (error_summary(&form.problems))
        span class="nhsuk-caption-l" { (tender.title) }
        h1 { "Bids, evaluation and award" }
        p { "State: " strong class="nhsuk-tag" { (words(state)) } " — bids closed " (when(tender.submission_deadline)) "." }
        @if let Some(lot) = lot {
            h2 { "Lot " (lot.number) ": " (lot.title) }
            p { "Lot state: " strong class="nhsuk-tag" { (words(lot.status.as_str())) } " — " a href=(format!("/tenders/{id}/evaluation")) { "all lots" } }
        } @else if divided {
            h2 { "Lots" }
            p { "Each lot is ranked and awarded on its own" @if let Some(max) = tender.max_lots_per_supplier { "; one supplier may win at most " (max) " lot(s)" } "." }
            (table("Lots", &["Lot", "Estimated value", "State"], &[1],
                tender.lots.iter().map(|l| vec![
                    html! { a href=(lot_path(&format!("/tenders/{id}/evaluation"), Some(l.id))) { "Lot " (l.number) ": " (l.title) } },
                    html! { (pounds(l.estimated_value_pence)) },
                    html! { (words(l.status.as_str())) },
                ]).collect()))
        }

        h2 { "Bids" }
        @if bid_list.is_empty() {
            p { "No bids were received." }
        } @else {
            (table("Bids received", &["Supplier", "Price", "Submitted", "Compliance"], &[1],
                bid_list.iter().map(|b| vec![
                    html! { (b.supplier_name) @if divided { br; span class="nhsuk-body-s" { (lot_of_bid(b.bid.lot_id)) } } },
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
                    @if let Some(lot) = lot { input type="hidden" name="lot_id" value=(lot.id); }
                    @let (field, kind, item_class, input_class, label_class) = match &tender.framework {
                        Some(_) => ("bid_ids", "checkbox", "nhsuk-checkboxes__item", "nhsuk-checkboxes__input", "nhsuk-label nhsuk-checkboxes__label"),
                        None => ("bid_id", "radio", "nhsuk-radios__item", "nhsuk-radios__input", "nhsuk-label nhsuk-radios__label"),
                    };
                    @let admits = tender.framework.as_ref().map_or(1, |f| usize::from(f.max_suppliers));
                    @if tender.framework.is_some() { input type="hidden" name="framework" value="1"; }
                    div class=(if form.error(field).is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
                        fieldset class="nhsuk-fieldset" {
                            legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" {
                                @if tender.framework.is_some() { "Choose the bids whose suppliers the framework admits (at most " (admits) ")" } @else { "Choose the bid to award" }
                            }
                            (inline_error(field, form.error(field)))
                            div class=(if tender.framework.is_some() { "nhsuk-checkboxes" } else { "nhsuk-radios" }) id=(field) {
                                @for (i, item) in ranking.items.iter().enumerate() {
                                    div class=(item_class) {
                                        input class=(input_class) id=(format!("award-{i}")) name=(field) type=(kind) value=(item.bid_id) checked[i < admits];
                                        label class=(label_class) for=(format!("award-{i}")) {
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
                @if let Some(lot) = lot { input type="hidden" name="lot_id" value=(lot.id); }
                (Field::new("unsuccessful-reason", if lot.is_some() { "Reason to declare the lot unsuccessful" } else { "Reason to declare the tender unsuccessful" }).named("reason").hint("Only when no compliant bid remains.").textarea(form))
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
                        @if let Some(lot) = lot { input type="hidden" name="lot_id" value=(lot.id); }
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
    Query(banner): Query<Done>,
    Query(lot): Query<LotParam>,
) -> Response {
    let built = async {
        let lot = lot.lot_id()?;
        evaluation_content(&ctx, &id, lot, &FormState::default(), banner.message()).await
    }
    .await;
    ctx.show("Bids, evaluation and award", built)
}

/// Where a lead's action leads when it succeeds, with the confirmation to show there.
#[derive(Debug, Clone, Copy)]
enum Then {
    /// Back to the evaluation page.
    Evaluation(&'static str),
    /// To the tender page, which says where the tender now stands.
    Tender(&'static str),
}

/// After a lead's action: back to the evaluation page with a confirmation, or the page again
/// with the problem pointed at the field that caused it.
async fn after<T>(
    ctx: &Ctx,
    id: &str,
    posted: &Posted,
    result: Result<T, ServiceError>,
    then: Then,
    rename: &[(&str, String)],
) -> Response {
    // The lot the form was about (a divided tender's), whose page to go back to.
    let lot = lot_id_of(posted.get("lot_id")).ok().flatten();
    match result {
        Ok(_) => match then {
            Then::Evaluation(code) => {
                done(&lot_path(&format!("/tenders/{id}/evaluation"), lot), code)
            }
            Then::Tender(code) => done(&format!("/tenders/{id}"), code),
        },
        Err(error) if error.refuses_access() => ctx.error(error),
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
            let built = evaluation_content(ctx, id, lot, &form, None).await;
            ctx.show_again("Bids, evaluation and award", &error, built)
        }
    }
}

/// A tender's id and the id of something on it, from the address.
type IdPair = Path<(String, String)>;

fn ids(id: &str, other: &str) -> Result<(TenderId, Uuid), ServiceError> {
    Ok((TenderId::from_uuid(parse_id(id)?), parse_id(other)?))
}

fn tender_id(id: &str) -> Result<TenderId, ServiceError> {
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
        let user = posted.id("user_id", "choose a colleague to assign")?;
        evaluation::assign(&ctx.state.ctx, &ctx.actor, tender, UserId::from_uuid(user)).await
    }
    .await;
    after(
        &ctx,
        &id,
        &posted,
        result,
        Then::Evaluation("assigned"),
        &[],
    )
    .await
}

async fn remove_evaluator(ctx: Ctx, Path((id, user)): IdPair, posted: Posted) -> Response {
    let result = async {
        let (tender, user) = ids(&id, &user)?;
        evaluation::remove(&ctx.state.ctx, &ctx.actor, tender, UserId::from_uuid(user)).await
    }
    .await;
    after(&ctx, &id, &posted, result, Then::Evaluation("removed"), &[]).await
}

async fn exclude_bid(ctx: Ctx, Path((id, bid)): IdPair, posted: Posted) -> Response {
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
        .await
    }
    .await;
    after(
        &ctx,
        &id,
        &posted,
        result,
        Then::Evaluation("excluded"),
        &[("reason", format!("reason-{bid}"))],
    )
    .await
}

async fn reinstate_bid(ctx: Ctx, Path((id, bid)): IdPair, posted: Posted) -> Response {
    let result = async {
        let (tender, bid_id) = ids(&id, &bid)?;
        evaluation::reinstate(&ctx.state.ctx, &ctx.actor, tender, BidId::from_uuid(bid_id)).await
    }
    .await;
    after(
        &ctx,
        &id,
        &posted,
        result,
        Then::Evaluation("reinstated"),
        &[],
    )
    .await
}

async fn award_tender(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let tender = tender_id(&id)?;
        let justification = optional(&posted, "justification");
        // A framework admits the suppliers of every bid ticked; a contract goes to one bid.
        let ticked = posted.all("bid_ids");
        if posted.get("framework") == "1" {
            let mut bids = Vec::with_capacity(ticked.len());
            for (i, raw) in ticked.iter().enumerate() {
                let bid = Uuid::parse_str(raw).map_err(|_| {
                    ServiceError::Validation(vec![FieldError::new(
                        format!("/bid_ids/{i}"),
                        "is not a bid of this tender",
                    )])
                })?;
                bids.push(BidId::from_uuid(bid));
            }
            awards::award_framework(
                &ctx.state.ctx,
                &ctx.actor,
                tender,
                &bids,
                justification.as_deref(),
            )
            .await?;
            return Ok(());
        }
        let bid = posted.id("bid_id", "choose the bid to award")?;
        awards::award(
            &ctx.state.ctx,
            &ctx.actor,
            tender,
            BidId::from_uuid(bid),
            justification.as_deref(),
        )
        .await?;
        Ok::<_, ServiceError>(())
    }
    .await;
    after(&ctx, &id, &posted, result, Then::Evaluation("awarded"), &[]).await
}

async fn declare_unsuccessful(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let tender = tender_id(&id)?;
        let reason = posted.text("reason").trim();
        let lot = lot_id_of(posted.get("lot_id"))?;
        evaluation::declare_unsuccessful(&ctx.state.ctx, &ctx.actor, tender, lot, reason).await
    }
    .await;
    let rename = [("reason", "unsuccessful-reason".to_owned())];
    after(
        &ctx,
        &id,
        &posted,
        result,
        Then::Tender("unsuccessful"),
        &rename,
    )
    .await
}

async fn resolve_challenge(ctx: Ctx, Path((id, challenge)): IdPair, posted: Posted) -> Response {
    let result = async {
        let (tender, challenge_id) = ids(&id, &challenge)?;
        let outcome = match posted.get("outcome") {
            "upheld" => ChallengeOutcome::Upheld,
            "dismissed" => ChallengeOutcome::Dismissed,
            _ => {
                return Err(service::ServiceError::Validation(vec![FieldError::new(
                    "/outcome",
                    "choose dismissed or upheld",
                )]));
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
        .await
    }
    .await;
    let rename = [
        ("notes", format!("notes-{challenge}")),
        ("outcome", format!("outcome-{challenge}")),
    ];
    // An upheld challenge reopens evaluation: the tender page says where it now stands.
    after(
        &ctx,
        &id,
        &posted,
        result,
        Then::Tender("resolved"),
        &rename,
    )
    .await
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
            _ => {
                return Err(service::ServiceError::Validation(errors));
            }
        };
        let lot = lot_id_of(posted.get("lot_id"))?;
        let entered =
            awards::confirm_contract(&ctx.state.ctx, &ctx.actor, tender, lot, start, end).await?;
        Ok::<_, ServiceError>(match entered {
            awards::Entered::Contract(made) => format!("/contracts/{}", made.contract.id),
            awards::Entered::Framework(made) => format!("/frameworks/{}", made.framework.id),
        })
    }
    .await;
    match result {
        Ok(page) => done(&page, "contracted"),
        Err(error) => {
            let failed = Err::<(), _>(error);
            after(&ctx, &id, &posted, failed, Then::Evaluation(""), &[]).await
        }
    }
}

/// A `date` field as a date; a missing or unreadable one is an error at that field.
pub(crate) fn date_field(
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
