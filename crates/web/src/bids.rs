//! The supplier's side of a tender: its bid (submit, revise, withdraw, confirm after an
//! amendment), the outcome with its own scores and the winner's, and a challenge during the
//! standstill. Sealing is the API's: these pages only ever read the supplier's own bid.

use super::ui::{
    Ctx, Done, Field, FormState, LotParam, Posted, csrf_field, done, error_summary, lot_id_of,
    lot_path, notice, parse_id, parse_pounds, pounds_field, summary, when, words,
};
use crate::WebState;
use crate::ui::Content;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{get, post};
use domain::FieldError;
use domain::bid::{BidStatus, NewResponse};
use domain::contract::ChallengeStatus;
use domain::ids::{CriterionId, LotId, OfferId, TenderId};
use domain::money::pounds;
use domain::offer::OfferStatus;
use domain::tender::TenderStatus;
use domain::user::Role;
use maud::{Markup, html};
use service::ServiceError;
use service::bids::{BidChange, BidInput, BidView};
use service::tenders::TenderView;
use std::collections::HashMap;
use uuid::Uuid;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/tenders/{id}/bid", get(bid_page).post(submit_bid))
        .route("/tenders/{id}/bid/withdraw", post(withdraw_bid))
        .route("/tenders/{id}/bid/confirm", post(confirm_bid))
        .route("/tenders/{id}/outcome", get(outcome_page))
        .route("/tenders/{id}/challenge", post(lodge_challenge))
}

/// The supplier's live bid on the tender (on `lot`, of a divided one), if any (the service
/// lists only its own to a supplier).
async fn own_bid(ctx: &Ctx, id: Uuid, lot: Option<LotId>) -> Result<Option<BidView>, ServiceError> {
    let bids = service::bids::list(&ctx.state.ctx, &ctx.actor, TenderId::from_uuid(id)).await?;
    Ok(bids
        .into_iter()
        .rev()
        .find(|b| b.bid.status.is_live() && b.bid.lot_id == lot))
}

/// A divided tender's lots, each with a link to `page` for that lot, and `label` of it.
fn lot_chooser(
    view: &TenderView,
    heading: &str,
    page: &str,
    label: impl Fn(&persistence::tenders::Lot) -> String,
) -> Markup {
    let tender = &view.tender;
    html! {
        span class="nhsuk-caption-l" { (tender.title) }
        h1 { (heading) }
        p { "This tender is divided into lots: each is bid for, ranked and awarded on its own." }
        ul class="nhsuk-list" {
            @for lot in &tender.lots {
                li {
                    a href=(lot_path(&format!("/tenders/{}/{page}", tender.id), Some(lot.id))) {
                        "Lot " (lot.number) ": " (lot.title)
                    }
                    " — " (label(lot))
                }
            }
        }
        p { a href=(format!("/tenders/{}", tender.id)) { "Back to the tender" } }
    }
}

/// The bid form's fields as the service's input; a field that cannot even be read (a price
/// that is not an amount, an id that is not one) is an error at that field.
fn bid_input(posted: &Posted) -> Result<BidInput, ServiceError> {
    let mut errors = Vec::new();
    let price_pence = parse_pounds(posted.get("price_pence")).unwrap_or_else(|| {
        errors.push(FieldError::new(
            "/price_pence",
            "must be an amount in pounds, like 1250 or 1250.50",
        ));
        0
    });
    let offer = posted.get("offer_id");
    let offer_id = if offer.is_empty() {
        None
    } else {
        Uuid::parse_str(offer)
            .ok()
            .map(OfferId::from_uuid)
            .or_else(|| {
                errors.push(FieldError::new("/offer_id", "must be one of your offers"));
                None
            })
    };
    let mut responses = Vec::new();
    for i in 0..20 {
        let criterion = posted.get(&format!("responses-{i}-criterion_id"));
        if criterion.is_empty() {
            break;
        }
        match Uuid::parse_str(criterion) {
            Ok(id) => responses.push(NewResponse {
                criterion_id: CriterionId::from_uuid(id),
                text: posted
                    .text(&format!("responses-{i}-text"))
                    .trim()
                    .to_owned(),
            }),
            Err(_) => errors.push(FieldError::new(
                format!("/responses/{i}/criterion_id"),
                "must be a criterion of this tender",
            )),
        }
    }
    let lot_id = lot_id_of(posted.get("lot_id")).unwrap_or_else(|_| {
        errors.push(FieldError::new("/lot_id", "must be a lot of this tender"));
        None
    });
    if errors.is_empty() {
        Ok(BidInput {
            lot_id,
            price_pence,
            offer_id,
            responses,
        })
    } else {
        Err(ServiceError::Validation(errors))
    }
}

fn bid_values(view: &BidView) -> HashMap<String, String> {
    let bid = &view.bid;
    let mut values = HashMap::new();
    values.insert("price_pence".to_owned(), pounds_field(bid.price_pence));
    if let Some(offer) = bid.offer_id {
        values.insert("offer_id".to_owned(), offer.to_string());
    }
    for (i, r) in bid.responses.iter().enumerate() {
        values.insert(format!("responses-{i}-text"), r.text.clone());
    }
    values
}

async fn bid_form(
    ctx: &Ctx,
    view: &TenderView,
    lot: Option<LotId>,
    bid: Option<&BidView>,
    form: &FormState,
    banner: Option<&str>,
) -> Content {
    let tender = &view.tender;
    let lot = lot.and_then(|l| tender.lot(l));
    let lot_field = html! {
        @if let Some(lot) = lot { input type="hidden" name="lot_id" value=(lot.id); }
    };
    let bid = bid.map(|b| &b.bid);
    let offers =
        service::offers::own(&ctx.state.ctx, &ctx.actor, Some(OfferStatus::Published)).await?;
    let offer_options: Vec<(String, String)> =
        std::iter::once((String::new(), "Not based on a catalogue offer".to_owned()))
            .chain(
                offers
                    .iter()
                    .filter(|o| o.details.category == tender.category)
                    .map(|o| (o.id.as_uuid().to_string(), o.details.title.clone())),
            )
            .collect();
    let quality: Vec<_> = tender.quality_criteria().collect();
    let open = view.status == TenderStatus::Published;
    let id = tender.id;
    let attachments = match bid {
        Some(bid) => {
            let files =
                service::documents::attachments(&ctx.state.ctx, &ctx.actor, (id, bid.id)).await?;
            crate::documents::bid_section(ctx, id, bid.id, &files, open)
        }
        None => html! {},
    };
    Ok(html! {
        (notice(banner))
        (error_summary(&form.problems))
        span class="nhsuk-caption-l" { (tender.title) }
        h1 { @if bid.is_some() { "Your bid" } @else { "Submit a bid" } }
        @if let Some(lot) = lot {
            h2 { "Lot " (lot.number) ": " (lot.title) }
            p class="mkt-pre" { (lot.description) }
            p { "Estimated value " (pounds(lot.estimated_value_pence)) ". " a href=(format!("/tenders/{id}/bid")) { "Other lots" } }
        }
        p { "Bids close " strong { (when(tender.submission_deadline)) } ". Until then nobody but your organisation can see your bid — not the buyer, not the regulator." }
        @if let Some(bid) = bid {
            (summary(vec![
                ("State", html! { strong class="nhsuk-tag" { (words(bid.status.as_str())) } }),
                ("Price", html! { (pounds(bid.price_pence)) }),
                ("Version", html! { (bid.version) ", submitted " (when(bid.submitted_at)) }),
            ]))
            @if bid.status == BidStatus::NeedsConfirmation && open {
                div class="nhsuk-warning-callout" {
                    h2 class="nhsuk-warning-callout__label" { span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "The tender was amended" } }
                    p { "Confirm your bid against the amended tender, or revise it. An unconfirmed bid is not evaluated." }
                    form method="post" action=(format!("/tenders/{id}/bid/confirm")) {
                        (csrf_field(&ctx.csrf))
                        (lot_field)
                        button class="nhsuk-button" type="submit" { "Confirm my bid" }
                    }
                }
            }
        }
        @if open {
            form method="post" action=(format!("/tenders/{id}/bid")) novalidate {
                (csrf_field(&ctx.csrf))
                (lot_field)
                (Field::new("price_pence", "Total price, in pounds").hint(if lot.is_some() { "For this lot, for the whole contract term. Only the buyer sees it, after the deadline." } else { "For the whole contract term. Only the buyer sees it, after the deadline." }).width("10").input(form))
                (Field::new("offer_id", "Catalogue offer this bid is based on (optional)").select(form, &offer_options))
                @for (i, c) in quality.iter().enumerate() {
                    input type="hidden" name=(format!("responses-{i}-criterion_id")) value=(c.id);
                    (Field::new(&format!("responses-{i}-text"), &format!("Your response to “{}” ({}%)", c.name, c.weight)).textarea(form))
                }
                button class="nhsuk-button" type="submit" { @if bid.is_some() { "Revise my bid" } @else { "Submit my bid" } }
            }
            (attachments)
            @if bid.is_some() {
                form method="post" action=(format!("/tenders/{id}/bid/withdraw")) {
                    (csrf_field(&ctx.csrf))
                    (lot_field)
                    button class="nhsuk-button nhsuk-button--warning" type="submit" { "Withdraw my bid" }
                }
            }
        } @else {
            (attachments)
            @if let Some(bid) = bid {
                h2 { "Your responses" }
                @for r in &bid.responses {
                    @let name = tender.criteria.iter().find(|c| c.id == r.criterion_id).map(|c| c.name.clone()).unwrap_or_default();
                    h3 class="nhsuk-heading-s" { (name) }
                    p class="mkt-pre" { (r.text) }
                }
            } @else {
                p { "Your organisation made no bid." }
            }
        }
        p { a href=(format!("/tenders/{id}")) { "Back to the tender" } }
    })
}

/// The bid page again with `problems` (a failed attachment) shown against its form.
pub(crate) async fn bid_page_with(
    ctx: &Ctx,
    id: &str,
    problems: Vec<crate::ui::Problem>,
) -> Response {
    let built = async {
        let uuid = parse_id(id)?;
        let tender = super::tenders::read_tender(ctx, uuid).await?;
        let bid = own_bid(ctx, uuid, None).await?;
        let mut form = FormState::new(bid.as_ref().map(bid_values).unwrap_or_default());
        form.problems = problems;
        bid_form(ctx, &tender, None, bid.as_ref(), &form, None).await
    }
    .await;
    match built {
        Ok(content) => {
            let mut response = ctx.page("Your bid", content);
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
        Err(error) => ctx.error(error),
    }
}

async fn bid_page(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(banner): Query<Done>,
    Query(lot): Query<LotParam>,
) -> Response {
    let built = async {
        ctx.require(&domain::tender::BIDDERS)?;
        let uuid = parse_id(&id)?;
        let lot = lot.lot_id()?;
        let tender = super::tenders::read_tender(&ctx, uuid).await?;
        if tender.tender.is_divided() && lot.is_none_or(|l| tender.tender.lot(l).is_none()) {
            let bids =
                service::bids::list(&ctx.state.ctx, &ctx.actor, TenderId::from_uuid(uuid)).await?;
            return Ok(lot_chooser(&tender, "Your bids", "bid", |lot| {
                match bids
                    .iter()
                    .find(|b| b.bid.status.is_live() && b.bid.lot_id == Some(lot.id))
                {
                    Some(b) => format!("your bid: {}", pounds(b.bid.price_pence)),
                    None => "no bid from your organisation".to_owned(),
                }
            }));
        }
        let bid = own_bid(&ctx, uuid, lot).await?;
        let form = FormState::new(bid.as_ref().map(bid_values).unwrap_or_default());
        bid_form(&ctx, &tender, lot, bid.as_ref(), &form, banner.message()).await
    }
    .await;
    ctx.show("Your bid", built)
}

async fn submit_bid(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let Ok(uuid) = parse_id(&id) else {
        return ctx.error(ServiceError::NotFound("No such tender.".to_owned()));
    };
    let lot = match lot_id_of(posted.get("lot_id")) {
        Ok(lot) => lot,
        Err(error) => return ctx.error(error),
    };
    let existing = match own_bid(&ctx, uuid, lot).await {
        Ok(existing) => existing,
        Err(error) => return ctx.error(error),
    };
    let tender = TenderId::from_uuid(uuid);
    let result = async {
        let input = bid_input(&posted)?;
        let service = &ctx.state.ctx;
        Ok::<_, ServiceError>(match &existing {
            Some(bid) => {
                service::bids::revise(service, &ctx.actor, tender, bid.bid.id, &input).await?;
                "revised"
            }
            None => {
                service::bids::submit(service, &ctx.actor, tender, &input).await?;
                "bid"
            }
        })
    }
    .await;
    match result {
        Ok(code) => done(&lot_path(&format!("/tenders/{uuid}/bid"), lot), code),
        Err(error) if error.refuses_access() => ctx.error(error),
        Err(error) => {
            let form = FormState::failed(&posted, &error);
            let built = async {
                let tender = super::tenders::read_tender(&ctx, uuid).await?;
                bid_form(&ctx, &tender, lot, existing.as_ref(), &form, None).await
            }
            .await;
            ctx.show_again("Your bid", &error, built)
        }
    }
}

async fn own_bid_action(
    ctx: &Ctx,
    id: &str,
    posted: &Posted,
    code: &str,
    change: BidChange,
) -> Response {
    let result = async {
        let uuid = parse_id(id)?;
        let lot = lot_id_of(posted.get("lot_id"))?;
        let bid = own_bid(ctx, uuid, lot).await?.ok_or_else(|| {
            ServiceError::NotFound("Your organisation has no live bid on this tender.".to_owned())
        })?;
        let (tender, bid) = (TenderId::from_uuid(uuid), bid.bid.id);
        service::bids::change(&ctx.state.ctx, &ctx.actor, (tender, bid), change).await?;
        Ok::<_, ServiceError>(lot_path(&format!("/tenders/{uuid}/bid"), lot))
    }
    .await;
    match result {
        Ok(page) => done(&page, code),
        Err(error) => ctx.error(error),
    }
}

async fn withdraw_bid(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    own_bid_action(&ctx, &id, &posted, "withdrawn", BidChange::Withdraw).await
}

async fn confirm_bid(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    own_bid_action(&ctx, &id, &posted, "confirmed", BidChange::Confirm).await
}

/// One assessment summary: each criterion's weight, score and reasons, then the total and rank.
fn assessment(caption: &str, summary: &service::awards::AssessmentSummary) -> Markup {
    html! {
        table class="nhsuk-table" {
            caption class="nhsuk-table__caption" { (caption) }
            thead class="nhsuk-table__head" { tr class="nhsuk-table__row" {
                th scope="col" class="nhsuk-table__header" { "Criterion" }
                th scope="col" class="nhsuk-table__header nhsuk-table__header--numeric" { "Weight" }
                th scope="col" class="nhsuk-table__header nhsuk-table__header--numeric" { "Score" }
                th scope="col" class="nhsuk-table__header" { "Reasons" }
            } }
            tbody class="nhsuk-table__body" {
                @for c in &summary.criteria {
                    tr class="nhsuk-table__row" {
                        td class="nhsuk-table__cell" { (c.name) }
                        td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (c.weight) "%" }
                        td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (format!("{:.2}", c.score)) }
                        td class="nhsuk-table__cell" {
                            @if c.marks.is_empty() {
                                @for reason in &c.reasons { p class="mkt-pre" { (reason) } }
                            } @else {
                                @for (n, (mark, reason)) in c.marks.iter().zip(&c.reasons).enumerate() {
                                    p { strong { "Evaluator " (n + 1) ": " (mark) " of 100" } }
                                    p class="mkt-pre" { (reason) }
                                }
                            }
                        }
                    }
                }
                tr class="nhsuk-table__row" {
                    th scope="row" class="nhsuk-table__header" { "Total (rank " (summary.rank) ")" }
                    td class="nhsuk-table__cell" {}
                    td class="nhsuk-table__cell nhsuk-table__cell--numeric" { strong { (format!("{:.2}", summary.total)) } }
                    td class="nhsuk-table__cell" { "Price " (pounds(summary.price_pence)) }
                }
            }
        }
    }
}

/// The outcome after award: to a bidder its own result with the evaluators' marks and reasons
/// (evaluators not named), the winner's name and scores; the challenge form during standstill.
async fn outcome_content(
    ctx: &Ctx,
    id: &str,
    lot: Option<LotId>,
    form: &FormState,
    banner: Option<&str>,
) -> Content {
    let uuid = parse_id(id)?;
    let tender = super::tenders::read_tender(ctx, uuid).await?;
    if tender.tender.is_divided() && lot.is_none_or(|l| tender.tender.lot(l).is_none()) {
        return Ok(lot_chooser(&tender, "Outcome", "outcome", |lot| {
            words(lot.status.as_str())
        }));
    }
    let outcome =
        service::awards::outcome(&ctx.state.ctx, &ctx.actor, TenderId::from_uuid(uuid), lot)
            .await?;
    let lot = lot.and_then(|l| tender.tender.lot(l));
    let standstill = match lot {
        Some(lot) => lot.status == domain::tender::LotStatus::Standstill,
        None => outcome.status == TenderStatus::Standstill,
    };
    let challenges = if ctx.actor.role == Role::SupplierBidder {
        service::awards::challenges(&ctx.state.ctx, &ctx.actor, TenderId::from_uuid(uuid)).await?
    } else {
        Vec::new()
    };
    Ok(html! {
        (notice(banner))
        (error_summary(&form.problems))
        span class="nhsuk-caption-l" { (tender.tender.title) }
        h1 { "Outcome" }
        @if let Some(lot) = lot { h2 { "Lot " (lot.number) ": " (lot.title) } }
        (summary(vec![
            ("Awarded to", html! { strong { (outcome.award.supplier_name) } }),
            ("Awarded", html! { (when(outcome.award.awarded_at)) }),
            ("Assessment summaries sent", html! { (outcome.assessment_summaries_sent_at.map(when).unwrap_or_default()) }),
            ("Standstill ends", html! { (when(outcome.standstill_ends_at)) }),
            ("State", html! { (words(outcome.status.as_str())) }),
            ("Tenders assessed", html! { (outcome.assessed_tenders) }),
        ]))
        @if let Some(yours) = &outcome.your_bid {
            h2 { "Your bid" }
            @if yours.successful {
                div class="nhsuk-inset-text" { p { "Your bid was successful." } }
            }
            @if yours.excluded {
                div class="nhsuk-inset-text" { p { "Your bid was excluded as non-compliant: " (yours.exclusion_reason.clone().unwrap_or_default()) } }
            }
        }
        @if let Some(own) = &outcome.assessment_summary {
            (assessment("Your assessment summary", own))
        }
        @if outcome.assessment_summary.as_ref().is_none_or(|own| !own.successful) {
            h2 { "The winning tender" }
            (assessment(&format!("The winning tender: {}", outcome.winner.supplier_name), &outcome.winner))
        }
        @if let Some(all) = &outcome.assessment_summaries {
            h2 { "Every assessed tender" }
            @for s in all {
                (assessment(&format!("{} (rank {})", s.supplier_name, s.rank), s))
            }
        }
        @if !challenges.is_empty() {
            h2 { "Your challenge" }
            @for c in challenges.iter().filter(|c| c.award_id == outcome.award.id) {
                div class="nhsuk-inset-text" {
                    p class="mkt-pre" { (c.grounds) }
                    p { "Lodged " (when(c.lodged_at)) " — " strong { (words(c.status.as_str())) } }
                    @if let Some(notes) = &c.resolution_notes { p class="mkt-pre" { (notes) } }
                }
            }
        }
        @if standstill && outcome.your_bid.as_ref().is_some_and(|b| !b.successful) && challenges.iter().all(|c| c.award_id != outcome.award.id || c.status != ChallengeStatus::Open) {
            h2 { "Challenge the award" }
            form method="post" action=(format!("/tenders/{id}/challenge")) novalidate {
                (csrf_field(&ctx.csrf))
                @if let Some(lot) = lot { input type="hidden" name="lot_id" value=(lot.id); }
                (Field::new("grounds", "Your grounds").hint("During the standstill period only. While a challenge is open the contract cannot be confirmed.").textarea(form))
                button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Lodge the challenge" }
            }
        }
        p { a href=(format!("/tenders/{id}")) { "Back to the tender" } }
    })
}

async fn outcome_page(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(banner): Query<Done>,
    Query(lot): Query<LotParam>,
) -> Response {
    let built = async {
        let lot = lot.lot_id()?;
        outcome_content(&ctx, &id, lot, &FormState::default(), banner.message()).await
    }
    .await;
    ctx.show("Outcome", built)
}

async fn lodge_challenge(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let Ok(uuid) = parse_id(&id) else {
        return ctx.error(ServiceError::NotFound("No such tender.".to_owned()));
    };
    let grounds = posted.text("grounds").trim();
    let lot = match lot_id_of(posted.get("lot_id")) {
        Ok(lot) => lot,
        Err(error) => return ctx.error(error),
    };
    match service::awards::lodge_challenge(
        &ctx.state.ctx,
        &ctx.actor,
        TenderId::from_uuid(uuid),
        lot,
        grounds,
    )
    .await
    {
        Ok(_) => done(
            &lot_path(&format!("/tenders/{uuid}/outcome"), lot),
            "challenged",
        ),
        Err(error) if error.refuses_access() => ctx.error(error),
        Err(error) => {
            let form = FormState::failed(&posted, &error);
            let built = outcome_content(&ctx, &id, lot, &form, None).await;
            ctx.show_again("Outcome", &error, built)
        }
    }
}
