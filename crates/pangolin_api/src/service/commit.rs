//! Applying a table commit: a pure function over the `iceberg` crate's types, unit-tested without
//! a store or object storage.

use std::collections::HashMap;

use iceberg::spec::{
    FormatVersion, SortOrder, TableMetadata, TableMetadataBuilder, UnboundPartitionSpec,
};
use iceberg::{ErrorKind, TableRequirement, TableUpdate};
use pangolin_core::{Error, Result};
use serde::Deserialize;

/// A commit to one table as a client sends it: requirements checked against the current metadata,
/// then updates applied in order. Unknown requirement or update types fail deserialization (400).
#[derive(Clone, Debug, Deserialize)]
pub struct TableChange {
    /// Assertions about the current metadata.
    #[serde(default)]
    pub requirements: Vec<TableRequirement>,
    /// Changes to apply.
    #[serde(default)]
    pub updates: Vec<TableUpdate>,
}

impl TableChange {
    /// Whether this commit creates the table (it carries `assert-create`).
    pub fn is_create(&self) -> bool {
        self.requirements
            .iter()
            .any(|r| matches!(r, TableRequirement::NotExist))
    }
}

/// The outcome of a commit: the new metadata and the metadata files its log no longer lists.
#[derive(Debug)]
pub struct AppliedCommit {
    /// The new metadata.
    pub metadata: TableMetadata,
    /// Metadata files dropped from the metadata log (`write.metadata.previous-versions-max`).
    pub expired_metadata_files: Vec<String>,
}

/// Applies `change` to the current metadata (at `current.1`), or builds a new table from the
/// updates when `current` is `None` (a create transaction), placing it at `default_location` unless
/// the updates set a location. Requirement failures are `Conflict`; invalid updates `InvalidInput`.
pub fn apply_table_commit(
    current: Option<(&TableMetadata, &str)>,
    change: &TableChange,
    default_location: impl FnOnce() -> String,
) -> Result<AppliedCommit> {
    for requirement in &change.requirements {
        requirement
            .check(current.map(|(metadata, _)| metadata))
            .map_err(requirement_failed)?;
    }
    let mut builder = match current {
        Some((metadata, location)) => metadata.clone().into_builder(Some(location.to_owned())),
        None => empty_table(&change.updates, default_location)?,
    };
    for update in &change.updates {
        builder = update.clone().apply(builder).map_err(invalid_update)?;
    }
    let built = builder.build().map_err(invalid_update)?;
    Ok(AppliedCommit {
        metadata: built.metadata,
        expired_metadata_files: built
            .expired_metadata_logs
            .into_iter()
            .map(|log| log.metadata_file)
            .collect(),
    })
}

/// The starting point of a create transaction: a table built from the first schema, partition
/// spec, sort order, format version and location among the updates. Replaying the updates on it
/// then reuses those ids, so the result matches what `stage-create` returned to the client.
fn empty_table(
    updates: &[TableUpdate],
    default_location: impl FnOnce() -> String,
) -> Result<TableMetadataBuilder> {
    let schema = updates
        .iter()
        .find_map(|u| match u {
            TableUpdate::AddSchema { schema } => Some(schema.clone()),
            _ => None,
        })
        .ok_or_else(|| Error::invalid("a create transaction must include an add-schema update"))?;
    let spec = updates
        .iter()
        .find_map(|u| match u {
            TableUpdate::AddSpec { spec } => Some(spec.clone()),
            _ => None,
        })
        .unwrap_or_else(|| UnboundPartitionSpec::builder().build());
    let sort_order = updates
        .iter()
        .find_map(|u| match u {
            TableUpdate::AddSortOrder { sort_order } => Some(sort_order.clone()),
            _ => None,
        })
        .unwrap_or_else(SortOrder::unsorted_order);
    let format_version = updates
        .iter()
        .find_map(|u| match u {
            TableUpdate::UpgradeFormatVersion { format_version } => Some(*format_version),
            _ => None,
        })
        .unwrap_or(FormatVersion::V2);
    let location = updates
        .iter()
        .find_map(|u| match u {
            TableUpdate::SetLocation { location } => Some(location.clone()),
            _ => None,
        })
        .unwrap_or_else(default_location);
    let base = TableMetadataBuilder::new(
        schema,
        spec,
        sort_order,
        location,
        format_version,
        HashMap::new(),
    )
    .and_then(TableMetadataBuilder::build)
    .map_err(invalid_update)?;
    Ok(TableMetadataBuilder::new_from_metadata(base.metadata, None))
}

fn requirement_failed(err: iceberg::Error) -> Error {
    match err.kind() {
        ErrorKind::TableNotFound => Error::conflict("requirement failed: the table does not exist"),
        _ => Error::conflict(err.message()),
    }
}

/// Maps an error from applying updates: conflicts stay conflicts, everything else is the client's.
pub(crate) fn invalid_update(err: iceberg::Error) -> Error {
    match err.kind() {
        ErrorKind::CatalogCommitConflicts => Error::conflict(err.message()),
        _ => Error::invalid(format!("invalid update: {}", err.message())),
    }
}

#[cfg(test)]
mod tests {
    use iceberg::spec::{
        NestedField, PrimitiveType, Schema, Snapshot, SnapshotReference, SnapshotRetention,
        Summary, Type,
    };

    use super::*;

    fn schema() -> Schema {
        Schema::builder()
            .with_fields(vec![
                NestedField::required(1, "id", Type::Primitive(PrimitiveType::Long)).into(),
                NestedField::optional(2, "data", Type::Primitive(PrimitiveType::String)).into(),
            ])
            .build()
            .unwrap()
    }

    fn table() -> TableMetadata {
        TableMetadataBuilder::new(
            schema(),
            UnboundPartitionSpec::builder().build(),
            SortOrder::unsorted_order(),
            "file:///w/t".into(),
            FormatVersion::V2,
            HashMap::new(),
        )
        .unwrap()
        .build()
        .unwrap()
        .metadata
    }

    fn change(json: serde_json::Value) -> TableChange {
        serde_json::from_value(json).unwrap()
    }

    const LOCATION: &str = "file:///w/t/metadata/00000-a.metadata.json";

    #[test]
    fn sets_properties_and_logs_the_previous_file() {
        let current = table();
        let applied = apply_table_commit(
            Some((&current, LOCATION)),
            &change(serde_json::json!({
                "requirements": [{"type": "assert-table-uuid", "uuid": current.uuid()}],
                "updates": [{"action": "set-properties", "updates": {"k": "v"}}]
            })),
            || unreachable!(),
        )
        .unwrap();
        assert_eq!(applied.metadata.properties()["k"], "v");
        assert_eq!(applied.metadata.metadata_log()[0].metadata_file, LOCATION);
    }

    #[test]
    fn failed_requirements_are_conflicts() {
        let current = table();
        for requirement in [
            serde_json::json!({"type": "assert-table-uuid", "uuid": "00000000-0000-0000-0000-000000000000"}),
            serde_json::json!({"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": 1}),
            serde_json::json!({"type": "assert-current-schema-id", "current-schema-id": 7}),
            serde_json::json!({"type": "assert-last-assigned-field-id", "last-assigned-field-id": 99}),
            serde_json::json!({"type": "assert-last-assigned-partition-id", "last-assigned-partition-id": 5}),
            serde_json::json!({"type": "assert-default-spec-id", "default-spec-id": 3}),
            serde_json::json!({"type": "assert-default-sort-order-id", "default-sort-order-id": 3}),
            serde_json::json!({"type": "assert-create"}),
        ] {
            let result = apply_table_commit(
                Some((&current, LOCATION)),
                &change(serde_json::json!({"requirements": [requirement], "updates": []})),
                || unreachable!(),
            );
            assert!(
                matches!(result, Err(Error::Conflict { .. })),
                "{requirement}"
            );
        }
    }

    #[test]
    fn requirements_that_hold_pass() {
        let current = table();
        apply_table_commit(
            Some((&current, LOCATION)),
            &change(serde_json::json!({"requirements": [
                {"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": null},
                {"type": "assert-current-schema-id", "current-schema-id": 0},
                {"type": "assert-last-assigned-field-id", "last-assigned-field-id": 2},
                {"type": "assert-default-spec-id", "default-spec-id": 0},
                {"type": "assert-default-sort-order-id", "default-sort-order-id": 0}
            ], "updates": []})),
            || unreachable!(),
        )
        .unwrap();
    }

    #[test]
    fn appends_a_snapshot_and_moves_main() {
        let current = table();
        let snapshot = Snapshot::builder()
            .with_snapshot_id(42)
            .with_sequence_number(1)
            .with_timestamp_ms(current.last_updated_ms() + 1)
            .with_manifest_list("file:///w/t/metadata/snap-42.avro")
            .with_summary(Summary {
                operation: iceberg::spec::Operation::Append,
                additional_properties: HashMap::new(),
            })
            .with_schema_id(0)
            .build();
        let change = TableChange {
            requirements: vec![TableRequirement::RefSnapshotIdMatch {
                r#ref: "main".into(),
                snapshot_id: None,
            }],
            updates: vec![
                TableUpdate::AddSnapshot { snapshot },
                TableUpdate::SetSnapshotRef {
                    ref_name: "main".into(),
                    reference: SnapshotReference::new(
                        42,
                        SnapshotRetention::branch(None, None, None),
                    ),
                },
            ],
        };
        let applied =
            apply_table_commit(Some((&current, LOCATION)), &change, || unreachable!()).unwrap();
        assert_eq!(applied.metadata.current_snapshot_id(), Some(42));
        assert_eq!(applied.metadata.last_sequence_number(), 1);
    }

    #[test]
    fn invalid_updates_are_bad_requests() {
        let current = table();
        let result = apply_table_commit(
            Some((&current, LOCATION)),
            &change(
                serde_json::json!({"updates": [{"action": "set-current-schema", "schema-id": 9}]}),
            ),
            || unreachable!(),
        );
        assert!(matches!(result, Err(Error::InvalidInput { .. })));
    }

    #[test]
    fn unknown_update_and_requirement_types_do_not_deserialize() {
        assert!(
            serde_json::from_value::<TableChange>(serde_json::json!({
                "updates": [{"action": "make-it-fast"}]
            }))
            .is_err()
        );
        assert!(
            serde_json::from_value::<TableChange>(serde_json::json!({
                "requirements": [{"type": "assert-vibes"}], "updates": []
            }))
            .is_err()
        );
    }

    #[test]
    fn a_create_transaction_replays_the_staged_metadata() {
        let staged = table();
        let json = serde_json::json!({
            "requirements": [{"type": "assert-create"}],
            "updates": [
                {"action": "assign-uuid", "uuid": staged.uuid()},
                {"action": "upgrade-format-version", "format-version": 2},
                {"action": "add-schema", "schema": staged.current_schema()},
                {"action": "set-current-schema", "schema-id": -1},
                {"action": "add-spec", "spec": staged.default_partition_spec()},
                {"action": "set-default-spec", "spec-id": -1},
                {"action": "add-sort-order", "sort-order": staged.default_sort_order()},
                {"action": "set-default-sort-order", "sort-order-id": -1},
                {"action": "set-location", "location": "file:///w/t"},
                {"action": "set-properties", "updates": {"owner": "me"}}
            ]
        });
        let applied = apply_table_commit(None, &change(json), || unreachable!()).unwrap();
        let created = applied.metadata;
        assert_eq!(created.uuid(), staged.uuid());
        assert_eq!(created.location(), "file:///w/t");
        assert_eq!(created.schemas_iter().count(), 1, "no duplicate schema");
        assert_eq!(
            created.partition_specs_iter().count(),
            1,
            "no duplicate spec"
        );
        assert_eq!(created.current_schema(), staged.current_schema());
        assert_eq!(created.properties()["owner"], "me");
        assert!(created.metadata_log().is_empty());
    }

    #[test]
    fn a_create_needs_a_schema_and_uses_the_default_location() {
        let result = apply_table_commit(
            None,
            &change(
                serde_json::json!({"requirements": [{"type": "assert-create"}], "updates": []}),
            ),
            || unreachable!(),
        );
        assert!(matches!(result, Err(Error::InvalidInput { .. })));
        let applied = apply_table_commit(
            None,
            &change(serde_json::json!({
                "requirements": [{"type": "assert-create"}],
                "updates": [{"action": "add-schema", "schema": schema()}]
            })),
            || "file:///w/default".into(),
        )
        .unwrap();
        assert_eq!(applied.metadata.location(), "file:///w/default");
    }

    #[test]
    fn other_requirements_on_a_missing_table_conflict() {
        let result = apply_table_commit(
            None,
            &change(serde_json::json!({
                "requirements": [{"type": "assert-table-uuid", "uuid": "00000000-0000-0000-0000-000000000000"}],
                "updates": [{"action": "add-schema", "schema": schema()}]
            })),
            || "file:///w/t".into(),
        );
        assert!(matches!(result, Err(Error::Conflict { .. })));
    }
}
