//! Runs the real `pangolin_api` binary for tests that need processes (bootstrap, signals, several
//! instances on one database, database outages).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_pangolin_api");

/// The Root password every test server is started with.
pub const ROOT_PASSWORD: &str = "root password for tests";
/// The token signing secret every test server is started with (instances on one database share
/// it).
pub const JWT_SECRET: &str = "a test secret of at least 32 bytes!!";
/// The encryption key of servers on a database named by `PANGOLIN_DATABASE_URL` (which require
/// one); every instance on one database must share it.
pub const ENCRYPTION_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running server process; killed when dropped unless stopped. Its requests are authenticated
/// as the Root user.
pub struct Server {
    child: Child,
    pub url: String,
    /// A token of the Root user.
    pub token: String,
}

impl Server {
    /// Starts `pangolin_api serve` on a free port with `data_dir`, extra flags and environment
    /// variables, and waits until it is ready.
    pub fn start(data_dir: &Path, flags: &[&str], env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let mut command = Command::new(BIN);
        command
            .arg("serve")
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(data_dir)
            .args(flags)
            .env_remove("PANGOLIN_DATABASE_URL")
            .env_remove("PANGOLIN_ENCRYPTION_KEY")
            .env("PANGOLIN_LOG", "warn")
            .env("PANGOLIN_ROOT_PASSWORD", ROOT_PASSWORD)
            .env("PANGOLIN_JWT_SECRET", JWT_SECRET)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut server = Server {
            child: command.spawn().unwrap(),
            url: format!("http://127.0.0.1:{port}"),
            token: String::new(),
        };
        server.wait_ready();
        server.token = server.login();
        server
    }

    /// Logs in as the Root user.
    fn login(&self) -> String {
        let response = reqwest::blocking::Client::new()
            .post(format!("{}/api/v1/users/login", self.url))
            .json(&serde_json::json!({"username": "root", "password": ROOT_PASSWORD}))
            .timeout(Duration::from_secs(30))
            .send()
            .unwrap();
        assert_eq!(response.status(), 200, "logging in as root");
        let body: serde_json::Value = response.json().unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self
                .get("/health/ready")
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not become ready");
    }

    /// A blocking GET.
    pub fn get(&self, path: &str) -> reqwest::Result<reqwest::blocking::Response> {
        reqwest::blocking::Client::new()
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(30))
            .send()
    }

    /// A blocking POST of a JSON body.
    pub fn post(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Result<reqwest::blocking::Response> {
        reqwest::blocking::Client::new()
            .post(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .json(body)
            .timeout(Duration::from_secs(30))
            .send()
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn stop(mut self) {
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

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
