//! Who is calling, and the one place that decides what they may do.
//!
//! Root may do everything in every tenant; a TenantAdmin everything inside its tenant; a
//! TenantUser what its grants allow. A grant covers its scope and everything inside it (a
//! warehouse its catalogs, a catalog its namespaces, a namespace its nested namespaces, tables and
//! views); `Write` implies `Read`, which implies `List`.

use std::sync::Arc;

use pangolin_core::{
    Action, BuiltinRole, Grant, NamespaceIdent, ResolvedScope, TabularIdent, TenantId, TokenId,
    UserId, UserKind,
};

/// An authenticated caller.
#[derive(Clone, Debug)]
pub struct Principal {
    /// The user or service user; `None` for the dev-mode principal, which has no account.
    pub user_id: Option<UserId>,
    /// Its name, for the audit log.
    pub name: String,
    /// Person or service user.
    pub kind: UserKind,
    /// Its built-in role.
    pub role: BuiltinRole,
    /// Its tenant (`None` for Root).
    pub tenant_id: Option<TenantId>,
    /// The token it authenticated with, if any (logout revokes it).
    pub token_id: Option<TokenId>,
    /// The grants it holds (directly and through roles); empty unless a TenantUser.
    pub grants: Arc<[Grant]>,
}

/// A resource an action is attempted on, named as requests name it. Catalog and warehouse names
/// are immutable, so matching grants (resolved to current names) by name is exact.
#[derive(Clone, Copy, Debug)]
pub enum Resource<'a> {
    /// The tenant itself (creating warehouses, managing identities).
    Tenant,
    /// A warehouse, by name.
    Warehouse(&'a str),
    /// A catalog, by name, with the name of its warehouse when known.
    Catalog(&'a str, Option<&'a str>),
    /// A namespace in a catalog.
    Namespace(&'a str, Option<&'a str>, &'a NamespaceIdent),
    /// A table or view in a catalog.
    Tabular(&'a str, Option<&'a str>, &'a TabularIdent),
}

impl<'a> Resource<'a> {
    /// The same resource, knowing its catalog's warehouse.
    pub fn in_warehouse(self, warehouse: &'a str) -> Self {
        match self {
            Resource::Catalog(c, _) => Resource::Catalog(c, Some(warehouse)),
            Resource::Namespace(c, _, ns) => Resource::Namespace(c, Some(warehouse), ns),
            Resource::Tabular(c, _, t) => Resource::Tabular(c, Some(warehouse), t),
            other => other,
        }
    }

    /// The catalog it is in, if any.
    pub fn catalog(&self) -> Option<&'a str> {
        match self {
            Resource::Tenant | Resource::Warehouse(_) => None,
            Resource::Catalog(c, _) | Resource::Namespace(c, _, _) | Resource::Tabular(c, _, _) => {
                Some(c)
            }
        }
    }

    /// Its warehouse, if known.
    pub fn warehouse(&self) -> Option<&'a str> {
        match self {
            Resource::Tenant => None,
            Resource::Warehouse(w) => Some(w),
            Resource::Catalog(_, w) | Resource::Namespace(_, w, _) | Resource::Tabular(_, w, _) => {
                *w
            }
        }
    }

    fn namespace(&self) -> Option<&'a NamespaceIdent> {
        match self {
            Resource::Namespace(_, _, ns) => Some(ns),
            Resource::Tabular(_, _, t) => Some(&t.namespace),
            _ => None,
        }
    }
}

/// Whether a grant's scope covers `resource` (the resource is the scope or lies inside it).
fn covers(scope: &ResolvedScope, resource: &Resource<'_>) -> bool {
    match scope {
        ResolvedScope::Tenant => true,
        ResolvedScope::Warehouse { name, .. } => resource.warehouse() == Some(name.as_str()),
        ResolvedScope::Catalog { name, .. } => resource.catalog() == Some(name.as_str()),
        ResolvedScope::Namespace { catalog, ident, .. } => {
            resource.catalog() == Some(catalog.as_str())
                && resource.namespace().is_some_and(|ns| ns.starts_with(ident))
        }
        ResolvedScope::Tabular { catalog, ident, .. } => {
            matches!(resource, Resource::Tabular(c, _, t) if *c == catalog && *t == ident)
        }
    }
}

/// Whether a grant's scope lies strictly inside `resource` (so the resource must be visible for
/// the grantee to reach what it was granted).
fn inside(scope: &ResolvedScope, resource: &Resource<'_>) -> bool {
    match (scope, resource) {
        (ResolvedScope::Tenant, _) | (_, Resource::Tabular(..)) => false,
        (_, Resource::Tenant) => true,
        (
            ResolvedScope::Namespace { catalog, .. } | ResolvedScope::Tabular { catalog, .. },
            Resource::Catalog(c, _),
        ) => c == catalog,
        (ResolvedScope::Namespace { catalog, ident, .. }, Resource::Namespace(c, _, ns)) => {
            c == catalog && ident.starts_with(ns) && ident != *ns
        }
        (ResolvedScope::Tabular { catalog, ident, .. }, Resource::Namespace(c, _, ns)) => {
            c == catalog && ident.namespace.starts_with(ns)
        }
        _ => false,
    }
}

impl Principal {
    /// Whether this is a Root user.
    pub fn is_root(&self) -> bool {
        self.role == BuiltinRole::Root
    }

    /// Whether the principal administers `tenant` (Root administers every tenant).
    pub fn administers(&self, tenant: TenantId) -> bool {
        match self.role {
            BuiltinRole::Root => true,
            BuiltinRole::TenantAdmin => self.tenant_id == Some(tenant),
            BuiltinRole::TenantUser => false,
        }
    }

    /// Whether the principal may do `action` on `resource` in `tenant`.
    pub fn may(&self, tenant: TenantId, action: Action, resource: &Resource<'_>) -> bool {
        if self.administers(tenant) {
            return true;
        }
        self.tenant_id == Some(tenant)
            && self
                .grants
                .iter()
                .any(|g| g.action.implies(action) && covers(&g.scope, resource))
    }

    /// Whether `resource` is visible to the principal in listings: it may list it, or it holds a
    /// grant on something inside it (so it can navigate there).
    pub fn sees(&self, tenant: TenantId, resource: &Resource<'_>) -> bool {
        self.may(tenant, Action::List, resource)
            || (self.tenant_id == Some(tenant)
                && self.grants.iter().any(|g| inside(&g.scope, resource)))
    }

    /// Whether any grant needs the warehouse of a catalog to be decided (warehouse-scoped grants).
    pub fn has_warehouse_grants(&self) -> bool {
        self.grants
            .iter()
            .any(|g| matches!(g.scope, ResolvedScope::Warehouse { .. }))
    }
}
