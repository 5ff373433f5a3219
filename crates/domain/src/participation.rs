//! A competitive flexible procedure's participation stage (Procurement Act 2023 s.20(2)(b)):
//! a supplier's request to participate, and the shortlist the lead decides once the requests
//! close, a decision with its reason for every request.

use crate::error::{DomainError, FieldError, Validator};
use crate::ids::OrganisationId;
use crate::organisation::long_text;

/// The most characters of a request's statement.
pub const STATEMENT_MAX: usize = 10_000;

/// The most characters of a decision's reason.
pub const DECISION_REASON_MAX: usize = 2_000;

/// How a supplier meets the conditions of participation, in its own words.
pub fn statement(raw: &str) -> Result<String, DomainError> {
    long_text(raw, "/statement", STATEMENT_MAX)
}

/// One decision as the lead sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInput {
    pub supplier_id: OrganisationId,
    pub admitted: bool,
    pub reason: String,
}

/// A decision checked: its reason trimmed and within bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub supplier_id: OrganisationId,
    pub admitted: bool,
    pub reason: String,
}

/// Checks a shortlist against the suppliers that requested to participate: exactly one
/// decision for each of them and for nobody else, each with a reason. Every problem is reported
/// at once, at `/decisions/{i}/…` (or `/decisions` for a requester left out).
pub fn check_shortlist(
    requesters: &[OrganisationId],
    decisions: &[DecisionInput],
) -> Result<Vec<Decision>, DomainError> {
    let mut v = Validator::new();
    let mut checked = Vec::with_capacity(decisions.len());
    for (i, d) in decisions.iter().enumerate() {
        if !requesters.contains(&d.supplier_id) {
            v.push(FieldError::new(
                format!("/decisions/{i}/supplier_id"),
                "made no request to participate",
            ));
        } else if decisions[..i]
            .iter()
            .any(|e| e.supplier_id == d.supplier_id)
        {
            v.push(FieldError::new(
                format!("/decisions/{i}/supplier_id"),
                "is decided twice",
            ));
        }
        let reason = v.check(
            long_text(&d.reason, "/reason", DECISION_REASON_MAX).map_err(|e| match e {
                DomainError::Validation(errors) => DomainError::Validation(
                    errors
                        .into_iter()
                        .map(|f| FieldError::new(format!("/decisions/{i}/reason"), f.detail))
                        .collect(),
                ),
                other => other,
            }),
        );
        if let Some(reason) = reason {
            checked.push(Decision {
                supplier_id: d.supplier_id,
                admitted: d.admitted,
                reason,
            });
        }
    }
    for supplier in requesters {
        if !decisions.iter().any(|d| d.supplier_id == *supplier) {
            v.push(FieldError::new(
                "/decisions",
                format!("has no decision for supplier {supplier}, which requested to participate"),
            ));
        }
    }
    v.finish()?;
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(supplier: OrganisationId, admitted: bool, reason: &str) -> DecisionInput {
        DecisionInput {
            supplier_id: supplier,
            admitted,
            reason: reason.to_owned(),
        }
    }

    fn pointers(result: Result<Vec<Decision>, DomainError>) -> Vec<String> {
        match result {
            Err(DomainError::Validation(errors)) => errors.into_iter().map(|e| e.pointer).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_shortlist_decides_every_request_once_with_a_reason() {
        let (a, b, c) = (
            OrganisationId::new(),
            OrganisationId::new(),
            OrganisationId::new(),
        );
        let ok = check_shortlist(
            &[a, b],
            &[
                input(a, true, " Meets every condition. "),
                input(b, false, "No NHS references."),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok[0].reason, "Meets every condition.");
        assert!(ok[0].admitted && !ok[1].admitted);
        // Left out, decided twice, not a requester, no reason: each at its place.
        assert_eq!(
            pointers(check_shortlist(&[a, b], &[input(a, true, "Yes.")])),
            ["/decisions"]
        );
        assert_eq!(
            pointers(check_shortlist(
                &[a, b],
                &[
                    input(a, true, "Yes."),
                    input(a, false, "No."),
                    input(b, true, "Yes.")
                ]
            )),
            ["/decisions/1/supplier_id"]
        );
        assert_eq!(
            pointers(check_shortlist(
                &[a],
                &[input(a, true, "Yes."), input(c, true, "Yes.")]
            )),
            ["/decisions/1/supplier_id"]
        );
        assert_eq!(
            pointers(check_shortlist(&[a], &[input(a, true, "  ")])),
            ["/decisions/0/reason"]
        );
        // Nobody asked: an empty shortlist is complete.
        assert_eq!(check_shortlist(&[], &[]), Ok(Vec::new()));
    }

    #[test]
    fn a_statement_is_required_and_bounded() {
        assert!(statement("We have run NHS procurement for ten years.").is_ok());
        assert!(statement("   ").is_err());
        assert!(statement(&"x".repeat(STATEMENT_MAX + 1)).is_err());
    }
}
