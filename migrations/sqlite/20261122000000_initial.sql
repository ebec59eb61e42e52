-- Pangolin's initial SQLite schema (migrations/postgres holds the same for PostgreSQL). Ids are
-- UUIDv7 strings (they sort by creation time), timestamps are milliseconds since the Unix epoch,
-- property maps and storage profiles are JSON text. `tenant_id` is repeated on every tenant-owned
-- row so every query is scoped by tenant; only tenants, warehouses and catalogs reference the
-- tenant by foreign key (the rest are reached through their catalog).
-- Referential integrity is enforced by foreign keys (NO ACTION: a delete with dependents fails),
-- which is what makes "a non-empty namespace/catalog/warehouse/tenant cannot be deleted" race-free.

CREATE TABLE tenants (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL UNIQUE,
    properties  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE warehouses (
    id          TEXT PRIMARY KEY NOT NULL,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    name        TEXT NOT NULL,
    storage     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (tenant_id, name)
) STRICT;

CREATE TABLE catalogs (
    id             TEXT PRIMARY KEY NOT NULL,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    name           TEXT NOT NULL,
    warehouse_id   TEXT NOT NULL REFERENCES warehouses (id),
    base_location  TEXT NOT NULL,
    properties     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (tenant_id, name)
) STRICT;
CREATE INDEX catalogs_by_warehouse ON catalogs (warehouse_id);

-- `path` is the full name with levels joined by 0x1F; `parent_path` the same for the parent ('' at
-- the top level); `name` the last level. Children are listed by (catalog_id, parent_path, name).
CREATE TABLE namespaces (
    id           TEXT PRIMARY KEY NOT NULL,
    tenant_id    TEXT NOT NULL,
    catalog_id   TEXT NOT NULL REFERENCES catalogs (id),
    parent_id    TEXT REFERENCES namespaces (id),
    path         TEXT NOT NULL,
    parent_path  TEXT NOT NULL,
    name         TEXT NOT NULL,
    properties   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (catalog_id, path)
) STRICT;
CREATE INDEX namespaces_children ON namespaces (catalog_id, parent_path, name);
CREATE INDEX namespaces_by_parent ON namespaces (parent_id);

-- Tables and views share one identifier space: the unique key ignores `kind`. The current metadata
-- JSON is stored with its location so loading a table never reads object storage.
CREATE TABLE tabulars (
    id                 TEXT PRIMARY KEY NOT NULL,
    tenant_id          TEXT NOT NULL,
    catalog_id         TEXT NOT NULL REFERENCES catalogs (id),
    namespace_id       TEXT NOT NULL REFERENCES namespaces (id),
    namespace_path     TEXT NOT NULL,
    name               TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('table', 'view')),
    metadata_location  TEXT NOT NULL,
    metadata           TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    UNIQUE (catalog_id, namespace_path, name)
) STRICT;
CREATE INDEX tabulars_listing ON tabulars (namespace_id, kind, name);

CREATE TABLE metrics_reports (
    id           TEXT PRIMARY KEY NOT NULL,
    tenant_id    TEXT NOT NULL,
    tabular_id   TEXT NOT NULL REFERENCES tabulars (id) ON DELETE CASCADE,
    report_type  TEXT NOT NULL,
    report       TEXT NOT NULL,
    received_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX metrics_reports_by_tabular ON metrics_reports (tabular_id, id);
