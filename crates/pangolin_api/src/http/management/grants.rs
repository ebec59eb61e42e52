//! `/api/v1/grants`: actions on scopes granted to users and roles. Scopes are named as requests
//! name them and stored by id, so grants follow renames and vanish with what they cover.

use axum::extract::State;
use axum::http::StatusCode;
use pangolin_core::{
    Action, Grant, GrantId, Grantee, NamespaceIdent, ResolvedScope, RoleId, TabularIdent,
    TabularKind, UserId,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::types::{Created, PageParams, parse_id, timestamp};
use crate::error::{ApiError, ErrorResponse};
use crate::http::extract::{Ctx, Json, Path, Query};
use crate::service::ScopeRef;
use crate::state::AppState;

/// What a grant covers, by name. A grant covers its scope and everything inside it.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "kebab-case",
    deny_unknown_fields
)]
pub enum ScopeView {
    /// The whole tenant.
    Tenant,
    /// A warehouse and its catalogs.
    Warehouse { warehouse: String },
    /// A catalog.
    Catalog { catalog: String },
    /// A namespace and everything nested in it.
    Namespace {
        catalog: String,
        namespace: Vec<String>,
    },
    /// A table.
    Table {
        catalog: String,
        namespace: Vec<String>,
        name: String,
    },
    /// A view.
    View {
        catalog: String,
        namespace: Vec<String>,
        name: String,
    },
}

impl ScopeView {
    fn into_ref(self) -> Result<ScopeRef, ApiError> {
        let tabular = |namespace: Vec<String>, name: String| {
            NamespaceIdent::new(namespace).and_then(|ns| TabularIdent::new(ns, name))
        };
        Ok(match self {
            ScopeView::Tenant => ScopeRef::Tenant,
            ScopeView::Warehouse { warehouse } => ScopeRef::Warehouse(warehouse),
            ScopeView::Catalog { catalog } => ScopeRef::Catalog(catalog),
            ScopeView::Namespace { catalog, namespace } => {
                ScopeRef::Namespace(catalog, NamespaceIdent::new(namespace)?)
            }
            ScopeView::Table {
                catalog,
                namespace,
                name,
            } => ScopeRef::Tabular(catalog, TabularKind::Table, tabular(namespace, name)?),
            ScopeView::View {
                catalog,
                namespace,
                name,
            } => ScopeRef::Tabular(catalog, TabularKind::View, tabular(namespace, name)?),
        })
    }
}

impl From<ResolvedScope> for ScopeView {
    fn from(scope: ResolvedScope) -> Self {
        match scope {
            ResolvedScope::Tenant => ScopeView::Tenant,
            ResolvedScope::Warehouse { name, .. } => ScopeView::Warehouse { warehouse: name },
            ResolvedScope::Catalog { name, .. } => ScopeView::Catalog { catalog: name },
            ResolvedScope::Namespace { catalog, ident, .. } => ScopeView::Namespace {
                catalog,
                namespace: ident.levels().to_vec(),
            },
            ResolvedScope::Tabular {
                kind,
                catalog,
                ident,
                ..
            } => {
                let namespace = ident.namespace.levels().to_vec();
                let name = ident.name;
                match kind {
                    TabularKind::Table => ScopeView::Table {
                        catalog,
                        namespace,
                        name,
                    },
                    TabularKind::View => ScopeView::View {
                        catalog,
                        namespace,
                        name,
                    },
                }
            }
        }
    }
}

/// A grant.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub struct GrantView {
    pub id: GrantId,
    /// The user holding it directly, if granted to a user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserId>,
    /// The role holding it, if granted to a role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleId>,
    pub action: Action,
    pub scope: ScopeView,
    /// Who granted it.
    pub granted_by: Option<UserId>,
    /// RFC 3339.
    pub created_at: String,
}

impl From<Grant> for GrantView {
    fn from(grant: Grant) -> Self {
        let (user, role) = match grant.grantee {
            Grantee::User(user) => (Some(user), None),
            Grantee::Role(role) => (None, Some(role)),
        };
        Self {
            id: grant.id,
            user,
            role,
            action: grant.action,
            scope: grant.scope.into(),
            granted_by: grant.granted_by,
            created_at: timestamp(grant.created_at),
        }
    }
}

/// A page of grants.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantList {
    pub items: Vec<GrantView>,
    #[serde(rename = "next-page-token")]
    pub next_page_token: Option<String>,
}

/// Grants an action on a scope to exactly one of a user or a role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CreateGrantRequest {
    /// The user to grant to.
    pub user: Option<String>,
    /// The role to grant to.
    pub role: Option<String>,
    pub action: Action,
    pub scope: ScopeView,
}

/// Whose grants to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GrantListParams {
    /// Only this user's direct grants.
    pub user: Option<String>,
    /// Only this role's grants.
    pub role: Option<String>,
}

fn grantee(user: Option<&str>, role: Option<&str>) -> Result<Option<Grantee>, ApiError> {
    match (user, role) {
        (Some(_), Some(_)) => Err(ApiError::bad_request("name a user or a role, not both")),
        (Some(user), None) => Ok(Some(Grantee::User(parse_id("user", user)?))),
        (None, Some(role)) => Ok(Some(Grantee::Role(parse_id("role", role)?))),
        (None, None) => Ok(None),
    }
}

/// List grants: administrators all of the tenant's (or a grantee's), others their own.
#[utoipa::path(get, path = "/api/v1/grants", tag = "grants", params(PageParams, GrantListParams),
    responses((status = 200, body = GrantList), (status = 403, body = ErrorResponse)))]
pub async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Query(page): Query<PageParams>,
    Query(params): Query<GrantListParams>,
) -> Result<axum::Json<GrantList>, ApiError> {
    let grantee = grantee(params.user.as_deref(), params.role.as_deref())?;
    let page = state
        .service
        .list_grants(&ctx, grantee, &page.request()?)
        .await?;
    Ok(axum::Json(GrantList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_page_token: page.next.map(|t| t.into_string()),
    }))
}

/// Grant an action on a scope. Administrators grant anything in their tenant; others what they
/// hold together with `manage-grants` on the scope. Nobody grants to themselves.
#[utoipa::path(post, path = "/api/v1/grants", tag = "grants", request_body = CreateGrantRequest,
    responses((status = 201, body = GrantView), (status = 400, body = ErrorResponse),
        (status = 403, body = ErrorResponse),
        (status = 404, description = "the grantee or the scope does not exist", body = ErrorResponse),
        (status = 409, description = "the grantee already holds it", body = ErrorResponse)))]
pub async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Json(request): Json<CreateGrantRequest>,
) -> Result<Created<GrantView>, ApiError> {
    let grantee = grantee(request.user.as_deref(), request.role.as_deref())?
        .ok_or_else(|| ApiError::bad_request("name the user or the role to grant to"))?;
    let grant = state
        .service
        .create_grant(&ctx, grantee, request.action, request.scope.into_ref()?)
        .await?;
    Ok(Created {
        id: grant.id.to_string(),
        name: None,
        body: grant.into(),
    })
}

/// Get a grant.
#[utoipa::path(get, path = "/api/v1/grants/{id}", tag = "grants",
    params(("id" = String, Path, description = "grant id")),
    responses((status = 200, body = GrantView), (status = 404, body = ErrorResponse)))]
pub async fn get(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> Result<axum::Json<GrantView>, ApiError> {
    let grant = state
        .service
        .get_grant(&ctx, parse_id("grant", &id)?)
        .await?;
    Ok(axum::Json(grant.into()))
}

/// Revoke a grant.
#[utoipa::path(delete, path = "/api/v1/grants/{id}", tag = "grants",
    params(("id" = String, Path, description = "grant id")),
    responses((status = 204), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse)))]
pub async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .delete_grant(&ctx, parse_id("grant", &id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
