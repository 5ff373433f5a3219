//! Award and standstill: the lead awards a fully scored tender, which starts the standstill
//! (working days, skipping weekends and bank holidays); every bidder is told and reads its
//! outcome; an unsuccessful bidder may challenge during the standstill; after it, with no open
//! challenge, the lead enters the contract.

use crate::auth::AuthUser;
use crate::dto::{Created, created};
use crate::error::{
    ApiError, BadRequest, Conflict, DeadlinePassed, Forbidden, NotFound, PayloadTooLarge,
    Unauthorized, UnsupportedMediaType, ValidationFailed,
};
use crate::extract::{JsonBody, PathParams};
use crate::routes::contracts::ContractResponse;
use crate::routes::evaluation::{RankingItem, evaluate};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::DomainError;
use domain::audit::AuditEntry;
use domain::bid::NotificationKind;
use domain::calendar::{self, uk_date};
use domain::contract::{self, ChallengeOutcome, ChallengeStatus, ContractTerm};
use domain::evaluation;
use domain::ids::{BidId, TenderId};
use domain::tender::{TenderStatus, can_view_tender};
use domain::user::Role;
use persistence::Command;
use persistence::awards::{Award, AwardStatus, Challenge, NewAward};
use persistence::bids::BidSelection;
use persistence::notifications::NewNotification;
use persistence::tenders::{Tender, Transition};
use serde::{Deserialize, Serialize};
use service::tenders::{lock_and_settle, visible};
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
