//! A minimal Iceberg REST client for exactly the requests the benchmark makes.

use std::{
    collections::HashMap,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use anyhow::{Context, Result, anyhow, bail};
use reqwest::{
    Client, StatusCode,
    header::{AUTHORIZATION, ETAG, HeaderMap, HeaderValue},
};
use serde::Deserialize;
use serde_json::{Value, json};

/// Why a measured request did not succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// 409 (CommitFailedException on commits).
    Conflict,
    /// Any other 4xx.
    Client(u16),
    /// 5xx.
    Server(u16),
    /// Connection error, timeout or body read error.
    Transport,
    /// 2xx, but the body was not what the request should have produced.
    Invalid,
}

impl Failure {
    fn from_status(status: StatusCode) -> Self {
        match status.as_u16() {
            409 => Self::Conflict,
            s @ 500.. => Self::Server(s),
            s => Self::Client(s),
        }
    }
}

/// Outcome of one measured request: response body bytes on success.
pub type Outcome = Result<usize, Failure>;

/// What the client tracks per table to build conflict-free commits.
#[derive(Debug, Clone)]
pub struct TableState {
    pub name: String,
    pub location: String,
    pub snapshot_id: Option<i64>,
    pub last_sequence_number: i64,
}

/// The parts of a TableMetadata the benchmark needs; everything else is skipped.
#[derive(Debug, Deserialize)]
struct MetadataView {
    location: String,
    #[serde(rename = "last-sequence-number", default)]
    last_sequence_number: i64,
    #[serde(rename = "current-snapshot-id", default)]
    current_snapshot_id: Option<i64>,
    #[serde(default)]
    refs: HashMap<String, RefView>,
}

#[derive(Debug, Deserialize)]
struct RefView {
    #[serde(rename = "snapshot-id")]
    snapshot_id: i64,
}

/// LoadTableResult and CommitTableResponse share these two fields.
#[derive(Debug, Deserialize)]
struct TableResponse {
    #[serde(rename = "metadata-location")]
    metadata_location: Option<String>,
    metadata: MetadataView,
}

impl TableResponse {
    fn into_state(self, name: &str) -> Result<TableState> {
        if self.metadata_location.as_deref().is_none_or(str::is_empty) {
            bail!("response for table {name} has no metadata-location");
        }
        let m = self.metadata;
        let snapshot_id = m
            .refs
            .get("main")
            .map(|r| r.snapshot_id)
            .or(m.current_snapshot_id)
            .filter(|id| *id >= 0);
        Ok(TableState {
            name: name.to_owned(),
            location: m.location,
            snapshot_id,
            last_sequence_number: m.last_sequence_number,
        })
    }
}

/// Setup-time facts about one table.
#[derive(Debug)]
pub struct Created {
    pub state: TableState,
    /// False if the table already existed (409) and was loaded instead.
    pub new: bool,
}

/// Iceberg REST client bound to one catalog prefix and namespace.
#[derive(Debug, Clone)]
pub struct Catalog {
    http: Client,
    base_url: String,
    /// `<base>/v1/<prefix>/namespaces`
    namespaces_url: String,
    /// `<namespaces_url>/<ns>/tables`
    tables_url: String,
    list_url: String,
    namespace: String,
}

impl Catalog {
    pub fn new(http: Client, base_url: &str, prefix: &str, namespace: &str) -> Self {
        let base_url = base_url.trim_end_matches('/').to_owned();
        let namespaces_url = format!("{base_url}/v1/{prefix}/namespaces");
        let tables_url = format!("{namespaces_url}/{namespace}/tables");
        let list_url = format!("{tables_url}?pageToken=&pageSize=100");
        Self {
            http,
            base_url,
            namespaces_url,
            tables_url,
            list_url,
            namespace: namespace.to_owned(),
        }
    }

    /// A keep-alive HTTP/1.1 client with room for `pool` idle connections that sends
    /// `Authorization: Bearer <token>` with every request when given a token.
    pub fn http_client(pool: usize, token: Option<&str>) -> Result<Client> {
        let mut headers = HeaderMap::new();
        if let Some(token) = token {
            let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
                .context("the token is not a valid HTTP header value")?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        Client::builder()
            .http1_only()
            .no_proxy()
            .tcp_nodelay(true)
            .default_headers(headers)
            .pool_max_idle_per_host(pool)
            .pool_idle_timeout(Duration::from_secs(300))
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()
            .context("building the HTTP client")
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn table_url(&self, name: &str) -> String {
        format!("{}/{name}", self.tables_url)
    }

    /// Creates the namespace; returns false if it already existed (409).
    pub async fn create_namespace(&self) -> Result<bool> {
        let body =
            json!({"namespace": [self.namespace], "properties": {"owner": "pangolin-bench"}});
        let resp = self
            .http
            .post(&self.namespaces_url)
            .json(&body)
            .send()
            .await?;
        match resp.status() {
            s if s.is_success() => Ok(true),
            StatusCode::CONFLICT => Ok(false),
            s => Err(error_body(s, resp, "createNamespace").await),
        }
    }

    /// Creates a table; on 409 loads the existing one instead.
    pub async fn create_table(&self, name: &str, columns: u32) -> Result<Created> {
        let resp = self
            .http
            .post(&self.tables_url)
            .json(&create_table_request(name, columns))
            .send()
            .await?;
        match resp.status() {
            s if s.is_success() => {
                let state = resp.json::<TableResponse>().await?.into_state(name)?;
                Ok(Created { state, new: true })
            }
            StatusCode::CONFLICT => Ok(Created {
                state: self.load_state(name).await?,
                new: false,
            }),
            s => Err(error_body(s, resp, &format!("createTable {name}")).await),
        }
    }

    /// loadTable, parsed into the commit-tracking state.
    pub async fn load_state(&self, name: &str) -> Result<TableState> {
        let resp = self.http.get(self.table_url(name)).send().await?;
        let status = resp.status();
        if !status.is_success() {
            return Err(error_body(status, resp, &format!("loadTable {name}")).await);
        }
        resp.json::<TableResponse>().await?.into_state(name)
    }

    /// loadTable once, for the setup report: (body bytes, ETag header if any).
    pub async fn probe_load(&self, name: &str) -> Result<(usize, Option<String>)> {
        let resp = self.http.get(self.table_url(name)).send().await?;
        let status = resp.status();
        if !status.is_success() {
            return Err(error_body(status, resp, &format!("loadTable {name}")).await);
        }
        let etag = resp
            .headers()
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok((resp.bytes().await?.len(), etag))
    }

    /// listTables once, for the setup report: identifiers on the first page of 100.
    pub async fn probe_list(&self) -> Result<usize> {
        let resp = self.http.get(&self.list_url).send().await?;
        let status = resp.status();
        if !status.is_success() {
            return Err(error_body(status, resp, "listTables").await);
        }
        let body: Value = resp.json().await?;
        body.get("identifiers")
            .and_then(Value::as_array)
            .map(Vec::len)
            .ok_or_else(|| anyhow!("listTables response has no `identifiers` array: {body}"))
    }

    /// Measured loadTable: the full body is read so transfer time is included.
    pub async fn load(&self, url: &str) -> Outcome {
        self.get_body(url).await
    }

    /// Measured listTables (first page of 100).
    pub async fn list(&self) -> Outcome {
        self.get_body(&self.list_url).await
    }

    async fn get_body(&self, url: &str) -> Outcome {
        let resp = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|_| Failure::Transport)?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(|_| Failure::Transport)?;
        if status.is_success() {
            Ok(body.len())
        } else {
            Err(Failure::from_status(status))
        }
    }

    /// Measured commit: appends one snapshot to `table` and advances `table` from the response.
    /// The response must show the new snapshot on `main`, otherwise the outcome is `Invalid`.
    pub async fn commit(&self, url: &str, table: &mut TableState, snapshot_id: i64) -> Outcome {
        let body = commit_request(table, snapshot_id, now_ms());
        let resp = self
            .http
            .post(url)
            .json(&body)
            .send()
            .await
            .map_err(|_| Failure::Transport)?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|_| Failure::Transport)?;
        if !status.is_success() {
            return Err(Failure::from_status(status));
        }
        let state = serde_json::from_slice::<TableResponse>(&bytes)
            .ok()
            .and_then(|r| r.into_state(&table.name).ok())
            .ok_or(Failure::Invalid)?;
        if state.snapshot_id != Some(snapshot_id)
            || state.last_sequence_number <= table.last_sequence_number
        {
            return Err(Failure::Invalid);
        }
        *table = state;
        Ok(bytes.len())
    }
}

/// `POST /api/v1/users/login`: the bearer token of a person (`tenant` `None` for Root users).
pub async fn login(
    http: &Client,
    base_url: &str,
    username: &str,
    password: &str,
    tenant: Option<&str>,
) -> Result<String> {
    #[derive(Deserialize)]
    struct Token {
        token: String,
    }
    let mut body = json!({"username": username, "password": password});
    if let Some(tenant) = tenant {
        body["tenant"] = json!(tenant);
    }
    let url = format!("{}/api/v1/users/login", base_url.trim_end_matches('/'));
    let resp = http
        .post(&url)
        .json(&body)
        .send()
        .await
        .with_context(|| format!("POST {url}"))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(error_body(status, resp, &format!("login as {username}")).await);
    }
    Ok(resp
        .json::<Token>()
        .await
        .with_context(|| format!("reading the login response for {username}"))?
        .token)
}

async fn error_body(status: StatusCode, resp: reqwest::Response, what: &str) -> anyhow::Error {
    let text = resp.text().await.unwrap_or_default();
    let text: String = text.chars().take(500).collect();
    anyhow!("{what}: HTTP {status}: {text}")
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Column types cycled through after the fixed `id`, `data` and `event_ts` columns.
const COLUMN_TYPES: [&str; 12] = [
    "int",
    "long",
    "string",
    "double",
    "boolean",
    "date",
    "timestamp",
    "timestamptz",
    "decimal(18, 4)",
    "float",
    "binary",
    "uuid",
];

/// A CreateTableRequest with `columns` (at least 3) documented fields, a two-field partition
/// spec, a sort order and a handful of properties, so that the resulting metadata is sized
/// like a real table's (about 5.5 KB for 20 columns).
pub fn create_table_request(name: &str, columns: u32) -> Value {
    let mut fields = vec![
        json!({"id": 1, "name": "id", "required": true, "type": "long",
               "doc": "Surrogate key of the row, unique within the table and never reused"}),
        json!({"id": 2, "name": "data", "required": false, "type": "string",
               "doc": "Free-form payload as received from the upstream producer, UTF-8 encoded"}),
        json!({"id": 3, "name": "event_ts", "required": false, "type": "timestamptz",
               "doc": "Time the event happened at the source, used for daily partitioning"}),
    ];
    for id in 4..=columns {
        let ty = COLUMN_TYPES[(id as usize - 4) % COLUMN_TYPES.len()];
        let base = ty.split('(').next().unwrap_or(ty);
        fields.push(json!({
            "id": id,
            "name": format!("attribute_{id:03}_{base}"),
            "required": false,
            "type": ty,
            "doc": format!(
                "Synthetic attribute {id} of type {ty}; stands in for a business column \
                 with a descriptive comment, as columns of real tables have"
            ),
        }));
    }
    json!({
        "name": name,
        "schema": {"type": "struct", "schema-id": 0, "fields": fields},
        "partition-spec": {"fields": [
            {"source-id": 3, "transform": "day", "name": "event_ts_day"},
            {"source-id": 1, "transform": "bucket[16]", "name": "id_bucket"},
        ]},
        "write-order": {"order-id": 1, "fields": [
            {"source-id": 1, "transform": "identity", "direction": "asc", "null-order": "nulls-first"},
        ]},
        "properties": {
            "owner": "pangolin-bench",
            "comment": "Synthetic table created by pangolin_bench to measure catalog hot paths",
            "write.format.default": "parquet",
            "write.parquet.compression-codec": "zstd",
            "write.target-file-size-bytes": "536870912",
            "write.metadata.metrics.default": "truncate(16)",
            "commit.retry.num-retries": "4",
            "history.expire.max-snapshot-age-ms": "432000000",
            "write.object-storage.enabled": "false",
            "created-by": "pangolin_bench (synthetic workload)",
        },
    })
}

/// An append-snapshot commit guarded by `assert-ref-snapshot-id` on `main`.
pub fn commit_request(table: &TableState, snapshot_id: i64, timestamp_ms: i64) -> Value {
    let mut snapshot = json!({
        "snapshot-id": snapshot_id,
        "sequence-number": table.last_sequence_number + 1,
        "timestamp-ms": timestamp_ms,
        "manifest-list": format!("{}/metadata/snap-{snapshot_id}.avro", table.location),
        "summary": {
            "operation": "append",
            "added-data-files": "1",
            "added-records": "1000",
            "added-files-size": "65536",
        },
        "schema-id": 0,
    });
    if let Some(parent) = table.snapshot_id {
        snapshot["parent-snapshot-id"] = json!(parent);
    }
    json!({
        "requirements": [
            {"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": table.snapshot_id}
        ],
        "updates": [
            {"action": "add-snapshot", "snapshot": snapshot},
            {"action": "set-snapshot-ref", "ref-name": "main", "type": "branch",
             "snapshot-id": snapshot_id},
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_request_has_requested_columns() {
        let req = create_table_request("t00001", 20);
        assert_eq!(req["schema"]["fields"].as_array().unwrap().len(), 20);
        assert_eq!(req["schema"]["fields"][19]["id"], 20);
    }

    #[test]
    fn first_commit_asserts_null_and_omits_parent() {
        let t = TableState {
            name: "t".into(),
            location: "file:///w/t".into(),
            snapshot_id: None,
            last_sequence_number: 0,
        };
        let c = commit_request(&t, 42, 1);
        assert!(c["requirements"][0]["snapshot-id"].is_null());
        assert!(
            c["updates"][0]["snapshot"]
                .get("parent-snapshot-id")
                .is_none()
        );
        assert_eq!(c["updates"][0]["snapshot"]["sequence-number"], 1);
        assert_eq!(
            c["updates"][0]["snapshot"]["manifest-list"],
            "file:///w/t/metadata/snap-42.avro"
        );
    }

    #[test]
    fn state_prefers_main_ref() {
        let body = r#"{"metadata-location":"m","metadata":{"location":"l",
            "last-sequence-number":3,"current-snapshot-id":-1,
            "refs":{"main":{"snapshot-id":7,"type":"branch"}},"other":[1,2]}}"#;
        let s = serde_json::from_str::<TableResponse>(body)
            .unwrap()
            .into_state("t")
            .unwrap();
        assert_eq!((s.snapshot_id, s.last_sequence_number), (Some(7), 3));
    }
}
