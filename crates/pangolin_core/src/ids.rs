//! Newtype ids. Every id is a UUIDv7, so ids sort by creation time.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            utoipa::ToSchema,
        )]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// Identifies a tenant.
    TenantId
);
id_type!(
    /// Identifies a warehouse (a storage location with credentials) inside a tenant.
    WarehouseId
);
id_type!(
    /// Identifies a catalog inside a tenant.
    CatalogId
);
id_type!(
    /// Identifies a namespace inside a catalog.
    NamespaceId
);
id_type!(
    /// Identifies a table or a view.
    TabularId
);
id_type!(
    /// Identifies a stored metrics report.
    MetricsReportId
);
id_type!(
    /// Identifies a user or a service user.
    UserId
);
id_type!(
    /// Identifies a custom role inside a tenant.
    RoleId
);
id_type!(
    /// Identifies a grant.
    GrantId
);
id_type!(
    /// Identifies an API key of a service user (the `<key id>` in `pgl_<key id>_<secret>`).
    ApiKeyId
);
id_type!(
    /// Identifies an issued token (its JWT `jti`).
    TokenId
);
id_type!(
    /// Identifies an audit event.
    AuditEventId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_strings() {
        let id = TenantId::generate();
        assert_eq!(id.to_string().parse::<TenantId>().unwrap(), id);
        assert!("not-a-uuid".parse::<TenantId>().is_err());
    }

    #[test]
    fn ids_are_time_ordered() {
        let a = CatalogId::generate();
        let b = CatalogId::generate();
        assert!(a < b);
    }
}
