//! Expiry times, in seconds since the Unix epoch (server-only): the clock, and the `exp` of a JWT
//! read without verifying it. The session middleware compares the access token's `exp` with it,
//! the widget-token cache a minted token's.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Seconds since the Unix epoch.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// `exp` of a JWT whose signature was (or is about to be) verified elsewhere, or that came from
/// WorkOS itself (a widget token).
pub(crate) fn jwt_exp(token: &str) -> Option<i64> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()?
        .get("exp")?
        .as_i64()
}
