//! Tenants: the unit of isolation. Every other resource belongs to exactly one tenant.

use std::collections::BTreeMap;

use crate::ids::TenantId;

/// A tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    /// Its id.
    pub id: TenantId,
    /// Its unique, immutable name.
    pub name: String,
    /// Free-form properties.
    pub properties: BTreeMap<String, String>,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
    /// Last update time, milliseconds since the epoch.
    pub updated_at: i64,
}

/// A change to a tenant: the new properties replace the old ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TenantUpdate {
    /// The complete new set of properties.
    pub properties: BTreeMap<String, String>,
}
