//! Setup (namespace + tables) and the timed scenario runs.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, Result};
use futures::{StreamExt, TryStreamExt, stream};
use serde::Serialize;

use crate::{
    catalog::{Catalog, Failure, Outcome, TableState},
    cli::Scenario,
    procfs,
    stats::{ErrorCounts, LatencySummary, Recorder},
};

/// What setup did and what the first responses looked like.
#[derive(Debug, Clone, Serialize)]
pub struct SetupReport {
    pub namespace_created: bool,
    pub tables: usize,
    pub tables_created: usize,
    pub tables_existing: usize,
    pub concurrency: usize,
    pub seconds: f64,
    pub tables_per_s: f64,
    /// Size of one loadTable response body right after setup.
    pub load_body_bytes: usize,
    /// ETag header of that response, if any.
    pub load_etag: Option<String>,
    /// Identifiers on the first listTables page (expected: min(100, tables)).
    pub list_page_len: usize,
}

/// Table names used by the benchmark: `t00001`, `t00002`, ...
pub fn table_name(i: usize) -> String {
    format!("t{:05}", i + 1)
}

/// Creates the namespace (tolerating 409) and `n` tables, `concurrency` at a time.
pub async fn setup(
    catalog: &Catalog,
    n: usize,
    columns: u32,
    concurrency: usize,
) -> Result<(SetupReport, Vec<TableState>)> {
    let started = Instant::now();
    let namespace_created = catalog
        .create_namespace()
        .await
        .context("creating the namespace")?;
    let created: Vec<_> = stream::iter(0..n)
        .map(|i| async move {
            let name = table_name(i);
            catalog
                .create_table(&name, columns)
                .await
                .with_context(|| format!("creating table {name}"))
        })
        .buffered(concurrency)
        .try_collect()
        .await?;
    let seconds = started.elapsed().as_secs_f64();
    let tables_created = created.iter().filter(|c| c.new).count();
    let tables: Vec<TableState> = created.into_iter().map(|c| c.state).collect();

    let (load_body_bytes, load_etag) = catalog.probe_load(&tables[0].name).await?;
    let list_page_len = catalog.probe_list().await?;
    let report = SetupReport {
        namespace_created,
        tables: n,
        tables_created,
        tables_existing: n - tables_created,
        concurrency,
        seconds,
        tables_per_s: n as f64 / seconds,
        load_body_bytes,
        load_etag,
        list_page_len,
    };
    Ok((report, tables))
}

/// Server resource use during one measured window.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ServerUsage {
    pub rss_start_kib: u64,
    pub rss_peak_kib: u64,
    pub rss_end_kib: u64,
    pub cpu_s: f64,
    /// CPU seconds per wall second.
    pub cores: f64,
}

/// Figures for one scenario at one concurrency level.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    pub scenario: Scenario,
    pub concurrency: usize,
    /// Workers actually used (commit: at most one per table).
    pub workers: usize,
    pub measured_s: f64,
    /// Requests started in the measured window (successes + errors).
    pub requests: u64,
    pub successes: u64,
    /// Successful requests per second.
    pub rps: f64,
    pub latency: LatencySummary,
    pub errors: ErrorCounts,
    pub error_rate: f64,
    pub sample_failures: Vec<String>,
    pub mean_body_bytes: u64,
    pub server: Option<ServerUsage>,
    pub client_cpu_s: f64,
    pub client_cores: f64,
    /// Busy CPU of the whole machine (all processes, including the kernel's softirq work for
    /// loopback traffic), in cores; compare with the number of CPUs to see spare capacity.
    pub machine_cores: f64,
}

/// Mutable benchmark state shared by all runs.
#[derive(Debug)]
pub struct Bench {
    pub catalog: Arc<Catalog>,
    /// loadTable/commit URL of every table, by index.
    pub table_urls: Arc<[String]>,
    /// Commit-tracking state of every table, carried from run to run.
    pub tables: Vec<TableState>,
    pub server_pid: Option<u32>,
    pub warmup: Duration,
    pub duration: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    measure_start: Instant,
    end: Instant,
}

impl Bench {
    pub fn new(
        catalog: Catalog,
        tables: Vec<TableState>,
        server_pid: Option<u32>,
        warmup: Duration,
        duration: Duration,
    ) -> Self {
        let table_urls = tables.iter().map(|t| catalog.table_url(&t.name)).collect();
        Self {
            catalog: Arc::new(catalog),
            table_urls,
            tables,
            server_pid,
            warmup,
            duration,
        }
    }

    /// Runs `scenario` with `concurrency` workers: warm-up, then the measured window.
    pub async fn run(&mut self, scenario: Scenario, concurrency: usize) -> Result<RunResult> {
        let start = Instant::now();
        let window = Window {
            measure_start: start + self.warmup,
            end: start + self.warmup + self.duration,
        };
        let works: Vec<Work> = match scenario {
            Scenario::Load => (0..concurrency)
                .map(|_| Work::Load {
                    rng: Rng::seeded(),
                    urls: Arc::clone(&self.table_urls),
                })
                .collect(),
            Scenario::List => (0..concurrency).map(|_| Work::List).collect(),
            Scenario::Commit => {
                // Worker w owns tables w, w + workers, w + 2*workers, ...: no two workers
                // ever commit to the same table, so conflicts indicate a server problem.
                let workers = concurrency.min(self.tables.len());
                let mut owned: Vec<Vec<Owned>> = (0..workers).map(|_| Vec::new()).collect();
                for (i, state) in std::mem::take(&mut self.tables).into_iter().enumerate() {
                    owned[i % workers].push(Owned {
                        index: i,
                        url: self.table_urls[i].clone(),
                        state,
                    });
                }
                owned
                    .into_iter()
                    .map(|tables| Work::Commit {
                        tables,
                        next: 0,
                        rng: Rng::seeded(),
                    })
                    .collect()
            }
        };
        let workers = works.len();

        let sampler = tokio::spawn(sample(self.server_pid, window));
        let handles: Vec<_> = works
            .into_iter()
            .map(|w| tokio::spawn(worker(w, Arc::clone(&self.catalog), window)))
            .collect();
        let mut recorder = Recorder::default();
        let mut returned = Vec::new();
        for h in handles {
            let (rec, work) = h.await.context("worker task panicked")?;
            recorder.merge(rec);
            if let Work::Commit { tables, .. } = work {
                returned.extend(tables);
            }
        }
        if scenario == Scenario::Commit {
            returned.sort_by_key(|o| o.index);
            self.tables = returned.into_iter().map(|o| o.state).collect();
        }
        let usage = sampler.await.context("sampler task panicked")?;

        let measured_s = self.duration.as_secs_f64();
        let successes = recorder.successes();
        let requests = successes + recorder.errors.total();
        Ok(RunResult {
            scenario,
            concurrency,
            workers,
            measured_s,
            requests,
            successes,
            rps: successes as f64 / measured_s,
            latency: recorder.summarize(),
            errors: recorder.errors,
            error_rate: if requests == 0 {
                0.0
            } else {
                recorder.errors.total() as f64 / requests as f64
            },
            sample_failures: recorder.sample_failures.clone(),
            mean_body_bytes: recorder.mean_body_bytes(),
            server: usage.server,
            client_cpu_s: usage.client_cpu_s,
            client_cores: usage.client_cpu_s / usage.wall_s,
            machine_cores: usage.machine_cpu_s / usage.wall_s,
        })
    }
}

/// A table owned by one commit worker.
#[derive(Debug)]
struct Owned {
    index: usize,
    url: String,
    state: TableState,
}

/// What one worker does per request.
#[derive(Debug)]
enum Work {
    Load {
        rng: Rng,
        urls: Arc<[String]>,
    },
    List,
    Commit {
        tables: Vec<Owned>,
        next: usize,
        rng: Rng,
    },
}

impl Work {
    async fn step(&mut self, catalog: &Catalog) -> Outcome {
        match self {
            Self::Load { rng, urls } => catalog.load(&urls[rng.below(urls.len())]).await,
            Self::List => catalog.list().await,
            Self::Commit { tables, next, rng } => {
                let table = &mut tables[*next];
                let outcome = catalog
                    .commit(&table.url, &mut table.state, rng.positive_i64())
                    .await;
                if outcome.is_ok() {
                    *next = (*next + 1) % tables.len();
                }
                outcome
            }
        }
    }

    /// After a failed commit, re-reads the table so the next attempt is based on the
    /// server's view; after a transport error, pauses briefly instead of spinning.
    async fn recover(&mut self, catalog: &Catalog, failure: Failure) {
        if failure == Failure::Transport {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if let Self::Commit { tables, next, .. } = self {
            let table = &mut tables[*next];
            if let Ok(state) = catalog.load_state(&table.state.name).await {
                table.state = state;
            }
            *next = (*next + 1) % tables.len();
        }
    }
}

async fn worker(mut work: Work, catalog: Arc<Catalog>, window: Window) -> (Recorder, Work) {
    let mut recorder = Recorder::with_capacity(1 << 16);
    loop {
        let started = Instant::now();
        if started >= window.end {
            break;
        }
        let outcome = work.step(&catalog).await;
        let latency = started.elapsed();
        if started >= window.measure_start {
            recorder.record(outcome, latency);
        }
        if let Err(failure) = outcome {
            work.recover(&catalog, failure).await;
        }
    }
    (recorder, work)
}

#[derive(Debug)]
struct Usage {
    server: Option<ServerUsage>,
    client_cpu_s: f64,
    machine_cpu_s: f64,
    wall_s: f64,
}

/// Reads CPU times at the start and end of the measured window and samples the server's
/// RSS every 100 ms in between.
async fn sample(server_pid: Option<u32>, window: Window) -> Usage {
    tokio::time::sleep_until(window.measure_start.into()).await;
    let me = std::process::id();
    let t0 = Instant::now();
    let client0 = procfs::cpu_time(me);
    let machine0 = procfs::machine_busy_time();
    let server0 = server_pid.and_then(|p| Some((procfs::cpu_time(p)?, procfs::rss_kib(p)?)));
    let mut peak = server0.map_or(0, |(_, rss)| rss);
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    while Instant::now() < window.end {
        tick.tick().await;
        if let Some(rss) = server_pid.and_then(procfs::rss_kib) {
            peak = peak.max(rss);
        }
    }
    let wall_s = t0.elapsed().as_secs_f64();
    let client_cpu_s = match (client0, procfs::cpu_time(me)) {
        (Some(a), Some(b)) => (b - a).as_secs_f64(),
        _ => 0.0,
    };
    let machine_cpu_s = match (machine0, procfs::machine_busy_time()) {
        (Some(a), Some(b)) => b.saturating_sub(a).as_secs_f64(),
        _ => 0.0,
    };
    let server = server_pid.zip(server0).and_then(|(pid, (cpu0, rss0))| {
        let cpu_s = (procfs::cpu_time(pid)? - cpu0).as_secs_f64();
        let rss_end = procfs::rss_kib(pid)?;
        Some(ServerUsage {
            rss_start_kib: rss0,
            rss_peak_kib: peak.max(rss_end),
            rss_end_kib: rss_end,
            cpu_s,
            cores: cpu_s / wall_s,
        })
    });
    Usage {
        server,
        client_cpu_s,
        machine_cpu_s,
        wall_s,
    }
}

/// SplitMix64: tiny, fast and good enough for picking tables and snapshot ids.
#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn seeded() -> Self {
        Self(uuid::Uuid::new_v4().as_u64_pair().0)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A uniformly random i64 in 1..=i64::MAX.
    fn positive_i64(&mut self) -> i64 {
        ((self.next_u64() >> 1) as i64).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_zero_padded() {
        assert_eq!(table_name(0), "t00001");
        assert_eq!(table_name(999), "t01000");
    }

    #[test]
    fn rng_ranges() {
        let mut r = Rng::seeded();
        for _ in 0..10_000 {
            assert!(r.positive_i64() > 0);
            assert!(r.below(7) < 7);
        }
    }
}
