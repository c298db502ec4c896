//! A running emulator on a free port, and clients pointed at it.

use base64::Engine;
use workos::Client;
use workos_emulator::seed::DEMO_PASSWORD;
use workos_emulator::{Emulator, EmulatorConfig};

pub struct Harness {
    pub emulator: Emulator,
    pub workos: Client,
    pub http: reqwest::Client,
}

impl Harness {
    pub async fn start() -> Self {
        Self::with_config(EmulatorConfig::default()).await
    }

    pub async fn with_config(config: EmulatorConfig) -> Self {
        let api_key = config.api_key.clone();
        let client_id = config.client_id.clone();
        let emulator = Emulator::start(config, "127.0.0.1:0")
            .await
            .expect("emulator starts");
        let workos = Client::builder()
            .api_key(api_key)
            .client_id(client_id)
            .base_url(emulator.base_url())
            .max_retries(0)
            .build();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            emulator,
            workos,
            http,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emulator.base_url())
    }

    /// Signs in on the AuthKit page like a browser and returns the authorization code.
    pub async fn sign_in_code(
        &self,
        email: &str,
        password: &str,
    ) -> Result<String, reqwest::Response> {
        let response = self
            .http
            .post(self.url("/user_management/authorize"))
            .form(&[
                ("client_id", "client_emulator"),
                ("redirect_uri", "http://localhost:3000/callback"),
                ("state", "s1"),
                ("email", email),
                ("password", password),
            ])
            .send()
            .await
            .unwrap();
        if response.status() != reqwest::StatusCode::SEE_OTHER {
            return Err(response);
        }
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let url = url::Url::parse(&location).unwrap();
        assert_eq!(url.path(), "/callback");
        let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs.get("state").map(String::as_str), Some("s1"));
        Ok(pairs["code"].clone())
    }

    /// Signs in and exchanges the code: the AuthKit response.
    pub async fn sign_in(&self, email: &str) -> workos::AuthenticateResponse {
        let code = self
            .sign_in_code(email, DEMO_PASSWORD)
            .await
            .unwrap_or_else(|_| panic!("{email} signs in"));
        self.workos
            .user_management()
            .authenticate_with_code(workos::user_management::AuthenticateWithCodeParams::new(
                code,
            ))
            .await
            .expect("code exchange")
    }

    pub async fn widget_token(
        &self,
        user_id: &str,
        org: Option<&str>,
        scopes: Vec<workos::WidgetSessionTokenScopes>,
    ) -> Result<String, workos::Error> {
        let body = workos::WidgetSessionToken {
            organization_id: org.map(Into::into),
            user_id: Some(user_id.into()),
            scopes: Some(scopes),
        };
        self.workos
            .widgets()
            .create_token(workos::widgets::CreateTokenParams::new(body))
            .await
            .map(|r| r.token.expose().to_string())
    }
}

/// The decoded payload of a JWT, read the way the widgets read it: `atob` (standard base64).
pub fn payload(token: &str) -> serde_json::Value {
    let segment = token.split('.').nth(1).unwrap();
    assert!(
        !segment.contains(['-', '_']),
        "payload segment must be plain base64 for atob: {segment}"
    );
    let padded = format!("{segment}{}", "=".repeat((4 - segment.len() % 4) % 4));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(padded)
        .expect("atob-compatible payload");
    serde_json::from_slice(&bytes).unwrap()
}

pub fn status(err: &workos::Error) -> u16 {
    err.status()
        .unwrap_or_else(|| panic!("expected an API error, got {err}"))
}

impl Harness {
    /// A `/_widgets` request with the widget headers and `Bearer token`.
    pub fn widget(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        widget_type: &str,
    ) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(&format!("/_widgets{path}")))
            .bearer_auth(token)
            .header("WorkOS-Widgets-Version", "1")
            .header("WorkOS-Widgets-Type", widget_type)
    }

    /// Sends and returns (status, JSON body).
    pub async fn call(&self, request: reqwest::RequestBuilder) -> (u16, serde_json::Value) {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    /// Elevated access for `token`'s user, as the widgets get it: `send-verification`, the code from
    /// the mailbox, `verify` → the `x-elevated-access-token` value.
    pub async fn elevated_access(&self, token: &str, widget_type: &str, email: &str) -> String {
        let (_, challenge) = self
            .call(self.widget(
                reqwest::Method::POST,
                "/UserProfile/send-verification",
                token,
                widget_type,
            ))
            .await;
        let code = self.last_mail(email).await["code"]
            .as_str()
            .unwrap()
            .to_string();
        let verify = self.widget(reqwest::Method::POST, "/UserProfile/verify", token, widget_type).json(&serde_json::json!({"code": code, "authenticationChallengeId": challenge["authenticationChallenge"]}));
        let (_, elevated) = self.call(verify).await;
        elevated["elevatedAccessToken"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The newest mail to `to` in the emulator's mailbox.
    pub async fn last_mail(&self, to: &str) -> serde_json::Value {
        let mails: serde_json::Value = self
            .http
            .get(self.url(&format!("/_emulator/mailbox?format=json&to={to}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        mails["data"][0].clone()
    }
}

/// An authenticator app holding the base32 TOTP `secret` (RFC 6238, as the emulator checks it).
pub fn authenticator(secret: &str, account: &str) -> totp_rs::Totp {
    totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .with_account_name(account)
        .build()
        .unwrap()
}

/// The whole store as JSON, to compare before and after a request that must change nothing.
pub fn snapshot(h: &Harness) -> serde_json::Value {
    serde_json::to_value(&*h.emulator.environment().store.read()).expect("the state serialises")
}

/// The top-level store fields that differ between two [`snapshot`]s (empty when equal).
pub fn changed_fields(before: &serde_json::Value, after: &serde_json::Value) -> Vec<String> {
    let (Some(before), Some(after)) = (before.as_object(), after.as_object()) else {
        return vec!["<not an object>".into()];
    };
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .cloned()
        .collect()
}

/// Forging tokens the emulator must refuse: base64url segments, a foreign RSA key, the
/// alg-confusion HMAC keyed with the emulator's public key.
pub mod forge {
    use std::sync::OnceLock;

    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use jsonwebtoken::{Algorithm, EncodingKey};
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::{EncodePublicKey, LineEnding};
    use serde_json::Value;

    pub fn b64(bytes: impl AsRef<[u8]>) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The JSON in one base64url segment of a JWT.
    pub fn segment_json(segment: &str) -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).expect("base64url")).expect("JSON")
    }

    /// `(header, claims, signature)` of a JWT.
    pub fn split(token: &str) -> (Value, Value, String) {
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3, "a JWT has three segments: {token}");
        (
            segment_json(parts[0]),
            segment_json(parts[1]),
            parts[2].to_string(),
        )
    }

    /// `header.claims.signature` with the given signature (none, someone else's, …).
    pub fn assemble(header: &Value, claims: &Value, signature: &str) -> String {
        format!(
            "{}.{}.{signature}",
            b64(header.to_string()),
            b64(claims.to_string())
        )
    }

    /// One foreign 2048-bit RSA key for the whole test run (RSA key generation is slow).
    pub fn foreign_key() -> &'static EncodingKey {
        static KEY: OnceLock<EncodingKey> = OnceLock::new();
        KEY.get_or_init(|| {
            let key =
                rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("a foreign RSA key");
            EncodingKey::from_rsa_der(key.to_pkcs1_der().expect("PKCS#1 DER").as_bytes())
        })
    }

    /// `header` (e.g. the emulator's own, same `kid`) and `claims`, RS256-signed by [`foreign_key`].
    pub fn sign_foreign(header: &Value, claims: &Value) -> String {
        let message = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
        let signature =
            jsonwebtoken::crypto::sign(message.as_bytes(), foreign_key(), Algorithm::RS256)
                .expect("RS256 signing");
        format!("{message}.{signature}")
    }

    /// The emulator's published RSA public key as PEM, the secret of the classic alg-confusion
    /// forgery (`alg: HS256`, HMAC keyed with the public key).
    pub fn public_key_pem(jwks: &Value) -> String {
        let number = |field: &str| {
            rsa::BigUint::from_bytes_be(
                &URL_SAFE_NO_PAD
                    .decode(jwks["keys"][0][field].as_str().unwrap())
                    .unwrap(),
            )
        };
        let key =
            rsa::RsaPublicKey::new(number("n"), number("e")).expect("the JWKS key is an RSA key");
        key.to_public_key_pem(LineEnding::LF).expect("PEM")
    }

    /// `header.claims` HMAC-signed with `secret` (`alg` must be one of HS256/384/512).
    pub fn sign_hmac(
        header: &Value,
        claims: &Value,
        secret: &[u8],
        algorithm: Algorithm,
    ) -> String {
        let message = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
        let signature = jsonwebtoken::crypto::sign(
            message.as_bytes(),
            &EncodingKey::from_secret(secret),
            algorithm,
        )
        .expect("HMAC signing");
        format!("{message}.{signature}")
    }
}
