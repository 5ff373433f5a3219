//! The platform admin's pages (organisations, accounts, the bank-holiday calendar) and the list of
//! tenders every role may browse. Each calls the service, whose permission check is the
//! domain's.

use super::ui::{
    Ctx, Done, Field, FormState, Posted, csrf_field, day, done, error_summary, notice, table, when,
    words,
};
use crate::WebState;
use crate::ui::Content;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{get, post};
use domain::FieldError;
use domain::ids::{OrganisationId, UserId};
use domain::money::pounds;
use domain::organisation::{IdentifierScheme, Organisation};
use domain::pagination::PageRequest;
use domain::tender::TenderStatus;
use domain::user::Role;
use maud::html;
use service::ServiceError;
use service::accounts::{OrganisationChanges, OrganisationInput, UserInput};
use std::collections::HashMap;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/tenders", get(tenders_page))
        .route(
            "/admin/organisations",
            get(organisations_page).post(create_organisation),
        )
        .route(
            "/admin/organisations/{id}",
            get(organisation_page).post(update_organisation),
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
async fn tenders_content(ctx: &Ctx, params: &HashMap<String, String>) -> Content {
    let page = crate::ui::page_number(params, 10_000);
    let status = params
        .get("status")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty());
    let mut form = FormState::new(params.clone());
    let list = match status.map(str::parse::<TenderStatus>).transpose() {
        Ok(status) => Some(
            service::tenders::list(
                &ctx.state.ctx,
                &ctx.actor,
                service::tenders::TenderQuery {
                    status,
                    ..Default::default()
                },
                PageRequest::new(Some(page), Some(50))?,
            )
            .await?,
        ),
        Err(_) => {
            form.problems =
                super::ui::problems_of(&ServiceError::field("/status", "is not one of the states"));
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
                    html! { (words(t.status.as_str())) },
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

fn all_pages() -> Result<PageRequest, ServiceError> {
    Ok(PageRequest::new(Some(1), Some(100))?)
}

async fn organisations_content(ctx: &Ctx, form: &FormState, banner: Option<&str>) -> Content {
    let list =
        service::accounts::organisations(&ctx.state.ctx, &ctx.actor, None, all_pages()?).await?;
    let kinds: Vec<(String, String)> = ["buyer", "supplier", "regulator", "platform"]
        .iter()
        .map(|k| ((*k).to_owned(), words(k)))
        .collect();
    let regions = super::ui::choices("None", super::ui::region_options());
    Ok(html! {
        (notice(banner))
        (error_summary(&form.problems))
        h1 { "Organisations" }
        (table("Organisations", &["Name", "Kind", "Authority type", "Identifiers", "Region", "Merged into"], &[],
            list.items.iter().map(|o| vec![
                html! { a href=(format!("/admin/organisations/{}", o.id)) { (o.name) } },
                html! { (o.kind.as_str()) },
                html! { (o.authority_type.map(|a| words(a.as_str())).unwrap_or_default()) },
                html! { @for i in &o.identifiers { (i.scheme) " " (i.id) br; } },
                html! { (o.region.map(|r| words(r.code())).unwrap_or_default()) },
                html! { (o.successor_id.and_then(|s| list.items.iter().find(|x| x.id == s)).map(|x| x.name.clone()).unwrap_or_default()) },
            ]).collect()))
        h2 { "Add an organisation" }
        form method="post" action="/admin/organisations" novalidate {
            (csrf_field(&ctx.csrf))
            (Field::new("name", "Name").input(form))
            (Field::new("kind", "Kind").select(form, &kinds))
            (Field::new("ods_code", "ODS code (optional)").width("10").input(form))
            (Field::new("region", "Region (optional)").select(form, &regions))
            (procurement_fields(form))
            button class="nhsuk-button" type="submit" { "Add the organisation" }
        }
    })
}

/// The register identifiers (beyond the ODS code) a form offers, with their field names.
const IDENTIFIER_FIELDS: [(IdentifierScheme, &str, &str); 3] = [
    (
        IdentifierScheme::CompaniesHouse,
        "identifier_coh",
        "Companies House number (optional)",
    ),
    (
        IdentifierScheme::CharityCommission,
        "identifier_chc",
        "Registered charity number (optional)",
    ),
    (
        IdentifierScheme::Ppon,
        "identifier_ppon",
        "Public Procurement Organisation Number, PPON (optional)",
    ),
];

/// The authority type (for a buyer) and the register identifiers.
fn procurement_fields(form: &FormState) -> maud::Markup {
    let authority_types: Vec<(String, String)> = [
        ("", "Not a buyer, or sub-central (the default for a buyer)"),
        (
            "sub_central",
            "Sub-central: an integrated care board, for example",
        ),
        (
            "central_government",
            "Central government: NHS England, for example",
        ),
    ]
    .iter()
    .map(|(code, label)| ((*code).to_owned(), (*label).to_owned()))
    .collect();
    html! {
        (Field::new("authority_type", "Authority type, for a buyer").hint("It decides the Procurement Act 2023 threshold its tenders are measured against.").select(form, &authority_types))
        @for (_, field, label) in IDENTIFIER_FIELDS {
            (Field::new(field, label).width("20").input(form))
        }
    }
}

/// The identifiers typed in the form, as `(scheme, id)`; an empty field names none.
fn identifiers_of(posted: &Posted) -> Vec<(IdentifierScheme, String)> {
    IDENTIFIER_FIELDS
        .iter()
        .filter_map(|(scheme, field, _)| optional(posted.get(field)).map(|id| (*scheme, id)))
        .collect()
}

/// The form's values for an organisation as stored.
fn organisation_values(o: &Organisation) -> HashMap<String, String> {
    let mut values = HashMap::from([
        ("name".to_owned(), o.name.clone()),
        (
            "ods_code".to_owned(),
            o.ods_code.clone().unwrap_or_default(),
        ),
        (
            "region".to_owned(),
            o.region.map(|r| r.code().to_owned()).unwrap_or_default(),
        ),
        (
            "authority_type".to_owned(),
            o.authority_type
                .map(|a| a.as_str().to_owned())
                .unwrap_or_default(),
        ),
    ]);
    for (scheme, field, _) in IDENTIFIER_FIELDS {
        if let Some(found) = o.identifiers.iter().find(|i| i.scheme == scheme) {
            values.insert(field.to_owned(), found.id.clone());
        }
    }
    values
}

/// Maps the service's `/identifiers/{i}/…` errors back to the form field that sent entry `i`.
fn identifier_errors(error: ServiceError, sent: &[(IdentifierScheme, String)]) -> ServiceError {
    match error {
        ServiceError::Validation(errors) => ServiceError::Validation(
            errors
                .into_iter()
                .map(|mut e| {
                    let index = e
                        .pointer
                        .strip_prefix("/identifiers/")
                        .and_then(|rest| rest.split('/').next())
                        .and_then(|i| i.parse::<usize>().ok());
                    if let Some((scheme, _)) = index.and_then(|i| sent.get(i))
                        && let Some((_, field, _)) =
                            IDENTIFIER_FIELDS.iter().find(|(s, _, _)| s == scheme)
                    {
                        e.pointer = format!("/{field}");
                    }
                    e
                })
                .collect(),
        ),
        other => other,
    }
}

async fn organisation_content(
    ctx: &Ctx,
    id: OrganisationId,
    form: Option<&FormState>,
    banner: Option<&str>,
) -> Content {
    let organisation = service::accounts::organisation(&ctx.state.ctx, &ctx.actor, id).await?;
    let stored = FormState::new(organisation_values(&organisation));
    let form = form.unwrap_or(&stored);
    let regions = super::ui::choices("None", super::ui::region_options());
    Ok(html! {
        (notice(banner))
        (error_summary(&form.problems))
        h1 { (organisation.name) }
        p { "A " (organisation.kind.as_str()) " organisation. " a href="/admin/organisations" { "All organisations" } }
        form method="post" action=(format!("/admin/organisations/{id}")) novalidate {
            (csrf_field(&ctx.csrf))
            (Field::new("name", "Name").input(form))
            (Field::new("ods_code", "ODS code (optional)").width("10").input(form))
            (Field::new("region", "Region (optional)").select(form, &regions))
            (procurement_fields(form))
            button class="nhsuk-button" type="submit" { "Save the changes" }
        }
    })
}

async fn organisation_page(
    ctx: Ctx,
    Path(id): Path<uuid::Uuid>,
    Query(banner): Query<Done>,
) -> Response {
    let built =
        organisation_content(&ctx, OrganisationId::from_uuid(id), None, banner.message()).await;
    ctx.show("Organisation", built)
}

async fn update_organisation(ctx: Ctx, Path(id): Path<uuid::Uuid>, posted: Posted) -> Response {
    let id = OrganisationId::from_uuid(id);
    let identifiers = identifiers_of(&posted);
    let result = async {
        let mut errors = Vec::new();
        let region = optional_choice(&posted, "region", &mut errors);
        let authority_type = optional_choice(&posted, "authority_type", &mut errors);
        if !errors.is_empty() {
            return Err(ServiceError::Validation(errors));
        }
        let changes = OrganisationChanges {
            name: Some(posted.get("name").to_owned()),
            ods_code: Some(optional(posted.get("ods_code"))),
            region: Some(region),
            authority_type,
            identifiers: Some(identifiers.clone()),
        };
        service::accounts::update_organisation(&ctx.state.ctx, &ctx.actor, id, &changes).await
    }
    .await
    .map_err(|e| identifier_errors(e, &identifiers));
    match result {
        Ok(_) => done(&format!("/admin/organisations/{id}"), "saved"),
        Err(error) if error.refuses_access() => ctx.error(error),
        Err(error) => {
            let state = FormState::failed(&posted, &error);
            let built = organisation_content(&ctx, id, Some(&state), None).await;
            ctx.show_again("Organisation", &error, built)
        }
    }
}

async fn organisations_page(ctx: Ctx, Query(banner): Query<Done>) -> Response {
    let built = organisations_content(&ctx, &FormState::default(), banner.message()).await;
    ctx.show("Organisations", built)
}

/// A form field as an optional value: `None` when left empty.
fn optional(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// A coded choice; a missing or unknown one is an error at its field.
fn choice<T: std::str::FromStr>(
    posted: &Posted,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    posted.get(field).parse().ok().or_else(|| {
        errors.push(FieldError::new(
            format!("/{field}"),
            "choose one of the options",
        ));
        None
    })
}

/// A coded choice that may be left empty (`None`); an unknown one is an error at its field.
fn optional_choice<T: std::str::FromStr>(
    posted: &Posted,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    optional(posted.get(field)).and_then(|_| choice(posted, field, errors))
}

async fn create_organisation(ctx: Ctx, posted: Posted) -> Response {
    let identifiers = identifiers_of(&posted);
    let result = async {
        let mut errors = Vec::new();
        let kind = choice(&posted, "kind", &mut errors);
        let region = optional_choice(&posted, "region", &mut errors);
        let authority_type = optional_choice(&posted, "authority_type", &mut errors);
        let Some(kind) = kind.filter(|_| errors.is_empty()) else {
            return Err(ServiceError::Validation(errors));
        };
        let input = OrganisationInput {
            name: posted.get("name").to_owned(),
            kind,
            ods_code: optional(posted.get("ods_code")),
            region,
            authority_type,
            identifiers: identifiers.clone(),
        };
        service::accounts::create_organisation(&ctx.state.ctx, &ctx.actor, &input).await?;
        Ok::<_, ServiceError>(())
    }
    .await
    .map_err(|e| identifier_errors(e, &identifiers));
    match result {
        Ok(()) => done("/admin/organisations", "saved"),
        Err(error) if error.refuses_access() => ctx.error(error),
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

async fn users_content(ctx: &Ctx, form: &FormState, banner: Option<&str>) -> Content {
    let list = service::accounts::users(
        &ctx.state.ctx,
        &ctx.actor,
        persistence::users::UserFilter::default(),
        all_pages()?,
    )
    .await?;
    let orgs =
        service::accounts::organisations(&ctx.state.ctx, &ctx.actor, None, all_pages()?).await?;
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
        (notice(banner))
        (error_summary(&form.problems))
        h1 { "Accounts" }
        p { (list.total) " accounts; the first 100 are shown." }
        (table("Accounts", &["Name", "Organisation", "Role", "Active", "Change"], &[],
            list.items.iter().map(|u| {
                let role_id = format!("role-{}", u.id);
                let state = FormState::new(HashMap::from([("role".to_owned(), u.role.as_str().to_owned()), ("active".to_owned(), u.active.to_string())]));
                vec![
                    html! { (u.name) br; span class="nhsuk-body-s" { (u.email) } },
                    html! { (org_name(u.organisation_id)) },
                    html! { (words(u.role.as_str())) },
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

async fn users_page(ctx: Ctx, Query(banner): Query<Done>) -> Response {
    let built = users_content(&ctx, &FormState::default(), banner.message()).await;
    ctx.show("Accounts", built)
}

async fn show_users_again(ctx: &Ctx, posted: &Posted, error: ServiceError) -> Response {
    if error.refuses_access() {
        return ctx.error(error);
    }
    let built = users_content(ctx, &FormState::failed(posted, &error), None).await;
    ctx.show_again("Accounts", &error, built)
}

async fn create_user(ctx: Ctx, posted: Posted) -> Response {
    let result = async {
        let mut errors = Vec::new();
        let role: Option<Role> = choice(&posted, "role", &mut errors);
        let organisation = uuid::Uuid::parse_str(posted.get("organisation_id"))
            .map_err(|_| {
                errors.push(FieldError::new(
                    "/organisation_id",
                    "choose an organisation",
                ));
            })
            .ok();
        let (Some(role), Some(organisation)) = (role, organisation) else {
            return Err(ServiceError::Validation(errors));
        };
        let input = UserInput {
            email: posted.get("email").to_owned(),
            name: posted.get("name").to_owned(),
            password: posted.text("password").to_owned(),
            role,
            organisation_id: OrganisationId::from_uuid(organisation),
        };
        service::accounts::create_user(&ctx.state.ctx, &ctx.actor, &input).await?;
        Ok::<_, ServiceError>(())
    }
    .await;
    match result {
        Ok(()) => done("/admin/users", "saved"),
        Err(error) => show_users_again(&ctx, &posted, error).await,
    }
}

async fn update_user(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let user = id
            .parse()
            .map(UserId::from_uuid)
            .map_err(|_| ServiceError::NotFound("No such account.".to_owned()))?;
        let mut errors = Vec::new();
        let Some(role) = choice::<Role>(&posted, "role", &mut errors) else {
            return Err(ServiceError::Validation(errors));
        };
        let active = posted.get("active") == "true";
        service::accounts::update_user(&ctx.state.ctx, &ctx.actor, user, Some(role), Some(active))
            .await?;
        Ok::<_, ServiceError>(())
    }
    .await;
    match result {
        Ok(()) => done("/admin/users", "saved"),
        Err(error) => show_users_again(&ctx, &posted, error).await,
    }
}

async fn calendar_content(ctx: &Ctx, year: i32, form: &FormState, banner: Option<&str>) -> Content {
    ctx.actor
        .require(domain::access::PlatformAction::EditCalendar)?;
    let holidays = service::calendar::holidays(&ctx.state.ctx, Some(year)).await?;
    Ok(html! {
        (notice(banner))
        (error_summary(&form.problems))
        h1 { "Bank holidays in England and Wales, " (year) }
        p { "Standstill periods count working days: weekends and these days are skipped. "
            a href=(format!("/admin/calendar?year={}", year - 1)) { (year - 1) } " · "
            a href=(format!("/admin/calendar?year={}", year + 1)) { (year + 1) } }
        (table(&format!("Bank holidays in {year}"), &["Date", "Holiday", ""], &[],
            holidays.iter().map(|h| vec![
                html! { (day(h.day)) },
                html! { (h.name) },
                html! {
                    form method="post" action=(format!("/admin/calendar/{}/delete", h.day)) {
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
    let banner = Done {
        done: params.get("done").cloned(),
    };
    let built = calendar_content(&ctx, year, &FormState::default(), banner.message()).await;
    ctx.show("Bank holidays", built)
}

async fn add_holiday(ctx: Ctx, posted: Posted) -> Response {
    let result = async {
        let date: chrono::NaiveDate = posted.get("date").parse().map_err(|_| {
            ServiceError::Validation(vec![domain::FieldError::new("/date", "must be a date")])
        })?;
        service::calendar::put(&ctx.state.ctx, &ctx.actor, date, posted.get("name")).await?;
        Ok::<_, ServiceError>(date)
    }
    .await;
    match result {
        Ok(date) => done(
            &format!("/admin/calendar?year={}", chrono::Datelike::year(&date)),
            "saved",
        ),
        Err(error) if error.refuses_access() => ctx.error(error),
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
            .map_err(|_| ServiceError::NotFound("No such holiday.".to_owned()))?;
        service::calendar::remove(&ctx.state.ctx, &ctx.actor, date).await?;
        Ok::<_, ServiceError>(date)
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
