//! Contracts and supplier performance: the contracts an actor may see, the buyer's periodic
//! reviews of its supplier, and each supplier's rating from those reviews.

use crate::{Ctx, ServiceError};
use chrono::{DateTime, NaiveDate, Utc};
use domain::DomainError;
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::calendar::uk_date;
use domain::contract::{Review, can_view_contract};
use domain::ids::OrganisationId;
use domain::organisation::OrganisationKind;
use domain::pagination::{Page, PageRequest};
use persistence::contracts::{
    Contract, ContractAudience, ContractFilter, RatingSums, StoredReview,
};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// A contract with the names of its parties, and its holders when read alone.
#[derive(Debug, Clone, Serialize)]
pub struct ContractView {
    #[serde(flatten)]
    pub contract: Contract,
    pub buyer_name: String,
    pub supplier_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holders: Option<Vec<Holder>>,
}

/// Who held a contract, and from when to when.
#[derive(Debug, Clone, Serialize)]
pub struct Holder {
    pub supplier_id: OrganisationId,
    pub supplier_name: String,
    pub from_date: NaiveDate,
    pub to_date: Option<NaiveDate>,
    pub transfer_id: Option<Uuid>,
}

fn view_of(contract: Contract, names: &HashMap<OrganisationId, String>) -> ContractView {
    let name = |id: &OrganisationId| names.get(id).cloned().unwrap_or_default();
    ContractView {
        buyer_name: name(&contract.terms.buyer_id),
        supplier_name: name(&contract.supplier_id),
        contract,
        holders: None,
    }
}

/// The contract with its parties' names (what lists and the audit log show).
pub(crate) async fn present<C: ConnectionTrait>(
    conn: &C,
    contract: Contract,
) -> Result<ContractView, ServiceError> {
    let names =
        persistence::organisations::names(conn, &[contract.terms.buyer_id, contract.supplier_id])
            .await?;
    Ok(view_of(contract, &names))
}

/// The contract with every holder since the award, novation by novation.
async fn with_holders<C: ConnectionTrait>(
    conn: &C,
    contract: Contract,
) -> Result<ContractView, ServiceError> {
    let novations = persistence::transfers::novations_of(conn, contract.id).await?;
    let mut ids = vec![
        contract.terms.buyer_id,
        contract.supplier_id,
        contract.terms.awarded_supplier_id,
    ];
    ids.extend(novations.iter().map(|n| n.to_supplier_id));
    let names = persistence::organisations::names(conn, &ids).await?;
    let name = |id: &OrganisationId| names.get(id).cloned().unwrap_or_default();
    let mut holders = vec![Holder {
        supplier_id: contract.terms.awarded_supplier_id,
        supplier_name: name(&contract.terms.awarded_supplier_id),
        from_date: contract.terms.start_date,
        to_date: None,
        transfer_id: None,
    }];
    for novation in &novations {
        if let Some(last) = holders.last_mut() {
            last.to_date = novation.effective_date.pred_opt();
        }
        holders.push(Holder {
            supplier_id: novation.to_supplier_id,
            supplier_name: name(&novation.to_supplier_id),
            from_date: novation.effective_date,
            to_date: None,
            transfer_id: Some(novation.transfer_id),
        });
    }
    let mut shown = view_of(contract, &names);
    shown.holders = Some(holders);
    Ok(shown)
}

async fn visible_contract<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    id: Uuid,
    today: NaiveDate,
) -> Result<Contract, ServiceError> {
    Ok(persistence::contracts::find(conn, id, today)
        .await?
        .filter(|c| can_view_contract(actor, &c.parties()))
        .ok_or(DomainError::NotFound("contract"))?)
}

/// The contracts `actor` may see, filtered, a page at a time.
pub async fn list(
    ctx: &Ctx,
    actor: &Actor,
    filter: &ContractFilter,
    page: PageRequest,
) -> Result<Page<ContractView>, ServiceError> {
    let now = ctx.now().await?;
    let conn = ctx.db().conn();
    let audience = ContractAudience::of(actor);
    let found = persistence::contracts::list(conn, audience, filter, uk_date(now), page).await?;
    let orgs: Vec<OrganisationId> = found
        .items
        .iter()
        .flat_map(|c| [c.terms.buyer_id, c.supplier_id])
        .collect();
    let names = persistence::organisations::names(conn, &orgs).await?;
    Ok(found.map(|c| view_of(c, &names)))
}

/// One contract with its holders, if `actor` may see it.
pub async fn get(ctx: &Ctx, actor: &Actor, id: Uuid) -> Result<ContractView, ServiceError> {
    let now = ctx.now().await?;
    let conn = ctx.db().conn();
    let contract = visible_contract(conn, actor, id, uk_date(now)).await?;
    with_holders(conn, contract).await
}

/// The buying organisation's lead terminates the contract early, with the reason.
pub async fn terminate(
    ctx: &Ctx,
    actor: &Actor,
    id: Uuid,
    reason: &str,
) -> Result<ContractView, ServiceError> {
    let reason = domain::evaluation::reason(reason)?;
    close(ctx, actor, id, Closing::Terminated(&reason)).await
}

/// The buyer's lead records that an active contract ended at the end of its term (from its
/// last day on), publishing its contract termination notice (UK11).
pub async fn end(ctx: &Ctx, actor: &Actor, id: Uuid) -> Result<ContractView, ServiceError> {
    close(ctx, actor, id, Closing::Ended).await
}

/// How a contract comes to an end.
#[derive(Clone, Copy)]
enum Closing<'a> {
    /// Early, by the buyer, for this reason.
    Terminated(&'a str),
    /// At the end of its term.
    Ended,
}

/// Ends or terminates the contract in one command, with its UK11 and audit entry. The contract's
/// tender is locked first: its notices are one chain, written one at a time.
async fn close(
    ctx: &Ctx,
    actor: &Actor,
    id: Uuid,
    closing: Closing<'_>,
) -> Result<ContractView, ServiceError> {
    let command = ctx.command().await?;
    let today = uk_date(command.now());
    let found = visible_contract(command.conn(), actor, id, today).await?;
    let verb = match closing {
        Closing::Terminated(_) => "terminate",
        Closing::Ended => "end",
    };
    domain::contract::require_contract_lead(actor, &found.parties(), verb)?;
    let tender = persistence::tenders::find_for_update(command.conn(), found.terms.tender_id)
        .await?
        .ok_or(DomainError::NotFound("tender"))?;
    // Read again under the lock: a concurrent close is seen.
    let contract = persistence::contracts::find(command.conn(), id, today)
        .await?
        .ok_or(DomainError::NotFound("contract"))?;
    let now = command.now();
    let (action, details) = match closing {
        Closing::Terminated(reason) => {
            contract.status.terminate()?;
            persistence::contracts::terminate(command.conn(), contract.id, reason, now).await?;
            (
                "contract.terminated",
                serde_json::json!({"reason": reason, "terminated_at": now}),
            )
        }
        Closing::Ended => {
            contract
                .status
                .end(contract.terms.end_date, today, contract.ended_at.is_some())?;
            persistence::contracts::end(command.conn(), contract.id, now).await?;
            (
                "contract.ended",
                serde_json::json!({
                    "reason": "The contract expired at the end of its term.",
                    "end_date": contract.terms.end_date,
                    "ended_at": now,
                }),
            )
        }
    };
    let before = present(command.conn(), contract.clone()).await?;
    let after = persistence::contracts::find(command.conn(), id, today)
        .await?
        .ok_or(DomainError::NotFound("contract"))?;
    let shown = present(command.conn(), after).await?;
    let mut details = details;
    details["supplier_name"] = serde_json::json!(shown.supplier_name);
    // Why it ended, as the UK profile classifies a termination (our own scheme: the Act
    // publishes no codelist for it).
    let rationale = serde_json::json!([{
        "scheme": "x_CSMKT_TERMINATION",
        "id": if matches!(closing, Closing::Ended) { "expired" } else { "terminated_early" },
        "description": details["reason"],
    }]);
    crate::notices::publish_for_tender_with(
        &command,
        Some(actor),
        domain::notice::NoticeType::Uk11,
        &tender,
        tender.status,
        Some(contract.id),
        details,
        |release| {
            if let Some(contracts) = release["contracts"].as_array_mut() {
                for c in contracts
                    .iter_mut()
                    .filter(|c| c["id"] == serde_json::json!(id))
                {
                    c["terminationRationaleClassifications"] = rationale.clone();
                }
            }
        },
    )
    .await?;
    command
        .audit(
            AuditEntry::by(actor, action, "contract", contract.id)
                .before(crate::audit_json(&before)?)
                .after(crate::audit_json(&shown)?),
        )
        .await?;
    command.commit().await?;
    Ok(shown)
}

/// A performance review as the buyer's lead fills it in, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    pub period: String,
    pub delivery: i64,
    pub quality: i64,
    pub value_for_money: i64,
    pub responsiveness: i64,
    pub comments: Option<String>,
}

/// What the audit log keeps of a review: all of it, flat.
fn review_value(r: &StoredReview) -> serde_json::Value {
    serde_json::json!({
        "id": r.id,
        "contract_id": r.contract_id,
        "supplier_id": r.supplier_id,
        "buyer_id": r.buyer_id,
        "period": r.review.period,
        "delivery": r.review.marks.delivery,
        "quality": r.review.marks.quality,
        "value_for_money": r.review.marks.value_for_money,
        "responsiveness": r.review.marks.responsiveness,
        "comments": r.review.comments,
        "reviewed_at": r.reviewed_at,
    })
}

/// The buying organisation's lead records a periodic review of the contract's supplier.
pub async fn review(
    ctx: &Ctx,
    actor: &Actor,
    id: Uuid,
    input: &ReviewInput,
) -> Result<StoredReview, ServiceError> {
    let command = ctx.command().await?;
    let contract = visible_contract(command.conn(), actor, id, uk_date(command.now())).await?;
    domain::contract::require_contract_lead(actor, &contract.parties(), "review")?;
    let review = Review::parse(
        &input.period,
        input.delivery,
        input.quality,
        input.value_for_money,
        input.responsiveness,
        input.comments.as_deref(),
    )?;
    let stored = persistence::contracts::insert_review(
        command.conn(),
        &contract,
        &review,
        actor.user_id,
        command.now(),
    )
    .await?;
    command
        .audit(
            AuditEntry::by(actor, "contract.reviewed", "contract", contract.id)
                .after(review_value(&stored)),
        )
        .await?;
    command.commit().await?;
    Ok(stored)
}

/// The contract's reviews, if `actor` may see the contract.
pub async fn reviews(
    ctx: &Ctx,
    actor: &Actor,
    id: Uuid,
) -> Result<Vec<StoredReview>, ServiceError> {
    let now = ctx.now().await?;
    let conn = ctx.db().conn();
    let contract = visible_contract(conn, actor, id, uk_date(now)).await?;
    Ok(persistence::contracts::reviews(conn, contract.id).await?)
}

/// A supplier's rating from buyers' performance reviews, weighted by age.
#[derive(Debug, Clone, Serialize)]
pub struct Rating {
    pub reviews: i64,
    pub overall: f64,
    pub delivery: f64,
    pub quality: f64,
    pub value_for_money: f64,
    pub responsiveness: f64,
    pub last_reviewed_at: Option<DateTime<Utc>>,
}

impl From<&RatingSums> for Rating {
    fn from(sums: &RatingSums) -> Self {
        Self {
            reviews: sums.reviews,
            overall: two_places(
                sums.delivery + sums.quality + sums.value_for_money + sums.responsiveness,
                4 * sums.weight,
            ),
            delivery: two_places(sums.delivery, sums.weight),
            quality: two_places(sums.quality, sums.weight),
            value_for_money: two_places(sums.value_for_money, sums.weight),
            responsiveness: two_places(sums.responsiveness, sums.weight),
            last_reviewed_at: sums.last_reviewed_at,
        }
    }
}

fn two_places(sum: i64, weight: i64) -> f64 {
    if weight == 0 {
        return 0.0;
    }
    // Rounded half up to 2 places in integers, then shown as the nearest f64.
    let hundredths = (sum * 200 + weight) / (2 * weight);
    #[allow(clippy::cast_precision_loss)]
    let value = hundredths as f64 / 100.0;
    value
}

/// The ratings of `suppliers` now (those without reviews are absent).
pub async fn ratings<C: ConnectionTrait>(
    conn: &C,
    suppliers: &[OrganisationId],
    now: DateTime<Utc>,
) -> Result<HashMap<OrganisationId, Rating>, ServiceError> {
    Ok(persistence::contracts::ratings(conn, suppliers, now)
        .await?
        .iter()
        .map(|(id, sums)| (*id, Rating::from(sums)))
        .collect())
}

/// A supplier's name and rating (any signed-in user).
pub async fn rating_of(
    ctx: &Ctx,
    supplier: OrganisationId,
) -> Result<(domain::organisation::Organisation, Option<Rating>), ServiceError> {
    let conn = ctx.db().conn();
    let organisation = persistence::organisations::find(conn, supplier)
        .await?
        .filter(|o| o.kind == OrganisationKind::Supplier)
        .ok_or(DomainError::NotFound("supplier"))?;
    let now = ctx.now().await?;
    let rating = ratings(conn, &[organisation.id], now)
        .await?
        .remove(&organisation.id);
    Ok((organisation, rating))
}
