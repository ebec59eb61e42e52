//! Where tables and views live. Every location a client chooses or a commit sets must lie under the
//! catalog's base location; defaults are derived from the names.

use std::collections::HashMap;

use pangolin_core::location::path_segment;
use pangolin_core::{Catalog, Error, Location, NamespaceIdent, Result};
use uuid::Uuid;

/// The property that moves a table's metadata files out of `<location>/metadata`.
pub(crate) const METADATA_PATH_PROPERTY: &str = "write.metadata.path";

/// `<base>/<namespace levels>/<name>-<uuid>`, with names made path-safe.
pub(crate) fn default_location(
    catalog: &Catalog,
    namespace: &NamespaceIdent,
    name: &str,
) -> String {
    let mut location = catalog.base_location.trim_end_matches('/').to_owned();
    for level in namespace.levels() {
        location.push('/');
        location.push_str(&path_segment(level));
    }
    location.push('/');
    location.push_str(&path_segment(name));
    location.push('-');
    location.push_str(&Uuid::now_v7().simple().to_string());
    location
}

/// Checks that `location` lies strictly under the catalog's base location and returns it without
/// trailing slashes.
pub(crate) fn check_location(catalog: &Catalog, location: &str) -> Result<String> {
    let base = Location::parse(&catalog.base_location)?;
    let parsed = Location::parse(location)?;
    if !parsed.is_under(&base) {
        return Err(Error::invalid(format!(
            "location '{location}' is not under the catalog's base location '{}'",
            catalog.base_location
        )));
    }
    Ok(location.trim_end_matches('/').to_owned())
}

/// The directory for a table's metadata files (`write.metadata.path` or `<location>/metadata`),
/// checked against the base location.
pub(crate) fn metadata_dir(
    catalog: &Catalog,
    location: &str,
    properties: &HashMap<String, String>,
) -> Result<String> {
    match properties.get(METADATA_PATH_PROPERTY) {
        Some(dir) => check_location(catalog, dir),
        None => Ok(format!("{}/metadata", location.trim_end_matches('/'))),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use pangolin_core::{CatalogId, TenantId, WarehouseId};

    use super::*;

    fn catalog(base: &str) -> Catalog {
        Catalog {
            id: CatalogId::generate(),
            tenant_id: TenantId::generate(),
            name: "c".into(),
            warehouse_id: WarehouseId::generate(),
            warehouse_name: "w".into(),
            base_location: base.into(),
            properties: BTreeMap::new(),
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn default_locations_are_path_safe_and_unique() {
        let c = catalog("s3://b/sales/");
        let ns = NamespaceIdent::new(vec!["a b".into(), "ü".into()]).unwrap();
        let one = default_location(&c, &ns, "t.1");
        let two = default_location(&c, &ns, "t.1");
        assert!(one.starts_with("s3://b/sales/a_b/_/t_1-"), "{one}");
        assert_ne!(one, two);
        check_location(&c, &one).unwrap();
    }

    #[test]
    fn explicit_locations_must_be_under_the_base() {
        let c = catalog("s3://b/sales");
        assert_eq!(
            check_location(&c, "s3://b/sales/x/").unwrap(),
            "s3://b/sales/x"
        );
        assert!(check_location(&c, "s3a://b/sales/x").is_ok());
        for bad in [
            "s3://b/sales",
            "s3://b/other/x",
            "s3://c/sales/x",
            "s3://b/sales/../x",
            "file:///x",
        ] {
            assert!(check_location(&c, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn metadata_dir_honours_the_property() {
        let c = catalog("file:///w/c");
        assert_eq!(
            metadata_dir(&c, "file:///w/c/t", &HashMap::new()).unwrap(),
            "file:///w/c/t/metadata"
        );
        let props = HashMap::from([(
            METADATA_PATH_PROPERTY.to_owned(),
            "file:///w/c/md".to_owned(),
        )]);
        assert_eq!(
            metadata_dir(&c, "file:///w/c/t", &props).unwrap(),
            "file:///w/c/md"
        );
        let outside =
            HashMap::from([(METADATA_PATH_PROPERTY.to_owned(), "file:///etc".to_owned())]);
        assert!(metadata_dir(&c, "file:///w/c/t", &outside).is_err());
    }
}
