//! The platform admin's pages (organisations, accounts, the bank-holiday calendar) and the list of
//! tenders every role may browse. Each calls the API's handler, whose permission check is the
//! domain's.

use super::ui::{
    Ctx, Done, Field, FormState, Posted, body, code_of, csrf_field, day, done, error_summary,
    notice, table, when, words,
};
use crate::auth::{AuthUser, Permitted};
use crate::dto::pounds;
use crate::error::ApiError;
use crate::extract::{PathParams, QueryParams};
use crate::routes::{calendar, organisations, tenders, users};
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use maud::{Markup, html};
use serde_json::json;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tenders", get(tenders_page))
        .route(
            "/admin/organisations",
            get(organisations_page).post(create_organisation),
        )
        .route("/admin/users", get(users_page).post(create_user))
        .route("/admin/users/{id}", post(update_user))
        .route("/admin/calendar", get(calendar_page).post(add_holiday))
        .route("/admin/calendar/{date}/delete", post(delete_holiday))
}

const STATUSES: [&str; 7] = [
    "draft",
    "published",
    "evaluation",
    "standstill",
    "awarded",
    "cancelled",
    "unsuccessful",
];

/// The tenders the user may see (the API's list: a buyer its own, a supplier the published ones it
/// may bid on, oversight all but drafts), by state.
async fn tenders_content(ctx: &Ctx, params: &HashMap<String, String>) -> Result<Markup, ApiError> {
    let page = params
        .get("page")
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(1)
        .clamp(1, 10_000);
    let mut query = json!({ "page": page, "per_page": 50 });
    let status = params
        .get("status")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty());
    if let Some(status) = status {
        query["status"] = json!(status);
    }
    let mut form = FormState::new(params.clone());
    let list = match body::<tenders::TenderQuery>(query) {
        Ok(q) => Some(
            tenders::list_tenders(
                State(ctx.state.clone()),
                AuthUser(ctx.actor),
                QueryParams(q.0),
            )
            .await?
            .0,
        ),
        Err(error) => {
            form.problems = super::ui::problems_of(&error);
            None
        }
    };
    let options: Vec<(String, String)> =
        std::iter::once((String::new(), "Any state you may see".to_owned()))
            .chain(STATUSES.iter().map(|s| ((*s).to_owned(), words(s))))
            .collect();
    Ok(html! {
        (error_summary(&form.problems))
        h1 { "Tenders" }
        form method="get" action="/tenders" {
            (Field::new("status", "State").select(&form, &options))
            button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Show" }
        }
        @if let Some(list) = &list {
            p { (list.total) " tenders." }
            (table("Tenders", &["Tender", "Buyer", "State", "Bids close", "Estimated value"], &[4],
                list.items.iter().map(|t| vec![
                    html! { a href=(format!("/tenders/{}", t.id)) { (t.title) } },
                    html! { (t.buyer_name) },
                    html! { (words(&code_of(&t.status))) },
                    html! { (when(t.submission_deadline)) },
                    html! { (pounds(t.estimated_value_pence)) },
                ]).collect()))
            @if page * 50 < list.total {
                p { a href=(format!("/tenders?status={}&page={}", status.unwrap_or_default(), page + 1)) { "More tenders" } }
            }
        }
    })
}

async fn tenders_page(ctx: Ctx, Query(params): Query<HashMap<String, String>>) -> Response {
    let built = tenders_content(&ctx, &params).await;
    ctx.show("Tenders", built)
}

fn all_pages() -> serde_json::Value {
    json!({ "per_page": 100 })
}

async fn organisations_content(
    ctx: &Ctx,
    form: &FormState,
    confirmation: Option<&str>,
) -> Result<Markup, ApiError> {
    let query = serde_json::from_value(all_pages()).map_err(ApiError::internal)?;
    let axum::Json(list) = organisations::list_organisations(
        State(ctx.state.clone()),
        Permitted::check(ctx.actor)?,
        QueryParams(query),
    )
    .await?;
    let kinds: Vec<(String, String)> = ["buyer", "supplier", "regulator", "platform"]
        .iter()
        .map(|k| ((*k).to_owned(), words(k)))
        .collect();
    let regions = super::ui::choices("None", super::ui::region_options());
    Ok(html! {
        (notice(confirmation))
        (error_summary(&form.problems))
        h1 { "Organisations" }
        (table("Organisations", &["Name", "Kind", "ODS code", "Region", "Merged into"], &[],
            list.items.iter().map(|o| vec![
                html! { (o.name) },
                html! { (code_of(&o.kind)) },
                html! { (o.ods_code.clone().unwrap_or_default()) },
                html! { (o.region.map(|r| words(&code_of(&r))).unwrap_or_default()) },
                html! { (o.successor_id.and_then(|s| list.items.iter().find(|x| x.id == s)).map(|x| x.name.clone()).unwrap_or_default()) },
            ]).collect()))
        h2 { "Add an organisation" }
        form method="post" action="/admin/organisations" novalidate {
            (csrf_field(&ctx.csrf))
            (Field::new("name", "Name").input(form))
            (Field::new("kind", "Kind").select(form, &kinds))
            (Field::new("ods_code", "ODS code (optional)").width("10").input(form))
            (Field::new("region", "Region (optional)").select(form, &regions))
            button class="nhsuk-button" type="submit" { "Add the organisation" }
        }
    })
}

async fn organisations_page(ctx: Ctx, Query(confirmation): Query<Done>) -> Response {
    let built = organisations_content(&ctx, &FormState::default(), confirmation.message()).await;
    ctx.show("Organisations", built)
}

fn optional(value: &str) -> serde_json::Value {
    if value.is_empty() {
        serde_json::Value::Null
    } else {
        json!(value)
    }
}

async fn create_organisation(ctx: Ctx, posted: Posted) -> Response {
    let result = async {
        let permitted = Permitted::check(ctx.actor)?;
        let request = body(json!({
            "name": posted.get("name"),
            "kind": posted.get("kind"),
            "ods_code": optional(posted.get("ods_code")),
            "region": optional(posted.get("region")),
        }))?;
        organisations::create_organisation(State(ctx.state.clone()), permitted, request)
            .await
            .map(|_| ())
    }
    .await;
    match result {
        Ok(()) => done("/admin/organisations", "saved"),
        Err(error @ (ApiError::Forbidden(_) | ApiError::NotFound(_))) => ctx.error(error),
        Err(error) => {
            let built =
                organisations_content(&ctx, &FormState::failed(&posted, &error), None).await;
            ctx.show_again("Organisations", &error, built)
        }
    }
}

const ROLES: [&str; 5] = [
    "buyer_lead",
    "buyer_evaluator",
    "supplier_bidder",
    "regulator",
    "admin",
];

async fn users_content(
    ctx: &Ctx,
    form: &FormState,
    confirmation: Option<&str>,
) -> Result<Markup, ApiError> {
    let query = serde_json::from_value(all_pages()).map_err(ApiError::internal)?;
    let axum::Json(list) = users::list_users(
        State(ctx.state.clone()),
        Permitted::check(ctx.actor)?,
        QueryParams(query),
    )
    .await?;
    let orgs_query = serde_json::from_value(all_pages()).map_err(ApiError::internal)?;
    let axum::Json(orgs) = organisations::list_organisations(
        State(ctx.state.clone()),
        Permitted::check(ctx.actor)?,
        QueryParams(orgs_query),
    )
    .await?;
    let org_name = |id| {
        orgs.items
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    };
    let org_options: Vec<(String, String)> =
        std::iter::once((String::new(), "Choose an organisation".to_owned()))
            .chain(
                orgs.items
                    .iter()
                    .map(|o| (o.id.to_string(), o.name.clone())),
            )
            .collect();
    let roles: Vec<(String, String)> = ROLES.iter().map(|r| ((*r).to_owned(), words(r))).collect();
    Ok(html! {
        (notice(confirmation))
        (error_summary(&form.problems))
        h1 { "Accounts" }
        p { (list.total) " accounts; the first 100 are shown." }
        (table("Accounts", &["Name", "Organisation", "Role", "Active", "Change"], &[],
            list.items.iter().map(|u| {
                let role_id = format!("role-{}", u.id);
                let state = FormState::new(HashMap::from([("role".to_owned(), code_of(&u.role)), ("active".to_owned(), u.active.to_string())]));
                vec![
                    html! { (u.name) br; span class="nhsuk-body-s" { (u.email) } },
                    html! { (org_name(u.organisation_id)) },
                    html! { (words(&code_of(&u.role))) },
                    html! { @if u.active { "Yes" } @else { "No" } },
                    html! {
                        form method="post" action=(format!("/admin/users/{}", u.id)) {
                            (csrf_field(&ctx.csrf))
                            (Field::new(&role_id, &format!("Role of {}", u.name)).named("role").select(&state, &roles))
                            (Field::new(&format!("active-{}", u.id), &format!("Is {} active?", u.name)).named("active").select(&state, &[("true".to_owned(), "Active".to_owned()), ("false".to_owned(), "Deactivated".to_owned())]))
                            button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit" { "Save " span class="nhsuk-u-visually-hidden" { (u.name) } }
                        }
                    },
                ]
            }).collect()))
        h2 { "Add an account" }
        form method="post" action="/admin/users" novalidate {
            (csrf_field(&ctx.csrf))
            (Field::new("name", "Name").input(form))
            (Field::new("email", "Email address").kind("email").input(form))
            (Field::new("organisation_id", "Organisation").select(form, &org_options))
            (Field::new("role", "Role").select(form, &roles))
            (Field::new("password", "Password").hint("At least 12 characters; give it to the person to change.").kind("password").input(&FormState { values: HashMap::new(), problems: form.problems.iter().map(|p| super::ui::Problem { field: p.field.clone(), message: p.message.clone() }).collect() }))
            button class="nhsuk-button" type="submit" { "Add the account" }
        }
    })
}

async fn users_page(ctx: Ctx, Query(confirmation): Query<Done>) -> Response {
    let built = users_content(&ctx, &FormState::default(), confirmation.message()).await;
    ctx.show("Accounts", built)
}

async fn show_users_again(ctx: &Ctx, posted: &Posted, error: ApiError) -> Response {
    if matches!(error, ApiError::Forbidden(_) | ApiError::NotFound(_)) {
        return ctx.error(error);
    }
    let built = users_content(ctx, &FormState::failed(posted, &error), None).await;
    ctx.show_again("Accounts", &error, built)
}

async fn create_user(ctx: Ctx, posted: Posted) -> Response {
    let result = async {
        let permitted = Permitted::check(ctx.actor)?;
        let request = body(json!({
            "name": posted.get("name"),
            "email": posted.get("email"),
            "organisation_id": posted.get("organisation_id"),
            "role": posted.get("role"),
            "password": posted.text("password"),
        }))?;
        users::create_user(State(ctx.state.clone()), permitted, request)
            .await
            .map(|_| ())
    }
    .await;
    match result {
        Ok(()) => done("/admin/users", "saved"),
        Err(error) => show_users_again(&ctx, &posted, error).await,
    }
}

async fn update_user(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let permitted = Permitted::check(ctx.actor)?;
        let user = id
            .parse()
            .map_err(|_| ApiError::NotFound("No such account.".to_owned()))?;
        let request =
            body(json!({ "role": posted.get("role"), "active": posted.get("active") == "true" }))?;
        users::update_user(
            State(ctx.state.clone()),
            permitted,
            PathParams(user),
            request,
        )
        .await
        .map(|_| ())
    }
    .await;
    match result {
        Ok(()) => done("/admin/users", "saved"),
        Err(error) => show_users_again(&ctx, &posted, error).await,
    }
}

async fn calendar_content(
    ctx: &Ctx,
    year: i32,
    form: &FormState,
    confirmation: Option<&str>,
) -> Result<Markup, ApiError> {
    ctx.actor
        .require(domain::access::PlatformAction::EditCalendar)?;
    let axum::Json(list) = calendar::list_bank_holidays(
        State(ctx.state.clone()),
        AuthUser(ctx.actor),
        QueryParams(calendar::BankHolidayQuery { year: Some(year) }),
    )
    .await?;
    Ok(html! {
        (notice(confirmation))
        (error_summary(&form.problems))
        h1 { "Bank holidays in England and Wales, " (year) }
        p { "Standstill periods count working days: weekends and these days are skipped. "
            a href=(format!("/admin/calendar?year={}", year - 1)) { (year - 1) } " · "
            a href=(format!("/admin/calendar?year={}", year + 1)) { (year + 1) } }
        (table(&format!("Bank holidays in {year}"), &["Date", "Holiday", ""], &[],
            list.items.iter().map(|h| vec![
                html! { (day(h.date)) },
                html! { (h.name) },
                html! {
                    form method="post" action=(format!("/admin/calendar/{}/delete", h.date)) {
                        (csrf_field(&ctx.csrf))
                        button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit" { "Remove " span class="nhsuk-u-visually-hidden" { (h.name) } }
                    }
                },
            ]).collect()))
        h2 { "Add a bank holiday" }
        form method="post" action="/admin/calendar" novalidate {
            (csrf_field(&ctx.csrf))
            (Field::new("date", "Date").kind("date").input(form))
            (Field::new("name", "Name").hint("For example, a holiday for a coronation.").input(form))
            button class="nhsuk-button" type="submit" { "Add the holiday" }
        }
    })
}

/// The year shown first: this one.
fn this_year() -> i32 {
    chrono::Datelike::year(&chrono::Utc::now())
}

async fn calendar_page(ctx: Ctx, Query(params): Query<HashMap<String, String>>) -> Response {
    let year = params
        .get("year")
        .and_then(|y| y.parse::<i32>().ok())
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(this_year);
    let confirmation = Done {
        done: params.get("done").cloned(),
    };
    let built = calendar_content(&ctx, year, &FormState::default(), confirmation.message()).await;
    ctx.show("Bank holidays", built)
}

async fn add_holiday(ctx: Ctx, posted: Posted) -> Response {
    let result = async {
        let date: chrono::NaiveDate = posted.get("date").parse().map_err(|_| {
            ApiError::Validation(vec![domain::FieldError::new("/date", "must be a date")])
        })?;
        calendar::put_bank_holiday(
            State(ctx.state.clone()),
            AuthUser(ctx.actor),
            PathParams(date),
            body(json!({ "name": posted.get("name") })),
        )
        .await
        .map(|_| date)
    }
    .await;
    match result {
        Ok(date) => done(
            &format!("/admin/calendar?year={}", chrono::Datelike::year(&date)),
            "saved",
        ),
        Err(error @ (ApiError::Forbidden(_) | ApiError::NotFound(_))) => ctx.error(error),
        Err(error) => {
            let built =
                calendar_content(&ctx, this_year(), &FormState::failed(&posted, &error), None)
                    .await;
            ctx.show_again("Bank holidays", &error, built)
        }
    }
}

async fn delete_holiday(ctx: Ctx, Path(date): Path<String>, _posted: Posted) -> Response {
    let result = async {
        let date: chrono::NaiveDate = date
            .parse()
            .map_err(|_| ApiError::NotFound("No such holiday.".to_owned()))?;
        calendar::delete_bank_holiday(
            State(ctx.state.clone()),
            AuthUser(ctx.actor),
            PathParams(date),
        )
        .await
        .map(|_| date)
    }
    .await;
    match result {
        Ok(date) => done(
            &format!("/admin/calendar?year={}", chrono::Datelike::year(&date)),
            "deleted",
        ),
        Err(error) => ctx.error(error),
    }
}
