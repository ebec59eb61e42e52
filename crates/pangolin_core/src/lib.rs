//! Pangolin's shared domain model.
//!
//! Everything here is plain data and validation: ids, tenancy resources (tenants, warehouses with typed
//! storage profiles, catalogs), identities (users, service users, API keys, tokens, roles and grants),
//! the audit log, namespaces and tabulars (tables and views), pagination and the domain
//! error. Nothing in this crate performs I/O; the store and the API build on these types.

pub mod audit;
pub mod catalog;
pub mod error;
pub mod identity;
pub mod ids;
pub mod location;
pub mod metrics;
pub mod names;
pub mod namespace;
pub mod page;
pub mod tabular;
pub mod tenant;
pub mod warehouse;

pub use audit::{AuditEvent, AuditFilter, AuditResult};
pub use catalog::{Catalog, CatalogUpdate};
pub use error::{Entity, Error, Result};
pub use identity::{
    Action, ApiKey, ApiKeyUpdate, BuiltinRole, Grant, GrantScope, Grantee, NewGrant, PasswordHash,
    ResolvedScope, Role, TokenKind, TokenRecord, User, UserKind, UserUpdate,
};
pub use ids::{
    ApiKeyId, AuditEventId, CatalogId, GrantId, MetricsReportId, NamespaceId, RoleId, TabularId,
    TenantId, TokenId, UserId, WarehouseId,
};
pub use location::Location;
pub use metrics::MetricsReport;
pub use names::{validate_catalog_name, validate_name};
pub use namespace::{Namespace, NamespaceIdent};
pub use page::{Page, PageRequest, PageToken};
pub use tabular::{CommitOp, NewTabular, PointerSwap, Tabular, TabularIdent, TabularKind};
pub use tenant::{Tenant, TenantUpdate};
pub use warehouse::{FileStorage, S3Credentials, S3Storage, Secret, StorageProfile, Warehouse};

/// The current time in milliseconds since the Unix epoch, the unit every record's timestamps use.
pub fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
