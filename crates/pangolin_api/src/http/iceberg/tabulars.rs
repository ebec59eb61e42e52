//! Handlers that are the same for tables and views, parameterized by the kind.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pangolin_core::{TabularIdent, TabularKind};

use super::types::{ListTablesResponse, PageQuery, RenameRequest};
use crate::error::ApiError;
use crate::http::audit::AuditNote;
use crate::http::extract::{Ctx, Json, Path, Query, namespace};
use crate::state::AppState;

/// The kind a generic handler serves.
pub trait Kind {
    /// Table or view.
    const KIND: TabularKind;
}

/// Handlers for tables.
pub struct Tables;

impl Kind for Tables {
    const KIND: TabularKind = TabularKind::Table;
}

/// Handlers for views.
pub struct Views;

impl Kind for Views {
    const KIND: TabularKind = TabularKind::View;
}

/// A table or view identifier from the path.
pub fn ident(ns: &str, name: String) -> Result<TabularIdent, ApiError> {
    TabularIdent::new(namespace(ns)?, name).map_err(Into::into)
}

pub async fn list<K: Kind>(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((prefix, ns)): Path<(String, String)>,
    Query(page): Query<PageQuery>,
) -> Result<axum::Json<ListTablesResponse>, ApiError> {
    let page = state
        .service
        .list_tabulars(&ctx, &prefix, &namespace(&ns)?, K::KIND, &page.request()?)
        .await?;
    Ok(axum::Json(page.into()))
}

pub async fn exists<K: Kind>(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((prefix, ns, name)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .tabular_exists(&ctx, &prefix, K::KIND, &ident(&ns, name)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn rename<K: Kind>(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(prefix): Path<String>,
    Json(request): Json<RenameRequest>,
) -> Response {
    // The audit log names both: `<prefix>/<namespace>/<name> -> <namespace>/<name>`.
    let note = AuditNote::resource(
        None,
        Some(format!(
            "{}/{} -> {}/{}",
            request.source.namespace,
            request.source.name,
            request.destination.namespace,
            request.destination.name
        )),
    );
    let result = async {
        state
            .service
            .rename_tabular(
                &ctx,
                &prefix,
                K::KIND,
                &request.source.into_ident()?,
                &request.destination.into_ident()?,
            )
            .await?;
        Ok::<_, ApiError>(StatusCode::NO_CONTENT)
    };
    note.attach(result.await.into_response())
}
