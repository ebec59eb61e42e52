//! The API error: every failure leaves the server in the Iceberg REST error envelope
//! `{"error": {"message", "type", "code"}}`, with the status mapped from the domain error in one
//! place. Server-side failures (5xx) hide their details behind an error id that is logged.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pangolin_core::{Entity, Error};
use serde::Serialize;
use uuid::Uuid;

/// An error rendered as an Iceberg error response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    message: String,
    retry_after_secs: Option<u32>,
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorResponse {
    /// The error.
    pub error: ErrorModel,
}

/// Details of an error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorModel {
    /// Human-readable message.
    pub message: String,
    /// The error type, e.g. `NoSuchTableException`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The HTTP status code.
    pub code: u16,
}

impl ApiError {
    /// An error with an explicit status and type.
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            message: message.into(),
            retry_after_secs: None,
        }
    }

    /// A 400 `BadRequestException`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequestException", message)
    }

    /// A 500 whose details are logged under a fresh error id and hidden from the client.
    pub fn internal(context: &str, detail: &dyn std::fmt::Display) -> Self {
        let error_id = Uuid::new_v4();
        tracing::error!(%error_id, error = %detail, "{context}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            format!("internal server error (error id {error_id})"),
        )
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The Iceberg error type.
    pub fn kind(&self) -> &'static str {
        self.kind
    }
}

fn not_found_type(entity: Entity) -> &'static str {
    match entity {
        Entity::Tenant => "NoSuchTenantException",
        Entity::Warehouse => "NoSuchWarehouseException",
        Entity::Catalog => "NoSuchCatalogException",
        Entity::Namespace => "NoSuchNamespaceException",
        Entity::Table => "NoSuchTableException",
        Entity::View => "NoSuchViewException",
        Entity::User => "NoSuchUserException",
        Entity::Role => "NoSuchRoleException",
        Entity::Grant => "NoSuchGrantException",
        Entity::ApiKey => "NoSuchApiKeyException",
        Entity::Token => "NoSuchTokenException",
        Entity::AuditEvent => "NoSuchAuditEventException",
    }
}

fn not_empty_type(entity: Entity) -> &'static str {
    match entity {
        Entity::Namespace => "NamespaceNotEmptyException",
        Entity::Catalog => "CatalogNotEmptyException",
        Entity::Tenant => "TenantNotEmptyException",
        Entity::Warehouse => "WarehouseInUseException",
        Entity::Table
        | Entity::View
        | Entity::User
        | Entity::Role
        | Entity::Grant
        | Entity::ApiKey
        | Entity::Token
        | Entity::AuditEvent => "ConflictException",
    }
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        let message = err.to_string();
        match err {
            Error::NotFound { entity, .. } => {
                Self::new(StatusCode::NOT_FOUND, not_found_type(entity), message)
            }
            Error::AlreadyExists { .. } => {
                Self::new(StatusCode::CONFLICT, "AlreadyExistsException", message)
            }
            Error::NotEmpty { entity, .. } => {
                Self::new(StatusCode::CONFLICT, not_empty_type(entity), message)
            }
            Error::Conflict { .. } => {
                Self::new(StatusCode::CONFLICT, "CommitFailedException", message)
            }
            Error::InvalidInput { .. } => Self::bad_request(message),
            Error::Unprocessable { .. } => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "UnprocessableEntityException",
                message,
            ),
            Error::Unsupported { .. } => Self::new(
                StatusCode::NOT_ACCEPTABLE,
                "UnsupportedOperationException",
                message,
            ),
            Error::Unauthenticated { .. } => {
                Self::new(StatusCode::UNAUTHORIZED, "NotAuthorizedException", message)
            }
            Error::Forbidden { .. } => {
                Self::new(StatusCode::FORBIDDEN, "ForbiddenException", message)
            }
            Error::RateLimited { retry_after_secs } => Self {
                retry_after_secs: Some(retry_after_secs),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TooManyRequestsException",
                    message,
                )
            },
            Error::Unavailable { .. } => Self {
                retry_after_secs: Some(1),
                ..Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceUnavailableException",
                    message,
                )
            },
            Error::CommitStateUnknown { .. } => {
                let error_id = Uuid::new_v4();
                tracing::error!(%error_id, error = %message, "commit state unknown");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "CommitStateUnknownException",
                    format!(
                        "the commit may or may not have been applied; reload the table (error id {error_id})"
                    ),
                )
            }
            Error::Storage {
                operation,
                ref location,
                ref source,
            } => {
                let error_id = Uuid::new_v4();
                tracing::error!(%error_id, operation, location, error = %source, "object storage failed");
                Self {
                    retry_after_secs: Some(1),
                    ..Self::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "ServiceUnavailableException",
                        format!("object storage {operation} failed (error id {error_id})"),
                    )
                }
            }
            Error::Decryption { .. } => Self::internal("decrypting a stored secret", &message),
            Error::Backend { context, source } => Self::internal(&context, &DisplayChain(&*source)),
        }
    }
}

/// Displays an error and all its sources, for logs.
struct DisplayChain<'a>(&'a (dyn std::error::Error + 'static));

impl std::fmt::Display for DisplayChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(err) = source {
            write!(f, ": {err}")?;
            source = err.source();
        }
        Ok(())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_client_error() {
            tracing::info!(status = self.status.as_u16(), kind = self.kind, message = %self.message, "request rejected");
        }
        let audit = crate::http::audit::ErrorNote(format!("{}: {}", self.kind, self.message));
        let body = ErrorResponse {
            error: ErrorModel {
                message: self.message,
                kind: self.kind.to_owned(),
                code: self.status.as_u16(),
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        response.extensions_mut().insert(audit);
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// Shorthand for handler and service results.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    fn status_and_type(err: Error) -> (u16, &'static str) {
        let api = ApiError::from(err);
        (api.status.as_u16(), api.kind)
    }

    #[test]
    fn maps_domain_errors_to_the_iceberg_contract() {
        assert_eq!(
            status_and_type(Error::not_found(Entity::Table, "a.b")),
            (404, "NoSuchTableException")
        );
        assert_eq!(
            status_and_type(Error::not_found(Entity::Namespace, "a")),
            (404, "NoSuchNamespaceException")
        );
        assert_eq!(
            status_and_type(Error::not_found(Entity::View, "a.v")),
            (404, "NoSuchViewException")
        );
        assert_eq!(
            status_and_type(Error::not_found(Entity::Warehouse, "w")),
            (404, "NoSuchWarehouseException")
        );
        assert_eq!(
            status_and_type(Error::already_exists(Entity::Table, "a.b")),
            (409, "AlreadyExistsException")
        );
        assert_eq!(
            status_and_type(Error::NotEmpty {
                entity: Entity::Namespace,
                key: "a".into(),
                detail: "x".into()
            }),
            (409, "NamespaceNotEmptyException")
        );
        assert_eq!(
            status_and_type(Error::conflict("lost")),
            (409, "CommitFailedException")
        );
        assert_eq!(
            status_and_type(Error::invalid("bad")),
            (400, "BadRequestException")
        );
        assert_eq!(
            status_and_type(Error::Unprocessable {
                message: "both".into()
            }),
            (422, "UnprocessableEntityException")
        );
        assert_eq!(
            status_and_type(Error::Unsupported {
                message: "no".into()
            }),
            (406, "UnsupportedOperationException")
        );
        assert_eq!(
            status_and_type(Error::Unavailable {
                message: "down".into()
            }),
            (503, "ServiceUnavailableException")
        );
    }

    #[test]
    fn internal_errors_hide_their_details() {
        let api = ApiError::from(Error::backend("db", "secret connection string"));
        assert_eq!(api.status.as_u16(), 500);
        assert!(!api.message.contains("secret"));
        assert!(api.message.contains("error id"));
        let api = ApiError::from(Error::Storage {
            operation: "write",
            location: "s3://b/k".into(),
            source: "AccessDenied for key AKIA".into(),
        });
        assert_eq!(api.status.as_u16(), 503);
        assert!(!api.message.contains("AKIA"));
        assert_eq!(api.retry_after_secs, Some(1));
    }
}
