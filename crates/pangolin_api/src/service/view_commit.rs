//! Applying a view commit (replace view): a pure function over the `iceberg` crate's view types.

use iceberg::ViewUpdate;
use iceberg::spec::{ViewMetadata, ViewMetadataBuilder};
use pangolin_core::{Error, Result};
use serde::Deserialize;
use uuid::Uuid;

use super::commit::invalid_update;

/// A requirement of a view commit.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "type")]
pub enum ViewRequirement {
    /// The view's UUID must match.
    #[serde(rename = "assert-view-uuid")]
    AssertViewUuid {
        /// The expected UUID.
        uuid: Uuid,
    },
}

/// A commit to one view as a client sends it.
#[derive(Clone, Debug, Deserialize)]
pub struct ViewChange {
    /// Assertions about the current metadata.
    #[serde(default)]
    pub requirements: Vec<ViewRequirement>,
    /// Changes to apply.
    pub updates: Vec<ViewUpdate>,
}

/// Applies `change` to `current`. Requirement failures are `Conflict`, invalid updates
/// `InvalidInput`.
pub fn apply_view_commit(current: &ViewMetadata, change: &ViewChange) -> Result<ViewMetadata> {
    for requirement in &change.requirements {
        match requirement {
            ViewRequirement::AssertViewUuid { uuid } if *uuid != current.uuid() => {
                return Err(Error::conflict(format!(
                    "requirement failed: view UUID is {}, not {uuid}",
                    current.uuid()
                )));
            }
            ViewRequirement::AssertViewUuid { .. } => {}
        }
    }
    let mut builder = ViewMetadataBuilder::new_from_metadata(current.clone());
    for update in &change.updates {
        builder = apply_update(builder, update.clone()).map_err(invalid_update)?;
    }
    Ok(builder.build().map_err(invalid_update)?.metadata)
}

fn apply_update(
    builder: ViewMetadataBuilder,
    update: ViewUpdate,
) -> iceberg::Result<ViewMetadataBuilder> {
    match update {
        ViewUpdate::AssignUuid { uuid } => Ok(builder.assign_uuid(uuid)),
        ViewUpdate::UpgradeFormatVersion { format_version } => {
            builder.upgrade_format_version(format_version)
        }
        ViewUpdate::AddSchema { schema, .. } => Ok(builder.add_schema(schema)),
        ViewUpdate::SetLocation { location } => Ok(builder.set_location(location)),
        ViewUpdate::SetProperties { updates } => builder.set_properties(updates),
        ViewUpdate::RemoveProperties { removals } => Ok(builder.remove_properties(&removals)),
        ViewUpdate::AddViewVersion { view_version } => builder.add_version(view_version),
        ViewUpdate::SetCurrentViewVersion { view_version_id } => {
            builder.set_current_version_id(view_version_id)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use iceberg::spec::{NestedField, PrimitiveType, Schema, Type, ViewFormatVersion, ViewVersion};

    use super::*;

    fn schema() -> Schema {
        Schema::builder()
            .with_fields(vec![
                NestedField::required(1, "id", Type::Primitive(PrimitiveType::Long)).into(),
            ])
            .build()
            .unwrap()
    }

    fn version(id: i32, sql: &str) -> ViewVersion {
        serde_json::from_value(serde_json::json!({
            "version-id": id,
            "schema-id": 0,
            "timestamp-ms": 1_700_000_000_000i64,
            "summary": {},
            "default-namespace": ["db"],
            "representations": [{"type": "sql", "sql": sql, "dialect": "spark"}]
        }))
        .unwrap()
    }

    fn view() -> ViewMetadata {
        ViewMetadataBuilder::new(
            "file:///w/v".into(),
            schema(),
            version(1, "select 1"),
            ViewFormatVersion::V1,
            HashMap::new(),
        )
        .unwrap()
        .build()
        .unwrap()
        .metadata
    }

    #[test]
    fn replaces_the_current_version() {
        let current = view();
        let change = ViewChange {
            requirements: vec![ViewRequirement::AssertViewUuid {
                uuid: current.uuid(),
            }],
            updates: vec![
                ViewUpdate::AddViewVersion {
                    view_version: version(2, "select 2"),
                },
                ViewUpdate::SetCurrentViewVersion {
                    view_version_id: -1,
                },
            ],
        };
        let next = apply_view_commit(&current, &change).unwrap();
        assert_eq!(next.current_version_id(), 2);
        assert_eq!(next.versions().count(), 2);
    }

    #[test]
    fn a_wrong_uuid_conflicts() {
        let change = ViewChange {
            requirements: vec![ViewRequirement::AssertViewUuid {
                uuid: Uuid::new_v4(),
            }],
            updates: vec![],
        };
        assert!(matches!(
            apply_view_commit(&view(), &change),
            Err(Error::Conflict { .. })
        ));
    }

    #[test]
    fn an_unknown_version_is_a_bad_request() {
        let change = ViewChange {
            requirements: vec![],
            updates: vec![ViewUpdate::SetCurrentViewVersion { view_version_id: 9 }],
        };
        assert!(matches!(
            apply_view_commit(&view(), &change),
            Err(Error::InvalidInput { .. })
        ));
    }
}
