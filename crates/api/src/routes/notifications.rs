//! In-app notifications: each organisation reads its own and marks them read.

use crate::auth::AuthUser;
use crate::dto::Paginated;
use crate::error::{ApiError, BadRequest, NotFound, Unauthorized};
use crate::extract::{PageParams, Pagination};
use crate::extract::{PathParams, QueryParams};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use domain::bid::NotificationKind;
use persistence::notifications::Notification;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// What a notification reports.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = NotificationKind)]
pub enum NotificationKindDto {
    /// A tender you may bid on was published.
    TenderPublished,
    /// A tender you bid on or asked about was amended.
    TenderAmended,
    /// A question on a tender you can see was answered.
    ClarificationAnswered,
    /// The receipt for your bid, with the time it was received.
    BidReceived,
    /// A tender you bid on was awarded; the standstill runs until the time given.
    TenderAwarded,
    /// A bidder challenged your award.
    ChallengeLodged,
    /// Your challenge was resolved.
    ChallengeResolved,
    /// An award on a tender you bid on was cancelled after a challenge was upheld.
    AwardCancelled,
    /// The contract for a tender you bid on was entered.
    ContractAwarded,
    /// The shortlist of a competitive flexible procedure you requested to participate in was
    /// decided: whether you are admitted, and why.
    ParticipationDecided,
    /// One of your organisation's webhooks failed for three days and was disabled.
    WebhookDisabled,
}

impl From<NotificationKind> for NotificationKindDto {
    fn from(kind: NotificationKind) -> Self {
        match kind {
            NotificationKind::TenderPublished => Self::TenderPublished,
            NotificationKind::TenderAmended => Self::TenderAmended,
            NotificationKind::ClarificationAnswered => Self::ClarificationAnswered,
            NotificationKind::BidReceived => Self::BidReceived,
            NotificationKind::TenderAwarded => Self::TenderAwarded,
            NotificationKind::ChallengeLodged => Self::ChallengeLodged,
            NotificationKind::ChallengeResolved => Self::ChallengeResolved,
            NotificationKind::AwardCancelled => Self::AwardCancelled,
            NotificationKind::ContractAwarded => Self::ContractAwarded,
            NotificationKind::ParticipationDecided => Self::ParticipationDecided,
            NotificationKind::WebhookDisabled => Self::WebhookDisabled,
        }
    }
}

/// A notification to the signed-in user's organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Notification)]
pub struct NotificationResponse {
    /// The notification's id.
    pub id: Uuid,
    /// What it reports.
    pub kind: NotificationKindDto,
    /// The tender it is about.
    pub tender_id: Option<Uuid>,
    /// A one-line summary.
    pub subject: String,
    /// The message.
    pub body: String,
    /// When it was written, by the database clock.
    pub created_at: DateTime<Utc>,
    /// When someone in the organisation read it.
    pub read_at: Option<DateTime<Utc>>,
}

impl From<Notification> for NotificationResponse {
    fn from(n: Notification) -> Self {
        Self {
            id: n.id,
            kind: n.kind.into(),
            tender_id: n.tender_id.map(|t| t.as_uuid()),
            subject: n.subject,
            body: n.body,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

/// Filters and paging for notifications.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only unread notifications.
    pub unread: Option<bool>,
}

/// The signed-in user's organisation's notifications, newest first.
#[utoipa::path(
    get,
    path = "/notifications",
    tag = "notifications",
    security(("bearer" = [])),
    params(NotificationQuery, PageParams),
    responses(
        (status = 200, description = "A page of notifications.", body = Paginated<NotificationResponse>),
        crate::error::QueryProblems,
    )
)]
pub async fn list_notifications(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    QueryParams(query): QueryParams<NotificationQuery>,
    Pagination(pages): Pagination,
) -> Result<Json<Paginated<NotificationResponse>>, ApiError> {
    let page = pages.request()?;
    let found =
        service::notifications::list(&state.ctx, &actor, query.unread.unwrap_or(false), page)
            .await?;
    Ok(Json(Paginated::from_page(found, Into::into)))
}

/// How the signed-in user's email of a notification stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmailDeliveryResponse {
    /// pending (to be sent, or tried again), sent, or failed (given up on after a day).
    #[schema(example = "sent")]
    pub status: String,
    /// How many times sending was tried.
    pub attempts: i32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the SMTP server accepted it.
    pub sent_at: Option<DateTime<Utc>>,
}

/// A notification, with the signed-in user's email of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationDetail {
    #[serde(flatten)]
    pub notification: NotificationResponse,
    /// The signed-in user's email of it; null when none was sent (its emails were off).
    pub email: Option<EmailDeliveryResponse>,
}

/// One of the signed-in user's organisation's notifications, with how the user's email of it
/// stands.
#[utoipa::path(
    get,
    path = "/notifications/{id}",
    tag = "notifications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The notification's id.")),
    responses(
        (status = 200, description = "The notification.", body = NotificationDetail),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get_notification(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<NotificationDetail>, ApiError> {
    let (notification, email) = service::notifications::get(&state.ctx, &actor, id).await?;
    Ok(Json(NotificationDetail {
        notification: notification.into(),
        email: email.map(|e| EmailDeliveryResponse {
            status: e.status.as_str().to_owned(),
            attempts: e.attempts,
            last_error: e.last_error,
            sent_at: e.sent_at,
        }),
    }))
}

/// Marks one of the organisation's notifications read (the first reading's time is kept).
#[utoipa::path(
    post,
    path = "/notifications/{id}/read",
    tag = "notifications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The notification's id.")),
    responses(
        (status = 200, description = "The notification, read.", body = NotificationResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn read_notification(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<NotificationResponse>, ApiError> {
    Ok(Json(
        service::notifications::mark_read(&state.ctx, &actor, id)
            .await?
            .into(),
    ))
}
