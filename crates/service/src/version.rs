//! Optimistic concurrency: the version of a thing the actor last read, checked under the row's
//! lock before a change is written.

use crate::ServiceError;

/// What the actor says it last read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Expected {
    /// Nothing said: refused where a version is required, accepted where it is optional.
    #[default]
    Unstated,
    /// Whatever the current version is (`If-Match: *`).
    Any,
    /// One of these versions.
    OneOf(Vec<i32>),
}

impl Expected {
    pub fn version(version: i32) -> Self {
        Self::OneOf(vec![version])
    }

    /// Refuses unless a version was stated and matches `current`.
    pub fn require(&self, current: i32) -> Result<(), ServiceError> {
        match self {
            Self::Unstated => Err(ServiceError::VersionRequired(
                "Send If-Match with the ETag of the version you are changing.".to_owned(),
            )),
            _ => self.check(current),
        }
    }

    /// Refuses a stated version that does not match `current`; nothing stated passes.
    pub fn check(&self, current: i32) -> Result<(), ServiceError> {
        match self {
            Self::Unstated | Self::Any => Ok(()),
            Self::OneOf(versions) if versions.contains(&current) => Ok(()),
            Self::OneOf(_) => Err(ServiceError::Stale(format!(
                "The resource has changed; its current ETag is \"{current}\"."
            ))),
        }
    }
}
