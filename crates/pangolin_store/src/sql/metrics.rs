use async_trait::async_trait;
use pangolin_core::{Entity, Error, MetricsReport, Page, PageRequest, Result, TabularId, TenantId};

use super::rows::MetricsReportRow;
use super::{SqlStore, sql_limit};
use crate::MetricsReports;
use crate::sql_error::map;

#[async_trait]
impl MetricsReports for SqlStore {
    async fn insert_metrics_report(&self, report: &MetricsReport) -> Result<()> {
        // The table must exist in the report's tenant: the insert selects nothing otherwise.
        let result = sqlx::query(
            "INSERT INTO metrics_reports (id, tenant_id, tabular_id, report_type, report, received_at)
             SELECT $1, $2, $3, $4, $5, $6
             WHERE EXISTS (SELECT 1 FROM tabulars WHERE id = $3 AND tenant_id = $2)",
        )
        .bind(report.id.to_string())
        .bind(report.tenant_id.to_string())
        .bind(report.tabular_id.to_string())
        .bind(&report.report_type)
        .bind(&report.report)
        .bind(report.received_at)
        .execute(&self.write)
        .await
        .map_err(map)?;
        if result.rows_affected() == 0 {
            return Err(Error::not_found(Entity::Table, report.tabular_id));
        }
        Ok(())
    }

    async fn list_metrics_reports(
        &self,
        tenant: TenantId,
        table: TabularId,
        page: &PageRequest,
    ) -> Result<Page<MetricsReport>> {
        let rows = sqlx::query_as::<_, MetricsReportRow>(
            "SELECT id, tenant_id, tabular_id, report_type, report, received_at
             FROM metrics_reports
             WHERE tenant_id = $1 AND tabular_id = $2 AND ($3 IS NULL OR id > $3)
             ORDER BY id LIMIT $4",
        )
        .bind(tenant.to_string())
        .bind(table.to_string())
        .bind(page.after.as_deref())
        .bind(sql_limit(page))
        .fetch_all(&self.read)
        .await
        .map_err(map)?;
        let reports = rows
            .into_iter()
            .map(MetricsReportRow::into_report)
            .collect::<Result<Vec<_>>>()?;
        let keyed: Vec<(String, MetricsReport)> =
            reports.into_iter().map(|r| (r.id.to_string(), r)).collect();
        Ok(
            Page::from_overfetched(keyed, page, |(k, _): &(String, MetricsReport)| k.as_str())
                .map(|(_, r)| r),
        )
    }
}
