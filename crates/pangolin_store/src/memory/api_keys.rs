use async_trait::async_trait;
use pangolin_core::{
    ApiKey, ApiKeyId, ApiKeyUpdate, Entity, Error, Page, PageRequest, Result, TenantId, UserId,
};

use super::{MemoryStore, paginate};
use crate::ApiKeys;

#[async_trait]
impl ApiKeys for MemoryStore {
    async fn create_api_key(&self, key: &ApiKey) -> Result<()> {
        let mut state = self.write();
        state.user(Some(key.tenant_id), key.user_id)?;
        if state.api_keys.contains_key(&key.id) {
            return Err(Error::already_exists(Entity::ApiKey, key.id));
        }
        state.api_keys.insert(key.id, key.clone());
        Ok(())
    }

    async fn find_api_key(&self, id: ApiKeyId) -> Result<ApiKey> {
        self.read()
            .api_keys
            .get(&id)
            .cloned()
            .ok_or_else(|| Error::not_found(Entity::ApiKey, id))
    }

    async fn get_api_key(&self, tenant: TenantId, id: ApiKeyId) -> Result<ApiKey> {
        self.read()
            .api_keys
            .get(&id)
            .filter(|k| k.tenant_id == tenant)
            .cloned()
            .ok_or_else(|| Error::not_found(Entity::ApiKey, id))
    }

    async fn list_api_keys(
        &self,
        tenant: TenantId,
        user: UserId,
        page: &PageRequest,
    ) -> Result<Page<ApiKey>> {
        let keys: Vec<(String, ApiKey)> = self
            .read()
            .api_keys
            .values()
            .filter(|k| k.tenant_id == tenant && k.user_id == user)
            .map(|k| (k.id.to_string(), k.clone()))
            .collect();
        Ok(paginate(keys, page, |(key, _)| key).map(|(_, k)| k))
    }

    async fn update_api_key(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
        update: &ApiKeyUpdate,
    ) -> Result<ApiKey> {
        let mut state = self.write();
        let key = state
            .api_keys
            .get_mut(&id)
            .filter(|k| k.tenant_id == tenant)
            .ok_or_else(|| Error::not_found(Entity::ApiKey, id))?;
        if let Some(hash) = &update.secret_hash {
            key.secret_hash = hash.clone();
        }
        if let Some(expires_at) = update.expires_at {
            key.expires_at = expires_at;
        }
        if let Some(active) = update.active {
            key.active = active;
        }
        Ok(key.clone())
    }

    async fn touch_api_key(&self, id: ApiKeyId, at: i64) -> Result<()> {
        let mut state = self.write();
        let key = state
            .api_keys
            .get_mut(&id)
            .ok_or_else(|| Error::not_found(Entity::ApiKey, id))?;
        key.last_used_at = Some(at);
        Ok(())
    }

    async fn delete_api_key(&self, tenant: TenantId, id: ApiKeyId) -> Result<()> {
        let mut state = self.write();
        if state
            .api_keys
            .get(&id)
            .is_none_or(|k| k.tenant_id != tenant)
        {
            return Err(Error::not_found(Entity::ApiKey, id));
        }
        state.api_keys.remove(&id);
        Ok(())
    }
}
