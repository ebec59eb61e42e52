use serde_json::json;

use crate::harness::TestApp;

fn set_property(ns: &str, table: &str, key: &str) -> serde_json::Value {
    json!({
        "identifier": {"namespace": [ns], "name": table},
        "requirements": [],
        "updates": [{"action": "set-properties", "updates": {key: "v"}}]
    })
}

#[tokio::test]
async fn all_tables_move_together() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    app.table("db", "a").await;
    app.table("db", "b").await;
    app.post(
        "/v1/default/transactions/commit",
        json!({"table-changes": [set_property("db", "a", "ka"), set_property("db", "b", "kb")]}),
    )
    .await
    .assert_status(204);
    let a = app.get("/v1/default/namespaces/db/tables/a").await;
    let b = app.get("/v1/default/namespaces/db/tables/b").await;
    assert_eq!(a.body["metadata"]["properties"]["ka"], "v");
    assert_eq!(b.body["metadata"]["properties"]["kb"], "v");
}

#[tokio::test]
async fn one_failing_table_fails_all() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    app.table("db", "a").await;
    app.table("db", "b").await;
    let failing = json!({
        "identifier": {"namespace": ["db"], "name": "b"},
        "requirements": [{"type": "assert-table-uuid", "uuid": "00000000-0000-0000-0000-000000000000"}],
        "updates": [{"action": "set-properties", "updates": {"kb": "v"}}]
    });
    app.post(
        "/v1/default/transactions/commit",
        json!({"table-changes": [set_property("db", "a", "ka"), failing]}),
    )
    .await
    .assert_error(409, "CommitFailedException");
    let a = app.get("/v1/default/namespaces/db/tables/a").await;
    assert!(
        a.body["metadata"]["properties"].get("ka").is_none(),
        "no partial commit"
    );

    app.post(
        "/v1/default/transactions/commit",
        json!({"table-changes": [set_property("db", "a", "ka"), set_property("db", "missing", "k")]}),
    )
    .await
    .assert_error(404, "NoSuchTableException");
    let a = app.get("/v1/default/namespaces/db/tables/a").await;
    assert!(a.body["metadata"]["properties"].get("ka").is_none());
}

#[tokio::test]
async fn malformed_transactions() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    app.table("db", "a").await;
    app.post(
        "/v1/default/transactions/commit",
        json!({"table-changes": []}),
    )
    .await
    .assert_error(400, "BadRequestException");
    app.post(
        "/v1/default/transactions/commit",
        json!({"table-changes": [{"requirements": [], "updates": []}]}),
    )
    .await
    .assert_error(400, "BadRequestException");
    app.post(
        "/v1/default/transactions/commit",
        json!({"table-changes": [set_property("db", "a", "x"), set_property("db", "a", "y")]}),
    )
    .await
    .assert_error(400, "BadRequestException");
}
