use async_trait::async_trait;
use pangolin_core::{
    Entity, Error, Grant, GrantId, GrantScope, Grantee, NamespaceIdent, NewGrant, Page,
    PageRequest, ResolvedScope, Result, TabularIdent, TabularKind, TenantId, UserId,
};
use sqlx::AnyConnection;

use super::rows::{parse_id, parse_stored};
use super::{SqlStore, sql_limit};
use crate::Grants;
use crate::sql_error::{corrupt, map, unique_or};

/// Grants with the names of what they cover, resolved at read time (so they follow renames).
const SELECT: &str = "SELECT g.id, g.tenant_id, g.user_id, g.role_id, g.action, g.scope_type,
           g.granted_by, g.created_at, g.warehouse_id, w.name AS warehouse_name,
           g.catalog_id, c.name AS catalog_name, c.warehouse_id AS catalog_warehouse_id,
           g.namespace_id, n.path AS namespace_path,
           g.tabular_id, t.kind AS tabular_kind, t.namespace_path AS tabular_namespace,
           t.name AS tabular_name
    FROM grants g
    LEFT JOIN warehouses w ON w.id = g.warehouse_id
    LEFT JOIN catalogs c ON c.id = g.catalog_id
    LEFT JOIN namespaces n ON n.id = g.namespace_id
    LEFT JOIN tabulars t ON t.id = g.tabular_id";

#[derive(sqlx::FromRow)]
struct GrantRow {
    id: String,
    tenant_id: String,
    user_id: Option<String>,
    role_id: Option<String>,
    action: String,
    scope_type: String,
    granted_by: Option<String>,
    created_at: i64,
    warehouse_id: Option<String>,
    warehouse_name: Option<String>,
    catalog_id: Option<String>,
    catalog_name: Option<String>,
    catalog_warehouse_id: Option<String>,
    namespace_id: Option<String>,
    namespace_path: Option<String>,
    tabular_id: Option<String>,
    tabular_kind: Option<String>,
    tabular_namespace: Option<String>,
    tabular_name: Option<String>,
}

/// A column a grant of this scope type always has (the foreign keys guarantee it).
fn required(value: Option<String>, what: &str) -> Result<String> {
    value.ok_or_else(|| corrupt(what, format!("grant without {what}")))
}

impl GrantRow {
    fn into_grant(self) -> Result<Grant> {
        let grantee = match (self.user_id, self.role_id) {
            (Some(user), None) => Grantee::User(parse_id(&user)?),
            (None, Some(role)) => Grantee::Role(parse_id(&role)?),
            _ => return Err(corrupt("grantee", "a grant needs exactly one grantee")),
        };
        let namespace = |path: Option<String>| -> Result<NamespaceIdent> {
            NamespaceIdent::from_encoded(&required(path, "namespace path")?)
                .map_err(|e| corrupt("namespace path", e))
        };
        let scope = match self.scope_type.as_str() {
            "tenant" => ResolvedScope::Tenant,
            "warehouse" => ResolvedScope::Warehouse {
                id: parse_id(&required(self.warehouse_id, "warehouse")?)?,
                name: required(self.warehouse_name, "warehouse name")?,
            },
            "catalog" => ResolvedScope::Catalog {
                id: parse_id(&required(self.catalog_id, "catalog")?)?,
                name: required(self.catalog_name, "catalog name")?,
                warehouse_id: parse_id(&required(self.catalog_warehouse_id, "warehouse")?)?,
            },
            "namespace" => ResolvedScope::Namespace {
                id: parse_id(&required(self.namespace_id, "namespace")?)?,
                catalog_id: parse_id(&required(self.catalog_id, "catalog")?)?,
                catalog: required(self.catalog_name, "catalog name")?,
                ident: namespace(self.namespace_path)?,
            },
            "tabular" => {
                let kind = required(self.tabular_kind, "tabular kind")?;
                ResolvedScope::Tabular {
                    id: parse_id(&required(self.tabular_id, "tabular")?)?,
                    kind: TabularKind::parse(&kind)
                        .ok_or_else(|| corrupt("tabular kind", kind.clone()))?,
                    catalog_id: parse_id(&required(self.catalog_id, "catalog")?)?,
                    catalog: required(self.catalog_name, "catalog name")?,
                    ident: TabularIdent {
                        namespace: namespace(self.tabular_namespace)?,
                        name: required(self.tabular_name, "tabular name")?,
                    },
                }
            }
            other => return Err(corrupt("grant scope", other.to_owned())),
        };
        Ok(Grant {
            id: parse_id(&self.id)?,
            tenant_id: parse_id(&self.tenant_id)?,
            grantee,
            action: parse_stored("grant action", &self.action)?,
            scope,
            granted_by: self.granted_by.as_deref().map(parse_id).transpose()?,
            created_at: self.created_at,
        })
    }
}

/// Where a new grant points, as stored: the scope type, its id columns, and a key that makes
/// duplicates a unique violation.
struct ScopeColumns {
    scope_type: &'static str,
    warehouse: Option<String>,
    catalog: Option<String>,
    namespace: Option<String>,
    tabular: Option<String>,
    key: String,
}

impl SqlStore {
    /// Checks that the grantee and the scope exist in `tenant`, and finds the scope's catalog.
    async fn grant_columns(conn: &mut AnyConnection, grant: &NewGrant) -> Result<ScopeColumns> {
        let tenant = grant.tenant_id.to_string();
        let exists: Option<String> = sqlx::query_scalar("SELECT id FROM tenants WHERE id = $1")
            .bind(&tenant)
            .fetch_optional(&mut *conn)
            .await
            .map_err(map)?;
        if exists.is_none() {
            return Err(Error::not_found(Entity::Tenant, &tenant));
        }
        let (sql, id, entity) = match grant.grantee {
            Grantee::User(id) => (
                "SELECT id FROM users WHERE id = $1 AND tenant_scope = $2",
                id.to_string(),
                Entity::User,
            ),
            Grantee::Role(id) => (
                "SELECT id FROM roles WHERE id = $1 AND tenant_id = $2",
                id.to_string(),
                Entity::Role,
            ),
        };
        let found: Option<String> = sqlx::query_scalar(sql)
            .bind(&id)
            .bind(&tenant)
            .fetch_optional(&mut *conn)
            .await
            .map_err(map)?;
        if found.is_none() {
            return Err(Error::not_found(entity, id));
        }

        let mut columns = ScopeColumns {
            scope_type: "tenant",
            warehouse: None,
            catalog: None,
            namespace: None,
            tabular: None,
            key: "tenant".into(),
        };
        let (sql, id, entity) = match grant.scope {
            GrantScope::Tenant => (
                "SELECT id FROM tenants WHERE id = $1 AND id = $2",
                tenant.clone(),
                Entity::Tenant,
            ),
            GrantScope::Warehouse(id) => (
                "SELECT id FROM warehouses WHERE id = $1 AND tenant_id = $2",
                id.to_string(),
                Entity::Warehouse,
            ),
            GrantScope::Catalog(id) => (
                "SELECT id FROM catalogs WHERE id = $1 AND tenant_id = $2",
                id.to_string(),
                Entity::Catalog,
            ),
            GrantScope::Namespace(id) => (
                "SELECT catalog_id FROM namespaces WHERE id = $1 AND tenant_id = $2",
                id.to_string(),
                Entity::Namespace,
            ),
            GrantScope::Tabular(id) => (
                "SELECT catalog_id FROM tabulars WHERE id = $1 AND tenant_id = $2",
                id.to_string(),
                Entity::Table,
            ),
        };
        let found: Option<String> = sqlx::query_scalar(sql)
            .bind(&id)
            .bind(&tenant)
            .fetch_optional(&mut *conn)
            .await
            .map_err(map)?;
        let found = found.ok_or_else(|| Error::not_found(entity, &id))?;
        match grant.scope {
            GrantScope::Tenant => {}
            GrantScope::Warehouse(_) => {
                columns.scope_type = "warehouse";
                columns.warehouse = Some(found);
            }
            GrantScope::Catalog(_) => {
                columns.scope_type = "catalog";
                columns.catalog = Some(found);
            }
            GrantScope::Namespace(_) => {
                columns.scope_type = "namespace";
                columns.catalog = Some(found);
                columns.namespace = Some(id.clone());
            }
            GrantScope::Tabular(_) => {
                columns.scope_type = "tabular";
                columns.catalog = Some(found);
                columns.tabular = Some(id.clone());
            }
        }
        if columns.scope_type != "tenant" {
            columns.key = format!("{}:{id}", columns.scope_type);
        }
        Ok(columns)
    }

    async fn fetch_grant<'e, E>(executor: E, tenant: TenantId, id: GrantId) -> Result<Grant>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        sqlx::query_as::<_, GrantRow>(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE g.id = $1 AND g.tenant_id = $2"
        )))
        .bind(id.to_string())
        .bind(tenant.to_string())
        .fetch_optional(executor)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::Grant, id))?
        .into_grant()
    }
}

fn grantee_key(grantee: Grantee) -> String {
    match grantee {
        Grantee::User(id) => format!("user:{id}"),
        Grantee::Role(id) => format!("role:{id}"),
    }
}

#[async_trait]
impl Grants for SqlStore {
    async fn create_grant(&self, grant: &NewGrant) -> Result<Grant> {
        let mut tx = self.write.begin().await.map_err(map)?;
        let columns = Self::grant_columns(&mut tx, grant).await?;
        let (user, role) = match grant.grantee {
            Grantee::User(id) => (Some(id.to_string()), None),
            Grantee::Role(id) => (None, Some(id.to_string())),
        };
        sqlx::query(
            "INSERT INTO grants (id, tenant_id, user_id, role_id, action, scope_type, warehouse_id,
                                 catalog_id, namespace_id, tabular_id, grantee_key, scope_key,
                                 granted_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(grant.id.to_string())
        .bind(grant.tenant_id.to_string())
        .bind(user)
        .bind(role)
        .bind(grant.action.as_str())
        .bind(columns.scope_type)
        .bind(columns.warehouse)
        .bind(columns.catalog)
        .bind(columns.namespace)
        .bind(columns.tabular)
        .bind(grantee_key(grant.grantee))
        .bind(columns.key)
        .bind(grant.granted_by.map(|u| u.to_string()))
        .bind(grant.created_at)
        .execute(&mut *tx)
        .await
        .map_err(|e| unique_or(e, || Error::already_exists(Entity::Grant, grant.id)))?;
        let created = Self::fetch_grant(&mut *tx, grant.tenant_id, grant.id).await?;
        tx.commit().await.map_err(map)?;
        Ok(created)
    }

    async fn get_grant(&self, tenant: TenantId, id: GrantId) -> Result<Grant> {
        Self::fetch_grant(&self.read, tenant, id).await
    }

    async fn list_grants(
        &self,
        tenant: TenantId,
        grantee: Option<Grantee>,
        page: &PageRequest,
    ) -> Result<Page<Grant>> {
        let (user, role) = match grantee {
            Some(Grantee::User(id)) => (Some(id.to_string()), None),
            Some(Grantee::Role(id)) => (None, Some(id.to_string())),
            None => (None, None),
        };
        let rows = sqlx::query_as::<_, GrantRow>(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE g.tenant_id = $1 AND ($2 IS NULL OR g.user_id = $2)
                AND ($3 IS NULL OR g.role_id = $3) AND ($4 IS NULL OR g.id > $4)
             ORDER BY g.id LIMIT $5"
        )))
        .bind(tenant.to_string())
        .bind(user)
        .bind(role)
        .bind(page.after.as_deref())
        .bind(sql_limit(page))
        .fetch_all(&self.read)
        .await
        .map_err(map)?;
        let grants = rows
            .into_iter()
            .map(GrantRow::into_grant)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page::from_overfetched_by(grants, page, |g| {
            g.id.to_string()
        }))
    }

    async fn effective_grants(&self, tenant: TenantId, user: UserId) -> Result<Vec<Grant>> {
        let rows = sqlx::query_as::<_, GrantRow>(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE g.tenant_id = $2 AND (g.user_id = $1 OR g.role_id IN
                 (SELECT role_id FROM role_assignments WHERE user_id = $1))
             ORDER BY g.id"
        )))
        .bind(user.to_string())
        .bind(tenant.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(map)?;
        rows.into_iter().map(GrantRow::into_grant).collect()
    }

    async fn delete_grant(&self, tenant: TenantId, id: GrantId) -> Result<()> {
        let result = sqlx::query("DELETE FROM grants WHERE id = $1 AND tenant_id = $2")
            .bind(id.to_string())
            .bind(tenant.to_string())
            .execute(&self.write)
            .await
            .map_err(map)?;
        if result.rows_affected() == 0 {
            return Err(Error::not_found(Entity::Grant, id));
        }
        Ok(())
    }
}
