//! The final report and its Markdown / JSON renderings.

use std::fmt::Write as _;

use serde::Serialize;

use crate::{
    procfs::MachineInfo,
    scenarios::{RunResult, SetupReport},
    stats::ErrorCounts,
};

/// A run fails the benchmark if more than this fraction of its requests failed.
pub const MAX_ERROR_RATE: f64 = 0.01;

/// Which server was measured and how the processes were placed.
#[derive(Debug, Clone, Serialize)]
pub struct TargetInfo {
    pub base_url: String,
    /// True if the benchmark spawned the server itself.
    pub spawned: bool,
    pub server_bin: Option<String>,
    pub server_pid: Option<u32>,
    pub store: String,
    pub data_dir: Option<String>,
    pub server_pinning: Option<String>,
    pub server_cpus_allowed: Option<String>,
    pub client_pinning: Option<String>,
    pub client_cpus_allowed: Option<String>,
    /// How the requests authenticate.
    pub auth: String,
}

/// Benchmark parameters.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigInfo {
    pub catalog: String,
    pub namespace: String,
    pub tables: usize,
    pub columns: u32,
    pub warmup_s: u64,
    pub duration_s: u64,
    pub concurrency: Vec<u32>,
    pub scenarios: Vec<String>,
}

/// Everything the benchmark measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub machine: MachineInfo,
    pub target: TargetInfo,
    pub config: ConfigInfo,
    pub setup: SetupReport,
    /// Server RSS one second after setup finished.
    pub server_rss_idle_kib: Option<u64>,
    pub runs: Vec<RunResult>,
    /// Runs whose error rate exceeded MAX_ERROR_RATE, as `scenario@concurrency`.
    pub failed_runs: Vec<String>,
    /// Why the benchmark stopped early, if it did.
    pub aborted: Option<String>,
    pub server_exit: Option<String>,
}

impl Report {
    pub fn succeeded(&self) -> bool {
        self.failed_runs.is_empty() && self.aborted.is_none()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        self.write_markdown(&mut s)
            .expect("writing to a String cannot fail");
        s
    }

    fn write_markdown(&self, s: &mut String) -> std::fmt::Result {
        let (m, t, c, su) = (&self.machine, &self.target, &self.config, &self.setup);
        writeln!(s, "# Pangolin benchmark\n\n## Environment\n")?;
        writeln!(
            s,
            "- Machine: {} CPUs online ({} available to the client), {}, kernel {}, {} MiB RAM",
            m.cpus_online, m.cpus_available, m.cpu_model, m.kernel, m.mem_total_mib
        )?;
        let how = match &t.server_bin {
            Some(bin) if t.spawned => format!("spawned `{bin}`"),
            _ => "external server".to_owned(),
        };
        let pid = t
            .server_pid
            .map_or("pid unknown".to_owned(), |p| format!("pid {p}"));
        writeln!(s, "- Server: {how} ({pid}) at {}", t.base_url)?;
        writeln!(s, "- Store: {}", t.store)?;
        writeln!(s, "- Authentication: {}", t.auth)?;
        writeln!(
            s,
            "- Server pinning: {} (Cpus_allowed_list: {})",
            t.server_pinning.as_deref().unwrap_or("none"),
            t.server_cpus_allowed.as_deref().unwrap_or("unknown")
        )?;
        writeln!(
            s,
            "- Client pinning: {} (Cpus_allowed_list: {})",
            t.client_pinning.as_deref().unwrap_or("none"),
            t.client_cpus_allowed.as_deref().unwrap_or("unknown")
        )?;
        writeln!(
            s,
            "- Config: catalog `{}`, namespace `{}`, {} tables x {} columns, warm-up {} s + \
             measured {} s per run, concurrency {:?}, scenarios {}",
            c.catalog,
            c.namespace,
            c.tables,
            c.columns,
            c.warmup_s,
            c.duration_s,
            c.concurrency,
            c.scenarios.join(",")
        )?;

        writeln!(s, "\n## Setup\n")?;
        writeln!(
            s,
            "- Namespace `{}`: {}",
            c.namespace,
            if su.namespace_created {
                "created"
            } else {
                "already existed (409)"
            }
        )?;
        writeln!(
            s,
            "- Tables: {} created, {} already existed, in {:.2} s ({:.0} tables/s, {} concurrent \
             creates)",
            su.tables_created, su.tables_existing, su.seconds, su.tables_per_s, su.concurrency
        )?;
        writeln!(
            s,
            "- loadTable body: {} bytes; ETag: {}",
            su.load_body_bytes,
            su.load_etag.as_deref().unwrap_or("MISSING")
        )?;
        writeln!(
            s,
            "- listTables first page: {} identifiers",
            su.list_page_len
        )?;
        if let Some(rss) = self.server_rss_idle_kib {
            writeln!(s, "- Server RSS idle after setup: {}", mib(rss))?;
        }

        writeln!(s, "\n## Results\n")?;
        writeln!(
            s,
            "Latencies are of successful requests, in ms. CPU is CPU-seconds per wall-second \
             during the measured window (1.00 = one core busy); `machine` is all busy CPU on \
             the host (of {} CPUs), including kernel network work.\n",
            m.cpus_online
        )?;
        writeln!(
            s,
            "| scenario | conc | requests | req/s | mean | p50 | p90 | p99 | max | errors | body B \
             | srv RSS start/peak | srv CPU | client CPU | machine CPU |"
        )?;
        writeln!(
            s,
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|"
        )?;
        for r in &self.runs {
            let l = &r.latency;
            let conc = if r.workers == r.concurrency {
                r.concurrency.to_string()
            } else {
                format!("{} ({} workers)", r.concurrency, r.workers)
            };
            let (rss, cpu) = match &r.server {
                Some(u) => (
                    format!("{} / {}", mib(u.rss_start_kib), mib(u.rss_peak_kib)),
                    format!("{:.2}", u.cores),
                ),
                None => ("n/a".to_owned(), "n/a".to_owned()),
            };
            writeln!(
                s,
                "| {} | {conc} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} | {rss} \
                 | {cpu} | {:.2} | {:.2} |",
                r.scenario,
                r.requests,
                r.rps,
                l.mean_ms,
                l.p50_ms,
                l.p90_ms,
                l.p99_ms,
                l.max_ms,
                errors_cell(&r.errors),
                r.mean_body_bytes,
                r.client_cores,
                r.machine_cores
            )?;
        }

        writeln!(s, "\n## Verdict\n")?;
        if let Some(why) = &self.aborted {
            writeln!(s, "- ABORTED: {why}")?;
        }
        if self.failed_runs.is_empty() {
            writeln!(
                s,
                "- All runs at or below {:.0}% failed requests.",
                MAX_ERROR_RATE * 100.0
            )?;
        } else {
            writeln!(
                s,
                "- FAILED (> {:.0}% failed requests): {}",
                MAX_ERROR_RATE * 100.0,
                self.failed_runs.join(", ")
            )?;
            for r in self.runs.iter().filter(|r| !r.sample_failures.is_empty()) {
                writeln!(
                    s,
                    "  - {}@{}: {}",
                    r.scenario,
                    r.concurrency,
                    r.sample_failures.join(", ")
                )?;
            }
        }
        if let Some(exit) = &self.server_exit {
            writeln!(s, "- Server exit: {exit}")?;
        }
        Ok(())
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn errors_cell(e: &ErrorCounts) -> String {
    if e.total() == 0 {
        return "0".to_owned();
    }
    let parts: Vec<String> = [
        ("409", e.conflict),
        ("4xx", e.client_4xx),
        ("5xx", e.server_5xx),
        ("io", e.transport),
        ("invalid", e.invalid),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(k, n)| format!("{k}: {n}"))
    .collect();
    format!("{} ({})", e.total(), parts.join(", "))
}

/// Hides the password in a database URL (`scheme://user:secret@host` -> `user:***@host`).
pub fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords() {
        assert_eq!(
            mask_password("postgres://u:p@w@db:5432/x"),
            "postgres://u:***@db:5432/x"
        );
        assert_eq!(mask_password("postgres://db/x"), "postgres://db/x");
        assert_eq!(mask_password("sqlite:x.db"), "sqlite:x.db");
    }

    #[test]
    fn error_cell_lists_kinds() {
        let e = ErrorCounts {
            conflict: 2,
            server_5xx: 1,
            ..ErrorCounts::default()
        };
        assert_eq!(errors_cell(&e), "3 (409: 2, 5xx: 1)");
    }
}
