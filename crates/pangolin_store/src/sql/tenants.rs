use async_trait::async_trait;
use pangolin_core::{
    Entity, Error, Page, PageRequest, Result, Tenant, TenantId, TenantUpdate, now_millis,
};

use super::rows::{TenantRow, properties_json};
use super::{SqlStore, sql_limit};
use crate::Tenants;
use crate::sql_error::{foreign_key_or, map, unique_or};

#[async_trait]
impl Tenants for SqlStore {
    async fn create_tenant(&self, tenant: &Tenant) -> Result<()> {
        sqlx::query(
            "INSERT INTO tenants (id, name, properties, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(tenant.id.to_string())
        .bind(&tenant.name)
        .bind(properties_json(&tenant.properties))
        .bind(tenant.created_at)
        .bind(tenant.updated_at)
        .execute(&self.write)
        .await
        .map_err(|e| unique_or(e, || Error::already_exists(Entity::Tenant, &tenant.name)))?;
        Ok(())
    }

    async fn get_tenant(&self, id: TenantId) -> Result<Tenant> {
        sqlx::query_as::<_, TenantRow>(
            "SELECT id, name, properties, created_at, updated_at FROM tenants WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&self.read)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::Tenant, id))?
        .into_tenant()
    }

    async fn get_tenant_by_name(&self, name: &str) -> Result<Tenant> {
        sqlx::query_as::<_, TenantRow>(
            "SELECT id, name, properties, created_at, updated_at FROM tenants WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&self.read)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::Tenant, name))?
        .into_tenant()
    }

    async fn list_tenants(&self, page: &PageRequest) -> Result<Page<Tenant>> {
        let rows = sqlx::query_as::<_, TenantRow>(
            "SELECT id, name, properties, created_at, updated_at FROM tenants
             WHERE $1 IS NULL OR name > $1 ORDER BY name LIMIT $2",
        )
        .bind(page.after.as_deref())
        .bind(sql_limit(page))
        .fetch_all(&self.read)
        .await
        .map_err(map)?;
        let tenants = rows
            .into_iter()
            .map(TenantRow::into_tenant)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page::from_overfetched(tenants, page, |t| &t.name))
    }

    async fn update_tenant(&self, id: TenantId, update: &TenantUpdate) -> Result<Tenant> {
        sqlx::query_as::<_, TenantRow>(
            "UPDATE tenants SET properties = $2, updated_at = $3 WHERE id = $1
             RETURNING id, name, properties, created_at, updated_at",
        )
        .bind(id.to_string())
        .bind(properties_json(&update.properties))
        .bind(now_millis())
        .fetch_optional(&self.write)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::Tenant, id))?
        .into_tenant()
    }

    async fn delete_tenant(&self, id: TenantId) -> Result<()> {
        let result = sqlx::query("DELETE FROM tenants WHERE id = $1")
            .bind(id.to_string())
            .execute(&self.write)
            .await
            .map_err(|e| {
                foreign_key_or(e, || Error::NotEmpty {
                    entity: Entity::Tenant,
                    key: id.to_string(),
                    detail: "it still owns warehouses or catalogs".into(),
                })
            })?;
        if result.rows_affected() == 0 {
            return Err(Error::not_found(Entity::Tenant, id));
        }
        Ok(())
    }
}
