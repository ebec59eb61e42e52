//! Pangolin's shared domain model.
//!
//! Everything here is plain data and validation: ids, tenancy resources (tenants, warehouses with typed
//! storage profiles, catalogs), namespaces and tabulars (tables and views), pagination and the domain
//! error. Nothing in this crate performs I/O; the store and the API build on these types.

pub mod catalog;
pub mod error;
pub mod ids;
pub mod location;
pub mod metrics;
pub mod names;
pub mod namespace;
pub mod page;
pub mod tabular;
pub mod tenant;
pub mod warehouse;

pub use catalog::{Catalog, CatalogUpdate};
pub use error::{Entity, Error, Result};
pub use ids::{CatalogId, MetricsReportId, NamespaceId, TabularId, TenantId, WarehouseId};
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
