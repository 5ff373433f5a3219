//! Evaluation of a closed tender: the lead assigns the panel, each member declares its interests
//! before seeing any bid, cleared members score each compliant bid on each quality criterion with
//! a justification, the lead excludes non-compliant bids, and the ranking follows exactly.

use crate::auth::AuthUser;
use crate::error::{ApiError, Conflict};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::routes::contracts::RatingResponse;
use crate::routes::tenders::TenderResponse;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::ids::{BidId, CriterionId, TenderId, UserId};
use persistence::evaluation::{PanelMember, StoredScore};
use serde::{Deserialize, Serialize};
use service::evaluation as evaluation_service;
use utoipa::ToSchema;
use uuid::Uuid;

mod exclusions;
mod panel;
mod ranking;
mod scores;

pub use exclusions::*;
pub use panel::*;
pub use ranking::*;
pub use scores::*;
