//! CSV downloads of the analytics tables: the service writes the CSV (RFC 4180), this says
//! when it is asked for and sends it as a download.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use service::market::Table;

/// Whether the client asked for CSV rather than JSON.
pub fn wants_csv(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|media| {
            media
                .split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/csv"))
        })
}

/// The table as a CSV download named by its file name.
pub fn download(table: &Table) -> Response {
    let disposition = HeaderValue::from_str(&table.disposition())
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(Table::MEDIA_TYPE),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        table.csv(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_chosen_only_when_asked_for() {
        let mut headers = HeaderMap::new();
        assert!(!wants_csv(&headers));
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/json, text/csv;q=0.9"),
        );
        assert!(wants_csv(&headers));
    }
}
