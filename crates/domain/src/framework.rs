//! Frameworks (Procurement Act 2023 s.45–47): a procurement whose award admits several
//! suppliers (per lot), for a term of at most four years, under which the buyers it names call
//! off contracts — by direct award under the framework's objective selection rule, or by a
//! competitive selection among its suppliers.
//!
//! Time is an argument (the database's clock), never read here.

use crate::error::{DomainError, FieldError, Validator};
use crate::evaluation::Ranking;
use crate::ids::{BidId, OrganisationId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The longest term of a framework, in months (s.47(1): four years).
pub const MAX_TERM_MONTHS: i64 = 48;

/// The most suppliers a framework (or one of its lots) may admit.
pub const MAX_SUPPLIERS: i64 = 50;

/// How a framework's buyers award contracts under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOffMethod {
    /// Without competition between the suppliers, under the framework's core terms and its
    /// objective mechanism for choosing the supplier (s.45(4)).
    DirectAward,
    /// By a competitive selection process among the framework's suppliers (s.45(3), s.46).
    CompetitiveSelection,
}

codes!(CallOffMethod, "/framework/call_off_methods", "is not a call-off method", {
    DirectAward => "direct_award",
    CompetitiveSelection => "competitive_selection",
});

/// The objective mechanism a direct award call-off follows (s.45(4)(b)(ii)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectAwardRule {
    /// The framework offer with the lowest annual price at the buyer's stated volumes; another
    /// only where the buyer records why each cheaper offer does not meet its stated need.
    LowestAnnualPrice,
}

codes!(DirectAwardRule, "/framework/direct_award_rule", "is not a direct award rule", {
    LowestAnnualPrice => "lowest_annual_price",
});

/// Which buyers may call off (s.45(5)(f)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EligibleBuyers {
    /// Every buyer organisation in the marketplace.
    All,
    /// Only these.
    Listed(Vec<OrganisationId>),
}

impl EligibleBuyers {
    pub fn includes(&self, buyer: OrganisationId) -> bool {
        match self {
            Self::All => true,
            Self::Listed(buyers) => buyers.contains(&buyer),
        }
    }
}

/// A framework's terms as the buyer writes them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewFrameworkTerms {
    pub max_suppliers: i64,
    pub term_months: i64,
    pub call_off_methods: Vec<CallOffMethod>,
    pub direct_award_rule: Option<DirectAwardRule>,
    /// `None`: every buyer.
    pub eligible_buyers: Option<Vec<OrganisationId>>,
}

/// A framework's terms, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameworkTerms {
    /// The most suppliers admitted (on each lot of a divided framework).
    pub max_suppliers: u8,
    pub term_months: u8,
    pub call_off_methods: Vec<CallOffMethod>,
    /// Required exactly when call-offs may be direct awards.
    pub direct_award_rule: Option<DirectAwardRule>,
    pub eligible_buyers: EligibleBuyers,
}

impl FrameworkTerms {
    /// Parses the terms, every problem at once, at pointers under `/framework`.
    pub fn parse(new: &NewFrameworkTerms) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let max = u8::try_from(new.max_suppliers)
            .ok()
            .filter(|m| (1..=MAX_SUPPLIERS).contains(&i64::from(*m)));
        if max.is_none() {
            v.push(FieldError::new(
                "/framework/max_suppliers",
                format!("must be from 1 to {MAX_SUPPLIERS}"),
            ));
        }
        let term = u8::try_from(new.term_months)
            .ok()
            .filter(|m| (1..=MAX_TERM_MONTHS).contains(&i64::from(*m)));
        if term.is_none() {
            v.push(FieldError::new(
                "/framework/term_months",
                format!(
                    "must be from 1 to {MAX_TERM_MONTHS} months: a framework lasts at most four \
                     years (Procurement Act 2023 s.47)"
                ),
            ));
        }
        let methods = &new.call_off_methods;
        if methods.is_empty() {
            v.push(FieldError::new(
                "/framework/call_off_methods",
                "name at least one: direct_award or competitive_selection",
            ));
        }
        for (i, method) in methods.iter().enumerate() {
            if methods[..i].contains(method) {
                v.push(FieldError::new(
                    format!("/framework/call_off_methods/{i}"),
                    "names the same method twice",
                ));
            }
        }
        let direct = methods.contains(&CallOffMethod::DirectAward);
        match (direct, new.direct_award_rule) {
            (true, None) => v.push(FieldError::new(
                "/framework/direct_award_rule",
                "is required when call-offs may be direct awards: the framework sets out the \
                 objective mechanism for choosing the supplier (s.45(4))",
            )),
            (false, Some(_)) => v.push(FieldError::new(
                "/framework/direct_award_rule",
                "is only for a framework whose call-offs may be direct awards",
            )),
            _ => {}
        }
        let eligible = match &new.eligible_buyers {
            None => EligibleBuyers::All,
            Some(buyers) => {
                if buyers.is_empty() {
                    v.push(FieldError::new(
                        "/framework/eligible_buyers",
                        "name at least one buyer, or \"all_buyers\"",
                    ));
                }
                for (i, buyer) in buyers.iter().enumerate() {
                    if buyers[..i].contains(buyer) {
                        v.push(FieldError::new(
                            format!("/framework/eligible_buyers/{i}"),
                            "names the same buyer twice",
                        ));
                    }
                }
                EligibleBuyers::Listed(buyers.clone())
            }
        };
        v.finish()?;
        match (max, term) {
            (Some(max_suppliers), Some(term_months)) => Ok(Self {
                max_suppliers,
                term_months,
                call_off_methods: methods.clone(),
                direct_award_rule: new.direct_award_rule,
                eligible_buyers: eligible,
            }),
            _ => Err(DomainError::Validation(Vec::new())),
        }
    }

    pub fn allows(&self, method: CallOffMethod) -> bool {
        self.call_off_methods.contains(&method)
    }
}

/// A framework agreement's state on `today` (UK date): active through its last day, then
/// expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameworkStatus {
    Active,
    Expired,
}

codes!(FrameworkStatus, "/status", "is not a framework state", {
    Active => "active",
    Expired => "expired",
});

impl FrameworkStatus {
    pub fn on(end_date: NaiveDate, today: NaiveDate) -> Self {
        if today <= end_date {
            Self::Active
        } else {
            Self::Expired
        }
    }
}

/// Where a call-off is: open until awarded (a contract) or cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOffStatus {
    Open,
    Awarded,
    Cancelled,
}

codes!(CallOffStatus, "/status", "is not a call-off state", {
    Open => "open",
    Awarded => "awarded",
    Cancelled => "cancelled",
});

impl CallOffStatus {
    pub fn award(self) -> Result<Self, DomainError> {
        match self {
            Self::Open => Ok(Self::Awarded),
            other => Err(DomainError::Conflict(format!(
                "a call-off that is {other} cannot be awarded"
            ))),
        }
    }

    pub fn cancel(self) -> Result<Self, DomainError> {
        match self {
            Self::Open => Ok(Self::Cancelled),
            other => Err(DomainError::Conflict(format!(
                "a call-off that is {other} cannot be cancelled"
            ))),
        }
    }
}

/// A call-off's title: 1 to 200 characters.
pub fn call_off_title(raw: &str) -> Result<String, DomainError> {
    crate::organisation::bounded_text(raw, "/title", crate::tender::TITLE_MAX)
}

/// A call-off's term: 1 to 120 months.
pub fn call_off_term(months: i64) -> Result<i32, DomainError> {
    i32::try_from(months)
        .ok()
        .filter(|m| (1..=120).contains(m))
        .ok_or_else(|| DomainError::field("/term_months", "must be from 1 to 120 months"))
}

/// The framework award rule: scoring complete, 1 to `max_suppliers` distinct compliant bids,
/// and a written justification unless they are exactly the top-ranked ones. Returns the
/// justification to record.
pub fn check_framework_award(
    ranking: &Ranking,
    bids: &[BidId],
    max_suppliers: u8,
    justification: Option<&str>,
) -> Result<Option<String>, DomainError> {
    ranking.check_complete()?;
    let mut v = Validator::new();
    if bids.is_empty() || bids.len() > usize::from(max_suppliers) {
        v.push(FieldError::new(
            "/bid_ids",
            format!("name 1 to {max_suppliers} bids: the framework admits at most {max_suppliers} suppliers"),
        ));
    }
    for (i, bid) in bids.iter().enumerate() {
        if bids[..i].contains(bid) {
            v.push(FieldError::new(
                format!("/bid_ids/{i}"),
                "names the same bid twice",
            ));
        } else if ranking.find(*bid).is_none() {
            v.push(FieldError::new(
                format!("/bid_ids/{i}"),
                "must be a compliant live bid on this tender (on the same lot)",
            ));
        }
    }
    v.finish()?;
    let top = ranking
        .items
        .iter()
        .take(bids.len())
        .all(|r| bids.contains(&r.bid));
    match justification.filter(|j| !j.trim().is_empty()) {
        Some(text) => Ok(Some(crate::evaluation::justification(text)?)),
        None if top => Ok(None),
        None => Err(DomainError::field(
            "/justification",
            format!(
                "is required to admit any bids but the {} top-ranked",
                bids.len()
            ),
        )),
    }
}

/// A direct award call-off's choice: an offer of the frozen shortlist (ordered by annual
/// price, cheapest first); any but the cheapest needs the buyer's written reason why every
/// cheaper offer does not meet its stated need. `position` is the offer's place in the
/// shortlist (0 for the cheapest), `None` when it is not in it.
pub fn check_call_off_award(
    position: Option<usize>,
    justification: Option<&str>,
) -> Result<Option<String>, DomainError> {
    let Some(position) = position else {
        return Err(DomainError::field(
            "/offer_id",
            "must be an offer of the call-off's frozen shortlist",
        ));
    };
    match justification.filter(|j| !j.trim().is_empty()) {
        Some(text) => Ok(Some(crate::evaluation::justification(text)?)),
        None if position == 0 => Ok(None),
        None => Err(DomainError::field(
            "/justification",
            format!(
                "is required to award to any offer but the lowest annual price (this one is \
                 number {} of the shortlist): say why each cheaper offer does not meet your \
                 stated need",
                position + 1
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::{BidToRank, Scoring, rank};

    fn terms(max: i64, term: i64, methods: &[CallOffMethod]) -> NewFrameworkTerms {
        NewFrameworkTerms {
            max_suppliers: max,
            term_months: term,
            call_off_methods: methods.to_vec(),
            direct_award_rule: methods
                .contains(&CallOffMethod::DirectAward)
                .then_some(DirectAwardRule::LowestAnnualPrice),
            eligible_buyers: None,
        }
    }

    fn pointers(result: Result<FrameworkTerms, DomainError>) -> Vec<String> {
        match result {
            Err(DomainError::Validation(errors)) => errors.into_iter().map(|e| e.pointer).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_framework_lasts_at_most_four_years_and_names_how_buyers_call_off() {
        use CallOffMethod::*;
        let parsed = FrameworkTerms::parse(&terms(4, 48, &[DirectAward, CompetitiveSelection]))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.max_suppliers, 4);
        assert!(
            parsed.allows(DirectAward) && parsed.eligible_buyers.includes(OrganisationId::new())
        );
        assert_eq!(
            pointers(FrameworkTerms::parse(&terms(0, 49, &[]))),
            [
                "/framework/max_suppliers",
                "/framework/term_months",
                "/framework/call_off_methods"
            ]
        );
        let mut no_rule = terms(3, 24, &[DirectAward]);
        no_rule.direct_award_rule = None;
        assert_eq!(
            pointers(FrameworkTerms::parse(&no_rule)),
            ["/framework/direct_award_rule"]
        );
        let mut listed = terms(3, 24, &[CompetitiveSelection]);
        let buyer = OrganisationId::new();
        listed.eligible_buyers = Some(vec![buyer, buyer]);
        assert_eq!(
            pointers(FrameworkTerms::parse(&listed)),
            ["/framework/eligible_buyers/1"]
        );
        listed.eligible_buyers = Some(vec![buyer]);
        let parsed = FrameworkTerms::parse(&listed).unwrap_or_else(|e| panic!("{e}"));
        assert!(parsed.eligible_buyers.includes(buyer));
        assert!(!parsed.eligible_buyers.includes(OrganisationId::new()));
        assert!(!parsed.allows(DirectAward));
    }

    #[test]
    fn a_framework_is_active_through_its_last_day() {
        let end = NaiveDate::from_ymd_opt(2030, 3, 31).unwrap_or_default();
        assert_eq!(FrameworkStatus::on(end, end), FrameworkStatus::Active);
        assert_eq!(
            FrameworkStatus::on(end, end.succ_opt().unwrap_or_default()),
            FrameworkStatus::Expired
        );
    }

    #[test]
    fn admitting_any_but_the_top_ranked_bids_needs_a_justification() {
        let bids: Vec<BidToRank> = [100, 200, 300]
            .into_iter()
            .map(|price_pence| BidToRank {
                bid: BidId::new(),
                price_pence,
                submitted_at: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
            })
            .collect();
        let ranking = rank(&Scoring {
            price_weight: 100,
            quality: &[],
            bids: &bids,
            scorers: &[],
            marks: &[],
        });
        let ids: Vec<BidId> = bids.iter().map(|b| b.bid).collect();
        assert_eq!(
            check_framework_award(&ranking, &ids[..2], 2, None),
            Ok(None)
        );
        assert_eq!(
            check_framework_award(&ranking, &[ids[1], ids[0]], 3, None),
            Ok(None)
        );
        assert!(check_framework_award(&ranking, &[ids[0], ids[2]], 3, None).is_err());
        assert_eq!(
            check_framework_award(&ranking, &[ids[0], ids[2]], 3, Some("Coverage.")),
            Ok(Some("Coverage.".to_owned()))
        );
        let Err(DomainError::Validation(errors)) = check_framework_award(&ranking, &ids, 2, None)
        else {
            panic!("three bids on a framework of two");
        };
        assert_eq!(errors[0].pointer, "/bid_ids");
        let Err(DomainError::Validation(errors)) =
            check_framework_award(&ranking, &[ids[0], ids[0]], 3, None)
        else {
            panic!("a bid twice");
        };
        assert_eq!(errors[0].pointer, "/bid_ids/1");
    }

    #[test]
    fn a_direct_award_call_off_goes_to_the_cheapest_or_says_why_not() {
        assert_eq!(check_call_off_award(Some(0), None), Ok(None));
        assert!(matches!(
            check_call_off_award(Some(1), None),
            Err(DomainError::Validation(e)) if e[0].pointer == "/justification"
        ));
        assert_eq!(
            check_call_off_award(
                Some(1),
                Some("The cheaper offer does not cover the region.")
            ),
            Ok(Some(
                "The cheaper offer does not cover the region.".to_owned()
            ))
        );
        assert!(matches!(
            check_call_off_award(None, Some("Any.")),
            Err(DomainError::Validation(e)) if e[0].pointer == "/offer_id"
        ));
    }
}
