//! Pangolin's persistence layer.
//!
//! [`CatalogStore`] is the union of one small trait per aggregate ([`Tenants`], [`Warehouses`],
//! [`Catalogs`], [`Namespaces`], [`Tabulars`], [`MetricsReports`], [`Users`], [`ApiKeys`], [`Roles`], [`Grants`], [`Tokens`], [`AuditLog`],
//! [`Health`]); every backend
//! implements the aggregates in one file each and gets `CatalogStore` from a blanket impl. Stores are
//! persistence only: create, get, list, update, delete, keyset-paginated listing and the atomic
//! compare-and-swap of table metadata pointers. Rules (validation, authorization, commit semantics)
//! live in the service layer above.
//!
//! Backends: [`memory::MemoryStore`] (tests, ephemeral dev) and [`sql::SqlStore`] (SQLite, the
//! embedded default, and PostgreSQL). [`objects`] reads and writes table metadata files in a warehouse;
//! [`secrets`] encrypts the warehouse secrets the SQL store keeps.

mod access;
mod aggregates;
pub mod memory;
pub mod objects;
pub mod secrets;
pub mod sql;
mod sql_error;

#[cfg(feature = "testing")]
pub mod conformance;
#[cfg(feature = "testing")]
pub mod testing;

pub use access::{ApiKeys, AuditLog, Grants, Roles, Tokens, Users};
pub use aggregates::{
    CatalogStore, Catalogs, Health, MetricsReports, Namespaces, NewNamespace, Tabulars, Tenants,
    Warehouses,
};

use std::collections::HashSet;

use pangolin_core::{CommitOp, Error, Result};

/// Rejects a commit that touches the same tabular twice: every backend applies operations in
/// order, and two operations on one target would make the outcome depend on that order.
pub(crate) fn ensure_distinct_targets(ops: &[CommitOp]) -> Result<()> {
    let mut seen = HashSet::new();
    for op in ops {
        let target = match op {
            CommitOp::Create(new) => (new.ident.namespace.encoded(), new.ident.name.clone()),
            CommitOp::Swap(swap) => (swap.ident.namespace.encoded(), swap.ident.name.clone()),
        };
        if !seen.insert(target) {
            return Err(Error::invalid(format!(
                "a commit may change each table at most once; {} appears twice",
                match op {
                    CommitOp::Create(new) => &new.ident,
                    CommitOp::Swap(swap) => &swap.ident,
                }
            )));
        }
    }
    Ok(())
}
