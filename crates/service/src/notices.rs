//! Public notices (Procurement Act 2023 UK2–UK12): a buyer lead publishes a preliminary market
//! engagement (UK2) or planned procurement (UK3) notice; every other notice is published by the
//! command that causes it, in its transaction, audited with it. Reading them needs no sign-in:
//! transparency notices are public by law. Each is one OCDS release of the Find a Tender profile,
//! fixed when it is published.

use crate::{Ctx, ServiceError};
use domain::DomainError;
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::ids::{NoticeId, OrganisationId};
use domain::notice::{BuyerNotice, BuyerNoticeFields, NoticeType};
use domain::pagination::{Page, PageRequest};
use domain::tender::{self, TenderStatus};
use persistence::Command;
use persistence::notices::{NewNotice, Notice, NoticeFilter};
use persistence::tenders::Tender;
use serde_json::{Value, json};
use uuid::Uuid;

/// What the audit log and the API show of a notice: everything it published but its release.
pub fn public_value(notice: &Notice, buyer_name: &str) -> Value {
    json!({
        "id": notice.id,
        "notice_type": notice.notice_type.as_str(),
        "name": notice.notice_type.name(),
        "buyer_id": notice.buyer_id,
        "buyer_name": buyer_name,
        "tender_id": notice.tender_id,
        "contract_id": notice.contract_id,
        "sequence": notice.sequence,
        "previous_id": notice.previous_id,
        "title": notice.title,
        "description": notice.description,
        "category": notice.category,
        "region": notice.region.code(),
        "published_at": notice.published_at,
        "details": notice.details,
    })
}

/// A notice with its buyer's name, as everyone reads it.
#[derive(Debug, Clone)]
pub struct NoticeView {
    pub notice: Notice,
    pub buyer_name: String,
}

async fn audited(
    command: &Command,
    actor: Option<&Actor>,
    notice: &Notice,
) -> Result<(), ServiceError> {
    let buyer_name = persistence::organisations::name(command.conn(), notice.buyer_id).await?;
    command
        .audit(
            AuditEntry::new(actor.copied(), "notice.published", "notice", notice.id)
                .after(public_value(notice, &buyer_name)),
        )
        .await?;
    Ok(())
}

/// A buyer lead publishes a preliminary market engagement (UK2) or planned procurement (UK3)
/// notice for its organisation.
pub async fn publish_buyer_notice(
    ctx: &Ctx,
    actor: &Actor,
    input: &BuyerNoticeFields,
) -> Result<NoticeView, ServiceError> {
    tender::require_tender_manager(actor)?;
    let command = ctx.command().await?;
    let parsed = BuyerNotice::parse(input, command.now())?;
    if !persistence::reference::category_exists(command.conn(), &parsed.category).await? {
        return Err(ServiceError::field(
            "/category",
            "is not a known category code",
        ));
    }
    let buyer = persistence::organisations::get(command.conn(), actor.organisation_id).await?;
    let details = match parsed.notice_type {
        NoticeType::Uk2 => json!({"engagement_deadline": parsed.engagement_deadline}),
        _ => json!({
            "estimated_value_pence": parsed.estimated_value_pence,
            "expected_tender_notice_date": parsed.expected_tender_notice_date,
        }),
    };
    let now = command.now();
    let notice = persistence::notices::insert(
        command.conn(),
        NewNotice {
            notice_type: parsed.notice_type,
            buyer_id: buyer.id,
            tender_id: None,
            contract_id: None,
            title: parsed.title.clone(),
            description: parsed.description.clone(),
            category: parsed.category.clone(),
            region: parsed.region,
            published_by: Some(actor.user_id),
            details,
        },
        now,
        |id, _| crate::ocds::planning_release(id, &parsed, &buyer, now),
    )
    .await?;
    audited(&command, Some(actor), &notice).await?;
    command.commit().await?;
    Ok(NoticeView {
        notice,
        buyer_name: buyer.name,
    })
}

/// Publishes a direct award call-off's contract award (UK6) or contract details (UK7) notice:
/// a contracting process of its own (its ocid is the call-off's), related to its framework.
pub(crate) async fn publish_for_call_off(
    command: &Command,
    actor: &Actor,
    notice_type: NoticeType,
    call_off: &crate::call_offs::CallOffView,
    framework: &persistence::frameworks::Framework,
    chosen: &persistence::call_offs::ShortlistEntry,
    contract: &persistence::contracts::Contract,
) -> Result<Notice, ServiceError> {
    let conn = command.conn();
    let buyer = persistence::organisations::get(conn, call_off.call_off.buyer_id).await?;
    let supplier = persistence::organisations::get(conn, chosen.supplier_id).await?;
    let now = command.now();
    let details = json!({
        "call_off_id": call_off.call_off.id,
        "framework_id": framework.id,
        "lot_id": call_off.call_off.lot_id,
        "method": call_off.call_off.method.as_str(),
        "supplier_id": supplier.id,
        "supplier_name": supplier.name,
        "offer_id": chosen.offer_id,
        "annual_value_pence": contract.terms.annual_value_pence,
        "total_value_pence": contract.terms.total_value_pence,
        "start_date": contract.terms.start_date,
        "end_date": contract.terms.end_date,
        "justification": call_off.call_off.justification,
    });
    let notice = persistence::notices::insert(
        conn,
        NewNotice {
            notice_type,
            buyer_id: buyer.id,
            tender_id: None,
            contract_id: Some(contract.id),
            title: call_off.call_off.title.clone(),
            description: format!("Called off from {} by direct award.", framework.title),
            category: framework.category.clone(),
            region: contract.terms.region,
            published_by: Some(actor.user_id),
            details,
        },
        now,
        |id, _| {
            crate::ocds::call_off_release(
                id,
                notice_type,
                call_off,
                framework,
                &buyer,
                &supplier,
                contract,
                now,
            )
        },
    )
    .await?;
    audited(command, Some(actor), &notice).await?;
    Ok(notice)
}

/// Publishes a notice of `tender` inside `command` (which holds its lock), with the tender's
/// public release at this moment; `details` is what this type of notice adds. `actor` is the
/// user whose command causes it (`None`: the clock, as when a tender closes with no bid).
pub(crate) async fn publish_for_tender(
    command: &Command,
    actor: Option<&Actor>,
    notice_type: NoticeType,
    tender: &Tender,
    status: TenderStatus,
    contract_id: Option<Uuid>,
    details: Value,
) -> Result<Notice, ServiceError> {
    publish_for_tender_with(
        command,
        actor,
        notice_type,
        tender,
        status,
        contract_id,
        details,
        |_| {},
    )
    .await
}

/// [`publish_for_tender`], with `adjust` adding to the release what only this notice says (a
/// contract change notice's amendment).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn publish_for_tender_with(
    command: &Command,
    actor: Option<&Actor>,
    notice_type: NoticeType,
    tender: &Tender,
    status: TenderStatus,
    contract_id: Option<Uuid>,
    details: Value,
    adjust: impl FnOnce(&mut Value),
) -> Result<Notice, ServiceError> {
    let now = command.now();
    let amended = notice_type == NoticeType::Uk4
        && persistence::notices::last_of(command.conn(), tender.id)
            .await?
            .is_some_and(|n| n.notice_type == NoticeType::Uk4);
    let mut release = crate::ocds::public_release(command.conn(), tender, status, now).await?;
    adjust(&mut release);
    let notice = persistence::notices::insert(
        command.conn(),
        NewNotice {
            notice_type,
            buyer_id: tender.buyer_id,
            tender_id: Some(tender.id),
            contract_id,
            title: tender.title.clone(),
            description: tender.description.clone(),
            category: tender.category.clone(),
            region: tender.region,
            published_by: actor.map(|a| a.user_id),
            details,
        },
        now,
        |id, _| crate::ocds::as_notice_release(release, id, notice_type, amended, now),
    )
    .await?;
    audited(command, actor, &notice).await?;
    Ok(notice)
}

/// Whether the procurement has published a notice (an advertised one has its tender notice).
pub(crate) async fn has_notice<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tender: domain::ids::TenderId,
) -> Result<bool, ServiceError> {
    Ok(persistence::notices::last_of(conn, tender).await?.is_some())
}

/// Publishes the procurement termination notice (UK12) of an advertised procurement that ends
/// without a contract: cancelled, or no compliant tender (s.55).
pub(crate) async fn terminated(
    command: &Command,
    actor: Option<&Actor>,
    tender: &Tender,
    status: TenderStatus,
    reason: &str,
) -> Result<(), ServiceError> {
    terminated_lot(command, actor, tender, status, None, reason).await
}

/// [`terminated`], for one lot of a divided tender when `lot` is named: the procurement of
/// that lot ends while the others go on.
pub(crate) async fn terminated_lot(
    command: &Command,
    actor: Option<&Actor>,
    tender: &Tender,
    status: TenderStatus,
    lot: Option<&persistence::tenders::Lot>,
    reason: &str,
) -> Result<(), ServiceError> {
    if has_notice(command.conn(), tender.id).await? {
        let mut details = json!({"outcome": status.as_str(), "reason": reason});
        if let Some(lot) = lot {
            details["lot_id"] = json!(lot.id);
            details["lot_title"] = json!(lot.title);
        }
        publish_for_tender(
            command,
            actor,
            NoticeType::Uk12,
            tender,
            status,
            None,
            details,
        )
        .await?;
    }
    Ok(())
}

async fn viewed(ctx: &Ctx, notices: Vec<Notice>) -> Result<Vec<NoticeView>, ServiceError> {
    let ids: Vec<OrganisationId> = notices.iter().map(|n| n.buyer_id).collect();
    let names = persistence::organisations::names(ctx.db().conn(), &ids).await?;
    Ok(notices
        .into_iter()
        .map(|mut notice| {
            notice.release = crate::ocds::presented(ctx, notice.release);
            NoticeView {
                buyer_name: names.get(&notice.buyer_id).cloned().unwrap_or_default(),
                notice,
            }
        })
        .collect())
}

/// One notice: public.
pub async fn get(ctx: &Ctx, id: NoticeId) -> Result<NoticeView, ServiceError> {
    let notice = persistence::notices::find(ctx.db().conn(), id)
        .await?
        .ok_or(DomainError::NotFound("notice"))?;
    Ok(viewed(ctx, vec![notice]).await?.remove(0))
}

/// A page of notices, newest first: public.
pub async fn list(
    ctx: &Ctx,
    filter: &NoticeFilter,
    page: PageRequest,
) -> Result<Page<NoticeView>, ServiceError> {
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && to < from
    {
        return Err(ServiceError::field("/to", "must not be before from"));
    }
    let found = persistence::notices::list(ctx.db().conn(), filter, page).await?;
    let items = viewed(ctx, found.items).await?;
    Ok(Page {
        items,
        total: found.total,
        total_exact: found.total_exact,
        page: found.page,
        per_page: found.per_page,
    })
}

/// A tender's notices in order: public once the tender is.
pub async fn of_tender(
    ctx: &Ctx,
    tender: domain::ids::TenderId,
) -> Result<Vec<NoticeView>, ServiceError> {
    let notices = persistence::notices::of_tender(ctx.db().conn(), tender).await?;
    viewed(ctx, notices).await
}

/// A page of notices as a download table: one row a notice, its details as JSON text.
pub fn table(page: &Page<NoticeView>) -> crate::market::Table {
    crate::market::Table {
        file_name: "notices.csv".to_owned(),
        header: vec![
            "id",
            "notice_type",
            "name",
            "published_at",
            "buyer_id",
            "buyer_name",
            "tender_id",
            "sequence",
            "title",
            "category",
            "region",
            "details",
        ],
        rows: page
            .items
            .iter()
            .map(|v| {
                let n = &v.notice;
                vec![
                    n.id.to_string(),
                    n.notice_type.as_str().to_owned(),
                    n.notice_type.name().to_owned(),
                    n.published_at.to_rfc3339(),
                    n.buyer_id.to_string(),
                    v.buyer_name.clone(),
                    n.tender_id.map(|t| t.to_string()).unwrap_or_default(),
                    n.sequence.to_string(),
                    n.title.clone(),
                    n.category.clone(),
                    n.region.code().to_owned(),
                    n.details.to_string(),
                ]
            })
            .collect(),
    }
}
