//! `/api/v1/audit`: the audit log. TenantAdmins read their tenant's events, Root every tenant's;
//! nobody else reads it.

use axum::extract::State;
use pangolin_core::{AuditEvent, AuditEventId, AuditFilter, AuditResult, TenantId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::types::{PageParams, parse_id, parse_timestamp, timestamp};
use crate::error::{ApiError, ErrorResponse};
use crate::http::extract::{Ctx, Path, Query};
use crate::state::AppState;

/// An audit event.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub struct AuditEventView {
    pub id: AuditEventId,
    /// RFC 3339.
    pub at: String,
    pub tenant_id: Option<TenantId>,
    pub principal_id: Option<UserId>,
    pub principal_name: Option<String>,
    /// The method and route, e.g. `POST /v1/{prefix}/namespaces/{namespace}/tables`.
    pub action: String,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub resource_name: Option<String>,
    pub result: AuditResult,
    pub error: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

impl From<AuditEvent> for AuditEventView {
    fn from(e: AuditEvent) -> Self {
        Self {
            id: e.id,
            at: timestamp(e.at),
            tenant_id: e.tenant_id,
            principal_id: e.principal_id,
            principal_name: e.principal_name,
            action: e.action,
            resource_type: e.resource_type,
            resource_id: e.resource_id,
            resource_name: e.resource_name,
            result: e.result,
            error: e.error,
            ip: e.ip,
            user_agent: e.user_agent,
            request_id: e.request_id,
        }
    }
}

/// A page of audit events, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventList {
    pub items: Vec<AuditEventView>,
    #[serde(rename = "next-page-token")]
    pub next_page_token: Option<String>,
}

/// How many events match.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditCount {
    pub count: u64,
}

/// Which events; every given filter must match.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "kebab-case")]
pub struct AuditParams {
    /// Only this tenant's events (Root; others always see their own tenant's).
    pub tenant: Option<String>,
    /// Only this principal's (user id).
    pub principal: Option<String>,
    /// Only this action, e.g. `POST /api/v1/users/login`.
    pub action: Option<String>,
    /// Only this kind of resource, e.g. `table`.
    pub resource_type: Option<String>,
    /// Only this resource id.
    pub resource_id: Option<String>,
    /// Only this resource name, as recorded: e.g. `lake/analytics/db/events` for a table,
    /// `lake/analytics/db` for a namespace (levels joined by `.`), `lake` for a warehouse.
    pub resource_name: Option<String>,
    /// `success`, `failure` or `denied`.
    pub result: Option<AuditResult>,
    /// Only events at or after this time (RFC 3339).
    pub from: Option<String>,
    /// Only events before this time (RFC 3339).
    pub to: Option<String>,
}

fn time(name: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    value.map(|v| parse_timestamp(name, v)).transpose()
}

impl AuditParams {
    fn parse(&self) -> Result<(Option<TenantId>, AuditFilter), ApiError> {
        let tenant = self
            .tenant
            .as_deref()
            .map(|t| parse_id("tenant", t))
            .transpose()?;
        let filter = AuditFilter {
            principal_id: self
                .principal
                .as_deref()
                .map(|p| parse_id("user", p))
                .transpose()?,
            action: self.action.clone(),
            resource_type: self.resource_type.clone(),
            resource_id: self.resource_id.clone(),
            resource_name: self.resource_name.clone(),
            result: self.result,
            from: time("from", self.from.as_deref())?,
            to: time("to", self.to.as_deref())?,
        };
        Ok((tenant, filter))
    }
}

/// List audit events, newest first (keyset pagination).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(PageParams, AuditParams),
    responses((status = 200, body = AuditEventList), (status = 400, body = ErrorResponse),
        (status = 403, body = ErrorResponse)))]
pub async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Query(page): Query<PageParams>,
    Query(params): Query<AuditParams>,
) -> Result<axum::Json<AuditEventList>, ApiError> {
    let (tenant, filter) = params.parse()?;
    let page = state
        .service
        .list_audit_events(&ctx, tenant, &filter, &page.request()?)
        .await?;
    Ok(axum::Json(AuditEventList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_page_token: page.next.map(|t| t.into_string()),
    }))
}

/// Count audit events.
#[utoipa::path(get, path = "/api/v1/audit/count", tag = "audit", params(AuditParams),
    responses((status = 200, body = AuditCount), (status = 400, body = ErrorResponse),
        (status = 403, body = ErrorResponse)))]
pub async fn count(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Query(params): Query<AuditParams>,
) -> Result<axum::Json<AuditCount>, ApiError> {
    let (tenant, filter) = params.parse()?;
    let count = state
        .service
        .count_audit_events(&ctx, tenant, &filter)
        .await?;
    Ok(axum::Json(AuditCount { count }))
}

/// Get one audit event.
#[utoipa::path(get, path = "/api/v1/audit/{id}", tag = "audit",
    params(("id" = String, Path, description = "audit event id")),
    responses((status = 200, body = AuditEventView), (status = 404, body = ErrorResponse)))]
pub async fn get(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> Result<axum::Json<AuditEventView>, ApiError> {
    let event = state
        .service
        .get_audit_event(&ctx, parse_id("audit event", &id)?)
        .await?;
    Ok(axum::Json(event.into()))
}
