//! The organisation's webhooks page: its endpoints with their recent deliveries, the form that
//! registers one (its signing secret shown once, on the page that answers), and removal. The
//! rules — who may, which addresses — are the service's, as for the API.

use crate::WebState;
use crate::ui::{
    Ctx, Field, FormState, Posted, csrf_field, done, error_summary, notice, parse_id, table, when,
    words,
};
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{get, post};
use domain::bid::NotificationKind;
use maud::{Markup, html};
use service::ServiceError;
use service::webhooks::WebhookInput;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/webhooks", get(webhooks_page).post(create_webhook))
        .route("/webhooks/{id}/delete", post(delete_webhook))
}

async fn content(
    ctx: &Ctx,
    banner: Option<&str>,
    form: &FormState,
    secret: Option<&str>,
) -> Result<Markup, ServiceError> {
    let webhooks = service::webhooks::list(&ctx.state.ctx, &ctx.actor).await?;
    let mut sections = Vec::new();
    for webhook in &webhooks {
        let deliveries =
            service::webhooks::deliveries(&ctx.state.ctx, &ctx.actor, webhook.id).await?;
        sections.push((webhook, deliveries));
    }
    let chosen = |kind: NotificationKind| form.values.contains_key(&format!("event-{kind}"));
    Ok(html! {
        (notice(banner))
        (error_summary(&form.problems))
        h1 { "Webhooks" }
        p { "Your organisation's systems can be told of its notifications as they happen: each is POSTed, signed as a Standard Webhooks message with the endpoint's own secret. No message carries a bid's content." }
        @if let Some(secret) = secret {
            div class="nhsuk-inset-text" {
                p { strong { "The endpoint's signing secret: " } code { (secret) } }
                p { "Copy it now: it is not shown again." }
            }
        }
        @if webhooks.is_empty() { p { "No webhooks yet." } }
        @for (webhook, deliveries) in &sections {
            h2 class="nhsuk-heading-s" { (webhook.url) }
            (crate::ui::summary(vec![
                ("State", html! { strong class="nhsuk-tag" { @if webhook.active { "Active" } @else { "Disabled" } } }),
                ("Notifications", html! { (webhook.events.iter().map(|e| words(e.as_str())).collect::<Vec<_>>().join(", ")) }),
                ("Failing since", html! { (webhook.failing_since.map(when).unwrap_or_else(|| "—".to_owned())) }),
            ]))
            @if !deliveries.is_empty() {
                (table("Recent deliveries", &["Delivery", "State", "Answer", "Attempts"], &[3],
                    deliveries.iter().take(10).map(|d| vec![
                        html! { (d.notification_id) },
                        html! { (d.status.as_str()) },
                        html! { (d.last_status.map(|s| s.to_string()).or_else(|| d.last_error.clone()).unwrap_or_default()) },
                        html! { (d.attempts) },
                    ]).collect()))
            }
            form method="post" action=(format!("/webhooks/{}/delete", webhook.id)) {
                (csrf_field(&ctx.csrf))
                button class="nhsuk-button nhsuk-button--warning" type="submit" { "Remove" span class="nhsuk-u-visually-hidden" { " the webhook to " (webhook.url) } }
            }
        }
        h2 { "Register a webhook" }
        form method="post" action="/webhooks" novalidate {
            (csrf_field(&ctx.csrf))
            (Field::new("url", "Address (https)").input(form))
            div class="nhsuk-form-group" {
                fieldset class="nhsuk-fieldset" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Notifications to send" }
                    div class="nhsuk-checkboxes" {
                        @for kind in NotificationKind::ALL {
                            div class="nhsuk-checkboxes__item" {
                                input class="nhsuk-checkboxes__input" id=(format!("event-{kind}")) name=(format!("event-{kind}")) type="checkbox" value="on" checked[chosen(kind)];
                                label class="nhsuk-label nhsuk-checkboxes__label" for=(format!("event-{kind}")) { (words(kind.as_str())) }
                            }
                        }
                    }
                }
            }
            (Field::new("description", "What it is for (optional)").input(form))
            button class="nhsuk-button" type="submit" { "Register the webhook" }
        }
    })
}

async fn webhooks_page(ctx: Ctx, Query(banner): Query<crate::ui::Done>) -> Response {
    let built = content(
        &ctx,
        banner.message(),
        &FormState::new(Default::default()),
        None,
    )
    .await;
    ctx.show("Webhooks", built)
}

async fn create_webhook(ctx: Ctx, posted: Posted) -> Response {
    let input = WebhookInput {
        url: posted.get("url").to_owned(),
        events: NotificationKind::ALL
            .into_iter()
            .filter(|k| posted.get(&format!("event-{k}")) == "on")
            .map(|k| k.as_str().to_owned())
            .collect(),
        description: posted.get("description").to_owned(),
    };
    match service::webhooks::create(&ctx.state.ctx, &ctx.actor, &input).await {
        Ok(webhook) => {
            let built = content(
                &ctx,
                Some("The webhook is registered."),
                &FormState::new(Default::default()),
                Some(&webhook.secret),
            )
            .await;
            ctx.show("Webhooks", built)
        }
        Err(error) if error.refuses_access() => ctx.error(error),
        Err(error) => {
            let form = FormState::failed(&posted, &error);
            let built = content(&ctx, None, &form, None).await;
            let mut response = ctx.show("Webhooks", built);
            *response.status_mut() = crate::ui::status_of(&error);
            response
        }
    }
}

async fn delete_webhook(ctx: Ctx, Path(id): Path<String>, _posted: Posted) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        service::webhooks::delete(&ctx.state.ctx, &ctx.actor, id).await
    }
    .await;
    match result {
        Ok(()) => done("/webhooks", "webhook_removed"),
        Err(error) => ctx.error(error),
    }
}
