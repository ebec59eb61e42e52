//! The SQL backends: SQLite (the embedded default) and PostgreSQL (production), one implementation
//! over sqlx's `Any` driver. Queries are written once in SQL both databases accept (`$N`
//! parameters, `RETURNING`, keyset pagination); the few differences (connection setup, row locks,
//! migrations, error codes) are handled by [`Backend`] and `sql_error`.
//!
//! SQLite writes go through a pool of exactly one connection, so write transactions never contend
//! for SQLite's single write lock inside one process; reads use a separate pool of read-only
//! connections that run in parallel in WAL mode. PostgreSQL uses one pool for both, and relies on
//! row-level compare-and-swap and foreign keys for correctness across many server instances.
//!
//! Warehouse secrets are stored encrypted under the store's [`EncryptionKey`] (ADR 0010): every
//! `SqlStore` has a key, and [`SqlStore::check_secrets`] verifies it at startup.

mod api_keys;
mod audit;
mod catalogs;
mod grants;
mod metrics;
mod namespaces;
mod roles;
mod rows;
mod tabulars;
mod tenants;
mod tokens;
mod users;

pub use tabulars::LOAD_TABULAR;
mod warehouses;

use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures::future::BoxFuture;
use pangolin_core::{CatalogId, Entity, Error, PageRequest, Result, TenantId};
use sqlx::Executor;
use sqlx::any::AnyPoolOptions;
use sqlx::pool::PoolConnectionMetadata;
use sqlx::{AnyConnection, AnyPool};

use crate::Health;
use crate::secrets::{EncryptionKey, SecretCipher};
use crate::sql_error::map;

/// The SQLite migrations (`migrations/sqlite`), embedded at build time.
pub static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
/// The PostgreSQL migrations (`migrations/postgres`), embedded at build time. They are never
/// schema-qualified: a deployment picks its schema with `search_path`.
pub static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// Which database a [`SqlStore`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite (`sqlite://<path>`).
    Sqlite,
    /// PostgreSQL (`postgres://...` or `postgresql://...`).
    Postgres,
}

impl Backend {
    /// The backend a database URL names, if it is a SQL one.
    pub fn for_url(url: &str) -> Option<Self> {
        let scheme = url.split(':').next()?;
        match scheme {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }

    fn migrator(self) -> &'static sqlx::migrate::Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        }
    }

    /// The clause that locks the rows a `SELECT` read inside a transaction. SQLite needs none:
    /// its single writer connection already serializes write transactions.
    fn for_update(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }
}

/// Connection settings for [`SqlStore::connect`].
#[derive(Clone, Debug)]
pub struct SqlOptions {
    /// Most connections in the pool (PostgreSQL), or read connections (SQLite, where at most twice
    /// the number of CPUs are used).
    pub max_connections: u32,
    /// How long a request waits for a pooled connection, including establishing a new one,
    /// before the store reports `Unavailable`.
    pub acquire_timeout: Duration,
    /// How long `connect` keeps retrying an unreachable database (e.g. one still starting).
    pub connect_timeout: Duration,
    /// Statements running longer are cancelled (PostgreSQL `statement_timeout`); `None` for no
    /// limit. For SQLite it is how long a writer waits for another process's lock.
    pub statement_timeout: Option<Duration>,
}

impl Default for SqlOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(30),
            statement_timeout: Some(Duration::from_secs(30)),
        }
    }
}

/// A SQL-backed store.
#[derive(Debug, Clone)]
pub struct SqlStore {
    backend: Backend,
    read: AnyPool,
    write: AnyPool,
    /// Encrypts the warehouse secrets it writes and decrypts those it reads.
    cipher: Arc<SecretCipher>,
}

/// Applies pending migrations to the database `url` names, connecting as
/// [`SqlStore::connect`] does; needs no encryption key, since migrations never touch secrets.
pub async fn migrate_database(url: &str, options: &SqlOptions) -> Result<()> {
    let pools = Pools::connect(url, options).await?;
    let result = run_migrations(pools.backend, &pools.write).await;
    pools.write.close().await;
    pools.read.close().await;
    result
}

/// The connection pools of a store: one for both on PostgreSQL, a single writer and several
/// readers on SQLite.
#[derive(Debug)]
struct Pools {
    backend: Backend,
    read: AnyPool,
    write: AnyPool,
}

impl SqlStore {
    /// Connects to the database `url` names (creating a SQLite file if missing), retrying for up
    /// to `options.connect_timeout`. Warehouse secrets are encrypted under `key`. Does not
    /// migrate.
    pub async fn connect(url: &str, options: &SqlOptions, key: &EncryptionKey) -> Result<Self> {
        let pools = Pools::connect(url, options).await?;
        Ok(Self {
            backend: pools.backend,
            read: pools.read,
            write: pools.write,
            cipher: Arc::new(SecretCipher::new(key)),
        })
    }
}

impl Pools {
    /// Connects, retrying an unreachable database for up to `options.connect_timeout`.
    async fn connect(url: &str, options: &SqlOptions) -> Result<Self> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let backend = Backend::for_url(url).ok_or_else(|| {
            Error::invalid(format!("'{url}' is not a sqlite:// or postgres:// URL"))
        })?;
        if backend == Backend::Sqlite && url.contains(":memory:") {
            // The reader and writer pools would each get their own, different database.
            return Err(Error::invalid(
                "in-memory SQLite is not supported; use memory: for a store that keeps nothing",
            ));
        }
        let deadline = Instant::now() + options.connect_timeout;
        loop {
            match Self::open(backend, url, options).await {
                Ok(store) => return Ok(store),
                Err(Error::Unavailable { .. }) if Instant::now() < deadline => {
                    tracing::warn!("the database is not reachable yet; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn open(backend: Backend, url: &str, options: &SqlOptions) -> Result<Self> {
        let pool = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(options.acquire_timeout)
                // Broken connections surface as errors and are dropped; a ping before every
                // acquire would double the round trips of the hot paths.
                .test_before_acquire(false)
        };
        match backend {
            Backend::Sqlite => {
                let busy_ms = options
                    .statement_timeout
                    .map_or(5_000, |t| t.as_millis() as u64);
                let pragmas = format!(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {busy_ms};"
                );
                let with_mode = |mode: &str| match url.split_once('?') {
                    Some((base, query)) if !query.is_empty() => {
                        format!("{base}?{query}&mode={mode}")
                    }
                    _ => format!("{}?mode={mode}", url.trim_end_matches('?')),
                };
                let write = pool(1)
                    .after_connect(run_on_connect(pragmas.clone()))
                    .connect(&with_mode("rwc"))
                    .await
                    .map_err(map)?;
                // Each SQLite connection has its own worker thread and page cache; more readers
                // than twice the cores add memory, not throughput.
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
                let read = pool(options.max_connections.clamp(1, 2 * cores))
                    .after_connect(run_on_connect(pragmas))
                    .connect(&with_mode("ro"))
                    .await
                    .map_err(map)?;
                Ok(Self {
                    backend,
                    read,
                    write,
                })
            }
            Backend::Postgres => {
                let timeout_ms = options
                    .statement_timeout
                    .map_or(0, |t| t.as_millis() as u64);
                let pool = pool(options.max_connections.max(1))
                    .after_connect(run_on_connect(format!(
                        "SET statement_timeout = {timeout_ms}"
                    )))
                    .connect(url)
                    .await
                    .map_err(map)?;
                Ok(Self {
                    backend,
                    read: pool.clone(),
                    write: pool,
                })
            }
        }
    }
}

impl SqlStore {
    /// Which database this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies pending migrations; a no-op when the schema is current.
    pub async fn migrate(&self) -> Result<()> {
        run_migrations(self.backend, &self.write).await
    }

    /// Closes the pools, waiting for in-flight statements.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    /// Resolves a catalog id by name inside `tenant`, on the given executor.
    async fn catalog_id<'e, E>(executor: E, tenant: TenantId, catalog: &str) -> Result<CatalogId>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let id: Option<String> =
            sqlx::query_scalar("SELECT id FROM catalogs WHERE tenant_id = $1 AND name = $2")
                .bind(tenant.to_string())
                .bind(catalog)
                .fetch_optional(executor)
                .await
                .map_err(map)?;
        let id = id.ok_or_else(|| Error::not_found(Entity::Catalog, catalog))?;
        rows::parse_id(&id)
    }
}

async fn run_migrations(backend: Backend, write: &AnyPool) -> Result<()> {
    backend
        .migrator()
        .run(write)
        .await
        .map_err(|e| Error::backend("applying database migrations failed", e))
}

#[async_trait]
impl Health for SqlStore {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .map(|_| ())
            .map_err(map)
    }
}

/// A pool hook that runs `sql` on every new connection (session settings).
fn run_on_connect(
    sql: String,
) -> impl for<'c> Fn(&'c mut AnyConnection, PoolConnectionMetadata) -> BoxFuture<'c, sqlx::Result<()>>
+ Send
+ Sync
+ 'static {
    move |conn, _| {
        let sql = sql.clone();
        Box::pin(async move { conn.execute(sqlx::AssertSqlSafe(sql)).await.map(|_| ()) })
    }
}

/// The `tenant_scope` column's value: the tenant's id, or `root` for Root users and their tokens,
/// who belong to no tenant.
fn tenant_scope(tenant: Option<TenantId>) -> String {
    tenant.map_or_else(|| "root".to_owned(), |t| t.to_string())
}

/// The `LIMIT` for a page request: the overfetch count, or the largest value for no limit (both
/// databases accept it, unlike SQLite's `-1` or PostgreSQL's `ALL`).
fn sql_limit(page: &PageRequest) -> i64 {
    page.fetch_limit().map_or(i64::MAX, |l| l as i64)
}
