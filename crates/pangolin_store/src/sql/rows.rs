//! Row types and their conversion into domain records.

use std::collections::BTreeMap;
use std::str::FromStr;

use pangolin_core::{
    Catalog, Error, MetricsReport, Namespace, NamespaceIdent, Result, Secret, StorageProfile,
    Tabular, TabularIdent, TabularKind, Tenant, Warehouse, WarehouseId,
};

use crate::secrets::SecretCipher;
use crate::sql_error::corrupt;

pub(super) fn parse_id<T: FromStr<Err = uuid::Error>>(s: &str) -> Result<T> {
    s.parse().map_err(|e| corrupt("id", e))
}

/// Parses a stored enum name (a role, an action, a kind); a value the code does not know is a
/// corrupted row, not bad input.
pub(super) fn parse_stored<T: FromStr<Err = pangolin_core::Error>>(
    what: &str,
    s: &str,
) -> Result<T> {
    s.parse()
        .map_err(|e: pangolin_core::Error| corrupt(what, e))
}

pub(super) fn parse_properties(json: &str) -> Result<BTreeMap<String, String>> {
    serde_json::from_str(json).map_err(|e| corrupt("properties", e))
}

pub(super) fn properties_json(properties: &BTreeMap<String, String>) -> String {
    serde_json::to_string(properties).expect("a string map always serializes")
}

/// The associated data that binds an encrypted warehouse secret to its warehouse and field, so a
/// ciphertext copied to another row or field does not decrypt.
fn secret_aad(warehouse: WarehouseId, field: &str) -> Vec<u8> {
    format!("pangolin/warehouse/{warehouse}/{field}").into_bytes()
}

/// The `storage` column's value: the profile as JSON with every secret encrypted.
pub(super) fn sealed_storage(
    cipher: &SecretCipher,
    warehouse: WarehouseId,
    storage: &StorageProfile,
) -> String {
    let mut sealed = storage.clone();
    for (field, secret) in sealed.secrets_mut() {
        *secret = Secret::new(cipher.encrypt(secret.expose(), &secret_aad(warehouse, field)));
    }
    serde_json::to_string(&sealed).expect("a storage profile always serializes")
}

/// A profile read from a `storage` column, with its secrets decrypted.
pub(super) struct OpenedStorage {
    pub(super) profile: StorageProfile,
    /// Whether some secret was stored in clear (by a version without encryption).
    pub(super) in_clear: bool,
}

/// Reads a `storage` column's value and decrypts its secrets. Secrets stored in clear by a version
/// without encryption are taken as they are (and encrypted by [`super::SqlStore::check_secrets`]).
pub(super) fn open_storage(
    cipher: &SecretCipher,
    warehouse: WarehouseId,
    json: &str,
) -> Result<OpenedStorage> {
    let mut profile: StorageProfile =
        serde_json::from_str(json).map_err(|e| corrupt("storage profile", e))?;
    let mut in_clear = false;
    for (field, secret) in profile.secrets_mut() {
        if !SecretCipher::is_encrypted(secret.expose()) {
            in_clear = true;
            continue;
        }
        let plaintext = cipher
            .decrypt(secret.expose(), &secret_aad(warehouse, field))
            .map_err(|e| Error::Decryption {
                message: format!("the {field} of warehouse {warehouse} cannot be decrypted: {e}"),
            })?;
        *secret = Secret::new(plaintext);
    }
    Ok(OpenedStorage { profile, in_clear })
}

#[derive(sqlx::FromRow)]
pub(super) struct TenantRow {
    id: String,
    name: String,
    properties: String,
    created_at: i64,
    updated_at: i64,
}

impl TenantRow {
    pub(super) fn into_tenant(self) -> Result<Tenant> {
        Ok(Tenant {
            id: parse_id(&self.id)?,
            name: self.name,
            properties: parse_properties(&self.properties)?,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct WarehouseRow {
    id: String,
    tenant_id: String,
    name: String,
    storage: String,
    created_at: i64,
    updated_at: i64,
}

impl WarehouseRow {
    /// The warehouse, its secrets decrypted with `cipher`.
    pub(super) fn into_warehouse(self, cipher: &SecretCipher) -> Result<Warehouse> {
        let id = parse_id(&self.id)?;
        Ok(Warehouse {
            id,
            tenant_id: parse_id(&self.tenant_id)?,
            name: self.name,
            storage: open_storage(cipher, id, &self.storage)?.profile,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct CatalogRow {
    id: String,
    tenant_id: String,
    name: String,
    warehouse_id: String,
    warehouse_name: String,
    base_location: String,
    properties: String,
    created_at: i64,
    updated_at: i64,
}

impl CatalogRow {
    pub(super) fn into_catalog(self) -> Result<Catalog> {
        Ok(Catalog {
            id: parse_id(&self.id)?,
            tenant_id: parse_id(&self.tenant_id)?,
            name: self.name,
            warehouse_id: parse_id(&self.warehouse_id)?,
            warehouse_name: self.warehouse_name,
            base_location: self.base_location,
            properties: parse_properties(&self.properties)?,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct NamespaceRow {
    id: String,
    tenant_id: String,
    catalog_id: String,
    path: String,
    properties: String,
    created_at: i64,
    updated_at: i64,
}

impl NamespaceRow {
    pub(super) fn into_namespace(self) -> Result<Namespace> {
        Ok(Namespace {
            id: parse_id(&self.id)?,
            tenant_id: parse_id(&self.tenant_id)?,
            catalog_id: parse_id(&self.catalog_id)?,
            ident: NamespaceIdent::from_encoded(&self.path)
                .map_err(|e| corrupt("namespace path", e))?,
            properties: parse_properties(&self.properties)?,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct TabularRow {
    id: String,
    tenant_id: String,
    catalog_id: String,
    namespace_path: String,
    name: String,
    kind: String,
    metadata_location: String,
    metadata: String,
    created_at: i64,
    updated_at: i64,
}

impl TabularRow {
    pub(super) fn kind(&self) -> Result<TabularKind> {
        TabularKind::parse(&self.kind).ok_or_else(|| corrupt("tabular kind", self.kind.clone()))
    }

    pub(super) fn into_tabular(self) -> Result<Tabular> {
        let kind = self.kind()?;
        let namespace = NamespaceIdent::from_encoded(&self.namespace_path)
            .map_err(|e| corrupt("namespace path", e))?;
        Ok(Tabular {
            id: parse_id(&self.id)?,
            tenant_id: parse_id(&self.tenant_id)?,
            catalog_id: parse_id(&self.catalog_id)?,
            ident: TabularIdent {
                namespace,
                name: self.name,
            },
            kind,
            metadata_location: self.metadata_location,
            metadata: self.metadata,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct MetricsReportRow {
    id: String,
    tenant_id: String,
    tabular_id: String,
    report_type: String,
    report: String,
    received_at: i64,
}

impl MetricsReportRow {
    pub(super) fn into_report(self) -> Result<MetricsReport> {
        Ok(MetricsReport {
            id: parse_id(&self.id)?,
            tenant_id: parse_id(&self.tenant_id)?,
            tabular_id: parse_id(&self.tabular_id)?,
            report_type: self.report_type,
            report: self.report,
            received_at: self.received_at,
        })
    }
}
