//! A direct award on its tender page: its Schedule 5 ground, justification, supplier and
//! standstill; another supplier's challenge during the standstill; the lead's challenges to
//! resolve and, after the standstill, the contract.

use super::*;
use domain::contract::ChallengeStatus;

pub(super) fn routes() -> Router<WebState> {
    Router::new()
        .route("/tenders/{id}/direct-award/challenge", post(challenge))
        .route("/tenders/{id}/direct-award/contract", post(contract))
}

/// The direct award's section of the tender page.
pub(super) async fn section(
    ctx: &Ctx,
    view: &TenderView,
    form: &FormState,
) -> Result<Markup, ServiceError> {
    let tender = &view.tender;
    let Some(terms) = &tender.direct_award else {
        return Ok(html! {});
    };
    let id = tender.id;
    let suppliers = crate::ui::trading_suppliers(ctx, "").await?;
    let supplier_name = suppliers
        .iter()
        .find(|(s, _)| *s == terms.supplier_id.to_string())
        .map_or_else(|| terms.supplier_id.to_string(), |(_, name)| name.clone());
    let lead = ctx.actor.role == Role::BuyerLead && ctx.actor.organisation_id == tender.buyer_id;
    let in_standstill = view.status == domain::tender::TenderStatus::Standstill;
    let now = ctx.state.ctx.now().await?;
    let open = in_standstill
        && tender
            .transparency_standstill_ends_at
            .is_some_and(|end| now < end);
    let challenges = if view.status == domain::tender::TenderStatus::Draft {
        Vec::new()
    } else {
        service::awards::challenges(&ctx.state.ctx, &ctx.actor, id)
            .await
            .unwrap_or_default()
    };
    let may_challenge = ctx.actor.role == Role::SupplierBidder
        && ctx.actor.organisation_id != terms.supplier_id
        && open
        && challenges.iter().all(|c| c.status != ChallengeStatus::Open);
    Ok(html! {
        h2 { "Direct award" }
        (summary(vec![
            ("Ground", html! { "Schedule 5 paragraph " (terms.ground.paragraph()) " (" (words(terms.ground.as_str())) ")" }),
            ("Supplier", html! { (supplier_name) }),
            ("Standstill ends", html! { (tender.transparency_standstill_ends_at.map(when).unwrap_or_else(|| "When it is published".to_owned())) }),
        ]))
        p class="mkt-pre" { (terms.justification) }
        @for c in &challenges {
            div class="nhsuk-inset-text" {
                p class="mkt-pre" { strong { "Challenge: " } (c.grounds) }
                p { "Lodged " (when(c.lodged_at)) " — " strong { (words(c.status.as_str())) } }
                @if let Some(notes) = &c.resolution_notes { p class="mkt-pre" { (notes) } }
                @if lead && c.status == ChallengeStatus::Open {
                    form method="post" action=(format!("/tenders/{id}/challenges/{}/resolve", c.id)) novalidate {
                        (csrf_field(&ctx.csrf))
                        (Field::new(&format!("outcome-{}", c.id), "Outcome").named("outcome").select(form, &[
                            ("dismissed".to_owned(), "Dismissed: the direct award stands".to_owned()),
                            ("upheld".to_owned(), "Upheld: withdraw the direct award".to_owned()),
                        ]))
                        (Field::new(&format!("notes-{}", c.id), "Notes (the challenger is told)").named("notes").textarea(form))
                        button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Resolve the challenge" }
                    }
                }
            }
        }
        @if may_challenge {
            form method="post" action=(format!("/tenders/{id}/direct-award/challenge")) novalidate {
                (csrf_field(&ctx.csrf))
                (Field::new("grounds", "Challenge the direct award").hint("During the standstill only. While a challenge is open the contract cannot be entered.").textarea(form))
                button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Lodge the challenge" }
            }
        }
        @if lead && in_standstill && !open {
            form method="post" action=(format!("/tenders/{id}/direct-award/contract")) novalidate {
                (csrf_field(&ctx.csrf))
                (Field::new("start_date", "Contract start date").kind("date").input(form))
                (Field::new("end_date", "End date (optional)").hint("Leave empty to run the tender's contract term.").kind("date").input(form))
                button class="nhsuk-button" type="submit" { "Enter the contract" }
            }
        }
    })
}

async fn again(ctx: &Ctx, id: &str, posted: &Posted, error: ServiceError) -> Response {
    if error.refuses_access() {
        return ctx.error(error);
    }
    let form = FormState::failed(posted, &error);
    tender_view(
        ctx,
        id,
        None,
        form.problems,
        Some(crate::ui::status_of(&error)),
    )
    .await
}

async fn challenge(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let uuid = parse_id(&id)?;
        service::awards::lodge_challenge(
            &ctx.state.ctx,
            &ctx.actor,
            TenderId::from_uuid(uuid),
            None,
            posted.text("grounds").trim(),
        )
        .await
    }
    .await;
    match result {
        Ok(_) => done(&format!("/tenders/{id}"), "challenged"),
        Err(error) => again(&ctx, &id, &posted, error).await,
    }
}

async fn contract(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let result = async {
        let uuid = parse_id(&id)?;
        let mut errors = Vec::new();
        let start = crate::evaluation::date_field(&posted, "start_date", &mut errors);
        let end = if posted.get("end_date").trim().is_empty() {
            None
        } else {
            crate::evaluation::date_field(&posted, "end_date", &mut errors)
        };
        let Some(start) = start.filter(|_| errors.is_empty()) else {
            return Err(ServiceError::Validation(errors));
        };
        let made = service::awards::confirm_contract(
            &ctx.state.ctx,
            &ctx.actor,
            TenderId::from_uuid(uuid),
            None,
            start,
            end,
        )
        .await?;
        Ok(made.into_contract()?.contract.id)
    }
    .await;
    match result {
        Ok(contract) => done(&format!("/contracts/{contract}"), "contracted"),
        Err(error) => again(&ctx, &id, &posted, error).await,
    }
}
