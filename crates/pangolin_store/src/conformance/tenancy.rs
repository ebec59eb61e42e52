//! Cases for tenants, warehouses and catalogs.

use std::collections::BTreeMap;
use std::sync::Arc;

use pangolin_core::{
    CatalogUpdate, Entity, Error, FileStorage, PageRequest, StorageProfile, TenantId, TenantUpdate,
    WarehouseId,
};

use super::fixtures::*;
use crate::CatalogStore;

fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Tenants: create, read by id and name, list, update, delete, and the error variants.
pub async fn tenant_crud(store: Arc<dyn CatalogStore>) {
    let acme = tenant("acme");
    store.create_tenant(&acme).await.unwrap();
    assert_eq!(store.get_tenant(acme.id).await.unwrap(), acme);
    assert_eq!(store.get_tenant_by_name("acme").await.unwrap(), acme);
    assert!(matches!(
        store.create_tenant(&tenant("acme")).await,
        Err(Error::AlreadyExists {
            entity: Entity::Tenant,
            ..
        })
    ));

    let updated = store
        .update_tenant(
            acme.id,
            &TenantUpdate {
                properties: props(&[("tier", "gold")]),
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.properties, props(&[("tier", "gold")]));
    assert_eq!(
        store.get_tenant(acme.id).await.unwrap().properties,
        updated.properties
    );

    store.create_tenant(&tenant("beta")).await.unwrap();
    let names: Vec<_> = store
        .list_tenants(&PageRequest::all())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["acme", "beta"]);

    store.delete_tenant(acme.id).await.unwrap();
    assert!(matches!(
        store.get_tenant(acme.id).await,
        Err(Error::NotFound {
            entity: Entity::Tenant,
            ..
        })
    ));
    assert!(matches!(
        store.get_tenant_by_name("acme").await,
        Err(Error::NotFound {
            entity: Entity::Tenant,
            ..
        })
    ));
    assert!(matches!(
        store.delete_tenant(acme.id).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store
            .update_tenant(TenantId::generate(), &TenantUpdate::default())
            .await,
        Err(Error::NotFound { .. })
    ));
}

/// A tenant that owns a warehouse cannot be deleted.
pub async fn tenant_delete_refused_while_it_owns_resources(store: Arc<dyn CatalogStore>) {
    let t = tenant("acme");
    store.create_tenant(&t).await.unwrap();
    let w = warehouse(t.id, "wh");
    store.create_warehouse(&w).await.unwrap();
    assert!(matches!(
        store.delete_tenant(t.id).await,
        Err(Error::NotEmpty {
            entity: Entity::Tenant,
            ..
        })
    ));
    store.delete_warehouse(t.id, w.id).await.unwrap();
    store.delete_tenant(t.id).await.unwrap();
}

/// Warehouse secrets read back exactly as written, through every read path, and an update
/// replaces them (a backend that encrypts them at rest must be invisible here).
pub async fn warehouse_secrets_round_trip(store: Arc<dyn CatalogStore>) {
    let t = tenant("acme");
    store.create_tenant(&t).await.unwrap();
    let mut w = warehouse(t.id, "lake");
    w.storage = s3_storage(
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some("session/token=="),
    );
    store.create_warehouse(&w).await.unwrap();
    assert_eq!(store.get_warehouse(t.id, w.id).await.unwrap(), w);
    assert_eq!(store.get_warehouse_by_name(t.id, "lake").await.unwrap(), w);
    let listed = store
        .list_warehouses(t.id, &PageRequest::all())
        .await
        .unwrap();
    assert_eq!(listed.items, [w.clone()]);

    let rotated = s3_storage("v1:a secret that looks like a ciphertext", None);
    let updated = store.update_warehouse(t.id, w.id, &rotated).await.unwrap();
    assert_eq!(updated.storage, rotated);
    assert_eq!(
        store.get_warehouse(t.id, w.id).await.unwrap().storage,
        rotated
    );
}

/// Warehouses: CRUD and error variants.
pub async fn warehouse_crud(store: Arc<dyn CatalogStore>) {
    let t = tenant("acme");
    store.create_tenant(&t).await.unwrap();
    assert!(matches!(
        store
            .create_warehouse(&warehouse(TenantId::generate(), "orphan"))
            .await,
        Err(Error::NotFound {
            entity: Entity::Tenant,
            ..
        })
    ));
    let w = warehouse(t.id, "lake");
    store.create_warehouse(&w).await.unwrap();
    assert!(matches!(
        store.create_warehouse(&warehouse(t.id, "lake")).await,
        Err(Error::AlreadyExists {
            entity: Entity::Warehouse,
            ..
        })
    ));
    assert_eq!(store.get_warehouse(t.id, w.id).await.unwrap(), w);
    assert_eq!(store.get_warehouse_by_name(t.id, "lake").await.unwrap(), w);

    let new_storage = StorageProfile::File(FileStorage {
        root: "/srv/lake".into(),
    });
    let updated = store
        .update_warehouse(t.id, w.id, &new_storage)
        .await
        .unwrap();
    assert_eq!(updated.storage, new_storage);
    assert_eq!(
        store.get_warehouse(t.id, w.id).await.unwrap().storage,
        new_storage
    );

    store
        .create_warehouse(&warehouse(t.id, "alpha"))
        .await
        .unwrap();
    let names: Vec<_> = store
        .list_warehouses(t.id, &PageRequest::all())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|w| w.name)
        .collect();
    assert_eq!(names, ["alpha", "lake"]);

    store.delete_warehouse(t.id, w.id).await.unwrap();
    assert!(matches!(
        store.get_warehouse(t.id, w.id).await,
        Err(Error::NotFound {
            entity: Entity::Warehouse,
            ..
        })
    ));
    assert!(matches!(
        store.delete_warehouse(t.id, w.id).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store
            .update_warehouse(t.id, WarehouseId::generate(), &new_storage)
            .await,
        Err(Error::NotFound { .. })
    ));
}

/// A warehouse used by a catalog cannot be deleted.
pub async fn warehouse_delete_refused_while_used(store: Arc<dyn CatalogStore>) {
    let t = tenant("acme");
    store.create_tenant(&t).await.unwrap();
    let w = warehouse(t.id, "lake");
    store.create_warehouse(&w).await.unwrap();
    store
        .create_catalog(&catalog(t.id, &w, "sales"))
        .await
        .unwrap();
    assert!(matches!(
        store.delete_warehouse(t.id, w.id).await,
        Err(Error::NotEmpty {
            entity: Entity::Warehouse,
            ..
        })
    ));
    store.delete_catalog(t.id, "sales").await.unwrap();
    store.delete_warehouse(t.id, w.id).await.unwrap();
}

/// Catalogs: CRUD, the warehouse name is resolved, non-empty catalogs cannot be deleted.
pub async fn catalog_crud(store: Arc<dyn CatalogStore>) {
    let t = tenant("acme");
    store.create_tenant(&t).await.unwrap();
    let w = warehouse(t.id, "lake");
    store.create_warehouse(&w).await.unwrap();
    let mut c = catalog(t.id, &w, "sales");
    c.warehouse_name = "ignored by the store".into();
    store.create_catalog(&c).await.unwrap();
    let loaded = store.get_catalog(t.id, "sales").await.unwrap();
    assert_eq!(loaded.warehouse_name, "lake");
    assert_eq!(loaded.id, c.id);
    assert_eq!(loaded.base_location, c.base_location);
    assert!(matches!(
        store.create_catalog(&catalog(t.id, &w, "sales")).await,
        Err(Error::AlreadyExists {
            entity: Entity::Catalog,
            ..
        })
    ));

    let updated = store
        .update_catalog(
            t.id,
            "sales",
            &CatalogUpdate {
                properties: props(&[("owner", "bi")]),
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.properties, props(&[("owner", "bi")]));
    assert_eq!(updated.warehouse_name, "lake");

    store
        .create_catalog(&catalog(t.id, &w, "hr"))
        .await
        .unwrap();
    let names: Vec<_> = store
        .list_catalogs(t.id, &PageRequest::all())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["hr", "sales"]);

    store
        .create_namespace(t.id, "sales", &new_namespace(ns(&["a"])))
        .await
        .unwrap();
    assert!(matches!(
        store.delete_catalog(t.id, "sales").await,
        Err(Error::NotEmpty {
            entity: Entity::Catalog,
            ..
        })
    ));
    store
        .drop_namespace(t.id, "sales", &ns(&["a"]))
        .await
        .unwrap();
    store.delete_catalog(t.id, "sales").await.unwrap();
    assert!(matches!(
        store.get_catalog(t.id, "sales").await,
        Err(Error::NotFound {
            entity: Entity::Catalog,
            ..
        })
    ));
    assert!(matches!(
        store.delete_catalog(t.id, "sales").await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store
            .update_catalog(t.id, "sales", &CatalogUpdate::default())
            .await,
        Err(Error::NotFound { .. })
    ));
}

/// A catalog cannot reference a missing warehouse or another tenant's warehouse.
pub async fn catalog_requires_a_warehouse_of_the_same_tenant(store: Arc<dyn CatalogStore>) {
    let a = tenant("a");
    let b = tenant("b");
    store.create_tenant(&a).await.unwrap();
    store.create_tenant(&b).await.unwrap();
    let wa = warehouse(a.id, "wa");
    store.create_warehouse(&wa).await.unwrap();
    assert!(matches!(
        store.create_catalog(&catalog(b.id, &wa, "stolen")).await,
        Err(Error::NotFound {
            entity: Entity::Warehouse,
            ..
        })
    ));
    let mut missing = catalog(a.id, &wa, "x");
    missing.warehouse_id = WarehouseId::generate();
    assert!(matches!(
        store.create_catalog(&missing).await,
        Err(Error::NotFound {
            entity: Entity::Warehouse,
            ..
        })
    ));
}

/// Nothing of one tenant is visible through another tenant, by id or by name.
pub async fn tenant_isolation(store: Arc<dyn CatalogStore>) {
    let a = setup(&store, "a").await;
    let b = setup(&store, "b").await;
    create_namespaces(&store, a, &["only_a"]).await;
    create_table(&store, a, &["only_a"], "t").await;

    let wa = store.get_warehouse_by_name(a, "wh").await.unwrap();
    assert!(matches!(
        store.get_warehouse(b, wa.id).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.update_warehouse(b, wa.id, &wa.storage).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.delete_warehouse(b, wa.id).await,
        Err(Error::NotFound { .. })
    ));
    assert_eq!(
        store
            .list_warehouses(b, &PageRequest::all())
            .await
            .unwrap()
            .items
            .len(),
        1
    );

    // Both tenants have a catalog named "cat"; each sees only its own namespaces and tables.
    assert!(matches!(
        store.get_namespace(b, "cat", &ns(&["only_a"])).await,
        Err(Error::NotFound {
            entity: Entity::Namespace,
            ..
        })
    ));
    assert!(
        store
            .list_namespaces(b, "cat", None, &PageRequest::all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(matches!(
        store
            .load_tabular(
                b,
                "cat",
                pangolin_core::TabularKind::Table,
                &ident(&["only_a"], "t")
            )
            .await,
        Err(Error::NotFound { .. })
    ));
    let table = store
        .load_tabular(
            a,
            "cat",
            pangolin_core::TabularKind::Table,
            &ident(&["only_a"], "t"),
        )
        .await
        .unwrap();
    let report = pangolin_core::MetricsReport {
        id: pangolin_core::MetricsReportId::generate(),
        tenant_id: b,
        tabular_id: table.id,
        report_type: "scan-report".into(),
        report: "{}".into(),
        received_at: 0,
    };
    assert!(matches!(
        store.insert_metrics_report(&report).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.get_catalog(TenantId::generate(), "cat").await,
        Err(Error::NotFound {
            entity: Entity::Catalog,
            ..
        })
    ));
}
