//! The file store the use cases keep documents and attachments in, as a port: the server
//! provides it (a local directory or S3), so that this layer stays free of any HTTP stack.
//! Objects are named by the sha256 of their bytes.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use persistence::StoreError;
use std::path::Path;

/// A stored file's bytes, as a stream of chunks.
pub type Content = BoxStream<'static, Result<Bytes, std::io::Error>>;

/// A stored object's name (its sha256) and when it was written.
pub type StoredObject = (String, DateTime<Utc>);

/// Where the bytes of documents and attachments live.
pub trait FileStore: std::fmt::Debug + Send + Sync {
    /// Stores the file at `source` as the object `sha256` (streamed, never whole in memory);
    /// storing the same bytes again renews the object's time.
    fn put_file<'a>(
        &'a self,
        source: &'a Path,
        sha256: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// The object `sha256`'s bytes (`StoreError::NotFound` when there is none).
    fn get<'a>(&'a self, sha256: &'a str) -> BoxFuture<'a, Result<Content, StoreError>>;

    /// Every stored object's sha256, with the time it was written.
    fn list(&self) -> BoxFuture<'_, Result<Vec<StoredObject>, StoreError>>;

    /// Removes the object `sha256` (nothing if it is not there).
    fn delete<'a>(&'a self, sha256: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Where the objects are, for the log (no credentials).
    fn location(&self) -> &str;
}
