//! Cases for tables and views: creation, loading, the metadata-pointer CAS, multi-table commits,
//! renames, drops, names and metrics reports.

use std::sync::Arc;

use pangolin_core::{
    CommitOp, Entity, Error, MetricsReport, MetricsReportId, PageRequest, TabularKind,
};

use super::fixtures::*;
use crate::CatalogStore;

/// A created table loads back with its metadata; unknown names and catalogs are `NotFound`.
pub async fn tabular_create_and_load(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    create_namespaces(&store, t, &["db"]).await;
    let table = create_table(&store, t, &["db"], "events").await;
    assert_eq!(table.ident, ident(&["db"], "events"));
    assert_eq!(table.kind, TabularKind::Table);
    assert_eq!(table.metadata_location, "file:///m/events/v0");
    assert_eq!(table.metadata, r#"{"location":"file:///m/events/v0"}"#);
    assert_eq!(table.tenant_id, t);

    assert!(matches!(
        store
            .load_tabular(t, "cat", TabularKind::Table, &ident(&["db"], "nope"))
            .await,
        Err(Error::NotFound {
            entity: Entity::Table,
            ..
        })
    ));
    assert!(matches!(
        store
            .load_tabular(t, "cat", TabularKind::Table, &ident(&["nons"], "events"))
            .await,
        Err(Error::NotFound {
            entity: Entity::Table,
            ..
        })
    ));
    assert!(matches!(
        store
            .load_tabular(t, "nocat", TabularKind::Table, &ident(&["db"], "events"))
            .await,
        Err(Error::NotFound {
            entity: Entity::Catalog,
            ..
        })
    ));
    assert!(matches!(
        store
            .list_tabulars(
                t,
                "cat",
                &ns(&["nons"]),
                TabularKind::Table,
                &PageRequest::all()
            )
            .await,
        Err(Error::NotFound {
            entity: Entity::Namespace,
            ..
        })
    ));
}

/// Tables and views share names: one name cannot be both, and each kind loads and lists alone.
pub async fn tables_and_views_share_identifiers(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    create_namespaces(&store, t, &["db"]).await;
    create_table(&store, t, &["db"], "t").await;
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

    assert!(matches!(
        store
            .commit(
                t,
                "cat",
                &[create_op(
                    ident(&["db"], "t"),
                    TabularKind::View,
                    "file:///x"
                )]
            )
            .await,
        Err(Error::AlreadyExists {
            entity: Entity::Table,
            ..
        })
    ));
    assert!(matches!(
        store
            .commit(
                t,
                "cat",
                &[create_op(
                    ident(&["db"], "v"),
                    TabularKind::Table,
                    "file:///x"
                )]
            )
            .await,
        Err(Error::AlreadyExists {
            entity: Entity::View,
            ..
        })
    ));
    assert!(matches!(
        store
            .load_tabular(t, "cat", TabularKind::View, &ident(&["db"], "t"))
            .await,
        Err(Error::NotFound {
            entity: Entity::View,
            ..
        })
    ));
    assert!(matches!(
        store
            .load_tabular(t, "cat", TabularKind::Table, &ident(&["db"], "v"))
            .await,
        Err(Error::NotFound {
            entity: Entity::Table,
            ..
        })
    ));
    let list = |kind| {
        let store = store.clone();
        async move {
            store
                .list_tabulars(t, "cat", &ns(&["db"]), kind, &PageRequest::all())
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|i| i.name)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(TabularKind::Table).await, ["t"]);
    assert_eq!(list(TabularKind::View).await, ["v"]);
    assert!(matches!(
        store
            .drop_tabular(t, "cat", TabularKind::Table, &ident(&["db"], "v"))
            .await,
        Err(Error::NotFound {
            entity: Entity::Table,
            ..
        })
    ));
    assert!(matches!(
        store
            .rename_tabular(
                t,
                "cat",
                TabularKind::View,
                &ident(&["db"], "v"),
                &ident(&["db"], "t")
            )
            .await,
        Err(Error::AlreadyExists {
            entity: Entity::Table,
            ..
        })
    ));
}

/// Table listings paginate by name.
pub async fn tabular_pagination(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    create_namespaces(&store, t, &["db"]).await;
    for i in (0..7).rev() {
        create_table(&store, t, &["db"], &format!("t{i}")).await;
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = Some(String::new());
    let mut pages = 0;
    while let Some(current) = token {
        let page = store
            .list_tabulars(
                t,
                "cat",
                &ns(&["db"]),
                TabularKind::Table,
                &PageRequest::from_client(Some(&current), Some(3)).unwrap(),
            )
            .await
            .unwrap();
        pages += 1;
        seen.extend(page.items.into_iter().map(|i| i.name));
        token = page.next.map(|n| n.into_string());
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ["t0", "t1", "t2", "t3", "t4", "t5", "t6"]);
}

/// The pointer moves only from the expected location.
pub async fn pointer_swap(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    create_namespaces(&store, t, &["db"]).await;
    let table = create_table(&store, t, &["db"], "t").await;
    let id = ident(&["db"], "t");
    store
        .commit(
            t,
            "cat",
            &[swap_op(
                table.id,
                id.clone(),
                TabularKind::Table,
                "file:///m/t/v0",
                "file:///m/t/v1",
            )],
        )
        .await
        .unwrap();
    let loaded = store
        .load_tabular(t, "cat", TabularKind::Table, &id)
        .await
        .unwrap();
    assert_eq!(loaded.metadata_location, "file:///m/t/v1");
    assert_eq!(loaded.metadata, r#"{"location":"file:///m/t/v1"}"#);
    assert_eq!(loaded.id, table.id);

    assert!(matches!(
        store
            .commit(
                t,
                "cat",
                &[swap_op(
                    table.id,
                    id.clone(),
                    TabularKind::Table,
                    "file:///m/t/v0",
                    "file:///m/t/v2"
                )],
            )
            .await,
        Err(Error::Conflict { .. })
    ));
    assert!(matches!(
        store
            .commit(
                t,
                "cat",
                &[swap_op(
                    table.id,
                    id.clone(),
                    TabularKind::View,
                    "file:///m/t/v1",
                    "file:///m/t/v2"
                )],
            )
            .await,
        Err(Error::NotFound {
            entity: Entity::View,
            ..
        })
    ));
    assert_eq!(
        store
            .load_tabular(t, "cat", TabularKind::Table, &id)
            .await
            .unwrap()
            .metadata_location,
        "file:///m/t/v1"
    );
}

/// Racing commits from the same base: exactly one wins, the others conflict.
pub async fn racing_swaps_exactly_one_wins(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    create_namespaces(&store, t, &["db"]).await;
    let table = create_table(&store, t, &["db"], "t").await;
    let racers = (0..8).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .commit(
                    t,
                    "cat",
                    &[swap_op(
                        table.id,
                        ident(&["db"], "t"),
                        TabularKind::Table,
                        "file:///m/t/v0",
                        &format!("file:///m/t/racer{i}"),
                    )],
                )
                .await
        })
    });
    let mut wins = 0;
    for racer in racers.collect::<Vec<_>>() {
        match racer.await.unwrap() {
            Ok(()) => wins += 1,
            Err(Error::Conflict { .. }) => {}
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!(wins, 1, "exactly one racing commit must win");
}

/// A multi-table commit moves every pointer or none.
pub async fn multi_table_commit_is_all_or_nothing(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    create_namespaces(&store, t, &["db"]).await;
    let a = create_table(&store, t, &["db"], "a").await;
    let b = create_table(&store, t, &["db"], "b").await;
    let ops = [
        swap_op(
            a.id,
            a.ident.clone(),
            TabularKind::Table,
            "file:///m/a/v0",
            "file:///m/a/v1",
        ),
        swap_op(
            b.id,
            b.ident.clone(),
            TabularKind::Table,
            "file:///stale",
            "file:///m/b/v1",
        ),
    ];
    assert!(matches!(
        store.commit(t, "cat", &ops).await,
        Err(Error::Conflict { .. })
    ));
    let load = |ident| {
        let store = store.clone();
        async move {
            store
                .load_tabular(t, "cat", TabularKind::Table, &ident)
                .await
                .unwrap()
                .metadata_location
        }
    };
    assert_eq!(
        load(a.ident.clone()).await,
        "file:///m/a/v0",
        "no partial commit"
    );
    assert_eq!(load(b.ident.clone()).await, "file:///m/b/v0");

    // A create that fails rolls back the swaps before it, too.
    let ops = [
        swap_op(
            a.id,
            a.ident.clone(),
            TabularKind::Table,
            "file:///m/a/v0",
            "file:///m/a/v1",
        ),
        create_op(ident(&["db"], "b"), TabularKind::Table, "file:///dup"),
    ];
    assert!(matches!(
        store.commit(t, "cat", &ops).await,
        Err(Error::AlreadyExists { .. })
    ));
    assert_eq!(load(a.ident.clone()).await, "file:///m/a/v0");

    let ops = [
        swap_op(
            a.id,
            a.ident.clone(),
            TabularKind::Table,
            "file:///m/a/v0",
            "file:///m/a/v1",
        ),
        swap_op(
            b.id,
            b.ident.clone(),
            TabularKind::Table,
            "file:///m/b/v0",
            "file:///m/b/v1",
        ),
        create_op(ident(&["db"], "c"), TabularKind::Table, "file:///m/c/v0"),
    ];
    store.commit(t, "cat", &ops).await.unwrap();
    assert_eq!(load(a.ident.clone()).await, "file:///m/a/v1");
    assert_eq!(load(b.ident.clone()).await, "file:///m/b/v1");
    assert_eq!(load(ident(&["db"], "c")).await, "file:///m/c/v0");
}

/// Creates fail cleanly: missing namespace, taken name, the same target twice, unknown catalog.
pub async fn commit_create_failures(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    create_namespaces(&store, t, &["db"]).await;
    assert!(matches!(
        store
            .commit(
                t,
                "cat",
                &[create_op(
                    ident(&["nons"], "x"),
                    TabularKind::Table,
                    "file:///x"
                )]
            )
            .await,
        Err(Error::NotFound {
            entity: Entity::Namespace,
            ..
        })
    ));
    let twice: Vec<CommitOp> = (0..2)
        .map(|_| create_op(ident(&["db"], "x"), TabularKind::Table, "file:///x"))
        .collect();
    assert!(matches!(
        store.commit(t, "cat", &twice).await,
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        store
            .commit(
                t,
                "nocat",
                &[create_op(
                    ident(&["db"], "x"),
                    TabularKind::Table,
                    "file:///x"
                )]
            )
            .await,
        Err(Error::NotFound {
            entity: Entity::Catalog,
            ..
        })
    ));
    assert!(
        store
            .list_tabulars(
                t,
                "cat",
                &ns(&["db"]),
                TabularKind::Table,
                &PageRequest::all()
            )
            .await
            .unwrap()
            .items
            .is_empty(),
        "failed creates leave nothing behind"
    );
}

/// Renames keep the id and metadata, may move across namespaces, and fail cleanly.
pub async fn rename_across_namespaces(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    create_namespaces(&store, t, &["src"]).await;
    create_namespaces(&store, t, &["dst", "deep"]).await;
    let table = create_table(&store, t, &["src"], "t").await;
    create_table(&store, t, &["dst", "deep"], "taken").await;

    let to = ident(&["dst", "deep"], "moved");
    store
        .rename_tabular(t, "cat", TabularKind::Table, &table.ident, &to)
        .await
        .unwrap();
    let moved = store
        .load_tabular(t, "cat", TabularKind::Table, &to)
        .await
        .unwrap();
    assert_eq!(moved.id, table.id);
    assert_eq!(moved.metadata_location, table.metadata_location);
    assert_eq!(moved.ident, to);
    assert!(matches!(
        store
            .load_tabular(t, "cat", TabularKind::Table, &table.ident)
            .await,
        Err(Error::NotFound { .. })
    ));
    let listed = store
        .list_tabulars(
            t,
            "cat",
            &ns(&["dst", "deep"]),
            TabularKind::Table,
            &PageRequest::all(),
        )
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 2);
    // The moved table can still be committed to by id.
    store
        .commit(
            t,
            "cat",
            &[swap_op(
                moved.id,
                to.clone(),
                TabularKind::Table,
                &moved.metadata_location,
                "file:///m/v9",
            )],
        )
        .await
        .unwrap();

    assert!(matches!(
        store
            .rename_tabular(
                t,
                "cat",
                TabularKind::Table,
                &table.ident,
                &ident(&["src"], "x")
            )
            .await,
        Err(Error::NotFound {
            entity: Entity::Table,
            ..
        })
    ));
    assert!(matches!(
        store
            .rename_tabular(t, "cat", TabularKind::Table, &to, &ident(&["nons"], "x"))
            .await,
        Err(Error::NotFound {
            entity: Entity::Namespace,
            ..
        })
    ));
    assert!(matches!(
        store
            .rename_tabular(
                t,
                "cat",
                TabularKind::Table,
                &to,
                &ident(&["dst", "deep"], "taken")
            )
            .await,
        Err(Error::AlreadyExists {
            entity: Entity::Table,
            ..
        })
    ));
    assert!(
        store
            .load_tabular(t, "cat", TabularKind::Table, &to)
            .await
            .is_ok(),
        "a failed rename changes nothing"
    );
}

/// Dropping returns the record, removes the name, and the name can be reused.
pub async fn drop_tabular(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    create_namespaces(&store, t, &["db"]).await;
    let table = create_table(&store, t, &["db"], "t").await;
    let dropped = store
        .drop_tabular(t, "cat", TabularKind::Table, &table.ident)
        .await
        .unwrap();
    assert_eq!(dropped, table);
    assert!(matches!(
        store
            .drop_tabular(t, "cat", TabularKind::Table, &table.ident)
            .await,
        Err(Error::NotFound {
            entity: Entity::Table,
            ..
        })
    ));
    assert!(matches!(
        store
            .commit(
                t,
                "cat",
                &[swap_op(
                    table.id,
                    table.ident.clone(),
                    TabularKind::Table,
                    "file:///m/t/v0",
                    "file:///m/t/v1"
                )],
            )
            .await,
        Err(Error::NotFound {
            entity: Entity::Table,
            ..
        })
    ));
    let again = create_table(&store, t, &["db"], "t").await;
    assert_ne!(again.id, table.id);
}

/// Names with Unicode, dots, spaces, slashes, `+` and `%` round-trip and sort bytewise.
pub async fn unicode_and_punctuation_names(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    let levels = ["ünïcødé", "a.b c/d+e%f"];
    create_namespaces(&store, t, &levels).await;
    let names = ["表", "z", "A b", "a.b", "x/y", "p+q", "100%", "émoji 🦔"];
    for name in names {
        create_table(&store, t, &levels, name).await;
    }
    let listed: Vec<String> = store
        .list_tabulars(
            t,
            "cat",
            &ns(&levels),
            TabularKind::Table,
            &PageRequest::all(),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|i| i.name)
        .collect();
    let mut expected: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(listed, expected);
    let loaded = store
        .load_tabular(t, "cat", TabularKind::Table, &ident(&levels, "émoji 🦔"))
        .await
        .unwrap();
    assert_eq!(loaded.ident.namespace.levels(), levels);
    let children = store
        .list_namespaces(t, "cat", Some(&ns(&levels[..1])), &PageRequest::all())
        .await
        .unwrap();
    assert_eq!(children.items[0].ident, ns(&levels));
}

/// Metrics reports are stored per table, paginate oldest first and go away with the table.
pub async fn metrics_reports(store: Arc<dyn CatalogStore>) {
    let t = setup(&store, "acme").await;
    create_namespaces(&store, t, &["db"]).await;
    let table = create_table(&store, t, &["db"], "t").await;
    let other = create_table(&store, t, &["db"], "other").await;
    let report = |tabular_id, n: i64| MetricsReport {
        id: MetricsReportId::generate(),
        tenant_id: t,
        tabular_id,
        report_type: "scan-report".into(),
        report: format!(r#"{{"n":{n}}}"#),
        received_at: n,
    };
    let mut ids = Vec::new();
    for n in 0..5 {
        let r = report(table.id, n);
        ids.push(r.id);
        store.insert_metrics_report(&r).await.unwrap();
    }
    store
        .insert_metrics_report(&report(other.id, 99))
        .await
        .unwrap();
    let first = store
        .list_metrics_reports(t, table.id, &PageRequest::first(3))
        .await
        .unwrap();
    assert_eq!(
        first.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        ids[..3]
    );
    assert_eq!(first.items[0].report, r#"{"n":0}"#);
    let rest = store
        .list_metrics_reports(
            t,
            table.id,
            &PageRequest::from_client(Some(first.next.unwrap().as_str()), Some(3)).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        rest.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        ids[3..]
    );
    assert!(rest.next.is_none());

    store
        .drop_tabular(t, "cat", TabularKind::Table, &table.ident)
        .await
        .unwrap();
    assert!(
        store
            .list_metrics_reports(t, table.id, &PageRequest::all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(matches!(
        store.insert_metrics_report(&report(table.id, 7)).await,
        Err(Error::NotFound {
            entity: Entity::Table,
            ..
        })
    ));
    assert_eq!(
        store
            .list_metrics_reports(t, other.id, &PageRequest::all())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
}
