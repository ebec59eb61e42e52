//! Users and service users, their API keys and their tokens.
//!
//! Administrators (TenantAdmins of the tenant, Root) manage accounts. Nobody creates an account,
//! or gives one a role, more powerful than their own; only Root creates Root users, and only Root
//! acts in other tenants. Users see and change their own account (email, password with the
//! current one) and list and revoke their own tokens.

use std::time::Duration;

use pangolin_core::{
    ApiKey, ApiKeyId, ApiKeyUpdate, BuiltinRole, Entity, Error, Page, PageRequest, Result,
    TenantId, TokenId, TokenKind, TokenRecord, User, UserId, UserKind, UserUpdate, now_millis,
    validate_name,
};

use super::{IssuedToken, RequestContext, Service};
use crate::auth::{api_keys, passwords};

/// A user to create.
#[derive(Debug)]
pub struct NewUser {
    /// Login name, unique in the tenant.
    pub name: String,
    /// Person or service user.
    pub kind: UserKind,
    /// Built-in role; `Root` creates a Root user (no tenant).
    pub role: BuiltinRole,
    /// Contact address.
    pub email: Option<String>,
    /// Password of a person (required for people, refused for service users).
    pub password: Option<String>,
}

/// A change to a user; `None` fields stay as they are.
#[derive(Debug, Default)]
pub struct UserChanges {
    /// New contact address (`Some(None)` clears it).
    pub email: Option<Option<String>>,
    /// New password.
    pub password: Option<String>,
    /// The current password: required when people change their own password.
    pub current_password: Option<String>,
    /// Activate or deactivate.
    pub active: Option<bool>,
    /// New built-in role.
    pub role: Option<BuiltinRole>,
}

/// A freshly created or rotated API key: the key itself is shown once.
#[derive(Clone)]
pub struct IssuedKey {
    /// `pgl_<key id>_<secret>`.
    pub key: String,
    /// The secret part (the OAuth2 client secret).
    pub secret: String,
    /// The stored record.
    pub record: ApiKey,
}

impl std::fmt::Debug for IssuedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedKey")
            .field("record", &self.record)
            .finish_non_exhaustive()
    }
}

/// The longest contact address accepted.
const MAX_EMAIL_BYTES: usize = 320;

fn validate_email(email: Option<&str>) -> Result<()> {
    match email {
        Some(email)
            if email.len() > MAX_EMAIL_BYTES
                || email.chars().any(char::is_control)
                || !email.contains('@') =>
        {
            Err(Error::invalid(format!("'{email}' is not an email address")))
        }
        _ => Ok(()),
    }
}

/// Where ids of accounts and their tokens are looked up for the caller, in order: its own tenant
/// (for Root, the tenant the request acts in, then the Root users). Nothing else is visible, so
/// other tenants' ids are `NotFound`.
fn account_scopes(ctx: &RequestContext) -> Vec<Option<TenantId>> {
    let principal = ctx.principal();
    if principal.is_root() {
        ctx.tenant()
            .ok()
            .map(Some)
            .into_iter()
            .chain([None])
            .collect()
    } else {
        principal.tenant_id.map(Some).into_iter().collect()
    }
}

/// Milliseconds from now after `duration`, saturating.
fn after(duration: Duration) -> i64 {
    now_millis().saturating_add(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX))
}

impl Service {
    /// Succeeds with the tenant the request acts in when the principal administers it.
    pub(super) fn authorize_admin(&self, ctx: &RequestContext) -> Result<TenantId> {
        let tenant = ctx.tenant()?;
        if ctx.principal().administers(tenant) {
            Ok(tenant)
        } else {
            Err(Error::forbidden(format!(
                "{} is not an administrator of this tenant",
                ctx.principal().name
            )))
        }
    }

    /// The scope an administrator manages accounts in: the request's tenant, or Root users
    /// (`None`) when `root` is asked for, which only Root may.
    fn account_scope(&self, ctx: &RequestContext, root: bool) -> Result<Option<TenantId>> {
        if root {
            self.authorize_root(ctx)?;
            Ok(None)
        } else {
            self.authorize_admin(ctx).map(Some)
        }
    }

    /// Finds a user by id where the caller may see it: in the request's tenant, or (for Root
    /// callers) among the Root users. Others' ids are `NotFound`, never `Forbidden`.
    async fn find_user(&self, ctx: &RequestContext, id: UserId) -> Result<User> {
        let principal = ctx.principal();
        if principal.user_id == Some(id) {
            return self.store.get_user(principal.tenant_id, id).await;
        }
        for scope in account_scopes(ctx) {
            match self.store.get_user(scope, id).await {
                Err(Error::NotFound { .. }) => {}
                other => return other,
            }
        }
        Err(Error::not_found(Entity::User, id))
    }

    /// A user the caller administers: `Forbidden` for users of its tenant it does not
    /// administer, `NotFound` for users it cannot see.
    async fn administered_user(&self, ctx: &RequestContext, id: UserId) -> Result<User> {
        let user = self.find_user(ctx, id).await?;
        let principal = ctx.principal();
        let administers = match user.tenant_id {
            Some(tenant) => principal.administers(tenant),
            None => principal.is_root(),
        };
        if !administers {
            return Err(Error::forbidden(format!(
                "{} may not manage the account {}",
                principal.name, user.name
            )));
        }
        Ok(user)
    }

    /// Refuses a role more powerful than the caller's.
    fn check_role_allowed(ctx: &RequestContext, role: BuiltinRole) -> Result<()> {
        let mine = ctx.principal().role;
        if role.rank() > mine.rank() {
            return Err(Error::forbidden(format!(
                "{} ({mine}) may not give anyone the role {role}",
                ctx.principal().name
            )));
        }
        Ok(())
    }

    /// Lists the users of the request's tenant, or the Root users with `root`.
    pub async fn list_users(
        &self,
        ctx: &RequestContext,
        root: bool,
        page: &PageRequest,
    ) -> Result<Page<User>> {
        let scope = self.account_scope(ctx, root)?;
        self.store.list_users(scope, page).await
    }

    /// Creates a user or service user.
    pub async fn create_user(&self, ctx: &RequestContext, new: NewUser) -> Result<User> {
        let scope = self.account_scope(ctx, new.role == BuiltinRole::Root)?;
        Self::check_role_allowed(ctx, new.role)?;
        validate_name("user name", &new.name)?;
        validate_email(new.email.as_deref())?;
        let password_hash = match (new.kind, new.password) {
            (UserKind::Human, Some(password)) => {
                passwords::validate(&password)?;
                Some(passwords::hash_blocking(password).await?)
            }
            (UserKind::Human, None) => {
                return Err(Error::invalid("people need a password"));
            }
            (UserKind::Service, Some(_)) => {
                return Err(Error::invalid(
                    "service users authenticate with API keys, not passwords",
                ));
            }
            (UserKind::Service, None) => None,
        };
        let now = now_millis();
        let user = User {
            id: UserId::generate(),
            tenant_id: scope,
            name: new.name,
            kind: new.kind,
            role: new.role,
            email: new.email,
            password_hash,
            active: true,
            created_at: now,
            updated_at: now,
        };
        self.store.create_user(&user).await?;
        Ok(user)
    }

    /// A user: the caller's own account, or one it administers.
    pub async fn get_user(&self, ctx: &RequestContext, id: UserId) -> Result<User> {
        if ctx.principal().user_id == Some(id) {
            return self.find_user(ctx, id).await;
        }
        self.administered_user(ctx, id).await
    }

    /// Changes a user. People change their own email and password (with the current one);
    /// administrators change everything of the accounts they administer, within their own role.
    pub async fn update_user(
        &self,
        ctx: &RequestContext,
        id: UserId,
        changes: UserChanges,
    ) -> Result<User> {
        let own = ctx.principal().user_id == Some(id);
        let user = if own {
            self.find_user(ctx, id).await?
        } else {
            self.administered_user(ctx, id).await?
        };
        if own && (changes.active.is_some() || changes.role.is_some()) {
            return Err(Error::forbidden(
                "nobody changes their own role or deactivates themselves",
            ));
        }
        if let Some(role) = changes.role {
            Self::check_role_allowed(ctx, role)?;
            if (role == BuiltinRole::Root) != (user.role == BuiltinRole::Root) {
                return Err(Error::invalid(
                    "Root users belong to no tenant: they cannot become tenant users, nor can \
                     tenant users become Root",
                ));
            }
        }
        if let Some(email) = &changes.email {
            validate_email(email.as_deref())?;
        }
        let password_hash = match changes.password {
            None => None,
            Some(_) if user.kind == UserKind::Service => {
                return Err(Error::invalid(
                    "service users authenticate with API keys, not passwords",
                ));
            }
            Some(password) => {
                passwords::validate(&password)?;
                if own {
                    let current = changes.current_password.ok_or_else(|| {
                        Error::invalid("changing your password needs current-password")
                    })?;
                    if !passwords::verify_blocking(current, user.password_hash.clone()).await? {
                        return Err(Error::forbidden("current-password is wrong"));
                    }
                }
                Some(passwords::hash_blocking(password).await?)
            }
        };
        let update = UserUpdate {
            email: changes.email,
            password_hash,
            active: changes.active,
            role: changes.role,
        };
        let updated = self.store.update_user(user.tenant_id, id, &update).await?;
        self.principals.clear();
        Ok(updated)
    }

    /// Deletes a user with its keys, tokens, grants and role assignments.
    pub async fn delete_user(&self, ctx: &RequestContext, id: UserId) -> Result<()> {
        if ctx.principal().user_id == Some(id) {
            return Err(Error::forbidden("nobody deletes their own account"));
        }
        let user = self.administered_user(ctx, id).await?;
        self.store.delete_user(user.tenant_id, id).await?;
        self.principals.clear();
        Ok(())
    }

    /// A service user the caller administers, with its tenant.
    async fn administered_service_user(
        &self,
        ctx: &RequestContext,
        id: UserId,
    ) -> Result<(TenantId, User)> {
        let user = self.administered_user(ctx, id).await?;
        match (user.kind, user.tenant_id) {
            (UserKind::Service, Some(tenant)) => Ok((tenant, user)),
            _ => Err(Error::invalid(format!(
                "{} is not a service user: only service users have API keys",
                user.name
            ))),
        }
    }

    /// Creates an API key for a service user; `expires_in` bounds its life.
    pub async fn create_api_key(
        &self,
        ctx: &RequestContext,
        user: UserId,
        name: String,
        expires_in: Option<Duration>,
    ) -> Result<IssuedKey> {
        let (tenant, user) = self.administered_service_user(ctx, user).await?;
        validate_name("API key name", &name)?;
        let generated = api_keys::generate(ApiKeyId::generate());
        let record = ApiKey {
            id: generated.id,
            tenant_id: tenant,
            user_id: user.id,
            name,
            secret_hash: api_keys::hash_secret(&generated.secret),
            created_at: now_millis(),
            expires_at: expires_in.map(after),
            last_used_at: None,
            active: true,
        };
        self.store.create_api_key(&record).await?;
        Ok(IssuedKey {
            key: generated.full,
            secret: generated.secret,
            record,
        })
    }

    /// The API keys of a service user.
    pub async fn list_api_keys(
        &self,
        ctx: &RequestContext,
        user: UserId,
        page: &PageRequest,
    ) -> Result<Page<ApiKey>> {
        let (tenant, user) = self.administered_service_user(ctx, user).await?;
        self.store.list_api_keys(tenant, user.id, page).await
    }

    /// One API key of a service user.
    pub async fn get_api_key(
        &self,
        ctx: &RequestContext,
        user: UserId,
        id: ApiKeyId,
    ) -> Result<ApiKey> {
        let (tenant, user) = self.administered_service_user(ctx, user).await?;
        match self.store.get_api_key(tenant, id).await? {
            key if key.user_id == user.id => Ok(key),
            _ => Err(Error::not_found(Entity::ApiKey, id)),
        }
    }

    /// Activates or deactivates a key, or changes its expiry (`Some(None)`: never).
    pub async fn update_api_key(
        &self,
        ctx: &RequestContext,
        user: UserId,
        id: ApiKeyId,
        active: Option<bool>,
        expires_at: Option<Option<i64>>,
    ) -> Result<ApiKey> {
        let key = self.get_api_key(ctx, user, id).await?;
        let update = ApiKeyUpdate {
            secret_hash: None,
            expires_at,
            active,
        };
        let updated = self
            .store
            .update_api_key(key.tenant_id, id, &update)
            .await?;
        self.principals.clear();
        Ok(updated)
    }

    /// Gives a key a new secret; the old one stops working at once.
    pub async fn rotate_api_key(
        &self,
        ctx: &RequestContext,
        user: UserId,
        id: ApiKeyId,
    ) -> Result<IssuedKey> {
        let key = self.get_api_key(ctx, user, id).await?;
        let generated = api_keys::generate(id);
        let update = ApiKeyUpdate {
            secret_hash: Some(api_keys::hash_secret(&generated.secret)),
            ..ApiKeyUpdate::default()
        };
        let record = self
            .store
            .update_api_key(key.tenant_id, id, &update)
            .await?;
        self.principals.clear();
        Ok(IssuedKey {
            key: generated.full,
            secret: generated.secret,
            record,
        })
    }

    /// Deletes a key.
    pub async fn delete_api_key(
        &self,
        ctx: &RequestContext,
        user: UserId,
        id: ApiKeyId,
    ) -> Result<()> {
        let key = self.get_api_key(ctx, user, id).await?;
        self.store.delete_api_key(key.tenant_id, id).await?;
        self.principals.clear();
        Ok(())
    }

    /// Issues a token for a user the caller administers, valid for `ttl` (at most the configured
    /// maximum).
    pub async fn issue_user_token(
        &self,
        ctx: &RequestContext,
        user: UserId,
        description: Option<String>,
        ttl: Option<Duration>,
    ) -> Result<IssuedToken> {
        let user = self.administered_user(ctx, user).await?;
        Self::check_role_allowed(ctx, user.role)?;
        if !user.active {
            return Err(Error::invalid(format!("{} is deactivated", user.name)));
        }
        if let Some(description) = &description {
            validate_name("token description", description)?;
        }
        let ttl = ttl.unwrap_or(self.auth.token_ttl);
        if ttl.is_zero() || ttl > self.auth.max_token_ttl {
            return Err(Error::invalid(format!(
                "a token lives between 1 and {} seconds",
                self.auth.max_token_ttl.as_secs()
            )));
        }
        self.issue_token(&user, TokenKind::Issued, ttl, description)
            .await
    }

    /// The unexpired tokens of the caller, or (for administrators) of another user.
    pub async fn list_tokens(
        &self,
        ctx: &RequestContext,
        user: Option<UserId>,
        page: &PageRequest,
    ) -> Result<Page<TokenRecord>> {
        let principal = ctx.principal();
        let user = match user {
            Some(id) if principal.user_id != Some(id) => self.administered_user(ctx, id).await?,
            _ => {
                let id = principal
                    .user_id
                    .ok_or_else(|| Error::invalid("the dev-mode principal has no tokens"))?;
                self.find_user(ctx, id).await?
            }
        };
        self.store
            .list_tokens(user.tenant_id, user.id, now_millis(), page)
            .await
    }

    /// Revokes a token: the caller's own, or one of a user it administers. Others' token ids are
    /// `NotFound`.
    pub async fn revoke_token(&self, ctx: &RequestContext, id: TokenId) -> Result<()> {
        let principal = ctx.principal();
        let record = self.find_token(ctx, id).await?;
        if principal.user_id != Some(record.user_id) {
            self.administered_user(ctx, record.user_id)
                .await
                .map_err(|e| match e {
                    Error::Forbidden { .. } => Error::not_found(Entity::Token, id),
                    other => other,
                })?;
        }
        self.store
            .revoke_token(record.tenant_id, id, now_millis())
            .await?;
        self.principals.clear();
        Ok(())
    }

    /// A token record in the caller's tenant or, for Root, among Root users' tokens.
    async fn find_token(&self, ctx: &RequestContext, id: TokenId) -> Result<TokenRecord> {
        for scope in account_scopes(ctx) {
            match self.store.get_token(scope, id).await {
                Err(Error::NotFound { .. }) => {}
                other => return other,
            }
        }
        Err(Error::not_found(Entity::Token, id))
    }
}
