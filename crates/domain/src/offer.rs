//! Service offers in the catalogue: their fields, their lifecycle (`draft → published →
//! withdrawn`), who may see and manage them, neutral ordering, and annualised prices for
//! side-by-side comparison.

use crate::access::Actor;
use crate::error::{DomainError, FieldError, Validator};
use crate::ids::{OfferId, OrganisationId};
use crate::organisation::Region;
use crate::user::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How an offer is priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PricingUnit {
    FixedAnnual,
    PerMonth,
    DayRate,
    PerFteMonth,
    #[serde(rename = "per_1000_population_year")]
    Per1000PopulationYear,
    PerTransaction,
}

codes!(PricingUnit, "/pricing_unit", "is not a known pricing unit", {
    FixedAnnual => "fixed_annual",
    PerMonth => "per_month",
    DayRate => "day_rate",
    PerFteMonth => "per_fte_month",
    Per1000PopulationYear => "per_1000_population_year",
    PerTransaction => "per_transaction",
});

/// Where an offer is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferStatus {
    Draft,
    Published,
    Withdrawn,
}

codes!(OfferStatus, "/status", "must be draft, published or withdrawn", {
    Draft => "draft",
    Published => "published",
    Withdrawn => "withdrawn",
});

impl OfferStatus {
    /// `draft → published`.
    pub fn publish(self) -> Result<Self, DomainError> {
        match self {
            Self::Draft => Ok(Self::Published),
            Self::Published => Err(DomainError::conflict("the offer is already published")),
            Self::Withdrawn => Err(DomainError::conflict(
                "a withdrawn offer cannot be published again; create a new offer",
            )),
        }
    }

    /// `published → withdrawn`.
    pub fn withdraw(self) -> Result<Self, DomainError> {
        match self {
            Self::Published => Ok(Self::Withdrawn),
            Self::Draft => Err(DomainError::conflict(
                "only a published offer can be withdrawn; a draft is not yet offered",
            )),
            Self::Withdrawn => Err(DomainError::conflict("the offer is already withdrawn")),
        }
    }

    /// Drafts and published offers may be edited; withdrawn ones are kept as they were.
    pub fn check_editable(self) -> Result<(), DomainError> {
        match self {
            Self::Withdrawn => Err(DomainError::conflict("a withdrawn offer cannot be changed")),
            _ => Ok(()),
        }
    }
}

/// A unit price in pence, within the limits of all money.
pub fn parse_unit_price(pence: i64) -> Result<i64, DomainError> {
    crate::money::Money::from_pence(pence, "/unit_price_pence").map(crate::money::Money::pence)
}

/// A minimum contract term, 1 to 120 months.
pub fn parse_minimum_term(months: i32) -> Result<i32, DomainError> {
    if (1..=120).contains(&months) {
        Ok(months)
    } else {
        Err(DomainError::field(
            "/minimum_term_months",
            "must be between 1 and 120 months",
        ))
    }
}

/// The regions an offer serves, as a bit set (one bit per NHS England region, in
/// [`Region::ALL`] order): compact, and filterable the same way on both databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RegionSet(i32);

impl RegionSet {
    pub fn bit(region: Region) -> i32 {
        let index = Region::ALL.iter().position(|r| *r == region).unwrap_or(0);
        1 << index
    }

    /// At least one region, each named once.
    pub fn new(regions: &[Region]) -> Result<Self, DomainError> {
        if regions.is_empty() {
            return Err(DomainError::field(
                "/regions",
                "name at least one region served",
            ));
        }
        let mut mask = 0;
        for (index, region) in regions.iter().enumerate() {
            if mask & Self::bit(*region) != 0 {
                return Err(DomainError::field(
                    format!("/regions/{index}"),
                    "names a region already listed",
                ));
            }
            mask |= Self::bit(*region);
        }
        Ok(Self(mask))
    }

    pub fn from_mask(mask: i32) -> Self {
        Self(mask & 0x7f)
    }

    pub fn mask(self) -> i32 {
        self.0
    }

    pub fn regions(self) -> Vec<Region> {
        Region::ALL
            .into_iter()
            .filter(|r| self.0 & Self::bit(*r) != 0)
            .collect()
    }
}

fn text(raw: &str, pointer: &str, max_chars: usize) -> Result<String, DomainError> {
    crate::organisation::bounded_text(raw, pointer, max_chars)
}

fn prose(raw: &str, pointer: &str, max_chars: usize) -> Result<String, DomainError> {
    crate::organisation::long_text(raw, pointer, max_chars)
}

pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 500;
pub const DESCRIPTION_MAX: usize = 20_000;

/// A parsed new offer; the category code is checked against reference data by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOffer {
    pub category: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub regions: RegionSet,
    pub pricing_unit: PricingUnit,
    pub unit_price_pence: i64,
    pub minimum_term_months: Option<i32>,
}

/// The fields of an offer as sent, before parsing.
#[derive(Debug, Clone, Default)]
pub struct OfferFields<'a> {
    pub category: Option<&'a str>,
    pub title: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub description: Option<&'a str>,
    pub regions: Option<&'a [Region]>,
    pub pricing_unit: Option<PricingUnit>,
    pub unit_price_pence: Option<i64>,
    /// `Some(None)` clears the minimum term.
    pub minimum_term_months: Option<Option<i32>>,
}

/// A parsed change to an offer; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfferChange {
    pub category: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub regions: Option<RegionSet>,
    pub pricing_unit: Option<PricingUnit>,
    pub unit_price_pence: Option<i64>,
    pub minimum_term_months: Option<Option<i32>>,
}

/// The longest category code.
pub const CATEGORY_MAX: usize = 60;

/// A category filter on a search or on market figures: any text up to a code's length (a code
/// that does not exist matches nothing).
pub fn check_category_filter(category: Option<&str>, v: &mut Validator) {
    if category.is_some_and(|c| c.chars().count() > CATEGORY_MAX) {
        v.push(FieldError::new(
            "/category",
            format!("must be at most {CATEGORY_MAX} characters"),
        ));
    }
}

/// A category code's shape (lower case, digits and underscores); whether it exists is reference
/// data, checked by the store.
pub(crate) fn parse_category(raw: &str) -> Result<String, DomainError> {
    let ok = !raw.is_empty()
        && raw.len() <= CATEGORY_MAX
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(DomainError::field(
            "/category",
            "is not a known category code",
        ))
    }
}

impl OfferChange {
    /// Parses every given field, reporting every problem at once.
    pub fn parse(fields: &OfferFields<'_>) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let change = Self {
            category: fields.category.and_then(|c| v.check(parse_category(c))),
            title: fields
                .title
                .and_then(|t| v.check(text(t, "/title", TITLE_MAX))),
            summary: fields
                .summary
                .and_then(|t| v.check(text(t, "/summary", SUMMARY_MAX))),
            description: fields
                .description
                .and_then(|t| v.check(prose(t, "/description", DESCRIPTION_MAX))),
            regions: fields.regions.and_then(|r| v.check(RegionSet::new(r))),
            pricing_unit: fields.pricing_unit,
            unit_price_pence: fields
                .unit_price_pence
                .and_then(|p| v.check(parse_unit_price(p))),
            minimum_term_months: match fields.minimum_term_months {
                Some(Some(m)) => v
                    .check(parse_minimum_term(m))
                    .map(|m| Some(Some(m)))
                    .unwrap_or(None),
                Some(None) => Some(None),
                None => None,
            },
        };
        v.finish()?;
        Ok(change)
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Whether the change touches the price or its unit (a published offer then records history).
    pub fn changes_price(&self, current_unit: PricingUnit, current_price: i64) -> bool {
        self.pricing_unit.is_some_and(|u| u != current_unit)
            || self.unit_price_pence.is_some_and(|p| p != current_price)
    }
}

impl NewOffer {
    /// Parses a complete offer: every field but the minimum term is required.
    pub fn parse(fields: &OfferFields<'_>) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        for (name, present) in [
            ("category", fields.category.is_some()),
            ("title", fields.title.is_some()),
            ("summary", fields.summary.is_some()),
            ("description", fields.description.is_some()),
            ("regions", fields.regions.is_some()),
            ("pricing_unit", fields.pricing_unit.is_some()),
            ("unit_price_pence", fields.unit_price_pence.is_some()),
        ] {
            if !present {
                v.push(FieldError::new(format!("/{name}"), "is required"));
            }
        }
        let change = v.check(OfferChange::parse(fields));
        v.finish()?;
        let change = change.unwrap_or_default();
        match change {
            OfferChange {
                category: Some(category),
                title: Some(title),
                summary: Some(summary),
                description: Some(description),
                regions: Some(regions),
                pricing_unit: Some(pricing_unit),
                unit_price_pence: Some(unit_price_pence),
                minimum_term_months,
            } => Ok(Self {
                category,
                title,
                summary,
                description,
                regions,
                pricing_unit,
                unit_price_pence,
                minimum_term_months: minimum_term_months.flatten(),
            }),
            _ => Err(DomainError::Validation(Vec::new())),
        }
    }
}

/// An offer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub id: OfferId,
    pub supplier_id: OrganisationId,
    /// What the supplier offers and at what price.
    pub details: NewOffer,
    pub status: OfferStatus,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// The framework (and its lot) the supplier marked the offer as its catalogue entry for.
    pub framework: Option<FrameworkListing>,
}

/// An offer's place in a framework's catalogue: the framework and, when it is divided, the lot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameworkListing {
    pub framework_id: crate::ids::FrameworkId,
    pub lot_id: Option<crate::ids::LotId>,
}

/// The neutral order among offers that tie on the chosen sort: a stable hash of the id, so the
/// same offers always come in the same order and no supplier is favoured by its name.
pub fn tie_break_key(id: OfferId) -> i64 {
    let digest = Sha256::digest(id.as_uuid().as_bytes());
    let mut bytes = [0_u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// Whether `actor` may see an offer of `supplier` in `status`: drafts only its own organisation;
/// published ones everyone signed in; withdrawn ones its own organisation, the regulator and
/// admins.
pub fn can_view_offer(actor: &Actor, supplier: OrganisationId, status: OfferStatus) -> bool {
    let own = actor.organisation_id == supplier;
    match status {
        OfferStatus::Draft => own,
        OfferStatus::Published => true,
        OfferStatus::Withdrawn => own || matches!(actor.role, Role::Regulator | Role::Admin),
    }
}

/// The roles that publish and price their organisation's offers.
pub const OFFER_MANAGERS: [Role; 1] = [Role::SupplierBidder];

/// Whether `actor`'s role may ever create or manage offers (403 otherwise).
pub fn require_offer_manager(actor: &Actor) -> Result<(), DomainError> {
    if OFFER_MANAGERS.contains(&actor.role) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!(
            "a {} may not create or change service offers",
            actor.role
        )))
    }
}

/// May `actor` change this offer? A role that never may: 403. Another supplier's offer it cannot
/// see: 404 (no existence oracle). Another supplier's offer it can see: 403.
pub fn check_can_manage_offer(actor: &Actor, offer: &Offer) -> Result<(), DomainError> {
    let visible = can_view_offer(actor, offer.supplier_id, offer.status);
    if actor.role == Role::SupplierBidder && actor.organisation_id == offer.supplier_id {
        return Ok(());
    }
    if !visible {
        return Err(DomainError::NotFound("offer"));
    }
    Err(DomainError::Forbidden(
        "only the supplier that owns an offer may change it".to_owned(),
    ))
}

/// What the buyer says about its need, to turn unit prices into annual figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnnualisationBasis {
    pub fte: Option<u32>,
    pub population: Option<u64>,
    pub days_per_year: Option<u32>,
    pub transactions_per_year: Option<u64>,
}

/// An annual price and the assumption it rests on, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annualised {
    pub annual_price_pence: Option<i64>,
    pub basis: String,
}

/// Annualises a unit price where the unit allows it, stating the assumption.
pub fn annualise(
    unit: PricingUnit,
    unit_price_pence: i64,
    basis: &AnnualisationBasis,
) -> Annualised {
    let price = i128::from(unit_price_pence);
    let (annual, text): (Option<i128>, String) = match unit {
        PricingUnit::FixedAnnual => (Some(price), "fixed annual price".to_owned()),
        PricingUnit::PerMonth => (Some(price * 12), "12 months × monthly price".to_owned()),
        PricingUnit::DayRate => match basis.days_per_year {
            Some(days) => (
                Some(price * i128::from(days)),
                format!("{days} days a year × day rate"),
            ),
            None => (None, "not annualised: give days_per_year".to_owned()),
        },
        PricingUnit::PerFteMonth => match basis.fte {
            Some(fte) => (
                Some(price * i128::from(fte) * 12),
                format!("{fte} FTE × 12 months × price per FTE-month"),
            ),
            None => (None, "not annualised: give fte".to_owned()),
        },
        PricingUnit::Per1000PopulationYear => match basis.population {
            // Rounded half up to the penny: the population need not be a multiple of 1,000.
            Some(population) => (
                Some((price * i128::from(population) + 500) / 1000),
                format!("population {population} ÷ 1,000 × price per 1,000 a year"),
            ),
            None => (None, "not annualised: give population".to_owned()),
        },
        PricingUnit::PerTransaction => match basis.transactions_per_year {
            Some(n) => (
                Some(price * i128::from(n)),
                format!("{n} transactions a year × price per transaction"),
            ),
            None => (
                None,
                "not annualised: give transactions_per_year".to_owned(),
            ),
        },
    };
    Annualised {
        annual_price_pence: annual.and_then(|a| i64::try_from(a).ok()),
        basis: text,
    }
}

/// Pence as pounds with thousands separators: `£1,234.56`.
pub fn format_pounds(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let pence = pence.unsigned_abs();
    let pounds = (pence / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in pounds.chars().enumerate() {
        if i > 0 && (pounds.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}£{grouped}.{:02}", pence % 100)
}

/// A unit price as a buyer reads it: `£650.00 per day`.
pub fn price_label(unit: PricingUnit, unit_price_pence: i64) -> String {
    let per = match unit {
        PricingUnit::FixedAnnual => "a year (fixed)",
        PricingUnit::PerMonth => "a month",
        PricingUnit::DayRate => "per day",
        PricingUnit::PerFteMonth => "per FTE a month",
        PricingUnit::Per1000PopulationYear => "per 1,000 population a year",
        PricingUnit::PerTransaction => "per transaction",
    };
    format!("{} {per}", format_pounds(unit_price_pence))
}

/// Free text for search, reduced to the words that matter: lower case, letters and digits only,
/// common English words dropped, at most 8 words. Both databases search for exactly these.
pub fn search_terms(raw: &str) -> Vec<String> {
    const STOP: &[&str] = &[
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it",
        "of", "on", "or", "that", "the", "to", "with",
    ];
    let mut terms: Vec<String> = Vec::new();
    for word in raw
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| !w.is_empty() && w.len() <= 40 && !STOP.contains(&w.as_str()))
    {
        if !terms.contains(&word) {
            terms.push(word);
        }
        if terms.len() == 8 {
            break;
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, org: OrganisationId) -> Actor {
        Actor {
            user_id: crate::ids::UserId::new(),
            organisation_id: org,
            role,
        }
    }

    #[test]
    fn an_offer_goes_from_draft_to_published_to_withdrawn() {
        assert_eq!(OfferStatus::Draft.publish(), Ok(OfferStatus::Published));
        assert_eq!(
            OfferStatus::Published.withdraw(),
            Ok(OfferStatus::Withdrawn)
        );
    }

    #[test]
    fn every_other_transition_is_refused() {
        assert!(OfferStatus::Published.publish().is_err());
        assert!(OfferStatus::Withdrawn.publish().is_err());
        assert!(OfferStatus::Draft.withdraw().is_err());
        assert!(OfferStatus::Withdrawn.withdraw().is_err());
        assert!(OfferStatus::Withdrawn.check_editable().is_err());
        assert!(OfferStatus::Draft.check_editable().is_ok());
        assert!(OfferStatus::Published.check_editable().is_ok());
    }

    #[test]
    fn visibility_follows_status_and_organisation() {
        let supplier = OrganisationId::new();
        let other = OrganisationId::new();
        let table = [
            (Role::SupplierBidder, supplier, [true, true, true]),
            (Role::SupplierBidder, other, [false, true, false]),
            (Role::BuyerLead, other, [false, true, false]),
            (Role::BuyerEvaluator, other, [false, true, false]),
            (Role::Regulator, other, [false, true, true]),
            (Role::Admin, other, [false, true, true]),
        ];
        for (role, org, expected) in table {
            for (status, visible) in OfferStatus::ALL.into_iter().zip(expected) {
                assert_eq!(
                    can_view_offer(&actor(role, org), supplier, status),
                    visible,
                    "{role} {status}"
                );
            }
        }
    }

    fn offer(supplier: OrganisationId, status: OfferStatus) -> Offer {
        Offer {
            id: OfferId::new(),
            supplier_id: supplier,
            details: NewOffer {
                category: "finance".to_owned(),
                title: "t".to_owned(),
                summary: "s".to_owned(),
                description: "d".to_owned(),
                regions: RegionSet::from_mask(1),
                pricing_unit: PricingUnit::DayRate,
                unit_price_pence: 1,
                minimum_term_months: None,
            },
            status,
            version: 1,
            created_at: DateTime::default(),
            updated_at: DateTime::default(),
            published_at: None,
            withdrawn_at: None,
            framework: None,
        }
    }

    #[test]
    fn only_the_owning_supplier_manages_an_offer() {
        let supplier = OrganisationId::new();
        let draft = offer(supplier, OfferStatus::Draft);
        let published = offer(supplier, OfferStatus::Published);
        assert!(check_can_manage_offer(&actor(Role::SupplierBidder, supplier), &draft).is_ok());
        let other = actor(Role::SupplierBidder, OrganisationId::new());
        assert_eq!(
            check_can_manage_offer(&other, &draft),
            Err(DomainError::NotFound("offer"))
        );
        assert!(matches!(
            check_can_manage_offer(&other, &published),
            Err(DomainError::Forbidden(_))
        ));
        let buyer = actor(Role::BuyerLead, OrganisationId::new());
        assert!(matches!(
            check_can_manage_offer(&buyer, &published),
            Err(DomainError::Forbidden(_))
        ));
        assert!(require_offer_manager(&buyer).is_err());
        assert!(require_offer_manager(&actor(Role::Regulator, supplier)).is_err());
    }

    #[test]
    fn a_new_offer_names_every_missing_or_bad_field() {
        let err = NewOffer::parse(&OfferFields {
            title: Some(""),
            unit_price_pence: Some(-5),
            regions: Some(&[]),
            ..OfferFields::default()
        });
        let Err(DomainError::Validation(errors)) = err else {
            panic!("expected validation")
        };
        let mut pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        pointers.sort_unstable();
        assert_eq!(
            pointers,
            [
                "/category",
                "/description",
                "/pricing_unit",
                "/regions",
                "/summary",
                "/title",
                "/unit_price_pence"
            ]
        );
    }

    #[test]
    fn regions_are_held_as_a_set_each_named_once() {
        let set = RegionSet::new(&[Region::London, Region::NorthWest]);
        assert_eq!(
            set.map(RegionSet::regions),
            Ok(vec![Region::NorthWest, Region::London])
        );
        assert!(RegionSet::new(&[]).is_err());
        let twice = RegionSet::new(&[Region::London, Region::NorthWest, Region::London]);
        assert_eq!(
            twice,
            Err(DomainError::field(
                "/regions/2",
                "names a region already listed"
            ))
        );
    }

    #[test]
    fn prices_are_annualised_only_where_the_unit_allows_and_the_assumption_is_stated() {
        let none = AnnualisationBasis::default();
        assert_eq!(
            annualise(PricingUnit::PerMonth, 1_000, &none).annual_price_pence,
            Some(12_000)
        );
        assert_eq!(
            annualise(PricingUnit::FixedAnnual, 7, &none).annual_price_pence,
            Some(7)
        );
        let day = annualise(PricingUnit::DayRate, 60_000, &none);
        assert_eq!(day.annual_price_pence, None);
        assert!(day.basis.contains("days_per_year"));
        let basis = AnnualisationBasis {
            fte: Some(3),
            population: Some(250_500),
            days_per_year: Some(220),
            transactions_per_year: Some(10),
        };
        assert_eq!(
            annualise(PricingUnit::DayRate, 60_000, &basis).annual_price_pence,
            Some(13_200_000)
        );
        assert_eq!(
            annualise(PricingUnit::PerFteMonth, 500_000, &basis).annual_price_pence,
            Some(18_000_000)
        );
        assert_eq!(
            annualise(PricingUnit::Per1000PopulationYear, 150, &basis).annual_price_pence,
            Some(37_575)
        );
        assert_eq!(
            annualise(PricingUnit::PerTransaction, 99, &basis).annual_price_pence,
            Some(990)
        );
    }

    #[test]
    fn the_tie_break_key_is_stable_and_not_alphabetical() {
        let id = OfferId::from_uuid(uuid::Uuid::from_u128(42));
        assert_eq!(tie_break_key(id), tie_break_key(id));
        assert_ne!(
            tie_break_key(id),
            tie_break_key(OfferId::from_uuid(uuid::Uuid::from_u128(43)))
        );
    }

    #[test]
    fn prices_read_as_pounds() {
        assert_eq!(format_pounds(123_456_789), "£1,234,567.89");
        assert_eq!(format_pounds(5), "£0.05");
        assert_eq!(price_label(PricingUnit::DayRate, 65_000), "£650.00 per day");
    }

    #[test]
    fn search_text_keeps_the_words_that_matter() {
        assert_eq!(
            search_terms("Analysis of the NHS data!"),
            ["analysis", "nhs", "data"]
        );
        assert_eq!(search_terms("  "), Vec::<String>::new());
        assert_eq!(search_terms("data DATA data"), ["data"]);
    }
}
