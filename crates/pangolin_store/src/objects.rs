//! Object storage for table and view metadata files: one abstraction over every warehouse kind,
//! built on `object_store` and configured from the warehouse's typed storage profile.
//!
//! Every location is checked to lie inside the warehouse root before any I/O, so a client-chosen
//! location can never make the server read or write outside the warehouse.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt, stream};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};
use pangolin_core::{Error, Location, Result, S3Credentials, StorageProfile};

/// Metadata I/O against one warehouse.
#[derive(Debug, Clone)]
pub struct ObjectStorage {
    store: Arc<dyn ObjectStore>,
    root: Location,
    /// The part of a location's path the client's paths are relative to (the directory for
    /// local warehouses; nothing for buckets, whose client paths are full keys).
    base_path: String,
}

impl ObjectStorage {
    /// Builds the client for a warehouse's storage profile. No request is sent; a local
    /// warehouse directory is created if missing.
    pub fn for_profile(profile: &StorageProfile) -> Result<Self> {
        let root = profile.root_location()?;
        let mut base_path = String::new();
        let store: Arc<dyn ObjectStore> = match profile {
            StorageProfile::File(file) => {
                // Rooted at the warehouse directory so that removing emptied directories stops
                // there, and fsynced so a metadata file is durable before its pointer moves.
                std::fs::create_dir_all(&file.root).map_err(|e| {
                    Error::invalid(format!(
                        "cannot create the warehouse directory {}: {e}",
                        file.root
                    ))
                })?;
                base_path = root.path().to_owned();
                Arc::new(
                    LocalFileSystem::new_with_prefix(&file.root)
                        .map_err(|e| Error::invalid(format!("unusable warehouse directory: {e}")))?
                        .with_automatic_cleanup(true)
                        .with_fsync(true),
                )
            }
            StorageProfile::S3(s3) => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_virtual_hosted_style_request(!s3.path_style_access)
                    .with_retry(RetryConfig {
                        max_retries: 3,
                        retry_timeout: Duration::from_secs(20),
                        ..RetryConfig::default()
                    });
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"));
                }
                match &s3.credentials {
                    S3Credentials::Static {
                        access_key_id,
                        secret_access_key,
                        session_token,
                    } => {
                        builder = builder
                            .with_access_key_id(access_key_id)
                            .with_secret_access_key(secret_access_key.expose());
                        if let Some(token) = session_token {
                            builder = builder.with_token(token.expose());
                        }
                    }
                }
                Arc::new(builder.build().map_err(|e| {
                    Error::invalid(format!("cannot configure S3 access for the warehouse: {e}"))
                })?)
            }
        };
        Ok(Self {
            store,
            root,
            base_path,
        })
    }

    /// The warehouse root this client may access.
    pub fn root(&self) -> &Location {
        &self.root
    }

    /// Resolves `location` to an object path, refusing anything outside the warehouse root.
    fn path(&self, location: &str) -> Result<Path> {
        let parsed = Location::parse(location)?;
        if !parsed.is_under(&self.root) {
            return Err(Error::invalid(format!(
                "location '{location}' is outside the warehouse root {}",
                self.root
            )));
        }
        let relative = parsed
            .path()
            .strip_prefix(&self.base_path)
            .unwrap_or(parsed.path())
            .trim_start_matches('/');
        Path::parse(relative)
            .map_err(|e| Error::invalid(format!("invalid location '{location}': {e}")))
    }

    /// Reads a whole object; `None` if it does not exist.
    pub async fn read_optional(&self, location: &str) -> Result<Option<Bytes>> {
        let path = self.path(location)?;
        let result = async { self.store.get(&path).await?.bytes().await }.await;
        match result {
            Ok(bytes) => Ok(Some(bytes)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(storage_error("read", location, e)),
        }
    }

    /// Writes a whole object atomically, replacing any previous one.
    pub async fn write(&self, location: &str, bytes: Bytes) -> Result<()> {
        let path = self.path(location)?;
        self.store
            .put(&path, PutPayload::from_bytes(bytes))
            .await
            .map(|_| ())
            .map_err(|e| storage_error("write", location, e))
    }

    /// Deletes an object; deleting a missing object succeeds.
    pub async fn delete(&self, location: &str) -> Result<()> {
        let path = self.path(location)?;
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(storage_error("delete", location, e)),
        }
    }

    /// Deletes many objects (in bulk where the storage supports it) and returns how many requests
    /// succeeded; missing objects count as deleted. Locations outside the warehouse are refused
    /// before anything is deleted.
    pub async fn delete_many(&self, locations: Vec<String>) -> Result<usize> {
        let paths = locations
            .iter()
            .map(|l| self.path(l))
            .collect::<Result<Vec<_>>>()?;
        let results = self
            .store
            .delete_stream(stream::iter(paths.into_iter().map(Ok)).boxed())
            .map(|r| match r {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(storage_error("delete", "(bulk delete)", e)),
            })
            .try_collect::<Vec<_>>()
            .await?;
        Ok(results.len())
    }
}

fn storage_error(operation: &'static str, location: &str, err: object_store::Error) -> Error {
    Error::Storage {
        operation,
        location: location.to_owned(),
        source: Box::new(err),
    }
}

#[cfg(test)]
mod tests {
    use pangolin_core::FileStorage;

    use super::*;

    fn local(root: &std::path::Path) -> ObjectStorage {
        ObjectStorage::for_profile(&StorageProfile::File(FileStorage {
            root: root.to_str().unwrap().to_owned(),
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn writes_reads_and_deletes_local_files() {
        let dir = tempfile::tempdir().unwrap();
        let storage = local(dir.path());
        let location = format!(
            "file://{}/t/metadata/00000-x.metadata.json",
            dir.path().display()
        );
        assert_eq!(storage.read_optional(&location).await.unwrap(), None);
        storage
            .write(&location, Bytes::from_static(b"{}"))
            .await
            .unwrap();
        assert_eq!(
            storage.read_optional(&location).await.unwrap().unwrap(),
            Bytes::from_static(b"{}")
        );
        assert_eq!(
            storage.delete_many(vec![location.clone()]).await.unwrap(),
            1
        );
        assert_eq!(storage.read_optional(&location).await.unwrap(), None);
        storage.delete(&location).await.unwrap();
    }

    #[tokio::test]
    async fn refuses_locations_outside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let storage = local(&dir.path().join("root"));
        for location in [
            "file:///etc/passwd",
            "s3://bucket/x",
            "file:///",
            "relative",
        ] {
            assert!(
                matches!(
                    storage.read_optional(location).await,
                    Err(Error::InvalidInput { .. })
                ),
                "{location}"
            );
        }
        let sibling = format!("file://{}/rootx/file", dir.path().display());
        assert!(storage.write(&sibling, Bytes::new()).await.is_err());
    }
}
