use pangolin_core::{StorageProfile, Warehouse, WarehouseId};
use serde_json::json;

use crate::harness::TestApp;

#[tokio::test]
async fn config_names_the_prefix_and_the_endpoints() {
    let app = TestApp::new().await;
    let config = app.get("/v1/config?warehouse=default").await;
    config.assert_status(200);
    assert_eq!(config.body["overrides"], json!({"prefix": "default"}));
    assert_eq!(config.body["defaults"], json!({}));
    let endpoints = config.body["endpoints"].as_array().unwrap();
    assert!(endpoints.contains(&json!(
        "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}"
    )));
    assert!(endpoints.contains(&json!("POST /v1/{prefix}/transactions/commit")));

    app.get("/v1/config?warehouse=nope")
        .await
        .assert_error(404, "NoSuchWarehouseException");
    app.get("/v1/config")
        .await
        .assert_error(400, "BadRequestException");
}

#[tokio::test]
async fn s3_catalogs_get_storage_hints_but_no_secrets() {
    let app = TestApp::new().await;
    // Stored directly: the management API would first probe the (here unreachable) endpoint.
    let store = app.state.service.store();
    let tenant = store.get_tenant_by_name("default").await.unwrap();
    let storage: StorageProfile = serde_json::from_value(json!({
        "type": "s3", "bucket": "bkt", "region": "eu-west-1", "endpoint": "http://127.0.0.1:9",
        "path-style-access": true,
        "credentials": {"type": "static", "access-key-id": "AK", "secret-access-key": "SECRET"}
    }))
    .unwrap();
    let warehouse = Warehouse {
        id: WarehouseId::generate(),
        tenant_id: tenant.id,
        name: "lake".into(),
        storage,
        created_at: 0,
        updated_at: 0,
    };
    store.create_warehouse(&warehouse).await.unwrap();
    app.post(
        "/api/v1/catalogs",
        json!({"name": "s3cat", "warehouse": "lake"}),
    )
    .await
    .assert_status(201);
    let config = app.get("/v1/config?warehouse=s3cat").await;
    config.assert_status(200);
    assert_eq!(
        config.body["defaults"],
        json!({"client.region": "eu-west-1", "s3.endpoint": "http://127.0.0.1:9",
               "s3.path-style-access": "true", "s3.region": "eu-west-1"})
    );
    assert!(!config.text.contains("SECRET"));
    let shown = app.get("/api/v1/warehouses/lake").await;
    assert!(!shown.text.contains("SECRET"), "{}", shown.text);
    assert_eq!(
        shown.body["storage"]["credentials"],
        json!({"type": "static", "access-key-id": "AK"})
    );
}

#[tokio::test]
async fn health() {
    let app = TestApp::new().await;
    app.get("/health/live").await.assert_status(200);
    let ready = app.get("/health/ready").await;
    ready.assert_status(200);
    assert_eq!(ready.body, json!({"status": "ok"}));
}

#[tokio::test]
async fn swagger_ui_and_documents_are_served() {
    let app = TestApp::new().await;
    let management = app.get("/api-docs/management.json").await;
    management.assert_status(200);
    assert_eq!(management.body["info"]["title"], "Pangolin management API");
    // Every management route is documented, with its method.
    for (method, path) in pangolin_api::http::management::ROUTES {
        assert!(
            management.body["paths"][path][method.to_lowercase()].is_object(),
            "{method} {path} is not in the management OpenAPI document"
        );
    }
    // Secrets are write-only in the documented schemas.
    assert_eq!(
        management.body["components"]["schemas"]["CreateUserRequest"]["properties"]["password"]["writeOnly"],
        true
    );
    let iceberg = app.get("/api-docs/iceberg-rest-catalog.json").await;
    iceberg.assert_status(200);
    assert_eq!(
        iceberg.body["info"]["title"],
        "Apache Iceberg REST Catalog API"
    );
    assert_eq!(iceberg.body["servers"][0]["url"], "/");
    let ui = app.get("/swagger-ui/").await;
    ui.assert_status(200);
    assert!(
        ui.text.contains("swagger"),
        "{}",
        &ui.text[..ui.text.len().min(200)]
    );
    let initializer = app.get("/swagger-ui/swagger-initializer.js").await;
    initializer.assert_status(200);
    assert!(initializer.text.contains("/api-docs/management.json"));
    assert!(
        initializer
            .text
            .contains("/api-docs/iceberg-rest-catalog.json")
    );
}
