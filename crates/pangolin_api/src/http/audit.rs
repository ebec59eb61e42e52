//! Records the audit log for every routed request that changes something (any method but GET
//! and HEAD: mutations, logins, token requests) and for every request refused with 401 or 403.
//!
//! One place decides what is audited and how it is described, from the route that matched: the
//! action is the method and route template (`POST /v1/{prefix}/namespaces/{namespace}/tables`),
//! the resource type follows from the route, the resource name from its path parameters. The
//! [`super::extract::Ctx`] extractor reports who the caller is; error responses carry their
//! message; login and token handlers add the account the attempt was for, and handlers that
//! create or rename something add the names no path gives ([`AuditNote::resource`]).

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use pangolin_core::{AuditEvent, AuditEventId, AuditResult, TenantId, UserId, now_millis};

use crate::state::AppState;

/// Who made the request, filled in by the `Ctx` extractor once it authenticated the caller.
#[derive(Clone, Debug, Default)]
pub struct AuditSlot(Arc<Mutex<Option<Actor>>>);

/// An authenticated caller, as the audit log names it.
#[derive(Clone, Debug)]
pub struct Actor {
    pub tenant_id: Option<TenantId>,
    pub principal_id: Option<UserId>,
    pub principal_name: String,
}

impl AuditSlot {
    /// Records the caller.
    pub fn set(&self, actor: Actor) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(actor);
    }

    fn take(&self) -> Option<Actor> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// The public message of an error response.
#[derive(Clone, Debug)]
pub struct ErrorNote(pub String);

/// What a handler adds to its response for the audit log.
#[derive(Clone, Debug, Default)]
pub struct AuditNote {
    /// The account a login or token request was for, when it succeeded.
    pub principal_id: Option<UserId>,
    /// The name a login or token request presented (when nobody is authenticated yet).
    pub principal_name: Option<String>,
    /// The tenant of the account a login was for, when it succeeded.
    pub tenant_id: Option<TenantId>,
    /// The id of the resource the request created (it replaces an id the path names: the parent's).
    pub resource_id: Option<String>,
    /// The name of the resource the request acts on, appended to the names the path gives.
    pub resource_name: Option<String>,
}

impl AuditNote {
    /// Names the resource a request acts on where its path does not: what it created (by id
    /// and/or name), or both names of a rename.
    pub fn resource(id: Option<String>, name: Option<String>) -> Self {
        Self {
            resource_id: id,
            resource_name: name,
            ..Self::default()
        }
    }

    /// Adds this note to `response`.
    pub fn attach(self, mut response: Response) -> Response {
        response.extensions_mut().insert(self);
        response
    }
}

/// The kind of resource a route acts on: the last collection it names.
fn resource_type(template: &str) -> Option<&'static str> {
    template.rsplit('/').find_map(|segment| {
        Some(match segment {
            "tenants" => "tenant",
            "warehouses" => "warehouse",
            "catalogs" => "catalog",
            "namespaces" | "properties" => "namespace",
            "tables" | "register" | "unregister" | "metrics" | "transactions" => "table",
            "views" | "register-view" => "view",
            "users" | "me" => "user",
            "login" | "logout" | "tokens" => "token",
            "api-keys" | "rotate" => "api-key",
            "roles" => "role",
            "grants" => "grant",
            "audit" => "audit-event",
            _ => return None,
        })
    })
}

/// Path parameters naming ids rather than names.
const ID_PARAMS: &[&str] = &["id", "key", "role"];

/// The middleware (installed with `route_layer`, so only matched routes are audited).
pub async fn record(
    State(state): State<AppState>,
    matched: MatchedPath,
    // Undecodable paths are refused by the handler's own extractor (400): audit what is readable.
    params: Result<RawPathParams, RawPathParamsRejection>,
    mut request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let template = matched.as_str().to_owned();
    let slot = AuditSlot::default();
    request.extensions_mut().insert(slot.clone());
    let header = |request: &Request, name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let user_agent = header(&request, "user-agent");
    let request_id = header(&request, "x-request-id");
    let ip = state
        .settings
        .trusted_proxies
        .client_ip(request.extensions(), request.headers())
        .map(|ip| ip.to_string());

    let response = next.run(request).await;

    let status = response.status();
    let denied = status.as_u16() == 401 || status.as_u16() == 403;
    if !denied && (method == Method::GET || method == Method::HEAD) {
        return response;
    }
    let note = response
        .extensions()
        .get::<AuditNote>()
        .cloned()
        .unwrap_or_default();
    let actor = slot.take();
    let mut names = Vec::new();
    let mut resource_id = None;
    for (key, value) in params.iter().flat_map(|p| p.iter()) {
        if ID_PARAMS.contains(&key) {
            resource_id = Some(value.to_owned());
        } else {
            names.push(value.replace('\u{1f}', "."));
        }
    }
    resource_id = note.resource_id.or(resource_id);
    names.extend(note.resource_name);
    let result = if status.is_success() || status.is_redirection() {
        AuditResult::Success
    } else if denied {
        AuditResult::Denied
    } else {
        AuditResult::Failure
    };
    let event = AuditEvent {
        id: AuditEventId::generate(),
        at: now_millis(),
        tenant_id: actor.as_ref().and_then(|a| a.tenant_id).or(note.tenant_id),
        principal_id: actor
            .as_ref()
            .and_then(|a| a.principal_id)
            .or(note.principal_id),
        principal_name: actor.map(|a| a.principal_name).or(note.principal_name),
        action: format!("{method} {template}"),
        resource_type: resource_type(&template).map(str::to_owned),
        resource_id,
        resource_name: (!names.is_empty()).then(|| names.join("/")),
        result,
        error: response
            .extensions()
            .get::<ErrorNote>()
            .map(|e| e.0.clone()),
        ip,
        user_agent,
        request_id,
    };
    state.service.record_audit(event);
    response
}
