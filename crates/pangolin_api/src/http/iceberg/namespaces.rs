//! Namespace operations.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pangolin_core::{NamespaceIdent, PageRequest};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::http::audit::AuditNote;
use crate::http::extract::{Ctx, Json, Path, Query, namespace};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    parent: Option<String>,
    #[serde(rename = "pageToken")]
    page_token: Option<String>,
    #[serde(rename = "pageSize")]
    page_size: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct ListNamespacesResponse {
    namespaces: Vec<NamespaceIdent>,
    #[serde(rename = "next-page-token")]
    next_page_token: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CreateNamespaceRequest {
    namespace: NamespaceIdent,
    #[serde(default)]
    properties: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct NamespaceResponse {
    namespace: NamespaceIdent,
    properties: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
pub struct UpdatePropertiesRequest {
    #[serde(default)]
    removals: Vec<String>,
    #[serde(default)]
    updates: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct UpdatePropertiesResponse {
    updated: Vec<String>,
    removed: Vec<String>,
    missing: Vec<String>,
}

pub async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(prefix): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<axum::Json<ListNamespacesResponse>, ApiError> {
    // An empty parent means "top level" for backward compatibility.
    let parent = query
        .parent
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(namespace)
        .transpose()?;
    let page = state
        .service
        .list_namespaces(
            &ctx,
            &prefix,
            parent.as_ref(),
            &PageRequest::from_client(query.page_token.as_deref(), query.page_size)?,
        )
        .await?;
    Ok(axum::Json(ListNamespacesResponse {
        namespaces: page.items,
        next_page_token: page.next.map(|t| t.into_string()),
    }))
}

pub async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(prefix): Path<String>,
    Json(request): Json<CreateNamespaceRequest>,
) -> Response {
    let note = AuditNote::resource(None, Some(request.namespace.to_string()));
    let result = state
        .service
        .create_namespace(&ctx, &prefix, request.namespace, request.properties)
        .await
        .map(|created| {
            axum::Json(NamespaceResponse {
                namespace: created.ident,
                properties: created.properties,
            })
        })
        .map_err(ApiError::from);
    note.attach(result.into_response())
}

pub async fn load(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((prefix, ns)): Path<(String, String)>,
) -> Result<axum::Json<NamespaceResponse>, ApiError> {
    let loaded = state
        .service
        .get_namespace(&ctx, &prefix, &namespace(&ns)?)
        .await?;
    Ok(axum::Json(NamespaceResponse {
        namespace: loaded.ident,
        properties: loaded.properties,
    }))
}

pub async fn exists(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((prefix, ns)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .get_namespace(&ctx, &prefix, &namespace(&ns)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn drop(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((prefix, ns)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .drop_namespace(&ctx, &prefix, &namespace(&ns)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn update_properties(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((prefix, ns)): Path<(String, String)>,
    Json(request): Json<UpdatePropertiesRequest>,
) -> Result<axum::Json<UpdatePropertiesResponse>, ApiError> {
    let result = state
        .service
        .update_namespace_properties(
            &ctx,
            &prefix,
            &namespace(&ns)?,
            request.updates,
            request.removals,
        )
        .await?;
    Ok(axum::Json(UpdatePropertiesResponse {
        updated: result.updated,
        removed: result.removed,
        missing: result.missing,
    }))
}
