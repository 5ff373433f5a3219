//! The application layer: every use case of the marketplace as one async function taking a
//! context ([`Ctx`]: database, clock, configuration), the acting user and typed, already-parsed
//! input, and answering domain or persistence types or a [`ServiceError`]. The JSON API, the web
//! pages, the demo loader and the command line all call these functions; none of them opens a
//! transaction, takes a lock, reads the clock or writes an audit entry of its own.

pub mod accounts;
pub mod audit;
pub mod awards;
pub mod bids;
pub mod calendar;
pub mod call_offs;
pub mod clarifications;
mod context;
pub mod contracts;
mod direct_awards;
pub mod documents;
pub mod email;
mod error;
pub mod evaluation;
pub mod files;
pub mod frameworks;
pub mod idempotency;
pub mod market;
pub mod notices;
pub mod notifications;
pub mod ocds;
pub mod offers;
pub mod operations;
pub mod participation;
pub mod reference;
pub mod sessions;
pub mod tenders;
pub mod transfers;
mod version;
pub mod webhooks;

pub use context::{
    ACCOUNT_STANDING_SECONDS, Config, Ctx, DEFAULT_OCID_PREFIX, DEFAULT_SEARCH_TOTAL_LIMIT,
    ocid_prefix, public_url,
};

use domain::bid::NotificationKind;
use domain::ids::{OrganisationId, TenderId};

/// Tells `recipients` about `tender` inside `command`: the notification commits or rolls back
/// with the change it reports.
pub(crate) async fn notify(
    command: &persistence::Command,
    recipients: &[OrganisationId],
    kind: NotificationKind,
    tender: TenderId,
    subject: String,
    body: String,
) -> Result<(), ServiceError> {
    persistence::notifications::notify(
        command.conn(),
        recipients,
        &persistence::notifications::NewNotification {
            kind,
            tender_id: Some(tender),
            subject,
            body,
        },
        command.now(),
    )
    .await?;
    Ok(())
}
pub use error::ServiceError;
pub use version::Expected;

/// A view as the audit log records it: the same keys the API shows.
pub(crate) fn audit_json<T: serde::Serialize>(
    value: &T,
) -> Result<serde_json::Value, ServiceError> {
    serde_json::to_value(value).map_err(ServiceError::internal)
}
