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

/// A random 6-digit one-time code, e.g. `042917` (emailed verification codes).
pub fn new_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000))
}

/// Whether two secrets are equal, compared in constant time (API keys, client secrets, codes).
pub fn secret_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}
