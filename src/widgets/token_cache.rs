//! Reusing widget tokens (server-only): a minted widget token is handed out again, until shortly
//! before its `exp`, to every request of the same session in the same context — organization, user
//! (or none, for organization-level widgets), scopes, and the role and permissions of the verified
//! access token. So a person browsing for an hour costs WorkOS about one `POST /widgets/token` per
//! token they need, not one per page view, and the deployment stays far inside WorkOS's per-API-key
//! mint limit however many pages are viewed.
//!
//! Never a token of an old context: the context is the key, read from the verified session on
//! every request. An organization switch changes the organization (and the switch also forgets the
//! session's tokens); a role change reaches the key with the next refresh of the access token, so a
//! scoped token outlives the role that granted it by one access-token lifetime at most; a sign-out
//! forgets the session's tokens, and a revoked or signed-out session never gets past
//! `session::require`, whose session id is the key's first part.
//!
//! A `moka` cache: bounded by the bytes it holds ([`MAX_BYTES`]), each entry expiring
//! [`REUSE_MARGIN_SECS`] before its token does; concurrent requests for a missing entry share one
//! mint.

use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::Expiry;
use moka::future::Cache;

use crate::auth::expiry::{jwt_exp, now};
use crate::error::AppError;

/// A token handed out is good for at least this long (seconds before its `exp`): an entry expires
/// this long before its token.
pub const REUSE_MARGIN_SECS: i64 = 5 * 60;

/// The most the cache holds: tokens and keys, in bytes (≈ 25,000 sessions' tokens).
pub const MAX_BYTES: u64 = 32 * 1024 * 1024;

/// Whose token it is: the session and everything of its context that decides what the token may
/// do. Built from the verified session only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenKey {
    /// The AuthKit session id (`sid` of the verified access token).
    pub session_id: String,
    /// `organization_id` of `POST /widgets/token`.
    pub organization_id: Option<String>,
    /// `user_id` of `POST /widgets/token` (`None` for an organization-level token).
    pub user_id: Option<String>,
    /// `scopes` of `POST /widgets/token`, sorted.
    pub scopes: Vec<String>,
    /// The verified access token's `role`.
    pub role: Option<String>,
    /// The verified access token's `permissions`, sorted.
    pub permissions: Vec<String>,
}

impl TokenKey {
    /// The key of a token for `user_id` with `scopes`, in the context of the verified session
    /// `session_id` (its organization, role and permissions); scopes and permissions sorted.
    pub fn new(
        session_id: &str,
        organization_id: Option<&str>,
        role: Option<&str>,
        permissions: &[String],
        user_id: Option<String>,
        mut scopes: Vec<String>,
    ) -> Self {
        scopes.sort();
        let mut permissions = permissions.to_vec();
        permissions.sort();
        Self {
            session_id: session_id.to_string(),
            organization_id: organization_id.map(String::from),
            user_id,
            scopes,
            role: role.map(String::from),
            permissions,
        }
    }

    fn bytes(&self) -> usize {
        let opt = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        self.session_id.len()
            + opt(&self.organization_id)
            + opt(&self.user_id)
            + opt(&self.role)
            + self
                .scopes
                .iter()
                .chain(&self.permissions)
                .map(String::len)
                .sum::<usize>()
    }
}

/// A minted widget token and its `exp` (seconds since the Unix epoch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintedToken {
    pub token: Arc<str>,
    pub exp: i64,
}

impl MintedToken {
    /// A token from WorkOS, its `exp` read from the payload (a token without one is not reused).
    pub fn new(token: String) -> Self {
        let exp = jwt_exp(&token).unwrap_or(0);
        Self {
            token: token.into(),
            exp,
        }
    }

    /// How much longer it may be handed out: until [`REUSE_MARGIN_SECS`] before `exp`.
    pub fn reusable_for(&self) -> Duration {
        let left = self.exp - REUSE_MARGIN_SECS - now();
        Duration::from_secs(left.max(0) as u64)
    }
}

/// Entries expire when their token stops being reusable.
struct UntilNearExp;

impl Expiry<TokenKey, MintedToken> for UntilNearExp {
    fn expire_after_create(
        &self,
        _key: &TokenKey,
        value: &MintedToken,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(value.reusable_for())
    }

    fn expire_after_update(
        &self,
        _key: &TokenKey,
        value: &MintedToken,
        _updated_at: Instant,
        _duration_until_expiry: Option<Duration>,
    ) -> Option<Duration> {
        Some(value.reusable_for())
    }
}

/// The process's reusable widget tokens.
#[derive(Clone)]
pub struct TokenCache {
    cache: Cache<TokenKey, MintedToken>,
}

impl Default for TokenCache {
    fn default() -> Self {
        Self::new(MAX_BYTES)
    }
}

impl TokenCache {
    /// A cache holding at most `max_bytes` of tokens and keys.
    pub fn new(max_bytes: u64) -> Self {
        Self {
            cache: Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|key: &TokenKey, value: &MintedToken| {
                    u32::try_from(key.bytes() + value.token.len()).unwrap_or(u32::MAX)
                })
                .expire_after(UntilNearExp)
                .support_invalidation_closures()
                .build(),
        }
    }

    /// The token held for `key`, or the one `mint` makes (then held). Concurrent callers with the
    /// same key share one mint; a failed mint is not remembered.
    pub async fn get_or_mint(
        &self,
        key: TokenKey,
        mint: impl Future<Output = Result<MintedToken, AppError>>,
    ) -> Result<MintedToken, AppError> {
        self.cache
            .try_get_with(key, mint)
            .await
            .map_err(|e| (*e).clone())
    }

    /// Holds `token` for `key`, replacing what was held (a fresh mint after a widget's 403).
    pub async fn put(&self, key: TokenKey, token: MintedToken) {
        self.cache.insert(key, token).await;
    }

    /// Forgets every token of `session_id` (sign-out, organization switch, refused refresh).
    pub fn forget_session(&self, session_id: &str) {
        let session_id = session_id.to_string();
        if let Err(e) = self
            .cache
            .invalidate_entries_if(move |key, _| key.session_id == session_id)
        {
            tracing::warn!(error = %e, "cannot forget a session's widget tokens");
        }
    }

    /// Entries held (approximate: expired ones may still count until the next maintenance).
    pub fn entry_count(&self) -> u64 {
        self.cache.entry_count()
    }
}
