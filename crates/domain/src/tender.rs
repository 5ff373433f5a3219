//! Competitive tenders: evaluation criteria and their weights, deadlines, the lifecycle
//! (`draft → published → evaluation → standstill → awarded`, with `cancelled` and
//! `unsuccessful`), the clock-driven close at the submission deadline, and amendments.
//!
//! Time is always an argument (the database's clock), never read here.

use crate::access::Actor;
use crate::error::{DomainError, FieldError, Validator};
use crate::evaluation::PanelStanding;
use crate::ids::OrganisationId;
use crate::organisation::{Region, bounded_text, long_text};
use crate::user::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Whether a criterion scores the price or the quality of a bid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriterionKind {
    Price,
    Quality,
}

impl CriterionKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Price => "price",
            Self::Quality => "quality",
        }
    }
}

impl FromStr for CriterionKind {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "price" => Ok(Self::Price),
            "quality" => Ok(Self::Quality),
            _ => Err(DomainError::field("/kind", "must be price or quality")),
        }
    }
}

/// A criterion's weight: a whole number of percent, 1 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Weight(u8);

impl Weight {
    pub fn new(percent: i64) -> Result<Self, DomainError> {
        u8::try_from(percent)
            .ok()
            .filter(|p| (1..=100).contains(p))
            .map(Self)
            .ok_or_else(|| DomainError::field("/weight", "must be a whole number from 1 to 100"))
    }

    pub const fn percent(self) -> u8 {
        self.0
    }
}

/// A criterion as a buyer writes it, before it is given an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCriterion {
    pub name: String,
    pub kind: String,
    pub weight: i64,
}

/// One parsed criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionSpec {
    pub name: String,
    pub kind: CriterionKind,
    pub weight: Weight,
}

/// The evaluation criteria of a tender: exactly one price criterion, any number of quality
/// criteria (at most [`Criteria::MAX`] in all), names unique, weights summing to 100.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criteria(Vec<CriterionSpec>);

impl Criteria {
    pub const MAX: usize = 20;
    pub const MAX_NAME_CHARS: usize = 200;

    pub fn new(criteria: &[NewCriterion]) -> Result<Self, DomainError> {
        if criteria.is_empty() || criteria.len() > Self::MAX {
            return Err(DomainError::field(
                "/criteria",
                format!(
                    "must list 1 to {} criteria, exactly one of them of kind price",
                    Self::MAX
                ),
            ));
        }
        let mut v = Validator::new();
        let mut parsed = Vec::new();
        let mut names: Vec<&str> = Vec::new();
        for (i, criterion) in criteria.iter().enumerate() {
            let at = format!("/criteria/{i}");
            let name = criterion.name.trim();
            if name.is_empty() || name.chars().count() > Self::MAX_NAME_CHARS {
                v.push(FieldError::new(
                    format!("{at}/name"),
                    format!("must be 1 to {} characters", Self::MAX_NAME_CHARS),
                ));
            } else if names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                v.push(FieldError::new(
                    format!("{at}/name"),
                    "must differ from every other criterion's name",
                ));
            }
            names.push(name);
            let kind = v.check(
                criterion
                    .kind
                    .parse::<CriterionKind>()
                    .map_err(|e| e.under(&at)),
            );
            let weight = v.check(Weight::new(criterion.weight).map_err(|e| e.under(&at)));
            if let (Some(kind), Some(weight)) = (kind, weight) {
                parsed.push(CriterionSpec {
                    name: name.to_owned(),
                    kind,
                    weight,
                });
            }
        }
        let prices = criteria
            .iter()
            .filter(|c| c.kind == CriterionKind::Price.as_str())
            .count();
        if prices != 1 {
            v.push(FieldError::new(
                "/criteria",
                format!("must have exactly one criterion of kind price, not {prices}"),
            ));
        }
        let sum: i64 = criteria.iter().map(|c| c.weight).sum();
        if sum != 100 {
            v.push(FieldError::new(
                "/criteria",
                format!("weights must sum to 100, not {sum}"),
            ));
        }
        v.finish()?;
        Ok(Self(parsed))
    }

    pub fn iter(&self) -> impl Iterator<Item = &CriterionSpec> {
        self.0.iter()
    }

    pub fn price(&self) -> &CriterionSpec {
        // `new` guarantees exactly one.
        self.0
            .iter()
            .find(|c| c.kind == CriterionKind::Price)
            .unwrap_or(&self.0[0])
    }
}

/// How suppliers come to bid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Procedure {
    /// Any supplier may bid.
    Open,
    /// Only the named suppliers may see the tender and bid.
    Invited,
}

impl Procedure {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Invited => "invited",
        }
    }
}

impl FromStr for Procedure {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "open" => Ok(Self::Open),
            "invited" => Ok(Self::Invited),
            _ => Err(DomainError::field("/procedure", "must be open or invited")),
        }
    }
}

/// The two deadlines of a tender: questions close no later than bids do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    clarification: DateTime<Utc>,
    submission: DateTime<Utc>,
}

impl Deadlines {
    pub fn new(
        clarification: DateTime<Utc>,
        submission: DateTime<Utc>,
    ) -> Result<Self, DomainError> {
        if clarification > submission {
            return Err(DomainError::field(
                "/clarification_deadline",
                "must not be after the submission deadline",
            ));
        }
        Ok(Self {
            clarification,
            submission,
        })
    }

    pub const fn clarification(&self) -> DateTime<Utc> {
        self.clarification
    }

    pub const fn submission(&self) -> DateTime<Utc> {
        self.submission
    }

    /// Publishing needs both deadlines still ahead.
    pub fn check_ahead_of(&self, now: DateTime<Utc>) -> Result<(), DomainError> {
        let mut v = Validator::new();
        if self.clarification <= now {
            v.push(FieldError::new(
                "/clarification_deadline",
                "must be in the future when the tender is published",
            ));
        }
        if self.submission <= now {
            v.push(FieldError::new(
                "/submission_deadline",
                "must be in the future when the tender is published",
            ));
        }
        v.finish()
    }

    /// The deadlines after an amendment: each may move later, never earlier, and the order holds.
    pub fn extended(
        &self,
        clarification: Option<DateTime<Utc>>,
        submission: Option<DateTime<Utc>>,
    ) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let clarification = clarification.unwrap_or(self.clarification);
        let submission = submission.unwrap_or(self.submission);
        if clarification < self.clarification {
            v.push(FieldError::new(
                "/clarification_deadline",
                "an amendment may extend a deadline, never bring it forward",
            ));
        }
        if submission < self.submission {
            v.push(FieldError::new(
                "/submission_deadline",
                "an amendment may extend a deadline, never bring it forward",
            ));
        }
        v.finish()?;
        Self::new(clarification, submission)
    }
}

/// Working days of standstill after award: 0 to 30, 8 unless the buyer says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandstillDays(u8);

impl StandstillDays {
    pub const DEFAULT: Self = Self(8);

    pub fn new(days: i64) -> Result<Self, DomainError> {
        u8::try_from(days)
            .ok()
            .filter(|d| *d <= 30)
            .map(Self)
            .ok_or_else(|| DomainError::field("/standstill_days", "must be from 0 to 30"))
    }

    pub const fn days(self) -> u8 {
        self.0
    }
}

/// Where a tender is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenderStatus {
    Draft,
    Published,
    Evaluation,
    Standstill,
    Awarded,
    Cancelled,
    Unsuccessful,
}

impl TenderStatus {
    pub const ALL: [Self; 7] = [
        Self::Draft,
        Self::Published,
        Self::Evaluation,
        Self::Standstill,
        Self::Awarded,
        Self::Cancelled,
        Self::Unsuccessful,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Evaluation => "evaluation",
            Self::Standstill => "standstill",
            Self::Awarded => "awarded",
            Self::Cancelled => "cancelled",
            Self::Unsuccessful => "unsuccessful",
        }
    }

    /// Whether no transition leaves this state.
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Awarded | Self::Cancelled | Self::Unsuccessful)
    }

    /// The state in force at `now`: a published tender closes by the clock at its submission
    /// deadline, into evaluation when a live bid is in, otherwise unsuccessful. Every read and
    /// write uses this, so no background job is needed for the close to be correct.
    pub fn at(
        self,
        submission_deadline: DateTime<Utc>,
        now: DateTime<Utc>,
        has_live_bid: bool,
    ) -> Self {
        match self {
            Self::Published if now >= submission_deadline => {
                if has_live_bid {
                    Self::Evaluation
                } else {
                    Self::Unsuccessful
                }
            }
            other => other,
        }
    }

    /// `draft → published`.
    pub fn publish(self) -> Result<Self, DomainError> {
        match self {
            Self::Draft => Ok(Self::Published),
            other => Err(refused("published", other)),
        }
    }

    /// Amendments are for a published tender, before its submission deadline (the caller passes
    /// the state in force).
    pub fn check_amendable(self) -> Result<(), DomainError> {
        match self {
            Self::Published => Ok(()),
            Self::Draft => Err(DomainError::Conflict(
                "a draft is edited, not amended; amendments are for published tenders".to_owned(),
            )),
            other => Err(refused("amended", other)),
        }
    }

    /// A draft's fields may be edited; once published, only amendments change it.
    pub fn check_editable(self) -> Result<(), DomainError> {
        match self {
            Self::Draft => Ok(()),
            other => Err(DomainError::Conflict(format!(
                "a {} tender cannot be edited; only a draft can (a published tender is amended)",
                other.as_str()
            ))),
        }
    }

    /// Any state before award `→ cancelled`.
    pub fn cancel(self) -> Result<Self, DomainError> {
        match self {
            Self::Draft | Self::Published | Self::Evaluation | Self::Standstill => {
                Ok(Self::Cancelled)
            }
            other => Err(refused("cancelled", other)),
        }
    }

    /// `evaluation → standstill`, when the lead awards.
    pub fn start_standstill(self) -> Result<Self, DomainError> {
        match self {
            Self::Evaluation => Ok(Self::Standstill),
            other => Err(refused("awarded", other)),
        }
    }

    /// `standstill → awarded`, when the lead confirms the contract after the standstill.
    pub fn confirm_award(self) -> Result<Self, DomainError> {
        match self {
            Self::Standstill => Ok(Self::Awarded),
            other => Err(refused("confirmed", other)),
        }
    }

    /// `standstill → evaluation`, when a challenge to the award is upheld: the award is
    /// cancelled and the scores stand.
    pub fn reopen_evaluation(self) -> Result<Self, DomainError> {
        match self {
            Self::Standstill => Ok(Self::Evaluation),
            other => Err(refused("returned to evaluation", other)),
        }
    }

    /// `evaluation → unsuccessful`, when no compliant bid remains.
    pub fn fail(self) -> Result<Self, DomainError> {
        match self {
            Self::Evaluation => Ok(Self::Unsuccessful),
            other => Err(refused("closed as unsuccessful", other)),
        }
    }
}

fn refused(action: &str, from: TenderStatus) -> DomainError {
    DomainError::Conflict(format!("a {} tender cannot be {action}", from.as_str()))
}

impl fmt::Display for TenderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TenderStatus {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| DomainError::field("/status", "is not a tender status"))
    }
}

/// A cancellation needs a reason that bidders and the regulator will read.
pub fn cancellation_reason(raw: &str) -> Result<String, DomainError> {
    let reason = raw.trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(DomainError::field(
            "/reason",
            "must be 1 to 2000 characters: say why the tender is cancelled",
        ));
    }
    Ok(reason.to_owned())
}

/// Whether an amendment makes the live bids need their suppliers' confirmation: bids answered
/// the tender as it was, so a later deadline or a changed description reopens them.
pub fn amendment_needs_confirmation(
    before: &Deadlines,
    after: &Deadlines,
    description_changed: bool,
) -> bool {
    description_changed || after.submission() != before.submission()
}

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 20_000;
/// The largest sum of money a tender or a bid may name: £100 million, in pence.
pub const MAX_PENCE: i64 = 10_000_000_000;
/// The most suppliers one invited tender may name.
pub const MAX_INVITED: usize = 100;

/// The fields of a tender as sent (or, for an edit, as sent over what is stored), before parsing.
#[derive(Debug, Clone)]
pub struct TenderFields<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub category: &'a str,
    pub region: Region,
    pub estimated_value_pence: i64,
    pub budget_ceiling_pence: Option<i64>,
    pub contract_term_months: i64,
    pub procedure: Procedure,
    pub invited_supplier_ids: &'a [OrganisationId],
    pub criteria: &'a [NewCriterion],
    pub clarification_deadline: DateTime<Utc>,
    pub submission_deadline: DateTime<Utc>,
    pub standstill_days: Option<i64>,
}

/// A parsed tender, as a draft holds it. The category code and the invited organisations are
/// checked against stored data by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenderSpec {
    pub title: String,
    pub description: String,
    pub category: String,
    pub region: Region,
    pub estimated_value_pence: i64,
    pub budget_ceiling_pence: Option<i64>,
    pub contract_term_months: i32,
    pub procedure: Procedure,
    pub invited_supplier_ids: Vec<OrganisationId>,
    pub criteria: Criteria,
    pub deadlines: Deadlines,
    pub standstill_days: StandstillDays,
}

fn pence(value: i64, pointer: &str) -> Result<i64, DomainError> {
    if (1..=MAX_PENCE).contains(&value) {
        Ok(value)
    } else {
        Err(DomainError::field(
            pointer,
            format!("must be a whole number of pence from 1 to {MAX_PENCE}"),
        ))
    }
}

impl TenderSpec {
    /// Parses every field, reporting every problem at once.
    pub fn parse(fields: &TenderFields<'_>) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let title = v.check(bounded_text(fields.title, "/title", TITLE_MAX));
        let description = v.check(long_text(
            fields.description,
            "/description",
            DESCRIPTION_MAX,
        ));
        let category = v.check(crate::offer::parse_category(fields.category));
        let estimated = v.check(pence(
            fields.estimated_value_pence,
            "/estimated_value_pence",
        ));
        let ceiling = match fields.budget_ceiling_pence {
            Some(c) => v
                .check(pence(c, "/budget_ceiling_pence"))
                .map(Some)
                .unwrap_or(None),
            None => None,
        };
        if let (Some(estimated), Some(ceiling)) = (estimated, ceiling)
            && ceiling < estimated
        {
            v.push(FieldError::new(
                "/budget_ceiling_pence",
                "must not be below the estimated value",
            ));
        }
        let term = v.check(
            i32::try_from(fields.contract_term_months)
                .ok()
                .filter(|m| (1..=120).contains(m))
                .ok_or_else(|| {
                    DomainError::field("/contract_term_months", "must be from 1 to 120 months")
                }),
        );
        let invited = fields.invited_supplier_ids;
        match fields.procedure {
            Procedure::Open if !invited.is_empty() => v.push(FieldError::new(
                "/invited_supplier_ids",
                "must be empty for an open tender: any supplier may bid",
            )),
            Procedure::Invited if invited.is_empty() || invited.len() > MAX_INVITED => {
                v.push(FieldError::new(
                    "/invited_supplier_ids",
                    format!("an invited tender names 1 to {MAX_INVITED} suppliers"),
                ));
            }
            _ => {}
        }
        for (i, id) in invited.iter().enumerate() {
            if invited[..i].contains(id) {
                v.push(FieldError::new(
                    format!("/invited_supplier_ids/{i}"),
                    "names the same supplier twice",
                ));
            }
        }
        let criteria = v.check(Criteria::new(fields.criteria));
        let deadlines = v.check(Deadlines::new(
            fields.clarification_deadline,
            fields.submission_deadline,
        ));
        let standstill = match fields.standstill_days {
            Some(days) => v.check(StandstillDays::new(days)),
            None => Some(StandstillDays::DEFAULT),
        };
        v.finish()?;
        match (
            title,
            description,
            category,
            estimated,
            term,
            criteria,
            deadlines,
            standstill,
        ) {
            (
                Some(title),
                Some(description),
                Some(category),
                Some(estimated_value_pence),
                Some(contract_term_months),
                Some(criteria),
                Some(deadlines),
                Some(standstill_days),
            ) => Ok(Self {
                title,
                description,
                category,
                region: fields.region,
                estimated_value_pence,
                budget_ceiling_pence: ceiling,
                contract_term_months,
                procedure: fields.procedure,
                invited_supplier_ids: invited.to_vec(),
                criteria,
                deadlines,
                standstill_days,
            }),
            _ => Err(DomainError::Validation(Vec::new())),
        }
    }
}

/// A parsed amendment to a published tender: a clarified description and/or later deadlines,
/// with a note to bidders saying what changed and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amendment {
    pub note: String,
    pub description: Option<String>,
    pub deadlines: Deadlines,
    /// Whether live bids must be confirmed again (see [`amendment_needs_confirmation`]).
    pub needs_confirmation: bool,
}

impl Amendment {
    /// Parses an amendment against the tender's current description and deadlines, at `now`.
    pub fn parse(
        note: &str,
        description: Option<&str>,
        clarification_deadline: Option<DateTime<Utc>>,
        submission_deadline: Option<DateTime<Utc>>,
        current_description: &str,
        current: &Deadlines,
        now: DateTime<Utc>,
    ) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let note = v.check(long_text(note, "/note", 2000));
        let description = description
            .and_then(|d| v.check(long_text(d, "/description", DESCRIPTION_MAX)))
            .filter(|d| d != current_description);
        for (pointer, deadline) in [
            ("/clarification_deadline", clarification_deadline),
            ("/submission_deadline", submission_deadline),
        ] {
            if deadline.is_some_and(|d| d <= now) {
                v.push(FieldError::new(pointer, "must be in the future"));
            }
        }
        let deadlines = v.check(current.extended(clarification_deadline, submission_deadline));
        v.finish()?;
        let deadlines = deadlines.unwrap_or(*current);
        if description.is_none() && deadlines == *current {
            return Err(DomainError::field(
                "",
                "an amendment must change the description or extend a deadline",
            ));
        }
        let needs_confirmation =
            amendment_needs_confirmation(current, &deadlines, description.is_some());
        Ok(Self {
            note: note.unwrap_or_default(),
            description,
            deadlines,
            needs_confirmation,
        })
    }
}

/// The deadline of an action, checked against the database clock at the moment of the write.
pub fn check_before(
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
    what: &str,
) -> Result<(), DomainError> {
    if now < deadline {
        Ok(())
    } else {
        Err(DomainError::DeadlinePassed {
            detail: format!(
                "The deadline for {what} was {}; it has passed.",
                deadline.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            ),
            deadline,
        })
    }
}

/// Only a buyer organisation's procurement lead creates and runs its tenders.
pub fn require_tender_manager(actor: &Actor) -> Result<(), DomainError> {
    if actor.role == Role::BuyerLead {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!(
            "a {} may not manage tenders; only a buyer_lead may",
            actor.role
        )))
    }
}

/// Whether `actor` sees a tender's confidential fields (its budget ceiling and invitation list):
/// the buying organisation's own people and oversight, never a supplier or another buyer.
pub fn sees_confidential(actor: &Actor, buyer: OrganisationId) -> bool {
    match actor.role {
        Role::BuyerLead | Role::BuyerEvaluator => actor.organisation_id == buyer,
        Role::Regulator | Role::Admin => true,
        Role::SupplierBidder => false,
    }
}

/// What of a tender decides who may see it and its bids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenderScope {
    pub buyer: OrganisationId,
    pub procedure: Procedure,
    pub invited: Vec<OrganisationId>,
    /// The state in force now (see [`TenderStatus::at`]).
    pub status: TenderStatus,
}

impl TenderScope {
    /// Whether `actor` works for the buying organisation (its lead or an evaluator).
    pub fn is_buyer(&self, actor: &Actor) -> bool {
        actor.organisation_id == self.buyer
            && matches!(actor.role, Role::BuyerLead | Role::BuyerEvaluator)
    }

    /// Refuses anyone but the buying organisation's procurement lead: 404 to those who may not
    /// see the tender at all, 403 to those who may see it but not run it.
    pub fn check_lead(&self, actor: &Actor, action: &str) -> Result<(), DomainError> {
        if actor.role == Role::BuyerLead && actor.organisation_id == self.buyer {
            Ok(())
        } else if can_view_tender(actor, self) {
            Err(DomainError::Forbidden(format!(
                "only the buying organisation's procurement lead may {action}"
            )))
        } else {
            Err(DomainError::NotFound("tender"))
        }
    }

    fn may_bid(&self, actor: &Actor) -> bool {
        actor.role == Role::SupplierBidder
            && match self.procedure {
                Procedure::Open => true,
                Procedure::Invited => self.invited.contains(&actor.organisation_id),
            }
    }
}

/// Whether `actor` may see the tender at all (otherwise it answers 404). A draft is its buyer's
/// alone; an invited tender is invisible to every supplier it does not name and to other buyers;
/// the regulator and admins see every tender once published.
pub fn can_view_tender(actor: &Actor, tender: &TenderScope) -> bool {
    TenderAudience::of(actor).admits(tender)
}

/// Which tenders a user may see: one rule for the single read ([`can_view_tender`]) and for
/// every list (storage turns the same cases into its query), so that a list holds exactly the
/// tenders its reader may open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenderAudience {
    /// A buyer organisation's people: its own tenders in any state, and every other buyer's
    /// open tender once published (open tenders are public notices; drafts and invitations are
    /// not).
    Buyer(OrganisationId),
    /// A supplier: published open tenders, and those it is invited to; never a draft.
    Supplier(OrganisationId),
    /// The regulator and admins: every tender but drafts.
    Oversight,
}

impl TenderAudience {
    pub fn of(actor: &Actor) -> Self {
        match actor.role {
            Role::BuyerLead | Role::BuyerEvaluator => Self::Buyer(actor.organisation_id),
            Role::SupplierBidder => Self::Supplier(actor.organisation_id),
            Role::Regulator | Role::Admin => Self::Oversight,
        }
    }

    /// Whether this audience sees `tender`.
    pub fn admits(self, tender: &TenderScope) -> bool {
        match self {
            Self::Buyer(own) if own == tender.buyer => true,
            _ if tender.status == TenderStatus::Draft => false,
            Self::Buyer(_) => tender.procedure == Procedure::Open,
            Self::Supplier(supplier) => match tender.procedure {
                Procedure::Open => true,
                Procedure::Invited => tender.invited.contains(&supplier),
            },
            Self::Oversight => true,
        }
    }
}

/// Whether `actor`'s organisation may bid on the tender (it must also be open for bids).
pub fn can_bid(actor: &Actor, tender: &TenderScope) -> bool {
    tender.may_bid(actor)
}

/// What `actor` may see of the bids on a tender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BidAccess {
    /// Every live bid.
    All,
    /// Only its own organisation's bid.
    OwnOnly,
    /// None yet: the bids are sealed (listing answers 403 `bids-sealed`, one bid 404).
    Sealed,
    /// None until the assigned evaluator declares that it has no conflict of interest (listing
    /// answers 403, one bid 404).
    DeclarationNeeded,
    /// None, ever (the tender is not theirs to see: 404).
    Never,
}

/// The sealing rule. Before the submission deadline a bid is its supplier's alone — not the
/// buyer's, not the regulator's, not an admin's. After it, the buyer's lead and the evaluators
/// assigned to the tender see every live bid (an evaluator once it has declared no conflict of
/// interest); the regulator and admins only once the tender is awarded (standstill or awarded);
/// suppliers only ever their own.
pub fn bid_access(actor: &Actor, tender: &TenderScope, panel: PanelStanding) -> BidAccess {
    if !can_view_tender(actor, tender) {
        return BidAccess::Never;
    }
    let opened = matches!(
        tender.status,
        TenderStatus::Evaluation
            | TenderStatus::Standstill
            | TenderStatus::Awarded
            | TenderStatus::Unsuccessful
            | TenderStatus::Cancelled
    );
    let awarded = matches!(
        tender.status,
        TenderStatus::Standstill | TenderStatus::Awarded
    );
    match actor.role {
        Role::SupplierBidder => BidAccess::OwnOnly,
        Role::BuyerLead if tender.is_buyer(actor) => {
            if opened {
                BidAccess::All
            } else {
                BidAccess::Sealed
            }
        }
        Role::BuyerEvaluator if tender.is_buyer(actor) => match (opened, panel) {
            (false, _) => BidAccess::Sealed,
            (true, PanelStanding::Cleared) => BidAccess::All,
            (true, PanelStanding::Undeclared) => BidAccess::DeclarationNeeded,
            (true, PanelStanding::NotOnPanel | PanelStanding::Conflicted) => BidAccess::Never,
        },
        Role::Regulator | Role::Admin => {
            if awarded {
                BidAccess::All
            } else {
                BidAccess::Sealed
            }
        }
        Role::BuyerLead | Role::BuyerEvaluator => BidAccess::Never,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, hour, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn criterion(name: &str, kind: &str, weight: i64) -> NewCriterion {
        NewCriterion {
            name: name.to_owned(),
            kind: kind.to_owned(),
            weight,
        }
    }

    fn pointers(error: DomainError) -> Vec<String> {
        match error {
            DomainError::Validation(errors) => errors.into_iter().map(|e| e.pointer).collect(),
            other => vec![format!("not a validation error: {other}")],
        }
    }

    #[test]
    fn one_price_criterion_and_weights_summing_to_100_are_accepted() {
        let criteria = Criteria::new(&[
            criterion("Price", "price", 40),
            criterion("Delivery", "quality", 35),
            criterion("Social value", "quality", 25),
        ]);
        let criteria = criteria.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(criteria.iter().count(), 3);
        assert_eq!(criteria.price().weight.percent(), 40);
    }

    #[test]
    fn weights_not_summing_to_100_are_refused() {
        let error = Criteria::new(&[
            criterion("Price", "price", 40),
            criterion("Quality", "quality", 50),
        ]);
        assert_eq!(error.map_err(pointers), Err(vec!["/criteria".to_owned()]));
    }

    #[test]
    fn two_price_criteria_or_none_are_refused() {
        let two = Criteria::new(&[
            criterion("Price", "price", 50),
            criterion("Whole-life cost", "price", 50),
        ]);
        assert_eq!(two.map_err(pointers), Err(vec!["/criteria".to_owned()]));
        let none = Criteria::new(&[criterion("Quality", "quality", 100)]);
        assert_eq!(none.map_err(pointers), Err(vec!["/criteria".to_owned()]));
        let empty = Criteria::new(&[]);
        assert_eq!(empty.map_err(pointers), Err(vec!["/criteria".to_owned()]));
    }

    #[test]
    fn each_bad_criterion_field_is_pointed_at() {
        let error = Criteria::new(&[
            criterion("Price", "price", 0),
            criterion(" ", "quality", 60),
            criterion("Price", "cost", 40),
        ]);
        let found = error.map_err(pointers).err().unwrap_or_default();
        for expected in [
            "/criteria/0/weight",
            "/criteria/1/name",
            "/criteria/2/name",
            "/criteria/2/kind",
        ] {
            assert!(
                found.contains(&expected.to_owned()),
                "{expected} in {found:?}"
            );
        }
    }

    #[test]
    fn deadlines_in_the_wrong_order_are_refused() {
        assert!(Deadlines::new(at(10), at(12)).is_ok());
        assert!(Deadlines::new(at(12), at(12)).is_ok());
        assert_eq!(
            Deadlines::new(at(13), at(12)).map_err(pointers),
            Err(vec!["/clarification_deadline".to_owned()])
        );
    }

    #[test]
    fn publishing_needs_both_deadlines_ahead() {
        let deadlines = Deadlines::new(at(10), at(12)).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(deadlines.check_ahead_of(at(9)).is_ok());
        assert_eq!(
            deadlines.check_ahead_of(at(10)).map_err(pointers),
            Err(vec!["/clarification_deadline".to_owned()])
        );
        assert_eq!(
            deadlines.check_ahead_of(at(12)).map_err(pointers),
            Err(vec![
                "/clarification_deadline".to_owned(),
                "/submission_deadline".to_owned()
            ])
        );
    }

    #[test]
    fn an_amendment_extends_deadlines_and_never_shortens_them() {
        let deadlines = Deadlines::new(at(10), at(12)).unwrap_or_else(|e| panic!("{e:?}"));
        let later = deadlines.extended(None, Some(at(15)));
        assert_eq!(later.map(|d| d.submission()), Ok(at(15)));
        assert_eq!(
            deadlines.extended(None, Some(at(11))).map_err(pointers),
            Err(vec!["/submission_deadline".to_owned()])
        );
        assert_eq!(
            deadlines.extended(Some(at(9)), None).map_err(pointers),
            Err(vec!["/clarification_deadline".to_owned()])
        );
        assert!(
            deadlines.extended(Some(at(13)), None).is_err(),
            "order holds"
        );
    }

    #[test]
    fn an_amendment_reopens_bids_when_it_moves_the_deadline_or_changes_the_text() {
        let before = Deadlines::new(at(10), at(12)).unwrap_or_else(|e| panic!("{e:?}"));
        let questions_later = before
            .extended(Some(at(11)), None)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let bids_later = before
            .extended(None, Some(at(14)))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(!amendment_needs_confirmation(
            &before,
            &questions_later,
            false
        ));
        assert!(amendment_needs_confirmation(&before, &bids_later, false));
        assert!(amendment_needs_confirmation(&before, &before, true));
    }

    #[test]
    fn standstill_is_0_to_30_working_days() {
        assert_eq!(StandstillDays::DEFAULT.days(), 8);
        assert!(StandstillDays::new(0).is_ok());
        assert!(StandstillDays::new(30).is_ok());
        assert!(StandstillDays::new(31).is_err());
        assert!(StandstillDays::new(-1).is_err());
    }

    #[test]
    fn a_published_tender_closes_by_the_clock() {
        let published = TenderStatus::Published;
        assert_eq!(published.at(at(12), at(11), true), TenderStatus::Published);
        assert_eq!(published.at(at(12), at(12), true), TenderStatus::Evaluation);
        assert_eq!(
            published.at(at(12), at(13), false),
            TenderStatus::Unsuccessful
        );
        for other in TenderStatus::ALL {
            if other != TenderStatus::Published {
                assert_eq!(other.at(at(12), at(13), true), other, "{other}");
            }
        }
    }

    type Transition = fn(TenderStatus) -> Result<TenderStatus, DomainError>;

    #[test]
    fn every_transition_is_allowed_from_exactly_its_states() {
        use TenderStatus::*;
        let table: [(&str, Transition, &[TenderStatus], TenderStatus); 6] = [
            ("publish", TenderStatus::publish, &[Draft], Published),
            (
                "cancel",
                TenderStatus::cancel,
                &[Draft, Published, Evaluation, Standstill],
                Cancelled,
            ),
            (
                "start_standstill",
                TenderStatus::start_standstill,
                &[Evaluation],
                Standstill,
            ),
            (
                "confirm_award",
                TenderStatus::confirm_award,
                &[Standstill],
                Awarded,
            ),
            ("fail", TenderStatus::fail, &[Evaluation], Unsuccessful),
            (
                "reopen_evaluation",
                TenderStatus::reopen_evaluation,
                &[Standstill],
                Evaluation,
            ),
        ];
        for (name, transition, allowed, to) in table {
            for from in TenderStatus::ALL {
                let result = transition(from);
                if allowed.contains(&from) {
                    assert_eq!(result, Ok(to), "{name} from {from}");
                } else {
                    assert!(
                        matches!(result, Err(DomainError::Conflict(_))),
                        "{name} from {from} must be refused"
                    );
                }
            }
        }
    }

    #[test]
    fn only_drafts_are_edited_and_only_published_tenders_amended() {
        for status in TenderStatus::ALL {
            assert_eq!(
                status.check_editable().is_ok(),
                status == TenderStatus::Draft,
                "{status}"
            );
            assert_eq!(
                status.check_amendable().is_ok(),
                status == TenderStatus::Published,
                "{status}"
            );
        }
    }

    #[test]
    fn final_states_are_final() {
        for status in TenderStatus::ALL {
            let leaves = [
                status.publish(),
                status.cancel(),
                status.start_standstill(),
                status.confirm_award(),
                status.fail(),
            ]
            .iter()
            .any(Result::is_ok);
            assert_eq!(status.is_final(), !leaves, "{status}");
        }
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in TenderStatus::ALL {
            assert_eq!(status.as_str().parse::<TenderStatus>(), Ok(status));
        }
        assert!("closed".parse::<TenderStatus>().is_err());
    }

    fn actor(role: Role, organisation: OrganisationId) -> Actor {
        Actor {
            user_id: UserId::new(),
            organisation_id: organisation,
            role,
        }
    }

    #[test]
    fn who_sees_a_tender_by_role_state_and_procedure() {
        use Role::*;
        let buyer = OrganisationId::new();
        let other_buyer = OrganisationId::new();
        let invited = OrganisationId::new();
        let uninvited = OrganisationId::new();
        // (viewer, role, organisation, sees a draft, sees a later open one, a later invited one)
        let table = [
            ("the buyer's lead", BuyerLead, buyer, true, true, true),
            (
                "the buyer's evaluator",
                BuyerEvaluator,
                buyer,
                true,
                true,
                true,
            ),
            (
                "another buyer's lead",
                BuyerLead,
                other_buyer,
                false,
                true,
                false,
            ),
            (
                "another buyer's evaluator",
                BuyerEvaluator,
                other_buyer,
                false,
                true,
                false,
            ),
            (
                "an invited supplier",
                SupplierBidder,
                invited,
                false,
                true,
                true,
            ),
            (
                "an uninvited supplier",
                SupplierBidder,
                uninvited,
                false,
                true,
                false,
            ),
            ("the regulator", Regulator, uninvited, false, true, true),
            ("an admin", Admin, uninvited, false, true, true),
        ];
        for (viewer, role, organisation, draft, open, invitation) in table {
            let who = actor(role, organisation);
            for status in TenderStatus::ALL {
                for procedure in [Procedure::Open, Procedure::Invited] {
                    let scope = TenderScope {
                        buyer,
                        procedure,
                        invited: vec![invited],
                        status,
                    };
                    let expected = match (status, procedure) {
                        (TenderStatus::Draft, _) => draft,
                        (_, Procedure::Open) => open,
                        (_, Procedure::Invited) => invitation,
                    };
                    assert_eq!(
                        can_view_tender(&who, &scope),
                        expected,
                        "{viewer}, a {status} {} tender",
                        procedure.as_str()
                    );
                    assert_eq!(
                        TenderAudience::of(&who).admits(&scope),
                        expected,
                        "{viewer}'s list, a {status} {} tender",
                        procedure.as_str()
                    );
                }
            }
        }
    }

    #[test]
    fn only_the_buyers_own_people_and_oversight_see_confidential_fields() {
        use Role::*;
        let buyer = OrganisationId::new();
        let elsewhere = OrganisationId::new();
        let cases = [
            (BuyerLead, buyer, true),
            (BuyerEvaluator, buyer, true),
            (BuyerLead, elsewhere, false),
            (BuyerEvaluator, elsewhere, false),
            (SupplierBidder, elsewhere, false),
            (Regulator, elsewhere, true),
            (Admin, elsewhere, true),
        ];
        for (role, organisation, sees) in cases {
            assert_eq!(
                sees_confidential(&actor(role, organisation), buyer),
                sees,
                "{role} of {}",
                if organisation == buyer {
                    "the buyer"
                } else {
                    "another organisation"
                }
            );
        }
    }

    #[test]
    fn bids_are_sealed_until_the_deadline_for_everyone_but_their_supplier() {
        use BidAccess::*;
        use Role::*;
        let buyer = OrganisationId::new();
        let other_buyer = OrganisationId::new();
        let supplier = OrganisationId::new();
        let platform = OrganisationId::new();
        use PanelStanding::*;
        // (role, organisation, standing on the panel, before the deadline, in evaluation, in
        // standstill)
        let table = [
            (
                SupplierBidder,
                supplier,
                NotOnPanel,
                OwnOnly,
                OwnOnly,
                OwnOnly,
            ),
            (BuyerLead, buyer, NotOnPanel, Sealed, All, All),
            (BuyerEvaluator, buyer, Cleared, Sealed, All, All),
            (
                BuyerEvaluator,
                buyer,
                Undeclared,
                Sealed,
                DeclarationNeeded,
                DeclarationNeeded,
            ),
            (BuyerEvaluator, buyer, Conflicted, Sealed, Never, Never),
            (BuyerEvaluator, buyer, NotOnPanel, Sealed, Never, Never),
            (BuyerEvaluator, other_buyer, Cleared, Never, Never, Never),
            (BuyerLead, other_buyer, NotOnPanel, Never, Never, Never),
            (Regulator, platform, NotOnPanel, Sealed, Sealed, All),
            (Admin, platform, NotOnPanel, Sealed, Sealed, All),
        ];
        for (role, organisation, standing, before, evaluation, standstill) in table {
            let who = actor(role, organisation);
            for (status, expected) in [
                (TenderStatus::Published, before),
                (TenderStatus::Evaluation, evaluation),
                (TenderStatus::Standstill, standstill),
            ] {
                let tender = TenderScope {
                    buyer,
                    procedure: Procedure::Invited,
                    invited: vec![supplier],
                    status,
                };
                assert_eq!(
                    bid_access(&who, &tender, standing),
                    expected,
                    "{role:?} of {organisation} in {status}"
                );
            }
        }
    }

    #[test]
    fn an_invited_tender_is_invisible_to_everyone_it_does_not_concern() {
        let buyer = OrganisationId::new();
        let invited = OrganisationId::new();
        let outsider = OrganisationId::new();
        let mut tender = TenderScope {
            buyer,
            procedure: Procedure::Invited,
            invited: vec![invited],
            status: TenderStatus::Published,
        };
        assert!(can_view_tender(
            &actor(Role::SupplierBidder, invited),
            &tender
        ));
        assert!(can_bid(&actor(Role::SupplierBidder, invited), &tender));
        assert!(!can_view_tender(
            &actor(Role::SupplierBidder, outsider),
            &tender
        ));
        assert!(!can_bid(&actor(Role::SupplierBidder, outsider), &tender));
        assert!(!can_view_tender(&actor(Role::BuyerLead, outsider), &tender));
        assert!(can_view_tender(&actor(Role::Regulator, outsider), &tender));
        assert_eq!(
            bid_access(
                &actor(Role::SupplierBidder, outsider),
                &tender,
                PanelStanding::NotOnPanel
            ),
            BidAccess::Never
        );
        tender.procedure = Procedure::Open;
        assert!(can_view_tender(
            &actor(Role::SupplierBidder, outsider),
            &tender
        ));
        assert!(can_view_tender(&actor(Role::BuyerLead, outsider), &tender));
        assert!(
            !can_bid(&actor(Role::BuyerLead, buyer), &tender),
            "buyers never bid"
        );
    }

    #[test]
    fn a_draft_tender_is_its_buyers_alone() {
        let buyer = OrganisationId::new();
        let tender = TenderScope {
            buyer,
            procedure: Procedure::Open,
            invited: Vec::new(),
            status: TenderStatus::Draft,
        };
        for role in Role::ALL {
            let own = matches!(role, Role::BuyerLead | Role::BuyerEvaluator);
            assert_eq!(
                can_view_tender(&actor(role, buyer), &tender),
                own,
                "{role:?}"
            );
            assert!(
                !can_view_tender(&actor(role, OrganisationId::new()), &tender),
                "{role:?} elsewhere"
            );
        }
    }

    #[test]
    fn a_cancellation_needs_a_reason() {
        assert!(cancellation_reason("  ").is_err());
        assert_eq!(
            cancellation_reason(" Requirement withdrawn by the board "),
            Ok("Requirement withdrawn by the board".to_owned())
        );
    }

    fn fields<'a>(criteria: &'a [NewCriterion], invited: &'a [OrganisationId]) -> TenderFields<'a> {
        TenderFields {
            title: "Procurement support",
            description: "Support for the system's procurement team.",
            category: "procurement",
            region: Region::EastOfEngland,
            estimated_value_pence: 10_000_000,
            budget_ceiling_pence: Some(12_000_000),
            contract_term_months: 24,
            procedure: Procedure::Open,
            invited_supplier_ids: invited,
            criteria,
            clarification_deadline: at(9),
            submission_deadline: at(12),
            standstill_days: None,
        }
    }

    #[test]
    fn a_complete_tender_parses_with_the_default_standstill() {
        let criteria = [
            criterion("Price", "price", 60),
            criterion("Quality", "quality", 40),
        ];
        let spec = TenderSpec::parse(&fields(&criteria, &[]));
        assert_eq!(spec.map(|s| s.standstill_days), Ok(StandstillDays::DEFAULT));
    }

    #[test]
    fn every_bad_tender_field_is_pointed_at_at_once() {
        let criteria = [
            criterion("Price", "price", 60),
            criterion("Price 2", "price", 30),
        ];
        let supplier = OrganisationId::new();
        let invited = [supplier, supplier];
        let mut f = fields(&criteria, &invited);
        f.title = " ";
        f.category = "Not A Code";
        f.estimated_value_pence = 0;
        f.budget_ceiling_pence = Some(MAX_PENCE + 1);
        f.contract_term_months = 121;
        f.clarification_deadline = at(13);
        f.standstill_days = Some(31);
        assert_eq!(
            TenderSpec::parse(&f).map_err(pointers),
            Err(vec![
                "/title".to_owned(),
                "/category".to_owned(),
                "/estimated_value_pence".to_owned(),
                "/budget_ceiling_pence".to_owned(),
                "/contract_term_months".to_owned(),
                "/invited_supplier_ids".to_owned(),
                "/invited_supplier_ids/1".to_owned(),
                "/criteria".to_owned(),
                "/criteria".to_owned(),
                "/clarification_deadline".to_owned(),
                "/standstill_days".to_owned(),
            ])
        );
        let mut f = fields(&criteria[..1], &[]);
        f.procedure = Procedure::Invited;
        f.budget_ceiling_pence = Some(1);
        assert_eq!(
            TenderSpec::parse(&f).map_err(pointers),
            Err(vec![
                "/budget_ceiling_pence".to_owned(),
                "/invited_supplier_ids".to_owned(),
                "/criteria".to_owned(),
            ])
        );
    }

    #[test]
    fn an_amendment_must_change_something_and_keep_deadlines_ahead() {
        let current = Deadlines::new(at(9), at(12)).unwrap_or_else(|e| panic!("{e}"));
        let same = Amendment::parse("n", Some("same"), None, None, "same", &current, at(8));
        assert_eq!(same.map_err(pointers), Err(vec![String::new()]));
        let later = Amendment::parse("Extended", None, None, Some(at(14)), "d", &current, at(8))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(later.needs_confirmation);
        assert_eq!(later.deadlines.submission(), at(14));
        let clarified_only = Amendment::parse(
            "More time for questions",
            None,
            Some(at(10)),
            None,
            "d",
            &current,
            at(8),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(!clarified_only.needs_confirmation);
        let text = Amendment::parse("Scope", Some("new text"), None, None, "d", &current, at(8))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(text.needs_confirmation);
        let refused = Amendment::parse("", None, Some(at(7)), Some(at(11)), "d", &current, at(8));
        assert_eq!(
            refused.map_err(pointers),
            Err(vec![
                "/note".to_owned(),
                "/clarification_deadline".to_owned(),
                "/clarification_deadline".to_owned(),
                "/submission_deadline".to_owned(),
            ])
        );
    }

    #[test]
    fn a_deadline_is_met_only_strictly_before_it() {
        assert_eq!(check_before(at(12), at(11), "bids"), Ok(()));
        for now in [at(12), at(13)] {
            match check_before(at(12), now, "bids") {
                Err(DomainError::DeadlinePassed { deadline, .. }) => assert_eq!(deadline, at(12)),
                other => panic!("{other:?}"),
            }
        }
    }
}
