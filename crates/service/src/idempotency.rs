//! Idempotent commands (the IETF httpapi `Idempotency-Key` draft). A client that sends a key
//! with a change may retry it safely: the first request's answer is stored under the key, per
//! user, in the same transaction as the change it made, and a retry within 24 hours is given
//! that answer again and changes nothing. A key reused for a different request, or while the
//! first is still running, is refused.
//!
//! How the answer joins the change's transaction: while a request holding a key runs
//! ([`Claim::run`]), every command's commit parks its transaction instead of committing it, and
//! the front end stores the answer in it and commits both at once ([`Claim::complete`]). If the
//! process dies in between, neither is kept, and a retry runs afresh once the key's lease lapses.

use crate::{Ctx, ServiceError};
use chrono::Duration;
use domain::ids::UserId;
use persistence::Deferred;
pub use persistence::idempotency::StoredResponse;
use persistence::idempotency::{self, KeyTimes, Reservation};
use sha2::{Digest, Sha256};
use std::future::Future;
use uuid::Uuid;

/// How long an answer is kept for retries.
pub const RETENTION_HOURS: i64 = 24;

/// How long a request holds its key before a retry may take it over: far longer than any request
/// runs (a statement gives up after 10 s), so only a request whose process died loses its key.
pub const LEASE_SECONDS: i64 = 60;

/// The longest key accepted.
pub const MAX_KEY_LENGTH: usize = 255;

tokio::task_local! {
    static DEFERRED: Deferred;
}

/// The transaction slot of the request running now, if it holds a key.
pub(crate) fn deferred() -> Option<Deferred> {
    DEFERRED.try_with(Clone::clone).ok()
}

/// An idempotency key as a client sends it: a structured-field string (`"…"`) or a bare token,
/// of printable ASCII, at most [`MAX_KEY_LENGTH`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key(String);

impl Key {
    pub fn parse(header: &str) -> Result<Self, String> {
        let text = header.trim();
        let text = match text.strip_prefix('"') {
            Some(rest) => rest
                .strip_suffix('"')
                .ok_or("the Idempotency-Key opens a quoted string it does not close")?,
            None => text,
        };
        if text.is_empty() {
            return Err("the Idempotency-Key is empty".to_owned());
        }
        if text.len() > MAX_KEY_LENGTH {
            return Err(format!(
                "the Idempotency-Key is longer than {MAX_KEY_LENGTH} characters"
            ));
        }
        if !text
            .bytes()
            .all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\')
        {
            return Err(
                "the Idempotency-Key may hold only printable ASCII characters, without quotes or \
                 backslashes"
                    .to_owned(),
            );
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What identifies a request for its key: the method, the path with its query, and the body.
pub fn fingerprint(method: &str, target: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    for part in [method.as_bytes(), target.as_bytes()] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hasher.update(body);
    hex::encode(hasher.finalize())
}

/// What to do with a request that holds a key.
#[derive(Debug)]
pub enum Begin {
    /// Run it, inside [`Claim::run`], then store its answer.
    Proceed(Claim),
    /// It was answered before: give the same answer again.
    Replay(StoredResponse),
    /// A request with the key is still running.
    InUse,
    /// The key was used for a different request.
    Mismatch,
}

/// A key reserved for the request running now.
#[derive(Debug)]
pub struct Claim {
    user: Uuid,
    key: Key,
    claim: Uuid,
    deferred: Deferred,
}

/// Reserves `key` of `user` for the request with `fingerprint`.
pub async fn begin(
    ctx: &Ctx,
    user: UserId,
    key: Key,
    fingerprint: &str,
) -> Result<Begin, ServiceError> {
    let times = KeyTimes {
        retention: Duration::hours(RETENTION_HOURS),
        lease: Duration::seconds(LEASE_SECONDS),
    };
    let user = user.as_uuid();
    Ok(
        match idempotency::reserve(ctx.db(), user, key.as_str(), fingerprint, times).await? {
            Reservation::Claimed(claim) => Begin::Proceed(Claim {
                user,
                key,
                claim,
                deferred: Deferred::default(),
            }),
            Reservation::Replay(stored) => Begin::Replay(stored),
            Reservation::InUse => Begin::InUse,
            Reservation::Mismatch => Begin::Mismatch,
        },
    )
}

impl Claim {
    /// Runs the request: the commands it makes commit only when [`Claim::complete`] stores the
    /// answer with them.
    pub async fn run<F: Future>(&self, request: F) -> F::Output {
        DEFERRED.scope(self.deferred.clone(), request).await
    }

    /// Stores `response` under the key and commits the change the request made with it. Answers
    /// false, having rolled the change back, when a retry took the key over meanwhile.
    pub async fn complete(
        self,
        ctx: &Ctx,
        response: &StoredResponse,
    ) -> Result<bool, ServiceError> {
        Ok(idempotency::complete(
            ctx.db(),
            self.deferred.take(),
            self.user,
            self.key.as_str(),
            self.claim,
            response,
        )
        .await?)
    }

    /// Gives the key up without storing an answer, rolling back any change the request made:
    /// the answer was a failure on our side, and a retry runs afresh.
    pub async fn release(self, ctx: &Ctx) -> Result<(), ServiceError> {
        Ok(idempotency::release(
            ctx.db(),
            self.deferred.take(),
            self.user,
            self.key.as_str(),
            self.claim,
        )
        .await?)
    }
}

/// Forgets the keys whose 24 hours have passed, by the database clock; answers how many.
pub async fn purge_expired(ctx: &Ctx) -> Result<u64, ServiceError> {
    let now = ctx.now().await?;
    Ok(idempotency::purge_expired(ctx.db().conn(), now).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_a_quoted_string_or_a_bare_token_of_printable_ascii() {
        assert_eq!(Key::parse("\"abc-1\"").unwrap().as_str(), "abc-1");
        assert_eq!(
            Key::parse("8e03978e-40d5").unwrap().as_str(),
            "8e03978e-40d5"
        );
        assert!(Key::parse("").is_err());
        assert!(Key::parse("\"\"").is_err());
        assert!(Key::parse("\"open").is_err());
        assert!(Key::parse("tab\there").is_err());
        assert!(Key::parse("caf\u{e9}").is_err());
        assert!(Key::parse(&"k".repeat(256)).is_err());
        assert!(Key::parse(&"k".repeat(255)).is_ok());
    }

    #[test]
    fn the_fingerprint_tells_method_path_and_body_apart() {
        let base = fingerprint("POST", "/a", b"{}");
        assert_eq!(base, fingerprint("POST", "/a", b"{}"));
        assert_ne!(base, fingerprint("PUT", "/a", b"{}"));
        assert_ne!(base, fingerprint("POST", "/b", b"{}"));
        assert_ne!(base, fingerprint("POST", "/a", b"{ }"));
        assert_ne!(
            fingerprint("POST", "/ab", b""),
            fingerprint("POST", "/a", b"b")
        );
    }
}
