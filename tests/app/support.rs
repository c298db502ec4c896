//! The app's real router and the embedded emulator on free loopback ports, in this process, shared
//! by the tests of this binary; every log line they write is kept for [`logs`].

use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};

use workos_emulator::{Emulator, EmulatorConfig};
use workos_widgets_host::config::Config;
use workos_widgets_host::state::AppState;

pub const PASSWORD: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
pub const ACME: &str = "org_01JDEM0000000000000000ACME";

/// An HTTP client that does not follow redirects (the tests look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

pub fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        capture_logs();
        runtime().block_on(Harness::start())
    })
}

/// Everything the app and emulator logged so far, at debug level (more than production's `info`).
pub fn logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned()
}

static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Captured;

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "debug,hyper=info,hyper_util=info,reqwest=info,h2=info",
        ))
        .with_ansi(false)
        .with_writer(|| Captured)
        .try_init();
}

pub struct Harness {
    pub base: String,
    pub emulator: Emulator,
    pub http: reqwest::Client,
    /// Alice's sealed session, signed in through AuthKit (as the server reads it: decoded).
    pub alice: String,
    /// Bob's sealed session.
    pub bob: String,
}

impl Harness {
    async fn start() -> Self {
        Self::start_with(EmulatorConfig::default()).await
    }

    /// An app of its own (not the shared [`harness`]) against an emulator of its own with
    /// `emulator`'s settings (its allowed origin is the app's), for tests that change the
    /// emulator's data or count its calls. Must run on [`runtime`].
    pub async fn start_with(emulator: EmulatorConfig) -> Self {
        static INSTANCES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let instance = INSTANCES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state_dir =
            std::env::temp_dir().join(format!("wwh-hostile-{}-{instance}", std::process::id()));
        let state_dir_text = state_dir.display().to_string();
        let config = Config::from_lookup(addr, |name| match name {
            "WORKOS_EMULATOR_STATE_DIR" => Some(state_dir_text.clone()),
            "WORKOS_COOKIE_PASSWORD" => Some(PASSWORD.into()),
            // The properties mint hundreds of tokens in one session.
            "WORKOS_WIDGETS_TOKENS_PER_MINUTE" => Some("0".into()),
            _ => None,
        })
        .expect("emulator-mode configuration");
        let emulator = Emulator::start(
            EmulatorConfig {
                allowed_origins: vec![config.origin_str()],
                ..emulator
            },
            "127.0.0.1:0",
        )
        .await
        .expect("emulator starts");
        let config = config.with_emulator_addr(emulator.addr());
        let options = leptos::prelude::LeptosOptions::builder()
            .output_name("app")
            .site_root("target/site")
            .site_addr(addr)
            .build();
        let router = workos_widgets_host::server::router(AppState::new(options, config));
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        let http = client();
        let mut harness = Self {
            base: format!("http://{addr}"),
            emulator,
            http,
            alice: String::new(),
            bob: String::new(),
        };
        harness.alice = harness.sign_in("alice@acme.test").await;
        harness.bob = harness.sign_in("bob@acme.test").await;
        harness
    }

    /// Signs in like a browser: `/sign-in` → the AuthKit form → `/callback`; the sealed session.
    pub async fn sign_in(&self, email: &str) -> String {
        sign_in(&self.http, &self.base, self.emulator.base_url(), email).await
    }

    /// `POST /api/viewer` with `cookie` as the session: (status, who the app says is signed in,
    /// the session cookie it sets, if any).
    pub async fn viewer(&self, cookie: &str) -> (u16, Option<String>, Option<String>) {
        let response = self
            .http
            .post(format!("{}/api/viewer", self.base))
            .header("cookie", format!("wos-session={cookie}"))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let set = set_cookie(&response, "wos-session");
        let body: serde_json::Value = response.json().await.unwrap_or(serde_json::Value::Null);
        (
            status,
            body.get("email").and_then(|e| e.as_str()).map(String::from),
            set,
        )
    }

    /// `GET /account/profile` with `cookie`: (status, `Location`).
    pub async fn profile_page(&self, cookie: &str) -> (u16, Option<String>) {
        let response = self
            .http
            .get(format!("{}/account/profile", self.base))
            .header("cookie", format!("wos-session={cookie}"))
            .send()
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .map(String::from),
        )
    }
}

/// Signs in to the app at `base` like a browser: `/sign-in` → the AuthKit form on `emulator` →
/// `/callback`; the sealed session (decoded). `http` must not follow redirects.
pub async fn sign_in(http: &reqwest::Client, base: &str, emulator: &str, email: &str) -> String {
    let start = http
        .get(format!("{base}/sign-in?return_to=/"))
        .send()
        .await
        .unwrap();
    let verifier =
        set_cookie(&start, "wos-auth-verifier").expect("sign-in sets the verifier cookie");
    let authorize = url::Url::parse(start.headers()["location"].to_str().unwrap()).unwrap();
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("email".into(), email.into()));
    form.push((
        "password".into(),
        workos_emulator::seed::DEMO_PASSWORD.into(),
    ));
    let signed_in = http
        .post(format!("{emulator}/user_management/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        signed_in.status(),
        303,
        "{email} signs in on the AuthKit page"
    );
    let callback = signed_in.headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    let done = http
        .get(callback)
        .header("cookie", format!("wos-auth-verifier={verifier}"))
        .send()
        .await
        .unwrap();
    set_cookie(&done, "wos-session").expect("the callback sets the session cookie")
}

/// The value a response sets for cookie `name`, percent-decoded as the server reads it (`Some("")`
/// when it clears it). Sent back raw: `+`, `/` and `=` are valid cookie characters.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    let decode = |v: &str| {
        v.replace("%2B", "+")
            .replace("%2F", "/")
            .replace("%3D", "=")
    };
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.strip_prefix(&format!("{name}="))
                .map(|rest| decode(rest.split(';').next().unwrap_or_default()))
        })
}

/// A free TCP port on 127.0.0.1 (bound, then released for the caller).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The server binary as a process of its own, in emulator mode on free ports, with `extra`
/// environment variables on top of a cleared environment (`RUST_LOG=warn`, stdout discarded).
/// For the tests that need the real process: signals, listeners, start-up.
pub struct Process {
    pub child: std::process::Child,
    /// `http://127.0.0.1:<port>` of the app and of its embedded emulator.
    pub base: String,
    pub emulator: String,
    pub state_dir: std::path::PathBuf,
}

impl Process {
    pub fn spawn(name: &str, extra: &[(&str, String)]) -> Self {
        let (app_port, emulator_port) = (free_port(), free_port());
        let state_dir = std::env::temp_dir().join(format!("wwh-{name}-{}", std::process::id()));
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_workos-widgets-host"));
        command
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{app_port}"))
            .env("WORKOS_EMULATOR_ADDR", format!("127.0.0.1:{emulator_port}"))
            .env("WORKOS_EMULATOR_STATE_DIR", &state_dir)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null());
        for (key, value) in extra {
            command.env(key, value);
        }
        Self {
            child: command.spawn().expect("the server binary runs"),
            base: format!("http://127.0.0.1:{app_port}"),
            emulator: format!("http://127.0.0.1:{emulator_port}"),
            state_dir,
        }
    }

    /// Waits until `/healthz` answers (panics after 30 s).
    pub async fn wait_until_up(&self, http: &reqwest::Client) {
        let started = std::time::Instant::now();
        while http
            .get(format!("{}/healthz", self.base))
            .send()
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "the server did not start"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}

/// Stops the process if it still runs and removes its state directory, also when a test fails.
impl Drop for Process {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.state_dir);
    }
}
