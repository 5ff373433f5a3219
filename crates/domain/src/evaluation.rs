//! Evaluation: the panel's conflict-of-interest declarations, each evaluator's scores with their
//! justifications, exclusions, the ranking and the award rule. Every score is computed with exact
//! rational arithmetic, so no rounding ever decides a rank; figures are rounded only for display.

use crate::error::{DomainError, Validator};
use crate::ids::{BidId, CriterionId, UserId};
use crate::organisation::long_text;
use chrono::{DateTime, Utc};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;

pub const JUSTIFICATION_MAX: usize = 5000;
pub const REASON_MAX: usize = 2000;
pub const DETAILS_MAX: usize = 2000;
/// The most people on one tender's evaluation panel.
pub const PANEL_MAX: usize = 20;

/// Whether `user` may sit on the evaluation panel of a tender bought by `buyer`: an active
/// evaluator or lead of the buying organisation.
pub fn may_evaluate(user: &crate::user::User, buyer: crate::ids::OrganisationId) -> bool {
    user.active && user.organisation_id == buyer && EVALUATORS.contains(&user.role)
}

/// The roles that may sit on a panel and score.
pub const EVALUATORS: [crate::user::Role; 2] = [
    crate::user::Role::BuyerEvaluator,
    crate::user::Role::BuyerLead,
];

/// One evaluator's mark for one bid on one quality criterion: a whole number from 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score(u8);

impl Score {
    pub fn new(score: i64) -> Result<Self, DomainError> {
        u8::try_from(score)
            .ok()
            .filter(|s| *s <= 100)
            .map(Self)
            .ok_or_else(|| DomainError::field("/score", "must be a whole number from 0 to 100"))
    }

    pub const fn value(self) -> u8 {
        self.0
    }
}

/// A mark and the written reasons for it, parsed together so a client sees every problem.
pub fn parse_score(score: i64, justification: &str) -> Result<(Score, String), DomainError> {
    let mut v = Validator::new();
    let score = v.check(Score::new(score));
    let text = v.check(self::justification(justification));
    v.finish()?;
    match (score, text) {
        (Some(score), Some(text)) => Ok((score, text)),
        _ => Err(DomainError::field("", "the score could not be read")),
    }
}

/// The written reasons for a score or for an award away from the top-ranked bid.
pub fn justification(raw: &str) -> Result<String, DomainError> {
    long_text(raw, "/justification", JUSTIFICATION_MAX)
}

/// Why a bid is excluded as non-compliant, or why a tender is declared unsuccessful.
pub fn reason(raw: &str) -> Result<String, DomainError> {
    long_text(raw, "/reason", REASON_MAX)
}

/// Where a user stands on a tender's evaluation panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelStanding {
    /// Not assigned to the tender.
    NotOnPanel,
    /// Assigned, but has not yet declared whether it has a conflict of interest.
    Undeclared,
    /// Declared a conflict of interest: may not see bid content or score.
    Conflicted,
    /// Declared no conflict: sees the bids and scores them.
    Cleared,
}

impl PanelStanding {
    /// The standing given a panel membership and its declaration (`None`: not yet declared).
    pub fn of(on_panel: bool, has_conflict: Option<bool>) -> Self {
        match (on_panel, has_conflict) {
            (false, _) => Self::NotOnPanel,
            (true, None) => Self::Undeclared,
            (true, Some(true)) => Self::Conflicted,
            (true, Some(false)) => Self::Cleared,
        }
    }

    /// Only a cleared panel member scores. Someone not on the panel is told nothing about the
    /// bids (404); a panel member who has not declared, or declared a conflict, is refused (403).
    pub fn check_may_score(self) -> Result<(), DomainError> {
        match self {
            Self::Cleared => Ok(()),
            Self::NotOnPanel => Err(DomainError::NotFound("bid")),
            Self::Undeclared => Err(DomainError::Forbidden(
                "declare whether you have a conflict of interest before seeing or scoring any bid"
                    .to_owned(),
            )),
            Self::Conflicted => Err(DomainError::Forbidden(
                "you declared a conflict of interest on this tender, so you may not score it"
                    .to_owned(),
            )),
        }
    }
}

/// An evaluator's declaration of interests for one tender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub has_conflict: bool,
    pub details: Option<String>,
}

impl Declaration {
    /// A conflict must be described; "no conflict" may carry a note.
    pub fn parse(has_conflict: bool, details: Option<&str>) -> Result<Self, DomainError> {
        let details = match details.map(str::trim).filter(|d| !d.is_empty()) {
            Some(_) => Some(long_text(
                details.unwrap_or_default(),
                "/details",
                DETAILS_MAX,
            )?),
            None if has_conflict => {
                return Err(DomainError::field(
                    "/details",
                    "describe the conflict of interest (1 to 2000 characters)",
                ));
            }
            None => None,
        };
        Ok(Self {
            has_conflict,
            details,
        })
    }

    /// A declaration is made once; afterwards only a newly found conflict may be added (a
    /// declared conflict can never be taken back, or the rule would mean nothing).
    pub fn check_replaces(&self, previous: Option<bool>) -> Result<(), DomainError> {
        match (previous, self.has_conflict) {
            (None, _) | (Some(false), true) => Ok(()),
            (Some(false), false) => Err(DomainError::conflict(
                "you have already declared no conflict of interest on this tender",
            )),
            (Some(true), _) => Err(DomainError::Conflict(
                "a declared conflict of interest stands; the lead may remove you from the panel"
                    .to_owned(),
            )),
        }
    }
}

/// An exact, non-negative number of points. Rounded only when shown.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Exact(BigRational);

impl Exact {
    pub fn zero() -> Self {
        Self(BigRational::zero())
    }

    /// `numerator / denominator`; a zero denominator gives zero (no points).
    pub fn ratio(numerator: i64, denominator: i64) -> Self {
        if denominator == 0 {
            return Self::zero();
        }
        Self(BigRational::new(
            BigInt::from(numerator),
            BigInt::from(denominator),
        ))
    }

    fn add(&self, other: &Self) -> Self {
        Self(&self.0 + &other.0)
    }

    /// Rounded half away from zero to `places` decimal places, as the nearest `f64` (which
    /// prints as exactly that decimal).
    pub fn rounded(&self, places: u32) -> f64 {
        let scale = BigInt::from(10u64.pow(places));
        let scaled = (&self.0 * BigRational::from_integer(scale)).round();
        let units = scaled.to_integer().to_f64().unwrap_or(f64::MAX);
        units / 10f64.powi(i32::try_from(places).unwrap_or(0))
    }
}

impl fmt::Display for Exact {
    /// Four decimal places.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.4}", self.rounded(4))
    }
}

/// A quality criterion and its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QualityCriterion {
    pub id: CriterionId,
    pub weight: u8,
}

/// A compliant live bid as the ranking needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidToRank {
    pub bid: BidId,
    pub price_pence: i64,
    /// When the version evaluated was submitted: the last tie-break, earlier first.
    pub submitted_at: DateTime<Utc>,
}

/// One evaluator's mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub evaluator: UserId,
    pub bid: BidId,
    pub criterion: CriterionId,
    pub score: Score,
}

/// What the ranking is computed from.
#[derive(Debug, Clone, Copy)]
pub struct Scoring<'a> {
    pub price_weight: u8,
    pub quality: &'a [QualityCriterion],
    pub bids: &'a [BidToRank],
    /// The cleared panel: assigned, declared no conflict. Marks by anyone else do not count.
    pub scorers: &'a [UserId],
    pub marks: &'a [Mark],
}

/// A bid's result on one quality criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionResult {
    pub criterion: CriterionId,
    pub weight: u8,
    /// The mean mark (0 to 100) of the scorers who marked it; `None` before anyone has.
    pub mean_score: Option<Exact>,
    /// How many scorers have marked it.
    pub marks: usize,
    /// weight × mean mark / 100.
    pub points: Exact,
}

/// A ranked bid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedBid {
    pub bid: BidId,
    pub price_pence: i64,
    pub submitted_at: DateTime<Utc>,
    /// price weight × lowest compliant price / this price.
    pub price_score: Exact,
    pub quality_scores: Vec<CriterionResult>,
    pub quality_score: Exact,
    pub total_score: Exact,
    /// 1 for the best.
    pub rank: u32,
}

/// The ranking of the compliant live bids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranking {
    /// Best first.
    pub items: Vec<RankedBid>,
    /// Whether every cleared scorer has marked every quality criterion of every compliant bid.
    pub complete: bool,
    /// How many marks are still missing.
    pub missing_marks: usize,
    /// How many scorers the panel has (assigned, declared no conflict).
    pub scorers: usize,
}

impl Ranking {
    pub fn find(&self, bid: BidId) -> Option<&RankedBid> {
        self.items.iter().find(|item| item.bid == bid)
    }

    /// Why the tender cannot be awarded yet, if it cannot.
    pub fn check_complete(&self) -> Result<(), DomainError> {
        if self.items.is_empty() {
            return Err(DomainError::conflict(
                "no compliant bid remains: there is nothing to award",
            ));
        }
        if self.complete {
            return Ok(());
        }
        Err(DomainError::Conflict(if self.scorers == 0 {
            "scoring is not complete: no evaluator who has declared no conflict of interest is \
             on the panel"
                .to_owned()
        } else {
            format!(
                "scoring is not complete: {} of the marks from the {} evaluators are missing",
                self.missing_marks, self.scorers
            )
        }))
    }
}

/// Ranks the compliant bids: price score plus quality score, best first; ties go to the higher
/// quality score, then to the earlier submission.
pub fn rank(scoring: &Scoring<'_>) -> Ranking {
    let lowest = scoring
        .bids
        .iter()
        .map(|b| b.price_pence)
        .min()
        .unwrap_or(0);
    let scorers: std::collections::HashSet<UserId> = scoring.scorers.iter().copied().collect();
    // (bid, criterion) → the counted marks, one per scorer (the latest stored wins upstream).
    let mut marks: HashMap<(BidId, CriterionId), Vec<u8>> = HashMap::new();
    for mark in scoring
        .marks
        .iter()
        .filter(|m| scorers.contains(&m.evaluator))
    {
        marks
            .entry((mark.bid, mark.criterion))
            .or_default()
            .push(mark.score.value());
    }
    let mut missing = 0;
    let mut items: Vec<RankedBid> = scoring
        .bids
        .iter()
        .map(|bid| {
            let quality_scores: Vec<CriterionResult> = scoring
                .quality
                .iter()
                .map(|criterion| {
                    let given = marks
                        .get(&(bid.bid, criterion.id))
                        .map_or(&[][..], Vec::as_slice);
                    missing += scorers.len().saturating_sub(given.len());
                    let count = i64::try_from(given.len()).unwrap_or(i64::MAX);
                    let sum: i64 = given.iter().map(|s| i64::from(*s)).sum();
                    CriterionResult {
                        criterion: criterion.id,
                        weight: criterion.weight,
                        mean_score: (count > 0).then(|| Exact::ratio(sum, count)),
                        marks: given.len(),
                        points: Exact::ratio(i64::from(criterion.weight) * sum, 100 * count),
                    }
                })
                .collect();
            let quality_score = quality_scores
                .iter()
                .fold(Exact::zero(), |total, c| total.add(&c.points));
            let price_score =
                Exact::ratio(i64::from(scoring.price_weight) * lowest, bid.price_pence);
            RankedBid {
                bid: bid.bid,
                price_pence: bid.price_pence,
                submitted_at: bid.submitted_at,
                total_score: price_score.add(&quality_score),
                price_score,
                quality_scores,
                quality_score,
                rank: 0,
            }
        })
        .collect();
    items.sort_by(order);
    for (position, item) in items.iter_mut().enumerate() {
        item.rank = u32::try_from(position + 1).unwrap_or(u32::MAX);
    }
    let needs_marks = !scoring.quality.is_empty();
    Ranking {
        complete: !items.is_empty() && (!needs_marks || (!scorers.is_empty() && missing == 0)),
        missing_marks: missing,
        scorers: scorers.len(),
        items,
    }
}

fn order(a: &RankedBid, b: &RankedBid) -> Ordering {
    b.total_score
        .cmp(&a.total_score)
        .then_with(|| b.quality_score.cmp(&a.quality_score))
        .then_with(|| a.submitted_at.cmp(&b.submitted_at))
        .then_with(|| a.bid.cmp(&b.bid))
}

/// The award rule: scoring complete, a compliant bid, and a written justification for any bid
/// but the top-ranked. Returns the justification to record.
pub fn check_award(
    ranking: &Ranking,
    bid: BidId,
    justification: Option<&str>,
) -> Result<Option<String>, DomainError> {
    ranking.check_complete()?;
    let ranked = ranking.find(bid).ok_or_else(|| {
        DomainError::field(
            "/bid_id",
            "must be a compliant live bid on this tender (not withdrawn, excluded or awaiting \
             its supplier's confirmation)",
        )
    })?;
    let given = justification.filter(|j| !j.trim().is_empty());
    match given {
        Some(text) => Ok(Some(self::justification(text)?)),
        None if ranked.rank == 1 => Ok(None),
        None => Err(DomainError::field(
            "/justification",
            format!(
                "is required to award to a bid other than the top-ranked (this bid is ranked {})",
                ranked.rank
            ),
        )),
    }
}

/// A tender is declared unsuccessful only when no compliant bid remains.
pub fn check_no_compliant_bid(compliant_bids: usize) -> Result<(), DomainError> {
    if compliant_bids == 0 {
        Ok(())
    } else {
        Err(DomainError::Conflict(format!(
            "{compliant_bids} compliant bid(s) remain: exclude them as non-compliant, with \
             reasons, before declaring the tender unsuccessful"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 9, minute, 0)
            .single()
            .unwrap_or_default()
    }

    struct Case {
        quality: Vec<QualityCriterion>,
        bids: Vec<BidToRank>,
        scorers: Vec<UserId>,
        marks: Vec<Mark>,
    }

    impl Case {
        fn new(weights: &[u8]) -> Self {
            Self {
                quality: weights
                    .iter()
                    .map(|w| QualityCriterion {
                        id: CriterionId::new(),
                        weight: *w,
                    })
                    .collect(),
                bids: Vec::new(),
                scorers: Vec::new(),
                marks: Vec::new(),
            }
        }

        fn scorer(&mut self) -> UserId {
            let id = UserId::new();
            self.scorers.push(id);
            id
        }

        fn bid(&mut self, price_pence: i64, minute: u32) -> BidId {
            let bid = BidId::new();
            self.bids.push(BidToRank {
                bid,
                price_pence,
                submitted_at: at(minute),
            });
            bid
        }

        /// `scores[criterion]` from `evaluator` for `bid`.
        fn mark(&mut self, evaluator: UserId, bid: BidId, scores: &[i64]) {
            for (criterion, score) in self.quality.clone().iter().zip(scores) {
                self.marks.push(Mark {
                    evaluator,
                    bid,
                    criterion: criterion.id,
                    score: Score::new(*score).unwrap_or_else(|e| panic!("{e}")),
                });
            }
        }

        fn rank(&self, price_weight: u8) -> Ranking {
            rank(&Scoring {
                price_weight,
                quality: &self.quality,
                bids: &self.bids,
                scorers: &self.scorers,
                marks: &self.marks,
            })
        }
    }

    fn exact(numerator: i64, denominator: i64) -> Exact {
        Exact::ratio(numerator, denominator)
    }

    #[test]
    fn a_worked_example_scores_price_and_quality_as_the_rules_say() {
        // Price 40, delivery 35, social value 25; two evaluators.
        let mut case = Case::new(&[35, 25]);
        let (ann, bob) = (case.scorer(), case.scorer());
        let cheap = case.bid(20_000_000, 1);
        let good = case.bid(25_000_000, 2);
        case.mark(ann, cheap, &[60, 50]);
        case.mark(bob, cheap, &[80, 50]);
        case.mark(ann, good, &[90, 80]);
        case.mark(bob, good, &[90, 60]);
        let ranking = case.rank(40);
        assert!(ranking.complete);
        // Cheap: price 40 × 200k/200k = 40; delivery 35 × 70/100 = 24.5; social 25 × 50/100 =
        // 12.5; quality 37; total 77.
        let cheap = ranking.find(cheap).unwrap_or_else(|| panic!("ranked"));
        assert_eq!(cheap.price_score, exact(40, 1));
        assert_eq!(cheap.quality_scores[0].mean_score, Some(exact(70, 1)));
        assert_eq!(cheap.quality_scores[0].points, exact(49, 2));
        assert_eq!(cheap.quality_scores[1].points, exact(25, 2));
        assert_eq!(cheap.quality_score, exact(37, 1));
        assert_eq!(cheap.total_score, exact(77, 1));
        assert_eq!(cheap.rank, 2);
        // Good: price 40 × 200k/250k = 32; delivery 35 × 90/100 = 31.5; social 25 × 70/100 =
        // 17.5; quality 49; total 81 — first.
        let good = ranking.find(good).unwrap_or_else(|| panic!("ranked"));
        assert_eq!(good.price_score, exact(32, 1));
        assert_eq!(good.quality_score, exact(49, 1));
        assert_eq!(good.total_score, exact(81, 1));
        assert_eq!(good.rank, 1);
    }

    #[test]
    fn thirds_are_kept_exact_and_an_exact_tie_goes_to_the_higher_quality_score() {
        // Price 40, one quality criterion of 60, three evaluators.
        let mut case = Case::new(&[60]);
        let evaluators = [case.scorer(), case.scorer(), case.scorer()];
        let lowest = case.bid(200, 1);
        let dear = case.bid(300, 2);
        let dearest = case.bid(1200, 3);
        for (evaluator, (a, b, c)) in evaluators
            .iter()
            .zip([(0, 33, 66), (0, 33, 67), (0, 34, 67)])
        {
            case.mark(*evaluator, lowest, &[a]);
            case.mark(*evaluator, dear, &[b]);
            case.mark(*evaluator, dearest, &[c]);
        }
        let ranking = case.rank(40);
        // dear: 40 × 200/300 = 80/3, plus 60 × (100/3)/100 = 20: 140/3.
        // dearest: 40 × 200/1200 = 20/3, plus 60 × (200/3)/100 = 40: 140/3 — the same, exactly.
        let dear = ranking
            .find(dear)
            .cloned()
            .unwrap_or_else(|| panic!("ranked"));
        let dearest = ranking
            .find(dearest)
            .cloned()
            .unwrap_or_else(|| panic!("ranked"));
        assert_eq!(dear.total_score, exact(140, 3));
        assert_eq!(dearest.total_score, exact(140, 3));
        assert_eq!(dear.price_score.rounded(2), 26.67);
        assert_eq!(dear.total_score.to_string(), "46.6667");
        // The tie goes to the higher quality score (40 against 20), despite the later bid.
        assert_eq!((dearest.rank, dear.rank), (1, 2));
        // lowest: 40 + 0 = 40.
        assert_eq!(ranking.items[2].total_score, exact(40, 1));
    }

    #[test]
    fn a_complete_tie_goes_to_the_earlier_submission() {
        let mut case = Case::new(&[50]);
        let ann = case.scorer();
        let later = case.bid(1000, 30);
        let earlier = case.bid(1000, 10);
        case.mark(ann, later, &[70]);
        case.mark(ann, earlier, &[70]);
        let ranking = case.rank(50);
        assert_eq!(ranking.items[0].bid, earlier);
        assert_eq!(ranking.items[1].bid, later);
        assert_eq!(ranking.items[0].total_score, ranking.items[1].total_score);
    }

    #[test]
    fn scoring_is_complete_only_when_every_scorer_marked_every_criterion_of_every_bid() {
        let mut case = Case::new(&[30, 30]);
        let ann = case.scorer();
        let bob = case.scorer();
        let first = case.bid(100, 1);
        let second = case.bid(120, 2);
        case.mark(ann, first, &[50, 50]);
        case.mark(ann, second, &[50, 50]);
        case.mark(bob, first, &[50, 50]);
        let ranking = case.rank(40);
        assert!(!ranking.complete);
        assert_eq!(ranking.missing_marks, 2);
        assert!(matches!(
            ranking.check_complete(),
            Err(DomainError::Conflict(_))
        ));
        case.mark(bob, second, &[50, 50]);
        assert!(case.rank(40).complete);
        // A mark from someone off the cleared panel counts for nothing.
        let outsider = UserId::new();
        case.mark(outsider, first, &[0, 0]);
        assert_eq!(case.rank(40), {
            let mut without = Case::new(&[]);
            without.quality = case.quality.clone();
            without.bids = case.bids.clone();
            without.scorers = case.scorers.clone();
            without.marks = case.marks[..case.marks.len() - 2].to_vec();
            without.rank(40)
        });
    }

    #[test]
    fn with_no_cleared_scorer_quality_criteria_leave_scoring_incomplete() {
        let mut case = Case::new(&[60]);
        case.bid(100, 1);
        let ranking = case.rank(40);
        assert!(!ranking.complete);
        assert_eq!(ranking.items[0].quality_scores[0].mean_score, None);
        // A price-only tender needs no marks at all.
        let mut price_only = Case::new(&[]);
        price_only.bid(100, 1);
        assert!(price_only.rank(100).complete);
        // And nothing to rank is never complete.
        assert!(!Case::new(&[]).rank(100).complete);
    }

    #[test]
    fn an_award_needs_complete_scoring_and_a_justification_away_from_the_top() {
        let mut case = Case::new(&[60]);
        let ann = case.scorer();
        let top = case.bid(100, 1);
        let second = case.bid(200, 2);
        case.mark(ann, top, &[80]);
        let incomplete = case.rank(40);
        assert!(matches!(
            check_award(&incomplete, top, None),
            Err(DomainError::Conflict(_))
        ));
        case.mark(ann, second, &[80]);
        let ranking = case.rank(40);
        assert_eq!(check_award(&ranking, top, None), Ok(None));
        let refused = check_award(&ranking, second, Some("  "));
        assert!(
            matches!(&refused, Err(DomainError::Validation(e)) if e[0].pointer == "/justification"),
            "{refused:?}"
        );
        assert_eq!(
            check_award(&ranking, second, Some("Better mobilisation risk profile")),
            Ok(Some("Better mobilisation risk profile".to_owned()))
        );
        let stranger = check_award(&ranking, BidId::new(), None);
        assert!(
            matches!(&stranger, Err(DomainError::Validation(e)) if e[0].pointer == "/bid_id"),
            "{stranger:?}"
        );
    }

    #[test]
    fn scores_are_whole_numbers_from_0_to_100_with_a_justification() {
        assert_eq!(Score::new(0).map(Score::value), Ok(0));
        assert_eq!(Score::new(100).map(Score::value), Ok(100));
        assert!(Score::new(101).is_err());
        assert!(Score::new(-1).is_err());
        let both = parse_score(101, " ");
        let pointers: Vec<String> = match both {
            Err(DomainError::Validation(errors)) => errors.into_iter().map(|e| e.pointer).collect(),
            other => panic!("{other:?}"),
        };
        assert_eq!(pointers, vec!["/score", "/justification"]);
        assert_eq!(
            parse_score(70, "Clear plan.\nNamed team.").map(|(s, j)| (s.value(), j)),
            Ok((70, "Clear plan.\nNamed team.".to_owned()))
        );
    }

    #[test]
    fn panel_standing_decides_who_scores() {
        assert_eq!(
            PanelStanding::of(false, Some(false)),
            PanelStanding::NotOnPanel
        );
        assert_eq!(PanelStanding::of(true, None), PanelStanding::Undeclared);
        assert_eq!(
            PanelStanding::of(true, Some(true)),
            PanelStanding::Conflicted
        );
        assert_eq!(PanelStanding::of(true, Some(false)), PanelStanding::Cleared);
        assert_eq!(PanelStanding::Cleared.check_may_score(), Ok(()));
        assert_eq!(
            PanelStanding::NotOnPanel.check_may_score(),
            Err(DomainError::NotFound("bid"))
        );
        assert!(matches!(
            PanelStanding::Conflicted.check_may_score(),
            Err(DomainError::Forbidden(_))
        ));
        assert!(matches!(
            PanelStanding::Undeclared.check_may_score(),
            Err(DomainError::Forbidden(_))
        ));
    }

    #[test]
    fn a_conflict_must_be_described_and_can_never_be_taken_back() {
        assert!(Declaration::parse(true, None).is_err());
        assert!(Declaration::parse(true, Some("  ")).is_err());
        let conflict = Declaration::parse(true, Some("My spouse works for Anglia CSU"))
            .unwrap_or_else(|e| panic!("{e}"));
        let clear = Declaration::parse(false, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(clear.check_replaces(None), Ok(()));
        assert_eq!(conflict.check_replaces(Some(false)), Ok(()));
        assert!(clear.check_replaces(Some(false)).is_err());
        assert!(clear.check_replaces(Some(true)).is_err());
        assert!(conflict.check_replaces(Some(true)).is_err());
    }

    #[test]
    fn a_tender_is_unsuccessful_only_with_no_compliant_bid() {
        assert_eq!(check_no_compliant_bid(0), Ok(()));
        assert!(matches!(
            check_no_compliant_bid(2),
            Err(DomainError::Conflict(_))
        ));
    }
}
