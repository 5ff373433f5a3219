//! The audit log with its chain verification, and its CSV.

use super::*;
use crate::ui::Content;

/// The page of the log asked for (50 entries, newest first).
async fn audit_page_of(
    ctx: &Ctx,
    params: &HashMap<String, String>,
) -> Result<
    (
        u64,
        domain::pagination::Page<persistence::audit::StoredAuditEvent>,
    ),
    ServiceError,
> {
    let page = crate::ui::page_number(params, 100_000);
    let events = service::audit::list(
        &ctx.state.ctx,
        &ctx.actor,
        persistence::audit::AuditFilter::default(),
        domain::pagination::PageRequest::new(Some(page), Some(50)),
    )
    .await?;
    Ok((page, events))
}

pub(crate) async fn audit_content(ctx: &Ctx, params: &HashMap<String, String>) -> Content {
    let (page, events) = audit_page_of(ctx, params).await?;
    let verified = if params.get("verify").is_some_and(|v| v == "1") {
        Some(service::audit::verify(&ctx.state.ctx, &ctx.actor).await?)
    } else {
        None
    };
    Ok(html! {
        h1 { "Audit log" }
        p { "Every change of state, who made it and when, each entry chained to the one before by its hash." }
        form method="get" action="/audit" {
            input type="hidden" name="verify" value="1";
            button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Verify the chain" }
        }
        @if let Some(v) = &verified {
            @if v.valid {
                div class="nhsuk-inset-text" role="status" { p { strong { "The chain is intact: " } (v.checked) " entries checked." } }
            } @else {
                div class="nhsuk-error-summary" role="alert" tabindex="-1" aria-labelledby="chain-title" {
                    h2 class="nhsuk-error-summary__title" id="chain-title" { "The chain is broken" }
                    div class="nhsuk-error-summary__body" { p { "The first entry that does not match its hash is number " (v.first_bad_seq.unwrap_or_default()) "." } }
                }
            }
        }
        p { (events.total) " entries, newest first. " a href=(format!("/audit.csv?page={page}")) download { "Download these entries (CSV)" } }
        (table("Audit entries", &["When", "Action", "Subject", "Who"], &[],
            events.items.iter().map(|e| {
                vec![
                    html! { (crate::ui::when(e.record.occurred_at)) },
                    html! { code { (e.record.action) } },
                    html! { (words(&e.record.entity_type)) " " span class="nhsuk-body-s" { (e.record.entity_id) } },
                    html! { (e.record.actor_user_id.map(|u| u.to_string()).unwrap_or_else(|| "the clock (no actor)".to_owned())) },
                ]
            }).collect()))
        nav class="nhsuk-pagination" role="navigation" aria-label="Pagination" {
            ul class="nhsuk-list nhsuk-pagination__list" {
                @if page > 1 {
                    li class="nhsuk-pagination-item--previous" { a class="nhsuk-pagination__link nhsuk-pagination__link--prev" href=(format!("/audit?page={}", page - 1)) { span class="nhsuk-pagination__title" { "Newer entries" } } }
                }
                @if page * 50 < events.total {
                    li class="nhsuk-pagination-item--next" { a class="nhsuk-pagination__link nhsuk-pagination__link--next" href=(format!("/audit?page={}", page + 1)) { span class="nhsuk-pagination__title" { "Older entries" } } }
                }
            }
        }
    })
}

/// The audit entries of one page of the log as CSV, with their hashes (to check them offline).
pub(crate) async fn audit_csv(ctx: Ctx, Query(params): Query<HashMap<String, String>>) -> Response {
    let built = async {
        let (page, events) = audit_page_of(&ctx, &params).await?;
        let rows: Vec<Vec<String>> = events
            .items
            .iter()
            .map(|e| {
                vec![
                    e.record.seq.to_string(),
                    e.record.occurred_at.to_rfc3339(),
                    e.record
                        .actor_user_id
                        .map(|u| u.to_string())
                        .unwrap_or_default(),
                    e.record
                        .actor_organisation_id
                        .map(|u| u.to_string())
                        .unwrap_or_default(),
                    e.record.action.clone(),
                    e.record.entity_type.clone(),
                    e.record.entity_id.clone(),
                    e.prev_hash.clone(),
                    e.hash.clone(),
                ]
            })
            .collect();
        Ok::<_, ServiceError>(crate::ui::download(&service::market::Table {
            file_name: format!("audit-page-{page}.csv"),
            header: vec![
                "seq",
                "occurred_at",
                "actor_user_id",
                "actor_organisation_id",
                "action",
                "entity_type",
                "entity_id",
                "prev_hash",
                "hash",
            ],
            rows,
        }))
    }
    .await;
    built.unwrap_or_else(|error| ctx.error(error))
}

pub(crate) async fn audit_page(
    ctx: Ctx,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let built = audit_content(&ctx, &params).await;
    ctx.show("Audit log", built)
}
