//! The service layer: every rule of the catalog, free of HTTP. Handlers parse a request, call one
//! method here and render the result; the store below only persists.
//!
//! [`Service`] is split by concern into `impl` blocks, one module each.

mod commit;
mod context;
mod files;
mod locations;
mod metrics;
mod namespaces;
mod tables;
mod tenancy;
mod view_commit;
mod views;

use std::sync::Arc;

pub use commit::{TableChange, apply_table_commit};
pub use context::{DEFAULT_TENANT, RequestContext};
pub use files::MetadataFiles;
pub use metrics::MetricsReportView;
pub use namespaces::PropertiesUpdateResult;
pub use tables::{CreateTable, LoadedTabular, RegisterTabular, SnapshotsMode};
pub use tenancy::{NewCatalog, NewWarehouse};
pub use view_commit::{ViewChange, ViewRequirement, apply_view_commit};
pub use views::CreateView;

use pangolin_core::{Catalog, Result, TenantId};
use pangolin_store::CatalogStore;
use pangolin_store::objects::ObjectStorage;

/// The catalog's business logic over a store.
#[derive(Debug)]
pub struct Service {
    store: Arc<dyn CatalogStore>,
    files: MetadataFiles,
}

impl Service {
    /// A service over `store`.
    pub fn new(store: Arc<dyn CatalogStore>) -> Self {
        Self {
            store,
            files: MetadataFiles::default(),
        }
    }

    /// The store, for health checks.
    pub fn store(&self) -> &Arc<dyn CatalogStore> {
        &self.store
    }

    /// A catalog and the object storage of its warehouse.
    async fn catalog_with_storage(
        &self,
        tenant: TenantId,
        catalog: &str,
    ) -> Result<(Catalog, ObjectStorage)> {
        let catalog = self.store.get_catalog(tenant, catalog).await?;
        let warehouse = self
            .store
            .get_warehouse(tenant, catalog.warehouse_id)
            .await?;
        let storage = self.files.storage(&warehouse)?;
        Ok((catalog, storage))
    }
}
