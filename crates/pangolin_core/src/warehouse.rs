//! Warehouses: a storage root (local directory or S3 bucket prefix) and the credentials the server
//! uses to read and write metadata there.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::ids::{TenantId, WarehouseId};
use crate::location::Location;

/// A warehouse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warehouse {
    /// Its id.
    pub id: WarehouseId,
    /// The owning tenant.
    pub tenant_id: TenantId,
    /// Its name, unique in the tenant and immutable.
    pub name: String,
    /// Where and how its data is stored.
    pub storage: StorageProfile,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
    /// Last update time, milliseconds since the epoch.
    pub updated_at: i64,
}

/// A secret string (a key, a password). Its `Debug` form is redacted so it never reaches a log; the
/// API never returns it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = String, format = Password)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value, for the one place that must use it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where a warehouse stores data, by kind of storage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum StorageProfile {
    /// A directory on the server's local filesystem.
    File(FileStorage),
    /// An S3 or S3-compatible bucket.
    S3(S3Storage),
}

/// A local filesystem warehouse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub struct FileStorage {
    /// Absolute path of the warehouse root directory.
    pub root: String,
}

/// An S3 (or S3-compatible) warehouse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub struct S3Storage {
    /// The bucket.
    pub bucket: String,
    /// An optional key prefix inside the bucket, without leading or trailing slashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_prefix: Option<String>,
    /// The bucket's region.
    #[serde(default = "default_region")]
    pub region: String,
    /// A custom endpoint (MinIO, Ceph, moto, ...), e.g. `http://127.0.0.1:9000`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Address buckets as `endpoint/bucket` instead of `bucket.endpoint`.
    #[serde(default)]
    pub path_style_access: bool,
    /// How the server authenticates to S3.
    pub credentials: S3Credentials,
}

fn default_region() -> String {
    "us-east-1".to_owned()
}

/// Credentials for an S3 warehouse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "kebab-case"
)]
pub enum S3Credentials {
    /// A static access key.
    Static {
        /// The access key id.
        access_key_id: String,
        /// The secret access key (write-only).
        #[schema(write_only)]
        secret_access_key: Secret,
        /// An optional session token (write-only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(write_only)]
        session_token: Option<Secret>,
    },
}

impl StorageProfile {
    /// Checks the profile's fields.
    pub fn validate(&self) -> Result<()> {
        match self {
            StorageProfile::File(file) => {
                if !file.root.starts_with('/') {
                    return Err(Error::invalid(
                        "storage.root must be an absolute directory path",
                    ));
                }
                Location::parse(&format!("file://{}", file.root))?;
            }
            StorageProfile::S3(s3) => {
                validate_bucket(&s3.bucket)?;
                if let Some(prefix) = &s3.key_prefix
                    && (prefix.starts_with('/') || prefix.ends_with('/') || prefix.is_empty())
                {
                    return Err(Error::invalid(
                        "storage.key-prefix must not be empty or start or end with '/'",
                    ));
                }
                if s3.region.trim().is_empty() {
                    return Err(Error::invalid("storage.region must not be empty"));
                }
                if let Some(endpoint) = &s3.endpoint
                    && !(endpoint.starts_with("http://") || endpoint.starts_with("https://"))
                {
                    return Err(Error::invalid(
                        "storage.endpoint must be an http:// or https:// URL",
                    ));
                }
                match &s3.credentials {
                    S3Credentials::Static {
                        access_key_id,
                        secret_access_key,
                        ..
                    } => {
                        if access_key_id.is_empty() || secret_access_key.expose().is_empty() {
                            return Err(Error::invalid(
                                "storage.credentials need access-key-id and secret-access-key",
                            ));
                        }
                    }
                }
                self.root_location()?;
            }
        }
        Ok(())
    }

    /// Every secret of the profile with its name (`s3.secret-access-key`, ...), for code that
    /// treats secrets alike, such as encryption at rest. The names are persisted (they bind a
    /// ciphertext to its field) and must never change.
    pub fn secrets_mut(&mut self) -> Vec<(&'static str, &mut Secret)> {
        match self {
            StorageProfile::File(_) => Vec::new(),
            StorageProfile::S3(s3) => match &mut s3.credentials {
                S3Credentials::Static {
                    secret_access_key,
                    session_token,
                    ..
                } => {
                    let mut secrets = vec![("s3.secret-access-key", secret_access_key)];
                    if let Some(token) = session_token {
                        secrets.push(("s3.session-token", token));
                    }
                    secrets
                }
            },
        }
    }

    /// The location of the warehouse root: `file:///<root>` or `s3://<bucket>/<prefix>`.
    pub fn root_location(&self) -> Result<Location> {
        match self {
            StorageProfile::File(file) => Location::parse(&format!("file://{}", file.root)),
            StorageProfile::S3(s3) => Location::parse(&format!(
                "s3://{}/{}",
                s3.bucket,
                s3.key_prefix.as_deref().unwrap_or("")
            )),
        }
    }

    /// The kind of storage: `file` or `s3`.
    pub fn kind(&self) -> &'static str {
        match self {
            StorageProfile::File(_) => "file",
            StorageProfile::S3(_) => "s3",
        }
    }

    /// Checks that `new` may replace `self`: credentials, region, endpoint and addressing may
    /// change, but not where the data lives (that would orphan every table in the warehouse).
    pub fn check_replacement(&self, new: &StorageProfile) -> Result<()> {
        let same_root =
            self.kind() == new.kind() && self.root_location()? == new.root_location()?;
        if !same_root {
            return Err(Error::invalid(
                "a warehouse's storage type, root, bucket and key prefix cannot change; \
                 create a new warehouse instead",
            ));
        }
        Ok(())
    }
}

fn validate_bucket(bucket: &str) -> Result<()> {
    let valid = (3..=63).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
        && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "'{bucket}' is not a valid S3 bucket name (3-63 lowercase letters, digits, '.' or '-')"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3(json: serde_json::Value) -> Result<StorageProfile, serde_json::Error> {
        serde_json::from_value(json)
    }

    #[test]
    fn parses_the_documented_s3_form() {
        let profile = s3(serde_json::json!({
            "type": "s3", "bucket": "b12", "region": "us-east-1",
            "endpoint": "http://127.0.0.1:5000", "path-style-access": true,
            "credentials": {"type": "static", "access-key-id": "AK", "secret-access-key": "SK"}
        }))
        .unwrap();
        profile.validate().unwrap();
        assert_eq!(profile.root_location().unwrap().to_string(), "s3://b12/");
        let StorageProfile::S3(s3) = &profile else {
            panic!("not s3")
        };
        assert!(s3.path_style_access);
        assert!(
            !format!("{profile:?}").contains("SK"),
            "secrets must not be printed"
        );
    }

    #[test]
    fn validates_fields() {
        let file = StorageProfile::File(FileStorage {
            root: "relative".into(),
        });
        assert!(file.validate().is_err());
        let bad_bucket = s3(serde_json::json!({
            "type": "s3", "bucket": "B", "credentials": {"type": "static", "access-key-id": "a", "secret-access-key": "b"}
        }))
        .unwrap();
        assert!(bad_bucket.validate().is_err());
        assert!(
            s3(serde_json::json!({"type": "gcs", "bucket": "b"})).is_err(),
            "unknown storage types are rejected"
        );
    }

    #[test]
    fn secrets_are_enumerated_by_name() {
        let mut profile = s3(serde_json::json!({
            "type": "s3", "bucket": "b12",
            "credentials": {"type": "static", "access-key-id": "AK", "secret-access-key": "SK",
                            "session-token": "ST"}
        }))
        .unwrap();
        let secrets: Vec<(&str, String)> = profile
            .secrets_mut()
            .into_iter()
            .map(|(name, secret)| (name, secret.expose().to_owned()))
            .collect();
        assert_eq!(
            secrets,
            [
                ("s3.secret-access-key", "SK".to_owned()),
                ("s3.session-token", "ST".to_owned())
            ]
        );
        let mut file = StorageProfile::File(FileStorage { root: "/a".into() });
        assert!(file.secrets_mut().is_empty());
    }

    #[test]
    fn replacement_keeps_the_root() {
        let a = StorageProfile::File(FileStorage { root: "/a".into() });
        let b = StorageProfile::File(FileStorage { root: "/b".into() });
        assert!(a.check_replacement(&a.clone()).is_ok());
        assert!(a.check_replacement(&b).is_err());
    }
}
