//! What the operators watch, for the metrics: the audit chain's length, the background work
//! waiting to be done and how long the oldest of it has waited, and the database pool.

use crate::{Ctx, ServiceError};
use chrono::{DateTime, Utc};
pub use persistence::PoolStats;

/// One queue of background work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backlog {
    /// Its name, as the metrics label it.
    pub queue: &'static str,
    pub depth: u64,
    /// How long the oldest item has waited, in seconds by the database clock.
    pub oldest_age_seconds: u64,
}

/// The readings taken at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readings {
    pub audit_chain_length: u64,
    pub backlogs: Vec<Backlog>,
}

fn age(now: DateTime<Utc>, since: Option<DateTime<Utc>>) -> u64 {
    since.map_or(0, |since| {
        u64::try_from((now - since).num_seconds()).unwrap_or(0)
    })
}

/// Reads the audit chain's length and the background queues: the tenders published past their
/// submission deadline that the sweep has still to settle.
pub async fn readings(ctx: &Ctx) -> Result<Readings, ServiceError> {
    let now = ctx.now().await?;
    let conn = ctx.db().conn();
    let audit_chain_length = persistence::audit::chain_length(conn).await?;
    let (depth, oldest) = persistence::tenders::settlement_backlog(conn, now).await?;
    Ok(Readings {
        audit_chain_length,
        backlogs: vec![Backlog {
            queue: "tender_settlement",
            depth,
            oldest_age_seconds: age(now, oldest),
        }],
    })
}

/// The database pool now: connections in use and idle, commands waiting to begin.
pub fn pool(ctx: &Ctx) -> PoolStats {
    ctx.db().pool_stats()
}
