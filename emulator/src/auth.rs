//! Who is calling: the API-key check of server-to-server calls ([`ApiKey`]), the widget-token
//! check of `/_widgets/*` calls ([`WidgetCaller`]), and the [`Claims`] of the tokens the emulator
//! signs. Password hashing is `password.rs`.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};

use crate::clock::now;
use crate::entities::Data;
use crate::environment::Environment;
use crate::error::ApiError;
use crate::ids::secret_eq;

/// Claims of every JWT the emulator signs: AuthKit access tokens and widget tokens alike
/// (contract §5; the `workos` crate's session verifier reads `sub`, `sid`, `org_id`, `role`,
/// `permissions`, `entitlements`, `exp`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    /// The user id.
    pub sub: String,
    /// The AuthKit session id (UserSessions marks it "this device").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// The role slug in `org_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default)]
    pub permissions: Vec<String>,
    #[serde(default)]
    pub entitlements: Vec<String>,
    /// Expiry, seconds since the Unix epoch.
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
}

impl Claims {
    /// Claims for `user_id`, valid for `ttl_secs` from now.
    pub fn new(issuer: &str, user_id: &str, ttl_secs: i64) -> Self {
        let iat = now().unix_timestamp();
        Self {
            iss: issuer.into(),
            sub: user_id.into(),
            sid: None,
            org_id: None,
            role: None,
            permissions: Vec::new(),
            entitlements: Vec::new(),
            exp: iat + ttl_secs,
            iat,
            jti: ulid::Ulid::new().to_string(),
        }
    }
}

/// A server-to-server call that presented the environment's API key
/// (`Authorization: Bearer sk_…`). Missing or wrong → 401.
pub struct ApiKey;

impl FromRequestParts<Arc<Environment>> for ApiKey {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        env: &Arc<Environment>,
    ) -> Result<Self, ApiError> {
        let presented = bearer(parts).ok_or_else(|| {
            ApiError::Unauthorized(
                "Missing API key: send 'Authorization: Bearer <api key>'.".into(),
            )
        })?;
        if secret_eq(presented, &env.config.api_key) {
            Ok(ApiKey)
        } else {
            Err(ApiError::Unauthorized("Invalid API key.".into()))
        }
    }
}

/// A `/_widgets/*` call carrying a valid token (widget token or AuthKit access token) of an
/// existing user. Anything else → 403 `{message}`, which makes the widgets re-fetch their token
/// once (contract §4, §10).
#[derive(Debug, Clone)]
pub struct WidgetCaller {
    pub user_id: String,
    pub organization_id: Option<String>,
    pub session_id: Option<String>,
    /// The token's `permissions` that the caller's current role in `organization_id` still grants.
    pub permissions: Vec<String>,
}

impl FromRequestParts<Arc<Environment>> for WidgetCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        env: &Arc<Environment>,
    ) -> Result<Self, ApiError> {
        let token =
            bearer(parts).ok_or_else(|| ApiError::Forbidden("Missing widget token.".into()))?;
        let claims: Claims = env.keys.verify(token).map_err(|e| {
            let reason = match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => "Widget token expired.",
                _ => "Invalid widget token.",
            };
            ApiError::Forbidden(reason.into())
        })?;
        let data = env.store.read();
        if !data.users.contains_key(&claims.sub) {
            return Err(ApiError::unknown_user());
        }
        if let Some(org) = &claims.org_id
            && !data.is_active_member(&claims.sub, org)
        {
            return Err(ApiError::Forbidden(
                "Invalid widget token: not a member of the organization.".into(),
            ));
        }
        // The token's permissions count only while the member's current role still grants them:
        // an admin demoted to member loses the users table at once, not when the token expires
        // (as a removed member loses the organization at once, above).
        let granted = claims
            .org_id
            .as_deref()
            .and_then(|org| data.membership(&claims.sub, org))
            .map(|m| data.role_permissions(&m.role))
            .unwrap_or_default();
        let permissions = claims
            .permissions
            .into_iter()
            .filter(|p| granted.contains(p))
            .collect();
        Ok(Self {
            user_id: claims.sub,
            organization_id: claims.org_id,
            session_id: claims.sid,
            permissions,
        })
    }
}

impl WidgetCaller {
    /// The token's organization; tokens without one are refused (403) by organization endpoints.
    pub fn organization(&self) -> Result<&str, ApiError> {
        self.organization_id.as_deref().ok_or_else(|| {
            ApiError::Forbidden("This widget token is not for an organization.".into())
        })
    }

    /// 403 unless the token carries `permission` (e.g. `widgets:users-table:manage`).
    pub fn require(&self, permission: &str) -> Result<(), ApiError> {
        if self.permissions.iter().any(|p| p == permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "This widget token lacks the '{permission}' permission."
            )))
        }
    }

    /// 403 unless the request carries a live `x-elevated-access-token` issued to this user
    /// (UserProfile `verify`; contract §6.1).
    pub fn require_elevated(
        &self,
        data: &Data,
        headers: &axum::http::HeaderMap,
    ) -> Result<(), ApiError> {
        let token = headers
            .get("x-elevated-access-token")
            .and_then(|v| v.to_str().ok());
        let granted = token.and_then(|t| data.elevated.get(t));
        match granted {
            Some(access) if access.user_id == self.user_id && access.expires_at > now() => Ok(()),
            _ => Err(ApiError::Forbidden(
                "Elevated access required: verify your identity again.".into(),
            )),
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, token trimmed).
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}
