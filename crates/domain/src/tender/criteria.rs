//! Evaluation criteria: one price criterion and quality criteria, weights adding up to 100.

use super::*;

/// Whether a criterion scores the price or the quality of a bid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriterionKind {
    Price,
    Quality,
}

codes!(CriterionKind, "/kind", "must be price or quality", {
    Price => "price",
    Quality => "quality",
});

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

    /// No criteria: a direct award's (there is no competition to evaluate).
    pub(crate) const fn none() -> Self {
        Self(Vec::new())
    }
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
