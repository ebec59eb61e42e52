use async_trait::async_trait;
use pangolin_core::{
    Entity, Error, Grantee, Page, PageRequest, Result, TenantId, User, UserId, UserUpdate,
    now_millis,
};

use super::{MemoryStore, State, paginate};
use crate::Users;

impl State {
    /// The user `id` if it exists in `tenant` (`None`: among Root users).
    pub(super) fn user(&self, tenant: Option<TenantId>, id: UserId) -> Result<&User> {
        self.users
            .get(&id)
            .filter(|u| u.tenant_id == tenant)
            .ok_or_else(|| Error::not_found(Entity::User, id))
    }

    /// Removes everything that belongs to a user: API keys, token records, direct grants and role
    /// assignments.
    pub(super) fn remove_user_dependents(&mut self, id: UserId) {
        self.api_keys.retain(|_, k| k.user_id != id);
        self.tokens.retain(|_, t| t.user_id != id);
        self.grants.retain(|_, g| g.grantee != Grantee::User(id));
        self.role_assignments.retain(|(_, user)| *user != id);
    }
}

#[async_trait]
impl Users for MemoryStore {
    async fn create_user(&self, user: &User) -> Result<()> {
        let mut state = self.write();
        if let Some(tenant) = user.tenant_id
            && !state.tenants.contains_key(&tenant)
        {
            return Err(Error::not_found(Entity::Tenant, tenant));
        }
        if state
            .users
            .values()
            .any(|u| u.tenant_id == user.tenant_id && u.name == user.name)
        {
            return Err(Error::already_exists(Entity::User, &user.name));
        }
        if state.users.contains_key(&user.id) {
            return Err(Error::already_exists(Entity::User, user.id));
        }
        state.users.insert(user.id, user.clone());
        Ok(())
    }

    async fn get_user(&self, tenant: Option<TenantId>, id: UserId) -> Result<User> {
        self.read().user(tenant, id).cloned()
    }

    async fn get_user_by_name(&self, tenant: Option<TenantId>, name: &str) -> Result<User> {
        self.read()
            .users
            .values()
            .find(|u| u.tenant_id == tenant && u.name == name)
            .cloned()
            .ok_or_else(|| Error::not_found(Entity::User, name))
    }

    async fn list_users(&self, tenant: Option<TenantId>, page: &PageRequest) -> Result<Page<User>> {
        let all = self
            .read()
            .users
            .values()
            .filter(|u| u.tenant_id == tenant)
            .cloned()
            .collect();
        Ok(paginate(all, page, |u: &User| &u.name))
    }

    async fn update_user(
        &self,
        tenant: Option<TenantId>,
        id: UserId,
        update: &UserUpdate,
    ) -> Result<User> {
        let mut state = self.write();
        let user = state
            .users
            .get_mut(&id)
            .filter(|u| u.tenant_id == tenant)
            .ok_or_else(|| Error::not_found(Entity::User, id))?;
        if let Some(email) = &update.email {
            user.email = email.clone();
        }
        if let Some(hash) = &update.password_hash {
            user.password_hash = Some(hash.clone());
        }
        if let Some(active) = update.active {
            user.active = active;
        }
        if let Some(role) = update.role {
            user.role = role;
        }
        user.updated_at = now_millis();
        Ok(user.clone())
    }

    async fn delete_user(&self, tenant: Option<TenantId>, id: UserId) -> Result<()> {
        let mut state = self.write();
        state.user(tenant, id)?;
        state.users.remove(&id);
        state.remove_user_dependents(id);
        Ok(())
    }
}
