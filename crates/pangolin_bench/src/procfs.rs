//! Machine information, process resource figures from `/proc`, and CPU pinning.

use std::{fs, time::Duration};

use anyhow::{Context, Result, bail};
use nix::{
    sched::{CpuSet, sched_setaffinity},
    unistd::{Pid, SysconfVar, sysconf},
};
use serde::Serialize;

/// Static facts about the machine the benchmark ran on.
#[derive(Debug, Clone, Serialize)]
pub struct MachineInfo {
    /// Online CPUs (`nproc --all`).
    pub cpus_online: usize,
    /// CPUs this process may run on (`nproc`), after any --client-cpus pinning.
    pub cpus_available: usize,
    pub cpu_model: String,
    pub kernel: String,
    pub mem_total_mib: u64,
}

impl MachineInfo {
    pub fn collect() -> Self {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpus_online = cpuinfo
            .lines()
            .filter(|l| l.starts_with("processor"))
            .count();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|rest| rest.split_once(':'))
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_else(|| "unknown".to_owned());
        let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|_| "unknown".to_owned());
        let mem_total_mib = fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|s| kib_field(&s, "MemTotal:"))
            .map_or(0, |kib| kib / 1024);
        let cpus_available = std::thread::available_parallelism().map_or(0, |n| n.get());
        Self {
            cpus_online,
            cpus_available,
            cpu_model,
            kernel,
            mem_total_mib,
        }
    }
}

/// Resident set size of `pid` in KiB (`VmRSS` in `/proc/<pid>/status`).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    kib_field(&status, "VmRSS:")
}

/// The `Cpus_allowed_list` of `pid`, i.e. where it may be scheduled.
pub fn cpus_allowed(pid: u32) -> Option<String> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .map(|v| v.trim().to_owned())
}

/// User + system CPU time consumed so far by `pid` (all its threads).
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_cpu_ticks(&stat).map(|ticks| Duration::from_secs_f64(ticks as f64 / clock_ticks()))
}

/// CPU time spent by the whole machine outside idle and iowait, from the `cpu` line of
/// `/proc/stat` (user, nice, system, irq, softirq, steal).
pub fn machine_busy_time() -> Option<Duration> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    let (idle, iowait) = (*ticks.get(3)?, *ticks.get(4)?);
    let busy = ticks.iter().sum::<u64>() - idle - iowait;
    Some(Duration::from_secs_f64(busy as f64 / clock_ticks()))
}

/// Parses utime + stime (fields 14 and 15) of a `/proc/<pid>/stat` line. The command name
/// (field 2) may contain spaces, so fields are counted after its closing parenthesis.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11); // field 3 (state) is index 0
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

fn clock_ticks() -> f64 {
    match sysconf(SysconfVar::CLK_TCK) {
        Ok(Some(t)) if t > 0 => t as f64,
        _ => 100.0,
    }
}

fn kib_field(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(key))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn cpu_set(cpus: &[usize]) -> Result<CpuSet> {
    let mut set = CpuSet::new();
    for &cpu in cpus {
        set.set(cpu)
            .with_context(|| format!("CPU {cpu} is out of range"))?;
    }
    Ok(set)
}

/// Pins the calling thread (pid 0). Call it before any other thread is spawned, so every
/// thread of the process (e.g. the tokio runtime's workers) inherits the affinity.
pub fn pin_current_thread(cpus: &[usize]) -> Result<()> {
    sched_setaffinity(Pid::from_raw(0), &cpu_set(cpus)?).context("sched_setaffinity(self)")
}

/// Pins every existing thread of `pid`; threads it creates later inherit from their creator.
pub fn pin_all_threads(pid: u32, cpus: &[usize]) -> Result<usize> {
    let set = cpu_set(cpus)?;
    let mut pinned = 0;
    for entry in fs::read_dir(format!("/proc/{pid}/task"))? {
        let tid: i32 = match entry?.file_name().to_string_lossy().parse() {
            Ok(tid) => tid,
            Err(_) => continue,
        };
        sched_setaffinity(Pid::from_raw(tid), &set)
            .with_context(|| format!("sched_setaffinity(thread {tid} of {pid})"))?;
        pinned += 1;
    }
    if pinned == 0 {
        bail!("process {pid} has no threads to pin");
    }
    Ok(pinned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_with_spaces_in_comm() {
        let stat = "1234 (my (weird) proc) S 1 2 3 4 5 6 7 8 9 10 250 75 0 0 20 0 8 0";
        assert_eq!(parse_cpu_ticks(stat), Some(325));
    }

    #[test]
    fn reads_own_figures() {
        let me = std::process::id();
        assert!(rss_kib(me).unwrap() > 0);
        assert!(cpu_time(me).is_some());
        assert!(cpus_allowed(me).is_some());
        assert!(machine_busy_time().is_some());
    }
}
