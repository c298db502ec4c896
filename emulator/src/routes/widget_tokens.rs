//! Widgets area: minting widget tokens.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::auth::{ApiKey, Claims};
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

/// `POST /widgets/token` (API key; spec `WidgetsPublicController_issueWidgetSessionToken`).
///
/// 201 `{token}`: an RS256 JWT (1 hour) with `sub`, `sid` (the user's latest active session),
/// `org_id`, `role`, `permissions` (= the requested scopes), `exp`, whose payload segment has no
/// `-` or `_` (contract §5). Errors: 401 bad API key; 400 no `user_id`; 404 unknown user or
/// organization; 403 the user is not an active member, or a scope the member's role does not grant.
async fn create_token(
    _: ApiKey,
    State(env): State<Arc<Environment>>,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<(StatusCode, Json<TokenResponse>), ApiError> {
    let user_id = body.user_id.ok_or_else(|| {
        ApiError::bad_request(
            "user_id_required",
            "user_id is required: every widget acts for a user.",
        )
    })?;
    let data = env.store.read();
    if !data.users.contains_key(&user_id) {
        return Err(ApiError::not_found("user", user_id));
    }
    let mut claims = Claims::new(&env.base_url, &user_id, env.config.widget_token_ttl_secs);
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
    Ok((
        StatusCode::CREATED,
        Json(TokenResponse {
            token: env.keys.sign(&claims),
        }),
    ))
}
