//! Extractors whose rejections are Iceberg error responses, never axum's plain-text ones.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use bytes::Bytes;
use pangolin_core::NamespaceIdent;
use serde::de::DeserializeOwned;

use crate::auth::Credentials;
use crate::error::ApiError;
use crate::http::audit::{Actor, AuditSlot};
use crate::service::{ClientInfo, RequestContext};
use crate::state::AppState;

/// A JSON body. The request must say `Content-Type: application/json` (415 otherwise: browsers
/// cannot send that cross-origin without a CORS preflight, which this server never grants).
/// Unknown fields are accepted (clients send newer fields); malformed JSON is a 400 naming the
/// offending path; a body over the limit is a 413.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime.eq_ignore_ascii_case("application/json")
                    || (mime.len() > 5 && mime[mime.len() - 5..].eq_ignore_ascii_case("+json"))
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaTypeException",
                "request bodies must be JSON with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "RequestTooLargeException",
                    "the request body exceeds the server's limit",
                )
            } else {
                ApiError::bad_request(format!("cannot read the request body: {rejection}"))
            }
        })?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
            let path = e.path().to_string();
            if path == "." {
                ApiError::bad_request(format!("invalid request body: {}", e.inner()))
            } else {
                ApiError::bad_request(format!("invalid request body at {path}: {}", e.inner()))
            }
        })?;
        deserializer
            .end()
            .map_err(|e| ApiError::bad_request(format!("invalid request body: {e}")))?;
        Ok(Json(value))
    }
}

/// Path parameters, percent-decoded; undecodable paths are a 400.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Path(value))
            .map_err(|rejection| ApiError::bad_request(format!("invalid path: {rejection}")))
    }
}

/// Query parameters; unparseable values are a 400.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Query(value))
            .map_err(|rejection| {
                ApiError::bad_request(format!(
                    "invalid query parameters: {}",
                    rejection.body_text()
                ))
            })
    }
}

/// The header a Root user names the tenant to act in with (a name or an id).
pub const TENANT_HEADER: &str = "x-pangolin-tenant";

/// The request's [`RequestContext`]: its authenticated principal, the tenant it acts in, its
/// request id and client. Rejects requests without valid credentials (401).
#[derive(Debug)]
pub struct Ctx(pub RequestContext);

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let credentials = credentials(&parts.headers)?;
        let principal = state.service.authenticate(&credentials).await?;
        let named = header(TENANT_HEADER)
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let tenant = match (principal.is_root(), named) {
            (true, Some(name)) => Some(state.service.resolve_tenant(name).await?),
            (true, None) => state.service.default_tenant().await?,
            (false, Some(name)) => {
                // Others act in their own tenant only; naming another reveals nothing about it.
                let own = principal.tenant_id;
                let found = state.service.resolve_tenant(name).await.ok();
                if found.is_none() || found != own {
                    return Err(pangolin_core::Error::not_found(
                        pangolin_core::Entity::Tenant,
                        name,
                    )
                    .into());
                }
                own
            }
            (false, None) => principal.tenant_id,
        };
        let client = ClientInfo {
            ip: state
                .settings
                .trusted_proxies
                .client_ip(&parts.extensions, &parts.headers)
                .map(|ip| ip.to_string()),
            user_agent: header("user-agent").map(str::to_owned),
        };
        let request_id = header("x-request-id").unwrap_or("-").to_owned();
        if let Some(slot) = parts.extensions.get::<AuditSlot>() {
            slot.set(Actor {
                tenant_id: tenant,
                principal_id: principal.user_id,
                principal_name: principal.name.clone(),
            });
        }
        Ok(Ctx(RequestContext::new(
            principal, tenant, request_id, client,
        )))
    }
}

/// Reads the credentials a request presents: `Authorization: Bearer ...` or `X-API-Key`.
pub fn credentials(headers: &axum::http::HeaderMap) -> Result<Credentials, ApiError> {
    if let Some(value) = headers.get(axum::http::header::AUTHORIZATION) {
        let value = value
            .to_str()
            .map_err(|_| pangolin_core::Error::unauthenticated("malformed Authorization header"))?;
        let (scheme, token) = value.split_once(' ').ok_or_else(|| {
            pangolin_core::Error::unauthenticated("malformed Authorization header")
        })?;
        if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
            return Err(pangolin_core::Error::unauthenticated(
                "only 'Authorization: Bearer <token>' is accepted",
            )
            .into());
        }
        return Ok(Credentials::Bearer(token.trim().to_owned()));
    }
    if let Some(value) = headers.get("x-api-key") {
        let key = value
            .to_str()
            .map_err(|_| pangolin_core::Error::unauthenticated("malformed X-API-Key header"))?;
        return Ok(Credentials::ApiKey(key.trim().to_owned()));
    }
    Ok(Credentials::None)
}

/// Parses a namespace path parameter (levels separated by 0x1F).
pub fn namespace(encoded: &str) -> Result<NamespaceIdent, ApiError> {
    NamespaceIdent::from_encoded(encoded).map_err(ApiError::from)
}

/// The client's IP address, when the server knows it (it serves with connect info): the peer, or
/// the address a trusted proxy forwarded.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub Option<std::net::IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            state
                .settings
                .trusted_proxies
                .client_ip(&parts.extensions, &parts.headers),
        ))
    }
}
