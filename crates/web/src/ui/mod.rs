//! The building blocks every page shares, in four parts: the signed-in context and its error
//! pages (`context`), CSRF-checked forms with the NHS error summary and inline errors (`forms`),
//! the NHS page frame with a navigation per role (`layout`), and how values are typed and shown
//! (`formatting`).

use super::session::{self, CSRF_COOKIE};
use crate::WebState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::access::Actor;
use domain::user::Role;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use service::ServiceError;
use std::collections::HashMap;

mod context;
mod formatting;
mod forms;
mod layout;

pub use context::*;
pub use formatting::*;
pub use forms::*;
pub use layout::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_typed_into_a_form_become_pence_and_anything_else_is_refused() {
        assert_eq!(parse_pounds("1,250.5"), Some(125_050));
        assert_eq!(parse_pounds("£180,000"), Some(18_000_000));
        assert_eq!(parse_pounds(" 95000.07 "), Some(9_500_007));
        assert_eq!(parse_pounds("12.345"), None);
        assert_eq!(parse_pounds("-5"), None);
        assert_eq!(parse_pounds("a lot"), None);
        assert_eq!(pounds_field(125_050), "1250.50");
        assert_eq!(pounds_field(18_000_000), "180000");
        assert_eq!(domain::money::pounds(12_345_678), "£123,456.78");
        assert_eq!(domain::money::pounds(414_040_000), "£4,140,400");
    }

    #[test]
    fn a_field_error_points_at_its_form_field_and_reads_as_a_sentence() {
        let error = ServiceError::Validation(vec![
            domain::FieldError::new("/criteria/1/weight", "must be at least 1"),
            domain::FieldError::new("", "the weights must add up to 100"),
        ]);
        let problems = problems_of(&error);
        assert_eq!(problems[0].field.as_deref(), Some("criteria-1-weight"));
        assert_eq!(problems[0].message, "Criteria 2 weight: must be at least 1");
        assert_eq!(problems[1].field, None);
        assert_eq!(problems[1].message, "the weights must add up to 100");
    }

    #[test]
    fn times_are_shown_in_uk_time() {
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&chrono::Utc))
                .unwrap_or_default()
        };
        assert_eq!(when(at("2026-07-01T11:00:00Z")), "1 July 2026 12:00 BST");
        assert_eq!(
            when(at("2026-12-03T23:59:00Z")),
            "3 December 2026 23:59 GMT"
        );
    }

    #[test]
    fn a_confirmation_is_one_of_the_services_own_sentences() {
        let known = Done {
            done: Some("published".to_owned()),
        };
        assert_eq!(known.message(), Some("Published."));
        let forged = Done {
            done: Some("Your account is suspended, call 0800…".to_owned()),
        };
        assert_eq!(forged.message(), None);
    }
}
