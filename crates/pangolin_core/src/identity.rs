//! Identity and access: users and service users, their API keys and tokens, custom roles and
//! grants. Plain data; hashing, signing and the authorization decision live in the API's service
//! layer.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::ids::{
    ApiKeyId, CatalogId, GrantId, NamespaceId, RoleId, TabularId, TenantId, TokenId, UserId,
    WarehouseId,
};
use crate::namespace::NamespaceIdent;
use crate::tabular::{TabularIdent, TabularKind};

/// A principal's built-in role. Root users belong to no tenant; everyone else to exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BuiltinRole {
    /// Everything, in every tenant.
    Root,
    /// Everything inside its tenant.
    TenantAdmin,
    /// Only what its grants (direct and through custom roles) allow.
    TenantUser,
}

impl BuiltinRole {
    /// The stored and serialized name.
    pub const fn as_str(self) -> &'static str {
        match self {
            BuiltinRole::Root => "root",
            BuiltinRole::TenantAdmin => "tenant-admin",
            BuiltinRole::TenantUser => "tenant-user",
        }
    }

    /// How much the role may do, for "nobody creates someone more powerful than themselves".
    pub const fn rank(self) -> u8 {
        match self {
            BuiltinRole::Root => 2,
            BuiltinRole::TenantAdmin => 1,
            BuiltinRole::TenantUser => 0,
        }
    }
}

impl fmt::Display for BuiltinRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BuiltinRole {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "root" => Ok(BuiltinRole::Root),
            "tenant-admin" => Ok(BuiltinRole::TenantAdmin),
            "tenant-user" => Ok(BuiltinRole::TenantUser),
            other => Err(Error::invalid(format!("unknown role '{other}'"))),
        }
    }
}

/// Whether a principal is a person (logs in with a password) or a service user (authenticates
/// with API keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UserKind {
    /// A person with a password.
    Human,
    /// A service user with API keys.
    Service,
}

impl UserKind {
    /// The stored and serialized name.
    pub const fn as_str(self) -> &'static str {
        match self {
            UserKind::Human => "human",
            UserKind::Service => "service",
        }
    }
}

impl FromStr for UserKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "human" => Ok(UserKind::Human),
            "service" => Ok(UserKind::Service),
            other => Err(Error::invalid(format!("unknown user kind '{other}'"))),
        }
    }
}

/// A password hash in PHC string format. Redacted in `Debug`; never serialized.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a PHC string.
    pub fn new(phc: impl Into<String>) -> Self {
        Self(phc.into())
    }

    /// The PHC string, for verification and storage.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(***)")
    }
}

/// A user or service user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Its id.
    pub id: UserId,
    /// Its tenant; `None` exactly for Root users.
    pub tenant_id: Option<TenantId>,
    /// Its login name, unique among the users of its tenant (or among Root users).
    pub name: String,
    /// Person or service user.
    pub kind: UserKind,
    /// Its built-in role.
    pub role: BuiltinRole,
    /// A contact address, if known.
    pub email: Option<String>,
    /// The password hash of a person; `None` for service users.
    pub password_hash: Option<PasswordHash>,
    /// Deactivated users cannot log in and their tokens and keys stop working.
    pub active: bool,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
    /// Last update time, milliseconds since the epoch.
    pub updated_at: i64,
}

/// A change to a user; `None` fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserUpdate {
    /// A new contact address (`Some(None)` clears it).
    pub email: Option<Option<String>>,
    /// A new password hash.
    pub password_hash: Option<PasswordHash>,
    /// Activate or deactivate.
    pub active: Option<bool>,
    /// A new built-in role (never to or from Root: Root users have no tenant).
    pub role: Option<BuiltinRole>,
}

/// An API key of a service user: `pgl_<id>_<secret>`; only a hash of the secret is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKey {
    /// The key id, the public part of the key.
    pub id: ApiKeyId,
    /// The service user's tenant.
    pub tenant_id: TenantId,
    /// The service user it authenticates.
    pub user_id: UserId,
    /// A label chosen by whoever created it.
    pub name: String,
    /// The hex SHA-256 of the secret part.
    pub secret_hash: String,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
    /// When the key stops working, if ever.
    pub expires_at: Option<i64>,
    /// The last time it authenticated a request (updated at most once a minute).
    pub last_used_at: Option<i64>,
    /// Deactivated keys do not authenticate.
    pub active: bool,
}

/// A change to an API key; `None` fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiKeyUpdate {
    /// A new secret hash (rotation).
    pub secret_hash: Option<String>,
    /// A new expiry (`Some(None)`: never).
    pub expires_at: Option<Option<i64>>,
    /// Activate or deactivate.
    pub active: Option<bool>,
}

/// How a token was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TokenKind {
    /// A user logged in with a password.
    Login,
    /// A client exchanged credentials (API key or token) at the OAuth2 token endpoint.
    Oauth,
    /// An administrator or the user issued it explicitly.
    Issued,
}

impl TokenKind {
    /// The stored and serialized name.
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenKind::Login => "login",
            TokenKind::Oauth => "oauth",
            TokenKind::Issued => "issued",
        }
    }
}

impl FromStr for TokenKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "login" => Ok(TokenKind::Login),
            "oauth" => Ok(TokenKind::Oauth),
            "issued" => Ok(TokenKind::Issued),
            other => Err(Error::invalid(format!("unknown token kind '{other}'"))),
        }
    }
}

/// The record of an issued token (never the token itself). Kept until the token expires, so every
/// instance honours a revocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    /// The token's `jti`.
    pub id: TokenId,
    /// The holder's tenant (`None` for Root users).
    pub tenant_id: Option<TenantId>,
    /// The holder.
    pub user_id: UserId,
    /// How it was obtained.
    pub kind: TokenKind,
    /// A label, for issued tokens.
    pub description: Option<String>,
    /// Issue time, milliseconds since the epoch.
    pub issued_at: i64,
    /// Expiry, milliseconds since the epoch.
    pub expires_at: i64,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
}

/// What a grant allows. `Write` implies `Read`, which implies `List`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// See the resources in the scope in listings.
    List,
    /// Load tables, views and namespaces, and report metrics.
    Read,
    /// Create namespaces, tables and views inside the scope.
    Create,
    /// Commit to tables and views, update namespace properties, rename.
    Write,
    /// Drop namespaces, tables and views.
    Delete,
    /// Grant and revoke actions (that the granter holds) on the scope.
    ManageGrants,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 6] = [
        Action::List,
        Action::Read,
        Action::Create,
        Action::Write,
        Action::Delete,
        Action::ManageGrants,
    ];

    /// The stored and serialized name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::List => "list",
            Action::Read => "read",
            Action::Create => "create",
            Action::Write => "write",
            Action::Delete => "delete",
            Action::ManageGrants => "manage-grants",
        }
    }

    /// Whether holding `self` allows `wanted`.
    pub const fn implies(self, wanted: Action) -> bool {
        matches!(
            (self, wanted),
            (Action::List, Action::List)
                | (Action::Read, Action::List | Action::Read)
                | (Action::Write, Action::List | Action::Read | Action::Write)
                | (Action::Create, Action::Create)
                | (Action::Delete, Action::Delete)
                | (Action::ManageGrants, Action::ManageGrants)
        )
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| Error::invalid(format!("unknown action '{s}'")))
    }
}

/// Who holds a grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Grantee {
    /// A user or service user, directly.
    User(UserId),
    /// Every user a custom role is assigned to.
    Role(RoleId),
}

/// What a grant covers, by id. A grant covers its scope and everything inside it: a warehouse its
/// catalogs, a catalog its namespaces, a namespace its nested namespaces, tables and views.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GrantScope {
    /// The whole tenant.
    Tenant,
    /// A warehouse and the catalogs on it.
    Warehouse(WarehouseId),
    /// A catalog.
    Catalog(CatalogId),
    /// A namespace and everything nested in it.
    Namespace(NamespaceId),
    /// One table or view.
    Tabular(TabularId),
}

/// A grant's scope with the current names of what it points at (grants follow renames).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolvedScope {
    /// The whole tenant.
    Tenant,
    /// A warehouse.
    Warehouse {
        /// Its id.
        id: WarehouseId,
        /// Its name.
        name: String,
    },
    /// A catalog.
    Catalog {
        /// Its id.
        id: CatalogId,
        /// Its name.
        name: String,
        /// Its warehouse.
        warehouse_id: WarehouseId,
    },
    /// A namespace.
    Namespace {
        /// Its id.
        id: NamespaceId,
        /// Its catalog.
        catalog_id: CatalogId,
        /// Its catalog's name.
        catalog: String,
        /// Its name.
        ident: NamespaceIdent,
    },
    /// A table or view.
    Tabular {
        /// Its id.
        id: TabularId,
        /// Table or view.
        kind: TabularKind,
        /// Its catalog.
        catalog_id: CatalogId,
        /// Its catalog's name.
        catalog: String,
        /// Its name.
        ident: TabularIdent,
    },
}

impl ResolvedScope {
    /// The scope by id.
    pub fn unresolved(&self) -> GrantScope {
        match self {
            ResolvedScope::Tenant => GrantScope::Tenant,
            ResolvedScope::Warehouse { id, .. } => GrantScope::Warehouse(*id),
            ResolvedScope::Catalog { id, .. } => GrantScope::Catalog(*id),
            ResolvedScope::Namespace { id, .. } => GrantScope::Namespace(*id),
            ResolvedScope::Tabular { id, .. } => GrantScope::Tabular(*id),
        }
    }
}

/// A grant to insert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewGrant {
    /// Its id.
    pub id: GrantId,
    /// Its tenant (the grantee's and the scope's).
    pub tenant_id: TenantId,
    /// Who holds it.
    pub grantee: Grantee,
    /// What it allows.
    pub action: Action,
    /// Where.
    pub scope: GrantScope,
    /// Who granted it.
    pub granted_by: Option<UserId>,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
}

/// A stored grant with its scope resolved to current names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// Its id.
    pub id: GrantId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Who holds it.
    pub grantee: Grantee,
    /// What it allows.
    pub action: Action,
    /// Where.
    pub scope: ResolvedScope,
    /// Who granted it.
    pub granted_by: Option<UserId>,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
}

/// A custom role: a named set of grants assigned to users.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    /// Its id.
    pub id: RoleId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Its name, unique in the tenant.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
    /// Last update time, milliseconds since the epoch.
    pub updated_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_implies_read_implies_list_and_nothing_else() {
        assert!(Action::Write.implies(Action::Read));
        assert!(Action::Write.implies(Action::List));
        assert!(Action::Read.implies(Action::List));
        assert!(!Action::Read.implies(Action::Write));
        assert!(!Action::List.implies(Action::Read));
        assert!(!Action::Write.implies(Action::Create));
        assert!(!Action::Write.implies(Action::Delete));
        assert!(!Action::ManageGrants.implies(Action::Read));
        for action in Action::ALL {
            assert!(action.implies(action));
            assert_eq!(action.as_str().parse::<Action>().unwrap(), action);
        }
    }

    #[test]
    fn names_round_trip() {
        for role in [
            BuiltinRole::Root,
            BuiltinRole::TenantAdmin,
            BuiltinRole::TenantUser,
        ] {
            assert_eq!(role.as_str().parse::<BuiltinRole>().unwrap(), role);
        }
        for kind in [TokenKind::Login, TokenKind::Oauth, TokenKind::Issued] {
            assert_eq!(kind.as_str().parse::<TokenKind>().unwrap(), kind);
        }
        assert!("admin".parse::<BuiltinRole>().is_err());
    }
}
