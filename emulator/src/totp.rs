//! TOTP factors (RFC 6238: SHA-1, 6 digits, 30 s steps, ±1 step) through the `totp-rs` crate.

use totp_rs::{Builder, Secret, Totp};

/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "WorkOS Emulator";

fn build(secret_base32: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_base32).ok()?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .with_skew(1)
        .build()
        .ok()
}

/// A fresh 160-bit secret, base32.
pub fn new_secret() -> String {
    Secret::generate().to_base32()
}

/// `(otpauth:// URI, QR code as a PNG data URL)` for enrolling `secret` in an authenticator app.
pub fn enrollment(secret_base32: &str, account: &str) -> Option<(String, String)> {
    let totp = build(secret_base32, account)?;
    let uri = totp.to_url().ok()?;
    let png = totp.to_qr_base64().ok()?;
    Some((uri, format!("data:image/png;base64,{png}")))
}

/// Whether `code` is the current code of `secret` (or of the step before or after).
pub fn check(secret_base32: &str, code: &str) -> bool {
    build(secret_base32, "user").is_some_and(|totp| totp.check_current(code.trim()).is_some())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_current_code_checks_and_a_wrong_one_does_not() {
        let secret = super::new_secret();
        let totp = super::build(&secret, "alice@acme.test").unwrap();
        let code = totp.generate_current().to_string();
        assert!(super::check(&secret, &code));
        let wrong = if code == "000000" { "111111" } else { "000000" };
        assert!(!super::check(&secret, wrong));
        let (uri, qr) = super::enrollment(&secret, "alice@acme.test").unwrap();
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert!(uri.contains(&format!("secret={secret}")), "{uri}");
        assert!(qr.starts_with("data:image/png;base64,"));
    }
}
