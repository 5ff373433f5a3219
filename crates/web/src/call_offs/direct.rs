//! The buyer lead's direct award call-off form (s.45(4)): the framework's catalogue searched on
//! one lot, the buyer's volumes and the contract's term; saving it freezes the results as the
//! shortlist the call-off is awarded from.

use super::*;
use domain::FieldError;
use domain::ids::FrameworkId;
use domain::offer::PricingUnit;
use domain::organisation::Region;
use service::call_offs::{CallOffRequest, SearchInput};

/// The fields a link from the framework's catalogue may fill in.
const SEARCH_FIELDS: [&str; 4] = ["lot_id", "q", "region", "pricing_unit"];

/// A lot chooser for a divided framework: none for an undivided one.
pub(super) fn lot_options(
    framework: &service::awards::FrameworkView,
) -> Option<Vec<(String, String)>> {
    (!framework.lots.is_empty()).then(|| {
        crate::ui::choices(
            "Choose a lot",
            framework
                .lots
                .iter()
                .map(|l| (l.id.to_string(), format!("Lot {}: {}", l.number, l.title))),
        )
    })
}

async fn call_off_form(ctx: &Ctx, id: &str, form: &FormState) -> Content {
    ctx.require(&domain::tender::TENDER_MANAGERS)?;
    let framework_id = FrameworkId::from_uuid(parse_id(id)?);
    let framework = service::frameworks::get(&ctx.state.ctx, framework_id).await?;
    let regions = crate::ui::choices("Any region", crate::ui::region_options());
    let units = crate::offers::unit_options(Some("Any pricing unit"));
    Ok(html! {
        (error_summary(&form.problems))
        span class="nhsuk-caption-l" { (framework.framework.title) }
        h1 { "Call off by direct award" }
        p { "Search the framework's catalogue and give your volumes. Saving the search freezes its results: every matching offer, priced for a year at your volumes, cheapest first. You award from that shortlist; the framework's rule is the lowest annual price, and any other choice needs your written reason (Procurement Act 2023 s.45(4))." }
        form method="post" action=(format!("/frameworks/{id}/call-off")) novalidate {
            (csrf_field(&ctx.csrf))
            (Field::new("title", "Title of the call-off").hint("For example, Business intelligence support 2027 to 2029.").input(form))
            @if let Some(lots) = lot_options(&framework) {
                (Field::new("lot_id", "Lot").select(form, &lots))
            }
            fieldset class="nhsuk-fieldset" id="search" {
                legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m" { "The search" }
                (crate::ui::inline_error("search", form.error_at("search")))
                (Field::new("search-q", "Words to search for (optional)").named("q").input(form))
                (Field::new("region", "Region served").select(form, &regions))
                (Field::new("pricing_unit", "Pricing unit").select(form, &units))
            }
            fieldset class="nhsuk-fieldset" {
                legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m" { "Your volumes" }
                div class="nhsuk-hint" { "An offer is on the shortlist only if it can be priced for a year at these volumes: give those its pricing unit needs." }
                (Field::new("fte", "Full-time staff (for per-FTE prices)").width("5").input(form))
                (Field::new("population", "Population served (for per-1,000-population prices)").width("10").input(form))
                (Field::new("days_per_year", "Days a year (for day rates)").width("5").input(form))
                (Field::new("transactions_per_year", "Transactions a year (for per-transaction prices)").width("10").input(form))
            }
            (Field::new("term_months", "Contract term, in months").hint("The contract runs from the award for this long.").width("4").input(form))
            button class="nhsuk-button" type="submit" { "Save the search and freeze its results" }
        }
        p { a href=(format!("/frameworks/{id}")) { "Back to the framework" } }
    })
}

pub(super) async fn new_call_off(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let mut values = prefilled(&params, &SEARCH_FIELDS);
    values
        .entry("term_months".to_owned())
        .or_insert_with(|| "24".to_owned());
    let built = call_off_form(&ctx, &id, &FormState::new(values)).await;
    ctx.show("Call off by direct award", built)
}

/// The form read into the service's request; an unreadable value is an error at its field.
fn request_of(posted: &Posted) -> Result<CallOffRequest, ServiceError> {
    let mut errors = Vec::new();
    let chosen = |field: &str| Some(posted.get(field)).filter(|v| !v.is_empty());
    let region = chosen("region").and_then(|r| {
        r.parse::<Region>()
            .map_err(|_| errors.push(FieldError::new("/region", "choose a region")))
            .ok()
    });
    let pricing_unit = chosen("pricing_unit").and_then(|u| {
        u.parse::<PricingUnit>()
            .map_err(|_| errors.push(FieldError::new("/pricing_unit", "choose a pricing unit")))
            .ok()
    });
    let term_months = posted.get("term_months").parse().unwrap_or_else(|_| {
        errors.push(FieldError::new("/term_months", "must be a whole number"));
        0
    });
    let volumes = crate::offers::compare_basis(&chosen);
    if let Err(ServiceError::Validation(found)) = &volumes {
        errors.extend(found.iter().cloned());
    }
    match volumes {
        Ok(volumes) if errors.is_empty() => Ok(CallOffRequest::DirectAward {
            title: posted.get("title").to_owned(),
            search: SearchInput {
                q: Some(posted.get("q").to_owned()).filter(|q| !q.is_empty()),
                region,
                pricing_unit,
            },
            volumes,
            term_months,
        }),
        _ => Err(ServiceError::Validation(errors)),
    }
}

pub(super) async fn create_call_off(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let framework = FrameworkId::from_uuid(parse_id(&id)?);
        let lot = crate::ui::lot_id_of(posted.get("lot_id"))?;
        let request = request_of(&posted)?;
        service::call_offs::create(&ctx.state.ctx, &ctx.actor, framework, lot, &request).await
    }
    .await;
    match result {
        Ok(shown) => done(&format!("/call-offs/{}", shown.call_off.id), "frozen"),
        Err(error) if error.refuses_access() => ctx.error(error),
        Err(error) => {
            let form = FormState::failed(&posted, &error);
            let built = call_off_form(&ctx, &id, &form).await;
            ctx.show_again("Call off by direct award", &error, built)
        }
    }
}
