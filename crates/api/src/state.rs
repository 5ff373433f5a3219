//! The one application state, cheap to clone, taken by handlers with `State`.

use persistence::Db;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    /// Access tokens: issued at sign-in, checked on every request.
    pub sessions: Arc<service::sessions::Sessions>,
    /// The use cases' context (the same database, the clock, the configuration).
    pub ctx: service::Ctx,
}

pub use service::DEFAULT_SEARCH_TOTAL_LIMIT;
