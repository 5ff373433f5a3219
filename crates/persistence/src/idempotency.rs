//! Idempotency keys: reserving a key for a request, storing its answer in the same transaction
//! as the change it made (through a [`Deferred`] commit), replaying that answer, and forgetting
//! keys once they expire. Every instant is the database's.

use crate::entities::idempotency_keys::{self, Column, Entity};
use crate::{Db, StoreError, db_now};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    SqlErr, TransactionTrait,
};
use std::sync::{Arc, Mutex, PoisonError};
use uuid::Uuid;

/// A stored answer: what a retry with the same key gets back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    /// The headers that belong to the answer (its media type, `Location`, `ETag`), in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What became of an attempt to reserve a key.
#[derive(Debug)]
pub enum Reservation {
    /// The key is this request's: `claim` proves it when the answer is stored.
    Claimed(Uuid),
    /// The key was used for this very request, already answered.
    Replay(StoredResponse),
    /// A request with this key is still running.
    InUse,
    /// The key was used for a different request.
    Mismatch,
}

/// How long a key is kept, and how long a request holds its key before another may take over
/// (its process having died: the change rolled back with its transaction).
#[derive(Debug, Clone, Copy)]
pub struct KeyTimes {
    pub retention: Duration,
    pub lease: Duration,
}

/// Reserves `key` of `user` for the request with `fingerprint`.
pub async fn reserve(
    db: &Db,
    user: Uuid,
    key: &str,
    fingerprint: &str,
    times: KeyTimes,
) -> Result<Reservation, StoreError> {
    let txn = db.begin_write().await?;
    let now = db_now(&txn).await?;
    let existing = Entity::find_by_id((user, key.to_owned())).one(&txn).await?;
    let claim = Uuid::new_v4();
    let reservation = match existing {
        Some(row) if row.expires_at > now => {
            if row.fingerprint != fingerprint {
                Reservation::Mismatch
            } else if let Some(stored) = stored(&row)? {
                Reservation::Replay(stored)
            } else if row.locked_until > now {
                Reservation::InUse
            } else {
                // Taken over only from the claim that was seen: two retries racing for a dead
                // request's key cannot both win.
                let taken = Entity::update_many()
                    .col_expr(Column::Claim, claim.into())
                    .col_expr(Column::LockedUntil, (now + times.lease).into())
                    .filter(Column::UserId.eq(user))
                    .filter(Column::IdempotencyKey.eq(key))
                    .filter(Column::Claim.eq(row.claim))
                    .exec(&txn)
                    .await?;
                if taken.rows_affected == 1 {
                    Reservation::Claimed(claim)
                } else {
                    Reservation::InUse
                }
            }
        }
        expired => {
            if expired.is_some() {
                Entity::delete_by_id((user, key.to_owned()))
                    .exec(&txn)
                    .await?;
            }
            let inserted = Entity::insert(idempotency_keys::ActiveModel {
                user_id: Set(user),
                idempotency_key: Set(key.to_owned()),
                fingerprint: Set(fingerprint.to_owned()),
                claim: Set(claim),
                response_status: Set(None),
                response_headers: Set(None),
                response_body: Set(None),
                locked_until: Set(now + times.lease),
                created_at: Set(now),
                expires_at: Set(now + times.retention),
            })
            .exec_without_returning(&txn)
            .await;
            match inserted {
                Ok(_) => Reservation::Claimed(claim),
                // Another request with the key reserved it between our read and our write.
                Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    return Ok(Reservation::InUse);
                }
                Err(err) => return Err(err.into()),
            }
        }
    };
    txn.commit().await?;
    Ok(reservation)
}

fn stored(row: &idempotency_keys::Model) -> Result<Option<StoredResponse>, StoreError> {
    let Some(status) = row.response_status else {
        return Ok(None);
    };
    let corrupt = || StoreError::Corrupt(format!("idempotency key {:?}", row.idempotency_key));
    let headers = serde_json::from_str(row.response_headers.as_deref().unwrap_or("[]"))
        .map_err(|_| corrupt())?;
    Ok(Some(StoredResponse {
        status: u16::try_from(status).map_err(|_| corrupt())?,
        headers,
        body: row.response_body.clone().unwrap_or_default(),
    }))
}

/// Stores the answer under the key, in the request's own transaction when it made a change
/// (`pending`), and commits that transaction. Answers false, and rolls the change back, when the
/// claim has been lost (the request outlived its lease and a retry took the key over).
pub async fn complete(
    db: &Db,
    pending: Option<DatabaseTransaction>,
    user: Uuid,
    key: &str,
    claim: Uuid,
    response: &StoredResponse,
) -> Result<bool, StoreError> {
    let txn = match pending {
        Some(txn) => txn,
        None => db.begin_write().await?,
    };
    let headers =
        serde_json::to_string(&response.headers).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let updated = Entity::update_many()
        .col_expr(Column::ResponseStatus, i32::from(response.status).into())
        .col_expr(Column::ResponseHeaders, headers.into())
        .col_expr(Column::ResponseBody, response.body.clone().into())
        .filter(Column::UserId.eq(user))
        .filter(Column::IdempotencyKey.eq(key))
        .filter(Column::Claim.eq(claim))
        .filter(Column::ResponseStatus.is_null())
        .exec(&txn)
        .await?;
    if updated.rows_affected == 1 {
        txn.commit().await?;
        Ok(true)
    } else {
        txn.rollback().await?;
        Ok(false)
    }
}

/// Gives the key up without an answer (the request failed on our side, or was refused before it
/// was read): the change it made, if any, is rolled back, and a retry runs afresh.
pub async fn release(
    db: &Db,
    pending: Option<DatabaseTransaction>,
    user: Uuid,
    key: &str,
    claim: Uuid,
) -> Result<(), StoreError> {
    if let Some(txn) = pending {
        txn.rollback().await?;
    }
    Entity::delete_many()
        .filter(Column::UserId.eq(user))
        .filter(Column::IdempotencyKey.eq(key))
        .filter(Column::Claim.eq(claim))
        .filter(Column::ResponseStatus.is_null())
        .exec(db.conn())
        .await?;
    Ok(())
}

/// Forgets every key that expired at or before `now`; answers how many.
pub async fn purge_expired(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(Entity::delete_many()
        .filter(Column::ExpiresAt.lte(now))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Where a request holding an idempotency key parks its command's transaction instead of
/// committing it, so that its answer is stored in the same transaction as its change. A second
/// command in the same request runs inside it (a savepoint), so it neither waits for the first's
/// locks nor commits apart from it.
#[derive(Debug, Clone, Default)]
pub struct Deferred(Arc<Mutex<Option<DatabaseTransaction>>>);

impl Deferred {
    /// Takes the parked transaction, if a command made one.
    pub fn take(&self) -> Option<DatabaseTransaction> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }

    pub(crate) fn park(&self, txn: DatabaseTransaction) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(txn);
    }

    /// A savepoint inside the parked transaction, if there is one.
    pub(crate) async fn nested(&self) -> Result<Option<DatabaseTransaction>, StoreError> {
        let Some(outer) = self.take() else {
            return Ok(None);
        };
        let nested = outer.begin().await;
        self.park(outer);
        Ok(Some(nested?))
    }
}
