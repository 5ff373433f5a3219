//! Sealed bids: a supplier submits, revises, withdraws and confirms its one live bid on a tender
//! until the submission deadline, by the database clock at the moment of the write; nobody else
//! reads a bid before the deadline, and afterwards only those the sealing rule names.

use crate::auth::AuthUser;
use crate::error::{
    ApiError, BadRequest, BidsSealed, DeadlinePassed, Forbidden, NotFound, PayloadTooLarge,
    Unauthorized, UnsupportedMediaType, ValidationFailed,
};
use crate::extract::{JsonBody, PathParams};
use crate::routes::tenders::{lock_and_settle, visible};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use chrono::{DateTime, Utc};
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::bid::{BidContent, BidStatus, NewResponse, NotificationKind};
use domain::evaluation::PanelStanding;
use domain::ids::{BidId, CriterionId, OfferId, TenderId};
use domain::offer::OfferStatus;
use domain::tender::{BidAccess, TenderStatus, bid_access, can_bid, check_before};
use domain::user::Role;
use domain::{DomainError, FieldError};
use persistence::Command;
use persistence::bids::{Bid, BidSelection, BidVersion};
use persistence::notifications::NewNotification;
use persistence::tenders::Tender;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Where a bid stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = BidStatus)]
pub enum BidStatusDto {
    /// In, and will be evaluated.
    Submitted,
    /// The tender was amended since: evaluated only if confirmed or revised before the deadline.
    NeedsConfirmation,
    /// Withdrawn by its supplier.
    Withdrawn,
}

impl From<BidStatus> for BidStatusDto {
    fn from(s: BidStatus) -> Self {
        match s {
            BidStatus::Submitted => Self::Submitted,
            BidStatus::NeedsConfirmation => Self::NeedsConfirmation,
            BidStatus::Withdrawn => Self::Withdrawn,
        }
    }
}

/// A response to one quality criterion.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = BidCriterionResponse)]
pub struct ResponseInput {
    /// The quality criterion answered.
    pub criterion_id: Uuid,
    /// The answer: 1 to 20000 characters.
    #[schema(min_length = 1, max_length = 20000)]
    pub text: String,
}

/// A bid's content.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitBidRequest {
    /// The price in pence for the whole contract.
    #[schema(minimum = 1, maximum = 10000000000_i64, example = 23500000)]
    pub price_pence: i64,
    /// The supplier's own published offer, in the tender's category, that the bid is based on.
    pub offer_id: Option<Uuid>,
    /// One response to each quality criterion.
    #[schema(max_items = 20)]
    pub responses: Vec<ResponseInput>,
}

/// One version of a bid.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BidVersionResponse {
    /// 1 for the first submission, and so on.
    pub version: i32,
    /// The price in pence.
    pub price_pence: i64,
    /// The offer it was based on.
    pub offer_id: Option<Uuid>,
    /// The responses.
    pub responses: Vec<ResponseInput>,
    /// When it was submitted, by the database clock.
    pub submitted_at: DateTime<Utc>,
}

/// A bid.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Bid)]
pub struct BidResponse {
    /// The bid's id.
    pub id: Uuid,
    /// The tender.
    pub tender_id: Uuid,
    /// The bidding supplier.
    pub supplier_id: Uuid,
    /// The supplier's name.
    pub supplier_name: String,
    /// submitted, needs_confirmation or withdrawn.
    pub status: BidStatusDto,
    /// The price in pence.
    pub price_pence: i64,
    /// The offer it is based on.
    pub offer_id: Option<Uuid>,
    /// The responses, in the criteria's order.
    pub responses: Vec<ResponseInput>,
    /// The version in force (1 + the number of revisions).
    pub version: i32,
    /// When the first version was submitted, by the database clock.
    pub first_submitted_at: DateTime<Utc>,
    /// When the version in force was submitted, by the database clock.
    pub submitted_at: DateTime<Utc>,
    /// When it was last confirmed after an amendment.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When it was withdrawn.
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Every version, oldest first (on a single bid's page only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<BidVersionResponse>>,
}

fn responses(bid_responses: &[domain::bid::BidResponse]) -> Vec<ResponseInput> {
    bid_responses
        .iter()
        .map(|r| ResponseInput {
            criterion_id: r.criterion_id.as_uuid(),
            text: r.text.clone(),
        })
        .collect()
}

async fn present<C: ConnectionTrait>(
    conn: &C,
    bid: Bid,
    versions: Option<Vec<BidVersion>>,
) -> Result<BidResponse, ApiError> {
    let supplier_name = persistence::organisations::get(conn, bid.supplier_id)
        .await?
        .name;
    Ok(response(bid, supplier_name, versions))
}

pub(crate) fn response(
    bid: Bid,
    supplier_name: String,
    versions: Option<Vec<BidVersion>>,
) -> BidResponse {
    BidResponse {
        id: bid.id.as_uuid(),
        tender_id: bid.tender_id.as_uuid(),
        supplier_id: bid.supplier_id.as_uuid(),
        supplier_name,
        status: bid.status.into(),
        price_pence: bid.price_pence,
        offer_id: bid.offer_id.map(|o| o.as_uuid()),
        responses: responses(&bid.responses),
        version: bid.version,
        first_submitted_at: bid.first_submitted_at,
        submitted_at: bid.submitted_at,
        confirmed_at: bid.confirmed_at,
        withdrawn_at: bid.withdrawn_at,
        versions: versions.map(|vs| {
            vs.into_iter()
                .map(|v| BidVersionResponse {
                    version: v.version,
                    price_pence: v.price_pence,
                    offer_id: v.offer_id.map(|o| o.as_uuid()),
                    responses: responses(&v.responses),
                    submitted_at: v.submitted_at,
                })
                .collect()
        }),
    }
}

/// What the audit log keeps of a bid: never its content, which the regulator and admins may
/// not read before award, but a digest of it that proves later which content was submitted.
pub(crate) fn audit_value(bid: &Bid) -> serde_json::Value {
    let content = serde_json::json!({
        "price_pence": bid.price_pence,
        "offer_id": bid.offer_id,
        "responses": bid.responses,
    });
    let digest = domain::audit::content_digest(&content);
    serde_json::json!({
        "id": bid.id,
        "tender_id": bid.tender_id,
        "supplier_id": bid.supplier_id,
        "status": bid.status.as_str(),
        "version": bid.version,
        "submitted_at": bid.submitted_at,
        "content_sha256": digest,
    })
}

fn require_bidder(actor: &Actor) -> Result<(), ApiError> {
    if actor.role == Role::SupplierBidder {
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
    id: Uuid,
    what: &str,
) -> Result<Tender, ApiError> {
    let (tender, status) = lock_and_settle(command, TenderId::from_uuid(id)).await?;
    let scope = tender.scope(status);
    if !domain::tender::can_view_tender(actor, &scope) {
        return Err(DomainError::NotFound("tender").into());
    }
    if !can_bid(actor, &scope) {
        return Err(DomainError::Forbidden(
            "your organisation may not bid on this tender".to_owned(),
        )
        .into());
    }
    if tender.deadlines_apply() {
        check_before(tender.submission_deadline, command.now(), what)?;
    }
    if status != TenderStatus::Published {
        return Err(DomainError::Conflict(format!("a {status} tender takes no bids")).into());
    }
    Ok(tender)
}

/// Parses a bid's content against the tender, including the offer it names.
async fn content_of<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tender: &Tender,
    request: &SubmitBidRequest,
) -> Result<(BidContent, Option<OfferId>), ApiError> {
    let new_responses: Vec<NewResponse> = request
        .responses
        .iter()
        .map(|r| NewResponse {
            criterion_id: CriterionId::from_uuid(r.criterion_id),
            text: r.text.clone(),
        })
        .collect();
    let content = BidContent::parse(
        request.price_pence,
        &new_responses,
        &tender.criteria_kinds(),
    );
    let offer = match request.offer_id {
        None => Ok(None),
        Some(id) => {
            let found = persistence::offers::find(conn, OfferId::from_uuid(id)).await?;
            match found {
                Some(o)
                    if o.supplier_id == actor.organisation_id
                        && o.status == OfferStatus::Published
                        && o.category == tender.category =>
                {
                    Ok(Some(o.id))
                }
                _ => Err(FieldError::new(
                    "/offer_id",
                    "must be one of your organisation's published offers in the tender's category",
                )),
            }
        }
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
            Err(ApiError::Validation(errors))
        }
    }
}

async fn receipt(
    command: &Command,
    tender: &Tender,
    bid: &Bid,
    what: &str,
) -> Result<(), ApiError> {
    persistence::notifications::notify(
        command.conn(),
        &[bid.supplier_id],
        &NewNotification {
            kind: NotificationKind::BidReceived,
            tender_id: Some(tender.id),
            subject: format!("Bid {what}: {}", tender.title),
            body: format!(
                "Your bid (version {}) was {what} at {} by the marketplace's clock. Bids close {}.",
                bid.version,
                bid.submitted_at.to_rfc3339(),
                tender.submission_deadline.to_rfc3339()
            ),
        },
        command.now(),
    )
    .await?;
    Ok(())
}

type Created = (
    StatusCode,
    [(HeaderName, HeaderValue); 1],
    Json<BidResponse>,
);

/// Submits the signed-in supplier's bid (`supplier_bidder`; any supplier on an open tender,
/// invited ones on an invited tender). One live bid per supplier per tender; a response to every
/// quality criterion. A bid at or after the deadline, by the database clock, is refused with
/// `deadline-passed`.
#[utoipa::path(
    post,
    path = "/tenders/{id}/bids",
    tag = "bids",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = SubmitBidRequest,
    responses(
        (status = 201, description = "The bid, received; `submitted_at` is the database's time.", body = BidResponse,
            headers(("Location" = String, description = "The bid's address."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = DeadlinePassed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn submit_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<SubmitBidRequest>, ApiError>,
) -> Result<Created, ApiError> {
    require_bidder(&actor)?;
    let JsonBody(request) = body?;
    let mut command = state.db.command().await?;
    let tender = open_for_bids(&mut command, &actor, id, "bids").await?;
    let (content, offer) = content_of(command.conn(), &actor, &tender, &request).await?;
    if persistence::bids::live_bid_of(command.conn(), tender.id, actor.organisation_id)
        .await?
        .is_some()
    {
        return Err(DomainError::Conflict(
            "your organisation already has a live bid on this tender; revise or withdraw it"
                .to_owned(),
        )
        .into());
    }
    let bid = persistence::bids::insert(
        command.conn(),
        tender.id,
        actor.organisation_id,
        &content,
        offer,
        actor.user_id,
        command.now(),
    )
    .await?;
    receipt(&command, &tender, &bid, "received").await?;
    command
        .audit(
            AuditEntry::new(Some(actor), "bid.submitted", "bid", bid.id).after(audit_value(&bid)),
        )
        .await?;
    let shown = present(command.conn(), bid, None).await?;
    command.commit().await?;
    let location = HeaderValue::from_str(&format!(
        "/api/v1/tenders/{}/bids/{}",
        shown.tender_id, shown.id
    ))
    .map_err(ApiError::internal)?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(shown),
    ))
}

/// Records the first read of the bids by the buyer after the deadline ("bids opened by X at T"),
/// with the tender locked so that no bid accepted before the deadline is still being written.
async fn open_bids_if_first(
    state: &AppState,
    actor: &Actor,
    tender: &Tender,
) -> Result<(), ApiError> {
    if tender.bids_opened_at.is_some() || actor.organisation_id != tender.buyer_id {
        return Ok(());
    }
    let mut command = state.db.command().await?;
    let (locked, _) = lock_and_settle(&mut command, tender.id).await?;
    if persistence::tenders::mark_bids_opened(
        command.conn(),
        locked.id,
        actor.user_id,
        command.now(),
    )
    .await?
    {
        let live = persistence::bids::bidders(command.conn(), locked.id).await?;
        command
            .audit(
                AuditEntry::new(Some(*actor), "tender.bids_opened", "tender", locked.id).after(
                    serde_json::json!({
                        "opened_at": command.now(),
                        "opened_by": actor.user_id,
                        "live_bids": live.len(),
                    }),
                ),
            )
            .await?;
    }
    command.commit().await?;
    Ok(())
}

/// What `actor` may see of the tender's bids now, the tender and whether they are assigned.
async fn access(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
) -> Result<(Tender, BidAccess), ApiError> {
    let conn = state.db.conn();
    let now = state.db.now().await?;
    let (tender, status) = visible(conn, actor, TenderId::from_uuid(id), now).await?;
    let standing = if actor.role == Role::BuyerEvaluator && actor.organisation_id == tender.buyer_id
    {
        persistence::evaluation::standing(conn, tender.id, actor.user_id).await?
    } else {
        PanelStanding::NotOnPanel
    };
    let access = bid_access(actor, &tender.scope(status), standing);
    if access == BidAccess::All {
        open_bids_if_first(state, actor, &tender).await?;
    }
    Ok((tender, access))
}

/// A tender's bids.
#[derive(Debug, Serialize, ToSchema)]
pub struct BidList {
    /// The bids, earliest first.
    pub items: Vec<BidResponse>,
}

/// The bids the signed-in user may see. Before the submission deadline the bids are sealed: a
/// supplier sees only its own; the buyer, the regulator and admins get 403 `bids-sealed`. After
/// it the buyer's lead and the assigned evaluators who declared no conflict of interest see every
/// live bid (an assigned evaluator who has not yet declared gets 403); the regulator and admins
/// once the tender is awarded.
#[utoipa::path(
    get,
    path = "/tenders/{id}/bids",
    tag = "bids",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "The bids.", body = BidList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = BidsSealed),
        (status = 404, response = NotFound),
    )
)]
pub async fn list_bids(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<BidList>, ApiError> {
    let (tender, access) = access(&state, &actor, id).await?;
    let selection = match access {
        BidAccess::All => BidSelection::Live,
        BidAccess::OwnOnly => BidSelection::Supplier(actor.organisation_id),
        BidAccess::Sealed => {
            return Err(DomainError::Sealed(format!(
                "The bids are sealed until the submission deadline ({}).",
                tender.submission_deadline.to_rfc3339()
            ))
            .into());
        }
        BidAccess::DeclarationNeeded => {
            return Err(DomainError::Forbidden(
                "declare whether you have a conflict of interest on this tender \
                 (POST /api/v1/tenders/{id}/conflict-declaration) before reading its bids"
                    .to_owned(),
            )
            .into());
        }
        BidAccess::Never => {
            return Err(DomainError::Forbidden(
                "only the buyer's lead and the evaluators assigned to this tender (with no \
                 conflict of interest) see its bids"
                    .to_owned(),
            )
            .into());
        }
    };
    let conn = state.db.conn();
    let bids = persistence::bids::list(conn, tender.id, selection).await?;
    let suppliers: Vec<_> = bids.iter().map(|b| b.supplier_id).collect();
    let names = persistence::organisations::names(conn, &suppliers).await?;
    let items = bids
        .into_iter()
        .map(|bid| {
            // A supplier may have several bids (withdrawn ones too): each gets the name.
            let name = names.get(&bid.supplier_id).cloned().unwrap_or_default();
            response(bid, name, None)
        })
        .collect();
    Ok(Json(BidList { items }))
}

/// One bid, with every version, if the signed-in user may see it; 404 otherwise (including any
/// bid before the deadline for anyone but its own supplier).
#[utoipa::path(
    get,
    path = "/tenders/{id}/bids/{bid_id}",
    tag = "bids",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("bid_id" = Uuid, Path, description = "The bid's id."),
    ),
    responses(
        (status = 200, description = "The bid.", body = BidResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams((id, bid_id)): PathParams<(Uuid, Uuid)>,
) -> Result<Json<BidResponse>, ApiError> {
    let (tender, access) = access(&state, &actor, id).await?;
    let conn = state.db.conn();
    let bid = persistence::bids::find(conn, tender.id, BidId::from_uuid(bid_id))
        .await?
        .filter(|bid| match access {
            BidAccess::All => bid.status.is_live(),
            BidAccess::OwnOnly => bid.supplier_id == actor.organisation_id,
            BidAccess::Sealed | BidAccess::DeclarationNeeded | BidAccess::Never => false,
        })
        .ok_or(DomainError::NotFound("bid"))?;
    let versions = persistence::bids::versions(conn, bid.id).await?;
    Ok(Json(present(conn, bid, Some(versions)).await?))
}

/// The tender locked and open for bids, and the supplier's own bid on it; 404 for anyone
/// else's bid.
async fn own_bid(
    command: &mut Command,
    actor: &Actor,
    id: Uuid,
    bid_id: Uuid,
    what: &str,
) -> Result<(Tender, Bid), ApiError> {
    require_bidder(actor)?;
    let tender = match open_for_bids(command, actor, id, what).await {
        Ok(tender) => tender,
        // A bid that is not the actor's answers 404 whatever the tender's state.
        Err(e) => {
            let exists = persistence::bids::find(
                command.conn(),
                TenderId::from_uuid(id),
                BidId::from_uuid(bid_id),
            )
            .await?
            .is_some_and(|b| b.supplier_id == actor.organisation_id);
            return Err(if exists {
                e
            } else {
                DomainError::NotFound("bid").into()
            });
        }
    };
    let bid = persistence::bids::find(command.conn(), tender.id, BidId::from_uuid(bid_id))
        .await?
        .filter(|b| b.supplier_id == actor.organisation_id)
        .ok_or(DomainError::NotFound("bid"))?;
    Ok((tender, bid))
}

/// Revises the supplier's bid before the deadline: a new version (every version is kept). A
/// revision also confirms a bid after an amendment.
#[utoipa::path(
    put,
    path = "/tenders/{id}/bids/{bid_id}",
    tag = "bids",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("bid_id" = Uuid, Path, description = "The bid's id."),
    ),
    request_body = SubmitBidRequest,
    responses(
        (status = 200, description = "The revised bid.", body = BidResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = DeadlinePassed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn revise_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams((id, bid_id)): PathParams<(Uuid, Uuid)>,
    body: Result<JsonBody<SubmitBidRequest>, ApiError>,
) -> Result<Json<BidResponse>, ApiError> {
    require_bidder(&actor)?;
    let JsonBody(request) = body?;
    let mut command = state.db.command().await?;
    let (tender, bid) = own_bid(&mut command, &actor, id, bid_id, "revisions").await?;
    bid.status.revise()?;
    let (content, offer) = content_of(command.conn(), &actor, &tender, &request).await?;
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
            AuditEntry::new(Some(actor), "bid.revised", "bid", revised.id)
                .before(audit_value(&bid))
                .after(audit_value(&revised)),
        )
        .await?;
    let shown = present(command.conn(), revised, None).await?;
    command.commit().await?;
    Ok(Json(shown))
}

async fn change_status(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    bid_id: Uuid,
    what: &str,
    action: &str,
    next: fn(BidStatus) -> Result<BidStatus, DomainError>,
) -> Result<Json<BidResponse>, ApiError> {
    let mut command = state.db.command().await?;
    let (_, bid) = own_bid(&mut command, actor, id, bid_id, what).await?;
    let status = next(bid.status)?;
    let changed =
        persistence::bids::set_status(command.conn(), &bid, status, command.now()).await?;
    command
        .audit(
            AuditEntry::new(Some(*actor), action, "bid", changed.id)
                .before(audit_value(&bid))
                .after(audit_value(&changed)),
        )
        .await?;
    let shown = present(command.conn(), changed, None).await?;
    command.commit().await?;
    Ok(Json(shown))
}

/// Withdraws the supplier's bid before the deadline. It may then bid again.
#[utoipa::path(
    post,
    path = "/tenders/{id}/bids/{bid_id}/withdraw",
    tag = "bids",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("bid_id" = Uuid, Path, description = "The bid's id."),
    ),
    responses(
        (status = 200, description = "The withdrawn bid.", body = BidResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = DeadlinePassed),
    )
)]
pub async fn withdraw_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams((id, bid_id)): PathParams<(Uuid, Uuid)>,
) -> Result<Json<BidResponse>, ApiError> {
    change_status(
        &state,
        &actor,
        id,
        bid_id,
        "withdrawals",
        "bid.withdrawn",
        BidStatus::withdraw,
    )
    .await
}

/// Confirms the supplier's bid after an amendment reopened it, before the deadline, so that it
/// is evaluated as it stands.
#[utoipa::path(
    post,
    path = "/tenders/{id}/bids/{bid_id}/confirm",
    tag = "bids",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("bid_id" = Uuid, Path, description = "The bid's id."),
    ),
    responses(
        (status = 200, description = "The confirmed bid.", body = BidResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = DeadlinePassed),
    )
)]
pub async fn confirm_bid(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams((id, bid_id)): PathParams<(Uuid, Uuid)>,
) -> Result<Json<BidResponse>, ApiError> {
    change_status(
        &state,
        &actor,
        id,
        bid_id,
        "confirmations",
        "bid.confirmed",
        BidStatus::confirm,
    )
    .await
}
