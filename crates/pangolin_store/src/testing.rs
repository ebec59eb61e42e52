//! Test support: throwaway PostgreSQL databases.
//!
//! [`postgres_database`] hands every test its own fresh database on one server per test process:
//! the server named by `PANGOLIN_TEST_POSTGRES_URL` when set, otherwise a cluster started from the
//! system's PostgreSQL binaries by `scripts/pg-cluster.sh` on a free loopback port, which stops when
//! the test process exits. When neither is possible the test fails with the reason; it never
//! passes without PostgreSQL.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use sqlx::{Connection, Executor};

/// The environment variable naming an existing PostgreSQL server for tests, e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres` (a user allowed to create databases).
pub const POSTGRES_URL_VAR: &str = "PANGOLIN_TEST_POSTGRES_URL";

fn cluster_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg-cluster.sh")
}

/// A PostgreSQL cluster started for tests by `scripts/pg-cluster.sh`.
#[derive(Debug)]
pub struct PostgresCluster {
    dir: String,
    url: String,
    owned: bool,
}

impl PostgresCluster {
    /// Starts a cluster that lives until this value is dropped (and at the latest until the test
    /// process exits). Panics with the script's explanation when PostgreSQL cannot be started.
    pub fn start() -> Self {
        let mut cluster = Self::start_watched();
        cluster.owned = true;
        cluster
    }

    /// Starts a cluster that lives until the test process exits.
    fn start_watched() -> Self {
        let output = Command::new("bash")
            .arg(cluster_script())
            .args(["start", "--watch", &std::process::id().to_string()])
            .output()
            .unwrap_or_else(|e| panic!("cannot run scripts/pg-cluster.sh: {e}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "PostgreSQL tests need a server: set {POSTGRES_URL_VAR} or install the PostgreSQL \
             server binaries (initdb, pg_ctl). scripts/pg-cluster.sh said:\n{}{}",
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
        let value = |key: &str| {
            stdout
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .unwrap_or_else(|| panic!("scripts/pg-cluster.sh printed no {key}: {stdout}"))
                .to_owned()
        };
        Self {
            dir: value("PGCLUSTER_DIR="),
            url: format!("{}/postgres", value("PGCLUSTER_URL=")),
            owned: false,
        }
    }

    /// The URL of the cluster's `postgres` database (superuser `postgres`, trust authentication).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops the server abruptly, as an outage would; [`Self::resume`] starts it again.
    pub fn kill(&self) {
        self.run("kill");
    }

    /// Starts a killed server again on the same port.
    pub fn resume(&self) {
        self.run("resume");
    }

    fn run(&self, action: &str) {
        let status = Command::new("bash")
            .arg(cluster_script())
            .args([action, &self.dir])
            .status()
            .unwrap_or_else(|e| panic!("cannot run scripts/pg-cluster.sh: {e}"));
        assert!(status.success(), "scripts/pg-cluster.sh {action} failed");
    }
}

impl Drop for PostgresCluster {
    fn drop(&mut self) {
        if self.owned {
            let _ = Command::new("bash")
                .arg(cluster_script())
                .args(["stop", &self.dir])
                .status();
        }
    }
}

/// The server every test of this process shares.
fn shared_server() -> &'static str {
    static SERVER: OnceLock<String> = OnceLock::new();
    SERVER.get_or_init(|| match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => url,
        _ => PostgresCluster::start_watched().url.clone(),
    })
}

/// Creates a fresh, empty database on `server_url` (any database URL of a user allowed to create
/// databases) and returns its URL.
pub async fn create_database(server_url: &str) -> String {
    let name = format!("pangolin_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(server_url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to PostgreSQL at {server_url}: {e}"));
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .unwrap_or_else(|e| panic!("cannot create a test database: {e}"));
    let _ = conn.close().await;
    let mut url = url::Url::parse(server_url).expect("a PostgreSQL URL");
    url.set_path(&name);
    url.to_string()
}

/// A fresh, empty database for one test, on the shared test server.
pub async fn postgres_database() -> String {
    create_database(shared_server()).await
}
