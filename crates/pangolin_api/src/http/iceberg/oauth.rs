//! `POST /v1/oauth/tokens`: the spec's OAuth2 token endpoint, so Iceberg clients can authenticate
//! with a service user's API key (`credential=<client id>:<secret>`) and refresh tokens by
//! exchange. Errors use the OAuth2 error model (RFC 6749 §5.2), as the spec requires.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pangolin_core::Error;
use serde::{Deserialize, Serialize};

use axum::extract::rejection::FormRejection;

use crate::error::ApiError;
use crate::http::audit::AuditNote;
use crate::http::extract::ClientIp;
use crate::service::IssuedToken;
use crate::state::AppState;

const CLIENT_CREDENTIALS: &str = "client_credentials";
const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// The form fields of a token request.
#[derive(Debug, Deserialize)]
pub struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    subject_token: Option<String>,
    subject_token_type: Option<String>,
    /// Accepted and ignored: a token carries its principal's rights, not scopes.
    #[allow(dead_code)]
    scope: Option<String>,
}

#[derive(Debug, Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    issued_token_type: &'static str,
}

#[derive(Debug, Serialize)]
struct OAuthError {
    error: &'static str,
    error_description: String,
}

fn oauth_error(
    status: StatusCode,
    error: &'static str,
    description: impl Into<String>,
) -> Response {
    (
        status,
        axum::Json(OAuthError {
            error,
            error_description: description.into(),
        }),
    )
        .into_response()
}

/// Exchanges client credentials or a token for an access token.
pub async fn token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    form: Result<axum::extract::Form<TokenRequest>, FormRejection>,
) -> Response {
    let request = match form {
        Ok(axum::extract::Form(request)) => request,
        Err(rejection) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!(
                    "expected an application/x-www-form-urlencoded token request: {}",
                    rejection.body_text()
                ),
            );
        }
    };
    let mut response = respond(state, ip, &request).await;
    response.extensions_mut().insert(AuditNote {
        principal_name: request.client_id.clone(),
        ..AuditNote::default()
    });
    response
}

async fn respond(
    state: AppState,
    ip: Option<std::net::IpAddr>,
    request: &TokenRequest,
) -> Response {
    let issued: Result<IssuedToken, Error> = match request.grant_type.as_deref() {
        Some(CLIENT_CREDENTIALS) => match (&request.client_id, &request.client_secret) {
            (Some(id), Some(secret)) => state.service.client_credentials(id, secret, ip).await,
            _ => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "client_credentials needs client_id and client_secret",
                );
            }
        },
        Some(TOKEN_EXCHANGE) => match (
            &request.subject_token,
            request.subject_token_type.as_deref(),
        ) {
            (Some(token), None | Some(ACCESS_TOKEN_TYPE)) => {
                state.service.exchange_token(token, ip).await
            }
            (Some(_), Some(other)) => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    format!("unsupported subject_token_type '{other}'"),
                );
            }
            (None, _) => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "token exchange needs subject_token",
                );
            }
        },
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                format!("unsupported grant_type '{other}'"),
            );
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is required",
            );
        }
    };
    match issued {
        Ok(issued) => axum::Json(TokenResponse {
            expires_in: issued.expires_in(),
            access_token: issued.token,
            token_type: "bearer",
            issued_token_type: ACCESS_TOKEN_TYPE,
        })
        .into_response(),
        Err(Error::Unauthenticated { message }) => {
            oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", message)
        }
        Err(other) => ApiError::from(other).into_response(),
    }
}
