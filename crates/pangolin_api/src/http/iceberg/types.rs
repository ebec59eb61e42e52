//! Request and response bodies of the Iceberg REST API that are not the `iceberg` crate's types.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use iceberg::{TableRequirement, TableUpdate, ViewUpdate};
use pangolin_core::{NamespaceIdent, Page, PageRequest, TabularIdent};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::service::{LoadedTabular, SnapshotsMode, TableChange, ViewChange, ViewRequirement};

/// `pageToken` and `pageSize`.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    #[serde(rename = "pageToken")]
    pub page_token: Option<String>,
    #[serde(rename = "pageSize")]
    pub page_size: Option<usize>,
}

impl PageQuery {
    pub fn request(&self) -> Result<PageRequest, ApiError> {
        PageRequest::from_client(self.page_token.as_deref(), self.page_size).map_err(Into::into)
    }
}

/// A table or view identifier.
#[derive(Debug, Deserialize, Serialize)]
pub struct TableIdentifier {
    pub namespace: NamespaceIdent,
    pub name: String,
}

impl TableIdentifier {
    pub fn into_ident(self) -> Result<TabularIdent, ApiError> {
        TabularIdent::new(self.namespace, self.name).map_err(Into::into)
    }
}

impl From<TabularIdent> for TableIdentifier {
    fn from(ident: TabularIdent) -> Self {
        Self {
            namespace: ident.namespace,
            name: ident.name,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ListTablesResponse {
    pub identifiers: Vec<TableIdentifier>,
    #[serde(rename = "next-page-token")]
    pub next_page_token: Option<String>,
}

impl From<Page<TabularIdent>> for ListTablesResponse {
    fn from(page: Page<TabularIdent>) -> Self {
        Self {
            identifiers: page.items.into_iter().map(Into::into).collect(),
            next_page_token: page.next.map(|t| t.into_string()),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct RenameRequest {
    pub source: TableIdentifier,
    pub destination: TableIdentifier,
}

/// A table commit; `identifier` is required inside a transaction.
#[derive(Debug, Deserialize)]
pub struct CommitTableRequest {
    #[serde(default)]
    pub identifier: Option<TableIdentifier>,
    #[serde(default)]
    pub requirements: Vec<TableRequirement>,
    #[serde(default)]
    pub updates: Vec<TableUpdate>,
}

impl CommitTableRequest {
    /// The identifier the body names (if any) and the change itself.
    pub fn into_parts(self) -> (Option<TableIdentifier>, TableChange) {
        (
            self.identifier,
            TableChange {
                requirements: self.requirements,
                updates: self.updates,
            },
        )
    }
}

/// Checks that an identifier in a body, when present, names the table or view of the path.
pub fn check_body_identifier(
    body: Option<TableIdentifier>,
    path: &TabularIdent,
) -> Result<(), ApiError> {
    match body.map(TableIdentifier::into_ident).transpose()? {
        Some(named) if &named != path => Err(ApiError::bad_request(format!(
            "the body names {named}, the path {path}"
        ))),
        _ => Ok(()),
    }
}

#[derive(Debug, Deserialize)]
pub struct CommitTransactionRequest {
    #[serde(rename = "table-changes")]
    pub table_changes: Vec<CommitTableRequest>,
}

#[derive(Debug, Deserialize)]
pub struct CommitViewRequest {
    #[serde(default)]
    pub identifier: Option<TableIdentifier>,
    #[serde(default)]
    pub requirements: Vec<ViewRequirement>,
    pub updates: Vec<ViewUpdate>,
}

impl CommitViewRequest {
    /// The identifier the body names (if any) and the change itself.
    pub fn into_parts(self) -> (Option<TableIdentifier>, ViewChange) {
        (
            self.identifier,
            ViewChange {
                requirements: self.requirements,
                updates: self.updates,
            },
        )
    }
}

/// `snapshots` of loadTable.
#[derive(Debug, Deserialize)]
pub struct LoadTableQuery {
    #[serde(default)]
    pub snapshots: Option<String>,
}

impl LoadTableQuery {
    pub fn mode(&self) -> Result<SnapshotsMode, ApiError> {
        match self.snapshots.as_deref() {
            None | Some("all") => Ok(SnapshotsMode::All),
            Some("refs") => Ok(SnapshotsMode::Refs),
            Some(other) => Err(ApiError::bad_request(format!(
                "snapshots must be 'all' or 'refs', not '{other}'"
            ))),
        }
    }
}

/// A loaded or committed table or view, rendered with its ETag.
pub struct TabularResponse {
    pub tabular: LoadedTabular,
    pub config: Option<BTreeMap<String, String>>,
    pub etag: Option<String>,
}

impl TabularResponse {
    /// A table or view load result (with `config`) and its ETag for `mode`.
    pub fn loaded(tabular: LoadedTabular, mode: SnapshotsMode) -> Self {
        let etag = tabular
            .metadata_location
            .as_deref()
            .map(|location| etag(location, mode));
        Self {
            tabular,
            config: Some(BTreeMap::new()),
            etag,
        }
    }

    /// A commit result (no `config`).
    pub fn committed(tabular: LoadedTabular) -> Self {
        let etag = tabular
            .metadata_location
            .as_deref()
            .map(|location| etag(location, SnapshotsMode::All));
        Self {
            tabular,
            config: None,
            etag,
        }
    }
}

impl IntoResponse for TabularResponse {
    /// Renders `{"metadata-location", "metadata", "config"}` with the stored metadata JSON
    /// embedded verbatim: it was produced by serializing the `iceberg` crate's types when it was
    /// committed, so it is neither parsed nor re-serialized on the hot path.
    fn into_response(self) -> Response {
        let metadata = &self.tabular.metadata;
        let mut body = String::with_capacity(metadata.len() + 256);
        body.push_str("{\"metadata-location\":");
        body.push_str(&json_string(&self.tabular.metadata_location));
        body.push_str(",\"metadata\":");
        body.push_str(metadata);
        if let Some(config) = &self.config {
            body.push_str(",\"config\":");
            body.push_str(&json_string(config));
        }
        body.push('}');
        let mut response = (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response();
        if let Some(etag) = self.etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
            response.headers_mut().insert(header::ETAG, etag);
        }
        response
    }
}

fn json_string<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("strings and string maps always serialize")
}

/// A strong ETag for one version of a table's metadata as rendered in `mode`: metadata locations
/// are unique per version, so hashing the location (and the mode) identifies the content.
pub fn etag(metadata_location: &str, mode: SnapshotsMode) -> String {
    let mut hasher = Sha256::new();
    hasher.update(match mode {
        SnapshotsMode::All => b"all:".as_slice(),
        SnapshotsMode::Refs => b"refs:".as_slice(),
    });
    hasher.update(metadata_location.as_bytes());
    let digest = hasher.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Whether the request's `If-None-Match` matches `etag` (comparing weakly, as RFC 9110 asks).
pub fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim())
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

/// A 304 carrying the ETag.
pub fn not_modified(etag: &str) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    if let Ok(value) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_differ_by_version_and_mode() {
        let a = etag(
            "s3://b/t/metadata/00001-x.metadata.json",
            SnapshotsMode::All,
        );
        assert_eq!(
            a,
            etag(
                "s3://b/t/metadata/00001-x.metadata.json",
                SnapshotsMode::All
            )
        );
        assert_ne!(
            a,
            etag(
                "s3://b/t/metadata/00002-y.metadata.json",
                SnapshotsMode::All
            )
        );
        assert_ne!(
            a,
            etag(
                "s3://b/t/metadata/00001-x.metadata.json",
                SnapshotsMode::Refs
            )
        );
        assert!(a.starts_with('"') && a.ends_with('"'));
    }

    #[test]
    fn if_none_match_handles_lists_weak_tags_and_stars() {
        let tag = "\"abc\"";
        let headers = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(v).unwrap());
            h
        };
        assert!(if_none_match(&headers("\"abc\""), tag));
        assert!(if_none_match(&headers("\"x\", W/\"abc\""), tag));
        assert!(if_none_match(&headers("*"), tag));
        assert!(!if_none_match(&headers("\"x\""), tag));
        assert!(!if_none_match(&HeaderMap::new(), tag));
    }
}
