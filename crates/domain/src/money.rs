//! Money: whole pence sterling, with the one limit every sum in the marketplace obeys (a tender's
//! value and ceiling, a bid's price, an offer's unit price), and how people read it.

use crate::DomainError;
use std::fmt;

/// The largest sum of money anything may name: £100 million, in pence — far above any real
/// support contract, low enough that sums of many stay exact in an `i64`.
pub const MAX_PENCE: i64 = 10_000_000_000;

/// A positive sum of whole pence, at most [`MAX_PENCE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

impl Money {
    /// `pence` as money; out of range is an error at `pointer` (the field it came from).
    pub fn from_pence(pence: i64, pointer: &str) -> Result<Self, DomainError> {
        if (1..=MAX_PENCE).contains(&pence) {
            Ok(Self(pence))
        } else {
            Err(DomainError::field(
                pointer,
                format!("must be a whole number of pence from 1 to {MAX_PENCE}"),
            ))
        }
    }

    pub fn pence(self) -> i64 {
        self.0
    }
}

/// Pounds with thousands separators, for people to read: `£1,234,567`, or `£1,234.50` when
/// there are pence.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&pounds(self.0))
    }
}

/// Any number of pence (a total, a difference) as pounds, the way [`Money`] shows itself.
pub fn pounds(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let whole = (pence.unsigned_abs() / 100).to_string();
    let mut out = format!("{sign}£");
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    let rest = pence.unsigned_abs() % 100;
    if rest != 0 {
        out.push_str(&format!(".{rest:02}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_one_penny_to_one_hundred_million_pounds() {
        assert_eq!(Money::from_pence(1, "/p").map(Money::pence), Ok(1));
        assert_eq!(
            Money::from_pence(MAX_PENCE, "/p").map(Money::pence),
            Ok(MAX_PENCE)
        );
        for bad in [0, -1, MAX_PENCE + 1] {
            let Err(DomainError::Validation(errors)) = Money::from_pence(bad, "/price_pence")
            else {
                panic!("{bad} pence must be refused");
            };
            assert_eq!(errors[0].pointer, "/price_pence");
        }
    }

    #[test]
    fn pounds_read_with_thousands_separators_and_pence_only_when_there_are_some() {
        assert_eq!(pounds(12_345_678), "£123,456.78");
        assert_eq!(pounds(414_040_000), "£4,140,400");
        assert_eq!(pounds(5), "£0.05");
        assert_eq!(pounds(-150), "-£1.50");
        assert_eq!(
            Money::from_pence(100_000, "/p").unwrap().to_string(),
            "£1,000"
        );
    }
}
