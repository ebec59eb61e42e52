use serde_json::json;

use crate::harness::TestApp;

#[tokio::test]
async fn tenants_crud() {
    let app = TestApp::new().await;
    let created = app
        .post(
            "/api/v1/tenants",
            json!({"name": "acme", "properties": {"tier": "gold"}}),
        )
        .await;
    created.assert_status(201);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(created.body["name"], "acme");
    assert!(created.body["created-at"].as_str().unwrap().ends_with('Z'));
    app.post("/api/v1/tenants", json!({"name": "acme"}))
        .await
        .assert_error(409, "AlreadyExistsException");
    app.post("/api/v1/tenants", json!({"name": ""}))
        .await
        .assert_error(400, "BadRequestException");

    app.get(&format!("/api/v1/tenants/{id}"))
        .await
        .assert_status(200);
    let listed = app.get("/api/v1/tenants").await;
    let names: Vec<_> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["acme", "default"]);
    let paged = app.get("/api/v1/tenants?pageToken=&pageSize=1").await;
    assert_eq!(paged.body["items"].as_array().unwrap().len(), 1);
    assert!(paged.body["next-page-token"].is_string());

    let updated = app
        .put(
            &format!("/api/v1/tenants/{id}"),
            json!({"properties": {"tier": "silver"}}),
        )
        .await;
    updated.assert_status(200);
    assert_eq!(updated.body["properties"], json!({"tier": "silver"}));

    app.delete(&format!("/api/v1/tenants/{id}"))
        .await
        .assert_status(204);
    app.get(&format!("/api/v1/tenants/{id}"))
        .await
        .assert_error(404, "NoSuchTenantException");
    app.get("/api/v1/tenants/not-a-uuid")
        .await
        .assert_error(400, "BadRequestException");
    let default = &listed.body["items"][1]["id"];
    app.delete(&format!("/api/v1/tenants/{}", default.as_str().unwrap()))
        .await
        .assert_error(409, "TenantNotEmptyException");
}

#[tokio::test]
async fn warehouses_crud() {
    let app = TestApp::new().await;
    let root = app.dir.path().join("lake");
    let created = app
        .post(
            "/api/v1/warehouses",
            json!({"name": "lake", "storage": {"type": "file", "root": root}}),
        )
        .await;
    created.assert_status(201);
    assert_eq!(
        created.body["storage"],
        json!({"type": "file", "root": root})
    );
    assert!(root.is_dir(), "the probe created the root");
    app.post(
        "/api/v1/warehouses",
        json!({"name": "lake", "storage": {"type": "file", "root": root}}),
    )
    .await
    .assert_error(409, "AlreadyExistsException");
    app.post(
        "/api/v1/warehouses",
        json!({"name": "bad", "storage": {"type": "file", "root": "relative/path"}}),
    )
    .await
    .assert_error(400, "BadRequestException");
    app.post(
        "/api/v1/warehouses",
        json!({"name": "bad", "storage": {"type": "gcs", "bucket": "x"}}),
    )
    .await
    .assert_error(400, "BadRequestException");
    app.post(
        "/api/v1/warehouses",
        json!({"name": "bad", "storage": {"type": "s3", "bucket": "Not_Valid",
            "credentials": {"type": "static", "access-key-id": "a", "secret-access-key": "b"}}}),
    )
    .await
    .assert_error(400, "BadRequestException");

    app.get("/api/v1/warehouses/lake").await.assert_status(200);
    app.get("/api/v1/warehouses/nope")
        .await
        .assert_error(404, "NoSuchWarehouseException");
    let listed = app.get("/api/v1/warehouses").await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);

    app.put(
        "/api/v1/warehouses/lake",
        json!({"storage": {"type": "file", "root": app.dir.path().join("elsewhere")}}),
    )
    .await
    .assert_error(400, "BadRequestException");
    app.put(
        "/api/v1/warehouses/lake",
        json!({"storage": {"type": "file", "root": root}}),
    )
    .await
    .assert_status(200);

    app.post(
        "/api/v1/catalogs",
        json!({"name": "c", "warehouse": "lake"}),
    )
    .await
    .assert_status(201);
    app.delete("/api/v1/warehouses/lake")
        .await
        .assert_error(409, "WarehouseInUseException");
    app.delete("/api/v1/catalogs/c").await.assert_status(204);
    app.delete("/api/v1/warehouses/lake")
        .await
        .assert_status(204);
    app.delete("/api/v1/warehouses/lake")
        .await
        .assert_error(404, "NoSuchWarehouseException");
}

#[tokio::test]
async fn catalogs_crud() {
    let app = TestApp::new().await;
    let root = app.warehouse_root();
    let created = app
        .post(
            "/api/v1/catalogs",
            json!({"name": "sales", "warehouse": "default", "properties": {"team": "bi"}}),
        )
        .await;
    created.assert_status(201);
    assert_eq!(created.body["warehouse"], "default");
    assert_eq!(
        created.body["base-location"],
        format!("file://{}/sales", root.display())
    );
    app.post(
        "/api/v1/catalogs",
        json!({"name": "sales", "warehouse": "default"}),
    )
    .await
    .assert_error(409, "AlreadyExistsException");
    app.post(
        "/api/v1/catalogs",
        json!({"name": "x", "warehouse": "nope"}),
    )
    .await
    .assert_error(404, "NoSuchWarehouseException");
    app.post(
        "/api/v1/catalogs",
        json!({"name": "bad/name", "warehouse": "default"}),
    )
    .await
    .assert_error(400, "BadRequestException");
    app.post(
        "/api/v1/catalogs",
        json!({"name": "outside", "warehouse": "default", "base-location": "file:///tmp/elsewhere"}),
    )
    .await
    .assert_error(400, "BadRequestException");
    app.post(
        "/api/v1/catalogs",
        json!({"name": "nested", "warehouse": "default",
               "base-location": format!("file://{}/sales/inner", root.display())}),
    )
    .await
    .assert_error(400, "BadRequestException");

    let config = app.get("/v1/config?warehouse=sales").await;
    config.assert_status(200);
    let updated = app
        .put(
            "/api/v1/catalogs/sales",
            json!({"properties": {"team": "finance"}}),
        )
        .await;
    updated.assert_status(200);
    assert_eq!(updated.body["properties"], json!({"team": "finance"}));
    let listed = app.get("/api/v1/catalogs").await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);

    app.post("/v1/sales/namespaces", json!({"namespace": ["n"]}))
        .await
        .assert_status(200);
    app.delete("/api/v1/catalogs/sales")
        .await
        .assert_error(409, "CatalogNotEmptyException");
    app.delete("/v1/sales/namespaces/n")
        .await
        .assert_status(204);
    app.delete("/api/v1/catalogs/sales")
        .await
        .assert_status(204);
    app.get("/api/v1/catalogs/sales")
        .await
        .assert_error(404, "NoSuchCatalogException");
    app.put("/api/v1/catalogs/sales", json!({"properties": {}}))
        .await
        .assert_error(404, "NoSuchCatalogException");
}
