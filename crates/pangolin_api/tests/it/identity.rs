//! Identity and access end to end through the router: logins and tokens, service users and API
//! keys, the OAuth2 endpoint, grants and their limits, escalation attempts, tenant isolation,
//! rate limits and the audit log.

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::{Value, json};

use crate::harness::{Auth, ROOT_PASSWORD, TestApp, schema};

async fn login(app: &TestApp, tenant: Option<&str>, user: &str, password: &str) -> (u16, Value) {
    let response = app
        .anonymous()
        .post(
            "/api/v1/users/login",
            json!({"tenant": tenant, "username": user, "password": password}),
        )
        .await;
    (response.status.as_u16(), response.body)
}

async fn oauth(app: &TestApp, form: &str) -> (u16, Value) {
    let request = Request::builder()
        .method(Method::POST)
        .uri("/v1/oauth/tokens")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .unwrap();
    let response = app.request(request).await;
    (response.status.as_u16(), response.body)
}

#[tokio::test]
async fn login_me_logout_and_deactivation() {
    let app = TestApp::new().await;
    let anonymous = app.anonymous().get("/v1/default/namespaces").await;
    anonymous.assert_error(401, "NotAuthorizedException");

    let (id, _) = app
        .user("ada", "tenant-user", Some("a long enough password"))
        .await;
    let (status, body) = login(&app, Some("default"), "ada", "a long enough password").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token-type"], "bearer");
    let ada = app.with_token(body["token"].as_str().unwrap());
    let me = ada.get("/api/v1/users/me").await;
    me.assert_status(200);
    assert_eq!(me.body["name"], "ada");
    assert!(me.body.get("password").is_none() && me.body.get("password-hash").is_none());

    // Wrong password, unknown user and unknown tenant all look the same.
    for (tenant, user, password) in [
        (Some("default"), "ada", "not the password"),
        (Some("default"), "nobody", "a long enough password"),
        (Some("nowhere"), "ada", "a long enough password"),
        (None, "ada", "a long enough password"),
    ] {
        let (status, body) = login(&app, tenant, user, password).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"]["message"], "invalid username or password");
    }

    // Logout revokes the token it was made with.
    ada.post("/api/v1/users/logout", json!({}))
        .await
        .assert_status(204);
    ada.get("/api/v1/users/me")
        .await
        .assert_error(401, "NotAuthorizedException");

    // A deactivated account can neither log in nor use a token it had.
    let (_, body) = login(&app, Some("default"), "ada", "a long enough password").await;
    let ada = app.with_token(body["token"].as_str().unwrap());
    ada.get("/api/v1/users/me").await.assert_status(200);
    app.put(&format!("/api/v1/users/{id}"), json!({"active": false}))
        .await
        .assert_status(200);
    ada.get("/api/v1/users/me")
        .await
        .assert_error(401, "NotAuthorizedException");
    let (status, _) = login(&app, Some("default"), "ada", "a long enough password").await;
    assert_eq!(status, 401);

    // Garbage tokens are 401, not 500.
    for token in ["x", "a.b.c", "pgl_zz_zz"] {
        app.with_token(token)
            .get("/api/v1/users/me")
            .await
            .assert_error(401, "NotAuthorizedException");
    }
}

#[tokio::test]
async fn people_change_their_own_password_with_the_current_one() {
    let app = TestApp::new().await;
    let (id, ada) = app
        .user("ada", "tenant-user", Some("a long enough password"))
        .await;
    ada.put(
        &format!("/api/v1/users/{id}"),
        json!({"password": "another long password"}),
    )
    .await
    .assert_error(400, "BadRequestException");
    ada.put(
        &format!("/api/v1/users/{id}"),
        json!({"password": "another long password", "current-password": "wrong wrong wrong"}),
    )
    .await
    .assert_error(403, "ForbiddenException");
    ada.put(
        &format!("/api/v1/users/{id}"),
        json!({"password": "another long password", "current-password": "a long enough password"}),
    )
    .await
    .assert_status(200);
    let (status, _) = login(&app, Some("default"), "ada", "another long password").await;
    assert_eq!(status, 200);
    // Nobody promotes or deactivates themselves.
    ada.put(
        &format!("/api/v1/users/{id}"),
        json!({"role": "tenant-admin"}),
    )
    .await
    .assert_error(403, "ForbiddenException");
}

#[tokio::test]
async fn service_users_authenticate_with_api_keys_and_oauth() {
    let app = TestApp::new().await;
    let (id, _) = app.user("etl", "tenant-user", None).await;
    app.grant(
        &id,
        "read",
        json!({"type": "catalog", "catalog": "default"}),
    )
    .await;
    let created = app
        .post(
            &format!("/api/v1/users/{id}/api-keys"),
            json!({"name": "nightly"}),
        )
        .await;
    created.assert_status(201);
    let key = created.body["key"].as_str().unwrap().to_owned();
    let client_id = created.body["client-id"].as_str().unwrap().to_owned();
    let secret = created.body["client-secret"].as_str().unwrap().to_owned();
    let key_id = created.body["api-key"]["id"].as_str().unwrap().to_owned();
    assert!(key.starts_with("pgl_") && key.ends_with(&secret));

    // The secret is never shown again.
    let listed = app.get(&format!("/api/v1/users/{id}/api-keys")).await;
    listed.assert_status(200);
    assert!(!listed.text.contains(&secret));
    assert_eq!(listed.body["items"][0]["name"], "nightly");

    let by_key = app.with_auth(Auth::ApiKey(key.clone()));
    by_key
        .get("/v1/default/namespaces")
        .await
        .assert_status(200);
    app.with_token(&key)
        .get("/v1/default/namespaces")
        .await
        .assert_status(200);

    // OAuth2 client credentials, and token exchange of the result.
    let (status, body) = oauth(
        &app,
        &format!("grant_type=client_credentials&client_id={client_id}&client_secret={secret}&scope=catalog"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "bearer");
    let access = body["access_token"].as_str().unwrap().to_owned();
    app.with_token(&access)
        .get("/v1/default/namespaces")
        .await
        .assert_status(200);
    let (status, body) = oauth(
        &app,
        &format!("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token={access}&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = oauth(
        &app,
        &format!("grant_type=client_credentials&client_id={client_id}&client_secret=wrong"),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "invalid_client");
    let (status, body) = oauth(&app, "grant_type=password&username=a&password=b").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "unsupported_grant_type");

    // Rotation: the old secret stops working, the new one works.
    let rotated = app
        .post(
            &format!("/api/v1/users/{id}/api-keys/{key_id}/rotate"),
            json!({}),
        )
        .await;
    rotated.assert_status(200);
    by_key
        .get("/v1/default/namespaces")
        .await
        .assert_error(401, "NotAuthorizedException");
    let by_new_key = app.with_auth(Auth::ApiKey(
        rotated.body["key"].as_str().unwrap().to_owned(),
    ));
    by_new_key
        .get("/v1/default/namespaces")
        .await
        .assert_status(200);

    // Deactivation and expiry.
    app.put(
        &format!("/api/v1/users/{id}/api-keys/{key_id}"),
        json!({"active": false}),
    )
    .await
    .assert_status(200);
    by_new_key
        .get("/v1/default/namespaces")
        .await
        .assert_error(401, "NotAuthorizedException");
    app.put(
        &format!("/api/v1/users/{id}/api-keys/{key_id}"),
        json!({"active": true, "expires-at": "2020-01-01T00:00:00Z"}),
    )
    .await
    .assert_status(200);
    by_new_key
        .get("/v1/default/namespaces")
        .await
        .assert_error(401, "NotAuthorizedException");

    // Last use is recorded, in the background.
    let mut key = Value::Null;
    for _ in 0..100 {
        key = app
            .get(&format!("/api/v1/users/{id}/api-keys/{key_id}"))
            .await
            .body;
        if key["last-used-at"].is_string() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(key["last-used-at"].is_string(), "{key}");
}

#[tokio::test]
async fn tokens_are_listed_without_the_token_and_revoked_by_id() {
    let app = TestApp::new().await;
    let (id, etl) = app.user("etl", "tenant-user", None).await;
    let issued = app
        .post(
            &format!("/api/v1/users/{id}/tokens"),
            json!({"description": "ci", "expires-in-secs": 600}),
        )
        .await;
    issued.assert_status(201);
    assert_eq!(issued.body["expires-in"], 600);
    let token = issued.body["token"].as_str().unwrap().to_owned();
    let token_id = issued.body["token-id"].as_str().unwrap().to_owned();
    // Bounded lifetime.
    app.post(
        &format!("/api/v1/users/{id}/tokens"),
        json!({"expires-in-secs": 10_000_000}),
    )
    .await
    .assert_error(400, "BadRequestException");

    let own = etl.get("/api/v1/tokens").await;
    own.assert_status(200);
    assert_eq!(own.body["items"].as_array().unwrap().len(), 2);
    assert!(!own.text.contains(&token));
    let theirs = app.get(&format!("/api/v1/users/{id}/tokens")).await;
    assert_eq!(theirs.body["items"].as_array().unwrap().len(), 2);
    etl.get(&format!("/api/v1/users/{id}/tokens"))
        .await
        .assert_status(200);

    // An administrator revokes one; the user revokes its own.
    app.delete(&format!("/api/v1/tokens/{token_id}"))
        .await
        .assert_status(204);
    app.with_token(&token)
        .get("/api/v1/users/me")
        .await
        .assert_error(401, "NotAuthorizedException");
    let own_id = etl.get("/api/v1/tokens").await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["revoked-at"].is_null())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    etl.delete(&format!("/api/v1/tokens/{own_id}"))
        .await
        .assert_status(204);
    etl.get("/api/v1/users/me")
        .await
        .assert_error(401, "NotAuthorizedException");
}

#[tokio::test]
async fn grants_allow_what_they_cover_and_nothing_else() {
    let app = TestApp::new().await;
    app.namespace(&["sales"]).await;
    app.namespace(&["sales", "eu"]).await;
    app.namespace(&["hr"]).await;
    app.table("sales%1Feu", "orders").await;
    app.table("hr", "salaries").await;
    let (id, reader) = app.user("reader", "tenant-user", None).await;

    // No grant: nothing visible.
    reader
        .get("/v1/default/namespaces/sales%1Feu/tables/orders")
        .await
        .assert_error(403, "ForbiddenException");
    reader
        .get("/v1/default/namespaces")
        .await
        .assert_error(403, "ForbiddenException");

    // Read on a nested namespace: its tables load, its ancestors are navigable, nothing else.
    app.grant(
        &id,
        "read",
        json!({"type": "namespace", "catalog": "default", "namespace": ["sales", "eu"]}),
    )
    .await;
    reader
        .get("/v1/default/namespaces/sales%1Feu/tables/orders")
        .await
        .assert_status(200);
    let top = reader.get("/v1/default/namespaces").await;
    top.assert_status(200);
    assert_eq!(top.body["namespaces"], json!([["sales"]]));
    reader
        .get("/v1/default/namespaces/hr/tables/salaries")
        .await
        .assert_error(403, "ForbiddenException");
    let commit = json!({"requirements": [], "updates": [
        {"action": "set-properties", "updates": {"k": "v"}}]});
    reader
        .post(
            "/v1/default/namespaces/sales%1Feu/tables/orders",
            commit.clone(),
        )
        .await
        .assert_error(403, "ForbiddenException");

    // Write implies read; it does not imply create or delete.
    let (writer_id, writer) = app.user("writer", "tenant-user", None).await;
    app.grant(
        &writer_id,
        "write",
        json!({"type": "table", "catalog": "default", "namespace": ["sales", "eu"], "name": "orders"}),
    )
    .await;
    writer
        .post("/v1/default/namespaces/sales%1Feu/tables/orders", commit)
        .await
        .assert_status(200);
    writer
        .delete("/v1/default/namespaces/sales%1Feu/tables/orders")
        .await
        .assert_error(403, "ForbiddenException");
    writer
        .post(
            "/v1/default/namespaces/sales%1Feu/tables",
            json!({"name": "new", "schema": crate::harness::schema()}),
        )
        .await
        .assert_error(403, "ForbiddenException");

    // Grants through a role.
    let role = app
        .post("/api/v1/roles", json!({"name": "hr-readers"}))
        .await;
    role.assert_status(201);
    let role_id = role.body["id"].as_str().unwrap().to_owned();
    app.post(
        "/api/v1/grants",
        json!({"role": role_id, "action": "read",
            "scope": {"type": "namespace", "catalog": "default", "namespace": ["hr"]}}),
    )
    .await
    .assert_status(201);
    app.put(&format!("/api/v1/users/{id}/roles/{role_id}"), json!({}))
        .await
        .assert_status(204);
    reader
        .get("/v1/default/namespaces/hr/tables/salaries")
        .await
        .assert_status(200);
    app.delete(&format!("/api/v1/users/{id}/roles/{role_id}"))
        .await
        .assert_status(204);
    reader
        .get("/v1/default/namespaces/hr/tables/salaries")
        .await
        .assert_error(403, "ForbiddenException");
}

#[tokio::test]
async fn escalation_attempts_fail() {
    let app = TestApp::new().await;
    app.namespace(&["ns"]).await;
    let (admin_id, admin) = app.user("admin", "tenant-admin", None).await;
    let (user_id, user) = app.user("user", "tenant-user", None).await;
    let (other_id, _) = app.user("other", "tenant-user", None).await;

    // Nobody creates someone more powerful than themselves.
    admin
        .post(
            "/api/v1/users",
            json!({"name": "boss", "kind": "human", "role": "root", "password": "a long enough password"}),
        )
        .await
        .assert_error(403, "ForbiddenException");
    user.post(
        "/api/v1/users",
        json!({"name": "svc", "kind": "service", "role": "tenant-user"}),
    )
    .await
    .assert_error(403, "ForbiddenException");
    user.post(
        &format!("/api/v1/users/{user_id}/api-keys"),
        json!({"name": "mine"}),
    )
    .await
    .assert_error(403, "ForbiddenException");
    user.post(&format!("/api/v1/users/{user_id}/tokens"), json!({}))
        .await
        .assert_error(403, "ForbiddenException");
    // Admins cannot promote to Root, nor create tenants.
    admin
        .put(&format!("/api/v1/users/{user_id}"), json!({"role": "root"}))
        .await
        .assert_error(403, "ForbiddenException");
    admin
        .post("/api/v1/tenants", json!({"name": "mine"}))
        .await
        .assert_error(403, "ForbiddenException");
    admin
        .put(
            &format!("/api/v1/users/{admin_id}"),
            json!({"active": false}),
        )
        .await
        .assert_error(403, "ForbiddenException");

    // Self-grants fail, directly and through roles, even with manage-grants.
    let catalog = json!({"type": "catalog", "catalog": "default"});
    app.grant(&user_id, "read", catalog.clone()).await;
    app.grant(&user_id, "manage-grants", catalog.clone()).await;
    user.post(
        "/api/v1/grants",
        json!({"user": user_id, "action": "write", "scope": catalog}),
    )
    .await
    .assert_error(403, "ForbiddenException");
    let role = app.post("/api/v1/roles", json!({"name": "r"})).await;
    let role_id = role.body["id"].as_str().unwrap().to_owned();
    app.put(
        &format!("/api/v1/users/{user_id}/roles/{role_id}"),
        json!({}),
    )
    .await
    .assert_status(204);
    user.post(
        "/api/v1/grants",
        json!({"role": role_id, "action": "read", "scope": catalog}),
    )
    .await
    .assert_error(403, "ForbiddenException");
    user.put(
        &format!("/api/v1/users/{user_id}/roles/{role_id}"),
        json!({}),
    )
    .await
    .assert_error(403, "ForbiddenException");
    // It grants what it holds to others, not more.
    user.post(
        "/api/v1/grants",
        json!({"user": other_id, "action": "read", "scope": catalog}),
    )
    .await
    .assert_status(201);
    user.post(
        "/api/v1/grants",
        json!({"user": other_id, "action": "write", "scope": catalog}),
    )
    .await
    .assert_error(403, "ForbiddenException");
    user.post(
        "/api/v1/grants",
        json!({"user": other_id, "action": "read", "scope": {"type": "tenant"}}),
    )
    .await
    .assert_error(403, "ForbiddenException");
}

#[tokio::test]
async fn tenants_are_isolated_and_ids_do_not_leak() {
    let app = TestApp::new().await;
    app.post("/api/v1/tenants", json!({"name": "acme"}))
        .await
        .assert_status(201);
    let acme = app.in_tenant("acme");
    let (_, acme_admin) = acme.user("admin", "tenant-admin", None).await;
    let (victim_id, _) = app.user("victim", "tenant-user", None).await;
    let issued = app
        .post(&format!("/api/v1/users/{victim_id}/tokens"), json!({}))
        .await;
    let token_id = issued.body["token-id"].as_str().unwrap().to_owned();
    let grant = app
        .grant(
            &victim_id,
            "read",
            json!({"type": "catalog", "catalog": "default"}),
        )
        .await;
    let grant_id = grant["id"].as_str().unwrap().to_owned();
    let role = app.post("/api/v1/roles", json!({"name": "r"})).await;
    let role_id = role.body["id"].as_str().unwrap().to_owned();

    for uri in [
        format!("/api/v1/users/{victim_id}"),
        format!("/api/v1/users/{victim_id}/api-keys"),
        format!("/api/v1/users/{victim_id}/tokens"),
        format!("/api/v1/grants/{grant_id}"),
        format!("/api/v1/roles/{role_id}"),
    ] {
        let response = acme_admin.get(&uri).await;
        assert_eq!(response.status, 404, "{uri}: {}", response.text);
    }
    acme_admin
        .delete(&format!("/api/v1/tokens/{token_id}"))
        .await
        .assert_status(404);
    acme_admin
        .delete(&format!("/api/v1/users/{victim_id}"))
        .await
        .assert_status(404);
    acme_admin
        .get("/v1/default/namespaces")
        .await
        .assert_status(404);
    // Naming another tenant reveals nothing either.
    acme_admin
        .in_tenant("default")
        .get("/api/v1/users")
        .await
        .assert_status(404);
    let users = acme_admin.get("/api/v1/users").await;
    assert_eq!(users.body["items"].as_array().unwrap().len(), 1);
    let tenants = acme_admin.get("/api/v1/tenants").await;
    assert_eq!(tenants.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(tenants.body["items"][0]["name"], "acme");
}

#[tokio::test]
async fn logins_are_rate_limited_per_account() {
    let app = TestApp::new().await;
    let mut limited = None;
    for _ in 0..20 {
        let response = app
            .anonymous()
            .post(
                "/api/v1/users/login",
                json!({"username": "root", "password": "not the password"}),
            )
            .await;
        if response.status == 429 {
            limited = Some(response);
            break;
        }
        response.assert_status(401);
    }
    let limited = limited.expect("the account was rate limited");
    limited.assert_error(429, "TooManyRequestsException");
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    // Even the right password waits.
    let (status, _) = login(&app, None, "root", ROOT_PASSWORD).await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn the_audit_log_records_mutations_logins_and_denials() {
    let app = TestApp::new().await;
    let (user_id, user) = app.user("user", "tenant-user", None).await;
    app.namespace(&["audited"]).await;
    login(&app, Some("default"), "mallory", "a wrong password!!").await;
    user.get("/v1/default/namespaces/audited")
        .await
        .assert_status(403);
    app.with_token("garbage")
        .get("/v1/default/namespaces")
        .await
        .assert_status(401);
    app.flush_audit().await;

    let events = app.get("/api/v1/audit?pageToken=&pageSize=100").await;
    events.assert_status(200);
    let items = events.body["items"].as_array().unwrap();
    let find = |action: &str, result: &str| {
        items
            .iter()
            .find(|e| e["action"] == action && e["result"] == result)
            .unwrap_or_else(|| panic!("no {result} {action} in {}", events.text))
    };
    let created = find("POST /v1/{prefix}/namespaces", "success");
    assert_eq!(created["principal-name"], "root");
    assert_eq!(created["resource-type"], "namespace");
    assert_eq!(created["resource-name"], "default/audited");
    assert!(created["request-id"].is_string());
    let failed_login = find("POST /api/v1/users/login", "denied");
    assert_eq!(failed_login["principal-name"], "mallory");
    assert!(failed_login["error"].as_str().unwrap().contains("invalid"));
    let denied = find("GET /v1/{prefix}/namespaces/{namespace}", "denied");
    assert_eq!(denied["principal-id"], user_id.as_str());
    assert_eq!(denied["resource-name"], "default/audited");
    find("GET /v1/{prefix}/namespaces", "denied");

    // Filters, count and get one.
    let mine = app
        .get(&format!("/api/v1/audit?principal={user_id}&result=denied"))
        .await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    let count = app.get("/api/v1/audit/count?result=denied").await;
    assert!(count.body["count"].as_u64().unwrap() >= 3, "{}", count.text);
    let id = created["id"].as_str().unwrap();
    app.get(&format!("/api/v1/audit/{id}"))
        .await
        .assert_status(200);
    app.get("/api/v1/audit?from=yesterday")
        .await
        .assert_error(400, "BadRequestException");

    // TenantUsers read none of it; other tenants' admins none of this tenant's.
    user.get("/api/v1/audit")
        .await
        .assert_error(403, "ForbiddenException");
    app.post("/api/v1/tenants", json!({"name": "acme"}))
        .await
        .assert_status(201);
    let (_, acme_admin) = app
        .in_tenant("acme")
        .user("admin", "tenant-admin", None)
        .await;
    acme_admin.flush_audit().await;
    let theirs = acme_admin.get("/api/v1/audit").await;
    theirs.assert_status(200);
    assert!(
        theirs.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["tenant-id"] != created["tenant-id"])
    );
    acme_admin
        .get(&format!("/api/v1/audit/{id}"))
        .await
        .assert_status(404);

    let metrics = app.anonymous().get("/metrics").await;
    metrics.assert_status(200);
    assert!(metrics.text.contains("pangolin_audit_events_written_total"));
}

/// Creates and renames name what their paths do not: the new resource's id and name, the
/// resource a failed create was for, both names of a rename. A resource's history is one filter.
#[tokio::test]
async fn the_audit_log_names_what_requests_create_and_rename() {
    let app = TestApp::new().await;
    let events = |query: &'static str| {
        let app = app.clone();
        async move {
            app.flush_audit().await;
            let response = app.get(&format!("/api/v1/audit?{query}")).await;
            response.assert_status(200);
            response.body["items"].as_array().unwrap().clone()
        }
    };
    let root = app.dir.path().join("lake");
    let warehouse = app
        .post(
            "/api/v1/warehouses",
            json!({"name": "lake", "storage": {"type": "file", "root": root}}),
        )
        .await;
    warehouse.assert_status(201);
    let (user_id, _) = app.user("etl", "tenant-user", None).await;
    let key = app
        .post(
            &format!("/api/v1/users/{user_id}/api-keys"),
            json!({"name": "nightly"}),
        )
        .await;
    key.assert_status(201);
    app.namespace(&["db"]).await;
    app.table("db", "events").await;
    app.post(
        "/v1/default/namespaces/db/tables",
        json!({"name": "events", "schema": schema()}),
    )
    .await
    .assert_status(409);
    app.post(
        "/v1/default/tables/rename",
        json!({
            "source": {"namespace": ["db"], "name": "events"},
            "destination": {"namespace": ["db"], "name": "clicks"},
        }),
    )
    .await
    .assert_status(204);
    app.delete("/v1/default/namespaces/db/tables/clicks")
        .await
        .assert_status(204);

    let created = &events("action=POST%20/api/v1/warehouses").await[0];
    assert_eq!(created["resource-type"], "warehouse");
    assert_eq!(created["resource-id"], warehouse.body["id"]);
    assert_eq!(created["resource-name"], "lake");
    let user = &events("action=POST%20/api/v1/users").await[0];
    assert_eq!(user["resource-id"], user_id.as_str());
    assert_eq!(user["resource-name"], "etl");
    // The key's id, not the id of the user the path names.
    let issued = &events("resource-type=api-key").await[0];
    assert_eq!(issued["resource-id"], key.body["api-key"]["id"]);
    assert_eq!(issued["resource-name"], "nightly");

    // The table's whole history under one name: created, a failed second create, renamed away.
    let history = events("resource-name=default/db/events").await;
    let summary: Vec<_> = history
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["result"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            ("POST /v1/{prefix}/namespaces/{namespace}/tables", "failure"),
            ("POST /v1/{prefix}/namespaces/{namespace}/tables", "success"),
        ],
        "{history:?}"
    );
    let renamed = &events("action=POST%20/v1/%7Bprefix%7D/tables/rename").await[0];
    assert_eq!(renamed["resource-name"], "default/db/events -> db/clicks");
    let dropped = events("resource-name=default/db/clicks").await;
    assert_eq!(dropped.len(), 1, "{dropped:?}");
    assert_eq!(dropped[0]["result"], "success");
}

/// Retention removes the events older than it and keeps the rest.
#[tokio::test]
async fn audit_events_past_their_retention_are_removed() {
    let app = TestApp::new().await;
    app.namespace(&["old"]).await;
    app.flush_audit().await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    app.namespace(&["recent"]).await;
    app.flush_audit().await;
    let before = app.get("/api/v1/audit/count").await.body["count"]
        .as_u64()
        .unwrap();

    let removed = app
        .state
        .service
        .expire_audit_events(std::time::Duration::from_secs(1))
        .await
        .unwrap();
    assert!(
        removed >= 1,
        "the first namespace's creation is past retention"
    );
    let names: Vec<Value> = app.get("/api/v1/audit").await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource-name"].clone())
        .collect();
    assert!(names.contains(&json!("default/recent")), "{names:?}");
    assert!(!names.contains(&json!("default/old")), "{names:?}");
    assert_eq!(names.len() as u64, before - removed);
}

#[tokio::test]
async fn logins_are_rate_limited_per_client_ip() {
    use axum::extract::connect_info::MockConnectInfo;
    use tower::ServiceExt;

    let app = TestApp::new().await;
    let router = app
        .router
        .clone()
        .layer(MockConnectInfo(std::net::SocketAddr::from((
            [192, 0, 2, 7],
            40000,
        ))));
    // Different accounts from one address: the per-IP limit (60 a minute, refilling one a second)
    // applies.
    let mut statuses = Vec::new();
    for i in 0..80 {
        let request = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/users/login")
            .header("content-type", "application/json")
            .body(Body::from(
                json!({"username": format!("guess{i}"), "password": "not a password"}).to_string(),
            ))
            .unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        statuses.push(response.status().as_u16());
        if statuses.last() == Some(&429) {
            break;
        }
    }
    assert!(statuses[..60].iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    // Another address is not affected.
    let (status, _) = login(&app, None, "root", ROOT_PASSWORD).await;
    assert_eq!(status, 200);
}

/// Behind a trusted proxy, the client is the address it forwards: the per-IP limit applies to each
/// client, not to the proxy, and the audit log names the client.
#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_limited_and_audited() {
    use axum::extract::connect_info::MockConnectInfo;
    use pangolin_api::HttpSettings;
    use pangolin_api::http::client::TrustedProxies;
    use tower::ServiceExt;

    let app = TestApp::with_settings(HttpSettings {
        trusted_proxies: TrustedProxies::new(vec!["10.0.0.0/8".parse().unwrap()]),
        ..HttpSettings::default()
    })
    .await;
    let proxy = app
        .router
        .clone()
        .layer(MockConnectInfo(std::net::SocketAddr::from((
            [10, 0, 0, 1],
            40000,
        ))));
    let attempt = |i: usize, forwarded: String| {
        let proxy = proxy.clone();
        async move {
            let request = Request::builder()
                .method(Method::POST)
                .uri("/api/v1/users/login")
                .header("content-type", "application/json")
                .header("x-forwarded-for", forwarded)
                .body(Body::from(
                    json!({"username": format!("guess{i}"), "password": "not a password"})
                        .to_string(),
                ))
                .unwrap();
            proxy.oneshot(request).await.unwrap().status().as_u16()
        }
    };
    // 80 clients through one proxy: more than one address's 60, none limited.
    for i in 0..80 {
        let status = attempt(i, format!("198.51.100.{i}, 10.0.0.7")).await;
        assert_eq!(status, 401, "client {i}");
    }
    // One client is limited, whatever it claims to the left of what the proxy saw.
    let mut statuses = Vec::new();
    for i in 0..80 {
        statuses.push(attempt(i, format!("192.0.2.{i}, 203.0.113.9")).await);
        if statuses.last() == Some(&429) {
            break;
        }
    }
    assert!(statuses[..60].iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");

    app.flush_audit().await;
    let events = app
        .get("/api/v1/audit?action=POST%20/api/v1/users/login&pageToken=&pageSize=1")
        .await;
    assert_eq!(
        events.body["items"][0]["ip"], "203.0.113.9",
        "{}",
        events.text
    );
}
