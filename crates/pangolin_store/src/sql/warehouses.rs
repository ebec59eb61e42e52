use async_trait::async_trait;
use pangolin_core::{
    Entity, Error, Page, PageRequest, Result, StorageProfile, TenantId, Warehouse, WarehouseId,
    now_millis,
};

use super::rows::{WarehouseRow, storage_json};
use super::{SqlStore, sql_limit};
use crate::Warehouses;
use crate::sql_error::{constraint_or, foreign_key_or, map};

#[async_trait]
impl Warehouses for SqlStore {
    async fn create_warehouse(&self, warehouse: &Warehouse) -> Result<()> {
        sqlx::query(
            "INSERT INTO warehouses (id, tenant_id, name, storage, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(warehouse.id.to_string())
        .bind(warehouse.tenant_id.to_string())
        .bind(&warehouse.name)
        .bind(storage_json(&warehouse.storage))
        .bind(warehouse.created_at)
        .bind(warehouse.updated_at)
        .execute(&self.write)
        .await
        .map_err(|e| {
            constraint_or(
                e,
                || Error::already_exists(Entity::Warehouse, &warehouse.name),
                || Error::not_found(Entity::Tenant, warehouse.tenant_id),
            )
        })?;
        Ok(())
    }

    async fn get_warehouse(&self, tenant: TenantId, id: WarehouseId) -> Result<Warehouse> {
        sqlx::query_as::<_, WarehouseRow>(
            "SELECT id, tenant_id, name, storage, created_at, updated_at FROM warehouses
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.read)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::Warehouse, id))?
        .into_warehouse()
    }

    async fn get_warehouse_by_name(&self, tenant: TenantId, name: &str) -> Result<Warehouse> {
        sqlx::query_as::<_, WarehouseRow>(
            "SELECT id, tenant_id, name, storage, created_at, updated_at FROM warehouses
             WHERE tenant_id = $1 AND name = $2",
        )
        .bind(tenant.to_string())
        .bind(name)
        .fetch_optional(&self.read)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::Warehouse, name))?
        .into_warehouse()
    }

    async fn list_warehouses(
        &self,
        tenant: TenantId,
        page: &PageRequest,
    ) -> Result<Page<Warehouse>> {
        let rows = sqlx::query_as::<_, WarehouseRow>(
            "SELECT id, tenant_id, name, storage, created_at, updated_at FROM warehouses
             WHERE tenant_id = $1 AND ($2 IS NULL OR name > $2) ORDER BY name LIMIT $3",
        )
        .bind(tenant.to_string())
        .bind(page.after.as_deref())
        .bind(sql_limit(page))
        .fetch_all(&self.read)
        .await
        .map_err(map)?;
        let items = rows
            .into_iter()
            .map(WarehouseRow::into_warehouse)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page::from_overfetched(items, page, |w| &w.name))
    }

    async fn update_warehouse(
        &self,
        tenant: TenantId,
        id: WarehouseId,
        storage: &StorageProfile,
    ) -> Result<Warehouse> {
        sqlx::query_as::<_, WarehouseRow>(
            "UPDATE warehouses SET storage = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2
             RETURNING id, tenant_id, name, storage, created_at, updated_at",
        )
        .bind(tenant.to_string())
        .bind(id.to_string())
        .bind(storage_json(storage))
        .bind(now_millis())
        .fetch_optional(&self.write)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::Warehouse, id))?
        .into_warehouse()
    }

    async fn delete_warehouse(&self, tenant: TenantId, id: WarehouseId) -> Result<()> {
        let result = sqlx::query("DELETE FROM warehouses WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.to_string())
            .bind(id.to_string())
            .execute(&self.write)
            .await
            .map_err(|e| {
                foreign_key_or(e, || Error::NotEmpty {
                    entity: Entity::Warehouse,
                    key: id.to_string(),
                    detail: "catalogs still use it".into(),
                })
            })?;
        if result.rows_affected() == 0 {
            return Err(Error::not_found(Entity::Warehouse, id));
        }
        Ok(())
    }
}
