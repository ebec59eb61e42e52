use async_trait::async_trait;
use pangolin_core::{
    Entity, Error, Page, PageRequest, Result, TenantId, TokenId, TokenRecord, UserId,
};

use super::{MemoryStore, paginate_desc};
use crate::Tokens;

#[async_trait]
impl Tokens for MemoryStore {
    async fn insert_token(&self, token: &TokenRecord) -> Result<()> {
        let mut state = self.write();
        state.user(token.tenant_id, token.user_id)?;
        if state.tokens.contains_key(&token.id) {
            return Err(Error::already_exists(Entity::Token, token.id));
        }
        state.tokens.insert(token.id, token.clone());
        Ok(())
    }

    async fn get_token(&self, tenant: Option<TenantId>, id: TokenId) -> Result<TokenRecord> {
        self.read()
            .tokens
            .get(&id)
            .filter(|t| t.tenant_id == tenant)
            .cloned()
            .ok_or_else(|| Error::not_found(Entity::Token, id))
    }

    async fn list_tokens(
        &self,
        tenant: Option<TenantId>,
        user: UserId,
        now: i64,
        page: &PageRequest,
    ) -> Result<Page<TokenRecord>> {
        let tokens: Vec<(String, TokenRecord)> = self
            .read()
            .tokens
            .values()
            .filter(|t| t.tenant_id == tenant && t.user_id == user && t.expires_at > now)
            .map(|t| (t.id.to_string(), t.clone()))
            .collect();
        Ok(paginate_desc(tokens, page, |(key, _)| key).map(|(_, t)| t))
    }

    async fn revoke_token(&self, tenant: Option<TenantId>, id: TokenId, at: i64) -> Result<()> {
        let mut state = self.write();
        let token = state
            .tokens
            .get_mut(&id)
            .filter(|t| t.tenant_id == tenant)
            .ok_or_else(|| Error::not_found(Entity::Token, id))?;
        token.revoked_at.get_or_insert(at);
        Ok(())
    }

    async fn delete_expired_tokens(&self, now: i64) -> Result<u64> {
        let mut state = self.write();
        let before = state.tokens.len();
        state.tokens.retain(|_, t| t.expires_at >= now);
        Ok((before - state.tokens.len()) as u64)
    }
}
