//! First start: on an empty store, create the `default` tenant, a local-file warehouse in the data
//! directory and the `default` catalog, so a newcomer can connect right away.

use std::path::Path;

use pangolin_core::{Error, FileStorage, PageRequest, Result, StorageProfile};

use crate::service::{DEFAULT_TENANT, NewCatalog, NewWarehouse, RequestContext, Service};

/// The name of the bootstrap warehouse and catalog.
pub const DEFAULT_CATALOG: &str = "default";

/// Creates the default tenant, warehouse and catalog when the store has no tenant at all. Returns
/// the catalog's base location when it did.
pub async fn bootstrap(service: &Service, data_dir: &Path) -> Result<Option<String>> {
    let system = RequestContext::system(None, "bootstrap");
    let empty = service
        .list_tenants(&system, &PageRequest::first(1))
        .await?
        .items
        .is_empty();
    if !empty {
        return Ok(None);
    }
    let root = data_dir.join("warehouse");
    let root = std::fs::create_dir_all(&root)
        .and_then(|()| root.canonicalize())
        .map_err(|e| Error::invalid(format!("cannot create {}: {e}", root.display())))?;
    let root = root
        .to_str()
        .ok_or_else(|| Error::invalid("the data directory path is not valid UTF-8"))?
        .to_owned();
    let tenant = match service
        .create_tenant(&system, DEFAULT_TENANT.to_owned(), Default::default())
        .await
    {
        Ok(tenant) => tenant,
        // Another instance on the same database is bootstrapping it.
        Err(Error::AlreadyExists { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let ctx = RequestContext::system(Some(tenant.id), "bootstrap");
    service
        .create_warehouse(
            &ctx,
            NewWarehouse {
                name: DEFAULT_CATALOG.to_owned(),
                storage: StorageProfile::File(FileStorage { root }),
            },
        )
        .await?;
    let catalog = service
        .create_catalog(
            &ctx,
            NewCatalog {
                name: DEFAULT_CATALOG.to_owned(),
                warehouse: DEFAULT_CATALOG.to_owned(),
                base_location: None,
                properties: Default::default(),
            },
        )
        .await?;
    Ok(Some(catalog.base_location))
}
