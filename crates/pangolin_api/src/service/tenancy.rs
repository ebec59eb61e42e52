//! Tenants, warehouses and catalogs.

use std::collections::BTreeMap;

use bytes::Bytes;
use pangolin_core::location::path_segment;
use pangolin_core::{
    Action, Catalog, CatalogId, CatalogUpdate, Entity, Error, Location, Page, PageRequest, Result,
    StorageProfile, Tenant, TenantId, TenantUpdate, Warehouse, WarehouseId, now_millis,
    validate_catalog_name, validate_name,
};
use pangolin_store::objects::ObjectStorage;
use uuid::Uuid;

use super::{RequestContext, Resource, Service};

/// A warehouse to create.
#[derive(Debug, Clone)]
pub struct NewWarehouse {
    /// Its name, unique in the tenant.
    pub name: String,
    /// Where and how it stores data.
    pub storage: StorageProfile,
}

/// A catalog to create.
#[derive(Debug, Clone)]
pub struct NewCatalog {
    /// Its name, unique in the tenant; Iceberg clients use it as the `warehouse`.
    pub name: String,
    /// The name of the warehouse holding its data.
    pub warehouse: String,
    /// Its base location; defaults to `<warehouse root>/<catalog name>`.
    pub base_location: Option<String>,
    /// Free-form properties.
    pub properties: BTreeMap<String, String>,
}

impl Service {
    /// Creates a tenant.
    pub async fn create_tenant(
        &self,
        ctx: &RequestContext,
        name: String,
        properties: BTreeMap<String, String>,
    ) -> Result<Tenant> {
        self.authorize_root(ctx)?;
        validate_name("tenant name", &name)?;
        let now = now_millis();
        let tenant = Tenant {
            id: TenantId::generate(),
            name,
            properties,
            created_at: now,
            updated_at: now,
        };
        self.store.create_tenant(&tenant).await?;
        Ok(tenant)
    }

    /// Loads a tenant: any tenant for Root, only their own for everyone else (others are
    /// `NotFound`, so ids do not leak).
    pub async fn get_tenant(&self, ctx: &RequestContext, id: TenantId) -> Result<Tenant> {
        let principal = ctx.principal();
        if !principal.is_root() && principal.tenant_id != Some(id) {
            return Err(Error::not_found(Entity::Tenant, id));
        }
        self.store.get_tenant(id).await
    }

    /// Lists tenants: all for Root, their own for everyone else.
    pub async fn list_tenants(
        &self,
        ctx: &RequestContext,
        page: &PageRequest,
    ) -> Result<Page<Tenant>> {
        match ctx.principal().tenant_id {
            _ if ctx.principal().is_root() => self.store.list_tenants(page).await,
            Some(own) => {
                let tenant = self.store.get_tenant(own).await?;
                let after = page
                    .after
                    .as_deref()
                    .is_some_and(|a| a >= tenant.name.as_str());
                Ok(Page {
                    items: if after { vec![] } else { vec![tenant] },
                    next: None,
                })
            }
            None => Ok(Page {
                items: vec![],
                next: None,
            }),
        }
    }

    /// Replaces a tenant's properties.
    pub async fn update_tenant(
        &self,
        ctx: &RequestContext,
        id: TenantId,
        properties: BTreeMap<String, String>,
    ) -> Result<Tenant> {
        self.authorize_root(ctx)?;
        self.store
            .update_tenant(id, &TenantUpdate { properties })
            .await
    }

    /// The id of the tenant a request names by name or id; `NotFound` if there is none.
    pub async fn resolve_tenant(&self, name_or_id: &str) -> Result<TenantId> {
        if let Ok(id) = name_or_id.parse::<TenantId>() {
            return self.store.get_tenant(id).await.map(|t| t.id);
        }
        self.store
            .get_tenant_by_name(name_or_id)
            .await
            .map(|t| t.id)
    }

    /// Deletes a tenant that owns nothing.
    pub async fn delete_tenant(&self, ctx: &RequestContext, id: TenantId) -> Result<()> {
        self.authorize_root(ctx)?;
        self.store.delete_tenant(id).await?;
        self.forget_default_tenant();
        self.principals.clear();
        Ok(())
    }

    /// Creates a warehouse after checking that the server can write to its storage.
    pub async fn create_warehouse(
        &self,
        ctx: &RequestContext,
        new: NewWarehouse,
    ) -> Result<Warehouse> {
        let tenant = self
            .authorize(ctx, Action::Create, Resource::Tenant)
            .await?;
        validate_name("warehouse name", &new.name)?;
        new.storage.validate()?;
        probe(&ObjectStorage::for_profile(&new.storage)?).await?;
        let now = now_millis();
        let warehouse = Warehouse {
            id: WarehouseId::generate(),
            tenant_id: tenant,
            name: new.name,
            storage: new.storage,
            created_at: now,
            updated_at: now,
        };
        self.store.create_warehouse(&warehouse).await?;
        Ok(warehouse)
    }

    /// Loads a warehouse by name.
    pub async fn get_warehouse(&self, ctx: &RequestContext, name: &str) -> Result<Warehouse> {
        let tenant = self
            .authorize(ctx, Action::Read, Resource::Warehouse(name))
            .await?;
        self.store.get_warehouse_by_name(tenant, name).await
    }

    /// Lists the tenant's warehouses.
    pub async fn list_warehouses(
        &self,
        ctx: &RequestContext,
        page: &PageRequest,
    ) -> Result<Page<Warehouse>> {
        let tenant = ctx.tenant()?;
        let mut listed = self.store.list_warehouses(tenant, page).await?;
        let principal = ctx.principal();
        listed
            .items
            .retain(|w| principal.sees(tenant, &Resource::Warehouse(&w.name)));
        Ok(listed)
    }

    /// Replaces a warehouse's storage profile (credentials, region, endpoint, addressing); the
    /// storage root cannot change.
    pub async fn update_warehouse(
        &self,
        ctx: &RequestContext,
        name: &str,
        storage: StorageProfile,
    ) -> Result<Warehouse> {
        let tenant = self
            .authorize(ctx, Action::Write, Resource::Warehouse(name))
            .await?;
        let current = self.store.get_warehouse_by_name(tenant, name).await?;
        storage.validate()?;
        current.storage.check_replacement(&storage)?;
        probe(&ObjectStorage::for_profile(&storage)?).await?;
        let updated = self
            .store
            .update_warehouse(tenant, current.id, &storage)
            .await?;
        self.files.forget(updated.id);
        Ok(updated)
    }

    /// Deletes a warehouse no catalog uses.
    pub async fn delete_warehouse(&self, ctx: &RequestContext, name: &str) -> Result<()> {
        let tenant = self
            .authorize(ctx, Action::Delete, Resource::Warehouse(name))
            .await?;
        let warehouse = self.store.get_warehouse_by_name(tenant, name).await?;
        self.store
            .delete_warehouse(tenant, warehouse.id)
            .await
            .map_err(|e| match e {
                Error::NotEmpty { entity, detail, .. } => Error::NotEmpty {
                    entity,
                    key: name.to_owned(),
                    detail,
                },
                other => other,
            })?;
        self.files.forget(warehouse.id);
        Ok(())
    }

    /// Creates a catalog in a warehouse. Its base location must lie inside the warehouse and must
    /// not overlap another catalog's.
    pub async fn create_catalog(&self, ctx: &RequestContext, new: NewCatalog) -> Result<Catalog> {
        let tenant = self
            .authorize(ctx, Action::Create, Resource::Warehouse(&new.warehouse))
            .await?;
        validate_catalog_name(&new.name)?;
        let warehouse = self
            .store
            .get_warehouse_by_name(tenant, &new.warehouse)
            .await?;
        let root = warehouse.storage.root_location()?;
        let base_location = match new.base_location {
            Some(base) => base.trim_end_matches('/').to_owned(),
            None => root.join(&path_segment(&new.name))?.to_string(),
        };
        let base = Location::parse(&base_location)?;
        if !base.is_within(&root) {
            return Err(Error::invalid(format!(
                "base-location '{base_location}' is not inside warehouse '{}' ({root})",
                warehouse.name
            )));
        }
        self.check_no_overlap(tenant, &new.name, &base).await?;
        let now = now_millis();
        let catalog = Catalog {
            id: CatalogId::generate(),
            tenant_id: tenant,
            name: new.name,
            warehouse_id: warehouse.id,
            warehouse_name: warehouse.name,
            base_location,
            properties: new.properties,
            created_at: now,
            updated_at: now,
        };
        self.store.create_catalog(&catalog).await?;
        Ok(catalog)
    }

    /// Refuses a base location equal to, inside or around another catalog's: each catalog owns its
    /// subtree alone. (A catalog of the same name is left to the store, which reports the taken
    /// name.)
    async fn check_no_overlap(&self, tenant: TenantId, name: &str, base: &Location) -> Result<()> {
        let mut page = PageRequest::first(PageRequest::MAX_PAGE_SIZE);
        loop {
            let catalogs = self.store.list_catalogs(tenant, &page).await?;
            for other in catalogs.items.iter().filter(|c| c.name != name) {
                let other_base = Location::parse(&other.base_location)?;
                if base.is_within(&other_base) || other_base.is_within(base) {
                    return Err(Error::invalid(format!(
                        "base-location {base} overlaps catalog '{}' ({other_base})",
                        other.name
                    )));
                }
            }
            match catalogs.next {
                Some(token) => {
                    page = PageRequest::from_client(Some(token.as_str()), page.limit)?;
                }
                None => return Ok(()),
            }
        }
    }

    /// Loads a catalog.
    pub async fn get_catalog(&self, ctx: &RequestContext, name: &str) -> Result<Catalog> {
        let tenant = self
            .authorize(ctx, Action::Read, Resource::Catalog(name, None))
            .await?;
        self.store.get_catalog(tenant, name).await
    }

    /// Lists the tenant's catalogs.
    pub async fn list_catalogs(
        &self,
        ctx: &RequestContext,
        page: &PageRequest,
    ) -> Result<Page<Catalog>> {
        let tenant = ctx.tenant()?;
        let mut listed = self.store.list_catalogs(tenant, page).await?;
        let principal = ctx.principal();
        listed.items.retain(|c| {
            principal.sees(tenant, &Resource::Catalog(&c.name, Some(&c.warehouse_name)))
        });
        Ok(listed)
    }

    /// Replaces a catalog's properties.
    pub async fn update_catalog(
        &self,
        ctx: &RequestContext,
        name: &str,
        properties: BTreeMap<String, String>,
    ) -> Result<Catalog> {
        let tenant = self
            .authorize(ctx, Action::Write, Resource::Catalog(name, None))
            .await?;
        self.store
            .update_catalog(tenant, name, &CatalogUpdate { properties })
            .await
    }

    /// Deletes a catalog without namespaces.
    pub async fn delete_catalog(&self, ctx: &RequestContext, name: &str) -> Result<()> {
        let tenant = self
            .authorize(ctx, Action::Delete, Resource::Catalog(name, None))
            .await?;
        self.store.delete_catalog(tenant, name).await
    }

    /// Client configuration defaults for a catalog (`GET /v1/config`): the non-secret settings
    /// clients need to reach its storage (endpoint, region, addressing).
    pub async fn client_defaults(
        &self,
        ctx: &RequestContext,
        catalog: &str,
    ) -> Result<BTreeMap<String, String>> {
        let tenant = ctx.tenant()?;
        let catalog = self.store.get_catalog(tenant, catalog).await?;
        let resource = Resource::Catalog(&catalog.name, Some(&catalog.warehouse_name));
        if !ctx.principal().sees(tenant, &resource) {
            return Err(Error::forbidden(format!(
                "{} may not use {resource}",
                ctx.principal().name
            )));
        }
        let warehouse = self
            .store
            .get_warehouse(tenant, catalog.warehouse_id)
            .await?;
        let mut defaults = BTreeMap::new();
        match &warehouse.storage {
            StorageProfile::File(_) => {}
            StorageProfile::S3(s3) => {
                defaults.insert("s3.region".to_owned(), s3.region.clone());
                defaults.insert("client.region".to_owned(), s3.region.clone());
                if let Some(endpoint) = &s3.endpoint {
                    defaults.insert("s3.endpoint".to_owned(), endpoint.clone());
                }
                if s3.path_style_access {
                    defaults.insert("s3.path-style-access".to_owned(), "true".to_owned());
                }
            }
        }
        Ok(defaults)
    }

    /// The tenant named `name`, if it exists.
    pub async fn find_tenant(&self, name: &str) -> Result<Option<Tenant>> {
        match self.store.get_tenant_by_name(name).await {
            Ok(tenant) => Ok(Some(tenant)),
            Err(Error::NotFound {
                entity: Entity::Tenant,
                ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Writes and deletes a small object at the warehouse root, so a warehouse the server cannot use
/// is refused when it is configured rather than at the first commit.
async fn probe(storage: &ObjectStorage) -> Result<()> {
    let location = format!(
        "{}/.pangolin-probe-{}",
        storage.root().to_string().trim_end_matches('/'),
        Uuid::new_v4().simple()
    );
    let check = async {
        storage
            .write(&location, Bytes::from_static(b"pangolin"))
            .await?;
        storage.delete(&location).await
    };
    check.await.map_err(|e| match e {
        Error::Storage {
            operation, source, ..
        } => Error::invalid(format!(
            "the server cannot {operation} in the warehouse storage ({}): {source}",
            storage.root()
        )),
        other => other,
    })
}
