//! Mapping of sqlx errors to domain errors, shared by the SQL backends: the one place where driver
//! errors become domain errors. Constraint violations are mapped by the caller, which knows which
//! entity the constraint protects.

use pangolin_core::Error;
use sqlx::error::ErrorKind;

/// Maps `err`: connection-level problems (and an overloaded or restarting database) become
/// `Unavailable`, serialization failures and deadlocks `Conflict`, everything else `Backend`.
pub(crate) fn map(err: sqlx::Error) -> Error {
    let failure = match &err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => Failure::Unavailable,
        sqlx::Error::Database(db) => classify(db.as_ref()),
        _ => Failure::Other,
    };
    match failure {
        Failure::Unavailable => {
            tracing::warn!(error = %err, "database unavailable");
            Error::Unavailable {
                message: "the catalog database is unavailable; retry later".into(),
            }
        }
        Failure::Conflict => Error::conflict(format!(
            "the change conflicted with a concurrent one; retry ({err})"
        )),
        Failure::Other => Error::backend("database operation failed", err),
    }
}

enum Failure {
    Unavailable,
    Conflict,
    Other,
}

/// Reads a driver's error code: SQLSTATE classes for PostgreSQL, result codes for SQLite.
fn classify(db: &(dyn sqlx::error::DatabaseError + 'static)) -> Failure {
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        let code = pg.code();
        return match code {
            // serialization_failure, deadlock_detected
            "40001" | "40P01" => Failure::Conflict,
            // connection exceptions, insufficient resources, operator intervention (shutdown,
            // cannot connect now, statement timeout)
            _ if code.starts_with("08") || code.starts_with("53") || code.starts_with("57") => {
                Failure::Unavailable
            }
            _ => Failure::Other,
        };
    }
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() && is_busy(db.code().as_deref())
    {
        return Failure::Unavailable;
    }
    Failure::Other
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
