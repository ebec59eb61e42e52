//! Bad input gets a clear 4xx in the Iceberg error model and leaves nothing behind.

use axum::http::Method;
use pangolin_api::HttpSettings;
use serde_json::json;

use crate::harness::{TestApp, schema};

#[tokio::test]
async fn malformed_bodies_are_bad_requests() {
    let app = TestApp::new().await;
    for body in [
        "",
        "{",
        "not json",
        "[]",
        "{\"namespace\": \"flat\"}",
        "{\"namespace\": [\"a\"]} trailing",
    ] {
        let response = app.raw(Method::POST, "/v1/default/namespaces", body).await;
        response.assert_error(400, "BadRequestException");
    }
    let typed = app
        .post("/v1/default/namespaces", json!({"namespace": [1, 2]}))
        .await;
    typed.assert_error(400, "BadRequestException");
    assert!(
        typed.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("namespace")
    );
    // Nothing was created by any of them.
    let listed = app.get("/v1/default/namespaces").await;
    assert_eq!(listed.body["namespaces"], json!([]));
}

#[tokio::test]
async fn bodies_must_be_declared_json() {
    let app = TestApp::new().await;
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut request = app.builder(Method::POST, "/api/v1/tenants");
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = app
            .request(
                request
                    .body(axum::body::Body::from(r#"{"name": "csrf"}"#))
                    .unwrap(),
            )
            .await;
        response.assert_error(415, "UnsupportedMediaTypeException");
    }
    let charset = app
        .builder(Method::POST, "/api/v1/tenants")
        .header("content-type", "application/json; charset=utf-8")
        .body(axum::body::Body::from(r#"{"name": "ok"}"#))
        .unwrap();
    app.request(charset).await.assert_status(201);
}

#[tokio::test]
async fn unknown_fields_are_accepted() {
    let app = TestApp::new().await;
    app.post(
        "/v1/default/namespaces",
        json!({"namespace": ["a"], "properties": {}, "a-field-from-the-future": [1, 2, 3]}),
    )
    .await
    .assert_status(200);
}

#[tokio::test]
async fn bad_identifiers_are_bad_requests() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    let long = "x".repeat(256);
    for namespace in [
        json!([]),
        json!([""]),
        json!(["a\u{1}b"]),
        json!([long]),
        json!(["a\u{1f}b"]),
    ] {
        app.post("/v1/default/namespaces", json!({"namespace": namespace}))
            .await
            .assert_error(400, "BadRequestException");
    }
    for name in ["", "a\nb", &long] {
        app.post(
            "/v1/default/namespaces/db/tables",
            json!({"name": name, "schema": schema()}),
        )
        .await
        .assert_error(400, "BadRequestException");
    }
    let ok = "y".repeat(255);
    app.post(
        "/v1/default/namespaces/db/tables",
        json!({"name": ok, "schema": schema()}),
    )
    .await
    .assert_status(200);
    app.get("/v1/default/namespaces/a%1F/tables")
        .await
        .assert_error(400, "BadRequestException");
    app.get("/v1/default/namespaces/%FF%FE")
        .await
        .assert_error(400, "BadRequestException");
    app.get(&format!(
        "/v1/default/namespaces/db/tables/{}",
        "z".repeat(300)
    ))
    .await
    .assert_error(400, "BadRequestException");
    let listed = app.get("/v1/default/namespaces/db/tables").await;
    assert_eq!(listed.body["identifiers"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = TestApp::with_settings(HttpSettings {
        max_body_bytes: 1024,
        ..HttpSettings::default()
    })
    .await;
    let big = json!({"namespace": ["a"], "properties": {"k": "v".repeat(2048)}});
    app.post("/v1/default/namespaces", big)
        .await
        .assert_error(413, "RequestTooLargeException");
    app.get("/v1/default/namespaces/a").await.assert_status(404);
}

#[tokio::test]
async fn unknown_routes_and_methods_use_the_error_model() {
    let app = TestApp::new().await;
    app.get("/v1/default/nothing-here")
        .await
        .assert_error(404, "NotFoundException");
    app.send(Method::PUT, "/v1/default/namespaces", None)
        .await
        .assert_error(405, "MethodNotAllowedException");
}
