//! `/api/v1/catalogs`, and the metrics reports stored for a catalog's tables.

use axum::extract::State;
use axum::http::StatusCode;
use pangolin_core::TabularIdent;

use super::types::{
    CatalogList, CatalogView, CreateCatalogRequest, Created, MetricsReportEntry, MetricsReportList,
    PageParams, UpdatePropertiesRequest, timestamp,
};
use crate::error::{ApiError, ErrorResponse};
use crate::http::extract::{Ctx, Json, Path, Query, namespace};
use crate::service::NewCatalog;
use crate::state::AppState;

/// List the tenant's catalogs, ordered by name.
#[utoipa::path(get, path = "/api/v1/catalogs", tag = "catalogs", params(PageParams),
    responses((status = 200, body = CatalogList), (status = 400, body = ErrorResponse)))]
pub async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Query(page): Query<PageParams>,
) -> Result<axum::Json<CatalogList>, ApiError> {
    let page = state.service.list_catalogs(&ctx, &page.request()?).await?;
    Ok(axum::Json(CatalogList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_page_token: page.next.map(|t| t.into_string()),
    }))
}

/// Create a catalog in a warehouse.
#[utoipa::path(post, path = "/api/v1/catalogs", tag = "catalogs",
    request_body = CreateCatalogRequest,
    responses((status = 201, body = CatalogView), (status = 400, body = ErrorResponse),
        (status = 404, description = "no such warehouse", body = ErrorResponse),
        (status = 409, description = "the name is taken", body = ErrorResponse)))]
pub async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Json(request): Json<CreateCatalogRequest>,
) -> Result<Created<CatalogView>, ApiError> {
    let catalog = state
        .service
        .create_catalog(
            &ctx,
            NewCatalog {
                name: request.name,
                warehouse: request.warehouse,
                base_location: request.base_location,
                properties: request.properties,
            },
        )
        .await?;
    Ok(Created {
        id: catalog.id.to_string(),
        name: Some(catalog.name.clone()),
        body: catalog.into(),
    })
}

/// Get a catalog.
#[utoipa::path(get, path = "/api/v1/catalogs/{name}", tag = "catalogs",
    params(("name" = String, Path)),
    responses((status = 200, body = CatalogView), (status = 404, body = ErrorResponse)))]
pub async fn get(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(name): Path<String>,
) -> Result<axum::Json<CatalogView>, ApiError> {
    Ok(axum::Json(
        state.service.get_catalog(&ctx, &name).await?.into(),
    ))
}

/// Replace a catalog's properties.
#[utoipa::path(put, path = "/api/v1/catalogs/{name}", tag = "catalogs",
    params(("name" = String, Path)), request_body = UpdatePropertiesRequest,
    responses((status = 200, body = CatalogView), (status = 404, body = ErrorResponse)))]
pub async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(name): Path<String>,
    Json(request): Json<UpdatePropertiesRequest>,
) -> Result<axum::Json<CatalogView>, ApiError> {
    let catalog = state
        .service
        .update_catalog(&ctx, &name, request.properties)
        .await?;
    Ok(axum::Json(catalog.into()))
}

/// Delete a catalog; refused (409) while it holds namespaces.
#[utoipa::path(delete, path = "/api/v1/catalogs/{name}", tag = "catalogs",
    params(("name" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorResponse),
        (status = 409, description = "the catalog is not empty", body = ErrorResponse)))]
pub async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.delete_catalog(&ctx, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The metrics reports Iceberg clients sent for a table, oldest first.
#[utoipa::path(get, path = "/api/v1/catalogs/{catalog}/namespaces/{namespace}/tables/{table}/metrics-reports",
    tag = "catalogs",
    params(("catalog" = String, Path), ("namespace" = String, Path, description = "levels separated by %1F"),
        ("table" = String, Path), PageParams),
    responses((status = 200, body = MetricsReportList), (status = 404, body = ErrorResponse)))]
pub async fn metrics_reports(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((catalog, ns, table)): Path<(String, String, String)>,
    Query(page): Query<PageParams>,
) -> Result<axum::Json<MetricsReportList>, ApiError> {
    let ident = TabularIdent::new(namespace(&ns)?, table)?;
    let page = state
        .service
        .list_metrics_reports(&ctx, &catalog, &ident, &page.request()?)
        .await?;
    Ok(axum::Json(MetricsReportList {
        items: page
            .items
            .into_iter()
            .map(|r| MetricsReportEntry {
                id: r.id.to_string(),
                report_type: r.report_type,
                received_at: timestamp(r.received_at),
                report: r.report,
            })
            .collect(),
        next_page_token: page.next.map(|t| t.into_string()),
    }))
}
