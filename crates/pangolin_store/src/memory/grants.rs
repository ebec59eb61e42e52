use async_trait::async_trait;
use pangolin_core::{
    Entity, Error, Grant, GrantId, GrantScope, Grantee, NewGrant, Page, PageRequest, ResolvedScope,
    Result, TenantId, UserId,
};

use super::{MemoryStore, State, paginate};
use crate::Grants;

impl State {
    /// `scope` with the current names of what it points at, if that exists in `tenant`;
    /// `NotFound` of the scope's kind otherwise (`Table` for tabulars of either kind).
    fn resolve_scope(&self, tenant: TenantId, scope: GrantScope) -> Result<ResolvedScope> {
        match scope {
            GrantScope::Tenant => {
                if self.tenants.contains_key(&tenant) {
                    Ok(ResolvedScope::Tenant)
                } else {
                    Err(Error::not_found(Entity::Tenant, tenant))
                }
            }
            GrantScope::Warehouse(id) => self
                .warehouses
                .get(&id)
                .filter(|w| w.tenant_id == tenant)
                .map(|w| ResolvedScope::Warehouse {
                    id,
                    name: w.name.clone(),
                })
                .ok_or_else(|| Error::not_found(Entity::Warehouse, id)),
            GrantScope::Catalog(id) => self
                .catalogs
                .get(&id)
                .filter(|c| c.tenant_id == tenant)
                .map(|c| ResolvedScope::Catalog {
                    id,
                    name: c.name.clone(),
                    warehouse_id: c.warehouse_id,
                })
                .ok_or_else(|| Error::not_found(Entity::Catalog, id)),
            GrantScope::Namespace(id) => self
                .namespaces
                .values()
                .find(|ns| ns.id == id && ns.tenant_id == tenant)
                .and_then(|ns| {
                    let catalog = self.catalogs.get(&ns.catalog_id)?;
                    Some(ResolvedScope::Namespace {
                        id,
                        catalog_id: catalog.id,
                        catalog: catalog.name.clone(),
                        ident: ns.ident.clone(),
                    })
                })
                .ok_or_else(|| Error::not_found(Entity::Namespace, id)),
            GrantScope::Tabular(id) => self
                .tabulars
                .values()
                .find(|t| t.id == id && t.tenant_id == tenant)
                .and_then(|t| {
                    let catalog = self.catalogs.get(&t.catalog_id)?;
                    Some(ResolvedScope::Tabular {
                        id,
                        kind: t.kind,
                        catalog_id: catalog.id,
                        catalog: catalog.name.clone(),
                        ident: t.ident.clone(),
                    })
                })
                .ok_or_else(|| Error::not_found(Entity::Table, id)),
        }
    }

    /// A stored grant with its scope resolved. Grants go away with their scope, so resolution
    /// only fails for a grant that is about to be removed in the same operation.
    fn resolve_grant(&self, grant: &NewGrant) -> Option<Grant> {
        let scope = self.resolve_scope(grant.tenant_id, grant.scope).ok()?;
        Some(Grant {
            id: grant.id,
            tenant_id: grant.tenant_id,
            grantee: grant.grantee,
            action: grant.action,
            scope,
            granted_by: grant.granted_by,
            created_at: grant.created_at,
        })
    }

    /// Resolves `grants` and orders them by id (as strings, the keyset order of listings).
    fn resolve_sorted<'a>(
        &self,
        grants: impl Iterator<Item = &'a NewGrant>,
    ) -> Vec<(String, Grant)> {
        let mut resolved: Vec<(String, Grant)> = grants
            .filter_map(|g| self.resolve_grant(g))
            .map(|g| (g.id.to_string(), g))
            .collect();
        resolved.sort_by(|a, b| a.0.cmp(&b.0));
        resolved
    }

    /// Removes the grants whose scope is exactly `scope` (not those on objects inside it).
    pub(super) fn remove_grants_on(&mut self, scope: GrantScope) {
        self.grants.retain(|_, g| g.scope != scope);
    }
}

#[async_trait]
impl Grants for MemoryStore {
    async fn create_grant(&self, grant: &NewGrant) -> Result<Grant> {
        let mut state = self.write();
        let tenant = grant.tenant_id;
        if !state.tenants.contains_key(&tenant) {
            return Err(Error::not_found(Entity::Tenant, tenant));
        }
        match grant.grantee {
            Grantee::User(user) => {
                state.user(Some(tenant), user)?;
            }
            Grantee::Role(role) => {
                state.role(tenant, role)?;
            }
        }
        let scope = state.resolve_scope(tenant, grant.scope)?;
        if state.grants.contains_key(&grant.id)
            || state.grants.values().any(|g| {
                g.tenant_id == tenant
                    && g.grantee == grant.grantee
                    && g.action == grant.action
                    && g.scope == grant.scope
            })
        {
            return Err(Error::already_exists(Entity::Grant, grant.id));
        }
        state.grants.insert(grant.id, grant.clone());
        Ok(Grant {
            id: grant.id,
            tenant_id: tenant,
            grantee: grant.grantee,
            action: grant.action,
            scope,
            granted_by: grant.granted_by,
            created_at: grant.created_at,
        })
    }

    async fn get_grant(&self, tenant: TenantId, id: GrantId) -> Result<Grant> {
        let state = self.read();
        state
            .grants
            .get(&id)
            .filter(|g| g.tenant_id == tenant)
            .and_then(|g| state.resolve_grant(g))
            .ok_or_else(|| Error::not_found(Entity::Grant, id))
    }

    async fn list_grants(
        &self,
        tenant: TenantId,
        grantee: Option<Grantee>,
        page: &PageRequest,
    ) -> Result<Page<Grant>> {
        let state = self.read();
        let grants = state.resolve_sorted(
            state
                .grants
                .values()
                .filter(|g| g.tenant_id == tenant && grantee.is_none_or(|w| g.grantee == w)),
        );
        Ok(paginate(grants, page, |(key, _)| key).map(|(_, g)| g))
    }

    async fn effective_grants(&self, tenant: TenantId, user: UserId) -> Result<Vec<Grant>> {
        let state = self.read();
        let roles = state.user_role_ids(tenant, user);
        let held = |grantee: &Grantee| match grantee {
            Grantee::User(u) => *u == user,
            Grantee::Role(r) => roles.contains(r),
        };
        let grants = state.resolve_sorted(
            state
                .grants
                .values()
                .filter(|g| g.tenant_id == tenant && held(&g.grantee)),
        );
        Ok(grants.into_iter().map(|(_, g)| g).collect())
    }

    async fn delete_grant(&self, tenant: TenantId, id: GrantId) -> Result<()> {
        let mut state = self.write();
        if state.grants.get(&id).is_none_or(|g| g.tenant_id != tenant) {
            return Err(Error::not_found(Entity::Grant, id));
        }
        state.grants.remove(&id);
        Ok(())
    }
}
