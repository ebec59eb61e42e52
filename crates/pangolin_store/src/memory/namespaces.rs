use std::collections::BTreeMap;

use async_trait::async_trait;
use pangolin_core::{
    Entity, Error, GrantScope, Namespace, NamespaceIdent, Page, PageRequest, Result, TenantId,
    now_millis,
};

use super::{MemoryStore, paginate};
use crate::{Namespaces, NewNamespace};

#[async_trait]
impl Namespaces for MemoryStore {
    async fn create_namespace(
        &self,
        tenant: TenantId,
        catalog: &str,
        namespace: &NewNamespace,
    ) -> Result<Namespace> {
        let mut state = self.write();
        let catalog_id = state.catalog_id(tenant, catalog)?;
        if let Some(parent) = namespace.ident.parent()
            && !state.namespaces.contains_key(&(catalog_id, parent.clone()))
        {
            return Err(Error::not_found(Entity::Namespace, parent));
        }
        let key = (catalog_id, namespace.ident.clone());
        if state.namespaces.contains_key(&key) {
            return Err(Error::already_exists(Entity::Namespace, &namespace.ident));
        }
        let now = now_millis();
        let stored = Namespace {
            id: namespace.id,
            tenant_id: tenant,
            catalog_id,
            ident: namespace.ident.clone(),
            properties: namespace.properties.clone(),
            created_at: now,
            updated_at: now,
        };
        state.namespaces.insert(key, stored.clone());
        Ok(stored)
    }

    async fn get_namespace(
        &self,
        tenant: TenantId,
        catalog: &str,
        ident: &NamespaceIdent,
    ) -> Result<Namespace> {
        let state = self.read();
        let catalog_id = state.catalog_id(tenant, catalog)?;
        state
            .namespaces
            .get(&(catalog_id, ident.clone()))
            .cloned()
            .ok_or_else(|| Error::not_found(Entity::Namespace, ident))
    }

    async fn list_namespaces(
        &self,
        tenant: TenantId,
        catalog: &str,
        parent: Option<&NamespaceIdent>,
        page: &PageRequest,
    ) -> Result<Page<Namespace>> {
        let state = self.read();
        let catalog_id = state.catalog_id(tenant, catalog)?;
        if let Some(parent) = parent
            && !state.namespaces.contains_key(&(catalog_id, parent.clone()))
        {
            return Err(Error::not_found(Entity::Namespace, parent));
        }
        let depth = parent.map_or(1, |p| p.levels().len() + 1);
        let children = state
            .namespaces
            .iter()
            .filter(|((c, ident), _)| {
                *c == catalog_id
                    && ident.levels().len() == depth
                    && parent.is_none_or(|p| ident.starts_with(p))
            })
            .map(|(_, ns)| ns.clone())
            .collect();
        Ok(paginate(children, page, |ns: &Namespace| ns.ident.name()))
    }

    async fn update_namespace_properties(
        &self,
        tenant: TenantId,
        catalog: &str,
        ident: &NamespaceIdent,
        updates: &BTreeMap<String, String>,
        removals: &[String],
    ) -> Result<(BTreeMap<String, String>, Namespace)> {
        let mut state = self.write();
        let catalog_id = state.catalog_id(tenant, catalog)?;
        let ns = state
            .namespaces
            .get_mut(&(catalog_id, ident.clone()))
            .ok_or_else(|| Error::not_found(Entity::Namespace, ident))?;
        let before = ns.properties.clone();
        for key in removals {
            ns.properties.remove(key);
        }
        ns.properties
            .extend(updates.iter().map(|(k, v)| (k.clone(), v.clone())));
        ns.updated_at = now_millis();
        Ok((before, ns.clone()))
    }

    async fn drop_namespace(
        &self,
        tenant: TenantId,
        catalog: &str,
        ident: &NamespaceIdent,
    ) -> Result<()> {
        let mut state = self.write();
        let catalog_id = state.catalog_id(tenant, catalog)?;
        let key = (catalog_id, ident.clone());
        if !state.namespaces.contains_key(&key) {
            return Err(Error::not_found(Entity::Namespace, ident));
        }
        let has_children = state
            .namespaces
            .keys()
            .any(|(c, other)| *c == catalog_id && other != ident && other.starts_with(ident));
        let has_tabulars = state
            .tabulars
            .keys()
            .any(|(c, ns, _)| *c == catalog_id && ns == ident);
        if has_children || has_tabulars {
            return Err(Error::NotEmpty {
                entity: Entity::Namespace,
                key: ident.to_string(),
                detail: "it still holds namespaces, tables or views".into(),
            });
        }
        let dropped = state.namespaces.remove(&key).expect("checked above");
        state.remove_grants_on(GrantScope::Namespace(dropped.id));
        Ok(())
    }
}
