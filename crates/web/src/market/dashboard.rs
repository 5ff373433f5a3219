//! The market dashboard: share, concentration, competition and prices, with their CSV downloads.

use super::*;
use crate::ui::Content;

pub(crate) async fn market_content(ctx: &Ctx, params: &HashMap<String, String>) -> Content {
    ctx.require(&MARKET_READERS)?;
    let service = &ctx.state.ctx;
    let who = &ctx.actor;
    let ask = market_ask(params)?;
    let share = market::share(service, who, &ask).await?;
    let grouped = |by| MarketAsk {
        group_by: Some(by),
        ..ask.clone()
    };
    let by_category = market::concentration(service, who, &grouped(GroupBy::Category)).await?;
    let by_quarter = market::concentration(service, who, &grouped(GroupBy::Quarter)).await?;
    let heat = market::heat(service, who, &ask).await?;
    let competition = market::competition(service, who, &ask).await?;
    let prices = market::prices(service, who, &ask, None).await?;
    let categories = crate::ui::category_options(ctx).await?;
    let category_name = |code: &str| {
        categories
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, name)| name.clone())
            .unwrap_or_else(|| code.to_owned())
    };
    let filters = filter_string(params);
    let form = FormState::new(params.clone());
    let category_options = crate::ui::choices("All categories", categories.clone());
    let region_options = crate::ui::choices("All regions", crate::ui::region_options());
    let attribution_options = vec![
        (
            "current".to_owned(),
            "Current holder (after mergers and transfers)".to_owned(),
        ),
        ("original".to_owned(), "Original awardee".to_owned()),
    ];
    Ok(html! {
        h1 { "Market oversight" }
        p class="nhsuk-lede-text" {
            "Overall HHI " strong { (format!("{:.0}", by_category.overall.hhi)) } " — " (level_text(&by_category.overall.level))
            " on the " (by_category.scale.name) " scale (moderate from " (by_category.scale.moderate_from) ", high above " (by_category.scale.high_above) "); CR3 " (format!("{:.1}", by_category.overall.cr3)) "%."
        }
        details class="nhsuk-details" open[!filters.is_empty()] {
            summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "Filter the market" } }
            div class="nhsuk-details__text" {
                form method="get" action="/market" {
                    (Field::new("category", "Category").select(&form, &category_options))
                    (Field::new("region", "Region").select(&form, &region_options))
                    (Field::new("from", "Awarded from").kind("date").input(&form))
                    (Field::new("to", "Awarded up to").kind("date").input(&form))
                    (Field::new("attribution", "Attribute contracts to").select(&form, &attribution_options))
                    button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Apply the filters" }
                }
            }
        }
        h2 { "Market share by supplier" }
        p { (share.contracts) " contracts worth " (pounds(share.total_value_pence)) "." }
        @if share.items.is_empty() {
            p { "No awarded contract matches these filters." }
        } @else {
            (share_chart(&share.items))
            (table("Market share by supplier", &["Rank", "Supplier", "Contracts", "Value", "Share of value", "Share of contracts"], &[0, 2, 3, 4, 5],
                share.items.iter().map(|i| vec![
                    html! { (i.rank) },
                    html! { (i.supplier_name) },
                    html! { (i.contracts) },
                    html! { (pounds(i.total_value_pence)) },
                    html! { (format!("{:.1}%", i.value_share_percent)) },
                    html! { (format!("{:.1}%", i.count_share_percent)) },
                ]).collect()))
        }
        (csv_link("share", &filters, "market share"))

        h2 { "Concentration by category and region" }
        p { "Each cell is the HHI of the awards in that category and region, shaded by level: green unconcentrated, amber moderately concentrated, red highly concentrated; an empty cell had no award." }
        table class="nhsuk-table-responsive" {
            caption class="nhsuk-table__caption nhsuk-u-visually-hidden" { "HHI by category and region" }
            thead class="nhsuk-table__head" {
                tr class="nhsuk-table__row" {
                    th class="nhsuk-table__header" scope="col" { "Category" }
                    @for (region, _) in &heat { th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col" { (region.name()) } }
                    th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col" { "All regions" }
                }
            }
            tbody class="nhsuk-table__body" {
                @for group in by_category.groups.iter().flatten() {
                    tr class="nhsuk-table__row" {
                        th class="nhsuk-table__header" scope="row" { (category_name(&group.group)) }
                        @for (region, figures) in &heat {
                            @let cell = figures.groups.iter().flatten().find(|g| g.group == group.group);
                            @let level = cell.map_or("empty", |c| c.level.as_str());
                            td class=(format!("nhsuk-table__cell nhsuk-table__cell--numeric mkt-heat--{level}")) {
                                span class="nhsuk-table-responsive__heading" aria-hidden="true" { (region.name()) " " }
                                @match cell {
                                    Some(c) if level != "empty" => { (format!("{:.0}", c.hhi)) span class="nhsuk-u-visually-hidden" { " " (words(level)) } }
                                    _ => { "—" }
                                }
                            }
                        }
                        td class=(format!("nhsuk-table__cell nhsuk-table__cell--numeric mkt-heat--{}", group.level.as_str())) {
                            (format!("{:.0}", group.hhi)) " " span class="nhsuk-body-s" { (level_text(&group.level)) }
                        }
                    }
                }
            }
        }
        (csv_link("heat", &filters, "concentration by category and region"))
        (csv_link("concentration", &format!("{}{}group_by=category", filters, if filters.is_empty() { "" } else { "&" }), "concentration by category, all regions"))

        h2 { "Concentration by quarter" }
        @let quarters: Vec<market::GroupConcentration> = by_quarter.groups.clone().unwrap_or_default();
        @if quarters.is_empty() {
            p { "No awards in this period." }
        } @else {
            (quarter_chart(&quarters, &by_quarter.scale))
            (table("HHI by quarter", &["Quarter", "HHI", "Level", "CR3", "Suppliers", "Contracts"], &[1, 3, 4, 5],
                quarters.iter().map(|g| vec![
                    html! { (g.group) },
                    html! { (format!("{:.0}", g.hhi)) },
                    html! { (level_text(&g.level)) },
                    html! { (format!("{:.1}%", g.cr3)) },
                    html! { (g.suppliers) },
                    html! { (g.contracts) },
                ]).collect()))
        }
        (csv_link("concentration", &format!("{}{}group_by=quarter", filters, if filters.is_empty() { "" } else { "&" }), "concentration by quarter"))

        h2 { "Competition" }
        (summary(vec![
            ("Tenders published", html! { (competition.tenders_published) }),
            ("Tenders closed", html! { (competition.tenders_closed) }),
            ("Mean bids per tender", html! { (competition.mean_bids_per_tender.map(|m| format!("{m:.2}")).unwrap_or_else(|| "—".to_owned())) }),
            ("Single-bid rate", html! { (percent(competition.single_bid_rate_percent)) " (" (words(&code_of(&competition.single_bid_band))) ")" }),
            ("Cancelled", html! { (percent(competition.cancelled_rate_percent)) }),
            ("Unsuccessful", html! { (percent(competition.unsuccessful_rate_percent)) }),
            ("Mean tender period", html! { (competition.mean_tender_period_days.map(|d| format!("{d:.1} days")).unwrap_or_else(|| "—".to_owned())) }),
            ("Awards", html! { (competition.awards) }),
            ("Awarded other than to the top bid", html! { (percent(competition.awarded_other_than_top_percent)) }),
        ]))
        (csv_link("competition", &filters, "competition indicators"))

        h2 { "Price benchmarks" }
        p { "Published offers on " (crate::ui::day(prices.at)) "." }
        (table("Published offer prices by category and pricing unit", &["Category", "Pricing unit", "Offers", "Lowest", "Median", "90th percentile"], &[2, 3, 4, 5],
            prices.offers.iter().map(|p| vec![
                html! { (category_name(&p.category)) },
                html! { (words(&p.pricing_unit)) },
                html! { (p.offers) },
                html! { (pounds(p.min_pence)) },
                html! { (pounds(p.median_pence)) },
                html! { (pounds(p.p90_pence)) },
            ]).collect()))
        h3 { "Awarded value against estimate" }
        (table("Awarded value against estimated value by category", &["Category", "Contracts", "Estimated", "Awarded", "Mean saving"], &[1, 2, 3, 4],
            prices.awards.iter().map(|a| vec![
                html! { (category_name(&a.category)) },
                html! { (a.contracts) },
                html! { (pounds(a.estimated_value_pence)) },
                html! { (pounds(a.awarded_value_pence)) },
                html! { (format!("{:.1}%", a.mean_saving_percent)) },
            ]).collect()))
        (csv_link("prices", &filters, "price benchmarks"))
    })
}

pub(crate) async fn market_page(
    ctx: Ctx,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let built = market_content(&ctx, &params).await;
    ctx.show("Market oversight", built)
}

/// A table of the market pages as CSV: the same file the API gives.
pub(crate) async fn download(
    ctx: Ctx,
    Path(table): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        let service = &ctx.state.ctx;
        let who = &ctx.actor;
        let ask = market_ask(&params)?;
        let table = match table.as_str() {
            "share.csv" => market::share(service, who, &ask).await?.table(),
            "concentration.csv" => market::concentration(service, who, &ask).await?.table(),
            "competition.csv" => market::competition(service, who, &ask).await?.table()?,
            "heat.csv" => market::heat_table(&market::heat(service, who, &ask).await?),
            "prices.csv" => market::prices(service, who, &ask, None).await?.table(),
            _ => return Err(ServiceError::NotFound("No such download.".to_owned())),
        };
        Ok(crate::ui::download(&table))
    }
    .await;
    match result {
        Ok(response) => response,
        Err(error) => ctx.error(error),
    }
}
