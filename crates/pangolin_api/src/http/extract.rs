//! Extractors whose rejections are Iceberg error responses, never axum's plain-text ones.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use bytes::Bytes;
use pangolin_core::NamespaceIdent;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::service::RequestContext;
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

/// The request's [`RequestContext`]: the tenant it acts in and its request id. Authentication
/// will resolve the principal here; handlers do not change.
#[derive(Debug)]
pub struct Ctx(pub RequestContext);

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let request_id = parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        let tenant = state.tenants.default_tenant(&state.service).await?;
        Ok(Ctx(RequestContext::new(tenant, request_id)))
    }
}

/// Parses a namespace path parameter (levels separated by 0x1F).
pub fn namespace(encoded: &str) -> Result<NamespaceIdent, ApiError> {
    NamespaceIdent::from_encoded(encoded).map_err(ApiError::from)
}
