//! Metadata files in object storage: naming, writing (optionally gzip-compressed), reading back,
//! and purging a dropped table's files.

use std::collections::{BTreeSet, HashMap};
use std::io::{Read, Write};
use std::sync::Mutex;

use bytes::Bytes;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use futures::{StreamExt, TryStreamExt, stream};
use iceberg::spec::{FormatVersion, Manifest, ManifestList, TableMetadata, ViewMetadata};
use pangolin_core::{Error, Location, Result, Warehouse, WarehouseId};
use pangolin_store::objects::ObjectStorage;
use uuid::Uuid;

/// How many manifest files are read at once while purging.
const PURGE_READ_CONCURRENCY: usize = 8;

/// Builds and caches one object-storage client per warehouse version, so connections are reused
/// across requests and a changed warehouse (new credentials) gets a new client immediately.
#[derive(Debug, Default)]
pub struct MetadataFiles {
    clients: Mutex<HashMap<WarehouseId, (i64, ObjectStorage)>>,
}

impl MetadataFiles {
    /// The storage client for `warehouse`.
    pub fn storage(&self, warehouse: &Warehouse) -> Result<ObjectStorage> {
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((version, storage)) = clients.get(&warehouse.id)
            && *version == warehouse.updated_at
        {
            return Ok(storage.clone());
        }
        let storage = ObjectStorage::for_profile(&warehouse.storage)?;
        clients.insert(warehouse.id, (warehouse.updated_at, storage.clone()));
        Ok(storage)
    }

    /// Forgets the client of a deleted or changed warehouse.
    pub fn forget(&self, warehouse: WarehouseId) {
        self.clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&warehouse);
    }
}

/// Whether new metadata files of a table with these properties are gzip-compressed
/// (`write.metadata.compression-codec=gzip`).
pub(crate) fn gzip_metadata(properties: &HashMap<String, String>) -> bool {
    properties
        .get("write.metadata.compression-codec")
        .is_some_and(|codec| codec.eq_ignore_ascii_case("gzip"))
}

/// The location of the next metadata file: `<dir>/<5-digit version>-<uuid>[.gz].metadata.json`,
/// where the version is one more than the previous file's (0 for a new table).
pub(crate) fn next_metadata_location(
    metadata_dir: &str,
    previous: Option<&str>,
    gzip: bool,
) -> String {
    let version = previous.map_or(0, |p| metadata_file_version(p).map_or(1, |v| v + 1));
    let suffix = if gzip { ".gz" } else { "" };
    format!(
        "{}/{version:05}-{}{suffix}.metadata.json",
        metadata_dir.trim_end_matches('/'),
        Uuid::new_v4()
    )
}

/// The version number at the start of a metadata file name (`00042-<uuid>.metadata.json` -> 42).
fn metadata_file_version(location: &str) -> Option<u64> {
    let file = location.rsplit('/').next()?;
    let digits: String = file.chars().take_while(char::is_ascii_digit).collect();
    let rest = &file[digits.len()..];
    if digits.is_empty() || !rest.starts_with('-') {
        return None;
    }
    digits.parse().ok()
}

/// The JSON of `metadata` as written to a metadata file and stored with the pointer.
pub(crate) fn table_metadata_json(metadata: &TableMetadata) -> Result<String> {
    serde_json::to_string(metadata)
        .map_err(|e| Error::backend("serializing table metadata failed", e))
}

/// The JSON of a view's metadata.
pub(crate) fn view_metadata_json(metadata: &ViewMetadata) -> Result<String> {
    serde_json::to_string(metadata)
        .map_err(|e| Error::backend("serializing view metadata failed", e))
}

/// Writes a metadata file, gzip-compressed when asked.
pub(crate) async fn write_metadata(
    storage: &ObjectStorage,
    location: &str,
    json: &str,
    gzip: bool,
) -> Result<()> {
    let bytes = if gzip {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder
            .write_all(json.as_bytes())
            .and_then(|()| encoder.finish())
            .map(Bytes::from)
            .map_err(|e| Error::backend("compressing metadata failed", e))?
    } else {
        Bytes::copy_from_slice(json.as_bytes())
    };
    storage.write(location, bytes).await
}

/// Reads a metadata file (plain or gzip) and parses it as `T`.
pub(crate) async fn read_metadata<T: serde::de::DeserializeOwned>(
    storage: &ObjectStorage,
    location: &str,
) -> Result<T> {
    let bytes = storage
        .read_optional(location)
        .await?
        .ok_or_else(|| Error::invalid(format!("no metadata file exists at '{location}'")))?;
    let json = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .map_err(|e| Error::invalid(format!("'{location}' is not valid gzip: {e}")))?;
        Bytes::from(out)
    } else {
        bytes
    };
    serde_json::from_slice(&json)
        .map_err(|e| Error::invalid(format!("'{location}' is not valid metadata: {e}")))
}

/// Deletes files left by a failed commit; failures are only logged (the files are unreferenced).
pub(crate) async fn discard(storage: &ObjectStorage, locations: Vec<String>) {
    if locations.is_empty() {
        return;
    }
    if let Err(e) = storage.delete_many(locations.clone()).await {
        tracing::warn!(error = %e, ?locations, "could not delete unreferenced metadata files");
    }
}

/// Deletes every file a table references: data and delete files (unless `gc.enabled=false`),
/// manifests, manifest lists, statistics, and all metadata files in its log. Files outside the
/// warehouse are left alone. Returns how many files were deleted.
pub(crate) async fn purge_table(
    storage: &ObjectStorage,
    metadata: &TableMetadata,
    metadata_location: &str,
) -> Result<usize> {
    let root = storage.root().clone();
    let inside =
        move |location: &String| Location::parse(location).is_ok_and(|l| l.is_under(&root));
    let manifest_lists: BTreeSet<String> = metadata
        .snapshots()
        .map(|s| s.manifest_list().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    let version = metadata.format_version();
    let readable: Vec<String> = manifest_lists
        .iter()
        .filter(|l| inside(l))
        .cloned()
        .collect();
    let manifests: BTreeSet<String> = stream::iter(readable)
        .map(|list| manifest_paths(storage.clone(), list, version))
        .buffer_unordered(PURGE_READ_CONCURRENCY)
        .try_collect::<Vec<Vec<String>>>()
        .await?
        .into_iter()
        .flatten()
        .collect();

    let gc_enabled = metadata
        .properties()
        .get("gc.enabled")
        .is_none_or(|v| !v.eq_ignore_ascii_case("false"));
    let mut files = BTreeSet::new();
    if gc_enabled {
        let readable: Vec<String> = manifests.iter().filter(|m| inside(m)).cloned().collect();
        files.extend(
            stream::iter(readable)
                .map(|manifest| data_file_paths(storage.clone(), manifest))
                .buffer_unordered(PURGE_READ_CONCURRENCY)
                .try_collect::<Vec<Vec<String>>>()
                .await?
                .into_iter()
                .flatten(),
        );
    }
    files.extend(manifests);
    files.extend(manifest_lists);
    files.extend(
        metadata
            .statistics_iter()
            .map(|s| s.statistics_path.clone()),
    );
    files.extend(
        metadata
            .partition_statistics_iter()
            .map(|s| s.statistics_path.clone()),
    );
    files.extend(
        metadata
            .metadata_log()
            .iter()
            .map(|m| m.metadata_file.clone()),
    );
    files.insert(metadata_location.to_owned());
    let (inside_files, outside): (Vec<String>, Vec<String>) = files.into_iter().partition(inside);
    if !outside.is_empty() {
        tracing::warn!(
            count = outside.len(),
            "purge skipped files outside the warehouse root"
        );
    }
    storage.delete_many(inside_files).await
}

/// The manifests a manifest list names (none if the list is already gone).
async fn manifest_paths(
    storage: ObjectStorage,
    list: String,
    version: FormatVersion,
) -> Result<Vec<String>> {
    let Some(bytes) = storage.read_optional(&list).await? else {
        return Ok(Vec::new());
    };
    let parsed = ManifestList::parse_with_version(&bytes, version)
        .map_err(|e| Error::invalid(format!("unreadable manifest list {list}: {e}")))?;
    Ok(parsed
        .entries()
        .iter()
        .map(|m| m.manifest_path.clone())
        .collect())
}

/// The data and delete files a manifest names (none if the manifest is already gone).
async fn data_file_paths(storage: ObjectStorage, manifest: String) -> Result<Vec<String>> {
    let Some(bytes) = storage.read_optional(&manifest).await? else {
        return Ok(Vec::new());
    };
    let parsed = Manifest::parse_avro(&bytes)
        .map_err(|e| Error::invalid(format!("unreadable manifest {manifest}: {e}")))?;
    Ok(parsed
        .entries()
        .iter()
        .map(|e| e.file_path().to_owned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_locations_count_versions() {
        let first = next_metadata_location("s3://b/t/metadata", None, false);
        assert!(first.starts_with("s3://b/t/metadata/00000-"));
        assert!(first.ends_with(".metadata.json"));
        let next = next_metadata_location("s3://b/t/metadata/", Some(&first), true);
        assert!(next.starts_with("s3://b/t/metadata/00001-"), "{next}");
        assert!(next.ends_with(".gz.metadata.json"));
        let after_odd = next_metadata_location(
            "file:///t/metadata",
            Some("file:///x/v7.metadata.json"),
            false,
        );
        assert!(after_odd.starts_with("file:///t/metadata/00001-"));
        assert_eq!(
            metadata_file_version("s3://b/metadata/00042-abc.metadata.json"),
            Some(42)
        );
        assert_eq!(
            metadata_file_version("s3://b/metadata/v3.metadata.json"),
            None
        );
    }
}
