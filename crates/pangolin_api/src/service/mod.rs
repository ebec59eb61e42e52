//! The service layer: every rule of the catalog, free of HTTP. Handlers parse a request, call one
//! method here and render the result; the store below only persists.
//!
//! [`Service`] is split by concern into `impl` blocks, one module each.

mod audit;
mod authz;
mod commit;
mod context;
mod files;
mod grants;
mod identity;
mod limits;
mod locations;
mod metrics;
mod namespaces;
mod principal;
mod tables;
mod tenancy;
mod users;
mod view_commit;
mod views;

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

pub use audit::AuditStats;
pub use commit::{TableChange, apply_table_commit};
pub use context::{ClientInfo, DEFAULT_TENANT, RequestContext};
pub use files::MetadataFiles;
pub use grants::ScopeRef;
pub use identity::{AuthSettings, IssuedToken, ROOT_USER};
pub use limits::RateLimitSettings;
pub use metrics::MetricsReportView;
pub use namespaces::PropertiesUpdateResult;
pub use principal::{Principal, Resource};
pub use tables::{CreateTable, LoadedTabular, RegisterTabular, SnapshotsMode};
pub use tenancy::{NewCatalog, NewWarehouse};
pub use users::{IssuedKey, NewUser, UserChanges};
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
    auth: AuthSettings,
    principals: identity::PrincipalCache,
    audit: audit::AuditQueue,
    limits: limits::RateLimits,
    default_tenant: RwLock<Option<(TenantId, Instant)>>,
}

/// How long the default tenant's id is reused before it is looked up again.
const DEFAULT_TENANT_TTL: Duration = Duration::from_secs(5);

impl Service {
    /// A service over `store`. Starts the audit writer on the current Tokio runtime.
    pub fn new(store: Arc<dyn CatalogStore>, auth: AuthSettings) -> Self {
        Self {
            audit: audit::AuditQueue::start(store.clone()),
            limits: limits::RateLimits::new(auth.rate_limits),
            store,
            files: MetadataFiles::default(),
            auth,
            principals: Default::default(),
            default_tenant: RwLock::new(None),
        }
    }

    /// The id of the tenant named [`DEFAULT_TENANT`], or `None` if it does not exist; cached
    /// briefly so the hot paths do not pay a lookup per request.
    pub async fn default_tenant(&self) -> Result<Option<TenantId>> {
        if let Some((id, at)) = *self
            .default_tenant
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            && at.elapsed() < DEFAULT_TENANT_TTL
        {
            return Ok(Some(id));
        }
        let found = self.find_tenant(DEFAULT_TENANT).await?.map(|t| t.id);
        *self
            .default_tenant
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            found.map(|id| (id, Instant::now()));
        Ok(found)
    }

    /// Forgets the cached default tenant id (after a tenant is deleted).
    fn forget_default_tenant(&self) {
        *self
            .default_tenant
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
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
