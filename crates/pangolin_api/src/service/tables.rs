//! Tables: create (immediate or staged), load, list, drop (with purge), rename, register,
//! unregister and commits (single-table and multi-table transactions), plus the commit loop shared
//! with views.

use std::collections::HashMap;
use std::time::Duration;

use iceberg::spec::{
    FormatVersion, Schema, SortOrder, TableMetadata, TableMetadataBuilder, UnboundPartitionSpec,
};
use pangolin_core::{
    Action, Catalog, CommitOp, Entity, Error, NamespaceIdent, NewTabular, Page, PageRequest,
    PointerSwap, Result, Tabular, TabularId, TabularIdent, TabularKind, TenantId,
};
use pangolin_store::objects::ObjectStorage;
use rand::Rng;
use serde::Deserialize;

use super::commit::{TableChange, apply_table_commit, invalid_update};
use super::files::{
    discard, gzip_metadata, next_metadata_location, purge_table, read_metadata,
    table_metadata_json, write_metadata,
};
use super::locations::{check_location, default_location, metadata_dir};
use super::{RequestContext, Resource, Service};

/// How often a commit is attempted when it loses the pointer race but its requirements still hold.
const COMMIT_ATTEMPTS: u32 = 4;

/// A create-table request (the Iceberg REST `CreateTableRequest`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct CreateTable {
    /// The table name.
    pub name: String,
    /// An explicit location under the catalog's base location.
    #[serde(default)]
    pub location: Option<String>,
    /// The schema.
    pub schema: Schema,
    /// The partition spec (unpartitioned when absent).
    #[serde(default)]
    pub partition_spec: Option<UnboundPartitionSpec>,
    /// The sort order (unsorted when absent).
    #[serde(default)]
    pub write_order: Option<SortOrder>,
    /// Return the initial metadata without creating the table.
    #[serde(default)]
    pub stage_create: bool,
    /// Table properties; `format-version` selects the format version.
    #[serde(default)]
    pub properties: HashMap<String, String>,
}

/// A register request for a table or a view.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RegisterTabular {
    /// The name to register under.
    pub name: String,
    /// The existing metadata file.
    pub metadata_location: String,
    /// Replace the pointer of an existing table of that name (tables only).
    #[serde(default)]
    pub overwrite: bool,
}

/// Which snapshots a table load returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SnapshotsMode {
    /// Every valid snapshot.
    #[default]
    All,
    /// Only snapshots referenced by branches and tags.
    Refs,
}

/// A table or view as returned to clients: its metadata pointer and metadata JSON.
#[derive(Clone, Debug)]
pub struct LoadedTabular {
    /// The current metadata file; `None` for a staged (not yet created) table.
    pub metadata_location: Option<String>,
    /// The metadata JSON.
    pub metadata: String,
}

impl From<Tabular> for LoadedTabular {
    fn from(t: Tabular) -> Self {
        Self {
            metadata_location: Some(t.metadata_location),
            metadata: t.metadata,
        }
    }
}

/// The store operations of one commit attempt and the files they reference.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// What the store must apply atomically.
    pub ops: Vec<CommitOp>,
    /// What each changed tabular looks like afterwards, in request order.
    pub results: Vec<LoadedTabular>,
    /// Metadata files to delete once the commit has succeeded.
    pub expired: Vec<String>,
}

impl Plan {
    /// Adds an operation whose new metadata is `metadata` at `location`.
    pub(super) fn push(&mut self, op: CommitOp) {
        let (location, metadata) = new_file(&op);
        self.results.push(LoadedTabular {
            metadata_location: Some(location.to_owned()),
            metadata: metadata.to_owned(),
        });
        self.ops.push(op);
    }
}

/// The metadata file an operation introduces: its location and content.
fn new_file(op: &CommitOp) -> (&str, &str) {
    match op {
        CommitOp::Create(new) => (&new.metadata_location, &new.metadata),
        CommitOp::Swap(swap) => (&swap.new_location, &swap.new_metadata),
    }
}

pub(super) fn parse_table_metadata(json: &str) -> Result<TableMetadata> {
    serde_json::from_str(json).map_err(|e| Error::backend("stored table metadata is invalid", e))
}

impl Service {
    /// Creates a table, or with `stage_create` returns the metadata a create transaction starts
    /// from without creating anything.
    pub async fn create_table(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        namespace: NamespaceIdent,
        request: CreateTable,
    ) -> Result<LoadedTabular> {
        let tenant = self
            .authorize(
                ctx,
                Action::Create,
                Resource::Namespace(catalog, None, &namespace),
            )
            .await?;
        let ident = TabularIdent::new(namespace, request.name)?;
        let (catalog, storage) = self.catalog_with_storage(tenant, catalog).await?;
        let location = match &request.location {
            Some(location) => check_location(&catalog, location)?,
            None => default_location(&catalog, &ident.namespace, &ident.name),
        };
        let mut properties = request.properties;
        let format_version = match properties.remove("format-version").as_deref() {
            None | Some("2") => FormatVersion::V2,
            Some("1") => FormatVersion::V1,
            Some("3") => FormatVersion::V3,
            Some(other) => {
                return Err(Error::invalid(format!(
                    "unsupported format-version '{other}'"
                )));
            }
        };
        let metadata = TableMetadataBuilder::new(
            request.schema,
            request
                .partition_spec
                .unwrap_or_else(|| UnboundPartitionSpec::builder().build()),
            request
                .write_order
                .unwrap_or_else(SortOrder::unsorted_order),
            location.clone(),
            format_version,
            properties,
        )
        .and_then(TableMetadataBuilder::build)
        .map_err(invalid_update)?
        .metadata;
        let dir = metadata_dir(&catalog, &location, metadata.properties())?;
        let json = table_metadata_json(&metadata)?;

        if request.stage_create {
            self.ensure_name_free(tenant, &catalog.name, &ident).await?;
            return Ok(LoadedTabular {
                metadata_location: None,
                metadata: json,
            });
        }
        let metadata_location =
            next_metadata_location(&dir, None, gzip_metadata(metadata.properties()));
        let op = CommitOp::Create(NewTabular {
            id: TabularId::generate(),
            ident,
            kind: TabularKind::Table,
            metadata_location,
            metadata: json,
        });
        let mut plan = Plan::default();
        plan.push(op);
        let mut plan = self.apply_plan(tenant, &catalog, &storage, plan).await?;
        Ok(plan.results.remove(0))
    }

    /// `AlreadyExists` when a table or view has this name, `NotFound` when the namespace is missing.
    async fn ensure_name_free(
        &self,
        tenant: TenantId,
        catalog: &str,
        ident: &TabularIdent,
    ) -> Result<()> {
        self.store
            .get_namespace(tenant, catalog, &ident.namespace)
            .await?;
        for kind in [TabularKind::Table, TabularKind::View] {
            match self.store.load_tabular(tenant, catalog, kind, ident).await {
                Ok(_) => return Err(Error::already_exists(kind.entity(), ident)),
                Err(Error::NotFound { entity, .. }) if entity == kind.entity() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Loads a table, served from the store alone.
    pub async fn load_table(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        ident: &TabularIdent,
        snapshots: SnapshotsMode,
    ) -> Result<LoadedTabular> {
        let tenant = self
            .authorize(ctx, Action::Read, Resource::Tabular(catalog, None, ident))
            .await?;
        let table = self
            .store
            .load_tabular(tenant, catalog, TabularKind::Table, ident)
            .await?;
        let metadata = match snapshots {
            SnapshotsMode::All => table.metadata,
            SnapshotsMode::Refs => referenced_snapshots_only(&table.metadata)?,
        };
        Ok(LoadedTabular {
            metadata_location: Some(table.metadata_location),
            metadata,
        })
    }

    /// Lists the tables or views of a namespace.
    pub async fn list_tabulars(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        namespace: &NamespaceIdent,
        kind: TabularKind,
        page: &PageRequest,
    ) -> Result<Page<TabularIdent>> {
        let filter = self
            .listing_filter(ctx, Resource::Namespace(catalog, None, namespace))
            .await?;
        let mut listed = self
            .store
            .list_tabulars(ctx.tenant()?, catalog, namespace, kind, page)
            .await?;
        if let Some(tenant) = filter {
            let principal = ctx.principal();
            listed
                .items
                .retain(|t| principal.sees(tenant, &Resource::Tabular(catalog, None, t)));
        }
        Ok(listed)
    }

    /// `Ok` when a table or view of `kind` exists.
    pub async fn tabular_exists(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        kind: TabularKind,
        ident: &TabularIdent,
    ) -> Result<()> {
        let tenant = self
            .authorize_visible(ctx, Resource::Tabular(catalog, None, ident))
            .await?;
        self.store
            .load_tabular(tenant, catalog, kind, ident)
            .await
            .map(|_| ())
    }

    /// Drops a table; with `purge`, also deletes its data and metadata files.
    pub async fn drop_table(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        ident: &TabularIdent,
        purge: bool,
    ) -> Result<()> {
        let tenant = self
            .authorize(ctx, Action::Delete, Resource::Tabular(catalog, None, ident))
            .await?;
        let dropped = self
            .store
            .drop_tabular(tenant, catalog, TabularKind::Table, ident)
            .await?;
        if purge {
            // The table is already gone from the catalog; a failed purge leaves orphaned files,
            // which is logged, but does not undo the drop.
            let purged = async {
                let (_, storage) = self.catalog_with_storage(tenant, catalog).await?;
                let metadata = parse_table_metadata(&dropped.metadata)?;
                purge_table(&storage, &metadata, &dropped.metadata_location).await
            };
            match purged.await {
                Ok(files) => tracing::info!(table = %ident, files, "purged dropped table"),
                Err(e) => {
                    tracing::error!(table = %ident, error = %e, "purging a dropped table failed")
                }
            }
        }
        Ok(())
    }

    /// Renames a table or view, possibly into another namespace.
    pub async fn rename_tabular(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        kind: TabularKind,
        from: &TabularIdent,
        to: &TabularIdent,
    ) -> Result<()> {
        let tenant = self
            .authorize(ctx, Action::Write, Resource::Tabular(catalog, None, from))
            .await?;
        self.authorize(
            ctx,
            Action::Create,
            Resource::Namespace(catalog, None, &to.namespace),
        )
        .await?;
        self.store
            .rename_tabular(tenant, catalog, kind, from, to)
            .await?;
        // Grants on the old name must not linger in cached principals.
        self.principals.clear();
        Ok(())
    }

    /// Registers an existing metadata file as a table; `overwrite` replaces the pointer of an
    /// existing table of that name.
    pub async fn register_table(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        namespace: NamespaceIdent,
        request: RegisterTabular,
    ) -> Result<LoadedTabular> {
        let tenant = self
            .authorize(
                ctx,
                Action::Create,
                Resource::Namespace(catalog, None, &namespace),
            )
            .await?;
        let ident = TabularIdent::new(namespace, request.name)?;
        if request.overwrite {
            self.authorize(ctx, Action::Write, Resource::Tabular(catalog, None, &ident))
                .await?;
        }
        let (catalog, metadata) = self
            .read_registered(
                tenant,
                catalog,
                &request.metadata_location,
                |m: &TableMetadata| m.location(),
            )
            .await?;
        let json = table_metadata_json(&metadata)?;
        let existing = match self
            .store
            .load_tabular(tenant, &catalog.name, TabularKind::Table, &ident)
            .await
        {
            Ok(table) if request.overwrite => Some(table),
            Ok(_) => return Err(Error::already_exists(Entity::Table, &ident)),
            Err(Error::NotFound {
                entity: Entity::Table,
                ..
            }) => None,
            Err(e) => return Err(e),
        };
        let op = match existing {
            Some(table) => CommitOp::Swap(PointerSwap {
                id: table.id,
                kind: TabularKind::Table,
                ident,
                expected_location: table.metadata_location,
                new_location: request.metadata_location.clone(),
                new_metadata: json.clone(),
            }),
            None => CommitOp::Create(NewTabular {
                id: TabularId::generate(),
                ident,
                kind: TabularKind::Table,
                metadata_location: request.metadata_location.clone(),
                metadata: json.clone(),
            }),
        };
        // The metadata file already exists: nothing to write, only the pointer to set.
        self.store.commit(tenant, &catalog.name, &[op]).await?;
        Ok(LoadedTabular {
            metadata_location: Some(request.metadata_location),
            metadata: json,
        })
    }

    /// The catalog and the parsed metadata file a register request names; both the file and the
    /// location it declares must lie inside the catalog.
    pub(super) async fn read_registered<M: serde::de::DeserializeOwned>(
        &self,
        tenant: TenantId,
        catalog: &str,
        metadata_location: &str,
        location: impl Fn(&M) -> &str,
    ) -> Result<(Catalog, M)> {
        let (catalog, storage) = self.catalog_with_storage(tenant, catalog).await?;
        check_location(&catalog, metadata_location)?;
        let metadata: M = read_metadata(&storage, metadata_location).await?;
        check_location(&catalog, location(&metadata))?;
        Ok((catalog, metadata))
    }

    /// Removes a table from the catalog, keeping its files, and returns its last metadata.
    pub async fn unregister_table(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        ident: &TabularIdent,
    ) -> Result<LoadedTabular> {
        let tenant = self
            .authorize(ctx, Action::Delete, Resource::Tabular(catalog, None, ident))
            .await?;
        Ok(self
            .store
            .drop_tabular(tenant, catalog, TabularKind::Table, ident)
            .await?
            .into())
    }

    /// Commits changes to one table (or creates it, for a staged create).
    pub async fn commit_table(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        ident: TabularIdent,
        change: TableChange,
    ) -> Result<LoadedTabular> {
        let mut results = self
            .commit_tables(ctx, catalog, vec![(ident, change)])
            .await?;
        Ok(results.remove(0))
    }

    /// Commits changes to several tables atomically: every pointer moves or none does.
    pub async fn commit_tables(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        changes: Vec<(TabularIdent, TableChange)>,
    ) -> Result<Vec<LoadedTabular>> {
        let tenant = ctx.tenant()?;
        for (ident, change) in &changes {
            // Completing a create transaction creates the table; anything else writes to it.
            let (action, resource) = if change.is_create() {
                (
                    Action::Create,
                    Resource::Namespace(catalog, None, &ident.namespace),
                )
            } else {
                (Action::Write, Resource::Tabular(catalog, None, ident))
            };
            self.authorize(ctx, action, resource).await?;
        }
        let (catalog, storage) = self.catalog_with_storage(tenant, catalog).await?;
        let (catalog, changes) = (&catalog, &changes);
        let plan = self
            .commit_plans(tenant, catalog, &storage, || {
                self.plan_table_changes(tenant, catalog, changes)
            })
            .await
            .map_err(|e| match e {
                // A create transaction lost to a concurrent create: its assert-create failed.
                Error::AlreadyExists { key, .. } => Error::conflict(format!(
                    "requirement failed: {key} was created concurrently"
                )),
                other => other,
            })?;
        Ok(plan.results)
    }

    async fn plan_table_changes(
        &self,
        tenant: TenantId,
        catalog: &Catalog,
        changes: &[(TabularIdent, TableChange)],
    ) -> Result<Plan> {
        let mut plan = Plan::default();
        for (ident, change) in changes {
            let current = match self
                .store
                .load_tabular(tenant, &catalog.name, TabularKind::Table, ident)
                .await
            {
                Ok(table) => Some(table),
                Err(Error::NotFound {
                    entity: Entity::Table,
                    ..
                }) if change.is_create() => None,
                Err(e) => return Err(e),
            };
            let parsed = current
                .as_ref()
                .map(|t| parse_table_metadata(&t.metadata))
                .transpose()?;
            let applied = apply_table_commit(
                parsed
                    .as_ref()
                    .zip(current.as_ref().map(|t| t.metadata_location.as_str())),
                change,
                || default_location(catalog, &ident.namespace, &ident.name),
            )?;
            let metadata = applied.metadata;
            check_location(catalog, metadata.location())?;
            let dir = metadata_dir(catalog, metadata.location(), metadata.properties())?;
            let metadata_location = next_metadata_location(
                &dir,
                current.as_ref().map(|t| t.metadata_location.as_str()),
                gzip_metadata(metadata.properties()),
            );
            let json = table_metadata_json(&metadata)?;
            if delete_after_commit(metadata.properties()) {
                plan.expired.extend(
                    applied
                        .expired_metadata_files
                        .into_iter()
                        .filter(|f| check_location(catalog, f).is_ok()),
                );
            }
            plan.push(match current {
                Some(table) => CommitOp::Swap(PointerSwap {
                    id: table.id,
                    kind: TabularKind::Table,
                    ident: ident.clone(),
                    expected_location: table.metadata_location,
                    new_location: metadata_location,
                    new_metadata: json,
                }),
                None => CommitOp::Create(NewTabular {
                    id: TabularId::generate(),
                    ident: ident.clone(),
                    kind: TabularKind::Table,
                    metadata_location,
                    metadata: json,
                }),
            });
        }
        Ok(plan)
    }

    /// The commit loop shared by every pointer change: plan against the current state and apply
    /// the plan; a lost race is retried with a fresh plan, which re-checks the client's
    /// requirements against the new state.
    pub(super) async fn commit_plans<F>(
        &self,
        tenant: TenantId,
        catalog: &Catalog,
        storage: &ObjectStorage,
        plan: impl Fn() -> F,
    ) -> Result<Plan>
    where
        F: Future<Output = Result<Plan>> + Send,
    {
        let mut attempt = 0;
        loop {
            let planned = match plan().await {
                Err(Error::InvalidInput { message }) if attempt > 0 => {
                    return Err(Error::conflict(format!(
                        "the commit no longer applies after a concurrent change: {message}"
                    )));
                }
                other => other?,
            };
            match self.apply_plan(tenant, catalog, storage, planned).await {
                Err(Error::Conflict { .. }) if attempt + 1 < COMMIT_ATTEMPTS => {
                    let jitter = rand::rng().random_range(0..10);
                    tokio::time::sleep(Duration::from_millis(5 * 2u64.pow(attempt) + jitter)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Writes a plan's new metadata files, then compare-and-swaps all its pointers at once. Any
    /// failure deletes the files written, unless the store cannot tell whether the commit happened
    /// (then the files may be referenced and stay).
    pub(super) async fn apply_plan(
        &self,
        tenant: TenantId,
        catalog: &Catalog,
        storage: &ObjectStorage,
        planned: Plan,
    ) -> Result<Plan> {
        let files: Vec<String> = planned
            .ops
            .iter()
            .map(|op| new_file(op).0.to_owned())
            .collect();
        let writes = planned.ops.iter().map(|op| {
            let (location, json) = new_file(op);
            write_metadata(
                storage,
                location,
                json,
                location.ends_with(".gz.metadata.json"),
            )
        });
        if let Err(e) = futures::future::try_join_all(writes).await {
            discard(storage, files).await;
            return Err(e);
        }
        match self.store.commit(tenant, &catalog.name, &planned.ops).await {
            Ok(()) => {
                discard(storage, planned.expired.clone()).await;
                Ok(planned)
            }
            Err(e @ (Error::Unavailable { .. } | Error::Backend { .. })) => {
                Err(Error::CommitStateUnknown {
                    message: format!("the store failed while committing: {e}"),
                })
            }
            Err(e) => {
                discard(storage, files).await;
                Err(e)
            }
        }
    }
}

/// `write.metadata.delete-after-commit.enabled`: delete metadata files that fall out of the log.
fn delete_after_commit(properties: &HashMap<String, String>) -> bool {
    properties
        .get("write.metadata.delete-after-commit.enabled")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The metadata JSON with only the snapshots that branches and tags reference.
fn referenced_snapshots_only(json: &str) -> Result<String> {
    let mut metadata: serde_json::Value =
        serde_json::from_str(json).map_err(|e| Error::backend("stored metadata is invalid", e))?;
    let referenced: Vec<i64> = metadata
        .get("refs")
        .and_then(|r| r.as_object())
        .map(|refs| {
            refs.values()
                .filter_map(|r| r.get("snapshot-id").and_then(|id| id.as_i64()))
                .collect()
        })
        .unwrap_or_default();
    if let Some(snapshots) = metadata.get_mut("snapshots").and_then(|s| s.as_array_mut()) {
        snapshots.retain(|s| {
            s.get("snapshot-id")
                .and_then(|id| id.as_i64())
                .is_some_and(|id| referenced.contains(&id))
        });
    }
    Ok(metadata.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_mode_keeps_only_referenced_snapshots() {
        let json = r#"{"refs":{"main":{"snapshot-id":2,"type":"branch"}},
            "snapshots":[{"snapshot-id":1},{"snapshot-id":2}],"other":1}"#;
        let filtered: serde_json::Value =
            serde_json::from_str(&referenced_snapshots_only(json).unwrap()).unwrap();
        assert_eq!(
            filtered["snapshots"],
            serde_json::json!([{"snapshot-id": 2}])
        );
        assert_eq!(filtered["other"], 1);
    }
}
