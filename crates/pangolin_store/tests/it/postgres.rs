//! The conformance suite on PostgreSQL, each case in its own fresh database, plus the checks only
//! a server database needs: migrations and index use.

use std::sync::Arc;

use pangolin_store::conformance::Subject;
use pangolin_store::sql::{SqlOptions, SqlStore};
use pangolin_store::testing::postgres_database;

async fn store(url: &str) -> SqlStore {
    let options = SqlOptions {
        max_connections: 4,
        ..SqlOptions::default()
    };
    SqlStore::connect(url, &options).await.unwrap()
}

async fn subject() -> Subject {
    let store = store(&postgres_database().await).await;
    store.migrate().await.unwrap();
    Subject {
        store: Arc::new(store),
        guard: Box::new(()),
    }
}

pangolin_store::conformance_suite!(subject);

#[tokio::test]
async fn migrating_twice_is_a_no_op() {
    let url = postgres_database().await;
    let first = store(&url).await;
    first.migrate().await.unwrap();
    first.migrate().await.unwrap();
    store(&url).await.migrate().await.unwrap();
}
