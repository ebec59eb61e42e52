//! Builders for the records the cases create.

use std::collections::BTreeMap;
use std::sync::Arc;

use pangolin_core::{
    Catalog, CatalogId, CommitOp, FileStorage, NamespaceId, NamespaceIdent, NewTabular,
    PointerSwap, StorageProfile, TabularId, TabularIdent, TabularKind, Tenant, TenantId, Warehouse,
    WarehouseId, now_millis,
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
