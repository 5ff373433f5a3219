//! The one error type of the use cases. Each front end renders it its own way: the API as
//! RFC 9457 problem details (field errors as JSON pointers), the pages as the NHS error summary
//! pointing at the form's fields.

use chrono::{DateTime, Utc};
use domain::{DomainError, FieldError};
use persistence::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ServiceError {
    /// The input breaks a rule; each field error names its field by path (a JSON pointer into
    /// the input: `/criteria/2/weight`).
    #[error("the input is not valid")]
    Validation(Vec<FieldError>),
    /// The thing does not exist, or is not the actor's to see (no existence oracle).
    #[error("{0}")]
    NotFound(String),
    /// The actor's role may never take this action.
    #[error("{0}")]
    Forbidden(String),
    /// Bids (or what is computed from them) are sealed for now.
    #[error("{0}")]
    Sealed(String),
    /// A rule of the lifecycle or of uniqueness refuses the change; `errors` name the fields
    /// to blame, when any are.
    #[error("{detail}")]
    Conflict {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// The deadline for this action has passed, by the database clock.
    #[error("{detail}")]
    DeadlinePassed {
        detail: String,
        deadline: DateTime<Utc>,
    },
    /// The thing changed since the version the actor last read.
    #[error("{0}")]
    Stale(String),
    /// A change that must name the version it changes did not.
    #[error("{0}")]
    VersionRequired(String),
    /// The actor has not proved who it is: wrong credentials, or an account that may not sign in.
    #[error("{0}")]
    Unauthenticated(String),
    /// Too many attempts: refused until `retry_after_seconds` have passed.
    #[error("{detail}")]
    TooManyRequests {
        detail: String,
        retry_after_seconds: u64,
    },
    /// A file is larger than the marketplace accepts.
    #[error("{0}")]
    TooLarge(String),
    /// A file's content is none of the kinds accepted (whatever its name says).
    #[error("{0}")]
    UnsupportedType(String),
    /// The database cannot be reached just now: try again shortly (nothing was changed).
    #[error("{0}")]
    Unavailable(String),
    /// A failure that is ours, not the actor's: logged by the front end, never shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ServiceError {
    /// The role may never do this, or there is nothing there the user may see: a page answers
    /// with the error page rather than the form again.
    pub fn refuses_access(&self) -> bool {
        matches!(self, Self::Forbidden(_) | Self::NotFound(_))
    }

    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(err))
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::Conflict {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn field(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(pointer, detail)])
    }
}

impl From<DomainError> for ServiceError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::Validation(errors) => Self::Validation(errors),
            DomainError::NotFound(what) => Self::NotFound(format!("No such {what}.")),
            DomainError::Forbidden(detail) => Self::Forbidden(detail),
            DomainError::Conflict(detail) => Self::conflict(detail),
            DomainError::Sealed(detail) => Self::Sealed(detail),
            DomainError::DeadlinePassed { detail, deadline } => {
                Self::DeadlinePassed { detail, deadline }
            }
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => Self::NotFound(format!("No such {what}.")),
            StoreError::Conflict { pointer, message } => Self::Conflict {
                detail: message.clone(),
                errors: pointer
                    .map(|p| vec![FieldError::new(p, message)])
                    .unwrap_or_default(),
            },
            StoreError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "the database is unavailable");
                Self::Unavailable(
                    "The database cannot be reached just now; nothing was changed. Try again in a \
                     few seconds."
                        .to_owned(),
                )
            }
            StoreError::Objects(cause) => {
                tracing::warn!(error = %cause, "the file store is unavailable");
                Self::Unavailable(
                    "The file store cannot be reached just now; nothing was changed. Try again \
                     in a few seconds."
                        .to_owned(),
                )
            }
            other => Self::internal(other),
        }
    }
}
