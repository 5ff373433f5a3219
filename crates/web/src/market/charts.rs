//! The market's figures drawn on the server as accessible SVG charts and a heat table.

use super::*;

/// An SVG chart from the charting crate, given an accessible name and a description that says
/// what it shows (the same figures are in the table beside it).
pub(crate) fn figure(
    title: &str,
    description: &str,
    svg: Result<String, charts_rs::Error>,
) -> Markup {
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

pub(crate) const NHS_BLUE: &str = "#005eb8";

pub(crate) fn share_chart(items: &[market::ShareItem]) -> Markup {
    let shown: Vec<&market::ShareItem> = items.iter().take(12).collect();
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

pub(crate) fn quarter_chart(
    groups: &[market::GroupConcentration],
    scale: &ConcentrationScale,
) -> Markup {
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

pub(crate) fn level_text(level: &ConcentrationLevel) -> String {
    words(level.as_str())
}

pub(crate) fn percent(value: Option<f64>) -> String {
    value
        .map(|v| format!("{v:.1}%"))
        .unwrap_or_else(|| "—".to_owned())
}
