//! The audit chain: each entry's hash covers the previous entry's hash and its own canonical form,
//! so changing, removing or reordering any stored entry breaks verification at that entry.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::access::Actor;

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a command asks to record; the store adds the sequence number, time and hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub actor: Option<Actor>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl AuditEntry {
    pub fn new(
        actor: Option<Actor>,
        action: impl Into<String>,
        entity_type: impl Into<String>,
        entity_id: impl ToString,
    ) -> Self {
        Self {
            actor,
            action: action.into(),
            entity_type: entity_type.into(),
            entity_id: entity_id.to_string(),
            before: None,
            after: None,
        }
    }

    /// An entry for a change made by a signed-in user.
    pub fn by(
        actor: &Actor,
        action: impl Into<String>,
        entity_type: impl Into<String>,
        entity_id: impl ToString,
    ) -> Self {
        Self::new(Some(*actor), action, entity_type, entity_id)
    }

    pub fn before(mut self, value: Value) -> Self {
        self.before = Some(value);
        self
    }

    pub fn after(mut self, value: Value) -> Self {
        self.after = Some(value);
        self
    }
}

/// An entry as stored, without its hashes. `before` and `after` are canonical JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_user_id: Option<Uuid>,
    pub actor_organisation_id: Option<Uuid>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Truncates a time to whole microseconds, the precision both databases keep, so the hash
/// computed before storing equals the one recomputed after reading back.
pub fn storable_instant(at: DateTime<Utc>) -> DateTime<Utc> {
    let micros = at.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(at)
}

/// The SHA-256 of a value's canonical JSON, in hex: lets the audit log prove which content was
/// recorded (a sealed bid, say) without holding the content itself.
pub fn content_digest(value: &Value) -> String {
    hex::encode(Sha256::digest(canonical_json(value).as_bytes()))
}

/// JSON with object keys sorted at every level and no insignificant whitespace.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*key).clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(*key) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

impl AuditRecord {
    /// The exact text the hash covers: every field, in a fixed order, as canonical JSON.
    pub fn canonical(&self) -> String {
        let value = serde_json::json!({
            "seq": self.seq,
            "occurred_at": self.occurred_at.to_rfc3339_opts(SecondsFormat::Micros, true),
            "actor_user_id": self.actor_user_id,
            "actor_organisation_id": self.actor_organisation_id,
            "action": self.action,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "before": self.before,
            "after": self.after,
        });
        canonical_json(&value)
    }

    /// SHA-256 over the previous hash and this record's canonical form, as lower-case hex.
    pub fn chain_hash(&self, prev_hash: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(prev_hash.as_bytes());
        hasher.update(b"\n");
        hasher.update(self.canonical().as_bytes());
        hex::encode(hasher.finalize())
    }
}

/// Walks stored entries in sequence order and finds the first one that breaks the chain.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    last_hash: String,
    checked: u64,
    first_bad_seq: Option<i64>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

/// The result of verifying the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub valid: bool,
    pub checked: u64,
    pub first_bad_seq: Option<i64>,
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self {
            expected_seq: 1,
            last_hash: GENESIS_HASH.to_owned(),
            checked: 0,
            first_bad_seq: None,
        }
    }

    /// Checks the next stored entry; returns `false` once the chain is broken (stop feeding).
    pub fn check(&mut self, record: &AuditRecord, prev_hash: &str, hash: &str) -> bool {
        if self.first_bad_seq.is_some() {
            return false;
        }
        self.checked += 1;
        let intact = record.seq == self.expected_seq
            && prev_hash == self.last_hash
            && record.chain_hash(prev_hash) == hash;
        if !intact {
            // A missing entry shows up as a jump in sequence: the gap starts at the expected one.
            self.first_bad_seq = Some(record.seq.min(self.expected_seq));
            return false;
        }
        self.expected_seq += 1;
        self.last_hash = hash.to_owned();
        true
    }

    pub fn finish(self) -> ChainReport {
        ChainReport {
            valid: self.first_bad_seq.is_none(),
            checked: self.checked,
            first_bad_seq: self.first_bad_seq,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(seq: i64) -> AuditRecord {
        AuditRecord {
            seq,
            occurred_at: DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap_or_default(),
            actor_user_id: Some(Uuid::nil()),
            actor_organisation_id: None,
            action: "user.created".to_owned(),
            entity_type: "user".to_owned(),
            entity_id: format!("id-{seq}"),
            before: None,
            after: Some(canonical_json(&json!({"b": 1, "a": [2, {"d": 4, "c": 3}]}))),
        }
    }

    fn chain(n: i64) -> Vec<(AuditRecord, String, String)> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let r = record(seq);
                let hash = r.chain_hash(&prev);
                let row = (r, prev.clone(), hash.clone());
                prev = hash;
                row
            })
            .collect()
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let value = json!({"z": 1, "a": {"y": true, "b": null}, "m": ["x", {"k": 2, "j": 1}]});
        assert_eq!(
            canonical_json(&value),
            r#"{"a":{"b":null,"y":true},"m":["x",{"j":1,"k":2}],"z":1}"#
        );
    }

    #[test]
    fn an_intact_chain_verifies() {
        let mut verifier = ChainVerifier::new();
        for (r, prev, hash) in chain(5) {
            assert!(verifier.check(&r, &prev, &hash));
        }
        assert_eq!(
            verifier.finish(),
            ChainReport {
                valid: true,
                checked: 5,
                first_bad_seq: None
            }
        );
    }

    #[test]
    fn a_changed_field_breaks_the_chain_at_that_entry() {
        let mut rows = chain(5);
        rows[2].0.action = "user.deleted".to_owned();
        let mut verifier = ChainVerifier::new();
        for (r, prev, hash) in &rows {
            if !verifier.check(r, prev, hash) {
                break;
            }
        }
        assert_eq!(verifier.finish().first_bad_seq, Some(3));
    }

    #[test]
    fn a_removed_entry_is_reported_where_the_gap_starts() {
        let mut rows = chain(5);
        rows.remove(1);
        let mut verifier = ChainVerifier::new();
        for (r, prev, hash) in &rows {
            if !verifier.check(r, prev, hash) {
                break;
            }
        }
        assert_eq!(verifier.finish().first_bad_seq, Some(2));
    }

    #[test]
    fn the_hash_depends_on_the_previous_hash() {
        let r = record(1);
        assert_ne!(r.chain_hash(GENESIS_HASH), r.chain_hash("abc"));
        assert_eq!(r.chain_hash(GENESIS_HASH).len(), 64);
    }

    #[test]
    fn instants_are_stored_to_the_microsecond() {
        let at = DateTime::from_timestamp_nanos(1_790_000_000_123_456_789);
        assert_eq!(
            storable_instant(at).timestamp_nanos_opt(),
            Some(1_790_000_000_123_456_000)
        );
    }
}
