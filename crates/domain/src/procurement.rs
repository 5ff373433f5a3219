//! Whether a procurement is covered by the Procurement Act 2023: the kind of contracting
//! authority that buys, and the threshold its contract's estimated value is measured against.
//!
//! A contract for goods or services is a public contract when its estimated value (including
//! VAT) is *not less than* the threshold amount for its type (s.3(2)(a)); Schedule 1 gives the
//! amounts. Back-office support bought by an ICB or NHS England falls in rows 11 and 12 of the
//! table ("not within any other row"): it is not a works, utilities, concession, defence or
//! light-touch contract. The amounts below are those in force from 1 January 2026 (the Procurement
//! Act 2023 (Threshold Amounts) (Amendment) Regulations 2025, S.I. 2025/1200); they change every
//! two years with the WTO Agreement on Government Procurement, so they are configuration.

use crate::error::{DomainError, FieldError, Validator};
use crate::tender::Procedure;
use chrono::{DateTime, Duration, SecondsFormat, Utc};

/// The kind of contracting authority an organisation is, for its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityType {
    /// A central government authority (Schedule 1, row 11).
    CentralGovernment,
    /// Any other contracting authority (Schedule 1, row 12).
    SubCentral,
}

codes!(AuthorityType, "/authority_type", "must be central_government or sub_central", {
    CentralGovernment => "central_government",
    SubCentral => "sub_central",
});

/// The threshold amounts, in pence including VAT, for contracts for goods or services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    central_government_pence: i64,
    sub_central_pence: i64,
}

impl Thresholds {
    /// Schedule 1, row 11, from 1 January 2026: £135,018.
    pub const CENTRAL_GOVERNMENT_2026_PENCE: i64 = 13_501_800;
    /// Schedule 1, row 12, from 1 January 2026: £207,720.
    pub const SUB_CENTRAL_2026_PENCE: i64 = 20_772_000;

    /// Thresholds as configured; each must be a positive amount of pence.
    pub fn new(central_government_pence: i64, sub_central_pence: i64) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        for (field, pence) in [
            ("/central_government_pence", central_government_pence),
            ("/sub_central_pence", sub_central_pence),
        ] {
            if pence <= 0 {
                v.push(FieldError::new(field, "must be a positive amount of pence"));
            }
        }
        v.finish()?;
        Ok(Self {
            central_government_pence,
            sub_central_pence,
        })
    }

    /// The threshold for a contract of the authority's type, in pence including VAT.
    pub const fn for_authority(&self, authority: AuthorityType) -> i64 {
        match authority {
            AuthorityType::CentralGovernment => self.central_government_pence,
            AuthorityType::SubCentral => self.sub_central_pence,
        }
    }

    /// Whether a contract with this estimated value (pence, including VAT) is a public contract
    /// above threshold: a value equal to the threshold is covered (s.3(2)(a): "not less than").
    pub const fn covers(&self, authority: AuthorityType, estimated_value_pence: i64) -> bool {
        estimated_value_pence >= self.for_authority(authority)
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            central_government_pence: Self::CENTRAL_GOVERNMENT_2026_PENCE,
            sub_central_pence: Self::SUB_CENTRAL_2026_PENCE,
        }
    }
}

/// The rules a tender must meet when it is a public contract above threshold, whatever its
/// dates: an open (or competitive) procedure, not an invitation to quote (s.19–20: a covered
/// procurement is awarded by a competitive tendering procedure, to which any supplier may
/// respond), and the mandatory standstill of 8 working days (s.51(2)).
pub fn check_covered(
    above_threshold: bool,
    procedure: Procedure,
    standstill_days: u8,
) -> Result<(), DomainError> {
    if !above_threshold {
        return Ok(());
    }
    let mut v = Validator::new();
    if procedure == Procedure::Invited {
        v.push(FieldError::new(
            "/procedure",
            "an invited quotation is only for a contract below threshold: above threshold the \
             Procurement Act 2023 requires a competitive tendering procedure (s.20)",
        ));
    }
    if standstill_days < MANDATORY_STANDSTILL_DAYS {
        v.push(FieldError::new(
            "/standstill_days",
            format!(
                "must be at least {MANDATORY_STANDSTILL_DAYS} working days above threshold (s.51(2))"
            ),
        ));
    }
    v.finish()
}

/// The mandatory standstill period before a contract above threshold is entered (s.51(2)).
pub const MANDATORY_STANDSTILL_DAYS: u8 = 8;

/// A period that s.54 sets a minimum for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// The participation period: from the tender notice to the deadline for requests to
    /// participate (s.54(3), a competitive flexible procedure).
    Participation,
    /// The tendering period: from the tender notice (an open procedure) or the invitation to
    /// tender (after a participation stage) to the deadline for tenders (s.54(4)).
    Tendering,
}

/// The facts that the rows of the s.54 tables turn on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Circumstances {
    /// The contract is a light touch contract (s.9): no minimum applies.
    pub light_touch: bool,
    /// A qualifying planned procurement notice was published (s.54(5)): tendering 10 days.
    pub planned_procurement_notice: bool,
    /// The authority considers the period must be shortened because of urgency: 10 days.
    pub urgency: bool,
    /// Tenders may be submitted electronically and the associated tender documents are provided
    /// with the tender notice (or the invitation): tendering 25 days, else 30.
    pub electronic_with_documents: bool,
}

impl Period {
    /// The minimum number of days of this period above threshold, or `None` where the tables give
    /// none. The rows are taken in the order the Act lists them; the first that applies wins.
    pub const fn minimum_days(self, c: Circumstances) -> Option<i64> {
        match self {
            // s.54(3): light touch, none; urgency, 10 days; any other case, 25 days. A planned
            // procurement notice does not shorten the participation period.
            Self::Participation => {
                if c.light_touch {
                    None
                } else if c.urgency {
                    Some(10)
                } else {
                    Some(25)
                }
            }
            // s.54(4): light touch, none; a qualifying planned procurement notice, 10 days;
            // urgency, 10 days; electronic tenders with the documents provided, 25 days; any
            // other case, 30 days.
            Self::Tendering => {
                if c.light_touch {
                    None
                } else if c.planned_procurement_notice || c.urgency {
                    Some(10)
                } else if c.electronic_with_documents {
                    Some(25)
                } else {
                    Some(30)
                }
            }
        }
    }

    /// The earliest deadline allowed for a period starting at `start`: whole days of 24 hours
    /// after it, so that suppliers have at least the minimum whatever the time of day.
    pub fn earliest_deadline(
        self,
        start: DateTime<Utc>,
        c: Circumstances,
    ) -> Option<DateTime<Utc>> {
        self.minimum_days(c)
            .map(|days| start + Duration::days(days))
    }

    /// Refuses a `deadline` (at `pointer`) short of this period's minimum after `start`, naming
    /// the earliest allowed instant.
    pub fn check(
        self,
        pointer: &str,
        start: DateTime<Utc>,
        deadline: DateTime<Utc>,
        c: Circumstances,
    ) -> Result<(), DomainError> {
        match (self.earliest_deadline(start, c), self.minimum_days(c)) {
            (Some(earliest), Some(days)) if deadline < earliest => Err(DomainError::field(
                pointer,
                format!(
                    "must be at least {days} days after {} (Procurement Act 2023 s.54): no \
                     earlier than {}",
                    match self {
                        Self::Participation => "the tender notice",
                        Self::Tendering => "the start of the tendering period",
                    },
                    earliest.to_rfc3339_opts(SecondsFormat::Secs, true)
                ),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_of_the_section_54_tables_gives_its_minimum() {
        let c = |light_touch, planned_procurement_notice, urgency, electronic_with_documents| {
            Circumstances {
                light_touch,
                planned_procurement_notice,
                urgency,
                electronic_with_documents,
            }
        };
        // (period, circumstances, minimum days): s.54(3), then s.54(4), row by row.
        #[rustfmt::skip]
        let rows = [
            (Period::Participation, c(true, false, true, true), None),
            (Period::Participation, c(false, false, true, true), Some(10)),
            (Period::Participation, c(false, true, false, true), Some(25)),
            (Period::Participation, c(false, false, false, false), Some(25)),
            (Period::Tendering, c(true, true, true, false), None),
            (Period::Tendering, c(false, true, false, false), Some(10)),
            (Period::Tendering, c(false, false, true, false), Some(10)),
            (Period::Tendering, c(false, false, false, true), Some(25)),
            (Period::Tendering, c(false, false, false, false), Some(30)),
        ];
        for (period, circumstances, days) in rows {
            assert_eq!(
                period.minimum_days(circumstances),
                days,
                "{period:?} {circumstances:?}"
            );
        }
    }

    #[test]
    fn a_deadline_one_day_short_is_refused_with_the_earliest_instant_and_the_minimum_is_accepted() {
        let start = "2026-03-02T09:30:00Z".parse::<DateTime<Utc>>().unwrap();
        let open = Circumstances {
            electronic_with_documents: true,
            ..Circumstances::default()
        };
        let minimum = start + Duration::days(25);
        assert_eq!(
            Period::Tendering.check("/submission_deadline", start, minimum, open),
            Ok(())
        );
        let Err(DomainError::Validation(errors)) = Period::Tendering.check(
            "/submission_deadline",
            start,
            minimum - Duration::days(1),
            open,
        ) else {
            panic!("a period one day short was accepted");
        };
        assert_eq!(errors[0].pointer, "/submission_deadline");
        assert!(
            errors[0].detail.contains("2026-03-27T09:30:00Z"),
            "{}",
            errors[0].detail
        );
        let urgent = Circumstances {
            urgency: true,
            ..open
        };
        assert_eq!(
            Period::Participation.check(
                "/expression_of_interest_deadline",
                start,
                start + Duration::days(10),
                urgent
            ),
            Ok(())
        );
    }

    #[test]
    fn above_threshold_a_tender_is_competitive_and_stands_still_eight_working_days() {
        assert_eq!(check_covered(false, Procedure::Invited, 0), Ok(()));
        assert_eq!(check_covered(true, Procedure::Open, 8), Ok(()));
        let Err(DomainError::Validation(errors)) = check_covered(true, Procedure::Invited, 7)
        else {
            panic!("an invited tender above threshold was accepted");
        };
        let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/procedure", "/standstill_days"]);
    }

    #[test]
    fn a_value_is_above_threshold_from_the_threshold_amount_itself() {
        let thresholds = Thresholds::default();
        // (authority, estimated value including VAT in pence, covered)
        let cases = [
            (AuthorityType::CentralGovernment, 13_501_799, false),
            (AuthorityType::CentralGovernment, 13_501_800, true),
            (AuthorityType::CentralGovernment, 13_501_801, true),
            (AuthorityType::SubCentral, 13_501_800, false),
            (AuthorityType::SubCentral, 20_771_999, false),
            (AuthorityType::SubCentral, 20_772_000, true),
            (AuthorityType::SubCentral, 25_000_000, true),
        ];
        for (authority, value, covered) in cases {
            assert_eq!(
                thresholds.covers(authority, value),
                covered,
                "{authority} at {value} pence"
            );
        }
    }

    #[test]
    fn configured_thresholds_replace_the_defaults_and_must_be_positive() {
        let configured = Thresholds::new(100, 200).unwrap();
        assert_eq!(
            configured.for_authority(AuthorityType::CentralGovernment),
            100
        );
        assert_eq!(configured.for_authority(AuthorityType::SubCentral), 200);
        assert!(configured.covers(AuthorityType::SubCentral, 200));
        let Err(DomainError::Validation(errors)) = Thresholds::new(0, -5) else {
            panic!("non-positive thresholds were accepted");
        };
        let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/central_government_pence", "/sub_central_pence"]
        );
    }

    #[test]
    fn an_authority_type_reads_and_writes_its_code() {
        for authority in AuthorityType::ALL {
            assert_eq!(authority.as_str().parse::<AuthorityType>(), Ok(authority));
        }
        assert!("local_government".parse::<AuthorityType>().is_err());
    }
}
