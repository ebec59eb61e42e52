//! The `pangolin_api` binary: migrate, serve with bootstrap, readiness, graceful shutdown.

use std::process::{Command, Stdio};

use crate::server::{BIN, Server};

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
        .env(
            "PANGOLIN_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("x.db").display()),
        )
        .output()
        .unwrap();
    assert!(!shared.status.success());
    assert!(String::from_utf8_lossy(&shared.stdout).contains("PANGOLIN_JWT_SECRET"));
}
