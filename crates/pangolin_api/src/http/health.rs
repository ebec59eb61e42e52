//! `/health/live` and `/health/ready`.

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

/// The process is up.
pub async fn live() -> axum::Json<serde_json::Value> {
    axum::Json(json!({"status": "ok"}))
}

/// The process can serve requests: its store answers.
pub async fn ready(
    State(state): State<AppState>,
) -> Result<(StatusCode, axum::Json<serde_json::Value>), ApiError> {
    state.service.store().ping().await?;
    Ok((StatusCode::OK, axum::Json(json!({"status": "ok"}))))
}

/// Operational counters in the Prometheus text format. They describe the server, not any tenant's
/// data, so they are served without credentials, like the health checks.
pub async fn metrics(
    State(state): State<AppState>,
) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    use std::fmt::Write;
    use std::sync::atomic::Ordering;
    let audit = state.service.audit_stats();
    let mut text = String::new();
    for (name, help, value) in [
        (
            "pangolin_audit_events_written_total",
            "Audit events written to the store.",
            audit.written.load(Ordering::Relaxed),
        ),
        (
            "pangolin_audit_events_dropped_total",
            "Audit events dropped because the audit queue was full.",
            audit.dropped.load(Ordering::Relaxed),
        ),
        (
            "pangolin_audit_events_failed_total",
            "Audit events lost because the store refused to write them.",
            audit.failed.load(Ordering::Relaxed),
        ),
    ] {
        let _ = write!(
            text,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
        );
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
}
