//! Users, their roles, and which role may belong to which kind of organisation.

use crate::error::{DomainError, Validator};
use crate::ids::{OrganisationId, UserId};
use crate::organisation::{OrganisationKind, bounded_text};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a user may do; carried in the access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    BuyerLead,
    BuyerEvaluator,
    SupplierBidder,
    Regulator,
    Admin,
}

codes!(Role, "/role", "is not a known role", {
    BuyerLead => "buyer_lead",
    BuyerEvaluator => "buyer_evaluator",
    SupplierBidder => "supplier_bidder",
    Regulator => "regulator",
    Admin => "admin",
});

impl Role {
    /// The one kind of organisation a user with this role belongs to.
    pub const fn organisation_kind(self) -> OrganisationKind {
        match self {
            Self::BuyerLead | Self::BuyerEvaluator => OrganisationKind::Buyer,
            Self::SupplierBidder => OrganisationKind::Supplier,
            Self::Regulator => OrganisationKind::Regulator,
            Self::Admin => OrganisationKind::Platform,
        }
    }

    /// Whether a user with this role may belong to an organisation of `kind`.
    pub fn fits(self, kind: OrganisationKind) -> bool {
        self.organisation_kind() == kind
    }

    /// Refuses a role that does not fit its organisation's kind, naming the field.
    pub fn check_fits(self, kind: OrganisationKind) -> Result<(), DomainError> {
        if self.fits(kind) {
            Ok(())
        } else {
            Err(DomainError::field(
                "/role",
                format!(
                    "a {} must belong to a {} organisation, not a {} one",
                    self.as_str(),
                    self.organisation_kind(),
                    kind
                ),
            ))
        }
    }
}

/// An email address, held in lower case so uniqueness is case-insensitive. Surrounding spaces
/// are refused rather than trimmed, so the rule matches the documented format exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_CHARS: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let email = raw.to_lowercase();
        let invalid =
            || DomainError::field("/email", "must be an email address like name@example.org");
        if email.is_empty() || email.chars().count() > Self::MAX_CHARS {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok {
            Ok(Self(email))
        } else {
            Err(invalid())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        bounded_text(raw, "/name", Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that meets the policy; never stored, only hashed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(DomainError::field(
                "/password",
                format!("must be at least {} characters", Self::MIN_CHARS),
            ));
        }
        if chars > Self::MAX_CHARS {
            return Err(DomainError::field(
                "/password",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A parsed request to create a user, before the organisation's kind is known.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: EmailAddress,
    pub name: PersonName,
    pub password: Password,
    pub role: Role,
}

impl NewUser {
    pub fn parse(email: &str, name: &str, password: &str, role: Role) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let email = v.check(EmailAddress::parse(email));
        let name = v.check(PersonName::parse(name));
        let password = v.check(Password::parse(password));
        v.finish()?;
        match (email, name, password) {
            (Some(email), Some(name), Some(password)) => Ok(Self {
                email,
                name,
                password,
                role,
            }),
            _ => Err(DomainError::Validation(Vec::new())),
        }
    }
}

/// A user account as stored; the password hash never leaves the persistence and auth layers.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organisation_id: OrganisationId,
    pub password_hash: String,
    pub active: bool,
    /// Whether the user is emailed its organisation's notifications.
    pub email_notifications: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("organisation_id", &self.organisation_id)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_fits_exactly_one_kind_of_organisation() {
        let table = [
            (Role::BuyerLead, OrganisationKind::Buyer),
            (Role::BuyerEvaluator, OrganisationKind::Buyer),
            (Role::SupplierBidder, OrganisationKind::Supplier),
            (Role::Regulator, OrganisationKind::Regulator),
            (Role::Admin, OrganisationKind::Platform),
        ];
        for (role, home) in table {
            for kind in OrganisationKind::ALL {
                assert_eq!(
                    role.fits(kind),
                    kind == home,
                    "{role} in a {kind} organisation"
                );
            }
        }
    }

    #[test]
    fn a_supplier_bidder_cannot_belong_to_a_buyer() {
        let err = Role::SupplierBidder.check_fits(OrganisationKind::Buyer);
        match err {
            Err(DomainError::Validation(errors)) => assert_eq!(errors[0].pointer, "/role"),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn emails_are_lower_cased() {
        assert_eq!(
            EmailAddress::parse("Jane.Doe@NHS.net").map(|e| e.0),
            Ok("jane.doe@nhs.net".to_owned())
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "plain",
            "@nhs.net",
            "jane@",
            "jane@nhs",
            "jane@@nhs.net",
            "jane doe@nhs.net",
            ".jane@nhs.net",
            "jane..doe@nhs.net",
            "jane@-nhs.net",
            "jane@nhs..net",
            " jane@nhs.net",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn passwords_are_between_twelve_and_128_characters() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert!(Password::parse("correct horse battery").is_ok());
    }

    #[test]
    fn a_password_never_appears_in_debug_output() {
        let password = Password::parse("secret-password-123").map(|p| format!("{p:?}"));
        assert_eq!(password, Ok("Password(***)".to_owned()));
    }

    #[test]
    fn roles_parse_from_their_codes() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("superuser".parse::<Role>().is_err());
    }
}
