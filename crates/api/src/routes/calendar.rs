//! The bank-holiday calendar that standstill periods are counted against: England and Wales,
//! seeded for 2024–2030; admins add proclaimed one-off holidays and correct it.

use crate::auth::AuthUser;
use crate::error::{ApiError, Forbidden, Unauthorized};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use domain::access::PlatformAction;
use persistence::calendar::BankHoliday;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A bank holiday.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BankHolidayResponse {
    /// The day.
    pub date: NaiveDate,
    /// Its name.
    pub name: String,
}

impl From<BankHoliday> for BankHolidayResponse {
    fn from(h: BankHoliday) -> Self {
        Self {
            date: h.day,
            name: h.name,
        }
    }
}

/// The calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct BankHolidayList {
    /// In date order.
    pub items: Vec<BankHolidayResponse>,
}

/// Which year.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BankHolidayQuery {
    /// Only this year's holidays (all by default).
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

/// England and Wales bank holidays, which standstill periods skip (any signed-in user).
#[utoipa::path(
    get,
    path = "/bank-holidays",
    tag = "calendar",
    security(("bearer" = [])),
    params(BankHolidayQuery),
    responses(
        (status = 200, description = "The holidays.", body = BankHolidayList),
        crate::error::QueryProblems,
    )
)]
pub async fn list_bank_holidays(
    State(state): State<AppState>,
    AuthUser(_actor): AuthUser,
    QueryParams(query): QueryParams<BankHolidayQuery>,
) -> Result<Json<BankHolidayList>, ApiError> {
    let items = service::calendar::holidays(&state.ctx, query.year)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(BankHolidayList { items }))
}

/// A holiday's name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankHolidayRequest {
    /// 1 to 100 characters.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
        min_length = 1,
        max_length = 100,
        example = "Coronation of King Charles III"
    )]
    pub name: String,
}

/// Adds a bank holiday or renames one (admins). Standstills awarded afterwards count it;
/// standstills already running keep the end they were given.
#[utoipa::path(
    put,
    path = "/bank-holidays/{date}",
    tag = "calendar",
    security(("bearer" = [])),
    params(("date" = NaiveDate, Path, description = "The day, YYYY-MM-DD.")),
    request_body = BankHolidayRequest,
    responses(
        (status = 200, description = "The holiday.", body = BankHolidayResponse),
        crate::error::BodyProblems,
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
pub async fn put_bank_holiday(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(date): PathParams<NaiveDate>,
    body: Result<JsonBody<BankHolidayRequest>, ApiError>,
) -> Result<Json<BankHolidayResponse>, ApiError> {
    actor.require(PlatformAction::EditCalendar)?;
    let JsonBody(request) = body?;
    let set = service::calendar::put(&state.ctx, &actor, date, &request.name).await?;
    Ok(Json(set.into()))
}

/// Removes a bank holiday (admins).
#[utoipa::path(
    delete,
    path = "/bank-holidays/{date}",
    tag = "calendar",
    security(("bearer" = [])),
    params(("date" = NaiveDate, Path, description = "The day, YYYY-MM-DD.")),
    responses(
        (status = 204, description = "Removed."),
        crate::error::AccessProblems,
    )
)]
pub async fn delete_bank_holiday(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(date): PathParams<NaiveDate>,
) -> Result<StatusCode, ApiError> {
    service::calendar::remove(&state.ctx, &actor, date).await?;
    Ok(StatusCode::NO_CONTENT)
}
