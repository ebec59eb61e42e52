//! Table operations, commits and metrics reports.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::tabulars::ident;
use super::types::{
    CommitTableRequest, CommitTransactionRequest, LoadTableQuery, TabularResponse,
    check_body_identifier, if_none_match, not_modified,
};
use crate::error::ApiError;
use crate::http::audit::AuditNote;
use crate::http::extract::{Ctx, Json, Path, Query, namespace};
use crate::service::{CreateTable, RegisterTabular};
use crate::state::AppState;

pub async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((prefix, ns)): Path<(String, String)>,
    Json(request): Json<CreateTable>,
) -> Response {
    let note = AuditNote::resource(None, Some(request.name.clone()));
    let result = async {
        let created = state
            .service
            .create_table(&ctx, &prefix, namespace(&ns)?, request)
            .await?;
        Ok::<_, ApiError>(TabularResponse::loaded(created, Default::default()))
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
            .register_table(&ctx, &prefix, namespace(&ns)?, request)
            .await?;
        Ok::<_, ApiError>(TabularResponse::loaded(registered, Default::default()))
    };
    note.attach(result.await.into_response())
}

pub async fn load(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((prefix, ns, table)): Path<(String, String, String)>,
    Query(query): Query<LoadTableQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mode = query.mode()?;
    let loaded = state
        .service
        .load_table(&ctx, &prefix, &ident(&ns, table)?, mode)
        .await?;
    let response = TabularResponse::loaded(loaded, mode);
    if let Some(etag) = &response.etag
        && if_none_match(&headers, etag)
    {
        return Ok(not_modified(etag));
    }
    Ok(response.into_response())
}

pub async fn commit(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((prefix, ns, table)): Path<(String, String, String)>,
    Json(request): Json<CommitTableRequest>,
) -> Result<TabularResponse, ApiError> {
    let ident = ident(&ns, table)?;
    let (identifier, change) = request.into_parts();
    check_body_identifier(identifier, &ident)?;
    let committed = state
        .service
        .commit_table(&ctx, &prefix, ident, change)
        .await?;
    Ok(TabularResponse::committed(committed))
}

#[derive(Debug, Deserialize)]
pub struct DropQuery {
    #[serde(rename = "purgeRequested", default, deserialize_with = "lenient_bool")]
    purge_requested: bool,
}

/// A query-string boolean in any case: Java clients send `true`, PyIceberg sends `True`.
fn lenient_bool<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    let value = String::deserialize(deserializer)?;
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(serde::de::Error::custom(format!(
            "expected true or false, not '{value}'"
        )))
    }
}

pub async fn drop(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((prefix, ns, table)): Path<(String, String, String)>,
    Query(query): Query<DropQuery>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .drop_table(&ctx, &prefix, &ident(&ns, table)?, query.purge_requested)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn unregister(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((prefix, ns, table)): Path<(String, String, String)>,
) -> Result<TabularResponse, ApiError> {
    let unregistered = state
        .service
        .unregister_table(&ctx, &prefix, &ident(&ns, table)?)
        .await?;
    Ok(TabularResponse::committed(unregistered))
}

pub async fn report_metrics(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((prefix, ns, table)): Path<(String, String, String)>,
    Json(report): Json<serde_json::Value>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .report_metrics(&ctx, &prefix, &ident(&ns, table)?, report)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn commit_transaction(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(prefix): Path<String>,
    Json(request): Json<CommitTransactionRequest>,
) -> Result<StatusCode, ApiError> {
    if request.table_changes.is_empty() {
        return Err(ApiError::bad_request("table-changes must not be empty"));
    }
    let changes = request
        .table_changes
        .into_iter()
        .map(|request| {
            let (identifier, change) = request.into_parts();
            let ident = identifier
                .ok_or_else(|| {
                    ApiError::bad_request("every table change of a transaction needs an identifier")
                })?
                .into_ident()?;
            Ok((ident, change))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    state.service.commit_tables(&ctx, &prefix, changes).await?;
    Ok(StatusCode::NO_CONTENT)
}
