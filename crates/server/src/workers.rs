//! Background work the clock causes: tenders whose submission deadline has passed are settled
//! (and, with no tender in, their procurement termination notice published) even when nobody
//! acts on them. Safe with several replicas: each tender is settled under its row lock.

use std::time::Duration;

/// Settles due tenders every `interval`, for as long as the server runs. A failed sweep is
/// logged and tried again at the next tick (the database may be away for a while).
pub async fn settle_tenders(ctx: service::Ctx, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match service::tenders::settle_due(&ctx).await {
            Ok(0) => {}
            Ok(settled) => tracing::info!(settled, "tenders settled at their deadline"),
            Err(error) => tracing::warn!(error = %error, "settling due tenders failed"),
        }
    }
}
