//! The append-only audit log: one helper every command calls inside its own transaction, a
//! filtered listing, and verification of the hash chain.

use crate::entities::audit_events::{self, Column, Entity};
use crate::{Command, StoreError, db_now};
use chrono::{DateTime, Utc};
use domain::audit::{
    AuditEntry, AuditRecord, ChainReport, ChainVerifier, GENESIS_HASH, canonical_json,
};
use domain::pagination::{Page, PageRequest};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement,
};
use uuid::Uuid;

/// Any fixed number: the key of the PostgreSQL advisory lock that serialises appends.
const AUDIT_APPEND_LOCK: i64 = 0x4155_4449_5430_0001;

/// An entry as stored, with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAuditEvent {
    pub record: AuditRecord,
    pub prev_hash: String,
    pub hash: String,
}

fn to_stored(model: audit_events::Model) -> StoredAuditEvent {
    StoredAuditEvent {
        record: AuditRecord {
            seq: model.seq,
            occurred_at: model.occurred_at,
            actor_user_id: model.actor_user_id,
            actor_organisation_id: model.actor_organisation_id,
            action: model.action,
            entity_type: model.entity_type,
            entity_id: model.entity_id,
            before: model.before,
            after: model.after,
        },
        prev_hash: model.prev_hash,
        hash: model.hash,
    }
}

impl Command {
    /// Appends `entry` to the audit log in this command's transaction: it is kept only if the
    /// change it records is.
    /// The entry carries the command's instant, so it agrees with the times the change wrote.
    pub async fn audit(&self, entry: AuditEntry) -> Result<StoredAuditEvent, StoreError> {
        append_at(self.conn(), &entry, self.now()).await
    }
}

/// The instant of the newest audit entry, if any.
pub(crate) async fn last_occurred_at(
    conn: &impl ConnectionTrait,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(Entity::find()
        .order_by_desc(Column::Seq)
        .one(conn)
        .await?
        .map(|m| m.occurred_at))
}

/// Appends one entry. Appends are serialised — an advisory lock held to the end of the
/// transaction on PostgreSQL, the write lock of an `IMMEDIATE` transaction on SQLite — and the
/// sequence number is the primary key, so the chain can neither fork nor skip a number.
pub async fn append(
    conn: &impl ConnectionTrait,
    entry: &AuditEntry,
) -> Result<StoredAuditEvent, StoreError> {
    let now = db_now(conn).await?;
    append_at(conn, entry, now).await
}

async fn append_at(
    conn: &impl ConnectionTrait,
    entry: &AuditEntry,
    occurred_at: DateTime<Utc>,
) -> Result<StoredAuditEvent, StoreError> {
    if conn.get_database_backend() == DbBackend::Postgres {
        conn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [AUDIT_APPEND_LOCK.into()],
        ))
        .await?;
    }
    let last = Entity::find().order_by_desc(Column::Seq).one(conn).await?;
    let (seq, prev_hash) = match last {
        Some(last) => (last.seq + 1, last.hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let record = AuditRecord {
        seq,
        occurred_at,
        actor_user_id: entry.actor.map(|a| a.user_id.as_uuid()),
        actor_organisation_id: entry.actor.map(|a| a.organisation_id.as_uuid()),
        action: entry.action.clone(),
        entity_type: entry.entity_type.clone(),
        entity_id: entry.entity_id.clone(),
        before: entry.before.as_ref().map(canonical_json),
        after: entry.after.as_ref().map(canonical_json),
    };
    let hash = record.chain_hash(&prev_hash);
    let model = audit_events::ActiveModel {
        seq: Set(record.seq),
        occurred_at: Set(record.occurred_at),
        actor_user_id: Set(record.actor_user_id),
        actor_organisation_id: Set(record.actor_organisation_id),
        action: Set(record.action.clone()),
        entity_type: Set(record.entity_type.clone()),
        entity_id: Set(record.entity_id.clone()),
        before: Set(record.before.clone()),
        after: Set(record.after.clone()),
        prev_hash: Set(prev_hash.clone()),
        hash: Set(hash.clone()),
    }
    .insert(conn)
    .await?;
    Ok(to_stored(model))
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor_user_id: Option<Uuid>,
    pub actor_organisation_id: Option<Uuid>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Entries matching `filter`, newest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    filter: &AuditFilter,
    page: PageRequest,
) -> Result<Page<StoredAuditEvent>, StoreError> {
    let mut query = Entity::find();
    if let Some(v) = &filter.entity_type {
        query = query.filter(Column::EntityType.eq(v.as_str()));
    }
    if let Some(v) = &filter.entity_id {
        query = query.filter(Column::EntityId.eq(v.as_str()));
    }
    if let Some(v) = filter.actor_user_id {
        query = query.filter(Column::ActorUserId.eq(v));
    }
    if let Some(v) = filter.actor_organisation_id {
        query = query.filter(Column::ActorOrganisationId.eq(v));
    }
    if let Some(v) = &filter.action {
        query = query.filter(Column::Action.eq(v.as_str()));
    }
    if let Some(v) = filter.from {
        query = query.filter(Column::OccurredAt.gte(v));
    }
    if let Some(v) = filter.to {
        query = query.filter(Column::OccurredAt.lt(v));
    }
    crate::fetch_page(conn, query.order_by_desc(Column::Seq), page, |m| {
        Ok(to_stored(m))
    })
    .await
}

/// Recomputes the chain from the first entry, a batch at a time, and names the first entry
/// whose sequence, link or hash does not hold.
pub async fn verify(conn: &impl ConnectionTrait) -> Result<ChainReport, StoreError> {
    const BATCH: u64 = 1000;
    let mut verifier = ChainVerifier::new();
    let mut after_seq = 0_i64;
    loop {
        let rows = Entity::find()
            .filter(Column::Seq.gt(after_seq))
            .order_by_asc(Column::Seq)
            .limit(BATCH)
            .all(conn)
            .await?;
        let batch_len = rows.len();
        for row in rows {
            after_seq = row.seq;
            let stored = to_stored(row);
            if !verifier.check(&stored.record, &stored.prev_hash, &stored.hash) {
                return Ok(verifier.finish());
            }
        }
        if (batch_len as u64) < BATCH {
            return Ok(verifier.finish());
        }
    }
}

/// How many entries the chain holds: the last sequence number (the chain skips none).
pub async fn chain_length(conn: &impl ConnectionTrait) -> Result<u64, StoreError> {
    let last = Entity::find().order_by_desc(Column::Seq).one(conn).await?;
    Ok(last.map_or(0, |m| u64::try_from(m.seq).unwrap_or(0)))
}
