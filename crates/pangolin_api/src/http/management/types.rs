//! Bodies of the management API. JSON is kebab-case; secrets are write-only: they are accepted in
//! requests and never rendered.

use std::collections::BTreeMap;

use pangolin_core::{
    Catalog, CatalogId, PageRequest, S3Credentials, StorageProfile, Tenant, TenantId, Warehouse,
    WarehouseId,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::http::audit::AuditNote;

/// `201 Created` with the new resource as the body, named by id and name for the audit log
/// (the request's path names neither yet).
#[derive(Debug)]
pub struct Created<T> {
    pub id: String,
    pub name: Option<String>,
    pub body: T,
}

impl<T: Serialize> axum::response::IntoResponse for Created<T> {
    fn into_response(self) -> axum::response::Response {
        AuditNote::resource(Some(self.id), self.name)
            .attach((axum::http::StatusCode::CREATED, axum::Json(self.body)).into_response())
    }
}

/// Pagination: without `pageToken` everything is returned; with it (empty for the first page)
/// pages of `pageSize` items (default 100, at most 1000).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The `next-page-token` of the previous page; empty for the first page.
    #[serde(rename = "pageToken")]
    #[param(rename = "pageToken")]
    pub page_token: Option<String>,
    /// The page size.
    #[serde(rename = "pageSize")]
    #[param(rename = "pageSize", minimum = 1, maximum = 1000)]
    pub page_size: Option<usize>,
}

impl PageParams {
    pub fn request(&self) -> Result<PageRequest, ApiError> {
        PageRequest::from_client(self.page_token.as_deref(), self.page_size).map_err(Into::into)
    }
}

/// Parses an id from a path or body; a malformed id is a 400 naming what it should be.
pub fn parse_id<T: std::str::FromStr>(what: &str, value: &str) -> Result<T, ApiError> {
    value
        .parse()
        .map_err(|_| ApiError::bad_request(format!("'{value}' is not a {what} id")))
}

/// Deserializes a field that may be absent (`None`), `null` (`Some(None)`) or a value.
pub fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Parses an RFC 3339 time (a query or body field named `name`) to milliseconds since the epoch.
pub fn parse_timestamp(name: &str, value: &str) -> Result<i64, ApiError> {
    chrono::DateTime::parse_from_rfc3339(value)
        .map(|t| t.timestamp_millis())
        .map_err(|_| ApiError::bad_request(format!("{name} '{value}' is not RFC 3339")))
}

pub fn timestamp(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A tenant.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub struct TenantView {
    pub id: TenantId,
    pub name: String,
    pub properties: BTreeMap<String, String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl From<Tenant> for TenantView {
    fn from(t: Tenant) -> Self {
        Self {
            id: t.id,
            name: t.name,
            properties: t.properties,
            created_at: timestamp(t.created_at),
            updated_at: timestamp(t.updated_at),
        }
    }
}

/// A page of tenants.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantList {
    pub items: Vec<TenantView>,
    #[serde(rename = "next-page-token")]
    pub next_page_token: Option<String>,
}

/// Creates a tenant.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTenantRequest {
    /// Unique and immutable.
    pub name: String,
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
}

/// Replaces the properties of a tenant or catalog.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdatePropertiesRequest {
    pub properties: BTreeMap<String, String>,
}

/// A warehouse's storage as rendered: the profile without its secrets.
#[derive(Debug, Serialize, ToSchema)]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "kebab-case"
)]
pub enum StorageView {
    /// A local directory.
    File { root: String },
    /// An S3 or S3-compatible bucket.
    S3 {
        bucket: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        key_prefix: Option<String>,
        region: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        endpoint: Option<String>,
        path_style_access: bool,
        credentials: CredentialsView,
    },
}

/// Credentials as rendered: the kind and the public key id only.
#[derive(Debug, Serialize, ToSchema)]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "kebab-case"
)]
pub enum CredentialsView {
    /// A static access key; the secret is never returned.
    Static { access_key_id: String },
}

impl From<StorageProfile> for StorageView {
    fn from(profile: StorageProfile) -> Self {
        match profile {
            StorageProfile::File(file) => StorageView::File { root: file.root },
            StorageProfile::S3(s3) => StorageView::S3 {
                bucket: s3.bucket,
                key_prefix: s3.key_prefix,
                region: s3.region,
                endpoint: s3.endpoint,
                path_style_access: s3.path_style_access,
                credentials: match s3.credentials {
                    S3Credentials::Static { access_key_id, .. } => {
                        CredentialsView::Static { access_key_id }
                    }
                },
            },
        }
    }
}

/// A warehouse.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub struct WarehouseView {
    pub id: WarehouseId,
    pub name: String,
    pub storage: StorageView,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Warehouse> for WarehouseView {
    fn from(w: Warehouse) -> Self {
        Self {
            id: w.id,
            name: w.name,
            storage: w.storage.into(),
            created_at: timestamp(w.created_at),
            updated_at: timestamp(w.updated_at),
        }
    }
}

/// A page of warehouses.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarehouseList {
    pub items: Vec<WarehouseView>,
    #[serde(rename = "next-page-token")]
    pub next_page_token: Option<String>,
}

/// Creates a warehouse. The server writes and deletes a probe object at the storage root first.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateWarehouseRequest {
    /// Unique in the tenant and immutable.
    pub name: String,
    pub storage: StorageProfile,
}

/// Replaces a warehouse's storage profile; type, root, bucket and key prefix cannot change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateWarehouseRequest {
    pub storage: StorageProfile,
}

/// A catalog.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub struct CatalogView {
    pub id: CatalogId,
    pub name: String,
    /// The warehouse's name.
    pub warehouse: String,
    pub base_location: String,
    pub properties: BTreeMap<String, String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Catalog> for CatalogView {
    fn from(c: Catalog) -> Self {
        Self {
            id: c.id,
            name: c.name,
            warehouse: c.warehouse_name,
            base_location: c.base_location,
            properties: c.properties,
            created_at: timestamp(c.created_at),
            updated_at: timestamp(c.updated_at),
        }
    }
}

/// A page of catalogs.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogList {
    pub items: Vec<CatalogView>,
    #[serde(rename = "next-page-token")]
    pub next_page_token: Option<String>,
}

/// Creates a catalog.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub struct CreateCatalogRequest {
    /// Unique in the tenant and immutable; Iceberg clients pass it as `warehouse`. ASCII letters,
    /// digits, `_`, `-`, `.`.
    pub name: String,
    /// The name of the warehouse holding the catalog's data.
    pub warehouse: String,
    /// Inside the warehouse; defaults to `<warehouse root>/<name>`. Must not overlap another
    /// catalog's base location.
    #[serde(default)]
    pub base_location: Option<String>,
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
}

/// A stored metrics report.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub struct MetricsReportEntry {
    pub id: String,
    /// `scan-report` or `commit-report`.
    pub report_type: String,
    pub received_at: String,
    /// The report as the client sent it.
    pub report: serde_json::Value,
}

/// A page of metrics reports, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricsReportList {
    pub items: Vec<MetricsReportEntry>,
    #[serde(rename = "next-page-token")]
    pub next_page_token: Option<String>,
}
