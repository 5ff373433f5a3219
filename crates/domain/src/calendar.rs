//! Working days and the standstill period: weekends and England and Wales bank holidays are not
//! working days. Dates are reckoned in UK time (GMT, or BST in summer), since that is the time
//! the buyers and bidders keep; the holidays themselves come from the calendar in the database.

use crate::error::DomainError;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use std::collections::BTreeSet;

/// The last Sunday of `month` in `year`.
fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_of_next.pred_opt()?;
    let back = i64::from(last.weekday().num_days_from_sunday());
    Some(last - Duration::days(back))
}

/// When British Summer Time runs in `year`: from 01:00 UTC on the last Sunday of March to 01:00
/// UTC on the last Sunday of October.
fn summer_time(year: i32) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let start = last_sunday(year, 3)?.and_hms_opt(1, 0, 0)?;
    let end = last_sunday(year, 10)?.and_hms_opt(1, 0, 0)?;
    Some((Utc.from_utc_datetime(&start), Utc.from_utc_datetime(&end)))
}

/// UK time's offset from UTC at `instant`: an hour in summer, none in winter.
pub fn uk_offset(instant: DateTime<Utc>) -> Duration {
    match summer_time(instant.year()) {
        Some((start, end)) if instant >= start && instant < end => Duration::hours(1),
        _ => Duration::zero(),
    }
}

/// The date in the UK at `instant`.
pub fn uk_date(instant: DateTime<Utc>) -> NaiveDate {
    (instant + uk_offset(instant)).date_naive()
}

/// The instant UK midnight begins `date`. Midnight is never inside a clock change (those
/// happen at 01:00 UTC), so it is always one instant.
pub fn uk_midnight(date: NaiveDate) -> DateTime<Utc> {
    let naive = Utc.from_utc_datetime(&date.and_time(chrono::NaiveTime::MIN));
    // Midnight local is 23:00 UTC the day before in summer: check the offset at that instant.
    let summer = naive - Duration::hours(1);
    if uk_offset(summer) == Duration::hours(1) {
        summer
    } else {
        naive
    }
}

/// The instant a UK wall-clock time stands for (a deadline typed into a form). In the hour the
/// clocks skip in spring the time is read as GMT; in the hour repeated in autumn, as the first
/// (summer) one.
pub fn uk_local(local: chrono::NaiveDateTime) -> DateTime<Utc> {
    let as_gmt = Utc.from_utc_datetime(&local);
    let as_bst = as_gmt - Duration::hours(1);
    if uk_offset(as_bst) == Duration::hours(1) {
        as_bst
    } else {
        as_gmt
    }
}

/// UK wall-clock time at `instant`.
pub fn uk_time(instant: DateTime<Utc>) -> chrono::NaiveDateTime {
    (instant + uk_offset(instant)).naive_utc()
}

/// Whether `date` is a working day: not a Saturday or Sunday, not a bank holiday.
pub fn is_working_day(date: NaiveDate, holidays: &BTreeSet<NaiveDate>) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&date)
}

/// The `days`-th working day after `date` (`date` itself when `days` is 0).
pub fn add_working_days(date: NaiveDate, days: u32, holidays: &BTreeSet<NaiveDate>) -> NaiveDate {
    let mut current = date;
    let mut counted = 0;
    while counted < days {
        current = current.succ_opt().unwrap_or(current);
        if is_working_day(current, holidays) {
            counted += 1;
        }
    }
    current
}

/// When a standstill ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standstill {
    /// Its last day (UK date), or `None` when there is no standstill.
    pub last_day: Option<NaiveDate>,
    /// The instant it is over: UK midnight at the end of its last day, or the award itself when
    /// the standstill is 0 days.
    pub ends_at: DateTime<Utc>,
}

/// The standstill after an award whose contract award notice is published at `awarded_at`:
/// `days` working days *beginning with the day on which the notice is published* (Procurement
/// Act 2023 s.51(2)–(3)): that UK day counts as the first when it is a working day; weekends and
/// `holidays` are skipped. The contract may be entered once the last of them is over.
pub fn standstill(
    awarded_at: DateTime<Utc>,
    days: u32,
    holidays: &BTreeSet<NaiveDate>,
) -> Standstill {
    if days == 0 {
        return Standstill {
            last_day: None,
            ends_at: awarded_at,
        };
    }
    let published = uk_date(awarded_at);
    let last_day = add_working_days(published.pred_opt().unwrap_or(published), days, holidays);
    Standstill {
        last_day: Some(last_day),
        ends_at: uk_midnight(last_day.succ_opt().unwrap_or(last_day)),
    }
}

/// How far ahead of an award the calendar must be read to cover any standstill: 30 working days
/// never take more than 60 calendar days, even around Christmas and Easter.
pub const CALENDAR_WINDOW_DAYS: i64 = 70;

/// A bank holiday's name: 1 to 100 characters.
pub fn holiday_name(raw: &str) -> Result<String, DomainError> {
    crate::organisation::bounded_text(raw, "/name", 100)
}

/// Easter Sunday in `year` (the Gregorian computus, anonymous algorithm).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

fn first_monday(year: i32, month: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let ahead = (7 - first.weekday().num_days_from_monday()) % 7;
    Some(first + Duration::days(i64::from(ahead)))
}

fn last_monday(year: i32, month: u32) -> Option<NaiveDate> {
    let sunday = last_sunday(year, month)?;
    let monday = sunday + Duration::days(1);
    Some(if monday.month() == month {
        monday
    } else {
        sunday - Duration::days(6)
    })
}

/// The regular England and Wales bank holidays of `year` by the Banking and Financial Dealings
/// Act rules: New Year's Day, Good Friday, Easter Monday, the early May, spring and summer bank
/// holidays, Christmas Day and Boxing Day, each moved to the next free weekday when it falls on
/// a weekend. One-off holidays (coronations, jubilees, state funerals) are proclaimed, not
/// computed: admins add them to the calendar.
pub fn regular_bank_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let mut days: Vec<(NaiveDate, &'static str)> = Vec::new();
    let mut push = |date: Option<NaiveDate>, name: &'static str| {
        if let Some(date) = date {
            days.push((date, name));
        }
    };
    let new_year = NaiveDate::from_ymd_opt(year, 1, 1).map(|d| match d.weekday() {
        Weekday::Sat => d + Duration::days(2),
        Weekday::Sun => d + Duration::days(1),
        _ => d,
    });
    push(new_year, "New Year's Day");
    let easter = easter_sunday(year);
    push(easter.map(|e| e - Duration::days(2)), "Good Friday");
    push(easter.map(|e| e + Duration::days(1)), "Easter Monday");
    push(first_monday(year, 5), "Early May bank holiday");
    push(last_monday(year, 5), "Spring bank holiday");
    push(last_monday(year, 8), "Summer bank holiday");
    let christmas = NaiveDate::from_ymd_opt(year, 12, 25);
    let (christmas, boxing) = match christmas.map(|c| c.weekday()) {
        // Saturday: Christmas moves to Monday, Boxing Day (Sunday) to Tuesday.
        Some(Weekday::Sat) => (
            christmas.map(|c| c + Duration::days(2)),
            christmas.map(|c| c + Duration::days(3)),
        ),
        // Sunday: Boxing Day is Monday, Christmas moves to Tuesday.
        Some(Weekday::Sun) => (
            christmas.map(|c| c + Duration::days(2)),
            christmas.map(|c| c + Duration::days(1)),
        ),
        // Friday: Boxing Day (Saturday) moves to Monday.
        Some(Weekday::Fri) => (christmas, christmas.map(|c| c + Duration::days(3))),
        _ => (christmas, christmas.map(|c| c + Duration::days(1))),
    };
    push(christmas, "Christmas Day");
    push(boxing, "Boxing Day");
    days.sort();
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn instant(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn holidays(years: &[i32]) -> BTreeSet<NaiveDate> {
        years
            .iter()
            .flat_map(|y| regular_bank_holidays(*y))
            .map(|(d, _)| d)
            .collect()
    }

    #[test]
    fn the_rules_give_the_published_bank_holidays() {
        // As published on gov.uk for England and Wales, as (month, day).
        #[rustfmt::skip]
        let published = [
            (2026, [(1, 1), (4, 3), (4, 6), (5, 4), (5, 25), (8, 31), (12, 25), (12, 28)]),
            (2027, [(1, 1), (3, 26), (3, 29), (5, 3), (5, 31), (8, 30), (12, 27), (12, 28)]),
        ];
        for (year, days) in published {
            let got: Vec<NaiveDate> = regular_bank_holidays(year).iter().map(|h| h.0).collect();
            let expected: Vec<NaiveDate> = days.iter().map(|&(m, d)| date(year, m, d)).collect();
            assert_eq!(got, expected, "{year}");
        }
        // 2028: New Year's Day is a Saturday, so the holiday is Monday 3 January.
        assert_eq!(regular_bank_holidays(2028)[0].0, date(2028, 1, 3));
        assert_eq!(easter_sunday(2024), Some(date(2024, 3, 31)));
        assert_eq!(easter_sunday(2025), Some(date(2025, 4, 20)));
        assert_eq!(easter_sunday(2030), Some(date(2030, 4, 21)));
    }

    #[test]
    fn uk_dates_follow_british_summer_time() {
        // 23:30 UTC on 30 June is already 1 July in London.
        assert_eq!(uk_date(instant("2026-06-30T23:30:00Z")), date(2026, 7, 1));
        // In winter London keeps UTC.
        assert_eq!(uk_date(instant("2026-12-01T23:30:00Z")), date(2026, 12, 1));
        // The clocks go forward at 01:00 UTC on 29 March 2026 and back on 25 October.
        assert_eq!(uk_offset(instant("2026-03-29T00:59:59Z")), Duration::zero());
        assert_eq!(
            uk_offset(instant("2026-03-29T01:00:00Z")),
            Duration::hours(1)
        );
        assert_eq!(
            uk_offset(instant("2026-10-25T00:59:59Z")),
            Duration::hours(1)
        );
        assert_eq!(uk_offset(instant("2026-10-25T01:00:00Z")), Duration::zero());
        assert_eq!(
            uk_midnight(date(2026, 7, 1)),
            instant("2026-06-30T23:00:00Z")
        );
        assert_eq!(
            uk_midnight(date(2026, 12, 1)),
            instant("2026-12-01T00:00:00Z")
        );
    }

    #[test]
    fn a_standstill_counts_working_days_skipping_weekends_and_bank_holidays() {
        let calendar = holidays(&[2026, 2027]);
        // (contract award notice published, working days, last day, the UTC instant it is over).
        // s.51: the period *begins with* the day of publication, which is day 1 when it is a
        // working day.
        #[rustfmt::skip]
        let cases = [
            // Wednesday 4 November 2026: 8 working days are 4–6 and 9–13 November.
            ("2026-11-04T10:00:00Z", 8, date(2026, 11, 13), "2026-11-14T00:00:00Z"),
            // On a Friday afternoon, 1 day: that Friday itself.
            ("2026-11-06T16:00:00Z", 1, date(2026, 11, 6), "2026-11-07T00:00:00Z"),
            // On a Saturday: the count starts on Monday 9 November; the eighth day is the 18th.
            ("2026-11-07T10:00:00Z", 8, date(2026, 11, 18), "2026-11-19T00:00:00Z"),
            // On a Sunday: Monday is the first day.
            ("2026-11-22T12:00:00Z", 1, date(2026, 11, 23), "2026-11-24T00:00:00Z"),
            // Thursday 2 April 2026 is day 1; Good Friday 3 April and Easter Monday 6 April are
            // not working days, so 3 working days end on 8 April, over at midnight in London,
            // 23:00 UTC in summer.
            ("2026-04-02T09:00:00Z", 3, date(2026, 4, 8), "2026-04-08T23:00:00Z"),
            // Across the summer bank holiday, Monday 31 August 2026: 28 August, then 1 September.
            ("2026-08-28T09:00:00Z", 2, date(2026, 9, 1), "2026-09-01T23:00:00Z"),
            // Wednesday 23 December 2026 is day 1, 24 Dec day 2; 25 Dec (Fri) and 28 Dec (Mon,
            // Boxing Day moved) are holidays; 29–31 Dec are days 3–5; 1 Jan is a holiday;
            // 4–6 January are days 6–8.
            ("2026-12-23T15:00:00Z", 8, date(2027, 1, 6), "2027-01-07T00:00:00Z"),
        ];
        for (awarded, days, last_day, ends_at) in cases {
            let s = standstill(instant(awarded), days, &calendar);
            assert_eq!(s.last_day, Some(last_day), "awarded {awarded}, {days} days");
            assert_eq!(
                s.ends_at,
                instant(ends_at),
                "awarded {awarded}, {days} days"
            );
        }
    }

    #[test]
    fn a_standstill_of_no_days_ends_at_the_award() {
        let awarded = instant("2026-12-23T15:00:00Z");
        let s = standstill(awarded, 0, &BTreeSet::new());
        assert_eq!(s.last_day, None);
        assert_eq!(s.ends_at, awarded);
    }

    #[test]
    fn a_holiday_added_by_an_admin_counts() {
        let mut calendar = holidays(&[2026]);
        let before = standstill(instant("2026-11-04T10:00:00Z"), 8, &calendar);
        calendar.insert(date(2026, 11, 10));
        let after = standstill(instant("2026-11-04T10:00:00Z"), 8, &calendar);
        assert_eq!(before.last_day, Some(date(2026, 11, 13)));
        assert_eq!(after.last_day, Some(date(2026, 11, 16)));
    }

    #[test]
    fn a_uk_wall_clock_time_is_read_in_summer_and_winter_time() {
        let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap();
        let cases = [
            ("2026-07-01T12:00", "2026-07-01T11:00:00+00:00"),
            ("2026-12-01T12:00", "2026-12-01T12:00:00+00:00"),
            // 29 March 2026: the clocks go forward at 01:00 GMT.
            ("2026-03-29T00:30", "2026-03-29T00:30:00+00:00"),
            ("2026-03-29T02:30", "2026-03-29T01:30:00+00:00"),
            // 25 October 2026: 01:30 happens twice; the first (BST) is meant.
            ("2026-10-25T01:30", "2026-10-25T00:30:00+00:00"),
        ];
        for (wall_clock, utc) in cases {
            assert_eq!(uk_local(at(wall_clock)).to_rfc3339(), utc, "{wall_clock}");
        }
        for s in ["2026-07-01T12:00", "2026-12-01T12:00", "2026-03-29T02:30"] {
            assert_eq!(uk_time(uk_local(at(s))), at(s));
        }
    }
}
