//! Environment → typed configuration, with an error naming the variable when a setting is missing
//! or malformed.
//!
//! - No `WORKOS_API_KEY`: **emulator mode**. The app starts the embedded WorkOS emulator on
//!   `WORKOS_EMULATOR_ADDR` (default `127.0.0.1:4100`; port 0 picks a free one) and talks to it;
//!   its state, signing key and (unless `WORKOS_COOKIE_PASSWORD` is set) a generated cookie password
//!   live in `WORKOS_EMULATOR_STATE_DIR` (default `target/emulator`), so restarts keep sessions.
//! - With `WORKOS_API_KEY`: **WorkOS mode**. `WORKOS_CLIENT_ID` and `WORKOS_COOKIE_PASSWORD` (64
//!   hex characters) are required; the API host is `WORKOS_API_HOSTNAME` (default
//!   `api.workos.com`), `WORKOS_API_PORT` (optional) and `WORKOS_API_HTTPS` (default `true`).
//!   The Admin Portal the admin widgets open is at `WORKOS_ADMIN_PORTAL_ORIGIN` (default
//!   `https://setup.workos.com`, WorkOS reference "Portal link"; a custom domain replaces it).
//!   In emulator mode the emulator's own origin serves it.
//!
//! `WORKOS_WIDGETS_TOKENS_PER_MINUTE` (default 60, `0` = no limit) is the per-session rate of
//! widget tokens the app mints, after a burst of [`TOKEN_BURST`]. `METRICS_ADDR` (unset: off) is
//! where `GET /metrics` is served, on a listener of its own (`metrics.rs`).
//!
//! The canonical origin (the one host the app answers on, so the session cookie set after the
//! callback is the one the browser sends back) is the origin of `WORKOS_REDIRECT_URI` when set,
//! else `http://<site-addr>`.
//!
//! Every setting may also come from `.env` and `.env.local` in the working directory (the WorkOS
//! widgets integration guide keeps `WORKOS_API_KEY` and `WORKOS_CLIENT_ID` there), read once at
//! start-up by [`load_env_files`]: a real environment variable wins over `.env.local`, which wins
//! over `.env`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use url::Url;

/// The settings files read at start-up, strongest first (a real environment variable beats both).
pub const ENV_FILES: [&str; 2] = [".env.local", ".env"];

/// A settings file that exists but cannot be read or parsed.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", file.display())]
pub struct EnvFileError {
    pub file: PathBuf,
    pub problem: String,
}

/// The variables of `dir`'s [`ENV_FILES`] that the process environment (`is_set`) does not
/// already hold, `.env.local` over `.env`; and the files read. A missing file is skipped.
pub fn env_file_values(
    dir: &Path,
    is_set: impl Fn(&str) -> bool,
) -> Result<(HashMap<String, String>, Vec<PathBuf>), EnvFileError> {
    let mut values = HashMap::new();
    let mut read = Vec::new();
    for name in ENV_FILES {
        let file = dir.join(name);
        if !file.is_file() {
            continue;
        }
        let failed = |e: dotenvy::Error| EnvFileError {
            file: file.clone(),
            problem: e.to_string(),
        };
        for item in dotenvy::from_path_iter(&file).map_err(failed)? {
            let (key, value) = item.map_err(failed)?;
            if !is_set(&key) {
                values.entry(key).or_insert(value);
            }
        }
        read.push(file);
    }
    Ok((values, read))
}

/// Reads `dir`'s [`ENV_FILES`] into the process environment, never replacing a variable that is
/// already set; the files read. Call it first thing in `main`, before any other thread starts
/// (it sets environment variables).
pub fn load_env_files(dir: &Path) -> Result<Vec<PathBuf>, EnvFileError> {
    let (values, read) = env_file_values(dir, |key| std::env::var_os(key).is_some())?;
    for (key, value) in values {
        // SAFETY: called from `main` before the runtime or any other thread exists, so nothing
        // reads the environment concurrently.
        unsafe { std::env::set_var(key, value) };
    }
    Ok(read)
}

#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

fn invalid(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
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
    /// Start the embedded emulator on `addr`, keeping its state, signing key and the cookie
    /// password in `state_dir` so sessions survive restarts (e.g. under `cargo leptos watch`).
    Emulator {
        addr: String,
        state_dir: std::path::PathBuf,
    },
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
    /// The origin of the Admin Portal links the admin widgets open (a form POST or a new tab,
    /// contract §7.3–§7.6), when it is not the API host: `https://setup.workos.com` in WorkOS
    /// mode; `None` in emulator mode (the emulator serves its Admin Portal itself).
    pub admin_portal_origin: Option<String>,
    /// Widget tokens one session may mint per minute (after a burst of [`TOKEN_BURST`]); `None`:
    /// unlimited.
    pub tokens_per_minute: Option<std::num::NonZeroU32>,
    /// Where `GET /metrics` (Prometheus text format, `metrics.rs`) is served, on a listener of its
    /// own: `METRICS_ADDR`, e.g. `127.0.0.1:9100`; `None` (the default): not served.
    pub metrics_addr: Option<SocketAddr>,
}

/// WorkOS's Admin Portal (WorkOS reference, "Portal link": `https://setup.workos.com?token=…`).
pub const DEFAULT_ADMIN_PORTAL_ORIGIN: &str = "https://setup.workos.com";

/// Widget tokens a session may mint at once before the per-minute rate applies: the five widget
/// pages opened in a row, four times over.
pub const TOKEN_BURST: u32 = 20;
/// The default per-session rate of widget tokens: one a second. A widget mints one when it mounts
/// and again shortly before the token's hour is up, so a person clicking through pages stays well
/// under it (`make soak` walks the pages with 1 s to read each), while one session cannot mint more
/// than 3,600 tokens an hour.
pub const DEFAULT_TOKENS_PER_MINUTE: u32 = 60;

impl Config {
    /// Reads the process environment; `site_addr` is Leptos's `site-addr`.
    pub fn from_env(site_addr: SocketAddr) -> Result<Self, ConfigError> {
        Self::from_lookup(site_addr, |name| {
            std::env::var(name).ok().filter(|v| !v.trim().is_empty())
        })
    }

    pub fn from_lookup(
        site_addr: SocketAddr,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let redirect_uri = match var("WORKOS_REDIRECT_URI") {
            Some(raw) => {
                let url = Url::parse(&raw).map_err(|e| {
                    invalid("WORKOS_REDIRECT_URI", format!("'{raw}' is not a URL ({e})"))
                })?;
                if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                    return Err(invalid(
                        "WORKOS_REDIRECT_URI",
                        format!("'{raw}' must be an http(s) URL"),
                    ));
                }
                url
            }
            None => Url::parse(&format!("http://{site_addr}/callback"))
                .map_err(|e| invalid("LEPTOS_SITE_ADDR", e.to_string()))?,
        };
        let mut origin = redirect_uri.clone();
        origin.set_path("/");
        origin.set_query(None);
        origin.set_fragment(None);

        let cookie_password = match var("WORKOS_COOKIE_PASSWORD") {
            Some(password) => {
                if password.len() != 64 || !password.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(invalid(
                        "WORKOS_COOKIE_PASSWORD",
                        "must be exactly 64 hex characters (32 bytes); generate one with `openssl rand -hex 32`",
                    ));
                }
                Some(password)
            }
            None => None,
        };

        let tokens_per_minute = match var("WORKOS_WIDGETS_TOKENS_PER_MINUTE") {
            None => std::num::NonZeroU32::new(DEFAULT_TOKENS_PER_MINUTE),
            Some(raw) => match raw.parse::<u32>() {
                Ok(n) => std::num::NonZeroU32::new(n),
                Err(_) => {
                    return Err(invalid(
                        "WORKOS_WIDGETS_TOKENS_PER_MINUTE",
                        format!("'{raw}' is not a whole number (0 turns the limit off)"),
                    ));
                }
            },
        };

        let metrics_addr = var("METRICS_ADDR")
            .map(|raw| {
                raw.parse::<SocketAddr>().map_err(|_| {
                    invalid(
                        "METRICS_ADDR",
                        format!("'{raw}' is not an address like 127.0.0.1:9100"),
                    )
                })
            })
            .transpose()?;

        match var("WORKOS_API_KEY") {
            None => Ok(Self {
                cookie_password: match cookie_password {
                    Some(password) => password,
                    None => state_dir_password(&emulator_state_dir(&var))?,
                },
                mode: Mode::Emulator {
                    addr: var("WORKOS_EMULATOR_ADDR")
                        .unwrap_or_else(|| workos_emulator::config::DEFAULT_ADDR.into()),
                    state_dir: emulator_state_dir(&var),
                },
                api_key: workos_emulator::config::DEFAULT_API_KEY.into(),
                client_id: workos_emulator::config::DEFAULT_CLIENT_ID.into(),
                // Set once the emulator is listening (see `with_emulator_addr`).
                api: ApiHost {
                    hostname: "127.0.0.1".into(),
                    port: Some(4100),
                    https: false,
                },
                origin,
                redirect_uri,
                admin_portal_origin: None,
                tokens_per_minute,
                metrics_addr,
            }),
            Some(api_key) => {
                let client_id = var("WORKOS_CLIENT_ID").ok_or_else(|| {
                    invalid("WORKOS_CLIENT_ID", "is required when WORKOS_API_KEY is set")
                })?;
                let cookie_password = cookie_password.ok_or_else(|| {
                    invalid(
                        "WORKOS_COOKIE_PASSWORD",
                        "is required when WORKOS_API_KEY is set (64 hex characters)",
                    )
                })?;
                let hostname =
                    var("WORKOS_API_HOSTNAME").unwrap_or_else(|| "api.workos.com".into());
                if hostname.contains(['/', ':', ' ']) {
                    return Err(invalid(
                        "WORKOS_API_HOSTNAME",
                        format!(
                            "'{hostname}' must be a bare host name, like api.workos.com (no scheme, port or path)"
                        ),
                    ));
                }
                let port = var("WORKOS_API_PORT")
                    .map(|p| {
                        p.parse::<u16>().map_err(|_| {
                            invalid("WORKOS_API_PORT", format!("'{p}' is not a port number"))
                        })
                    })
                    .transpose()?;
                let https = match var("WORKOS_API_HTTPS").as_deref() {
                    None | Some("true") | Some("1") => true,
                    Some("false") | Some("0") => false,
                    Some(other) => {
                        return Err(invalid(
                            "WORKOS_API_HTTPS",
                            format!("'{other}' must be true or false"),
                        ));
                    }
                };
                let admin_portal_origin = match var("WORKOS_ADMIN_PORTAL_ORIGIN") {
                    None => DEFAULT_ADMIN_PORTAL_ORIGIN.to_string(),
                    Some(raw) => match Url::parse(&raw) {
                        Ok(url) if url.path() == "/" && url.query().is_none() => {
                            url.origin().ascii_serialization()
                        }
                        _ => {
                            return Err(invalid(
                                "WORKOS_ADMIN_PORTAL_ORIGIN",
                                format!(
                                    "'{raw}' must be an origin, like https://setup.workos.com (no path)"
                                ),
                            ));
                        }
                    },
                };
                Ok(Self {
                    mode: Mode::WorkOs,
                    api_key,
                    client_id,
                    cookie_password,
                    api: ApiHost {
                        hostname,
                        port,
                        https,
                    },
                    origin,
                    redirect_uri,
                    admin_portal_origin: Some(admin_portal_origin),
                    tokens_per_minute,
                    metrics_addr,
                })
            }
        }
    }

    /// Points the API host at the emulator once it listens on `addr`.
    pub fn with_emulator_addr(mut self, addr: SocketAddr) -> Self {
        self.api = ApiHost {
            hostname: addr.ip().to_string(),
            port: Some(addr.port()),
            https: false,
        };
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

/// `WORKOS_EMULATOR_STATE_DIR`, default `target/emulator`.
fn emulator_state_dir(var: &impl Fn(&str) -> Option<String>) -> std::path::PathBuf {
    var("WORKOS_EMULATOR_STATE_DIR")
        .unwrap_or_else(|| "target/emulator".into())
        .into()
}

/// The emulator-mode cookie password: generated once and kept in `<state_dir>/cookie-password`
/// (mode 0600), so a restart does not sign everyone out.
fn state_dir_password(dir: &std::path::Path) -> Result<String, ConfigError> {
    let file = dir.join("cookie-password");
    let fail = |e: std::io::Error| {
        invalid(
            "WORKOS_EMULATOR_STATE_DIR",
            format!("cannot use {}: {e}", file.display()),
        )
    };
    match std::fs::read_to_string(&file) {
        Ok(text)
            if text.trim().len() == 64 && text.trim().chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            Ok(text.trim().to_string())
        }
        Ok(_) | Err(_) => {
            use rand::RngCore;
            let mut key = [0u8; 32];
            rand::rng().fill_bytes(&mut key);
            let password = hex::encode(key);
            std::fs::create_dir_all(dir).map_err(fail)?;
            std::fs::write(&file, &password).map_err(fail)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                    .map_err(fail)?;
            }
            Ok(password)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: std::collections::HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup("127.0.0.1:3000".parse().unwrap(), |name| {
            vars.get(name).cloned()
        })
    }

    #[test]
    fn emulator_mode_needs_nothing_and_keeps_its_cookie_password() {
        let dir = std::env::temp_dir().join(format!("wwh-config-{}", std::process::id()));
        let dir_text = dir.display().to_string();
        let c = config(&[("WORKOS_EMULATOR_STATE_DIR", &dir_text)]).unwrap();
        assert_eq!(
            config(&[("WORKOS_EMULATOR_STATE_DIR", &dir_text)])
                .unwrap()
                .cookie_password,
            c.cookie_password,
            "same password after a restart"
        );
        let _ = std::fs::remove_dir_all(&dir);
        assert!(matches!(c.mode, Mode::Emulator { .. }));
        assert_eq!(c.origin_str(), "http://127.0.0.1:3000");
        assert_eq!(c.redirect_uri.as_str(), "http://127.0.0.1:3000/callback");
        assert_eq!(c.cookie_password.len(), 64);
        assert!(!c.secure_cookies());
    }

    #[test]
    fn workos_mode_names_the_missing_or_malformed_variable() {
        assert_eq!(
            config(&[("WORKOS_API_KEY", "sk")]).unwrap_err().variable,
            "WORKOS_CLIENT_ID"
        );
        assert_eq!(
            config(&[("WORKOS_API_KEY", "sk"), ("WORKOS_CLIENT_ID", "c")])
                .unwrap_err()
                .variable,
            "WORKOS_COOKIE_PASSWORD"
        );
        let pw = "ab".repeat(32);
        let base = [
            ("WORKOS_API_KEY", "sk"),
            ("WORKOS_CLIENT_ID", "c"),
            ("WORKOS_COOKIE_PASSWORD", pw.as_str()),
        ];
        assert_eq!(
            config(&[base[0], base[1], ("WORKOS_COOKIE_PASSWORD", "short")])
                .unwrap_err()
                .variable,
            "WORKOS_COOKIE_PASSWORD"
        );
        assert_eq!(
            config(&[base[0], base[1], base[2], ("WORKOS_API_PORT", "http")])
                .unwrap_err()
                .variable,
            "WORKOS_API_PORT"
        );
        assert_eq!(
            config(&base).unwrap().admin_portal_origin.as_deref(),
            Some("https://setup.workos.com")
        );
        assert_eq!(
            config(&[
                base[0],
                base[1],
                base[2],
                ("WORKOS_ADMIN_PORTAL_ORIGIN", "https://portal.example.com/")
            ])
            .unwrap()
            .admin_portal_origin
            .as_deref(),
            Some("https://portal.example.com")
        );
        assert_eq!(
            config(&[
                base[0],
                base[1],
                base[2],
                (
                    "WORKOS_ADMIN_PORTAL_ORIGIN",
                    "https://portal.example.com/setup"
                )
            ])
            .unwrap_err()
            .variable,
            "WORKOS_ADMIN_PORTAL_ORIGIN"
        );
        assert_eq!(
            config(&[
                base[0],
                base[1],
                base[2],
                ("WORKOS_API_HOSTNAME", "https://x")
            ])
            .unwrap_err()
            .variable,
            "WORKOS_API_HOSTNAME"
        );
        assert_eq!(
            config(&[base[0], base[1], base[2], ("WORKOS_REDIRECT_URI", "nope")])
                .unwrap_err()
                .variable,
            "WORKOS_REDIRECT_URI"
        );
        let c = config(&[
            base[0],
            base[1],
            base[2],
            ("WORKOS_REDIRECT_URI", "https://app.example.com/callback"),
        ])
        .unwrap();
        assert_eq!(c.api.base_url(), "https://api.workos.com");
        assert_eq!(c.origin_str(), "https://app.example.com");
        assert_eq!(c.canonical_host(), "app.example.com");
        assert!(c.secure_cookies());
        assert_eq!(
            c.tokens_per_minute.map(|n| n.get()),
            Some(DEFAULT_TOKENS_PER_MINUTE)
        );
        assert_eq!(
            config(&[
                base[0],
                base[1],
                base[2],
                ("WORKOS_WIDGETS_TOKENS_PER_MINUTE", "0")
            ])
            .unwrap()
            .tokens_per_minute,
            None
        );
        assert_eq!(
            config(&[
                base[0],
                base[1],
                base[2],
                ("WORKOS_WIDGETS_TOKENS_PER_MINUTE", "lots")
            ])
            .unwrap_err()
            .variable,
            "WORKOS_WIDGETS_TOKENS_PER_MINUTE"
        );
    }
}
