//! Webhooks (Standard Webhooks): an organisation's endpoints for its notifications. Each is
//! checked when made and again at every delivery — https unless allowed otherwise, and never to
//! a loopback, private, link-local, unique-local or cloud-metadata address, the name resolved
//! afresh each time so that rebinding it cannot slip through. A delivery is signed with the
//! endpoint's own secret, carries what the notification says (never sealed content), is claimed
//! by one sender at a time, retried with backoff, and an endpoint failing for three days is
//! disabled and its organisation told.

use crate::{Ctx, ServiceError};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use domain::DomainError;
use domain::access::Actor;
use domain::bid::NotificationKind;
use domain::user::Role;
use domain::webhook::{WebhookUrl, refuse_addresses};
use futures_util::future::BoxFuture;
use hmac::{KeyInit, Mac};
use persistence::webhooks::{Delivery, DueDelivery, NewWebhook, Outcome, Webhook};
use serde_json::json;
use std::net::IpAddr;
use uuid::Uuid;

/// One signed request to send, to the addresses already checked.
#[derive(Debug, Clone)]
pub struct Request {
    pub url: String,
    pub host: String,
    pub port: u16,
    pub addresses: Vec<IpAddr>,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// Where webhook requests go out: the server's HTTP client, pinned to the checked addresses
/// and following no redirect. Answers the response's status.
pub trait Transport: std::fmt::Debug + Send + Sync {
    fn post<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<u16, String>>;
}

/// Who may register webhooks for its organisation.
const MANAGERS: [Role; 4] = [
    Role::BuyerLead,
    Role::SupplierBidder,
    Role::Regulator,
    Role::Admin,
];

fn require_manager(actor: &Actor) -> Result<(), ServiceError> {
    if MANAGERS.contains(&actor.role) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!(
            "a {} may not manage webhooks; a buyer lead, supplier bidder, regulator or admin \
             may, for their own organisation",
            actor.role
        )))
    }
}

/// The addresses `url`'s host resolves to now, refused if any is one a webhook may not reach.
async fn checked_addresses(ctx: &Ctx, url: &WebhookUrl) -> Result<Vec<IpAddr>, DomainError> {
    let addresses: Vec<IpAddr> = match url.host().parse::<IpAddr>() {
        Ok(address) => vec![address],
        Err(_) => tokio::net::lookup_host((url.host(), url.port()))
            .await
            .map(|found| found.map(|a| a.ip()).collect())
            .unwrap_or_default(),
    };
    refuse_addresses(&addresses, ctx.config().webhook_allow_private)?;
    Ok(addresses)
}

/// What a new endpoint is.
#[derive(Debug, Clone, Default)]
pub struct WebhookInput {
    pub url: String,
    pub events: Vec<String>,
    pub description: String,
}

/// A fresh signing secret: `whsec_` and 24 random bytes in base64.
fn new_secret() -> Result<String, ServiceError> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)
        .map_err(|e| ServiceError::internal(std::io::Error::other(e.to_string())))?;
    Ok(format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

/// Registers an endpoint for the actor's organisation; the answer holds the secret, which is
/// never shown again.
pub async fn create(
    ctx: &Ctx,
    actor: &Actor,
    input: &WebhookInput,
) -> Result<Webhook, ServiceError> {
    require_manager(actor)?;
    let url = WebhookUrl::parse(&input.url, ctx.config().webhook_allow_http);
    let events = domain::webhook::events(&input.events);
    let description = if input.description.chars().count() > 500 {
        Err(DomainError::field(
            "/description",
            "must be at most 500 characters",
        ))
    } else {
        Ok(input.description.trim().to_owned())
    };
    let (url, events, description) = match (url, events, description) {
        (Ok(u), Ok(e), Ok(d)) => (u, e, d),
        (u, e, d) => {
            let errors = [u.err(), e.err(), d.err()]
                .into_iter()
                .flatten()
                .flat_map(|e| match e {
                    DomainError::Validation(errors) => errors,
                    _ => Vec::new(),
                })
                .collect();
            return Err(ServiceError::Validation(errors));
        }
    };
    checked_addresses(ctx, &url).await?;
    let secret = new_secret()?;
    let command = ctx.command().await?;
    let webhook = persistence::webhooks::insert(
        command.conn(),
        NewWebhook {
            organisation_id: actor.organisation_id,
            url: url.as_str(),
            events: &events,
            description: &description,
            secret: &secret,
            created_by: actor.user_id,
        },
        command.now(),
    )
    .await?;
    command
        .audit(
            domain::audit::AuditEntry::by(actor, "webhook.created", "webhook", webhook.id).after(
                // Never the secret.
                json!({
                    "id": webhook.id,
                    "organisation_id": webhook.organisation_id,
                    "url": webhook.url,
                    "events": events.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
                    "description": webhook.description,
                }),
            ),
        )
        .await?;
    command.commit().await?;
    Ok(webhook)
}

/// The actor's organisation's endpoints.
pub async fn list(ctx: &Ctx, actor: &Actor) -> Result<Vec<Webhook>, ServiceError> {
    require_manager(actor)?;
    Ok(persistence::webhooks::list(ctx.db().conn(), actor.organisation_id).await?)
}

/// One of the actor's organisation's endpoints; 404 for anyone else's.
pub async fn get(ctx: &Ctx, actor: &Actor, id: Uuid) -> Result<Webhook, ServiceError> {
    require_manager(actor)?;
    Ok(
        persistence::webhooks::find(ctx.db().conn(), actor.organisation_id, id)
            .await?
            .ok_or(DomainError::NotFound("webhook"))?,
    )
}

/// Removes one of the actor's organisation's endpoints, and what was queued for it.
pub async fn delete(ctx: &Ctx, actor: &Actor, id: Uuid) -> Result<(), ServiceError> {
    require_manager(actor)?;
    let command = ctx.command().await?;
    let webhook = persistence::webhooks::find(command.conn(), actor.organisation_id, id)
        .await?
        .ok_or(DomainError::NotFound("webhook"))?;
    persistence::webhooks::delete(command.conn(), webhook.id).await?;
    command
        .audit(
            domain::audit::AuditEntry::by(actor, "webhook.deleted", "webhook", webhook.id)
                .before(json!({"id": webhook.id, "url": webhook.url})),
        )
        .await?;
    command.commit().await?;
    Ok(())
}

/// The endpoint's deliveries, newest first.
pub async fn deliveries(ctx: &Ctx, actor: &Actor, id: Uuid) -> Result<Vec<Delivery>, ServiceError> {
    let webhook = get(ctx, actor, id).await?;
    Ok(persistence::webhooks::deliveries(ctx.db().conn(), webhook.id).await?)
}

/// The Standard Webhooks signature of a message: `v1,` and the base64 HMAC-SHA256, keyed by
/// the secret's bytes, of `id.timestamp.body`.
pub fn signature(
    secret: &str,
    id: &str,
    timestamp: i64,
    body: &str,
) -> Result<String, ServiceError> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .map_err(|e| {
            ServiceError::internal(std::io::Error::other(format!("webhook secret: {e}")))
        })?;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key)
        .map_err(|e| ServiceError::internal(std::io::Error::other(format!("webhook key: {e}"))))?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Ok(format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// How long an endpoint may fail before it is disabled.
const DISABLE_AFTER_DAYS: i64 = 3;
/// How long a sender holds what it claimed.
const LEASE_SECONDS: i64 = 120;

/// The request of a due delivery: the notification as `{type, timestamp, data}` (what the
/// notification says, never sealed content), signed.
async fn request_of(
    ctx: &Ctx,
    due: &DueDelivery,
    now: DateTime<Utc>,
) -> Result<(Request, String), ServiceError> {
    let notification = persistence::notifications::find(
        ctx.db().conn(),
        due.webhook.organisation_id,
        due.notification_id,
    )
    .await?
    .ok_or(DomainError::NotFound("notification"))?;
    // The header's time is the attempt's (receivers refuse stale ones); the body's, the event's.
    let timestamp = now.timestamp();
    let body = json!({
        "type": notification.kind.as_str(),
        "timestamp": notification.created_at,
        "data": {
            "id": notification.id,
            "kind": notification.kind.as_str(),
            "organisation_id": notification.organisation_id,
            "tender_id": notification.tender_id,
            "subject": notification.subject,
            "body": notification.body,
            "url": notification.tender_id.map(|t| format!("{}/tenders/{t}", ctx.links())),
        },
    })
    .to_string();
    let id = format!("msg_{}", notification.id.simple());
    let signed = signature(&due.webhook.secret, &id, timestamp, &body)?;
    Ok((
        Request {
            url: due.webhook.url.clone(),
            host: String::new(),
            port: 0,
            addresses: Vec::new(),
            headers: vec![
                ("webhook-id".to_owned(), id.clone()),
                ("webhook-timestamp".to_owned(), timestamp.to_string()),
                ("webhook-signature".to_owned(), signed),
                ("content-type".to_owned(), "application/json".to_owned()),
            ],
            body,
        },
        id,
    ))
}

/// Sends the deliveries due now (up to `limit`), each claimed so that no other sender sends it
/// too; how many were delivered.
pub async fn deliver_due(
    ctx: &Ctx,
    transport: &dyn Transport,
    limit: u64,
) -> Result<usize, ServiceError> {
    let claimed = {
        let command = ctx.command().await?;
        let now = command.now();
        let due = persistence::webhooks::claim(
            command.conn(),
            now,
            limit,
            now + Duration::seconds(LEASE_SECONDS),
        )
        .await?;
        command.commit().await?;
        due
    };
    let mut delivered = 0;
    for due in claimed {
        let (mut request, _) = request_of(ctx, &due, ctx.now().await?).await?;
        let sent = match WebhookUrl::parse(&due.webhook.url, ctx.config().webhook_allow_http) {
            Err(e) => Err((None, e.to_string())),
            Ok(url) => match checked_addresses(ctx, &url).await {
                // Resolved afresh: a name that now leads somewhere forbidden is refused.
                Err(DomainError::Validation(errors)) => Err((
                    None,
                    errors.first().map_or_else(String::new, |e| {
                        format!("refused: the address {}", e.detail)
                    }),
                )),
                Err(other) => Err((None, other.to_string())),
                Ok(addresses) => {
                    request.host = url.host().to_owned();
                    request.port = url.port();
                    request.addresses = addresses;
                    match transport.post(&request).await {
                        Ok(status) if (200..300).contains(&status) => Ok(status),
                        Ok(status) => Err((Some(status), format!("answered {status}"))),
                        Err(error) => Err((None, error)),
                    }
                }
            },
        };
        let now = ctx.now().await?;
        let outcome = match sent {
            Ok(status) => {
                delivered += 1;
                Outcome::Delivered { status }
            }
            Err((status, error)) => {
                let failing_since = due.webhook.failing_since.unwrap_or(now);
                if now - failing_since >= Duration::days(DISABLE_AFTER_DAYS) {
                    Outcome::Failed { status, error }
                } else {
                    Outcome::Retry {
                        status,
                        error,
                        retry_at: now + crate::email::backoff(due.attempts),
                    }
                }
            }
        };
        let command = ctx.command().await?;
        persistence::webhooks::record(command.conn(), &due, &outcome, now).await?;
        if matches!(outcome, Outcome::Failed { .. }) && due.webhook.active {
            disable(&command, &due.webhook, now).await?;
        }
        command.commit().await?;
    }
    Ok(delivered)
}

/// Disables an endpoint that has failed for three days, and tells its organisation.
async fn disable(
    command: &persistence::Command,
    webhook: &Webhook,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    persistence::webhooks::disable(command.conn(), webhook.id, now).await?;
    persistence::notifications::notify(
        command.conn(),
        &[webhook.organisation_id],
        &persistence::notifications::NewNotification {
            kind: NotificationKind::WebhookDisabled,
            tender_id: None,
            subject: "A webhook was disabled".to_owned(),
            body: format!(
                "The webhook to {} failed for {DISABLE_AFTER_DAYS} days and was disabled. \
                 Register it again once the endpoint answers.",
                webhook.url
            ),
        },
        now,
    )
    .await?;
    command
        .audit(
            domain::audit::AuditEntry::new(None, "webhook.disabled", "webhook", webhook.id)
                .after(json!({"id": webhook.id, "url": webhook.url, "disabled_at": now})),
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_signature_is_the_standard_webhooks_one() {
        // The example of the Standard Webhooks specification's reference libraries.
        let signed = super::signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            r#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(signed, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
