//! `/api/v1/tokens` and `/api/v1/users/{id}/tokens`: issued tokens, listed by their records
//! (never the tokens themselves) and revoked by id.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use pangolin_core::{TokenId, TokenKind, TokenRecord, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::types::{Created, PageParams, parse_id, timestamp};
use super::users::TokenResponse;
use crate::error::{ApiError, ErrorResponse};
use crate::http::extract::{Ctx, Json, Path, Query};
use crate::state::AppState;

/// The record of a token.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub struct TokenView {
    /// Its id (the token's `jti`).
    pub id: TokenId,
    pub user_id: UserId,
    /// How it was obtained.
    pub kind: TokenKind,
    pub description: Option<String>,
    /// RFC 3339.
    pub issued_at: String,
    /// RFC 3339.
    pub expires_at: String,
    /// RFC 3339, when revoked.
    pub revoked_at: Option<String>,
}

impl From<TokenRecord> for TokenView {
    fn from(t: TokenRecord) -> Self {
        Self {
            id: t.id,
            user_id: t.user_id,
            kind: t.kind,
            description: t.description,
            issued_at: timestamp(t.issued_at),
            expires_at: timestamp(t.expires_at),
            revoked_at: t.revoked_at.map(timestamp),
        }
    }
}

/// A page of token records, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<TokenView>,
    #[serde(rename = "next-page-token")]
    pub next_page_token: Option<String>,
}

/// Issues a token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct IssueTokenRequest {
    /// What it is for.
    pub description: Option<String>,
    /// Seconds it stays valid (default: the login token lifetime; at most the configured
    /// maximum).
    #[schema(minimum = 1)]
    pub expires_in_secs: Option<u64>,
}

async fn list_of(
    state: &AppState,
    ctx: &crate::service::RequestContext,
    user: Option<UserId>,
    page: &PageParams,
) -> Result<axum::Json<TokenList>, ApiError> {
    let page = state
        .service
        .list_tokens(ctx, user, &page.request()?)
        .await?;
    Ok(axum::Json(TokenList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_page_token: page.next.map(|t| t.into_string()),
    }))
}

/// List your own unexpired tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", params(PageParams),
    responses((status = 200, body = TokenList), (status = 401, body = ErrorResponse)))]
pub async fn list_own(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Query(page): Query<PageParams>,
) -> Result<axum::Json<TokenList>, ApiError> {
    list_of(&state, &ctx, None, &page).await
}

/// Revoke a token: your own, or one of a user you administer. Every instance refuses it from
/// then on.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "token id")),
    responses((status = 204), (status = 404, body = ErrorResponse)))]
pub async fn revoke(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .revoke_token(&ctx, parse_id("token", &id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List a user's unexpired tokens (administrators, or the user).
#[utoipa::path(get, path = "/api/v1/users/{id}/tokens", tag = "tokens",
    params(("id" = String, Path, description = "user id"), PageParams),
    responses((status = 200, body = TokenList), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse)))]
pub async fn list_user(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(user): Path<String>,
    Query(page): Query<PageParams>,
) -> Result<axum::Json<TokenList>, ApiError> {
    list_of(&state, &ctx, Some(parse_id("user", &user)?), &page).await
}

/// Issue a token for a user (administrators); the token is in this response only.
#[utoipa::path(post, path = "/api/v1/users/{id}/tokens", tag = "tokens",
    params(("id" = String, Path, description = "user id")), request_body = IssueTokenRequest,
    responses((status = 201, body = TokenResponse), (status = 400, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn issue(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(user): Path<String>,
    Json(request): Json<IssueTokenRequest>,
) -> Result<Created<TokenResponse>, ApiError> {
    let issued = state
        .service
        .issue_user_token(
            &ctx,
            parse_id("user", &user)?,
            request.description,
            request.expires_in_secs.map(Duration::from_secs),
        )
        .await?;
    Ok(Created {
        id: issued.record.id.to_string(),
        name: None,
        body: issued.into(),
    })
}
