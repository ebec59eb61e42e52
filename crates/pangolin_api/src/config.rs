//! Configuration: command-line flags, each with a `PANGOLIN_*` environment variable, resolved in
//! one place (flag > environment > default).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::builder::BoolishValueParser;
use clap::{Parser, Subcommand, ValueEnum};
use pangolin_core::{Error, Result, Secret};
use pangolin_store::CatalogStore;
use pangolin_store::memory::MemoryStore;
use pangolin_store::secrets::EncryptionKey;
use pangolin_store::sql::{Backend, SqlOptions, SqlStore};

use crate::HttpSettings;
use crate::auth::jwt::JwtKeys;
use crate::http::client::TrustedProxies;
use crate::service::{AuthSettings, RateLimitSettings};

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

    /// Proxies (addresses or networks, comma-separated) whose `X-Forwarded-For` header names the
    /// client for per-IP rate limits and the audit log. Empty: the TCP peer is the client.
    #[arg(long, env = "PANGOLIN_TRUSTED_PROXIES", value_delimiter = ',', global = true,
        value_parser = TrustedProxies::parse_entry)]
    pub trusted_proxies: Vec<ipnet::IpNet>,

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

    /// Secret that signs access tokens (at least 32 bytes). Every instance on one database must
    /// share it. Without it, the embedded default (SQLite in the data directory) generates one in
    /// `<data-dir>/jwt-secret`; other databases refuse to start.
    #[arg(
        long,
        env = "PANGOLIN_JWT_SECRET",
        global = true,
        hide_env_values = true,
        value_parser = secret_arg
    )]
    pub jwt_secret: Option<Secret>,

    /// Key that encrypts warehouse secrets in the database (AES-256-GCM): 64 hexadecimal
    /// characters or the base64 encoding of 32 bytes. Every instance on one database must share
    /// it; back it up. If unset, the embedded default generates one in
    /// `<data-dir>/encryption-key`; with --database-url the server refuses to start.
    #[arg(
        long,
        env = "PANGOLIN_ENCRYPTION_KEY",
        global = true,
        hide_env_values = true,
        value_parser = secret_arg
    )]
    pub encryption_key: Option<Secret>,

    /// Seconds a token from login or the OAuth2 endpoint stays valid.
    #[arg(
        long,
        env = "PANGOLIN_TOKEN_TTL",
        default_value_t = 3600,
        global = true
    )]
    pub token_ttl: u64,

    /// Longest lifetime, in seconds, of a token an administrator issues.
    #[arg(long, env = "PANGOLIN_MAX_TOKEN_TTL", default_value_t = 30 * 24 * 3600, global = true)]
    pub max_token_ttl: u64,

    /// Seconds a resolved principal (token, account, grants) is reused before it is read again;
    /// changes made on another instance take effect within this time. 0 reads on every request.
    #[arg(
        long,
        env = "PANGOLIN_AUTH_CACHE_TTL",
        default_value_t = 5,
        global = true
    )]
    pub auth_cache_ttl: u64,

    /// Login and OAuth2 token requests allowed per minute from one client IP address (0: no
    /// limit). Excess requests get 429 with Retry-After.
    #[arg(
        long,
        env = "PANGOLIN_LOGIN_RATE_PER_IP",
        default_value_t = 60,
        global = true
    )]
    pub login_rate_per_ip: u32,

    /// Login and OAuth2 token requests allowed per minute for one account (login name or API
    /// key id; 0: no limit).
    #[arg(
        long,
        env = "PANGOLIN_LOGIN_RATE_PER_ACCOUNT",
        default_value_t = 10,
        global = true
    )]
    pub login_rate_per_account: u32,

    /// Days audit events are kept; older events are removed every 10 minutes. 0 keeps them
    /// forever.
    #[arg(
        long,
        env = "PANGOLIN_AUDIT_RETENTION_DAYS",
        default_value_t = 365,
        global = true
    )]
    pub audit_retention_days: u32,

    /// Password of the Root user `root` created on first start; without it a password is
    /// generated and printed once.
    #[arg(
        long,
        env = "PANGOLIN_ROOT_PASSWORD",
        global = true,
        hide_env_values = true,
        value_parser = secret_arg
    )]
    pub root_password: Option<Secret>,

    /// Development mode: requests without credentials act as a TenantAdmin of the `default`
    /// tenant. Refused unless the listen address is loopback.
    #[arg(long, env = "PANGOLIN_DEV", global = true,
        value_parser = BoolishValueParser::new(), default_value_t = false)]
    pub dev: bool,

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

/// The name of the generated JWT secret file in the data directory.
pub const JWT_SECRET_FILE: &str = "jwt-secret";

/// The name of the generated encryption key file in the data directory.
pub const ENCRYPTION_KEY_FILE: &str = "encryption-key";

/// Keeps a secret flag's value out of `Debug` output.
fn secret_arg(value: &str) -> std::result::Result<Secret, std::convert::Infallible> {
    Ok(Secret::new(value))
}

impl Settings {
    /// Whether the store is the embedded default (no `--database-url`), where secrets may be
    /// generated into the data directory.
    pub fn is_embedded_default(&self) -> bool {
        self.database_url.is_none()
    }

    /// The token signing secret: the configured one, or on the embedded default the one in the
    /// data directory (generated on first start, readable only by its owner).
    pub fn jwt_secret(&self) -> Result<Vec<u8>> {
        if let Some(secret) = &self.jwt_secret {
            return Ok(secret.expose().as_bytes().to_vec());
        }
        if !self.is_embedded_default() {
            return Err(Error::invalid(
                "PANGOLIN_JWT_SECRET is required with --database-url: every instance on a shared \
                 database must sign tokens with the same secret",
            ));
        }
        read_or_generate_secret(&self.data_dir.join(JWT_SECRET_FILE))
    }

    /// The key that encrypts warehouse secrets: the configured one, or on the embedded default the
    /// one in the data directory (generated on first start, readable only by its owner). `None`
    /// for `memory:`, which keeps nothing.
    pub fn encryption_key(&self) -> Result<Option<EncryptionKey>> {
        if let Some(key) = &self.encryption_key {
            return EncryptionKey::parse(key.expose())
                .map(Some)
                .map_err(|e| Error::invalid(format!("PANGOLIN_ENCRYPTION_KEY is invalid: {e}")));
        }
        if self.database_url() == "memory:" {
            return Ok(None);
        }
        if !self.is_embedded_default() {
            return Err(Error::invalid(
                "PANGOLIN_ENCRYPTION_KEY is required with --database-url: it encrypts the \
                 warehouse secrets in the database, and every instance on it must use the same key \
                 (generate one with `openssl rand -hex 32` and keep it safe)",
            ));
        }
        let path = self.data_dir.join(ENCRYPTION_KEY_FILE);
        let text = read_or_generate_secret(&path)?;
        let key = std::str::from_utf8(&text)
            .map_err(|_| Error::invalid("not UTF-8"))
            .and_then(EncryptionKey::parse)
            .map_err(|e| {
                Error::invalid(format!(
                    "{} does not hold a valid encryption key: {e}",
                    path.display()
                ))
            })?;
        Ok(Some(key))
    }

    /// The HTTP layer's settings.
    pub fn http_settings(&self) -> HttpSettings {
        HttpSettings {
            max_body_bytes: self.max_body_bytes,
            trusted_proxies: TrustedProxies::new(self.trusted_proxies.clone()),
        }
    }

    /// How long audit events are kept (`None`: forever).
    pub fn audit_retention(&self) -> Option<Duration> {
        (self.audit_retention_days > 0)
            .then(|| Duration::from_secs(u64::from(self.audit_retention_days) * 24 * 3600))
    }

    /// The authentication settings.
    pub fn auth_settings(&self) -> Result<AuthSettings> {
        Ok(AuthSettings {
            keys: JwtKeys::new(&self.jwt_secret()?)?,
            token_ttl: Duration::from_secs(self.token_ttl.max(1)),
            max_token_ttl: Duration::from_secs(self.max_token_ttl.max(1)),
            cache_ttl: Duration::from_secs(self.auth_cache_ttl),
            dev_mode: self.dev,
            rate_limits: RateLimitSettings {
                per_ip_per_minute: self.login_rate_per_ip,
                per_account_per_minute: self.login_rate_per_account,
            },
        })
    }
}

/// Reads a secret file, or creates it with 32 random bytes (hex) and mode 0600.
fn read_or_generate_secret(path: &std::path::Path) -> Result<Vec<u8>> {
    let io = |e: std::io::Error| Error::invalid(format!("cannot use {}: {e}", path.display()));
    match std::fs::read_to_string(path) {
        Ok(secret) => return Ok(secret.trim().as_bytes().to_vec()),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
        Err(_) => {}
    }
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            use std::io::Write;
            file.write_all(secret.as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(io)?;
            Ok(secret.into_bytes())
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read_to_string(path)
            .map(|s| s.trim().as_bytes().to_vec())
            .map_err(io),
        Err(e) => Err(io(e)),
    }
}

/// Opens the store a URL names; with `migrate`, brings its schema up to date. A SQL store needs
/// `key`: it checks that the stored warehouse secrets decrypt with it (refusing to open
/// otherwise) and encrypts those an older version stored in clear.
pub async fn open_store(
    url: &str,
    options: &SqlOptions,
    key: Option<&EncryptionKey>,
    migrate: bool,
) -> Result<Arc<dyn CatalogStore>> {
    if url == "memory:" {
        return Ok(Arc::new(MemoryStore::new()));
    }
    if Backend::for_url(url).is_some() {
        let key = key.ok_or_else(|| {
            Error::invalid("a SQL store needs an encryption key for the warehouse secrets")
        })?;
        let store = SqlStore::connect(url, options, key).await?;
        if migrate {
            store.migrate().await?;
        }
        match store.check_secrets().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                warehouses = n,
                "encrypted warehouse secrets stored in clear"
            ),
            Err(Error::Decryption { message }) => {
                return Err(Error::Decryption {
                    message: format!(
                        "{message}. Start the server with the encryption key they were encrypted \
                         with (PANGOLIN_ENCRYPTION_KEY, or the encryption-key file in the data \
                         directory)"
                    ),
                });
            }
            Err(e) => return Err(e),
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
        Some(_) => pangolin_store::sql::migrate_database(url, options).await,
        None => open_store(url, options, None, false).await.map(|_| ()),
    }
}

#[cfg(test)]
mod tests {
    use pangolin_core::{
        S3Credentials, S3Storage, StorageProfile, Tenant, TenantId, Warehouse, WarehouseId,
    };

    use super::*;

    fn settings(args: &[&str]) -> Settings {
        let mut argv = vec!["pangolin_api"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).unwrap().settings
    }

    fn dir_arg(dir: &tempfile::TempDir) -> String {
        dir.path().display().to_string()
    }

    const HEX_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn trusted_proxies_are_a_comma_separated_list() {
        let http = settings(&["--trusted-proxies", "10.0.0.0/8, 192.0.2.1"]).http_settings();
        let expected = ["10.0.0.0/8", "192.0.2.1/32"].map(|n| n.parse().unwrap());
        assert_eq!(http.trusted_proxies, TrustedProxies::new(expected.to_vec()));
        assert_eq!(
            settings(&[]).http_settings().trusted_proxies,
            TrustedProxies::default()
        );
        let argv = [
            "pangolin_api",
            "--trusted-proxies",
            "10.0.0.0/8,proxy.internal",
        ];
        let err = Cli::try_parse_from(argv).unwrap_err().to_string();
        assert!(err.contains("proxy.internal"), "{err}");
    }

    #[test]
    fn audit_events_are_kept_a_year_unless_configured() {
        let day = Duration::from_secs(24 * 3600);
        assert_eq!(settings(&[]).audit_retention(), Some(365 * day));
        let week = settings(&["--audit-retention-days", "7"]);
        assert_eq!(week.audit_retention(), Some(7 * day));
        let forever = settings(&["--audit-retention-days", "0"]);
        assert_eq!(forever.audit_retention(), None);
    }

    #[test]
    fn the_embedded_default_generates_a_private_key_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let settings = settings(&["--data-dir", &dir_arg(&dir)]);
        let key = settings.encryption_key().unwrap().unwrap();
        let path = dir.path().join(ENCRYPTION_KEY_FILE);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(EncryptionKey::parse(&text).unwrap(), key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(settings.encryption_key().unwrap().unwrap(), key);
    }

    #[test]
    fn a_configured_key_wins_and_is_never_shown() {
        let dir = tempfile::tempdir().unwrap();
        let settings = settings(&[
            "--data-dir",
            &dir_arg(&dir),
            "--database-url",
            "postgres://db/pangolin",
            "--encryption-key",
            HEX_KEY,
        ]);
        assert_eq!(
            settings.encryption_key().unwrap().unwrap(),
            EncryptionKey::parse(HEX_KEY).unwrap()
        );
        assert!(!format!("{settings:?}").contains(HEX_KEY));
        assert!(!dir.path().join(ENCRYPTION_KEY_FILE).exists());
    }

    #[test]
    fn a_database_url_requires_a_key() {
        let dir = tempfile::tempdir().unwrap();
        for url in ["postgres://db/pangolin", "sqlite:///srv/pangolin.db"] {
            let err = settings(&["--data-dir", &dir_arg(&dir), "--database-url", url])
                .encryption_key()
                .unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
            assert!(err.to_string().contains("PANGOLIN_ENCRYPTION_KEY"), "{err}");
        }
        let memory = settings(&["--data-dir", &dir_arg(&dir), "--database-url", "memory:"]);
        assert!(memory.encryption_key().unwrap().is_none());
        assert!(!dir.path().join(ENCRYPTION_KEY_FILE).exists());
    }

    #[test]
    fn malformed_keys_are_refused_without_echo() {
        let dir = tempfile::tempdir().unwrap();
        let err = settings(&[
            "--data-dir",
            &dir_arg(&dir),
            "--encryption-key",
            "correct horse battery staple",
        ])
        .encryption_key()
        .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
        assert!(!err.to_string().contains("horse"), "{err}");

        std::fs::write(dir.path().join(ENCRYPTION_KEY_FILE), "truncated").unwrap();
        let err = settings(&["--data-dir", &dir_arg(&dir)])
            .encryption_key()
            .unwrap_err();
        assert!(err.to_string().contains(ENCRYPTION_KEY_FILE), "{err}");
    }

    async fn store_an_s3_warehouse(url: &str, key: &EncryptionKey) {
        let store = open_store(url, &SqlOptions::default(), Some(key), true)
            .await
            .unwrap();
        let tenant = Tenant {
            id: TenantId::generate(),
            name: "acme".into(),
            properties: Default::default(),
            created_at: 0,
            updated_at: 0,
        };
        store.create_tenant(&tenant).await.unwrap();
        let storage = StorageProfile::S3(S3Storage {
            bucket: "bucket".into(),
            key_prefix: None,
            region: "us-east-1".into(),
            endpoint: None,
            path_style_access: false,
            credentials: S3Credentials::Static {
                access_key_id: "AK".into(),
                secret_access_key: pangolin_core::Secret::new("SK"),
                session_token: None,
            },
        });
        let warehouse = Warehouse {
            id: WarehouseId::generate(),
            tenant_id: tenant.id,
            name: "lake".into(),
            storage,
            created_at: 0,
            updated_at: 0,
        };
        store.create_warehouse(&warehouse).await.unwrap();
    }

    #[tokio::test]
    async fn a_sql_store_refuses_to_open_with_another_key() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("pangolin.db").display());
        let key = EncryptionKey::generate();
        store_an_s3_warehouse(&url, &key).await;

        let options = SqlOptions::default();
        let err = open_store(&url, &options, Some(&EncryptionKey::generate()), true)
            .await
            .expect_err("opened with the wrong key");
        assert!(matches!(err, Error::Decryption { .. }), "{err:?}");
        assert!(err.to_string().contains("PANGOLIN_ENCRYPTION_KEY"), "{err}");
        let err = open_store(&url, &options, None, true)
            .await
            .expect_err("opened without a key");
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
        assert!(open_store(&url, &options, Some(&key), false).await.is_ok());
        // Migrating needs no key.
        migrate(&url, &options).await.unwrap();
    }
}
