"""End-to-end tests: PyIceberg's REST catalog client against a running Pangolin server.

Every test runs twice, against the local-file catalog (``[file]``) and the S3 catalog on moto
(``[s3]``). Each test works in namespaces of its own, so tests are independent and may run in any
order.
"""

from __future__ import annotations

import time
from datetime import datetime

import pyarrow as pa
import pytest
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.exceptions import (
    NamespaceAlreadyExistsError,
    NamespaceNotEmptyError,
    NoSuchNamespaceError,
    NoSuchTableError,
    TableAlreadyExistsError,
)
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.table.sorting import NullOrder, SortDirection, SortField, SortOrder
from pyiceberg.transforms import BucketTransform, DayTransform, IdentityTransform
from pyiceberg.types import (
    BooleanType,
    DoubleType,
    LongType,
    NestedField,
    StringType,
    TimestampType,
)

# --------------------------------------------------------------------------------------------------
# Table shape and data
# --------------------------------------------------------------------------------------------------

SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "category", StringType(), required=False),
    NestedField(3, "ts", TimestampType(), required=False),
    NestedField(4, "amount", DoubleType(), required=False),
    NestedField(5, "active", BooleanType(), required=False),
)

ARROW_SCHEMA = pa.schema(
    [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("category", pa.string()),
        pa.field("ts", pa.timestamp("us")),
        pa.field("amount", pa.float64()),
        pa.field("active", pa.bool_()),
    ]
)

# day(ts), identity(category), bucket[4](id)
PARTITION_SPEC = PartitionSpec(
    PartitionField(source_id=3, field_id=1000, transform=DayTransform(), name="ts_day"),
    PartitionField(source_id=2, field_id=1001, transform=IdentityTransform(), name="category"),
    PartitionField(source_id=1, field_id=1002, transform=BucketTransform(num_buckets=4), name="id_bucket"),
)

# amount DESC NULLS LAST, id ASC NULLS FIRST
SORT_ORDER = SortOrder(
    SortField(source_id=4, transform=IdentityTransform(), direction=SortDirection.DESC, null_order=NullOrder.NULLS_LAST),
    SortField(source_id=1, transform=IdentityTransform(), direction=SortDirection.ASC, null_order=NullOrder.NULLS_FIRST),
)

# What load_table must return: (source column, transform, partition field name) and
# (source column, transform, direction, null order).
EXPECTED_SPEC = [("ts", "day", "ts_day"), ("category", "identity", "category"), ("id", "bucket[4]", "id_bucket")]
EXPECTED_SORT = [
    ("amount", "identity", SortDirection.DESC, NullOrder.NULLS_LAST),
    ("id", "identity", SortDirection.ASC, NullOrder.NULLS_FIRST),
]


def row(id: int, category: str | None, ts: datetime | None, amount: float | None, active: bool | None) -> dict:
    return {"id": id, "category": category, "ts": ts, "amount": amount, "active": active}


ROWS_1 = [
    row(1, "books", datetime(2024, 1, 1, 9, 30), 12.5, True),
    row(2, "books", datetime(2024, 1, 1, 17, 0), 7.25, False),
    row(3, "games", datetime(2024, 1, 2, 0, 0), 59.99, True),
    row(4, None, datetime(2024, 1, 3, 12, 0), None, None),
    row(5, "music", None, 0.0, True),
]

ROWS_2 = [
    row(6, "books", datetime(2024, 2, 1, 8, 0), 3.5, True),
    row(7, "garden", datetime(2024, 2, 2, 8, 0), 120.0, False),
]

ROWS_3 = [
    row(10, "music", datetime(2024, 3, 1, 10, 0), 9.99, False),
    row(11, "games", datetime(2024, 3, 2, 11, 0), 19.99, True),
    row(12, "games", datetime(2024, 3, 2, 23, 59, 59), -1.0, None),
]


def arrow(rows: list[dict], schema: pa.Schema = ARROW_SCHEMA) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


def rows_of(table: pa.Table) -> list[dict]:
    """The rows of an Arrow table as dicts, sorted by id (scan order is unspecified)."""
    return sorted(table.to_pylist(), key=lambda r: r["id"])


def by_id(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: r["id"])


def read(table: Table, **scan_args) -> list[dict]:
    return rows_of(table.scan(**scan_args).to_arrow())


def spec_summary(table: Table) -> list[tuple[str, str, str]]:
    schema = table.schema()
    return [(schema.find_column_name(f.source_id), str(f.transform), f.name) for f in table.spec().fields]


def sort_summary(table: Table) -> list[tuple]:
    schema = table.schema()
    return [
        (schema.find_column_name(f.source_id), str(f.transform), f.direction, f.null_order)
        for f in table.sort_order().fields
    ]


def create_sales_table(catalog: RestCatalog, identifier: tuple[str, ...]) -> Table:
    return catalog.create_table(identifier, schema=SCHEMA, partition_spec=PARTITION_SPEC, sort_order=SORT_ORDER)


def wait_until(predicate, timeout_s: float = 15.0, interval_s: float = 0.25):
    """Polls ``predicate`` until it returns a truthy value or the timeout passes; returns the last
    value either way (so the caller's assertion shows what was left)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval_s)


# --------------------------------------------------------------------------------------------------
# Namespaces
# --------------------------------------------------------------------------------------------------


def test_namespace_tree_and_properties(catalog: RestCatalog, unique_name):
    ns = unique_name("ns")
    parent, child, leaf = (ns,), (ns, "child"), (ns, "child", "leaf")

    catalog.create_namespace(parent, properties={"owner": "e2e", "comment": "top"})
    catalog.create_namespace(child)
    catalog.create_namespace(leaf, properties={"level": "3"})

    top_level = catalog.list_namespaces()
    assert parent in top_level
    assert child not in top_level and leaf not in top_level, "list_namespaces() must only return top-level ones"
    assert catalog.list_namespaces(parent) == [child]
    assert catalog.list_namespaces(child) == [leaf]
    assert catalog.list_namespaces(leaf) == []

    for namespace in (parent, child, leaf):
        assert catalog.namespace_exists(namespace), namespace
    assert not catalog.namespace_exists((ns, "missing"))
    assert not catalog.namespace_exists((ns, "child", "leaf", "missing"))

    props = catalog.load_namespace_properties(parent)
    assert props.get("owner") == "e2e" and props.get("comment") == "top", props
    assert catalog.load_namespace_properties(leaf).get("level") == "3"

    summary = catalog.update_namespace_properties(
        parent, removals={"comment", "not-there"}, updates={"owner": "someone-else", "team": "data"}
    )
    assert sorted(summary.removed) == ["comment"]
    assert sorted(summary.updated) == ["owner", "team"]
    assert sorted(summary.missing) == ["not-there"]
    props = catalog.load_namespace_properties(parent)
    assert props.get("owner") == "someone-else" and props.get("team") == "data", props
    assert "comment" not in props, props

    with pytest.raises(NamespaceAlreadyExistsError):
        catalog.create_namespace(child)
    with pytest.raises(NoSuchNamespaceError):
        catalog.load_namespace_properties((ns, "missing"))

    catalog.drop_namespace(leaf)
    assert not catalog.namespace_exists(leaf)
    assert catalog.list_namespaces(child) == []


# --------------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------------


def test_create_partitioned_sorted_table(catalog: RestCatalog, storage, unique_name):
    ns = (unique_name("ns"),)
    catalog.create_namespace(ns)
    identifier = ns + ("sales",)

    created = create_sales_table(catalog, identifier)
    assert spec_summary(created) == EXPECTED_SPEC
    assert sort_summary(created) == EXPECTED_SORT

    loaded = catalog.load_table(identifier)
    assert loaded.metadata.table_uuid == created.metadata.table_uuid
    assert loaded.schema().as_struct() == SCHEMA.as_struct()
    assert spec_summary(loaded) == EXPECTED_SPEC
    assert sort_summary(loaded) == EXPECTED_SORT
    assert loaded.metadata.default_sort_order_id != 0, "the table must not be unsorted"
    assert loaded.current_snapshot() is None
    assert loaded.location().startswith(storage.base_location + "/"), (
        f"table location {loaded.location()} is not under the catalog base location {storage.base_location}"
    )
    assert catalog.table_exists(identifier)
    assert catalog.list_tables(ns) == [identifier]


def test_append_overwrite_and_read_back(catalog: RestCatalog, unique_name):
    ns = (unique_name("ns"),)
    catalog.create_namespace(ns)
    identifier = ns + ("sales",)
    table = create_sales_table(catalog, identifier)

    table.append(arrow(ROWS_1))
    assert read(table) == by_id(ROWS_1)
    assert read(catalog.load_table(identifier)) == by_id(ROWS_1), "a fresh load must see the append"

    table.append(arrow(ROWS_2))
    assert read(catalog.load_table(identifier)) == by_id(ROWS_1 + ROWS_2)

    table.overwrite(arrow(ROWS_3))
    assert read(table) == by_id(ROWS_3)
    reloaded = catalog.load_table(identifier)
    assert read(reloaded) == by_id(ROWS_3), "a fresh load must see the overwrite"
    assert reloaded.current_snapshot().snapshot_id == table.current_snapshot().snapshot_id


def test_schema_evolution(catalog: RestCatalog, unique_name):
    ns = (unique_name("ns"),)
    catalog.create_namespace(ns)
    identifier = ns + ("sales",)
    table = create_sales_table(catalog, identifier)
    table.append(arrow(ROWS_1))
    amount_field_id = table.schema().find_field("amount").field_id
    schema_id_before = table.schema().schema_id

    with table.update_schema() as update:
        update.add_column("note", StringType(), doc="free text")
        update.rename_column("amount", "price")

    reloaded = catalog.load_table(identifier)
    schema = reloaded.schema()
    assert schema.schema_id != schema_id_before
    assert [f.name for f in schema.fields] == ["id", "category", "ts", "price", "active", "note"]
    assert schema.find_field("price").field_id == amount_field_id, "a rename keeps the field id"
    assert schema.find_field("note").doc == "free text"

    new_arrow_schema = pa.schema(
        [
            pa.field("id", pa.int64(), nullable=False),
            pa.field("category", pa.string()),
            pa.field("ts", pa.timestamp("us")),
            pa.field("price", pa.float64()),
            pa.field("active", pa.bool_()),
            pa.field("note", pa.string()),
        ]
    )
    new_rows = [
        {"id": 20, "category": "books", "ts": datetime(2024, 4, 1, 12), "price": 5.0, "active": True, "note": "new"},
        {"id": 21, "category": None, "ts": None, "price": None, "active": False, "note": None},
    ]
    reloaded.append(pa.Table.from_pylist(new_rows, schema=new_arrow_schema))

    old_rows_evolved = [
        {"id": r["id"], "category": r["category"], "ts": r["ts"], "price": r["amount"], "active": r["active"], "note": None}
        for r in ROWS_1
    ]
    assert read(catalog.load_table(identifier)) == by_id(old_rows_evolved + new_rows)


def test_time_travel(catalog: RestCatalog, unique_name):
    ns = (unique_name("ns"),)
    catalog.create_namespace(ns)
    identifier = ns + ("sales",)
    table = create_sales_table(catalog, identifier)

    table.append(arrow(ROWS_1))
    s1 = table.current_snapshot().snapshot_id
    table.append(arrow(ROWS_2))
    s2 = table.current_snapshot().snapshot_id
    table.overwrite(arrow(ROWS_3))
    s3 = table.current_snapshot().snapshot_id
    assert len({s1, s2, s3}) == 3

    reloaded = catalog.load_table(identifier)
    snapshot_ids = [s.snapshot_id for s in reloaded.snapshots()]
    assert {s1, s2, s3} <= set(snapshot_ids), snapshot_ids
    assert reloaded.snapshot_by_id(s2).parent_snapshot_id == s1
    assert reloaded.metadata.refs["main"].snapshot_id == s3
    assert [entry.snapshot_id for entry in reloaded.history()][:2] == [s1, s2]

    assert read(reloaded, snapshot_id=s1) == by_id(ROWS_1)
    assert read(reloaded, snapshot_id=s2) == by_id(ROWS_1 + ROWS_2)
    assert read(reloaded, snapshot_id=s3) == by_id(ROWS_3)
    assert read(reloaded) == by_id(ROWS_3)


def test_rename_table_across_namespaces(catalog: RestCatalog, unique_name):
    src_ns, dst_ns = (unique_name("src"),), (unique_name("dst"), "inner")
    catalog.create_namespace(src_ns)
    catalog.create_namespace(dst_ns[:1])
    catalog.create_namespace(dst_ns)
    old, new = src_ns + ("sales",), dst_ns + ("sales_renamed",)
    table = create_sales_table(catalog, old)
    table.append(arrow(ROWS_1))
    uuid_before = table.metadata.table_uuid

    catalog.rename_table(old, new)

    assert not catalog.table_exists(old)
    with pytest.raises(NoSuchTableError):
        catalog.load_table(old)
    assert catalog.list_tables(src_ns) == []
    assert catalog.list_tables(dst_ns) == [new]
    renamed = catalog.load_table(new)
    assert renamed.metadata.table_uuid == uuid_before
    assert read(renamed) == by_id(ROWS_1)

    renamed.append(arrow(ROWS_2))
    assert read(catalog.load_table(new)) == by_id(ROWS_1 + ROWS_2), "the renamed table accepts commits"


def test_staged_create_table_transaction(catalog: RestCatalog, unique_name):
    ns = (unique_name("ns"),)
    catalog.create_namespace(ns)
    identifier = ns + ("staged",)

    with catalog.create_table_transaction(
        identifier, schema=SCHEMA, partition_spec=PARTITION_SPEC, sort_order=SORT_ORDER
    ) as txn:
        txn.append(arrow(ROWS_1))
        assert not catalog.table_exists(identifier), "a staged table must not be visible before commit"

    assert catalog.table_exists(identifier)
    table = catalog.load_table(identifier)
    assert spec_summary(table) == EXPECTED_SPEC
    assert sort_summary(table) == EXPECTED_SORT
    assert len(table.snapshots()) == 1
    assert read(table) == by_id(ROWS_1)


def test_purge_table_deletes_files(catalog: RestCatalog, storage, unique_name):
    ns = (unique_name("ns"),)
    catalog.create_namespace(ns)
    identifier = ns + ("doomed",)
    table = create_sales_table(catalog, identifier)
    table.append(arrow(ROWS_1))
    table.append(arrow(ROWS_2))
    table.overwrite(arrow(ROWS_3))
    location = table.location()

    files = storage.list_files(location)
    assert any(f.endswith(".parquet") for f in files), files
    assert any(f.endswith(".metadata.json") for f in files), files
    assert any(f.endswith(".avro") for f in files), files

    catalog.purge_table(identifier)

    assert not catalog.table_exists(identifier)
    with pytest.raises(NoSuchTableError):
        catalog.load_table(identifier)
    # The server may purge in the background; give it a little time.
    wait_until(lambda: not storage.list_files(location))
    left = storage.list_files(location)
    assert left == [], f"files left under {location} after purge: {left}"


def test_drop_table_without_purge_keeps_files(catalog: RestCatalog, storage, unique_name):
    ns = (unique_name("ns"),)
    catalog.create_namespace(ns)
    identifier = ns + ("kept",)
    table = create_sales_table(catalog, identifier)
    table.append(arrow(ROWS_1))
    location = table.location()
    metadata_location = table.metadata_location
    files_before = storage.list_files(location)
    data_files = [f for f in files_before if f.endswith(".parquet")]
    assert data_files, files_before

    catalog.drop_table(identifier)

    assert not catalog.table_exists(identifier)
    with pytest.raises(NoSuchTableError):
        catalog.load_table(identifier)
    assert catalog.list_tables(ns) == []
    time.sleep(1)  # would a (wrong) background purge delete anything?
    files_after = storage.list_files(location)
    missing = sorted(set(files_before) - set(files_after))
    assert not missing, f"drop without purge deleted files: {missing}"
    assert normalize(metadata_location) in {normalize(f) for f in files_after}


def normalize(location: str) -> str:
    """``file:/x`` and ``file:///x`` are the same location."""
    if location.startswith("file:") and not location.startswith("file://"):
        return "file://" + location[len("file:") :]
    return location


def test_error_cases(catalog: RestCatalog, unique_name):
    ns = (unique_name("ns"),)
    catalog.create_namespace(ns)
    identifier = ns + ("t",)
    create_sales_table(catalog, identifier)

    with pytest.raises(NamespaceNotEmptyError):
        catalog.drop_namespace(ns)
    assert catalog.namespace_exists(ns)

    with pytest.raises(TableAlreadyExistsError):
        create_sales_table(catalog, identifier)

    with pytest.raises(NoSuchTableError):
        catalog.load_table(ns + ("missing",))
    with pytest.raises(NoSuchTableError):
        catalog.load_table((unique_name("no_such_ns"), "t"))
    with pytest.raises(NoSuchNamespaceError):
        catalog.create_table((unique_name("no_such_ns"), "t"), schema=SCHEMA)

    catalog.drop_table(identifier)
    catalog.drop_namespace(ns)
    assert not catalog.namespace_exists(ns)
