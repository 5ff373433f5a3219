//! The evaluator's page (or the lead's, when it scores): the conflict declaration first, then a
//! scoring form per bid with a mark and a justification per quality criterion.

use super::*;
use crate::ui::Content;

/// The evaluator's page (or the lead's, when it scores): the declaration first; once it has
/// declared no conflict, a scoring form per bid with a mark and a justification per quality
/// criterion, filled with the marks it gave so far.
pub(super) async fn scoring_content(
    ctx: &Ctx,
    id: &str,
    form: &FormState,
    banner: Option<&str>,
) -> Content {
    ctx.require(&domain::evaluation::EVALUATORS)?;
    let service = &ctx.state.ctx;
    let tender_id = TenderId::from_uuid(parse_id(id)?);
    let view = service::tenders::get(service, &ctx.actor, tender_id).await?;
    let tender = &view.tender;
    let member = evaluation::standing_on_panel(service, &ctx.actor, tender_id).await?;
    let quality: Vec<_> = tender.quality_criteria().collect();
    let declared_clear = member
        .as_ref()
        .is_some_and(|m| m.standing() == PanelStanding::Cleared);
    let declared = member
        .as_ref()
        .is_some_and(|m| m.standing() != PanelStanding::Undeclared);
    let lead = ctx.actor.role == Role::BuyerLead;
    if member.is_none() && !lead {
        return Err(ServiceError::NotFound(
            "You are not on this tender's evaluation panel.".to_owned(),
        ));
    }
    let (bid_list, marks) = if declared_clear {
        (
            bids::list(service, &ctx.actor, tender_id).await?,
            evaluation::scores(service, &ctx.actor, tender_id).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let mine: HashMap<(BidId, CriterionId), &persistence::evaluation::StoredScore> = marks
        .iter()
        .filter(|m| m.evaluator_id == ctx.actor.user_id)
        .map(|m| ((m.bid_id, m.criterion_id), m))
        .collect();
    let value = |bid: BidId, criterion: CriterionId, field: &str| -> String {
        let key = format!("{bid}-{criterion}-{field}");
        if let Some(v) = form.values.get(&key) {
            return v.clone();
        }
        mine.get(&(bid, criterion))
            .map(|m| {
                if field == "score" {
                    m.score.value().to_string()
                } else {
                    m.justification.clone()
                }
            })
            .unwrap_or_default()
    };
    let mut values = form.values.clone();
    for b in &bid_list {
        for c in &quality {
            for field in ["score", "justification"] {
                values.insert(
                    format!("{}-{}-{field}", b.bid.id, c.id),
                    value(b.bid.id, c.id, field),
                );
            }
        }
    }
    let filled = FormState {
        values,
        problems: form
            .problems
            .iter()
            .map(|p| Problem {
                field: p.field.clone(),
                message: p.message.clone(),
            })
            .collect(),
    };
    Ok(html! {
        (notice(banner))
        (error_summary(&form.problems))
        span class="nhsuk-caption-l" { (tender.title) }
        h1 { "Evaluate the bids" }
        @if !declared {
            p { "Before you see any bid, declare whether you have a conflict of interest with any bidder. A conflict can never be withdrawn; you would then take no part." }
            form method="post" action=(format!("/tenders/{id}/declaration")) novalidate {
                (csrf_field(&ctx.csrf))
                div class="nhsuk-form-group" {
                    fieldset class="nhsuk-fieldset" {
                        legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Do you have a conflict of interest?" }
                        div class="nhsuk-radios" id="has_conflict" {
                            div class="nhsuk-radios__item" {
                                input class="nhsuk-radios__input" id="conflict-no" name="has_conflict" type="radio" value="false" checked;
                                label class="nhsuk-label nhsuk-radios__label" for="conflict-no" { "No, I have no conflict of interest" }
                            }
                            div class="nhsuk-radios__item" {
                                input class="nhsuk-radios__input" id="conflict-yes" name="has_conflict" type="radio" value="true";
                                label class="nhsuk-label nhsuk-radios__label" for="conflict-yes" { "Yes, I have a conflict" }
                            }
                        }
                    }
                }
                (Field::new("details", "Details of the conflict (if any)").textarea(form))
                button class="nhsuk-button" type="submit" { "Make the declaration" }
            }
        } @else if !declared_clear {
            div class="nhsuk-inset-text" { p { "You declared a conflict of interest, so you take no part in this evaluation." } }
        } @else if view.status != TenderStatus::Evaluation {
            p { "The evaluation is over." }
        } @else {
            p { "Mark each bid on each quality criterion from 0 to 100, with the reason. Bidders read your reasons (not your name) after the award." }
            @for b in &bid_list {
                h2 { (b.supplier_name) }
                form method="post" action=(format!("/tenders/{id}/bids/{}/scores", b.bid.id)) novalidate {
                    (csrf_field(&ctx.csrf))
                    @for c in &quality {
                        @let response = b.bid.responses.iter().find(|r| r.criterion_id == c.id).map(|r| r.text.clone()).unwrap_or_default();
                        fieldset class="nhsuk-fieldset mkt-criteria-row" {
                            legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { (c.name) " (" (c.weight) "%)" }
                            div class="nhsuk-inset-text" { p class="mkt-pre" { (response) } }
                            (Field::new(&format!("{}-{}-score", b.bid.id, c.id), &format!("Mark for {} on {}, 0 to 100", b.supplier_name, c.name)).width("3").input(&filled))
                            (Field::new(&format!("{}-{}-justification", b.bid.id, c.id), &format!("Reason for the mark for {} on {}", b.supplier_name, c.name)).textarea(&filled))
                        }
                    }
                    button class="nhsuk-button" type="submit" { "Save marks for " (b.supplier_name) }
                }
            }
        }
        p { a href=(format!("/tenders/{id}")) { "Back to the tender" } }
    })
}

pub(super) async fn scoring_page(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(banner): Query<Done>,
) -> Response {
    let built = scoring_content(&ctx, &id, &FormState::default(), banner.message()).await;
    ctx.show("Evaluate the bids", built)
}

pub(super) async fn show_scoring_again(
    ctx: &Ctx,
    id: &str,
    form: FormState,
    status: axum::http::StatusCode,
) -> Response {
    let built = scoring_content(ctx, id, &form, None).await;
    let mut response = ctx.show("Evaluate the bids", built);
    *response.status_mut() = status;
    response
}

pub(super) async fn declare(ctx: Ctx, Path(id): Path<String>, posted: Posted) -> Response {
    let Ok(tender) = tender_id(&id) else {
        return ctx.error(ServiceError::NotFound("No such tender.".to_owned()));
    };
    let has_conflict = posted.get("has_conflict") == "true";
    let details = optional(&posted, "details");
    match evaluation::declare(
        &ctx.state.ctx,
        &ctx.actor,
        tender,
        has_conflict,
        details.as_deref(),
    )
    .await
    {
        Ok(_) => done(&format!("/tenders/{tender}/scoring"), "declared"),
        Err(error) if error.refuses_access() => ctx.error(error),
        Err(error) => {
            show_scoring_again(
                &ctx,
                &id,
                FormState::failed(&posted, &error),
                crate::ui::status_of(&error),
            )
            .await
        }
    }
}

/// Saves every mark of one bid: one command per criterion, each checked on its own; the marks
/// that were right are kept and the wrong ones shown with their errors.
pub(super) async fn score_bid(
    ctx: Ctx,
    Path((id, bid)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    let Ok((tender_id, bid_id)) = ids(&id, &bid) else {
        return ctx.error(ServiceError::NotFound("No such bid.".to_owned()));
    };
    let bid_id = BidId::from_uuid(bid_id);
    let tender = match service::tenders::get(&ctx.state.ctx, &ctx.actor, tender_id).await {
        Ok(view) => view.tender,
        Err(error) => return ctx.error(error),
    };
    let mut problems = Vec::new();
    let mut status = axum::http::StatusCode::OK;
    for c in tender.quality_criteria() {
        let prefix = format!("{bid_id}-{}", c.id);
        let justification = posted.text(&format!("{prefix}-justification")).trim();
        let result = match posted.get(&format!("{prefix}-score")).trim().parse::<i64>() {
            Ok(score) => {
                let target = MarkTarget {
                    tender: tender_id,
                    bid: bid_id,
                    criterion: c.id,
                };
                evaluation::score(&ctx.state.ctx, &ctx.actor, target, score, justification)
                    .await
                    .map(|_| ())
            }
            Err(_) => Err(service::ServiceError::Validation(vec![FieldError::new(
                "/score",
                "must be a whole number from 0 to 100",
            )])),
        };
        if let Err(error) = result {
            if matches!(
                error,
                ServiceError::Forbidden(_) | ServiceError::NotFound(_) | ServiceError::Sealed(_)
            ) {
                return ctx.error(error);
            }
            status = crate::ui::status_of(&error);
            for mut p in problems_of(&error) {
                p.message = format!("{}: {}", c.name, p.message);
                p.field = Some(match p.field.as_deref() {
                    Some("justification") => format!("{prefix}-justification"),
                    _ => format!("{prefix}-score"),
                });
                problems.push(p);
            }
        }
    }
    if problems.is_empty() {
        done(&format!("/tenders/{tender_id}/scoring"), "scored")
    } else {
        let mut form = FormState::new(posted.values());
        form.problems = problems;
        show_scoring_again(&ctx, &id, form, status).await
    }
}
