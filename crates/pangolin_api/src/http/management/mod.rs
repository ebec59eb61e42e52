//! The management API (`/api/v1/...`): tenants, warehouses and catalogs; users, service users,
//! API keys, tokens, roles and grants; the audit log. Every route is described
//! by utoipa annotations collected in [`ManagementApi`].

mod api_keys;
mod audit;
mod catalogs;
mod grants;
mod roles;
mod tenants;
mod tokens;
pub mod types;
mod users;
mod warehouses;

use axum::Router;
use axum::routing::{delete, get, post, put};
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
        users::list, users::create, users::get, users::update, users::delete,
        api_keys::list, api_keys::create, api_keys::get, api_keys::update, api_keys::rotate,
        api_keys::delete,
        tokens::list_own, tokens::revoke, tokens::list_user, tokens::issue,
        roles::list, roles::create, roles::get, roles::update, roles::delete,
        roles::list_assigned, roles::assign, roles::unassign,
        grants::list, grants::create, grants::get, grants::delete,
        audit::list, audit::count, audit::get,
    ),
    tags(
        (name = "tenants", description = "Tenants: the unit of isolation"),
        (name = "warehouses", description = "Storage locations and the credentials to use them"),
        (name = "catalogs", description = "Iceberg catalogs, addressed by clients as `warehouse`"),
        (name = "users", description = "People and service users, and their sessions"),
        (name = "api-keys", description = "API keys of service users"),
        (name = "tokens", description = "Issued tokens: list and revoke"),
        (name = "roles", description = "Custom roles and their assignment to users"),
        (name = "grants", description = "Actions granted on scopes to users and roles"),
        (name = "audit", description = "The audit log"),
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
        .route("/api/v1/users", get(users::list).post(users::create))
        .route(
            "/api/v1/users/{id}",
            get(users::get).put(users::update).delete(users::delete),
        )
        .route(
            "/api/v1/users/{id}/api-keys",
            get(api_keys::list).post(api_keys::create),
        )
        .route(
            "/api/v1/users/{id}/api-keys/{key}",
            get(api_keys::get)
                .put(api_keys::update)
                .delete(api_keys::delete),
        )
        .route(
            "/api/v1/users/{id}/api-keys/{key}/rotate",
            post(api_keys::rotate),
        )
        .route(
            "/api/v1/users/{id}/tokens",
            get(tokens::list_user).post(tokens::issue),
        )
        .route("/api/v1/users/{id}/roles", get(roles::list_assigned))
        .route(
            "/api/v1/users/{id}/roles/{role}",
            put(roles::assign).delete(roles::unassign),
        )
        .route("/api/v1/tokens", get(tokens::list_own))
        .route("/api/v1/tokens/{id}", delete(tokens::revoke))
        .route("/api/v1/roles", get(roles::list).post(roles::create))
        .route(
            "/api/v1/roles/{id}",
            get(roles::get).put(roles::update).delete(roles::delete),
        )
        .route("/api/v1/grants", get(grants::list).post(grants::create))
        .route(
            "/api/v1/grants/{id}",
            get(grants::get).delete(grants::delete),
        )
        .route("/api/v1/audit", get(audit::list))
        .route("/api/v1/audit/count", get(audit::count))
        .route("/api/v1/audit/{id}", get(audit::get))
}
