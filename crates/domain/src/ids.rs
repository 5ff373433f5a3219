//! Typed identifiers: an organisation id can never be passed where a user id is wanted.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh random (version 4) id.
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }

            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

typed_id!(
    /// Identifies an organisation: a buyer, a supplier, the regulator or the platform.
    OrganisationId
);
typed_id!(
    /// Identifies a user account.
    UserId
);
typed_id!(
    /// Identifies a service offer in the catalogue.
    OfferId
);
typed_id!(
    /// Identifies a tender.
    TenderId
);
typed_id!(
    /// Identifies one evaluation criterion of a tender.
    CriterionId
);
typed_id!(
    /// Identifies a supplier's bid on a tender (across its versions).
    BidId
);
typed_id!(
    /// Identifies a clarification question on a tender.
    ClarificationId
);
typed_id!(
    /// Identifies a public notice (UK2 to UK12).
    NoticeId
);
typed_id!(
    /// Identifies a lot of a tender (s.18).
    LotId
);
typed_id!(
    /// Identifies a framework agreement (s.45).
    FrameworkId
);
typed_id!(
    /// Identifies a call-off under a framework.
    CallOffId
);
typed_id!(
    /// Identifies one version of a tender document.
    DocumentId
);
typed_id!(
    /// Identifies a file attached to a bid.
    AttachmentId
);
