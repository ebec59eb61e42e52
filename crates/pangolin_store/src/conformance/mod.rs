//! The backend-independent conformance suite.
//!
//! Every case is an async function taking the store under test; [`conformance_suite!`] expands to
//! one `#[tokio::test]` per case for a backend, so each (backend, case) pair passes or fails on its
//! own. Cases only use the [`CatalogStore`] traits: no backend names, no backend-specific setup.
//!
//! [`conformance_suite!`]: crate::conformance_suite

mod access;
mod audit;
mod fixtures;
mod namespaces;
mod tabulars;
mod tenancy;

use std::any::Any;
use std::sync::Arc;

pub use access::*;
pub use audit::*;
pub use fixtures::s3_storage;
pub use namespaces::*;
pub use tabulars::*;
pub use tenancy::*;

use crate::CatalogStore;

/// A store under test plus whatever must outlive it (a temporary directory, a server).
pub struct Subject {
    /// The store.
    pub store: Arc<dyn CatalogStore>,
    /// Dropped after the case finishes.
    pub guard: Box<dyn Any + Send + Sync>,
}

impl std::fmt::Debug for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subject")
            .field("store", &self.store)
            .finish()
    }
}

/// Calls `$callback!` with the name of every conformance case: the one list the test macro and
/// [`all_cases`] are built from.
#[macro_export]
macro_rules! for_each_conformance_case {
    ($callback:ident $(, $arg:tt)*) => {
        $crate::$callback! {$($arg,)* [
            health_ping,
            tenant_crud,
            tenant_delete_refused_while_it_owns_resources,
            warehouse_crud,
            warehouse_delete_refused_while_used,
            warehouse_secrets_round_trip,
            catalog_crud,
            catalog_requires_a_warehouse_of_the_same_tenant,
            tenant_isolation,
            namespace_crud,
            namespace_hierarchy,
            namespace_not_empty,
            namespace_properties_update_is_atomic,
            namespace_pagination,
            tabular_create_and_load,
            tables_and_views_share_identifiers,
            tabular_pagination,
            pointer_swap,
            racing_swaps_exactly_one_wins,
            multi_table_commit_is_all_or_nothing,
            commit_create_failures,
            rename_across_namespaces,
            drop_tabular,
            unicode_and_punctuation_names,
            metrics_reports,
            user_crud,
            user_scopes_and_listing,
            api_key_crud,
            role_crud,
            role_assignments,
            grant_crud_and_resolved_scopes,
            grant_creation_requires_grantee_and_scope,
            effective_grants_include_role_grants,
            grants_follow_renames_not_recreations,
            dropping_objects_removes_their_grants,
            deleting_a_user_removes_what_it_holds,
            deleting_a_role_removes_its_grants_and_assignments,
            deleting_a_tenant_removes_its_identities,
            token_records,
            access_tenant_isolation,
            audit_events_by_tenant,
            audit_filters,
            audit_pagination,
            audit_retention
        ]}
    };
}

/// Expands to one test per conformance case. `$factory` is an async fn returning a [`Subject`].
#[macro_export]
macro_rules! conformance_suite {
    ($factory:path) => {
        $crate::for_each_conformance_case! {conformance_tests, $factory}
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! conformance_tests {
    ($factory:path, [$($case:ident),* $(,)?]) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let subject = $factory().await;
                $crate::conformance::$case(subject.store.clone()).await;
                drop(subject);
            }
        )*
    };
}

/// A conformance case as a value.
pub type Case = fn(Arc<dyn CatalogStore>) -> futures::future::BoxFuture<'static, ()>;

#[doc(hidden)]
#[macro_export]
macro_rules! conformance_case_list {
    ([$($case:ident),* $(,)?]) => {
        vec![$((
            stringify!($case),
            (|store| Box::pin($crate::conformance::$case(store))) as $crate::conformance::Case,
        )),*]
    };
}

/// Every case with its name, for checks that run the whole suite against one backend in one test
/// (e.g. that every statement PostgreSQL runs uses an index).
pub fn all_cases() -> Vec<(&'static str, Case)> {
    for_each_conformance_case!(conformance_case_list)
}

/// Liveness works on a fresh store.
pub async fn health_ping(store: Arc<dyn CatalogStore>) {
    store.ping().await.unwrap();
}
