//! Cases for namespaces.

use std::collections::BTreeMap;
use std::sync::Arc;

use pangolin_core::{Entity, Error, PageRequest, TenantId};

use super::fixtures::*;
use crate::CatalogStore;

/// Namespaces: create, get, list, drop and the error variants, including an unknown catalog.
pub async fn namespace_crud(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    let mut new = new_namespace(ns(&["sales"]));
    new.properties.insert("owner".into(), "bi".into());
    let created = store.create_namespace(t, "cat", &new).await.unwrap();
    assert_eq!(created.ident, ns(&["sales"]));
    assert_eq!(created.properties["owner"], "bi");
    assert_eq!(
        store
            .get_namespace(t, "cat", &ns(&["sales"]))
            .await
            .unwrap(),
        created
    );
    assert!(matches!(
        store
            .create_namespace(t, "cat", &new_namespace(ns(&["sales"])))
            .await,
        Err(Error::AlreadyExists {
            entity: Entity::Namespace,
            ..
        })
    ));
    assert!(matches!(
        store.get_namespace(t, "cat", &ns(&["nope"])).await,
        Err(Error::NotFound {
            entity: Entity::Namespace,
            ..
        })
    ));
    assert!(matches!(
        store.get_namespace(t, "nocat", &ns(&["sales"])).await,
        Err(Error::NotFound {
            entity: Entity::Catalog,
            ..
        })
    ));
    assert!(matches!(
        store
            .create_namespace(t, "nocat", &new_namespace(ns(&["x"])))
            .await,
        Err(Error::NotFound {
            entity: Entity::Catalog,
            ..
        })
    ));
    assert!(matches!(
        store
            .list_namespaces(t, "nocat", None, &PageRequest::all())
            .await,
        Err(Error::NotFound {
            entity: Entity::Catalog,
            ..
        })
    ));
    assert!(matches!(
        store
            .get_namespace(TenantId::generate(), "cat", &ns(&["sales"]))
            .await,
        Err(Error::NotFound {
            entity: Entity::Catalog,
            ..
        })
    ));
    store
        .drop_namespace(t, "cat", &ns(&["sales"]))
        .await
        .unwrap();
    assert!(matches!(
        store.drop_namespace(t, "cat", &ns(&["sales"])).await,
        Err(Error::NotFound {
            entity: Entity::Namespace,
            ..
        })
    ));
}

/// Nested namespaces need their parent; listing returns direct children only.
pub async fn namespace_hierarchy(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    assert!(matches!(
        store
            .create_namespace(t, "cat", &new_namespace(ns(&["a", "b"])))
            .await,
        Err(Error::NotFound {
            entity: Entity::Namespace,
            ..
        })
    ));
    create_namespaces(&store, t, &["a", "b", "c"]).await;
    create_namespaces(&store, t, &["a", "x"]).await;
    create_namespaces(&store, t, &["z"]).await;

    let names = |page: pangolin_core::Page<pangolin_core::Namespace>| {
        page.items
            .into_iter()
            .map(|n| n.ident.levels().to_vec())
            .collect::<Vec<_>>()
    };
    let top = store
        .list_namespaces(t, "cat", None, &PageRequest::all())
        .await
        .unwrap();
    assert_eq!(names(top), [vec!["a"], vec!["z"]]);
    let under_a = store
        .list_namespaces(t, "cat", Some(&ns(&["a"])), &PageRequest::all())
        .await
        .unwrap();
    assert_eq!(names(under_a), [vec!["a", "b"], vec!["a", "x"]]);
    let under_ab = store
        .list_namespaces(t, "cat", Some(&ns(&["a", "b"])), &PageRequest::all())
        .await
        .unwrap();
    assert_eq!(names(under_ab), [vec!["a", "b", "c"]]);
    let leaf = store
        .list_namespaces(t, "cat", Some(&ns(&["a", "b", "c"])), &PageRequest::all())
        .await
        .unwrap();
    assert!(leaf.items.is_empty());
    assert!(matches!(
        store
            .list_namespaces(t, "cat", Some(&ns(&["missing"])), &PageRequest::all())
            .await,
        Err(Error::NotFound {
            entity: Entity::Namespace,
            ..
        })
    ));
}

/// A namespace with child namespaces or tabulars cannot be dropped.
pub async fn namespace_not_empty(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    create_namespaces(&store, t, &["a", "b"]).await;
    assert!(matches!(
        store.drop_namespace(t, "cat", &ns(&["a"])).await,
        Err(Error::NotEmpty {
            entity: Entity::Namespace,
            ..
        })
    ));
    create_table(&store, t, &["a", "b"], "t").await;
    assert!(matches!(
        store.drop_namespace(t, "cat", &ns(&["a", "b"])).await,
        Err(Error::NotEmpty {
            entity: Entity::Namespace,
            ..
        })
    ));
    store
        .drop_tabular(
            t,
            "cat",
            pangolin_core::TabularKind::Table,
            &ident(&["a", "b"], "t"),
        )
        .await
        .unwrap();
    store
        .drop_namespace(t, "cat", &ns(&["a", "b"]))
        .await
        .unwrap();
    store.drop_namespace(t, "cat", &ns(&["a"])).await.unwrap();
}

/// Property updates set and remove in one step; concurrent updates of different keys are not lost.
pub async fn namespace_properties_update_is_atomic(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    let mut new = new_namespace(ns(&["n"]));
    new.properties = BTreeMap::from([("a".into(), "1".into()), ("b".into(), "2".into())]);
    store.create_namespace(t, "cat", &new).await.unwrap();
    let (before, updated) = store
        .update_namespace_properties(
            t,
            "cat",
            &ns(&["n"]),
            &BTreeMap::from([("c".into(), "3".into()), ("a".into(), "9".into())]),
            &["b".into(), "absent".into()],
        )
        .await
        .unwrap();
    assert_eq!(before, new.properties);
    assert_eq!(
        updated.properties,
        BTreeMap::from([("a".into(), "9".into()), ("c".into(), "3".into())])
    );

    let writers = (0..16).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .update_namespace_properties(
                    t,
                    "cat",
                    &ns(&["n"]),
                    &BTreeMap::from([(format!("k{i}"), i.to_string())]),
                    &[],
                )
                .await
                .unwrap();
        })
    });
    for writer in writers.collect::<Vec<_>>() {
        writer.await.unwrap();
    }
    let props = store
        .get_namespace(t, "cat", &ns(&["n"]))
        .await
        .unwrap()
        .properties;
    for i in 0..16 {
        assert_eq!(
            props[&format!("k{i}")],
            i.to_string(),
            "update k{i} was lost"
        );
    }
    assert!(matches!(
        store
            .update_namespace_properties(t, "cat", &ns(&["zz"]), &BTreeMap::new(), &[])
            .await,
        Err(Error::NotFound {
            entity: Entity::Namespace,
            ..
        })
    ));
}

/// Keyset pagination: stable order, token round trip, a last page without a token, and no
/// duplicates or gaps when items are added between pages.
pub async fn namespace_pagination(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    for name in ["e", "b", "d", "a", "c"] {
        create_namespaces(&store, t, &[name]).await;
    }
    let first = store
        .list_namespaces(t, "cat", None, &PageRequest::first(2))
        .await
        .unwrap();
    let level = |p: &pangolin_core::Page<pangolin_core::Namespace>| {
        p.items
            .iter()
            .map(|n| n.ident.name().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(level(&first), ["a", "b"]);
    // Inserted before the cursor: must not appear later; after it: must appear.
    create_namespaces(&store, t, &["aa"]).await;
    create_namespaces(&store, t, &["f"]).await;
    let token = first.next.expect("more pages");
    let second = store
        .list_namespaces(
            t,
            "cat",
            None,
            &PageRequest::from_client(Some(token.as_str()), Some(2)).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(level(&second), ["c", "d"]);
    let third = store
        .list_namespaces(
            t,
            "cat",
            None,
            &PageRequest::from_client(Some(second.next.unwrap().as_str()), Some(2)).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(level(&third), ["e", "f"]);
    assert!(third.next.is_none(), "the last page has no next token");

    let exact = store
        .list_namespaces(t, "cat", None, &PageRequest::first(7))
        .await
        .unwrap();
    assert_eq!(exact.items.len(), 7);
    assert!(exact.next.is_none(), "a full last page has no next token");
}
