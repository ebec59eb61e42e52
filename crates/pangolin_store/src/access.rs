//! The store traits of identity, access and audit.
//!
//! Users are scoped by `Option<TenantId>`: `None` is the scope of Root users, who belong to no
//! tenant. Deleting a user removes its API keys, tokens, grants and role assignments; deleting a
//! tenant removes all of its identities; dropping a warehouse, catalog, namespace, table or view
//! removes the grants on it.

use async_trait::async_trait;
use pangolin_core::{
    ApiKey, ApiKeyId, ApiKeyUpdate, AuditEvent, AuditEventId, AuditFilter, Grant, GrantId, Grantee,
    NewGrant, Page, PageRequest, Result, Role, RoleId, TenantId, TokenId, TokenRecord, User,
    UserId, UserUpdate,
};

/// Users and service users.
#[async_trait]
pub trait Users: Send + Sync {
    /// Inserts a user. `NotFound(Tenant)` if its tenant does not exist, `AlreadyExists(User)` if
    /// the name is taken in its scope.
    async fn create_user(&self, user: &User) -> Result<()>;
    /// `NotFound(User)` unless the user exists in `tenant`.
    async fn get_user(&self, tenant: Option<TenantId>, id: UserId) -> Result<User>;
    /// `NotFound(User)` unless the user exists in `tenant`.
    async fn get_user_by_name(&self, tenant: Option<TenantId>, name: &str) -> Result<User>;
    /// The users of `tenant` (Root users for `None`) ordered by name.
    async fn list_users(&self, tenant: Option<TenantId>, page: &PageRequest) -> Result<Page<User>>;
    /// Applies `update`.
    async fn update_user(
        &self,
        tenant: Option<TenantId>,
        id: UserId,
        update: &UserUpdate,
    ) -> Result<User>;
    /// Deletes a user with its keys, tokens, grants and role assignments.
    async fn delete_user(&self, tenant: Option<TenantId>, id: UserId) -> Result<()>;
}

/// API keys of service users.
#[async_trait]
pub trait ApiKeys: Send + Sync {
    /// Inserts a key. `NotFound(User)` unless its user exists in its tenant.
    async fn create_api_key(&self, key: &ApiKey) -> Result<()>;
    /// The key with this id in any tenant: authentication starts from the key alone.
    /// `NotFound(ApiKey)` if there is none.
    async fn find_api_key(&self, id: ApiKeyId) -> Result<ApiKey>;
    /// `NotFound(ApiKey)` unless the key exists in `tenant`.
    async fn get_api_key(&self, tenant: TenantId, id: ApiKeyId) -> Result<ApiKey>;
    /// A user's keys ordered by id.
    async fn list_api_keys(
        &self,
        tenant: TenantId,
        user: UserId,
        page: &PageRequest,
    ) -> Result<Page<ApiKey>>;
    /// Applies `update`.
    async fn update_api_key(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
        update: &ApiKeyUpdate,
    ) -> Result<ApiKey>;
    /// Records that the key authenticated a request at `at`.
    async fn touch_api_key(&self, id: ApiKeyId, at: i64) -> Result<()>;
    /// Deletes a key.
    async fn delete_api_key(&self, tenant: TenantId, id: ApiKeyId) -> Result<()>;
}

/// Custom roles and their assignment to users.
#[async_trait]
pub trait Roles: Send + Sync {
    /// Inserts a role. `NotFound(Tenant)`, or `AlreadyExists(Role)` if the name is taken.
    async fn create_role(&self, role: &Role) -> Result<()>;
    /// `NotFound(Role)` unless the role exists in `tenant`.
    async fn get_role(&self, tenant: TenantId, id: RoleId) -> Result<Role>;
    /// The tenant's roles ordered by name.
    async fn list_roles(&self, tenant: TenantId, page: &PageRequest) -> Result<Page<Role>>;
    /// Replaces the description.
    async fn update_role(
        &self,
        tenant: TenantId,
        id: RoleId,
        description: Option<&str>,
    ) -> Result<Role>;
    /// Deletes a role with its grants and assignments.
    async fn delete_role(&self, tenant: TenantId, id: RoleId) -> Result<()>;
    /// Assigns a role to a user; assigning twice is a no-op. `NotFound(Role|User)` unless both
    /// exist in `tenant`.
    async fn assign_role(&self, tenant: TenantId, role: RoleId, user: UserId) -> Result<()>;
    /// Removes an assignment. `NotFound(Role)` if the user does not have the role.
    async fn unassign_role(&self, tenant: TenantId, role: RoleId, user: UserId) -> Result<()>;
    /// The roles assigned to a user, ordered by name.
    async fn list_user_roles(&self, tenant: TenantId, user: UserId) -> Result<Vec<Role>>;
}

/// Grants of actions on scopes to users and roles.
#[async_trait]
pub trait Grants: Send + Sync {
    /// Inserts a grant. `NotFound` for a grantee or scope that does not exist in the grant's tenant,
    /// `AlreadyExists(Grant)` if the grantee already holds this action on this scope.
    async fn create_grant(&self, grant: &NewGrant) -> Result<Grant>;
    /// `NotFound(Grant)` unless the grant exists in `tenant`.
    async fn get_grant(&self, tenant: TenantId, id: GrantId) -> Result<Grant>;
    /// The tenant's grants (only the grantee's, when given) ordered by id.
    async fn list_grants(
        &self,
        tenant: TenantId,
        grantee: Option<Grantee>,
        page: &PageRequest,
    ) -> Result<Page<Grant>>;
    /// Every grant a user holds, directly or through its roles.
    async fn effective_grants(&self, tenant: TenantId, user: UserId) -> Result<Vec<Grant>>;
    /// Deletes a grant.
    async fn delete_grant(&self, tenant: TenantId, id: GrantId) -> Result<()>;
}

/// Records of issued tokens, for listing and revocation.
#[async_trait]
pub trait Tokens: Send + Sync {
    /// Inserts a record. `NotFound(User)` unless its user exists in its tenant.
    async fn insert_token(&self, token: &TokenRecord) -> Result<()>;
    /// `NotFound(Token)` unless the token exists in `tenant`.
    async fn get_token(&self, tenant: Option<TenantId>, id: TokenId) -> Result<TokenRecord>;
    /// A user's tokens that have not expired at `now`, newest first.
    async fn list_tokens(
        &self,
        tenant: Option<TenantId>,
        user: UserId,
        now: i64,
        page: &PageRequest,
    ) -> Result<Page<TokenRecord>>;
    /// Marks a token revoked at `at` (keeping an earlier revocation time).
    async fn revoke_token(&self, tenant: Option<TenantId>, id: TokenId, at: i64) -> Result<()>;
    /// Removes the records of tokens that expired before `now`; returns how many.
    async fn delete_expired_tokens(&self, now: i64) -> Result<u64>;
}

/// The audit log: append, query, count.
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends events.
    async fn insert_audit_events(&self, events: &[AuditEvent]) -> Result<()>;
    /// Events of `tenant` (every tenant's for `None`) matching `filter`, newest first.
    async fn list_audit_events(
        &self,
        tenant: Option<TenantId>,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>>;
    /// How many events [`AuditLog::list_audit_events`] would return in all.
    async fn count_audit_events(
        &self,
        tenant: Option<TenantId>,
        filter: &AuditFilter,
    ) -> Result<u64>;
    /// `NotFound(AuditEvent)` unless the event exists in `tenant` (any tenant for `None`).
    async fn get_audit_event(
        &self,
        tenant: Option<TenantId>,
        id: AuditEventId,
    ) -> Result<AuditEvent>;
    /// Removes at most `limit` events (oldest first) recorded before `before`, of every tenant;
    /// returns how many. Callers repeat until fewer than `limit` go, so no statement runs long.
    async fn delete_audit_events_before(&self, before: i64, limit: u32) -> Result<u64>;
}
