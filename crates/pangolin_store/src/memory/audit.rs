use std::collections::BTreeSet;

use async_trait::async_trait;
use pangolin_core::{
    AuditEvent, AuditEventId, AuditFilter, Entity, Error, Page, PageRequest, Result, TenantId,
};

use super::{MemoryStore, paginate_desc};
use crate::AuditLog;

/// Whether `event` belongs to `tenant` (`None`: any) and matches every set field of `filter`.
fn matches(event: &AuditEvent, tenant: Option<TenantId>, filter: &AuditFilter) -> bool {
    tenant.is_none_or(|t| event.tenant_id == Some(t))
        && filter
            .principal_id
            .is_none_or(|p| event.principal_id == Some(p))
        && filter.action.as_ref().is_none_or(|a| &event.action == a)
        && filter
            .resource_type
            .as_ref()
            .is_none_or(|r| event.resource_type.as_ref() == Some(r))
        && filter
            .resource_id
            .as_ref()
            .is_none_or(|r| event.resource_id.as_ref() == Some(r))
        && filter
            .resource_name
            .as_ref()
            .is_none_or(|r| event.resource_name.as_ref() == Some(r))
        && filter.result.is_none_or(|r| event.result == r)
        && filter.from.is_none_or(|from| event.at >= from)
        && filter.to.is_none_or(|to| event.at < to)
}

#[async_trait]
impl AuditLog for MemoryStore {
    async fn insert_audit_events(&self, events: &[AuditEvent]) -> Result<()> {
        let mut state = self.write();
        let mut ids = BTreeSet::new();
        for event in events {
            if state.audit.contains_key(&event.id) || !ids.insert(event.id) {
                return Err(Error::already_exists(Entity::AuditEvent, event.id));
            }
        }
        state.audit.extend(events.iter().map(|e| (e.id, e.clone())));
        Ok(())
    }

    async fn list_audit_events(
        &self,
        tenant: Option<TenantId>,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>> {
        let events: Vec<(String, AuditEvent)> = self
            .read()
            .audit
            .values()
            .filter(|e| matches(e, tenant, filter))
            .map(|e| (e.id.to_string(), e.clone()))
            .collect();
        Ok(paginate_desc(events, page, |(key, _)| key).map(|(_, e)| e))
    }

    async fn count_audit_events(
        &self,
        tenant: Option<TenantId>,
        filter: &AuditFilter,
    ) -> Result<u64> {
        Ok(self
            .read()
            .audit
            .values()
            .filter(|e| matches(e, tenant, filter))
            .count() as u64)
    }

    async fn get_audit_event(
        &self,
        tenant: Option<TenantId>,
        id: AuditEventId,
    ) -> Result<AuditEvent> {
        self.read()
            .audit
            .get(&id)
            .filter(|e| tenant.is_none_or(|t| e.tenant_id == Some(t)))
            .cloned()
            .ok_or_else(|| Error::not_found(Entity::AuditEvent, id))
    }

    async fn delete_audit_events_before(&self, before: i64, limit: u32) -> Result<u64> {
        let mut state = self.write();
        let mut expired: Vec<(i64, AuditEventId)> = state
            .audit
            .values()
            .filter(|e| e.at < before)
            .map(|e| (e.at, e.id))
            .collect();
        expired.sort_unstable();
        expired.truncate(limit as usize);
        for (_, id) in &expired {
            state.audit.remove(id);
        }
        Ok(expired.len() as u64)
    }
}
