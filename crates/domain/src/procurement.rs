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

#[cfg(test)]
mod tests {
    use super::*;

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
