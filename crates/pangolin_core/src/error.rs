//! The domain error shared by the store and the service layer.
//!
//! Callers branch on the variant, never on the message. The HTTP layer maps each variant to a status
//! and an Iceberg error type in exactly one place.

use std::fmt;

/// The kind of entity an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Entity {
    /// A tenant.
    Tenant,
    /// A warehouse.
    Warehouse,
    /// A catalog (the `prefix` of the Iceberg REST API).
    Catalog,
    /// A namespace.
    Namespace,
    /// A table.
    Table,
    /// A view.
    View,
    /// A user or service user.
    User,
    /// A custom role.
    Role,
    /// A grant.
    Grant,
    /// An API key.
    ApiKey,
    /// An issued token.
    Token,
    /// An audit event.
    AuditEvent,
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Entity::Tenant => "tenant",
            Entity::Warehouse => "warehouse",
            Entity::Catalog => "catalog",
            Entity::Namespace => "namespace",
            Entity::Table => "table",
            Entity::View => "view",
            Entity::User => "user",
            Entity::Role => "role",
            Entity::Grant => "grant",
            Entity::ApiKey => "API key",
            Entity::Token => "token",
            Entity::AuditEvent => "audit event",
        })
    }
}

/// A boxed error from a driver or library, kept as the source of [`Error::Backend`] and
/// [`Error::Storage`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in the domain, the store and the service layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The entity does not exist (or is not visible to the caller's tenant).
    #[error("{entity} {key} does not exist")]
    NotFound {
        /// What kind of entity was looked up.
        entity: Entity,
        /// The name or id it was looked up by, as the caller gave it.
        key: String,
    },
    /// An entity with this key exists already. Tables and views share one identifier space, so
    /// `entity` names the kind that holds the name.
    #[error("{entity} {key} already exists")]
    AlreadyExists {
        /// The kind of the existing entity.
        entity: Entity,
        /// Its key.
        key: String,
    },
    /// The entity still has dependents (a namespace with tables, a warehouse used by catalogs, ...).
    #[error("{entity} {key} is not empty: {detail}")]
    NotEmpty {
        /// The entity that cannot be removed.
        entity: Entity,
        /// Its key.
        key: String,
        /// What it still contains.
        detail: String,
    },
    /// A commit lost a race or one of its requirements failed; the client may retry.
    #[error("{message}")]
    Conflict {
        /// What conflicted.
        message: String,
    },
    /// The request is malformed or violates a rule (bad identifier, bad location, unknown update).
    #[error("{message}")]
    InvalidInput {
        /// What is wrong, for the caller.
        message: String,
    },
    /// The request is well-formed but contradicts itself (e.g. a property both set and removed).
    #[error("{message}")]
    Unprocessable {
        /// What is contradictory.
        message: String,
    },
    /// The operation exists in the spec but this server does not offer it for this resource.
    #[error("{message}")]
    Unsupported {
        /// What is not offered.
        message: String,
    },
    /// The request carries no credentials, or credentials that are invalid, expired or revoked.
    #[error("{message}")]
    Unauthenticated {
        /// Why, for the caller (never which part of a credential was wrong).
        message: String,
    },
    /// The caller is authenticated but not allowed to do this.
    #[error("{message}")]
    Forbidden {
        /// What was refused.
        message: String,
    },
    /// The caller sent too many requests of this kind; it may retry after `retry_after_secs`.
    #[error("too many requests; retry in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until a retry can succeed.
        retry_after_secs: u32,
    },
    /// The store is unreachable or overloaded; retrying later may succeed.
    #[error("{message}")]
    Unavailable {
        /// What is unavailable.
        message: String,
    },
    /// A commit may or may not have been applied (the store failed while committing). Clients must
    /// reload the table instead of cleaning up the files they wrote.
    #[error("{message}")]
    CommitStateUnknown {
        /// What happened.
        message: String,
    },
    /// Object storage (the warehouse) failed a read, write or delete.
    #[error("object storage {operation} failed for {location}")]
    Storage {
        /// What was attempted (`read`, `write`, `delete`, `list`).
        operation: &'static str,
        /// The object's location.
        location: String,
        /// The storage client's error.
        #[source]
        source: BoxError,
    },
    /// A stored secret cannot be decrypted: the configured encryption key is not the one it was
    /// encrypted with, or the stored value was altered. A server misconfiguration (or tampering);
    /// details are logged, never shown to clients.
    #[error("{message}")]
    Decryption {
        /// Which secret, and why (never the secret or the key).
        message: String,
    },
    /// Anything unexpected from a backend; details are logged, never shown to clients.
    #[error("{context}")]
    Backend {
        /// Where it happened.
        context: String,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
}

/// Shorthand for results with the domain [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A [`Error::NotFound`] for `entity` looked up by `key`.
    pub fn not_found(entity: Entity, key: impl fmt::Display) -> Self {
        Error::NotFound {
            entity,
            key: key.to_string(),
        }
    }

    /// An [`Error::AlreadyExists`] for `entity` with `key`.
    pub fn already_exists(entity: Entity, key: impl fmt::Display) -> Self {
        Error::AlreadyExists {
            entity,
            key: key.to_string(),
        }
    }

    /// An [`Error::InvalidInput`] with `message`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidInput {
            message: message.into(),
        }
    }

    /// An [`Error::Unauthenticated`] with `message`.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Error::Unauthenticated {
            message: message.into(),
        }
    }

    /// An [`Error::Forbidden`] with `message`.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Error::Forbidden {
            message: message.into(),
        }
    }

    /// An [`Error::Conflict`] with `message`.
    pub fn conflict(message: impl Into<String>) -> Self {
        Error::Conflict {
            message: message.into(),
        }
    }

    /// An [`Error::Backend`] wrapping `source` with `context`.
    pub fn backend(context: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::Backend {
            context: context.into(),
            source: source.into(),
        }
    }
}
