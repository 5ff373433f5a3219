//! The service catalogue: suppliers create, price, publish and withdraw their offers; everyone
//! signed in searches and compares published ones. A price change keeps history, so the price
//! in force at any past instant can be answered.

use crate::contracts::Rating;
use crate::{Ctx, Expected, ServiceError, audit_json};
use chrono::{DateTime, Utc};
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::error::Validator;
use domain::ids::{OfferId, OrganisationId};
use domain::offer::{
    self, AnnualisationBasis, NewOffer, Offer, OfferChange, OfferFields, OfferStatus, PricingUnit,
};
use domain::organisation::Region;
use domain::pagination::{Page, PageRequest};
use domain::user::Role;
use domain::{DomainError, FieldError};
use persistence::Command;
use persistence::offers::{OfferListing, OfferSearch, OfferSort, PricePoint};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// An offer with its supplier's name and the price in force at the instant asked.
#[derive(Debug, Clone, Serialize)]
pub struct OfferView {
    pub id: OfferId,
    pub supplier_id: OrganisationId,
    pub supplier_name: String,
    pub category: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub regions: Vec<Region>,
    pub pricing_unit: PricingUnit,
    pub unit_price_pence: i64,
    pub price_label: String,
    pub price_effective_from: Option<DateTime<Utc>>,
    pub minimum_term_months: Option<i32>,
    pub status: OfferStatus,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// The framework (and lot) whose catalogue it is listed in.
    pub framework_id: Option<domain::ids::FrameworkId>,
    pub framework_lot_id: Option<domain::ids::LotId>,
}

fn view_of(offer: Offer, supplier_name: String, price: Option<&PricePoint>) -> OfferView {
    let (unit, pence) = price.map_or(
        (offer.details.pricing_unit, offer.details.unit_price_pence),
        |p| (p.pricing_unit, p.unit_price_pence),
    );
    OfferView {
        id: offer.id,
        supplier_id: offer.supplier_id,
        supplier_name,
        category: offer.details.category,
        title: offer.details.title,
        summary: offer.details.summary,
        description: offer.details.description,
        regions: offer.details.regions.regions(),
        pricing_unit: unit,
        unit_price_pence: pence,
        price_label: offer::price_label(unit, pence),
        price_effective_from: price.map(|p| p.effective_from),
        minimum_term_months: offer.details.minimum_term_months,
        status: offer.status,
        version: offer.version,
        created_at: offer.created_at,
        updated_at: offer.updated_at,
        published_at: offer.published_at,
        withdrawn_at: offer.withdrawn_at,
        framework_id: offer.framework.map(|f| f.framework_id),
        framework_lot_id: offer.framework.and_then(|f| f.lot_id),
    }
}

async fn supplier_name<C: ConnectionTrait>(
    conn: &C,
    id: OrganisationId,
) -> Result<String, ServiceError> {
    Ok(persistence::organisations::get(conn, id).await?.name)
}

/// The offer with the price in force `now` (a draft's own price: it has no history yet).
async fn present<C: ConnectionTrait>(
    conn: &C,
    offer: Offer,
    now: DateTime<Utc>,
) -> Result<OfferView, ServiceError> {
    let name = supplier_name(conn, offer.supplier_id).await?;
    let price = match offer.status {
        OfferStatus::Draft => None,
        _ => persistence::offers::price_at(conn, offer.id, now).await?,
    };
    Ok(view_of(offer, name, price.as_ref()))
}

async fn check_category<C: ConnectionTrait>(conn: &C, code: &str) -> Result<(), ServiceError> {
    if persistence::reference::category_exists(conn, code).await? {
        Ok(())
    } else {
        Err(ServiceError::field(
            "/category",
            "is not a known category code",
        ))
    }
}

async fn visible_offer<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    id: OfferId,
) -> Result<Offer, ServiceError> {
    persistence::offers::find(conn, id)
        .await?
        .filter(|o| offer::can_view_offer(actor, o.supplier_id, o.status))
        .ok_or_else(|| DomainError::NotFound("offer").into())
}

/// A supplier's bidder creates a draft offer for its organisation.
pub async fn create(
    ctx: &Ctx,
    actor: &Actor,
    fields: &OfferFields<'_>,
) -> Result<OfferView, ServiceError> {
    offer::require_offer_manager(actor)?;
    let new = NewOffer::parse(fields)?;
    let command = ctx.command().await?;
    let shown = create_in(&command, Some(*actor), actor.organisation_id, &new).await?;
    command.commit().await?;
    Ok(shown)
}

/// Creates the draft inside `command` (transitional: the demo loader calls it directly).
async fn create_in(
    command: &Command,
    actor: Option<Actor>,
    supplier: OrganisationId,
    new: &NewOffer,
) -> Result<OfferView, ServiceError> {
    check_category(command.conn(), &new.category).await?;
    let created = persistence::offers::insert(command.conn(), supplier, new, command.now()).await?;
    let shown = present(command.conn(), created, command.now()).await?;
    command
        .audit(
            AuditEntry::new(actor, "offer.created", "offer", shown.id).after(audit_json(&shown)?),
        )
        .await?;
    Ok(shown)
}

/// The offer locked for its supplier's command, refused to anyone else.
async fn managed(command: &Command, actor: &Actor, id: OfferId) -> Result<Offer, ServiceError> {
    offer::require_offer_manager(actor)?;
    let current = persistence::offers::find(command.conn(), id)
        .await?
        .ok_or(DomainError::NotFound("offer"))?;
    offer::check_can_manage_offer(actor, &current)?;
    Ok(current)
}

/// The signed-in supplier's own offers in `status` (every state when none).
pub async fn own(
    ctx: &Ctx,
    actor: &Actor,
    status: Option<OfferStatus>,
) -> Result<Vec<Offer>, ServiceError> {
    offer::require_offer_manager(actor)?;
    let conn = ctx.db().conn();
    let mut offers = Vec::new();
    for status in status.map_or(OfferStatus::ALL.to_vec(), |s| vec![s]) {
        offers.extend(persistence::offers::of_supplier(conn, actor.organisation_id, status).await?);
    }
    Ok(offers)
}

/// The supplier edits its draft or published offer; a published offer's price change is kept
/// in its history from now. The version read must be named.
pub async fn update(
    ctx: &Ctx,
    actor: &Actor,
    id: OfferId,
    expected: &Expected,
    fields: &OfferFields<'_>,
) -> Result<OfferView, ServiceError> {
    let command = ctx.command().await?;
    let current = managed(&command, actor, id).await?;
    expected.require(current.version)?;
    let change = OfferChange::parse(fields)?;
    if change.is_empty() {
        return Err(ServiceError::field("", "give at least one field to change"));
    }
    current.status.check_editable()?;
    if let Some(category) = &change.category {
        check_category(command.conn(), category).await?;
    }
    let price_changed = change.changes_price(
        current.details.pricing_unit,
        current.details.unit_price_pence,
    );
    let before = present(command.conn(), current.clone(), command.now()).await?;
    let updated =
        persistence::offers::update(command.conn(), &current, &change, None, command.now())
            .await?
            .ok_or_else(|| {
                ServiceError::Stale(
                    "The offer changed while this edit was made; read it again.".to_owned(),
                )
            })?;
    if price_changed && updated.status == OfferStatus::Published {
        persistence::offers::record_price(command.conn(), &updated, command.now()).await?;
    }
    let after = present(command.conn(), updated, command.now()).await?;
    let action = if price_changed && after.status == OfferStatus::Published {
        "offer.price_changed"
    } else {
        "offer.updated"
    };
    command
        .audit(
            AuditEntry::by(actor, action, "offer", after.id)
                .before(audit_json(&before)?)
                .after(audit_json(&after)?),
        )
        .await?;
    command.commit().await?;
    Ok(after)
}

/// The supplier lists its offer in a framework's catalogue (on a lot of a divided framework)
/// — only on an active framework, where it holds a place on that lot — or, with `None`, takes
/// it out. The version read must be named.
pub async fn list_on_framework(
    ctx: &Ctx,
    actor: &Actor,
    id: OfferId,
    expected: &Expected,
    listing: Option<domain::offer::FrameworkListing>,
) -> Result<OfferView, ServiceError> {
    let command = ctx.command().await?;
    let current = managed(&command, actor, id).await?;
    expected.require(current.version)?;
    if let Some(listing) = listing {
        check_listing(&command, &current, listing).await?;
    }
    let before = present(command.conn(), current.clone(), command.now()).await?;
    let updated =
        persistence::offers::set_framework(command.conn(), &current, listing, command.now())
            .await?
            .ok_or_else(|| {
                ServiceError::Stale(
                    "The offer changed while this edit was made; read it again.".to_owned(),
                )
            })?;
    let after = present(command.conn(), updated, command.now()).await?;
    command
        .audit(
            AuditEntry::by(actor, "offer.framework_listed", "offer", after.id)
                .before(audit_json(&before)?)
                .after(audit_json(&after)?),
        )
        .await?;
    command.commit().await?;
    Ok(after)
}

/// An offer may be listed on an active framework whose place (on the lot) its supplier holds.
/// A framework's lots may span categories (business intelligence, procurement, finance), so
/// the offer's category is the supplier's to choose.
async fn check_listing(
    command: &Command,
    offer: &Offer,
    listing: domain::offer::FrameworkListing,
) -> Result<(), ServiceError> {
    let conn = command.conn();
    let today = domain::calendar::uk_date(command.now());
    let framework = persistence::frameworks::find(conn, listing.framework_id, today)
        .await?
        .ok_or_else(|| ServiceError::field("/framework_id", "is not a framework"))?;
    if framework.status != domain::framework::FrameworkStatus::Active {
        return Err(ServiceError::conflict(format!(
            "the framework expired on {}: its catalogue takes no offers",
            framework.end_date
        )));
    }
    let tender = persistence::tenders::find(conn, framework.tender_id)
        .await?
        .ok_or(DomainError::NotFound("tender"))?;
    crate::evaluation::lot_to_evaluate(&tender, listing.lot_id, "/lot_id")?;
    if !persistence::frameworks::holds_place(conn, framework.id, listing.lot_id, offer.supplier_id)
        .await?
    {
        return Err(ServiceError::Forbidden(
            "your organisation holds no place on this framework (on this lot)".to_owned(),
        ));
    }
    Ok(())
}

/// A move of an offer's status: publish or withdraw.
pub type Move = fn(OfferStatus) -> Result<OfferStatus, DomainError>;

/// What a supplier may do to its offer's place in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferMove {
    /// Publishes the offer: its price is in force from now.
    Publish,
    /// Withdraws the offer from the catalogue.
    Withdraw,
}

impl OfferMove {
    const fn parts(self) -> (Move, &'static str) {
        match self {
            Self::Publish => (OfferStatus::publish, "offer.published"),
            Self::Withdraw => (OfferStatus::withdraw, "offer.withdrawn"),
        }
    }
}

/// The supplier publishes or withdraws its offer.
pub async fn transition(
    ctx: &Ctx,
    actor: &Actor,
    id: OfferId,
    expected: &Expected,
    to: OfferMove,
) -> Result<OfferView, ServiceError> {
    let (to, action) = to.parts();
    let command = ctx.command().await?;
    let current = managed(&command, actor, id).await?;
    expected.check(current.version)?;
    let after = transition_in(&command, Some(*actor), current, to, action).await?;
    command.commit().await?;
    Ok(after)
}

/// Moves the offer inside `command` (transitional: the demo loader and a transfer's withdrawal
/// of the acquired supplier's offers call it directly).
pub(crate) async fn transition_in(
    command: &Command,
    actor: Option<Actor>,
    current: Offer,
    to: Move,
    action: &str,
) -> Result<OfferView, ServiceError> {
    let next = to(current.status)?;
    let before = present(command.conn(), current.clone(), command.now()).await?;
    let updated = persistence::offers::update(
        command.conn(),
        &current,
        &OfferChange::default(),
        Some(next),
        command.now(),
    )
    .await?
    .ok_or_else(|| {
        ServiceError::Stale("The offer changed at the same moment; read it again.".to_owned())
    })?;
    if next == OfferStatus::Published {
        // The first price in force: from the moment of publication.
        persistence::offers::record_price(command.conn(), &updated, command.now()).await?;
    }
    let after = present(command.conn(), updated, command.now()).await?;
    command
        .audit(
            AuditEntry::new(actor, action, "offer", after.id)
                .before(audit_json(&before)?)
                .after(audit_json(&after)?),
        )
        .await?;
    Ok(after)
}

/// One offer `actor` may see, with the price in force now or at a past instant.
pub async fn get(
    ctx: &Ctx,
    actor: &Actor,
    id: OfferId,
    at: Option<DateTime<Utc>>,
) -> Result<OfferView, ServiceError> {
    // One statement, and no clock: the latest price is the one in force now.
    let (found, name, price) = persistence::offers::find_presented(ctx.db().conn(), id, at)
        .await?
        .filter(|(o, _, _)| offer::can_view_offer(actor, o.supplier_id, o.status))
        .ok_or(DomainError::NotFound("offer"))?;
    match (at, price) {
        (Some(_), None) => Err(ServiceError::NotFound(
            "No price of this offer was in force at that date.".to_owned(),
        )),
        // A draft shows its own price: it has no history yet.
        (None, _) if found.status == OfferStatus::Draft => Ok(view_of(found, name, None)),
        (_, price) => Ok(view_of(found, name, price.as_ref())),
    }
}

/// The offer's prices since publication, newest first.
pub async fn price_history(
    ctx: &Ctx,
    actor: &Actor,
    id: OfferId,
    page: PageRequest,
) -> Result<Page<PricePoint>, ServiceError> {
    let conn = ctx.db().conn();
    let found = visible_offer(conn, actor, id).await?;
    Ok(persistence::offers::price_history(conn, found.id, page).await?)
}

/// An offer's catalogue card: the offer, its annual price at default volumes where the unit
/// allows one, and its supplier's rating.
#[derive(Debug, Clone)]
pub struct ListingView {
    pub listing: OfferListing,
    pub annual_price_pence: Option<i64>,
    pub supplier_rating: Option<Rating>,
}

fn listing_view(listing: OfferListing, ratings: &HashMap<OrganisationId, Rating>) -> ListingView {
    let annual = offer::annualise(
        listing.pricing_unit,
        listing.unit_price_pence,
        &AnnualisationBasis::default(),
    );
    ListingView {
        supplier_rating: ratings.get(&listing.supplier_id).cloned(),
        annual_price_pence: annual.annual_price_pence,
        listing,
    }
}

/// How the catalogue is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortOrder {
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    Newest,
    Rating,
}

/// A catalogue search as asked, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct OfferQuery {
    pub q: Option<String>,
    /// Only a framework's catalogue (on one lot of a divided framework).
    pub framework: Option<domain::ids::FrameworkId>,
    pub lot: Option<domain::ids::LotId>,
    pub category: Option<String>,
    pub region: Option<Region>,
    pub supplier: Option<OrganisationId>,
    pub pricing_unit: Option<PricingUnit>,
    pub min_price_pence: Option<i64>,
    pub max_price_pence: Option<i64>,
    pub status: Option<OfferStatus>,
    pub sort: SortOrder,
}

/// Whether `actor` sees every supplier's offers in `status` (else only its own).
fn sees_every_supplier(actor: &Actor, status: OfferStatus) -> bool {
    match status {
        OfferStatus::Published => true,
        OfferStatus::Withdrawn => matches!(actor.role, Role::Regulator | Role::Admin),
        OfferStatus::Draft => false,
    }
}

/// Searches the catalogue: published offers by default (a supplier also its own drafts and
/// withdrawn ones, oversight every withdrawn one), a page at a time. Every bad filter is
/// reported at once.
pub async fn search(
    ctx: &Ctx,
    actor: &Actor,
    query: OfferQuery,
    page: Result<PageRequest, DomainError>,
) -> Result<Page<ListingView>, ServiceError> {
    let mut v = Validator::new();
    let page = v.check(page);
    if query.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        v.push(FieldError::new("/q", "must be at most 200 characters"));
    }
    domain::offer::check_category_filter(query.category.as_deref(), &mut v);
    for (name, value) in [
        ("min_price_pence", query.min_price_pence),
        ("max_price_pence", query.max_price_pence),
    ] {
        if value.is_some_and(|p| !(0..=domain::money::MAX_PENCE).contains(&p)) {
            v.push(FieldError::new(
                format!("/{name}"),
                format!("must be between 0 and {}", domain::money::MAX_PENCE),
            ));
        }
    }
    if let (Some(min), Some(max)) = (query.min_price_pence, query.max_price_pence)
        && min > max
    {
        v.push(FieldError::new(
            "/max_price_pence",
            "must not be below min_price_pence",
        ));
    }
    v.finish()?;
    let page = page.unwrap_or_default();
    let status = query.status.unwrap_or(OfferStatus::Published);
    let only_supplier = (!sees_every_supplier(actor, status)).then_some(actor.organisation_id);
    let now = ctx.now().await?;
    if query.lot.is_some() && query.framework.is_none() {
        return Err(ServiceError::field("/lot", "is only with framework"));
    }
    let search = OfferSearch {
        framework: query.framework,
        framework_lot: query.lot,
        terms: query
            .q
            .as_deref()
            .map(offer::search_terms)
            .unwrap_or_default(),
        status,
        only_supplier,
        category: query.category,
        region_bit: query.region.map(domain::offer::RegionSet::bit),
        supplier: query.supplier,
        pricing_unit: query.pricing_unit,
        min_price_pence: query.min_price_pence,
        max_price_pence: query.max_price_pence,
        sort: match query.sort {
            SortOrder::Relevance => OfferSort::Relevance,
            SortOrder::PriceAsc => OfferSort::PriceAsc,
            SortOrder::PriceDesc => OfferSort::PriceDesc,
            SortOrder::Newest => OfferSort::Newest,
            SortOrder::Rating => OfferSort::Rating(now),
        },
    };
    let conn = ctx.db().conn();
    let found =
        persistence::offers::search(conn, &search, page, ctx.config().search_total_limit).await?;
    let suppliers: Vec<OrganisationId> = found.items.iter().map(|o| o.supplier_id).collect();
    let ratings = crate::contracts::ratings(conn, &suppliers, now).await?;
    Ok(found.map(|l| listing_view(l, &ratings)))
}

/// One offer in a comparison: its card and its annual price at the buyer's volumes.
#[derive(Debug, Clone)]
pub struct Compared {
    pub offer: ListingView,
    pub annual_price_pence: Option<i64>,
    pub annualisation: String,
}

/// Compares 2 to 10 offers `actor` may see side by side (in the order named), each annualised
/// at the buyer's volumes where its unit allows.
pub async fn compare(
    ctx: &Ctx,
    actor: &Actor,
    ids: &str,
    basis: &AnnualisationBasis,
) -> Result<Vec<Compared>, ServiceError> {
    let mut wanted: Vec<OfferId> = Vec::new();
    for raw in ids.split(',') {
        // Only the hyphenated form, as every id is written (the documented pattern).
        let id = Some(raw)
            .filter(|raw| raw.len() == 36)
            .and_then(|raw| Uuid::parse_str(raw).ok())
            .ok_or_else(|| ServiceError::field("/ids", format!("{raw:?} is not an offer id")))?;
        if !wanted.contains(&OfferId::from_uuid(id)) {
            wanted.push(OfferId::from_uuid(id));
        }
    }
    if !(2..=10).contains(&wanted.len()) {
        return Err(ServiceError::field(
            "/ids",
            "compare between 2 and 10 different offers",
        ));
    }
    let mut v = Validator::new();
    for (name, bad) in [
        (
            "fte",
            basis.fte.is_some_and(|n| !(1..=100_000).contains(&n)),
        ),
        (
            "population",
            basis
                .population
                .is_some_and(|n| !(1..=100_000_000).contains(&n)),
        ),
        (
            "days_per_year",
            basis.days_per_year.is_some_and(|n| !(1..=366).contains(&n)),
        ),
        (
            "transactions_per_year",
            basis
                .transactions_per_year
                .is_some_and(|n| !(1..=1_000_000_000).contains(&n)),
        ),
    ] {
        if bad {
            v.push(FieldError::new(format!("/{name}"), "is out of range"));
        }
    }
    v.finish()?;
    let conn = ctx.db().conn();
    let found = persistence::offers::find_many(conn, &wanted).await?;
    let now = ctx.now().await?;
    let suppliers: Vec<OrganisationId> = found.iter().map(|o| o.supplier_id).collect();
    let ratings = crate::contracts::ratings(conn, &suppliers, now).await?;
    let names = persistence::organisations::names(conn, &suppliers).await?;
    let mut items = Vec::with_capacity(wanted.len());
    for id in &wanted {
        let o = found
            .iter()
            .find(|o| o.id == *id)
            .filter(|o| offer::can_view_offer(actor, o.supplier_id, o.status))
            .ok_or_else(|| ServiceError::NotFound(format!("No such offer: {id}.")))?;
        let annual = offer::annualise(o.details.pricing_unit, o.details.unit_price_pence, basis);
        let listing = OfferListing {
            id: o.id,
            supplier_id: o.supplier_id,
            supplier_name: names.get(&o.supplier_id).cloned().unwrap_or_default(),
            category: o.details.category.clone(),
            title: o.details.title.clone(),
            summary: o.details.summary.clone(),
            regions: o.details.regions,
            pricing_unit: o.details.pricing_unit,
            unit_price_pence: o.details.unit_price_pence,
            minimum_term_months: o.details.minimum_term_months,
            status: o.status,
            published_at: o.published_at,
        };
        items.push(Compared {
            offer: listing_view(listing, &ratings),
            annual_price_pence: annual.annual_price_pence,
            annualisation: annual.basis,
        });
    }
    Ok(items)
}
