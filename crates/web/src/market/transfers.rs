//! Recorded transfers (takeovers, mergers, break-ups, novations) and recording one.

use super::*;
use crate::ui::Content;

pub(crate) async fn transfers_content(
    ctx: &Ctx,
    form: &FormState,
    banner: Option<&str>,
) -> Content {
    ctx.require(domain::access::PlatformAction::RecordTransfers.allowed_roles())?;
    let list = service::transfers::list(
        &ctx.state.ctx,
        &ctx.actor,
        domain::pagination::PageRequest::default(),
    )
    .await?;
    let options = crate::ui::trading_suppliers(ctx, "Choose a supplier").await?;
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
        (notice(banner))
        (error_summary(&form.problems))
        h1 { "Mergers, takeovers and transfers" }
        @if list.items.is_empty() {
            p { "No transfer has been recorded." }
        } @else {
            (table("Recorded transfers", &["Effective", "From", "To", "Kind", "Contracts moved"], &[4],
                list.items.iter().map(|t| vec![
                    html! { (crate::ui::day(t.effective_date)) },
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

/// Every recorded transfer as CSV (the same list as the page, page by page).
pub(crate) async fn transfers_csv(ctx: Ctx) -> Response {
    let built = async {
        let mut rows = Vec::new();
        for page in 1..=1000u64 {
            let list = service::transfers::list(
                &ctx.state.ctx,
                &ctx.actor,
                domain::pagination::PageRequest::new(Some(page), Some(100))?,
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
        Ok::<_, ServiceError>(crate::ui::download(&service::market::Table {
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

pub(crate) async fn transfers_page(ctx: Ctx, Query(banner): Query<Done>) -> Response {
    let built = transfers_content(&ctx, &FormState::default(), banner.message()).await;
    ctx.show("Transfers", built)
}

/// The transfer form as the service's input; a party, a date or a contract id that cannot even
/// be read is an error at its field.
fn transfer_input(posted: &Posted) -> Result<service::transfers::TransferInput, ServiceError> {
    let mut errors = Vec::new();
    let mut party = |field: &str| {
        Uuid::parse_str(posted.get(field))
            .map(OrganisationId::from_uuid)
            .map_err(|_| errors.push(FieldError::new(format!("/{field}"), "choose a supplier")))
            .ok()
    };
    let from = party("from_supplier_id");
    let to = party("to_supplier_id");
    let kind = posted.get("kind").parse().map_err(|_| {
        errors.push(FieldError::new("/kind", "choose the kind of transfer"));
    });
    let date = chrono::NaiveDate::parse_from_str(posted.get("effective_date").trim(), "%Y-%m-%d")
        .map_err(|_| {
            errors.push(FieldError::new(
                "/effective_date",
                "must be a date, like 2026-04-01",
            ));
        });
    let mut contracts = Vec::new();
    for raw in posted
        .get("contract_ids")
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        match Uuid::parse_str(raw) {
            Ok(id) => contracts.push(id),
            Err(_) => errors.push(FieldError::new(
                "/contract_ids",
                format!("{raw:?} is not a contract id"),
            )),
        }
    }
    match (from, to, kind, date) {
        (Some(from), Some(to), Ok(kind), Ok(date)) if errors.is_empty() => {
            Ok(service::transfers::TransferInput {
                from_supplier_id: from,
                to_supplier_id: to,
                effective_date: date,
                kind,
                contract_ids: (!contracts.is_empty()).then_some(contracts),
                reason: posted.text("reason").trim().to_owned(),
            })
        }
        _ => Err(ServiceError::Validation(errors)),
    }
}

pub(crate) async fn record_transfer(ctx: Ctx, posted: Posted) -> Response {
    let recorded = async {
        let input = transfer_input(&posted)?;
        service::transfers::record(&ctx.state.ctx, &ctx.actor, &input).await
    }
    .await;
    match recorded {
        Ok(_) => done("/transfers", "transferred"),
        Err(error) if error.refuses_access() => ctx.error(error),
        Err(error) => {
            let form = FormState::failed(&posted, &error);
            let built = transfers_content(&ctx, &form, None).await;
            ctx.show_again("Transfers", &error, built)
        }
    }
}
