//! Storage for the marketplace on SQLite (embedded default) or PostgreSQL (production), through
//! sea-orm. Commands run in one write transaction that also appends their audit entries; reads
//! use the pool directly. Database errors are mapped here and never reach a client.

pub mod assessment_summaries;
pub mod audit;
pub mod awards;
pub mod bids;
pub mod calendar;
pub mod call_offs;
pub mod contracts;
pub mod direct_awards;
pub mod documents;
pub mod email;
pub mod entities;
pub mod evaluation;
pub mod frameworks;
pub mod idempotency;
pub mod login_failures;
pub mod market;
pub mod notices;
pub mod notifications;
pub mod offers;
pub mod organisations;
pub mod participation;
pub mod reference;
pub mod tenders;
pub mod transfers;
pub mod users;
pub mod webhooks;

use chrono::{DateTime, Utc};
pub use idempotency::Deferred;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqlErr, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait, Value,
};
use std::time::Duration;
use thiserror::Error;

/// Storage failures, by what a caller can do about them.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule refused the write; `pointer` names the field when one is to blame.
    #[error("{message}")]
    Conflict {
        pointer: Option<String>,
        message: String,
    },
    /// A stored value no longer parses: data was changed outside the application.
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// The database cannot be reached, or gave up on the statement (its timeout, a shutdown):
    /// worth trying again shortly, unlike any other failure.
    #[error("the database is unavailable")]
    Unavailable(#[source] DbErr),
    #[error("database error")]
    Database(#[source] DbErr),
    /// The file store cannot be reached or refused the operation: worth trying again shortly.
    #[error("the file store is unavailable")]
    Objects(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A local file (an upload being spooled) could not be read or written.
    #[error("file input/output failed: {0}")]
    Io(String),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        if unreachable(&err) {
            Self::Unavailable(err)
        } else {
            Self::Database(err)
        }
    }
}

/// Whether the error says the database is out of reach — no connection to be had, a connection
/// lost, the server shutting down, a statement cancelled by its timeout — rather than that it
/// refused this statement.
fn unreachable(err: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    let runtime = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(e) | DbErr::Exec(e) | DbErr::Query(e) => e,
        _ => return false,
    };
    let sea_orm::RuntimeErr::SqlxError(cause) = runtime else {
        return false;
    };
    match cause.as_ref() {
        Sqlx::Io(_)
        | Sqlx::Tls(_)
        | Sqlx::Protocol(_)
        | Sqlx::PoolTimedOut
        | Sqlx::PoolClosed
        | Sqlx::WorkerCrashed => true,
        // SQLSTATE class 08: connection exceptions; 57: operator intervention (57014 is a
        // statement cancelled by statement_timeout, 57P01–57P03 a server shutting down).
        Sqlx::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57")),
        _ => false,
    }
}

/// How long a request waits for the database before it is told the service is unavailable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    /// Waiting for a connection from the pool (or for a new one to be made).
    pub acquire_timeout: Duration,
    /// The longest a statement may run on PostgreSQL before it is cancelled.
    pub statement_timeout: Duration,
}

impl PoolSettings {
    /// The defaults for a database URL: on PostgreSQL a request gives up after 2 s without a
    /// connection, so that with the database down every answer comes within 3 s; SQLite is a
    /// file beside the process, where waiting means waiting for another writer.
    pub fn for_url(url: &str) -> Self {
        Self {
            acquire_timeout: if url.starts_with("sqlite:") {
                Duration::from_secs(10)
            } else {
                Duration::from_secs(2)
            },
            statement_timeout: Duration::from_secs(10),
        }
    }
}

impl StoreError {
    /// Turns a unique-key violation into a field conflict; other errors pass through.
    pub(crate) fn unique_as(err: DbErr, pointer: &str, message: &str) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::Conflict {
                pointer: Some(pointer.to_owned()),
                message: message.to_owned(),
            },
            // Any other failure keeps its classification: a connection lost mid-insert is the
            // database away (503), not a failure of ours.
            _ => Self::from(err),
        }
    }

    /// Turns a unique-key violation into a conflict that no single field is to blame for.
    pub(crate) fn unique_conflict(err: DbErr, message: &str) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::Conflict {
                pointer: None,
                message: message.to_owned(),
            },
            _ => Self::from(err),
        }
    }
}

/// The connection pool and what the code needs to know about the backend behind it.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    /// Commands waiting to begin: for a connection, and on SQLite for the write lock.
    waiting: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// How the pool stands, for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub in_use: u64,
    pub idle: u64,
    /// Commands waiting to begin (for a connection, or on SQLite for the write lock).
    pub waiting: u64,
}

/// One migration and whether it has been applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationState {
    pub name: String,
    pub applied: bool,
}

impl Db {
    /// Connects to `sqlite://…` or `postgres://…`. SQLite gets foreign keys, WAL and a busy
    /// timeout so concurrent writers wait for each other instead of failing.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, PoolSettings::for_url(url)).await
    }

    /// [`Db::connect`] with the pool's timeouts given.
    pub async fn connect_with(url: &str, settings: PoolSettings) -> Result<Self, StoreError> {
        let statement_timeout = settings.statement_timeout.as_millis().to_string();
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .sqlx_logging(false)
            .connect_timeout(settings.acquire_timeout)
            .acquire_timeout(settings.acquire_timeout)
            .map_sqlx_sqlite_opts(|opts| {
                opts.foreign_keys(true)
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(30))
            })
            // Statements are prepared once per connection; after five runs PostgreSQL may fall
            // back to one generic plan that ignores the values. A catalogue search for a rare word
            // and one for a common word need opposite plans (measured in bench/RESULTS.md: 100×),
            // so every statement is planned for its own values. Planning costs well under 1 ms.
            .map_sqlx_postgres_opts(move |opts| {
                opts.options([
                    ("plan_cache_mode", "force_custom_plan"),
                    ("statement_timeout", statement_timeout.as_str()),
                ])
            });
        if url.starts_with("sqlite:") {
            options.max_connections(8).min_connections(1);
        } else {
            options.max_connections(16).min_connections(1);
        }
        let conn = Database::connect(options).await?;
        Ok(Self {
            conn,
            waiting: std::sync::Arc::default(),
        })
    }

    /// The pool's connections in use and idle, and the commands waiting to begin.
    pub fn pool_stats(&self) -> PoolStats {
        let (size, idle) = match self.backend() {
            DbBackend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => {
                let pool = self.conn.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
        };
        let idle = u64::try_from(idle).unwrap_or(u64::MAX);
        PoolStats {
            in_use: u64::from(size).saturating_sub(idle),
            idle,
            waiting: self.waiting.load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// The pool, for reads.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.conn
            .execute_unprepared("SELECT 1")
            .await
            .map(|_| ())
            .map_err(StoreError::from)
    }

    pub async fn close(self) -> Result<(), StoreError> {
        self.conn.close().await.map_err(StoreError::from)
    }

    pub async fn migrate_up(&self) -> Result<(), StoreError> {
        Migrator::up(&self.conn, None)
            .await
            .map_err(StoreError::from)
    }

    /// Rolls back `steps` migrations (all of them when `None`).
    pub async fn migrate_down(&self, steps: Option<u32>) -> Result<(), StoreError> {
        Migrator::down(&self.conn, steps)
            .await
            .map_err(StoreError::from)
    }

    pub async fn migration_status(&self) -> Result<Vec<MigrationState>, StoreError> {
        let applied: Vec<String> = Migrator::get_applied_migrations(&self.conn)
            .await?
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        Ok(Migrator::migrations()
            .iter()
            .map(|m| MigrationState {
                name: m.name().to_owned(),
                applied: applied.iter().any(|a| a == m.name()),
            })
            .collect())
    }

    /// The database's current time: every deadline and audit time comes from here, never from
    /// the client or the application host.
    pub async fn now(&self) -> Result<DateTime<Utc>, StoreError> {
        db_now(&self.conn).await
    }

    /// Starts a command: a write transaction whose audit entries commit or roll back with it.
    /// On SQLite it begins `IMMEDIATE`, taking the write lock up front so two commands never
    /// interleave their reads and writes.
    pub async fn command(&self) -> Result<Command, StoreError> {
        let txn = self.begin_write().await?;
        self.command_in(txn, None, false).await
    }

    /// [`Db::command`] for a request that holds an idempotency key: its commit parks the
    /// transaction in `deferred` for the answer to be stored in it, and a command after the
    /// first runs inside the parked transaction.
    pub async fn command_deferred(&self, deferred: &Deferred) -> Result<Command, StoreError> {
        match deferred.nested().await? {
            Some(savepoint) => self.command_in(savepoint, None, true).await,
            None => {
                let txn = self.begin_write().await?;
                self.command_in(txn, Some(deferred.clone()), false).await
            }
        }
    }

    async fn command_in(
        &self,
        txn: DatabaseTransaction,
        deferred: Option<Deferred>,
        nested: bool,
    ) -> Result<Command, StoreError> {
        let mut now = db_now(&txn).await?;
        if self.backend() == DbBackend::Sqlite {
            // SQLite's clock ticks in milliseconds, so two commands could share an instant and
            // "the price in force at D" or "the earlier bid" would be ambiguous. Commands are
            // serialised by the write lock taken above, and each writes its audit entry: keeping
            // every command strictly after the last audited one orders them, across processes too.
            let last = audit::last_occurred_at(&txn).await?;
            if let Some(last) = last
                && now <= last
            {
                now = last + chrono::Duration::microseconds(1);
            }
        }
        Ok(Command {
            txn,
            now,
            fixed: false,
            deferred,
            nested,
        })
    }

    /// Starts a command that happens at `at` rather than by the database clock: the demo loader
    /// replaying history. Its instant never moves ([`Command::refresh_now`] answers `at`).
    pub async fn command_at(&self, at: DateTime<Utc>) -> Result<Command, StoreError> {
        Ok(Command {
            txn: self.begin_write().await?,
            now: at,
            fixed: true,
            deferred: None,
            nested: false,
        })
    }

    pub(crate) async fn begin_write(&self) -> Result<DatabaseTransaction, StoreError> {
        // Counted down on drop, so that a request given up on while it waits is not counted on.
        struct Waiting<'a>(&'a std::sync::atomic::AtomicU64);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
        self.waiting
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _waiting = Waiting(&self.waiting);
        self.begin_write_now().await
    }

    async fn begin_write_now(&self) -> Result<DatabaseTransaction, StoreError> {
        Ok(match self.backend() {
            DbBackend::Sqlite => {
                self.conn
                    .begin_with_options(TransactionOptions {
                        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                        ..TransactionOptions::default()
                    })
                    .await?
            }
            _ => self.conn.begin().await?,
        })
    }
}

/// A write transaction in progress. Dropping it without [`Command::commit`] rolls it back.
#[derive(Debug)]
pub struct Command {
    txn: DatabaseTransaction,
    now: DateTime<Utc>,
    /// Set by [`Db::command_at`]: the instant is given, not read.
    fixed: bool,
    /// Where the commit parks the transaction instead (a request with an idempotency key).
    deferred: Option<Deferred>,
    /// A savepoint inside a parked transaction: its commit releases the savepoint.
    nested: bool,
}

impl Command {
    pub fn conn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// The database time at which the command started.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Re-reads the database clock, after the command has taken the locks it needs, so that a
    /// deadline is checked at the moment of the write rather than when the command began. The
    /// command's instant never moves backwards.
    pub async fn refresh_now(&mut self) -> Result<DateTime<Utc>, StoreError> {
        if self.fixed {
            return Ok(self.now);
        }
        let now = db_now(&self.txn).await?;
        if now > self.now {
            self.now = now;
        }
        Ok(self.now)
    }

    /// Commits the command; for a request with an idempotency key, parks it until the answer is
    /// stored beside it ([`idempotency::complete`]).
    pub async fn commit(self) -> Result<(), StoreError> {
        match self.deferred {
            Some(deferred) if !self.nested => {
                deferred.park(self.txn);
                Ok(())
            }
            _ => self.txn.commit().await.map_err(StoreError::from),
        }
    }
}

/// Builds SQL with numbered (`$1`) or positional (`?`) placeholders for the backend.
pub(crate) struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub(crate) fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub(crate) fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        if self.backend == DbBackend::Postgres {
            let n = self.values.len();
            self.text.push_str(&format!("${n}"));
        } else {
            self.text.push('?');
        }
        self
    }

    pub(crate) fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// Counts what `query` matches, then fetches one page of it in the order `query` already has.
pub(crate) async fn fetch_page<C, E, T>(
    conn: &C,
    query: sea_orm::Select<E>,
    page: domain::pagination::PageRequest,
    to_domain: impl Fn(E::Model) -> Result<T, StoreError>,
) -> Result<domain::pagination::Page<T>, StoreError>
where
    C: ConnectionTrait,
    E: sea_orm::EntityTrait,
    E::Model: Sync,
{
    use sea_orm::{PaginatorTrait, QuerySelect};
    let total = query.clone().count(conn).await?;
    let rows = query
        .offset(page.offset())
        .limit(page.per_page())
        .all(conn)
        .await?;
    Ok(domain::pagination::Page {
        items: rows.into_iter().map(to_domain).collect::<Result<_, _>>()?,
        total,
        total_exact: true,
        page: page.page(),
        per_page: page.per_page(),
    })
}

/// Reads the database clock. PostgreSQL's `clock_timestamp()` (not `now()`, which is frozen at
/// the start of the transaction); SQLite's `'now'` to the millisecond.
pub async fn db_now(conn: &impl ConnectionTrait) -> Result<DateTime<Utc>, StoreError> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "SELECT clock_timestamp() AS now",
        _ => "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS now",
    };
    let row = conn
        .query_one_raw(Statement::from_string(backend, sql))
        .await?
        .ok_or(StoreError::Corrupt(
            "the database returned no time".to_owned(),
        ))?;
    let now = match backend {
        DbBackend::Postgres => row.try_get::<DateTime<Utc>>("", "now")?,
        _ => {
            let text: String = row.try_get("", "now")?;
            DateTime::parse_from_rfc3339(&text)
                .map_err(|e| StoreError::Corrupt(format!("database time {text:?}: {e}")))?
                .with_timezone(&Utc)
        }
    };
    Ok(domain::audit::storable_instant(now))
}

/// `postgres://user@host:port/db?x` naming database `name` instead: how a tool that creates
/// databases of its own (the test harness, the benchmark) reaches each one.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// The row `query` finds, if any, converted from its model.
pub(crate) async fn one_as<C, E, T>(
    conn: &C,
    query: sea_orm::Select<E>,
    convert: impl FnOnce(E::Model) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError>
where
    C: ConnectionTrait,
    E: sea_orm::EntityTrait,
{
    query.one(conn).await?.map(convert).transpose()
}

/// Every row `query` finds, in its order, converted from its model and collected (into a
/// `Vec`, a map, …).
pub(crate) async fn all_as<C, E, T, B>(
    conn: &C,
    query: sea_orm::Select<E>,
    convert: impl FnMut(E::Model) -> Result<T, StoreError>,
) -> Result<B, StoreError>
where
    C: ConnectionTrait,
    E: sea_orm::EntityTrait,
    B: FromIterator<T>,
{
    query.all(conn).await?.into_iter().map(convert).collect()
}
