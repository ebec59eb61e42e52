//! Authentication: resolving credentials to a [`Principal`], logging in and out, issuing tokens
//! (login, OAuth2 client credentials and token exchange) and bootstrapping the first Root user.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use pangolin_core::{
    ApiKeyId, BuiltinRole, Error, PageRequest, Result, TenantId, TokenId, TokenKind, TokenRecord,
    User, UserId, UserKind, now_millis,
};

use super::{Principal, RequestContext, Service};
use crate::auth::jwt::{Claims, ISSUER, JwtKeys};
use crate::auth::{Credentials, api_keys, passwords};

/// The name of the Root user created on first start.
pub const ROOT_USER: &str = "root";

/// How often an API key's last-used time is written at most.
const TOUCH_INTERVAL_MS: i64 = 60_000;

/// Authentication settings.
#[derive(Debug)]
pub struct AuthSettings {
    /// Signs and verifies tokens.
    pub keys: JwtKeys,
    /// Lifetime of tokens from login and the OAuth2 endpoint.
    pub token_ttl: Duration,
    /// Longest lifetime an administrator may give an issued token.
    pub max_token_ttl: Duration,
    /// How long a resolved principal is reused before its token, account and grants are read
    /// again. Revocations and deactivations made on another instance take effect within it.
    pub cache_ttl: Duration,
    /// Requests without credentials act as a TenantAdmin of the default tenant.
    pub dev_mode: bool,
    /// Limits on login and token requests.
    pub rate_limits: super::RateLimitSettings,
}

/// A freshly issued token: the token itself is shown once, its record is kept.
#[derive(Clone)]
pub struct IssuedToken {
    /// The signed JWT.
    pub token: String,
    /// Its record.
    pub record: TokenRecord,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("record", &self.record)
            .finish_non_exhaustive()
    }
}

impl IssuedToken {
    /// Seconds until it expires.
    pub fn expires_in(&self) -> i64 {
        (self.record.expires_at - self.record.issued_at) / 1000
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum CacheKey {
    Token(TokenId),
    ApiKey(ApiKeyId),
}

#[derive(Debug)]
struct Cached {
    principal: Principal,
    /// For API keys: the stored secret hash the presented secret must match.
    secret_hash: Option<String>,
    at: Instant,
}

/// Resolved principals, briefly reused so the hot paths do not read the token, the account and
/// the grants on every request.
#[derive(Debug, Default)]
pub(super) struct PrincipalCache {
    entries: Mutex<HashMap<CacheKey, Cached>>,
}

/// More entries than this and the cache is emptied (it refills from the store).
const CACHE_CAPACITY: usize = 10_000;

impl PrincipalCache {
    fn get(&self, key: CacheKey, ttl: Duration) -> Option<(Principal, Option<String>)> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(&key)
            .filter(|c| c.at.elapsed() < ttl)
            .map(|c| (c.principal.clone(), c.secret_hash.clone()))
    }

    fn insert(&self, key: CacheKey, principal: Principal, secret_hash: Option<String>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= CACHE_CAPACITY {
            entries.clear();
        }
        entries.insert(
            key,
            Cached {
                principal,
                secret_hash,
                at: Instant::now(),
            },
        );
    }

    /// Forgets everything: after any change to accounts, keys, tokens, roles or grants.
    pub(super) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

fn invalid_credentials() -> Error {
    Error::unauthenticated("invalid credentials")
}

impl Service {
    /// Resolves the credentials a request presented to its principal.
    pub async fn authenticate(&self, credentials: &Credentials) -> Result<Principal> {
        match credentials {
            Credentials::None if self.auth.dev_mode => self.dev_principal().await,
            Credentials::None => Err(Error::unauthenticated(
                "authentication required: send 'Authorization: Bearer <token>' or 'X-API-Key: <key>'",
            )),
            Credentials::ApiKey(key) => self.authenticate_key(key).await,
            Credentials::Bearer(token) if token.starts_with(api_keys::PREFIX) => {
                self.authenticate_key(token).await
            }
            Credentials::Bearer(token) => self.authenticate_token(token).await,
        }
    }

    /// The dev-mode principal: a TenantAdmin of the default tenant without an account.
    async fn dev_principal(&self) -> Result<Principal> {
        Ok(Principal {
            user_id: None,
            name: "dev".to_owned(),
            kind: UserKind::Human,
            role: BuiltinRole::TenantAdmin,
            tenant_id: self.default_tenant().await?,
            token_id: None,
            grants: Arc::new([]),
        })
    }

    async fn authenticate_token(&self, token: &str) -> Result<Principal> {
        let claims = self.auth.keys.verify(token)?;
        let token_id: TokenId = claims.jti.parse().map_err(|_| invalid_credentials())?;
        if let Some((principal, _)) = self
            .principals
            .get(CacheKey::Token(token_id), self.auth.cache_ttl)
        {
            return Ok(principal);
        }
        let tenant = claims
            .tid
            .as_deref()
            .map(str::parse::<TenantId>)
            .transpose()
            .map_err(|_| invalid_credentials())?;
        let user_id: UserId = claims.sub.parse().map_err(|_| invalid_credentials())?;
        let record = match self.store.get_token(tenant, token_id).await {
            Ok(record) => record,
            Err(Error::NotFound { .. }) => return Err(invalid_credentials()),
            Err(e) => return Err(e),
        };
        if record.revoked_at.is_some() {
            return Err(Error::unauthenticated("the token has been revoked"));
        }
        if record.user_id != user_id {
            return Err(invalid_credentials());
        }
        let user = self.active_user(tenant, user_id).await?;
        let principal = self.principal_for(&user, Some(token_id)).await?;
        self.principals
            .insert(CacheKey::Token(token_id), principal.clone(), None);
        Ok(principal)
    }

    async fn authenticate_key(&self, key: &str) -> Result<Principal> {
        let (id, secret) = api_keys::parse(key).ok_or_else(invalid_credentials)?;
        if let Some((principal, Some(hash))) = self
            .principals
            .get(CacheKey::ApiKey(id), self.auth.cache_ttl)
        {
            return if api_keys::secret_matches(secret, &hash) {
                Ok(principal)
            } else {
                Err(invalid_credentials())
            };
        }
        let stored = match self.store.find_api_key(id).await {
            Ok(stored) => stored,
            Err(Error::NotFound { .. }) => return Err(invalid_credentials()),
            Err(e) => return Err(e),
        };
        if !api_keys::secret_matches(secret, &stored.secret_hash) {
            return Err(invalid_credentials());
        }
        if !stored.active {
            return Err(Error::unauthenticated("the API key is deactivated"));
        }
        let now = now_millis();
        if stored.expires_at.is_some_and(|at| at <= now) {
            return Err(Error::unauthenticated("the API key has expired"));
        }
        let user = self
            .active_user(Some(stored.tenant_id), stored.user_id)
            .await?;
        if stored
            .last_used_at
            .is_none_or(|at| now - at >= TOUCH_INTERVAL_MS)
        {
            // Bookkeeping must not slow down or fail the request.
            let store = self.store.clone();
            tokio::spawn(async move {
                if let Err(e) = store.touch_api_key(id, now).await {
                    tracing::warn!(key_id = %id, error = %e, "recording an API key's use failed");
                }
            });
        }
        let principal = self.principal_for(&user, None).await?;
        self.principals.insert(
            CacheKey::ApiKey(id),
            principal.clone(),
            Some(stored.secret_hash),
        );
        Ok(principal)
    }

    /// The account behind a credential, which must still exist and be active.
    async fn active_user(&self, tenant: Option<TenantId>, id: UserId) -> Result<User> {
        match self.store.get_user(tenant, id).await {
            Ok(user) if user.active => Ok(user),
            Ok(_) => Err(Error::unauthenticated("the account is deactivated")),
            Err(Error::NotFound { .. }) => Err(invalid_credentials()),
            Err(e) => Err(e),
        }
    }

    async fn principal_for(&self, user: &User, token_id: Option<TokenId>) -> Result<Principal> {
        let grants = match (user.role, user.tenant_id) {
            (BuiltinRole::TenantUser, Some(tenant)) => {
                self.store.effective_grants(tenant, user.id).await?.into()
            }
            _ => Arc::new([]) as Arc<[_]>,
        };
        Ok(Principal {
            user_id: Some(user.id),
            name: user.name.clone(),
            kind: user.kind,
            role: user.role,
            tenant_id: user.tenant_id,
            token_id,
            grants,
        })
    }

    /// Logs a person in: `tenant` names the tenant of the account (`None` for Root users).
    /// Every failure looks the same to the caller.
    pub async fn login(
        &self,
        tenant: Option<&str>,
        username: &str,
        password: &str,
        ip: Option<IpAddr>,
    ) -> Result<IssuedToken> {
        self.limits.check(
            ip,
            Some(&format!("{}/{username}", tenant.unwrap_or_default())),
        )?;
        let tenant_id = match tenant {
            None => None,
            Some(name) => match self.store.get_tenant_by_name(name).await {
                Ok(t) => Some(t.id),
                Err(Error::NotFound { .. }) => {
                    passwords::verify_blocking(password.to_owned(), None).await?;
                    return Err(Error::unauthenticated("invalid username or password"));
                }
                Err(e) => return Err(e),
            },
        };
        let user = match self.store.get_user_by_name(tenant_id, username).await {
            Ok(user) => Some(user),
            Err(Error::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let matches = passwords::verify_blocking(password.to_owned(), hash).await?;
        match user {
            Some(user) if matches && user.active && user.kind == UserKind::Human => {
                self.issue_token(&user, TokenKind::Login, self.auth.token_ttl, None)
                    .await
            }
            _ => Err(Error::unauthenticated("invalid username or password")),
        }
    }

    /// Revokes the token the request authenticated with.
    pub async fn logout(&self, ctx: &RequestContext) -> Result<()> {
        let principal = ctx.principal();
        let token = principal.token_id.ok_or_else(|| {
            Error::invalid("only requests authenticated with a token can log out")
        })?;
        self.store
            .revoke_token(principal.tenant_id, token, now_millis())
            .await?;
        self.principals.clear();
        Ok(())
    }

    /// The caller's account.
    pub async fn me(&self, ctx: &RequestContext) -> Result<User> {
        let principal = ctx.principal();
        let id = principal
            .user_id
            .ok_or_else(|| Error::invalid("the dev-mode principal has no account"))?;
        self.store.get_user(principal.tenant_id, id).await
    }

    /// OAuth2 client credentials: a service user's API key id and secret for a token.
    pub async fn client_credentials(
        &self,
        client_id: &str,
        client_secret: &str,
        ip: Option<IpAddr>,
    ) -> Result<IssuedToken> {
        self.limits.check(ip, Some(client_id))?;
        let id = api_keys::parse_client_id(client_id).ok_or_else(invalid_credentials)?;
        let key = format!(
            "{}{}_{client_secret}",
            api_keys::PREFIX,
            id.as_uuid().simple()
        );
        let principal = self.authenticate_key(&key).await?;
        let user = self
            .active_user(
                principal.tenant_id,
                principal.user_id.ok_or_else(invalid_credentials)?,
            )
            .await?;
        self.issue_token(&user, TokenKind::Oauth, self.auth.token_ttl, None)
            .await
    }

    /// OAuth2 token exchange: a valid token (or API key) for a fresh token of the same principal.
    pub async fn exchange_token(
        &self,
        subject_token: &str,
        ip: Option<IpAddr>,
    ) -> Result<IssuedToken> {
        self.limits.check(ip, None)?;
        let principal = self
            .authenticate(&Credentials::Bearer(subject_token.to_owned()))
            .await?;
        let user = self
            .active_user(
                principal.tenant_id,
                principal.user_id.ok_or_else(invalid_credentials)?,
            )
            .await?;
        self.issue_token(&user, TokenKind::Oauth, self.auth.token_ttl, None)
            .await
    }

    /// Signs a token for `user` and records it.
    pub(super) async fn issue_token(
        &self,
        user: &User,
        kind: TokenKind,
        ttl: Duration,
        description: Option<String>,
    ) -> Result<IssuedToken> {
        let issued_at = now_millis();
        let expires_at = issued_at + i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX / 2);
        let record = TokenRecord {
            id: TokenId::generate(),
            tenant_id: user.tenant_id,
            user_id: user.id,
            kind,
            description,
            issued_at,
            expires_at,
            revoked_at: None,
        };
        self.store.insert_token(&record).await?;
        let token = self.auth.keys.sign(&Claims {
            sub: user.id.to_string(),
            tid: user.tenant_id.map(|t| t.to_string()),
            jti: record.id.to_string(),
            iat: issued_at / 1000,
            exp: expires_at / 1000,
            iss: ISSUER.to_owned(),
        })?;
        Ok(IssuedToken { token, record })
    }

    /// Creates the Root user `root` when there is no Root user yet, with `password` or a generated
    /// one. Returns the generated password (to be shown once) when it generated one.
    pub async fn bootstrap_root(&self, password: Option<String>) -> Result<Option<String>> {
        if !self
            .store
            .list_users(None, &PageRequest::first(1))
            .await?
            .items
            .is_empty()
        {
            return Ok(None);
        }
        let (password, generated) = match password {
            Some(password) => {
                passwords::validate(&password)?;
                (password, false)
            }
            None => (passwords::generate(), true),
        };
        let now = now_millis();
        let user = User {
            id: UserId::generate(),
            tenant_id: None,
            name: ROOT_USER.to_owned(),
            kind: UserKind::Human,
            role: BuiltinRole::Root,
            email: None,
            password_hash: Some(passwords::hash_blocking(password.clone()).await?),
            active: true,
            created_at: now,
            updated_at: now,
        };
        match self.store.create_user(&user).await {
            Ok(()) => Ok(generated.then_some(password)),
            // Another instance on the same database created it first.
            Err(Error::AlreadyExists { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Periodic housekeeping: removes the records of expired tokens (returns how many) and
    /// forgets recovered rate-limit counters.
    pub async fn housekeeping(&self) -> Result<u64> {
        self.limits.prune();
        self.store.delete_expired_tokens(now_millis()).await
    }
}
