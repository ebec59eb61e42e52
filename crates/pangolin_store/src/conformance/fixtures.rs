//! Builders for the records the cases create.

use std::collections::BTreeMap;
use std::sync::Arc;

use pangolin_core::{
    Action, ApiKey, ApiKeyId, AuditEvent, AuditEventId, AuditResult, BuiltinRole, Catalog,
    CatalogId, CommitOp, Entity, Error, FileStorage, GrantId, GrantScope, Grantee, NamespaceId,
    NamespaceIdent, NewGrant, NewTabular, Page, PageRequest, PasswordHash, PointerSwap, Result,
    Role, RoleId, S3Credentials, S3Storage, Secret, StorageProfile, TabularId, TabularIdent,
    TabularKind, Tenant, TenantId, TokenId, TokenKind, TokenRecord, User, UserId, UserKind,
    Warehouse, WarehouseId, now_millis,
};

use crate::{CatalogStore, NewNamespace};

pub(super) fn tenant(name: &str) -> Tenant {
    let now = now_millis();
    Tenant {
        id: TenantId::generate(),
        name: name.to_owned(),
        properties: BTreeMap::new(),
        created_at: now,
        updated_at: now,
    }
}

pub(super) fn warehouse(tenant: TenantId, name: &str) -> Warehouse {
    let now = now_millis();
    Warehouse {
        id: WarehouseId::generate(),
        tenant_id: tenant,
        name: name.to_owned(),
        storage: StorageProfile::File(FileStorage {
            root: format!("/srv/{name}"),
        }),
        created_at: now,
        updated_at: now,
    }
}

/// An S3 storage profile with a static key (and an optional session token).
pub fn s3_storage(secret_access_key: &str, session_token: Option<&str>) -> StorageProfile {
    StorageProfile::S3(S3Storage {
        bucket: "lake-bucket".into(),
        key_prefix: Some("warehouses/lake".into()),
        region: "eu-west-1".into(),
        endpoint: Some("http://127.0.0.1:9000".into()),
        path_style_access: true,
        credentials: S3Credentials::Static {
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: Secret::new(secret_access_key),
            session_token: session_token.map(Secret::new),
        },
    })
}

pub(super) fn catalog(tenant: TenantId, warehouse: &Warehouse, name: &str) -> Catalog {
    let now = now_millis();
    Catalog {
        id: CatalogId::generate(),
        tenant_id: tenant,
        name: name.to_owned(),
        warehouse_id: warehouse.id,
        warehouse_name: warehouse.name.clone(),
        base_location: format!("file:///srv/{}/{name}", warehouse.name),
        properties: BTreeMap::new(),
        created_at: now,
        updated_at: now,
    }
}

pub(super) fn ns(levels: &[&str]) -> NamespaceIdent {
    NamespaceIdent::new(levels.iter().map(|l| l.to_string()).collect()).unwrap()
}

pub(super) fn ident(levels: &[&str], name: &str) -> TabularIdent {
    TabularIdent::new(ns(levels), name).unwrap()
}

pub(super) fn new_namespace(ident: NamespaceIdent) -> NewNamespace {
    NewNamespace {
        id: NamespaceId::generate(),
        ident,
        properties: BTreeMap::new(),
    }
}

/// A tenant with one warehouse and one catalog named `cat`.
pub(super) async fn setup(store: &Arc<dyn CatalogStore>, tenant_name: &str) -> TenantId {
    let t = tenant(tenant_name);
    store.create_tenant(&t).await.unwrap();
    let w = warehouse(t.id, "wh");
    store.create_warehouse(&w).await.unwrap();
    store
        .create_catalog(&catalog(t.id, &w, "cat"))
        .await
        .unwrap();
    t.id
}

/// Creates the namespace and all its ancestors.
pub(super) async fn create_namespaces(
    store: &Arc<dyn CatalogStore>,
    tenant: TenantId,
    levels: &[&str],
) {
    for depth in 1..=levels.len() {
        let ident = ns(&levels[..depth]);
        match store
            .create_namespace(tenant, "cat", &new_namespace(ident))
            .await
        {
            Ok(_) | Err(pangolin_core::Error::AlreadyExists { .. }) => {}
            Err(e) => panic!("creating namespace: {e}"),
        }
    }
}

pub(super) fn create_op(ident: TabularIdent, kind: TabularKind, location: &str) -> CommitOp {
    CommitOp::Create(NewTabular {
        id: TabularId::generate(),
        ident,
        kind,
        metadata_location: location.to_owned(),
        metadata: format!(r#"{{"location":"{location}"}}"#),
    })
}

pub(super) fn swap_op(
    id: TabularId,
    ident: TabularIdent,
    kind: TabularKind,
    expected: &str,
    new: &str,
) -> CommitOp {
    CommitOp::Swap(PointerSwap {
        id,
        kind,
        ident,
        expected_location: expected.to_owned(),
        new_location: new.to_owned(),
        new_metadata: format!(r#"{{"location":"{new}"}}"#),
    })
}

/// Creates a table `name` in namespace `levels` (which must exist).
pub(super) async fn create_table(
    store: &Arc<dyn CatalogStore>,
    tenant: TenantId,
    levels: &[&str],
    name: &str,
) -> pangolin_core::Tabular {
    let ident = ident(levels, name);
    store
        .commit(
            tenant,
            "cat",
            &[create_op(
                ident.clone(),
                TabularKind::Table,
                &format!("file:///m/{name}/v0"),
            )],
        )
        .await
        .unwrap();
    store
        .load_tabular(tenant, "cat", TabularKind::Table, &ident)
        .await
        .unwrap()
}

/// A human tenant user (a Root user for `None`) with old timestamps, so updates visibly bump them.
pub(super) fn user(tenant: Option<TenantId>, name: &str) -> User {
    User {
        id: UserId::generate(),
        tenant_id: tenant,
        name: name.to_owned(),
        kind: UserKind::Human,
        role: if tenant.is_some() {
            BuiltinRole::TenantUser
        } else {
            BuiltinRole::Root
        },
        email: Some(format!("{name}@example.com")),
        password_hash: Some(PasswordHash::new(format!("$argon2id$v=19${name}"))),
        active: true,
        created_at: 1_000,
        updated_at: 1_000,
    }
}

/// An active API key of `user` that never expires.
pub(super) fn api_key(tenant: TenantId, user: UserId, name: &str) -> ApiKey {
    ApiKey {
        id: ApiKeyId::generate(),
        tenant_id: tenant,
        user_id: user,
        name: name.to_owned(),
        secret_hash: format!("sha256-of-{name}"),
        created_at: 1_000,
        expires_at: None,
        last_used_at: None,
        active: true,
    }
}

/// A custom role with old timestamps.
pub(super) fn role(tenant: TenantId, name: &str) -> Role {
    Role {
        id: RoleId::generate(),
        tenant_id: tenant,
        name: name.to_owned(),
        description: Some(format!("the {name} role")),
        created_at: 1_000,
        updated_at: 1_000,
    }
}

/// A grant of `action` on `scope` to `grantee`.
pub(super) fn new_grant(
    tenant: TenantId,
    grantee: Grantee,
    action: Action,
    scope: GrantScope,
) -> NewGrant {
    NewGrant {
        id: GrantId::generate(),
        tenant_id: tenant,
        grantee,
        action,
        scope,
        granted_by: None,
        created_at: 1_000,
    }
}

/// A login token record of `user` issued at 1000 and expiring at `expires_at`.
pub(super) fn token(tenant: Option<TenantId>, user: UserId, expires_at: i64) -> TokenRecord {
    TokenRecord {
        id: TokenId::generate(),
        tenant_id: tenant,
        user_id: user,
        kind: TokenKind::Login,
        description: None,
        issued_at: 1_000,
        expires_at,
        revoked_at: None,
    }
}

/// A successful audit event of `action` at `at`, with every optional field set.
pub(super) fn audit_event(tenant: Option<TenantId>, at: i64, action: &str) -> AuditEvent {
    AuditEvent {
        id: AuditEventId::generate(),
        at,
        tenant_id: tenant,
        principal_id: None,
        principal_name: Some("someone".into()),
        action: action.to_owned(),
        resource_type: Some("table".into()),
        resource_id: Some("r-1".into()),
        resource_name: Some("db.t".into()),
        result: AuditResult::Success,
        error: None,
        ip: Some("10.0.0.1".into()),
        user_agent: Some("pyiceberg".into()),
        request_id: Some("req-1".into()),
    }
}

/// Fails unless `result` is `NotFound` about `entity`.
#[track_caller]
pub(super) fn assert_not_found<T: std::fmt::Debug>(result: Result<T>, entity: Entity) {
    match result {
        Err(Error::NotFound { entity: found, .. }) if found == entity => {}
        other => panic!("expected NotFound({entity:?}), got {other:?}"),
    }
}

/// Fails unless `result` is `AlreadyExists` about `entity`.
#[track_caller]
pub(super) fn assert_already_exists<T: std::fmt::Debug>(result: Result<T>, entity: Entity) {
    match result {
        Err(Error::AlreadyExists { entity: found, .. }) if found == entity => {}
        other => panic!("expected AlreadyExists({entity:?}), got {other:?}"),
    }
}

/// The ids of `items` as strings, in the order given.
pub(super) fn id_strings<T, I: ToString>(items: &[T], id: impl Fn(&T) -> I) -> Vec<String> {
    items.iter().map(|item| id(item).to_string()).collect()
}

/// `ids` as strings, sorted ascending (`descending`: newest first).
pub(super) fn sorted_ids<I: ToString>(ids: &[I], descending: bool) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    ids.sort();
    if descending {
        ids.reverse();
    }
    ids
}

/// Every page of a listing, fetched `limit` items at a time by following the next-page tokens.
/// Fails when a page is larger than `limit`.
pub(super) async fn all_pages<T, F, Fut>(limit: usize, mut fetch: F) -> Vec<Vec<T>>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>>>,
{
    let mut pages = Vec::new();
    let mut request = PageRequest::first(limit);
    loop {
        let page = fetch(request).await.unwrap();
        assert!(page.items.len() <= limit, "a page exceeds its limit");
        pages.push(page.items);
        let Some(token) = page.next else {
            return pages;
        };
        assert!(pages.len() < 100, "pagination does not end");
        request = PageRequest::from_client(Some(token.as_str()), Some(limit)).unwrap();
    }
}
