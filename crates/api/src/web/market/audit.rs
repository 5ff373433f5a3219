//! The audit log with its chain verification, and its CSV.

use super::*;

pub(crate) async fn audit_content(
    ctx: &Ctx,
    params: &HashMap<String, String>,
) -> Result<Markup, ApiError> {
    use crate::routes::audit;
    ctx.actor
        .require(domain::access::PlatformAction::ReadAudit)
        .map_err(ApiError::from)?;
    let page = params
        .get("page")
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(1)
        .clamp(1, 100_000);
    let query = serde_json::from_value(json!({ "page": page, "per_page": 50 }))
        .map_err(ApiError::internal)?;
    let axum::Json(events) = audit::list_audit_events(
        State(ctx.state.clone()),
        Permitted::check(ctx.actor)?,
        QueryParams(query),
    )
    .await?;
    let verified = if params.get("verify").is_some_and(|v| v == "1") {
        Some(
            audit::verify_audit_chain(State(ctx.state.clone()), Permitted::check(ctx.actor)?)
                .await?
                .0,
        )
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
                    html! { (crate::web::ui::when(e.occurred_at)) },
                    html! { code { (e.action) } },
                    html! { (words(&e.entity_type)) " " span class="nhsuk-body-s" { (e.entity_id) } },
                    html! { (e.actor_user_id.map(|u| u.to_string()).unwrap_or_else(|| "the clock (no actor)".to_owned())) },
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
    use crate::routes::audit;
    let built = async {
        ctx.actor
            .require(domain::access::PlatformAction::ReadAudit)
            .map_err(ApiError::from)?;
        let page = params
            .get("page")
            .and_then(|p| p.parse::<u64>().ok())
            .unwrap_or(1)
            .clamp(1, 100_000);
        let query = serde_json::from_value(json!({ "page": page, "per_page": 50 }))
            .map_err(ApiError::internal)?;
        let axum::Json(events) = audit::list_audit_events(
            State(ctx.state.clone()),
            Permitted::check(ctx.actor)?,
            QueryParams(query),
        )
        .await?;
        let rows: Vec<Vec<String>> = events
            .items
            .iter()
            .map(|e| {
                vec![
                    e.seq.to_string(),
                    e.occurred_at.to_rfc3339(),
                    e.actor_user_id.map(|u| u.to_string()).unwrap_or_default(),
                    e.actor_organisation_id
                        .map(|u| u.to_string())
                        .unwrap_or_default(),
                    e.action.clone(),
                    e.entity_type.clone(),
                    e.entity_id.clone(),
                    e.prev_hash.clone(),
                    e.hash.clone(),
                ]
            })
            .collect();
        Ok::<_, ApiError>(crate::csv::download(&service::market::Table {
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
