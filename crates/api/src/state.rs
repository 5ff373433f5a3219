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
    /// A catalogue search counts its matches exactly up to this many; beyond, it says "more than".
    pub search_total_limit: u64,
    /// How market concentration is judged (configuration: the UK CMA sets no fixed scale).
    pub concentration_scale: Arc<domain::market::ConcentrationScale>,
}

/// The default for [`AppState::search_total_limit`]: fifty pages of twenty.
pub const DEFAULT_SEARCH_TOTAL_LIMIT: u64 = 1000;
