//! Tables and views ("tabulars"): they share one identifier space inside a namespace.

use std::fmt;

use crate::error::{Entity, Result};
use crate::ids::{CatalogId, TabularId, TenantId};
use crate::names::validate_name;
use crate::namespace::NamespaceIdent;

/// Whether a tabular is a table or a view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TabularKind {
    /// An Iceberg table.
    Table,
    /// An Iceberg view.
    View,
}

impl TabularKind {
    /// The stored form: `table` or `view`.
    pub fn as_str(self) -> &'static str {
        match self {
            TabularKind::Table => "table",
            TabularKind::View => "view",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "table" => Some(TabularKind::Table),
            "view" => Some(TabularKind::View),
            _ => None,
        }
    }

    /// The entity errors about this kind refer to.
    pub fn entity(self) -> Entity {
        match self {
            TabularKind::Table => Entity::Table,
            TabularKind::View => Entity::View,
        }
    }
}

/// A table or view name inside a namespace.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TabularIdent {
    /// The namespace holding it.
    pub namespace: NamespaceIdent,
    /// Its name inside the namespace.
    pub name: String,
}

impl TabularIdent {
    /// Validates `name` and pairs it with `namespace`.
    pub fn new(namespace: NamespaceIdent, name: impl Into<String>) -> Result<Self> {
        let name = name.into();
        validate_name("name", &name)?;
        Ok(Self { namespace, name })
    }
}

impl fmt::Display for TabularIdent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.namespace, self.name)
    }
}

/// A stored table or view: its identity and the pointer to its current metadata. The current
/// metadata JSON is stored with the pointer so that loading never reads object storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tabular {
    /// Its id, stable across renames.
    pub id: TabularId,
    /// The owning tenant.
    pub tenant_id: TenantId,
    /// The owning catalog.
    pub catalog_id: CatalogId,
    /// Its current name.
    pub ident: TabularIdent,
    /// Table or view.
    pub kind: TabularKind,
    /// Location of the current metadata file.
    pub metadata_location: String,
    /// The current metadata, as the JSON written to `metadata_location`.
    pub metadata: String,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
    /// Last commit time, milliseconds since the epoch.
    pub updated_at: i64,
}

/// A tabular to insert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTabular {
    /// The id to give it.
    pub id: TabularId,
    /// Its name; the namespace must exist.
    pub ident: TabularIdent,
    /// Table or view.
    pub kind: TabularKind,
    /// Location of its first metadata file.
    pub metadata_location: String,
    /// Its metadata JSON.
    pub metadata: String,
}

/// Moves a tabular's metadata pointer, provided it still points where the caller last saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointerSwap {
    /// The tabular to update.
    pub id: TabularId,
    /// Whether it is a table or a view.
    pub kind: TabularKind,
    /// Its name, for error messages.
    pub ident: TabularIdent,
    /// The metadata location the caller based its change on.
    pub expected_location: String,
    /// The new metadata location.
    pub new_location: String,
    /// The new metadata JSON.
    pub new_metadata: String,
}

/// One part of an atomic, possibly multi-table, commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommitOp {
    /// Create a tabular (a staged create or a register); fails if the name is taken.
    Create(NewTabular),
    /// Compare-and-swap an existing tabular's metadata pointer.
    Swap(PointerSwap),
}
