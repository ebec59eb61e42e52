//! Mapping of sqlx errors to domain errors, shared by the SQL backends: the one place where driver
//! errors become domain errors. Constraint violations are mapped by the caller, which knows which
//! entity the constraint protects.

use pangolin_core::Error;
use sqlx::error::ErrorKind;

/// Maps `err`: connection-level problems become `Unavailable`, everything else `Backend`.
pub(crate) fn map(err: sqlx::Error) -> Error {
    let unavailable = match &err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => is_busy(db.code().as_deref()),
        _ => false,
    };
    if unavailable {
        tracing::warn!(error = %err, "database unavailable");
        Error::Unavailable {
            message: "the catalog database is unavailable; retry later".into(),
        }
    } else {
        Error::backend("database operation failed", err)
    }
}

/// Maps a unique-constraint violation to `on_unique()`, anything else through [`map`].
pub(crate) fn unique_or(err: sqlx::Error, on_unique: impl FnOnce() -> Error) -> Error {
    if is_kind(&err, ErrorKind::UniqueViolation) {
        on_unique()
    } else {
        map(err)
    }
}

/// Maps a foreign-key violation to `on_fk()`, anything else through [`map`].
pub(crate) fn foreign_key_or(err: sqlx::Error, on_fk: impl FnOnce() -> Error) -> Error {
    if is_kind(&err, ErrorKind::ForeignKeyViolation) {
        on_fk()
    } else {
        map(err)
    }
}

/// Maps unique and foreign-key violations to `on_unique()` and `on_fk()`, anything else through
/// [`map`].
pub(crate) fn constraint_or(
    err: sqlx::Error,
    on_unique: impl FnOnce() -> Error,
    on_fk: impl FnOnce() -> Error,
) -> Error {
    if is_kind(&err, ErrorKind::ForeignKeyViolation) {
        on_fk()
    } else {
        unique_or(err, on_unique)
    }
}

fn is_kind(err: &sqlx::Error, kind: ErrorKind) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.kind() == kind)
}

/// SQLite's BUSY (5) and LOCKED (6), including their extended codes.
fn is_busy(code: Option<&str>) -> bool {
    code.and_then(|c| c.parse::<i64>().ok())
        .is_some_and(|c| matches!(c & 0xff, 5 | 6))
}

/// A backend error for stored data that does not parse (a corrupted row).
pub(crate) fn corrupt(what: &str, err: impl Into<pangolin_core::error::BoxError>) -> Error {
    Error::backend(format!("stored {what} is invalid"), err)
}
