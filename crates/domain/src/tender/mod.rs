//! Competitive tenders: evaluation criteria and their weights, deadlines, the lifecycle
//! (`draft → published → evaluation → standstill → awarded`, with `cancelled` and
//! `unsuccessful`), the clock-driven close at the submission deadline, and amendments.
//!
//! Time is always an argument (the database's clock), never read here.

use crate::access::Actor;
use crate::error::{DomainError, FieldError, Validator};
use crate::evaluation::PanelStanding;
use crate::ids::{NoticeId, OrganisationId};
use crate::organisation::{Region, bounded_text, long_text};
use crate::user::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod access;
mod criteria;
mod lifecycle;
mod lots;
mod spec;

pub use access::*;
pub use criteria::*;
pub use lifecycle::*;
pub use lots::*;
pub use spec::*;

#[cfg(test)]
mod procedure_tests;
#[cfg(test)]
mod tests;
