//! Custom roles, their assignment to users, and grants.
//!
//! Administrators manage roles and assignments and grant anything in their tenant. A TenantUser
//! may grant (and revoke) an action on a scope when it holds both that action and `manage-grants`
//! there. Nobody grants to themselves, directly or through a role they hold.

use pangolin_core::{
    Action, Entity, Error, Grant, GrantId, GrantScope, Grantee, NamespaceIdent, NewGrant, Page,
    PageRequest, ResolvedScope, Result, Role, RoleId, TabularIdent, TabularKind, TenantId, UserId,
    now_millis, validate_name,
};

use super::{RequestContext, Resource, Service};

/// A grant's scope as requests name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScopeRef {
    /// The whole tenant.
    Tenant,
    /// A warehouse, by name.
    Warehouse(String),
    /// A catalog, by name.
    Catalog(String),
    /// A namespace in a catalog.
    Namespace(String, NamespaceIdent),
    /// A table or view in a catalog.
    Tabular(String, TabularKind, TabularIdent),
}

impl ScopeRef {
    fn resource(&self) -> Resource<'_> {
        match self {
            ScopeRef::Tenant => Resource::Tenant,
            ScopeRef::Warehouse(w) => Resource::Warehouse(w),
            ScopeRef::Catalog(c) => Resource::Catalog(c, None),
            ScopeRef::Namespace(c, ns) => Resource::Namespace(c, None, ns),
            ScopeRef::Tabular(c, _, t) => Resource::Tabular(c, None, t),
        }
    }
}

impl<'a> Resource<'a> {
    /// The resource a stored grant's scope names.
    fn of_scope(scope: &'a ResolvedScope) -> Self {
        match scope {
            ResolvedScope::Tenant => Resource::Tenant,
            ResolvedScope::Warehouse { name, .. } => Resource::Warehouse(name),
            ResolvedScope::Catalog { name, .. } => Resource::Catalog(name, None),
            ResolvedScope::Namespace { catalog, ident, .. } => {
                Resource::Namespace(catalog, None, ident)
            }
            ResolvedScope::Tabular { catalog, ident, .. } => {
                Resource::Tabular(catalog, None, ident)
            }
        }
    }
}

impl Service {
    /// Lists the tenant's custom roles.
    pub async fn list_roles(&self, ctx: &RequestContext, page: &PageRequest) -> Result<Page<Role>> {
        let tenant = self.authorize_admin(ctx)?;
        self.store.list_roles(tenant, page).await
    }

    /// Creates a custom role.
    pub async fn create_role(
        &self,
        ctx: &RequestContext,
        name: String,
        description: Option<String>,
    ) -> Result<Role> {
        let tenant = self.authorize_admin(ctx)?;
        validate_name("role name", &name)?;
        let now = now_millis();
        let role = Role {
            id: RoleId::generate(),
            tenant_id: tenant,
            name,
            description,
            created_at: now,
            updated_at: now,
        };
        self.store.create_role(&role).await?;
        Ok(role)
    }

    /// A custom role.
    pub async fn get_role(&self, ctx: &RequestContext, id: RoleId) -> Result<Role> {
        let tenant = self.authorize_admin(ctx)?;
        self.store.get_role(tenant, id).await
    }

    /// Replaces a role's description.
    pub async fn update_role(
        &self,
        ctx: &RequestContext,
        id: RoleId,
        description: Option<String>,
    ) -> Result<Role> {
        let tenant = self.authorize_admin(ctx)?;
        self.store
            .update_role(tenant, id, description.as_deref())
            .await
    }

    /// Deletes a role with its grants and assignments.
    pub async fn delete_role(&self, ctx: &RequestContext, id: RoleId) -> Result<()> {
        let tenant = self.authorize_admin(ctx)?;
        self.store.delete_role(tenant, id).await?;
        self.principals.clear();
        Ok(())
    }

    /// Assigns a role to a user (idempotent).
    pub async fn assign_role(
        &self,
        ctx: &RequestContext,
        user: UserId,
        role: RoleId,
    ) -> Result<()> {
        let tenant = self.authorize_admin(ctx)?;
        if ctx.principal().user_id == Some(user) {
            return Err(Error::forbidden("nobody assigns roles to themselves"));
        }
        self.store.assign_role(tenant, role, user).await?;
        self.principals.clear();
        Ok(())
    }

    /// Removes a role from a user.
    pub async fn unassign_role(
        &self,
        ctx: &RequestContext,
        user: UserId,
        role: RoleId,
    ) -> Result<()> {
        let tenant = self.authorize_admin(ctx)?;
        self.store.unassign_role(tenant, role, user).await?;
        self.principals.clear();
        Ok(())
    }

    /// The roles assigned to a user: administrators ask about anyone, users about themselves.
    pub async fn list_user_roles(&self, ctx: &RequestContext, user: UserId) -> Result<Vec<Role>> {
        let tenant = if ctx.principal().user_id == Some(user) {
            ctx.tenant()?
        } else {
            // Looked up in the caller's tenant first: other tenants' ids are `NotFound`.
            let tenant = self.authorize_admin(ctx)?;
            self.store.get_user(Some(tenant), user).await?;
            tenant
        };
        self.store.list_user_roles(tenant, user).await
    }

    /// Succeeds when the caller may grant or revoke `action` on `resource`: it administers the
    /// tenant, or holds both `action` and `manage-grants` there.
    async fn authorize_granting(
        &self,
        ctx: &RequestContext,
        action: Action,
        resource: Resource<'_>,
    ) -> Result<TenantId> {
        let tenant = ctx.tenant()?;
        if ctx.principal().administers(tenant) {
            return Ok(tenant);
        }
        self.authorize(ctx, Action::ManageGrants, resource).await?;
        self.authorize(ctx, action, resource).await
    }

    /// Refuses grants to the caller itself, directly or through a role it holds.
    async fn check_not_self(
        &self,
        ctx: &RequestContext,
        tenant: TenantId,
        grantee: Grantee,
    ) -> Result<()> {
        let Some(me) = ctx.principal().user_id else {
            return Ok(());
        };
        let to_self = match grantee {
            Grantee::User(user) => user == me,
            Grantee::Role(role) => match ctx.principal().tenant_id {
                Some(own) if own == tenant => self
                    .store
                    .list_user_roles(tenant, me)
                    .await?
                    .iter()
                    .any(|r| r.id == role),
                _ => false,
            },
        };
        if to_self {
            return Err(Error::forbidden(
                "nobody grants to themselves, directly or through their roles",
            ));
        }
        Ok(())
    }

    /// The scope's ids. `NotFound` for what does not exist.
    async fn resolve_scope(&self, tenant: TenantId, scope: &ScopeRef) -> Result<GrantScope> {
        Ok(match scope {
            ScopeRef::Tenant => GrantScope::Tenant,
            ScopeRef::Warehouse(name) => {
                GrantScope::Warehouse(self.store.get_warehouse_by_name(tenant, name).await?.id)
            }
            ScopeRef::Catalog(name) => {
                GrantScope::Catalog(self.store.get_catalog(tenant, name).await?.id)
            }
            ScopeRef::Namespace(catalog, ident) => {
                GrantScope::Namespace(self.store.get_namespace(tenant, catalog, ident).await?.id)
            }
            ScopeRef::Tabular(catalog, kind, ident) => GrantScope::Tabular(
                self.store
                    .load_tabular(tenant, catalog, *kind, ident)
                    .await?
                    .id,
            ),
        })
    }

    /// Grants `action` on `scope` to a user or role.
    pub async fn create_grant(
        &self,
        ctx: &RequestContext,
        grantee: Grantee,
        action: Action,
        scope: ScopeRef,
    ) -> Result<Grant> {
        let tenant = self
            .authorize_granting(ctx, action, scope.resource())
            .await?;
        self.check_not_self(ctx, tenant, grantee).await?;
        let grant = NewGrant {
            id: GrantId::generate(),
            tenant_id: tenant,
            grantee,
            action,
            scope: self.resolve_scope(tenant, &scope).await?,
            granted_by: ctx.principal().user_id,
            created_at: now_millis(),
        };
        let grant = self.store.create_grant(&grant).await?;
        self.principals.clear();
        Ok(grant)
    }

    /// Grants in the tenant: administrators see all (or one grantee's); users only their own.
    pub async fn list_grants(
        &self,
        ctx: &RequestContext,
        grantee: Option<Grantee>,
        page: &PageRequest,
    ) -> Result<Page<Grant>> {
        let tenant = ctx.tenant()?;
        let principal = ctx.principal();
        if principal.administers(tenant) {
            return self.store.list_grants(tenant, grantee, page).await;
        }
        let me = principal
            .user_id
            .map(Grantee::User)
            .ok_or_else(|| Error::forbidden("no account"))?;
        match grantee {
            None => self.store.list_grants(tenant, Some(me), page).await,
            Some(g) if g == me => self.store.list_grants(tenant, Some(me), page).await,
            Some(_) => Err(Error::forbidden(format!(
                "{} may only list its own grants",
                principal.name
            ))),
        }
    }

    /// A grant: administrators see any, users their own.
    pub async fn get_grant(&self, ctx: &RequestContext, id: GrantId) -> Result<Grant> {
        let tenant = ctx.tenant()?;
        let grant = self.store.get_grant(tenant, id).await?;
        let principal = ctx.principal();
        let own = principal.user_id.map(Grantee::User) == Some(grant.grantee);
        if own || principal.administers(tenant) {
            Ok(grant)
        } else {
            Err(Error::not_found(Entity::Grant, id))
        }
    }

    /// Revokes a grant: administrators any, users what they could have granted.
    pub async fn delete_grant(&self, ctx: &RequestContext, id: GrantId) -> Result<()> {
        let tenant = ctx.tenant()?;
        let grant = self.store.get_grant(tenant, id).await?;
        self.authorize_granting(ctx, grant.action, Resource::of_scope(&grant.scope))
            .await?;
        self.store.delete_grant(tenant, id).await?;
        self.principals.clear();
        Ok(())
    }
}
