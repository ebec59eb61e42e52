use async_trait::async_trait;
use pangolin_core::{
    Entity, Error, Page, PageRequest, Result, StorageProfile, TenantId, Warehouse, WarehouseId,
    now_millis,
};

use super::rows::{WarehouseRow, open_storage, parse_id, sealed_storage};
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
        .bind(sealed_storage(
            &self.cipher,
            warehouse.id,
            &warehouse.storage,
        ))
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
        .into_warehouse(&self.cipher)
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
        .into_warehouse(&self.cipher)
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
            .map(|row| row.into_warehouse(&self.cipher))
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
        .bind(sealed_storage(&self.cipher, id, storage))
        .bind(now_millis())
        .fetch_optional(&self.write)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::Warehouse, id))?
        .into_warehouse(&self.cipher)
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

impl SqlStore {
    /// Checks the stored warehouse secrets at startup: every encrypted secret must decrypt with
    /// this store's key, or this fails with [`Error::Decryption`] before anything is changed.
    /// Then encrypts, in place, the secrets a version without encryption stored in clear.
    /// Idempotent; safe while other instances run. Returns how many warehouses it encrypted.
    pub async fn check_secrets(&self) -> Result<usize> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT id, storage FROM warehouses ORDER BY id")
                .fetch_all(&self.read)
                .await
                .map_err(map)?;
        let mut in_clear = Vec::new();
        let mut undecryptable = Vec::new();
        for (id, storage) in &rows {
            let id: WarehouseId = parse_id(id)?;
            match open_storage(&self.cipher, id, storage) {
                Ok(opened) if opened.in_clear => in_clear.push((id, storage, opened.profile)),
                Ok(_) => {}
                Err(Error::Decryption { message }) => undecryptable.push(message),
                Err(e) => return Err(e),
            }
        }
        if let Some(first) = undecryptable.first() {
            return Err(Error::Decryption {
                message: format!(
                    "the secrets of {} of {} warehouses cannot be decrypted; the first: {first}",
                    undecryptable.len(),
                    rows.len()
                ),
            });
        }
        let mut encrypted = 0;
        for (id, old, profile) in in_clear {
            // Compare-and-swap: a row another instance changed meanwhile is left to it.
            let result =
                sqlx::query("UPDATE warehouses SET storage = $1 WHERE id = $2 AND storage = $3")
                    .bind(sealed_storage(&self.cipher, id, &profile))
                    .bind(id.to_string())
                    .bind(old)
                    .execute(&self.write)
                    .await
                    .map_err(map)?;
            encrypted += result.rows_affected() as usize;
        }
        Ok(encrypted)
    }
}
