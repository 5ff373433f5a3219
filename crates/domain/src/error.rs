//! The one error type of the domain, mapped to problem details at the web edge.

use chrono::{DateTime, Utc};
use thiserror::Error;

/// A problem with one field of an input, located by a JSON pointer (RFC 6901).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub pointer: String,
    pub detail: String,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }

    /// The same error, re-rooted under a parent pointer (`/email` under `/users/0`).
    pub fn under(mut self, parent: &str) -> Self {
        self.pointer = format!("{parent}{}", self.pointer);
        self
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DomainError {
    /// The input breaks a rule; each field says which.
    #[error("the input is not valid")]
    Validation(Vec<FieldError>),
    /// The thing does not exist, or exists but is not the actor's to see (no existence oracle).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The actor's role may never take this action.
    #[error("{0}")]
    Forbidden(String),
    /// A rule of the lifecycle or of uniqueness refuses the change.
    #[error("{0}")]
    Conflict(String),
    /// Bids are sealed until the submission deadline: not even the buyer, the regulator or an
    /// admin may read them yet.
    #[error("{0}")]
    Sealed(String),
    /// The deadline for this action has passed, by the database clock.
    #[error("{detail}")]
    DeadlinePassed {
        detail: String,
        deadline: DateTime<Utc>,
    },
}

impl DomainError {
    pub fn field(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(pointer, detail)])
    }

    /// A rule of the lifecycle refuses the change (409).
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }

    /// Re-roots every field error of a validation error under `parent`.
    pub fn under(self, parent: &str) -> Self {
        match self {
            Self::Validation(errors) => {
                Self::Validation(errors.into_iter().map(|e| e.under(parent)).collect())
            }
            other => other,
        }
    }
}

/// Collects field errors from several independent parses so a client sees all of them at once.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the parsed value, or records its field errors and returns `None`.
    pub fn check<T>(&mut self, result: Result<T, DomainError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(DomainError::Validation(errors)) => {
                self.errors.extend(errors);
                None
            }
            Err(other) => {
                self.errors.push(FieldError::new("", other.to_string()));
                None
            }
        }
    }

    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// How many errors are recorded so far (to tell whether one parse added any).
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok(())` when nothing was recorded.
    pub fn finish(self) -> Result<(), DomainError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(self.errors))
        }
    }
}
