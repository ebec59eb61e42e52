use async_trait::async_trait;
use pangolin_core::{
    Entity, Error, Page, PageRequest, Result, Tenant, TenantId, TenantUpdate, now_millis,
};

use super::{MemoryStore, paginate};
use crate::Tenants;

#[async_trait]
impl Tenants for MemoryStore {
    async fn create_tenant(&self, tenant: &Tenant) -> Result<()> {
        let mut state = self.write();
        if state.tenants.values().any(|t| t.name == tenant.name) {
            return Err(Error::already_exists(Entity::Tenant, &tenant.name));
        }
        state.tenants.insert(tenant.id, tenant.clone());
        Ok(())
    }

    async fn get_tenant(&self, id: TenantId) -> Result<Tenant> {
        self.read()
            .tenants
            .get(&id)
            .cloned()
            .ok_or_else(|| Error::not_found(Entity::Tenant, id))
    }

    async fn get_tenant_by_name(&self, name: &str) -> Result<Tenant> {
        self.read()
            .tenants
            .values()
            .find(|t| t.name == name)
            .cloned()
            .ok_or_else(|| Error::not_found(Entity::Tenant, name))
    }

    async fn list_tenants(&self, page: &PageRequest) -> Result<Page<Tenant>> {
        let all = self.read().tenants.values().cloned().collect();
        Ok(paginate(all, page, |t: &Tenant| &t.name))
    }

    async fn update_tenant(&self, id: TenantId, update: &TenantUpdate) -> Result<Tenant> {
        let mut state = self.write();
        let tenant = state
            .tenants
            .get_mut(&id)
            .ok_or_else(|| Error::not_found(Entity::Tenant, id))?;
        tenant.properties = update.properties.clone();
        tenant.updated_at = now_millis();
        Ok(tenant.clone())
    }

    async fn delete_tenant(&self, id: TenantId) -> Result<()> {
        let mut state = self.write();
        let tenant = state
            .tenants
            .get(&id)
            .ok_or_else(|| Error::not_found(Entity::Tenant, id))?;
        if state.warehouses.values().any(|w| w.tenant_id == id)
            || state.catalogs.values().any(|c| c.tenant_id == id)
        {
            return Err(Error::NotEmpty {
                entity: Entity::Tenant,
                key: tenant.name.clone(),
                detail: "it still owns warehouses or catalogs".into(),
            });
        }
        state.tenants.remove(&id);
        // Identities go with their tenant; the audit log is kept.
        let users: Vec<_> = state
            .users
            .values()
            .filter(|u| u.tenant_id == Some(id))
            .map(|u| u.id)
            .collect();
        for user in users {
            state.users.remove(&user);
            state.remove_user_dependents(user);
        }
        state.api_keys.retain(|_, k| k.tenant_id != id);
        state.tokens.retain(|_, t| t.tenant_id != Some(id));
        let roles: Vec<_> = state
            .roles
            .values()
            .filter(|r| r.tenant_id == id)
            .map(|r| r.id)
            .collect();
        state
            .role_assignments
            .retain(|(role, _)| !roles.contains(role));
        state.roles.retain(|_, r| r.tenant_id != id);
        state.grants.retain(|_, g| g.tenant_id != id);
        Ok(())
    }
}
