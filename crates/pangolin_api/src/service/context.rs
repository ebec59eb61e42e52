//! Who a request acts for.

use std::sync::Arc;

use pangolin_core::{BuiltinRole, Entity, Error, Result, TenantId, UserKind};

use super::Principal;

/// The tenant the bootstrap creates, and the one Root and dev-mode requests act in unless they
/// name another.
pub const DEFAULT_TENANT: &str = "default";

/// The caller of a service method: its principal, the tenant it acts in, and what identifies the
/// request in logs and the audit log. The HTTP layer builds it once per request.
#[derive(Clone, Debug)]
pub struct RequestContext {
    principal: Principal,
    tenant: Option<TenantId>,
    request_id: String,
    client: ClientInfo,
}

/// Where a request came from, for the audit log.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    /// The client's IP address.
    pub ip: Option<String>,
    /// Its `User-Agent`.
    pub user_agent: Option<String>,
}

impl RequestContext {
    /// A context for `principal` acting in `tenant` (`None` when it acts in no tenant, e.g. Root
    /// without a default tenant).
    pub fn new(
        principal: Principal,
        tenant: Option<TenantId>,
        request_id: impl Into<String>,
        client: ClientInfo,
    ) -> Self {
        Self {
            principal,
            tenant,
            request_id: request_id.into(),
            client,
        }
    }

    /// The server itself acting with Root rights in `tenant` (first-start bootstrap).
    pub fn system(tenant: Option<TenantId>, label: &str) -> Self {
        let principal = Principal {
            user_id: None,
            name: "system".to_owned(),
            kind: UserKind::Service,
            role: BuiltinRole::Root,
            tenant_id: None,
            token_id: None,
            grants: Arc::new([]),
        };
        Self::new(principal, tenant, label, ClientInfo::default())
    }

    /// The tenant the request acts in.
    pub fn tenant(&self) -> Result<TenantId> {
        self.tenant.ok_or_else(|| Error::NotFound {
            entity: Entity::Tenant,
            key: format!(
                "{DEFAULT_TENANT} (name the tenant with the X-Pangolin-Tenant header, or create it with POST /api/v1/tenants)"
            ),
        })
    }

    /// Who is calling.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The request id, as logged.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// Where the request came from.
    pub fn client(&self) -> &ClientInfo {
        &self.client
    }
}
