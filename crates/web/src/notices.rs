//! The public notices (Procurement Act 2023 UK2–UK12): a search by type, buyer, category and
//! region, and each notice with its details and its OCDS release. No sign-in is needed.

use crate::WebState;
use crate::ui::{
    Field, FormState, choices, layout, page, region_options, summary, table, when, words,
};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use domain::ids::{NoticeId, OrganisationId, TenderId};
use domain::notice::NoticeType;
use domain::pagination::PageRequest;
use maud::{Markup, html};
use persistence::notices::NoticeFilter;
use service::ServiceError;
use std::collections::HashMap;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/notices", get(notices_page))
        .route("/notices/{id}", get(notice_page))
}

/// A public page: the frame of a signed-in user's pages when the browser has a session.
async fn public_page(
    state: &WebState,
    headers: &HeaderMap,
    status: StatusCode,
    title: &str,
    content: Markup,
) -> Response {
    let actor = crate::session::actor(state, headers).await;
    let (csrf, cookies) = crate::ui::csrf_for(headers);
    page(
        status,
        layout(
            title,
            actor.as_ref().map(|a| (a, csrf.as_str())),
            "/notices",
            content,
        ),
        cookies,
    )
}

fn problem_page(error: &ServiceError) -> (StatusCode, Markup) {
    match error {
        ServiceError::NotFound(_) => (StatusCode::NOT_FOUND, crate::ui::not_found("/notices")),
        ServiceError::Validation(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            html! { h1 { "Notices" } p { "The search could not be read: " (error.to_string()) } p { a href="/notices" { "Start again" } } },
        ),
        other => {
            tracing::error!(error = %other, "a notice page could not be built");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                html! { h1 { "Sorry, there is a problem with the service" } },
            )
        }
    }
}

fn filter_of(params: &HashMap<String, String>) -> Result<NoticeFilter, ServiceError> {
    let given = |name: &str| params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let uuid = |name: &str| {
        given(name)
            .map(|raw| {
                uuid::Uuid::parse_str(raw)
                    .map_err(|_| ServiceError::field(format!("/{name}"), "is not an id"))
            })
            .transpose()
    };
    Ok(NoticeFilter {
        notice_type: given("notice_type")
            .map(str::parse::<NoticeType>)
            .transpose()?,
        buyer: uuid("buyer")?.map(OrganisationId::from_uuid),
        category: given("category").map(str::to_owned),
        region: given("region").map(str::parse).transpose()?,
        tender: uuid("tender")?.map(TenderId::from_uuid),
        ..NoticeFilter::default()
    })
}

async fn notices_content(
    state: &WebState,
    params: &HashMap<String, String>,
) -> Result<Markup, ServiceError> {
    let filter = filter_of(params)?;
    let page_number = crate::ui::page_number(params, 10_000);
    let found = service::notices::list(
        &state.ctx,
        &filter,
        PageRequest::new(Some(page_number), Some(50))?,
    )
    .await?;
    let form = FormState::new(params.clone());
    let types = choices(
        "Any type",
        NoticeType::ALL
            .iter()
            .map(|t| (t.as_str().to_owned(), format!("{t}: {}", t.name()))),
    );
    let categories = choices(
        "Any category",
        service::reference::categories(&state.ctx)
            .await?
            .into_iter()
            .map(|c| (c.code, c.name)),
    );
    let regions = choices("Any region", region_options());
    let more = page_number * 50 < found.total;
    let next: String = params
        .iter()
        .filter(|(k, _)| k.as_str() != "page")
        .map(|(k, v)| format!("{k}={}&", urlencoding(v)))
        .collect();
    Ok(html! {
        h1 { "Notices" }
        p class="nhsuk-lede-text" { "Every notice buyers publish here under the Procurement Act 2023, newest first. Anyone may read them." }
        form method="get" action="/notices" {
            (Field::new("notice_type", "Type").select(&form, &types))
            (Field::new("category", "Category").select(&form, &categories))
            (Field::new("region", "Region").select(&form, &regions))
            @if let Some(buyer) = params.get("buyer") { input type="hidden" name="buyer" value=(buyer); }
            @if let Some(tender) = params.get("tender") { input type="hidden" name="tender" value=(tender); }
            button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Search" }
        }
        p { (found.total) " notices." }
        (table("Notices", &["Notice", "Type", "Buyer", "Published"], &[],
            found.items.iter().map(|v| vec![
                html! { a href=(format!("/notices/{}", v.notice.id)) { (v.notice.title) } },
                html! { (v.notice.notice_type) " " span class="nhsuk-body-s" { (v.notice.notice_type.name()) } },
                html! { a href=(format!("/notices?buyer={}", v.notice.buyer_id)) { (v.buyer_name) } },
                html! { (when(v.notice.published_at)) },
            ]).collect()))
        @if more {
            p { a href=(format!("/notices?{next}page={}", page_number + 1)) { "More notices" } }
        }
    })
}

/// Percent-encodes a query value.
fn urlencoding(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn notices_page(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let (status, content) = match notices_content(&state, &params).await {
        Ok(content) => (StatusCode::OK, content),
        Err(error) => problem_page(&error),
    };
    public_page(&state, &headers, status, "Notices", content).await
}

/// A notice's details as label and value rows.
fn detail_rows(details: &serde_json::Value) -> Vec<(String, Markup)> {
    let Some(object) = details.as_object() else {
        return Vec::new();
    };
    object
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(key, value)| {
            let shown = match value {
                serde_json::Value::String(s) => match s.parse::<chrono::DateTime<chrono::Utc>>() {
                    Ok(at) => html! { (when(at)) },
                    Err(_) => html! { span class="mkt-pre" { (s) } },
                },
                serde_json::Value::Array(items) => html! {
                    ul class="nhsuk-list" { @for item in items { li { (item.as_object().map(|o| o.values().map(|v| v.to_string().trim_matches('"').to_owned()).collect::<Vec<_>>().join(", ")).unwrap_or_else(|| item.to_string())) } } }
                },
                other => html! { (other.to_string()) },
            };
            (words(key), shown)
        })
        .collect()
}

async fn notice_page(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<uuid::Uuid>,
) -> Response {
    let built = async {
        let view = service::notices::get(&state.ctx, NoticeId::from_uuid(id)).await?;
        let n = &view.notice;
        let details = detail_rows(&n.details);
        let mut rows: Vec<(&str, Markup)> = vec![
            ("Type", html! { (n.notice_type) ": " (n.notice_type.name()) }),
            ("Buyer", html! { a href=(format!("/notices?buyer={}", n.buyer_id)) { (view.buyer_name) } }),
            ("Published", html! { (when(n.published_at)) }),
            ("Category", html! { (n.category) }),
            ("Region", html! { (words(n.region.code())) }),
        ];
        if let Some(tender) = n.tender_id {
            rows.push(("Procurement", html! { a href=(format!("/notices?tender={tender}")) { "Every notice of this procurement" } " (notice " (n.sequence) ")" }));
        }
        for (label, value) in &details {
            rows.push((label.as_str(), value.clone()));
        }
        Ok::<_, ServiceError>((n.title.clone(), html! {
            span class="nhsuk-caption-l" { (n.notice_type.name()) }
            h1 { (n.title) }
            p class="mkt-pre" { (n.description) }
            (summary(rows))
            p { a href=(format!("/api/v1/notices/{id}/ocds")) { "This notice as Open Contracting (OCDS) data" } }
        }))
    }
    .await;
    match built {
        Ok((title, content)) => {
            public_page(&state, &headers, StatusCode::OK, &title, content).await
        }
        Err(error) => {
            let (status, content) = problem_page(&error);
            public_page(&state, &headers, status, "Notice", content).await
        }
    }
}
