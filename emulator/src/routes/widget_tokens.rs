//! Widgets area: minting widget tokens.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::auth::{ApiKey, Claims, ORGANIZATION_TOKEN_SCOPES};
use crate::clock::now;
use crate::environment::Environment;
use crate::error::ApiError;
use crate::extract::ApiJson;

pub fn router() -> Router<Arc<Environment>> {
    Router::new().route("/widgets/token", post(create_token))
}

/// Body of `POST /widgets/token` (spec `WidgetSessionTokenDto`).
#[derive(Debug, Deserialize)]
struct TokenRequest {
    organization_id: Option<String>,
    user_id: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
}

/// The answer of `POST /widgets/token`: `{token}`.
#[derive(Debug, Serialize)]
struct TokenResponse {
    /// The widget token: an RS256 JWT ([`Claims`]).
    token: String,
}

/// `POST /widgets/token` (API key; spec `WidgetsPublicController_issueWidgetSessionToken`;
/// contract §5, §8.1).
///
/// 201 `{token}`: an RS256 JWT (1 hour) whose payload segment has no `-` or `_` (contract §5),
/// with `permissions` = the requested scopes and `exp`, and:
/// - with `user_id` (a user's token): `sub` the user, `sid` (the user's latest active session),
///   and with `organization_id` also `org_id` and `role`. Every scope must be granted by the
///   member's role in that organization (WorkOS restricts a user's token to the user's
///   permissions); without an organization the role grants nothing, so no scope is accepted.
/// - with `organization_id` only (an organization-level token, as WorkOS's reference shows for the
///   SSO widget): `sub` and `org_id` both the organization, no `sid` or `role`; the scopes must be
///   among `auth::ORGANIZATION_TOKEN_SCOPES` (the Admin Portal widgets and the organization's API
///   keys), since the others' widgets act as a user.
///
/// Errors: 401 bad API key; 429 `{code: "rate_limit_exceeded", message}` with `Retry-After`
/// beyond the API key's mint limit (`limits.rs`, 600 a minute unless set otherwise; every call
/// counts, as WorkOS counts requests); 400 `user_id_required` (neither id given), 400 `scope_requires_user`
/// (an organization-level token asked for a scope whose widget acts as a user); 404 unknown user
/// or organization; 403 the user is not an active member, or a scope the member's role does not
/// grant.
async fn create_token(
    _: ApiKey,
    State(env): State<Arc<Environment>>,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<(StatusCode, Json<TokenResponse>), ApiError> {
    if let Err(retry_after_secs) = env.mint_limit.check(&env.config.api_key) {
        env.calls.rate_limited();
        return Err(ApiError::RateLimited {
            message: format!(
                "Rate limit exceeded: this API key may create {} widget tokens a minute. Retry after {retry_after_secs} s.",
                env.mint_limit.per_minute()
            ),
            retry_after_secs,
        });
    }
    let data = env.store.read();
    let ttl = env.config.widget_token_ttl_secs;
    let Some(user_id) = body.user_id else {
        let organization_id = body.organization_id.ok_or_else(|| {
            ApiError::bad_request(
                "user_id_required",
                "user_id or organization_id is required: a widget token is for a user or an organization.",
            )
        })?;
        if !data.organizations.contains_key(&organization_id) {
            return Err(ApiError::not_found("organization", organization_id));
        }
        if let Some(scope) = body
            .scopes
            .iter()
            .find(|s| !ORGANIZATION_TOKEN_SCOPES.contains(&s.as_str()))
        {
            return Err(ApiError::bad_request(
                "scope_requires_user",
                format!("The scope '{scope}' is for a widget that acts as a user: give a user_id."),
            ));
        }
        let mut claims = Claims::for_organization(&env.base_url, &organization_id, ttl);
        claims.permissions = body.scopes;
        env.calls.minted();
        return Ok((
            StatusCode::CREATED,
            Json(TokenResponse {
                token: env.keys.sign(&claims),
            }),
        ));
    };
    if !data.users.contains_key(&user_id) {
        return Err(ApiError::not_found("user", user_id));
    }
    let mut claims = Claims::new(&env.base_url, &user_id, ttl);
    let granted = match &body.organization_id {
        Some(org) => {
            if !data.organizations.contains_key(org) {
                return Err(ApiError::not_found("organization", org));
            }
            if !data.is_active_member(&user_id, org) {
                return Err(ApiError::Forbidden(format!(
                    "User '{user_id}' is not a member of organization '{org}'."
                )));
            }
            let role = data
                .membership(&user_id, org)
                .map(|m| m.role.clone())
                .unwrap_or_default();
            let granted = data.role_permissions(&role);
            claims.org_id = Some(org.clone());
            claims.role = Some(role);
            granted
        }
        None => Vec::new(),
    };
    if let Some(scope) = body.scopes.iter().find(|s| !granted.contains(s)) {
        let role = claims.role.as_deref().unwrap_or("none");
        return Err(ApiError::Forbidden(format!(
            "The user's role '{role}' does not grant the scope '{scope}'."
        )));
    }
    claims.sid = data
        .current_session(&user_id, body.organization_id.as_deref(), now())
        .map(|s| s.id.clone());
    claims.permissions = body.scopes;
    env.calls.minted();
    Ok((
        StatusCode::CREATED,
        Json(TokenResponse {
            token: env.keys.sign(&claims),
        }),
    ))
}
