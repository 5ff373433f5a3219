//! Organisations: buyers (CCGs, ICBs), suppliers (CSUs and others), the regulator, the platform.

use crate::error::{DomainError, Validator};
use crate::ids::OrganisationId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What an organisation is; it decides which roles its users may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Buyer,
    Supplier,
    Regulator,
    Platform,
}

codes!(OrganisationKind, "/kind", "must be one of buyer, supplier, regulator, platform", {
    Buyer => "buyer",
    Supplier => "supplier",
    Regulator => "regulator",
    Platform => "platform",
});

/// The seven NHS England regions, identified by a fixed code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    NorthEastAndYorkshire,
    NorthWest,
    Midlands,
    EastOfEngland,
    London,
    SouthEast,
    SouthWest,
}

impl Region {
    pub const ALL: [Self; 7] = [
        Self::NorthEastAndYorkshire,
        Self::NorthWest,
        Self::Midlands,
        Self::EastOfEngland,
        Self::London,
        Self::SouthEast,
        Self::SouthWest,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Self::NorthEastAndYorkshire => "north_east_and_yorkshire",
            Self::NorthWest => "north_west",
            Self::Midlands => "midlands",
            Self::EastOfEngland => "east_of_england",
            Self::London => "london",
            Self::SouthEast => "south_east",
            Self::SouthWest => "south_west",
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Self::NorthEastAndYorkshire => "North East and Yorkshire",
            Self::NorthWest => "North West",
            Self::Midlands => "Midlands",
            Self::EastOfEngland => "East of England",
            Self::London => "London",
            Self::SouthEast => "South East",
            Self::SouthWest => "South West",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Region {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|region| region.code() == s)
            .ok_or_else(|| DomainError::field("/region", "must be an NHS England region code"))
    }
}

/// An Organisation Data Service code: 3 to 10 letters and digits, held in upper case
/// (`QOP` for an ICB, `14L` for a former CCG, `0DF` for a CSU). Surrounding spaces are refused,
/// not trimmed, so the rule is exactly the documented pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct OdsCode(String);

impl OdsCode {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let code = raw.to_ascii_uppercase();
        if !(3..=10).contains(&code.len()) {
            return Err(DomainError::field(
                "/ods_code",
                "must be 3 to 10 letters and digits",
            ));
        }
        if !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(DomainError::field(
                "/ods_code",
                "may contain only letters and digits",
            ));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Trimmed, non-empty text of bounded length on one line: names and titles.
pub(crate) fn bounded_text(
    raw: &str,
    pointer: &str,
    max_chars: usize,
) -> Result<String, DomainError> {
    checked_text(raw, pointer, max_chars, |c| c.is_control())
}

/// Trimmed, non-empty prose of bounded length: descriptions, bid responses, questions, answers,
/// justifications and reasons, which keep their paragraphs (line breaks and tabs).
pub(crate) fn long_text(raw: &str, pointer: &str, max_chars: usize) -> Result<String, DomainError> {
    checked_text(raw, pointer, max_chars, |c| {
        c.is_control() && !matches!(c, '\n' | '\r' | '\t')
    })
}

fn checked_text(
    raw: &str,
    pointer: &str,
    max_chars: usize,
    refused: impl Fn(char) -> bool,
) -> Result<String, DomainError> {
    // The limit applies to the text as sent, so it matches the documented maximum length.
    if raw.chars().count() > max_chars {
        return Err(DomainError::field(
            pointer,
            format!("must be at most {max_chars} characters"),
        ));
    }
    let text = raw.trim();
    if text.is_empty() {
        return Err(DomainError::field(pointer, "must not be empty"));
    }
    if text.chars().any(refused) {
        return Err(DomainError::field(
            pointer,
            "must not contain control characters",
        ));
    }
    Ok(text.to_owned())
}

/// An organisation's display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct OrganisationName(String);

impl OrganisationName {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        bounded_text(raw, "/name", Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A parsed request to register an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrganisation {
    pub name: OrganisationName,
    pub kind: OrganisationKind,
    pub ods_code: Option<OdsCode>,
    pub region: Option<Region>,
}

impl NewOrganisation {
    /// Parses every field and reports every problem at once.
    pub fn parse(
        name: &str,
        kind: OrganisationKind,
        ods_code: Option<&str>,
        region: Option<Region>,
    ) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let name = v.check(OrganisationName::parse(name));
        let ods_code = match ods_code {
            Some(raw) => v.check(OdsCode::parse(raw)).map(Some),
            None => Some(None),
        };
        v.finish()?;
        match (name, ods_code) {
            (Some(name), Some(ods_code)) => Ok(Self {
                name,
                kind,
                ods_code,
                region,
            }),
            _ => Err(DomainError::Validation(Vec::new())),
        }
    }
}

/// An organisation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
    pub ods_code: Option<String>,
    pub region: Option<Region>,
    pub successor_id: Option<OrganisationId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Organisation {
    /// A supplier still trading in its own name: not merged into or taken over by another.
    /// Only such a supplier can take over a business, or be offered as a choice to bid or buy.
    pub fn is_trading_supplier(&self) -> bool {
        self.kind == OrganisationKind::Supplier && self.successor_id.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ods_codes_are_held_in_upper_case() {
        assert_eq!(OdsCode::parse("qop").map(|c| c.0), Ok("QOP".to_owned()));
        assert_eq!(OdsCode::parse("14L").map(|c| c.0), Ok("14L".to_owned()));
    }

    #[test]
    fn ods_codes_that_are_too_short_too_long_or_not_alphanumeric_are_refused() {
        for bad in ["", "AB", "ABCDEFGHIJK", "Q-P", "QO P", "QÖP", " QOP"] {
            assert!(OdsCode::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn region_codes_round_trip_and_unknown_ones_are_refused() {
        for region in Region::ALL {
            assert_eq!(region.code().parse::<Region>(), Ok(region));
        }
        assert!("scotland".parse::<Region>().is_err());
        assert_eq!(Region::ALL.len(), 7);
    }

    #[test]
    fn organisation_kinds_parse_from_their_codes() {
        for kind in OrganisationKind::ALL {
            assert_eq!(kind.as_str().parse::<OrganisationKind>(), Ok(kind));
        }
        assert!("ccg".parse::<OrganisationKind>().is_err());
    }

    #[test]
    fn a_new_organisation_reports_every_bad_field_at_once() {
        let err = NewOrganisation::parse("  ", OrganisationKind::Buyer, Some("x"), None);
        match err {
            Err(DomainError::Validation(errors)) => {
                let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
                assert_eq!(pointers, ["/name", "/ods_code"]);
            }
            other => panic!("expected validation errors, got {other:?}"),
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            OrganisationName::parse("  NHS Kent and Medway ICB ").map(|n| n.0),
            Ok("NHS Kent and Medway ICB".to_owned())
        );
        assert!(OrganisationName::parse(&"x".repeat(201)).is_err());
        assert!(OrganisationName::parse("bad\u{0}name").is_err());
    }

    #[test]
    fn prose_keeps_its_paragraphs_but_names_stay_on_one_line() {
        let text = "First paragraph.\n\nSecond,\tindented.";
        assert_eq!(long_text(text, "/text", 100), Ok(text.to_owned()));
        assert!(bounded_text(text, "/name", 100).is_err());
        assert!(long_text("A bell \u{7} rings", "/text", 100).is_err());
        assert!(long_text(" \n ", "/text", 100).is_err());
    }
}
