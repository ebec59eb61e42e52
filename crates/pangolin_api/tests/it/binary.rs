//! The `pangolin_api` binary: migrate, serve with bootstrap, readiness, graceful shutdown.

use std::process::{Command, Stdio};

use pangolin_core::{S3Credentials, S3Storage, Secret, StorageProfile, Warehouse, WarehouseId};
use pangolin_store::secrets::EncryptionKey;
use pangolin_store::sql::{SqlOptions, SqlStore};
use pangolin_store::{Tenants, Warehouses};

use crate::server::{BIN, ENCRYPTION_KEY, Server};

#[test]
fn migrate_then_serve_bootstraps_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(BIN)
        .arg("migrate")
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("PANGOLIN_DATABASE_URL")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(dir.path().join("pangolin.db").is_file());

    let server = Server::start(dir.path(), &["--no-migrate"], &[]);
    let config = server.get("/v1/config?warehouse=default").unwrap();
    assert_eq!(config.status(), 200);
    server.stop();

    // A restart keeps the data and does not bootstrap again.
    let server = Server::start(dir.path(), &[], &[]);
    let tenants: serde_json::Value = server.get("/api/v1/tenants").unwrap().json().unwrap();
    assert_eq!(tenants["items"].as_array().unwrap().len(), 1);
    server.stop();
}

#[test]
fn no_bootstrap_leaves_the_store_empty() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--no-bootstrap"], &[]);
    let tenants: serde_json::Value = server.get("/api/v1/tenants").unwrap().json().unwrap();
    assert_eq!(tenants["items"], serde_json::json!([]));
    let config = server.get("/v1/config?warehouse=default").unwrap();
    assert_eq!(config.status(), 404);
    server.stop();
}

#[test]
fn bad_configuration_fails_fast() {
    let output = Command::new(BIN)
        .args(["serve", "--database-url", "postgresql-ish://x"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let output = Command::new(BIN)
        .args(["serve", "--listen", "not-an-address"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let help = Command::new(BIN).arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    for env in [
        "PANGOLIN_LISTEN",
        "PANGOLIN_DATABASE_URL",
        "PANGOLIN_DATA_DIR",
    ] {
        assert!(text.contains(env), "--help mentions {env}");
    }
}

#[test]
fn dev_mode_needs_loopback_and_then_needs_no_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let refused = Command::new(BIN)
        .args(["serve", "--dev", "--listen", "0.0.0.0:0", "--data-dir"])
        .arg(dir.path())
        .env_remove("PANGOLIN_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stdout).contains("loopback"));

    let server = Server::start(dir.path(), &["--dev"], &[]);
    let anonymous =
        reqwest::blocking::get(format!("{}/v1/config?warehouse=default", server.url)).unwrap();
    assert_eq!(anonymous.status(), 200);
    server.stop();

    // Without dev mode the same request is refused.
    let server = Server::start(dir.path(), &[], &[]);
    let anonymous =
        reqwest::blocking::get(format!("{}/v1/config?warehouse=default", server.url)).unwrap();
    assert_eq!(anonymous.status(), 401);
    server.stop();
}

#[test]
fn weak_or_missing_token_secrets_refuse_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let weak = Command::new(BIN)
        .arg("serve")
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("PANGOLIN_DATABASE_URL")
        .env("PANGOLIN_JWT_SECRET", "too short")
        .output()
        .unwrap();
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stdout).contains("32 bytes"));
    let shared = Command::new(BIN)
        .arg("serve")
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("PANGOLIN_JWT_SECRET")
        .env("PANGOLIN_ENCRYPTION_KEY", crate::server::ENCRYPTION_KEY)
        .env(
            "PANGOLIN_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("x.db").display()),
        )
        .output()
        .unwrap();
    assert!(!shared.status.success());
    assert!(String::from_utf8_lossy(&shared.stdout).contains("PANGOLIN_JWT_SECRET"));
}

/// Runs `serve`, asserts that it refuses to start, and returns what it printed.
fn serve_refused(data_dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut command = Command::new(BIN);
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .args(args)
        .env_remove("PANGOLIN_DATABASE_URL")
        .env_remove("PANGOLIN_ENCRYPTION_KEY")
        .env("PANGOLIN_LOG", "info");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!output.status.success(), "the server started: {text}");
    text
}

/// The embedded default generates its encryption key in the data directory, readable only by its
/// owner; a server given another key refuses to start once secrets are stored, and one on a
/// database URL refuses to start without a key.
#[test]
fn warehouse_secrets_need_their_encryption_key() {
    let dir = tempfile::tempdir().unwrap();
    Server::start(dir.path(), &[], &[]).stop();
    let key_file = dir.path().join("encryption-key");
    let key = EncryptionKey::parse(&std::fs::read_to_string(&key_file).unwrap()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is private");
    }

    // Stored directly: the management API would first probe the (here unreachable) bucket.
    let url = format!("sqlite://{}", dir.path().join("pangolin.db").display());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = SqlStore::connect(&url, &SqlOptions::default(), &key)
            .await
            .unwrap();
        let tenant = store.get_tenant_by_name("default").await.unwrap();
        let warehouse = Warehouse {
            id: WarehouseId::generate(),
            tenant_id: tenant.id,
            name: "lake".into(),
            storage: StorageProfile::S3(S3Storage {
                bucket: "bucket".into(),
                key_prefix: None,
                region: "us-east-1".into(),
                endpoint: Some("http://127.0.0.1:9".into()),
                path_style_access: true,
                credentials: S3Credentials::Static {
                    access_key_id: "AK".into(),
                    secret_access_key: Secret::new("THE-SECRET-ACCESS-KEY"),
                    session_token: None,
                },
            }),
            created_at: 0,
            updated_at: 0,
        };
        store.create_warehouse(&warehouse).await.unwrap();
        store.close().await;
    });

    let refused = serve_refused(
        dir.path(),
        &[],
        &[("PANGOLIN_ENCRYPTION_KEY", ENCRYPTION_KEY)],
    );
    assert!(refused.contains("cannot be decrypted"), "{refused}");
    assert!(!refused.contains("THE-SECRET-ACCESS-KEY"), "{refused}");
    assert!(!refused.contains(ENCRYPTION_KEY), "{refused}");
    // The key in the data directory still opens it.
    Server::start(dir.path(), &[], &[]).stop();

    let refused = serve_refused(dir.path(), &["--database-url", &url], &[]);
    assert!(refused.contains("PANGOLIN_ENCRYPTION_KEY"), "{refused}");
}
