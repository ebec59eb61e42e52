//! The audit log: one event per mutation, login, credential rejection and authorization denial.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::ids::{AuditEventId, TenantId, UserId};

/// How an audited request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AuditResult {
    /// It did what was asked.
    Success,
    /// It failed (bad input, conflict, missing resource, server error).
    Failure,
    /// Authentication or authorization refused it.
    Denied,
}

impl AuditResult {
    /// The stored and serialized name.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuditResult::Success => "success",
            AuditResult::Failure => "failure",
            AuditResult::Denied => "denied",
        }
    }
}

impl fmt::Display for AuditResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuditResult {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "success" => Ok(AuditResult::Success),
            "failure" => Ok(AuditResult::Failure),
            "denied" => Ok(AuditResult::Denied),
            other => Err(Error::invalid(format!("unknown audit result '{other}'"))),
        }
    }
}

/// One audited event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    /// Its id (time-ordered).
    pub id: AuditEventId,
    /// When, milliseconds since the epoch.
    pub at: i64,
    /// The tenant it happened in, if any (a failed login names none).
    pub tenant_id: Option<TenantId>,
    /// Who, if known.
    pub principal_id: Option<UserId>,
    /// Their name, or the name a failed login gave.
    pub principal_name: Option<String>,
    /// What was attempted, e.g. `table.commit`, `user.login`.
    pub action: String,
    /// The kind of resource, e.g. `table`.
    pub resource_type: Option<String>,
    /// The resource's id, when it has one.
    pub resource_id: Option<String>,
    /// The resource's name.
    pub resource_name: Option<String>,
    /// How it ended.
    pub result: AuditResult,
    /// The error, when it did not succeed.
    pub error: Option<String>,
    /// The client's IP address.
    pub ip: Option<String>,
    /// The client's user agent.
    pub user_agent: Option<String>,
    /// The request id (`x-request-id`).
    pub request_id: Option<String>,
}

/// Which audit events to list or count; every set field must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this principal's events.
    pub principal_id: Option<UserId>,
    /// Only this action.
    pub action: Option<String>,
    /// Only this kind of resource.
    pub resource_type: Option<String>,
    /// Only this resource id.
    pub resource_id: Option<String>,
    /// Only this resource name, as recorded (e.g. `analytics/db/events` for a table).
    pub resource_name: Option<String>,
    /// Only this result.
    pub result: Option<AuditResult>,
    /// Only events at or after this time (milliseconds since the epoch).
    pub from: Option<i64>,
    /// Only events before this time (milliseconds since the epoch).
    pub to: Option<i64>,
}
