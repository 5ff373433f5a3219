//! The buyer lead's tender form: reading it into the domain's fields and the service's changes,
//! showing it (new, edit, again after an error) with its criteria builder.

use super::criteria::{criteria_fieldset, criteria_rows, name_criteria};
use super::framework_terms::{framework_fieldset, framework_terms, terms_values};
use super::lots::{lot_rows, lots_fieldset};
use super::*;
use crate::ui::Content;
use domain::ids::NoticeId;
use domain::tender::CriterionKind;

/// A `datetime-local` value (UK time) as an instant; anything else is an error at its field.
pub(crate) fn instant_of(
    posted: &Posted,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::NaiveDateTime::parse_from_str(posted.get(field).trim(), "%Y-%m-%dT%H:%M")
        .map(domain::calendar::uk_local)
        .map_err(|_| {
            errors.push(FieldError::new(
                format!("/{field}"),
                "must be a date and time, like 2027-03-31 at 12:00",
            ));
        })
        .ok()
}

pub(super) fn local_field(at: chrono::DateTime<chrono::Utc>) -> String {
    domain::calendar::uk_time(at)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The tender form's fields, read: the quality rows that were filled in, in order, after the
/// price criterion; the form values are renumbered to match, so that an error about
/// `/criteria/2/weight` points at the row shown second. A field that cannot even be read (an
/// amount that is not one, a date that is not one) is an error at that field.
pub(super) struct TenderForm {
    values: HashMap<String, String>,
    region: Option<Region>,
    estimated_value_pence: Option<i64>,
    budget_ceiling_pence: Option<i64>,
    contract_term_months: Option<i64>,
    procedure: Option<Procedure>,
    invited: Vec<OrganisationId>,
    criteria: Vec<NewCriterion>,
    clarification_deadline: Option<chrono::DateTime<chrono::Utc>>,
    submission_deadline: Option<chrono::DateTime<chrono::Utc>>,
    standstill_days: Option<i64>,
    planned_procurement_notice_id: Option<NoticeId>,
    expression_of_interest_deadline: Option<chrono::DateTime<chrono::Utc>>,
    direct_award_ground: Option<domain::tender::DirectAwardGround>,
    direct_award_supplier_id: Option<OrganisationId>,
    lots: Vec<domain::tender::NewLot>,
    max_lots_per_supplier: Option<i64>,
    framework: Option<domain::framework::NewFrameworkTerms>,
    errors: Vec<FieldError>,
}

/// A whole number typed in a field (0 when unreadable, with an error at the field).
pub(crate) fn whole(posted: &Posted, field: &str, errors: &mut Vec<FieldError>) -> i64 {
    posted.get(field).trim().parse().unwrap_or_else(|_| {
        errors.push(FieldError::new(
            format!("/{}", field.replace('-', "/")),
            "must be a whole number",
        ));
        0
    })
}

pub(super) fn tender_form_of(posted: &Posted) -> TenderForm {
    let mut errors = Vec::new();
    let mut values = posted.values();
    let mut criteria = criteria_rows(posted, &mut values, &mut errors);
    let lots = lot_rows(posted, &mut values, &mut errors);
    let framework = framework_terms(posted, &mut values, &mut errors);
    let estimated_value_pence = posted.pounds("estimated_value_pence", true, &mut errors);
    let budget_ceiling_pence = posted.pounds("budget_ceiling_pence", false, &mut errors);
    let region = posted.get("region").parse().ok();
    if region.is_none() {
        errors.push(FieldError::new("/region", "choose a region"));
    }
    let procedure: Option<Procedure> = posted.get("procedure").parse().ok();
    if procedure.is_none() {
        errors.push(FieldError::new("/procedure", "choose a procedure"));
    }
    // A direct award has no criteria and no deadlines: the builder's rows are not its.
    let direct = procedure == Some(Procedure::DirectAward);
    if direct {
        criteria.clear();
        errors.retain(|e| !e.pointer.starts_with("/criteria"));
    }
    let direct_award_ground = if posted.get("direct_award_ground").is_empty() {
        None
    } else {
        posted
            .get("direct_award_ground")
            .parse()
            .map_err(|_| {
                errors.push(FieldError::new(
                    "/direct_award_ground",
                    "choose a Schedule 5 ground",
                ));
            })
            .ok()
    };
    let direct_award_supplier_id = if posted.get("direct_award_supplier_id").is_empty() {
        None
    } else {
        uuid::Uuid::parse_str(posted.get("direct_award_supplier_id"))
            .map(OrganisationId::from_uuid)
            .map_err(|_| {
                errors.push(FieldError::new(
                    "/direct_award_supplier_id",
                    "choose a supplier",
                ));
            })
            .ok()
    };
    let invited = posted.organisations(
        "invited_supplier_ids",
        "/invited_supplier_ids",
        "is not a supplier",
        &mut errors,
    );
    let contract_term_months = Some(whole(posted, "contract_term_months", &mut errors));
    let max_lots_per_supplier = if posted.get("max_lots_per_supplier").trim().is_empty() {
        None
    } else {
        Some(whole(posted, "max_lots_per_supplier", &mut errors))
    };
    let standstill_days = if posted.get("standstill_days").trim().is_empty() {
        None
    } else {
        Some(whole(posted, "standstill_days", &mut errors))
    };
    let mut deadline = |field: &str| {
        if direct && posted.get(field).trim().is_empty() {
            None
        } else {
            instant_of(posted, field, &mut errors)
        }
    };
    let clarification_deadline = deadline("clarification_deadline");
    let submission_deadline = deadline("submission_deadline");
    let expression_of_interest_deadline = if posted
        .get("expression_of_interest_deadline")
        .trim()
        .is_empty()
    {
        None
    } else {
        instant_of(posted, "expression_of_interest_deadline", &mut errors)
    };
    let planned = posted.get("planned_procurement_notice_id").trim();
    let planned_procurement_notice_id = if planned.is_empty() {
        None
    } else {
        uuid::Uuid::parse_str(planned)
            .map(NoticeId::from_uuid)
            .map_err(|_| {
                errors.push(FieldError::new(
                    "/planned_procurement_notice_id",
                    "choose one of your planned procurement notices",
                ));
            })
            .ok()
    };
    TenderForm {
        values,
        region,
        estimated_value_pence,
        budget_ceiling_pence,
        contract_term_months,
        procedure,
        invited,
        criteria,
        clarification_deadline,
        submission_deadline,
        standstill_days,
        planned_procurement_notice_id,
        expression_of_interest_deadline,
        direct_award_ground,
        direct_award_supplier_id,
        lots,
        max_lots_per_supplier,
        framework,
        errors,
    }
}

impl TenderForm {
    /// The draft as the domain parses it, once every field could be read.
    fn spec(&self, posted: &Posted) -> Result<TenderSpec, ServiceError> {
        let (
            true,
            Some(region),
            Some(estimated_value_pence),
            Some(contract_term_months),
            Some(procedure),
        ) = (
            self.errors.is_empty(),
            self.region,
            self.estimated_value_pence,
            self.contract_term_months,
            self.procedure,
        )
        else {
            return Err(ServiceError::Validation(self.errors.clone()));
        };
        Ok(TenderSpec::parse(&TenderFields {
            title: posted.get("title"),
            description: posted.text("description").trim(),
            category: posted.get("category"),
            region,
            estimated_value_pence,
            budget_ceiling_pence: self.budget_ceiling_pence,
            contract_term_months,
            procedure,
            invited_supplier_ids: &self.invited,
            criteria: &self.criteria,
            clarification_deadline: self.clarification_deadline,
            submission_deadline: self.submission_deadline,
            standstill_days: self.standstill_days,
            urgency_reason: optional_text(posted, "urgency_reason"),
            planned_procurement_notice_id: self.planned_procurement_notice_id,
            expression_of_interest_deadline: self.expression_of_interest_deadline,
            conditions_of_participation: optional_text(posted, "conditions_of_participation"),
            direct_award_ground: self.direct_award_ground,
            direct_award_justification: optional_text(posted, "direct_award_justification"),
            direct_award_supplier_id: self.direct_award_supplier_id,
            lots: &self.lots,
            max_lots_per_supplier: self.max_lots_per_supplier,
            no_lots_rationale: optional_text(posted, "no_lots_rationale"),
            framework: self.framework.as_ref(),
        })?)
    }

    /// Every field of the form as a change to the draft.
    fn changes(&self, posted: &Posted) -> Result<DraftChanges, ServiceError> {
        if !self.errors.is_empty() {
            return Err(ServiceError::Validation(self.errors.clone()));
        }
        Ok(DraftChanges {
            title: Some(posted.get("title").to_owned()),
            description: Some(posted.text("description").trim().to_owned()),
            category: Some(posted.get("category").to_owned()),
            region: self.region,
            estimated_value_pence: self.estimated_value_pence,
            budget_ceiling_pence: Some(self.budget_ceiling_pence),
            contract_term_months: self.contract_term_months,
            procedure: self.procedure,
            invited_supplier_ids: Some(self.invited.clone()),
            criteria: Some(self.criteria.clone()),
            clarification_deadline: self.clarification_deadline,
            submission_deadline: self.submission_deadline,
            standstill_days: self.standstill_days,
            urgency_reason: Some(optional_text(posted, "urgency_reason").map(str::to_owned)),
            planned_procurement_notice_id: Some(self.planned_procurement_notice_id),
            expression_of_interest_deadline: Some(self.expression_of_interest_deadline),
            conditions_of_participation: Some(
                optional_text(posted, "conditions_of_participation").map(str::to_owned),
            ),
            direct_award_ground: Some(self.direct_award_ground),
            direct_award_justification: Some(
                optional_text(posted, "direct_award_justification").map(str::to_owned),
            ),
            direct_award_supplier_id: Some(self.direct_award_supplier_id),
            lots: Some(self.lots.clone()),
            max_lots_per_supplier: Some(self.max_lots_per_supplier),
            no_lots_rationale: Some(optional_text(posted, "no_lots_rationale").map(str::to_owned)),
            framework: Some(self.framework.clone()),
        })
    }
}

/// A prose field left empty as `None`.
fn optional_text<'a>(posted: &'a Posted, field: &str) -> Option<&'a str> {
    Some(posted.text(field).trim()).filter(|t| !t.is_empty())
}

/// What the Procurement Act 2023 asks of the deadlines for the signed-in buyer: its threshold,
/// and the earliest close of bids above it if the tender were published now (s.54(4)).
async fn minimum_period_hints(ctx: &Ctx) -> Result<(String, String), ServiceError> {
    use domain::procurement::{AuthorityType, Circumstances, Period};
    let (_, buyer) = service::accounts::me(&ctx.state.ctx, &ctx.actor).await?;
    let threshold = ctx
        .state
        .ctx
        .config()
        .thresholds
        .for_authority(buyer.authority_type.unwrap_or(AuthorityType::SubCentral));
    let now = ctx.state.ctx.now().await?;
    let open = Circumstances {
        electronic_with_documents: true,
        ..Circumstances::default()
    };
    let urgent = Circumstances {
        urgency: true,
        ..open
    };
    let earliest = |period: Period, c| {
        period
            .earliest_deadline(now, c)
            .map(crate::ui::when)
            .unwrap_or_default()
    };
    let participation = format!(
        "Before bids close. Above threshold requests may close no earlier than 25 days after \
         publication, 10 with a stated urgency (s.54(3); a planned procurement notice does not \
         shorten it): published now, {} ({} with urgency).",
        earliest(Period::Participation, open),
        earliest(Period::Participation, urgent),
    );
    let tendering = format!(
        "Enforced by the server's clock: a bid at or after this time is refused. Above threshold \
         (an estimated value including VAT of {} or more for your organisation) bids may close no \
         earlier than 25 days after publication, 10 with a stated urgency: published now, {} \
         ({} with urgency). Below threshold there is no statutory minimum.",
        domain::money::pounds(threshold),
        earliest(Period::Tendering, open),
        earliest(Period::Tendering, urgent),
    );
    Ok((tendering, participation))
}

/// The tender form: details, the procedure with the suppliers it invites, the deadlines and the
/// criteria builder (the weights' total is shown as they are typed where script runs; the
/// server checks it on every submission).
pub(super) async fn tender_form(
    ctx: &Ctx,
    action: &str,
    heading: &str,
    form: &FormState,
    invited: &[String],
) -> Content {
    let suppliers = crate::ui::trading_suppliers(ctx, "").await?;
    let buyers = crate::ui::current_buyers(ctx).await?;
    let category_options =
        crate::ui::choices("Choose a category", crate::ui::category_options(ctx).await?);
    let region_options = crate::ui::choices("Choose a region", crate::ui::region_options());
    let procedure = form.value("procedure");
    let ground_options = crate::ui::choices(
        "Choose a ground",
        [
            (
                "exclusive_rights",
                "Para 5: exclusive rights, no reasonable alternative",
            ),
            (
                "technical_reasons",
                "Para 6: only this supplier, for technical reasons",
            ),
            (
                "additional_supply",
                "Para 7: additional or repeat supply from the existing supplier",
            ),
            (
                "repeat_supply",
                "Para 8: similar services within five years, as the tender notice said",
            ),
            (
                "extreme_urgency",
                "Para 13: extreme and unavoidable urgency",
            ),
        ]
        .map(|(code, label)| (code.to_owned(), label.to_owned())),
    );
    let (deadline_hint, participation_hint) = minimum_period_hints(ctx).await?;
    let planned = service::notices::list(
        &ctx.state.ctx,
        &persistence::notices::NoticeFilter {
            notice_type: Some(domain::notice::NoticeType::Uk3),
            buyer: Some(ctx.actor.organisation_id),
            ..persistence::notices::NoticeFilter::default()
        },
        domain::pagination::PageRequest::new(Some(1), Some(100))?,
    )
    .await?;
    let planned_options = crate::ui::choices(
        "None",
        planned.items.iter().map(|n| {
            (
                n.notice.id.to_string(),
                format!(
                    "{} (published {})",
                    n.notice.title,
                    domain::calendar::uk_date(n.notice.published_at)
                ),
            )
        }),
    );
    let fields = html! {
        (Field::new("description", "What is being bought").hint("Suppliers read this; line breaks are kept.").textarea(form))
        (Field::new("category", "Category").select(form, &category_options))
        (Field::new("region", "Region").select(form, &region_options))
        (Field::new("estimated_value_pence", "Estimated total value including VAT, in pounds").hint("For example, 180000. Measured against the Procurement Act 2023 threshold.").width("10").input(form))
        (Field::new("budget_ceiling_pence", "Budget ceiling, in pounds (optional)").hint("Never shown to suppliers.").width("10").input(form))
        (Field::new("contract_term_months", "Contract term, in months").width("4").input(form))
        div class=(if form.error("procedure").is_some() || form.error("invited_supplier_ids").is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
            fieldset class="nhsuk-fieldset" aria-describedby="procedure-hint" {
                legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Procedure" }
                div class="nhsuk-hint" id="procedure-hint" { "Open: any supplier may bid. Competitive flexible: suppliers request to participate, you shortlist them, only the admitted bid. Invited (below threshold only): only the suppliers you tick." }
                (inline_error("procedure", form.error("procedure").or(form.error("invited_supplier_ids"))))
                div class="nhsuk-radios" {
                    div class="nhsuk-radios__item" {
                        input class="nhsuk-radios__input" id="procedure" name="procedure" type="radio" value="open" checked[procedure != "invited"];
                        label class="nhsuk-label nhsuk-radios__label" for="procedure" { "Open" }
                    }
                    div class="nhsuk-radios__item" {
                        input class="nhsuk-radios__input" id="procedure-direct_award" name="procedure" type="radio" value="direct_award" checked[procedure == "direct_award"];
                        label class="nhsuk-label nhsuk-radios__label" for="procedure-direct_award" { "Direct award" }
                    }
                    div class="nhsuk-radios__item" {
                        input class="nhsuk-radios__input" id="procedure-competitive_flexible" name="procedure" type="radio" value="competitive_flexible" checked[procedure == "competitive_flexible"];
                        label class="nhsuk-label nhsuk-radios__label" for="procedure-competitive_flexible" { "Competitive flexible" }
                    }
                    div class="nhsuk-radios__item" {
                        input class="nhsuk-radios__input" id="procedure-invited" name="procedure" type="radio" value="invited" checked[procedure == "invited"];
                        label class="nhsuk-label nhsuk-radios__label" for="procedure-invited" { "Invited" }
                    }
                }
            }
        }
        details class="nhsuk-details" id="invited_supplier_ids" open[procedure == "invited"] {
            summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "Suppliers to invite" } }
            div class="nhsuk-details__text" {
                div class="nhsuk-checkboxes" {
                    @for (i, (id, name)) in suppliers.iter().skip(1).enumerate() {
                        div class="nhsuk-checkboxes__item" {
                            input class="nhsuk-checkboxes__input" id=(format!("invite-{i}")) name="invited_supplier_ids" type="checkbox" value=(id) checked[invited.contains(id)];
                            label class="nhsuk-label nhsuk-checkboxes__label" for=(format!("invite-{i}")) { (name) }
                        }
                    }
                }
            }
        }
        details class="nhsuk-details" id="participation" open[procedure == "competitive_flexible"] {
            summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "Participation stage (competitive flexible only)" } }
            div class="nhsuk-details__text" {
                (Field::new("expression_of_interest_deadline", "Requests to participate close (UK time)").kind("datetime-local").hint(&participation_hint).input(form))
                (Field::new("conditions_of_participation", "Conditions of participation").hint("What a supplier must show to be admitted to the shortlist (s.22).").textarea(form))
            }
        }
        details class="nhsuk-details" id="direct_award" open[procedure == "direct_award"] {
            summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "Direct award (Schedule 5 only)" } }
            div class="nhsuk-details__text" {
                p { "A direct award has no evaluation criteria and no deadlines: leave them empty. Publishing it publishes the transparency notice (UK5) and starts its standstill." }
                (Field::new("direct_award_ground", "Schedule 5 ground").select(form, &ground_options))
                (Field::new("direct_award_justification", "Why the ground applies").hint("Published in the transparency notice.").textarea(form))
                (Field::new("direct_award_supplier_id", "The supplier to be awarded").select(form, &suppliers))
            }
        }
        (Field::new("clarification_deadline", "Questions close (UK time)").kind("datetime-local").hint("Suppliers may ask questions until then.").input(form))
        (Field::new("submission_deadline", "Bids close (UK time)").kind("datetime-local").hint(&deadline_hint).input(form))
        (Field::new("planned_procurement_notice_id", "Planned procurement notice (optional, above threshold)").hint("One of your UK3 notices published 40 days to a year before this tender: it shortens the tendering period to 10 days (s.54(5)).").select(form, &planned_options))
        (Field::new("urgency_reason", "Urgency (optional, above threshold)").hint("Why the tendering period must be shortened to 10 days because of urgency. Published with the tender.").textarea(form))
        (Field::new("standstill_days", "Standstill period, in working days").hint("Leave empty for the default of 8; at least 8 above threshold.").width("3").input(form))
        (lots_fieldset(form))
        (framework_fieldset(form, &buyers))
        (criteria_fieldset(form))
    };
    Ok(crate::ui::edit_form(
        ctx,
        heading,
        action,
        form,
        fields,
        "Save draft",
    ))
}

pub(super) async fn new_tender(ctx: Ctx) -> Response {
    let built = async {
        ctx.require(&domain::tender::TENDER_MANAGERS)?;
        let (_, buyer) = service::accounts::me(&ctx.state.ctx, &ctx.actor).await?;
        let mut values = HashMap::new();
        values.insert("criteria-0-weight".to_owned(), "40".to_owned());
        values.insert("standstill_days".to_owned(), "8".to_owned());
        values.insert("procedure".to_owned(), "open".to_owned());
        if let Some(region) = buyer.region {
            values.insert("region".to_owned(), region.code().to_owned());
        }
        tender_form(
            &ctx,
            "/tenders/new",
            "Create a tender",
            &FormState::new(values),
            &[],
        )
        .await
    }
    .await;
    ctx.show("Create a tender", built)
}

pub(super) async fn create_tender(ctx: Ctx, posted: Posted) -> Response {
    let form = tender_form_of(&posted);
    let result = async {
        domain::tender::require_tender_manager(&ctx.actor)?;
        let spec = form.spec(&posted)?;
        service::tenders::create(&ctx.state.ctx, &ctx.actor, &spec).await
    }
    .await;
    match result {
        Ok(tender) => done(&format!("/tenders/{}", tender.tender.id), "created"),
        Err(error) => {
            show_tender_form_again(
                &ctx,
                "/tenders/new",
                "Create a tender",
                &posted,
                form.values,
                error,
            )
            .await
        }
    }
}

/// The tender form shown again after `error`, as it was posted (the quality rows renumbered as
/// sent), with each problem named as its field is labelled.
pub(super) async fn show_tender_form_again(
    ctx: &Ctx,
    action: &str,
    heading: &str,
    posted: &Posted,
    values: HashMap<String, String>,
    error: ServiceError,
) -> Response {
    if error.refuses_access() {
        return ctx.error(error);
    }
    let mut form = FormState::failed(posted, &error);
    name_criteria(&mut form);
    form.values = values;
    let invited: Vec<String> = posted.all_owned("invited_supplier_ids");
    let built = tender_form(ctx, action, heading, &form, &invited).await;
    ctx.show_again(heading, &error, built)
}

/// The draft's fields as form values.
pub(super) fn values_of(view: &TenderView) -> HashMap<String, String> {
    let tender = &view.tender;
    let mut values = HashMap::new();
    values.insert("version".to_owned(), tender.version.to_string());
    values.insert("title".to_owned(), tender.title.clone());
    values.insert("description".to_owned(), tender.description.clone());
    values.insert("category".to_owned(), tender.category.clone());
    values.insert("region".to_owned(), tender.region.code().to_owned());
    values.insert(
        "estimated_value_pence".to_owned(),
        pounds_field(tender.estimated_value_pence),
    );
    if let Some(ceiling) = view.budget_ceiling_pence() {
        values.insert("budget_ceiling_pence".to_owned(), pounds_field(ceiling));
    }
    values.insert(
        "contract_term_months".to_owned(),
        tender.contract_term_months.to_string(),
    );
    values.insert("procedure".to_owned(), tender.procedure.as_str().to_owned());
    values.insert(
        "clarification_deadline".to_owned(),
        local_field(tender.clarification_deadline),
    );
    values.insert(
        "submission_deadline".to_owned(),
        local_field(tender.submission_deadline),
    );
    values.insert(
        "standstill_days".to_owned(),
        tender.standstill_days.to_string(),
    );
    if let Some(reason) = &tender.urgency_reason {
        values.insert("urgency_reason".to_owned(), reason.clone());
    }
    if let Some(deadline) = tender.expression_of_interest_deadline {
        values.insert(
            "expression_of_interest_deadline".to_owned(),
            local_field(deadline),
        );
    }
    if let Some(conditions) = &tender.conditions_of_participation {
        values.insert("conditions_of_participation".to_owned(), conditions.clone());
    }
    if let Some(planned) = tender.planned_procurement_notice_id {
        values.insert(
            "planned_procurement_notice_id".to_owned(),
            planned.to_string(),
        );
    }
    for (i, lot) in tender.lots.iter().enumerate() {
        values.insert(format!("lots-{i}-title"), lot.title.clone());
        values.insert(
            format!("lots-{i}-estimated_value_pence"),
            pounds_field(lot.estimated_value_pence),
        );
        values.insert(format!("lots-{i}-description"), lot.description.clone());
    }
    if let Some(max) = tender.max_lots_per_supplier {
        values.insert("max_lots_per_supplier".to_owned(), max.to_string());
    }
    if let Some(rationale) = &tender.no_lots_rationale {
        values.insert("no_lots_rationale".to_owned(), rationale.clone());
    }
    if let Some(terms) = &tender.framework {
        terms_values(terms, &mut values);
    }
    let mut quality = 0;
    for c in &tender.criteria {
        if c.kind == CriterionKind::Price {
            values.insert("criteria-0-weight".to_owned(), c.weight.to_string());
        } else {
            quality += 1;
            values.insert(format!("criteria-{quality}-name"), c.name.clone());
            values.insert(format!("criteria-{quality}-weight"), c.weight.to_string());
        }
    }
    values
}

pub(super) async fn edit_tender(ctx: Ctx, Path(id): Path<String>) -> Response {
    let built = async {
        ctx.require(&domain::tender::TENDER_MANAGERS)?;
        let tender = read_tender(&ctx, parse_id(&id)?).await?;
        if tender.tender.buyer_id != ctx.actor.organisation_id {
            return Err(ServiceError::NotFound("No such tender.".to_owned()));
        }
        let invited: Vec<String> = tender
            .invited_supplier_ids()
            .into_iter()
            .flatten()
            .map(ToString::to_string)
            .collect();
        tender_form(
            &ctx,
            &format!("/tenders/{id}/edit"),
            "Edit the draft tender",
            &FormState::new(values_of(&tender)),
            &invited,
        )
        .await
    }
    .await;
    ctx.show("Edit the draft tender", built)
}

pub(super) async fn update_tender(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let Ok(uuid) = parse_id(&id) else {
        return ctx.error(ServiceError::NotFound("No such tender.".to_owned()));
    };
    let form = tender_form_of(&posted);
    let values = form.values.clone();
    let version = posted.get("version").parse::<i32>().unwrap_or_default();
    let result = async {
        domain::tender::require_tender_manager(&ctx.actor)?;
        let changes = form.changes(&posted)?;
        service::tenders::update(
            &ctx.state.ctx,
            &ctx.actor,
            TenderId::from_uuid(uuid),
            &Expected::version(version),
            &changes,
        )
        .await
    }
    .await;
    match result {
        Ok(_) => done(&format!("/tenders/{uuid}"), "saved"),
        Err(error) => {
            let action = format!("/tenders/{uuid}/edit");
            show_tender_form_again(
                &ctx,
                &action,
                "Edit the draft tender",
                &posted,
                values,
                error,
            )
            .await
        }
    }
}
