//! Metrics reports sent by Iceberg clients after scans and commits.

use crate::ids::{MetricsReportId, TabularId, TenantId};

/// A validated metrics report, stored per table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricsReport {
    /// Its id (time-ordered).
    pub id: MetricsReportId,
    /// The owning tenant.
    pub tenant_id: TenantId,
    /// The table it is about.
    pub tabular_id: TabularId,
    /// `scan-report` or `commit-report`.
    pub report_type: String,
    /// The report as the client sent it (JSON).
    pub report: String,
    /// When the server received it, milliseconds since the epoch.
    pub received_at: i64,
}
