//! Namespaces.

use std::collections::{BTreeMap, BTreeSet};

use pangolin_core::{
    Action, Error, Namespace, NamespaceId, NamespaceIdent, Page, PageRequest, Result,
};
use pangolin_store::NewNamespace;

use super::{RequestContext, Resource, Service};

/// What a namespace property update changed, as the Iceberg REST response reports it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PropertiesUpdateResult {
    /// Keys that were set.
    pub updated: Vec<String>,
    /// Keys that were removed.
    pub removed: Vec<String>,
    /// Keys asked to be removed that did not exist.
    pub missing: Vec<String>,
}

impl Service {
    /// Creates a namespace; its parent must exist.
    pub async fn create_namespace(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        ident: NamespaceIdent,
        properties: BTreeMap<String, String>,
    ) -> Result<Namespace> {
        let parent = ident.parent();
        let resource = match &parent {
            Some(parent) => Resource::Namespace(catalog, None, parent),
            None => Resource::Catalog(catalog, None),
        };
        let tenant = self.authorize(ctx, Action::Create, resource).await?;
        self.store
            .create_namespace(
                tenant,
                catalog,
                &NewNamespace {
                    id: NamespaceId::generate(),
                    ident,
                    properties,
                },
            )
            .await
    }

    /// Loads a namespace.
    pub async fn get_namespace(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        ident: &NamespaceIdent,
    ) -> Result<Namespace> {
        let tenant = self
            .authorize_visible(ctx, Resource::Namespace(catalog, None, ident))
            .await?;
        self.store.get_namespace(tenant, catalog, ident).await
    }

    /// Lists the children of `parent` (top-level namespaces for `None`).
    pub async fn list_namespaces(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        parent: Option<&NamespaceIdent>,
        page: &PageRequest,
    ) -> Result<Page<NamespaceIdent>> {
        let resource = match parent {
            Some(parent) => Resource::Namespace(catalog, None, parent),
            None => Resource::Catalog(catalog, None),
        };
        let filter = self.listing_filter(ctx, resource).await?;
        let mut listed = self
            .store
            .list_namespaces(ctx.tenant()?, catalog, parent, page)
            .await?
            .map(|ns| ns.ident);
        if let Some(tenant) = filter {
            let principal = ctx.principal();
            listed
                .items
                .retain(|ns| principal.sees(tenant, &Resource::Namespace(catalog, None, ns)));
        }
        Ok(listed)
    }

    /// Drops an empty namespace.
    pub async fn drop_namespace(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        ident: &NamespaceIdent,
    ) -> Result<()> {
        let tenant = self
            .authorize(
                ctx,
                Action::Delete,
                Resource::Namespace(catalog, None, ident),
            )
            .await?;
        self.store.drop_namespace(tenant, catalog, ident).await
    }

    /// Sets and removes properties in one step. A key in both lists is `Unprocessable`.
    pub async fn update_namespace_properties(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        ident: &NamespaceIdent,
        updates: BTreeMap<String, String>,
        removals: Vec<String>,
    ) -> Result<PropertiesUpdateResult> {
        let tenant = self
            .authorize(
                ctx,
                Action::Write,
                Resource::Namespace(catalog, None, ident),
            )
            .await?;
        let removals: Vec<String> = removals
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if let Some(both) = removals.iter().find(|k| updates.contains_key(*k)) {
            return Err(Error::Unprocessable {
                message: format!("property '{both}' is both updated and removed"),
            });
        }
        let (before, _) = self
            .store
            .update_namespace_properties(tenant, catalog, ident, &updates, &removals)
            .await?;
        let (removed, missing) = removals.into_iter().partition(|k| before.contains_key(k));
        Ok(PropertiesUpdateResult {
            updated: updates.into_keys().collect(),
            removed,
            missing,
        })
    }
}
