use std::sync::Arc;

use pangolin_store::conformance::Subject;
use pangolin_store::secrets::EncryptionKey;
use pangolin_store::sql::{SqlOptions, SqlStore};

/// A fresh store on a real SQLite file in a temporary directory.
async fn subject() -> Subject {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("pangolin.db").display());
    let store = SqlStore::connect(&url, &SqlOptions::default(), &EncryptionKey::generate())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    Subject {
        store: Arc::new(store),
        guard: Box::new(dir),
    }
}

pangolin_store::conformance_suite!(subject);

#[tokio::test]
async fn migrating_twice_is_a_no_op() {
    let subject = subject().await;
    let dir = subject.guard.downcast_ref::<tempfile::TempDir>().unwrap();
    let url = format!("sqlite://{}", dir.path().join("pangolin.db").display());
    let again = SqlStore::connect(&url, &SqlOptions::default(), &EncryptionKey::generate())
        .await
        .unwrap();
    again.migrate().await.unwrap();
    again.migrate().await.unwrap();
}

#[tokio::test]
async fn in_memory_sqlite_is_refused() {
    // Each pooled connection would open its own, separate in-memory database.
    for url in ["sqlite::memory:", "sqlite://:memory:"] {
        let err = SqlStore::connect(url, &SqlOptions::default(), &EncryptionKey::generate())
            .await
            .err()
            .unwrap_or_else(|| panic!("{url} was accepted"));
        assert!(
            matches!(err, pangolin_core::Error::InvalidInput { .. }),
            "{url}: {err:?}"
        );
    }
}
