//! The `marketplace` command line: serve, migrate, create an admin, load the demo market, print
//! the OpenAPI document. Every setting comes from a flag or its environment variable.

use crate::app;
use crate::demo::{self, DemoOutcome};
use api::openapi;
use api::state::AppState;
use clap::{Parser, Subcommand, ValueEnum};
use domain::organisation::{NewOrganisation, OrganisationKind};
use domain::user::{NewUser, Role};
use persistence::Db;
use persistence::organisations::OrganisationFilter;
use service::ServiceError;
use service::accounts::hash_password;
use service::accounts::{register_organisation, register_user};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://marketplace.db?mode=rwc";
/// Shortest JWT secret accepted: 256 bits for HS256.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Parser)]
#[command(
    name = "marketplace",
    version,
    about = "Commissioning Support Marketplace"
)]
pub struct Cli {
    /// Database URL: `sqlite://FILE?mode=rwc` (embedded default) or `postgres://USER@HOST/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true, hide_env_values = true)]
    pub database_url: String,

    /// Log format: human-readable `text` or one JSON object per line.
    #[arg(long, env = "MARKETPLACE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Where documents and attachments are kept: unset, a directory beside the SQLite file
    /// (`FILE.objects/`); `file:///path` for another directory; `s3://bucket/prefix` for S3 with
    /// the standard `AWS_*` variables (`AWS_ENDPOINT_URL` for MinIO or another S3-compatible
    /// store).
    #[arg(long, env = "MARKETPLACE_OBJECT_STORE", global = true)]
    pub object_store: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server.
    Serve(Box<ServeArgs>),
    /// Apply, roll back or list schema migrations.
    Migrate {
        #[arg(value_enum, default_value_t = MigrateAction::Up)]
        action: MigrateAction,
        /// With `down`: how many migrations to roll back.
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// Create a platform admin (and the platform organisation if there is none).
    CreateAdmin {
        #[arg(long)]
        email: String,
        /// The admin's password; prefer the environment variable, which stays out of `ps`.
        #[arg(long, env = "MARKETPLACE_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long, default_value = "Platform administrator")]
        name: String,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Load the demo market into an empty database and print the demo logins.
    Demo,
    /// Remove stored files that no document or attachment names (an upload whose transaction
    /// failed), once they are older than a day.
    GcObjects {
        /// Spare objects younger than this many hours.
        #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..))]
        older_than_hours: u32,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum MigrateAction {
    Up,
    Down,
    Status,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "MARKETPLACE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Secret for signing access tokens (at least 32 bytes). Required on PostgreSQL; on SQLite
    /// one is generated and kept beside the database file when unset.
    #[arg(long, env = "MARKETPLACE_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Lifetime of access tokens in seconds.
    #[arg(long, env = "MARKETPLACE_TOKEN_LIFETIME_SECONDS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(60..=86_400))]
    pub token_lifetime_seconds: u64,
    /// Do not apply pending migrations at start.
    #[arg(long, env = "MARKETPLACE_NO_MIGRATE")]
    pub no_migrate: bool,
    /// Load the demo market at start if the database is empty.
    #[arg(long, env = "MARKETPLACE_DEMO")]
    pub demo: bool,
    /// A catalogue search counts its matches exactly up to this many (beyond, the answer says
    /// "more than" with `total_exact: false`); a higher limit costs more for common words.
    #[arg(long, env = "MARKETPLACE_SEARCH_TOTAL_LIMIT", default_value_t = service::DEFAULT_SEARCH_TOTAL_LIMIT, value_parser = clap::value_parser!(u64).range(20..=1_000_000))]
    pub search_total_limit: u64,
    /// The HHI from which a market counts as moderately concentrated.
    #[arg(long, env = "MARKETPLACE_HHI_MODERATE_FROM", default_value_t = 1000.0)]
    pub hhi_moderate_from: f64,
    /// The HHI above which a market counts as highly concentrated.
    #[arg(long, env = "MARKETPLACE_HHI_HIGH_ABOVE", default_value_t = 1800.0)]
    pub hhi_high_above: f64,
    /// The name of the concentration scale, given with every answer that uses it.
    #[arg(
        long,
        env = "MARKETPLACE_HHI_SCALE_NAME",
        default_value = "US 2023 Merger Guidelines"
    )]
    pub hhi_scale_name: String,
    /// The Procurement Act 2023 threshold for a central government authority's contracts for
    /// goods and services, in pence including VAT (Schedule 1; £135,018 from 1 January 2026).
    #[arg(long, env = "MARKETPLACE_THRESHOLD_CENTRAL_PENCE", default_value_t = domain::procurement::Thresholds::CENTRAL_GOVERNMENT_2026_PENCE, value_parser = clap::value_parser!(i64).range(1..))]
    pub threshold_central_pence: i64,
    /// The threshold for any other contracting authority (sub-central), in pence including VAT
    /// (£207,720 from 1 January 2026).
    #[arg(long, env = "MARKETPLACE_THRESHOLD_SUB_CENTRAL_PENCE", default_value_t = domain::procurement::Thresholds::SUB_CENTRAL_2026_PENCE, value_parser = clap::value_parser!(i64).range(1..))]
    pub threshold_sub_central_pence: i64,
    /// The prefix of every OCDS ocid published: register your own with the Open Contracting
    /// Partnership (`ocds-` and six lower-case letters or digits).
    #[arg(long, env = "MARKETPLACE_OCID_PREFIX", default_value = service::DEFAULT_OCID_PREFIX, value_parser = service::ocid_prefix)]
    pub ocid_prefix: String,
    /// How often, in seconds, the server settles tenders whose deadline has passed (each moves
    /// to evaluation, or with no tender in to unsuccessful, publishing its termination notice).
    #[arg(long, env = "MARKETPLACE_SETTLE_INTERVAL_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub settle_interval_seconds: u64,
    /// The address the public reaches the service at, when it runs behind a proxy (for example
    /// `https://marketplace.example.nhs.uk`); an https address adds `Strict-Transport-Security`
    /// and makes every cookie `Secure`.
    #[arg(long, env = "MARKETPLACE_PUBLIC_URL", value_parser = service::public_url)]
    pub public_url: Option<String>,
    /// How long a request waits for a database connection before it is answered 503 (default
    /// 2000 on PostgreSQL, so that with the database down every answer comes within 3 s;
    /// 10000 on SQLite).
    #[arg(long, env = "MARKETPLACE_DB_ACQUIRE_TIMEOUT_MS", value_parser = clap::value_parser!(u64).range(100..=60_000))]
    pub db_acquire_timeout_ms: Option<u64>,
    /// The longest a statement may run on PostgreSQL before it is cancelled and the request
    /// answered 503.
    #[arg(long, env = "MARKETPLACE_DB_STATEMENT_TIMEOUT_MS", value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub db_statement_timeout_ms: Option<u64>,
    /// Requests a minute allowed to each signed-in user (0: no limit).
    #[arg(
        long,
        env = "MARKETPLACE_RATE_LIMIT_USER_PER_MINUTE",
        default_value_t = 1200
    )]
    pub rate_limit_user_per_minute: u32,
    /// Requests a minute allowed to each organisation, all its users together (0: no limit).
    #[arg(
        long,
        env = "MARKETPLACE_RATE_LIMIT_ORGANISATION_PER_MINUTE",
        default_value_t = 6000
    )]
    pub rate_limit_organisation_per_minute: u32,
    /// Requests a minute allowed to each client address without a token: public notices, OCDS,
    /// sign-in (0: no limit).
    #[arg(
        long,
        env = "MARKETPLACE_RATE_LIMIT_ADDRESS_PER_MINUTE",
        default_value_t = 600
    )]
    pub rate_limit_address_per_minute: u32,
    /// The SMTP server notification emails go through: `smtp://user:pass@host:587` (STARTTLS),
    /// `smtps://user:pass@host:465` (TLS), `smtp://host:port?tls=none` (a local relay). Unset:
    /// no email is sent (the start-up log says so).
    #[arg(long, env = "MARKETPLACE_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of notification emails.
    #[arg(
        long,
        env = "MARKETPLACE_MAIL_FROM",
        default_value = "Commissioning Support Marketplace <no-reply@marketplace.example>"
    )]
    pub mail_from: String,
    /// How often, in milliseconds, each replica sends the emails that are due.
    #[arg(long, env = "MARKETPLACE_EMAIL_INTERVAL_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(100..=3_600_000))]
    pub email_interval_ms: u64,
    /// Allow plain-http webhook addresses (a receiver on the same host); off in production.
    #[arg(long, env = "MARKETPLACE_WEBHOOK_ALLOW_HTTP")]
    pub webhook_allow_http: bool,
    /// Allow webhooks to loopback and private addresses (tests only).
    #[arg(long, env = "MARKETPLACE_WEBHOOK_ALLOW_PRIVATE")]
    pub webhook_allow_private: bool,
    /// How often, in milliseconds, each replica sends the webhook deliveries that are due.
    #[arg(long, env = "MARKETPLACE_WEBHOOK_INTERVAL_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(100..=3_600_000))]
    pub webhook_interval_ms: u64,
    /// The reverse proxies whose `X-Forwarded-For` names the client (comma-separated addresses).
    #[arg(long, env = "MARKETPLACE_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Where to serve Prometheus metrics (`GET /metrics`), apart from the service's own address
    /// so that they never face the public; off when unset.
    #[arg(long, env = "MARKETPLACE_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,
}

pub async fn run() -> ExitCode {
    crate::objects::install_tls_provider();
    let cli = Cli::parse();
    init_logging(cli.log_format);
    match execute(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.compact().init(),
    }
}

fn describe_api_error(err: ServiceError) -> String {
    match err {
        ServiceError::Validation(errors) => errors
            .iter()
            .map(|e| format!("{}: {}", e.pointer.trim_start_matches('/'), e.detail))
            .collect::<Vec<_>>()
            .join("; "),
        ServiceError::Internal(cause) => format!("internal error: {cause}"),
        other => format!("{other:?}"),
    }
}

async fn connect(url: &str) -> Result<Db, String> {
    connect_with(url, persistence::PoolSettings::for_url(url)).await
}

async fn connect_with(url: &str, settings: persistence::PoolSettings) -> Result<Db, String> {
    Db::connect_with(url, settings)
        .await
        .map_err(|e| format!("cannot connect to the database: {}", source_chain(&e)))
}

fn source_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

async fn execute(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Openapi => {
            let text = openapi::document_json().map_err(|e| e.to_string())?;
            print!("{text}");
            Ok(())
        }
        Command::Migrate { action, steps } => {
            let db = connect(&cli.database_url).await?;
            match action {
                MigrateAction::Up => {
                    db.migrate_up().await.map_err(|e| source_chain(&e))?;
                    println!("Migrations applied.");
                }
                MigrateAction::Down => {
                    db.migrate_down(Some(steps))
                        .await
                        .map_err(|e| source_chain(&e))?;
                    println!("Rolled back {steps} migration(s).");
                }
                MigrateAction::Status => {
                    for m in db.migration_status().await.map_err(|e| source_chain(&e))? {
                        println!(
                            "{} {}",
                            if m.applied { "applied" } else { "pending" },
                            m.name
                        );
                    }
                }
            }
            Ok(())
        }
        Command::CreateAdmin {
            email,
            password,
            name,
        } => {
            let db = connect(&cli.database_url).await?;
            db.migrate_up().await.map_err(|e| source_chain(&e))?;
            create_admin(&db, &email, &name, &password)
                .await
                .map_err(describe_api_error)?;
            println!("Admin {email} created.");
            Ok(())
        }
        Command::GcObjects { older_than_hours } => {
            let db = connect(&cli.database_url).await?;
            let ctx =
                service::Ctx::new(db, service::Config::default(), open_objects(&cli)?.shared());
            let removed = service::documents::collect_garbage(
                &ctx,
                chrono::Duration::hours(i64::from(older_than_hours)),
            )
            .await
            .map_err(describe_api_error)?;
            println!(
                "Removed {removed} unreferenced object(s) from {}.",
                ctx.objects().location()
            );
            Ok(())
        }
        Command::Demo => {
            let db = connect(&cli.database_url).await?;
            db.migrate_up().await.map_err(|e| source_chain(&e))?;
            let ctx =
                service::Ctx::new(db, service::Config::default(), open_objects(&cli)?.shared());
            match demo::load(&ctx).await.map_err(describe_api_error)? {
                DemoOutcome::Loaded(logins) => {
                    println!("Demo market loaded.");
                    print!("{}", demo::describe(&logins));
                    print!("{}", demo::summary(&ctx).await.map_err(describe_api_error)?);
                }
                DemoOutcome::AlreadyPopulated => {
                    println!(
                        "The database already holds organisations; the demo market was not loaded."
                    );
                    print!("{}", demo::describe(&demo::logins()));
                }
            }
            Ok(())
        }
        Command::Serve(args) => {
            let objects =
                crate::objects::Objects::open(cli.object_store.as_deref(), &cli.database_url)?;
            serve(&cli.database_url, objects, *args).await
        }
    }
}

pub async fn create_admin(
    db: &Db,
    email: &str,
    name: &str,
    password: &str,
) -> Result<(), ServiceError> {
    let new = NewUser::parse(email, name, password, Role::Admin)?;
    let hash = hash_password(&new.password).await?;
    let command = db.command().await?;
    let platforms = persistence::organisations::list(
        command.conn(),
        &OrganisationFilter {
            kind: Some(OrganisationKind::Platform),
        },
        domain::pagination::PageRequest::default(),
    )
    .await?;
    let platform = match platforms.items.into_iter().next() {
        Some(platform) => platform,
        None => {
            let new_platform = NewOrganisation::parse(
                "Commissioning Support Marketplace",
                OrganisationKind::Platform,
                None,
                None,
            )?;
            register_organisation(&command, None, &new_platform).await?
        }
    };
    register_user(&command, None, &new, &platform, &hash).await?;
    command.commit().await?;
    Ok(())
}

/// The file holding a generated JWT secret for a SQLite database, or `None` for an in-memory one.
pub fn secret_file_for(database_url: &str) -> Option<PathBuf> {
    let rest = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" || query.contains("mode=memory") {
        return None;
    }
    Some(PathBuf::from(format!("{path}.jwt-secret")))
}

fn random_secret() -> Result<String, String> {
    let mut bytes = [0_u8; 48];
    getrandom::fill(&mut bytes).map_err(|e| format!("cannot generate a secret: {e}"))?;
    Ok(hex::encode(bytes))
}

/// The token-signing secret: configured, or on SQLite generated once and kept beside the file.
pub fn resolve_jwt_secret(database_url: &str, configured: Option<&str>) -> Result<Vec<u8>, String> {
    if let Some(secret) = configured {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "MARKETPLACE_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes"
            ));
        }
        return Ok(secret.as_bytes().to_vec());
    }
    if !database_url.starts_with("sqlite:") {
        return Err("MARKETPLACE_JWT_SECRET must be set when running on PostgreSQL: every replica must sign with the same secret".to_owned());
    }
    let Some(path) = secret_file_for(database_url) else {
        tracing::warn!(
            "MARKETPLACE_JWT_SECRET is not set; using a temporary secret for this in-memory database (tokens end with the process)"
        );
        return random_secret().map(String::into_bytes);
    };
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if existing.len() >= MIN_SECRET_BYTES {
            tracing::warn!(file = %path.display(), "MARKETPLACE_JWT_SECRET is not set; using the development secret kept beside the database");
            return Ok(existing.as_bytes().to_vec());
        }
    }
    let secret = random_secret()?;
    write_private_file(&path, &secret)
        .map_err(|e| format!("cannot write the JWT secret to {}: {e}", path.display()))?;
    tracing::warn!(file = %path.display(), "MARKETPLACE_JWT_SECRET is not set; generated a development secret and stored it beside the database");
    Ok(secret.into_bytes())
}

fn write_private_file(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())
}

/// The file store the command line names (see [`Cli::object_store`]).
pub fn open_objects(cli: &Cli) -> Result<crate::objects::Objects, String> {
    crate::objects::Objects::open(cli.object_store.as_deref(), &cli.database_url)
}

/// Builds the application state for a connected, migrated database and its file store.
pub async fn build_state(
    db: Db,
    objects: Arc<dyn service::files::FileStore>,
    secret: &[u8],
    token_lifetime_seconds: u64,
) -> Result<AppState, ServiceError> {
    Ok(AppState {
        db: db.clone(),
        sessions: Arc::new(service::sessions::Sessions::new(secret, token_lifetime_seconds).await?),
        ctx: service::Ctx::new(db, service::Config::default(), objects),
    })
}

async fn serve(
    database_url: &str,
    objects: crate::objects::Objects,
    args: ServeArgs,
) -> Result<(), String> {
    tracing::info!(
        store = service::files::FileStore::location(&objects),
        "documents and attachments kept in"
    );
    let secret = resolve_jwt_secret(database_url, args.jwt_secret.as_deref())?;
    let mut settings = persistence::PoolSettings::for_url(database_url);
    if let Some(ms) = args.db_acquire_timeout_ms {
        settings.acquire_timeout = std::time::Duration::from_millis(ms);
    }
    if let Some(ms) = args.db_statement_timeout_ms {
        settings.statement_timeout = std::time::Duration::from_millis(ms);
    }
    let db = connect_with(database_url, settings).await?;
    if args.no_migrate {
        tracing::info!("skipping migrations (--no-migrate)");
    } else {
        db.migrate_up()
            .await
            .map_err(|e| format!("migrations failed: {}", source_chain(&e)))?;
    }
    if args.demo {
        let ctx = service::Ctx::new(
            db.clone(),
            service::Config::default(),
            objects.clone().shared(),
        );
        match demo::load(&ctx).await.map_err(describe_api_error)? {
            DemoOutcome::Loaded(logins) => {
                tracing::info!("demo market loaded");
                print!("{}", demo::describe(&logins));
                print!("{}", demo::summary(&ctx).await.map_err(describe_api_error)?);
            }
            DemoOutcome::AlreadyPopulated => {
                tracing::info!("database not empty; demo market not loaded");
                print!("{}", demo::describe(&demo::logins()));
            }
        }
    }
    let mut state = build_state(
        db.clone(),
        objects.shared(),
        &secret,
        args.token_lifetime_seconds,
    )
    .await
    .map_err(describe_api_error)?;
    if !(0.0..=10_000.0).contains(&args.hhi_moderate_from)
        || !(args.hhi_moderate_from..=10_000.0).contains(&args.hhi_high_above)
    {
        return Err(
            "the HHI thresholds must satisfy 0 <= moderate-from <= high-above <= 10000".to_owned(),
        );
    }
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    state.ctx = state.ctx.with_config(service::Config {
        search_total_limit: args.search_total_limit,
        concentration_scale: domain::market::ConcentrationScale {
            name: args.hhi_scale_name.clone(),
            moderate_from: args.hhi_moderate_from,
            high_above: args.hhi_high_above,
            ..domain::market::ConcentrationScale::default()
        },
        thresholds: domain::procurement::Thresholds::new(
            args.threshold_central_pence,
            args.threshold_sub_central_pence,
        )
        .map_err(|e| format!("the thresholds: {e}"))?,
        ocid_prefix: args.ocid_prefix.clone(),
        links_base: args
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{address}")),
        public_url: args.public_url.clone(),
        webhook_allow_http: args.webhook_allow_http,
        webhook_allow_private: args.webhook_allow_private,
    });
    let sweeper = tokio::spawn(crate::workers::settle_tenders(
        state.ctx.clone(),
        Duration::from_secs(args.settle_interval_seconds),
    ));
    let mailer = match &args.smtp_url {
        Some(url) => {
            let mailer = crate::mail::SmtpMailer::from_url(url, &args.mail_from)?;
            tracing::info!(server = mailer.server(), "notification emails go through");
            Some(tokio::spawn(crate::workers::send_emails(
                state.ctx.clone(),
                std::sync::Arc::new(mailer),
                Duration::from_millis(args.email_interval_ms),
            )))
        }
        None => {
            tracing::info!("MARKETPLACE_SMTP_URL is not set: notification emails are not sent");
            None
        }
    };
    let hooks = tokio::spawn(crate::workers::send_webhooks(
        state.ctx.clone(),
        Duration::from_millis(args.webhook_interval_ms),
    ));
    let purger = tokio::spawn(crate::workers::purge_idempotency_keys(
        state.ctx.clone(),
        Duration::from_secs(600),
    ));
    let metrics = match args.metrics_bind {
        Some(bind) => {
            let handle = crate::metrics::recorder()?;
            let listener = crate::metrics::bind(bind).await?;
            let address = listener.local_addr().map_err(|e| e.to_string())?;
            println!("Metrics: http://{address}/metrics");
            tracing::info!(%address, "metrics listening");
            Some(tokio::spawn(crate::metrics::serve(
                listener,
                handle,
                state.ctx.clone(),
            )))
        }
        None => None,
    };
    println!("Marketplace ready: http://{address}/");
    println!("API documentation: http://{address}/docs/");
    tracing::info!(%address, "listening");
    let limits = crate::rate_limit::RateLimits {
        user_per_minute: args.rate_limit_user_per_minute,
        organisation_per_minute: args.rate_limit_organisation_per_minute,
        address_per_minute: args.rate_limit_address_per_minute,
        trusted_proxies: args.trusted_proxies.clone(),
    };
    axum::serve(
        listener,
        app::router_with(state, &limits)
            .into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| format!("server error: {e}"))?;
    sweeper.abort();
    purger.abort();
    hooks.abort();
    if let Some(mailer) = mailer {
        mailer.abort();
    }
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    tracing::info!("shut down");
    let _ = db.close().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, letting in-flight requests finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_file_sits_beside_the_sqlite_file() {
        assert_eq!(
            secret_file_for("sqlite://marketplace.db?mode=rwc"),
            Some(PathBuf::from("marketplace.db.jwt-secret"))
        );
        assert_eq!(
            secret_file_for("sqlite:/var/lib/m/market.db"),
            Some(PathBuf::from("/var/lib/m/market.db.jwt-secret"))
        );
        assert_eq!(secret_file_for("sqlite::memory:"), None);
        assert_eq!(secret_file_for("postgres://postgres@localhost/db"), None);
    }

    #[test]
    fn postgres_without_a_secret_is_refused() {
        assert!(resolve_jwt_secret("postgres://postgres@127.0.0.1/x", None).is_err());
        assert!(resolve_jwt_secret("postgres://postgres@127.0.0.1/x", Some("short")).is_err());
        assert!(
            resolve_jwt_secret("postgres://postgres@127.0.0.1/x", Some(&"k".repeat(32))).is_ok()
        );
    }
}
