//! CSV downloads of the analytics tables (RFC 4180: a header row, CRLF line ends, fields quoted
//! when they hold a comma, a quote or a line break, quotes doubled).

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

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

fn field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// The table as CSV text.
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let line = |cells: Vec<String>| cells.join(",") + "\r\n";
    out.push_str(&line(header.iter().map(|h| field(h)).collect()));
    for row in rows {
        out.push_str(&line(row.iter().map(|c| field(c)).collect()));
    }
    out
}

/// A CSV download named `file_name`.
pub fn download(file_name: &str, header: &[&str], rows: &[Vec<String>]) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        render(header, rows),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_quotes_and_line_breaks_are_quoted() {
        let text = render(
            &["name", "value"],
            &[
                vec!["Anglia, CSU".to_owned(), "1".to_owned()],
                vec!["The \"best\"".to_owned(), "line\nbreak".to_owned()],
            ],
        );
        assert_eq!(
            text,
            "name,value\r\n\"Anglia, CSU\",1\r\n\"The \"\"best\"\"\",\"line\nbreak\"\r\n"
        );
    }

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
