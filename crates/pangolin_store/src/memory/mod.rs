//! An in-memory store: for tests and ephemeral development servers. Everything is lost when the
//! process exits. One lock guards the whole state, which makes every operation (including
//! multi-table commits) trivially atomic.

mod catalogs;
mod metrics;
mod namespaces;
mod tabulars;
mod tenants;
mod warehouses;

use std::collections::BTreeMap;
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use async_trait::async_trait;
use pangolin_core::{
    Catalog, CatalogId, Entity, Error, MetricsReport, MetricsReportId, Namespace, NamespaceIdent,
    Page, PageRequest, Result, Tabular, Tenant, TenantId, Warehouse, WarehouseId,
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

#[async_trait]
impl Health for MemoryStore {
    async fn ping(&self) -> Result<()> {
        Ok(())
    }
}
