//! `/api/v1/users/{id}/api-keys`: the API keys of service users. A key's secret is shown once,
//! when it is created or rotated; only its hash is kept.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use pangolin_core::{ApiKey, ApiKeyId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::types::{Created, PageParams, double_option, parse_id, parse_timestamp, timestamp};
use crate::error::{ApiError, ErrorResponse};
use crate::http::extract::{Ctx, Json, Path, Query};
use crate::service::IssuedKey;
use crate::state::AppState;

/// An API key (never its secret).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub struct ApiKeyView {
    /// The key id: the public part of the key, and its OAuth2 client id.
    pub id: ApiKeyId,
    /// The service user it authenticates.
    pub user_id: UserId,
    pub name: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; absent if it never expires.
    pub expires_at: Option<String>,
    /// RFC 3339; updated at most once a minute.
    pub last_used_at: Option<String>,
    pub active: bool,
}

impl From<ApiKey> for ApiKeyView {
    fn from(key: ApiKey) -> Self {
        Self {
            id: key.id,
            user_id: key.user_id,
            name: key.name,
            created_at: timestamp(key.created_at),
            expires_at: key.expires_at.map(timestamp),
            last_used_at: key.last_used_at.map(timestamp),
            active: key.active,
        }
    }
}

/// A new or rotated key: `key` (for `X-API-Key`) and the OAuth2 client id and secret (for
/// `credential=<client-id>:<client-secret>`). Shown only in this response.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub struct IssuedKeyView {
    /// `pgl_<key id>_<secret>`.
    pub key: String,
    /// The OAuth2 client id.
    pub client_id: String,
    /// The OAuth2 client secret.
    pub client_secret: String,
    pub api_key: ApiKeyView,
}

impl From<IssuedKey> for IssuedKeyView {
    fn from(issued: IssuedKey) -> Self {
        Self {
            key: issued.key,
            client_id: issued.record.id.as_uuid().simple().to_string(),
            client_secret: issued.secret,
            api_key: issued.record.into(),
        }
    }
}

/// A page of keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyList {
    pub items: Vec<ApiKeyView>,
    #[serde(rename = "next-page-token")]
    pub next_page_token: Option<String>,
}

/// Creates a key.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// A label.
    pub name: String,
    /// Seconds until it expires; absent: never.
    #[schema(minimum = 1)]
    pub expires_in_secs: Option<u64>,
}

/// Changes a key; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct UpdateApiKeyRequest {
    pub active: Option<bool>,
    /// New expiry, RFC 3339; `null`: never.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub expires_at: Option<Option<String>>,
}

fn ids(user: &str, key: &str) -> Result<(UserId, ApiKeyId), ApiError> {
    Ok((parse_id("user", user)?, parse_id("API key", key)?))
}

/// List a service user's keys.
#[utoipa::path(get, path = "/api/v1/users/{id}/api-keys", tag = "api-keys",
    params(("id" = String, Path, description = "user id"), PageParams),
    responses((status = 200, body = ApiKeyList), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse)))]
pub async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(user): Path<String>,
    Query(page): Query<PageParams>,
) -> Result<axum::Json<ApiKeyList>, ApiError> {
    let page = state
        .service
        .list_api_keys(&ctx, parse_id("user", &user)?, &page.request()?)
        .await?;
    Ok(axum::Json(ApiKeyList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_page_token: page.next.map(|t| t.into_string()),
    }))
}

/// Create a key for a service user (administrators). The secret is in this response only.
#[utoipa::path(post, path = "/api/v1/users/{id}/api-keys", tag = "api-keys",
    params(("id" = String, Path, description = "user id")), request_body = CreateApiKeyRequest,
    responses((status = 201, body = IssuedKeyView), (status = 400, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(user): Path<String>,
    Json(request): Json<CreateApiKeyRequest>,
) -> Result<Created<IssuedKeyView>, ApiError> {
    if request.expires_in_secs == Some(0) {
        return Err(ApiError::bad_request("expires-in-secs must be at least 1"));
    }
    let issued = state
        .service
        .create_api_key(
            &ctx,
            parse_id("user", &user)?,
            request.name,
            request.expires_in_secs.map(Duration::from_secs),
        )
        .await?;
    Ok(Created {
        id: issued.record.id.to_string(),
        name: Some(issued.record.name.clone()),
        body: issued.into(),
    })
}

/// Get a key.
#[utoipa::path(get, path = "/api/v1/users/{id}/api-keys/{key}", tag = "api-keys",
    params(("id" = String, Path, description = "user id"), ("key" = String, Path, description = "key id")),
    responses((status = 200, body = ApiKeyView), (status = 404, body = ErrorResponse)))]
pub async fn get(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((user, key)): Path<(String, String)>,
) -> Result<axum::Json<ApiKeyView>, ApiError> {
    let (user, key) = ids(&user, &key)?;
    Ok(axum::Json(
        state.service.get_api_key(&ctx, user, key).await?.into(),
    ))
}

/// Activate or deactivate a key, or change its expiry.
#[utoipa::path(put, path = "/api/v1/users/{id}/api-keys/{key}", tag = "api-keys",
    params(("id" = String, Path, description = "user id"), ("key" = String, Path, description = "key id")),
    request_body = UpdateApiKeyRequest,
    responses((status = 200, body = ApiKeyView), (status = 400, body = ErrorResponse),
        (status = 404, body = ErrorResponse)))]
pub async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((user, key)): Path<(String, String)>,
    Json(request): Json<UpdateApiKeyRequest>,
) -> Result<axum::Json<ApiKeyView>, ApiError> {
    let (user, key) = ids(&user, &key)?;
    let expires_at = request
        .expires_at
        .map(|at| at.map(|at| parse_timestamp("expires-at", &at)).transpose())
        .transpose()?;
    let updated = state
        .service
        .update_api_key(&ctx, user, key, request.active, expires_at)
        .await?;
    Ok(axum::Json(updated.into()))
}

/// Give a key a new secret; the old secret stops working at once.
#[utoipa::path(post, path = "/api/v1/users/{id}/api-keys/{key}/rotate", tag = "api-keys",
    params(("id" = String, Path, description = "user id"), ("key" = String, Path, description = "key id")),
    responses((status = 200, body = IssuedKeyView), (status = 404, body = ErrorResponse)))]
pub async fn rotate(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((user, key)): Path<(String, String)>,
) -> Result<axum::Json<IssuedKeyView>, ApiError> {
    let (user, key) = ids(&user, &key)?;
    Ok(axum::Json(
        state.service.rotate_api_key(&ctx, user, key).await?.into(),
    ))
}

/// Delete a key.
#[utoipa::path(delete, path = "/api/v1/users/{id}/api-keys/{key}", tag = "api-keys",
    params(("id" = String, Path, description = "user id"), ("key" = String, Path, description = "key id")),
    responses((status = 204), (status = 404, body = ErrorResponse)))]
pub async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((user, key)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (user, key) = ids(&user, &key)?;
    state.service.delete_api_key(&ctx, user, key).await?;
    Ok(StatusCode::NO_CONTENT)
}
