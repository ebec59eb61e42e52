//! Cases for the audit log: appending, reading by id, listing newest first with filters and keyset
//! pagination, counting, tenant scoping and retention.

use std::sync::Arc;

use pangolin_core::{AuditEvent, AuditEventId, AuditFilter, AuditResult, Entity, TenantId, UserId};

use super::fixtures::*;
use crate::CatalogStore;

/// The ids `list_audit_events` must return for `expected`: newest (largest id) first.
fn newest_first(expected: &[&AuditEvent]) -> Vec<String> {
    sorted_ids(&id_strings(expected, |e| e.id), true)
}

/// Lists every matching event in one page and counts them; both must agree with `expected`.
async fn assert_listed(
    store: &Arc<dyn CatalogStore>,
    tenant: Option<TenantId>,
    filter: &AuditFilter,
    expected: &[&AuditEvent],
) {
    let page = store
        .list_audit_events(tenant, filter, &pangolin_core::PageRequest::all())
        .await
        .unwrap();
    assert!(page.next.is_none());
    assert_eq!(
        id_strings(&page.items, |e| e.id),
        newest_first(expected),
        "listing {tenant:?} {filter:?}"
    );
    for event in &page.items {
        assert!(
            expected.contains(&event),
            "{event:?} does not round-trip unchanged"
        );
    }
    assert_eq!(
        store.count_audit_events(tenant, filter).await.unwrap(),
        expected.len() as u64,
        "counting {tenant:?} {filter:?}"
    );
}

/// Events are appended (in batches), read back unchanged by id, and scoped by tenant: `None` sees
/// every event, including those of no tenant; `Some` only that tenant's.
pub async fn audit_events_by_tenant(store: Arc<dyn CatalogStore>) {
    let a = tenant("a");
    let b = tenant("b");
    store.create_tenant(&a).await.unwrap();
    store.create_tenant(&b).await.unwrap();
    let mut a1 = audit_event(Some(a.id), 100, "table.commit");
    a1.principal_id = Some(UserId::generate());
    a1.result = AuditResult::Failure;
    a1.error = Some("conflict".into());
    let mut a2 = audit_event(Some(a.id), 200, "table.drop");
    a2.resource_type = None;
    a2.resource_id = None;
    a2.resource_name = None;
    a2.principal_name = None;
    a2.ip = None;
    a2.user_agent = None;
    a2.request_id = None;
    let b1 = audit_event(Some(b.id), 150, "namespace.create");
    let nobody = audit_event(None, 120, "user.login");
    store
        .insert_audit_events(&[a1.clone(), b1.clone()])
        .await
        .unwrap();
    store
        .insert_audit_events(&[nobody.clone(), a2.clone()])
        .await
        .unwrap();
    store.insert_audit_events(&[]).await.unwrap();

    let all = AuditFilter::default();
    assert_listed(&store, None, &all, &[&a1, &a2, &b1, &nobody]).await;
    assert_listed(&store, Some(a.id), &all, &[&a1, &a2]).await;
    assert_listed(&store, Some(b.id), &all, &[&b1]).await;
    assert_listed(&store, Some(TenantId::generate()), &all, &[]).await;

    for event in [&a1, &a2, &b1, &nobody] {
        assert_eq!(store.get_audit_event(None, event.id).await.unwrap(), *event);
    }
    assert_eq!(store.get_audit_event(Some(a.id), a1.id).await.unwrap(), a1);
    assert_eq!(store.get_audit_event(Some(b.id), b1.id).await.unwrap(), b1);
    assert_not_found(
        store.get_audit_event(Some(b.id), a1.id).await,
        Entity::AuditEvent,
    );
    assert_not_found(
        store.get_audit_event(Some(a.id), nobody.id).await,
        Entity::AuditEvent,
    );
    assert_not_found(
        store.get_audit_event(None, AuditEventId::generate()).await,
        Entity::AuditEvent,
    );
}

/// Every filter field narrows listings and counts alike: exact matches on principal, action,
/// resource type, id and name and result, `from` inclusive, `to` exclusive, all fields ANDed, within the
/// requested tenant. The order is by id, not by time.
pub async fn audit_filters(store: Arc<dyn CatalogStore>) {
    let a = tenant("a");
    let b = tenant("b");
    store.create_tenant(&a).await.unwrap();
    store.create_tenant(&b).await.unwrap();
    let p1 = UserId::generate();
    let p2 = UserId::generate();
    let event = |tenant: Option<TenantId>,
                 at: i64,
                 principal: Option<UserId>,
                 action: &str,
                 resource: Option<(&str, &str)>,
                 result: AuditResult| {
        let mut e = audit_event(tenant, at, action);
        e.principal_id = principal;
        e.resource_type = resource.map(|(kind, _)| kind.to_owned());
        e.resource_id = resource.map(|(_, id)| id.to_owned());
        e.resource_name = resource.map(|(_, id)| format!("lake/db/{id}"));
        e.result = result;
        e
    };
    let e0 = event(
        Some(a.id),
        100,
        Some(p1),
        "table.commit",
        Some(("table", "t1")),
        AuditResult::Success,
    );
    let e1 = event(
        Some(a.id),
        200,
        Some(p2),
        "table.commit",
        Some(("table", "t2")),
        AuditResult::Failure,
    );
    let e2 = event(
        Some(a.id),
        300,
        Some(p1),
        "namespace.create",
        Some(("namespace", "n1")),
        AuditResult::Success,
    );
    let e3 = event(
        Some(a.id),
        400,
        None,
        "user.login",
        None,
        AuditResult::Denied,
    );
    let e4 = event(
        Some(b.id),
        500,
        Some(p1),
        "table.commit",
        Some(("table", "t1")),
        AuditResult::Success,
    );
    // Recorded last (largest id) although earlier than e3 and e4.
    let e5 = event(None, 300, None, "user.login", None, AuditResult::Denied);
    store
        .insert_audit_events(&[
            e0.clone(),
            e1.clone(),
            e2.clone(),
            e3.clone(),
            e4.clone(),
            e5.clone(),
        ])
        .await
        .unwrap();

    let by_principal = AuditFilter {
        principal_id: Some(p1),
        ..AuditFilter::default()
    };
    assert_listed(&store, None, &by_principal, &[&e0, &e2, &e4]).await;
    assert_listed(&store, Some(a.id), &by_principal, &[&e0, &e2]).await;
    let by_action = AuditFilter {
        action: Some("table.commit".into()),
        ..AuditFilter::default()
    };
    assert_listed(&store, None, &by_action, &[&e0, &e1, &e4]).await;
    let by_type = AuditFilter {
        resource_type: Some("table".into()),
        ..AuditFilter::default()
    };
    assert_listed(&store, None, &by_type, &[&e0, &e1, &e4]).await;
    let by_id = AuditFilter {
        resource_id: Some("t1".into()),
        ..AuditFilter::default()
    };
    assert_listed(&store, None, &by_id, &[&e0, &e4]).await;
    assert_listed(&store, Some(b.id), &by_id, &[&e4]).await;
    let by_name = AuditFilter {
        resource_name: Some("lake/db/n1".into()),
        ..AuditFilter::default()
    };
    assert_listed(&store, None, &by_name, &[&e2]).await;
    let denied = AuditFilter {
        result: Some(AuditResult::Denied),
        ..AuditFilter::default()
    };
    assert_listed(&store, None, &denied, &[&e3, &e5]).await;
    assert_listed(&store, Some(a.id), &denied, &[&e3]).await;
    let since = AuditFilter {
        from: Some(300),
        ..AuditFilter::default()
    };
    assert_listed(&store, None, &since, &[&e2, &e3, &e4, &e5]).await;
    let until = AuditFilter {
        to: Some(300),
        ..AuditFilter::default()
    };
    assert_listed(&store, None, &until, &[&e0, &e1]).await;
    let window = AuditFilter {
        from: Some(200),
        to: Some(400),
        ..AuditFilter::default()
    };
    assert_listed(&store, None, &window, &[&e1, &e2, &e5]).await;
    let combined = AuditFilter {
        principal_id: Some(p1),
        action: Some("table.commit".into()),
        resource_type: Some("table".into()),
        resource_id: Some("t1".into()),
        resource_name: Some("lake/db/t1".into()),
        result: Some(AuditResult::Success),
        from: Some(100),
        to: Some(501),
    };
    assert_listed(&store, None, &combined, &[&e0, &e4]).await;
    assert_listed(&store, Some(a.id), &combined, &[&e0]).await;
    let contradictory = AuditFilter {
        action: Some("table.commit".into()),
        result: Some(AuditResult::Denied),
        ..AuditFilter::default()
    };
    assert_listed(&store, None, &contradictory, &[]).await;
    let unknown = AuditFilter {
        action: Some("table".into()),
        ..AuditFilter::default()
    };
    assert_listed(&store, None, &unknown, &[]).await;
}

/// Listings are newest first and paginate by keyset: each page continues strictly before the
/// last id of the previous one, events recorded meanwhile do not shift later pages, and the last
/// page has no token. Counting ignores pagination.
pub async fn audit_pagination(store: Arc<dyn CatalogStore>) {
    let a = tenant("a");
    let b = tenant("b");
    store.create_tenant(&a).await.unwrap();
    store.create_tenant(&b).await.unwrap();
    let mut events = Vec::new();
    for i in 0..7 {
        let action = if i % 2 == 0 {
            "table.commit"
        } else {
            "table.load"
        };
        events.push(audit_event(Some(a.id), 1_000 + i, action));
    }
    let of_b: Vec<_> = (0..2)
        .map(|i| audit_event(Some(b.id), 1_000 + i, "table.commit"))
        .collect();
    store.insert_audit_events(&events).await.unwrap();
    store.insert_audit_events(&of_b).await.unwrap();

    let all = AuditFilter::default();
    let pages = all_pages(3, |page| {
        let store = store.clone();
        let all = all.clone();
        async move { store.list_audit_events(Some(a.id), &all, &page).await }
    })
    .await;
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        [3, 3, 1],
        "7 events in pages of 3"
    );
    let a_refs: Vec<&AuditEvent> = events.iter().collect();
    assert_eq!(id_strings(&pages.concat(), |e| e.id), newest_first(&a_refs));
    assert_eq!(store.count_audit_events(Some(a.id), &all).await.unwrap(), 7);

    let every = all_pages(4, |page| {
        let store = store.clone();
        let all = all.clone();
        async move { store.list_audit_events(None, &all, &page).await }
    })
    .await;
    assert_eq!(every.len(), 3);
    let mut all_refs = a_refs.clone();
    all_refs.extend(of_b.iter());
    assert_eq!(
        id_strings(&every.concat(), |e| e.id),
        newest_first(&all_refs)
    );
    assert_eq!(store.count_audit_events(None, &all).await.unwrap(), 9);

    let commits = AuditFilter {
        action: Some("table.commit".into()),
        ..AuditFilter::default()
    };
    let pages = all_pages(2, |page| {
        let store = store.clone();
        let commits = commits.clone();
        async move { store.list_audit_events(Some(a.id), &commits, &page).await }
    })
    .await;
    let expected: Vec<&AuditEvent> = events
        .iter()
        .filter(|e| e.action == "table.commit")
        .collect();
    assert_eq!(
        id_strings(&pages.concat(), |e| e.id),
        newest_first(&expected)
    );
    assert_eq!(pages.len(), 2);
    assert_eq!(
        store
            .count_audit_events(Some(a.id), &commits)
            .await
            .unwrap(),
        4
    );

    // A page continues strictly before its cursor, even after newer events were recorded.
    let first = store
        .list_audit_events(Some(a.id), &all, &pangolin_core::PageRequest::first(2))
        .await
        .unwrap();
    let newer = audit_event(Some(a.id), 2_000, "table.commit");
    store
        .insert_audit_events(std::slice::from_ref(&newer))
        .await
        .unwrap();
    let token = first.next.expect("more pages");
    let rest = store
        .list_audit_events(
            Some(a.id),
            &all,
            &pangolin_core::PageRequest::from_client(Some(token.as_str()), Some(100)).unwrap(),
        )
        .await
        .unwrap();
    assert!(rest.next.is_none());
    let mut seen = first.items.clone();
    seen.extend(rest.items);
    assert_eq!(id_strings(&seen, |e| e.id), newest_first(&a_refs));
}

/// Retention removes events recorded before the cutoff, of every tenant and of none, oldest
/// first and at most `limit` at a time; events at or after the cutoff stay.
pub async fn audit_retention(store: Arc<dyn CatalogStore>) {
    let a = tenant("a");
    store.create_tenant(&a).await.unwrap();
    // Recorded out of time order: retention goes by time, not by id.
    let late = audit_event(Some(a.id), 300, "table.commit");
    let old = audit_event(None, 100, "user.login");
    let older = audit_event(Some(a.id), 50, "table.commit");
    let cutoff = audit_event(Some(a.id), 200, "table.drop");
    let middle = audit_event(Some(a.id), 150, "table.drop");
    store
        .insert_audit_events(&[
            late.clone(),
            old.clone(),
            older.clone(),
            cutoff.clone(),
            middle.clone(),
        ])
        .await
        .unwrap();
    let all = AuditFilter::default();

    assert_eq!(store.delete_audit_events_before(200, 2).await.unwrap(), 2);
    assert_listed(&store, None, &all, &[&late, &cutoff, &middle]).await;
    assert_eq!(store.delete_audit_events_before(200, 2).await.unwrap(), 1);
    assert_eq!(store.delete_audit_events_before(200, 2).await.unwrap(), 0);
    assert_listed(&store, None, &all, &[&late, &cutoff]).await;
    assert_not_found(
        store.get_audit_event(None, middle.id).await,
        Entity::AuditEvent,
    );
}
