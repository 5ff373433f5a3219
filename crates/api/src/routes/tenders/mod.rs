//! Competitive tenders: a buyer's procurement lead drafts, publishes, amends and cancels them;
//! suppliers find the ones they may bid on and ask clarification questions, which the lead
//! answers. Every state is the one in force by the database clock.

use crate::auth::AuthUser;
use crate::concurrency::{IfMatch, etag_header};
use crate::dto::{Paginated, RegionDto, check_category_filter};
use crate::error::{
    ApiError, BadRequest, Conflict, DeadlinePassed, Forbidden, NotFound, PreconditionFailed,
    Unauthorized, ValidationFailed,
};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use chrono::{DateTime, Utc};
use domain::DomainError;
use domain::bid::ClarificationView;
use domain::error::Validator;
use domain::ids::{ClarificationId, NoticeId, OrganisationId, TenderId};
use domain::tender::{
    self, CriterionKind, NewCriterion, Procedure, TenderFields, TenderSpec, TenderStatus,
};
use persistence::tenders::{AmendmentRecord, TenderListing};
use serde::{Deserialize, Serialize};
use service::clarifications::ClarificationSeen;
use service::tenders::TenderView;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

mod clarifications;
mod drafts;
mod dto;
mod lifecycle;
mod participation;
mod read;

pub use clarifications::*;
pub use drafts::*;
pub use dto::*;
pub use lifecycle::*;
pub use participation::*;
pub use read::*;
