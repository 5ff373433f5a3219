//! Public notices under the Procurement Act 2023: immutable, dated records that the buyer
//! publishes at each stage (s.15–17, s.21, s.44, s.50, s.53, s.75, s.80, s.55; Procurement
//! Regulations 2024, regulations 16–40 give their content). Each is also one OCDS release of the
//! Find a Tender profile. None ever carries sealed information: before award nothing of any
//! bid; an award notice names the winner, the value and the number of tenders, never another
//! bidder.

use crate::error::{DomainError, FieldError, Validator};
use crate::organisation::{Region, bounded_text, long_text};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The notice types the marketplace publishes (UK1, pipeline, and UK8/UK9, payments and
/// performance, are not yet produced).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoticeType {
    /// Preliminary market engagement notice (s.17).
    #[serde(rename = "UK2")]
    Uk2,
    /// Planned procurement notice (s.15): published at least 40 days before the tender notice,
    /// it can shorten the tendering period (s.54(4), (5)).
    #[serde(rename = "UK3")]
    Uk3,
    /// Tender notice (s.21), and each change to it (s.31).
    #[serde(rename = "UK4")]
    Uk4,
    /// Transparency notice (s.44): an intended direct award.
    #[serde(rename = "UK5")]
    Uk5,
    /// Contract award notice (s.50).
    #[serde(rename = "UK6")]
    Uk6,
    /// Contract details notice (s.53).
    #[serde(rename = "UK7")]
    Uk7,
    /// Contract change notice (s.75), a novation among them.
    #[serde(rename = "UK10")]
    Uk10,
    /// Contract termination notice (s.80).
    #[serde(rename = "UK11")]
    Uk11,
    /// Procurement termination notice (s.55).
    #[serde(rename = "UK12")]
    Uk12,
}

codes!(NoticeType, "/notice_type", "must be one of UK2, UK3, UK4, UK5, UK6, UK7, UK10, UK11, UK12", {
    Uk2 => "UK2",
    Uk3 => "UK3",
    Uk4 => "UK4",
    Uk5 => "UK5",
    Uk6 => "UK6",
    Uk7 => "UK7",
    Uk10 => "UK10",
    Uk11 => "UK11",
    Uk12 => "UK12",
});

impl NoticeType {
    /// Its name in the Act's guidance.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Uk2 => "Preliminary market engagement notice",
            Self::Uk3 => "Planned procurement notice",
            Self::Uk4 => "Tender notice",
            Self::Uk5 => "Transparency notice",
            Self::Uk6 => "Contract award notice",
            Self::Uk7 => "Contract details notice",
            Self::Uk10 => "Contract change notice",
            Self::Uk11 => "Contract termination notice",
            Self::Uk12 => "Procurement termination notice",
        }
    }

    /// Whether a buyer publishes it by itself (`POST /notices`); every other type is published
    /// by the command that causes it.
    pub const fn posted_by_buyer(self) -> bool {
        matches!(self, Self::Uk2 | Self::Uk3)
    }

    /// The OCDS document type of the notice's document (the UK extension adds
    /// `marketEngagementNotice`, `tenderCancellationNotice`, `contractTerminationNotice`).
    pub const fn document_type(self) -> &'static str {
        match self {
            Self::Uk2 => "marketEngagementNotice",
            Self::Uk3 => "plannedProcurementNotice",
            Self::Uk4 => "tenderNotice",
            Self::Uk5 | Self::Uk6 => "awardNotice",
            Self::Uk7 | Self::Uk10 => "contractNotice",
            Self::Uk11 => "contractTerminationNotice",
            Self::Uk12 => "tenderCancellationNotice",
        }
    }

    /// The OCDS release tag of the notice (`amended` for a changed tender notice).
    pub const fn release_tag(self, amended: bool) -> &'static str {
        match self {
            Self::Uk2 | Self::Uk3 => "planning",
            Self::Uk4 if amended => "tenderAmendment",
            Self::Uk4 => "tender",
            Self::Uk5 | Self::Uk6 => "award",
            Self::Uk7 => "contract",
            Self::Uk10 => "contractAmendment",
            Self::Uk11 => "contractTermination",
            Self::Uk12 => "tenderCancellation",
        }
    }
}

pub const NOTICE_TITLE_MAX: usize = 200;
pub const NOTICE_DESCRIPTION_MAX: usize = 20_000;

/// A notice a buyer publishes by itself, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyerNotice {
    pub notice_type: NoticeType,
    pub title: String,
    pub description: String,
    pub category: String,
    pub region: Region,
    /// UK2: when the engagement closes.
    pub engagement_deadline: Option<DateTime<Utc>>,
    /// UK3: the estimated value including VAT.
    pub estimated_value_pence: Option<i64>,
    /// UK3: when the tender notice is expected.
    pub expected_tender_notice_date: Option<NaiveDate>,
}

/// The fields of a buyer's notice as sent.
#[derive(Debug, Clone)]
pub struct BuyerNoticeFields {
    pub notice_type: NoticeType,
    pub title: String,
    pub description: String,
    pub category: String,
    pub region: Region,
    pub engagement_deadline: Option<DateTime<Utc>>,
    pub estimated_value_pence: Option<i64>,
    pub expected_tender_notice_date: Option<NaiveDate>,
}

impl BuyerNotice {
    /// Parses every field, at `now` (dates must lie ahead), reporting every problem at once.
    pub fn parse(f: &BuyerNoticeFields, now: DateTime<Utc>) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        if !f.notice_type.posted_by_buyer() {
            v.push(FieldError::new(
                "/notice_type",
                format!(
                    "a buyer publishes only UK2 and UK3 notices; a {} is published by the step that causes it",
                    f.notice_type
                ),
            ));
        }
        let title = v.check(bounded_text(&f.title, "/title", NOTICE_TITLE_MAX));
        let description = v.check(long_text(
            &f.description,
            "/description",
            NOTICE_DESCRIPTION_MAX,
        ));
        let category = v.check(crate::offer::parse_category(&f.category));
        let required = |v: &mut Validator, present: bool, pointer: &str| {
            if !present {
                v.push(FieldError::new(
                    pointer,
                    format!("is required for a {}", f.notice_type),
                ));
            }
        };
        match f.notice_type {
            NoticeType::Uk2 => {
                required(
                    &mut v,
                    f.engagement_deadline.is_some(),
                    "/engagement_deadline",
                );
                if f.engagement_deadline.is_some_and(|d| d <= now) {
                    v.push(FieldError::new(
                        "/engagement_deadline",
                        "must be in the future",
                    ));
                }
            }
            NoticeType::Uk3 => {
                required(
                    &mut v,
                    f.estimated_value_pence.is_some(),
                    "/estimated_value_pence",
                );
                required(
                    &mut v,
                    f.expected_tender_notice_date.is_some(),
                    "/expected_tender_notice_date",
                );
                if let Some(value) = f.estimated_value_pence {
                    v.check(crate::money::Money::from_pence(
                        value,
                        "/estimated_value_pence",
                    ));
                }
                if f.expected_tender_notice_date
                    .is_some_and(|d| d <= crate::calendar::uk_date(now))
                {
                    v.push(FieldError::new(
                        "/expected_tender_notice_date",
                        "must be after today",
                    ));
                }
            }
            _ => {}
        }
        v.finish()?;
        match (title, description, category) {
            (Some(title), Some(description), Some(category)) => Ok(Self {
                notice_type: f.notice_type,
                title,
                description,
                category,
                region: f.region,
                engagement_deadline: f
                    .engagement_deadline
                    .filter(|_| f.notice_type == NoticeType::Uk2),
                estimated_value_pence: f
                    .estimated_value_pence
                    .filter(|_| f.notice_type == NoticeType::Uk3),
                expected_tender_notice_date: f
                    .expected_tender_notice_date
                    .filter(|_| f.notice_type == NoticeType::Uk3),
            }),
            _ => Err(DomainError::Validation(Vec::new())),
        }
    }
}

/// Whether a planned procurement notice published at `planned` qualifies to shorten the tendering
/// period of a tender notice published at `tender_notice`: at least 40 days and at most one year
/// before it (s.54(5)).
pub fn qualifies_as_planned_notice(planned: DateTime<Utc>, tender_notice: DateTime<Utc>) -> bool {
    let earliest = tender_notice
        .date_naive()
        .checked_sub_months(chrono::Months::new(12))
        .map(|d| d.and_time(tender_notice.time()).and_utc());
    planned <= tender_notice - chrono::Duration::days(40) && earliest.is_none_or(|e| planned >= e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_type_reads_and_writes_its_code_and_only_uk2_and_uk3_are_posted() {
        for notice_type in NoticeType::ALL {
            assert_eq!(notice_type.as_str().parse::<NoticeType>(), Ok(notice_type));
            assert_eq!(
                notice_type.posted_by_buyer(),
                matches!(notice_type, NoticeType::Uk2 | NoticeType::Uk3)
            );
        }
        assert!("UK1".parse::<NoticeType>().is_err());
        assert_eq!(NoticeType::Uk4.release_tag(true), "tenderAmendment");
    }

    #[test]
    fn a_planned_procurement_notice_qualifies_from_40_days_to_a_year_before() {
        let tender = "2027-03-01T12:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let days = |d: i64| tender - chrono::Duration::days(d);
        #[rustfmt::skip]
        let cases = [
            (days(39), false), (days(40), true), (days(200), true),
            ("2026-03-01T12:00:00Z".parse().unwrap(), true), ("2026-03-01T11:59:59Z".parse().unwrap(), false),
        ];
        for (planned, qualifies) in cases {
            assert_eq!(
                qualifies_as_planned_notice(planned, tender),
                qualifies,
                "{planned}"
            );
        }
    }

    #[test]
    fn a_buyer_notice_needs_the_fields_of_its_type() {
        let now = "2027-01-10T09:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let fields = BuyerNoticeFields {
            notice_type: NoticeType::Uk3,
            title: "Finance support".to_owned(),
            description: "Planned procurement of transactional finance.".to_owned(),
            category: "finance".to_owned(),
            region: Region::EastOfEngland,
            engagement_deadline: None,
            estimated_value_pence: None,
            expected_tender_notice_date: None,
        };
        let pointers = |f: &BuyerNoticeFields| match BuyerNotice::parse(f, now) {
            Err(DomainError::Validation(e)) => e.into_iter().map(|e| e.pointer).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            pointers(&fields),
            ["/estimated_value_pence", "/expected_tender_notice_date"]
        );
        let uk2 = BuyerNoticeFields {
            notice_type: NoticeType::Uk2,
            ..fields.clone()
        };
        assert_eq!(pointers(&uk2), ["/engagement_deadline"]);
        let uk4 = BuyerNoticeFields {
            notice_type: NoticeType::Uk4,
            ..fields.clone()
        };
        assert_eq!(pointers(&uk4)[0], "/notice_type");
        let complete = BuyerNoticeFields {
            estimated_value_pence: Some(30_000_000),
            expected_tender_notice_date: NaiveDate::from_ymd_opt(2027, 3, 1),
            engagement_deadline: Some(now),
            ..fields
        };
        let parsed = BuyerNotice::parse(&complete, now).unwrap();
        assert_eq!(
            parsed.engagement_deadline, None,
            "a UK3 keeps only its own fields"
        );
    }
}
