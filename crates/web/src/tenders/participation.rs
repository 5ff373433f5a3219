//! A competitive flexible procedure's participation stage as a page: a supplier reads the
//! conditions and makes or revises its request until the expression-of-interest deadline; the
//! lead reads the requests once they close and decides the shortlist, a reason for each.

use super::*;
use crate::ui::Content;
use domain::participation::DecisionInput;
use service::participation::ShortlistInput;

pub(super) fn routes() -> Router<WebState> {
    Router::new()
        .route(
            "/tenders/{id}/participation",
            get(participation_page).post(request_participation),
        )
        .route("/tenders/{id}/shortlist", post(shortlist))
}

async fn participation_content(
    ctx: &Ctx,
    id: &str,
    form: &FormState,
    banner: Option<&str>,
) -> Content {
    let uuid = parse_id(id)?;
    let tender_id = TenderId::from_uuid(uuid);
    let view = read_tender(ctx, uuid).await?;
    let tender = &view.tender;
    let deadline = tender
        .expression_of_interest_deadline
        .filter(|_| tender.procedure == Procedure::CompetitiveFlexible)
        .ok_or_else(|| ServiceError::NotFound("No such participation stage.".to_owned()))?;
    let now = ctx.state.ctx.now().await?;
    let open = now < deadline && view.status == domain::tender::TenderStatus::Published;
    let lead = ctx.actor.role == Role::BuyerLead && ctx.actor.organisation_id == tender.buyer_id;
    let requests =
        match service::participation::requests(&ctx.state.ctx, &ctx.actor, tender_id).await {
            Ok(found) => Some(found),
            // Sealed until the deadline: the page says so instead of listing them.
            Err(ServiceError::Sealed(_)) => None,
            Err(error) => return Err(error),
        };
    let supplier = ctx.actor.role == Role::SupplierBidder;
    Ok(html! {
        (notice(banner))
        (error_summary(&form.problems))
        span class="nhsuk-caption-l" { (tender.title) }
        h1 { "Requests to participate" }
        (summary(vec![
            ("Requests close", html! { (when(deadline)) }),
            ("Shortlist", html! { (tender.shortlisted_at.map(when).unwrap_or_else(|| "Not yet decided".to_owned())) }),
            ("Tenders close", html! { (when(tender.submission_deadline)) }),
        ]))
        h2 { "Conditions of participation" }
        p class="mkt-pre" { (tender.conditions_of_participation.clone().unwrap_or_default()) }
        @if supplier {
            @if let Some(own) = requests.as_ref().and_then(|r| r.first()) {
                h2 { "Your request" }
                div class="nhsuk-inset-text" {
                    p class="mkt-pre" { (own.request.statement) }
                    p class="nhsuk-body-s" { "Version " (own.request.version) ", last changed " (when(own.request.updated_at)) }
                    @if let Some(admitted) = own.request.admitted {
                        p { strong { (if admitted { "Admitted to tender" } else { "Not admitted" }) } }
                        p class="mkt-pre" { (own.request.decision_reason.clone().unwrap_or_default()) }
                    }
                }
            }
            @if open {
                form method="post" action=(format!("/tenders/{id}/participation")) novalidate {
                    (csrf_field(&ctx.csrf))
                    (Field::new("statement", "How your organisation meets the conditions").hint("You may revise it until requests close. The buyer reads it only after then.").textarea(form))
                    button class="nhsuk-button" type="submit" { "Send the request" }
                }
            }
        }
        @if !supplier {
            @match &requests {
                None => { p { "The requests are sealed until " (when(deadline)) "." } }
                Some(all) if all.is_empty() => { p { "No supplier requested to participate." } }
                Some(all) => {
                    h2 { "Requests" }
                    @for r in all {
                        div class="nhsuk-inset-text" {
                            p { strong { (r.supplier_name) } " — " (when(r.request.updated_at)) }
                            p class="mkt-pre" { (r.request.statement) }
                            @if let Some(admitted) = r.request.admitted {
                                p { strong { (if admitted { "Admitted" } else { "Not admitted" }) } ": " (r.request.decision_reason.clone().unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
            @if lead && tender.shortlisted_at.is_none() && !open {
                @if let Some(all) = &requests {
                    h2 { "Decide the shortlist" }
                    form method="post" action=(format!("/tenders/{id}/shortlist")) novalidate {
                        (csrf_field(&ctx.csrf))
                        @for (i, r) in all.iter().enumerate() {
                            input type="hidden" name=(format!("decisions-{i}-supplier_id")) value=(r.request.supplier_id);
                            fieldset class="nhsuk-fieldset" {
                                legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { (r.supplier_name) }
                                (Field::new(&format!("decisions-{i}-admitted"), "Decision").select(form, &[
                                    ("admit".to_owned(), "Admit to tender".to_owned()),
                                    ("refuse".to_owned(), "Do not admit".to_owned()),
                                ]))
                                (Field::new(&format!("decisions-{i}-reason"), "Reason (the supplier is told)").textarea(form))
                            }
                        }
                        (Field::new("submission_deadline", "Tenders close (UK time, optional)").kind("datetime-local").hint("Leave empty to keep the tender's deadline. Above threshold at least 25 days from now (s.54(4)).").input(form))
                        button class="nhsuk-button" type="submit" { "Decide the shortlist" }
                    }
                }
            }
        }
        p { a href=(format!("/tenders/{id}")) { "Back to the tender" } }
    })
}

async fn participation_page(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(banner): Query<Done>,
) -> Response {
    let built = participation_content(&ctx, &id, &FormState::default(), banner.message()).await;
    ctx.show("Requests to participate", built)
}

async fn again(ctx: &Ctx, id: &str, posted: &Posted, error: ServiceError) -> Response {
    if error.refuses_access() {
        return ctx.error(error);
    }
    let form = FormState::failed(posted, &error);
    let built = participation_content(ctx, id, &form, None).await;
    ctx.show_again("Requests to participate", &error, built)
}

async fn request_participation(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let uuid = parse_id(&id)?;
        service::participation::request(
            &ctx.state.ctx,
            &ctx.actor,
            TenderId::from_uuid(uuid),
            posted.text("statement").trim(),
        )
        .await
    }
    .await;
    match result {
        Ok(_) => done(&format!("/tenders/{id}/participation"), "requested"),
        Err(error) => again(&ctx, &id, &posted, error).await,
    }
}

async fn shortlist(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let uuid = parse_id(&id)?;
        let mut errors = Vec::new();
        let mut decisions = Vec::new();
        for i in 0.. {
            let supplier = posted.get(&format!("decisions-{i}-supplier_id"));
            if supplier.is_empty() {
                break;
            }
            let supplier_id = parse_id(supplier)?;
            decisions.push(DecisionInput {
                supplier_id: OrganisationId::from_uuid(supplier_id),
                admitted: posted.get(&format!("decisions-{i}-admitted")) == "admit",
                reason: posted
                    .text(&format!("decisions-{i}-reason"))
                    .trim()
                    .to_owned(),
            });
        }
        let submission_deadline = if posted.get("submission_deadline").trim().is_empty() {
            None
        } else {
            form::instant_of(&posted, "submission_deadline", &mut errors)
        };
        if !errors.is_empty() {
            return Err(ServiceError::Validation(errors));
        }
        service::participation::shortlist(
            &ctx.state.ctx,
            &ctx.actor,
            TenderId::from_uuid(uuid),
            &ShortlistInput {
                decisions,
                submission_deadline,
            },
        )
        .await
    }
    .await;
    match result {
        Ok(_) => done(&format!("/tenders/{id}/participation"), "shortlisted"),
        Err(error) => again(&ctx, &id, &posted, error).await,
    }
}
