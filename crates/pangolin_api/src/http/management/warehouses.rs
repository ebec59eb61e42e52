//! `/api/v1/warehouses`.

use axum::extract::State;
use axum::http::StatusCode;

use super::types::{
    CreateWarehouseRequest, Created, PageParams, UpdateWarehouseRequest, WarehouseList,
    WarehouseView,
};
use crate::error::{ApiError, ErrorResponse};
use crate::http::extract::{Ctx, Json, Path, Query};
use crate::service::NewWarehouse;
use crate::state::AppState;

/// List the tenant's warehouses, ordered by name.
#[utoipa::path(get, path = "/api/v1/warehouses", tag = "warehouses", params(PageParams),
    responses((status = 200, body = WarehouseList), (status = 400, body = ErrorResponse)))]
pub async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Query(page): Query<PageParams>,
) -> Result<axum::Json<WarehouseList>, ApiError> {
    let page = state
        .service
        .list_warehouses(&ctx, &page.request()?)
        .await?;
    Ok(axum::Json(WarehouseList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_page_token: page.next.map(|t| t.into_string()),
    }))
}

/// Create a warehouse. The server first writes and deletes a probe object at the storage root,
/// so unusable storage or credentials are refused here (400).
#[utoipa::path(post, path = "/api/v1/warehouses", tag = "warehouses",
    request_body = CreateWarehouseRequest,
    responses((status = 201, body = WarehouseView), (status = 400, body = ErrorResponse),
        (status = 409, description = "the name is taken", body = ErrorResponse)))]
pub async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Json(request): Json<CreateWarehouseRequest>,
) -> Result<Created<WarehouseView>, ApiError> {
    let warehouse = state
        .service
        .create_warehouse(
            &ctx,
            NewWarehouse {
                name: request.name,
                storage: request.storage,
            },
        )
        .await?;
    Ok(Created {
        id: warehouse.id.to_string(),
        name: Some(warehouse.name.clone()),
        body: warehouse.into(),
    })
}

/// Get a warehouse (secrets are never returned).
#[utoipa::path(get, path = "/api/v1/warehouses/{name}", tag = "warehouses",
    params(("name" = String, Path)),
    responses((status = 200, body = WarehouseView), (status = 404, body = ErrorResponse)))]
pub async fn get(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(name): Path<String>,
) -> Result<axum::Json<WarehouseView>, ApiError> {
    Ok(axum::Json(
        state.service.get_warehouse(&ctx, &name).await?.into(),
    ))
}

/// Replace a warehouse's storage profile (e.g. rotate credentials). The storage type, root,
/// bucket and key prefix cannot change.
#[utoipa::path(put, path = "/api/v1/warehouses/{name}", tag = "warehouses",
    params(("name" = String, Path)), request_body = UpdateWarehouseRequest,
    responses((status = 200, body = WarehouseView), (status = 400, body = ErrorResponse),
        (status = 404, body = ErrorResponse)))]
pub async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(name): Path<String>,
    Json(request): Json<UpdateWarehouseRequest>,
) -> Result<axum::Json<WarehouseView>, ApiError> {
    let warehouse = state
        .service
        .update_warehouse(&ctx, &name, request.storage)
        .await?;
    Ok(axum::Json(warehouse.into()))
}

/// Delete a warehouse; refused (409) while catalogs use it.
#[utoipa::path(delete, path = "/api/v1/warehouses/{name}", tag = "warehouses",
    params(("name" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorResponse),
        (status = 409, description = "catalogs use the warehouse", body = ErrorResponse)))]
pub async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.delete_warehouse(&ctx, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
