use async_trait::async_trait;
use pangolin_core::{
    Catalog, CatalogUpdate, Entity, Error, GrantScope, Page, PageRequest, Result, TenantId,
    now_millis,
};

use super::{MemoryStore, paginate};
use crate::Catalogs;

#[async_trait]
impl Catalogs for MemoryStore {
    async fn create_catalog(&self, catalog: &Catalog) -> Result<()> {
        let mut state = self.write();
        let warehouse = state
            .warehouses
            .get(&catalog.warehouse_id)
            .filter(|w| w.tenant_id == catalog.tenant_id)
            .ok_or_else(|| Error::not_found(Entity::Warehouse, catalog.warehouse_id))?;
        let mut stored = catalog.clone();
        stored.warehouse_name = warehouse.name.clone();
        if state.catalog(catalog.tenant_id, &catalog.name).is_ok() {
            return Err(Error::already_exists(Entity::Catalog, &catalog.name));
        }
        state.catalogs.insert(catalog.id, stored);
        Ok(())
    }

    async fn get_catalog(&self, tenant: TenantId, name: &str) -> Result<Catalog> {
        self.read().catalog(tenant, name).cloned()
    }

    async fn list_catalogs(&self, tenant: TenantId, page: &PageRequest) -> Result<Page<Catalog>> {
        let all = self
            .read()
            .catalogs
            .values()
            .filter(|c| c.tenant_id == tenant)
            .cloned()
            .collect();
        Ok(paginate(all, page, |c: &Catalog| &c.name))
    }

    async fn update_catalog(
        &self,
        tenant: TenantId,
        name: &str,
        update: &CatalogUpdate,
    ) -> Result<Catalog> {
        let mut state = self.write();
        let id = state.catalog_id(tenant, name)?;
        let catalog = state.catalogs.get_mut(&id).expect("found above");
        catalog.properties = update.properties.clone();
        catalog.updated_at = now_millis();
        Ok(catalog.clone())
    }

    async fn delete_catalog(&self, tenant: TenantId, name: &str) -> Result<()> {
        let mut state = self.write();
        let id = state.catalog_id(tenant, name)?;
        if state.namespaces.keys().any(|(c, _)| *c == id) {
            return Err(Error::NotEmpty {
                entity: Entity::Catalog,
                key: name.to_owned(),
                detail: "it still holds namespaces".into(),
            });
        }
        state.catalogs.remove(&id);
        state.remove_grants_on(GrantScope::Catalog(id));
        Ok(())
    }
}
