use async_trait::async_trait;
use pangolin_core::{Entity, Error, MetricsReport, Page, PageRequest, Result, TabularId, TenantId};

use super::{MemoryStore, paginate};
use crate::MetricsReports;

#[async_trait]
impl MetricsReports for MemoryStore {
    async fn insert_metrics_report(&self, report: &MetricsReport) -> Result<()> {
        let mut state = self.write();
        if !state
            .tabulars
            .values()
            .any(|t| t.id == report.tabular_id && t.tenant_id == report.tenant_id)
        {
            return Err(Error::not_found(Entity::Table, report.tabular_id));
        }
        state.metrics.insert(report.id, report.clone());
        Ok(())
    }

    async fn list_metrics_reports(
        &self,
        tenant: TenantId,
        table: TabularId,
        page: &PageRequest,
    ) -> Result<Page<MetricsReport>> {
        let reports: Vec<(String, MetricsReport)> = self
            .read()
            .metrics
            .values()
            .filter(|r| r.tenant_id == tenant && r.tabular_id == table)
            .map(|r| (r.id.to_string(), r.clone()))
            .collect();
        Ok(paginate(reports, page, |(key, _)| key).map(|(_, r)| r))
    }
}
