//! Latency recording and summaries.

use std::time::Duration;

use serde::Serialize;

use crate::catalog::{Failure, Outcome};

/// Failed requests by kind.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ErrorCounts {
    /// 409 responses (commit conflicts).
    pub conflict: u64,
    /// Other 4xx responses.
    pub client_4xx: u64,
    /// 5xx responses.
    pub server_5xx: u64,
    /// Connection errors and timeouts.
    pub transport: u64,
    /// 2xx responses whose body did not reflect the request.
    pub invalid: u64,
}

impl ErrorCounts {
    pub fn total(&self) -> u64 {
        self.conflict + self.client_4xx + self.server_5xx + self.transport + self.invalid
    }

    fn add(&mut self, f: Failure) {
        match f {
            Failure::Conflict => self.conflict += 1,
            Failure::Client(_) => self.client_4xx += 1,
            Failure::Server(_) => self.server_5xx += 1,
            Failure::Transport => self.transport += 1,
            Failure::Invalid => self.invalid += 1,
        }
    }

    fn merge(&mut self, o: &Self) {
        self.conflict += o.conflict;
        self.client_4xx += o.client_4xx;
        self.server_5xx += o.server_5xx;
        self.transport += o.transport;
        self.invalid += o.invalid;
    }
}

/// Per-worker raw measurements; merged after the run.
#[derive(Debug, Default)]
pub struct Recorder {
    /// Latencies of successful requests, in nanoseconds.
    latencies_ns: Vec<u64>,
    pub errors: ErrorCounts,
    body_bytes: u64,
    /// First few distinct failing statuses, for the report.
    pub sample_failures: Vec<String>,
}

impl Recorder {
    pub fn with_capacity(n: usize) -> Self {
        Self {
            latencies_ns: Vec::with_capacity(n),
            ..Self::default()
        }
    }

    pub fn record(&mut self, outcome: Outcome, latency: Duration) {
        match outcome {
            Ok(bytes) => {
                self.latencies_ns
                    .push(u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX));
                self.body_bytes += bytes as u64;
            }
            Err(f) => {
                self.errors.add(f);
                let s = format!("{f:?}");
                if self.sample_failures.len() < 5 && !self.sample_failures.contains(&s) {
                    self.sample_failures.push(s);
                }
            }
        }
    }

    pub fn merge(&mut self, other: Self) {
        self.latencies_ns.extend(other.latencies_ns);
        self.errors.merge(&other.errors);
        self.body_bytes += other.body_bytes;
        for s in other.sample_failures {
            if self.sample_failures.len() < 5 && !self.sample_failures.contains(&s) {
                self.sample_failures.push(s);
            }
        }
    }

    pub fn successes(&self) -> u64 {
        self.latencies_ns.len() as u64
    }

    pub fn mean_body_bytes(&self) -> u64 {
        self.body_bytes.checked_div(self.successes()).unwrap_or(0)
    }

    /// Sorts the samples and summarises them.
    pub fn summarize(&mut self) -> LatencySummary {
        self.latencies_ns.sort_unstable();
        LatencySummary::from_sorted(&self.latencies_ns)
    }
}

/// Latency percentiles of successful requests, in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct LatencySummary {
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl LatencySummary {
    fn from_sorted(ns: &[u64]) -> Self {
        if ns.is_empty() {
            return Self::default();
        }
        let ms = |v: u64| v as f64 / 1e6;
        let mean = ns.iter().map(|&v| v as f64).sum::<f64>() / ns.len() as f64;
        Self {
            mean_ms: mean / 1e6,
            p50_ms: ms(percentile(ns, 50.0)),
            p90_ms: ms(percentile(ns, 90.0)),
            p99_ms: ms(percentile(ns, 99.0)),
            max_ms: ms(ns[ns.len() - 1]),
        }
    }
}

/// Nearest-rank percentile of a sorted, non-empty slice.
fn percentile(sorted: &[u64], p: f64) -> u64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 50);
        assert_eq!(percentile(&v, 99.0), 99);
        assert_eq!(percentile(&v, 100.0), 100);
        assert_eq!(percentile(&[7], 50.0), 7);
    }

    #[test]
    fn recorder_separates_failures() {
        let mut r = Recorder::default();
        r.record(Ok(100), Duration::from_millis(2));
        r.record(Ok(300), Duration::from_millis(4));
        r.record(Err(Failure::Conflict), Duration::from_millis(1));
        r.record(Err(Failure::Server(500)), Duration::from_millis(1));
        assert_eq!(r.successes(), 2);
        assert_eq!(r.errors.total(), 2);
        assert_eq!(r.mean_body_bytes(), 200);
        let s = r.summarize();
        assert_eq!((s.p50_ms, s.max_ms), (2.0, 4.0));
    }
}
