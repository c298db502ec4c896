//! Fresh identifiers and secrets — object ids, opaque tokens, one-time codes — and the
//! constant-time comparison of secrets.

use subtle::ConstantTimeEq;

/// A fresh WorkOS-style id: `<prefix>_<ULID>`, e.g. `session_01JD…`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", ulid::Ulid::new())
}

/// An opaque random secret (authorization codes, refresh tokens, elevated-access tokens): 32
/// random bytes from the OS, base64url without padding (43 characters).
pub fn new_secret() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The prefix of every API key secret the emulator issues (test environment, as WorkOS's).
pub const API_KEY_PREFIX: &str = "sk_test_";

/// A fresh API key secret: [`API_KEY_PREFIX`] and 32 random bytes from the OS, base64url
/// (`sk_test_` + 43 characters).
pub fn new_api_key_secret() -> String {
    format!("{API_KEY_PREFIX}{}", new_secret())
}

/// How an API key secret is stored: lowercase hex SHA-256. The secret has 256 random bits, so a
/// fast digest is enough (no password stretching) and validation stays one lookup.
pub fn api_key_digest(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What is shown of a secret after creation: its prefix, `…`, and its last four characters.
pub fn obfuscate_api_key(secret: &str) -> String {
    let tail: String = secret
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{API_KEY_PREFIX}…{tail}")
}

/// A random 6-digit one-time code, e.g. `042917` (emailed verification codes).
pub fn new_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000))
}

/// Whether two secrets are equal, compared in constant time (API keys, client secrets, codes).
pub fn secret_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}
