//! Background work the clock causes: tenders whose submission deadline has passed are settled
//! (and, with no tender in, their procurement termination notice published) even when nobody
//! acts on them; idempotency keys past their 24 hours are forgotten. Safe with several replicas:
//! each tender is settled under its row lock, and a key deleted twice is deleted once.

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

/// Forgets expired idempotency keys every `interval` (a key past its 24 hours is already
/// treated as unknown; this keeps the table small).
pub async fn purge_idempotency_keys(ctx: service::Ctx, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match service::idempotency::purge_expired(&ctx).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "expired idempotency keys forgotten"),
            Err(error) => {
                tracing::warn!(error = %error, "forgetting expired idempotency keys failed")
            }
        }
    }
}

/// Sends the notification emails that are due every `interval`, as every replica does: each
/// email is claimed by one sender, so none goes out twice.
pub async fn send_emails(
    ctx: service::Ctx,
    mailer: std::sync::Arc<dyn service::email::Mailer>,
    interval: Duration,
) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        // A full batch is followed at once by the next.
        loop {
            match service::email::deliver_due(&ctx, mailer.as_ref(), 50).await {
                Ok(sent) if sent >= 50 => continue,
                Ok(0) => {}
                Ok(sent) => tracing::info!(sent, "notification emails sent"),
                Err(error) => tracing::warn!(error = %error, "sending notification emails failed"),
            }
            break;
        }
    }
}

/// Sends the webhook deliveries that are due every `interval`, as every replica does: each is
/// claimed by one sender.
pub async fn send_webhooks(ctx: service::Ctx, interval: Duration) {
    let transport = crate::hooks::HttpTransport;
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match service::webhooks::deliver_due(&ctx, &transport, 50).await {
            Ok(0) => {}
            Ok(delivered) => tracing::info!(delivered, "webhook deliveries made"),
            Err(error) => tracing::warn!(error = %error, "webhook deliveries failed"),
        }
    }
}
