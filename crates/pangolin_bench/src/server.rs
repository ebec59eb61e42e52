//! Spawning, pinning, readiness-polling and stopping a fresh Pangolin server.

use std::{
    fs::File,
    io::{BufRead, BufReader},
    net::TcpListener,
    path::{Path, PathBuf},
    process::{ExitStatus, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use nix::{
    sys::signal::{Signal, kill},
    unistd::Pid,
};
use tempfile::TempDir;
use tokio::process::{Child, Command};

use crate::{cli::CpuList, procfs};

/// A server process started by the benchmark, killed when dropped.
#[derive(Debug)]
pub struct SpawnedServer {
    child: Child,
    pub pid: u32,
    pub base_url: String,
    pub data_dir: TempDir,
    pub log_path: PathBuf,
    /// What was done to pin the server, for the report.
    pub pinning: Option<String>,
}

impl SpawnedServer {
    /// Starts `<bin> serve --listen 127.0.0.1:<free port> --data-dir <temp dir>` and waits
    /// until `GET /health/ready` answers 200.
    pub async fn start(
        bin: &Path,
        cpus: Option<&CpuList>,
        database_url: Option<&str>,
        http: &reqwest::Client,
        timeout: Duration,
    ) -> Result<Self> {
        if !bin.is_file() {
            bail!(
                "server binary {} not found; build it with `cargo build --release -p pangolin_api` \
                 or pass --server-bin / --url",
                bin.display()
            );
        }
        let data_dir = tempfile::Builder::new()
            .prefix("pangolin-bench-")
            .tempdir()
            .context("creating the server's temporary data directory")?;
        let log_path = data_dir.path().join("server.log");
        let log = File::create(&log_path).context("creating the server log file")?;
        let port = free_port()?;
        let listen = format!("127.0.0.1:{port}");

        let use_taskset = cpus.is_some() && taskset_available();
        let mut cmd = match (cpus, use_taskset) {
            (Some(cpus), true) => {
                let mut c = Command::new("taskset");
                c.arg("-c").arg(&cpus.spec).arg(bin);
                c
            }
            _ => Command::new(bin),
        };
        cmd.arg("serve")
            .arg("--listen")
            .arg(&listen)
            .arg("--data-dir")
            .arg(data_dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true);
        match database_url {
            Some(url) => cmd.env("PANGOLIN_DATABASE_URL", url),
            None => cmd.env_remove("PANGOLIN_DATABASE_URL"),
        };
        if database_url.is_some() && std::env::var_os("PANGOLIN_ENCRYPTION_KEY").is_none() {
            // A server on a database URL needs an encryption key. The bench's warehouses hold no
            // secrets, so a throwaway key (64 hex characters) does unless the caller set one.
            let key = format!(
                "{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            );
            cmd.env("PANGOLIN_ENCRYPTION_KEY", key);
        }
        let child = cmd
            .spawn()
            .with_context(|| format!("spawning {}", bin.display()))?;
        let pid = child.id().context("spawned server has no pid")?;
        let mut server = Self {
            child,
            pid,
            base_url: format!("http://{listen}"),
            data_dir,
            log_path,
            pinning: None,
        };
        if let Err(e) = server.wait_ready(http, timeout).await {
            return Err(e.context(format!(
                "server did not become ready; last log lines:\n{}",
                server.log_tail(20)
            )));
        }
        if let Some(cpus) = cpus {
            server.pinning = Some(if use_taskset {
                format!("spawned under `taskset -c {}`", cpus.spec)
            } else {
                let n = procfs::pin_all_threads(pid, &cpus.cpus)?;
                format!(
                    "taskset not found; sched_setaffinity({}) on its {n} threads after start",
                    cpus.spec
                )
            });
        }
        Ok(server)
    }

    async fn wait_ready(&mut self, http: &reqwest::Client, timeout: Duration) -> Result<()> {
        let url = format!("{}/health/ready", self.base_url);
        let deadline = Instant::now() + timeout;
        let mut last = String::from("no attempt");
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                bail!("server exited during startup with {status}");
            }
            match http.get(&url).send().await {
                Ok(r) if r.status().is_success() => return Ok(()),
                Ok(r) => last = format!("HTTP {}", r.status()),
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("GET {url} not 200 after {timeout:?} (last: {last})")
    }

    /// The last `n` lines of the server's stdout/stderr.
    pub fn log_tail(&self, n: usize) -> String {
        let Ok(file) = File::open(&self.log_path) else {
            return String::from("(no log)");
        };
        let lines: Vec<String> = BufReader::new(file).lines().map_while(Result::ok).collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    /// Whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends SIGTERM, waits up to 10 s for a graceful exit, then SIGKILLs.
    pub async fn stop(mut self) -> Result<ExitStatus> {
        if let Some(status) = self.child.try_wait()? {
            return Ok(status);
        }
        let pid = i32::try_from(self.pid).context("pid out of range")?;
        kill(Pid::from_raw(pid), Signal::SIGTERM).context("SIGTERM to server")?;
        match tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await {
            Ok(status) => Ok(status?),
            Err(_) => {
                self.child.kill().await?;
                Ok(self.child.wait().await?)
            }
        }
    }
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

fn taskset_available() -> bool {
    std::process::Command::new("taskset")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
