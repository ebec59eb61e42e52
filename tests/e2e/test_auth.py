"""Authentication and authorization end to end, with the real PyIceberg client.

Root (logged in by the session fixture) creates people and service users in the tenant ``default``
through the management API, grants them rights on the bootstrapped local-file catalog ``default``
and issues API keys; PyIceberg then authenticates as them: with a token from
``POST /api/v1/users/login`` (``token=``), with an API key's client id and secret through the
OAuth2 token endpoint (``credential=``), or with the API key itself as bearer token. Every user and
namespace has a unique name, so the tests are independent of each other and of the order they run
in.
"""

from __future__ import annotations

import pyarrow as pa
import pytest
import requests
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.exceptions import ForbiddenError, OAuthError, UnauthorizedError

from conftest import ROOT_USER, PangolinServer, bearer_session, expect, record_exchanges

CATALOG = "default"  # the local-file catalog the server bootstraps in the tenant `default`
TENANT = "default"
CATALOG_SCOPE = {"type": "catalog", "catalog": CATALOG}

ROWS = pa.table(
    {
        "id": pa.array([1, 2, 3], pa.int64()),
        "name": pa.array(["ada", "grace", "edsger"], pa.string()),
    }
)
MORE_ROWS = pa.table({"id": pa.array([4], pa.int64()), "name": pa.array(["barbara"], pa.string())})


# --------------------------------------------------------------------------------------------------
# Management API helpers (as root)
# --------------------------------------------------------------------------------------------------


def create_user(pangolin: PangolinServer, name: str, kind: str, role: str, password: str | None = None) -> dict:
    """``POST /api/v1/users`` in the tenant root acts in (``default``)."""
    body = {"name": name, "kind": kind, "role": role}
    if password is not None:
        body["password"] = password
    response = pangolin.api("POST", "/api/v1/users", json=body)
    expect(response, 201, f"create {kind} user {name}")
    user = response.json()
    assert {k: user.get(k) for k in ("name", "kind", "role", "active")} == {
        "name": name,
        "kind": kind,
        "role": role,
        "active": True,
    }, user
    assert user.get("id"), user
    assert "password" not in user and "password-hash" not in user, user
    return user


def grant(pangolin: PangolinServer, user: dict, action: str, scope: dict) -> dict:
    """``POST /api/v1/grants``."""
    response = pangolin.api("POST", "/api/v1/grants", json={"user": user["id"], "action": action, "scope": scope})
    expect(response, 201, f"grant {action} on {scope} to {user['name']}")
    return response.json()


def create_api_key(pangolin: PangolinServer, user: dict) -> dict:
    """``POST /api/v1/users/{id}/api-keys``: the only response that shows the secret."""
    response = pangolin.api("POST", f"/api/v1/users/{user['id']}/api-keys", json={"name": f"{user['name']}-key"})
    expect(response, 201, f"create an API key for {user['name']}")
    key = response.json()
    client_id, client_secret, full = key.get("client-id"), key.get("client-secret"), key.get("key")
    assert client_id and client_secret and full, key
    assert full.startswith("pgl_") and client_id in full and full.endswith(f"_{client_secret}"), key
    return key


def catalog_as(pangolin: PangolinServer, exchanges: list[str], **auth: str) -> RestCatalog:
    """A PyIceberg client for the catalog ``default`` with the given authentication properties."""
    catalog = RestCatalog("pangolin", uri=pangolin.url, warehouse=CATALOG, **auth)
    record_exchanges(catalog, exchanges)
    return catalog


def assert_error(response: requests.Response, status: int, error_type: str) -> dict:
    """The response is an Iceberg error with this status and type; its ``error`` object."""
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    error = response.json()["error"]
    assert error["code"] == status, error
    assert error["type"] == error_type, error
    assert error["message"], error
    return error


def write_and_read_back(catalog: RestCatalog, namespace: str) -> None:
    """Creates a namespace and a table, appends twice and scans, through ``catalog``."""
    catalog.create_namespace(namespace)
    identifier = f"{namespace}.people"
    table = catalog.create_table(identifier, schema=ROWS.schema)
    table.append(ROWS)
    table.append(MORE_ROWS)
    read = catalog.load_table(identifier).scan().to_arrow().sort_by("id")
    assert read.to_pydict() == pa.concat_tables([ROWS, MORE_ROWS]).to_pydict()
    assert (namespace,) in catalog.list_namespaces()
    assert (namespace, "people") in catalog.list_tables(namespace)


# --------------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/v1/config?warehouse={CATALOG}"),
        ("GET", f"/v1/{CATALOG}/namespaces"),
        ("POST", f"/v1/{CATALOG}/namespaces"),
        ("GET", "/api/v1/catalogs"),
        ("GET", "/api/v1/users/me"),
    ],
)
def test_anonymous_requests_get_401(pangolin: PangolinServer, method: str, path: str):
    body = {"namespace": ["anonymous"]} if method == "POST" else None
    assert_error(pangolin.anonymous(method, path, json=body), 401, "NotAuthorizedException")
    # A malformed or forged token is no better than none.
    for header in ("Bearer not-a-token", "Basic cm9vdDpyb290", f"Bearer {pangolin.root_token}x"):
        response = pangolin.anonymous(method, path, json=body, headers={"Authorization": header})
        assert_error(response, 401, "NotAuthorizedException")


def test_health_checks_need_no_credentials(pangolin: PangolinServer):
    for path in ("/health/live", "/health/ready"):
        assert pangolin.anonymous("GET", path).status_code == 200


def test_pyiceberg_without_credentials_is_unauthorized(pangolin: PangolinServer):
    with pytest.raises(UnauthorizedError):
        RestCatalog("pangolin", uri=pangolin.url, warehouse=CATALOG)


def test_root_session(pangolin: PangolinServer):
    me = pangolin.api("GET", "/api/v1/users/me")
    expect(me, 200, "GET /api/v1/users/me as root")
    assert me.json()["name"] == ROOT_USER and me.json()["role"] == "root", me.json()


def test_wrong_password_gets_401(pangolin: PangolinServer, unique_name):
    # A user of its own, so the failed attempts cannot rate-limit logins of other tests.
    name = unique_name("locked")
    password = f"pw-{unique_name('secret')}"
    create_user(pangolin, name, "human", "tenant-user", password=password)
    for body in (
        {"tenant": TENANT, "username": name, "password": password + "x"},
        {"tenant": "no-such-tenant", "username": name, "password": password},
        {"username": name, "password": password},  # no tenant: a Root user of that name
    ):
        response = pangolin.anonymous("POST", "/api/v1/users/login", json=body)
        assert_error(response, 401, "NotAuthorizedException")


def test_service_user_with_client_credentials(pangolin: PangolinServer, exchanges: list[str], unique_name):
    user = create_user(pangolin, unique_name("etl"), "service", "tenant-user")
    grant(pangolin, user, "write", CATALOG_SCOPE)
    grant(pangolin, user, "create", CATALOG_SCOPE)
    key = create_api_key(pangolin, user)

    # PyIceberg exchanges client id and secret for a token at the OAuth2 endpoint.
    catalog = catalog_as(
        pangolin,
        exchanges,
        credential=f"{key['client-id']}:{key['client-secret']}",
        **{"oauth2-server-uri": f"{pangolin.url}/v1/oauth/tokens"},
    )
    namespace = unique_name("svc")
    write_and_read_back(catalog, namespace)

    # The key itself works as a bearer token and in X-API-Key.
    as_key = catalog_as(pangolin, exchanges, token=key["key"])
    assert (namespace, "people") in as_key.list_tables(namespace)
    me = requests.get(f"{pangolin.url}/api/v1/users/me", headers={"X-API-Key": key["key"]}, timeout=30)
    expect(me, 200, "GET /api/v1/users/me with X-API-Key")
    assert me.json()["id"] == user["id"] and me.json()["kind"] == "service", me.json()

    # Service users have no password: they cannot log in.
    login = pangolin.anonymous(
        "POST", "/api/v1/users/login", json={"tenant": TENANT, "username": user["name"], "password": key["key"]}
    )
    assert_error(login, 401, "NotAuthorizedException")


@pytest.mark.filterwarnings("ignore:.*OAuth2 server URI.*:DeprecationWarning")
def test_credential_with_pyiceberg_default_token_endpoint(pangolin: PangolinServer, exchanges: list[str], unique_name):
    """Without ``oauth2-server-uri`` PyIceberg 0.12 falls back (deprecated) to
    ``{uri}/v1/oauth/tokens``, sending ``scope=catalog``."""
    user = create_user(pangolin, unique_name("etl"), "service", "tenant-user")
    grant(pangolin, user, "read", CATALOG_SCOPE)
    key = create_api_key(pangolin, user)
    catalog = catalog_as(pangolin, exchanges, credential=f"{key['client-id']}:{key['client-secret']}")
    catalog.list_namespaces()


def test_wrong_client_secret_is_an_oauth_error(pangolin: PangolinServer, unique_name):
    user = create_user(pangolin, unique_name("etl"), "service", "tenant-user")
    key = create_api_key(pangolin, user)
    response = pangolin.anonymous(
        "POST",
        "/v1/oauth/tokens",
        data={"grant_type": "client_credentials", "client_id": key["client-id"], "client_secret": "wrong"},
    )
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client", response.text
    with pytest.raises(OAuthError):
        RestCatalog(
            "pangolin",
            uri=pangolin.url,
            warehouse=CATALOG,
            credential=f"{key['client-id']}:wrong",
            **{"oauth2-server-uri": f"{pangolin.url}/v1/oauth/tokens"},
        )


def test_human_tenant_user_with_login_token(pangolin: PangolinServer, exchanges: list[str], unique_name):
    password = f"pw-{unique_name('secret')}"
    user = create_user(pangolin, unique_name("analyst"), "human", "tenant-user", password=password)
    grant(pangolin, user, "write", CATALOG_SCOPE)
    grant(pangolin, user, "create", CATALOG_SCOPE)

    token = pangolin.login(user["name"], password, tenant=TENANT)
    with bearer_session(token) as session:
        me = session.get(f"{pangolin.url}/api/v1/users/me", timeout=30)
    expect(me, 200, "GET /api/v1/users/me as the new user")
    assert me.json()["id"] == user["id"] and me.json()["kind"] == "human", me.json()

    write_and_read_back(catalog_as(pangolin, exchanges, token=token), unique_name("human"))


def test_read_only_user_can_scan_but_not_append(pangolin: PangolinServer, exchanges: list[str], unique_name):
    # Root creates and fills the table.
    root = catalog_as(pangolin, exchanges, token=pangolin.root_token)
    namespace = unique_name("shared")
    identifier = f"{namespace}.people"
    root.create_namespace(namespace)
    root.create_table(identifier, schema=ROWS.schema).append(ROWS)
    snapshots = [s.snapshot_id for s in root.load_table(identifier).snapshots()]

    password = f"pw-{unique_name('secret')}"
    user = create_user(pangolin, unique_name("reader"), "human", "tenant-user", password=password)
    grant(pangolin, user, "read", CATALOG_SCOPE)
    reader = catalog_as(pangolin, exchanges, token=pangolin.login(user["name"], password, tenant=TENANT))

    assert (namespace,) in reader.list_namespaces()
    assert (namespace, "people") in reader.list_tables(namespace)
    table = reader.load_table(identifier)
    assert table.scan().to_arrow().sort_by("id").to_pydict() == ROWS.to_pydict()

    with pytest.raises(ForbiddenError):
        table.append(MORE_ROWS)
    with pytest.raises(ForbiddenError):
        reader.create_namespace(unique_name("denied"))
    with pytest.raises(ForbiddenError):
        reader.create_table(f"{namespace}.denied", schema=ROWS.schema)
    with pytest.raises(ForbiddenError):
        reader.drop_table(identifier)

    # The refused writes changed nothing, and the refusal is an Iceberg error response.
    after = root.load_table(identifier)
    assert [s.snapshot_id for s in after.snapshots()] == snapshots
    assert after.scan().to_arrow().sort_by("id").to_pydict() == ROWS.to_pydict()
    assert any(" -> 403\n" in exchange and "ForbiddenException" in exchange for exchange in exchanges), exchanges


def test_user_without_grants_sees_nothing(pangolin: PangolinServer, unique_name):
    user = create_user(pangolin, unique_name("nobody"), "service", "tenant-user")
    key = create_api_key(pangolin, user)
    # Even the catalog's configuration is refused: the catalog is not visible to the user.
    with pytest.raises(ForbiddenError):
        RestCatalog("pangolin", uri=pangolin.url, warehouse=CATALOG, token=key["key"])
    headers = {"X-API-Key": key["key"]}
    assert_error(pangolin.anonymous("GET", f"/v1/{CATALOG}/namespaces", headers=headers), 403, "ForbiddenException")
    create = pangolin.anonymous(
        "POST", f"/v1/{CATALOG}/namespaces", headers=headers, json={"namespace": [unique_name("denied")]}
    )
    assert_error(create, 403, "ForbiddenException")


def test_logout_revokes_the_token(pangolin: PangolinServer, exchanges: list[str]):
    # A second root session, so the suite's own token stays valid.
    token = pangolin.login(ROOT_USER, pangolin.root_password)
    catalog = catalog_as(pangolin, exchanges, token=token)
    catalog.list_namespaces()

    with bearer_session(token) as session:
        logout = session.post(f"{pangolin.url}/api/v1/users/logout", timeout=30)
        assert logout.status_code == 204, logout.text
        assert_error(session.get(f"{pangolin.url}/api/v1/users/me", timeout=30), 401, "NotAuthorizedException")
        assert_error(session.get(f"{pangolin.url}/v1/{CATALOG}/namespaces", timeout=30), 401, "NotAuthorizedException")

    with pytest.raises(UnauthorizedError):
        catalog.list_namespaces()
    with pytest.raises(UnauthorizedError):
        RestCatalog("pangolin", uri=pangolin.url, warehouse=CATALOG, token=token)

    # Other sessions of the same user are unaffected.
    expect(pangolin.api("GET", "/api/v1/users/me"), 200, "GET /api/v1/users/me with the suite's root token")
