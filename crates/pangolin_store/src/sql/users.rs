use async_trait::async_trait;
use pangolin_core::{
    Entity, Error, Page, PageRequest, PasswordHash, Result, TenantId, User, UserId, UserUpdate,
    now_millis,
};

use super::rows::{parse_id, parse_stored};
use super::{SqlStore, sql_limit, tenant_scope};
use crate::Users;
use crate::sql_error::{constraint_or, map};

const COLUMNS: &str =
    "id, tenant_id, name, kind, role, email, password_hash, deactivated_at, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    tenant_id: Option<String>,
    name: String,
    kind: String,
    role: String,
    email: Option<String>,
    password_hash: Option<String>,
    deactivated_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl UserRow {
    fn into_user(self) -> Result<User> {
        Ok(User {
            id: parse_id(&self.id)?,
            tenant_id: self.tenant_id.as_deref().map(parse_id).transpose()?,
            name: self.name,
            kind: parse_stored("user kind", &self.kind)?,
            role: parse_stored("user role", &self.role)?,
            email: self.email,
            password_hash: self.password_hash.map(PasswordHash::new),
            active: self.deactivated_at.is_none(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[async_trait]
impl Users for SqlStore {
    async fn create_user(&self, user: &User) -> Result<()> {
        sqlx::query(
            "INSERT INTO users (id, tenant_id, tenant_scope, name, kind, role, email, password_hash,
                                deactivated_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(user.id.to_string())
        .bind(user.tenant_id.map(|t| t.to_string()))
        .bind(tenant_scope(user.tenant_id))
        .bind(&user.name)
        .bind(user.kind.as_str())
        .bind(user.role.as_str())
        .bind(user.email.as_deref())
        .bind(user.password_hash.as_ref().map(PasswordHash::as_str))
        .bind((!user.active).then_some(user.updated_at))
        .bind(user.created_at)
        .bind(user.updated_at)
        .execute(&self.write)
        .await
        .map_err(|e| {
            constraint_or(
                e,
                || Error::already_exists(Entity::User, &user.name),
                || {
                    Error::not_found(
                        Entity::Tenant,
                        user.tenant_id.map(|t| t.to_string()).unwrap_or_default(),
                    )
                },
            )
        })?;
        Ok(())
    }

    async fn get_user(&self, tenant: Option<TenantId>, id: UserId) -> Result<User> {
        sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM users WHERE tenant_scope = $1 AND id = $2"
        )))
        .bind(tenant_scope(tenant))
        .bind(id.to_string())
        .fetch_optional(&self.read)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::User, id))?
        .into_user()
    }

    async fn get_user_by_name(&self, tenant: Option<TenantId>, name: &str) -> Result<User> {
        sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM users WHERE tenant_scope = $1 AND name = $2"
        )))
        .bind(tenant_scope(tenant))
        .bind(name)
        .fetch_optional(&self.read)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::User, name))?
        .into_user()
    }

    async fn list_users(&self, tenant: Option<TenantId>, page: &PageRequest) -> Result<Page<User>> {
        let rows = sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM users
             WHERE tenant_scope = $1 AND ($2 IS NULL OR name > $2) ORDER BY name LIMIT $3"
        )))
        .bind(tenant_scope(tenant))
        .bind(page.after.as_deref())
        .bind(sql_limit(page))
        .fetch_all(&self.read)
        .await
        .map_err(map)?;
        let users = rows
            .into_iter()
            .map(UserRow::into_user)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page::from_overfetched(users, page, |u| &u.name))
    }

    async fn update_user(
        &self,
        tenant: Option<TenantId>,
        id: UserId,
        update: &UserUpdate,
    ) -> Result<User> {
        let now = now_millis();
        // Each column keeps its value unless its flag parameter says to change it.
        sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!(
            "UPDATE users SET
                 email = CASE WHEN $3 = 1 THEN $4 ELSE email END,
                 password_hash = coalesce($5, password_hash),
                 deactivated_at = CASE WHEN $6 IS NULL THEN deactivated_at
                                       WHEN $6 = 1 THEN NULL
                                       ELSE coalesce(deactivated_at, $8) END,
                 role = coalesce($7, role),
                 updated_at = $8
             WHERE tenant_scope = $1 AND id = $2
             RETURNING {COLUMNS}"
        )))
        .bind(tenant_scope(tenant))
        .bind(id.to_string())
        .bind(i64::from(update.email.is_some()))
        .bind(update.email.clone().flatten())
        .bind(update.password_hash.as_ref().map(PasswordHash::as_str))
        .bind(update.active.map(i64::from))
        .bind(update.role.map(|r| r.as_str()))
        .bind(now)
        .fetch_optional(&self.write)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::User, id))?
        .into_user()
    }

    async fn delete_user(&self, tenant: Option<TenantId>, id: UserId) -> Result<()> {
        let result = sqlx::query("DELETE FROM users WHERE tenant_scope = $1 AND id = $2")
            .bind(tenant_scope(tenant))
            .bind(id.to_string())
            .execute(&self.write)
            .await
            .map_err(map)?;
        if result.rows_affected() == 0 {
            return Err(Error::not_found(Entity::User, id));
        }
        Ok(())
    }
}
