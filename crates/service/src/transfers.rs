//! Transfers of business between suppliers, recorded by the regulator or an admin: a merger or
//! takeover moves every active contract of the source to the target, withdraws the source's
//! offers and marks it merged; a break-up or novation moves named contracts. One transaction,
//! every step audited, each contract keeping its original awardee and its novations.

use crate::{Ctx, ServiceError, audit_json};
use chrono::{DateTime, NaiveDate, Utc};
use domain::DomainError;
use domain::access::{Actor, PlatformAction};
use domain::audit::AuditEntry;
use domain::calendar::uk_date;
use domain::ids::OrganisationId;
use domain::offer::OfferStatus;
use domain::pagination::{Page, PageRequest};
use domain::transfer::{TransferKind, TransferSpec, check_held};
use persistence::Command;
use persistence::transfers::{NewTransfer, Transfer};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

/// A transfer with its parties' names and the contracts it moved.
#[derive(Debug, Clone, Serialize)]
pub struct TransferView {
    pub id: Uuid,
    pub kind: TransferKind,
    pub from_supplier_id: OrganisationId,
    pub from_supplier_name: String,
    pub to_supplier_id: OrganisationId,
    pub to_supplier_name: String,
    pub effective_date: NaiveDate,
    pub whole_business: bool,
    pub reason: String,
    pub contract_ids: Vec<Uuid>,
    pub offers_withdrawn: i32,
    pub recorded_at: DateTime<Utc>,
}

async fn present<C: ConnectionTrait>(
    conn: &C,
    transfer: Transfer,
) -> Result<TransferView, ServiceError> {
    let names = persistence::organisations::names(
        conn,
        &[
            transfer.details.from_supplier_id,
            transfer.details.to_supplier_id,
        ],
    )
    .await?;
    let contract_ids = persistence::transfers::moved_by(conn, transfer.id).await?;
    let name = |id: &OrganisationId| names.get(id).cloned().unwrap_or_default();
    Ok(TransferView {
        id: transfer.id,
        kind: transfer.details.kind,
        from_supplier_name: name(&transfer.details.from_supplier_id),
        to_supplier_name: name(&transfer.details.to_supplier_id),
        from_supplier_id: transfer.details.from_supplier_id,
        to_supplier_id: transfer.details.to_supplier_id,
        effective_date: transfer.details.effective_date,
        whole_business: transfer.details.whole_business,
        reason: transfer.details.reason,
        contract_ids,
        offers_withdrawn: transfer.details.offers_withdrawn,
        recorded_at: transfer.recorded_at,
    })
}

/// A transfer as the regulator records it, before it is checked.
#[derive(Debug, Clone)]
pub struct TransferInput {
    pub from_supplier_id: OrganisationId,
    pub to_supplier_id: OrganisationId,
    pub effective_date: NaiveDate,
    pub kind: TransferKind,
    /// The contracts moved by a break-up or novation; none for a merger or takeover.
    pub contract_ids: Option<Vec<Uuid>>,
    pub reason: String,
}

/// The regulator (or an admin) records a transfer.
pub async fn record(
    ctx: &Ctx,
    actor: &Actor,
    input: &TransferInput,
) -> Result<TransferView, ServiceError> {
    actor.require(PlatformAction::RecordTransfers)?;
    let command = ctx.command().await?;
    let shown = record_in(&command, *actor, input).await?;
    command.commit().await?;
    Ok(shown)
}

/// Carries out a transfer inside `command`, auditing every step (transitional: the demo loader
/// calls it directly).
async fn record_in(
    command: &Command,
    actor: Actor,
    input: &TransferInput,
) -> Result<TransferView, ServiceError> {
    let conn = command.conn();
    let from = persistence::organisations::find(conn, input.from_supplier_id).await?;
    let to = persistence::organisations::find(conn, input.to_supplier_id).await?;
    let spec = TransferSpec::parse(
        input.kind,
        from.as_ref(),
        to.as_ref(),
        input.contract_ids.as_deref(),
        &input.reason,
    )?;
    let (Some(from), Some(to)) = (from, to) else {
        return Err(ServiceError::Internal("transfer parties vanished".into()));
    };
    let held =
        persistence::transfers::active_contracts_of(conn, from.id, uk_date(command.now())).await?;
    let moving = match &spec.contract_ids {
        Some(named) => {
            check_held(named, &held)?;
            named.clone()
        }
        None => held,
    };
    let offers = if spec.whole_business() {
        persistence::offers::of_supplier(conn, from.id, OfferStatus::Published).await?
    } else {
        Vec::new()
    };
    let transfer = persistence::transfers::insert(
        conn,
        NewTransfer {
            kind: spec.kind,
            from_supplier_id: from.id,
            to_supplier_id: to.id,
            effective_date: input.effective_date,
            whole_business: spec.whole_business(),
            reason: spec.reason.clone(),
            contracts_moved: i32::try_from(moving.len()).unwrap_or(i32::MAX),
            offers_withdrawn: i32::try_from(offers.len()).unwrap_or(i32::MAX),
            recorded_by: actor.user_id,
        },
        command.now(),
    )
    .await?;
    persistence::transfers::novate(conn, &transfer, &moving, command.now()).await?;
    let today = uk_date(command.now());
    for contract in &moving {
        // Each novation is a contract change, published as its UK10 in its procurement's chain
        // (under the tender's lock).
        let Some(stored) = persistence::contracts::find(conn, *contract, today).await? else {
            continue;
        };
        let tender = persistence::tenders::find_for_update(conn, stored.terms.tender_id)
            .await?
            .ok_or(domain::DomainError::NotFound("tender"))?;
        let amendment = json!({
            "id": transfer.id,
            "date": command.now(),
            "description": format!(
                "Novated from {} to {} ({}), effective {}.",
                from.name,
                to.name,
                transfer.details.kind.as_str(),
                transfer.details.effective_date
            ),
            "rationale": transfer.details.reason,
        });
        crate::notices::publish_for_tender_with(
            command,
            Some(&actor),
            domain::notice::NoticeType::Uk10,
            &tender,
            tender.status,
            Some(*contract),
            json!({
                "change": "novation",
                "transfer_id": transfer.id,
                "effective_date": transfer.details.effective_date,
                "supplier_removed": {"id": from.id, "name": from.name},
                "supplier_added": {"id": to.id, "name": to.name},
                "reason": transfer.details.reason,
            }),
            |release| crate::ocds::with_novation(release, *contract, &amendment, &from, &to),
        )
        .await?;
        command
            .audit(
                AuditEntry::new(Some(actor), "contract.novated", "contract", contract)
                    .before(json!({"supplier_id": from.id}))
                    .after(json!({
                        "supplier_id": to.id,
                        "transfer_id": transfer.id,
                        "effective_date": transfer.details.effective_date,
                    })),
            )
            .await?;
    }
    for offer in offers {
        crate::offers::transition_in(
            command,
            Some(actor),
            offer,
            OfferStatus::withdraw,
            "offer.withdrawn",
        )
        .await?;
    }
    if spec.whole_business() {
        move_framework_places(command, actor, &from, &to, &transfer).await?;
        let merged =
            persistence::organisations::set_successor(conn, from.id, to.id, command.now()).await?;
        command
            .audit(
                AuditEntry::new(
                    Some(actor),
                    "organisation.succeeded",
                    "organisation",
                    merged.id,
                )
                .before(json!({"successor_id": from.successor_id}))
                .after(json!({"successor_id": merged.successor_id})),
            )
            .await?;
    }
    let shown = present(conn, transfer).await?;
    command
        .audit(
            AuditEntry::new(Some(actor), "transfer.recorded", "transfer", shown.id)
                .after(audit_json(&shown)?),
        )
        .await?;
    Ok(shown)
}

/// A takeover or merger moves the source's framework places to the target: on each framework
/// agreement changed, one contract change notice (UK10) in the framework's procurement chain.
/// A place on a lot the target already holds ends instead (one supplier, one place).
async fn move_framework_places(
    command: &Command,
    actor: Actor,
    from: &domain::organisation::Organisation,
    to: &domain::organisation::Organisation,
    transfer: &persistence::transfers::Transfer,
) -> Result<(), ServiceError> {
    let conn = command.conn();
    let places = persistence::frameworks::places_of(conn, from.id).await?;
    let mut frameworks: Vec<domain::ids::FrameworkId> = Vec::new();
    for place in &places {
        if !frameworks.contains(&place.framework_id) {
            frameworks.push(place.framework_id);
        }
    }
    let today = uk_date(command.now());
    for framework_id in frameworks {
        let Some(framework) = persistence::frameworks::find(conn, framework_id, today).await?
        else {
            continue;
        };
        let tender = persistence::tenders::find_for_update(conn, framework.tender_id)
            .await?
            .ok_or(DomainError::NotFound("tender"))?;
        let mut moved = Vec::new();
        for place in places.iter().filter(|p| p.framework_id == framework_id) {
            let held =
                persistence::frameworks::holds_place(conn, framework_id, place.lot_id, to.id)
                    .await?;
            persistence::frameworks::move_place(conn, place, to.id, held, command.now()).await?;
            moved.push(json!({"lot_id": place.lot_id, "ended": held}));
        }
        crate::notices::publish_for_tender(
            command,
            Some(&actor),
            domain::notice::NoticeType::Uk10,
            &tender,
            tender.status,
            None,
            json!({
                "change": "framework_places",
                "framework_id": framework_id,
                "transfer_id": transfer.id,
                "effective_date": transfer.details.effective_date,
                "supplier_removed": {"id": from.id, "name": from.name},
                "supplier_added": {"id": to.id, "name": to.name},
                "places": moved,
                "reason": transfer.details.reason,
            }),
        )
        .await?;
        command
            .audit(
                AuditEntry::new(
                    Some(actor),
                    "framework.places_moved",
                    "framework",
                    framework_id,
                )
                .before(json!({"supplier_id": from.id}))
                .after(json!({
                    "supplier_id": to.id,
                    "transfer_id": transfer.id,
                    "places": moved,
                })),
            )
            .await?;
    }
    Ok(())
}

/// The transfers recorded, newest first (the regulator and admins).
pub async fn list(
    ctx: &Ctx,
    actor: &Actor,
    page: PageRequest,
) -> Result<Page<TransferView>, ServiceError> {
    actor.require(PlatformAction::RecordTransfers)?;
    let conn = ctx.db().conn();
    let found = persistence::transfers::list(conn, page).await?;
    let mut items = Vec::with_capacity(found.items.len());
    for transfer in found.items {
        items.push(present(conn, transfer).await?);
    }
    Ok(Page {
        items,
        total: found.total,
        total_exact: true,
        page: found.page,
        per_page: found.per_page,
    })
}

/// One transfer (the regulator and admins).
pub async fn get(ctx: &Ctx, actor: &Actor, id: Uuid) -> Result<TransferView, ServiceError> {
    actor.require(PlatformAction::RecordTransfers)?;
    let conn = ctx.db().conn();
    let transfer = persistence::transfers::find(conn, id)
        .await?
        .ok_or(DomainError::NotFound("transfer"))?;
    present(conn, transfer).await
}
