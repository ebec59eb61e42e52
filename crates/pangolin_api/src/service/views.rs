//! Views: create, load, replace (commit), drop, rename, register. Views share the identifier space
//! of tables and the commit loop in `tables.rs`.

use std::collections::HashMap;

use iceberg::spec::{Schema, ViewFormatVersion, ViewMetadata, ViewMetadataBuilder, ViewVersion};
use pangolin_core::{
    Action, CommitOp, Entity, Error, NamespaceIdent, NewTabular, PointerSwap, Result, TabularId,
    TabularIdent, TabularKind,
};
use serde::Deserialize;

use super::commit::invalid_update;
use super::files::{next_metadata_location, view_metadata_json};
use super::locations::{check_location, default_location};
use super::tables::{LoadedTabular, Plan, RegisterTabular};
use super::view_commit::{ViewChange, apply_view_commit};
use super::{RequestContext, Resource, Service};

/// A create-view request (the Iceberg REST `CreateViewRequest`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct CreateView {
    /// The view name.
    pub name: String,
    /// An explicit location under the catalog's base location.
    #[serde(default)]
    pub location: Option<String>,
    /// The view's schema.
    pub schema: Schema,
    /// The first version; its schema id is replaced by the id assigned to `schema`.
    pub view_version: ViewVersion,
    /// View properties.
    #[serde(default)]
    pub properties: HashMap<String, String>,
}

fn parse_view_metadata(json: &str) -> Result<ViewMetadata> {
    serde_json::from_str(json).map_err(|e| Error::backend("stored view metadata is invalid", e))
}

impl Service {
    /// Creates a view.
    pub async fn create_view(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        namespace: NamespaceIdent,
        request: CreateView,
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
        let metadata = ViewMetadataBuilder::new(
            location.clone(),
            request.schema,
            request.view_version,
            ViewFormatVersion::V1,
            request.properties,
        )
        .and_then(ViewMetadataBuilder::build)
        .map_err(invalid_update)?
        .metadata;
        let mut plan = Plan::default();
        plan.push(CommitOp::Create(NewTabular {
            id: TabularId::generate(),
            ident,
            kind: TabularKind::View,
            metadata_location: next_metadata_location(&format!("{location}/metadata"), None, false),
            metadata: view_metadata_json(&metadata)?,
        }));
        let mut plan = self.apply_plan(tenant, &catalog, &storage, plan).await?;
        Ok(plan.results.remove(0))
    }

    /// Loads a view.
    pub async fn load_view(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        ident: &TabularIdent,
    ) -> Result<LoadedTabular> {
        let tenant = self
            .authorize(ctx, Action::Read, Resource::Tabular(catalog, None, ident))
            .await?;
        Ok(self
            .store
            .load_tabular(tenant, catalog, TabularKind::View, ident)
            .await?
            .into())
    }

    /// Commits changes to a view (replace view).
    pub async fn replace_view(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        ident: TabularIdent,
        change: ViewChange,
    ) -> Result<LoadedTabular> {
        let tenant = self
            .authorize(ctx, Action::Write, Resource::Tabular(catalog, None, &ident))
            .await?;
        let (catalog, storage) = self.catalog_with_storage(tenant, catalog).await?;
        let (catalog, ident, change) = (&catalog, &ident, &change);
        let mut plan = self
            .commit_plans(tenant, catalog, &storage, || async move {
                let current = self
                    .store
                    .load_tabular(tenant, &catalog.name, TabularKind::View, ident)
                    .await?;
                let metadata = apply_view_commit(&parse_view_metadata(&current.metadata)?, change)?;
                check_location(catalog, metadata.location())?;
                let mut plan = Plan::default();
                plan.push(CommitOp::Swap(PointerSwap {
                    id: current.id,
                    kind: TabularKind::View,
                    ident: ident.clone(),
                    new_location: next_metadata_location(
                        &format!("{}/metadata", metadata.location()),
                        Some(&current.metadata_location),
                        false,
                    ),
                    expected_location: current.metadata_location,
                    new_metadata: view_metadata_json(&metadata)?,
                }));
                Ok(plan)
            })
            .await?;
        Ok(plan.results.remove(0))
    }

    /// Drops a view (its metadata files stay).
    pub async fn drop_view(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        ident: &TabularIdent,
    ) -> Result<()> {
        let tenant = self
            .authorize(ctx, Action::Delete, Resource::Tabular(catalog, None, ident))
            .await?;
        self.store
            .drop_tabular(tenant, catalog, TabularKind::View, ident)
            .await
            .map(|_| ())
    }

    /// Registers an existing view metadata file as a view.
    pub async fn register_view(
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
            return Err(Error::Unsupported {
                message: "overwrite is not defined for register-view".into(),
            });
        }
        let (catalog, metadata) = self
            .read_registered(
                tenant,
                catalog,
                &request.metadata_location,
                |m: &ViewMetadata| m.location(),
            )
            .await?;
        let json = view_metadata_json(&metadata)?;
        self.store
            .commit(
                tenant,
                &catalog.name,
                &[CommitOp::Create(NewTabular {
                    id: TabularId::generate(),
                    ident,
                    kind: TabularKind::View,
                    metadata_location: request.metadata_location.clone(),
                    metadata: json.clone(),
                })],
            )
            .await
            .map_err(|e| match e {
                Error::NotFound {
                    entity: Entity::Table,
                    key,
                } => Error::NotFound {
                    entity: Entity::View,
                    key,
                },
                other => other,
            })?;
        Ok(LoadedTabular {
            metadata_location: Some(request.metadata_location),
            metadata: json,
        })
    }
}
