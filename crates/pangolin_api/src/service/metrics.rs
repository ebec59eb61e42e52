//! Metrics reports from clients: validated against the Iceberg REST report schemas and stored per
//! table.

use std::collections::BTreeMap;

use pangolin_core::{
    Action, Error, MetricsReport, MetricsReportId, Page, PageRequest, Result, TabularIdent,
    TabularKind, now_millis,
};
use serde::Deserialize;

use super::{RequestContext, Resource, Service};

/// The report types of the spec; deserializing one validates a report.
#[derive(Debug, Deserialize)]
#[serde(tag = "report-type")]
enum Report {
    #[serde(rename = "scan-report")]
    Scan(#[allow(dead_code)] ScanReport),
    #[serde(rename = "commit-report")]
    Commit(#[allow(dead_code)] CommitReport),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
struct ScanReport {
    table_name: String,
    snapshot_id: i64,
    filter: serde_json::Value,
    schema_id: i32,
    projected_field_ids: Vec<i32>,
    projected_field_names: Vec<String>,
    metrics: BTreeMap<String, MetricResult>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
struct CommitReport {
    table_name: String,
    snapshot_id: i64,
    sequence_number: i64,
    operation: String,
    metrics: BTreeMap<String, MetricResult>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
#[allow(dead_code)]
enum MetricResult {
    Counter {
        unit: String,
        value: i64,
    },
    Timer {
        #[serde(rename = "time-unit")]
        time_unit: String,
        count: i64,
        #[serde(rename = "total-duration")]
        total_duration: i64,
    },
}

/// A stored report as the management API returns it.
#[derive(Debug)]
pub struct MetricsReportView {
    /// The report id.
    pub id: MetricsReportId,
    /// `scan-report` or `commit-report`.
    pub report_type: String,
    /// When it was received, milliseconds since the epoch.
    pub received_at: i64,
    /// The report as sent.
    pub report: serde_json::Value,
}

impl Service {
    /// Validates a metrics report and stores it for the table.
    pub async fn report_metrics(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        ident: &TabularIdent,
        report: serde_json::Value,
    ) -> Result<()> {
        let parsed: Report = serde_json::from_value(report.clone())
            .map_err(|e| Error::invalid(format!("invalid metrics report: {e}")))?;
        let report_type = match parsed {
            Report::Scan(_) => "scan-report",
            Report::Commit(_) => "commit-report",
        };
        let tenant = self
            .authorize(ctx, Action::Read, Resource::Tabular(catalog, None, ident))
            .await?;
        let table = self
            .store
            .load_tabular(tenant, catalog, TabularKind::Table, ident)
            .await?;
        self.store
            .insert_metrics_report(&MetricsReport {
                id: MetricsReportId::generate(),
                tenant_id: tenant,
                tabular_id: table.id,
                report_type: report_type.to_owned(),
                report: report.to_string(),
                received_at: now_millis(),
            })
            .await
    }

    /// A table's stored metrics reports, oldest first.
    pub async fn list_metrics_reports(
        &self,
        ctx: &RequestContext,
        catalog: &str,
        ident: &TabularIdent,
        page: &PageRequest,
    ) -> Result<Page<MetricsReportView>> {
        let tenant = self
            .authorize(ctx, Action::Read, Resource::Tabular(catalog, None, ident))
            .await?;
        let table = self
            .store
            .load_tabular(tenant, catalog, TabularKind::Table, ident)
            .await?;
        let reports = self
            .store
            .list_metrics_reports(tenant, table.id, page)
            .await?;
        let mut items = Vec::with_capacity(reports.items.len());
        for r in reports.items {
            items.push(MetricsReportView {
                id: r.id,
                report_type: r.report_type,
                received_at: r.received_at,
                report: serde_json::from_str(&r.report)
                    .map_err(|e| Error::backend("stored metrics report is invalid", e))?,
            });
        }
        Ok(Page {
            items,
            next: reports.next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_both_report_types() {
        let scan = serde_json::json!({
            "report-type": "scan-report", "table-name": "db.t", "snapshot-id": 1,
            "filter": {"type": "true"}, "schema-id": 0, "projected-field-ids": [1],
            "projected-field-names": ["id"],
            "metrics": {"total-planning-duration": {"count": 1, "time-unit": "nanoseconds", "total-duration": 5},
                        "result-data-files": {"unit": "count", "value": 1}}
        });
        assert!(matches!(
            serde_json::from_value::<Report>(scan),
            Ok(Report::Scan(_))
        ));
        let commit = serde_json::json!({
            "report-type": "commit-report", "table-name": "db.t", "snapshot-id": 1,
            "sequence-number": 1, "operation": "append", "metrics": {}, "extra": "ok"
        });
        assert!(matches!(
            serde_json::from_value::<Report>(commit),
            Ok(Report::Commit(_))
        ));
        for bad in [
            serde_json::json!({"report-type": "other"}),
            serde_json::json!({"report-type": "commit-report", "table-name": "t"}),
            serde_json::json!({"report-type": "commit-report", "table-name": "t", "snapshot-id": 1,
                "sequence-number": 1, "operation": "append", "metrics": {"x": {"unit": "count"}}}),
        ] {
            assert!(serde_json::from_value::<Report>(bad).is_err());
        }
    }
}
