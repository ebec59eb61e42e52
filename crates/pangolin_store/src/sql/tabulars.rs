use async_trait::async_trait;
use pangolin_core::{
    CatalogId, CommitOp, Entity, Error, NamespaceIdent, NewTabular, Page, PageRequest, PointerSwap,
    Result, Tabular, TabularIdent, TabularKind, TenantId, now_millis,
};
use sqlx::AnyConnection;

use super::namespaces::require_namespace;
use super::rows::TabularRow;
use super::{SqlStore, sql_limit};
use crate::sql_error::{constraint_or, map};
use crate::{Tabulars, ensure_distinct_targets};

/// The statement that loads a table or view (the hot path): one statement, the tabular joined to its catalog by unique keys.
pub const LOAD_TABULAR: &str =
    "SELECT t.id, t.tenant_id, t.catalog_id, t.namespace_path, t.name, t.kind,
            t.metadata_location, t.metadata, t.created_at, t.updated_at
     FROM tabulars t JOIN catalogs c ON c.id = t.catalog_id
     WHERE c.tenant_id = $1 AND c.name = $2 AND t.namespace_path = $3 AND t.name = $4";

/// The kind of the tabular holding `ident`, to report which kind a taken name belongs to.
async fn holder_kind(
    conn: &mut AnyConnection,
    catalog: CatalogId,
    ident: &TabularIdent,
) -> Result<Option<TabularKind>> {
    let kind: Option<String> = sqlx::query_scalar(
        "SELECT kind FROM tabulars WHERE catalog_id = $1 AND namespace_path = $2 AND name = $3",
    )
    .bind(catalog.to_string())
    .bind(ident.namespace.encoded())
    .bind(&ident.name)
    .fetch_optional(conn)
    .await
    .map_err(map)?;
    Ok(kind.as_deref().and_then(TabularKind::parse))
}

async fn insert(
    conn: &mut AnyConnection,
    tenant: TenantId,
    catalog: CatalogId,
    new: &NewTabular,
    now: i64,
) -> Result<()> {
    let namespace_id = require_namespace(conn, catalog, &new.ident.namespace).await?;
    // Checked first so the error names the kind holding the name; a failed statement would abort
    // a PostgreSQL transaction, leaving no way to ask afterwards.
    if let Some(kind) = holder_kind(conn, catalog, &new.ident).await? {
        return Err(Error::already_exists(kind.entity(), &new.ident));
    }
    sqlx::query(
        "INSERT INTO tabulars (id, tenant_id, catalog_id, namespace_id, namespace_path, name, kind,
                               metadata_location, metadata, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(new.id.to_string())
    .bind(tenant.to_string())
    .bind(catalog.to_string())
    .bind(namespace_id.to_string())
    .bind(new.ident.namespace.encoded())
    .bind(&new.ident.name)
    .bind(new.kind.as_str())
    .bind(&new.metadata_location)
    .bind(&new.metadata)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        // A concurrent create took the name (or dropped the namespace) after the checks above.
        constraint_or(
            e,
            || Error::already_exists(new.kind.entity(), &new.ident),
            || Error::not_found(Entity::Namespace, &new.ident.namespace),
        )
    })?;
    Ok(())
}

async fn swap(
    conn: &mut AnyConnection,
    catalog: CatalogId,
    swap: &PointerSwap,
    now: i64,
) -> Result<()> {
    let result = sqlx::query(
        "UPDATE tabulars SET metadata_location = $4, metadata = $5, updated_at = $6
         WHERE id = $1 AND catalog_id = $2 AND kind = $3 AND metadata_location = $7",
    )
    .bind(swap.id.to_string())
    .bind(catalog.to_string())
    .bind(swap.kind.as_str())
    .bind(&swap.new_location)
    .bind(&swap.new_metadata)
    .bind(now)
    .bind(&swap.expected_location)
    .execute(&mut *conn)
    .await
    .map_err(map)?;
    if result.rows_affected() == 1 {
        return Ok(());
    }
    let current: Option<String> = sqlx::query_scalar(
        "SELECT metadata_location FROM tabulars WHERE id = $1 AND catalog_id = $2 AND kind = $3",
    )
    .bind(swap.id.to_string())
    .bind(catalog.to_string())
    .bind(swap.kind.as_str())
    .fetch_optional(conn)
    .await
    .map_err(map)?;
    Err(match current {
        None => Error::not_found(swap.kind.entity(), &swap.ident),
        Some(location) => Error::conflict(format!(
            "{} was changed concurrently: its metadata is now at {location}",
            swap.ident
        )),
    })
}

#[async_trait]
impl Tabulars for SqlStore {
    async fn load_tabular(
        &self,
        tenant: TenantId,
        catalog: &str,
        kind: TabularKind,
        ident: &TabularIdent,
    ) -> Result<Tabular> {
        let row = sqlx::query_as::<_, TabularRow>(LOAD_TABULAR)
            .bind(tenant.to_string())
            .bind(catalog)
            .bind(ident.namespace.encoded())
            .bind(&ident.name)
            .fetch_optional(&self.read)
            .await
            .map_err(map)?;
        match row {
            Some(row) if row.kind()? == kind => row.into_tabular(),
            Some(_) => Err(Error::not_found(kind.entity(), ident)),
            None => {
                // Only a miss pays for telling a missing catalog from a missing tabular.
                Self::catalog_id(&self.read, tenant, catalog).await?;
                Err(Error::not_found(kind.entity(), ident))
            }
        }
    }

    async fn list_tabulars(
        &self,
        tenant: TenantId,
        catalog: &str,
        namespace: &NamespaceIdent,
        kind: TabularKind,
        page: &PageRequest,
    ) -> Result<Page<TabularIdent>> {
        let mut conn = self.read.acquire().await.map_err(map)?;
        let catalog_id = Self::catalog_id(&mut *conn, tenant, catalog).await?;
        let namespace_id = require_namespace(&mut conn, catalog_id, namespace).await?;
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM tabulars
             WHERE namespace_id = $1 AND kind = $2 AND ($3 IS NULL OR name > $3)
             ORDER BY name LIMIT $4",
        )
        .bind(namespace_id.to_string())
        .bind(kind.as_str())
        .bind(page.after.as_deref())
        .bind(sql_limit(page))
        .fetch_all(&mut *conn)
        .await
        .map_err(map)?;
        let idents = names
            .into_iter()
            .map(|name| TabularIdent {
                namespace: namespace.clone(),
                name,
            })
            .collect();
        Ok(Page::from_overfetched(idents, page, |i| &i.name))
    }

    async fn commit(&self, tenant: TenantId, catalog: &str, ops: &[CommitOp]) -> Result<()> {
        ensure_distinct_targets(ops)?;
        let mut tx = self.write.begin().await.map_err(map)?;
        let catalog_id = Self::catalog_id(&mut *tx, tenant, catalog).await?;
        let now = now_millis();
        // A fixed order (by target name) keeps concurrent multi-table commits from deadlocking.
        let mut ordered: Vec<&CommitOp> = ops.iter().collect();
        ordered.sort_by_key(|op| match op {
            CommitOp::Create(new) => (new.ident.namespace.encoded(), new.ident.name.clone()),
            CommitOp::Swap(swap) => (swap.ident.namespace.encoded(), swap.ident.name.clone()),
        });
        for op in ordered {
            match op {
                CommitOp::Create(new) => insert(&mut tx, tenant, catalog_id, new, now).await?,
                CommitOp::Swap(s) => swap(&mut tx, catalog_id, s, now).await?,
            }
        }
        // Dropping `tx` on any error above rolls every operation back.
        tx.commit().await.map_err(map)
    }

    async fn rename_tabular(
        &self,
        tenant: TenantId,
        catalog: &str,
        kind: TabularKind,
        from: &TabularIdent,
        to: &TabularIdent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(map)?;
        let catalog_id = Self::catalog_id(&mut *tx, tenant, catalog).await?;
        if holder_kind(&mut tx, catalog_id, from).await? != Some(kind) {
            return Err(Error::not_found(kind.entity(), from));
        }
        let namespace_id = require_namespace(&mut tx, catalog_id, &to.namespace).await?;
        if let Some(holder) = holder_kind(&mut tx, catalog_id, to).await? {
            return Err(Error::already_exists(holder.entity(), to));
        }
        let renamed = sqlx::query(
            "UPDATE tabulars SET namespace_id = $4, namespace_path = $5, name = $6, updated_at = $7
             WHERE catalog_id = $1 AND namespace_path = $2 AND name = $3",
        )
        .bind(catalog_id.to_string())
        .bind(from.namespace.encoded())
        .bind(&from.name)
        .bind(namespace_id.to_string())
        .bind(to.namespace.encoded())
        .bind(&to.name)
        .bind(now_millis())
        .execute(&mut *tx)
        .await;
        if let Err(e) = renamed {
            return Err(constraint_or(
                e,
                || Error::already_exists(kind.entity(), to),
                || Error::not_found(Entity::Namespace, &to.namespace),
            ));
        }
        tx.commit().await.map_err(map)
    }

    async fn drop_tabular(
        &self,
        tenant: TenantId,
        catalog: &str,
        kind: TabularKind,
        ident: &TabularIdent,
    ) -> Result<Tabular> {
        let mut conn = self.write.acquire().await.map_err(map)?;
        let catalog_id = Self::catalog_id(&mut *conn, tenant, catalog).await?;
        sqlx::query_as::<_, TabularRow>(
            "DELETE FROM tabulars
             WHERE catalog_id = $1 AND namespace_path = $2 AND name = $3 AND kind = $4
             RETURNING id, tenant_id, catalog_id, namespace_path, name, kind, metadata_location,
                       metadata, created_at, updated_at",
        )
        .bind(catalog_id.to_string())
        .bind(ident.namespace.encoded())
        .bind(&ident.name)
        .bind(kind.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(map)?
        .ok_or_else(|| Error::not_found(kind.entity(), ident))?
        .into_tabular()
    }
}
