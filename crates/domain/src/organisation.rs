//! Organisations: buyers (CCGs, ICBs), suppliers (CSUs and others), the regulator, the platform.

use crate::error::{DomainError, FieldError, Validator};
use crate::ids::OrganisationId;
use crate::procurement::AuthorityType;
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
    // Checked as sent, before trimming: a name with a trailing line break is not on one line.
    if raw.chars().any(refused) {
        return Err(DomainError::field(
            pointer,
            "must not contain control characters",
        ));
    }
    let text = raw.trim();
    if text.is_empty() {
        return Err(DomainError::field(pointer, "must not be empty"));
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

/// The register an organisation identifier comes from: the OCDS organisation identifier scheme
/// (org-id.guide) codes the UK's Find a Tender service uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum IdentifierScheme {
    /// The NHS Organisation Data Service: the organisation's ODS code.
    #[serde(rename = "GB-NHS")]
    Nhs,
    /// Companies House: a company registration number.
    #[serde(rename = "GB-COH")]
    CompaniesHouse,
    /// The Charity Commission for England and Wales: a registered charity number.
    #[serde(rename = "GB-CHC")]
    CharityCommission,
    /// The Central Digital Platform (Find a Tender): the Public Procurement Organisation Number.
    #[serde(rename = "GB-PPON")]
    Ppon,
}

codes!(IdentifierScheme, "/identifiers", "must be GB-NHS, GB-COH, GB-CHC or GB-PPON", {
    Nhs => "GB-NHS",
    CompaniesHouse => "GB-COH",
    CharityCommission => "GB-CHC",
    Ppon => "GB-PPON",
});

impl IdentifierScheme {
    /// The order in which a party's identifiers are preferred: the platform's own number first,
    /// then the statutory registers, then the NHS code.
    pub const PREFERENCE: [Self; 4] = [
        Self::Ppon,
        Self::CompaniesHouse,
        Self::CharityCommission,
        Self::Nhs,
    ];

    /// Whether `id` (already upper case) has this register's form.
    fn accepts(self, id: &str) -> bool {
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        let alphanumeric = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric());
        match self {
            Self::Nhs => OdsCode::parse(id).is_ok(),
            // Eight digits, or two letters (SC, NI, OC, …) and six digits.
            Self::CompaniesHouse => {
                id.len() == 8
                    && (digits(id)
                        || (id[..2].chars().all(|c| c.is_ascii_uppercase()) && digits(&id[2..])))
            }
            // Six or seven digits (a main charity number; subsidiary suffixes are not parties).
            Self::CharityCommission => (6..=7).contains(&id.len()) && digits(id),
            // Three groups of four letters and digits: `PXKN-4562-RTHM`.
            Self::Ppon => {
                let groups: Vec<&str> = id.split('-').collect();
                groups.len() == 3 && groups.iter().all(|g| g.len() == 4 && alphanumeric(g))
            }
        }
    }

    const fn form(self) -> &'static str {
        match self {
            Self::Nhs => "an ODS code: 3 to 10 letters and digits",
            Self::CompaniesHouse => "a Companies House number: 8 digits, or 2 letters and 6 digits",
            Self::CharityCommission => "a registered charity number: 6 or 7 digits",
            Self::Ppon => "a PPON: three groups of four letters and digits, such as PXKN-4562-RTHM",
        }
    }
}

/// An organisation's entry in a public register.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identifier {
    pub scheme: IdentifierScheme,
    pub id: String,
}

impl Identifier {
    /// Parses `raw` as an identifier in `scheme`, held in upper case; `index` places an error.
    pub fn parse(scheme: IdentifierScheme, raw: &str, index: usize) -> Result<Self, DomainError> {
        let id = raw.to_ascii_uppercase();
        if scheme.accepts(&id) {
            Ok(Self { scheme, id })
        } else {
            Err(DomainError::field(
                format!("/identifiers/{index}/id"),
                format!("must be {}", scheme.form()),
            ))
        }
    }
}

/// The fields of an organisation as sent (or, for an edit, as sent over what is stored).
#[derive(Debug, Clone, Copy)]
pub struct OrganisationFields<'a> {
    pub name: &'a str,
    pub kind: OrganisationKind,
    pub ods_code: Option<&'a str>,
    pub region: Option<Region>,
    /// Only a buyer has one; a buyer without one is sub-central.
    pub authority_type: Option<AuthorityType>,
    /// `(scheme, id)` as sent; a `GB-NHS` entry is the ODS code.
    pub identifiers: &'a [(IdentifierScheme, String)],
}

impl<'a> OrganisationFields<'a> {
    /// The fields of an organisation with no authority type or identifiers beyond its ODS code.
    pub const fn basic(
        name: &'a str,
        kind: OrganisationKind,
        ods_code: Option<&'a str>,
        region: Option<Region>,
    ) -> Self {
        Self {
            name,
            kind,
            ods_code,
            region,
            authority_type: None,
            identifiers: &[],
        }
    }
}

/// A parsed request to register (or the parsed result of editing) an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrganisation {
    pub name: OrganisationName,
    pub kind: OrganisationKind,
    pub ods_code: Option<OdsCode>,
    pub region: Option<Region>,
    /// A buyer's kind of contracting authority (`None` for every other kind).
    pub authority_type: Option<AuthorityType>,
    /// Its register entries, in scheme order, the `GB-NHS` one being its ODS code.
    pub identifiers: Vec<Identifier>,
}

impl NewOrganisation {
    /// Parses the basic fields: see [`NewOrganisation::parse_fields`].
    pub fn parse(
        name: &str,
        kind: OrganisationKind,
        ods_code: Option<&str>,
        region: Option<Region>,
    ) -> Result<Self, DomainError> {
        Self::parse_fields(&OrganisationFields::basic(name, kind, ods_code, region))
    }

    /// Parses every field and reports every problem at once. The ODS code and a `GB-NHS`
    /// identifier are one value: either may be given, and both must then agree.
    pub fn parse_fields(fields: &OrganisationFields<'_>) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let name = v.check(OrganisationName::parse(fields.name));
        let mut ods_code = match fields.ods_code {
            Some(raw) => v.check(OdsCode::parse(raw)).map(Some),
            None => Some(None),
        };
        let authority_type = match (fields.kind, fields.authority_type) {
            (OrganisationKind::Buyer, given) => Some(given.unwrap_or(AuthorityType::SubCentral)),
            (_, None) => None,
            (_, Some(_)) => {
                v.push(FieldError::new(
                    "/authority_type",
                    "only a buyer organisation has an authority type",
                ));
                None
            }
        };
        let mut identifiers: Vec<Identifier> = Vec::new();
        for (i, (scheme, raw)) in fields.identifiers.iter().enumerate() {
            let Some(identifier) = v.check(Identifier::parse(*scheme, raw, i)) else {
                continue;
            };
            if identifiers.iter().any(|known| known.scheme == *scheme) {
                v.push(FieldError::new(
                    format!("/identifiers/{i}/scheme"),
                    "names the same scheme twice",
                ));
                continue;
            }
            if *scheme == IdentifierScheme::Nhs {
                match &ods_code {
                    Some(Some(code)) if code.as_str() != identifier.id => v.push(FieldError::new(
                        format!("/identifiers/{i}/id"),
                        "must equal the ods_code",
                    )),
                    Some(None) => ods_code = Some(Some(OdsCode(identifier.id.clone()))),
                    _ => {}
                }
            }
            identifiers.push(identifier);
        }
        v.finish()?;
        let (Some(name), Some(ods_code)) = (name, ods_code) else {
            return Err(DomainError::Validation(Vec::new()));
        };
        if let Some(code) = &ods_code
            && !identifiers
                .iter()
                .any(|i| i.scheme == IdentifierScheme::Nhs)
        {
            identifiers.push(Identifier {
                scheme: IdentifierScheme::Nhs,
                id: code.as_str().to_owned(),
            });
        }
        identifiers.sort_by_key(|i| i.scheme);
        Ok(Self {
            name,
            kind: fields.kind,
            ods_code,
            region: fields.region,
            authority_type,
            identifiers,
        })
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
    /// A buyer's kind of contracting authority, which decides its threshold.
    pub authority_type: Option<AuthorityType>,
    /// Its register entries in scheme order (`GB-NHS` being its ODS code); none is invented.
    pub identifiers: Vec<Identifier>,
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

    /// The identifier a publication names it by: the most preferred scheme it has.
    pub fn main_identifier(&self) -> Option<&Identifier> {
        IdentifierScheme::PREFERENCE
            .iter()
            .find_map(|scheme| self.identifiers.iter().find(|i| i.scheme == *scheme))
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

    fn identifiers(fields: &OrganisationFields<'_>) -> Result<Vec<(String, String)>, Vec<String>> {
        match NewOrganisation::parse_fields(fields) {
            Ok(new) => Ok(new
                .identifiers
                .into_iter()
                .map(|i| (i.scheme.as_str().to_owned(), i.id))
                .collect()),
            Err(DomainError::Validation(errors)) => {
                Err(errors.into_iter().map(|e| e.pointer).collect())
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn each_register_accepts_its_own_form_of_identifier_only() {
        use IdentifierScheme::*;
        #[rustfmt::skip]
        let cases = [
            (Nhs, "qop", true), (Nhs, "0DF", true), (Nhs, "Q-P", false),
            (CompaniesHouse, "01234567", true), (CompaniesHouse, "sc123456", true),
            (CompaniesHouse, "1234567", false), (CompaniesHouse, "S1234567", false),
            (CompaniesHouse, "SC12345X", false),
            (CharityCommission, "123456", true), (CharityCommission, "1234567", true),
            (CharityCommission, "12345", false), (CharityCommission, "12345678", false),
            (CharityCommission, "12345A", false),
            (Ppon, "pxkn-4562-rthm", true), (Ppon, "PXKN4562RTHM", false),
            (Ppon, "PXKN-4562-RTH", false), (Ppon, "PXKN-4562-RTHM-1", false),
        ];
        for (scheme, raw, accepted) in cases {
            assert_eq!(
                Identifier::parse(scheme, raw, 0).is_ok(),
                accepted,
                "{scheme} {raw:?}"
            );
        }
        assert_eq!(
            Identifier::parse(Ppon, "pxkn-4562-rthm", 0).map(|i| i.id),
            Ok("PXKN-4562-RTHM".to_owned())
        );
    }

    #[test]
    fn the_ods_code_and_a_gb_nhs_identifier_are_one_value() {
        use IdentifierScheme::*;
        let mut fields =
            OrganisationFields::basic("A CSU", OrganisationKind::Supplier, Some("0df"), None);
        assert_eq!(
            identifiers(&fields),
            Ok(vec![("GB-NHS".into(), "0DF".into())])
        );
        let given = [(Ppon, "PXKN-4562-RTHM".to_owned()), (Nhs, "0DF".to_owned())];
        fields.identifiers = &given;
        assert_eq!(
            identifiers(&fields),
            Ok(vec![
                ("GB-NHS".into(), "0DF".into()),
                ("GB-PPON".into(), "PXKN-4562-RTHM".into())
            ])
        );
        let differing = [(Nhs, "0DG".to_owned())];
        fields.identifiers = &differing;
        assert_eq!(
            identifiers(&fields),
            Err(vec!["/identifiers/0/id".to_owned()])
        );
        fields.ods_code = None;
        let parsed = NewOrganisation::parse_fields(&fields).unwrap();
        assert_eq!(parsed.ods_code.map(|c| c.0), Some("0DG".to_owned()));
        let twice = [
            (CompaniesHouse, "01234567".to_owned()),
            (CompaniesHouse, "07654321".to_owned()),
        ];
        fields.identifiers = &twice;
        assert_eq!(
            identifiers(&fields),
            Err(vec!["/identifiers/1/scheme".to_owned()])
        );
    }

    #[test]
    fn only_a_buyer_has_an_authority_type_and_a_buyer_is_sub_central_unless_said() {
        let mut fields =
            OrganisationFields::basic("NHS England", OrganisationKind::Buyer, None, None);
        let authority =
            |f: &OrganisationFields<'_>| NewOrganisation::parse_fields(f).map(|n| n.authority_type);
        assert_eq!(authority(&fields), Ok(Some(AuthorityType::SubCentral)));
        fields.authority_type = Some(AuthorityType::CentralGovernment);
        assert_eq!(
            authority(&fields),
            Ok(Some(AuthorityType::CentralGovernment))
        );
        fields.kind = OrganisationKind::Supplier;
        assert!(
            matches!(authority(&fields), Err(DomainError::Validation(e)) if e[0].pointer == "/authority_type")
        );
        fields.authority_type = None;
        assert_eq!(authority(&fields), Ok(None));
    }

    #[test]
    fn a_party_is_named_by_its_most_preferred_identifier() {
        let mut organisation = Organisation {
            id: OrganisationId::new(),
            name: "A CSU".into(),
            kind: OrganisationKind::Supplier,
            ods_code: None,
            region: None,
            authority_type: None,
            identifiers: Vec::new(),
            successor_id: None,
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        };
        assert_eq!(organisation.main_identifier(), None);
        organisation.identifiers = vec![
            Identifier {
                scheme: IdentifierScheme::Nhs,
                id: "0DF".into(),
            },
            Identifier {
                scheme: IdentifierScheme::CompaniesHouse,
                id: "01234567".into(),
            },
        ];
        assert_eq!(
            organisation.main_identifier().map(|i| i.scheme),
            Some(IdentifierScheme::CompaniesHouse)
        );
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
