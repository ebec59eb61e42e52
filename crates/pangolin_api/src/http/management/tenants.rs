//! `/api/v1/tenants`.

use axum::extract::State;
use axum::http::StatusCode;
use pangolin_core::TenantId;

use super::types::{
    CreateTenantRequest, Created, PageParams, TenantList, TenantView, UpdatePropertiesRequest,
};
use crate::error::{ApiError, ErrorResponse};
use crate::http::extract::{Ctx, Json, Path, Query};
use crate::state::AppState;

fn tenant_id(id: &str) -> Result<TenantId, ApiError> {
    id.parse()
        .map_err(|_| ApiError::bad_request(format!("'{id}' is not a tenant id")))
}

/// List tenants, ordered by name.
#[utoipa::path(get, path = "/api/v1/tenants", tag = "tenants", params(PageParams),
    responses((status = 200, body = TenantList), (status = 400, body = ErrorResponse)))]
pub async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Query(page): Query<PageParams>,
) -> Result<axum::Json<TenantList>, ApiError> {
    let page = state.service.list_tenants(&ctx, &page.request()?).await?;
    Ok(axum::Json(TenantList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_page_token: page.next.map(|t| t.into_string()),
    }))
}

/// Create a tenant.
#[utoipa::path(post, path = "/api/v1/tenants", tag = "tenants", request_body = CreateTenantRequest,
    responses((status = 201, body = TenantView), (status = 400, body = ErrorResponse),
        (status = 409, description = "the name is taken", body = ErrorResponse)))]
pub async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Json(request): Json<CreateTenantRequest>,
) -> Result<Created<TenantView>, ApiError> {
    let tenant = state
        .service
        .create_tenant(&ctx, request.name, request.properties)
        .await?;
    Ok(Created {
        id: tenant.id.to_string(),
        name: Some(tenant.name.clone()),
        body: tenant.into(),
    })
}

/// Get a tenant.
#[utoipa::path(get, path = "/api/v1/tenants/{id}", tag = "tenants",
    params(("id" = String, Path, description = "tenant id")),
    responses((status = 200, body = TenantView), (status = 404, body = ErrorResponse)))]
pub async fn get(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> Result<axum::Json<TenantView>, ApiError> {
    Ok(axum::Json(
        state
            .service
            .get_tenant(&ctx, tenant_id(&id)?)
            .await?
            .into(),
    ))
}

/// Replace a tenant's properties.
#[utoipa::path(put, path = "/api/v1/tenants/{id}", tag = "tenants",
    params(("id" = String, Path, description = "tenant id")), request_body = UpdatePropertiesRequest,
    responses((status = 200, body = TenantView), (status = 404, body = ErrorResponse)))]
pub async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    Json(request): Json<UpdatePropertiesRequest>,
) -> Result<axum::Json<TenantView>, ApiError> {
    let tenant = state
        .service
        .update_tenant(&ctx, tenant_id(&id)?, request.properties)
        .await?;
    Ok(axum::Json(tenant.into()))
}

/// Delete a tenant; refused (409) while it owns warehouses or catalogs.
#[utoipa::path(delete, path = "/api/v1/tenants/{id}", tag = "tenants",
    params(("id" = String, Path, description = "tenant id")),
    responses((status = 204), (status = 404, body = ErrorResponse),
        (status = 409, description = "the tenant still owns resources", body = ErrorResponse)))]
pub async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.delete_tenant(&ctx, tenant_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
