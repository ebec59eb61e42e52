//! `GET /v1/config`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use pangolin_core::{Entity, Error};
use serde::{Deserialize, Serialize};

use super::ENDPOINTS;
use crate::error::ApiError;
use crate::http::extract::{Ctx, Query};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct ConfigQuery {
    warehouse: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ConfigResponse {
    defaults: BTreeMap<String, String>,
    overrides: BTreeMap<String, String>,
    endpoints: Vec<String>,
}

/// The client configuration of a catalog: `warehouse` names the catalog; the response sets the
/// REST `prefix` to it and lists exactly the operations this server implements.
pub async fn get_config(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Query(query): Query<ConfigQuery>,
) -> Result<axum::Json<ConfigResponse>, ApiError> {
    let Some(catalog) = query.warehouse.filter(|w| !w.is_empty()) else {
        return Err(ApiError::bad_request(
            "the warehouse parameter is required: pass the name of a catalog, e.g. warehouse=default",
        ));
    };
    let defaults = state
        .service
        .client_defaults(&ctx, &catalog)
        .await
        .map_err(|e| match e {
            Error::NotFound {
                entity: Entity::Catalog,
                key,
            } => ApiError::new(
                StatusCode::NOT_FOUND,
                "NoSuchWarehouseException",
                format!("warehouse (catalog) {key} does not exist"),
            ),
            other => other.into(),
        })?;
    Ok(axum::Json(ConfigResponse {
        defaults,
        overrides: BTreeMap::from([("prefix".to_owned(), catalog)]),
        endpoints: ENDPOINTS
            .iter()
            .map(|(method, path)| format!("{method} {path}"))
            .collect(),
    }))
}
