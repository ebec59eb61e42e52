//! The `pangolin_api` binary: `serve` (default), `migrate`, `openapi`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use pangolin_api::config::{Cli, Command, LogFormat, Settings, migrate, open_store};
use pangolin_api::service::Service;
use pangolin_api::{AppState, bootstrap, http, router};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.settings);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&cli.settings).await,
        Command::Migrate => migrate(&cli.settings.database_url(), &cli.settings.sql_options())
            .await
            .map(|()| tracing::info!("migrations applied"))
            .context("migrating the database"),
        Command::Openapi => {
            println!("{}", http::docs::management_openapi_json());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(settings: &Settings) {
    let filter = EnvFilter::try_new(&settings.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match settings.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn serve(settings: &Settings) -> anyhow::Result<()> {
    if settings.dev {
        anyhow::ensure!(
            settings.listen.ip().is_loopback(),
            "refusing to start in dev mode on {}: dev mode accepts requests without credentials, \
             so it only listens on loopback addresses (e.g. 127.0.0.1:8080)",
            settings.listen
        );
        tracing::warn!(
            "DEV MODE: requests without credentials act as a TenantAdmin of the 'default' tenant; \
             never use this for anything but local development"
        );
    }
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating {}", settings.data_dir.display()))?;
    let key = settings
        .encryption_key()
        .context("configuring the encryption key")?;
    let store = open_store(
        &settings.database_url(),
        &settings.sql_options(),
        key.as_ref(),
        !settings.no_migrate,
    )
    .await
    .context("opening the store")?;
    let auth = settings
        .auth_settings()
        .context("configuring authentication")?;
    let service = Service::new(store, auth);
    if let Some(password) = service
        .bootstrap_root(
            settings
                .root_password
                .as_ref()
                .map(|p| p.expose().to_owned()),
        )
        .await
        .context("creating the Root user")?
    {
        // Shown once, on the console only: it is stored hashed and never logged.
        println!(
            "\nCreated the Root user '{}' with the generated password:\n\n    {password}\n\n\
             Keep it now: it is not shown again. Log in with\n    \
             curl -s -X POST http://{}/api/v1/users/login -H 'Content-Type: application/json' \\\n      \
             -d '{{\"username\":\"{}\",\"password\":\"<password>\"}}'\n",
            pangolin_api::service::ROOT_USER,
            settings.listen,
            pangolin_api::service::ROOT_USER,
        );
    }
    if !settings.no_bootstrap
        && let Some(base) = bootstrap::bootstrap(&service, &settings.data_dir)
            .await
            .context("bootstrapping the default tenant, warehouse and catalog")?
    {
        tracing::info!(base_location = %base, "created tenant 'default', warehouse 'default' and catalog 'default'");
    }
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("binding {}", settings.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(
        "Pangolin is serving the Iceberg REST catalog at http://{address} \
         (Swagger UI: http://{address}/swagger-ui). Connect with PyIceberg using a token from \
         POST /api/v1/users/login, or a service user's API key:\n\n    \
         from pyiceberg.catalog.rest import RestCatalog\n    \
         catalog = RestCatalog(\"pangolin\", uri=\"http://{address}\", warehouse=\"default\", \
         token=\"<token>\")  # or credential=\"<client-id>:<client-secret>\"\n"
    );
    let state = AppState::new(service, settings.http_settings());
    tokio::spawn(housekeeping(
        state.service.clone(),
        settings.audit_retention(),
    ));
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let app = router(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = stopping_tx.send(());
    });
    let grace = Duration::from_secs(settings.shutdown_timeout);
    tokio::select! {
        result = server => result.context("serving")?,
        () = async move {
            if stopping_rx.await.is_ok() {
                tokio::time::sleep(grace).await;
            } else {
                std::future::pending::<()>().await;
            }
        } => tracing::warn!("in-flight requests did not finish within {grace:?}; exiting"),
    }
    state.service.flush_audit().await;
    tracing::info!("stopped");
    Ok(())
}

/// How often expired token records, recovered rate-limit counters and audit events past their
/// retention are removed.
const HOUSEKEEPING_INTERVAL: Duration = Duration::from_secs(600);

async fn housekeeping(service: std::sync::Arc<Service>, audit_retention: Option<Duration>) {
    let mut interval = tokio::time::interval(HOUSEKEEPING_INTERVAL);
    loop {
        interval.tick().await;
        match service.housekeeping().await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "removed expired token records"),
            Err(e) => tracing::warn!(error = %e, "removing expired token records failed"),
        }
        let Some(retention) = audit_retention else {
            continue;
        };
        match service.expire_audit_events(retention).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "removed audit events past their retention"),
            Err(e) => {
                tracing::warn!(error = %e, "removing audit events past their retention failed")
            }
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
