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
use axum::routing::{MethodFilter, on};
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

/// Declares every management route once: the router and [`ROUTES`] (which tests walk, e.g. the
/// authorization matrix) are both generated from it.
macro_rules! management_api {
    ($($method:ident $path:literal => $handler:path),* $(,)?) => {
        /// Every management route as `(method, path)`.
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        /// The management routes.
        pub fn routes() -> Router<AppState> {
            Router::new()$(.route($path, on(MethodFilter::$method, $handler)))*
        }
    };
}

management_api! {
    GET "/api/v1/tenants" => tenants::list,
    POST "/api/v1/tenants" => tenants::create,
    GET "/api/v1/tenants/{id}" => tenants::get,
    PUT "/api/v1/tenants/{id}" => tenants::update,
    DELETE "/api/v1/tenants/{id}" => tenants::delete,
    GET "/api/v1/warehouses" => warehouses::list,
    POST "/api/v1/warehouses" => warehouses::create,
    GET "/api/v1/warehouses/{name}" => warehouses::get,
    PUT "/api/v1/warehouses/{name}" => warehouses::update,
    DELETE "/api/v1/warehouses/{name}" => warehouses::delete,
    GET "/api/v1/catalogs" => catalogs::list,
    POST "/api/v1/catalogs" => catalogs::create,
    GET "/api/v1/catalogs/{name}" => catalogs::get,
    PUT "/api/v1/catalogs/{name}" => catalogs::update,
    DELETE "/api/v1/catalogs/{name}" => catalogs::delete,
    GET "/api/v1/catalogs/{catalog}/namespaces/{namespace}/tables/{table}/metrics-reports" => catalogs::metrics_reports,
    POST "/api/v1/users/login" => users::login,
    POST "/api/v1/users/logout" => users::logout,
    GET "/api/v1/users/me" => users::me,
    GET "/api/v1/users" => users::list,
    POST "/api/v1/users" => users::create,
    GET "/api/v1/users/{id}" => users::get,
    PUT "/api/v1/users/{id}" => users::update,
    DELETE "/api/v1/users/{id}" => users::delete,
    GET "/api/v1/users/{id}/api-keys" => api_keys::list,
    POST "/api/v1/users/{id}/api-keys" => api_keys::create,
    GET "/api/v1/users/{id}/api-keys/{key}" => api_keys::get,
    PUT "/api/v1/users/{id}/api-keys/{key}" => api_keys::update,
    DELETE "/api/v1/users/{id}/api-keys/{key}" => api_keys::delete,
    POST "/api/v1/users/{id}/api-keys/{key}/rotate" => api_keys::rotate,
    GET "/api/v1/users/{id}/tokens" => tokens::list_user,
    POST "/api/v1/users/{id}/tokens" => tokens::issue,
    GET "/api/v1/users/{id}/roles" => roles::list_assigned,
    PUT "/api/v1/users/{id}/roles/{role}" => roles::assign,
    DELETE "/api/v1/users/{id}/roles/{role}" => roles::unassign,
    GET "/api/v1/tokens" => tokens::list_own,
    DELETE "/api/v1/tokens/{id}" => tokens::revoke,
    GET "/api/v1/roles" => roles::list,
    POST "/api/v1/roles" => roles::create,
    GET "/api/v1/roles/{id}" => roles::get,
    PUT "/api/v1/roles/{id}" => roles::update,
    DELETE "/api/v1/roles/{id}" => roles::delete,
    GET "/api/v1/grants" => grants::list,
    POST "/api/v1/grants" => grants::create,
    GET "/api/v1/grants/{id}" => grants::get,
    DELETE "/api/v1/grants/{id}" => grants::delete,
    GET "/api/v1/audit" => audit::list,
    GET "/api/v1/audit/count" => audit::count,
    GET "/api/v1/audit/{id}" => audit::get,
}
