//! Award and standstill: the lead awards a fully scored tender, which starts the standstill
//! (working days, skipping weekends and bank holidays); every bidder is told and reads its
//! outcome; an unsuccessful bidder may challenge during the standstill; after it, with no open
//! challenge, the lead enters the contract.

use crate::auth::AuthUser;
use crate::dto::{Created, created};
use crate::error::{ApiError, Conflict, DeadlinePassed};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::routes::contracts::ContractResponse;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use domain::contract::ChallengeOutcome;
use domain::ids::{BidId, LotId, TenderId};
use persistence::awards::Challenge;
use serde::{Deserialize, Serialize};
use service::awards as awards_service;
use utoipa::ToSchema;
use uuid::Uuid;

mod award;
mod challenges;
mod confirm;
mod outcome;

pub use award::*;
pub use challenges::*;
pub use confirm::*;
pub use outcome::*;
