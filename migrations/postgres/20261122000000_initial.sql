-- Pangolin's initial PostgreSQL schema, the same as migrations/sqlite. Never schema-qualified: a
-- deployment chooses its schema with search_path. Names use the "C" collation so ordering and
-- keyset pagination compare bytes, exactly as SQLite and the in-memory store do. Ids are UUIDv7
-- strings, timestamps milliseconds since the Unix epoch, JSON is stored as text (it is written and
-- read whole, never queried inside). Foreign keys (NO ACTION) make "a non-empty namespace, catalog,
-- warehouse or tenant cannot be deleted" hold under concurrency; every referencing column is
-- indexed so those checks never scan.

CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    name        TEXT COLLATE "C" NOT NULL UNIQUE,
    properties  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE warehouses (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    name        TEXT COLLATE "C" NOT NULL,
    storage     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE catalogs (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    name           TEXT COLLATE "C" NOT NULL,
    warehouse_id   TEXT NOT NULL REFERENCES warehouses (id),
    base_location  TEXT NOT NULL,
    properties     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);
CREATE INDEX catalogs_by_warehouse ON catalogs (warehouse_id);

CREATE TABLE namespaces (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    catalog_id   TEXT NOT NULL REFERENCES catalogs (id),
    parent_id    TEXT REFERENCES namespaces (id),
    path         TEXT COLLATE "C" NOT NULL,
    parent_path  TEXT COLLATE "C" NOT NULL,
    name         TEXT COLLATE "C" NOT NULL,
    properties   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (catalog_id, path)
);
CREATE INDEX namespaces_children ON namespaces (catalog_id, parent_path, name);
CREATE INDEX namespaces_by_parent ON namespaces (parent_id);

CREATE TABLE tabulars (
    id                 TEXT PRIMARY KEY,
    tenant_id          TEXT NOT NULL,
    catalog_id         TEXT NOT NULL REFERENCES catalogs (id),
    namespace_id       TEXT NOT NULL REFERENCES namespaces (id),
    namespace_path     TEXT COLLATE "C" NOT NULL,
    name               TEXT COLLATE "C" NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('table', 'view')),
    metadata_location  TEXT NOT NULL,
    metadata           TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    UNIQUE (catalog_id, namespace_path, name)
);
CREATE INDEX tabulars_listing ON tabulars (namespace_id, kind, name);

CREATE TABLE metrics_reports (
    id           TEXT COLLATE "C" PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    tabular_id   TEXT NOT NULL REFERENCES tabulars (id) ON DELETE CASCADE,
    report_type  TEXT NOT NULL,
    report       TEXT NOT NULL,
    received_at  BIGINT NOT NULL
);
CREATE INDEX metrics_reports_by_tabular ON metrics_reports (tabular_id, id);
