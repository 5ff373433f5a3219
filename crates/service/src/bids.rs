//! Sealed bids: a supplier submits, revises, withdraws and confirms its one live bid on a tender
//! until the submission deadline, by the database clock at the moment of the write; nobody else
//! reads a bid before the deadline, and afterwards only those the sealing rule names.

use crate::tenders::{lock_and_settle, visible_now};
use crate::{Ctx, ServiceError};
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::bid::{BidContent, BidStatus, NewResponse, NotificationKind};
use domain::evaluation::PanelStanding;
use domain::ids::{BidId, LotId, OfferId, OrganisationId, TenderId};
use domain::offer::OfferStatus;
use domain::tender::{BidAccess, TenderStatus, bid_access, can_bid, check_before};
use domain::user::Role;
use domain::{DomainError, FieldError};
use persistence::Command;
use persistence::bids::{Bid, BidSelection, BidVersion};
use persistence::tenders::Tender;
use sea_orm::ConnectionTrait;
use serde_json::json;
use std::collections::HashMap;

/// A bid's content as the supplier sent it, before it is checked against the tender.
#[derive(Debug, Clone, Default)]
pub struct BidInput {
    /// The lot bid for: required on a divided tender, refused on any other; a revision keeps
    /// its bid's lot.
    pub lot_id: Option<LotId>,
    pub price_pence: i64,
    pub offer_id: Option<OfferId>,
    pub responses: Vec<NewResponse>,
}

/// A bid with its supplier's name, and every version when asked for one bid.
#[derive(Debug, Clone)]
pub struct BidView {
    pub bid: Bid,
    pub supplier_name: String,
    pub versions: Option<Vec<BidVersion>>,
    /// Every file the bid has had (each says which versions carried it), when asked for one
    /// bid.
    pub attachments: Option<Vec<persistence::documents::Attachment>>,
}

async fn view<C: ConnectionTrait>(
    conn: &C,
    bid: Bid,
    versions: Option<Vec<BidVersion>>,
) -> Result<BidView, ServiceError> {
    let supplier_name = persistence::organisations::get(conn, bid.supplier_id)
        .await?
        .name;
    Ok(BidView {
        bid,
        supplier_name,
        versions,
        attachments: None,
    })
}

/// What the audit log keeps of a bid: never its content, which the regulator and admins may
/// not read before award, but a digest of it that proves later which content was submitted.
pub fn audit_value(bid: &Bid) -> serde_json::Value {
    let content = json!({
        "price_pence": bid.price_pence,
        "offer_id": bid.offer_id,
        "responses": bid.responses,
    });
    let digest = domain::audit::content_digest(&content);
    json!({
        "id": bid.id,
        "tender_id": bid.tender_id,
        "supplier_id": bid.supplier_id,
        "lot_id": bid.lot_id,
        "status": bid.status.as_str(),
        "version": bid.version,
        "submitted_at": bid.submitted_at,
        "content_sha256": digest,
    })
}

pub(crate) fn require_bidder(actor: &Actor) -> Result<(), ServiceError> {
    if domain::tender::BIDDERS.contains(&actor.role) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!(
            "a {} may not bid; only a supplier_bidder may",
            actor.role
        ))
        .into())
    }
}

/// The tender, locked for a bid command, refused unless it is open for bids now: the deadline
/// is checked by the database clock read after the lock is held.
async fn open_for_bids(
    command: &mut Command,
    actor: &Actor,
    id: TenderId,
    what: &str,
) -> Result<Tender, ServiceError> {
    let (tender, status) = lock_and_settle(command, id).await?;
    let scope = tender.scope(status);
    if !domain::tender::can_view_tender(actor, &scope) {
        return Err(DomainError::NotFound("tender").into());
    }
    if !can_bid(actor, &scope) {
        return Err(DomainError::Forbidden(
            if tender.procedure == domain::tender::Procedure::CompetitiveFlexible {
                "only the suppliers admitted to the shortlist may tender".to_owned()
            } else {
                "your organisation may not bid on this tender".to_owned()
            },
        )
        .into());
    }
    if tender.deadlines_apply() {
        check_before(tender.submission_deadline, command.now(), what)?;
    }
    if status != TenderStatus::Published {
        return Err(ServiceError::conflict(format!(
            "a {status} tender takes no bids"
        )));
    }
    Ok(tender)
}

/// Parses a bid's content against the tender, including the offer it names, reporting every
/// bad field at once.
async fn content_of<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tender: &Tender,
    input: &BidInput,
) -> Result<(BidContent, Option<OfferId>), ServiceError> {
    let content = BidContent::parse(
        input.price_pence,
        &input.responses,
        &tender.criteria_kinds(),
    );
    let offer = match input.offer_id {
        None => Ok(None),
        Some(id) => match persistence::offers::find(conn, id).await? {
            Some(o)
                if o.supplier_id == actor.organisation_id
                    && o.status == OfferStatus::Published
                    && o.details.category == tender.category =>
            {
                Ok(Some(o.id))
            }
            _ => Err(FieldError::new(
                "/offer_id",
                "must be one of your organisation's published offers in the tender's category",
            )),
        },
    };
    match (content, offer) {
        (Ok(content), Ok(offer)) => Ok((content, offer)),
        (content, offer) => {
            let mut errors = match content {
                Err(DomainError::Validation(errors)) => errors,
                Err(other) => return Err(other.into()),
                Ok(_) => Vec::new(),
            };
            if let Err(e) = offer {
                errors.push(e);
            }
            Err(ServiceError::Validation(errors))
        }
    }
}

/// The lot a new bid is for: one of the tender's when it is divided (then required), none
/// otherwise.
fn lot_of(tender: &Tender, lot: Option<LotId>) -> Result<Option<LotId>, ServiceError> {
    match (tender.is_divided(), lot) {
        (true, None) => Err(ServiceError::field(
            "/lot_id",
            "is required: the tender is divided into lots; name the lot this bid is for",
        )),
        (true, Some(id)) if tender.lot(id).is_none() => Err(ServiceError::field(
            "/lot_id",
            "is not a lot of this tender",
        )),
        (false, Some(_)) => Err(ServiceError::field(
            "/lot_id",
            "must be absent: the tender is not divided into lots",
        )),
        (_, lot) => Ok(lot),
    }
}

pub(crate) async fn receipt(
    command: &Command,
    tender: &Tender,
    bid: &Bid,
    what: &str,
) -> Result<(), ServiceError> {
    crate::notify(
        command,
        &[bid.supplier_id],
        NotificationKind::BidReceived,
        tender.id,
        format!("Bid {what}: {}", tender.title),
        format!(
            "Your bid (version {}) was {what} at {} by the marketplace's clock. Bids close {}.",
            bid.version,
            bid.submitted_at.to_rfc3339(),
            tender.submission_deadline.to_rfc3339()
        ),
    )
    .await?;
    Ok(())
}

/// Submits the supplier's bid: one live bid per supplier per tender (per lot of a divided
/// one), a response to every quality criterion, strictly before the deadline.
pub async fn submit(
    ctx: &Ctx,
    actor: &Actor,
    tender: TenderId,
    input: &BidInput,
) -> Result<BidView, ServiceError> {
    require_bidder(actor)?;
    let mut command = ctx.command().await?;
    let tender = open_for_bids(&mut command, actor, tender, "bids").await?;
    let lot = lot_of(&tender, input.lot_id);
    let content = content_of(command.conn(), actor, &tender, input).await;
    let (content, offer) = match (lot.as_ref(), content) {
        (Err(ServiceError::Validation(first)), Err(ServiceError::Validation(more))) => {
            return Err(ServiceError::Validation(
                first.iter().cloned().chain(more).collect(),
            ));
        }
        (_, content) => content?,
    };
    let lot = lot?;
    if persistence::bids::live_bid_of(command.conn(), tender.id, lot, actor.organisation_id)
        .await?
        .is_some()
    {
        return Err(ServiceError::conflict(if lot.is_some() {
            "your organisation already has a live bid on this lot; revise or withdraw it"
        } else {
            "your organisation already has a live bid on this tender; revise or withdraw it"
        }));
    }
    let bid = persistence::bids::insert(
        command.conn(),
        tender.id,
        lot,
        actor.organisation_id,
        &content,
        offer,
        actor.user_id,
        command.now(),
    )
    .await?;
    receipt(&command, &tender, &bid, "received").await?;
    command
        .audit(AuditEntry::by(actor, "bid.submitted", "bid", bid.id).after(audit_value(&bid)))
        .await?;
    let shown = view(command.conn(), bid, None).await?;
    command.commit().await?;
    Ok(shown)
}

/// Records the first read of the bids by the buyer after the deadline ("bids opened by X at T"),
/// with the tender locked so that no bid accepted before the deadline is still being written.
async fn open_bids_if_first(ctx: &Ctx, actor: &Actor, tender: &Tender) -> Result<(), ServiceError> {
    if tender.bids_opened_at.is_some() || actor.organisation_id != tender.buyer_id {
        return Ok(());
    }
    let mut command = ctx.command().await?;
    let (locked, _) = lock_and_settle(&mut command, tender.id).await?;
    if persistence::tenders::mark_bids_opened(
        command.conn(),
        locked.id,
        actor.user_id,
        command.now(),
    )
    .await?
    {
        let live = persistence::bids::list(command.conn(), locked.id, BidSelection::Live).await?;
        command
            .audit(
                AuditEntry::by(actor, "tender.bids_opened", "tender", locked.id).after(json!({
                    "opened_at": command.now(),
                    "opened_by": actor.user_id,
                    "live_bids": live.len(),
                })),
            )
            .await?;
    }
    command.commit().await?;
    Ok(())
}

/// What `actor` may see of the tender's bids now; a buyer's first look after the deadline opens
/// them.
pub async fn access(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
) -> Result<(Tender, BidAccess), ServiceError> {
    let conn = ctx.db().conn();
    let (tender, status, _) = visible_now(ctx, actor, id).await?;
    let standing = if actor.role == Role::BuyerEvaluator && actor.organisation_id == tender.buyer_id
    {
        persistence::evaluation::standing(conn, tender.id, actor.user_id).await?
    } else {
        PanelStanding::NotOnPanel
    };
    let access = bid_access(actor, &tender.scope(status), standing);
    if access == BidAccess::All {
        open_bids_if_first(ctx, actor, &tender).await?;
    }
    Ok((tender, access))
}

/// The bids `actor` may see, earliest first: before the deadline a supplier its own, and
/// nobody else any (`Sealed`); after it the buyer's lead and cleared evaluators every live bid.
pub async fn list(
    ctx: &Ctx,
    actor: &Actor,
    tender: TenderId,
) -> Result<Vec<BidView>, ServiceError> {
    let (tender, access) = access(ctx, actor, tender).await?;
    let selection = match access {
        BidAccess::All => BidSelection::Live,
        BidAccess::OwnOnly => BidSelection::Supplier(actor.organisation_id),
        BidAccess::Sealed => {
            return Err(ServiceError::Sealed(format!(
                "The bids are sealed until the submission deadline ({}).",
                tender.submission_deadline.to_rfc3339()
            )));
        }
        BidAccess::DeclarationNeeded => {
            return Err(ServiceError::Forbidden(
                "declare whether you have a conflict of interest on this tender \
                 (POST /api/v1/tenders/{id}/conflict-declaration) before reading its bids"
                    .to_owned(),
            ));
        }
        BidAccess::Never => {
            return Err(ServiceError::Forbidden(
                "only the buyer's lead and the evaluators assigned to this tender (with no \
                 conflict of interest) see its bids"
                    .to_owned(),
            ));
        }
    };
    let conn = ctx.db().conn();
    let bids = persistence::bids::list(conn, tender.id, selection).await?;
    let suppliers: Vec<OrganisationId> = bids.iter().map(|b| b.supplier_id).collect();
    let names: HashMap<OrganisationId, String> =
        persistence::organisations::names(conn, &suppliers).await?;
    Ok(bids
        .into_iter()
        .map(|bid| BidView {
            // A supplier may have several bids (withdrawn ones too): each gets the name.
            supplier_name: names.get(&bid.supplier_id).cloned().unwrap_or_default(),
            bid,
            versions: None,
            attachments: None,
        })
        .collect())
}

/// The bid, if `actor` may read it now (the sealing rule); 404 otherwise, including any bid
/// before the deadline for anyone but its own supplier.
pub(crate) async fn readable(
    ctx: &Ctx,
    actor: &Actor,
    tender: TenderId,
    id: BidId,
) -> Result<Bid, ServiceError> {
    let (tender, access) = access(ctx, actor, tender).await?;
    persistence::bids::find(ctx.db().conn(), tender.id, id)
        .await?
        .filter(|bid| match access {
            BidAccess::All => bid.status.is_live(),
            BidAccess::OwnOnly => bid.supplier_id == actor.organisation_id,
            BidAccess::Sealed | BidAccess::DeclarationNeeded | BidAccess::Never => false,
        })
        .ok_or_else(|| DomainError::NotFound("bid").into())
}

/// One bid with every version and every file it has had, if `actor` may see it; 404
/// otherwise (including any bid before the deadline for anyone but its own supplier).
pub async fn get(
    ctx: &Ctx,
    actor: &Actor,
    tender: TenderId,
    id: BidId,
) -> Result<BidView, ServiceError> {
    let bid = readable(ctx, actor, tender, id).await?;
    let conn = ctx.db().conn();
    let versions = persistence::bids::versions(conn, bid.id).await?;
    let attachments = persistence::documents::attachments(conn, bid.id).await?;
    let mut shown = view(conn, bid, Some(versions)).await?;
    shown.attachments = Some(attachments);
    Ok(shown)
}

/// The supplier's own bid, read without a lock: the cheap check made before an upload's bytes
/// are stored (the command checks again under the tender's lock).
pub(crate) async fn own_bid_now(
    ctx: &Ctx,
    actor: &Actor,
    tender: TenderId,
    id: BidId,
) -> Result<Bid, ServiceError> {
    let (tender, _, now) = visible_now(ctx, actor, tender).await?;
    let bid = persistence::bids::find(ctx.db().conn(), tender.id, id)
        .await?
        .filter(|b| b.supplier_id == actor.organisation_id)
        .ok_or(DomainError::NotFound("bid"))?;
    if tender.deadlines_apply() {
        check_before(tender.submission_deadline, now, "attachments")?;
    }
    Ok(bid)
}

/// The tender locked and open for bids, and the supplier's own bid on it; 404 for anyone
/// else's bid.
pub(crate) async fn own_bid(
    command: &mut Command,
    actor: &Actor,
    tender: TenderId,
    id: BidId,
    what: &str,
) -> Result<(Tender, Bid), ServiceError> {
    require_bidder(actor)?;
    let tender = match open_for_bids(command, actor, tender, what).await {
        Ok(tender) => tender,
        // A bid that is not the actor's answers 404 whatever the tender's state.
        Err(e) => {
            let exists = persistence::bids::find(command.conn(), tender, id)
                .await?
                .is_some_and(|b| b.supplier_id == actor.organisation_id);
            return Err(if exists {
                e
            } else {
                DomainError::NotFound("bid").into()
            });
        }
    };
    let bid = persistence::bids::find(command.conn(), tender.id, id)
        .await?
        .filter(|b| b.supplier_id == actor.organisation_id)
        .ok_or(DomainError::NotFound("bid"))?;
    Ok((tender, bid))
}

/// Revises the supplier's bid before the deadline: a new version (every version is kept). A
/// revision also confirms a bid after an amendment.
pub async fn revise(
    ctx: &Ctx,
    actor: &Actor,
    tender: TenderId,
    id: BidId,
    input: &BidInput,
) -> Result<BidView, ServiceError> {
    require_bidder(actor)?;
    let mut command = ctx.command().await?;
    let (tender, bid) = own_bid(&mut command, actor, tender, id, "revisions").await?;
    bid.status.revise()?;
    if input.lot_id.is_some_and(|lot| bid.lot_id != Some(lot)) {
        return Err(ServiceError::field(
            "/lot_id",
            "a bid stays on its lot: withdraw it and bid on the other lot instead",
        ));
    }
    let (content, offer) = content_of(command.conn(), actor, &tender, input).await?;
    let revised = persistence::bids::revise(
        command.conn(),
        &bid,
        &content,
        offer,
        actor.user_id,
        command.now(),
    )
    .await?;
    receipt(&command, &tender, &revised, "revised").await?;
    command
        .audit(
            AuditEntry::by(actor, "bid.revised", "bid", revised.id)
                .before(audit_value(&bid))
                .after(audit_value(&revised)),
        )
        .await?;
    let shown = view(command.conn(), revised, None).await?;
    command.commit().await?;
    Ok(shown)
}

/// What a supplier may do to its live bid before the deadline, besides revising it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BidChange {
    /// Withdraws the bid. The supplier may then bid again.
    Withdraw,
    /// Confirms the bid after an amendment reopened it, so that it is evaluated as it stands.
    Confirm,
}

impl BidChange {
    /// What the refusal calls it, and the audit action.
    const fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::Withdraw => ("withdrawals", "bid.withdrawn"),
            Self::Confirm => ("confirmations", "bid.confirmed"),
        }
    }

    fn next(self, status: BidStatus) -> Result<BidStatus, DomainError> {
        match self {
            Self::Withdraw => status.withdraw(),
            Self::Confirm => status.confirm(),
        }
    }
}

/// Withdraws or confirms the supplier's bid, before the deadline.
pub async fn change(
    ctx: &Ctx,
    actor: &Actor,
    (tender, id): (TenderId, BidId),
    change: BidChange,
) -> Result<BidView, ServiceError> {
    let (what, action) = change.names();
    let mut command = ctx.command().await?;
    let (_, bid) = own_bid(&mut command, actor, tender, id, what).await?;
    let status = change.next(bid.status)?;
    let changed =
        persistence::bids::set_status(command.conn(), &bid, status, command.now()).await?;
    command
        .audit(
            AuditEntry::by(actor, action, "bid", changed.id)
                .before(audit_value(&bid))
                .after(audit_value(&changed)),
        )
        .await?;
    let shown = view(command.conn(), changed, None).await?;
    command.commit().await?;
    Ok(shown)
}
