//! `/api/v1/roles` and `/api/v1/users/{id}/roles`: custom roles (named sets of grants) and their
//! assignment to users. Administrators only.

use axum::extract::State;
use axum::http::StatusCode;
use pangolin_core::{Role, RoleId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::types::{Created, PageParams, parse_id, timestamp};
use crate::error::{ApiError, ErrorResponse};
use crate::http::extract::{Ctx, Json, Path, Query};
use crate::state::AppState;

/// A custom role.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub struct RoleView {
    pub id: RoleId,
    pub name: String,
    pub description: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl From<Role> for RoleView {
    fn from(role: Role) -> Self {
        Self {
            id: role.id,
            name: role.name,
            description: role.description,
            created_at: timestamp(role.created_at),
            updated_at: timestamp(role.updated_at),
        }
    }
}

/// A page of roles.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleList {
    pub items: Vec<RoleView>,
    #[serde(rename = "next-page-token")]
    pub next_page_token: Option<String>,
}

/// Creates a role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CreateRoleRequest {
    /// Unique in the tenant.
    pub name: String,
    pub description: Option<String>,
}

/// Replaces a role's description.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct UpdateRoleRequest {
    pub description: Option<String>,
}

fn role_id(id: &str) -> Result<RoleId, ApiError> {
    parse_id("role", id)
}

/// List the tenant's roles, ordered by name.
#[utoipa::path(get, path = "/api/v1/roles", tag = "roles", params(PageParams),
    responses((status = 200, body = RoleList), (status = 403, body = ErrorResponse)))]
pub async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Query(page): Query<PageParams>,
) -> Result<axum::Json<RoleList>, ApiError> {
    let page = state.service.list_roles(&ctx, &page.request()?).await?;
    Ok(axum::Json(RoleList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_page_token: page.next.map(|t| t.into_string()),
    }))
}

/// Create a role.
#[utoipa::path(post, path = "/api/v1/roles", tag = "roles", request_body = CreateRoleRequest,
    responses((status = 201, body = RoleView), (status = 400, body = ErrorResponse),
        (status = 403, body = ErrorResponse),
        (status = 409, description = "the name is taken", body = ErrorResponse)))]
pub async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Json(request): Json<CreateRoleRequest>,
) -> Result<Created<RoleView>, ApiError> {
    let role = state
        .service
        .create_role(&ctx, request.name, request.description)
        .await?;
    Ok(Created {
        id: role.id.to_string(),
        name: Some(role.name.clone()),
        body: role.into(),
    })
}

/// Get a role.
#[utoipa::path(get, path = "/api/v1/roles/{id}", tag = "roles",
    params(("id" = String, Path, description = "role id")),
    responses((status = 200, body = RoleView), (status = 404, body = ErrorResponse)))]
pub async fn get(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> Result<axum::Json<RoleView>, ApiError> {
    Ok(axum::Json(
        state.service.get_role(&ctx, role_id(&id)?).await?.into(),
    ))
}

/// Replace a role's description.
#[utoipa::path(put, path = "/api/v1/roles/{id}", tag = "roles",
    params(("id" = String, Path, description = "role id")), request_body = UpdateRoleRequest,
    responses((status = 200, body = RoleView), (status = 404, body = ErrorResponse)))]
pub async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    Json(request): Json<UpdateRoleRequest>,
) -> Result<axum::Json<RoleView>, ApiError> {
    let role = state
        .service
        .update_role(&ctx, role_id(&id)?, request.description)
        .await?;
    Ok(axum::Json(role.into()))
}

/// Delete a role with its grants and assignments.
#[utoipa::path(delete, path = "/api/v1/roles/{id}", tag = "roles",
    params(("id" = String, Path, description = "role id")),
    responses((status = 204), (status = 404, body = ErrorResponse)))]
pub async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.delete_role(&ctx, role_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The roles assigned to a user.
#[utoipa::path(get, path = "/api/v1/users/{id}/roles", tag = "roles",
    params(("id" = String, Path, description = "user id")),
    responses((status = 200, body = RoleList), (status = 403, body = ErrorResponse)))]
pub async fn list_assigned(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(user): Path<String>,
) -> Result<axum::Json<RoleList>, ApiError> {
    let user: UserId = parse_id("user", &user)?;
    let roles = state.service.list_user_roles(&ctx, user).await?;
    Ok(axum::Json(RoleList {
        items: roles.into_iter().map(Into::into).collect(),
        next_page_token: None,
    }))
}

/// Assign a role to a user (idempotent).
#[utoipa::path(put, path = "/api/v1/users/{id}/roles/{role}", tag = "roles",
    params(("id" = String, Path, description = "user id"), ("role" = String, Path, description = "role id")),
    responses((status = 204), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse)))]
pub async fn assign(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((user, role)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .assign_role(&ctx, parse_id("user", &user)?, role_id(&role)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a role from a user.
#[utoipa::path(delete, path = "/api/v1/users/{id}/roles/{role}", tag = "roles",
    params(("id" = String, Path, description = "user id"), ("role" = String, Path, description = "role id")),
    responses((status = 204), (status = 404, body = ErrorResponse)))]
pub async fn unassign(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((user, role)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .unassign_role(&ctx, parse_id("user", &user)?, role_id(&role)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
