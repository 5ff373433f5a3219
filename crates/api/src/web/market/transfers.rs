//! Recorded transfers (takeovers, mergers, break-ups, novations) and recording one.

use super::*;

pub(crate) async fn transfers_content(
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
    let options = crate::web::ui::trading_suppliers(ctx, "Choose a supplier").await?;
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
                    html! { (crate::web::ui::day(t.effective_date)) },
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
pub(crate) async fn transfers_csv(ctx: Ctx) -> Response {
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
        Ok::<_, ApiError>(crate::csv::download(&service::market::Table {
            file_name: "transfers.csv".to_owned(),
            header: vec![
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
            rows,
        }))
    }
    .await;
    built.unwrap_or_else(|error| ctx.error(error))
}

pub(crate) async fn transfers_page(ctx: Ctx, Query(confirmation): Query<Done>) -> Response {
    let built = transfers_content(&ctx, &FormState::default(), confirmation.message()).await;
    ctx.show("Transfers", built)
}

pub(crate) async fn record_transfer(ctx: Ctx, posted: Posted) -> Response {
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
