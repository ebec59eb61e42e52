//! The SQLite backend: Pangolin's embedded default.
//!
//! Writes go through a pool of exactly one connection, so write transactions never contend for
//! SQLite's single write lock inside one process; reads use a separate pool of read-only
//! connections that run in parallel thanks to WAL mode. The schema lives in `migrations/sqlite`
//! and is embedded in the binary.

mod catalogs;
mod metrics;
mod namespaces;
mod rows;
mod tabulars;
mod tenants;
mod warehouses;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use pangolin_core::{CatalogId, Entity, Error, Result, TenantId};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::Health;
use crate::sql_error::map;

/// The migrations in `migrations/sqlite`, embedded at build time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// Connection settings for [`SqliteStore::connect`].
#[derive(Clone, Debug)]
pub struct SqliteOptions {
    /// How many read-only connections to keep.
    pub read_connections: u32,
    /// How long a writer waits for SQLite's lock (held by another process) before giving up.
    pub busy_timeout: Duration,
    /// How long a request waits for a free connection before the store reports `Unavailable`.
    pub acquire_timeout: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            read_connections: 4,
            busy_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

/// The SQLite backend.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://<path>`). Does not migrate.
    pub async fn connect(url: &str, options: &SqliteOptions) -> Result<Self> {
        let base = SqliteConnectOptions::from_str(url)
            .map_err(|e| Error::invalid(format!("invalid SQLite URL '{url}': {e}")))?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(options.busy_timeout);
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(base.clone().create_if_missing(true))
            .await
            .map_err(map)?;
        let read = SqlitePoolOptions::new()
            .max_connections(options.read_connections.max(1))
            .acquire_timeout(options.acquire_timeout)
            .connect_with(base.read_only(true))
            .await
            .map_err(map)?;
        Ok(Self { read, write })
    }

    /// Applies pending migrations; a no-op when the schema is current.
    pub async fn migrate(&self) -> Result<()> {
        MIGRATOR
            .run(&self.write)
            .await
            .map_err(|e| Error::backend("applying SQLite migrations failed", e))
    }

    /// Closes both pools, waiting for in-flight statements.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    /// Resolves a catalog id by name inside `tenant`, on the given executor.
    async fn catalog_id<'e, E>(executor: E, tenant: TenantId, catalog: &str) -> Result<CatalogId>
    where
        E: sqlx::Executor<'e, Database = sqlx::Sqlite>,
    {
        let id: Option<String> =
            sqlx::query_scalar("SELECT id FROM catalogs WHERE tenant_id = ?1 AND name = ?2")
                .bind(tenant.to_string())
                .bind(catalog)
                .fetch_optional(executor)
                .await
                .map_err(map)?;
        let id = id.ok_or_else(|| Error::not_found(Entity::Catalog, catalog))?;
        rows::parse_id(&id)
    }
}

#[async_trait]
impl Health for SqliteStore {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .map(|_| ())
            .map_err(map)
    }
}

/// SQLite's `LIMIT` for a page request: the overfetch count, or -1 for no limit.
fn sql_limit(page: &pangolin_core::PageRequest) -> i64 {
    page.fetch_limit().map_or(-1, |l| l as i64)
}
