use async_trait::async_trait;
use pangolin_core::{
    Entity, Error, GrantScope, Page, PageRequest, Result, StorageProfile, TenantId, Warehouse,
    WarehouseId, now_millis,
};

use super::{MemoryStore, paginate};
use crate::Warehouses;

#[async_trait]
impl Warehouses for MemoryStore {
    async fn create_warehouse(&self, warehouse: &Warehouse) -> Result<()> {
        let mut state = self.write();
        if !state.tenants.contains_key(&warehouse.tenant_id) {
            return Err(Error::not_found(Entity::Tenant, warehouse.tenant_id));
        }
        if state
            .warehouses
            .values()
            .any(|w| w.tenant_id == warehouse.tenant_id && w.name == warehouse.name)
        {
            return Err(Error::already_exists(Entity::Warehouse, &warehouse.name));
        }
        state.warehouses.insert(warehouse.id, warehouse.clone());
        Ok(())
    }

    async fn get_warehouse(&self, tenant: TenantId, id: WarehouseId) -> Result<Warehouse> {
        self.read()
            .warehouses
            .get(&id)
            .filter(|w| w.tenant_id == tenant)
            .cloned()
            .ok_or_else(|| Error::not_found(Entity::Warehouse, id))
    }

    async fn get_warehouse_by_name(&self, tenant: TenantId, name: &str) -> Result<Warehouse> {
        self.read()
            .warehouses
            .values()
            .find(|w| w.tenant_id == tenant && w.name == name)
            .cloned()
            .ok_or_else(|| Error::not_found(Entity::Warehouse, name))
    }

    async fn list_warehouses(
        &self,
        tenant: TenantId,
        page: &PageRequest,
    ) -> Result<Page<Warehouse>> {
        let all = self
            .read()
            .warehouses
            .values()
            .filter(|w| w.tenant_id == tenant)
            .cloned()
            .collect();
        Ok(paginate(all, page, |w: &Warehouse| &w.name))
    }

    async fn update_warehouse(
        &self,
        tenant: TenantId,
        id: WarehouseId,
        storage: &StorageProfile,
    ) -> Result<Warehouse> {
        let mut state = self.write();
        let warehouse = state
            .warehouses
            .get_mut(&id)
            .filter(|w| w.tenant_id == tenant)
            .ok_or_else(|| Error::not_found(Entity::Warehouse, id))?;
        warehouse.storage = storage.clone();
        warehouse.updated_at = now_millis();
        Ok(warehouse.clone())
    }

    async fn delete_warehouse(&self, tenant: TenantId, id: WarehouseId) -> Result<()> {
        let mut state = self.write();
        let warehouse = state
            .warehouses
            .get(&id)
            .filter(|w| w.tenant_id == tenant)
            .ok_or_else(|| Error::not_found(Entity::Warehouse, id))?;
        if state.catalogs.values().any(|c| c.warehouse_id == id) {
            return Err(Error::NotEmpty {
                entity: Entity::Warehouse,
                key: warehouse.name.clone(),
                detail: "catalogs still use it".into(),
            });
        }
        state.warehouses.remove(&id);
        state.remove_grants_on(GrantScope::Warehouse(id));
        Ok(())
    }
}
