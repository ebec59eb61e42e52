use async_trait::async_trait;
use pangolin_core::{
    CatalogId, CommitOp, Entity, Error, GrantScope, NamespaceIdent, Page, PageRequest, Result,
    Tabular, TabularIdent, TabularKind, TenantId, now_millis,
};

use super::{MemoryStore, State, paginate};
use crate::Tabulars;

impl State {
    fn require_namespace(&self, catalog_id: CatalogId, ns: &NamespaceIdent) -> Result<()> {
        if self.namespaces.contains_key(&(catalog_id, ns.clone())) {
            Ok(())
        } else {
            Err(Error::not_found(Entity::Namespace, ns))
        }
    }

    /// Checks one commit operation against the current state without changing it.
    fn check_op(&self, catalog_id: CatalogId, op: &CommitOp) -> Result<()> {
        match op {
            CommitOp::Create(new) => {
                self.require_namespace(catalog_id, &new.ident.namespace)?;
                let key = (
                    catalog_id,
                    new.ident.namespace.clone(),
                    new.ident.name.clone(),
                );
                if let Some(existing) = self.tabulars.get(&key) {
                    return Err(Error::already_exists(existing.kind.entity(), &new.ident));
                }
            }
            CommitOp::Swap(swap) => {
                let current = self
                    .tabulars
                    .values()
                    .find(|t| t.id == swap.id && t.catalog_id == catalog_id && t.kind == swap.kind)
                    .ok_or_else(|| Error::not_found(swap.kind.entity(), &swap.ident))?;
                if current.metadata_location != swap.expected_location {
                    return Err(Error::conflict(format!(
                        "{} was changed concurrently: its metadata is now at {}",
                        swap.ident, current.metadata_location
                    )));
                }
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Tabulars for MemoryStore {
    async fn load_tabular(
        &self,
        tenant: TenantId,
        catalog: &str,
        kind: TabularKind,
        ident: &TabularIdent,
    ) -> Result<Tabular> {
        let state = self.read();
        let catalog_id = state.catalog_id(tenant, catalog)?;
        state
            .tabulars
            .get(&(catalog_id, ident.namespace.clone(), ident.name.clone()))
            .filter(|t| t.kind == kind)
            .cloned()
            .ok_or_else(|| Error::not_found(kind.entity(), ident))
    }

    async fn list_tabulars(
        &self,
        tenant: TenantId,
        catalog: &str,
        namespace: &NamespaceIdent,
        kind: TabularKind,
        page: &PageRequest,
    ) -> Result<Page<TabularIdent>> {
        let state = self.read();
        let catalog_id = state.catalog_id(tenant, catalog)?;
        state.require_namespace(catalog_id, namespace)?;
        let idents = state
            .tabulars
            .values()
            .filter(|t| t.catalog_id == catalog_id && &t.ident.namespace == namespace)
            .filter(|t| t.kind == kind)
            .map(|t| t.ident.clone())
            .collect();
        Ok(paginate(idents, page, |i: &TabularIdent| &i.name))
    }

    async fn commit(&self, tenant: TenantId, catalog: &str, ops: &[CommitOp]) -> Result<()> {
        let mut state = self.write();
        let catalog_id = state.catalog_id(tenant, catalog)?;
        crate::ensure_distinct_targets(ops)?;
        for op in ops {
            state.check_op(catalog_id, op)?;
        }
        let now = now_millis();
        for op in ops {
            match op {
                CommitOp::Create(new) => {
                    let key = (
                        catalog_id,
                        new.ident.namespace.clone(),
                        new.ident.name.clone(),
                    );
                    state.tabulars.insert(
                        key,
                        Tabular {
                            id: new.id,
                            tenant_id: tenant,
                            catalog_id,
                            ident: new.ident.clone(),
                            kind: new.kind,
                            metadata_location: new.metadata_location.clone(),
                            metadata: new.metadata.clone(),
                            created_at: now,
                            updated_at: now,
                        },
                    );
                }
                CommitOp::Swap(swap) => {
                    let tabular = state
                        .tabulars
                        .values_mut()
                        .find(|t| t.id == swap.id)
                        .expect("checked above");
                    tabular.metadata_location = swap.new_location.clone();
                    tabular.metadata = swap.new_metadata.clone();
                    tabular.updated_at = now;
                }
            }
        }
        Ok(())
    }

    async fn rename_tabular(
        &self,
        tenant: TenantId,
        catalog: &str,
        kind: TabularKind,
        from: &TabularIdent,
        to: &TabularIdent,
    ) -> Result<()> {
        let mut state = self.write();
        let catalog_id = state.catalog_id(tenant, catalog)?;
        let from_key = (catalog_id, from.namespace.clone(), from.name.clone());
        if state.tabulars.get(&from_key).is_none_or(|t| t.kind != kind) {
            return Err(Error::not_found(kind.entity(), from));
        }
        state.require_namespace(catalog_id, &to.namespace)?;
        let to_key = (catalog_id, to.namespace.clone(), to.name.clone());
        if let Some(existing) = state.tabulars.get(&to_key) {
            return Err(Error::already_exists(existing.kind.entity(), to));
        }
        let mut tabular = state.tabulars.remove(&from_key).expect("checked above");
        tabular.ident = to.clone();
        tabular.updated_at = now_millis();
        state.tabulars.insert(to_key, tabular);
        Ok(())
    }

    async fn drop_tabular(
        &self,
        tenant: TenantId,
        catalog: &str,
        kind: TabularKind,
        ident: &TabularIdent,
    ) -> Result<Tabular> {
        let mut state = self.write();
        let catalog_id = state.catalog_id(tenant, catalog)?;
        let key = (catalog_id, ident.namespace.clone(), ident.name.clone());
        if state.tabulars.get(&key).is_none_or(|t| t.kind != kind) {
            return Err(Error::not_found(kind.entity(), ident));
        }
        let dropped = state.tabulars.remove(&key).expect("checked above");
        state.metrics.retain(|_, r| r.tabular_id != dropped.id);
        state.remove_grants_on(GrantScope::Tabular(dropped.id));
        Ok(dropped)
    }
}
