//! How values are typed into forms and shown on pages: pounds and pence, UK times, words for codes.

/// Pounds as typed (`1,250.50`, `£1250`) in pence; `None` when it is not an amount.
pub fn parse_pounds(value: &str) -> Option<i64> {
    let cleaned: String = value
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '£' | ' '))
        .collect();
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let pence = match fraction.len() {
        0 => whole.parse::<i64>().ok().and_then(|p| p.checked_mul(100)),
        1 | 2 => whole
            .parse::<i64>()
            .ok()
            .zip(format!("{fraction:0<2}").parse::<i64>().ok())
            .and_then(|(p, f)| p.checked_mul(100)?.checked_add(f)),
        _ => None,
    };
    pence.filter(|_| !whole.starts_with('-'))
}

/// Pence shown in a form field as pounds (`1250.50`).
pub fn pounds_field(pence: i64) -> String {
    if pence % 100 == 0 {
        (pence / 100).to_string()
    } else {
        format!("{}.{:02}", pence / 100, pence % 100)
    }
}

/// A date and time as a person in England reads it: UK time, marked GMT or BST (the API's
/// instants are UTC; the forms take UK time too).
pub fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    let zone = if domain::calendar::uk_offset(at).is_zero() {
        "GMT"
    } else {
        "BST"
    };
    format!(
        "{} {zone}",
        domain::calendar::uk_time(at).format("%-d %B %Y %H:%M")
    )
}

/// A date as a person reads it.
pub fn day(at: chrono::NaiveDate) -> String {
    at.format("%-d %B %Y").to_string()
}

/// A snake-case code as words (`buyer_lead` → `buyer lead`).
pub fn words(code: &str) -> String {
    code.replace('_', " ")
}

/// An enum's wire name (its serde name), for display.
pub fn code_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
