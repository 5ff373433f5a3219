//! The tender form's lots (Procurement Act 2023 s.18): the lot rows read into the domain's
//! lots, and the rows shown (one more than a draft with many lots has).

use super::*;
use crate::ui::FormState;

/// How many lot rows the form offers (blank rows are ignored; an edit shows at least one more
/// than the draft has).
const LOT_ROWS: usize = 6;

/// The lot rows that were filled in, in order, renumbered in the form values like the quality
/// rows; a value that is not an amount is an error at that lot's field.
pub(super) fn lot_rows(
    posted: &Posted,
    values: &mut HashMap<String, String>,
    errors: &mut Vec<FieldError>,
) -> Vec<domain::tender::NewLot> {
    let mut rows = Vec::new();
    for i in 0..domain::tender::MAX_LOTS {
        let fields = ["title", "estimated_value_pence", "description"]
            .map(|part| format!("lots-{i}-{part}"));
        let row = fields.clone().map(|f| posted.text(&f).trim().to_owned());
        for field in &fields {
            values.remove(field);
        }
        if row.iter().any(|v| !v.is_empty()) {
            rows.push(row);
        }
    }
    let mut lots = Vec::with_capacity(rows.len());
    for (n, [title, value, description]) in rows.into_iter().enumerate() {
        values.insert(format!("lots-{n}-title"), title.clone());
        values.insert(format!("lots-{n}-estimated_value_pence"), value.clone());
        values.insert(format!("lots-{n}-description"), description.clone());
        let estimated_value_pence = parse_pounds(&value).unwrap_or_else(|| {
            errors.push(FieldError::new(
                format!("/lots/{n}/estimated_value_pence"),
                "must be an amount in pounds, like 250000 or 250000.50",
            ));
            0
        });
        lots.push(domain::tender::NewLot {
            title,
            description,
            estimated_value_pence,
        });
    }
    lots
}

/// How many lot rows to show: the default, or one more than a draft with more lots has.
fn lot_rows_shown(form: &FormState) -> usize {
    let filled = (0..domain::tender::MAX_LOTS)
        .take_while(|i| !form.value(&format!("lots-{i}-title")).is_empty())
        .count();
    LOT_ROWS.max(filled + 1).min(domain::tender::MAX_LOTS)
}

/// The lot rows, the lot limit and the reason for not dividing.
pub(super) fn lots_fieldset(form: &FormState) -> Markup {
    html! {
    fieldset class="nhsuk-fieldset" id="lots" {
        legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m" { "Lots" }
        div class="nhsuk-hint" { "Divide the contract into 2 to " (domain::tender::MAX_LOTS) " lots, each bid for, ranked and awarded on its own under the same criteria, or leave every row empty and say why it is not divided: above threshold the Procurement Act 2023 (s.18) asks for the reason, published in the tender notice." }
        (inline_error("lots", form.error_at("lots")))
        @for i in 0..lot_rows_shown(form) {
            div class="mkt-criteria-row" {
                (Field::new(&format!("lots-{i}-title"), &format!("Lot {} title", i + 1)).input(form))
                (Field::new(&format!("lots-{i}-estimated_value_pence"), &format!("Lot {} estimated value including VAT, in pounds", i + 1)).width("10").input(form))
            }
            (Field::new(&format!("lots-{i}-description"), &format!("Lot {} description", i + 1)).textarea(form))
        }
        (Field::new("max_lots_per_supplier", "Most lots one supplier may win (optional)").hint("With lots only. A supplier holding this many awarded lots cannot win another.").width("3").input(form))
        (Field::new("no_lots_rationale", "Why the contract is not divided into lots").hint("Without lots only; required above threshold.").textarea(form))
    }
    }
}
