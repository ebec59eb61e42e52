//! End to end with iceberg-rust's `RestCatalog` against the server on a real socket (port 0).

use std::collections::HashMap;
use std::sync::Arc;

use iceberg::io::LocalFsStorageFactory;
use iceberg::spec::{NestedField, PrimitiveType, Schema, Type, UnboundPartitionSpec};
use iceberg::transaction::{ApplyTransactionAction, Transaction};
use iceberg::{Catalog, CatalogBuilder, NamespaceIdent, TableCreation, TableIdent};
use iceberg_catalog_rest::{
    REST_CATALOG_PROP_URI, REST_CATALOG_PROP_WAREHOUSE, RestCatalogBuilder,
};

use crate::harness::TestApp;

async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_catalog_round_trip() {
    let app = TestApp::new().await;
    let uri = serve(&app).await;
    let catalog = RestCatalogBuilder::default()
        .with_storage_factory(Arc::new(LocalFsStorageFactory))
        .load(
            "pangolin",
            HashMap::from([
                (REST_CATALOG_PROP_URI.to_owned(), uri),
                (REST_CATALOG_PROP_WAREHOUSE.to_owned(), "default".to_owned()),
                ("token".to_owned(), app.root_token.clone()),
            ]),
        )
        .await
        .unwrap();

    let parent = NamespaceIdent::new("rust".into());
    let child = NamespaceIdent::from_strs(["rust", "child"]).unwrap();
    catalog
        .create_namespace(&parent, HashMap::from([("owner".into(), "rs".into())]))
        .await
        .unwrap();
    catalog
        .create_namespace(&child, HashMap::new())
        .await
        .unwrap();
    assert!(catalog.namespace_exists(&child).await.unwrap());
    let listed = catalog.list_namespaces(Some(&parent)).await.unwrap();
    assert_eq!(listed, vec![child.clone()]);
    assert_eq!(
        catalog.get_namespace(&parent).await.unwrap().properties()["owner"],
        "rs"
    );

    let schema = Schema::builder()
        .with_fields(vec![
            NestedField::required(1, "id", Type::Primitive(PrimitiveType::Long)).into(),
            NestedField::optional(2, "name", Type::Primitive(PrimitiveType::String)).into(),
        ])
        .build()
        .unwrap();
    let creation = TableCreation::builder()
        .name("events".into())
        .schema(schema)
        .partition_spec(
            UnboundPartitionSpec::builder()
                .add_partition_field(1, "id_bucket", iceberg::spec::Transform::Bucket(8))
                .unwrap()
                .build(),
        )
        .properties(HashMap::from([("k".into(), "v".into())]))
        .build();
    let table = catalog.create_table(&child, creation).await.unwrap();
    let ident = TableIdent::new(child.clone(), "events".into());
    assert!(catalog.table_exists(&ident).await.unwrap());
    assert_eq!(table.metadata().properties()["k"], "v");

    // A commit through iceberg-rust's transaction API.
    let tx = Transaction::new(&table);
    let tx = tx
        .update_table_properties()
        .set("committed".into(), "yes".into())
        .apply(tx)
        .unwrap();
    let committed = tx.commit(&catalog).await.unwrap();
    assert_eq!(committed.metadata().properties()["committed"], "yes");
    let reloaded = catalog.load_table(&ident).await.unwrap();
    assert_eq!(reloaded.metadata().properties()["committed"], "yes");
    assert_eq!(reloaded.metadata().metadata_log().len(), 1);

    let renamed = TableIdent::new(parent.clone(), "moved".into());
    catalog.rename_table(&ident, &renamed).await.unwrap();
    assert!(!catalog.table_exists(&ident).await.unwrap());
    let tables = catalog.list_tables(&parent).await.unwrap();
    assert_eq!(tables, vec![renamed.clone()]);

    catalog.drop_table(&renamed).await.unwrap();
    assert!(!catalog.table_exists(&renamed).await.unwrap());
    catalog.drop_namespace(&child).await.unwrap();
    catalog.drop_namespace(&parent).await.unwrap();
    assert!(!catalog.namespace_exists(&parent).await.unwrap());
}
