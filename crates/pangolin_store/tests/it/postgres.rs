//! The conformance suite on PostgreSQL, each case in its own fresh database, plus the checks only
//! a server database needs: migrations and index use.

use std::sync::Arc;

use pangolin_store::conformance::Subject;
use pangolin_store::secrets::EncryptionKey;
use pangolin_store::sql::{SqlOptions, SqlStore};
use pangolin_store::testing::postgres_database;

async fn store(url: &str) -> SqlStore {
    let options = SqlOptions {
        max_connections: 4,
        ..SqlOptions::default()
    };
    SqlStore::connect(url, &options, &EncryptionKey::generate())
        .await
        .unwrap()
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

/// Every statement the store runs for the whole conformance suite, including the foreign-key
/// checks PostgreSQL runs for it, has an index path: with sequential scans disabled for the
/// database, no table of the schema is ever scanned sequentially.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_statement_uses_an_index() {
    use sqlx::{Connection, Executor};

    for (name, case) in pangolin_store::conformance::all_cases() {
        let url = postgres_database().await;
        let database = url.rsplit('/').next().unwrap().to_owned();
        let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "ALTER DATABASE {database} SET enable_seqscan = off"
            )))
            .await
            .unwrap();
        // Migrations build indexes, which scans the tables: count from after them.
        let migrator = store(&url).await;
        migrator.migrate().await.unwrap();
        migrator.close().await;
        let before = seq_scans(&mut admin).await;
        let store = store(&url).await;
        case(Arc::new(store.clone())).await;
        // Closing the pool ends its sessions, which flushes their statistics.
        store.close().await;
        let after = seq_scans(&mut admin).await;
        let scanned: Vec<&String> = after
            .iter()
            .filter(|(table, scans)| before.get(*table) != Some(scans))
            .map(|(table, _)| table)
            .collect();
        assert!(
            scanned.is_empty(),
            "case {name} scanned {scanned:?} sequentially: a lookup lacks an index"
        );
    }
}

/// Sequential scans per table, read once every other session of the database has ended (a session
/// flushes its statistics when it exits, which may be after the client closed it).
async fn seq_scans(conn: &mut sqlx::PgConnection) -> std::collections::BTreeMap<String, i64> {
    use sqlx::Row;
    for _ in 0..100 {
        let others: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        if others == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    sqlx::query(
        "SELECT relname::text, seq_scan FROM pg_stat_user_tables WHERE relname NOT LIKE '\\_sqlx%'",
    )
    .fetch_all(conn)
    .await
    .unwrap()
    .iter()
    .map(|row| (row.get::<String, _>(0), row.get::<i64, _>(1)))
    .collect()
}

/// The hot path, explained: loading a table is two unique-index lookups.
#[tokio::test]
async fn loading_a_table_is_two_index_lookups() {
    use sqlx::{Connection, Row};

    let url = postgres_database().await;
    store(&url).await.migrate().await.unwrap();
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query("SET enable_seqscan = off")
        .execute(&mut conn)
        .await
        .unwrap();
    let plan: String = sqlx::query(sqlx::AssertSqlSafe(format!(
        "EXPLAIN (FORMAT TEXT) {}",
        pangolin_store::sql::LOAD_TABULAR
    )))
    .bind("t")
    .bind("c")
    .bind("ns")
    .bind("name")
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .iter()
    .map(|row| row.get::<String, _>(0))
    .collect::<Vec<_>>()
    .join("\n");
    assert!(!plan.contains("Seq Scan"), "{plan}");
    assert!(plan.matches("Index").count() >= 2, "{plan}");
}
