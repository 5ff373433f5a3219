//! The audit log, for the regulator and admins: read it, and verify its hash chain.

use crate::auth::{Permitted, ReadAudit};
use crate::dto::Paginated;
use crate::error::{ApiError, Forbidden, Unauthorized};
use crate::extract::QueryParams;
use crate::extract::{PageParams, Pagination};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use persistence::audit::{AuditFilter, StoredAuditEvent};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// One entry of the append-only audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    /// Position in the log, from 1, without gaps.
    pub seq: i64,
    /// When the change was made, by the database clock (UTC, RFC 3339).
    pub occurred_at: DateTime<Utc>,
    /// Who made it; null for the system (command line, demo loader).
    pub actor_user_id: Option<Uuid>,
    /// The organisation of who made it.
    pub actor_organisation_id: Option<Uuid>,
    /// What was done, such as `user.created`.
    pub action: String,
    /// The kind of thing changed, such as `user`.
    pub entity_type: String,
    /// The id of the thing changed.
    pub entity_id: String,
    /// The thing before the change; null for a creation.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The thing after the change.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    /// The previous entry's hash (64 zeros for the first).
    pub prev_hash: String,
    /// SHA-256 over `prev_hash` and this entry's canonical form, in hex.
    pub hash: String,
}

fn parse_stored_json(text: Option<String>) -> Option<serde_json::Value> {
    // Stored text that no longer parses is shown as a string: verification will name the entry.
    text.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::String(t)))
}

impl From<StoredAuditEvent> for AuditEvent {
    fn from(event: StoredAuditEvent) -> Self {
        let r = event.record;
        Self {
            seq: r.seq,
            occurred_at: r.occurred_at,
            actor_user_id: r.actor_user_id,
            actor_organisation_id: r.actor_organisation_id,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before: parse_stored_json(r.before),
            after: parse_stored_json(r.after),
            prev_hash: event.prev_hash,
            hash: event.hash,
        }
    }
}

/// Filters for the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only changes to this kind of thing (`user`, `organisation`, …).
    #[param(max_length = 50)]
    pub entity_type: Option<String>,
    /// Only changes to the thing with this id.
    #[param(max_length = 100)]
    pub entity_id: Option<String>,
    /// Only changes made by this user.
    pub actor_user_id: Option<Uuid>,
    /// Only changes made by users of this organisation.
    pub actor_organisation_id: Option<Uuid>,
    /// Only this action (`user.created`, …).
    #[param(max_length = 100)]
    pub action: Option<String>,
    /// Only changes at or after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Only changes before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}

/// Lists audit entries, newest first (regulator, admin).
#[utoipa::path(
    get,
    path = "/audit",
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery, PageParams),
    responses(
        (status = 200, description = "A page of audit entries.", body = Paginated<AuditEvent>),
        crate::error::FilteredReadProblems,
    )
)]
pub async fn list_audit_events(
    State(state): State<AppState>,
    Permitted(actor, _): Permitted<ReadAudit>,
    QueryParams(query): QueryParams<AuditQuery>,
    Pagination(pages): Pagination,
) -> Result<Json<Paginated<AuditEvent>>, ApiError> {
    let filter = AuditFilter {
        entity_type: query.entity_type,
        entity_id: query.entity_id,
        actor_user_id: query.actor_user_id,
        actor_organisation_id: query.actor_organisation_id,
        action: query.action,
        from: query.from,
        to: query.to,
    };
    let page = pages.request();
    let found = service::audit::list(&state.ctx, &actor, filter, page).await?;
    Ok(Json(Paginated::from_page(found, AuditEvent::from)))
}

/// The result of verifying the audit chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainVerification {
    /// Whether every entry's sequence, link and hash hold.
    pub valid: bool,
    /// How many entries were checked (up to and including the first bad one).
    pub checked: u64,
    /// The sequence number of the first entry that does not verify; null when valid.
    pub first_bad_seq: Option<i64>,
}

/// Recomputes the hash chain from the first entry and names the first entry that breaks it
/// (regulator, admin).
#[utoipa::path(
    get,
    path = "/audit/verify",
    tag = "audit",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The verification result.", body = ChainVerification),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
pub async fn verify_audit_chain(
    State(state): State<AppState>,
    Permitted(actor, _): Permitted<ReadAudit>,
) -> Result<Json<ChainVerification>, ApiError> {
    let report = service::audit::verify(&state.ctx, &actor).await?;
    Ok(Json(ChainVerification {
        valid: report.valid,
        checked: report.checked,
        first_bad_seq: report.first_bad_seq,
    }))
}
