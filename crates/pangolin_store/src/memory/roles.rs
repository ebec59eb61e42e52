use async_trait::async_trait;
use pangolin_core::{
    Entity, Error, Grantee, Page, PageRequest, Result, Role, RoleId, TenantId, UserId, now_millis,
};

use super::{MemoryStore, State, paginate};
use crate::Roles;

impl State {
    /// The role `id` if it exists in `tenant`.
    pub(super) fn role(&self, tenant: TenantId, id: RoleId) -> Result<&Role> {
        self.roles
            .get(&id)
            .filter(|r| r.tenant_id == tenant)
            .ok_or_else(|| Error::not_found(Entity::Role, id))
    }

    /// The ids of the roles of `tenant` assigned to `user`.
    pub(super) fn user_role_ids(&self, tenant: TenantId, user: UserId) -> Vec<RoleId> {
        self.role_assignments
            .iter()
            .filter(|(role, u)| *u == user && self.role(tenant, *role).is_ok())
            .map(|(role, _)| *role)
            .collect()
    }
}

#[async_trait]
impl Roles for MemoryStore {
    async fn create_role(&self, role: &Role) -> Result<()> {
        let mut state = self.write();
        if !state.tenants.contains_key(&role.tenant_id) {
            return Err(Error::not_found(Entity::Tenant, role.tenant_id));
        }
        if state
            .roles
            .values()
            .any(|r| r.tenant_id == role.tenant_id && r.name == role.name)
        {
            return Err(Error::already_exists(Entity::Role, &role.name));
        }
        if state.roles.contains_key(&role.id) {
            return Err(Error::already_exists(Entity::Role, role.id));
        }
        state.roles.insert(role.id, role.clone());
        Ok(())
    }

    async fn get_role(&self, tenant: TenantId, id: RoleId) -> Result<Role> {
        self.read().role(tenant, id).cloned()
    }

    async fn list_roles(&self, tenant: TenantId, page: &PageRequest) -> Result<Page<Role>> {
        let all = self
            .read()
            .roles
            .values()
            .filter(|r| r.tenant_id == tenant)
            .cloned()
            .collect();
        Ok(paginate(all, page, |r: &Role| &r.name))
    }

    async fn update_role(
        &self,
        tenant: TenantId,
        id: RoleId,
        description: Option<&str>,
    ) -> Result<Role> {
        let mut state = self.write();
        let role = state
            .roles
            .get_mut(&id)
            .filter(|r| r.tenant_id == tenant)
            .ok_or_else(|| Error::not_found(Entity::Role, id))?;
        role.description = description.map(str::to_owned);
        role.updated_at = now_millis();
        Ok(role.clone())
    }

    async fn delete_role(&self, tenant: TenantId, id: RoleId) -> Result<()> {
        let mut state = self.write();
        state.role(tenant, id)?;
        state.roles.remove(&id);
        state.grants.retain(|_, g| g.grantee != Grantee::Role(id));
        state.role_assignments.retain(|(role, _)| *role != id);
        Ok(())
    }

    async fn assign_role(&self, tenant: TenantId, role: RoleId, user: UserId) -> Result<()> {
        let mut state = self.write();
        state.role(tenant, role)?;
        state.user(Some(tenant), user)?;
        state.role_assignments.insert((role, user));
        Ok(())
    }

    async fn unassign_role(&self, tenant: TenantId, role: RoleId, user: UserId) -> Result<()> {
        let mut state = self.write();
        state.role(tenant, role)?;
        if !state.role_assignments.remove(&(role, user)) {
            return Err(Error::not_found(Entity::Role, role));
        }
        Ok(())
    }

    async fn list_user_roles(&self, tenant: TenantId, user: UserId) -> Result<Vec<Role>> {
        let state = self.read();
        let mut roles: Vec<Role> = state
            .user_role_ids(tenant, user)
            .into_iter()
            .filter_map(|id| state.roles.get(&id).cloned())
            .collect();
        roles.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(roles)
    }
}
