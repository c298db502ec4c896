//! The environment's RS256 signing key: signs AuthKit access tokens and widget tokens, and is
//! published at `GET /sso/jwks/{client_id}` with all eight JWK fields (contract §8.3).

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};
use rsa::RsaPrivateKey;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or write the signing key file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the signing key is not a PKCS#8 RSA private key in PEM: {0}")]
    Pem(String),
    #[error("cannot build the signing key: {0}")]
    Build(String),
}

/// The signing key with everything derived from it.
pub struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: Value,
}

impl SigningKey {
    /// A fresh 2048-bit RSA key.
    pub fn generate() -> Result<Self, KeyError> {
        let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)
            .map_err(|e| KeyError::Build(e.to_string()))?;
        Self::from_rsa(key)
    }

    /// Loads the key from a PKCS#8 PEM file, creating the file with a fresh key when it does not
    /// exist, so tokens and JWKS stay valid across restarts.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(pem) => Self::from_pem(&pem),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)
                    .map_err(|e| KeyError::Build(e.to_string()))?;
                let pem = key
                    .to_pkcs8_pem(LineEnding::LF)
                    .map_err(|e| KeyError::Pem(e.to_string()))?;
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(io)?;
                }
                std::fs::write(path, pem.as_bytes()).map_err(io)?;
                Self::from_rsa(key)
            }
            Err(e) => Err(io(e)),
        }
    }

    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let key = RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| KeyError::Pem(e.to_string()))?;
        Self::from_rsa(key)
    }

    fn from_rsa(key: RsaPrivateKey) -> Result<Self, KeyError> {
        let build = |e: &dyn std::fmt::Display| KeyError::Build(e.to_string());
        let pem = key.to_pkcs8_pem(LineEnding::LF).map_err(|e| build(&e))?;
        let n = URL_SAFE_NO_PAD.encode(key.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
        // The kid is the key's own thumbprint: stable for a pinned key, new for a new one.
        let kid = format!(
            "sso_oidc_key_pair_{}",
            hex_prefix(&Sha256::digest(format!("{n}.{e}")))
        );

        let key_pair = rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256)
            .map_err(|e| build(&e))?;
        let mut params = rcgen::CertificateParams::new(vec!["workos-emulator".to_string()])
            .map_err(|e| build(&e))?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "WorkOS emulator signing key");
        let cert = params.self_signed(&key_pair).map_err(|e| build(&e))?;
        let der = cert.der();

        let jwk = json!({
            "alg": "RS256",
            "kty": "RSA",
            "use": "sig",
            "kid": kid,
            "n": n,
            "e": e,
            "x5c": [STANDARD.encode(der)],
            "x5t#S256": URL_SAFE_NO_PAD.encode(Sha256::digest(der)),
        });
        Ok(Self {
            encoding: EncodingKey::from_rsa_der(
                key.to_pkcs1_der().map_err(|e| build(&e))?.as_bytes(),
            ),
            decoding: DecodingKey::from_rsa_components(&n, &e).map_err(|e| build(&e))?,
            kid,
            jwk,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The JWKS document: `{"keys": [jwk]}`.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.jwk] })
    }

    /// Signs `claims` as an RS256 JWT with this key's `kid`.
    ///
    /// The widgets decode the payload with `atob`, which rejects the base64url characters `-` and
    /// `_` (contract §5). With an all-ASCII payload those can only come from the bytes `>`, `?`,
    /// `~` and DEL, which JSON allows only inside strings; [`ascii_json`] writes them (and every
    /// non-ASCII character) as `\uXXXX` escapes, so the payload segment never holds `-` or `_`
    /// and still decodes to the same claims.
    pub fn sign<T: Serialize>(&self, claims: &T) -> String {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": self.kid});
        let header = URL_SAFE_NO_PAD.encode(header.to_string());
        let payload = URL_SAFE_NO_PAD.encode(ascii_json(
            &serde_json::to_value(claims).unwrap_or(Value::Null),
        ));
        let message = format!("{header}.{payload}");
        // Signing with a key we built ourselves cannot fail short of a broken crypto provider.
        let signature =
            jsonwebtoken::crypto::sign(message.as_bytes(), &self.encoding, Algorithm::RS256)
                .expect("RS256 signing with the emulator's own key");
        format!("{message}.{signature}")
    }

    /// Verifies an RS256 JWT signed by this key and decodes its claims. Checks the signature,
    /// `exp` (no leeway) and `nbf`; requires `sub` and `exp`. `alg: none`, other algorithms and
    /// other keys fail.
    pub fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
    ) -> Result<T, jsonwebtoken::errors::Error> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = 0;
        validation.validate_nbf = true;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "sub"]);
        jsonwebtoken::decode::<T>(token, &self.decoding, &validation).map(|data| data.claims)
    }
}

/// A self-signed X.509 certificate (PEM, ECDSA P-256) for `common_name`, valid from `not_before`
/// to `not_after`: an SSO connection's SAML signing certificate, which the Admin Portal widgets
/// read the expiry of. Errors: the key or certificate cannot be built (the message).
pub fn self_signed_certificate(
    common_name: &str,
    not_before: time::OffsetDateTime,
    not_after: time::OffsetDateTime,
) -> Result<String, String> {
    let key_pair = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
    let mut params =
        rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, common_name);
    params.not_before = not_before;
    params.not_after = not_after;
    let cert = params.self_signed(&key_pair).map_err(|e| e.to_string())?;
    Ok(cert.pem())
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// Compact JSON whose bytes are all ASCII and never `>`, `?`, `~` or DEL (see [`SigningKey::sign`]).
pub fn ascii_json(value: &Value) -> String {
    let raw = value.to_string();
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '>' | '?' | '~' | '\u{7f}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_json_round_trips_and_its_base64_has_no_url_only_characters() {
        let value =
            json!({"email": "zoë~tilde?q>1@acme.test", "emoji": "🦀", "pad": "\u{7f}>>>???~~~"});
        let text = ascii_json(&value);
        assert!(text.is_ascii());
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
        for shift in 0..3 {
            let shifted = format!("{}{text}", " ".repeat(shift));
            let encoded = URL_SAFE_NO_PAD.encode(&shifted);
            assert!(!encoded.contains(['-', '_']), "{encoded}");
        }
    }
}
