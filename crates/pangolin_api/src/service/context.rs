//! Who a request acts for.

use pangolin_core::{Entity, Error, Result, TenantId};

/// The tenant every request acts in until authentication exists.
pub const DEFAULT_TENANT: &str = "default";

/// The caller of a service method: the tenant it acts in and the request id for logs. The HTTP
/// layer builds it once per request; authentication will add the principal here.
#[derive(Clone, Debug)]
pub struct RequestContext {
    tenant: Option<TenantId>,
    request_id: String,
}

impl RequestContext {
    /// A context acting in `tenant` (`None` when the default tenant does not exist).
    pub fn new(tenant: Option<TenantId>, request_id: impl Into<String>) -> Self {
        Self {
            tenant,
            request_id: request_id.into(),
        }
    }

    /// The tenant the request acts in.
    pub fn tenant(&self) -> Result<TenantId> {
        self.tenant.ok_or_else(|| Error::NotFound {
            entity: Entity::Tenant,
            key: format!(
                "{DEFAULT_TENANT} (create it with POST /api/v1/tenants or start the server without --no-bootstrap)"
            ),
        })
    }

    /// The request id, as logged.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }
}
