//! Configuration: command-line flags, each with a `PANGOLIN_*` environment variable, resolved in
//! one place (flag > environment > default).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::builder::BoolishValueParser;
use clap::{Parser, Subcommand, ValueEnum};
use pangolin_core::{Error, Result};
use pangolin_store::CatalogStore;
use pangolin_store::memory::MemoryStore;
use pangolin_store::sql::{Backend, SqlOptions, SqlStore};

/// Pangolin: a multi-tenant Apache Iceberg REST catalog.
#[derive(Debug, Parser)]
#[command(name = "pangolin_api", version, about, long_about = None)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Settings shared by every command.
    #[command(flatten)]
    pub settings: Settings,
}

/// The commands of the binary.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the management API's OpenAPI document and exit.
    Openapi,
}

/// Log output format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Every setting; each flag can also be given as the environment variable shown in `--help`.
#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port.
    #[arg(
        long,
        env = "PANGOLIN_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,

    /// Directory for the embedded database and the bootstrap warehouse.
    #[arg(
        long,
        env = "PANGOLIN_DATA_DIR",
        default_value = "./pangolin-data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// The metadata store: `sqlite://<path>`, `postgres://user:password@host:port/database` or
    /// `memory:` (nothing persists). [default: sqlite://<data-dir>/pangolin.db]
    #[arg(long, env = "PANGOLIN_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Most database connections per server (PostgreSQL), or SQLite read connections (capped at
    /// twice the number of CPUs).
    #[arg(
        long,
        env = "PANGOLIN_DATABASE_MAX_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub database_max_connections: u32,

    /// Seconds a request waits for a database connection (including opening one) before the
    /// server answers 503.
    #[arg(
        long,
        env = "PANGOLIN_DATABASE_ACQUIRE_TIMEOUT",
        default_value_t = 5,
        global = true
    )]
    pub database_acquire_timeout: u64,

    /// Seconds to keep retrying an unreachable database at startup (e.g. one still starting).
    #[arg(
        long,
        env = "PANGOLIN_DATABASE_CONNECT_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    pub database_connect_timeout: u64,

    /// Seconds after which a database statement is cancelled (PostgreSQL `statement_timeout`;
    /// for SQLite, how long a write waits for another process's lock); 0 for no limit.
    #[arg(
        long,
        env = "PANGOLIN_DATABASE_STATEMENT_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    pub database_statement_timeout: u64,

    /// Do not create the `default` tenant, warehouse and catalog on an empty store.
    #[arg(long, env = "PANGOLIN_NO_BOOTSTRAP", global = true,
        value_parser = BoolishValueParser::new(), default_value_t = false)]
    pub no_bootstrap: bool,

    /// Do not apply database migrations at startup (apply them with `migrate`).
    #[arg(long, env = "PANGOLIN_NO_MIGRATE", global = true,
        value_parser = BoolishValueParser::new(), default_value_t = false)]
    pub no_migrate: bool,

    /// Largest accepted request body in bytes; larger requests get 413.
    #[arg(long, env = "PANGOLIN_MAX_BODY_BYTES", default_value_t = 16 * 1024 * 1024, global = true)]
    pub max_body_bytes: usize,

    /// Log filter, in `tracing` env-filter syntax (e.g. `info`, `pangolin_api=debug`).
    #[arg(long, env = "PANGOLIN_LOG", default_value = "info", global = true)]
    pub log: String,

    /// Log format.
    #[arg(
        long,
        env = "PANGOLIN_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,

    /// Seconds to wait for in-flight requests after SIGTERM or Ctrl-C.
    #[arg(
        long,
        env = "PANGOLIN_SHUTDOWN_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    pub shutdown_timeout: u64,
}

impl Settings {
    /// The store URL, defaulting to the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("pangolin.db").display()))
    }

    /// The SQL connection settings.
    pub fn sql_options(&self) -> SqlOptions {
        SqlOptions {
            max_connections: self.database_max_connections,
            acquire_timeout: Duration::from_secs(self.database_acquire_timeout),
            connect_timeout: Duration::from_secs(self.database_connect_timeout),
            statement_timeout: (self.database_statement_timeout > 0)
                .then(|| Duration::from_secs(self.database_statement_timeout)),
        }
    }
}

/// Opens the store a URL names; with `migrate`, brings its schema up to date.
pub async fn open_store(
    url: &str,
    options: &SqlOptions,
    migrate: bool,
) -> Result<Arc<dyn CatalogStore>> {
    if url == "memory:" {
        return Ok(Arc::new(MemoryStore::new()));
    }
    if Backend::for_url(url).is_some() {
        let store = SqlStore::connect(url, options).await?;
        if migrate {
            store.migrate().await?;
        }
        return Ok(Arc::new(store));
    }
    let scheme = url.split(':').next().unwrap_or_default();
    Err(Error::invalid(format!(
        "unsupported database URL scheme '{scheme}': use sqlite://<path>, postgres://... or memory:"
    )))
}

/// Applies the migrations of the store `url` names (nothing to do for `memory:`).
pub async fn migrate(url: &str, options: &SqlOptions) -> Result<()> {
    match Backend::for_url(url) {
        Some(_) => SqlStore::connect(url, options).await?.migrate().await,
        None => open_store(url, options, false).await.map(|_| ()),
    }
}
