//! The regulator's pages: the market dashboard (share by supplier as a table and a bar chart,
//! HHI per category and region as a heat table, HHI by quarter as a line chart, competition
//! indicators and price benchmarks), the merger simulator, transfers and the audit log with its
//! chain verification. Every figure comes from the API's own handlers; every table has a CSV
//! download, which is the API's CSV.

use super::ui::{
    Ctx, Done, Field, FormState, Posted, body, code_of, csrf_field, detail_of, done, error_summary,
    notice, summary, table, trusted, words,
};
use crate::auth::{AuthUser, Permitted};
use crate::dto::pounds;
use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::routes::market as api;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use domain::organisation::Region;
use domain::user::Role;
use maud::{Markup, html};
use serde::de::DeserializeOwned;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/market", get(market_page))
        .route("/market/merger", get(merger_page))
        .route("/market/{table}", get(download))
        .route("/transfers", get(transfers_page).post(record_transfer))
        .route("/transfers.csv", get(transfers_csv))
        .route("/audit", get(audit_page))
        .route("/audit.csv", get(audit_csv))
}

/// The market filters of the page's query string, as the API's query (an unknown value is the
/// API's own validation error).
fn market_query(
    params: &HashMap<String, String>,
    extra: &[(&str, &str)],
) -> Result<api::MarketQuery, ApiError> {
    let mut map = serde_json::Map::new();
    for key in [
        "category",
        "region",
        "from",
        "to",
        "attribution",
        "acquirer",
        "target",
    ] {
        if let Some(value) = params.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            map.insert(key.to_owned(), json!(value));
        }
    }
    for (key, value) in extra {
        map.insert((*key).to_owned(), json!(value));
    }
    body::<api::MarketQuery>(serde_json::Value::Object(map)).map(|b| b.0)
}

/// Reads a market handler's JSON answer.
async fn json_of<T: DeserializeOwned>(response: Result<Response, ApiError>) -> Result<T, ApiError> {
    let bytes = axum::body::to_bytes(response?.into_body(), 16 * 1024 * 1024)
        .await
        .map_err(ApiError::internal)?;
    serde_json::from_slice(&bytes).map_err(ApiError::internal)
}

fn json_accept() -> HeaderMap {
    HeaderMap::new()
}

/// The query string of the current filters, for links (CSV downloads keep the filters).
fn filter_string(params: &HashMap<String, String>) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for key in ["category", "region", "from", "to", "attribution"] {
        if let Some(value) = params.get(key).filter(|v| !v.is_empty()) {
            out.append_pair(key, value);
        }
    }
    out.finish()
}

fn csv_link(name: &str, query: &str, label: &str) -> Markup {
    let href = if query.is_empty() {
        format!("/market/{name}.csv")
    } else {
        format!("/market/{name}.csv?{query}")
    };
    html! { p { a href=(href) download { "Download " (label) " (CSV)" } } }
}

/// An SVG chart from the charting crate, given an accessible name and a description that says
/// what it shows (the same figures are in the table beside it).
fn figure(title: &str, description: &str, svg: Result<String, charts_rs::Error>) -> Markup {
    let slug: String = title
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    match svg {
        Ok(svg) => {
            let labelled = svg.replacen(
                "<svg ",
                &format!("<svg role=\"img\" aria-labelledby=\"{slug}-title {slug}-desc\" "),
                1,
            );
            let labelled = match labelled.find('>') {
                Some(at) => format!(
                    "{}<title id=\"{slug}-title\">{}</title><desc id=\"{slug}-desc\">{}</desc>{}",
                    &labelled[..=at],
                    maud::html! { (title) }.into_string(),
                    maud::html! { (description) }.into_string(),
                    &labelled[at + 1..]
                ),
                None => labelled,
            };
            html! {
                figure class="mkt-chart" {
                    figcaption { (title) }
                    (trusted(labelled))
                }
            }
        }
        Err(error) => {
            tracing::warn!(%error, "a chart could not be drawn");
            html! { p { "The chart could not be drawn; the table has the same figures." } }
        }
    }
}

const NHS_BLUE: &str = "#005eb8";

fn share_chart(items: &[api::ShareItem]) -> Markup {
    let shown: Vec<&api::ShareItem> = items.iter().take(12).collect();
    let names: Vec<String> = shown
        .iter()
        .rev()
        .map(|i| i.supplier_name.clone())
        .collect();
    let values: Vec<f64> = shown
        .iter()
        .rev()
        .map(|i| (i.value_share_percent * 10.0).round() / 10.0)
        .collect();
    let spec = json!({
        "width": 760,
        "height": 60 + 36 * shown.len().max(1),
        "margin": { "left": 10, "top": 10, "right": 40, "bottom": 10 },
        "font_family": "Roboto",
        "title_text": "",
        "legend_show": false,
        "x_axis_title": "Share of awarded contract value (%)",
        "x_axis_data": names,
        "series_colors": [NHS_BLUE],
        "series_list": [{ "name": "Share of value (%)", "data": values, "label_show": true }],
    });
    let svg = charts_rs::HorizontalBarChart::from_json(&spec.to_string()).and_then(|c| c.svg());
    figure(
        "Market share by supplier",
        &format!(
            "Bar chart of each supplier's share of awarded contract value, largest first: {}.",
            shown
                .iter()
                .map(|i| format!("{} {:.1}%", i.supplier_name, i.value_share_percent))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        svg,
    )
}

fn quarter_chart(groups: &[api::GroupConcentration], scale: &api::ScaleResponse) -> Markup {
    let labels: Vec<String> = groups.iter().map(|g| g.group.clone()).collect();
    let values: Vec<f64> = groups.iter().map(|g| g.hhi.round()).collect();
    let spec = json!({
        "width": 760,
        "height": 360,
        "margin": { "left": 10, "top": 10, "right": 30, "bottom": 10 },
        "font_family": "Roboto",
        "title_text": "",
        "legend_show": false,
        "x_axis_title": "Quarter of award",
        "y_axis_configs": [{ "axis_title": "HHI (0 to 10,000)", "axis_min": 0.0, "axis_max": 10000.0 }],
        "x_axis_data": labels,
        "series_colors": [NHS_BLUE],
        "series_list": [{
            "name": "HHI",
            "data": values,
            "label_show": true,
            "mark_lines": [
                { "category": "value", "value": scale.moderate_from, "color": "#ffb81c" },
                { "category": "value", "value": scale.high_above, "color": "#d5281b" }
            ]
        }],
    });
    let svg = charts_rs::LineChart::from_json(&spec.to_string()).and_then(|c| c.svg());
    figure(
        "HHI by quarter",
        &format!(
            "Line chart of the Herfindahl–Hirschman Index of each quarter's awards, with lines at {} (moderate) and {} (high): {}.",
            scale.moderate_from,
            scale.high_above,
            groups
                .iter()
                .map(|g| format!("{} {:.0}", g.group, g.hhi))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        svg,
    )
}

fn level_text(level: &api::LevelDto) -> String {
    words(&code_of(level))
}

fn percent(value: Option<f64>) -> String {
    value
        .map(|v| format!("{v:.1}%"))
        .unwrap_or_else(|| "—".to_owned())
}

/// The heat table's figures: one concentration query per region, grouped by category.
async fn heat_table(
    ctx: &Ctx,
    params: &HashMap<String, String>,
) -> Result<Vec<(Region, api::ConcentrationResponse)>, ApiError> {
    let mut heat = Vec::new();
    for region in Region::ALL {
        let mut scoped = params.clone();
        scoped.insert("region".to_owned(), region.code().to_owned());
        let figures: api::ConcentrationResponse = json_of(
            api::market_concentration(
                State(ctx.state.clone()),
                AuthUser(ctx.actor),
                json_accept(),
                QueryParams(market_query(&scoped, &[("group_by", "category")])?),
            )
            .await,
        )
        .await?;
        heat.push((region, figures));
    }
    Ok(heat)
}

async fn market_content(ctx: &Ctx, params: &HashMap<String, String>) -> Result<Markup, ApiError> {
    ctx.require(&[
        Role::Regulator,
        Role::Admin,
        Role::BuyerLead,
        Role::BuyerEvaluator,
    ])?;
    let s = || State(ctx.state.clone());
    let who = || AuthUser(ctx.actor);
    let query = market_query(params, &[])?;
    let share: api::ShareResponse =
        json_of(api::market_share(s(), who(), json_accept(), QueryParams(query)).await).await?;
    let by_category: api::ConcentrationResponse = json_of(
        api::market_concentration(
            s(),
            who(),
            json_accept(),
            QueryParams(market_query(params, &[("group_by", "category")])?),
        )
        .await,
    )
    .await?;
    let by_quarter: api::ConcentrationResponse = json_of(
        api::market_concentration(
            s(),
            who(),
            json_accept(),
            QueryParams(market_query(params, &[("group_by", "quarter")])?),
        )
        .await,
    )
    .await?;
    let heat = heat_table(ctx, params).await?;
    let competition: api::CompetitionResponse = json_of(
        api::market_competition(
            s(),
            who(),
            json_accept(),
            QueryParams(market_query(params, &[])?),
        )
        .await,
    )
    .await?;
    let prices: api::PricesResponse = json_of(
        api::market_prices(
            s(),
            who(),
            json_accept(),
            QueryParams(market_query(params, &[])?),
            QueryParams(api::PricesQuery { at: None }),
        )
        .await,
    )
    .await?;
    let categories = super::ui::category_options(ctx).await?;
    let category_name = |code: &str| {
        categories
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, name)| name.clone())
            .unwrap_or_else(|| code.to_owned())
    };
    let filters = filter_string(params);
    let form = FormState::new(params.clone());
    let category_options = super::ui::choices("All categories", categories.clone());
    let region_options = super::ui::choices("All regions", super::ui::region_options());
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
            "Overall HHI " strong { (format!("{:.0}", by_category.hhi)) } " — " (level_text(&by_category.level))
            " on the " (by_category.scale.name) " scale (moderate from " (by_category.scale.moderate_from) ", high above " (by_category.scale.high_above) "); CR3 " (format!("{:.1}", by_category.cr3)) "%."
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
                            @let level = cell.map(|c| code_of(&c.level)).unwrap_or_else(|| "empty".to_owned());
                            td class=(format!("nhsuk-table__cell nhsuk-table__cell--numeric mkt-heat--{level}")) {
                                span class="nhsuk-table-responsive__heading" aria-hidden="true" { (region.name()) " " }
                                @match cell {
                                    Some(c) if level != "empty" => { (format!("{:.0}", c.hhi)) span class="nhsuk-u-visually-hidden" { " " (words(&level)) } }
                                    _ => { "—" }
                                }
                            }
                        }
                        td class=(format!("nhsuk-table__cell nhsuk-table__cell--numeric mkt-heat--{}", code_of(&group.level))) {
                            (format!("{:.0}", group.hhi)) " " span class="nhsuk-body-s" { (level_text(&group.level)) }
                        }
                    }
                }
            }
        }
        (csv_link("heat", &filters, "concentration by category and region"))
        (csv_link("concentration", &format!("{}{}group_by=category", filters, if filters.is_empty() { "" } else { "&" }), "concentration by category, all regions"))

        h2 { "Concentration by quarter" }
        @let quarters: Vec<api::GroupConcentration> = by_quarter.groups.clone().unwrap_or_default();
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
        p { "Published offers on " (super::ui::day(prices.at)) "." }
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

async fn market_page(ctx: Ctx, Query(params): Query<HashMap<String, String>>) -> Response {
    let built = market_content(&ctx, &params).await;
    ctx.show("Market oversight", built)
}

/// A table of the market pages as the API's CSV (the same handler, asked for `text/csv`).
async fn download(
    ctx: Ctx,
    Path(table): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(header::ACCEPT, HeaderValue::from_static("text/csv"));
    let group_by = params.get("group_by").cloned().unwrap_or_default();
    let extra: Vec<(&str, &str)> = if group_by.is_empty() {
        Vec::new()
    } else {
        vec![("group_by", group_by.as_str())]
    };
    let query = match market_query(&params, &extra) {
        Ok(q) => q,
        Err(error) => return ctx.error(error),
    };
    let s = State(ctx.state.clone());
    let who = AuthUser(ctx.actor);
    let result = match table.as_str() {
        "share.csv" => api::market_share(s, who, headers, QueryParams(query)).await,
        "concentration.csv" => api::market_concentration(s, who, headers, QueryParams(query)).await,
        "competition.csv" => api::market_competition(s, who, headers, QueryParams(query)).await,
        "heat.csv" => heat_csv(&ctx, &params).await,
        "prices.csv" => {
            api::market_prices(
                s,
                who,
                headers,
                QueryParams(query),
                QueryParams(api::PricesQuery { at: None }),
            )
            .await
        }
        _ => Err(ApiError::NotFound("No such download.".to_owned())),
    };
    match result {
        Ok(response) => response,
        Err(error) => ctx.error(error),
    }
}

/// The heat table as CSV: a row per category and region with an award.
async fn heat_csv(ctx: &Ctx, params: &HashMap<String, String>) -> Result<Response, ApiError> {
    ctx.require(&[
        Role::Regulator,
        Role::Admin,
        Role::BuyerLead,
        Role::BuyerEvaluator,
    ])?;
    let rows: Vec<Vec<String>> = heat_table(ctx, params)
        .await?
        .iter()
        .flat_map(|(region, figures)| {
            figures.groups.iter().flatten().map(move |g| {
                vec![
                    g.group.clone(),
                    region.code().to_owned(),
                    format!("{:.2}", g.hhi),
                    code_of(&g.level),
                    format!("{:.2}", g.cr3),
                    g.suppliers.to_string(),
                    g.contracts.to_string(),
                    g.total_value_pence.to_string(),
                ]
            })
        })
        .collect();
    Ok(crate::csv::download(
        "market-concentration-by-category-and-region.csv",
        &[
            "category",
            "region",
            "hhi",
            "level",
            "cr3",
            "suppliers",
            "contracts",
            "total_value_pence",
        ],
        &rows,
    ))
}

async fn merger_content(ctx: &Ctx, params: &HashMap<String, String>) -> Result<Markup, ApiError> {
    ctx.require(&[
        Role::Regulator,
        Role::Admin,
        Role::BuyerLead,
        Role::BuyerEvaluator,
    ])?;
    let options = super::ui::trading_suppliers(ctx, "Choose a supplier").await?;
    let asked = params.get("acquirer").is_some_and(|v| !v.is_empty())
        || params.get("target").is_some_and(|v| !v.is_empty());
    let mut form = FormState::new(params.clone());
    let result = if asked {
        match market_query(params, &[]) {
            Ok(query) => match json_of::<api::MergerSimulationResponse>(
                api::merger_simulation(
                    State(ctx.state.clone()),
                    AuthUser(ctx.actor),
                    json_accept(),
                    QueryParams(query),
                )
                .await,
            )
            .await
            {
                Ok(result) => Some(result),
                Err(
                    error @ (ApiError::Validation(_)
                    | ApiError::BadRequest(_)
                    | ApiError::NotFound(_)
                    | ApiError::Conflict { .. }),
                ) => {
                    form.problems = super::ui::problems_of(&error);
                    if form.problems.iter().all(|p| p.field.is_none()) {
                        form.problems = vec![super::ui::Problem {
                            field: Some("acquirer".to_owned()),
                            message: detail_of(&error),
                        }];
                    }
                    None
                }
                Err(error) => return Err(error),
            },
            Err(error) => {
                form.problems = super::ui::problems_of(&error);
                None
            }
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
                ("HHI before", html! { (format!("{:.0}", r.hhi_before)) " — " (level_text(&r.overall.level_before)) }),
                ("HHI after", html! { (format!("{:.0}", r.hhi_after)) " — " (level_text(&r.overall.level_after)) }),
                ("Change (delta)", html! { strong { (format!("{:+.0}", r.delta_hhi)) } }),
                ("Combined share", html! { (format!("{:.1}%", r.overall.combined_share_percent)) " (" (format!("{:.1}%", r.overall.acquirer_share_percent)) " + " (format!("{:.1}%", r.overall.target_share_percent)) ")" }),
                ("Flagged", html! {
                    @if r.overall.flagged { strong { "Yes" } ": " (r.overall.reasons.join("; ")) } @else { "No" }
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
                        html! { (format!("{:.0}", m.hhi_before)) },
                        html! { (format!("{:.0}", m.hhi_after)) },
                        html! { (format!("{:+.0}", m.delta_hhi)) },
                        html! { @if m.flagged { "Yes: " (m.reasons.join("; ")) } @else { "No" } },
                    ]).collect()))
            }
        }
    })
}

async fn merger_page(ctx: Ctx, Query(params): Query<HashMap<String, String>>) -> Response {
    let built = merger_content(&ctx, &params).await;
    ctx.show("Merger simulator", built)
}

async fn transfers_content(
    ctx: &Ctx,
    form: &FormState,
    confirmation: Option<&str>,
) -> Result<Markup, ApiError> {
    ctx.require(&[Role::Regulator, Role::Admin])?;
    let axum::Json(list) = crate::routes::transfers::list_transfers(
        State(ctx.state.clone()),
        AuthUser(ctx.actor),
        QueryParams(serde_json::from_value(json!({})).map_err(ApiError::internal)?),
    )
    .await?;
    let options = super::ui::trading_suppliers(ctx, "Choose a supplier").await?;
    let kinds = vec![
        (
            "takeover".to_owned(),
            "Takeover: the acquirer takes the whole business over".to_owned(),
        ),
        (
            "merger".to_owned(),
            "Merger: the two combine; the source is merged into the acquirer".to_owned(),
        ),
        (
            "break_up".to_owned(),
            "Break-up: the named contracts of an unviable supplier move".to_owned(),
        ),
        (
            "novation".to_owned(),
            "Novation: the named contracts move".to_owned(),
        ),
    ];
    Ok(html! {
        (notice(confirmation))
        (error_summary(&form.problems))
        h1 { "Mergers, takeovers and transfers" }
        @if list.items.is_empty() {
            p { "No transfer has been recorded." }
        } @else {
            (table("Recorded transfers", &["Effective", "From", "To", "Kind", "Contracts moved"], &[4],
                list.items.iter().map(|t| vec![
                    html! { (super::ui::day(t.effective_date)) },
                    html! { (t.from_supplier_name) },
                    html! { (t.to_supplier_name) },
                    html! { (words(&code_of(&t.kind))) },
                    html! { (t.contract_ids.len()) @if t.offers_withdrawn > 0 { "; " (t.offers_withdrawn) " offers withdrawn" } },
                ]).collect()))
        }
        p { a href="/transfers.csv" download { "Download the transfers (CSV)" } }
        h2 { "Record a transfer" }
        form method="post" action="/transfers" novalidate {
            (csrf_field(&ctx.csrf))
            (Field::new("from_supplier_id", "From (the supplier whose business moves)").select(form, &options))
            (Field::new("to_supplier_id", "To (the acquirer)").select(form, &options))
            (Field::new("kind", "What moves").select(form, &kinds))
            (Field::new("contract_ids", "Contract ids, for a break-up or novation").hint("One or more contract ids, separated by commas or spaces; leave empty for a takeover or merger.").input(form))
            (Field::new("effective_date", "Effective date").kind("date").input(form))
            (Field::new("reason", "Reason").textarea(form))
            button class="nhsuk-button" type="submit" { "Record the transfer" }
        }
    })
}

/// Every recorded transfer as CSV (the same list as the page, page by page from the API).
async fn transfers_csv(ctx: Ctx) -> Response {
    let built = async {
        let mut rows = Vec::new();
        for page in 1..=1000u64 {
            let query = serde_json::from_value(json!({ "page": page, "per_page": 100 }))
                .map_err(ApiError::internal)?;
            let axum::Json(list) = crate::routes::transfers::list_transfers(
                State(ctx.state.clone()),
                AuthUser(ctx.actor),
                QueryParams(query),
            )
            .await?;
            let last = list.items.len() < 100;
            rows.extend(list.items.into_iter().map(|t| {
                vec![
                    t.id.to_string(),
                    t.effective_date.to_string(),
                    code_of(&t.kind),
                    t.from_supplier_id.to_string(),
                    t.from_supplier_name,
                    t.to_supplier_id.to_string(),
                    t.to_supplier_name,
                    t.contract_ids
                        .iter()
                        .map(Uuid::to_string)
                        .collect::<Vec<_>>()
                        .join(" "),
                    t.offers_withdrawn.to_string(),
                    t.reason,
                    t.recorded_at.to_rfc3339(),
                ]
            }));
            if last {
                break;
            }
        }
        Ok::<_, ApiError>(crate::csv::download(
            "transfers.csv",
            &[
                "id",
                "effective_date",
                "kind",
                "from_supplier_id",
                "from_supplier_name",
                "to_supplier_id",
                "to_supplier_name",
                "contract_ids",
                "offers_withdrawn",
                "reason",
                "recorded_at",
            ],
            &rows,
        ))
    }
    .await;
    built.unwrap_or_else(|error| ctx.error(error))
}

async fn transfers_page(ctx: Ctx, Query(confirmation): Query<Done>) -> Response {
    let built = transfers_content(&ctx, &FormState::default(), confirmation.message()).await;
    ctx.show("Transfers", built)
}

async fn record_transfer(ctx: Ctx, posted: Posted) -> Response {
    let contracts: Vec<&str> = posted
        .get("contract_ids")
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect();
    let request = json!({
        "from_supplier_id": posted.get("from_supplier_id"),
        "to_supplier_id": posted.get("to_supplier_id"),
        "kind": posted.get("kind"),
        "contract_ids": if contracts.is_empty() { serde_json::Value::Null } else { json!(contracts) },
        "effective_date": posted.get("effective_date"),
        "reason": posted.text("reason").trim(),
    });
    match crate::routes::transfers::create_transfer(
        State(ctx.state.clone()),
        AuthUser(ctx.actor),
        body(request),
    )
    .await
    {
        Ok(_) => done("/transfers", "transferred"),
        Err(error @ (ApiError::Forbidden(_) | ApiError::NotFound(_))) => ctx.error(error),
        Err(error) => {
            let form = FormState::failed(&posted, &error);
            let built = transfers_content(&ctx, &form, None).await;
            ctx.show_again("Transfers", &error, built)
        }
    }
}

async fn audit_content(ctx: &Ctx, params: &HashMap<String, String>) -> Result<Markup, ApiError> {
    use crate::routes::audit;
    ctx.actor
        .require(domain::access::PlatformAction::ReadAudit)
        .map_err(ApiError::from)?;
    let page = params
        .get("page")
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(1)
        .clamp(1, 100_000);
    let query = serde_json::from_value(json!({ "page": page, "per_page": 50 }))
        .map_err(ApiError::internal)?;
    let axum::Json(events) = audit::list_audit_events(
        State(ctx.state.clone()),
        Permitted::check(ctx.actor)?,
        QueryParams(query),
    )
    .await?;
    let verified = if params.get("verify").is_some_and(|v| v == "1") {
        Some(
            audit::verify_audit_chain(State(ctx.state.clone()), Permitted::check(ctx.actor)?)
                .await?
                .0,
        )
    } else {
        None
    };
    Ok(html! {
        h1 { "Audit log" }
        p { "Every change of state, who made it and when, each entry chained to the one before by its hash." }
        form method="get" action="/audit" {
            input type="hidden" name="verify" value="1";
            button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Verify the chain" }
        }
        @if let Some(v) = &verified {
            @if v.valid {
                div class="nhsuk-inset-text" role="status" { p { strong { "The chain is intact: " } (v.checked) " entries checked." } }
            } @else {
                div class="nhsuk-error-summary" role="alert" tabindex="-1" aria-labelledby="chain-title" {
                    h2 class="nhsuk-error-summary__title" id="chain-title" { "The chain is broken" }
                    div class="nhsuk-error-summary__body" { p { "The first entry that does not match its hash is number " (v.first_bad_seq.unwrap_or_default()) "." } }
                }
            }
        }
        p { (events.total) " entries, newest first. " a href=(format!("/audit.csv?page={page}")) download { "Download these entries (CSV)" } }
        (table("Audit entries", &["When", "Action", "Subject", "Who"], &[],
            events.items.iter().map(|e| {
                vec![
                    html! { (super::ui::when(e.occurred_at)) },
                    html! { code { (e.action) } },
                    html! { (words(&e.entity_type)) " " span class="nhsuk-body-s" { (e.entity_id) } },
                    html! { (e.actor_user_id.map(|u| u.to_string()).unwrap_or_else(|| "the clock (no actor)".to_owned())) },
                ]
            }).collect()))
        nav class="nhsuk-pagination" role="navigation" aria-label="Pagination" {
            ul class="nhsuk-list nhsuk-pagination__list" {
                @if page > 1 {
                    li class="nhsuk-pagination-item--previous" { a class="nhsuk-pagination__link nhsuk-pagination__link--prev" href=(format!("/audit?page={}", page - 1)) { span class="nhsuk-pagination__title" { "Newer entries" } } }
                }
                @if page * 50 < events.total {
                    li class="nhsuk-pagination-item--next" { a class="nhsuk-pagination__link nhsuk-pagination__link--next" href=(format!("/audit?page={}", page + 1)) { span class="nhsuk-pagination__title" { "Older entries" } } }
                }
            }
        }
    })
}

/// The audit entries of one page of the log as CSV, with their hashes (to check them offline).
async fn audit_csv(ctx: Ctx, Query(params): Query<HashMap<String, String>>) -> Response {
    use crate::routes::audit;
    let built = async {
        ctx.actor
            .require(domain::access::PlatformAction::ReadAudit)
            .map_err(ApiError::from)?;
        let page = params
            .get("page")
            .and_then(|p| p.parse::<u64>().ok())
            .unwrap_or(1)
            .clamp(1, 100_000);
        let query = serde_json::from_value(json!({ "page": page, "per_page": 50 }))
            .map_err(ApiError::internal)?;
        let axum::Json(events) = audit::list_audit_events(
            State(ctx.state.clone()),
            Permitted::check(ctx.actor)?,
            QueryParams(query),
        )
        .await?;
        let rows: Vec<Vec<String>> = events
            .items
            .iter()
            .map(|e| {
                vec![
                    e.seq.to_string(),
                    e.occurred_at.to_rfc3339(),
                    e.actor_user_id.map(|u| u.to_string()).unwrap_or_default(),
                    e.actor_organisation_id
                        .map(|u| u.to_string())
                        .unwrap_or_default(),
                    e.action.clone(),
                    e.entity_type.clone(),
                    e.entity_id.clone(),
                    e.prev_hash.clone(),
                    e.hash.clone(),
                ]
            })
            .collect();
        Ok::<_, ApiError>(crate::csv::download(
            &format!("audit-page-{page}.csv"),
            &[
                "seq",
                "occurred_at",
                "actor_user_id",
                "actor_organisation_id",
                "action",
                "entity_type",
                "entity_id",
                "prev_hash",
                "hash",
            ],
            &rows,
        ))
    }
    .await;
    built.unwrap_or_else(|error| ctx.error(error))
}

async fn audit_page(ctx: Ctx, Query(params): Query<HashMap<String, String>>) -> Response {
    let built = audit_content(&ctx, &params).await;
    ctx.show("Audit log", built)
}
