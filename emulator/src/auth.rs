//! Who is calling: the API-key check of server-to-server calls, the widget-token check of
//! `/_widgets/*` calls, token minting, and password hashing.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::ApiError;
use crate::store::{self, State};

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
        let iat = store::now().unix_timestamp();
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

impl FromRequestParts<AppState> for ApiKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, env: &AppState) -> Result<Self, ApiError> {
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

impl FromRequestParts<AppState> for WidgetCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, env: &AppState) -> Result<Self, ApiError> {
        let token =
            bearer(parts).ok_or_else(|| ApiError::Forbidden("Missing widget token.".into()))?;
        let claims: Claims = env.keys.verify(token).map_err(|e| {
            let reason = match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => "Widget token expired.",
                _ => "Invalid widget token.",
            };
            ApiError::Forbidden(reason.into())
        })?;
        let state = env.store.read();
        if !state.users.contains_key(&claims.sub) {
            return Err(ApiError::unknown_user());
        }
        if let Some(org) = &claims.org_id
            && !is_active_member(&state, &claims.sub, org)
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
            .and_then(|org| state.membership(&claims.sub, org))
            .map(|m| state.role_permissions(&m.role))
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
        state: &State,
        headers: &axum::http::HeaderMap,
    ) -> Result<(), ApiError> {
        let token = headers
            .get("x-elevated-access-token")
            .and_then(|v| v.to_str().ok());
        let granted = token.and_then(|t| state.elevated.get(t));
        match granted {
            Some(access) if access.user_id == self.user_id && access.expires_at > store::now() => {
                Ok(())
            }
            _ => Err(ApiError::Forbidden(
                "Elevated access required: verify your identity again.".into(),
            )),
        }
    }
}

pub fn is_active_member(state: &State, user_id: &str, organization_id: &str) -> bool {
    state
        .membership(user_id, organization_id)
        .is_some_and(|m| m.status == store::MembershipStatus::Active)
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

/// Constant-time comparison of secrets.
pub fn secret_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Argon2id PHC string of `password`.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Argon2id runs at most this many at once (one per core). Each takes a 19 MiB memory block; with
/// one blocking thread per concurrent sign-in, the allocator kept those blocks per thread and 500
/// sign-ins left the process at ~1 GiB resident (`make soak`); see also
/// [`return_large_blocks_to_the_system`].
fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    })
}

/// glibc raises its mmap threshold to the size of each large block freed, so after the first
/// Argon2 block (19 MiB) the next ones came from per-thread heaps that never shrink: ~400 MiB
/// resident after 1,500 sign-ins even one per core at a time. A fixed threshold keeps blocks of
/// 4 MiB and more in their own mappings, returned to the system when freed. Called once by
/// [`crate::Emulator::start`], before the seed's passwords are hashed.
pub fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is safe to call at any time.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
    }
}

/// Runs `work` (password hashing or verification) off the async workers, one per core at a time:
/// Argon2id is deliberately slow and memory-hard.
pub async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let _permit = hashing_permits().acquire().await.ok()?;
    tokio::task::spawn_blocking(work).await.ok()
}

/// [`verify_password`] off the async workers (see [`hashing`]).
pub async fn password_matches(password: &str, hash: String) -> bool {
    let password = password.to_string();
    hashing(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}
