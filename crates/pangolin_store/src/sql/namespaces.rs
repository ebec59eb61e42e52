use std::collections::BTreeMap;

use async_trait::async_trait;
use pangolin_core::{
    CatalogId, Entity, Error, Namespace, NamespaceId, NamespaceIdent, Page, PageRequest, Result,
    TenantId, now_millis,
};
use sqlx::AnyConnection;

use super::rows::{NamespaceRow, parse_id, parse_properties, properties_json};
use super::{SqlStore, sql_limit};
use crate::sql_error::{constraint_or, foreign_key_or, map};
use crate::{Namespaces, NewNamespace};

const COLUMNS: &str = "id, tenant_id, catalog_id, path, properties, created_at, updated_at";

/// The id of namespace `ident` in `catalog`, if it exists.
pub(super) async fn namespace_id(
    conn: &mut AnyConnection,
    catalog: CatalogId,
    ident: &NamespaceIdent,
) -> Result<Option<NamespaceId>> {
    let id: Option<String> =
        sqlx::query_scalar("SELECT id FROM namespaces WHERE catalog_id = $1 AND path = $2")
            .bind(catalog.to_string())
            .bind(ident.encoded())
            .fetch_optional(conn)
            .await
            .map_err(map)?;
    id.as_deref().map(parse_id).transpose()
}

/// Like [`namespace_id`], but a missing namespace is `NotFound`.
pub(super) async fn require_namespace(
    conn: &mut AnyConnection,
    catalog: CatalogId,
    ident: &NamespaceIdent,
) -> Result<NamespaceId> {
    namespace_id(conn, catalog, ident)
        .await?
        .ok_or_else(|| Error::not_found(Entity::Namespace, ident))
}

async fn fetch(
    conn: &mut AnyConnection,
    catalog: CatalogId,
    ident: &NamespaceIdent,
) -> Result<Namespace> {
    sqlx::query_as::<_, NamespaceRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM namespaces WHERE catalog_id = $1 AND path = $2"
    )))
    .bind(catalog.to_string())
    .bind(ident.encoded())
    .fetch_optional(conn)
    .await
    .map_err(map)?
    .ok_or_else(|| Error::not_found(Entity::Namespace, ident))?
    .into_namespace()
}

#[async_trait]
impl Namespaces for SqlStore {
    async fn create_namespace(
        &self,
        tenant: TenantId,
        catalog: &str,
        namespace: &NewNamespace,
    ) -> Result<Namespace> {
        let mut tx = self.write.begin().await.map_err(map)?;
        let catalog_id = Self::catalog_id(&mut *tx, tenant, catalog).await?;
        let parent_id = match namespace.ident.parent() {
            Some(parent) => Some(require_namespace(&mut tx, catalog_id, &parent).await?),
            None => None,
        };
        let parent_path = namespace
            .ident
            .parent()
            .map(|p| p.encoded())
            .unwrap_or_default();
        let now = now_millis();
        sqlx::query(
            "INSERT INTO namespaces (id, tenant_id, catalog_id, parent_id, path, parent_path, name,
                                     properties, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(namespace.id.to_string())
        .bind(tenant.to_string())
        .bind(catalog_id.to_string())
        .bind(parent_id.map(|p| p.to_string()))
        .bind(namespace.ident.encoded())
        .bind(parent_path)
        .bind(namespace.ident.name())
        .bind(properties_json(&namespace.properties))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            // A foreign-key failure means the parent was dropped concurrently.
            constraint_or(
                e,
                || Error::already_exists(Entity::Namespace, &namespace.ident),
                || Error::NotFound {
                    entity: Entity::Namespace,
                    key: namespace
                        .ident
                        .parent()
                        .map_or_else(String::new, |p| p.to_string()),
                },
            )
        })?;
        tx.commit().await.map_err(map)?;
        Ok(Namespace {
            id: namespace.id,
            tenant_id: tenant,
            catalog_id,
            ident: namespace.ident.clone(),
            properties: namespace.properties.clone(),
            created_at: now,
            updated_at: now,
        })
    }

    async fn get_namespace(
        &self,
        tenant: TenantId,
        catalog: &str,
        ident: &NamespaceIdent,
    ) -> Result<Namespace> {
        let mut conn = self.read.acquire().await.map_err(map)?;
        let catalog_id = Self::catalog_id(&mut *conn, tenant, catalog).await?;
        fetch(&mut conn, catalog_id, ident).await
    }

    async fn list_namespaces(
        &self,
        tenant: TenantId,
        catalog: &str,
        parent: Option<&NamespaceIdent>,
        page: &PageRequest,
    ) -> Result<Page<Namespace>> {
        let mut conn = self.read.acquire().await.map_err(map)?;
        let catalog_id = Self::catalog_id(&mut *conn, tenant, catalog).await?;
        if let Some(parent) = parent {
            require_namespace(&mut conn, catalog_id, parent).await?;
        }
        let rows = sqlx::query_as::<_, NamespaceRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM namespaces
             WHERE catalog_id = $1 AND parent_path = $2 AND ($3 IS NULL OR name > $3)
             ORDER BY name LIMIT $4"
        )))
        .bind(catalog_id.to_string())
        .bind(parent.map(NamespaceIdent::encoded).unwrap_or_default())
        .bind(page.after.as_deref())
        .bind(sql_limit(page))
        .fetch_all(&mut *conn)
        .await
        .map_err(map)?;
        let items = rows
            .into_iter()
            .map(NamespaceRow::into_namespace)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page::from_overfetched(items, page, |ns| ns.ident.name()))
    }

    async fn update_namespace_properties(
        &self,
        tenant: TenantId,
        catalog: &str,
        ident: &NamespaceIdent,
        updates: &BTreeMap<String, String>,
        removals: &[String],
    ) -> Result<(BTreeMap<String, String>, Namespace)> {
        let mut tx = self.write.begin().await.map_err(map)?;
        let catalog_id = Self::catalog_id(&mut *tx, tenant, catalog).await?;
        // Locked until the update commits, so concurrent updates of other keys are not lost.
        let current: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT properties FROM namespaces WHERE catalog_id = $1 AND path = $2{}",
            self.backend.for_update()
        )))
        .bind(catalog_id.to_string())
        .bind(ident.encoded())
        .fetch_optional(&mut *tx)
        .await
        .map_err(map)?;
        let before =
            parse_properties(&current.ok_or_else(|| Error::not_found(Entity::Namespace, ident))?)?;
        let mut properties = before.clone();
        for key in removals {
            properties.remove(key);
        }
        properties.extend(updates.iter().map(|(k, v)| (k.clone(), v.clone())));
        sqlx::query(
            "UPDATE namespaces SET properties = $3, updated_at = $4
             WHERE catalog_id = $1 AND path = $2",
        )
        .bind(catalog_id.to_string())
        .bind(ident.encoded())
        .bind(properties_json(&properties))
        .bind(now_millis())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
        let namespace = fetch(&mut tx, catalog_id, ident).await?;
        tx.commit().await.map_err(map)?;
        Ok((before, namespace))
    }

    async fn drop_namespace(
        &self,
        tenant: TenantId,
        catalog: &str,
        ident: &NamespaceIdent,
    ) -> Result<()> {
        let mut conn = self.write.acquire().await.map_err(map)?;
        let catalog_id = Self::catalog_id(&mut *conn, tenant, catalog).await?;
        let result = sqlx::query("DELETE FROM namespaces WHERE catalog_id = $1 AND path = $2")
            .bind(catalog_id.to_string())
            .bind(ident.encoded())
            .execute(&mut *conn)
            .await
            .map_err(|e| {
                foreign_key_or(e, || Error::NotEmpty {
                    entity: Entity::Namespace,
                    key: ident.to_string(),
                    detail: "it still holds namespaces, tables or views".into(),
                })
            })?;
        if result.rows_affected() == 0 {
            return Err(Error::not_found(Entity::Namespace, ident));
        }
        Ok(())
    }
}
