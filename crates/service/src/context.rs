//! What every use case runs with: the database, the clock and the configuration.

use crate::ServiceError;
use chrono::{DateTime, Utc};
use persistence::{Command, Db};
use std::sync::Arc;

/// The configuration the use cases read.
#[derive(Debug, Clone)]
pub struct Config {
    /// A catalogue search counts its matches exactly up to this many; beyond, it says "more than".
    pub search_total_limit: u64,
    /// How market concentration is judged (the UK CMA sets no fixed scale).
    pub concentration_scale: domain::market::ConcentrationScale,
    /// The Procurement Act 2023 threshold amounts (Schedule 1), including VAT.
    pub thresholds: domain::procurement::Thresholds,
    /// The prefix of every ocid this marketplace publishes (`ocds-` and six characters, as the
    /// Open Contracting Partnership registers them).
    pub ocid_prefix: String,
    /// The address the public reaches the service at (`https://…` in production), when it is
    /// behind a proxy; an https address turns on `Strict-Transport-Security` and `Secure`
    /// cookies on every response.
    pub public_url: Option<String>,
    /// The address links in notices, OCDS releases and messages start with: the public address
    /// when there is one, else the address the server listens on.
    pub links_base: String,
    /// Whether a webhook may be plain http (tests, a receiver on the same host).
    pub webhook_allow_http: bool,
    /// Whether a webhook may lead to a loopback or private address (tests only).
    pub webhook_allow_private: bool,
}

impl Config {
    /// Whether the public address is https.
    pub fn public_https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

/// Reads a public address: `http://` or `https://` and a host, with no trailing slash, query or
/// fragment.
pub fn public_url(text: &str) -> Result<String, String> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    match rest {
        Some(rest)
            if !rest.is_empty()
                && !rest.ends_with('/')
                && !rest.contains(['?', '#', ' '])
                && !rest.starts_with('/') =>
        {
            Ok(text.to_owned())
        }
        _ => Err(format!(
            "{text:?} is not a public address: give http:// or https://, the host and any path, \
             without a trailing slash"
        )),
    }
}

/// The OCID prefix used until the publisher configures its registered one.
pub const DEFAULT_OCID_PREFIX: &str = "ocds-csmkt1";

/// Reads an OCID prefix: `ocds-` and six lower-case letters or digits.
pub fn ocid_prefix(text: &str) -> Result<String, String> {
    let code = text.strip_prefix("ocds-").unwrap_or_default();
    if code.len() == 6
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "{text:?} is not an OCID prefix: it is `ocds-` and six lower-case letters or digits"
        ))
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            search_total_limit: DEFAULT_SEARCH_TOTAL_LIMIT,
            concentration_scale: domain::market::ConcentrationScale::default(),
            thresholds: domain::procurement::Thresholds::default(),
            ocid_prefix: DEFAULT_OCID_PREFIX.to_owned(),
            public_url: None,
            links_base: DEFAULT_LINKS_BASE.to_owned(),
            webhook_allow_http: false,
            webhook_allow_private: false,
        }
    }
}

/// The default for [`Config::links_base`]: the default listening address.
pub const DEFAULT_LINKS_BASE: &str = "http://127.0.0.1:8080";

/// The default for [`Config::search_total_limit`]: fifty pages of twenty.
pub const DEFAULT_SEARCH_TOTAL_LIMIT: u64 = 1000;

/// How long an account's standing (active, role, organisation) read for one request may serve
/// the requests after it: a deactivation made elsewhere (another replica) is obeyed within this.
pub const ACCOUNT_STANDING_SECONDS: u64 = 1;

/// What a token's check needs of an account, as it was read, and when.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Standing {
    pub(crate) active: bool,
    pub(crate) role: domain::user::Role,
    pub(crate) organisation_id: domain::ids::OrganisationId,
}

/// The accounts' standing read in the last second, so that a stream of requests reads each
/// account once a second rather than once a request. A change this process makes (an admin
/// deactivating a user) forgets the account at once.
#[derive(Debug, Default)]
pub(crate) struct Standings {
    read: std::sync::Mutex<
        std::collections::HashMap<domain::ids::UserId, (std::time::Instant, Option<Standing>)>,
    >,
}

impl Standings {
    fn entries(
        &self,
    ) -> std::sync::MutexGuard<
        '_,
        std::collections::HashMap<domain::ids::UserId, (std::time::Instant, Option<Standing>)>,
    > {
        self.read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The standing read less than a second ago (`Some(None)`: no such account).
    pub(crate) fn fresh(&self, user: domain::ids::UserId) -> Option<Option<Standing>> {
        let limit = std::time::Duration::from_secs(ACCOUNT_STANDING_SECONDS);
        let mut entries = self.entries();
        match entries.get(&user) {
            Some((read, standing)) if read.elapsed() < limit => Some(*standing),
            Some(_) => {
                entries.remove(&user);
                None
            }
            None => None,
        }
    }

    pub(crate) fn remember(
        &self,
        user: domain::ids::UserId,
        read: std::time::Instant,
        standing: Option<Standing>,
    ) {
        let mut entries = self.entries();
        // Keep the map to the accounts active in the last second.
        if entries.len() > 10_000 {
            let limit = std::time::Duration::from_secs(ACCOUNT_STANDING_SECONDS);
            entries.retain(|_, (at, _)| at.elapsed() < limit);
        }
        entries.insert(user, (read, standing));
    }

    pub(crate) fn forget(&self, user: domain::ids::UserId) {
        self.entries().remove(&user);
    }
}

/// The context of a use case: cheap to clone.
#[derive(Debug, Clone)]
pub struct Ctx {
    db: Db,
    objects: Arc<dyn crate::files::FileStore>,
    config: Arc<Config>,
    /// Set only by [`Ctx::at`]: every read of the clock and every command happens then.
    clock: Option<DateTime<Utc>>,
    standings: Arc<Standings>,
}

impl Ctx {
    pub fn new(db: Db, config: Config, objects: Arc<dyn crate::files::FileStore>) -> Self {
        Self {
            db,
            objects,
            config: Arc::new(config),
            clock: None,
            standings: Arc::default(),
        }
    }

    pub(crate) fn standings(&self) -> &Standings {
        &self.standings
    }

    /// The same context at a past instant: the demo loader's explicit clock, so that it replays
    /// history through the same commands as every client (an architecture test keeps every
    /// other caller off it). Every command then starts at `instant`, and every query reads it
    /// as the time now.
    pub fn at(&self, instant: DateTime<Utc>) -> Self {
        Self {
            clock: Some(instant),
            ..self.clone()
        }
    }

    /// The same context with another configuration.
    pub fn with_config(&self, config: Config) -> Self {
        Self {
            config: Arc::new(config),
            ..self.clone()
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Where the bytes of documents and attachments are kept.
    pub fn objects(&self) -> &dyn crate::files::FileStore {
        self.objects.as_ref()
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The start of every link the marketplace publishes (see [`Config::links_base`]).
    pub fn links(&self) -> &str {
        &self.config.links_base
    }

    /// The time now, by the database clock.
    pub async fn now(&self) -> Result<DateTime<Utc>, ServiceError> {
        match self.clock {
            Some(instant) => Ok(instant),
            None => Ok(self.db.now().await?),
        }
    }

    /// Starts a command: one write transaction for the change, its audit entries and its
    /// notifications, at the database's instant.
    pub(crate) async fn command(&self) -> Result<Command, ServiceError> {
        Ok(match (self.clock, crate::idempotency::deferred()) {
            (Some(instant), _) => self.db.command_at(instant).await?,
            (None, Some(deferred)) => self.db.command_deferred(&deferred).await?,
            (None, None) => self.db.command().await?,
        })
    }
}
