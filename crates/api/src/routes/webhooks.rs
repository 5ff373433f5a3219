//! Webhooks: an organisation's endpoints for its notifications, signed as Standard Webhooks
//! with a secret shown once, and each endpoint's deliveries.

use crate::auth::AuthUser;
use crate::dto::{Created, created};
use crate::error::{ApiError, BadRequest, NotFound, Unauthorized};
use crate::extract::{JsonBody, PathParams};
use crate::routes::notifications::NotificationKindDto;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use persistence::webhooks::{Delivery, Webhook};
use serde::{Deserialize, Serialize};
use service::webhooks::WebhookInput;
use utoipa::ToSchema;
use uuid::Uuid;

/// A new endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// Where to send: an https address reaching the public internet.
    #[schema(
        max_length = 2000,
        example = "https://contracts.example.nhs.uk/hooks/marketplace"
    )]
    pub url: String,
    /// The notification kinds to send, each once.
    #[schema(min_items = 1, max_items = 20)]
    pub events: Vec<String>,
    /// What the endpoint is for.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description: String,
}

/// An endpoint.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Webhook)]
pub struct WebhookResponse {
    pub id: Uuid,
    /// The organisation whose notifications it receives.
    pub organisation_id: Uuid,
    pub url: String,
    pub events: Vec<NotificationKindDto>,
    pub description: String,
    /// False once disabled (after failing for three days).
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// Since when every delivery has failed, while it fails.
    pub failing_since: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
    /// The signing secret (`whsec_…`): only in the answer that creates the endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

fn shown(webhook: Webhook, with_secret: bool) -> WebhookResponse {
    WebhookResponse {
        id: webhook.id,
        organisation_id: webhook.organisation_id.as_uuid(),
        url: webhook.url,
        events: webhook.events.into_iter().map(Into::into).collect(),
        description: webhook.description,
        active: webhook.active,
        created_at: webhook.created_at,
        failing_since: webhook.failing_since,
        disabled_at: webhook.disabled_at,
        secret: with_secret.then_some(webhook.secret),
    }
}

/// The organisation's endpoints.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<WebhookResponse>,
}

/// Registers an endpoint for the signed-in user's organisation (a buyer lead, supplier bidder,
/// regulator or admin). Its address must be https and must not lead to a loopback, private,
/// link-local, unique-local or cloud-metadata address (422 at `/url`); it is checked again,
/// resolved afresh, at every delivery. The answer shows the signing secret, once.
#[utoipa::path(
    post,
    path = "/webhooks",
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = CreateWebhookRequest,
    responses(
        (status = 201, description = "The endpoint, with its secret.", body = WebhookResponse,
            headers(("Location" = String, description = "The endpoint's address."))),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
    )
)]
pub async fn create_webhook(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    body: Result<JsonBody<CreateWebhookRequest>, ApiError>,
) -> Result<Created<WebhookResponse>, ApiError> {
    let JsonBody(request) = body?;
    let webhook = service::webhooks::create(
        &state.ctx,
        &actor,
        &WebhookInput {
            url: request.url,
            events: request.events,
            description: request.description,
        },
    )
    .await?;
    let location = format!("/api/v1/webhooks/{}", webhook.id);
    created(&location, shown(webhook, true))
}

/// The signed-in user's organisation's endpoints (never their secrets).
#[utoipa::path(
    get,
    path = "/webhooks",
    tag = "webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The endpoints.", body = WebhookList),
        (status = 401, response = Unauthorized),
        (status = 403, response = crate::error::Forbidden),
    )
)]
pub async fn list_webhooks(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
) -> Result<Json<WebhookList>, ApiError> {
    let webhooks = service::webhooks::list(&state.ctx, &actor).await?;
    Ok(Json(WebhookList {
        items: webhooks.into_iter().map(|w| shown(w, false)).collect(),
    }))
}

/// One of the organisation's endpoints; 404 for another organisation's.
#[utoipa::path(
    get,
    path = "/webhooks/{id}",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The endpoint's id.")),
    responses(
        (status = 200, description = "The endpoint.", body = WebhookResponse),
        crate::error::AccessProblems,
    )
)]
pub async fn get_webhook(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<WebhookResponse>, ApiError> {
    Ok(Json(shown(
        service::webhooks::get(&state.ctx, &actor, id).await?,
        false,
    )))
}

/// Removes one of the organisation's endpoints and what was queued for it.
#[utoipa::path(
    delete,
    path = "/webhooks/{id}",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The endpoint's id.")),
    responses(
        (status = 204, description = "Removed."),
        crate::error::AccessProblems,
    )
)]
pub async fn delete_webhook(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<StatusCode, ApiError> {
    service::webhooks::delete(&state.ctx, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One delivery to an endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDeliveryResponse {
    /// The notification delivered; the request's `webhook-id` is `msg_` and its hex.
    pub notification_id: Uuid,
    /// pending (to be sent, or tried again), sent, or failed.
    #[schema(example = "sent")]
    pub status: String,
    pub attempts: i32,
    /// The endpoint's last answer's status code.
    pub response_code: Option<i32>,
    pub last_error: Option<String>,
    /// When it is tried next, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// The deliveries.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDeliveryList {
    /// Newest first, at most 100.
    pub items: Vec<WebhookDeliveryResponse>,
}

impl From<Delivery> for WebhookDeliveryResponse {
    fn from(d: Delivery) -> Self {
        Self {
            notification_id: d.notification_id,
            status: d.status.as_str().to_owned(),
            attempts: d.attempts,
            response_code: d.last_status,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at,
            delivered_at: d.delivered_at,
        }
    }
}

/// An endpoint's deliveries: status, response code, attempts and next attempt.
#[utoipa::path(
    get,
    path = "/webhooks/{id}/deliveries",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The endpoint's id.")),
    responses(
        (status = 200, description = "The deliveries.", body = WebhookDeliveryList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = crate::error::Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn list_webhook_deliveries(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<WebhookDeliveryList>, ApiError> {
    let deliveries = service::webhooks::deliveries(&state.ctx, &actor, id).await?;
    Ok(Json(WebhookDeliveryList {
        items: deliveries.into_iter().map(Into::into).collect(),
    }))
}
