//! The authorization check every service method runs before it reads or changes anything.

use std::fmt;

use pangolin_core::{Action, Error, Result, TenantId};

use super::{RequestContext, Resource, Service};

impl fmt::Display for Resource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resource::Tenant => f.write_str("the tenant"),
            Resource::Warehouse(w) => write!(f, "warehouse {w}"),
            Resource::Catalog(c, _) => write!(f, "catalog {c}"),
            Resource::Namespace(c, _, ns) => write!(f, "namespace {ns} in catalog {c}"),
            Resource::Tabular(c, _, t) => write!(f, "{t} in catalog {c}"),
        }
    }
}

impl Service {
    /// Succeeds with the tenant the request acts in when its principal may do `action` on
    /// `resource`; `Forbidden` otherwise.
    pub(super) async fn authorize(
        &self,
        ctx: &RequestContext,
        action: Action,
        resource: Resource<'_>,
    ) -> Result<TenantId> {
        let tenant = ctx.tenant()?;
        let principal = ctx.principal();
        if principal.may(tenant, action, &resource) {
            return Ok(tenant);
        }
        // Warehouse-scoped grants cover the warehouse's catalogs: learn the catalog's warehouse.
        if principal.has_warehouse_grants()
            && let Some(catalog) = resource.catalog()
            && resource.warehouse().is_none()
        {
            let warehouse = self
                .store
                .get_catalog(tenant, catalog)
                .await?
                .warehouse_name;
            if principal.may(tenant, action, &resource.in_warehouse(&warehouse)) {
                return Ok(tenant);
            }
        }
        Err(Error::forbidden(format!(
            "{} may not {action} {resource}",
            principal.name
        )))
    }

    /// Succeeds with the tenant when `resource` is visible to the principal: it may list it, or
    /// holds a grant on something inside it.
    pub(super) async fn authorize_visible(
        &self,
        ctx: &RequestContext,
        resource: Resource<'_>,
    ) -> Result<TenantId> {
        match self.authorize(ctx, Action::List, resource).await {
            Err(Error::Forbidden { .. }) if ctx.principal().sees(ctx.tenant()?, &resource) => {
                ctx.tenant()
            }
            other => other,
        }
    }

    /// For a listing of `parent`'s children: `None` when the principal may list all of them,
    /// `Some(tenant)` when it must filter them with [`super::Principal::sees`], `Forbidden`
    /// when it may not see `parent` at all.
    pub(super) async fn listing_filter(
        &self,
        ctx: &RequestContext,
        parent: Resource<'_>,
    ) -> Result<Option<TenantId>> {
        match self.authorize(ctx, Action::List, parent).await {
            Ok(_) => Ok(None),
            Err(Error::Forbidden { .. }) if ctx.principal().sees(ctx.tenant()?, &parent) => {
                Ok(Some(ctx.tenant()?))
            }
            Err(e) => Err(e),
        }
    }

    /// Succeeds when the principal is a Root user.
    pub(super) fn authorize_root(&self, ctx: &RequestContext) -> Result<()> {
        if ctx.principal().is_root() {
            Ok(())
        } else {
            Err(Error::forbidden(format!(
                "only Root users may do this; {} is not one",
                ctx.principal().name
            )))
        }
    }
}
