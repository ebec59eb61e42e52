//! Warehouse secrets at rest in the SQL store, on SQLite and PostgreSQL: encrypted in the row,
//! bound to their warehouse, refused under another key, and encrypted in place when a version
//! without encryption stored them in clear.

use std::collections::BTreeMap;

use pangolin_core::{
    Error, FileStorage, StorageProfile, Tenant, TenantId, Warehouse, WarehouseId, now_millis,
};
use pangolin_store::conformance::s3_storage;
use pangolin_store::secrets::EncryptionKey;
use pangolin_store::sql::{SqlOptions, SqlStore};
use pangolin_store::{Tenants, Warehouses};
use sqlx::Connection;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN";

/// A fresh, migrated database.
struct Db {
    url: String,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("pangolin.db").display());
        Self::migrated(url, Some(dir)).await
    }

    async fn postgres() -> Self {
        Self::migrated(pangolin_store::testing::postgres_database().await, None).await
    }

    async fn migrated(url: String, dir: Option<tempfile::TempDir>) -> Self {
        pangolin_store::sql::migrate_database(&url, &SqlOptions::default())
            .await
            .unwrap();
        Self { url, _dir: dir }
    }

    async fn store(&self, key: &EncryptionKey) -> SqlStore {
        let options = SqlOptions {
            max_connections: 2,
            ..SqlOptions::default()
        };
        SqlStore::connect(&self.url, &options, key).await.unwrap()
    }

    async fn connection(&self) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        sqlx::AnyConnection::connect(&self.url).await.unwrap()
    }

    /// The `storage` column of a warehouse, as stored.
    async fn raw_storage(&self, id: WarehouseId) -> String {
        let mut conn = self.connection().await;
        sqlx::query_scalar("SELECT storage FROM warehouses WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&mut conn)
            .await
            .unwrap()
    }

    async fn set_raw_storage(&self, id: WarehouseId, storage: &str) {
        let mut conn = self.connection().await;
        sqlx::query("UPDATE warehouses SET storage = $1 WHERE id = $2")
            .bind(storage)
            .bind(id.to_string())
            .execute(&mut conn)
            .await
            .unwrap();
    }
}

async fn tenant(store: &SqlStore) -> TenantId {
    let now = now_millis();
    let tenant = Tenant {
        id: TenantId::generate(),
        name: "acme".into(),
        properties: BTreeMap::new(),
        created_at: now,
        updated_at: now,
    };
    store.create_tenant(&tenant).await.unwrap();
    tenant.id
}

fn warehouse(tenant: TenantId, name: &str, storage: StorageProfile) -> Warehouse {
    let now = now_millis();
    Warehouse {
        id: WarehouseId::generate(),
        tenant_id: tenant,
        name: name.into(),
        storage,
        created_at: now,
        updated_at: now,
    }
}

#[track_caller]
fn assert_encrypted(raw: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!raw.contains(secret), "a secret is stored in clear: {raw}");
    }
    assert!(
        raw.contains(r#""secret-access-key":"v1:"#),
        "no ciphertext: {raw}"
    );
    // Only the secrets are encrypted; the rest of the profile stays readable.
    assert!(
        raw.contains("lake-bucket") && raw.contains("AKIAEXAMPLE"),
        "{raw}"
    );
}

async fn secrets_are_encrypted_in_the_row(db: Db) {
    let key = EncryptionKey::generate();
    let store = db.store(&key).await;
    let tenant = tenant(&store).await;
    let w = warehouse(tenant, "lake", s3_storage(SECRET, Some(TOKEN)));
    store.create_warehouse(&w).await.unwrap();
    let raw = db.raw_storage(w.id).await;
    assert_encrypted(&raw, &[SECRET, TOKEN]);
    assert!(raw.contains(r#""session-token":"v1:"#), "{raw}");
    assert_eq!(store.get_warehouse(tenant, w.id).await.unwrap(), w);

    let rotated = s3_storage("a-rotated-secret-key", None);
    store
        .update_warehouse(tenant, w.id, &rotated)
        .await
        .unwrap();
    assert_encrypted(&db.raw_storage(w.id).await, &["a-rotated-secret-key"]);
    // Another store (another server instance) with the same key reads it.
    let other = db.store(&key).await;
    assert_eq!(
        other.get_warehouse(tenant, w.id).await.unwrap().storage,
        rotated
    );
    assert_eq!(other.check_secrets().await.unwrap(), 0);
}

async fn another_key_is_refused(db: Db) {
    let store = db.store(&EncryptionKey::generate()).await;
    let tenant = tenant(&store).await;
    let s3 = warehouse(tenant, "lake", s3_storage(SECRET, None));
    store.create_warehouse(&s3).await.unwrap();
    let file = warehouse(
        tenant,
        "files",
        StorageProfile::File(FileStorage {
            root: "/srv/files".into(),
        }),
    );
    store.create_warehouse(&file).await.unwrap();

    let wrong = db.store(&EncryptionKey::generate()).await;
    let err = wrong.check_secrets().await.unwrap_err();
    assert!(matches!(err, Error::Decryption { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&s3.id.to_string()), "{message}");
    assert!(!message.contains(SECRET), "{message}");
    assert!(matches!(
        wrong.get_warehouse(tenant, s3.id).await,
        Err(Error::Decryption { .. })
    ));
    assert!(matches!(
        wrong
            .list_warehouses(tenant, &pangolin_core::PageRequest::all())
            .await,
        Err(Error::Decryption { .. })
    ));
    // A warehouse without secrets needs no key.
    assert_eq!(wrong.get_warehouse(tenant, file.id).await.unwrap(), file);
    assert_eq!(store.check_secrets().await.unwrap(), 0);
}

async fn ciphertexts_are_bound_to_their_warehouse(db: Db) {
    let store = db.store(&EncryptionKey::generate()).await;
    let tenant = tenant(&store).await;
    let first = warehouse(tenant, "first", s3_storage(SECRET, None));
    let second = warehouse(tenant, "second", s3_storage("another-secret", None));
    store.create_warehouse(&first).await.unwrap();
    store.create_warehouse(&second).await.unwrap();
    // Someone with write access to the database copies the first row's secret to the second.
    db.set_raw_storage(second.id, &db.raw_storage(first.id).await)
        .await;
    assert!(matches!(
        store.get_warehouse(tenant, second.id).await,
        Err(Error::Decryption { .. })
    ));
    assert!(matches!(
        store.check_secrets().await,
        Err(Error::Decryption { .. })
    ));
}

async fn secrets_in_clear_are_encrypted_at_startup(db: Db) {
    let key = EncryptionKey::generate();
    let store = db.store(&key).await;
    let tenant = tenant(&store).await;
    let old = warehouse(tenant, "old", s3_storage(SECRET, Some(TOKEN)));
    let new = warehouse(tenant, "new", s3_storage("a-new-secret", None));
    store.create_warehouse(&old).await.unwrap();
    store.create_warehouse(&new).await.unwrap();
    // What a version without encryption wrote: the profile as JSON, secrets in clear.
    let clear = serde_json::to_string(&old.storage).unwrap();
    assert!(clear.contains(SECRET));
    db.set_raw_storage(old.id, &clear).await;
    let new_raw = db.raw_storage(new.id).await;
    // Secrets in clear stay readable until they are encrypted.
    assert_eq!(store.get_warehouse(tenant, old.id).await.unwrap(), old);

    assert_eq!(store.check_secrets().await.unwrap(), 1);
    assert_encrypted(&db.raw_storage(old.id).await, &[SECRET, TOKEN]);
    assert_eq!(
        db.raw_storage(new.id).await,
        new_raw,
        "encrypted rows are left alone"
    );
    assert_eq!(store.get_warehouse(tenant, old.id).await.unwrap(), old);
    assert_eq!(store.get_warehouse(tenant, new.id).await.unwrap(), new);
    // Idempotent, and what it encrypted is bound to the key like everything else.
    assert_eq!(store.check_secrets().await.unwrap(), 0);
    assert_eq!(db.store(&key).await.check_secrets().await.unwrap(), 0);
    assert!(matches!(
        db.store(&EncryptionKey::generate())
            .await
            .check_secrets()
            .await,
        Err(Error::Decryption { .. })
    ));
}

async fn a_wrong_key_changes_nothing(db: Db) {
    let store = db.store(&EncryptionKey::generate()).await;
    let tenant = tenant(&store).await;
    let encrypted = warehouse(tenant, "encrypted", s3_storage(SECRET, None));
    let clear = warehouse(tenant, "clear", s3_storage("in-clear", None));
    store.create_warehouse(&encrypted).await.unwrap();
    store.create_warehouse(&clear).await.unwrap();
    let clear_json = serde_json::to_string(&clear.storage).unwrap();
    db.set_raw_storage(clear.id, &clear_json).await;
    // The check fails before it encrypts anything under the wrong key.
    let wrong = db.store(&EncryptionKey::generate()).await;
    assert!(matches!(
        wrong.check_secrets().await,
        Err(Error::Decryption { .. })
    ));
    assert_eq!(db.raw_storage(clear.id).await, clear_json);
    assert_eq!(store.check_secrets().await.unwrap(), 1);
}

macro_rules! on_sqlite_and_postgres {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    super::$case(super::Db::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    super::$case(super::Db::postgres().await).await;
                }
            )*
        }
    };
}

on_sqlite_and_postgres!(
    secrets_are_encrypted_in_the_row,
    another_key_is_refused,
    ciphertexts_are_bound_to_their_warehouse,
    secrets_in_clear_are_encrypted_at_startup,
    a_wrong_key_changes_nothing,
);
