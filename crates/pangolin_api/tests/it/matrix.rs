//! The authorization matrix: for every route the router serves, the status each kind of caller
//! gets. The route list comes from the tables the router is generated from (`iceberg::ENDPOINTS`,
//! `iceberg::UNPREFIXED`, `management::ROUTES`, `OPERATIONAL_ROUTES`); a route without an entry
//! here fails the test, and so does an entry for a route that does not exist.
//!
//! Each route runs against a fresh application with the same fixtures. The callers run in the
//! order of [`CALLERS`], so a mutation that succeeds for one caller shows in the statuses of the
//! callers after it (a second delete finds nothing): the expectations are exact.

use std::collections::BTreeSet;

use axum::http::Method;
use pangolin_api::auth::jwt::{Claims, ISSUER, JwtKeys};
use pangolin_api::http::{OPERATIONAL_ROUTES, iceberg, management};
use serde_json::{Value, json};

use crate::harness::{Auth, TestApp, schema};

/// The callers, in the order they run.
const CALLERS: [&str; 9] = [
    "anonymous",
    "expired",
    "revoked",
    "admin-other",
    "user-none",
    "user-read",
    "user-write",
    "admin-own",
    "root",
];

/// `(method, path, body, expected statuses for CALLERS)`. In bodies, `{who}` is the caller,
/// `{svc}` the id of the service user `svc`, `{metadata}` and `{view-metadata}` the metadata
/// locations of `ns.t` and `ns.v`, `{dir}` a scratch directory.
const MATRIX: &[(&str, &str, Option<&str>, &str)] = &[
    // Operational and public routes.
    (
        "GET",
        "/health/live",
        None,
        "200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/health/ready",
        None,
        "200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/metrics",
        None,
        "200 200 200 200 200 200 200 200 200",
    ),
    (
        "POST",
        "/api/v1/users/login",
        Some(r#"{"username": "root", "password": "root password for tests"}"#),
        "200 200 200 200 200 200 200 200 200",
    ),
    (
        "POST",
        "/v1/oauth/tokens",
        None,
        "400 400 400 400 400 400 400 400 400",
    ),
    // Iceberg REST.
    (
        "GET",
        "/v1/config",
        None,
        "401 401 401 404 403 200 200 200 200",
    ),
    (
        "GET",
        "/v1/{prefix}/namespaces",
        None,
        "401 401 401 404 403 200 200 200 200",
    ),
    (
        "POST",
        "/v1/{prefix}/namespaces",
        Some(r#"{"namespace": ["n-{who}"]}"#),
        "401 401 401 404 403 403 403 200 200",
    ),
    (
        "GET",
        "/v1/{prefix}/namespaces/{namespace}",
        None,
        "401 401 401 404 403 200 200 200 200",
    ),
    (
        "HEAD",
        "/v1/{prefix}/namespaces/{namespace}",
        None,
        "401 401 401 404 403 204 204 204 204",
    ),
    (
        "DELETE",
        "/v1/{prefix}/namespaces/{namespace}",
        None,
        "401 401 401 404 403 403 403 409 409",
    ),
    (
        "POST",
        "/v1/{prefix}/namespaces/{namespace}/properties",
        Some(r#"{"updates": {"k": "{who}"}}"#),
        "401 401 401 404 403 403 200 200 200",
    ),
    (
        "GET",
        "/v1/{prefix}/namespaces/{namespace}/tables",
        None,
        "401 401 401 404 403 200 200 200 200",
    ),
    (
        "POST",
        "/v1/{prefix}/namespaces/{namespace}/tables",
        Some(r#"{"name": "t-{who}", "schema": {schema}}"#),
        "401 401 401 404 403 403 403 200 200",
    ),
    (
        "POST",
        "/v1/{prefix}/namespaces/{namespace}/register",
        Some(r#"{"name": "r-{who}", "metadata-location": "{metadata}"}"#),
        "401 401 401 404 403 403 403 200 200",
    ),
    (
        "GET",
        "/v1/{prefix}/namespaces/{namespace}/tables/{table}",
        None,
        "401 401 401 404 403 200 200 200 200",
    ),
    (
        "POST",
        "/v1/{prefix}/namespaces/{namespace}/tables/{table}",
        Some(
            r#"{"requirements": [], "updates": [{"action": "set-properties", "updates": {"k": "{who}"}}]}"#,
        ),
        "401 401 401 404 403 403 200 200 200",
    ),
    (
        "DELETE",
        "/v1/{prefix}/namespaces/{namespace}/tables/{table}",
        None,
        "401 401 401 404 403 403 403 204 404",
    ),
    (
        "HEAD",
        "/v1/{prefix}/namespaces/{namespace}/tables/{table}",
        None,
        "401 401 401 404 403 204 204 204 204",
    ),
    (
        "POST",
        "/v1/{prefix}/namespaces/{namespace}/tables/{table}/unregister",
        Some("{}"),
        "401 401 401 404 403 403 403 200 404",
    ),
    (
        "POST",
        "/v1/{prefix}/tables/rename",
        Some(
            r#"{"source": {"namespace": ["ns"], "name": "t"}, "destination": {"namespace": ["ns"], "name": "t-{who}"}}"#,
        ),
        "401 401 401 404 403 403 403 204 404",
    ),
    (
        "POST",
        "/v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
        Some(
            r#"{"report-type": "commit-report", "table-name": "default.ns.t", "snapshot-id": 1, "sequence-number": 1, "operation": "append", "metrics": {}}"#,
        ),
        "401 401 401 404 403 204 204 204 204",
    ),
    (
        "POST",
        "/v1/{prefix}/transactions/commit",
        Some(
            r#"{"table-changes": [{"identifier": {"namespace": ["ns"], "name": "t"}, "requirements": [], "updates": [{"action": "set-properties", "updates": {"k": "{who}"}}]}]}"#,
        ),
        "401 401 401 404 403 403 204 204 204",
    ),
    (
        "GET",
        "/v1/{prefix}/namespaces/{namespace}/views",
        None,
        "401 401 401 404 403 200 200 200 200",
    ),
    (
        "POST",
        "/v1/{prefix}/namespaces/{namespace}/views",
        Some(
            r#"{"name": "v-{who}", "schema": {schema}, "view-version": {view-version}, "properties": {}}"#,
        ),
        "401 401 401 404 403 403 403 200 200",
    ),
    (
        "GET",
        "/v1/{prefix}/namespaces/{namespace}/views/{view}",
        None,
        "401 401 401 404 403 200 200 200 200",
    ),
    (
        "POST",
        "/v1/{prefix}/namespaces/{namespace}/views/{view}",
        Some(
            r#"{"requirements": [], "updates": [{"action": "set-properties", "updates": {"k": "{who}"}}]}"#,
        ),
        "401 401 401 404 403 403 200 200 200",
    ),
    (
        "DELETE",
        "/v1/{prefix}/namespaces/{namespace}/views/{view}",
        None,
        "401 401 401 404 403 403 403 204 404",
    ),
    (
        "HEAD",
        "/v1/{prefix}/namespaces/{namespace}/views/{view}",
        None,
        "401 401 401 404 403 204 204 204 204",
    ),
    (
        "POST",
        "/v1/{prefix}/views/rename",
        Some(
            r#"{"source": {"namespace": ["ns"], "name": "v"}, "destination": {"namespace": ["ns"], "name": "v-{who}"}}"#,
        ),
        "401 401 401 404 403 403 403 204 404",
    ),
    (
        "POST",
        "/v1/{prefix}/namespaces/{namespace}/register-view",
        Some(r#"{"name": "rv-{who}", "metadata-location": "{view-metadata}"}"#),
        "401 401 401 404 403 403 403 200 200",
    ),
    // Tenants: Root creates and changes them; others see their own. Changing one is Root's alone:
    // the 403 does not depend on the id, so it reveals nothing about other tenants.
    (
        "GET",
        "/api/v1/tenants",
        None,
        "401 401 401 200 200 200 200 200 200",
    ),
    (
        "POST",
        "/api/v1/tenants",
        Some(r#"{"name": "t-{who}"}"#),
        "401 401 401 403 403 403 403 403 201",
    ),
    (
        "GET",
        "/api/v1/tenants/{id}",
        None,
        "401 401 401 404 200 200 200 200 200",
    ),
    (
        "PUT",
        "/api/v1/tenants/{id}",
        Some(r#"{"properties": {"k": "{who}"}}"#),
        "401 401 401 403 403 403 403 403 200",
    ),
    (
        "DELETE",
        "/api/v1/tenants/{id}",
        None,
        "401 401 401 403 403 403 403 403 409",
    ),
    // Warehouses and catalogs. Lists answer everyone in the tenant, with what they may see.
    (
        "GET",
        "/api/v1/warehouses",
        None,
        "401 401 401 200 200 200 200 200 200",
    ),
    (
        "POST",
        "/api/v1/warehouses",
        Some(r#"{"name": "w-{who}", "storage": {"type": "file", "root": "{dir}/w-{who}"}}"#),
        "401 401 401 201 403 403 403 201 201",
    ),
    (
        "GET",
        "/api/v1/warehouses/{name}",
        None,
        "401 401 401 404 403 403 403 200 200",
    ),
    (
        "PUT",
        "/api/v1/warehouses/{name}",
        Some(r#"{"storage": {"type": "file", "root": "{warehouse-root}"}}"#),
        "401 401 401 404 403 403 403 200 200",
    ),
    (
        "DELETE",
        "/api/v1/warehouses/{name}",
        None,
        "401 401 401 404 403 403 403 409 409",
    ),
    (
        "GET",
        "/api/v1/catalogs",
        None,
        "401 401 401 200 200 200 200 200 200",
    ),
    (
        "POST",
        "/api/v1/catalogs",
        Some(r#"{"name": "c-{who}", "warehouse": "default"}"#),
        "401 401 401 404 403 403 403 201 201",
    ),
    (
        "GET",
        "/api/v1/catalogs/{name}",
        None,
        "401 401 401 404 403 200 200 200 200",
    ),
    (
        "PUT",
        "/api/v1/catalogs/{name}",
        Some(r#"{"properties": {"k": "{who}"}}"#),
        "401 401 401 404 403 403 200 200 200",
    ),
    (
        "DELETE",
        "/api/v1/catalogs/{name}",
        None,
        "401 401 401 404 403 403 403 409 409",
    ),
    (
        "GET",
        "/api/v1/catalogs/{catalog}/namespaces/{namespace}/tables/{table}/metrics-reports",
        None,
        "401 401 401 404 403 200 200 200 200",
    ),
    // Sessions and accounts.
    (
        "POST",
        "/api/v1/users/logout",
        Some("{}"),
        "401 401 401 204 204 204 204 204 204",
    ),
    (
        "GET",
        "/api/v1/users/me",
        None,
        "401 401 401 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/users",
        None,
        "401 401 401 200 403 403 403 200 200",
    ),
    (
        "POST",
        "/api/v1/users",
        Some(r#"{"name": "u-{who}", "kind": "service", "role": "tenant-user"}"#),
        "401 401 401 201 403 403 403 201 201",
    ),
    (
        "GET",
        "/api/v1/users/{id}",
        None,
        "401 401 401 404 403 403 403 200 200",
    ),
    (
        "PUT",
        "/api/v1/users/{id}",
        Some(r#"{"email": "{who}@example.com"}"#),
        "401 401 401 404 403 403 403 200 200",
    ),
    (
        "DELETE",
        "/api/v1/users/{id}",
        None,
        "401 401 401 404 403 403 403 204 404",
    ),
    (
        "GET",
        "/api/v1/users/{id}/api-keys",
        None,
        "401 401 401 404 403 403 403 200 200",
    ),
    (
        "POST",
        "/api/v1/users/{id}/api-keys",
        Some(r#"{"name": "k-{who}"}"#),
        "401 401 401 404 403 403 403 201 201",
    ),
    (
        "GET",
        "/api/v1/users/{id}/api-keys/{key}",
        None,
        "401 401 401 404 403 403 403 200 200",
    ),
    (
        "PUT",
        "/api/v1/users/{id}/api-keys/{key}",
        Some(r#"{"active": true}"#),
        "401 401 401 404 403 403 403 200 200",
    ),
    (
        "DELETE",
        "/api/v1/users/{id}/api-keys/{key}",
        None,
        "401 401 401 404 403 403 403 204 404",
    ),
    (
        "POST",
        "/api/v1/users/{id}/api-keys/{key}/rotate",
        Some("{}"),
        "401 401 401 404 403 403 403 200 200",
    ),
    (
        "GET",
        "/api/v1/users/{id}/tokens",
        None,
        "401 401 401 404 403 403 403 200 200",
    ),
    (
        "POST",
        "/api/v1/users/{id}/tokens",
        Some("{}"),
        "401 401 401 404 403 403 403 201 201",
    ),
    (
        "GET",
        "/api/v1/users/{id}/roles",
        None,
        "401 401 401 404 403 403 403 200 200",
    ),
    (
        "PUT",
        "/api/v1/users/{id}/roles/{role}",
        Some("{}"),
        "401 401 401 404 403 403 403 204 204",
    ),
    (
        "DELETE",
        "/api/v1/users/{id}/roles/{role}",
        None,
        "401 401 401 404 403 403 403 204 404",
    ),
    (
        "GET",
        "/api/v1/tokens",
        None,
        "401 401 401 200 200 200 200 200 200",
    ),
    (
        "DELETE",
        "/api/v1/tokens/{id}",
        None,
        "401 401 401 404 404 404 404 204 204",
    ),
    // Roles and grants.
    (
        "GET",
        "/api/v1/roles",
        None,
        "401 401 401 200 403 403 403 200 200",
    ),
    (
        "POST",
        "/api/v1/roles",
        Some(r#"{"name": "r-{who}"}"#),
        "401 401 401 201 403 403 403 201 201",
    ),
    (
        "GET",
        "/api/v1/roles/{id}",
        None,
        "401 401 401 404 403 403 403 200 200",
    ),
    (
        "PUT",
        "/api/v1/roles/{id}",
        Some(r#"{"description": "{who}"}"#),
        "401 401 401 404 403 403 403 200 200",
    ),
    (
        "DELETE",
        "/api/v1/roles/{id}",
        None,
        "401 401 401 404 403 403 403 204 404",
    ),
    (
        "GET",
        "/api/v1/grants",
        None,
        "401 401 401 200 200 200 200 200 200",
    ),
    (
        "POST",
        "/api/v1/grants",
        Some(
            r#"{"user": "{svc}", "action": "read", "scope": {"type": "catalog", "catalog": "default"}}"#,
        ),
        "401 401 401 404 403 403 403 201 409",
    ),
    (
        "GET",
        "/api/v1/grants/{id}",
        None,
        "401 401 401 404 404 404 404 200 200",
    ),
    (
        "DELETE",
        "/api/v1/grants/{id}",
        None,
        "401 401 401 404 403 403 403 204 404",
    ),
    // The audit log.
    (
        "GET",
        "/api/v1/audit",
        None,
        "401 401 401 200 403 403 403 200 200",
    ),
    (
        "GET",
        "/api/v1/audit/count",
        None,
        "401 401 401 200 403 403 403 200 200",
    ),
    (
        "GET",
        "/api/v1/audit/{id}",
        None,
        "401 401 401 404 403 403 403 200 200",
    ),
];

/// Every route the router serves, from the tables it is generated from.
fn routes() -> BTreeSet<(String, String)> {
    iceberg::ENDPOINTS
        .iter()
        .chain(iceberg::UNPREFIXED)
        .chain(management::ROUTES)
        .chain(OPERATIONAL_ROUTES)
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect()
}

#[test]
fn every_route_has_a_matrix_entry() {
    let listed: BTreeSet<_> = MATRIX
        .iter()
        .map(|(m, p, _, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(listed.len(), MATRIX.len(), "duplicate matrix entries");
    let routes = routes();
    let missing: Vec<_> = routes.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "routes without a matrix entry: {missing:?}"
    );
    let unknown: Vec<_> = listed.difference(&routes).collect();
    assert!(
        unknown.is_empty(),
        "matrix entries for unknown routes: {unknown:?}"
    );
}

/// The fixtures one route runs against.
struct World {
    app: TestApp,
    callers: Vec<TestApp>,
    values: Vec<(&'static str, String)>,
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

async fn world() -> World {
    let app = TestApp::new().await;
    app.namespace(&["ns"]).await;
    let table = app.table("ns", "t").await;
    let view = app
        .post(
            "/v1/default/namespaces/ns/views",
            json!({"name": "v", "schema": schema(), "view-version": view_version(), "properties": {}}),
        )
        .await;
    view.assert_status(200);
    app.post("/api/v1/tenants", json!({"name": "acme"}))
        .await
        .assert_status(201);
    let (_, admin_other) = app
        .in_tenant("acme")
        .user("admin", "tenant-admin", None)
        .await;
    let (_, admin_own) = app.user("admin", "tenant-admin", None).await;
    let (_, user_none) = app.user("none", "tenant-user", None).await;
    let (read_id, user_read) = app.user("reader", "tenant-user", None).await;
    let (write_id, user_write) = app.user("writer", "tenant-user", None).await;
    let catalog = json!({"type": "catalog", "catalog": "default"});
    app.grant(&read_id, "read", catalog.clone()).await;
    app.grant(&write_id, "write", catalog.clone()).await;

    // An expired token (signed with the test key) and a revoked one.
    let now = pangolin_core::now_millis() / 1000;
    let expired = JwtKeys::new(&[7u8; 32])
        .unwrap()
        .sign(&Claims {
            sub: read_id.clone(),
            tid: None,
            jti: pangolin_core::TokenId::generate().to_string(),
            iat: now - 7200,
            exp: now - 3600,
            iss: ISSUER.to_owned(),
        })
        .unwrap();
    let revoked = app
        .post(&format!("/api/v1/users/{read_id}/tokens"), json!({}))
        .await;
    app.delete(&format!(
        "/api/v1/tokens/{}",
        revoked.body["token-id"].as_str().unwrap()
    ))
    .await
    .assert_status(204);

    // The target of id routes: a service user with a key, a token, a grant and a role.
    let (svc, _) = app.user("svc", "tenant-user", None).await;
    let key = app
        .post(
            &format!("/api/v1/users/{svc}/api-keys"),
            json!({"name": "k"}),
        )
        .await;
    let token = app
        .post(&format!("/api/v1/users/{svc}/tokens"), json!({}))
        .await;
    let grant = app.grant(&svc, "list", catalog).await;
    let role = app.post("/api/v1/roles", json!({"name": "r"})).await;
    app.put(
        &format!("/api/v1/users/{svc}/roles/{}", id(&role.body)),
        json!({}),
    )
    .await
    .assert_status(204);
    let tenant = app.get("/api/v1/tenants?pageToken=&pageSize=10").await;
    let tenant_id = tenant.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "default")
        .map(id)
        .unwrap();
    app.flush_audit().await;
    let audit = app.get("/api/v1/audit?pageToken=&pageSize=1").await;

    let values = vec![
        ("{svc}", svc),
        ("{key}", id(&key.body["api-key"])),
        (
            "{token}",
            token.body["token-id"].as_str().unwrap().to_owned(),
        ),
        ("{grant}", id(&grant)),
        ("{role}", id(&role.body)),
        ("{tenant}", tenant_id),
        ("{audit}", id(&audit.body["items"][0])),
        (
            "{metadata}",
            table["metadata-location"].as_str().unwrap().to_owned(),
        ),
        (
            "{view-metadata}",
            view.body["metadata-location"].as_str().unwrap().to_owned(),
        ),
        ("{dir}", app.dir.path().display().to_string()),
        (
            "{warehouse-root}",
            app.warehouse_root().display().to_string(),
        ),
        ("{schema}", schema().to_string()),
        ("{view-version}", view_version().to_string()),
    ];
    let callers = vec![
        app.anonymous(),
        app.with_token(&expired),
        app.with_auth(Auth::Bearer(
            revoked.body["token"].as_str().unwrap().to_owned(),
        )),
        admin_other,
        user_none,
        user_read,
        user_write,
        admin_own,
        app.clone(),
    ];
    World {
        app,
        callers,
        values,
    }
}

fn view_version() -> Value {
    json!({"version-id": 1, "timestamp-ms": 1, "schema-id": 0, "summary": {},
        "representations": [{"type": "sql", "sql": "select 1", "dialect": "spark"}],
        "default-namespace": ["ns"]})
}

/// The concrete path of a route template in `world`.
fn concrete(world: &World, path: &str) -> String {
    let value = |key: &str| {
        world
            .values
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    let id = if path.starts_with("/api/v1/tenants") {
        value("{tenant}")
    } else if path.starts_with("/api/v1/users") {
        value("{svc}")
    } else if path.starts_with("/api/v1/roles") {
        value("{role}")
    } else if path.starts_with("/api/v1/grants") {
        value("{grant}")
    } else if path.starts_with("/api/v1/tokens") {
        value("{token}")
    } else {
        value("{audit}")
    };
    path.replace("{prefix}", "default")
        .replace("{catalog}", "default")
        .replace("{name}", "default")
        .replace("{namespace}", "ns")
        .replace("{table}", "t")
        .replace("{view}", "v")
        .replace("{id}", &id)
        .replace("{key}", &value("{key}"))
        .replace("{role}", &value("{role}"))
        + if path == "/v1/config" {
            "?warehouse=default"
        } else {
            ""
        }
}

async fn statuses(method: &str, path: &str, body: Option<&str>) -> Vec<u16> {
    let world = world().await;
    let uri = concrete(&world, path);
    let mut statuses = Vec::new();
    for (caller, who) in world.callers.iter().zip(CALLERS) {
        let body = body.map(|b| {
            let mut b = b.replace("{who}", who);
            for (key, value) in &world.values {
                b = b.replace(key, value);
            }
            b
        });
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let response = if path == "/v1/oauth/tokens" {
            caller.raw(method, &uri, "{}").await
        } else {
            match body {
                Some(body) => caller.raw(method, &uri, body).await,
                None => caller.send(method, &uri, None).await,
            }
        };
        statuses.push(response.status.as_u16());
    }
    drop(world.app);
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_caller_as_the_matrix_says() {
    let mut failures = Vec::new();
    for (method, path, body, expected) in MATRIX {
        let expected: Vec<u16> = expected
            .split_whitespace()
            .map(|s| s.parse().unwrap())
            .collect();
        let actual = statuses(method, path, *body).await;
        if actual != expected {
            let actual: Vec<String> = actual.iter().map(u16::to_string).collect();
            failures.push(format!("{method} {path}: got {}", actual.join(" ")));
        }
    }
    assert!(
        failures.is_empty(),
        "callers: {}\n{}",
        CALLERS.join(" "),
        failures.join("\n")
    );
}
