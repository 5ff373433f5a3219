//! The tender form's framework terms (Procurement Act 2023 s.45–47): whether the tender awards
//! a framework instead of a contract, how many suppliers it admits (per lot), its term, how its
//! buyers call off and which buyers may; and the terms as the tender page shows them.

use super::*;
use crate::ui::FormState;
use domain::framework::{CallOffMethod, DirectAwardRule, FrameworkTerms, NewFrameworkTerms};

/// The call-off methods as the form offers them.
const METHODS: [(CallOffMethod, &str); 2] = [
    (
        CallOffMethod::DirectAward,
        "Direct award from the framework's catalogue, to the lowest annual price at the buyer's volumes or another with a written reason",
    ),
    (
        CallOffMethod::CompetitiveSelection,
        "Competitive selection among the framework's suppliers (on a lot)",
    ),
];

/// The form value of a ticked call-off method.
fn method_key(method: CallOffMethod) -> String {
    format!("framework-call_off_methods-{}", method.as_str())
}

/// The framework terms typed in, when "award a framework" is ticked; the ticks are kept in the
/// form values (one per method, the buyers as a list) to show again after an error.
pub(super) fn framework_terms(
    posted: &Posted,
    values: &mut HashMap<String, String>,
    errors: &mut Vec<FieldError>,
) -> Option<NewFrameworkTerms> {
    if posted.get("framework") != "yes" {
        return None;
    }
    let max_suppliers = whole(posted, "framework-max_suppliers", errors);
    let term_months = whole(posted, "framework-term_months", errors);
    let mut call_off_methods = Vec::new();
    for (i, raw) in posted.all("framework-call_off_methods").iter().enumerate() {
        match raw.parse::<CallOffMethod>() {
            Ok(method) => {
                values.insert(method_key(method), "yes".to_owned());
                call_off_methods.push(method);
            }
            Err(_) => errors.push(FieldError::new(
                format!("/framework/call_off_methods/{i}"),
                "is not a call-off method",
            )),
        }
    }
    // The marketplace's one objective mechanism for direct awards (s.45(4)) comes with them.
    let direct_award_rule = call_off_methods
        .contains(&CallOffMethod::DirectAward)
        .then_some(DirectAwardRule::LowestAnnualPrice);
    let eligible_buyers = if posted.get("framework-eligible") == "listed" {
        let buyers = posted.organisations(
            "framework-eligible_buyers",
            "/framework/eligible_buyers",
            "is not a buyer",
            errors,
        );
        values.insert(
            "framework-eligible_buyers".to_owned(),
            posted.all("framework-eligible_buyers").join(","),
        );
        Some(buyers)
    } else {
        None
    };
    Some(NewFrameworkTerms {
        max_suppliers,
        term_months,
        call_off_methods,
        direct_award_rule,
        eligible_buyers,
    })
}

/// A draft's terms as form values.
pub(super) fn terms_values(terms: &FrameworkTerms, values: &mut HashMap<String, String>) {
    values.insert("framework".to_owned(), "yes".to_owned());
    values.insert(
        "framework-max_suppliers".to_owned(),
        terms.max_suppliers.to_string(),
    );
    values.insert(
        "framework-term_months".to_owned(),
        terms.term_months.to_string(),
    );
    for method in &terms.call_off_methods {
        values.insert(method_key(*method), "yes".to_owned());
    }
    if let domain::framework::EligibleBuyers::Listed(buyers) = &terms.eligible_buyers {
        values.insert("framework-eligible".to_owned(), "listed".to_owned());
        values.insert(
            "framework-eligible_buyers".to_owned(),
            buyers
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
        );
    }
}

/// The framework's fieldset: `buyers` are the buyer organisations that may be named.
pub(super) fn framework_fieldset(form: &FormState, buyers: &[(String, String)]) -> Markup {
    let framework = form.value("framework") == "yes";
    let listed = form.value("framework-eligible") == "listed";
    let named: Vec<&str> = form.value("framework-eligible_buyers").split(',').collect();
    let error = form.error("framework");
    html! {
    details class="nhsuk-details" id="framework" open[framework || error.is_some()] {
        summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "Framework (optional)" } }
        div class="nhsuk-details__text" {
            p { "A framework admits several suppliers (on each lot) instead of awarding one contract; the buyers it names then call off from them for up to four years (Procurement Act 2023 s.45–47)." }
            (inline_error("framework", form.error_at("framework")))
            div class="nhsuk-checkboxes" {
                div class="nhsuk-checkboxes__item" {
                    input class="nhsuk-checkboxes__input" id="framework-yes" name="framework" type="checkbox" value="yes" checked[framework];
                    label class="nhsuk-label nhsuk-checkboxes__label" for="framework-yes" { "Award a framework agreement instead of a contract" }
                }
            }
            (Field::new("framework-max_suppliers", "Most suppliers admitted (on each lot)").width("3").input(form))
            (Field::new("framework-term_months", "Framework term, in months").hint("At most 48 months (s.47).").width("3").input(form))
            div class=(crate::ui::group_class(form.error("framework-call_off_methods").or(form.error("framework-direct_award_rule")))) {
                fieldset class="nhsuk-fieldset" id="framework-call_off_methods" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "How buyers call off" }
                    (inline_error("framework-call_off_methods", form.error("framework-call_off_methods").or(form.error("framework-direct_award_rule"))))
                    div class="nhsuk-checkboxes" {
                        @for (method, label) in METHODS {
                            div class="nhsuk-checkboxes__item" {
                                input class="nhsuk-checkboxes__input" id=(method_key(method)) name="framework-call_off_methods" type="checkbox" value=(method.as_str()) checked[form.value(&method_key(method)) == "yes"];
                                label class="nhsuk-label nhsuk-checkboxes__label" for=(method_key(method)) { (label) }
                            }
                        }
                    }
                }
            }
            div class=(crate::ui::group_class(form.error("framework-eligible_buyers"))) {
                fieldset class="nhsuk-fieldset" id="framework-eligible_buyers" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Buyers entitled to call off (s.45(5)(f))" }
                    (inline_error("framework-eligible_buyers", form.error("framework-eligible_buyers")))
                    div class="nhsuk-radios" {
                        div class="nhsuk-radios__item" {
                            input class="nhsuk-radios__input" id="framework-eligible" name="framework-eligible" type="radio" value="all_buyers" checked[!listed];
                            label class="nhsuk-label nhsuk-radios__label" for="framework-eligible" { "Every buyer in the marketplace" }
                        }
                        div class="nhsuk-radios__item" {
                            input class="nhsuk-radios__input" id="framework-eligible-listed" name="framework-eligible" type="radio" value="listed" checked[listed];
                            label class="nhsuk-label nhsuk-radios__label" for="framework-eligible-listed" { "Only the buyers ticked below" }
                        }
                    }
                    div class="nhsuk-checkboxes" {
                        @for (i, (id, name)) in buyers.iter().enumerate() {
                            div class="nhsuk-checkboxes__item" {
                                input class="nhsuk-checkboxes__input" id=(format!("framework-buyer-{i}")) name="framework-eligible_buyers" type="checkbox" value=(id) checked[named.contains(&id.as_str())];
                                label class="nhsuk-label nhsuk-checkboxes__label" for=(format!("framework-buyer-{i}")) { (name) }
                            }
                        }
                    }
                }
            }
        }
    }
    }
}

/// The tender's framework terms on its page, or the framework a competitive selection runs
/// under.
pub(super) fn framework_section(tender: &persistence::tenders::Tender) -> Markup {
    html! {
        @if let Some(terms) = &tender.framework {
            h2 { "Framework" }
            p { "This tender awards a framework agreement, not a contract." }
            (summary(vec![
                ("Suppliers admitted", html! { "at most " (terms.max_suppliers) @if tender.is_divided() { " on each lot" } }),
                ("Framework term", html! { (terms.term_months) " months" }),
                ("Call-offs", html! { (words(&terms.call_off_methods.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", "))) }),
                ("Buyers entitled", html! { @match &terms.eligible_buyers {
                    domain::framework::EligibleBuyers::All => "Every buyer in the marketplace",
                    domain::framework::EligibleBuyers::Listed(buyers) => { "Only " (crate::frameworks::counted(buyers.len(), "named buyer")) },
                } }),
            ]))
        }
        @if let Some(framework) = tender.call_off_of {
            p { "A competitive selection among the suppliers of " a href=(format!("/frameworks/{framework}")) { "a framework" } ": only they may bid." }
        }
    }
}
