use async_trait::async_trait;
use pangolin_core::{
    Entity, Error, Page, PageRequest, Result, TenantId, TokenId, TokenRecord, UserId,
};

use super::rows::{parse_id, parse_stored};
use super::{SqlStore, sql_limit, tenant_scope};
use crate::Tokens;
use crate::sql_error::{map, unique_or};

const COLUMNS: &str =
    "id, tenant_id, user_id, kind, description, issued_at, expires_at, revoked_at";

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: String,
    tenant_id: Option<String>,
    user_id: String,
    kind: String,
    description: Option<String>,
    issued_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
}

impl TokenRow {
    fn into_token(self) -> Result<TokenRecord> {
        Ok(TokenRecord {
            id: parse_id(&self.id)?,
            tenant_id: self.tenant_id.as_deref().map(parse_id).transpose()?,
            user_id: parse_id(&self.user_id)?,
            kind: parse_stored("token kind", &self.kind)?,
            description: self.description,
            issued_at: self.issued_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
        })
    }
}

#[async_trait]
impl Tokens for SqlStore {
    async fn insert_token(&self, token: &TokenRecord) -> Result<()> {
        // The user must exist in the token's scope: the insert selects it.
        let result = sqlx::query(
            "INSERT INTO tokens (id, tenant_id, tenant_scope, user_id, kind, description,
                                 issued_at, expires_at, revoked_at)
             SELECT $1, tenant_id, tenant_scope, id, $4, $5, $6, $7, $8 FROM users
             WHERE tenant_scope = $2 AND id = $3",
        )
        .bind(token.id.to_string())
        .bind(tenant_scope(token.tenant_id))
        .bind(token.user_id.to_string())
        .bind(token.kind.as_str())
        .bind(token.description.as_deref())
        .bind(token.issued_at)
        .bind(token.expires_at)
        .bind(token.revoked_at)
        .execute(&self.write)
        .await
        .map_err(|e| unique_or(e, || Error::already_exists(Entity::Token, token.id)))?;
        if result.rows_affected() == 0 {
            return Err(Error::not_found(Entity::User, token.user_id));
        }
        Ok(())
    }

    async fn get_token(&self, tenant: Option<TenantId>, id: TokenId) -> Result<TokenRecord> {
        sqlx::query_as::<_, TokenRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM tokens WHERE id = $1 AND tenant_scope = $2"
        )))
        .bind(id.to_string())
        .bind(tenant_scope(tenant))
        .fetch_optional(&self.read)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::Token, id))?
        .into_token()
    }

    async fn list_tokens(
        &self,
        tenant: Option<TenantId>,
        user: UserId,
        now: i64,
        page: &PageRequest,
    ) -> Result<Page<TokenRecord>> {
        let rows = sqlx::query_as::<_, TokenRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM tokens
             WHERE user_id = $1 AND tenant_scope = $2 AND expires_at > $3
               AND ($4 IS NULL OR id < $4)
             ORDER BY id DESC LIMIT $5"
        )))
        .bind(user.to_string())
        .bind(tenant_scope(tenant))
        .bind(now)
        .bind(page.after.as_deref())
        .bind(sql_limit(page))
        .fetch_all(&self.read)
        .await
        .map_err(map)?;
        let tokens = rows
            .into_iter()
            .map(TokenRow::into_token)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page::from_overfetched_by(tokens, page, |t| {
            t.id.to_string()
        }))
    }

    async fn revoke_token(&self, tenant: Option<TenantId>, id: TokenId, at: i64) -> Result<()> {
        let result = sqlx::query(
            "UPDATE tokens SET revoked_at = coalesce(revoked_at, $3)
             WHERE id = $1 AND tenant_scope = $2",
        )
        .bind(id.to_string())
        .bind(tenant_scope(tenant))
        .bind(at)
        .execute(&self.write)
        .await
        .map_err(map)?;
        if result.rows_affected() == 0 {
            return Err(Error::not_found(Entity::Token, id));
        }
        Ok(())
    }

    async fn delete_expired_tokens(&self, now: i64) -> Result<u64> {
        let result = sqlx::query("DELETE FROM tokens WHERE expires_at < $1")
            .bind(now)
            .execute(&self.write)
            .await
            .map_err(map)?;
        Ok(result.rows_affected())
    }
}
