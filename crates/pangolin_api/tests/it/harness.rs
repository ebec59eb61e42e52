//! Drives the whole application in-process (no socket) over a real store.
//!
//! The store comes from `PANGOLIN_TEST_STORE`: `sqlite` (default: a real SQLite file in a
//! temporary directory), `postgres` (a fresh database per test, see `pangolin_store::testing`) or
//! `memory`.
//!
//! Requests are authenticated: by default as the Root user the harness bootstraps (acting in the
//! `default` tenant); [`TestApp::with_auth`] gives a view of the same application that sends other
//! credentials (or none).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use pangolin_api::auth::jwt::JwtKeys;
use pangolin_api::service::{AuthSettings, RateLimitSettings, Service};
use pangolin_api::{AppState, HttpSettings, bootstrap, config, router};
use pangolin_store::sql::SqlOptions;
use serde_json::{Value, json};
use tower::ServiceExt;

/// The Root user's password in every test application.
pub const ROOT_PASSWORD: &str = "root password for tests";

/// The credentials a request presents.
#[derive(Clone, Debug)]
pub enum Auth {
    /// None.
    Anonymous,
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// `X-API-Key: <key>`.
    ApiKey(String),
}

/// An application over a fresh store with the bootstrap tenant, warehouse and catalog `default`
/// and the Root user `root`. Cheap to clone; clones share the application.
#[derive(Clone)]
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub dir: Arc<tempfile::TempDir>,
    /// The Root user's token.
    pub root_token: String,
    /// What this view's requests present.
    pub auth: Auth,
    /// The tenant this view's requests name with `X-Pangolin-Tenant`, if any.
    pub tenant: Option<String>,
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
        let service = Service::new(store, auth_settings());
        service
            .bootstrap_root(Some(ROOT_PASSWORD.to_owned()))
            .await
            .unwrap();
        bootstrap::bootstrap(&service, dir.path())
            .await
            .unwrap()
            .expect("a fresh store is bootstrapped");
        let root_token = service
            .login(None, "root", ROOT_PASSWORD, None)
            .await
            .unwrap()
            .token;
        let state = AppState::new(service, settings);
        Self {
            router: router(state.clone()),
            state,
            dir: Arc::new(dir),
            auth: Auth::Bearer(root_token.clone()),
            root_token,
            tenant: None,
        }
    }

    /// The same application, sending `auth` instead.
    pub fn with_auth(&self, auth: Auth) -> Self {
        Self {
            auth,
            ..self.clone()
        }
    }

    /// The same application, sending `Authorization: Bearer <token>`.
    pub fn with_token(&self, token: &str) -> Self {
        self.with_auth(Auth::Bearer(token.to_owned()))
    }

    /// The same application, naming `tenant` with `X-Pangolin-Tenant`.
    pub fn in_tenant(&self, tenant: &str) -> Self {
        Self {
            tenant: Some(tenant.to_owned()),
            ..self.clone()
        }
    }

    /// Creates a user (a service user unless `password` is given) with `role` in the tenant this
    /// view acts in, and returns its id and a view of the application acting as it (with a token
    /// an administrator issued, or from logging in).
    pub async fn user(&self, name: &str, role: &str, password: Option<&str>) -> (String, TestApp) {
        let kind = if password.is_some() {
            "human"
        } else {
            "service"
        };
        let created = self
            .post(
                "/api/v1/users",
                json!({"name": name, "kind": kind, "role": role, "password": password}),
            )
            .await;
        created.assert_status(201);
        let id = created.body["id"].as_str().unwrap().to_owned();
        let token = self
            .post(&format!("/api/v1/users/{id}/tokens"), json!({}))
            .await;
        token.assert_status(201);
        let token = token.body["token"].as_str().unwrap().to_owned();
        let as_user = Self {
            tenant: None,
            ..self.with_token(&token)
        };
        (id, as_user)
    }

    /// Grants `action` on `scope` to user `id` (as this view) and asserts success.
    pub async fn grant(&self, id: &str, action: &str, scope: Value) -> Value {
        let response = self
            .post(
                "/api/v1/grants",
                json!({"user": id, "action": action, "scope": scope}),
            )
            .await;
        response.assert_status(201);
        response.body
    }

    /// Waits for queued audit events to be written.
    pub async fn flush_audit(&self) {
        self.state.service.flush_audit().await;
    }

    /// The same application, without credentials.
    pub fn anonymous(&self) -> Self {
        self.with_auth(Auth::Anonymous)
    }

    /// The bootstrap warehouse root.
    pub fn warehouse_root(&self) -> PathBuf {
        self.dir.path().join("warehouse").canonicalize().unwrap()
    }

    /// Sends `request` as is (with no credentials unless it has some).
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

    /// A request builder with this view's credentials.
    pub fn builder(&self, method: Method, uri: &str) -> axum::http::request::Builder {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(tenant) = &self.tenant {
            builder = builder.header("x-pangolin-tenant", tenant);
        }
        match &self.auth {
            Auth::Anonymous => builder,
            Auth::Bearer(token) => builder.header("authorization", format!("Bearer {token}")),
            Auth::ApiKey(key) => builder.header("x-api-key", key),
        }
    }

    pub async fn send(&self, method: Method, uri: &str, body: Option<Value>) -> TestResponse {
        let builder = self.builder(method, uri);
        let request = match body {
            Some(body) => builder
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => builder.body(Body::empty()),
        };
        self.request(request.unwrap()).await
    }

    pub async fn raw(&self, method: Method, uri: &str, body: impl Into<Body>) -> TestResponse {
        let request = self
            .builder(method, uri)
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

/// Authentication settings for tests: a fixed secret, no principal caching (so revocations and
/// grants take effect at once).
pub fn auth_settings() -> AuthSettings {
    AuthSettings {
        keys: JwtKeys::new(&[7u8; 32]).unwrap(),
        token_ttl: Duration::from_secs(3600),
        max_token_ttl: Duration::from_secs(24 * 3600),
        cache_ttl: Duration::ZERO,
        dev_mode: false,
        rate_limits: RateLimitSettings::default(),
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
