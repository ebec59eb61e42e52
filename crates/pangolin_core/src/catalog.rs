//! Catalogs: what Iceberg clients address as the `warehouse` / `prefix`. A catalog stores its tables
//! under a base location inside one warehouse.

use std::collections::BTreeMap;

use crate::ids::{CatalogId, TenantId, WarehouseId};

/// A catalog backed by a warehouse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalog {
    /// Its id.
    pub id: CatalogId,
    /// The owning tenant.
    pub tenant_id: TenantId,
    /// Its name, unique in the tenant and immutable: Iceberg clients use it as the REST prefix.
    pub name: String,
    /// The warehouse holding its data.
    pub warehouse_id: WarehouseId,
    /// The warehouse's name (resolved by the store when reading).
    pub warehouse_name: String,
    /// Where its tables live; inside the warehouse, immutable.
    pub base_location: String,
    /// Free-form properties.
    pub properties: BTreeMap<String, String>,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
    /// Last update time, milliseconds since the epoch.
    pub updated_at: i64,
}

/// A change to a catalog: the new properties replace the old ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CatalogUpdate {
    /// The complete new set of properties.
    pub properties: BTreeMap<String, String>,
}
