use async_trait::async_trait;
use pangolin_core::{
    AuditEvent, AuditEventId, AuditFilter, Entity, Error, Page, PageRequest, Result, TenantId,
};
use sqlx::any::AnyArguments;
use sqlx::query::QueryAs;

use super::rows::{parse_id, parse_stored};
use super::{SqlStore, sql_limit};
use crate::AuditLog;
use crate::sql_error::{map, unique_or};

const COLUMNS: &str = "id, at, tenant_id, principal_id, principal_name, action, resource_type,
                       resource_id, resource_name, result, error, ip, user_agent, request_id";

/// The filter shared by listing and counting: parameters $1 (tenant, NULL for all) to $9.
const WHERE: &str = "WHERE ($1 IS NULL OR tenant_id = $1) AND ($2 IS NULL OR principal_id = $2)
      AND ($3 IS NULL OR action = $3) AND ($4 IS NULL OR resource_type = $4)
      AND ($5 IS NULL OR resource_id = $5) AND ($6 IS NULL OR resource_name = $6)
      AND ($7 IS NULL OR result = $7) AND ($8 IS NULL OR at >= $8) AND ($9 IS NULL OR at < $9)";

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: String,
    at: i64,
    tenant_id: Option<String>,
    principal_id: Option<String>,
    principal_name: Option<String>,
    action: String,
    resource_type: Option<String>,
    resource_id: Option<String>,
    resource_name: Option<String>,
    result: String,
    error: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    request_id: Option<String>,
}

impl AuditRow {
    fn into_event(self) -> Result<AuditEvent> {
        Ok(AuditEvent {
            id: parse_id(&self.id)?,
            at: self.at,
            tenant_id: self.tenant_id.as_deref().map(parse_id).transpose()?,
            principal_id: self.principal_id.as_deref().map(parse_id).transpose()?,
            principal_name: self.principal_name,
            action: self.action,
            resource_type: self.resource_type,
            resource_id: self.resource_id,
            resource_name: self.resource_name,
            result: parse_stored("audit result", &self.result)?,
            error: self.error,
            ip: self.ip,
            user_agent: self.user_agent,
            request_id: self.request_id,
        })
    }
}

/// Binds the tenant and the filter as $1..$9.
fn bind_filter<'q, O>(
    query: QueryAs<'q, sqlx::Any, O, AnyArguments>,
    tenant: Option<TenantId>,
    filter: &'q AuditFilter,
) -> QueryAs<'q, sqlx::Any, O, AnyArguments> {
    query
        .bind(tenant.map(|t| t.to_string()))
        .bind(filter.principal_id.map(|p| p.to_string()))
        .bind(filter.action.as_deref())
        .bind(filter.resource_type.as_deref())
        .bind(filter.resource_id.as_deref())
        .bind(filter.resource_name.as_deref())
        .bind(filter.result.map(|r| r.as_str()))
        .bind(filter.from)
        .bind(filter.to)
}

#[async_trait]
impl AuditLog for SqlStore {
    async fn insert_audit_events(&self, events: &[AuditEvent]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut tx = self.write.begin().await.map_err(map)?;
        for event in events {
            sqlx::query(
                "INSERT INTO audit_events (id, at, tenant_id, principal_id, principal_name, action,
                                           resource_type, resource_id, resource_name, result,
                                           error, ip, user_agent, request_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(event.id.to_string())
            .bind(event.at)
            .bind(event.tenant_id.map(|t| t.to_string()))
            .bind(event.principal_id.map(|p| p.to_string()))
            .bind(event.principal_name.as_deref())
            .bind(&event.action)
            .bind(event.resource_type.as_deref())
            .bind(event.resource_id.as_deref())
            .bind(event.resource_name.as_deref())
            .bind(event.result.as_str())
            .bind(event.error.as_deref())
            .bind(event.ip.as_deref())
            .bind(event.user_agent.as_deref())
            .bind(event.request_id.as_deref())
            .execute(&mut *tx)
            .await
            .map_err(|e| unique_or(e, || Error::already_exists(Entity::AuditEvent, event.id)))?;
        }
        tx.commit().await.map_err(map)
    }

    async fn list_audit_events(
        &self,
        tenant: Option<TenantId>,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_events {WHERE} AND ($10 IS NULL OR id < $10)
             ORDER BY id DESC LIMIT $11"
        );
        let rows = bind_filter(
            sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(sql)),
            tenant,
            filter,
        )
        .bind(page.after.as_deref())
        .bind(sql_limit(page))
        .fetch_all(&self.read)
        .await
        .map_err(map)?;
        let events = rows
            .into_iter()
            .map(AuditRow::into_event)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page::from_overfetched_by(events, page, |e| {
            e.id.to_string()
        }))
    }

    async fn count_audit_events(
        &self,
        tenant: Option<TenantId>,
        filter: &AuditFilter,
    ) -> Result<u64> {
        let sql = format!("SELECT count(*) FROM audit_events {WHERE}");
        let (count,) = bind_filter(
            sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql)),
            tenant,
            filter,
        )
        .fetch_one(&self.read)
        .await
        .map_err(map)?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    async fn get_audit_event(
        &self,
        tenant: Option<TenantId>,
        id: AuditEventId,
    ) -> Result<AuditEvent> {
        sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_events WHERE id = $1 AND ($2 IS NULL OR tenant_id = $2)"
        )))
        .bind(id.to_string())
        .bind(tenant.map(|t| t.to_string()))
        .fetch_optional(&self.read)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::AuditEvent, id))?
        .into_event()
    }

    async fn delete_audit_events_before(&self, before: i64, limit: u32) -> Result<u64> {
        let result = sqlx::query(
            "DELETE FROM audit_events WHERE id IN
                 (SELECT id FROM audit_events WHERE at < $1 ORDER BY at LIMIT $2)",
        )
        .bind(before)
        .bind(i64::from(limit))
        .execute(&self.write)
        .await
        .map_err(map)?;
        Ok(result.rows_affected())
    }
}
