//! Drives the whole application in-process (no socket) over a real store.
//!
//! The store comes from `PANGOLIN_TEST_STORE`: `sqlite` (default: a real SQLite file in a
//! temporary directory), `postgres` (a fresh database per test, see `pangolin_store::testing`) or
//! `memory`.

use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use pangolin_api::service::Service;
use pangolin_api::{AppState, HttpSettings, bootstrap, config, router};
use pangolin_store::sql::SqlOptions;
use serde_json::{Value, json};
use tower::ServiceExt;

/// An application over a fresh store with the bootstrap tenant, warehouse and catalog `default`.
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub dir: tempfile::TempDir,
}

/// A response, with the body parsed as JSON when it is JSON.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl TestResponse {
    /// Asserts the status, printing the body on failure.
    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        self
    }

    /// Asserts an Iceberg error response with this status and type.
    #[track_caller]
    pub fn assert_error(&self, status: u16, kind: &str) -> &Self {
        self.assert_status(status);
        assert_eq!(self.body["error"]["type"], kind, "body: {}", self.text);
        assert_eq!(self.body["error"]["code"], status, "body: {}", self.text);
        assert!(
            self.body["error"]["message"].is_string(),
            "body: {}",
            self.text
        );
        self
    }
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_settings(HttpSettings::default()).await
    }

    pub async fn with_settings(settings: HttpSettings) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = match std::env::var("PANGOLIN_TEST_STORE").as_deref() {
            Ok("memory") => "memory:".to_owned(),
            Ok("postgres") => pangolin_store::testing::postgres_database().await,
            Ok("sqlite") | Err(_) => {
                format!("sqlite://{}", dir.path().join("pangolin.db").display())
            }
            Ok(other) => {
                panic!("unknown PANGOLIN_TEST_STORE '{other}' (use sqlite, postgres or memory)")
            }
        };
        let options = SqlOptions {
            max_connections: 4,
            ..SqlOptions::default()
        };
        let store = config::open_store(
            &url,
            &options,
            Some(&pangolin_store::secrets::EncryptionKey::generate()),
            true,
        )
        .await
        .unwrap();
        let service = Service::new(store);
        bootstrap::bootstrap(&service, dir.path())
            .await
            .unwrap()
            .expect("a fresh store is bootstrapped");
        let state = AppState::new(service, settings);
        Self {
            router: router(state.clone()),
            state,
            dir,
        }
    }

    /// The bootstrap warehouse root.
    pub fn warehouse_root(&self) -> PathBuf {
        self.dir.path().join("warehouse").canonicalize().unwrap()
    }

    pub async fn request(&self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        TestResponse {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn send(&self, method: Method, uri: &str, body: Option<Value>) -> TestResponse {
        let builder = Request::builder().method(method).uri(uri);
        let request = match body {
            Some(body) => builder
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => builder.body(Body::empty()),
        };
        self.request(request.unwrap()).await
    }

    pub async fn raw(&self, method: Method, uri: &str, body: impl Into<Body>) -> TestResponse {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(body.into())
            .unwrap();
        self.request(request).await
    }

    pub async fn get(&self, uri: &str) -> TestResponse {
        self.send(Method::GET, uri, None).await
    }

    pub async fn head(&self, uri: &str) -> TestResponse {
        self.send(Method::HEAD, uri, None).await
    }

    pub async fn delete(&self, uri: &str) -> TestResponse {
        self.send(Method::DELETE, uri, None).await
    }

    pub async fn post(&self, uri: &str, body: Value) -> TestResponse {
        self.send(Method::POST, uri, Some(body)).await
    }

    pub async fn put(&self, uri: &str, body: Value) -> TestResponse {
        self.send(Method::PUT, uri, Some(body)).await
    }

    /// Creates a namespace (and asserts success).
    pub async fn namespace(&self, levels: &[&str]) {
        self.post(
            "/v1/default/namespaces",
            json!({ "namespace": levels, "properties": {} }),
        )
        .await
        .assert_status(200);
    }

    /// Creates a table in `ns` (encoded path form) and returns the load result.
    pub async fn table(&self, ns: &str, name: &str) -> Value {
        let response = self
            .post(
                &format!("/v1/default/namespaces/{ns}/tables"),
                json!({ "name": name, "schema": schema() }),
            )
            .await;
        response.assert_status(200);
        response.body
    }
}

/// A two-column schema.
pub fn schema() -> Value {
    json!({
        "type": "struct",
        "schema-id": 0,
        "fields": [
            {"id": 1, "name": "id", "required": true, "type": "long"},
            {"id": 2, "name": "data", "required": false, "type": "string"},
            {"id": 3, "name": "ts", "required": false, "type": "timestamptz"}
        ]
    })
}

/// Percent-encodes a string for a URL path segment.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
