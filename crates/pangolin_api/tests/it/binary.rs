//! The `pangolin_api` binary: migrate, serve with bootstrap, readiness, graceful shutdown.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_pangolin_api");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(data_dir: &std::path::Path, extra: &[&str]) -> Server {
        let port = free_port();
        let child = Command::new(BIN)
            .arg("serve")
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(data_dir)
            .args(extra)
            .env_remove("PANGOLIN_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let server = Server { child, url };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(response) = reqwest::blocking::get(format!("{}/health/ready", self.url))
                && response.status().is_success()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not become ready");
    }

    fn get(&self, path: &str) -> reqwest::blocking::Response {
        reqwest::blocking::get(format!("{}{path}", self.url)).unwrap()
    }

    /// Sends SIGTERM and waits for a clean exit.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exit status {status}");
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

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

    let server = Server::start(dir.path(), &["--no-migrate"]);
    let config = server.get("/v1/config?warehouse=default");
    assert_eq!(config.status(), 200);
    server.stop();

    // A restart keeps the data and does not bootstrap again.
    let server = Server::start(dir.path(), &[]);
    let tenants: serde_json::Value = server.get("/api/v1/tenants").json().unwrap();
    assert_eq!(tenants["items"].as_array().unwrap().len(), 1);
    server.stop();
}

#[test]
fn no_bootstrap_leaves_the_store_empty() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--no-bootstrap"]);
    let tenants: serde_json::Value = server.get("/api/v1/tenants").json().unwrap();
    assert_eq!(tenants["items"], serde_json::json!([]));
    let config = server.get("/v1/config?warehouse=default");
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
