//! Tender pages: the tender as each role may see it with the actions its role may take there,
//! the buyer lead's tender form with its criteria builder, amendments, cancellation and answers
//! to clarification questions, and the supplier's questions. Every action calls the service's own
//! command, so each rule (role, organisation, state, deadline) is decided in one place.

use crate::WebState;
use crate::ui::{
    Ctx, Done, Field, FormState, Posted, csrf_field, done, error_summary, inline_error, notice,
    parse_id, parse_pounds, pounds_field, summary, table, when, words,
};
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{get, post};
use domain::FieldError;
use domain::ids::{OrganisationId, TenderId};
use domain::money::pounds;
use domain::organisation::Region;
use domain::tender::{
    NewCriterion, Procedure, TenderAction, TenderFields, TenderSpec, tender_actions,
};
use domain::user::Role;
use maud::{Markup, html};
use service::tenders::{AmendmentInput, DraftChanges, TenderView};
use service::{Expected, ServiceError};
use std::collections::HashMap;
use uuid::Uuid;

pub(crate) mod criteria;
mod direct;
mod form;
mod framework_terms;
mod lots;
mod participation;
use form::*;
pub(crate) use form::{instant_of, whole};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/tenders/new", get(new_tender).post(create_tender))
        .route("/tenders/{id}", get(tender_page))
        .route("/tenders/{id}/edit", get(edit_tender).post(update_tender))
        .route("/tenders/{id}/publish", post(publish_tender))
        .route("/tenders/{id}/amend", get(amend_page).post(amend_tender))
        .route("/tenders/{id}/cancel", get(cancel_page).post(cancel_tender))
        .route("/tenders/{id}/questions", post(ask_question))
        .route(
            "/tenders/{id}/questions/{qid}/answer",
            post(answer_question),
        )
        .merge(participation::routes())
        .merge(direct::routes())
}

/// The tender as the signed-in user may see it (the API's rules), or 404.
pub(super) async fn read_tender(ctx: &Ctx, id: Uuid) -> Result<TenderView, ServiceError> {
    service::tenders::get(&ctx.state.ctx, &ctx.actor, TenderId::from_uuid(id)).await
}

async fn publish_tender(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let Ok(uuid) = parse_id(&id) else {
        return ctx.error(ServiceError::NotFound("No such tender.".to_owned()));
    };
    let version = posted.get("version").parse::<i32>().unwrap_or_default();
    let tender = domain::ids::TenderId::from_uuid(uuid);
    let expected = service::Expected::version(version);
    match service::tenders::publish(&ctx.state.ctx, &ctx.actor, tender, &expected).await {
        Ok(_) => done(&format!("/tenders/{uuid}"), "published"),
        Err(error) => {
            tender_view(
                &ctx,
                &id,
                None,
                crate::ui::problems_of(&error),
                Some(crate::ui::status_of(&error)),
            )
            .await
        }
    }
}

fn simple_form(
    ctx: &Ctx,
    action: &str,
    heading: &str,
    intro: &str,
    fields: Markup,
    button: &str,
    form: &FormState,
) -> Markup {
    html! {
        (error_summary(&form.problems))
        h1 { (heading) }
        p { (intro) }
        form method="post" action=(action) novalidate {
            (csrf_field(&ctx.csrf))
            (fields)
            button class="nhsuk-button" type="submit" { (button) }
        }
    }
}

fn amend_form(ctx: &Ctx, id: &str, tender: &TenderView, form: &FormState) -> Markup {
    simple_form(
        ctx,
        &format!("/tenders/{id}/amend"),
        &format!("Amend {}", tender.tender.title),
        "An amendment can only extend the deadlines or clarify the description; every bidder is told, and bids made before it must be confirmed again if it changes what is asked.",
        html! {
            (Field::new("note", "What changes and why").hint("Published to every supplier.").textarea(form))
            (Field::new("description", "Description").hint("Change it only to clarify.").textarea(form))
            (Field::new("clarification_deadline", "Questions close (UK time)").kind("datetime-local").input(form))
            (Field::new("submission_deadline", "Bids close (UK time)").kind("datetime-local").input(form))
        },
        "Publish the amendment",
        form,
    )
}

async fn amend_page(ctx: Ctx, Path(id): Path<String>) -> Response {
    let built = async {
        ctx.require(&domain::tender::TENDER_MANAGERS)?;
        let tender = read_tender(&ctx, parse_id(&id)?).await?;
        let t = &tender.tender;
        let mut values = HashMap::new();
        values.insert("description".to_owned(), t.description.clone());
        values.insert(
            "clarification_deadline".to_owned(),
            local_field(t.clarification_deadline),
        );
        values.insert(
            "submission_deadline".to_owned(),
            local_field(t.submission_deadline),
        );
        Ok(amend_form(&ctx, &id, &tender, &FormState::new(values)))
    }
    .await;
    ctx.show("Amend the tender", built)
}

async fn amend_tender(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let built = async {
        let uuid = parse_id(&id)?;
        let tender = read_tender(&ctx, uuid).await?;
        let t = &tender.tender;
        let description = posted.text("description").trim();
        let mut errors = Vec::new();
        let clarification = instant_of(&posted, "clarification_deadline", &mut errors);
        let submission = instant_of(&posted, "submission_deadline", &mut errors);
        let input = AmendmentInput {
            note: posted.text("note").trim().to_owned(),
            description: (description != t.description).then(|| description.to_owned()),
            clarification_deadline: clarification.filter(|at| *at != t.clarification_deadline),
            submission_deadline: submission.filter(|at| *at != t.submission_deadline),
        };
        let result = if errors.is_empty() {
            service::tenders::amend(
                &ctx.state.ctx,
                &ctx.actor,
                TenderId::from_uuid(uuid),
                &input,
            )
            .await
        } else {
            Err(ServiceError::Validation(errors))
        };
        Ok::<_, ServiceError>((tender, result))
    }
    .await;
    match built {
        Ok((_, Ok(_))) => done(&format!("/tenders/{id}"), "amended"),
        Ok((tender, Err(error))) if !error.refuses_access() => {
            let form = FormState::failed(&posted, &error);
            let mut response = ctx.page("Amend the tender", amend_form(&ctx, &id, &tender, &form));
            *response.status_mut() = crate::ui::status_of(&error);
            response
        }
        Ok((_, Err(error))) | Err(error) => ctx.error(error),
    }
}

fn cancel_form(ctx: &Ctx, id: &str, title: &str, form: &FormState) -> Markup {
    simple_form(
        ctx,
        &format!("/tenders/{id}/cancel"),
        &format!("Cancel {title}"),
        "A tender can be cancelled at any time before award. Every bidder is told, with your reason.",
        Field::new("reason", "Why is the tender cancelled?").textarea(form),
        "Cancel the tender",
        form,
    )
}

async fn cancel_page(ctx: Ctx, Path(id): Path<String>) -> Response {
    let built = async {
        ctx.require(&domain::tender::TENDER_MANAGERS)?;
        let tender = read_tender(&ctx, parse_id(&id)?).await?;
        Ok(cancel_form(
            &ctx,
            &id,
            &tender.tender.title,
            &FormState::default(),
        ))
    }
    .await;
    ctx.show("Cancel the tender", built)
}

async fn cancel_tender(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let Ok(uuid) = parse_id(&id) else {
        return ctx.error(ServiceError::NotFound("No such tender.".to_owned()));
    };
    let tender = domain::ids::TenderId::from_uuid(uuid);
    let reason = posted.text("reason").trim();
    match service::tenders::cancel(&ctx.state.ctx, &ctx.actor, tender, reason).await {
        Ok(_) => done(&format!("/tenders/{uuid}"), "cancelled"),
        Err(error) if error.refuses_access() => ctx.error(error),
        Err(error) => match read_tender(&ctx, uuid).await {
            Ok(tender) => {
                let form = FormState::failed(&posted, &error);
                let mut response = ctx.page(
                    "Cancel the tender",
                    cancel_form(&ctx, &id, &tender.tender.title, &form),
                );
                *response.status_mut() = crate::ui::status_of(&error);
                response
            }
            Err(error) => ctx.error(error),
        },
    }
}

async fn ask_question(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let Ok(uuid) = parse_id(&id) else {
        return ctx.error(ServiceError::NotFound("No such tender.".to_owned()));
    };
    let tender = domain::ids::TenderId::from_uuid(uuid);
    let question = posted.text("question").trim();
    match service::clarifications::ask(&ctx.state.ctx, &ctx.actor, tender, question).await {
        Ok(_) => done(&format!("/tenders/{uuid}"), "asked"),
        Err(error) if error.refuses_access() => ctx.error(error),
        Err(error) => {
            let form = FormState::failed(&posted, &error);
            tender_view(
                &ctx,
                &id,
                None,
                form.problems,
                Some(crate::ui::status_of(&error)),
            )
            .await
        }
    }
}

async fn answer_question(
    ctx: Ctx,
    Path((id, qid)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    let (Ok(uuid), Ok(question)) = (parse_id(&id), parse_id(&qid)) else {
        return ctx.error(ServiceError::NotFound("No such question.".to_owned()));
    };
    let tender = domain::ids::TenderId::from_uuid(uuid);
    let clarification = domain::ids::ClarificationId::from_uuid(question);
    let answer = posted.text("answer").trim();
    match service::clarifications::answer(&ctx.state.ctx, &ctx.actor, tender, clarification, answer)
        .await
    {
        Ok(_) => done(&format!("/tenders/{uuid}"), "answered"),
        Err(error) if error.refuses_access() => ctx.error(error),
        Err(error) => {
            let mut problems = crate::ui::problems_of(&error);
            for p in &mut problems {
                if p.field.as_deref() == Some("answer") {
                    p.field = Some(format!("answer-{question}"));
                }
            }
            tender_view(
                &ctx,
                &id,
                None,
                problems,
                Some(crate::ui::status_of(&error)),
            )
            .await
        }
    }
}

async fn tender_page(ctx: Ctx, Path(id): Path<String>, Query(banner): Query<Done>) -> Response {
    tender_view(&ctx, &id, banner.message(), Vec::new(), None).await
}

/// The tender page: what the user may see (the API's rules), and the actions its role may take
/// in the tender's state. `problems` are shown when an action on this page failed.
pub async fn tender_view(
    ctx: &Ctx,
    id: &str,
    banner: Option<&str>,
    problems: Vec<crate::ui::Problem>,
    status: Option<axum::http::StatusCode>,
) -> Response {
    let built = async {
        let uuid = parse_id(id)?;
        let id = domain::ids::TenderId::from_uuid(uuid);
        let tender = service::tenders::get(&ctx.state.ctx, &ctx.actor, id).await?;
        let questions = service::clarifications::list(&ctx.state.ctx, &ctx.actor, id).await?;
        let notices = service::notices::of_tender(&ctx.state.ctx, id).await?;
        let form = FormState {
            values: HashMap::new(),
            problems: problems.clone(),
        };
        let direct = direct::section(ctx, &tender, &form).await?;
        let t = &tender.tender;
        let may_add_documents = t.buyer_id == ctx.actor.organisation_id
            && ctx.actor.role == Role::BuyerLead
            && (tender.status == domain::tender::TenderStatus::Draft
                || tender.status == domain::tender::TenderStatus::Published);
        let documents = crate::documents::tender_section(ctx, id, may_add_documents, &form).await?;
        Ok::<_, ServiceError>((tender, questions, notices, (direct, documents)))
    }
    .await;
    let (tender, questions, notices, (direct_section, documents_section)) = match built {
        Ok(found) => found,
        Err(error) => return ctx.error(error),
    };
    let view = &tender;
    let tender = &view.tender;
    let actions = tender_actions(&ctx.actor, tender.buyer_id, view.status);
    // A direct award has no bids, evaluation or questions: its section holds its steps.
    let direct = tender.procedure == Procedure::DirectAward;
    // A divided tender's lots are awarded one by one: an outcome exists once one is.
    let lot_outcome = view.status == domain::tender::TenderStatus::Evaluation
        && !(tender.buyer_id == ctx.actor.organisation_id && ctx.actor.role == Role::BuyerLead)
        && tender.lots.iter().any(|l| {
            matches!(
                l.status,
                domain::tender::LotStatus::Standstill | domain::tender::LotStatus::Awarded
            )
        });
    let offered = |action: TenderAction| {
        (actions.contains(&action) || (action == TenderAction::Outcome && lot_outcome))
            && !(direct
                && matches!(
                    action,
                    TenderAction::Evaluate
                        | TenderAction::Score
                        | TenderAction::Outcome
                        | TenderAction::Bid
                        | TenderAction::ReadOwnBid
                        | TenderAction::AskQuestion
                ))
    };
    let lead = tender.buyer_id == ctx.actor.organisation_id && ctx.actor.role == Role::BuyerLead;
    let form = FormState {
        values: HashMap::new(),
        problems,
    };
    let content = html! {
        (notice(banner))
        (error_summary(&form.problems))
        span class="nhsuk-caption-l" { (view.buyer_name) }
        h1 { (tender.title) }
        (summary(vec![
            ("State", html! { strong class="nhsuk-tag" { (words(view.status.as_str())) } }),
            ("Category", html! { (tender.category) }),
            ("Region", html! { (words(tender.region.code())) }),
            ("Procedure", html! { (words(tender.procedure.as_str())) }),
            ("Questions close", html! { (when(tender.clarification_deadline)) }),
            ("Bids close", html! { (when(tender.submission_deadline)) }),
            ("Estimated value", html! { (pounds(tender.estimated_value_pence)) }),
            ("Contract term", html! { (tender.contract_term_months) " months" }),
            ("Standstill", html! { (tender.standstill_days) " working days" }),
        ]))
        @if let Some(ceiling) = view.budget_ceiling_pence() {
            (summary(vec![("Budget ceiling (not shown to suppliers)", html! { (pounds(ceiling)) })]))
        }
        @if let Some(deadline) = tender.expression_of_interest_deadline {
            (summary(vec![
                ("Requests to participate close", html! { (when(deadline)) }),
                ("Shortlist", html! { (tender.shortlisted_at.map(when).unwrap_or_else(|| "Not yet decided".to_owned())) }),
            ]))
        }
        @if let Some(reason) = &tender.cancellation_reason {
            div class="nhsuk-warning-callout" {
                h2 class="nhsuk-warning-callout__label" { span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "Cancelled" } }
                p class="mkt-pre" { (reason) }
            }
        }
        @if let Some(reason) = &tender.unsuccessful_reason {
            div class="nhsuk-warning-callout" {
                h2 class="nhsuk-warning-callout__label" { span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "Unsuccessful" } }
                p class="mkt-pre" { (reason) }
            }
        }
        h2 { "What you can do" }
        div class="mkt-inline-forms" {
            @if offered(TenderAction::Edit) {
                a class="nhsuk-button nhsuk-button--secondary" href=(format!("/tenders/{id}/edit")) { "Edit the draft" } " "
                form method="post" action=(format!("/tenders/{id}/publish")) {
                    (csrf_field(&ctx.csrf))
                    input type="hidden" name="version" value=(tender.version);
                    button class="nhsuk-button" type="submit" { "Publish" }
                }
            }
            @if offered(TenderAction::Amend) {
                a class="nhsuk-button nhsuk-button--secondary" href=(format!("/tenders/{id}/amend")) { "Amend" }
            }
            @if offered(TenderAction::Evaluate) {
                a class="nhsuk-button" href=(format!("/tenders/{id}/evaluation")) { "Bids, evaluation and award" }
            }
            @if offered(TenderAction::Score) {
                " " a class="nhsuk-button nhsuk-button--secondary" href=(format!("/tenders/{id}/scoring")) { "Declare and score" }
            }
            @if offered(TenderAction::Cancel) {
                " " a class="nhsuk-button nhsuk-button--warning" href=(format!("/tenders/{id}/cancel")) { "Cancel the tender" }
            }
            @if tender.procedure == Procedure::CompetitiveFlexible && (lead || ctx.actor.role == Role::SupplierBidder) {
                a class="nhsuk-button nhsuk-button--secondary" href=(format!("/tenders/{id}/participation")) { "Requests to participate" } " "
            }
            @if offered(TenderAction::Bid) && (tender.procedure != Procedure::CompetitiveFlexible || domain::tender::can_bid(&ctx.actor, &tender.scope(view.status))) {
                a class="nhsuk-button" href=(format!("/tenders/{id}/bid")) { "Your bid" }
            }
            @if offered(TenderAction::ReadOwnBid) {
                a class="nhsuk-button nhsuk-button--secondary" href=(format!("/tenders/{id}/bid")) { "Your bid (sealed)" }
            }
            @if offered(TenderAction::Outcome) {
                a class="nhsuk-button nhsuk-button--secondary" href=(format!("/tenders/{id}/outcome")) { "Outcome" }
            }
            @if offered(TenderAction::Ocds) {
                p { a href=(format!("/api/v1/tenders/{id}/ocds")) { "Open Contracting (OCDS) release package" } " (API; needs a token)" }
            }
        }
        (direct_section)
        h2 { "What is being bought" }
        p class="mkt-pre" { (tender.description) }
        (documents_section)
        (framework_terms::framework_section(tender))
        @if tender.is_divided() {
            h2 { "Lots" }
            p { "Each lot is bid for, ranked and awarded on its own under the criteria below"
                @if let Some(max) = tender.max_lots_per_supplier { "; one supplier may win at most " (max) " lot(s)" } "." }
            (table("Lots", &["Lot", "Estimated value", "State"], &[1],
                tender.lots.iter().map(|l| vec![
                    html! { strong { "Lot " (l.number) ": " (l.title) } p class="mkt-pre nhsuk-body-s" { (l.description) } },
                    html! { (domain::money::pounds(l.estimated_value_pence)) },
                    html! { (crate::ui::words(l.status.as_str())) @if let Some(reason) = &l.unsuccessful_reason { ": " (reason) } },
                ]).collect()))
        } @else if let Some(rationale) = &tender.no_lots_rationale {
            h2 { "Why it is not divided into lots" }
            p class="mkt-pre" { (rationale) }
        }
        @if !tender.criteria.is_empty() {
            h2 { "How bids are evaluated" }
            (table("Evaluation criteria", &["Criterion", "Kind", "Weight"], &[2],
                tender.criteria.iter().map(|c| vec![html! { (c.name) }, html! { (c.kind.as_str()) }, html! { (c.weight) "%" }]).collect()))
        }
        @if !view.amendments.is_empty() {
            h2 { "Amendments" }
            @for a in &view.amendments {
                div class="nhsuk-inset-text" {
                    p { strong { "Amendment " (a.number) } " — " (when(a.amended_at)) }
                    p class="mkt-pre" { (a.note) }
                    p { "Bids close " (when(a.submission_deadline_after)) "." }
                }
            }
        }
        @if !notices.is_empty() {
            h2 { "Notices" }
            (table("Notices of this procurement", &["Notice", "Published"], &[],
                notices.iter().map(|v| vec![
                    html! { a href=(format!("/notices/{}", v.notice.id)) { (v.notice.notice_type) ": " (v.notice.notice_type.name()) } },
                    html! { (when(v.notice.published_at)) },
                ]).collect()))
        }
        h2 { "Clarification questions" }
        @if questions.is_empty() {
            p { "No questions yet." }
        }
        @for seen in &questions {
            @let q = &seen.clarification;
            div class="nhsuk-inset-text" {
                p class="mkt-pre" { strong { "Question: " } (q.question) }
                @if seen.asked_by_viewer { p class="nhsuk-body-s" { "You asked this." } }
                @match &q.answer {
                    Some(answer) => { p class="mkt-pre" { strong { "Answer: " } (answer) } }
                    None => {
                        p { "Not answered yet." }
                        @if lead {
                            form method="post" action=(format!("/tenders/{id}/questions/{}/answer", q.id)) novalidate {
                                (csrf_field(&ctx.csrf))
                                (Field::new(&format!("answer-{}", q.id), "Your answer (published to every supplier)").named("answer").textarea(&form))
                                button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Publish the answer" }
                            }
                        }
                    }
                }
            }
        }
        @if offered(TenderAction::AskQuestion) {
            form method="post" action=(format!("/tenders/{id}/questions")) novalidate {
                (csrf_field(&ctx.csrf))
                (Field::new("question", "Ask a question").hint("The buyer's answer is published to every supplier; your name is shown only to the buyer.").textarea(&form))
                button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Send the question" }
            }
        }
    };
    let mut response = ctx.page(&tender.title, content);
    if let Some(status) = status {
        *response.status_mut() = status;
    }
    response
}
