//! The file store: where the bytes of documents and attachments live, named by their sha256 —
//! a local directory (the embedded default) or an S3 bucket (production), through
//! `object_store`. An object is written before the database transaction that names it commits,
//! so a failure leaves at most an object nobody names (collected later), never a row without
//! its bytes.

use chrono::{DateTime, Utc};
use futures_util::future::{BoxFuture, FutureExt};
use futures_util::stream::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use persistence::StoreError;
use service::files::{Content, FileStore, StoredObject};
use std::sync::Arc;
use tokio::io::AsyncReadExt;

/// Where the objects are kept, and under which prefix.
#[derive(Clone)]
pub struct Objects {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    /// Where, for the start-up log (no credentials).
    location: String,
}

impl std::fmt::Debug for Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Objects")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// The upload part size: S3's multipart minimum is 5 MiB.
const PART_BYTES: usize = 5 * 1024 * 1024;

fn failure(err: object_store::Error) -> StoreError {
    match err {
        object_store::Error::NotFound { .. } => StoreError::NotFound("stored file"),
        other => StoreError::Objects(Box::new(other)),
    }
}

impl Objects {
    /// The store `setting` names: `file:///absolute/path` or a bare path for a local directory,
    /// `s3://bucket/prefix` for S3 with the standard `AWS_*` variables (`AWS_ENDPOINT_URL` for an
    /// S3-compatible store, plain http allowed when that address is http). Unset, a directory
    /// beside the SQLite database (`FILE.objects/`), or `./marketplace.objects` otherwise.
    pub fn open(setting: Option<&str>, database_url: &str) -> Result<Self, String> {
        match setting.map(str::trim).filter(|s| !s.is_empty()) {
            Some(url) if url.starts_with("s3://") => Self::s3(url),
            Some(url) => Self::directory(url.strip_prefix("file://").unwrap_or(url)),
            None => Self::directory(&default_directory(database_url)),
        }
    }

    /// A local directory, made if missing.
    pub fn directory(path: &str) -> Result<Self, String> {
        install_tls_provider();
        std::fs::create_dir_all(path)
            .map_err(|e| format!("cannot make the file store directory {path:?}: {e}"))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(path)
            .map_err(|e| format!("cannot open the file store directory {path:?}: {e}"))?;
        Ok(Self {
            store: Arc::new(store),
            prefix: Path::default(),
            location: format!("directory {path}"),
        })
    }

    fn s3(url: &str) -> Result<Self, String> {
        let rest = url.trim_start_matches("s3://");
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(format!("{url:?} names no bucket: give s3://bucket/prefix"));
        }
        install_tls_provider();
        let mut builder = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket);
        let endpoint = std::env::var("AWS_ENDPOINT_URL")
            .or_else(|_| std::env::var("AWS_ENDPOINT"))
            .unwrap_or_default();
        if endpoint.starts_with("http://") {
            builder = builder.with_allow_http(true);
        }
        let store = builder
            .build()
            .map_err(|e| format!("cannot configure the S3 store {url:?}: {e}"))?;
        Ok(Self {
            store: Arc::new(store),
            prefix: Path::from(prefix.trim_matches('/')),
            location: if endpoint.is_empty() {
                format!("S3 {url}")
            } else {
                format!("S3 {url} at {endpoint}")
            },
        })
    }

    /// The store as the use cases take it.
    pub fn shared(self) -> Arc<dyn FileStore> {
        Arc::new(self)
    }

    fn path_of(&self, sha256: &str) -> Path {
        let fan = sha256.get(..2).unwrap_or("00");
        self.prefix.clone().join("sha256").join(fan).join(sha256)
    }

    /// Stores the file at `source` as the object `sha256`, streaming it in parts. The same
    /// bytes uploaded before are written again, so that the object's time is this upload's and
    /// the collector (which spares young objects) cannot remove it before its row commits.
    async fn put(&self, source: &std::path::Path, sha256: &str) -> Result<(), StoreError> {
        let path = self.path_of(sha256);
        let mut file = tokio::fs::File::open(source)
            .await
            .map_err(|e| StoreError::Io(format!("reading the upload: {e}")))?;
        let upload = self.store.put_multipart(&path).await.map_err(failure)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut buffer = vec![0u8; 256 * 1024];
        loop {
            let read = match file.read(&mut buffer).await {
                Ok(read) => read,
                Err(e) => {
                    // Best effort: the parts already sent are discarded with the upload.
                    let _ = writer.abort().await;
                    return Err(StoreError::Io(format!("reading the upload: {e}")));
                }
            };
            if read == 0 {
                break;
            }
            writer.wait_for_capacity(4).await.map_err(failure)?;
            writer.write(&buffer[..read]);
        }
        writer.finish().await.map_err(failure)?;
        Ok(())
    }

    async fn fetch(&self, sha256: &str) -> Result<Content, StoreError> {
        let found = self
            .store
            .get(&self.path_of(sha256))
            .await
            .map_err(failure)?;
        Ok(found.into_stream().map_err(std::io::Error::other).boxed())
    }

    async fn listing(&self) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
        let root = self.prefix.clone().join("sha256");
        let mut found = Vec::new();
        let mut listing = self.store.list(Some(&root));
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(failure)?;
            if let Some(name) = meta.location.filename() {
                found.push((name.to_owned(), meta.last_modified));
            }
        }
        Ok(found)
    }

    async fn remove(&self, sha256: &str) -> Result<(), StoreError> {
        match self.store.delete(&self.path_of(sha256)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(other) => Err(failure(other)),
        }
    }

    /// Whether the store answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        let root = self.prefix.clone().join("sha256");
        self.store
            .list_with_delimiter(Some(&root))
            .await
            .map(|_| ())
            .map_err(failure)
    }
}

impl FileStore for Objects {
    fn put_file<'a>(
        &'a self,
        source: &'a std::path::Path,
        sha256: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        self.put(source, sha256).boxed()
    }

    fn get<'a>(&'a self, sha256: &'a str) -> BoxFuture<'a, Result<Content, StoreError>> {
        self.fetch(sha256).boxed()
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<StoredObject>, StoreError>> {
        self.listing().boxed()
    }

    fn delete<'a>(&'a self, sha256: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        self.remove(sha256).boxed()
    }

    fn location(&self) -> &str {
        &self.location
    }
}

/// Makes ring the process's TLS provider. reqwest is built with rustls but without a bundled
/// provider (ring spares an aws-lc C build), so every process that makes an HTTPS client (the
/// S3 store, a webhook sender, a test's HTTP client) installs it first; a second install is
/// refused harmlessly.
pub fn install_tls_provider() {
    #[allow(deprecated)] // ring lacks post-quantum key exchange, which nothing here needs yet.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// `FILE.objects` beside a SQLite database file; `marketplace.objects` in the working directory
/// for any other database.
fn default_directory(database_url: &str) -> String {
    let file = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|file| !file.is_empty() && *file != ":memory:");
    match file {
        Some(file) => format!("{file}.objects"),
        None => "marketplace.objects".to_owned(),
    }
}
