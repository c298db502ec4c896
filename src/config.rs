//! Environment → typed configuration, with an error naming the variable when a setting is missing
//! or malformed.
//!
//! - No `WORKOS_API_KEY`: **emulator mode**. The app starts the embedded WorkOS emulator on
//!   `WORKOS_EMULATOR_ADDR` (default `127.0.0.1:4100`; port 0 picks a free one) and talks to it;
//!   the cookie password is generated unless `WORKOS_COOKIE_PASSWORD` is set.
//! - With `WORKOS_API_KEY`: **WorkOS mode**. `WORKOS_CLIENT_ID` and `WORKOS_COOKIE_PASSWORD` (64
//!   hex characters) are required; the API host is `WORKOS_API_HOSTNAME` (default
//!   `api.workos.com`), `WORKOS_API_PORT` (optional) and `WORKOS_API_HTTPS` (default `true`).
//!
//! The canonical origin (the one host the app answers on, so the session cookie set after the
//! callback is the one the browser sends back) is the origin of `WORKOS_REDIRECT_URI` when set,
//! else `http://<site-addr>`.

use std::net::SocketAddr;

use url::Url;

#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

fn invalid(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError { variable, problem: problem.into() }
}

/// Where the WorkOS API lives, in the terms the widgets take (`apiHostname`, `port`, `https`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiHost {
    pub hostname: String,
    pub port: Option<u16>,
    pub https: bool,
}

impl ApiHost {
    /// `https://api.workos.com`, `http://127.0.0.1:4100`: no trailing slash (the `workos` crate
    /// concatenates paths onto it).
    pub fn base_url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        match self.port {
            Some(port) => format!("{scheme}://{}:{port}", self.hostname),
            None => format!("{scheme}://{}", self.hostname),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Mode {
    /// Start the embedded emulator on this address.
    Emulator { addr: String },
    WorkOs,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub mode: Mode,
    pub api_key: String,
    pub client_id: String,
    /// 64 hex characters: the `workos` crate's AES-256-GCM sealing key.
    pub cookie_password: String,
    pub api: ApiHost,
    /// Scheme, host and port the app is served on, e.g. `http://127.0.0.1:3000`.
    pub origin: Url,
    pub redirect_uri: Url,
}

impl Config {
    /// Reads the process environment; `site_addr` is Leptos's `site-addr`.
    pub fn from_env(site_addr: SocketAddr) -> Result<Self, ConfigError> {
        Self::from_lookup(site_addr, |name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    pub fn from_lookup(site_addr: SocketAddr, var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let redirect_uri = match var("WORKOS_REDIRECT_URI") {
            Some(raw) => {
                let url = Url::parse(&raw).map_err(|e| invalid("WORKOS_REDIRECT_URI", format!("'{raw}' is not a URL ({e})")))?;
                if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                    return Err(invalid("WORKOS_REDIRECT_URI", format!("'{raw}' must be an http(s) URL")));
                }
                url
            }
            None => Url::parse(&format!("http://{site_addr}/callback")).map_err(|e| invalid("LEPTOS_SITE_ADDR", e.to_string()))?,
        };
        let mut origin = redirect_uri.clone();
        origin.set_path("/");
        origin.set_query(None);
        origin.set_fragment(None);

        let cookie_password = match var("WORKOS_COOKIE_PASSWORD") {
            Some(password) => {
                if password.len() != 64 || !password.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(invalid("WORKOS_COOKIE_PASSWORD", "must be exactly 64 hex characters (32 bytes); generate one with `openssl rand -hex 32`"));
                }
                Some(password)
            }
            None => None,
        };

        match var("WORKOS_API_KEY") {
            None => Ok(Self {
                mode: Mode::Emulator { addr: var("WORKOS_EMULATOR_ADDR").unwrap_or_else(|| workos_emulator::config::DEFAULT_ADDR.into()) },
                api_key: workos_emulator::config::DEFAULT_API_KEY.into(),
                client_id: workos_emulator::config::DEFAULT_CLIENT_ID.into(),
                cookie_password: cookie_password.unwrap_or_else(random_password),
                // Set once the emulator is listening (see `with_emulator_addr`).
                api: ApiHost { hostname: "127.0.0.1".into(), port: Some(4100), https: false },
                origin,
                redirect_uri,
            }),
            Some(api_key) => {
                let client_id = var("WORKOS_CLIENT_ID").ok_or_else(|| invalid("WORKOS_CLIENT_ID", "is required when WORKOS_API_KEY is set"))?;
                let cookie_password = cookie_password.ok_or_else(|| invalid("WORKOS_COOKIE_PASSWORD", "is required when WORKOS_API_KEY is set (64 hex characters)"))?;
                let hostname = var("WORKOS_API_HOSTNAME").unwrap_or_else(|| "api.workos.com".into());
                if hostname.contains(['/', ':', ' ']) {
                    return Err(invalid("WORKOS_API_HOSTNAME", format!("'{hostname}' must be a bare host name, like api.workos.com (no scheme, port or path)")));
                }
                let port = var("WORKOS_API_PORT")
                    .map(|p| p.parse::<u16>().map_err(|_| invalid("WORKOS_API_PORT", format!("'{p}' is not a port number"))))
                    .transpose()?;
                let https = match var("WORKOS_API_HTTPS").as_deref() {
                    None | Some("true") | Some("1") => true,
                    Some("false") | Some("0") => false,
                    Some(other) => return Err(invalid("WORKOS_API_HTTPS", format!("'{other}' must be true or false"))),
                };
                Ok(Self { mode: Mode::WorkOs, api_key, client_id, cookie_password, api: ApiHost { hostname, port, https }, origin, redirect_uri })
            }
        }
    }

    /// Points the API host at the emulator once it listens on `addr`.
    pub fn with_emulator_addr(mut self, addr: SocketAddr) -> Self {
        self.api = ApiHost { hostname: addr.ip().to_string(), port: Some(addr.port()), https: false };
        self
    }

    /// `http://127.0.0.1:3000`, without a trailing slash.
    pub fn origin_str(&self) -> String {
        self.origin.as_str().trim_end_matches('/').to_string()
    }

    /// `host:port` as it appears in a `Host` header for the canonical origin.
    pub fn canonical_host(&self) -> String {
        let host = self.origin.host_str().unwrap_or_default();
        match self.origin.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.origin.scheme() == "https"
    }
}

fn random_password() -> String {
    use rand::RngCore;
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    hex::encode(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: std::collections::HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup("127.0.0.1:3000".parse().unwrap(), |name| vars.get(name).cloned())
    }

    #[test]
    fn emulator_mode_needs_nothing() {
        let c = config(&[]).unwrap();
        assert!(matches!(c.mode, Mode::Emulator { .. }));
        assert_eq!(c.origin_str(), "http://127.0.0.1:3000");
        assert_eq!(c.redirect_uri.as_str(), "http://127.0.0.1:3000/callback");
        assert_eq!(c.cookie_password.len(), 64);
        assert!(!c.secure_cookies());
    }

    #[test]
    fn workos_mode_names_the_missing_or_malformed_variable() {
        assert_eq!(config(&[("WORKOS_API_KEY", "sk")]).unwrap_err().variable, "WORKOS_CLIENT_ID");
        assert_eq!(config(&[("WORKOS_API_KEY", "sk"), ("WORKOS_CLIENT_ID", "c")]).unwrap_err().variable, "WORKOS_COOKIE_PASSWORD");
        let pw = "ab".repeat(32);
        let base = [("WORKOS_API_KEY", "sk"), ("WORKOS_CLIENT_ID", "c"), ("WORKOS_COOKIE_PASSWORD", pw.as_str())];
        assert_eq!(config(&[base[0], base[1], ("WORKOS_COOKIE_PASSWORD", "short")]).unwrap_err().variable, "WORKOS_COOKIE_PASSWORD");
        assert_eq!(config(&[base[0], base[1], base[2], ("WORKOS_API_PORT", "http")]).unwrap_err().variable, "WORKOS_API_PORT");
        assert_eq!(config(&[base[0], base[1], base[2], ("WORKOS_API_HOSTNAME", "https://x")]).unwrap_err().variable, "WORKOS_API_HOSTNAME");
        assert_eq!(config(&[base[0], base[1], base[2], ("WORKOS_REDIRECT_URI", "nope")]).unwrap_err().variable, "WORKOS_REDIRECT_URI");
        let c = config(&[base[0], base[1], base[2], ("WORKOS_REDIRECT_URI", "https://app.example.com/callback")]).unwrap();
        assert_eq!(c.api.base_url(), "https://api.workos.com");
        assert_eq!(c.origin_str(), "https://app.example.com");
        assert_eq!(c.canonical_host(), "app.example.com");
        assert!(c.secure_cookies());
    }
}
