//! Namespaces: hierarchical containers of tables and views inside a catalog.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{CatalogId, NamespaceId, TenantId};
use crate::names::validate_name;

/// The unit separator (0x1F) joins namespace levels in Iceberg REST paths and in stored keys.
pub const SEPARATOR: char = '\u{1f}';

/// The deepest namespace accepted.
pub const MAX_DEPTH: usize = 16;

/// A validated, non-empty multi-level namespace name, e.g. `["accounting", "tax"]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct NamespaceIdent(Vec<String>);

impl NamespaceIdent {
    /// Validates the levels: at least one, at most [`MAX_DEPTH`], each a valid name.
    pub fn new(levels: Vec<String>) -> Result<Self> {
        if levels.is_empty() {
            return Err(Error::invalid("namespace must have at least one level"));
        }
        if levels.len() > MAX_DEPTH {
            return Err(Error::invalid(format!(
                "namespace has {} levels; the limit is {MAX_DEPTH}",
                levels.len()
            )));
        }
        for level in &levels {
            validate_name("namespace level", level)?;
        }
        Ok(Self(levels))
    }

    /// Parses the Iceberg REST path or query encoding: levels separated by 0x1F.
    pub fn from_encoded(encoded: &str) -> Result<Self> {
        Self::new(encoded.split(SEPARATOR).map(str::to_owned).collect())
    }

    /// The levels, outermost first.
    pub fn levels(&self) -> &[String] {
        &self.0
    }

    /// The last level.
    pub fn name(&self) -> &str {
        self.0.last().expect("a namespace has at least one level")
    }

    /// The parent namespace, or `None` at the top level.
    pub fn parent(&self) -> Option<Self> {
        (self.0.len() > 1).then(|| Self(self.0[..self.0.len() - 1].to_vec()))
    }

    /// A child namespace with one more level (validated).
    pub fn child(&self, level: &str) -> Result<Self> {
        let mut levels = self.0.clone();
        levels.push(level.to_owned());
        Self::new(levels)
    }

    /// The levels joined by 0x1F: the form stored as a key and used in REST paths.
    pub fn encoded(&self) -> String {
        self.0.join(&SEPARATOR.to_string())
    }

    /// Whether `self` is `other` or lies underneath it.
    pub fn starts_with(&self, other: &NamespaceIdent) -> bool {
        self.0.starts_with(&other.0)
    }
}

impl<'de> Deserialize<'de> for NamespaceIdent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let levels = Vec::<String>::deserialize(deserializer)?;
        NamespaceIdent::new(levels).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for NamespaceIdent {
    /// Levels joined by dots, for messages and logs (not a parseable form: levels may contain dots).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

/// A stored namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Namespace {
    /// Its id.
    pub id: NamespaceId,
    /// The owning tenant.
    pub tenant_id: TenantId,
    /// The owning catalog.
    pub catalog_id: CatalogId,
    /// Its full name.
    pub ident: NamespaceIdent,
    /// Free-form properties.
    pub properties: BTreeMap<String, String>,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
    /// Last update time, milliseconds since the epoch.
    pub updated_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_unit_separator_encoding() {
        let ns = NamespaceIdent::from_encoded("accounting\u{1f}tax").unwrap();
        assert_eq!(ns.levels(), ["accounting", "tax"]);
        assert_eq!(ns.encoded(), "accounting\u{1f}tax");
        assert_eq!(ns.name(), "tax");
        assert_eq!(ns.parent().unwrap().levels(), ["accounting"]);
        assert!(ns.parent().unwrap().parent().is_none());
    }

    #[test]
    fn dots_are_part_of_a_level() {
        let ns = NamespaceIdent::from_encoded("a.b").unwrap();
        assert_eq!(ns.levels(), ["a.b"]);
    }

    #[test]
    fn rejects_empty_namespaces_and_levels() {
        assert!(NamespaceIdent::new(vec![]).is_err());
        assert!(NamespaceIdent::from_encoded("").is_err());
        assert!(NamespaceIdent::from_encoded("a\u{1f}").is_err());
        assert!(NamespaceIdent::new(vec!["x".into(); MAX_DEPTH + 1]).is_err());
    }

    #[test]
    fn deserialization_validates() {
        assert!(serde_json::from_str::<NamespaceIdent>(r#"["a","b"]"#).is_ok());
        assert!(serde_json::from_str::<NamespaceIdent>("[]").is_err());
        assert!(serde_json::from_str::<NamespaceIdent>(r#"[""]"#).is_err());
    }

    #[test]
    fn prefix_relation() {
        let a = NamespaceIdent::from_encoded("a").unwrap();
        let ab = a.child("b").unwrap();
        assert!(ab.starts_with(&a));
        assert!(!a.starts_with(&ab));
    }
}
