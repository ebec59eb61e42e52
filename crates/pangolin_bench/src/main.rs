//! `pangolin_bench`: load generator for Pangolin's Iceberg REST hot paths.
//!
//! See `pangolin_bench --help` and the method section of `docs/performance.md`.

mod catalog;
mod cli;
mod procfs;
mod report;
mod scenarios;
mod server;
mod stats;

use std::{process::ExitCode, time::Duration};

use anyhow::{Context, Result, anyhow};
use clap::Parser;

use crate::{
    catalog::{Catalog, login},
    cli::{Args, OutputFormat},
    procfs::MachineInfo,
    report::{ConfigInfo, MAX_ERROR_RATE, Report, TargetInfo, mask_password},
    scenarios::Bench,
    server::{ROOT_USER, SpawnedServer},
};

fn main() -> ExitCode {
    let args = Args::parse();
    // Pin before the runtime exists so that every runtime thread inherits the affinity.
    let client_pinning = match &args.client_cpus {
        Some(cpus) => match procfs::pin_current_thread(&cpus.cpus) {
            Ok(()) => Some(format!(
                "sched_setaffinity({}) on itself before starting its runtime threads",
                cpus.spec
            )),
            Err(e) => {
                eprintln!("error: pinning the client to CPUs {}: {e:#}", cpus.spec);
                return ExitCode::from(1);
            }
        },
        None => None,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the tokio runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        tokio::select! {
            r = run(&args, client_pinning) => r,
            // Dropping `run` kills a spawned server (kill_on_drop) and removes its data dir.
            _ = tokio::signal::ctrl_c() => Err(anyhow!("interrupted")),
        }
    });
    match result {
        Ok(report) => {
            match args.output {
                OutputFormat::Markdown => print!("{}", report.to_markdown()),
                OutputFormat::Json => println!("{}", report.to_json()),
            }
            if report.succeeded() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            }
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

async fn run(args: &Args, client_pinning: Option<String>) -> Result<Report> {
    let machine = MachineInfo::collect();
    // For readiness and login only; the benchmark's own client carries the token.
    let bootstrap_http = Catalog::http_client(1, None)?;

    let mut server = match &args.url {
        Some(_) => None,
        None => {
            eprintln!("[bench] starting {}", args.server_bin.display());
            let s = SpawnedServer::start(
                &args.server_bin,
                args.server_cpus.as_ref(),
                args.database_url.as_deref(),
                &bootstrap_http,
                Duration::from_secs(args.startup_timeout),
            )
            .await?;
            eprintln!("[bench] server pid {} ready at {}", s.pid, s.base_url);
            Some(s)
        }
    };
    let base_url = match (&args.url, &server) {
        (Some(url), _) => url.clone(),
        (None, Some(s)) => s.base_url.clone(),
        (None, None) => unreachable!("a server is spawned when --url is absent"),
    };
    let (token, auth) = match &server {
        Some(s) => {
            let token = login(
                &bootstrap_http,
                &base_url,
                ROOT_USER,
                &s.root_password,
                None,
            )
            .await
            .with_context(|| {
                format!(
                    "logging in as {ROOT_USER} on the spawned server; log tail:\n{}",
                    s.log_tail(20)
                )
            })?;
            (
                Some(token),
                format!("bearer token of {ROOT_USER} (random PANGOLIN_ROOT_PASSWORD, login)"),
            )
        }
        None => match (&args.token, &args.password) {
            (Some(token), _) => {
                let what = if token.starts_with("pgl_") {
                    "API key"
                } else {
                    "token"
                };
                (
                    Some(token.clone()),
                    format!("{what} from --token, as bearer token"),
                )
            }
            (None, Some(password)) => {
                let token = login(
                    &bootstrap_http,
                    &base_url,
                    &args.username,
                    password,
                    args.tenant.as_deref(),
                )
                .await?;
                let tenant = args
                    .tenant
                    .as_deref()
                    .map_or(String::new(), |t| format!(" in tenant {t}"));
                (
                    Some(token),
                    format!("bearer token of {}{tenant} (login)", args.username),
                )
            }
            (None, None) => {
                eprintln!(
                    "[bench] no --token or --password: requests carry no credentials, which only \
                     a server in dev mode accepts"
                );
                (None, "none".to_owned())
            }
        },
    };
    let http = Catalog::http_client(args.max_concurrency(), token.as_deref())?;
    let server_pid = server.as_ref().map(|s| s.pid).or(args.server_pid);
    let store = match (&args.database_url, &server) {
        (Some(url), _) => mask_password(url),
        (None, Some(s)) => format!(
            "server default (SQLite in data dir {})",
            s.data_dir.path().display()
        ),
        (None, None) => "unknown (external server; label it with --database-url)".to_owned(),
    };
    let target = TargetInfo {
        base_url: base_url.clone(),
        spawned: server.is_some(),
        server_bin: server
            .as_ref()
            .map(|_| args.server_bin.display().to_string()),
        server_pid,
        store,
        data_dir: server
            .as_ref()
            .map(|s| s.data_dir.path().display().to_string()),
        server_pinning: server.as_ref().and_then(|s| s.pinning.clone()),
        server_cpus_allowed: server_pid.and_then(procfs::cpus_allowed),
        client_pinning,
        client_cpus_allowed: procfs::cpus_allowed(std::process::id()),
        auth,
    };

    let catalog = Catalog::new(http, &base_url, &args.catalog, &args.namespace);
    let n = args.tables as usize;
    eprintln!(
        "[bench] setup: namespace {} + {n} tables at {}",
        args.namespace,
        catalog.base_url()
    );
    let (setup, tables) =
        match scenarios::setup(&catalog, n, args.columns, args.setup_concurrency as usize).await {
            Ok(v) => v,
            Err(e) => {
                return Err(match &server {
                    Some(s) => e.context(format!(
                        "setup failed; server log tail:\n{}",
                        s.log_tail(20)
                    )),
                    None => e.context("setup failed"),
                });
            }
        };
    eprintln!(
        "[bench] setup done in {:.2} s ({} new tables, loadTable body {} bytes)",
        setup.seconds, setup.tables_created, setup.load_body_bytes
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let server_rss_idle_kib = server_pid.and_then(procfs::rss_kib);

    let mut bench = Bench::new(catalog, tables, server_pid, args.warmup(), args.duration());
    let mut runs = Vec::new();
    let mut failed_runs = Vec::new();
    let mut aborted = None;
    'outer: for &scenario in &args.scenarios {
        for &conc in &args.concurrency {
            eprintln!(
                "[bench] {scenario} c={conc}: {} s warm-up + {} s measured",
                args.warmup, args.duration
            );
            let r = bench.run(scenario, conc as usize).await?;
            eprintln!(
                "[bench]   {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, errors {}",
                r.rps,
                r.latency.p50_ms,
                r.latency.p99_ms,
                r.errors.total()
            );
            if r.error_rate > MAX_ERROR_RATE {
                failed_runs.push(format!("{scenario}@{conc}"));
            }
            runs.push(r);
            if let Some(s) = server.as_mut()
                && !s.is_running()
            {
                aborted = Some(format!(
                    "server exited during {scenario}@{conc}; log tail:\n{}",
                    s.log_tail(20)
                ));
                break 'outer;
            }
        }
    }

    let server_exit = match server.take() {
        Some(s) => Some(s.stop().await.context("stopping the server")?.to_string()),
        None => None,
    };
    Ok(Report {
        machine,
        target,
        config: ConfigInfo {
            catalog: args.catalog.clone(),
            namespace: args.namespace.clone(),
            tables: n,
            columns: args.columns,
            warmup_s: args.warmup,
            duration_s: args.duration,
            concurrency: args.concurrency.clone(),
            scenarios: args.scenarios.iter().map(ToString::to_string).collect(),
        },
        setup,
        server_rss_idle_kib,
        runs,
        failed_runs,
        aborted,
        server_exit,
    })
}
