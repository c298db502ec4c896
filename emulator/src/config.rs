//! Settings of an emulated WorkOS environment.

use std::path::PathBuf;

/// The API key the emulator accepts when none is configured (the official `workos/emulate` uses
/// `sk_test_default`; ours names itself).
pub const DEFAULT_API_KEY: &str = "sk_test_emulator";
/// The AuthKit client id the emulator accepts when none is configured.
pub const DEFAULT_CLIENT_ID: &str = "client_emulator";
/// `127.0.0.1:4100`, the port the official `workos/emulate` uses.
pub const DEFAULT_ADDR: &str = "127.0.0.1:4100";

/// Largest request body the emulator reads, in bytes (64 KiB); larger ones get 413
/// `payload_too_large`. WorkOS bodies are small JSON documents.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Settings of one emulated environment; [`Default`] gives the defaults above.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// The secret API key: `Authorization: Bearer <api_key>` on server calls, and the
    /// `client_secret` of AuthKit code and refresh-token exchanges.
    pub api_key: String,
    /// The AuthKit client id (`client_id` of authorize/authenticate, and the JWKS path).
    pub client_id: String,
    /// Origins allowed to call the emulator from a browser (CORS): `/_widgets/*`, and AuthKit's
    /// code exchange, refresh and JWKS (`routes/browser_session.rs`), e.g.
    /// `http://localhost:3000`. Empty: any origin (the response echoes the request's `Origin`).
    pub allowed_origins: Vec<String>,
    /// A PKCS#8 PEM file holding the signing key, created on first start; `None` makes a new key
    /// each start (every token of an earlier run is then refused).
    pub signing_key_path: Option<PathBuf>,
    /// A seed file (see `seed.rs`); `None`: `workos-emulator.seed.json` in the working directory
    /// when it exists, else the built-in demo seed.
    pub seed_path: Option<PathBuf>,
    /// A JSON file holding the state (users, sessions, …), loaded at start and saved atomically on
    /// every change; `None` keeps it in memory (each start begins from the seed).
    pub state_path: Option<PathBuf>,
    /// AuthKit access-token lifetime in seconds (WorkOS's default is 5 minutes).
    pub access_token_ttl_secs: i64,
    /// Widget-token lifetime in seconds ("Widget tokens expire after one hour", WorkOS docs).
    pub widget_token_ttl_secs: i64,
    /// `POST /widgets/token` calls allowed a minute per API key, beyond which WorkOS answers 429
    /// with `Retry-After` ([`crate::limits::DEFAULT_MINTS_PER_MINUTE`]); 0: no limit.
    pub widget_token_mints_per_minute: u32,
    /// The refresh-token replay grace period in seconds: a refresh token exchanged again this soon
    /// after its rotation returns the same pair ([`crate::replay`]; WorkOS documents 30 s). 0: strict,
    /// every second exchange is `invalid_grant`.
    pub refresh_token_grace_secs: u64,
}

impl EmulatorConfig {
    /// Whether a browser page of `origin` (an `Origin` header, e.g. `http://localhost:3000`) may
    /// call the emulator: one of [`EmulatorConfig::allowed_origins`] (a trailing `/` ignored), or
    /// any origin when the list is empty.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins.is_empty()
            || self
                .allowed_origins
                .iter()
                .any(|allowed| allowed.trim_end_matches('/') == origin)
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            api_key: DEFAULT_API_KEY.into(),
            client_id: DEFAULT_CLIENT_ID.into(),
            allowed_origins: Vec::new(),
            signing_key_path: None,
            state_path: None,
            seed_path: None,
            access_token_ttl_secs: 5 * 60,
            widget_token_ttl_secs: 60 * 60,
            widget_token_mints_per_minute: crate::limits::DEFAULT_MINTS_PER_MINUTE,
            refresh_token_grace_secs: crate::replay::DEFAULT_GRACE_SECS,
        }
    }
}
