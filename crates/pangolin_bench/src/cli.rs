//! Command-line interface: every clap type lives here.

use std::{fmt, path::PathBuf, str::FromStr, time::Duration};

use clap::{Parser, ValueEnum};
use serde::Serialize;

const ABOUT: &str = "Load generator for Pangolin's Iceberg REST hot paths: loadTable, listTables and \
table commits.";

const LONG_ABOUT: &str = "Load generator for Pangolin's Iceberg REST hot paths: loadTable, \
listTables and table commits (append-snapshot).

By default it spawns a fresh server (`<server-bin> serve`) on a free 127.0.0.1 port with a \
temporary data directory and a random password for its Root user `root`, logs in as root, creates \
a namespace and --tables tables, then runs every scenario at every concurrency level: --warmup seconds unmeasured, then --duration seconds measured. It reports \
requests/s, latency percentiles, errors, server RSS and the CPU time used by the server and by \
the load generator itself. Every request carries the bearer token.

Against a server given with --url, authenticate with --token (a token, or a service user's API \
key) or --password (logs in as --username, in --tenant).

The report goes to stdout; progress goes to stderr. Exit status: 0 on success, 1 if the server \
could not be started or setup failed, 2 if any run had more than 1% failed requests or the \
spawned server exited mid-run.";

/// Command-line options of `pangolin_bench`.
#[derive(Debug, Parser)]
#[command(name = "pangolin_bench", version, about = ABOUT, long_about = LONG_ABOUT)]
pub struct Args {
    /// Server binary to spawn (run as `<server-bin> serve --listen 127.0.0.1:<free port>
    /// --data-dir <temp dir>`). Ignored when --url is given.
    #[arg(
        long,
        value_name = "PATH",
        default_value = "target/release/pangolin_api"
    )]
    pub server_bin: PathBuf,

    /// Benchmark an already running server at this base URL (e.g. http://127.0.0.1:8181)
    /// instead of spawning one. Its tables `t00001..` in the namespace are reused if they exist.
    #[arg(long, value_name = "URL", conflicts_with = "server_cpus")]
    pub url: Option<String>,

    /// With --url: PID of that server, so its RSS and CPU time can be read from /proc.
    /// Without it, server resource figures are omitted.
    #[arg(long, value_name = "PID", requires = "url")]
    pub server_pid: Option<u32>,

    /// With --url: send `Authorization: Bearer <TOKEN>` with every request: a token from
    /// `POST /api/v1/users/login`, or a service user's API key (`pgl_...`). Tokens expire (one
    /// hour by default); API keys suit long runs. Ignored for a spawned server, whose Root user
    /// the benchmark logs in as.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "PANGOLIN_TOKEN",
        hide_env_values = true,
        conflicts_with = "password"
    )]
    pub token: Option<String>,

    /// With --url: log in with this password (`POST /api/v1/users/login` as --username in
    /// --tenant) and use the token. Ignored for a spawned server.
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "PANGOLIN_PASSWORD",
        hide_env_values = true
    )]
    pub password: Option<String>,

    /// With --password: the user to log in as. It needs `create` and `write` on the catalog (or
    /// a tenant-admin or Root role).
    #[arg(long, value_name = "NAME", default_value = "root")]
    pub username: String,

    /// With --password: the tenant of --username (omit for Root users).
    #[arg(long, value_name = "NAME")]
    pub tenant: Option<String>,

    /// Store for the spawned server, passed to it as PANGOLIN_DATABASE_URL (e.g.
    /// postgres://user:pass@host/db). Default: the server's own default, SQLite in the temp
    /// data directory. With --url it is only printed in the report (passwords masked).
    #[arg(
        long,
        value_name = "URL",
        env = "PANGOLIN_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// Iceberg REST prefix, i.e. the catalog name (`/v1/<catalog>/...`).
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub catalog: String,

    /// Namespace that holds the benchmark tables (created if missing; 409 is tolerated).
    #[arg(long, value_name = "NAME", default_value = "bench")]
    pub namespace: String,

    /// Number of tables to create during setup (named t00001, t00002, ...).
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub tables: u32,

    /// Columns per table schema (at least 3); 20 gives a loadTable body of about 5.5 KB.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(3..))]
    pub columns: u32,

    /// Concurrent createTable requests during setup.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..))]
    pub setup_concurrency: u32,

    /// Measured seconds per scenario and concurrency level.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub duration: u64,

    /// Unmeasured warm-up seconds before each measured run (same load, results discarded).
    #[arg(long, value_name = "SECS", default_value_t = 2)]
    pub warmup: u64,

    /// Comma-separated concurrency levels: number of client workers, each with one request in
    /// flight on its own keep-alive HTTP/1.1 connection.
    #[arg(long, value_name = "LIST", value_delimiter = ',', default_value = "1,32",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub concurrency: Vec<u32>,

    /// Comma-separated scenarios, run in this order. load: GET a random table (loadTable).
    /// list: GET one page of 100 tables (listTables). commit: append-snapshot commits, each
    /// worker owning distinct tables so commits never conflict by design.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "load,list,commit"
    )]
    pub scenarios: Vec<Scenario>,

    /// Report format written to stdout.
    #[arg(long, value_enum, default_value_t = OutputFormat::Markdown)]
    pub output: OutputFormat,

    /// Pin the spawned server to these CPUs (taskset list syntax, e.g. `1` or `0,2-3`), using
    /// `taskset -c` (or sched_setaffinity on its threads if taskset is missing).
    #[arg(long, value_name = "CPUS")]
    pub server_cpus: Option<CpuList>,

    /// Pin this load generator to these CPUs (sched_setaffinity on itself before its runtime
    /// threads start), so client and server do not compete for the same cores.
    #[arg(long, value_name = "CPUS")]
    pub client_cpus: Option<CpuList>,

    /// Seconds to wait for the spawned server's GET /health/ready to return 200.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub startup_timeout: u64,
}

impl Args {
    pub fn duration(&self) -> Duration {
        Duration::from_secs(self.duration)
    }

    pub fn warmup(&self) -> Duration {
        Duration::from_secs(self.warmup)
    }

    pub fn max_concurrency(&self) -> usize {
        self.concurrency
            .iter()
            .copied()
            .chain([self.setup_concurrency])
            .max()
            .unwrap_or(1) as usize
    }
}

/// A benchmark scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scenario {
    /// loadTable of a uniformly random table.
    Load,
    /// listTables, one page of 100.
    List,
    /// append-snapshot commit on a table owned by the worker.
    Commit,
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Load => "load",
            Self::List => "list",
            Self::Commit => "commit",
        })
    }
}

/// Report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable Markdown tables.
    Markdown,
    /// One JSON document.
    Json,
}

/// A CPU list in `taskset -c` syntax: `0`, `0-3`, `0,2-3`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpuList {
    /// The list as given, passed verbatim to `taskset -c`.
    pub spec: String,
    /// The expanded CPU indices.
    pub cpus: Vec<usize>,
}

impl FromStr for CpuList {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut cpus = Vec::new();
        for part in s.split(',').map(str::trim) {
            let parse = |v: &str| {
                v.trim()
                    .parse::<usize>()
                    .map_err(|_| format!("invalid CPU number {v:?} in {s:?}"))
            };
            match part.split_once('-') {
                Some((lo, hi)) => {
                    let (lo, hi) = (parse(lo)?, parse(hi)?);
                    if lo > hi {
                        return Err(format!("invalid CPU range {part:?}"));
                    }
                    cpus.extend(lo..=hi);
                }
                None => cpus.push(parse(part)?),
            }
        }
        cpus.sort_unstable();
        cpus.dedup();
        Ok(Self {
            spec: s.trim().to_owned(),
            cpus,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn parses_cpu_lists() {
        assert_eq!("1".parse::<CpuList>().unwrap().cpus, vec![1]);
        assert_eq!("0,2-3".parse::<CpuList>().unwrap().cpus, vec![0, 2, 3]);
        assert!("3-1".parse::<CpuList>().is_err());
        assert!("x".parse::<CpuList>().is_err());
    }

    #[test]
    fn parses_lists_and_defaults() {
        let a = Args::parse_from(["b", "--concurrency", "1,8,64", "--scenarios", "commit,load"]);
        assert_eq!(a.concurrency, vec![1, 8, 64]);
        assert_eq!(a.scenarios, vec![Scenario::Commit, Scenario::Load]);
        assert_eq!(a.tables, 1000);
        assert!(Args::try_parse_from(["b", "--url", "http://x", "--server-cpus", "1"]).is_err());
        assert_eq!(a.username, "root");
    }

    #[test]
    fn token_and_password_exclude_each_other() {
        let both = ["b", "--url", "http://x", "--token", "t", "--password", "p"];
        assert!(Args::try_parse_from(both).is_err());
        let a = Args::parse_from(["b", "--url", "http://x", "--password", "p", "--tenant", "t"]);
        assert_eq!(a.password.as_deref(), Some("p"));
        assert_eq!(a.tenant.as_deref(), Some("t"));
    }
}
