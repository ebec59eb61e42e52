//! `/api/v1/users/login`, `/logout` and `/me`: sessions of people.

use axum::extract::State;
use axum::http::StatusCode;
use pangolin_core::{BuiltinRole, User, UserKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorResponse};
use crate::http::extract::{Ctx, Json};
use crate::service::IssuedToken;
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
pub struct UserView {
    /// Its id.
    pub id: String,
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
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
    /// Last update time, milliseconds since the epoch.
    pub updated_at: i64,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        Self {
            id: user.id.to_string(),
            tenant_id: user.tenant_id.map(|t| t.to_string()),
            name: user.name,
            kind: user.kind,
            role: user.role,
            email: user.email,
            active: user.active,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

/// Log in with a username and password; answers a bearer token.
#[utoipa::path(post, path = "/api/v1/users/login", tag = "users", request_body = LoginRequest,
    security(()),
    responses((status = 200, body = TokenResponse), (status = 400, body = ErrorResponse),
        (status = 401, description = "wrong username or password", body = ErrorResponse)))]
pub async fn login(
    State(state): State<AppState>,
    Json(request): Json<LoginRequest>,
) -> Result<axum::Json<TokenResponse>, ApiError> {
    let issued = state
        .service
        .login(
            request.tenant.as_deref(),
            &request.username,
            &request.password,
        )
        .await?;
    Ok(axum::Json(issued.into()))
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
