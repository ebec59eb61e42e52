//! The store traits, one per aggregate.

use std::collections::BTreeMap;
use std::fmt::Debug;

use async_trait::async_trait;

use crate::access::{ApiKeys, AuditLog, Grants, Roles, Tokens, Users};
use pangolin_core::{
    Catalog, CatalogUpdate, CommitOp, MetricsReport, Namespace, NamespaceId, NamespaceIdent, Page,
    PageRequest, Result, StorageProfile, Tabular, TabularId, TabularIdent, TabularKind, Tenant,
    TenantId, TenantUpdate, Warehouse, WarehouseId,
};

/// Tenants: global, looked up by id or unique name.
#[async_trait]
pub trait Tenants: Send + Sync {
    /// Inserts a tenant. `AlreadyExists` if the name is taken.
    async fn create_tenant(&self, tenant: &Tenant) -> Result<()>;
    /// `NotFound` if there is no such tenant.
    async fn get_tenant(&self, id: TenantId) -> Result<Tenant>;
    /// `NotFound` if there is no such tenant.
    async fn get_tenant_by_name(&self, name: &str) -> Result<Tenant>;
    /// Tenants ordered by name.
    async fn list_tenants(&self, page: &PageRequest) -> Result<Page<Tenant>>;
    /// Replaces the tenant's properties.
    async fn update_tenant(&self, id: TenantId, update: &TenantUpdate) -> Result<Tenant>;
    /// Deletes a tenant. `NotEmpty` while it owns warehouses or catalogs.
    async fn delete_tenant(&self, id: TenantId) -> Result<()>;
}

/// Warehouses, scoped by tenant.
#[async_trait]
pub trait Warehouses: Send + Sync {
    /// Inserts a warehouse. `NotFound` if its tenant does not exist, `AlreadyExists` if the name is
    /// taken in the tenant.
    async fn create_warehouse(&self, warehouse: &Warehouse) -> Result<()>;
    /// `NotFound` unless the warehouse exists in `tenant`.
    async fn get_warehouse(&self, tenant: TenantId, id: WarehouseId) -> Result<Warehouse>;
    /// `NotFound` unless the warehouse exists in `tenant`.
    async fn get_warehouse_by_name(&self, tenant: TenantId, name: &str) -> Result<Warehouse>;
    /// The tenant's warehouses ordered by name.
    async fn list_warehouses(
        &self,
        tenant: TenantId,
        page: &PageRequest,
    ) -> Result<Page<Warehouse>>;
    /// Replaces the storage profile.
    async fn update_warehouse(
        &self,
        tenant: TenantId,
        id: WarehouseId,
        storage: &StorageProfile,
    ) -> Result<Warehouse>;
    /// Deletes a warehouse. `NotEmpty` while catalogs use it.
    async fn delete_warehouse(&self, tenant: TenantId, id: WarehouseId) -> Result<()>;
}

/// Catalogs, scoped by tenant and addressed by their immutable name.
#[async_trait]
pub trait Catalogs: Send + Sync {
    /// Inserts a catalog (its `warehouse_name` is ignored). `NotFound` if the warehouse does not
    /// exist in the catalog's tenant, `AlreadyExists` if the name is taken.
    async fn create_catalog(&self, catalog: &Catalog) -> Result<()>;
    /// `NotFound` unless the catalog exists in `tenant`.
    async fn get_catalog(&self, tenant: TenantId, name: &str) -> Result<Catalog>;
    /// The tenant's catalogs ordered by name.
    async fn list_catalogs(&self, tenant: TenantId, page: &PageRequest) -> Result<Page<Catalog>>;
    /// Replaces the catalog's properties.
    async fn update_catalog(
        &self,
        tenant: TenantId,
        name: &str,
        update: &CatalogUpdate,
    ) -> Result<Catalog>;
    /// Deletes a catalog. `NotEmpty` while it holds namespaces.
    async fn delete_catalog(&self, tenant: TenantId, name: &str) -> Result<()>;
}

/// A namespace to insert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewNamespace {
    /// The id to give it.
    pub id: NamespaceId,
    /// Its name; its parent must exist.
    pub ident: NamespaceIdent,
    /// Its initial properties.
    pub properties: BTreeMap<String, String>,
}

/// Namespaces inside a catalog. Every method answers `NotFound(Catalog)` when the catalog does not
/// exist in the tenant.
#[async_trait]
pub trait Namespaces: Send + Sync {
    /// Inserts a namespace. `NotFound(Namespace)` if its parent does not exist, `AlreadyExists` if
    /// it exists.
    async fn create_namespace(
        &self,
        tenant: TenantId,
        catalog: &str,
        namespace: &NewNamespace,
    ) -> Result<Namespace>;
    /// `NotFound(Namespace)` if it does not exist.
    async fn get_namespace(
        &self,
        tenant: TenantId,
        catalog: &str,
        ident: &NamespaceIdent,
    ) -> Result<Namespace>;
    /// The direct children of `parent` (top-level namespaces for `None`) ordered by their last
    /// level. `NotFound(Namespace)` if `parent` does not exist.
    async fn list_namespaces(
        &self,
        tenant: TenantId,
        catalog: &str,
        parent: Option<&NamespaceIdent>,
        page: &PageRequest,
    ) -> Result<Page<Namespace>>;
    /// Removes `removals` and sets `updates` atomically; returns the properties before the change
    /// and the namespace after it.
    async fn update_namespace_properties(
        &self,
        tenant: TenantId,
        catalog: &str,
        ident: &NamespaceIdent,
        updates: &BTreeMap<String, String>,
        removals: &[String],
    ) -> Result<(BTreeMap<String, String>, Namespace)>;
    /// Deletes a namespace. `NotEmpty` while it holds namespaces, tables or views.
    async fn drop_namespace(
        &self,
        tenant: TenantId,
        catalog: &str,
        ident: &NamespaceIdent,
    ) -> Result<()>;
}

/// Tables and views inside a catalog; both kinds share one identifier space. Every method answers
/// `NotFound(Catalog)` when the catalog does not exist in the tenant.
#[async_trait]
pub trait Tabulars: Send + Sync {
    /// The tabular of `kind` named `ident`, with its current metadata. `NotFound(Table|View)` when
    /// there is none of that kind (including when the namespace does not exist).
    async fn load_tabular(
        &self,
        tenant: TenantId,
        catalog: &str,
        kind: TabularKind,
        ident: &TabularIdent,
    ) -> Result<Tabular>;
    /// Names of the tabulars of `kind` in `namespace`, ordered by name. `NotFound(Namespace)` if
    /// the namespace does not exist.
    async fn list_tabulars(
        &self,
        tenant: TenantId,
        catalog: &str,
        namespace: &NamespaceIdent,
        kind: TabularKind,
        page: &PageRequest,
    ) -> Result<Page<TabularIdent>>;
    /// Applies every operation or none. A `Create` fails with `NotFound(Namespace)` or
    /// `AlreadyExists(kind of the holder)`; a `Swap` fails with `NotFound(kind)` if the tabular is
    /// gone and `Conflict` if its pointer moved.
    async fn commit(&self, tenant: TenantId, catalog: &str, ops: &[CommitOp]) -> Result<()>;
    /// Renames (and possibly moves) a tabular. `NotFound(kind)` for the source,
    /// `NotFound(Namespace)` for the target namespace, `AlreadyExists` for a taken target name.
    async fn rename_tabular(
        &self,
        tenant: TenantId,
        catalog: &str,
        kind: TabularKind,
        from: &TabularIdent,
        to: &TabularIdent,
    ) -> Result<()>;
    /// Removes a tabular and returns it as it was. `NotFound(kind)` if there is none.
    async fn drop_tabular(
        &self,
        tenant: TenantId,
        catalog: &str,
        kind: TabularKind,
        ident: &TabularIdent,
    ) -> Result<Tabular>;
}

/// Metrics reports, stored per table and removed with it.
#[async_trait]
pub trait MetricsReports: Send + Sync {
    /// Stores a report. `NotFound(Table)` if the table is gone.
    async fn insert_metrics_report(&self, report: &MetricsReport) -> Result<()>;
    /// A table's reports, oldest first.
    async fn list_metrics_reports(
        &self,
        tenant: TenantId,
        table: TabularId,
        page: &PageRequest,
    ) -> Result<Page<MetricsReport>>;
}

/// Liveness of the store itself.
#[async_trait]
pub trait Health: Send + Sync {
    /// Succeeds when the store can serve requests; `Unavailable` otherwise.
    async fn ping(&self) -> Result<()>;
}

/// Everything a backend provides.
pub trait CatalogStore:
    Tenants
    + Warehouses
    + Catalogs
    + Namespaces
    + Tabulars
    + MetricsReports
    + Users
    + ApiKeys
    + Roles
    + Grants
    + Tokens
    + AuditLog
    + Health
    + Debug
{
}

impl<T> CatalogStore for T where
    T: Tenants
        + Warehouses
        + Catalogs
        + Namespaces
        + Tabulars
        + MetricsReports
        + Users
        + ApiKeys
        + Roles
        + Grants
        + Tokens
        + AuditLog
        + Health
        + Debug
{
}
