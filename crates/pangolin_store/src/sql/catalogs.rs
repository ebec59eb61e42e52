use async_trait::async_trait;
use pangolin_core::{
    Catalog, CatalogUpdate, Entity, Error, Page, PageRequest, Result, TenantId, now_millis,
};

use super::rows::{CatalogRow, properties_json};
use super::{SqlStore, sql_limit};
use crate::Catalogs;
use crate::sql_error::{foreign_key_or, map, unique_or};

const SELECT: &str = "SELECT c.id, c.tenant_id, c.name, c.warehouse_id, w.name AS warehouse_name,
        c.base_location, c.properties, c.created_at, c.updated_at
    FROM catalogs c JOIN warehouses w ON w.id = c.warehouse_id";

#[async_trait]
impl Catalogs for SqlStore {
    async fn create_catalog(&self, catalog: &Catalog) -> Result<()> {
        // The warehouse must belong to the catalog's tenant: the insert selects nothing otherwise.
        let result = sqlx::query(
            "INSERT INTO catalogs
                (id, tenant_id, name, warehouse_id, base_location, properties, created_at, updated_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8
             WHERE EXISTS (SELECT 1 FROM warehouses WHERE id = $4 AND tenant_id = $2)",
        )
        .bind(catalog.id.to_string())
        .bind(catalog.tenant_id.to_string())
        .bind(&catalog.name)
        .bind(catalog.warehouse_id.to_string())
        .bind(&catalog.base_location)
        .bind(properties_json(&catalog.properties))
        .bind(catalog.created_at)
        .bind(catalog.updated_at)
        .execute(&self.write)
        .await
        .map_err(|e| unique_or(e, || Error::already_exists(Entity::Catalog, &catalog.name)))?;
        if result.rows_affected() == 0 {
            return Err(Error::not_found(Entity::Warehouse, catalog.warehouse_id));
        }
        Ok(())
    }

    async fn get_catalog(&self, tenant: TenantId, name: &str) -> Result<Catalog> {
        sqlx::query_as::<_, CatalogRow>(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE c.tenant_id = $1 AND c.name = $2"
        )))
        .bind(tenant.to_string())
        .bind(name)
        .fetch_optional(&self.read)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::Catalog, name))?
        .into_catalog()
    }

    async fn list_catalogs(&self, tenant: TenantId, page: &PageRequest) -> Result<Page<Catalog>> {
        let rows = sqlx::query_as::<_, CatalogRow>(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE c.tenant_id = $1 AND ($2 IS NULL OR c.name > $2)
             ORDER BY c.name LIMIT $3"
        )))
        .bind(tenant.to_string())
        .bind(page.after.as_deref())
        .bind(sql_limit(page))
        .fetch_all(&self.read)
        .await
        .map_err(map)?;
        let items = rows
            .into_iter()
            .map(CatalogRow::into_catalog)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page::from_overfetched(items, page, |c| &c.name))
    }

    async fn update_catalog(
        &self,
        tenant: TenantId,
        name: &str,
        update: &CatalogUpdate,
    ) -> Result<Catalog> {
        let result = sqlx::query(
            "UPDATE catalogs SET properties = $3, updated_at = $4 WHERE tenant_id = $1 AND name = $2",
        )
        .bind(tenant.to_string())
        .bind(name)
        .bind(properties_json(&update.properties))
        .bind(now_millis())
        .execute(&self.write)
        .await
        .map_err(map)?;
        if result.rows_affected() == 0 {
            return Err(Error::not_found(Entity::Catalog, name));
        }
        // Read back through the writer so the caller sees its own write.
        sqlx::query_as::<_, CatalogRow>(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE c.tenant_id = $1 AND c.name = $2"
        )))
        .bind(tenant.to_string())
        .bind(name)
        .fetch_one(&self.write)
        .await
        .map_err(map)?
        .into_catalog()
    }

    async fn delete_catalog(&self, tenant: TenantId, name: &str) -> Result<()> {
        let result = sqlx::query("DELETE FROM catalogs WHERE tenant_id = $1 AND name = $2")
            .bind(tenant.to_string())
            .bind(name)
            .execute(&self.write)
            .await
            .map_err(|e| {
                foreign_key_or(e, || Error::NotEmpty {
                    entity: Entity::Catalog,
                    key: name.to_owned(),
                    detail: "it still holds namespaces".into(),
                })
            })?;
        if result.rows_affected() == 0 {
            return Err(Error::not_found(Entity::Catalog, name));
        }
        Ok(())
    }
}
