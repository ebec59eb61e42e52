use async_trait::async_trait;
use pangolin_core::{
    ApiKey, ApiKeyId, ApiKeyUpdate, Entity, Error, Page, PageRequest, Result, TenantId, UserId,
    now_millis,
};

use super::rows::parse_id;
use super::{SqlStore, sql_limit};
use crate::ApiKeys;
use crate::sql_error::{constraint_or, map};

const COLUMNS: &str = "id, tenant_id, user_id, name, secret_hash, created_at, expires_at,
                       last_used_at, deactivated_at";

#[derive(sqlx::FromRow)]
struct ApiKeyRow {
    id: String,
    tenant_id: String,
    user_id: String,
    name: String,
    secret_hash: String,
    created_at: i64,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
    deactivated_at: Option<i64>,
}

impl ApiKeyRow {
    fn into_key(self) -> Result<ApiKey> {
        Ok(ApiKey {
            id: parse_id(&self.id)?,
            tenant_id: parse_id(&self.tenant_id)?,
            user_id: parse_id(&self.user_id)?,
            name: self.name,
            secret_hash: self.secret_hash,
            created_at: self.created_at,
            expires_at: self.expires_at,
            last_used_at: self.last_used_at,
            active: self.deactivated_at.is_none(),
        })
    }
}

#[async_trait]
impl ApiKeys for SqlStore {
    async fn create_api_key(&self, key: &ApiKey) -> Result<()> {
        // The user must exist in the key's tenant: the insert selects it.
        let result = sqlx::query(
            "INSERT INTO api_keys (id, tenant_id, user_id, name, secret_hash, created_at,
                                   expires_at, last_used_at, deactivated_at)
             SELECT $1, $2, id, $4, $5, $6, $7, $8, $9 FROM users
             WHERE tenant_scope = $2 AND id = $3",
        )
        .bind(key.id.to_string())
        .bind(key.tenant_id.to_string())
        .bind(key.user_id.to_string())
        .bind(&key.name)
        .bind(&key.secret_hash)
        .bind(key.created_at)
        .bind(key.expires_at)
        .bind(key.last_used_at)
        .bind((!key.active).then_some(key.created_at))
        .execute(&self.write)
        .await
        .map_err(|e| {
            constraint_or(
                e,
                || Error::already_exists(Entity::ApiKey, key.id),
                || Error::not_found(Entity::User, key.user_id),
            )
        })?;
        if result.rows_affected() == 0 {
            return Err(Error::not_found(Entity::User, key.user_id));
        }
        Ok(())
    }

    async fn find_api_key(&self, id: ApiKeyId) -> Result<ApiKey> {
        sqlx::query_as::<_, ApiKeyRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM api_keys WHERE id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.read)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::ApiKey, id))?
        .into_key()
    }

    async fn get_api_key(&self, tenant: TenantId, id: ApiKeyId) -> Result<ApiKey> {
        sqlx::query_as::<_, ApiKeyRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM api_keys WHERE id = $1 AND tenant_id = $2"
        )))
        .bind(id.to_string())
        .bind(tenant.to_string())
        .fetch_optional(&self.read)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::ApiKey, id))?
        .into_key()
    }

    async fn list_api_keys(
        &self,
        tenant: TenantId,
        user: UserId,
        page: &PageRequest,
    ) -> Result<Page<ApiKey>> {
        let rows = sqlx::query_as::<_, ApiKeyRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM api_keys
             WHERE user_id = $1 AND tenant_id = $2 AND ($3 IS NULL OR id > $3)
             ORDER BY id LIMIT $4"
        )))
        .bind(user.to_string())
        .bind(tenant.to_string())
        .bind(page.after.as_deref())
        .bind(sql_limit(page))
        .fetch_all(&self.read)
        .await
        .map_err(map)?;
        let keys = rows
            .into_iter()
            .map(ApiKeyRow::into_key)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page::from_overfetched_by(keys, page, |k| k.id.to_string()))
    }

    async fn update_api_key(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
        update: &ApiKeyUpdate,
    ) -> Result<ApiKey> {
        sqlx::query_as::<_, ApiKeyRow>(sqlx::AssertSqlSafe(format!(
            "UPDATE api_keys SET
                 secret_hash = coalesce($3, secret_hash),
                 expires_at = CASE WHEN $4 = 1 THEN $5 ELSE expires_at END,
                 deactivated_at = CASE WHEN $6 IS NULL THEN deactivated_at
                                       WHEN $6 = 1 THEN NULL
                                       ELSE coalesce(deactivated_at, $7) END
             WHERE id = $1 AND tenant_id = $2
             RETURNING {COLUMNS}"
        )))
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(update.secret_hash.as_deref())
        .bind(i64::from(update.expires_at.is_some()))
        .bind(update.expires_at.flatten())
        .bind(update.active.map(i64::from))
        .bind(now_millis())
        .fetch_optional(&self.write)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::ApiKey, id))?
        .into_key()
    }

    async fn touch_api_key(&self, id: ApiKeyId, at: i64) -> Result<()> {
        let result = sqlx::query("UPDATE api_keys SET last_used_at = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(at)
            .execute(&self.write)
            .await
            .map_err(map)?;
        if result.rows_affected() == 0 {
            return Err(Error::not_found(Entity::ApiKey, id));
        }
        Ok(())
    }

    async fn delete_api_key(&self, tenant: TenantId, id: ApiKeyId) -> Result<()> {
        let result = sqlx::query("DELETE FROM api_keys WHERE id = $1 AND tenant_id = $2")
            .bind(id.to_string())
            .bind(tenant.to_string())
            .execute(&self.write)
            .await
            .map_err(map)?;
        if result.rows_affected() == 0 {
            return Err(Error::not_found(Entity::ApiKey, id));
        }
        Ok(())
    }
}
