use async_trait::async_trait;
use pangolin_core::{
    Entity, Error, Page, PageRequest, Result, Role, RoleId, TenantId, UserId, now_millis,
};

use super::rows::parse_id;
use super::{SqlStore, sql_limit};
use crate::Roles;
use crate::sql_error::{constraint_or, map};

const COLUMNS: &str = "id, tenant_id, name, description, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct RoleRow {
    id: String,
    tenant_id: String,
    name: String,
    description: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl RoleRow {
    fn into_role(self) -> Result<Role> {
        Ok(Role {
            id: parse_id(&self.id)?,
            tenant_id: parse_id(&self.tenant_id)?,
            name: self.name,
            description: self.description,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[async_trait]
impl Roles for SqlStore {
    async fn create_role(&self, role: &Role) -> Result<()> {
        sqlx::query(
            "INSERT INTO roles (id, tenant_id, name, description, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(role.id.to_string())
        .bind(role.tenant_id.to_string())
        .bind(&role.name)
        .bind(role.description.as_deref())
        .bind(role.created_at)
        .bind(role.updated_at)
        .execute(&self.write)
        .await
        .map_err(|e| {
            constraint_or(
                e,
                || Error::already_exists(Entity::Role, &role.name),
                || Error::not_found(Entity::Tenant, role.tenant_id),
            )
        })?;
        Ok(())
    }

    async fn get_role(&self, tenant: TenantId, id: RoleId) -> Result<Role> {
        sqlx::query_as::<_, RoleRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM roles WHERE id = $1 AND tenant_id = $2"
        )))
        .bind(id.to_string())
        .bind(tenant.to_string())
        .fetch_optional(&self.read)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::Role, id))?
        .into_role()
    }

    async fn list_roles(&self, tenant: TenantId, page: &PageRequest) -> Result<Page<Role>> {
        let rows = sqlx::query_as::<_, RoleRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM roles
             WHERE tenant_id = $1 AND ($2 IS NULL OR name > $2) ORDER BY name LIMIT $3"
        )))
        .bind(tenant.to_string())
        .bind(page.after.as_deref())
        .bind(sql_limit(page))
        .fetch_all(&self.read)
        .await
        .map_err(map)?;
        let roles = rows
            .into_iter()
            .map(RoleRow::into_role)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page::from_overfetched(roles, page, |r| &r.name))
    }

    async fn update_role(
        &self,
        tenant: TenantId,
        id: RoleId,
        description: Option<&str>,
    ) -> Result<Role> {
        sqlx::query_as::<_, RoleRow>(sqlx::AssertSqlSafe(format!(
            "UPDATE roles SET description = $3, updated_at = $4 WHERE id = $1 AND tenant_id = $2
             RETURNING {COLUMNS}"
        )))
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(description)
        .bind(now_millis())
        .fetch_optional(&self.write)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(Entity::Role, id))?
        .into_role()
    }

    async fn delete_role(&self, tenant: TenantId, id: RoleId) -> Result<()> {
        let result = sqlx::query("DELETE FROM roles WHERE id = $1 AND tenant_id = $2")
            .bind(id.to_string())
            .bind(tenant.to_string())
            .execute(&self.write)
            .await
            .map_err(map)?;
        if result.rows_affected() == 0 {
            return Err(Error::not_found(Entity::Role, id));
        }
        Ok(())
    }

    async fn assign_role(&self, tenant: TenantId, role: RoleId, user: UserId) -> Result<()> {
        // Both must exist in the tenant: the insert selects them, and a missing one inserts
        // nothing. An existing assignment is left alone.
        let mut tx = self.write.begin().await.map_err(map)?;
        let found: Option<(Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT (SELECT id FROM roles WHERE id = $1 AND tenant_id = $3),
                    (SELECT id FROM users WHERE id = $2 AND tenant_scope = $3)",
        )
        .bind(role.to_string())
        .bind(user.to_string())
        .bind(tenant.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(map)?;
        match found {
            Some((Some(_), Some(_))) => {}
            Some((None, _)) | None => return Err(Error::not_found(Entity::Role, role)),
            Some((Some(_), None)) => return Err(Error::not_found(Entity::User, user)),
        }
        sqlx::query(
            "INSERT INTO role_assignments (role_id, user_id, tenant_id) VALUES ($1, $2, $3)
             ON CONFLICT (role_id, user_id) DO NOTHING",
        )
        .bind(role.to_string())
        .bind(user.to_string())
        .bind(tenant.to_string())
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            // The role or user was deleted between the check and the insert.
            constraint_or(
                e,
                || Error::conflict("the assignment changed concurrently"),
                || Error::not_found(Entity::Role, role),
            )
        })?;
        tx.commit().await.map_err(map)
    }

    async fn unassign_role(&self, tenant: TenantId, role: RoleId, user: UserId) -> Result<()> {
        let result = sqlx::query(
            "DELETE FROM role_assignments WHERE role_id = $1 AND user_id = $2 AND tenant_id = $3",
        )
        .bind(role.to_string())
        .bind(user.to_string())
        .bind(tenant.to_string())
        .execute(&self.write)
        .await
        .map_err(map)?;
        if result.rows_affected() == 0 {
            return Err(Error::not_found(Entity::Role, role));
        }
        Ok(())
    }

    async fn list_user_roles(&self, tenant: TenantId, user: UserId) -> Result<Vec<Role>> {
        let rows = sqlx::query_as::<_, RoleRow>(
            "SELECT r.id, r.tenant_id, r.name, r.description, r.created_at, r.updated_at
             FROM role_assignments a JOIN roles r ON r.id = a.role_id
             WHERE a.user_id = $1 AND a.tenant_id = $2 ORDER BY r.name",
        )
        .bind(user.to_string())
        .bind(tenant.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(map)?;
        rows.into_iter().map(RoleRow::into_role).collect()
    }
}
