//! The Iceberg REST catalog API (`/v1/...`), as specified by the upstream OpenAPI document.
//!
//! The routed operations and the `endpoints` advertised by `GET /v1/config` come from one table
//! ([`iceberg_api!`]), so the two cannot drift apart.

mod config;
mod namespaces;
mod oauth;
mod tables;
mod tabulars;
mod types;
mod views;

use axum::Router;
use axum::routing::{MethodFilter, on};

use self::tabulars::{Tables, Views};
use crate::state::AppState;

/// Declares every implemented Iceberg REST operation once: the router and the advertised
/// endpoint list are both generated from it.
macro_rules! iceberg_api {
    ($($method:ident $path:literal => $handler:path),* $(,)?) => {
        /// Every implemented operation under `/v1/{prefix}`, as `(method, path)` in the spec's form.
        pub const ENDPOINTS: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        fn prefixed_routes() -> Router<AppState> {
            Router::new()$(.route($path, on(MethodFilter::$method, $handler)))*
        }
    };
}

iceberg_api! {
    GET "/v1/{prefix}/namespaces" => namespaces::list,
    POST "/v1/{prefix}/namespaces" => namespaces::create,
    GET "/v1/{prefix}/namespaces/{namespace}" => namespaces::load,
    HEAD "/v1/{prefix}/namespaces/{namespace}" => namespaces::exists,
    DELETE "/v1/{prefix}/namespaces/{namespace}" => namespaces::drop,
    POST "/v1/{prefix}/namespaces/{namespace}/properties" => namespaces::update_properties,
    GET "/v1/{prefix}/namespaces/{namespace}/tables" => tabulars::list::<Tables>,
    POST "/v1/{prefix}/namespaces/{namespace}/tables" => tables::create,
    POST "/v1/{prefix}/namespaces/{namespace}/register" => tables::register,
    GET "/v1/{prefix}/namespaces/{namespace}/tables/{table}" => tables::load,
    POST "/v1/{prefix}/namespaces/{namespace}/tables/{table}" => tables::commit,
    DELETE "/v1/{prefix}/namespaces/{namespace}/tables/{table}" => tables::drop,
    HEAD "/v1/{prefix}/namespaces/{namespace}/tables/{table}" => tabulars::exists::<Tables>,
    POST "/v1/{prefix}/namespaces/{namespace}/tables/{table}/unregister" => tables::unregister,
    POST "/v1/{prefix}/tables/rename" => tabulars::rename::<Tables>,
    POST "/v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics" => tables::report_metrics,
    POST "/v1/{prefix}/transactions/commit" => tables::commit_transaction,
    GET "/v1/{prefix}/namespaces/{namespace}/views" => tabulars::list::<Views>,
    POST "/v1/{prefix}/namespaces/{namespace}/views" => views::create,
    GET "/v1/{prefix}/namespaces/{namespace}/views/{view}" => views::load,
    POST "/v1/{prefix}/namespaces/{namespace}/views/{view}" => views::replace,
    DELETE "/v1/{prefix}/namespaces/{namespace}/views/{view}" => views::drop,
    HEAD "/v1/{prefix}/namespaces/{namespace}/views/{view}" => tabulars::exists::<Views>,
    POST "/v1/{prefix}/views/rename" => tabulars::rename::<Views>,
    POST "/v1/{prefix}/namespaces/{namespace}/register-view" => views::register,
}

/// Operations of the spec this server does not offer yet. They are not routed and not
/// advertised, so clients that check `endpoints` fall back or fail clearly.
pub const NOT_IMPLEMENTED: &[(&str, &str, &str)] = &[
    (
        "GET",
        "/v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials",
        "credential vending",
    ),
    (
        "POST",
        "/v1/{prefix}/namespaces/{namespace}/tables/{table}/sign",
        "remote signing",
    ),
    (
        "POST",
        "/v1/{prefix}/namespaces/{namespace}/tables/{table}/plan",
        "server-side scan planning",
    ),
    (
        "GET",
        "/v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}",
        "server-side scan planning",
    ),
    (
        "DELETE",
        "/v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}",
        "server-side scan planning",
    ),
    (
        "POST",
        "/v1/{prefix}/namespaces/{namespace}/tables/{table}/tasks",
        "server-side scan planning",
    ),
    (
        "GET",
        "/v1/{prefix}/namespaces/{namespace}/functions",
        "functions",
    ),
    (
        "GET",
        "/v1/{prefix}/namespaces/{namespace}/functions/{function}",
        "functions",
    ),
];

/// The routes outside `/v1/{prefix}`: configuration and the OAuth2 token endpoint.
pub const UNPREFIXED: &[(&str, &str)] = &[("GET", "/v1/config"), ("POST", "/v1/oauth/tokens")];

/// The Iceberg REST routes.
pub fn routes() -> Router<AppState> {
    prefixed_routes()
        .route("/v1/config", axum::routing::get(config::get_config))
        .route("/v1/oauth/tokens", axum::routing::post(oauth::token))
}
