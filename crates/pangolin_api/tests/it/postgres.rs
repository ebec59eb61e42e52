//! Production deployment on PostgreSQL: several instances on one database, database outages,
//! migrations. These run whatever `PANGOLIN_TEST_STORE` says, against PostgreSQL databases from
//! `pangolin_store::testing` (a throwaway cluster unless `PANGOLIN_TEST_POSTGRES_URL` is set).

use std::collections::{BTreeSet, HashMap};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::{Int64Array, RecordBatch};
use futures::TryStreamExt;
use iceberg::arrow::schema_to_arrow_schema;
use iceberg::io::LocalFsStorageFactory;
use iceberg::spec::{DataFileFormat, NestedField, PrimitiveType, Schema, Type};
use iceberg::transaction::{ApplyTransactionAction, Transaction};
use iceberg::writer::base_writer::data_file_writer::DataFileWriterBuilder;
use iceberg::writer::file_writer::ParquetWriterBuilder;
use iceberg::writer::file_writer::location_generator::{
    DefaultFileNameGenerator, DefaultLocationGenerator,
};
use iceberg::writer::file_writer::rolling_writer::RollingFileWriterBuilder;
use iceberg::writer::{IcebergWriter, IcebergWriterBuilder};
use iceberg::{Catalog, CatalogBuilder, NamespaceIdent, TableCreation, TableIdent};
use iceberg_catalog_rest::{
    REST_CATALOG_PROP_URI, REST_CATALOG_PROP_WAREHOUSE, RestCatalog, RestCatalogBuilder,
};
use pangolin_store::testing::{PostgresCluster, create_database, postgres_database};

use crate::server::{BIN, ENCRYPTION_KEY, Server};

const WRITERS: i64 = 16;
const APPENDS: i64 = 50;

async fn rest_catalog(uri: &str, token: &str) -> RestCatalog {
    RestCatalogBuilder::default()
        .with_storage_factory(Arc::new(LocalFsStorageFactory))
        .load(
            "pangolin",
            HashMap::from([
                (REST_CATALOG_PROP_URI.to_owned(), uri.to_owned()),
                (REST_CATALOG_PROP_WAREHOUSE.to_owned(), "default".to_owned()),
                ("token".to_owned(), token.to_owned()),
            ]),
        )
        .await
        .unwrap()
}

/// Appends one row `(writer, seq)` as its own snapshot. The data file is written once; after a 409
/// the append is re-applied on freshly loaded metadata after a random pause. The pause bound
/// (`backoff_ms`, kept across appends) doubles on each conflict and halves on each success, so the
/// writers spread out instead of retrying in lockstep.
async fn append(
    catalog: &RestCatalog,
    ident: &TableIdent,
    writer: i64,
    seq: i64,
    backoff_ms: &mut u64,
) -> u32 {
    let table = catalog.load_table(ident).await.unwrap();
    let arrow_schema = Arc::new(schema_to_arrow_schema(table.metadata().current_schema()).unwrap());
    let batch = RecordBatch::try_new(
        arrow_schema,
        vec![
            Arc::new(Int64Array::from(vec![writer])),
            Arc::new(Int64Array::from(vec![seq])),
        ],
    )
    .unwrap();
    let rolling = RollingFileWriterBuilder::new_with_default_file_size(
        ParquetWriterBuilder::new(
            parquet::file::properties::WriterProperties::default(),
            table.metadata().current_schema().clone(),
        ),
        table.file_io().clone(),
        DefaultLocationGenerator::new(table.metadata()).unwrap(),
        DefaultFileNameGenerator::new(format!("w{writer}-s{seq}"), None, DataFileFormat::Parquet),
    );
    let mut data_writer = DataFileWriterBuilder::new(rolling)
        .build(None)
        .await
        .unwrap();
    data_writer.write(batch).await.unwrap();
    let data_files = data_writer.close().await.unwrap();
    let mut table = table;
    let mut conflicts = 0;
    loop {
        let tx = Transaction::new(&table);
        // Data file names are unique per (writer, seq): skip the client-side duplicate check,
        // which reads every manifest of the table on each attempt.
        let tx = tx
            .fast_append()
            .with_check_duplicate(false)
            .add_data_files(data_files.clone())
            .apply(tx)
            .unwrap();
        match tx.commit(catalog).await {
            Ok(_) => {
                *backoff_ms = (*backoff_ms / 2).max(2);
                return conflicts;
            }
            Err(e) if e.kind() == iceberg::ErrorKind::CatalogCommitConflicts => {
                conflicts += 1;
                *backoff_ms = (*backoff_ms * 2).min(2_000);
                let pause = rand::random_range(0..=*backoff_ms);
                tokio::time::sleep(Duration::from_millis(pause)).await;
                table = catalog.load_table(ident).await.unwrap();
            }
            Err(e) => panic!("writer {writer} append {seq}: {e}"),
        }
    }
}

/// Two server processes on one PostgreSQL database; 16 writers (8 per instance) append to the
/// same table 50 times each. Nothing acknowledged is lost: exactly 800 append snapshots, every row
/// readable through either instance.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_sixteen_writers_lose_nothing() {
    let database = postgres_database().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let (a, b) = tokio::task::spawn_blocking(move || {
        let env = [
            ("PANGOLIN_DATABASE_URL", database.as_str()),
            ("PANGOLIN_ENCRYPTION_KEY", ENCRYPTION_KEY),
        ];
        let a = Server::start(&path, &[], &env);
        let b = Server::start(&path, &[], &env);
        (a, b)
    })
    .await
    .unwrap();

    let setup = rest_catalog(&a.url, &a.token).await;
    let namespace = NamespaceIdent::new("multi".into());
    setup
        .create_namespace(&namespace, HashMap::new())
        .await
        .unwrap();
    let schema = Schema::builder()
        .with_fields(vec![
            NestedField::required(1, "writer", Type::Primitive(PrimitiveType::Long)).into(),
            NestedField::required(2, "seq", Type::Primitive(PrimitiveType::Long)).into(),
        ])
        .build()
        .unwrap();
    // The writers retry 409s themselves (see `append`), not inside iceberg-rust's transaction.
    let retries = HashMap::from([("commit.retry.num-retries".to_owned(), "0".to_owned())]);
    let creation = TableCreation::builder()
        .name("events".into())
        .schema(schema)
        .properties(retries)
        .build();
    setup.create_table(&namespace, creation).await.unwrap();
    let ident = TableIdent::new(namespace, "events".into());

    let started = Instant::now();
    let writers = (0..WRITERS).map(|writer| {
        let uri = if writer % 2 == 0 {
            a.url.clone()
        } else {
            b.url.clone()
        };
        let ident = ident.clone();
        let token = a.token.clone();
        tokio::spawn(async move {
            let catalog = rest_catalog(&uri, &token).await;
            let (mut conflicts, mut backoff_ms) = (0, 2);
            for seq in 0..APPENDS {
                conflicts += append(&catalog, &ident, writer, seq, &mut backoff_ms).await;
            }
            conflicts
        })
    });
    let mut conflicts = 0;
    for writer in writers.collect::<Vec<_>>() {
        conflicts += writer.await.unwrap();
    }
    let elapsed = started.elapsed();

    let table = rest_catalog(&b.url, &b.token)
        .await
        .load_table(&ident)
        .await
        .unwrap();
    let snapshots: Vec<_> = table.metadata().snapshots().collect();
    assert_eq!(snapshots.len() as i64, WRITERS * APPENDS);
    assert!(
        snapshots
            .iter()
            .all(|s| s.summary().operation == iceberg::spec::Operation::Append)
    );
    let batches: Vec<RecordBatch> = table
        .scan()
        .select_all()
        .build()
        .unwrap()
        .to_arrow()
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let mut rows = Vec::new();
    for batch in &batches {
        let writers = batch
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        let seqs = batch
            .column(1)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        rows.extend((0..batch.num_rows()).map(|i| (writers.value(i), seqs.value(i))));
    }
    let distinct: BTreeSet<_> = rows.iter().copied().collect();
    let expected: BTreeSet<_> = (0..WRITERS)
        .flat_map(|w| (0..APPENDS).map(move |s| (w, s)))
        .collect();
    assert_eq!(rows.len(), distinct.len(), "no row appears twice");
    assert_eq!(distinct, expected, "every acknowledged append is readable");
    eprintln!(
        "800 appends by 16 writers on two instances in {elapsed:?}, {conflicts} retried 409s"
    );
    tokio::task::spawn_blocking(move || {
        a.stop();
        b.stop();
    })
    .await
    .unwrap();
}

/// The database goes away while the server runs: requests answer 503 with Retry-After (never
/// 500), and the server recovers on its own when the database is back.
#[test]
fn a_database_outage_is_a_503_and_the_server_recovers() {
    let cluster = PostgresCluster::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let database = runtime.block_on(create_database(cluster.url()));
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &["--database-acquire-timeout", "2"],
        &[
            ("PANGOLIN_DATABASE_URL", &database),
            ("PANGOLIN_ENCRYPTION_KEY", ENCRYPTION_KEY),
        ],
    );
    let namespace = serde_json::json!({"namespace": ["before"]});
    assert_eq!(
        server
            .post("/v1/default/namespaces", &namespace)
            .unwrap()
            .status(),
        200
    );

    cluster.kill();
    for path in [
        "/v1/default/namespaces",
        "/health/ready",
        "/v1/default/namespaces/before",
    ] {
        let response = server.get(path).unwrap();
        assert_eq!(response.status(), 503, "{path} during the outage");
        assert!(response.headers().contains_key("retry-after"));
        let body: serde_json::Value = response.json().unwrap();
        assert_eq!(body["error"]["type"], "ServiceUnavailableException");
    }
    let write = server
        .post(
            "/v1/default/namespaces",
            &serde_json::json!({"namespace": ["during"]}),
        )
        .unwrap();
    assert_eq!(write.status(), 503);

    cluster.resume();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = server
            .get("/v1/default/namespaces/before")
            .unwrap()
            .status();
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "not recovered: {status}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let after = serde_json::json!({"namespace": ["after"]});
    assert_eq!(
        server
            .post("/v1/default/namespaces", &after)
            .unwrap()
            .status(),
        200
    );
    server.stop();
}

/// `migrate` on an empty database, then `serve --no-migrate`; migrating again is a no-op.
#[test]
fn migrate_an_empty_database_then_serve() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let database = runtime.block_on(postgres_database());
    for _ in 0..2 {
        let status = Command::new(BIN)
            .arg("migrate")
            .env("PANGOLIN_DATABASE_URL", &database)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    }
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &["--no-migrate"],
        &[
            ("PANGOLIN_DATABASE_URL", &database),
            ("PANGOLIN_ENCRYPTION_KEY", ENCRYPTION_KEY),
        ],
    );
    assert_eq!(
        server.get("/v1/config?warehouse=default").unwrap().status(),
        200
    );
    server.stop();
}
