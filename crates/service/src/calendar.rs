//! The bank-holiday calendar that standstill periods are counted against: England and Wales,
//! seeded for 2024–2030; admins add proclaimed one-off holidays and correct it.

use crate::{Ctx, ServiceError};
use chrono::{Datelike, NaiveDate};
use domain::DomainError;
use domain::access::{Actor, PlatformAction};
use domain::audit::AuditEntry;
use domain::calendar::holiday_name;
use persistence::calendar::BankHoliday;
use serde_json::json;

const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// The standstill of `days` working days beginning with the command's day (the day its notice
/// is published), counted against the calendar kept.
pub(crate) async fn standstill_from_now(
    command: &persistence::Command,
    days: i32,
) -> Result<domain::calendar::Standstill, ServiceError> {
    let now = command.now();
    let today = domain::calendar::uk_date(now);
    let holidays = persistence::calendar::dates(
        command.conn(),
        today,
        today + chrono::Duration::days(domain::calendar::CALENDAR_WINDOW_DAYS),
    )
    .await?;
    Ok(domain::calendar::standstill(
        now,
        u32::try_from(days).unwrap_or(0),
        &holidays,
    ))
}

fn holiday_value(date: NaiveDate, name: &str) -> serde_json::Value {
    json!({"date": date, "name": name})
}

/// The bank holidays of `year`, or of every year kept (any signed-in user).
pub async fn holidays(ctx: &Ctx, year: Option<i32>) -> Result<Vec<BankHoliday>, ServiceError> {
    let (first, last) = match year {
        Some(year) if YEARS.contains(&year) => (year, year),
        Some(_) => return Err(ServiceError::field("/year", "must be from 2000 to 2100")),
        None => (*YEARS.start(), *YEARS.end()),
    };
    let (Some(from), Some(to)) = (
        NaiveDate::from_ymd_opt(first, 1, 1),
        NaiveDate::from_ymd_opt(last, 12, 31),
    ) else {
        return Err(ServiceError::Internal("calendar bounds".into()));
    };
    Ok(persistence::calendar::between(ctx.db().conn(), from, to).await?)
}

/// An admin sets (adds or renames) the bank holiday on `date`.
pub async fn put(
    ctx: &Ctx,
    actor: &Actor,
    date: NaiveDate,
    name: &str,
) -> Result<BankHoliday, ServiceError> {
    actor.require(PlatformAction::EditCalendar)?;
    if !YEARS.contains(&date.year()) {
        return Err(ServiceError::field(
            "/date",
            "must be in the years 2000 to 2100",
        ));
    }
    let name = holiday_name(name)?;
    let command = ctx.command().await?;
    let before = persistence::calendar::find(command.conn(), date).await?;
    persistence::calendar::put(command.conn(), date, &name).await?;
    let mut entry = AuditEntry::by(actor, "calendar.holiday_set", "bank_holiday", date)
        .after(holiday_value(date, &name));
    if let Some(before) = before {
        entry = entry.before(holiday_value(before.day, &before.name));
    }
    command.audit(entry).await?;
    command.commit().await?;
    Ok(BankHoliday { day: date, name })
}

/// An admin removes the bank holiday on `date`.
pub async fn remove(ctx: &Ctx, actor: &Actor, date: NaiveDate) -> Result<(), ServiceError> {
    actor.require(PlatformAction::EditCalendar)?;
    let command = ctx.command().await?;
    let before = persistence::calendar::find(command.conn(), date)
        .await?
        .ok_or(DomainError::NotFound("bank holiday"))?;
    persistence::calendar::remove(command.conn(), date).await?;
    command
        .audit(
            AuditEntry::by(actor, "calendar.holiday_removed", "bank_holiday", date)
                .before(holiday_value(before.day, &before.name)),
        )
        .await?;
    command.commit().await?;
    Ok(())
}
