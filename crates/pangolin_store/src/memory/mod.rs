//! An in-memory store: for tests and ephemeral development servers. Everything is lost when the
//! process exits. One lock guards the whole state, which makes every operation (including
//! multi-table commits) trivially atomic.

mod api_keys;
mod audit;
mod catalogs;
mod grants;
mod metrics;
mod namespaces;
mod roles;
mod tabulars;
mod tenants;
mod tokens;
mod users;
mod warehouses;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use async_trait::async_trait;
use pangolin_core::{
    ApiKey, ApiKeyId, AuditEvent, AuditEventId, Catalog, CatalogId, Entity, Error, GrantId,
    MetricsReport, MetricsReportId, Namespace, NamespaceIdent, NewGrant, Page, PageRequest, Result,
    Role, RoleId, Tabular, Tenant, TenantId, TokenId, TokenRecord, User, UserId, Warehouse,
    WarehouseId,
};

use crate::Health;

/// The in-memory backend.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: RwLock<State>,
}

#[derive(Debug, Default)]
struct State {
    tenants: BTreeMap<TenantId, Tenant>,
    warehouses: BTreeMap<WarehouseId, Warehouse>,
    catalogs: BTreeMap<CatalogId, Catalog>,
    namespaces: BTreeMap<(CatalogId, NamespaceIdent), Namespace>,
    /// Keyed by catalog, namespace and name: tables and views share the key space.
    tabulars: BTreeMap<(CatalogId, NamespaceIdent, String), Tabular>,
    metrics: BTreeMap<MetricsReportId, MetricsReport>,
    users: BTreeMap<UserId, User>,
    api_keys: BTreeMap<ApiKeyId, ApiKey>,
    roles: BTreeMap<RoleId, Role>,
    /// Which custom role is assigned to which user (both of the role's tenant).
    role_assignments: BTreeSet<(RoleId, UserId)>,
    /// Grants are kept by id and resolved to current names whenever they are read.
    grants: BTreeMap<GrantId, NewGrant>,
    tokens: BTreeMap<TokenId, TokenRecord>,
    audit: BTreeMap<AuditEventId, AuditEvent>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    fn catalog(&self, tenant: TenantId, name: &str) -> Result<&Catalog> {
        self.catalogs
            .values()
            .find(|c| c.tenant_id == tenant && c.name == name)
            .ok_or_else(|| Error::not_found(Entity::Catalog, name))
    }

    fn catalog_id(&self, tenant: TenantId, name: &str) -> Result<CatalogId> {
        self.catalog(tenant, name).map(|c| c.id)
    }
}

/// Sorts `items` by `key`, keeps those after the request's cursor and cuts the page.
fn paginate<T>(mut items: Vec<T>, page: &PageRequest, key: impl Fn(&T) -> &str) -> Page<T> {
    items.sort_by(|a, b| key(a).cmp(key(b)));
    if let Some(after) = &page.after {
        items.retain(|item| key(item) > after.as_str());
    }
    if let Some(limit) = page.fetch_limit() {
        items.truncate(limit);
    }
    Page::from_overfetched(items, page, key)
}

/// Like [`paginate`] in descending order (newest first for time-ordered ids): the page after a
/// cursor holds the items strictly before it.
fn paginate_desc<T>(mut items: Vec<T>, page: &PageRequest, key: impl Fn(&T) -> &str) -> Page<T> {
    items.sort_by(|a, b| key(b).cmp(key(a)));
    if let Some(after) = &page.after {
        items.retain(|item| key(item) < after.as_str());
    }
    if let Some(limit) = page.fetch_limit() {
        items.truncate(limit);
    }
    Page::from_overfetched(items, page, key)
}

#[async_trait]
impl Health for MemoryStore {
    async fn ping(&self) -> Result<()> {
        Ok(())
    }
}
