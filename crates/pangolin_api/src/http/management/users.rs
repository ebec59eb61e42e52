//! `/api/v1/users`: sessions (login, logout, me) and the accounts of people and service users.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pangolin_core::{BuiltinRole, User, UserId, UserKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::types::{Created, PageParams, double_option, parse_id, timestamp};
use crate::error::{ApiError, ErrorResponse};
use crate::http::audit::AuditNote;
use crate::http::extract::{ClientIp, Ctx, Json, Path, Query};
use crate::service::{IssuedToken, NewUser, UserChanges};
use crate::state::AppState;

/// Credentials of a person.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The tenant of the account (name); omit for Root users.
    pub tenant: Option<String>,
    /// The login name.
    pub username: String,
    /// The password.
    #[schema(format = Password)]
    pub password: String,
}

/// A freshly issued access token; it is shown only in this response.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub struct TokenResponse {
    /// The bearer token.
    pub token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// The token's id (for listing and revoking it).
    pub token_id: String,
}

impl From<IssuedToken> for TokenResponse {
    fn from(issued: IssuedToken) -> Self {
        Self {
            expires_in: issued.expires_in(),
            token_id: issued.record.id.to_string(),
            token: issued.token,
            token_type: "bearer",
        }
    }
}

/// A user or service user (never its password or keys).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub struct UserView {
    /// Its id.
    pub id: UserId,
    /// Its tenant's id; absent for Root users.
    pub tenant_id: Option<String>,
    /// Its login name.
    pub name: String,
    /// Person or service user.
    pub kind: UserKind,
    /// Its built-in role.
    pub role: BuiltinRole,
    /// Its contact address.
    pub email: Option<String>,
    /// Whether it may authenticate.
    pub active: bool,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            tenant_id: user.tenant_id.map(|t| t.to_string()),
            name: user.name,
            kind: user.kind,
            role: user.role,
            email: user.email,
            active: user.active,
            created_at: timestamp(user.created_at),
            updated_at: timestamp(user.updated_at),
        }
    }
}

/// A page of users.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserView>,
    #[serde(rename = "next-page-token")]
    pub next_page_token: Option<String>,
}

/// Which accounts to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    /// List the Root users instead of the tenant's (Root only).
    #[serde(default)]
    pub root: bool,
}

/// Creates a person or a service user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Login name, unique in the tenant.
    pub name: String,
    /// `human` (logs in with a password) or `service` (authenticates with API keys).
    pub kind: UserKind,
    /// `tenant-user` (what grants allow), `tenant-admin`, or `root` (Root only). Never more than
    /// the caller's own role.
    pub role: BuiltinRole,
    pub email: Option<String>,
    /// Required for people (at least 12 characters); refused for service users. Write-only.
    #[schema(format = Password, write_only)]
    pub password: Option<String>,
}

/// Changes a user; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// New contact address; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// New password. Write-only.
    #[schema(format = Password, write_only)]
    pub password: Option<String>,
    /// Your current password, when you change your own.
    #[schema(format = Password, write_only)]
    pub current_password: Option<String>,
    /// Activate or deactivate (administrators; deactivated accounts' tokens and keys stop
    /// working).
    pub active: Option<bool>,
    /// New role (administrators, never above their own).
    pub role: Option<BuiltinRole>,
}

fn user_id(id: &str) -> Result<UserId, ApiError> {
    parse_id("user", id)
}

/// Log in with a username and password; answers a bearer token.
#[utoipa::path(post, path = "/api/v1/users/login", tag = "users", request_body = LoginRequest,
    security(()),
    responses((status = 200, body = TokenResponse), (status = 400, body = ErrorResponse),
        (status = 401, description = "wrong username or password", body = ErrorResponse),
        (status = 429, description = "too many attempts", body = ErrorResponse)))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(request): Json<LoginRequest>,
) -> Response {
    let result = state
        .service
        .login(
            request.tenant.as_deref(),
            &request.username,
            &request.password,
            ip,
        )
        .await;
    let (tenant_id, principal_id) = match &result {
        Ok(issued) => (issued.record.tenant_id, Some(issued.record.user_id)),
        Err(_) => (None, None),
    };
    let mut response = match result {
        Ok(issued) => axum::Json(TokenResponse::from(issued)).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    };
    response.extensions_mut().insert(AuditNote {
        principal_id,
        principal_name: Some(request.username),
        tenant_id,
        ..AuditNote::default()
    });
    response
}

/// Revoke the token this request is authenticated with.
#[utoipa::path(post, path = "/api/v1/users/logout", tag = "users",
    responses((status = 204), (status = 401, body = ErrorResponse)))]
pub async fn logout(State(state): State<AppState>, Ctx(ctx): Ctx) -> Result<StatusCode, ApiError> {
    state.service.logout(&ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/users/me", tag = "users",
    responses((status = 200, body = UserView), (status = 401, body = ErrorResponse)))]
pub async fn me(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
) -> Result<axum::Json<UserView>, ApiError> {
    Ok(axum::Json(state.service.me(&ctx).await?.into()))
}

/// List the tenant's users (or, for Root with `root=true`, the Root users), ordered by name.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(PageParams, UserListParams),
    responses((status = 200, body = UserList), (status = 403, body = ErrorResponse)))]
pub async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Query(page): Query<PageParams>,
    Query(params): Query<UserListParams>,
) -> Result<axum::Json<UserList>, ApiError> {
    let page = state
        .service
        .list_users(&ctx, params.root, &page.request()?)
        .await?;
    Ok(axum::Json(UserList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_page_token: page.next.map(|t| t.into_string()),
    }))
}

/// Create a person or a service user in the tenant (administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUserRequest,
    responses((status = 201, body = UserView), (status = 400, body = ErrorResponse),
        (status = 403, description = "not an administrator, or a role above the caller's",
            body = ErrorResponse),
        (status = 409, description = "the name is taken", body = ErrorResponse)))]
pub async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Json(request): Json<CreateUserRequest>,
) -> Result<Created<UserView>, ApiError> {
    let user = state
        .service
        .create_user(
            &ctx,
            NewUser {
                name: request.name,
                kind: request.kind,
                role: request.role,
                email: request.email,
                password: request.password,
            },
        )
        .await?;
    Ok(Created {
        id: user.id.to_string(),
        name: Some(user.name.clone()),
        body: user.into(),
    })
}

/// Get a user: your own account, or one you administer.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = String, Path, description = "user id")),
    responses((status = 200, body = UserView), (status = 404, body = ErrorResponse)))]
pub async fn get(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> Result<axum::Json<UserView>, ApiError> {
    let user = state.service.get_user(&ctx, user_id(&id)?).await?;
    Ok(axum::Json(user.into()))
}

/// Change a user: your own email and password, or (administrators) anything of an account you
/// administer.
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = String, Path, description = "user id")), request_body = UpdateUserRequest,
    responses((status = 200, body = UserView), (status = 400, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    Json(request): Json<UpdateUserRequest>,
) -> Result<axum::Json<UserView>, ApiError> {
    let changes = UserChanges {
        email: request.email,
        password: request.password,
        current_password: request.current_password,
        active: request.active,
        role: request.role,
    };
    let user = state
        .service
        .update_user(&ctx, user_id(&id)?, changes)
        .await?;
    Ok(axum::Json(user.into()))
}

/// Delete a user with its API keys, tokens, grants and role assignments.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = String, Path, description = "user id")),
    responses((status = 204), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse)))]
pub async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.delete_user(&ctx, user_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
