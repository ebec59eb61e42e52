//! Cases for identity and access: users, API keys, roles and their assignments, grants with their
//! resolved scopes, token records, the cascades that remove them and their tenant isolation.

use std::sync::Arc;

use pangolin_core::{
    Action, ApiKeyId, ApiKeyUpdate, BuiltinRole, Entity, Error, GrantId, GrantScope, Grantee,
    NamespaceId, PageRequest, PasswordHash, ResolvedScope, RoleId, TabularId, TabularKind,
    TenantId, TokenId, UserId, UserKind, UserUpdate, WarehouseId,
};

use super::fixtures::*;
use crate::CatalogStore;

/// Users: create, get by id and name, partial updates, delete, and the error variants.
pub async fn user_crud(store: Arc<dyn CatalogStore>) {
    let t = tenant("acme");
    store.create_tenant(&t).await.unwrap();
    let alice = user(Some(t.id), "alice");
    store.create_user(&alice).await.unwrap();
    assert_eq!(store.get_user(Some(t.id), alice.id).await.unwrap(), alice);
    assert_eq!(
        store.get_user_by_name(Some(t.id), "alice").await.unwrap(),
        alice
    );
    assert_already_exists(
        store.create_user(&user(Some(t.id), "alice")).await,
        Entity::User,
    );
    assert_not_found(
        store
            .create_user(&user(Some(TenantId::generate()), "bob"))
            .await,
        Entity::Tenant,
    );
    assert_not_found(
        store.get_user(Some(t.id), UserId::generate()).await,
        Entity::User,
    );
    assert_not_found(
        store.get_user_by_name(Some(t.id), "nobody").await,
        Entity::User,
    );

    // Only the given fields change; `Some(None)` clears the email.
    let updated = store
        .update_user(
            Some(t.id),
            alice.id,
            &UserUpdate {
                email: Some(None),
                active: Some(false),
                ..UserUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.email, None);
    assert!(!updated.active);
    assert_eq!(updated.password_hash, alice.password_hash);
    assert_eq!(updated.role, alice.role);
    assert_eq!(updated.name, alice.name);
    assert_eq!(updated.kind, alice.kind);
    assert_eq!(updated.created_at, alice.created_at);
    assert!(
        updated.updated_at > alice.updated_at,
        "updated_at is bumped"
    );
    assert_eq!(store.get_user(Some(t.id), alice.id).await.unwrap(), updated);

    let hash = PasswordHash::new("$argon2id$v=19$rotated");
    let updated = store
        .update_user(
            Some(t.id),
            alice.id,
            &UserUpdate {
                email: Some(Some("alice@acme.test".into())),
                password_hash: Some(hash.clone()),
                role: Some(BuiltinRole::TenantAdmin),
                active: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.email.as_deref(), Some("alice@acme.test"));
    assert_eq!(updated.password_hash, Some(hash));
    assert_eq!(updated.role, BuiltinRole::TenantAdmin);
    assert!(!updated.active, "fields not given stay as they are");
    assert_eq!(store.get_user(Some(t.id), alice.id).await.unwrap(), updated);
    assert_not_found(
        store
            .update_user(Some(t.id), UserId::generate(), &UserUpdate::default())
            .await,
        Entity::User,
    );

    store.delete_user(Some(t.id), alice.id).await.unwrap();
    assert_not_found(store.get_user(Some(t.id), alice.id).await, Entity::User);
    assert_not_found(
        store.get_user_by_name(Some(t.id), "alice").await,
        Entity::User,
    );
    assert_not_found(store.delete_user(Some(t.id), alice.id).await, Entity::User);
    // The name is free again.
    store.create_user(&user(Some(t.id), "alice")).await.unwrap();
}

/// Root users (scope `None`) and each tenant's users are separate scopes: names repeat across
/// them, lookups only find users of the given scope, and listings are per scope, by name, with
/// keyset pagination.
pub async fn user_scopes_and_listing(store: Arc<dyn CatalogStore>) {
    let a = tenant("a");
    let b = tenant("b");
    store.create_tenant(&a).await.unwrap();
    store.create_tenant(&b).await.unwrap();
    let root = user(None, "admin");
    let admin_a = user(Some(a.id), "admin");
    let admin_b = user(Some(b.id), "admin");
    for u in [&root, &admin_a, &admin_b] {
        store.create_user(u).await.unwrap();
    }
    assert_already_exists(store.create_user(&user(None, "admin")).await, Entity::User);
    assert_eq!(store.get_user(None, root.id).await.unwrap(), root);
    assert_eq!(store.get_user_by_name(None, "admin").await.unwrap(), root);
    assert_eq!(
        store.get_user_by_name(Some(a.id), "admin").await.unwrap(),
        admin_a
    );
    assert_eq!(
        store.get_user_by_name(Some(b.id), "admin").await.unwrap(),
        admin_b
    );
    assert_not_found(store.get_user(None, admin_a.id).await, Entity::User);
    assert_not_found(store.get_user(Some(a.id), root.id).await, Entity::User);
    assert_not_found(store.get_user(Some(b.id), admin_a.id).await, Entity::User);

    for name in ["delta", "bravo", "echo", "charlie"] {
        store.create_user(&user(Some(a.id), name)).await.unwrap();
    }
    store.create_user(&user(None, "zulu")).await.unwrap();
    let pages = all_pages(2, |page| {
        let store = store.clone();
        async move { store.list_users(Some(a.id), &page).await }
    })
    .await;
    let names: Vec<Vec<String>> = pages
        .into_iter()
        .map(|p| p.into_iter().map(|u| u.name).collect())
        .collect();
    assert_eq!(
        names,
        [
            vec!["admin", "bravo"],
            vec!["charlie", "delta"],
            vec!["echo"]
        ]
    );
    let roots: Vec<String> = store
        .list_users(None, &PageRequest::all())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert_eq!(roots, ["admin", "zulu"]);
    let of_b = store
        .list_users(Some(b.id), &PageRequest::all())
        .await
        .unwrap();
    assert_eq!(of_b.items, [admin_b]);
    assert!(of_b.next.is_none());
}

/// API keys: create, find in any tenant, get, list by id with pagination, partial updates, touch,
/// delete, and the error variants.
pub async fn api_key_crud(store: Arc<dyn CatalogStore>) {
    let t = tenant("acme");
    store.create_tenant(&t).await.unwrap();
    let mut svc = user(Some(t.id), "etl");
    svc.kind = UserKind::Service;
    svc.password_hash = None;
    store.create_user(&svc).await.unwrap();
    let other = user(Some(t.id), "other");
    store.create_user(&other).await.unwrap();

    let keys: Vec<_> = (0..3)
        .map(|i| api_key(t.id, svc.id, &format!("k{i}")))
        .collect();
    for key in &keys {
        store.create_api_key(key).await.unwrap();
    }
    store
        .create_api_key(&api_key(t.id, other.id, "theirs"))
        .await
        .unwrap();
    assert_already_exists(store.create_api_key(&keys[0]).await, Entity::ApiKey);
    assert_not_found(
        store
            .create_api_key(&api_key(t.id, UserId::generate(), "orphan"))
            .await,
        Entity::User,
    );
    assert_eq!(store.find_api_key(keys[0].id).await.unwrap(), keys[0]);
    assert_eq!(store.get_api_key(t.id, keys[1].id).await.unwrap(), keys[1]);
    assert_not_found(
        store.find_api_key(ApiKeyId::generate()).await,
        Entity::ApiKey,
    );
    assert_not_found(
        store.get_api_key(t.id, ApiKeyId::generate()).await,
        Entity::ApiKey,
    );

    let pages = all_pages(2, |page| {
        let store = store.clone();
        async move { store.list_api_keys(t.id, svc.id, &page).await }
    })
    .await;
    assert_eq!(pages.len(), 2);
    let listed: Vec<String> = pages.concat().iter().map(|k| k.id.to_string()).collect();
    assert_eq!(listed, sorted_ids(&id_strings(&keys, |k| k.id), false));

    let rotated = store
        .update_api_key(
            t.id,
            keys[0].id,
            &ApiKeyUpdate {
                secret_hash: Some("rotated".into()),
                expires_at: Some(Some(50_000)),
                active: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(rotated.secret_hash, "rotated");
    assert_eq!(rotated.expires_at, Some(50_000));
    assert!(rotated.active);
    assert_eq!(rotated.name, keys[0].name);
    assert_eq!(store.get_api_key(t.id, keys[0].id).await.unwrap(), rotated);
    let never = store
        .update_api_key(
            t.id,
            keys[0].id,
            &ApiKeyUpdate {
                expires_at: Some(None),
                active: Some(false),
                ..ApiKeyUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(never.expires_at, None, "Some(None) means never");
    assert!(!never.active);
    assert_eq!(never.secret_hash, "rotated");
    assert_not_found(
        store
            .update_api_key(t.id, ApiKeyId::generate(), &ApiKeyUpdate::default())
            .await,
        Entity::ApiKey,
    );

    store.touch_api_key(keys[1].id, 7_000).await.unwrap();
    assert_eq!(
        store.find_api_key(keys[1].id).await.unwrap().last_used_at,
        Some(7_000)
    );
    assert_not_found(
        store.touch_api_key(ApiKeyId::generate(), 7_000).await,
        Entity::ApiKey,
    );

    store.delete_api_key(t.id, keys[0].id).await.unwrap();
    assert_not_found(store.find_api_key(keys[0].id).await, Entity::ApiKey);
    assert_not_found(store.delete_api_key(t.id, keys[0].id).await, Entity::ApiKey);
    assert_eq!(
        store
            .list_api_keys(t.id, svc.id, &PageRequest::all())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
}

/// Roles: create, get, list by name, update the description, delete, and the error variants.
pub async fn role_crud(store: Arc<dyn CatalogStore>) {
    let t = tenant("acme");
    let other = tenant("other");
    store.create_tenant(&t).await.unwrap();
    store.create_tenant(&other).await.unwrap();
    assert_not_found(
        store
            .create_role(&role(TenantId::generate(), "orphans"))
            .await,
        Entity::Tenant,
    );
    let writers = role(t.id, "writers");
    let readers = role(t.id, "readers");
    store.create_role(&writers).await.unwrap();
    store.create_role(&readers).await.unwrap();
    assert_already_exists(
        store.create_role(&role(t.id, "readers")).await,
        Entity::Role,
    );
    store.create_role(&role(other.id, "readers")).await.unwrap();

    assert_eq!(store.get_role(t.id, writers.id).await.unwrap(), writers);
    assert_not_found(store.get_role(t.id, RoleId::generate()).await, Entity::Role);
    let pages = all_pages(1, |page| {
        let store = store.clone();
        async move { store.list_roles(t.id, &page).await }
    })
    .await;
    let names: Vec<String> = pages.concat().into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["readers", "writers"]);

    let updated = store
        .update_role(t.id, writers.id, Some("may commit"))
        .await
        .unwrap();
    assert_eq!(updated.description.as_deref(), Some("may commit"));
    assert_eq!(updated.name, "writers");
    assert_eq!(updated.created_at, writers.created_at);
    assert!(
        updated.updated_at > writers.updated_at,
        "updated_at is bumped"
    );
    let cleared = store.update_role(t.id, writers.id, None).await.unwrap();
    assert_eq!(cleared.description, None);
    assert_eq!(store.get_role(t.id, writers.id).await.unwrap(), cleared);
    assert_not_found(
        store.update_role(t.id, RoleId::generate(), None).await,
        Entity::Role,
    );

    store.delete_role(t.id, writers.id).await.unwrap();
    assert_not_found(store.get_role(t.id, writers.id).await, Entity::Role);
    assert_not_found(store.delete_role(t.id, writers.id).await, Entity::Role);
    assert_eq!(
        store
            .list_roles(t.id, &PageRequest::all())
            .await
            .unwrap()
            .items,
        [readers]
    );
}

/// Assigning roles: idempotent, listed by role name, both sides must exist in the tenant (a Root
/// user never does); unassigning a role the user does not have is `NotFound(Role)`.
pub async fn role_assignments(store: Arc<dyn CatalogStore>) {
    let t = tenant("acme");
    store.create_tenant(&t).await.unwrap();
    let alice = user(Some(t.id), "alice");
    let bob = user(Some(t.id), "bob");
    let root = user(None, "root");
    for u in [&alice, &bob, &root] {
        store.create_user(u).await.unwrap();
    }
    let b_role = role(t.id, "b-role");
    let a_role = role(t.id, "a-role");
    store.create_role(&b_role).await.unwrap();
    store.create_role(&a_role).await.unwrap();

    store.assign_role(t.id, b_role.id, alice.id).await.unwrap();
    store.assign_role(t.id, a_role.id, alice.id).await.unwrap();
    store.assign_role(t.id, b_role.id, alice.id).await.unwrap();
    let names =
        |roles: Vec<pangolin_core::Role>| roles.into_iter().map(|r| r.name).collect::<Vec<_>>();
    assert_eq!(
        names(store.list_user_roles(t.id, alice.id).await.unwrap()),
        ["a-role", "b-role"]
    );
    assert!(
        store
            .list_user_roles(t.id, bob.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.list_user_roles(t.id, alice.id).await.unwrap()[0],
        a_role
    );

    assert_not_found(
        store.assign_role(t.id, RoleId::generate(), alice.id).await,
        Entity::Role,
    );
    assert_not_found(
        store.assign_role(t.id, a_role.id, UserId::generate()).await,
        Entity::User,
    );
    assert_not_found(
        store.assign_role(t.id, a_role.id, root.id).await,
        Entity::User,
    );

    store
        .unassign_role(t.id, b_role.id, alice.id)
        .await
        .unwrap();
    assert_eq!(
        names(store.list_user_roles(t.id, alice.id).await.unwrap()),
        ["a-role"]
    );
    assert_not_found(
        store.unassign_role(t.id, b_role.id, alice.id).await,
        Entity::Role,
    );
    assert_not_found(
        store.unassign_role(t.id, a_role.id, bob.id).await,
        Entity::Role,
    );
    assert_not_found(
        store
            .unassign_role(t.id, RoleId::generate(), alice.id)
            .await,
        Entity::Role,
    );
    store.assign_role(t.id, b_role.id, alice.id).await.unwrap();
    assert_eq!(
        names(store.list_user_roles(t.id, alice.id).await.unwrap()),
        ["a-role", "b-role"]
    );
}

/// Grants on every kind of scope come back with the scope resolved to current names; the same
/// (grantee, action, scope) cannot be granted twice; listings are by id, filter by grantee and
/// paginate; deleting works once.
pub async fn grant_crud_and_resolved_scopes(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    create_namespaces(&store, t, &["db", "raw"]).await;
    let table = create_table(&store, t, &["db", "raw"], "events").await;
    store
        .commit(
            t,
            "cat",
            &[create_op(
                ident(&["db"], "v"),
                TabularKind::View,
                "file:///m/v/0",
            )],
        )
        .await
        .unwrap();
    let view = store
        .load_tabular(t, "cat", TabularKind::View, &ident(&["db"], "v"))
        .await
        .unwrap();
    let wh = store.get_warehouse_by_name(t, "wh").await.unwrap();
    let cat = store.get_catalog(t, "cat").await.unwrap();
    let db = store.get_namespace(t, "cat", &ns(&["db"])).await.unwrap();
    let alice = user(Some(t), "alice");
    store.create_user(&alice).await.unwrap();
    let readers = role(t, "readers");
    store.create_role(&readers).await.unwrap();

    let to_alice = Grantee::User(alice.id);
    let cases = [
        (Action::Read, GrantScope::Tenant, ResolvedScope::Tenant),
        (
            Action::List,
            GrantScope::Warehouse(wh.id),
            ResolvedScope::Warehouse {
                id: wh.id,
                name: "wh".into(),
            },
        ),
        (
            Action::Create,
            GrantScope::Catalog(cat.id),
            ResolvedScope::Catalog {
                id: cat.id,
                name: "cat".into(),
                warehouse_id: wh.id,
            },
        ),
        (
            Action::Write,
            GrantScope::Namespace(db.id),
            ResolvedScope::Namespace {
                id: db.id,
                catalog_id: cat.id,
                catalog: "cat".into(),
                ident: ns(&["db"]),
            },
        ),
        (
            Action::Delete,
            GrantScope::Tabular(table.id),
            ResolvedScope::Tabular {
                id: table.id,
                kind: TabularKind::Table,
                catalog_id: cat.id,
                catalog: "cat".into(),
                ident: ident(&["db", "raw"], "events"),
            },
        ),
        (
            Action::ManageGrants,
            GrantScope::Tabular(view.id),
            ResolvedScope::Tabular {
                id: view.id,
                kind: TabularKind::View,
                catalog_id: cat.id,
                catalog: "cat".into(),
                ident: ident(&["db"], "v"),
            },
        ),
    ];
    let mut created = Vec::new();
    for (action, scope, resolved) in cases {
        let mut new = new_grant(t, to_alice, action, scope);
        new.granted_by = Some(alice.id);
        let grant = store.create_grant(&new).await.unwrap();
        assert_eq!(grant.id, new.id);
        assert_eq!(grant.tenant_id, t);
        assert_eq!(grant.grantee, to_alice);
        assert_eq!(grant.action, action);
        assert_eq!(grant.scope, resolved);
        assert_eq!(grant.scope.unresolved(), scope);
        assert_eq!(grant.granted_by, Some(alice.id));
        assert_eq!(grant.created_at, new.created_at);
        assert_eq!(store.get_grant(t, grant.id).await.unwrap(), grant);
        created.push(grant);
    }

    // The same (grantee, action, scope) is refused; another action or grantee is not.
    assert_already_exists(
        store
            .create_grant(&new_grant(t, to_alice, Action::Read, GrantScope::Tenant))
            .await,
        Entity::Grant,
    );
    let other_action = store
        .create_grant(&new_grant(t, to_alice, Action::List, GrantScope::Tenant))
        .await
        .unwrap();
    let to_role = store
        .create_grant(&new_grant(
            t,
            Grantee::Role(readers.id),
            Action::Read,
            GrantScope::Tenant,
        ))
        .await
        .unwrap();
    created.push(other_action);

    let pages = all_pages(3, |page| {
        let store = store.clone();
        async move { store.list_grants(t, None, &page).await }
    })
    .await;
    assert_eq!(pages.len(), 3);
    let all: Vec<_> = pages.concat();
    let mut expected = created.clone();
    expected.push(to_role.clone());
    assert_eq!(
        id_strings(&all, |g| g.id),
        sorted_ids(&id_strings(&expected, |g| g.id), false)
    );
    let alices = store
        .list_grants(t, Some(to_alice), &PageRequest::all())
        .await
        .unwrap();
    assert_eq!(
        id_strings(&alices.items, |g| g.id),
        sorted_ids(&id_strings(&created, |g| g.id), false)
    );
    assert!(alices.items.iter().all(|g| created.contains(g)));
    let roles = store
        .list_grants(t, Some(Grantee::Role(readers.id)), &PageRequest::all())
        .await
        .unwrap();
    assert_eq!(roles.items, std::slice::from_ref(&to_role));

    store.delete_grant(t, to_role.id).await.unwrap();
    assert_not_found(store.get_grant(t, to_role.id).await, Entity::Grant);
    assert_not_found(store.delete_grant(t, to_role.id).await, Entity::Grant);
    assert_not_found(store.get_grant(t, GrantId::generate()).await, Entity::Grant);
    // Once deleted, the same grant can be given again.
    store
        .create_grant(&new_grant(
            t,
            Grantee::Role(readers.id),
            Action::Read,
            GrantScope::Tenant,
        ))
        .await
        .unwrap();
}

/// A grant needs its tenant, its grantee and its scope to exist (in the grant's tenant); each
/// missing part has its own `NotFound`, and nothing is stored.
pub async fn grant_creation_requires_grantee_and_scope(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    let alice = user(Some(t), "alice");
    let root = user(None, "root");
    store.create_user(&alice).await.unwrap();
    store.create_user(&root).await.unwrap();
    let to_alice = Grantee::User(alice.id);

    assert_not_found(
        store
            .create_grant(&new_grant(
                TenantId::generate(),
                to_alice,
                Action::Read,
                GrantScope::Tenant,
            ))
            .await,
        Entity::Tenant,
    );
    for (grantee, entity) in [
        (Grantee::User(UserId::generate()), Entity::User),
        (Grantee::User(root.id), Entity::User),
        (Grantee::Role(RoleId::generate()), Entity::Role),
    ] {
        assert_not_found(
            store
                .create_grant(&new_grant(t, grantee, Action::Read, GrantScope::Tenant))
                .await,
            entity,
        );
    }
    for (scope, entity) in [
        (
            GrantScope::Warehouse(WarehouseId::generate()),
            Entity::Warehouse,
        ),
        (
            GrantScope::Catalog(pangolin_core::CatalogId::generate()),
            Entity::Catalog,
        ),
        (
            GrantScope::Namespace(NamespaceId::generate()),
            Entity::Namespace,
        ),
        (GrantScope::Tabular(TabularId::generate()), Entity::Table),
    ] {
        assert_not_found(
            store
                .create_grant(&new_grant(t, to_alice, Action::Read, scope))
                .await,
            entity,
        );
    }
    assert!(
        store
            .list_grants(t, None, &PageRequest::all())
            .await
            .unwrap()
            .items
            .is_empty(),
        "failed creates leave nothing behind"
    );
}

/// A user's effective grants are its direct grants plus those of every role assigned to it,
/// ordered by id; unassigning a role takes its grants away.
pub async fn effective_grants_include_role_grants(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    create_namespaces(&store, t, &["db"]).await;
    let db = store.get_namespace(t, "cat", &ns(&["db"])).await.unwrap();
    let alice = user(Some(t), "alice");
    let bob = user(Some(t), "bob");
    let carol = user(Some(t), "carol");
    for u in [&alice, &bob, &carol] {
        store.create_user(u).await.unwrap();
    }
    let writers = role(t, "writers");
    let deleters = role(t, "deleters");
    let readers = role(t, "readers");
    for r in [&writers, &deleters, &readers] {
        store.create_role(r).await.unwrap();
    }
    store.assign_role(t, writers.id, alice.id).await.unwrap();
    store.assign_role(t, readers.id, alice.id).await.unwrap();
    store.assign_role(t, deleters.id, bob.id).await.unwrap();

    let grant = |grantee, action, scope| {
        let store = store.clone();
        async move {
            store
                .create_grant(&new_grant(t, grantee, action, scope))
                .await
                .unwrap()
        }
    };
    let direct = grant(Grantee::User(alice.id), Action::Read, GrantScope::Tenant).await;
    let via_writers = grant(
        Grantee::Role(writers.id),
        Action::Write,
        GrantScope::Namespace(db.id),
    )
    .await;
    // The same action and scope through a role and directly: both grants count.
    let via_readers = grant(Grantee::Role(readers.id), Action::Read, GrantScope::Tenant).await;
    grant(
        Grantee::Role(deleters.id),
        Action::Delete,
        GrantScope::Namespace(db.id),
    )
    .await;
    grant(Grantee::User(bob.id), Action::List, GrantScope::Tenant).await;

    let effective = store.effective_grants(t, alice.id).await.unwrap();
    let expected = [direct.clone(), via_writers.clone(), via_readers.clone()];
    assert_eq!(
        id_strings(&effective, |g| g.id),
        sorted_ids(&id_strings(&expected, |g| g.id), false)
    );
    assert!(effective.iter().all(|g| expected.contains(g)));
    assert_eq!(store.effective_grants(t, bob.id).await.unwrap().len(), 2);
    assert!(
        store
            .effective_grants(t, carol.id)
            .await
            .unwrap()
            .is_empty()
    );

    store.unassign_role(t, writers.id, alice.id).await.unwrap();
    let effective = store.effective_grants(t, alice.id).await.unwrap();
    assert_eq!(
        id_strings(&effective, |g| g.id),
        sorted_ids(&[direct.id, via_readers.id], false)
    );
}

/// Grants follow renames (resolution is by id), and do not come back when a dropped table is
/// re-created under the same name.
pub async fn grants_follow_renames_not_recreations(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    create_namespaces(&store, t, &["src"]).await;
    create_namespaces(&store, t, &["dst", "deep"]).await;
    let table = create_table(&store, t, &["src"], "t").await;
    let alice = user(Some(t), "alice");
    store.create_user(&alice).await.unwrap();
    let grant = store
        .create_grant(&new_grant(
            t,
            Grantee::User(alice.id),
            Action::Write,
            GrantScope::Tabular(table.id),
        ))
        .await
        .unwrap();

    let moved = ident(&["dst", "deep"], "moved");
    store
        .rename_tabular(t, "cat", TabularKind::Table, &table.ident, &moved)
        .await
        .unwrap();
    let renamed = store.get_grant(t, grant.id).await.unwrap();
    let ResolvedScope::Tabular { id, ident: now, .. } = &renamed.scope else {
        panic!("a tabular grant resolved to {:?}", renamed.scope);
    };
    assert_eq!(*id, table.id);
    assert_eq!(*now, moved);
    assert_eq!(
        store
            .effective_grants(t, alice.id)
            .await
            .unwrap()
            .iter()
            .map(|g| g.scope.clone())
            .collect::<Vec<_>>(),
        std::slice::from_ref(&renamed.scope)
    );

    store
        .drop_tabular(t, "cat", TabularKind::Table, &moved)
        .await
        .unwrap();
    assert_not_found(store.get_grant(t, grant.id).await, Entity::Grant);
    let again = create_table(&store, t, &["dst", "deep"], "moved").await;
    assert_ne!(again.id, table.id);
    assert!(
        store
            .list_grants(t, None, &PageRequest::all())
            .await
            .unwrap()
            .items
            .is_empty(),
        "grants on a dropped table do not apply to a new table of the same name"
    );
    assert!(
        store
            .effective_grants(t, alice.id)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Dropping a table, view, namespace, catalog or warehouse removes exactly the grants on it: not
/// those on its parents, not those on other objects, and nothing when the drop is refused.
pub async fn dropping_objects_removes_their_grants(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    let wh = store.get_warehouse_by_name(t, "wh").await.unwrap();
    let cat = store.get_catalog(t, "cat").await.unwrap();
    let wh2 = warehouse(t, "wh2");
    store.create_warehouse(&wh2).await.unwrap();
    let cat2 = catalog(t, &wh, "cat2");
    store.create_catalog(&cat2).await.unwrap();
    create_namespaces(&store, t, &["a", "b"]).await;
    let table = create_table(&store, t, &["a", "b"], "t").await;
    store
        .commit(
            t,
            "cat",
            &[create_op(
                ident(&["a"], "v"),
                TabularKind::View,
                "file:///m/v/0",
            )],
        )
        .await
        .unwrap();
    let view = store
        .load_tabular(t, "cat", TabularKind::View, &ident(&["a"], "v"))
        .await
        .unwrap();
    let a = store.get_namespace(t, "cat", &ns(&["a"])).await.unwrap();
    let ab = store
        .get_namespace(t, "cat", &ns(&["a", "b"]))
        .await
        .unwrap();
    let alice = user(Some(t), "alice");
    store.create_user(&alice).await.unwrap();
    let readers = role(t, "readers");
    store.create_role(&readers).await.unwrap();

    let mut grants = std::collections::BTreeMap::new();
    for (label, scope) in [
        ("tenant", GrantScope::Tenant),
        ("wh", GrantScope::Warehouse(wh.id)),
        ("wh2", GrantScope::Warehouse(wh2.id)),
        ("cat", GrantScope::Catalog(cat.id)),
        ("cat2", GrantScope::Catalog(cat2.id)),
        ("a", GrantScope::Namespace(a.id)),
        ("a.b", GrantScope::Namespace(ab.id)),
        ("t", GrantScope::Tabular(table.id)),
        ("v", GrantScope::Tabular(view.id)),
    ] {
        let direct = store
            .create_grant(&new_grant(t, Grantee::User(alice.id), Action::Read, scope))
            .await
            .unwrap();
        let via_role = store
            .create_grant(&new_grant(
                t,
                Grantee::Role(readers.id),
                Action::List,
                scope,
            ))
            .await
            .unwrap();
        grants.insert(label, [direct.id, via_role.id]);
    }
    let remaining = |labels: &[&str]| {
        sorted_ids(
            &labels
                .iter()
                .flat_map(|l| grants[l])
                .collect::<Vec<GrantId>>(),
            false,
        )
    };
    let listed = || {
        let store = store.clone();
        async move {
            let page = store.list_grants(t, None, &PageRequest::all()).await;
            id_strings(&page.unwrap().items, |g| g.id)
        }
    };
    let mut left = vec!["tenant", "wh", "wh2", "cat", "cat2", "a", "a.b", "t", "v"];
    assert_eq!(listed().await, remaining(&left));

    // Refused drops change nothing.
    assert!(matches!(
        store.drop_namespace(t, "cat", &ns(&["a"])).await,
        Err(Error::NotEmpty { .. })
    ));
    assert!(matches!(
        store.delete_warehouse(t, wh.id).await,
        Err(Error::NotEmpty { .. })
    ));
    assert_eq!(listed().await, remaining(&left));

    store
        .drop_tabular(t, "cat", TabularKind::Table, &table.ident)
        .await
        .unwrap();
    left.retain(|l| *l != "t");
    assert_eq!(listed().await, remaining(&left));
    store
        .drop_tabular(t, "cat", TabularKind::View, &view.ident)
        .await
        .unwrap();
    left.retain(|l| *l != "v");
    assert_eq!(listed().await, remaining(&left));
    // A nested namespace takes only its own grants, not its parent's.
    store
        .drop_namespace(t, "cat", &ns(&["a", "b"]))
        .await
        .unwrap();
    left.retain(|l| *l != "a.b");
    assert_eq!(listed().await, remaining(&left));
    store.drop_namespace(t, "cat", &ns(&["a"])).await.unwrap();
    left.retain(|l| *l != "a");
    assert_eq!(listed().await, remaining(&left));
    store.delete_catalog(t, "cat2").await.unwrap();
    left.retain(|l| *l != "cat2");
    assert_eq!(listed().await, remaining(&left));
    store.delete_warehouse(t, wh2.id).await.unwrap();
    left.retain(|l| *l != "wh2");
    assert_eq!(listed().await, remaining(&left));
    assert_eq!(left, ["tenant", "wh", "cat"]);
}

/// Deleting a user removes its API keys, token records, direct grants and role assignments, and
/// nothing of other users or of its roles.
pub async fn deleting_a_user_removes_what_it_holds(store: Arc<dyn CatalogStore>) {
    let t = tenant("acme");
    store.create_tenant(&t).await.unwrap();
    let mut svc = user(Some(t.id), "etl");
    svc.kind = UserKind::Service;
    let bob = user(Some(t.id), "bob");
    store.create_user(&svc).await.unwrap();
    store.create_user(&bob).await.unwrap();
    let readers = role(t.id, "readers");
    store.create_role(&readers).await.unwrap();
    let role_grant = store
        .create_grant(&new_grant(
            t.id,
            Grantee::Role(readers.id),
            Action::Read,
            GrantScope::Tenant,
        ))
        .await
        .unwrap();
    let mut held = Vec::new();
    for u in [&svc, &bob] {
        store.assign_role(t.id, readers.id, u.id).await.unwrap();
        let key = api_key(t.id, u.id, "key");
        store.create_api_key(&key).await.unwrap();
        let tok = token(Some(t.id), u.id, i64::MAX);
        store.insert_token(&tok).await.unwrap();
        let grant = store
            .create_grant(&new_grant(
                t.id,
                Grantee::User(u.id),
                Action::Write,
                GrantScope::Tenant,
            ))
            .await
            .unwrap();
        held.push((key, tok, grant));
    }

    store.delete_user(Some(t.id), svc.id).await.unwrap();
    let (key, tok, grant) = &held[0];
    assert_not_found(store.find_api_key(key.id).await, Entity::ApiKey);
    assert_not_found(store.get_token(Some(t.id), tok.id).await, Entity::Token);
    assert_not_found(store.get_grant(t.id, grant.id).await, Entity::Grant);
    assert_eq!(store.get_role(t.id, readers.id).await.unwrap(), readers);
    assert_eq!(
        store.get_grant(t.id, role_grant.id).await.unwrap(),
        role_grant
    );

    let (key, tok, grant) = &held[1];
    assert_eq!(store.find_api_key(key.id).await.unwrap(), *key);
    assert_eq!(store.get_token(Some(t.id), tok.id).await.unwrap(), *tok);
    assert_eq!(store.get_grant(t.id, grant.id).await.unwrap(), *grant);
    assert_eq!(
        store.list_user_roles(t.id, bob.id).await.unwrap(),
        std::slice::from_ref(&readers)
    );

    // A user re-created with the same id starts with nothing.
    store.create_user(&svc).await.unwrap();
    assert!(
        store
            .list_user_roles(t.id, svc.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .effective_grants(t.id, svc.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list_api_keys(t.id, svc.id, &PageRequest::all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        store
            .list_tokens(Some(t.id), svc.id, 0, &PageRequest::all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

/// Deleting a role removes its grants and its assignments, and nothing else.
pub async fn deleting_a_role_removes_its_grants_and_assignments(store: Arc<dyn CatalogStore>) {
    let t = tenant("acme");
    store.create_tenant(&t).await.unwrap();
    let alice = user(Some(t.id), "alice");
    store.create_user(&alice).await.unwrap();
    let doomed = role(t.id, "doomed");
    let kept = role(t.id, "kept");
    store.create_role(&doomed).await.unwrap();
    store.create_role(&kept).await.unwrap();
    store.assign_role(t.id, doomed.id, alice.id).await.unwrap();
    store.assign_role(t.id, kept.id, alice.id).await.unwrap();
    let grant = |grantee, action| {
        let store = store.clone();
        async move {
            store
                .create_grant(&new_grant(t.id, grantee, action, GrantScope::Tenant))
                .await
                .unwrap()
        }
    };
    let doomed_read = grant(Grantee::Role(doomed.id), Action::Read).await;
    let doomed_write = grant(Grantee::Role(doomed.id), Action::Write).await;
    let kept_read = grant(Grantee::Role(kept.id), Action::Read).await;
    let direct = grant(Grantee::User(alice.id), Action::List).await;
    assert_eq!(
        store.effective_grants(t.id, alice.id).await.unwrap().len(),
        4
    );

    store.delete_role(t.id, doomed.id).await.unwrap();
    assert_not_found(store.get_grant(t.id, doomed_read.id).await, Entity::Grant);
    assert_not_found(store.get_grant(t.id, doomed_write.id).await, Entity::Grant);
    assert_eq!(
        store.list_user_roles(t.id, alice.id).await.unwrap(),
        std::slice::from_ref(&kept)
    );
    assert_eq!(
        id_strings(
            &store.effective_grants(t.id, alice.id).await.unwrap(),
            |g| g.id
        ),
        sorted_ids(&[kept_read.id, direct.id], false)
    );
    assert_not_found(
        store.unassign_role(t.id, doomed.id, alice.id).await,
        Entity::Role,
    );
    assert_not_found(
        store.assign_role(t.id, doomed.id, alice.id).await,
        Entity::Role,
    );
    assert_not_found(
        store
            .create_grant(&new_grant(
                t.id,
                Grantee::Role(doomed.id),
                Action::Read,
                GrantScope::Tenant,
            ))
            .await,
        Entity::Role,
    );
}

/// Deleting a tenant is refused while it owns warehouses (and then removes nothing); once it
/// succeeds, its users, API keys, token records, roles, assignments and grants are gone, other
/// tenants and Root users keep theirs, and the audit log keeps its events.
pub async fn deleting_a_tenant_removes_its_identities(store: Arc<dyn CatalogStore>) {
    let a = tenant("a");
    let b = tenant("b");
    store.create_tenant(&a).await.unwrap();
    store.create_tenant(&b).await.unwrap();
    let root = user(None, "root");
    store.create_user(&root).await.unwrap();
    let root_token = token(None, root.id, i64::MAX);
    store.insert_token(&root_token).await.unwrap();

    struct Held {
        user: pangolin_core::User,
        key: pangolin_core::ApiKey,
        token: pangolin_core::TokenRecord,
        role: pangolin_core::Role,
        grants: [GrantId; 2],
    }
    let mut held = Vec::new();
    for t in [a.id, b.id] {
        let u = user(Some(t), "alice");
        store.create_user(&u).await.unwrap();
        let key = api_key(t, u.id, "key");
        store.create_api_key(&key).await.unwrap();
        let tok = token(Some(t), u.id, i64::MAX);
        store.insert_token(&tok).await.unwrap();
        let r = role(t, "readers");
        store.create_role(&r).await.unwrap();
        store.assign_role(t, r.id, u.id).await.unwrap();
        let direct = store
            .create_grant(&new_grant(
                t,
                Grantee::User(u.id),
                Action::Read,
                GrantScope::Tenant,
            ))
            .await
            .unwrap();
        let via_role = store
            .create_grant(&new_grant(
                t,
                Grantee::Role(r.id),
                Action::Read,
                GrantScope::Tenant,
            ))
            .await
            .unwrap();
        held.push(Held {
            user: u,
            key,
            token: tok,
            role: r,
            grants: [direct.id, via_role.id],
        });
    }
    let event = audit_event(Some(a.id), 1_000, "user.create");
    store
        .insert_audit_events(std::slice::from_ref(&event))
        .await
        .unwrap();

    let w = warehouse(a.id, "wh");
    store.create_warehouse(&w).await.unwrap();
    assert!(matches!(
        store.delete_tenant(a.id).await,
        Err(Error::NotEmpty {
            entity: Entity::Tenant,
            ..
        })
    ));
    let of_a = &held[0];
    assert_eq!(
        store.get_user(Some(a.id), of_a.user.id).await.unwrap(),
        of_a.user
    );
    assert_eq!(store.find_api_key(of_a.key.id).await.unwrap(), of_a.key);
    store.delete_warehouse(a.id, w.id).await.unwrap();
    store.delete_tenant(a.id).await.unwrap();

    assert_not_found(store.get_user(Some(a.id), of_a.user.id).await, Entity::User);
    assert_not_found(store.find_api_key(of_a.key.id).await, Entity::ApiKey);
    assert_not_found(
        store.get_token(Some(a.id), of_a.token.id).await,
        Entity::Token,
    );
    assert_not_found(store.get_role(a.id, of_a.role.id).await, Entity::Role);
    for id in of_a.grants {
        assert_not_found(store.get_grant(a.id, id).await, Entity::Grant);
    }
    assert_eq!(
        store.get_audit_event(Some(a.id), event.id).await.unwrap(),
        event
    );

    let of_b = &held[1];
    assert_eq!(
        store.get_user(Some(b.id), of_b.user.id).await.unwrap(),
        of_b.user
    );
    assert_eq!(store.find_api_key(of_b.key.id).await.unwrap(), of_b.key);
    assert_eq!(
        store.get_token(Some(b.id), of_b.token.id).await.unwrap(),
        of_b.token
    );
    assert_eq!(
        store.list_user_roles(b.id, of_b.user.id).await.unwrap(),
        std::slice::from_ref(&of_b.role)
    );
    assert_eq!(
        store
            .effective_grants(b.id, of_b.user.id)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(store.get_user(None, root.id).await.unwrap(), root);
    assert_eq!(
        store.get_token(None, root_token.id).await.unwrap(),
        root_token
    );

    // A tenant re-created with the same id starts empty.
    store.create_tenant(&a).await.unwrap();
    assert!(
        store
            .list_users(Some(a.id), &PageRequest::all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        store
            .list_roles(a.id, &PageRequest::all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        store
            .list_grants(a.id, None, &PageRequest::all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        store
            .list_api_keys(a.id, of_a.user.id, &PageRequest::all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    store.create_user(&of_a.user).await.unwrap();
    assert!(
        store
            .list_user_roles(a.id, of_a.user.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list_tokens(Some(a.id), of_a.user.id, 0, &PageRequest::all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

/// Token records: insert (the user must exist in the token's scope), get, list the unexpired ones
/// newest first with pagination, revoke once, and purge the expired ones across all tenants.
pub async fn token_records(store: Arc<dyn CatalogStore>) {
    let t = tenant("acme");
    let u = tenant("umbrella");
    store.create_tenant(&t).await.unwrap();
    store.create_tenant(&u).await.unwrap();
    let alice = user(Some(t.id), "alice");
    let bob = user(Some(t.id), "bob");
    let carol = user(Some(u.id), "carol");
    let root = user(None, "root");
    for x in [&alice, &bob, &carol, &root] {
        store.create_user(x).await.unwrap();
    }

    let e10 = token(Some(t.id), alice.id, 10_000);
    let e20 = token(Some(t.id), alice.id, 20_000);
    let e30 = token(Some(t.id), alice.id, 30_000);
    let e5 = token(Some(t.id), alice.id, 5_000);
    let of_bob = token(Some(t.id), bob.id, 15_000);
    let of_carol = token(Some(u.id), carol.id, 15_000);
    let of_root = token(None, root.id, 30_000);
    for tok in [&e10, &e20, &e30, &e5, &of_bob, &of_carol, &of_root] {
        store.insert_token(tok).await.unwrap();
    }
    assert_already_exists(store.insert_token(&e10).await, Entity::Token);
    assert_not_found(
        store
            .insert_token(&token(Some(t.id), UserId::generate(), 1))
            .await,
        Entity::User,
    );
    assert_not_found(
        store.insert_token(&token(None, alice.id, 1)).await,
        Entity::User,
    );
    assert_not_found(
        store.insert_token(&token(Some(t.id), root.id, 1)).await,
        Entity::User,
    );

    assert_eq!(store.get_token(Some(t.id), e10.id).await.unwrap(), e10);
    assert_eq!(store.get_token(None, of_root.id).await.unwrap(), of_root);
    assert_not_found(
        store.get_token(Some(t.id), TokenId::generate()).await,
        Entity::Token,
    );

    let listed = |tenant: Option<TenantId>, user: UserId, now: i64| {
        let store = store.clone();
        async move {
            let page = store
                .list_tokens(tenant, user, now, &PageRequest::all())
                .await;
            id_strings(&page.unwrap().items, |t| t.id)
        }
    };
    // Only `expires_at > now`, newest (largest id) first.
    assert_eq!(
        listed(Some(t.id), alice.id, 5_000).await,
        sorted_ids(&[e10.id, e20.id, e30.id], true)
    );
    assert_eq!(
        listed(Some(t.id), alice.id, 10_000).await,
        sorted_ids(&[e20.id, e30.id], true)
    );
    assert_eq!(listed(None, root.id, 0).await, [of_root.id.to_string()]);
    assert!(listed(Some(t.id), root.id, 0).await.is_empty());
    let pages = all_pages(2, |page| {
        let store = store.clone();
        async move { store.list_tokens(Some(t.id), alice.id, 0, &page).await }
    })
    .await;
    assert_eq!(pages.len(), 2);
    assert_eq!(
        id_strings(&pages.concat(), |t| t.id),
        sorted_ids(&[e5.id, e10.id, e20.id, e30.id], true)
    );

    // Revocation keeps the first time; revoked records are still listed until they expire.
    store.revoke_token(Some(t.id), e20.id, 7_000).await.unwrap();
    store.revoke_token(Some(t.id), e20.id, 8_000).await.unwrap();
    let revoked = store.get_token(Some(t.id), e20.id).await.unwrap();
    assert_eq!(revoked.revoked_at, Some(7_000));
    assert_eq!(revoked.expires_at, e20.expires_at);
    assert!(
        listed(Some(t.id), alice.id, 10_000)
            .await
            .contains(&e20.id.to_string())
    );
    store.revoke_token(None, of_root.id, 9_000).await.unwrap();
    assert_eq!(
        store.get_token(None, of_root.id).await.unwrap().revoked_at,
        Some(9_000)
    );
    assert_not_found(
        store.revoke_token(Some(t.id), TokenId::generate(), 1).await,
        Entity::Token,
    );

    // Purging removes `expires_at < now` in every tenant (and among Root users).
    assert_eq!(store.delete_expired_tokens(10_000).await.unwrap(), 1);
    assert_not_found(store.get_token(Some(t.id), e5.id).await, Entity::Token);
    assert_eq!(store.get_token(Some(t.id), e10.id).await.unwrap(), e10);
    assert_eq!(store.delete_expired_tokens(20_001).await.unwrap(), 4);
    assert_not_found(
        store.get_token(Some(u.id), of_carol.id).await,
        Entity::Token,
    );
    assert_not_found(store.get_token(Some(t.id), of_bob.id).await, Entity::Token);
    assert_eq!(store.delete_expired_tokens(20_001).await.unwrap(), 0);
    assert_eq!(store.delete_expired_tokens(i64::MAX).await.unwrap(), 2);
    assert_not_found(store.get_token(None, of_root.id).await, Entity::Token);
}

/// Nothing of one tenant is reachable through another tenant (or as a Root user's): every by-id
/// lookup, update, delete, assignment and reference answers `NotFound`, and changes nothing.
pub async fn access_tenant_isolation(store: Arc<dyn CatalogStore>) {
    let a = setup(&store, "a").await;
    let b = setup(&store, "b").await;
    create_namespaces(&store, a, &["only_a"]).await;
    let table = create_table(&store, a, &["only_a"], "t").await;
    let ns_a = store
        .get_namespace(a, "cat", &ns(&["only_a"]))
        .await
        .unwrap();
    let wh_a = store.get_warehouse_by_name(a, "wh").await.unwrap();
    let cat_a = store.get_catalog(a, "cat").await.unwrap();
    let alice = user(Some(a), "alice");
    let bob = user(Some(b), "bob");
    store.create_user(&alice).await.unwrap();
    store.create_user(&bob).await.unwrap();

    // Users.
    for scope in [Some(b), None] {
        assert_not_found(store.get_user(scope, alice.id).await, Entity::User);
        assert_not_found(store.get_user_by_name(scope, "alice").await, Entity::User);
        assert_not_found(
            store
                .update_user(scope, alice.id, &UserUpdate::default())
                .await,
            Entity::User,
        );
        assert_not_found(store.delete_user(scope, alice.id).await, Entity::User);
    }
    assert_eq!(
        store
            .list_users(Some(b), &PageRequest::all())
            .await
            .unwrap()
            .items,
        std::slice::from_ref(&bob)
    );

    // API keys: found by id alone, but never through another tenant.
    let key = api_key(a, alice.id, "key");
    store.create_api_key(&key).await.unwrap();
    assert_not_found(
        store.create_api_key(&api_key(b, alice.id, "stolen")).await,
        Entity::User,
    );
    assert_not_found(store.get_api_key(b, key.id).await, Entity::ApiKey);
    assert_not_found(
        store
            .update_api_key(
                b,
                key.id,
                &ApiKeyUpdate {
                    active: Some(false),
                    ..ApiKeyUpdate::default()
                },
            )
            .await,
        Entity::ApiKey,
    );
    assert_not_found(store.delete_api_key(b, key.id).await, Entity::ApiKey);
    assert!(
        store
            .list_api_keys(b, alice.id, &PageRequest::all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(store.find_api_key(key.id).await.unwrap(), key);

    // Roles and assignments.
    let role_a = role(a, "readers");
    let role_b = role(b, "readers");
    store.create_role(&role_a).await.unwrap();
    store.create_role(&role_b).await.unwrap();
    store.assign_role(a, role_a.id, alice.id).await.unwrap();
    assert_not_found(store.get_role(b, role_a.id).await, Entity::Role);
    assert_not_found(store.update_role(b, role_a.id, None).await, Entity::Role);
    assert_not_found(store.delete_role(b, role_a.id).await, Entity::Role);
    assert_not_found(store.assign_role(b, role_a.id, bob.id).await, Entity::Role);
    assert_not_found(
        store.assign_role(b, role_b.id, alice.id).await,
        Entity::User,
    );
    assert_not_found(
        store.unassign_role(b, role_a.id, alice.id).await,
        Entity::Role,
    );
    assert!(store.list_user_roles(b, alice.id).await.unwrap().is_empty());
    assert_eq!(
        store
            .list_roles(b, &PageRequest::all())
            .await
            .unwrap()
            .items,
        std::slice::from_ref(&role_b)
    );

    // Grants: neither grantees nor scopes of another tenant can be referenced.
    let grant = store
        .create_grant(&new_grant(
            a,
            Grantee::User(alice.id),
            Action::Read,
            GrantScope::Tenant,
        ))
        .await
        .unwrap();
    assert_not_found(store.get_grant(b, grant.id).await, Entity::Grant);
    assert_not_found(store.delete_grant(b, grant.id).await, Entity::Grant);
    assert!(
        store
            .list_grants(b, None, &PageRequest::all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        store
            .effective_grants(b, alice.id)
            .await
            .unwrap()
            .is_empty()
    );
    for (grantee, entity) in [
        (Grantee::User(alice.id), Entity::User),
        (Grantee::Role(role_a.id), Entity::Role),
    ] {
        assert_not_found(
            store
                .create_grant(&new_grant(b, grantee, Action::Read, GrantScope::Tenant))
                .await,
            entity,
        );
    }
    for (scope, entity) in [
        (GrantScope::Warehouse(wh_a.id), Entity::Warehouse),
        (GrantScope::Catalog(cat_a.id), Entity::Catalog),
        (GrantScope::Namespace(ns_a.id), Entity::Namespace),
        (GrantScope::Tabular(table.id), Entity::Table),
    ] {
        assert_not_found(
            store
                .create_grant(&new_grant(b, Grantee::User(bob.id), Action::Read, scope))
                .await,
            entity,
        );
    }

    // Token records.
    let tok = token(Some(a), alice.id, i64::MAX);
    store.insert_token(&tok).await.unwrap();
    assert_not_found(
        store
            .insert_token(&token(Some(b), alice.id, i64::MAX))
            .await,
        Entity::User,
    );
    for scope in [Some(b), None] {
        assert_not_found(store.get_token(scope, tok.id).await, Entity::Token);
        assert_not_found(store.revoke_token(scope, tok.id, 1).await, Entity::Token);
        assert!(
            store
                .list_tokens(scope, alice.id, 0, &PageRequest::all())
                .await
                .unwrap()
                .items
                .is_empty()
        );
    }

    // Nothing of tenant a changed.
    assert_eq!(store.get_user(Some(a), alice.id).await.unwrap(), alice);
    assert_eq!(store.get_api_key(a, key.id).await.unwrap(), key);
    assert_eq!(store.get_role(a, role_a.id).await.unwrap(), role_a);
    assert_eq!(
        store.list_user_roles(a, alice.id).await.unwrap(),
        std::slice::from_ref(&role_a)
    );
    assert_eq!(store.get_grant(a, grant.id).await.unwrap(), grant);
    assert_eq!(store.get_token(Some(a), tok.id).await.unwrap(), tok);
}
