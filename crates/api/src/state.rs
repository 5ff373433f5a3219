//! The one application state, cheap to clone, taken by handlers with `State`.

use crate::auth::TokenKeys;
use persistence::Db;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub tokens: Arc<TokenKeys>,
    /// Checked against when a sign-in names an unknown email, so timing reveals nothing.
    pub decoy_hash: Arc<String>,
    /// The use cases' context (the same database, the clock, the configuration).
    pub ctx: service::Ctx,
}

pub use service::DEFAULT_SEARCH_TOTAL_LIMIT;
