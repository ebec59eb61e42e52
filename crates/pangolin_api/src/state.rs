//! The application state shared by every handler.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use pangolin_core::{Result, TenantId};

use crate::service::{DEFAULT_TENANT, Service};

/// Everything handlers need. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The business logic.
    pub service: Arc<Service>,
    /// Resolves the tenant requests act in.
    pub tenants: Arc<TenantResolver>,
    /// HTTP settings.
    pub settings: Arc<HttpSettings>,
}

impl AppState {
    /// State over `service` with `settings`.
    pub fn new(service: Service, settings: HttpSettings) -> Self {
        Self {
            service: Arc::new(service),
            tenants: Arc::new(TenantResolver::default()),
            settings: Arc::new(settings),
        }
    }
}

/// Settings of the HTTP layer.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Requests with larger bodies are refused with 413.
    pub max_body_bytes: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            max_body_bytes: 16 * 1024 * 1024,
        }
    }
}

/// How long the default tenant's id is reused before it is looked up again.
const TENANT_TTL: Duration = Duration::from_secs(5);

/// Resolves the tenant every request acts in (the tenant named `default`, until authentication
/// exists), caching the id briefly so the hot paths do not pay a lookup per request.
#[derive(Debug, Default)]
pub struct TenantResolver {
    cached: RwLock<Option<(TenantId, Instant)>>,
}

impl TenantResolver {
    /// The default tenant's id, or `None` if it does not exist.
    pub async fn default_tenant(&self, service: &Service) -> Result<Option<TenantId>> {
        if let Some((id, at)) = *self.cached.read().unwrap_or_else(|e| e.into_inner())
            && at.elapsed() < TENANT_TTL
        {
            return Ok(Some(id));
        }
        let found = service.find_tenant(DEFAULT_TENANT).await?.map(|t| t.id);
        *self.cached.write().unwrap_or_else(|e| e.into_inner()) =
            found.map(|id| (id, Instant::now()));
        Ok(found)
    }

    /// Forgets the cached id (after a tenant is deleted).
    pub fn invalidate(&self) {
        *self.cached.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}
