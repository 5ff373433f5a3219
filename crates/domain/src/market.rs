//! Market maths for NHS England's oversight: market shares, the Herfindahl–Hirschman Index and
//! CR3 over value shares in percent, what a merger would do to them, and the indicators of how
//! competitive tendering is. Computed exactly (rationals) and rounded only for display, so a
//! threshold is never crossed by rounding.

use crate::access::Actor;
use crate::error::DomainError;
use crate::ids::OrganisationId;
use crate::user::Role;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};
use serde::{Deserialize, Serialize};

/// Who reads market figures: the regulator, admins and buyers. Suppliers are refused: the
/// figures would tell them their competitors' contract values.
pub const MARKET_READERS: [Role; 4] = [
    Role::Regulator,
    Role::Admin,
    Role::BuyerLead,
    Role::BuyerEvaluator,
];

/// Refuses anyone but the [`MARKET_READERS`].
pub fn require_market_reader(actor: &Actor) -> Result<(), DomainError> {
    if MARKET_READERS.contains(&actor.role) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "market figures reveal suppliers' contract values; they are for the regulator and \
             buyers"
                .to_owned(),
        ))
    }
}

/// How concentration is judged. The UK CMA sets no fixed HHI thresholds, so the scale is
/// configuration; every answer names the one it used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConcentrationScale {
    pub name: String,
    /// HHI from which a market is moderately concentrated.
    pub moderate_from: f64,
    /// HHI above which a market is highly concentrated.
    pub high_above: f64,
    /// A change in HHI above this is significant for a merger.
    pub significant_delta: f64,
    /// A combined share (percent) above this, with a significant delta, flags a merger.
    pub combined_share_above: f64,
}

impl Default for ConcentrationScale {
    /// The US 2023 Merger Guidelines: unconcentrated below 1 000, moderately concentrated from
    /// 1 000 to 1 800, highly concentrated above 1 800; a merger is presumed to lessen
    /// competition where post-merger HHI exceeds 1 800 with a change above 100, or where the
    /// merged firm's share exceeds 30% with a change above 100.
    fn default() -> Self {
        Self {
            name: "US 2023 Merger Guidelines".to_owned(),
            moderate_from: 1000.0,
            high_above: 1800.0,
            significant_delta: 100.0,
            combined_share_above: 30.0,
        }
    }
}

/// How concentrated a market is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConcentrationLevel {
    /// No contracts: no market to measure.
    Empty,
    Unconcentrated,
    ModeratelyConcentrated,
    HighlyConcentrated,
}

impl ConcentrationLevel {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::Unconcentrated => "unconcentrated",
            Self::ModeratelyConcentrated => "moderately_concentrated",
            Self::HighlyConcentrated => "highly_concentrated",
        }
    }
}

impl ConcentrationScale {
    fn level(&self, hhi: &BigRational, empty: bool) -> ConcentrationLevel {
        if empty {
            return ConcentrationLevel::Empty;
        }
        if *hhi > ratio_of(self.high_above) {
            ConcentrationLevel::HighlyConcentrated
        } else if *hhi >= ratio_of(self.moderate_from) {
            ConcentrationLevel::ModeratelyConcentrated
        } else {
            ConcentrationLevel::Unconcentrated
        }
    }
}

/// A threshold from configuration as an exact number (to a millionth).
fn ratio_of(value: f64) -> BigRational {
    let millionths = (value * 1_000_000.0).round();
    BigRational::new(
        BigInt::from(millionths.to_i64().unwrap_or(i64::MAX)),
        BigInt::from(1_000_000),
    )
}

fn rounded(value: &BigRational, places: u32) -> f64 {
    let scale = BigRational::from_integer(BigInt::from(10u64.pow(places)));
    let units = (value * scale)
        .round()
        .to_integer()
        .to_f64()
        .unwrap_or(f64::MAX);
    units / 10f64.powi(i32::try_from(places).unwrap_or(0))
}

/// One supplier's awarded contracts in a market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupplierTotals {
    pub supplier: OrganisationId,
    pub contracts: i64,
    pub value_pence: i64,
}

/// A supplier's share of a market.
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    pub supplier: OrganisationId,
    pub contracts: i64,
    pub value_pence: i64,
    /// Percent of the market's contract value, to 4 places.
    pub value_share_percent: f64,
    /// Percent of the market's contracts, to 4 places.
    pub count_share_percent: f64,
    /// 1 for the largest by value (ties: more contracts, then the supplier id).
    pub rank: u32,
}

fn percent(part: i64, whole: i64) -> BigRational {
    if whole == 0 {
        return BigRational::zero();
    }
    BigRational::new(BigInt::from(part) * 100, BigInt::from(whole))
}

fn ordered(totals: &[SupplierTotals]) -> Vec<SupplierTotals> {
    let mut sorted: Vec<SupplierTotals> = totals
        .iter()
        .copied()
        .filter(|t| t.contracts > 0 || t.value_pence > 0)
        .collect();
    sorted.sort_by(|a, b| {
        b.value_pence
            .cmp(&a.value_pence)
            .then(b.contracts.cmp(&a.contracts))
            .then(a.supplier.cmp(&b.supplier))
    });
    sorted
}

/// Each supplier's share of the market, largest first.
pub fn shares(totals: &[SupplierTotals]) -> Vec<Share> {
    let sorted = ordered(totals);
    let value: i64 = sorted.iter().map(|t| t.value_pence).sum();
    let count: i64 = sorted.iter().map(|t| t.contracts).sum();
    sorted
        .iter()
        .enumerate()
        .map(|(i, t)| Share {
            supplier: t.supplier,
            contracts: t.contracts,
            value_pence: t.value_pence,
            value_share_percent: rounded(&percent(t.value_pence, value), 4),
            count_share_percent: rounded(&percent(t.contracts, count), 4),
            rank: u32::try_from(i + 1).unwrap_or(u32::MAX),
        })
        .collect()
}

/// A market's concentration.
#[derive(Debug, Clone, PartialEq)]
pub struct Concentration {
    /// Σ (value share in percent)², 0 to 10 000, to 2 places.
    pub hhi: f64,
    /// The three largest suppliers' combined value share, percent, to 2 places.
    pub cr3: f64,
    /// How many suppliers hold contracts in it.
    pub suppliers: usize,
    pub contracts: i64,
    pub value_pence: i64,
    pub level: ConcentrationLevel,
}

fn exact_hhi(sorted: &[SupplierTotals]) -> BigRational {
    let value: i64 = sorted.iter().map(|t| t.value_pence).sum();
    sorted.iter().fold(BigRational::zero(), |sum, t| {
        let share = percent(t.value_pence, value);
        sum + &share * &share
    })
}

/// The market's HHI, CR3 and level.
pub fn concentration(totals: &[SupplierTotals], scale: &ConcentrationScale) -> Concentration {
    let sorted = ordered(totals);
    let value: i64 = sorted.iter().map(|t| t.value_pence).sum();
    let hhi = exact_hhi(&sorted);
    let top3: i64 = sorted.iter().take(3).map(|t| t.value_pence).sum();
    Concentration {
        hhi: rounded(&hhi, 2),
        cr3: rounded(&percent(top3, value), 2),
        suppliers: sorted.len(),
        contracts: sorted.iter().map(|t| t.contracts).sum(),
        value_pence: value,
        level: scale.level(&hhi, value == 0),
    }
}

/// What a merger of two suppliers would do to a market.
#[derive(Debug, Clone, PartialEq)]
pub struct MergerEffect {
    pub hhi_before: f64,
    pub hhi_after: f64,
    /// hhi_after − hhi_before = 2 × share A × share B.
    pub delta_hhi: f64,
    pub acquirer_share_percent: f64,
    pub target_share_percent: f64,
    pub combined_share_percent: f64,
    pub level_before: ConcentrationLevel,
    pub level_after: ConcentrationLevel,
    /// Post-merger HHI above the high threshold with a significant change, or a combined share
    /// above the share threshold with a significant change.
    pub flagged: bool,
    /// Why it is flagged, in words.
    pub reasons: Vec<String>,
}

/// Simulates `acquirer` taking over `target` in a market.
pub fn merger_effect(
    totals: &[SupplierTotals],
    acquirer: OrganisationId,
    target: OrganisationId,
    scale: &ConcentrationScale,
) -> MergerEffect {
    let sorted = ordered(totals);
    let value: i64 = sorted.iter().map(|t| t.value_pence).sum();
    let of = |who: OrganisationId| {
        sorted
            .iter()
            .filter(|t| t.supplier == who)
            .map(|t| t.value_pence)
            .sum::<i64>()
    };
    let (a, b) = (of(acquirer), of(target));
    let before = exact_hhi(&sorted);
    let share_a = percent(a, value);
    let share_b = percent(b, value);
    let delta = BigRational::from_integer(BigInt::from(2)) * &share_a * &share_b;
    let after = &before + &delta;
    let combined = &share_a + &share_b;
    let significant = delta > ratio_of(scale.significant_delta);
    // Each presumption the merger meets: the figure, its limit, and how it is named.
    let change = format!(
        "with a change of {} (above {})",
        rounded(&delta, 2),
        scale.significant_delta
    );
    let presumptions = [
        (&after, scale.high_above, "post-merger HHI", ""),
        (
            &combined,
            scale.combined_share_above,
            "the merged share",
            "%",
        ),
    ];
    let reasons: Vec<String> = presumptions
        .into_iter()
        .filter(|(figure, limit, _, _)| significant && **figure > ratio_of(*limit))
        .map(|(figure, limit, name, unit)| {
            format!(
                "{name} {}{unit} is above {limit}{unit} {change}",
                rounded(figure, 2)
            )
        })
        .collect();
    MergerEffect {
        hhi_before: rounded(&before, 2),
        hhi_after: rounded(&after, 2),
        delta_hhi: rounded(&delta, 2),
        acquirer_share_percent: rounded(&share_a, 4),
        target_share_percent: rounded(&share_b, 4),
        combined_share_percent: rounded(&combined, 4),
        level_before: scale.level(&before, value == 0),
        level_after: scale.level(&after, value == 0),
        flagged: !reasons.is_empty(),
        reasons,
    }
}

/// The EU Single Market Scoreboard's bands for the share of procedures with a single bid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreboardBand {
    /// 10% or less.
    Green,
    /// Above 10%, up to 20%.
    Amber,
    /// Above 20%.
    Red,
    /// No tender has closed with bids.
    NotApplicable,
}

/// The band for a single-bid rate in percent (`None`: no tenders to rate).
pub fn single_bid_band(rate_percent: Option<f64>) -> ScoreboardBand {
    match rate_percent {
        None => ScoreboardBand::NotApplicable,
        Some(rate) if rate <= 10.0 => ScoreboardBand::Green,
        Some(rate) if rate <= 20.0 => ScoreboardBand::Amber,
        Some(_) => ScoreboardBand::Red,
    }
}

/// `part` as a percent of `whole`, to 2 places; `None` when `whole` is 0.
pub fn rate_percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| rounded(&percent(part, whole), 2))
}

/// The 1-based position of the `p`-th percentile (0 < p ≤ 100) among `n` sorted values by the
/// nearest-rank method: ⌈p/100 × n⌉. The database picks the value at that position.
pub fn nearest_rank(p: u32, n: i64) -> i64 {
    if n <= 0 {
        return 0;
    }
    let p = i64::from(p.clamp(1, 100));
    ((p * n + 99) / 100).clamp(1, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(values: &[(OrganisationId, i64, i64)]) -> Vec<SupplierTotals> {
        values
            .iter()
            .map(|(supplier, contracts, value_pence)| SupplierTotals {
                supplier: *supplier,
                contracts: *contracts,
                value_pence: *value_pence,
            })
            .collect()
    }

    #[test]
    fn shares_hhi_and_cr3_of_a_small_market_are_as_computed_by_hand() {
        let [a, b, c, d] = [(); 4].map(|()| OrganisationId::new());
        // Values 50, 30, 15, 5 (£k): shares 50%, 30%, 15%, 5%.
        let market = totals(&[
            (b, 3, 30_000),
            (a, 2, 50_000),
            (d, 1, 5_000),
            (c, 4, 15_000),
        ]);
        let shares = shares(&market);
        let order: Vec<OrganisationId> = shares.iter().map(|s| s.supplier).collect();
        assert_eq!(order, vec![a, b, c, d]);
        assert_eq!(shares[0].value_share_percent, 50.0);
        assert_eq!(shares[2].count_share_percent, 40.0);
        assert_eq!(shares[3].rank, 4);
        let scale = ConcentrationScale::default();
        let figures = concentration(&market, &scale);
        // 2500 + 900 + 225 + 25 = 3650.
        assert_eq!(figures.hhi, 3650.0);
        assert_eq!(figures.cr3, 95.0);
        assert_eq!(figures.suppliers, 4);
        assert_eq!(figures.level, ConcentrationLevel::HighlyConcentrated);
    }

    #[test]
    fn one_supplier_is_a_monopoly_and_no_supplier_is_an_empty_market() {
        let scale = ConcentrationScale::default();
        let only = concentration(&totals(&[(OrganisationId::new(), 7, 1_000)]), &scale);
        assert_eq!((only.hhi, only.cr3), (10_000.0, 100.0));
        let empty = concentration(&[], &scale);
        assert_eq!((empty.hhi, empty.cr3, empty.suppliers), (0.0, 0.0, 0));
        assert_eq!(empty.level, ConcentrationLevel::Empty);
        assert!(shares(&[]).is_empty());
    }

    #[test]
    fn levels_follow_the_scale_at_its_thresholds() {
        let scale = ConcentrationScale::default();
        // Ten equal suppliers: HHI 1000 exactly — moderately concentrated.
        let ten: Vec<(OrganisationId, i64, i64)> =
            (0..10).map(|_| (OrganisationId::new(), 1, 100)).collect();
        assert_eq!(concentration(&totals(&ten), &scale).hhi, 1000.0);
        assert_eq!(
            concentration(&totals(&ten), &scale).level,
            ConcentrationLevel::ModeratelyConcentrated
        );
        // Eleven: 909.09 — unconcentrated.
        let eleven: Vec<(OrganisationId, i64, i64)> =
            (0..11).map(|_| (OrganisationId::new(), 1, 100)).collect();
        assert_eq!(
            concentration(&totals(&eleven), &scale).level,
            ConcentrationLevel::Unconcentrated
        );
        // 60/40 is 5200 — highly; shares 30/30/40 is 3400.
        let [a, b] = [(); 2].map(|()| OrganisationId::new());
        let duo = concentration(&totals(&[(a, 1, 60), (b, 1, 40)]), &scale);
        assert_eq!(duo.hhi, 5200.0);
        assert_eq!(duo.level, ConcentrationLevel::HighlyConcentrated);
    }

    #[test]
    fn a_merger_adds_twice_the_product_of_the_shares_and_is_flagged_at_the_thresholds() {
        let scale = ConcentrationScale::default();
        let [a, b, c, d, e] = [(); 5].map(|()| OrganisationId::new());
        // Shares 20, 20, 20, 20, 20: HHI 2000; A+B → delta 2 × 20 × 20 = 800, after 2800.
        let even = totals(&[(a, 1, 20), (b, 1, 20), (c, 1, 20), (d, 1, 20), (e, 1, 20)]);
        let effect = merger_effect(&even, a, b, &scale);
        assert_eq!(
            (effect.hhi_before, effect.hhi_after, effect.delta_hhi),
            (2000.0, 2800.0, 800.0)
        );
        assert_eq!(effect.combined_share_percent, 40.0);
        assert!(effect.flagged);
        assert_eq!(
            effect.reasons,
            [
                "post-merger HHI 2800 is above 1800 with a change of 800 (above 100)",
                "the merged share 40% is above 30% with a change of 800 (above 100)",
            ]
        );
        // Delta exactly 100 is not above 100: shares 5 and 10 in a spread market.
        let mut spread = vec![(a, 1, 5), (b, 1, 10)];
        spread.extend((0..17).map(|_| (OrganisationId::new(), 1, 5)));
        let effect = merger_effect(&totals(&spread), a, b, &scale);
        assert_eq!(effect.delta_hhi, 100.0);
        assert!(!effect.flagged, "{effect:?}");
        // Just above: shares 5.5 and 10 → delta 110, HHI after below 1800, combined 15.5%:
        // still not flagged; the change alone is not enough.
        let mut above = vec![(a, 1, 55), (b, 1, 100)];
        above.extend((0..169).map(|_| (OrganisationId::new(), 1, 5)));
        let effect = merger_effect(&totals(&above), a, b, &scale);
        assert_eq!(effect.delta_hhi, 110.0);
        assert!(!effect.flagged, "{effect:?}");
        // A merged share above 30% with a change above 100 is flagged even below 1800.
        let mut big = vec![(a, 1, 160), (b, 1, 160)];
        big.extend((0..68).map(|_| (OrganisationId::new(), 1, 10)));
        let effect = merger_effect(&totals(&big), a, b, &scale);
        assert!(effect.hhi_after < 1800.0, "{effect:?}");
        assert_eq!(effect.combined_share_percent, 32.0);
        assert!(effect.flagged, "{effect:?}");
        assert_eq!(effect.reasons.len(), 1);
        // A merger with a supplier absent from the market changes nothing.
        let effect = merger_effect(&even, a, OrganisationId::new(), &scale);
        assert_eq!(effect.delta_hhi, 0.0);
        assert!(!effect.flagged);
    }

    #[test]
    fn single_bid_rates_fall_into_the_scoreboard_bands() {
        assert_eq!(rate_percent(1, 10), Some(10.0));
        assert_eq!(single_bid_band(rate_percent(1, 10)), ScoreboardBand::Green);
        assert_eq!(single_bid_band(rate_percent(3, 20)), ScoreboardBand::Amber);
        assert_eq!(single_bid_band(rate_percent(1, 5)), ScoreboardBand::Amber);
        assert_eq!(single_bid_band(rate_percent(21, 100)), ScoreboardBand::Red);
        assert_eq!(
            single_bid_band(rate_percent(0, 0)),
            ScoreboardBand::NotApplicable
        );
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        // Ten values: the median is the 5th, the 90th percentile the 9th.
        assert_eq!(nearest_rank(50, 10), 5);
        assert_eq!(nearest_rank(90, 10), 9);
        // Three values: the median is the 2nd, the 90th percentile the 3rd.
        assert_eq!(nearest_rank(50, 3), 2);
        assert_eq!(nearest_rank(90, 3), 3);
        assert_eq!(nearest_rank(50, 1), 1);
        assert_eq!(nearest_rank(50, 0), 0);
    }
}
