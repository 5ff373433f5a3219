//! The criteria builder every tender form shares (a tender's, a competitive selection's): one
//! price criterion and the quality rows read into the domain's criteria, the rows shown, and
//! their errors named as the rows are labelled.

use super::*;
use crate::ui::FormState;

/// How many quality criteria rows the form offers (blank rows are ignored).
pub(crate) const QUALITY_ROWS: usize = 6;

/// The price criterion, then the quality rows that were filled in, in order; the form values
/// are renumbered to match, so that an error about `/criteria/2/weight` points at the row
/// shown second.
pub(crate) fn criteria_rows(
    posted: &Posted,
    values: &mut HashMap<String, String>,
    errors: &mut Vec<FieldError>,
) -> Vec<NewCriterion> {
    let mut criteria = vec![NewCriterion {
        name: "Price".to_owned(),
        kind: "price".to_owned(),
        weight: whole(posted, "criteria-0-weight", errors),
    }];
    let mut rows = Vec::new();
    for i in 1..=QUALITY_ROWS {
        let name = posted.get(&format!("criteria-{i}-name"));
        let weight = posted.get(&format!("criteria-{i}-weight"));
        values.remove(&format!("criteria-{i}-name"));
        values.remove(&format!("criteria-{i}-weight"));
        if !name.is_empty() || !weight.is_empty() {
            rows.push((name.to_owned(), weight.to_owned()));
        }
    }
    for (n, (name, weight)) in rows.into_iter().enumerate() {
        values.insert(format!("criteria-{}-name", n + 1), name.clone());
        values.insert(format!("criteria-{}-weight", n + 1), weight.clone());
        let weight = weight.trim().parse().unwrap_or_else(|_| {
            errors.push(FieldError::new(
                format!("/criteria/{}/weight", n + 1),
                "must be a whole number",
            ));
            0
        });
        criteria.push(NewCriterion {
            name,
            kind: "quality".to_owned(),
            weight,
        });
    }
    criteria
}

/// The criteria builder: the price weight, the quality rows and their running total.
pub(crate) fn criteria_fieldset(form: &FormState) -> Markup {
    html! {
    fieldset class="nhsuk-fieldset" id="criteria" {
        legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m" { "Evaluation criteria" }
        div class="nhsuk-hint" { "One price criterion and up to " (QUALITY_ROWS) " quality criteria; the weights must add up to 100. Leave unused rows empty." }
        (inline_error("criteria", form.error_at("criteria")))
        div class="mkt-criteria-row" {
            (Field::new("criteria-0-weight", "Price weight").width("3").weight().input(form))
        }
        @for i in 1..=QUALITY_ROWS {
            div class="mkt-criteria-row" {
                (Field::new(&format!("criteria-{i}-name"), &format!("Quality criterion {i}")).input(form))
                (Field::new(&format!("criteria-{i}-weight"), &format!("Weight of quality criterion {i}")).width("3").weight().input(form))
            }
        }
        p id="criteria-total" class="mkt-total" aria-live="polite" {}
    }
    }
}

/// Names the criteria builder's errors as its labels do (row 0 is the price criterion, row `i`
/// quality criterion `i`), rather than by their place in the API's list.
pub(crate) fn name_criteria(form: &mut FormState) {
    for problem in &mut form.problems {
        let Some(field) = problem.field.as_deref() else {
            continue;
        };
        let Some(rest) = field.strip_prefix("criteria-") else {
            continue;
        };
        let (row, part) = rest.split_once('-').unwrap_or((rest, ""));
        let Ok(row) = row.parse::<usize>() else {
            continue;
        };
        let label = match (row, part) {
            (0, _) => "Price weight".to_owned(),
            (i, "name") => format!("Quality criterion {i}"),
            (i, _) => format!("Weight of quality criterion {i}"),
        };
        let detail = problem
            .message
            .split_once(": ")
            .map_or(problem.message.as_str(), |(_, d)| d)
            .to_owned();
        problem.message = format!("{label}: {detail}");
    }
}
