//! The management API (`/api/v1/...`): tenants, warehouses and catalogs. Every route is described
//! by utoipa annotations collected in [`ManagementApi`].

mod catalogs;
mod tenants;
pub mod types;
mod users;
mod warehouses;

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::state::AppState;

/// The OpenAPI document of the management API, served at `/api-docs/management.json`.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Pangolin management API",
        description = "Tenants, warehouses and catalogs of a Pangolin Iceberg REST catalog. \
            Errors use the Iceberg REST error envelope.",
    ),
    paths(
        tenants::list, tenants::create, tenants::get, tenants::update, tenants::delete,
        warehouses::list, warehouses::create, warehouses::get, warehouses::update, warehouses::delete,
        catalogs::list, catalogs::create, catalogs::get, catalogs::update, catalogs::delete,
        catalogs::metrics_reports,
        users::login, users::logout, users::me,
    ),
    tags(
        (name = "tenants", description = "Tenants: the unit of isolation"),
        (name = "warehouses", description = "Storage locations and the credentials to use them"),
        (name = "catalogs", description = "Iceberg catalogs, addressed by clients as `warehouse`"),
        (name = "users", description = "People and service users, and their sessions"),
    )
)]
pub struct ManagementApi;

/// The management routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tenants", get(tenants::list).post(tenants::create))
        .route(
            "/api/v1/tenants/{id}",
            get(tenants::get)
                .put(tenants::update)
                .delete(tenants::delete),
        )
        .route(
            "/api/v1/warehouses",
            get(warehouses::list).post(warehouses::create),
        )
        .route(
            "/api/v1/warehouses/{name}",
            get(warehouses::get)
                .put(warehouses::update)
                .delete(warehouses::delete),
        )
        .route(
            "/api/v1/catalogs",
            get(catalogs::list).post(catalogs::create),
        )
        .route(
            "/api/v1/catalogs/{name}",
            get(catalogs::get)
                .put(catalogs::update)
                .delete(catalogs::delete),
        )
        .route(
            "/api/v1/catalogs/{catalog}/namespaces/{namespace}/tables/{table}/metrics-reports",
            get(catalogs::metrics_reports),
        )
        .route("/api/v1/users/login", post(users::login))
        .route("/api/v1/users/logout", post(users::logout))
        .route("/api/v1/users/me", get(users::me))
}
