//! The buyer lead's competitive selection form (s.46): a tender among the framework's suppliers
//! on one lot, drafted with the tender form's criteria builder; the framework gives its
//! category, its suppliers are the only bidders, and no statutory minimum period applies. The
//! draft is then published, evaluated and awarded from its tender page like any tender.

use super::*;
use crate::tenders::criteria::{criteria_fieldset, criteria_rows, name_criteria};
use crate::tenders::{instant_of, whole};
use domain::ids::FrameworkId;
use service::call_offs::{CallOffRequest, SelectionTender};

async fn selection_form(ctx: &Ctx, id: &str, form: &FormState) -> Content {
    ctx.require(&domain::tender::TENDER_MANAGERS)?;
    let framework_id = FrameworkId::from_uuid(parse_id(id)?);
    let framework = service::frameworks::get(&ctx.state.ctx, framework_id).await?;
    let fields = html! {
        @if let Some(lots) = super::direct::lot_options(&framework) {
            (Field::new("lot_id", "Lot").hint("Only the suppliers holding a place on this lot are invited.").select(form, &lots))
        }
        (Field::new("description", "What is being bought").hint("The framework's suppliers read this; line breaks are kept.").textarea(form))
        (Field::new("estimated_value_pence", "Estimated total value including VAT, in pounds").width("10").input(form))
        (Field::new("budget_ceiling_pence", "Budget ceiling, in pounds (optional)").hint("Never shown to suppliers.").width("10").input(form))
        (Field::new("contract_term_months", "Contract term, in months").width("4").input(form))
        (Field::new("clarification_deadline", "Questions close (UK time)").kind("datetime-local").input(form))
        (Field::new("submission_deadline", "Bids close (UK time)").kind("datetime-local").hint("A competitive selection under a framework has no statutory minimum period (s.46): give the suppliers a reasonable time.").input(form))
        (Field::new("standstill_days", "Standstill period, in working days (optional)").hint("A contract awarded under a framework needs no standstill (s.51(3)); leave empty for the default of 8.").width("3").input(form))
        (criteria_fieldset(form))
    };
    Ok(html! {
        (crate::ui::edit_form(
            ctx,
            "Run a competitive selection",
            &format!("/frameworks/{id}/selection"),
            form,
            fields,
            "Save the draft tender",
        ))
        p { "Among the suppliers of " a href=(format!("/frameworks/{id}")) { (framework.framework.title) } "." }
    })
}

pub(super) async fn new_selection(ctx: Ctx, Path(id): Path<String>) -> Response {
    let mut values = HashMap::new();
    values.insert("criteria-0-weight".to_owned(), "40".to_owned());
    values.insert("contract_term_months".to_owned(), "24".to_owned());
    let built = selection_form(&ctx, &id, &FormState::new(values)).await;
    ctx.show("Run a competitive selection", built)
}

/// The form read into the selection's tender, with the form values renumbered as the criteria
/// rows were; an unreadable amount, number or date is an error at its field.
fn selection_of(
    posted: &Posted,
) -> (
    HashMap<String, String>,
    Result<SelectionTender, ServiceError>,
) {
    let mut errors = Vec::new();
    let mut values = posted.values();
    let criteria = criteria_rows(posted, &mut values, &mut errors);
    let estimated = posted.pounds("estimated_value_pence", true, &mut errors);
    let budget_ceiling_pence = posted.pounds("budget_ceiling_pence", false, &mut errors);
    let contract_term_months = whole(posted, "contract_term_months", &mut errors);
    let clarification_deadline = instant_of(posted, "clarification_deadline", &mut errors);
    let submission_deadline = instant_of(posted, "submission_deadline", &mut errors);
    let standstill_days = (!posted.get("standstill_days").is_empty())
        .then(|| whole(posted, "standstill_days", &mut errors));
    let read = match estimated {
        Some(estimated_value_pence) if errors.is_empty() => Ok(SelectionTender {
            title: posted.get("title").to_owned(),
            description: posted.text("description").trim().to_owned(),
            estimated_value_pence,
            budget_ceiling_pence,
            contract_term_months,
            criteria,
            clarification_deadline,
            submission_deadline,
            standstill_days,
        }),
        _ => Err(ServiceError::Validation(errors)),
    };
    (values, read)
}

/// The service points the selection's tender fields under `/tender`; the form's fields are
/// named as the tender form's are.
fn as_form_error(error: ServiceError) -> ServiceError {
    match error {
        ServiceError::Validation(errors) => ServiceError::Validation(
            errors
                .into_iter()
                .map(|mut e| {
                    if let Some(rest) = e.pointer.strip_prefix("/tender") {
                        e.pointer = rest.to_owned();
                    }
                    e
                })
                .collect(),
        ),
        other => other,
    }
}

pub(super) async fn create_selection(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let (values, read) = selection_of(&posted);
    let result = async {
        let framework = FrameworkId::from_uuid(parse_id(&id)?);
        let lot = crate::ui::lot_id_of(posted.get("lot_id"))?;
        let tender = read?;
        let request = CallOffRequest::CompetitiveSelection(Box::new(tender));
        service::call_offs::create(&ctx.state.ctx, &ctx.actor, framework, lot, &request)
            .await
            .map_err(as_form_error)
    }
    .await;
    match result {
        Ok(shown) => match shown.call_off.tender_id {
            Some(tender) => done(&format!("/tenders/{tender}"), "created"),
            None => done(&format!("/call-offs/{}", shown.call_off.id), "created"),
        },
        Err(error) if error.refuses_access() => ctx.error(error),
        Err(error) => {
            let mut form = FormState::failed(&posted, &error);
            name_criteria(&mut form);
            form.values = values;
            let built = selection_form(&ctx, &id, &form).await;
            ctx.show_again("Run a competitive selection", &error, built)
        }
    }
}
