//! The audit log: events are queued without waiting and written in batches by one background
//! task, so recording never slows down or fails the request it records. When the queue is full
//! or a write fails, the loss is logged and counted ([`AuditStats`]), never silent.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use pangolin_core::{
    AuditEvent, AuditEventId, AuditFilter, Error, Page, PageRequest, Result, TenantId, now_millis,
};
use pangolin_store::CatalogStore;
use tokio::sync::{mpsc, oneshot};

use super::{RequestContext, Service};

/// How many events may wait to be written; more are dropped (and counted).
const QUEUE_CAPACITY: usize = 10_000;
/// The most events written in one batch.
const BATCH: usize = 256;
/// The most expired events removed by one statement.
const EXPIRY_BATCH: u32 = 10_000;

/// Counters of the audit writer, exported as metrics.
#[derive(Debug, Default)]
pub struct AuditStats {
    /// Events written to the store.
    pub written: AtomicU64,
    /// Events dropped because the queue was full.
    pub dropped: AtomicU64,
    /// Events lost because the store refused them.
    pub failed: AtomicU64,
}

enum Message {
    Event(Box<AuditEvent>),
    Flush(oneshot::Sender<()>),
}

/// The sending side of the audit queue.
#[derive(Debug)]
pub(super) struct AuditQueue {
    sender: mpsc::Sender<Message>,
    stats: Arc<AuditStats>,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Message::Event(e) => f.debug_tuple("Event").field(&e.id).finish(),
            Message::Flush(_) => f.write_str("Flush"),
        }
    }
}

impl AuditQueue {
    /// Starts the writer task on the current Tokio runtime.
    pub(super) fn start(store: Arc<dyn CatalogStore>) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let stats = Arc::new(AuditStats::default());
        tokio::spawn(write_events(store, receiver, stats.clone()));
        Self { sender, stats }
    }

    fn push(&self, event: AuditEvent) {
        match self.sender.try_send(Message::Event(Box::new(event))) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(Message::Event(event))) => {
                self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                tracing::error!(
                    audit_event = %event.id,
                    action = %event.action,
                    "the audit queue is full: an audit event was dropped"
                );
            }
            Err(_) => {
                self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                tracing::error!("the audit writer has stopped: an audit event was dropped");
            }
        }
    }
}

async fn write_events(
    store: Arc<dyn CatalogStore>,
    mut receiver: mpsc::Receiver<Message>,
    stats: Arc<AuditStats>,
) {
    let mut messages = Vec::with_capacity(BATCH);
    while receiver.recv_many(&mut messages, BATCH).await > 0 {
        let mut events = Vec::with_capacity(messages.len());
        let mut flushes = Vec::new();
        for message in messages.drain(..) {
            match message {
                Message::Event(event) => events.push(*event),
                Message::Flush(done) => flushes.push(done),
            }
        }
        if !events.is_empty() {
            let count = events.len() as u64;
            match store.insert_audit_events(&events).await {
                Ok(()) => {
                    stats.written.fetch_add(count, Ordering::Relaxed);
                }
                Err(e) => {
                    stats.failed.fetch_add(count, Ordering::Relaxed);
                    tracing::error!(error = %e, events = count, "writing audit events failed; they are lost");
                }
            }
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
}

impl Service {
    /// Queues an audit event; never waits.
    pub fn record_audit(&self, event: AuditEvent) {
        self.audit.push(event);
    }

    /// Waits until every event queued before the call is written (tests, shutdown).
    pub async fn flush_audit(&self) {
        let (done, flushed) = oneshot::channel();
        if self.audit.sender.send(Message::Flush(done)).await.is_ok() {
            let _ = flushed.await;
        }
    }

    /// Removes the events recorded more than `retention` ago, in batches; returns how many.
    pub async fn expire_audit_events(&self, retention: Duration) -> Result<u64> {
        let retention = i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
        let before = now_millis().saturating_sub(retention);
        let mut removed = 0;
        loop {
            let batch = self
                .store
                .delete_audit_events_before(before, EXPIRY_BATCH)
                .await?;
            removed += batch;
            if batch < u64::from(EXPIRY_BATCH) {
                return Ok(removed);
            }
        }
    }

    /// The audit writer's counters.
    pub fn audit_stats(&self) -> &AuditStats {
        &self.audit.stats
    }

    /// The tenants whose audit events the caller may read: every tenant (or the one it names)
    /// for Root, its own for TenantAdmins; nobody else reads the audit log.
    fn audit_scope(
        &self,
        ctx: &RequestContext,
        tenant: Option<TenantId>,
    ) -> Result<Option<TenantId>> {
        let principal = ctx.principal();
        if principal.is_root() {
            return Ok(tenant);
        }
        let own = ctx.tenant()?;
        if !principal.administers(own) {
            return Err(Error::forbidden(format!(
                "{} may not read the audit log",
                principal.name
            )));
        }
        match tenant {
            Some(other) if other != own => {
                Err(Error::not_found(pangolin_core::Entity::Tenant, other))
            }
            _ => Ok(Some(own)),
        }
    }

    /// Audit events matching `filter`, newest first.
    pub async fn list_audit_events(
        &self,
        ctx: &RequestContext,
        tenant: Option<TenantId>,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>> {
        let scope = self.audit_scope(ctx, tenant)?;
        self.store.list_audit_events(scope, filter, page).await
    }

    /// How many audit events match `filter`.
    pub async fn count_audit_events(
        &self,
        ctx: &RequestContext,
        tenant: Option<TenantId>,
        filter: &AuditFilter,
    ) -> Result<u64> {
        let scope = self.audit_scope(ctx, tenant)?;
        self.store.count_audit_events(scope, filter).await
    }

    /// One audit event.
    pub async fn get_audit_event(
        &self,
        ctx: &RequestContext,
        id: AuditEventId,
    ) -> Result<AuditEvent> {
        let scope = self.audit_scope(ctx, None)?;
        self.store.get_audit_event(scope, id).await
    }
}
