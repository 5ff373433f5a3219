//! After the award: challenges during the standstill, the contract it leads to, and the buyer's
//! performance reviews of the supplier, from which the supplier's rating is drawn.

use crate::access::Actor;
use crate::error::{DomainError, Validator};
use crate::ids::OrganisationId;
use crate::organisation::{bounded_text, long_text};
use crate::user::Role;
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Where a contract stands. `ended` is read from the clock: an active contract whose end date
/// has passed has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    Active,
    Ended,
    Terminated,
    Novated,
}

codes!(ContractStatus, "/status", "is not a contract status", {
    Active => "active",
    Ended => "ended",
    Terminated => "terminated",
    Novated => "novated",
});

impl ContractStatus {
    /// The state in force on `today` (UK date).
    pub fn on(self, end_date: NaiveDate, today: NaiveDate) -> Self {
        match self {
            Self::Active if today > end_date => Self::Ended,
            other => other,
        }
    }

    /// `active → ended`: the buyer records, once, that the contract (in this state in force)
    /// expired at the end of its term, which it may do from its last day (`end_date`, UK date)
    /// on; ending it sooner is a termination.
    pub fn end(
        self,
        end_date: NaiveDate,
        today: NaiveDate,
        already_recorded: bool,
    ) -> Result<Self, DomainError> {
        match self {
            Self::Active | Self::Ended if already_recorded => Err(DomainError::Conflict(
                "the contract's end is already recorded".to_owned(),
            )),
            Self::Active if today >= end_date => Ok(Self::Ended),
            Self::Ended => Ok(Self::Ended),
            Self::Active => Err(DomainError::Conflict(format!(
                "the contract runs until {end_date}: to end it sooner, terminate it"
            ))),
            other => Err(DomainError::Conflict(format!(
                "a contract that is {} cannot be ended",
                other.as_str()
            ))),
        }
    }

    /// `active → terminated`, by the buyer, with a reason.
    pub fn terminate(self) -> Result<Self, DomainError> {
        match self {
            Self::Active => Ok(Self::Terminated),
            other => Err(DomainError::Conflict(format!(
                "a contract that is {} cannot be terminated",
                other.as_str()
            ))),
        }
    }
}

/// A contract's term: its first and last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContractTerm {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

impl ContractTerm {
    /// The term from `start_date`: to `end_date` when given (not before the start), otherwise
    /// for the tender's `term_months` (ending the day before the same date `term_months` later).
    /// A contract cannot start before the standstill is over (`earliest`, a UK date).
    pub fn parse(
        start_date: NaiveDate,
        end_date: Option<NaiveDate>,
        term_months: u32,
        earliest: NaiveDate,
    ) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        if start_date < earliest {
            v.push(crate::FieldError::new(
                "/start_date",
                format!("must be on or after {earliest}, the first day after the standstill"),
            ));
        }
        let end_date = match end_date {
            Some(end) => end,
            None => start_date
                .checked_add_months(Months::new(term_months))
                .and_then(|d| d.pred_opt())
                .unwrap_or(start_date),
        };
        if end_date < start_date {
            v.push(crate::FieldError::new(
                "/end_date",
                "must not be before the start date",
            ));
        }
        if end_date.year() > start_date.year() + 20 {
            v.push(crate::FieldError::new(
                "/end_date",
                "must be within 20 years of the start date",
            ));
        }
        v.finish()?;
        Ok(Self {
            start_date,
            end_date,
        })
    }

    /// The term's length in months, exactly: whole months from the start, plus the part of the
    /// next month left over, as (numerator, denominator).
    fn months(&self) -> (i64, i64) {
        let after_end = self.end_date.succ_opt().unwrap_or(self.end_date);
        let mut whole: u32 = 0;
        while self
            .start_date
            .checked_add_months(Months::new(whole + 1))
            .is_some_and(|d| d <= after_end)
        {
            whole += 1;
        }
        let reached = self
            .start_date
            .checked_add_months(Months::new(whole))
            .unwrap_or(after_end);
        let next = self
            .start_date
            .checked_add_months(Months::new(whole + 1))
            .unwrap_or(after_end);
        let left = (after_end - reached).num_days();
        let month_days = (next - reached).num_days().max(1);
        (i64::from(whole) * month_days + left, month_days)
    }

    /// The value per year of a contract worth `total_pence` over this term, to the nearest
    /// penny: total × 12 / months.
    pub fn annual_value_pence(&self, total_pence: i64) -> i64 {
        let (numerator, denominator) = self.months();
        if numerator <= 0 {
            return total_pence;
        }
        // total × 12 × denominator / numerator, rounded half up, in 128 bits (no overflow).
        let top = i128::from(total_pence) * 12 * i128::from(denominator);
        let bottom = i128::from(numerator);
        i64::try_from((2 * top + bottom) / (2 * bottom)).unwrap_or(i64::MAX)
    }
}

/// A challenge's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeStatus {
    /// Lodged and not yet resolved: the contract waits.
    Open,
    /// The lead upheld it: the award was cancelled and the tender returned to evaluation.
    Upheld,
    /// The lead dismissed it.
    Dismissed,
    /// Closed unresolved because the award it challenged was cancelled (another challenge was
    /// upheld, or the tender was cancelled).
    Lapsed,
}

codes!(ChallengeStatus, "/status", "is not a challenge status", {
    Open => "open",
    Upheld => "upheld",
    Dismissed => "dismissed",
    Lapsed => "lapsed",
});

impl ChallengeStatus {
    /// `open → upheld | dismissed`.
    pub fn resolve(self, outcome: ChallengeOutcome) -> Result<Self, DomainError> {
        match self {
            Self::Open => Ok(match outcome {
                ChallengeOutcome::Upheld => Self::Upheld,
                ChallengeOutcome::Dismissed => Self::Dismissed,
            }),
            other => Err(DomainError::Conflict(format!(
                "the challenge is already {}",
                other.as_str()
            ))),
        }
    }
}

/// How the lead resolves a challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeOutcome {
    Upheld,
    Dismissed,
}

/// A challenge's grounds: 1 to 10 000 characters.
pub fn grounds(raw: &str) -> Result<String, DomainError> {
    long_text(raw, "/grounds", 10_000)
}

/// The lead's notes on resolving a challenge: 1 to 10 000 characters.
pub fn resolution_notes(raw: &str) -> Result<String, DomainError> {
    long_text(raw, "/notes", 10_000)
}

/// A challenge may be lodged only while the standstill runs.
pub fn check_challenge_window(
    standstill_ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    if now < standstill_ends_at {
        Ok(())
    } else {
        Err(DomainError::DeadlinePassed {
            detail: format!(
                "The standstill ended at {}; challenges are lodged during the standstill only.",
                standstill_ends_at.to_rfc3339()
            ),
            deadline: standstill_ends_at,
        })
    }
}

/// The contract may be entered once the standstill is over and no challenge is open.
pub fn check_contract_may_start(
    standstill_ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
    open_challenges: usize,
) -> Result<(), DomainError> {
    if now < standstill_ends_at {
        return Err(DomainError::Conflict(format!(
            "the standstill runs until {}; the contract may be entered after it",
            standstill_ends_at.to_rfc3339()
        )));
    }
    if open_challenges > 0 {
        return Err(DomainError::Conflict(format!(
            "{open_challenges} challenge(s) to the award are open; resolve them first"
        )));
    }
    Ok(())
}

/// A performance review's marks, each 1 (poor) to 5 (excellent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewMarks {
    pub delivery: u8,
    pub quality: u8,
    pub value_for_money: u8,
    pub responsiveness: u8,
}

/// A performance review as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub period: String,
    pub marks: ReviewMarks,
    pub comments: Option<String>,
}

fn mark(value: i64, pointer: &str) -> Result<u8, DomainError> {
    u8::try_from(value)
        .ok()
        .filter(|m| (1..=5).contains(m))
        .ok_or_else(|| DomainError::field(pointer, "must be a whole number from 1 to 5"))
}

impl Review {
    /// `period` names the period reviewed (for example `2026-Q3`), 1 to 40 characters.
    pub fn parse(
        period: &str,
        delivery: i64,
        quality: i64,
        value_for_money: i64,
        responsiveness: i64,
        comments: Option<&str>,
    ) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let period = v.check(bounded_text(period, "/period", 40));
        let marks = (
            v.check(mark(delivery, "/delivery")),
            v.check(mark(quality, "/quality")),
            v.check(mark(value_for_money, "/value_for_money")),
            v.check(mark(responsiveness, "/responsiveness")),
        );
        let comments = match comments.filter(|c| !c.trim().is_empty()) {
            Some(c) => v.check(long_text(c, "/comments", 5000)),
            None => None,
        };
        v.finish()?;
        match (period, marks) {
            (Some(period), (Some(d), Some(q), Some(vfm), Some(r))) => Ok(Self {
                period,
                marks: ReviewMarks {
                    delivery: d,
                    quality: q,
                    value_for_money: vfm,
                    responsiveness: r,
                },
                comments,
            }),
            _ => Err(DomainError::field("", "the review could not be read")),
        }
    }
}

/// How much a review counts towards a supplier's rating, by its age at `now`: reviews from the
/// last 12 months count 3 times, from the 12 months before that twice, older ones once.
pub fn review_weight(reviewed_at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let (recent, older) = rating_thresholds(now);
    if reviewed_at >= recent {
        3
    } else if reviewed_at >= older {
        2
    } else {
        1
    }
}

/// The instants 12 and 24 months before `now` that divide reviews into weight bands (the
/// database computes the same weights in SQL, given these).
pub fn rating_thresholds(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        now.checked_sub_months(Months::new(12)).unwrap_or(now),
        now.checked_sub_months(Months::new(24)).unwrap_or(now),
    )
}

/// The weighted mean of marks `(mark, weight)`; `None` with no marks.
pub fn weighted_mean(marks: &[(u8, i64)]) -> Option<f64> {
    let weight: i64 = marks.iter().map(|(_, w)| w).sum();
    if weight == 0 {
        return None;
    }
    let total: i64 = marks.iter().map(|(m, w)| i64::from(*m) * w).sum();
    #[allow(clippy::cast_precision_loss)]
    Some(total as f64 / weight as f64)
}

/// The organisations a contract names: who may read it, and whose lead manages it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContractParties {
    pub buyer: OrganisationId,
    /// The supplier holding it now (after any novation).
    pub supplier: OrganisationId,
    /// The supplier it was awarded to.
    pub awarded_supplier: OrganisationId,
}

/// Whose contracts a user sees: a buyer its own organisation's, a supplier those it holds or
/// was awarded, the regulator and admins every one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractAudience {
    Buyer(OrganisationId),
    Supplier(OrganisationId),
    All,
}

impl ContractAudience {
    pub fn of(actor: &Actor) -> Self {
        match actor.role {
            Role::BuyerLead | Role::BuyerEvaluator => Self::Buyer(actor.organisation_id),
            Role::SupplierBidder => Self::Supplier(actor.organisation_id),
            Role::Regulator | Role::Admin => Self::All,
        }
    }

    pub fn admits(self, parties: &ContractParties) -> bool {
        match self {
            Self::Buyer(org) => parties.buyer == org,
            Self::Supplier(org) => parties.supplier == org || parties.awarded_supplier == org,
            Self::All => true,
        }
    }
}

/// Whether `actor` may read a contract between `parties`.
pub fn can_view_contract(actor: &Actor, parties: &ContractParties) -> bool {
    ContractAudience::of(actor).admits(parties)
}

/// Only the buying organisation's procurement lead terminates or reviews its contract.
pub fn require_contract_lead(
    actor: &Actor,
    parties: &ContractParties,
    action: &str,
) -> Result<(), DomainError> {
    if actor.role == Role::BuyerLead && actor.organisation_id == parties.buyer {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!(
            "only the buying organisation's procurement lead may {action} this contract"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn a_contracts_natural_end_is_recorded_once_from_its_last_day_on() {
        let last = date(2027, 3, 31);
        let cases = [
            (ContractStatus::Active, date(2027, 3, 30), false, None),
            (
                ContractStatus::Active,
                date(2027, 3, 31),
                false,
                Some(ContractStatus::Ended),
            ),
            (
                ContractStatus::Ended,
                date(2027, 4, 5),
                false,
                Some(ContractStatus::Ended),
            ),
            (ContractStatus::Ended, date(2027, 4, 5), true, None),
            (ContractStatus::Active, date(2027, 4, 5), true, None),
            (ContractStatus::Terminated, date(2027, 4, 5), false, None),
            (ContractStatus::Novated, date(2027, 4, 5), false, None),
        ];
        for (status, today, recorded, expected) in cases {
            assert_eq!(
                status.end(last, today, recorded).ok(),
                expected,
                "{status:?} on {today}, recorded {recorded}"
            );
        }
    }

    #[test]
    fn a_term_defaults_to_the_tenders_months_and_gives_the_annual_value() {
        let term = ContractTerm::parse(date(2027, 1, 1), None, 24, date(2026, 12, 1))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(term.end_date, date(2028, 12, 31));
        assert_eq!(term.annual_value_pence(24_000_000), 12_000_000);
        let half = ContractTerm::parse(
            date(2027, 1, 1),
            Some(date(2027, 6, 30)),
            24,
            date(2027, 1, 1),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(half.annual_value_pence(5_000_000), 10_000_000);
        // May and half of June (a 30-day month): 1.5 months, so a year is 8 times the total.
        let odd = ContractTerm::parse(
            date(2027, 5, 1),
            Some(date(2027, 6, 15)),
            1,
            date(2027, 1, 1),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(odd.annual_value_pence(3_000_000), 24_000_000);
    }

    #[test]
    fn a_term_cannot_start_in_the_standstill_or_end_before_it_starts() {
        let error = ContractTerm::parse(
            date(2027, 1, 1),
            Some(date(2026, 12, 1)),
            12,
            date(2027, 1, 5),
        );
        let pointers: Vec<String> = match error {
            Err(DomainError::Validation(e)) => e.into_iter().map(|f| f.pointer).collect(),
            other => panic!("{other:?}"),
        };
        assert_eq!(pointers, vec!["/start_date", "/end_date"]);
    }

    #[test]
    fn an_active_contract_ends_by_the_calendar_and_only_an_active_one_is_terminated() {
        let end = date(2027, 12, 31);
        assert_eq!(
            ContractStatus::Active.on(end, date(2027, 12, 31)),
            ContractStatus::Active
        );
        assert_eq!(
            ContractStatus::Active.on(end, date(2028, 1, 1)),
            ContractStatus::Ended
        );
        assert_eq!(
            ContractStatus::Terminated.on(end, date(2028, 1, 1)),
            ContractStatus::Terminated
        );
        assert_eq!(
            ContractStatus::Active.terminate(),
            Ok(ContractStatus::Terminated)
        );
        for status in [
            ContractStatus::Ended,
            ContractStatus::Terminated,
            ContractStatus::Novated,
        ] {
            assert!(status.terminate().is_err());
        }
    }

    #[test]
    fn challenges_are_lodged_in_the_standstill_and_block_the_contract() {
        let ends = Utc
            .with_ymd_and_hms(2026, 12, 10, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let during = ends - chrono::Duration::seconds(1);
        assert_eq!(check_challenge_window(ends, during), Ok(()));
        assert!(matches!(
            check_challenge_window(ends, ends),
            Err(DomainError::DeadlinePassed { .. })
        ));
        assert!(check_contract_may_start(ends, during, 0).is_err());
        assert!(check_contract_may_start(ends, ends, 1).is_err());
        assert_eq!(check_contract_may_start(ends, ends, 0), Ok(()));
        assert_eq!(
            ChallengeStatus::Open.resolve(ChallengeOutcome::Upheld),
            Ok(ChallengeStatus::Upheld)
        );
        assert_eq!(
            ChallengeStatus::Open.resolve(ChallengeOutcome::Dismissed),
            Ok(ChallengeStatus::Dismissed)
        );
        assert!(
            ChallengeStatus::Dismissed
                .resolve(ChallengeOutcome::Upheld)
                .is_err()
        );
    }

    #[test]
    fn reviews_mark_1_to_5_and_recent_ones_weigh_more() {
        let review = Review::parse("2026-Q3", 2, 3, 3, 4, Some("Late reports."))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(review.marks.delivery, 2);
        let bad = Review::parse(" ", 0, 6, 3, 3, None);
        let pointers: Vec<String> = match bad {
            Err(DomainError::Validation(e)) => e.into_iter().map(|f| f.pointer).collect(),
            other => panic!("{other:?}"),
        };
        assert_eq!(pointers, vec!["/period", "/delivery", "/quality"]);
        let now = Utc
            .with_ymd_and_hms(2026, 11, 22, 12, 0, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(review_weight(now - chrono::Duration::days(30), now), 3);
        assert_eq!(review_weight(now - chrono::Duration::days(400), now), 2);
        assert_eq!(review_weight(now - chrono::Duration::days(800), now), 1);
        // 2 (weight 3) and 5 (weight 1): (6 + 5) / 4.
        assert_eq!(weighted_mean(&[(2, 3), (5, 1)]), Some(2.75));
        assert_eq!(weighted_mean(&[]), None);
    }

    #[test]
    fn who_reads_a_contract_and_who_manages_it() {
        use crate::ids::UserId;
        let buyer = OrganisationId::from_uuid(uuid::Uuid::from_u128(1));
        let other_buyer = OrganisationId::from_uuid(uuid::Uuid::from_u128(2));
        let holder = OrganisationId::from_uuid(uuid::Uuid::from_u128(3));
        let awardee = OrganisationId::from_uuid(uuid::Uuid::from_u128(4));
        let stranger = OrganisationId::from_uuid(uuid::Uuid::from_u128(5));
        let regulator_org = OrganisationId::from_uuid(uuid::Uuid::from_u128(6));
        let parties = ContractParties {
            buyer,
            supplier: holder,
            awarded_supplier: awardee,
        };
        let actor = |role, organisation_id| Actor {
            user_id: UserId::from_uuid(uuid::Uuid::from_u128(9)),
            organisation_id,
            role,
        };
        // (role, organisation, reads, manages)
        let table = [
            (Role::BuyerLead, buyer, true, true),
            (Role::BuyerEvaluator, buyer, true, false),
            (Role::BuyerLead, other_buyer, false, false),
            (Role::SupplierBidder, holder, true, false),
            (Role::SupplierBidder, awardee, true, false),
            (Role::SupplierBidder, stranger, false, false),
            (Role::Regulator, regulator_org, true, false),
            (Role::Admin, regulator_org, true, false),
        ];
        for (role, org, reads, manages) in table {
            let who = actor(role, org);
            assert_eq!(
                can_view_contract(&who, &parties),
                reads,
                "{role} of {org:?} reads"
            );
            assert_eq!(
                require_contract_lead(&who, &parties, "review").is_ok(),
                manages,
                "{role} of {org:?} manages"
            );
        }
    }
}
