use std::path::Path;

use axum::body::Body;
use axum::http::Method;
use serde_json::{Value, json};

use crate::harness::{TestApp, schema};

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(files_under(&path));
            } else {
                out.push(path.display().to_string());
            }
        }
    }
    out.sort();
    out
}

fn local_path(location: &str) -> &Path {
    Path::new(location.strip_prefix("file://").unwrap())
}

#[tokio::test]
async fn create_with_spec_order_properties_and_load() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    let created = app
        .post(
            "/v1/default/namespaces/db/tables",
            json!({
                "name": "events",
                "schema": schema(),
                "partition-spec": {"spec-id": 0, "fields": [
                    {"source-id": 3, "field-id": 1000, "name": "ts_day", "transform": "day"}]},
                "write-order": {"order-id": 1, "fields": [
                    {"source-id": 1, "transform": "identity", "direction": "asc", "null-order": "nulls-first"}]},
                "properties": {"owner": "bi", "format-version": "2"},
                "unknown-future-field": {"is": "ignored"}
            }),
        )
        .await;
    created.assert_status(200);
    let metadata = &created.body["metadata"];
    assert_eq!(metadata["format-version"], 2);
    assert_eq!(metadata["properties"]["owner"], "bi");
    assert!(metadata["properties"].get("format-version").is_none());
    assert_eq!(
        metadata["partition-specs"][0]["fields"][0]["transform"],
        "day"
    );
    assert_eq!(metadata["sort-orders"].as_array().unwrap().len(), 1);
    assert!(created.headers.contains_key("etag"));
    let location = metadata["location"].as_str().unwrap();
    let root = format!(
        "file://{}/default/db/events-",
        app.warehouse_root().display()
    );
    assert!(location.starts_with(&root), "{location}");
    let metadata_location = created.body["metadata-location"].as_str().unwrap();
    assert!(metadata_location.starts_with(&format!("{location}/metadata/00000-")));
    assert!(
        local_path(metadata_location).is_file(),
        "the metadata file is written"
    );

    let loaded = app.get("/v1/default/namespaces/db/tables/events").await;
    loaded.assert_status(200);
    assert_eq!(loaded.body["metadata"], created.body["metadata"]);
    assert_eq!(
        loaded.body["metadata-location"],
        created.body["metadata-location"]
    );
    assert_eq!(loaded.body["config"], json!({}));
    app.head("/v1/default/namespaces/db/tables/events")
        .await
        .assert_status(204);
    assert_eq!(
        app.head("/v1/default/namespaces/db/tables/nope")
            .await
            .status,
        404
    );

    let listed = app.get("/v1/default/namespaces/db/tables").await;
    assert_eq!(
        listed.body["identifiers"],
        json!([{"namespace": ["db"], "name": "events"}])
    );
}

#[tokio::test]
async fn create_errors() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    app.table("db", "t").await;
    app.post(
        "/v1/default/namespaces/db/tables",
        json!({"name": "t", "schema": schema()}),
    )
    .await
    .assert_error(409, "AlreadyExistsException");
    app.post(
        "/v1/default/namespaces/nope/tables",
        json!({"name": "t", "schema": schema()}),
    )
    .await
    .assert_error(404, "NoSuchNamespaceException");
    app.post(
        "/v1/default/namespaces/db/tables",
        json!({"name": "x", "schema": schema(), "location": "file:///etc/x"}),
    )
    .await
    .assert_error(400, "BadRequestException");
    app.post(
        "/v1/default/namespaces/db/tables",
        json!({"name": "x", "schema": schema(), "properties": {"format-version": "9"}}),
    )
    .await
    .assert_error(400, "BadRequestException");
    app.post("/v1/default/namespaces/db/tables", json!({"name": "x"}))
        .await
        .assert_error(400, "BadRequestException");
    // Nothing partial was left behind by the rejected requests.
    let listed = app.get("/v1/default/namespaces/db/tables").await;
    assert_eq!(listed.body["identifiers"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn explicit_location_under_the_base() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    let location = format!(
        "file://{}/default/custom/place",
        app.warehouse_root().display()
    );
    let created = app
        .post(
            "/v1/default/namespaces/db/tables",
            json!({"name": "t", "schema": schema(), "location": format!("{location}/")}),
        )
        .await;
    created.assert_status(200);
    assert_eq!(created.body["metadata"]["location"], location);
}

#[tokio::test]
async fn etag_and_if_none_match() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    app.table("db", "t").await;
    let loaded = app.get("/v1/default/namespaces/db/tables/t").await;
    let etag = loaded.headers["etag"].to_str().unwrap().to_owned();
    let request = |tag: &str| {
        app.builder(Method::GET, "/v1/default/namespaces/db/tables/t")
            .header("if-none-match", tag)
            .body(Body::empty())
            .unwrap()
    };
    let not_modified = app.request(request(&etag)).await;
    not_modified.assert_status(304);
    assert!(not_modified.text.is_empty());
    assert_eq!(not_modified.headers["etag"], etag.as_str());
    app.request(request("\"other\"")).await.assert_status(200);

    // A commit changes the ETag; the old one no longer matches.
    app.post(
        "/v1/default/namespaces/db/tables/t",
        json!({"requirements": [], "updates": [{"action": "set-properties", "updates": {"k": "v"}}]}),
    )
    .await
    .assert_status(200);
    let reloaded = app.request(request(&etag)).await;
    reloaded.assert_status(200);
    assert_ne!(reloaded.headers["etag"], etag.as_str());

    let refs = app
        .get("/v1/default/namespaces/db/tables/t?snapshots=refs")
        .await;
    refs.assert_status(200);
    assert_ne!(refs.headers["etag"], reloaded.headers["etag"]);
    app.get("/v1/default/namespaces/db/tables/t?snapshots=some")
        .await
        .assert_error(400, "BadRequestException");
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn snapshot(id: i64, parent: Option<i64>, sequence: i64, location: &str) -> Value {
    let mut snapshot = json!({
        "snapshot-id": id,
        "sequence-number": sequence,
        "timestamp-ms": now_ms() + sequence,
        "manifest-list": format!("{location}/metadata/snap-{id}.avro"),
        "summary": {"operation": "append"},
        "schema-id": 0
    });
    if let Some(parent) = parent {
        snapshot["parent-snapshot-id"] = json!(parent);
    }
    snapshot
}

async fn append(app: &TestApp, table: &str, id: i64, parent: Option<i64>, sequence: i64) -> Value {
    let loaded = app
        .get(&format!("/v1/default/namespaces/db/tables/{table}"))
        .await;
    let location = loaded.body["metadata"]["location"]
        .as_str()
        .unwrap()
        .to_owned();
    let committed = app
        .post(
            &format!("/v1/default/namespaces/db/tables/{table}"),
            json!({
                "requirements": [{"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": parent}],
                "updates": [
                    {"action": "add-snapshot", "snapshot": snapshot(id, parent, sequence, &location)},
                    {"action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": id}
                ]
            }),
        )
        .await;
    committed.assert_status(200);
    committed.body
}

#[tokio::test]
async fn commits_append_snapshots_and_keep_the_metadata_log() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    let created = app.table("db", "t").await;
    let first = append(&app, "t", 1, None, 1).await;
    let second = append(&app, "t", 2, Some(1), 2).await;
    assert_eq!(second["metadata"]["current-snapshot-id"], 2);
    let log: Vec<&str> = second["metadata"]["metadata-log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["metadata-file"].as_str().unwrap())
        .collect();
    assert_eq!(
        log,
        [
            created["metadata-location"].as_str().unwrap(),
            first["metadata-location"].as_str().unwrap()
        ]
    );
    let location = second["metadata-location"].as_str().unwrap();
    assert!(location.contains("/metadata/00002-"), "{location}");
    assert!(local_path(location).is_file());

    // Stale requirement: 409, and nothing is written.
    let dir = local_path(location).parent().unwrap().to_owned();
    let before = files_under(&dir);
    let stale = app
        .post(
            "/v1/default/namespaces/db/tables/t",
            json!({
                "requirements": [{"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": 1}],
                "updates": [{"action": "set-properties", "updates": {"x": "y"}}]
            }),
        )
        .await;
    stale.assert_error(409, "CommitFailedException");
    assert_eq!(
        files_under(&dir),
        before,
        "a rejected commit leaves no file behind"
    );

    let refs = app
        .get("/v1/default/namespaces/db/tables/t?snapshots=refs")
        .await;
    let snapshots = refs.body["metadata"]["snapshots"].as_array().unwrap();
    assert_eq!(snapshots.len(), 1, "only the snapshot main points at");
    let all = app.get("/v1/default/namespaces/db/tables/t").await;
    assert_eq!(
        all.body["metadata"]["snapshots"].as_array().unwrap().len(),
        2
    );
}

#[tokio::test]
async fn commit_errors() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    app.table("db", "t").await;
    app.post(
        "/v1/default/namespaces/db/tables/t",
        json!({"requirements": [], "updates": [{"action": "teleport"}]}),
    )
    .await
    .assert_error(400, "BadRequestException");
    app.post(
        "/v1/default/namespaces/db/tables/t",
        json!({"requirements": [{"type": "assert-nothing"}], "updates": []}),
    )
    .await
    .assert_error(400, "BadRequestException");
    app.post(
        "/v1/default/namespaces/db/tables/t",
        json!({"requirements": [], "updates": [{"action": "set-current-schema", "schema-id": 42}]}),
    )
    .await
    .assert_error(400, "BadRequestException");
    app.post(
        "/v1/default/namespaces/db/tables/t",
        json!({"requirements": [], "updates": [{"action": "set-location", "location": "file:///elsewhere"}]}),
    )
    .await
    .assert_error(400, "BadRequestException");
    app.post(
        "/v1/default/namespaces/db/tables/nope",
        json!({"requirements": [], "updates": []}),
    )
    .await
    .assert_error(404, "NoSuchTableException");
    app.post(
        "/v1/default/namespaces/db/tables/t",
        json!({"identifier": {"namespace": ["db"], "name": "other"}, "requirements": [], "updates": []}),
    )
    .await
    .assert_error(400, "BadRequestException");
    app.post(
        "/v1/default/namespaces/db/tables/t",
        json!({"requirements": [{"type": "assert-table-uuid", "uuid": "00000000-0000-0000-0000-000000000000"}], "updates": []}),
    )
    .await
    .assert_error(409, "CommitFailedException");
}

#[tokio::test]
async fn concurrent_commits_lose_nothing_and_leave_no_orphans() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    let created = app.table("db", "t").await;
    let uuid = created["metadata"]["table-uuid"].clone();
    let commits = (0..6).map(|i| {
        let app = app.clone();
        let router = app.router.clone();
        let uuid = uuid.clone();
        tokio::spawn(async move {
            let body = json!({
                "requirements": [{"type": "assert-table-uuid", "uuid": uuid}],
                "updates": [{"action": "set-properties", "updates": {format!("k{i}"): "v"}}]
            });
            let request = app
                .builder(Method::POST, "/v1/default/namespaces/db/tables/t")
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            let response = tower::ServiceExt::oneshot(router, request).await.unwrap();
            (i, response.status().as_u16())
        })
    });
    let mut succeeded = Vec::new();
    for commit in commits.collect::<Vec<_>>() {
        let (i, status) = commit.await.unwrap();
        assert!(status == 200 || status == 409, "status {status}");
        if status == 200 {
            succeeded.push(i);
        }
    }
    assert!(!succeeded.is_empty());
    let loaded = app.get("/v1/default/namespaces/db/tables/t").await;
    let properties = &loaded.body["metadata"]["properties"];
    for i in &succeeded {
        assert_eq!(
            properties[format!("k{i}")],
            "v",
            "a successful commit is missing"
        );
    }
    let versions = loaded.body["metadata"]["metadata-log"]
        .as_array()
        .unwrap()
        .len()
        + 1;
    assert_eq!(versions, succeeded.len() + 1);
    let location = loaded.body["metadata-location"].as_str().unwrap();
    let dir = local_path(location).parent().unwrap();
    assert_eq!(
        files_under(dir).len(),
        versions,
        "lost races delete their files"
    );
}

#[tokio::test]
async fn staged_create_then_commit() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    let staged = app
        .post(
            "/v1/default/namespaces/db/tables",
            json!({"name": "t", "schema": schema(), "stage-create": true,
                   "partition-spec": {"fields": [{"source-id": 1, "name": "id_b", "transform": "bucket[4]"}]}}),
        )
        .await;
    staged.assert_status(200);
    assert_eq!(staged.body["metadata-location"], json!(null));
    app.head("/v1/default/namespaces/db/tables/t")
        .await
        .assert_status(404);
    let metadata = &staged.body["metadata"];
    let location = metadata["location"].as_str().unwrap();
    assert!(!local_path(location).exists(), "staging writes nothing");

    let committed = app
        .post(
            "/v1/default/namespaces/db/tables/t",
            json!({
                "requirements": [{"type": "assert-create"}],
                "updates": [
                    {"action": "assign-uuid", "uuid": metadata["table-uuid"]},
                    {"action": "upgrade-format-version", "format-version": 2},
                    {"action": "add-schema", "schema": metadata["schemas"][0]},
                    {"action": "set-current-schema", "schema-id": -1},
                    {"action": "add-spec", "spec": metadata["partition-specs"][0]},
                    {"action": "set-default-spec", "spec-id": -1},
                    {"action": "add-sort-order", "sort-order": metadata["sort-orders"][0]},
                    {"action": "set-default-sort-order", "sort-order-id": -1},
                    {"action": "set-location", "location": location},
                    {"action": "set-properties", "updates": {"created-by": "test"}},
                    {"action": "add-snapshot", "snapshot": snapshot(7, None, 1, location)},
                    {"action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": 7}
                ]
            }),
        )
        .await;
    committed.assert_status(200);
    let created = &committed.body["metadata"];
    assert_eq!(created["table-uuid"], metadata["table-uuid"]);
    assert_eq!(created["partition-specs"], metadata["partition-specs"]);
    assert_eq!(created["schemas"], metadata["schemas"]);
    assert_eq!(created["current-snapshot-id"], 7);
    assert!(
        committed.body["metadata-location"]
            .as_str()
            .unwrap()
            .contains("/metadata/00000-")
    );
    app.head("/v1/default/namespaces/db/tables/t")
        .await
        .assert_status(204);

    // The same create again fails its assert-create.
    app.post(
        "/v1/default/namespaces/db/tables/t",
        json!({"requirements": [{"type": "assert-create"}],
               "updates": [{"action": "add-schema", "schema": metadata["schemas"][0]}]}),
    )
    .await
    .assert_error(409, "CommitFailedException");
    // Staging an existing name is refused too.
    app.post(
        "/v1/default/namespaces/db/tables",
        json!({"name": "t", "schema": schema(), "stage-create": true}),
    )
    .await
    .assert_error(409, "AlreadyExistsException");
}

#[tokio::test]
async fn drop_with_and_without_purge() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    let kept = app.table("db", "kept").await;
    let purged = app.table("db", "purged").await;
    app.post(
        "/v1/default/namespaces/db/tables/purged",
        json!({"updates": [{"action": "set-properties", "updates": {"a": "b"}}]}),
    )
    .await
    .assert_status(200);

    app.delete("/v1/default/namespaces/db/tables/kept")
        .await
        .assert_status(204);
    let kept_location = kept["metadata"]["location"].as_str().unwrap();
    assert!(
        !files_under(local_path(kept_location)).is_empty(),
        "files stay without purge"
    );

    app.delete("/v1/default/namespaces/db/tables/purged?purgeRequested=True")
        .await
        .assert_status(204);
    let purged_location = purged["metadata"]["location"].as_str().unwrap();
    assert_eq!(
        files_under(local_path(purged_location)),
        Vec::<String>::new()
    );
    app.delete("/v1/default/namespaces/db/tables/purged")
        .await
        .assert_error(404, "NoSuchTableException");
    app.delete("/v1/default/namespaces/db/tables/x?purgeRequested=maybe")
        .await
        .assert_error(400, "BadRequestException");
}

#[tokio::test]
async fn rename_across_namespaces() {
    let app = TestApp::new().await;
    app.namespace(&["a"]).await;
    app.namespace(&["b"]).await;
    let table = app.table("a", "t").await;
    app.table("b", "taken").await;
    let rename = |source: Value, destination: Value| {
        let app = &app;
        async move {
            app.post(
                "/v1/default/tables/rename",
                json!({"source": source, "destination": destination}),
            )
            .await
        }
    };
    rename(
        json!({"namespace": ["a"], "name": "t"}),
        json!({"namespace": ["b"], "name": "u"}),
    )
    .await
    .assert_status(204);
    let moved = app.get("/v1/default/namespaces/b/tables/u").await;
    moved.assert_status(200);
    assert_eq!(
        moved.body["metadata"]["table-uuid"],
        table["metadata"]["table-uuid"]
    );
    app.get("/v1/default/namespaces/a/tables/t")
        .await
        .assert_status(404);

    rename(
        json!({"namespace": ["a"], "name": "t"}),
        json!({"namespace": ["b"], "name": "v"}),
    )
    .await
    .assert_error(404, "NoSuchTableException");
    rename(
        json!({"namespace": ["b"], "name": "u"}),
        json!({"namespace": ["zz"], "name": "v"}),
    )
    .await
    .assert_error(404, "NoSuchNamespaceException");
    rename(
        json!({"namespace": ["b"], "name": "u"}),
        json!({"namespace": ["b"], "name": "taken"}),
    )
    .await
    .assert_error(409, "AlreadyExistsException");
    rename(
        json!({"namespace": [], "name": "u"}),
        json!({"namespace": ["b"], "name": "w"}),
    )
    .await
    .assert_error(400, "BadRequestException");
}

#[tokio::test]
async fn register_and_unregister() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    let created = app.table("db", "t").await;
    let unregistered = app
        .post("/v1/default/namespaces/db/tables/t/unregister", json!({}))
        .await;
    unregistered.assert_status(200);
    assert_eq!(
        unregistered.body["metadata-location"],
        created["metadata-location"]
    );
    assert_eq!(unregistered.body["metadata"], created["metadata"]);
    app.get("/v1/default/namespaces/db/tables/t")
        .await
        .assert_status(404);
    app.post("/v1/default/namespaces/db/tables/t/unregister", json!({}))
        .await
        .assert_error(404, "NoSuchTableException");

    let location = created["metadata-location"].clone();
    let registered = app
        .post(
            "/v1/default/namespaces/db/register",
            json!({"name": "again", "metadata-location": location}),
        )
        .await;
    registered.assert_status(200);
    assert_eq!(
        registered.body["metadata"]["table-uuid"],
        created["metadata"]["table-uuid"]
    );
    app.post(
        "/v1/default/namespaces/db/register",
        json!({"name": "again", "metadata-location": location}),
    )
    .await
    .assert_error(409, "AlreadyExistsException");
    app.post(
        "/v1/default/namespaces/db/register",
        json!({"name": "again", "metadata-location": location, "overwrite": true}),
    )
    .await
    .assert_status(200);
    app.post(
        "/v1/default/namespaces/nope/register",
        json!({"name": "x", "metadata-location": location}),
    )
    .await
    .assert_error(404, "NoSuchNamespaceException");
    let missing = format!(
        "file://{}/default/db/none/metadata/00000-x.metadata.json",
        app.warehouse_root().display()
    );
    app.post(
        "/v1/default/namespaces/db/register",
        json!({"name": "x", "metadata-location": missing}),
    )
    .await
    .assert_error(400, "BadRequestException");
    app.post(
        "/v1/default/namespaces/db/register",
        json!({"name": "x", "metadata-location": "file:///etc/passwd"}),
    )
    .await
    .assert_error(400, "BadRequestException");
}

#[tokio::test]
async fn metrics_reports_are_validated_and_stored() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    app.table("db", "t").await;
    let report = json!({
        "report-type": "commit-report", "table-name": "default.db.t", "snapshot-id": 1,
        "sequence-number": 1, "operation": "append",
        "metrics": {"total-duration": {"count": 1, "time-unit": "nanoseconds", "total-duration": 10},
                    "added-data-files": {"unit": "count", "value": 2}}
    });
    app.post("/v1/default/namespaces/db/tables/t/metrics", report.clone())
        .await
        .assert_status(204);
    app.post(
        "/v1/default/namespaces/db/tables/t/metrics",
        json!({"report-type": "scan-report", "table-name": "t"}),
    )
    .await
    .assert_error(400, "BadRequestException");
    app.post(
        "/v1/default/namespaces/db/tables/nope/metrics",
        report.clone(),
    )
    .await
    .assert_error(404, "NoSuchTableException");

    app.get("/api/v1/catalogs/default/namespaces/db/tables/nope/metrics-reports")
        .await
        .assert_error(404, "NoSuchTableException");
    let stored = app
        .get("/api/v1/catalogs/default/namespaces/db/tables/t/metrics-reports")
        .await;
    stored.assert_status(200);
    let items = stored.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["report-type"], "commit-report");
    assert_eq!(items[0]["report"], report);
}
