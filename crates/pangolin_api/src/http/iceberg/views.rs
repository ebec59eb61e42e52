//! View operations.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::tabulars::ident;
use super::types::{CommitViewRequest, TabularResponse, check_body_identifier};
use crate::error::ApiError;
use crate::http::audit::AuditNote;
use crate::http::extract::{Ctx, Json, Path, namespace};
use crate::service::{CreateView, RegisterTabular, SnapshotsMode};
use crate::state::AppState;

pub async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((prefix, ns)): Path<(String, String)>,
    Json(request): Json<CreateView>,
) -> Response {
    let note = AuditNote::resource(None, Some(request.name.clone()));
    let result = async {
        let created = state
            .service
            .create_view(&ctx, &prefix, namespace(&ns)?, request)
            .await?;
        Ok::<_, ApiError>(TabularResponse::loaded(created, SnapshotsMode::All))
    };
    note.attach(result.await.into_response())
}

pub async fn register(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((prefix, ns)): Path<(String, String)>,
    Json(request): Json<RegisterTabular>,
) -> Response {
    let note = AuditNote::resource(None, Some(request.name.clone()));
    let result = async {
        let registered = state
            .service
            .register_view(&ctx, &prefix, namespace(&ns)?, request)
            .await?;
        Ok::<_, ApiError>(TabularResponse::loaded(registered, SnapshotsMode::All))
    };
    note.attach(result.await.into_response())
}

pub async fn load(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((prefix, ns, view)): Path<(String, String, String)>,
) -> Result<TabularResponse, ApiError> {
    let loaded = state
        .service
        .load_view(&ctx, &prefix, &ident(&ns, view)?)
        .await?;
    Ok(TabularResponse::loaded(loaded, SnapshotsMode::All))
}

pub async fn replace(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((prefix, ns, view)): Path<(String, String, String)>,
    Json(request): Json<CommitViewRequest>,
) -> Result<TabularResponse, ApiError> {
    let ident = ident(&ns, view)?;
    let (identifier, change) = request.into_parts();
    check_body_identifier(identifier, &ident)?;
    let replaced = state
        .service
        .replace_view(&ctx, &prefix, ident, change)
        .await?;
    Ok(TabularResponse::loaded(replaced, SnapshotsMode::All))
}

pub async fn drop(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((prefix, ns, view)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .drop_view(&ctx, &prefix, &ident(&ns, view)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
