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
