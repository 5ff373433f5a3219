//! The merger simulator.

use super::*;
use crate::ui::Content;

pub(crate) async fn merger_content(ctx: &Ctx, params: &HashMap<String, String>) -> Content {
    ctx.require(&MARKET_READERS)?;
    let options = crate::ui::trading_suppliers(ctx, "Choose a supplier").await?;
    let asked = params.get("acquirer").is_some_and(|v| !v.is_empty())
        || params.get("target").is_some_and(|v| !v.is_empty());
    let mut form = FormState::new(params.clone());
    let result = if asked {
        let simulated = async {
            let ask = market_ask(params)?;
            market::merger(&ctx.state.ctx, &ctx.actor, &ask).await
        }
        .await;
        match simulated {
            Ok(result) => Some(result),
            Err(
                error @ (ServiceError::Validation(_)
                | ServiceError::NotFound(_)
                | ServiceError::Conflict { .. }),
            ) => {
                form.problems = crate::ui::problems_of(&error);
                if form.problems.iter().all(|p| p.field.is_none()) {
                    form.problems = vec![crate::ui::Problem {
                        field: Some("acquirer".to_owned()),
                        message: detail_of(&error),
                    }];
                }
                None
            }
            Err(error) => return Err(error),
        }
    } else {
        None
    };
    Ok(html! {
        (error_summary(&form.problems))
        h1 { "Merger simulator" }
        p { "What a merger or takeover that has not happened would do to concentration: the HHI before and after, the change, and whether it crosses the thresholds, overall and in every category and region where both suppliers hold contracts." }
        form method="get" action="/market/merger" novalidate {
            (Field::new("acquirer", "Acquirer").select(&form, &options))
            (Field::new("target", "Target").select(&form, &options))
            button class="nhsuk-button" type="submit" { "Simulate" }
        }
        @if let Some(r) = &result {
            h2 { (r.acquirer_name) " takes over " (r.target_name) }
            (summary(vec![
                ("HHI before", html! { (format!("{:.0}", r.overall.effect.hhi_before)) " — " (level_text(&r.overall.effect.level_before)) }),
                ("HHI after", html! { (format!("{:.0}", r.overall.effect.hhi_after)) " — " (level_text(&r.overall.effect.level_after)) }),
                ("Change (delta)", html! { strong { (format!("{:+.0}", r.overall.effect.delta_hhi)) } }),
                ("Combined share", html! { (format!("{:.1}%", r.overall.effect.combined_share_percent)) " (" (format!("{:.1}%", r.overall.effect.acquirer_share_percent)) " + " (format!("{:.1}%", r.overall.effect.target_share_percent)) ")" }),
                ("Flagged", html! {
                    @if r.overall.effect.flagged { strong { "Yes" } ": " (r.overall.effect.reasons.join("; ")) } @else { "No" }
                }),
                ("Scale", html! { (r.scale.name) }),
            ]))
            h3 { "Category and region markets" }
            @if r.markets.is_empty() {
                p { "The two suppliers do not both hold contracts in any one category and region." }
            } @else {
                (table("Merger effect per category and region", &["Category", "Region", "Before", "After", "Delta", "Flagged"], &[2, 3, 4],
                    r.markets.iter().map(|m| vec![
                        html! { (m.category.clone().unwrap_or_default()) },
                        html! { (words(&m.region.clone().unwrap_or_default())) },
                        html! { (format!("{:.0}", m.effect.hhi_before)) },
                        html! { (format!("{:.0}", m.effect.hhi_after)) },
                        html! { (format!("{:+.0}", m.effect.delta_hhi)) },
                        html! { @if m.effect.flagged { "Yes: " (m.effect.reasons.join("; ")) } @else { "No" } },
                    ]).collect()))
            }
        }
    })
}

pub(crate) async fn merger_page(
    ctx: Ctx,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let built = merger_content(&ctx, &params).await;
    ctx.show("Merger simulator", built)
}
