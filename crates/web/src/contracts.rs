//! Contracts and their performance reviews (the buyer lead records them; buyers, the supplier
//! and oversight read them), termination, and each organisation's notifications. The service
//! decides who sees and does what.

use super::ui::{
    Ctx, Done, Field, FormState, Posted, csrf_field, day, done, error_summary, notice, parse_id,
    summary, table, when, words,
};
use crate::WebState;
use crate::ui::Content;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{get, post};
use domain::FieldError;
use domain::contract::ContractStatus;
use domain::money::pounds;
use domain::pagination::PageRequest;
use domain::user::Role;
use maud::html;
use persistence::contracts::ContractFilter;
use service::ServiceError;
use service::contracts::ReviewInput;
use std::collections::HashMap;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/contracts", get(contracts_page))
        .route("/contracts/{id}", get(contract_page))
        .route("/contracts/{id}/reviews", post(create_review))
        .route("/contracts/{id}/terminate", post(terminate_contract))
        .route("/contracts/{id}/end", post(end_contract))
        .route("/notifications", get(notifications_page))
        .route("/notifications/email", post(email_preference))
        .route("/notifications/{id}/read", post(read_notification))
}

async fn contracts_content(ctx: &Ctx, params: &HashMap<String, String>) -> Content {
    let page = crate::ui::page_number(params, 10_000);
    let list = service::contracts::list(
        &ctx.state.ctx,
        &ctx.actor,
        &ContractFilter::default(),
        PageRequest::new(Some(page), Some(50))?,
    )
    .await?;
    Ok(html! {
        h1 { "Contracts" }
        p { (list.total) " contracts you may see." }
        (table("Contracts", &["Contract", "Buyer", "Supplier", "Annual value", "Runs", "State"], &[3],
            list.items.iter().map(|c| vec![
                html! { a href=(format!("/contracts/{}", c.contract.id)) { (c.contract.terms.title) } },
                html! { (c.buyer_name) },
                html! { (c.supplier_name) },
                html! { (pounds(c.contract.terms.annual_value_pence)) },
                html! { (day(c.contract.terms.start_date)) " to " (day(c.contract.terms.end_date)) },
                html! { (words(c.contract.status.as_str())) },
            ]).collect()))
        @if page * 50 < list.total {
            p { a href=(format!("/contracts?page={}", page + 1)) { "More contracts" } }
        }
    })
}

async fn contracts_page(ctx: Ctx, Query(params): Query<HashMap<String, String>>) -> Response {
    let built = contracts_content(&ctx, &params).await;
    ctx.show("Contracts", built)
}

fn mark_options() -> Vec<(String, String)> {
    std::iter::once((String::new(), "Choose a mark".to_owned()))
        .chain(
            [
                ("5", "5 — excellent"),
                ("4", "4 — good"),
                ("3", "3 — acceptable"),
                ("2", "2 — poor"),
                ("1", "1 — unacceptable"),
            ]
            .into_iter()
            .map(|(v, l)| (v.to_owned(), l.to_owned())),
        )
        .collect()
}

async fn contract_content(ctx: &Ctx, id: &str, form: &FormState, banner: Option<&str>) -> Content {
    let uuid = parse_id(id)?;
    let service = &ctx.state.ctx;
    let contract = service::contracts::get(service, &ctx.actor, uuid).await?;
    let reviews = service::contracts::reviews(service, &ctx.actor, uuid).await?;
    let (_, rating) = service::contracts::rating_of(service, contract.contract.supplier_id).await?;
    let lead = ctx.actor.role == Role::BuyerLead
        && ctx.actor.organisation_id == contract.contract.terms.buyer_id;
    let active = contract.contract.status == ContractStatus::Active;
    let today = domain::calendar::uk_date(service.now().await?);
    let may_end = contract.contract.ended_at.is_none()
        && contract
            .contract
            .status
            .end(contract.contract.terms.end_date, today, false)
            .is_ok();
    Ok(html! {
        (notice(banner))
        (error_summary(&form.problems))
        span class="nhsuk-caption-l" { (contract.buyer_name) }
        h1 { (contract.contract.terms.title) }
        (summary(vec![
            ("Supplier", html! { (contract.supplier_name) }),
            ("State", html! { strong class="nhsuk-tag" { (words(contract.contract.status.as_str())) } }),
            ("Total value", html! { (pounds(contract.contract.terms.total_value_pence)) }),
            ("Annual value", html! { (pounds(contract.contract.terms.annual_value_pence)) }),
            ("Runs", html! { (day(contract.contract.terms.start_date)) " to " (day(contract.contract.terms.end_date)) }),
            ("Awarded", html! { (when(contract.contract.terms.awarded_at)) }),
            ("Supplier rating", html! {
                @match &rating {
                    Some(r) => { (format!("{:.1} of 5", r.overall)) " over " (r.reviews) " reviews (delivery " (format!("{:.1}", r.delivery)) ", quality " (format!("{:.1}", r.quality)) ", value for money " (format!("{:.1}", r.value_for_money)) ", responsiveness " (format!("{:.1}", r.responsiveness)) ")" }
                    None => { "Not yet rated" }
                }
            }),
        ]))
        p { a href=(format!("/tenders/{}", contract.contract.terms.tender_id)) { "The tender" } }
        @if let Some(reason) = &contract.contract.termination_reason {
            div class="nhsuk-warning-callout" {
                h2 class="nhsuk-warning-callout__label" { span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "Terminated" } }
                p class="mkt-pre" { (reason) }
            }
        }
        @if let Some(holders) = contract.holders.as_ref().filter(|h| h.len() > 1) {
            h2 { "Who has held the contract" }
            (table("Holders of the contract", &["Supplier", "From", "To"], &[],
                holders.iter().map(|h| vec![
                    html! { (h.supplier_name) },
                    html! { (day(h.from_date)) },
                    html! { (h.to_date.map(day).unwrap_or_else(|| "now".to_owned())) },
                ]).collect()))
        }
        h2 { "Performance reviews" }
        @if reviews.is_empty() {
            p { "No review yet." }
        } @else {
            (table("Performance reviews", &["Period", "Delivery", "Quality", "Value for money", "Responsiveness", "Comments"], &[1, 2, 3, 4],
                reviews.iter().map(|r| vec![
                    html! { (r.review.period) },
                    html! { (r.review.marks.delivery) },
                    html! { (r.review.marks.quality) },
                    html! { (r.review.marks.value_for_money) },
                    html! { (r.review.marks.responsiveness) },
                    html! { span class="mkt-pre" { (r.review.comments.clone().unwrap_or_default()) } },
                ]).collect()))
        }
        @if lead {
            h2 { "Record a review" }
            form method="post" action=(format!("/contracts/{id}/reviews")) novalidate {
                (csrf_field(&ctx.csrf))
                (Field::new("period", "Period").hint("For example, 2027-Q1 or 2027-03.").width("10").input(form))
                (Field::new("delivery", "Delivery").select(form, &mark_options()))
                (Field::new("quality", "Quality").select(form, &mark_options()))
                (Field::new("value_for_money", "Value for money").select(form, &mark_options()))
                (Field::new("responsiveness", "Responsiveness").select(form, &mark_options()))
                (Field::new("comments", "Comments (optional)").textarea(form))
                button class="nhsuk-button" type="submit" { "Record the review" }
            }
            @if may_end {
                h2 { "Record the contract's end" }
                form method="post" action=(format!("/contracts/{id}/end")) novalidate {
                    (csrf_field(&ctx.csrf))
                    p { "The contract's term ended on " (contract.contract.terms.end_date) ". Recording its end publishes the contract termination notice (UK11)." }
                    button class="nhsuk-button" type="submit" { "Record the end" }
                }
            }
            @if active {
                h2 { "End the contract early" }
                form method="post" action=(format!("/contracts/{id}/terminate")) novalidate {
                    (csrf_field(&ctx.csrf))
                    (Field::new("reason", "Reason for termination").textarea(form))
                    button class="nhsuk-button nhsuk-button--warning" type="submit" { "Terminate the contract" }
                }
            }
        }
    })
}

async fn contract_page(ctx: Ctx, Path(id): Path<String>, Query(banner): Query<Done>) -> Response {
    let built = contract_content(&ctx, &id, &FormState::default(), banner.message()).await;
    ctx.show("Contract", built)
}

async fn contract_action(
    ctx: &Ctx,
    id: &str,
    posted: &Posted,
    result: Result<(), ServiceError>,
    code: &str,
) -> Response {
    match result {
        Ok(()) => done(&format!("/contracts/{id}"), code),
        Err(error) if error.refuses_access() => ctx.error(error),
        Err(error) => {
            let form = FormState::failed(posted, &error);
            let built = contract_content(ctx, id, &form, None).await;
            ctx.show_again("Contract", &error, built)
        }
    }
}

/// A mark from 1 to 5 as chosen; an unreadable one is an error at its field.
fn mark(posted: &Posted, field: &str, errors: &mut Vec<FieldError>) -> i64 {
    posted.get(field).trim().parse().unwrap_or_else(|_| {
        errors.push(FieldError::new(
            format!("/{field}"),
            "choose a mark from 1 to 5",
        ));
        0
    })
}

async fn create_review(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let uuid = parse_id(&id)?;
        let mut errors = Vec::new();
        let comments = posted.text("comments").trim();
        let input = ReviewInput {
            period: posted.get("period").to_owned(),
            delivery: mark(&posted, "delivery", &mut errors),
            quality: mark(&posted, "quality", &mut errors),
            value_for_money: mark(&posted, "value_for_money", &mut errors),
            responsiveness: mark(&posted, "responsiveness", &mut errors),
            comments: (!comments.is_empty()).then(|| comments.to_owned()),
        };
        if !errors.is_empty() {
            return Err(service::ServiceError::Validation(errors));
        }
        service::contracts::review(&ctx.state.ctx, &ctx.actor, uuid, &input).await?;
        Ok(())
    }
    .await;
    contract_action(&ctx, &id, &posted, result, "reviewed").await
}

async fn terminate_contract(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let uuid = parse_id(&id)?;
        let reason = posted.text("reason").trim();
        service::contracts::terminate(&ctx.state.ctx, &ctx.actor, uuid, reason).await?;
        Ok(())
    }
    .await;
    contract_action(&ctx, &id, &posted, result, "terminated").await
}

async fn end_contract(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let uuid = parse_id(&id)?;
        service::contracts::end(&ctx.state.ctx, &ctx.actor, uuid).await?;
        Ok(())
    }
    .await;
    contract_action(&ctx, &id, &posted, result, "ended").await
}

async fn notifications_content(ctx: &Ctx, banner: Option<&str>) -> Content {
    let list = service::notifications::list(
        &ctx.state.ctx,
        &ctx.actor,
        false,
        PageRequest::new(Some(1), Some(100))?,
    )
    .await?;
    let ids: Vec<uuid::Uuid> = list.items.iter().map(|n| n.id).collect();
    let emails = service::notifications::emails(&ctx.state.ctx, &ctx.actor, &ids).await?;
    let (me, _) = service::accounts::me(&ctx.state.ctx, &ctx.actor).await?;
    Ok(html! {
        (notice(banner))
        h1 { "Notifications" }
        form method="post" action="/notifications/email" {
            (csrf_field(&ctx.csrf))
            input type="hidden" name="email_notifications" value=(if me.email_notifications { "false" } else { "true" });
            p {
                @if me.email_notifications { "Each notification is also emailed to you at " strong { (me.email) } ". " }
                @else { "Notifications are not emailed to you. " }
                button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0" type="submit" {
                    @if me.email_notifications { "Stop emailing me" } @else { "Email me notifications" }
                }
            }
        }
        @if ctx.actor.role != domain::user::Role::BuyerEvaluator {
            p { a href="/webhooks" { "Your organisation's webhooks" } " send these notifications to its own systems." }
        }
        @if list.items.is_empty() {
            p { "Nothing yet." }
        }
        @for n in &list.items {
            div class=(if n.read_at.is_none() { "nhsuk-card nhsuk-card--feature" } else { "nhsuk-card" }) {
                div class=(if n.read_at.is_none() { "nhsuk-card__content nhsuk-card__content--feature" } else { "nhsuk-card__content" }) {
                    h2 class=(if n.read_at.is_none() { "nhsuk-card--feature__heading nhsuk-heading-s" } else { "nhsuk-card__heading nhsuk-heading-s" }) {
                        (n.subject)
                        @if n.read_at.is_none() { span class="nhsuk-u-visually-hidden" { " (unread)" } }
                    }
                    p class="nhsuk-body-s" {
                        (when(n.created_at))
                        @if let Some(email) = emails.get(&n.id) {
                            " · Email: " (match email.status {
                                persistence::email::EmailStatus::Sent => "sent".to_owned(),
                                persistence::email::EmailStatus::Pending if email.attempts > 0 => format!("not sent yet, {} attempt(s)", email.attempts),
                                persistence::email::EmailStatus::Pending => "waiting to be sent".to_owned(),
                                persistence::email::EmailStatus::Failed => "could not be sent".to_owned(),
                            })
                        }
                    }
                    p class="nhsuk-card__description mkt-pre" { (n.body) }
                    @if let Some(tender) = n.tender_id {
                        p { a href=(format!("/tenders/{tender}")) { "Open the tender" } }
                    }
                    @if n.read_at.is_none() {
                        form method="post" action=(format!("/notifications/{}/read", n.id)) {
                            (csrf_field(&ctx.csrf))
                            button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0" type="submit" { "Mark as read" span class="nhsuk-u-visually-hidden" { ": " (n.subject) } }
                        }
                    }
                }
            }
        }
    })
}

async fn notifications_page(ctx: Ctx, Query(banner): Query<Done>) -> Response {
    let built = notifications_content(&ctx, banner.message()).await;
    ctx.show("Notifications", built)
}

async fn email_preference(ctx: Ctx, posted: Posted) -> Response {
    let on = posted.get("email_notifications") == "true";
    match service::email::set_preference(&ctx.state.ctx, &ctx.actor, on).await {
        Ok(_) => done(
            "/notifications",
            if on { "emails_on" } else { "emails_off" },
        ),
        Err(error) => ctx.error(error),
    }
}

async fn read_notification(ctx: Ctx, Path(id): Path<String>, _posted: Posted) -> Response {
    let result = async {
        let uuid = parse_id(&id)?;
        service::notifications::mark_read(&ctx.state.ctx, &ctx.actor, uuid).await?;
        Ok::<_, ServiceError>(())
    }
    .await;
    match result {
        Ok(()) => done("/notifications", "read"),
        Err(error) => ctx.error(error),
    }
}
