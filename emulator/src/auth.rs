//! Who is calling: the API-key check of server-to-server calls ([`ApiKey`]), the widget-token
//! checks of `/_widgets/*` calls ([`WidgetCaller`] for a user, [`OrganizationCaller`] for an
//! organization, with or without a user), and the [`Claims`] of the tokens the emulator signs.
//! Password hashing is `password.rs`.

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
use crate::seed::{
    API_KEYS_MANAGE, AUDIT_LOG_STREAMING_MANAGE, DOMAIN_VERIFICATION_MANAGE, DSYNC_MANAGE,
    SSO_MANAGE,
};

/// The scopes an organization-level widget token (no `user_id`) may carry: the widgets that
/// configure the organization itself and act for no particular user — the Admin Portal widgets
/// (SSO, domain verification, directory sync, audit-log streaming) and the organization's API keys.
/// WorkOS restricts the requested scopes to the user's role only when a `user_id` is given (its
/// widgets reference); with none there is no role to ask, so the emulator grants these and refuses
/// the scopes whose widgets act as a user (`widgets:users-table:manage`, the user API keys).
pub const ORGANIZATION_TOKEN_SCOPES: [&str; 5] = [
    SSO_MANAGE,
    DOMAIN_VERIFICATION_MANAGE,
    DSYNC_MANAGE,
    AUDIT_LOG_STREAMING_MANAGE,
    API_KEYS_MANAGE,
];

/// Claims of every JWT the emulator signs: AuthKit access tokens and widget tokens alike
/// (contract §5; the `workos` crate's session verifier reads `sub`, `sid`, `org_id`, `role`,
/// `permissions`, `entitlements`, `exp`, and requires `sub`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    /// The user id; for an organization-level widget token (no user), the organization id, the
    /// same as `org_id` ([`Claims::for_organization`]).
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

    /// An organization-level widget token's claims: `sub` and `org_id` both the organization, no
    /// `sid` or `role` (there is no user), valid for `ttl_secs` from now.
    pub fn for_organization(issuer: &str, organization_id: &str, ttl_secs: i64) -> Self {
        let mut claims = Self::new(issuer, organization_id, ttl_secs);
        claims.org_id = Some(organization_id.into());
        claims
    }

    /// Whether these are an organization-level widget token's claims (`sub` is `org_id`).
    pub fn is_organization_level(&self) -> bool {
        self.org_id.as_deref() == Some(self.sub.as_str())
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

/// The verified claims of a `/_widgets` call's bearer token: 403 when it is missing, expired
/// or not signed by the emulator's key.
fn widget_token_claims(parts: &Parts, env: &Environment) -> Result<Claims, ApiError> {
    let token = bearer(parts).ok_or_else(|| ApiError::Forbidden("Missing widget token.".into()))?;
    env.keys.verify(token).map_err(|e| {
        let reason = match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => "Widget token expired.",
            _ => "Invalid widget token.",
        };
        ApiError::Forbidden(reason.into())
    })
}

impl FromRequestParts<Arc<Environment>> for WidgetCaller {
    type Rejection = ApiError;

    /// 403 for a bad token, a token of an unknown user or of a user no longer a member of its
    /// `org_id`, and for an organization-level token (these widgets act as a user).
    async fn from_request_parts(
        parts: &mut Parts,
        env: &Arc<Environment>,
    ) -> Result<Self, ApiError> {
        let claims = widget_token_claims(parts, env)?;
        if claims.is_organization_level() {
            return Err(ApiError::Forbidden(
                "This widget acts as a user: an organization-level widget token cannot be used."
                    .into(),
            ));
        }
        Self::from_claims(claims, &env.store.read())
    }
}

impl WidgetCaller {
    /// The caller a user's verified token names, checked against the live state.
    fn from_claims(claims: Claims, data: &Data) -> Result<Self, ApiError> {
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

    /// The token's organization; tokens without one are refused (403) by organization endpoints.
    pub fn organization(&self) -> Result<&str, ApiError> {
        self.organization_id.as_deref().ok_or_else(|| {
            ApiError::Forbidden("This widget token is not for an organization.".into())
        })
    }

    /// 403 unless the token carries `permission` (e.g. `widgets:users-table:manage`).
    pub fn require(&self, permission: &str) -> Result<(), ApiError> {
        require_permission(&self.permissions, permission)
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

/// 403 `This widget token lacks the '<permission>' permission.` unless `permissions` has it.
fn require_permission(permissions: &[String], permission: &str) -> Result<(), ApiError> {
    if permissions.iter().any(|p| p == permission) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "This widget token lacks the '{permission}' permission."
        )))
    }
}

/// A `/_widgets/*` call for an organization: an organization-level widget token (no user, see
/// [`ORGANIZATION_TOKEN_SCOPES`]) or a member's token with an `org_id`, as the organization
/// widgets (Admin Portal, organization API keys) accept either. Anything else → 403 `{message}`.
#[derive(Debug, Clone)]
pub struct OrganizationCaller {
    /// `None` for a member's token without an organization: refused by
    /// [`OrganizationCaller::organization_with`] (after the permission check, whose 403 it gets).
    organization_id: Option<String>,
    /// The member whose token it is; `None` for an organization-level token.
    pub user_id: Option<String>,
    /// The token's `permissions` that still hold: for a member, those their current role grants;
    /// for an organization-level token, those among [`ORGANIZATION_TOKEN_SCOPES`].
    pub permissions: Vec<String>,
}

impl FromRequestParts<Arc<Environment>> for OrganizationCaller {
    type Rejection = ApiError;

    /// 403 for a bad token, an organization-level token of an organization that no longer
    /// exists, or a user's token [`WidgetCaller`] refuses.
    async fn from_request_parts(
        parts: &mut Parts,
        env: &Arc<Environment>,
    ) -> Result<Self, ApiError> {
        let claims = widget_token_claims(parts, env)?;
        let data = env.store.read();
        if claims.is_organization_level() {
            if !data.organizations.contains_key(&claims.sub) {
                return Err(ApiError::Forbidden(
                    "Invalid widget token: unknown organization.".into(),
                ));
            }
            let permissions = claims
                .permissions
                .into_iter()
                .filter(|p| ORGANIZATION_TOKEN_SCOPES.contains(&p.as_str()))
                .collect();
            return Ok(Self {
                organization_id: Some(claims.sub),
                user_id: None,
                permissions,
            });
        }
        let caller = WidgetCaller::from_claims(claims, &data)?;
        Ok(Self {
            organization_id: caller.organization_id,
            user_id: Some(caller.user_id),
            permissions: caller.permissions,
        })
    }
}

impl OrganizationCaller {
    /// 403 unless the token carries `permission` (e.g. `widgets:sso:manage`).
    pub fn require(&self, permission: &str) -> Result<(), ApiError> {
        require_permission(&self.permissions, permission)
    }

    /// The token's organization, once the token is checked for `permission`: 403 without it, or
    /// for a user's token without an organization.
    pub fn organization_with(&self, permission: &str) -> Result<&str, ApiError> {
        self.require(permission)?;
        self.organization_id.as_deref().ok_or_else(|| {
            ApiError::Forbidden("This widget token is not for an organization.".into())
        })
    }
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, token trimmed).
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}
