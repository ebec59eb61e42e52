-- Identity, access and audit (migrations/postgres holds the same for PostgreSQL).
--
-- Root users and their tokens belong to no tenant: `tenant_id` is NULL and `tenant_scope` is
-- 'root'; for everyone else `tenant_scope` repeats `tenant_id`. Lookups and uniqueness use
-- `tenant_scope` (NULLs never compare equal), the foreign key uses `tenant_id`.
-- Identities belong to their tenant: deleting a tenant, user or role cascades to what hangs off it.
-- Grants reference the object they cover by foreign key, so dropping the object drops its grants.
-- Active flags are stored as the time of deactivation (NULL while active).

CREATE TABLE users (
    id              TEXT PRIMARY KEY NOT NULL,
    tenant_id       TEXT REFERENCES tenants (id) ON DELETE CASCADE,
    tenant_scope    TEXT NOT NULL CHECK (tenant_scope = coalesce(tenant_id, 'root')),
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('human', 'service')),
    role            TEXT NOT NULL CHECK (role IN ('root', 'tenant-admin', 'tenant-user')),
    email           TEXT,
    password_hash   TEXT,
    deactivated_at  INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (tenant_scope, name)
) STRICT;
CREATE INDEX users_by_tenant ON users (tenant_id);

-- Only the SHA-256 of a key's secret is kept; the secret is 256 random bits, so a fast hash is
-- enough (unlike passwords, which use argon2id).
CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY NOT NULL,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    secret_hash     TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER,
    last_used_at    INTEGER,
    deactivated_at  INTEGER
) STRICT;
CREATE INDEX api_keys_by_user ON api_keys (user_id, id);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id);

CREATE TABLE roles (
    id           TEXT PRIMARY KEY NOT NULL,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (tenant_id, name)
) STRICT;

CREATE TABLE role_assignments (
    role_id    TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id  TEXT NOT NULL,
    PRIMARY KEY (role_id, user_id)
) STRICT;
CREATE INDEX role_assignments_by_user ON role_assignments (user_id, role_id);

-- A grant has exactly one grantee (a user or a role) and one scope. `catalog_id` is also set for
-- namespace and table/view scopes, so a grant resolves to names with one join per level.
-- `grantee_key` and `scope_key` make "the same grant twice" a unique violation.
CREATE TABLE grants (
    id            TEXT PRIMARY KEY NOT NULL,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id       TEXT REFERENCES users (id) ON DELETE CASCADE,
    role_id       TEXT REFERENCES roles (id) ON DELETE CASCADE,
    action        TEXT NOT NULL
        CHECK (action IN ('list', 'read', 'create', 'write', 'delete', 'manage-grants')),
    scope_type    TEXT NOT NULL
        CHECK (scope_type IN ('tenant', 'warehouse', 'catalog', 'namespace', 'tabular')),
    warehouse_id  TEXT REFERENCES warehouses (id) ON DELETE CASCADE,
    catalog_id    TEXT REFERENCES catalogs (id) ON DELETE CASCADE,
    namespace_id  TEXT REFERENCES namespaces (id) ON DELETE CASCADE,
    tabular_id    TEXT REFERENCES tabulars (id) ON DELETE CASCADE,
    grantee_key   TEXT NOT NULL,
    scope_key     TEXT NOT NULL,
    granted_by    TEXT,
    created_at    INTEGER NOT NULL,
    CHECK ((user_id IS NULL) <> (role_id IS NULL)),
    UNIQUE (tenant_id, grantee_key, action, scope_key)
) STRICT;
CREATE INDEX grants_by_tenant ON grants (tenant_id, id);
CREATE INDEX grants_by_user ON grants (user_id, id);
CREATE INDEX grants_by_role ON grants (role_id, id);
CREATE INDEX grants_by_warehouse ON grants (warehouse_id);
CREATE INDEX grants_by_catalog ON grants (catalog_id);
CREATE INDEX grants_by_namespace ON grants (namespace_id);
CREATE INDEX grants_by_tabular ON grants (tabular_id);

-- One row per issued token (never the token), kept until it expires so revocations reach every
-- server instance.
CREATE TABLE tokens (
    id            TEXT PRIMARY KEY NOT NULL,
    tenant_id     TEXT REFERENCES tenants (id) ON DELETE CASCADE,
    tenant_scope  TEXT NOT NULL CHECK (tenant_scope = coalesce(tenant_id, 'root')),
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('login', 'oauth', 'issued')),
    description   TEXT,
    issued_at     INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    revoked_at    INTEGER
) STRICT;
CREATE INDEX tokens_by_user ON tokens (user_id, id);
CREATE INDEX tokens_by_tenant ON tokens (tenant_id);
CREATE INDEX tokens_by_expiry ON tokens (expires_at);

-- The audit log outlives what it describes: no foreign keys.
CREATE TABLE audit_events (
    id              TEXT PRIMARY KEY NOT NULL,
    at              INTEGER NOT NULL,
    tenant_id       TEXT,
    principal_id    TEXT,
    principal_name  TEXT,
    action          TEXT NOT NULL,
    resource_type   TEXT,
    resource_id     TEXT,
    resource_name   TEXT,
    result          TEXT NOT NULL CHECK (result IN ('success', 'failure', 'denied')),
    error           TEXT,
    ip              TEXT,
    user_agent      TEXT,
    request_id      TEXT
) STRICT;
-- Root queries the whole log: every filter has an index of its own.
CREATE INDEX audit_events_by_tenant ON audit_events (tenant_id, id);
CREATE INDEX audit_events_by_principal ON audit_events (principal_id, id);
CREATE INDEX audit_events_by_action ON audit_events (action, id);
CREATE INDEX audit_events_by_resource ON audit_events (resource_type, resource_id, id);
CREATE INDEX audit_events_by_resource_name ON audit_events (resource_name, id);
CREATE INDEX audit_events_by_result ON audit_events (result, id);
CREATE INDEX audit_events_by_time ON audit_events (at);
