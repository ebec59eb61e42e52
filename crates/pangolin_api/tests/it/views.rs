use serde_json::{Value, json};

use crate::harness::{TestApp, schema};

fn view_version(id: i64, sql: &str) -> Value {
    json!({
        "version-id": id,
        "timestamp-ms": 1_700_000_000_000i64,
        "schema-id": 0,
        "summary": {"engine-name": "spark"},
        "representations": [{"type": "sql", "sql": sql, "dialect": "spark"}],
        "default-namespace": ["db"]
    })
}

async fn create_view(app: &TestApp, name: &str) -> Value {
    let created = app
        .post(
            "/v1/default/namespaces/db/views",
            json!({"name": name, "schema": schema(), "view-version": view_version(1, "select 1"), "properties": {}}),
        )
        .await;
    created.assert_status(200);
    created.body
}

#[tokio::test]
async fn create_load_list_exists_drop() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    let created = create_view(&app, "v").await;
    let location = created["metadata-location"].as_str().unwrap();
    assert!(location.contains("/metadata/00000-"));
    assert!(std::path::Path::new(location.strip_prefix("file://").unwrap()).is_file());
    assert_eq!(created["metadata"]["current-version-id"], 1);

    let loaded = app.get("/v1/default/namespaces/db/views/v").await;
    loaded.assert_status(200);
    assert_eq!(loaded.body["metadata"], created["metadata"]);
    app.head("/v1/default/namespaces/db/views/v")
        .await
        .assert_status(204);
    assert_eq!(
        app.head("/v1/default/namespaces/db/views/nope")
            .await
            .status,
        404
    );
    let listed = app.get("/v1/default/namespaces/db/views").await;
    assert_eq!(
        listed.body["identifiers"],
        json!([{"namespace": ["db"], "name": "v"}])
    );
    app.get("/v1/default/namespaces/nope/views")
        .await
        .assert_error(404, "NoSuchNamespaceException");
    app.post(
        "/v1/default/namespaces/nope/views",
        json!({"name": "v", "schema": schema(), "view-version": view_version(1, "select 1"), "properties": {}}),
    )
    .await
    .assert_error(404, "NoSuchNamespaceException");
    app.post(
        "/v1/default/namespaces/db/views",
        json!({"name": "bad", "schema": schema(), "properties": {}}),
    )
    .await
    .assert_error(400, "BadRequestException");

    app.delete("/v1/default/namespaces/db/views/v")
        .await
        .assert_status(204);
    app.delete("/v1/default/namespaces/db/views/v")
        .await
        .assert_error(404, "NoSuchViewException");
    app.get("/v1/default/namespaces/db/views/v")
        .await
        .assert_error(404, "NoSuchViewException");
}

#[tokio::test]
async fn tables_and_views_share_names() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    app.table("db", "t").await;
    create_view(&app, "v").await;
    app.post(
        "/v1/default/namespaces/db/views",
        json!({"name": "t", "schema": schema(), "view-version": view_version(1, "select 1"), "properties": {}}),
    )
    .await
    .assert_error(409, "AlreadyExistsException");
    app.post(
        "/v1/default/namespaces/db/tables",
        json!({"name": "v", "schema": schema()}),
    )
    .await
    .assert_error(409, "AlreadyExistsException");
    app.get("/v1/default/namespaces/db/tables/v")
        .await
        .assert_error(404, "NoSuchTableException");
    app.get("/v1/default/namespaces/db/views/t")
        .await
        .assert_error(404, "NoSuchViewException");
    app.post(
        "/v1/default/views/rename",
        json!({"source": {"namespace": ["db"], "name": "v"}, "destination": {"namespace": ["db"], "name": "t"}}),
    )
    .await
    .assert_error(409, "AlreadyExistsException");
}

#[tokio::test]
async fn replace_view() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    let created = create_view(&app, "v").await;
    let uuid = created["metadata"]["view-uuid"].clone();
    let replaced = app
        .post(
            "/v1/default/namespaces/db/views/v",
            json!({
                "requirements": [{"type": "assert-view-uuid", "uuid": uuid}],
                "updates": [
                    {"action": "add-view-version", "view-version": view_version(2, "select 2")},
                    {"action": "set-current-view-version", "view-version-id": -1}
                ]
            }),
        )
        .await;
    replaced.assert_status(200);
    assert_eq!(replaced.body["metadata"]["current-version-id"], 2);
    assert!(
        replaced.body["metadata-location"]
            .as_str()
            .unwrap()
            .contains("/metadata/00001-")
    );

    app.post(
        "/v1/default/namespaces/db/views/v",
        json!({"requirements": [{"type": "assert-view-uuid", "uuid": "00000000-0000-0000-0000-000000000000"}],
               "updates": []}),
    )
    .await
    .assert_error(409, "CommitFailedException");
    app.post(
        "/v1/default/namespaces/db/views/v",
        json!({"updates": [{"action": "set-current-view-version", "view-version-id": 9}]}),
    )
    .await
    .assert_error(400, "BadRequestException");
    app.post(
        "/v1/default/namespaces/db/views/nope",
        json!({"updates": []}),
    )
    .await
    .assert_error(404, "NoSuchViewException");
}

#[tokio::test]
async fn rename_and_register_views() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    app.namespace(&["other"]).await;
    let created = create_view(&app, "v").await;
    app.post(
        "/v1/default/views/rename",
        json!({"source": {"namespace": ["db"], "name": "v"}, "destination": {"namespace": ["other"], "name": "w"}}),
    )
    .await
    .assert_status(204);
    app.get("/v1/default/namespaces/other/views/w")
        .await
        .assert_status(200);
    app.post(
        "/v1/default/views/rename",
        json!({"source": {"namespace": ["db"], "name": "v"}, "destination": {"namespace": ["other"], "name": "x"}}),
    )
    .await
    .assert_error(404, "NoSuchViewException");

    let registered = app
        .post(
            "/v1/default/namespaces/db/register-view",
            json!({"name": "copy", "metadata-location": created["metadata-location"]}),
        )
        .await;
    registered.assert_status(200);
    assert_eq!(
        registered.body["metadata"]["view-uuid"],
        created["metadata"]["view-uuid"]
    );
    app.post(
        "/v1/default/namespaces/db/register-view",
        json!({"name": "copy", "metadata-location": created["metadata-location"]}),
    )
    .await
    .assert_error(409, "AlreadyExistsException");
    app.post(
        "/v1/default/namespaces/nope/register-view",
        json!({"name": "x", "metadata-location": created["metadata-location"]}),
    )
    .await
    .assert_error(404, "NoSuchNamespaceException");
}
