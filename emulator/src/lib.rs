//! A local WorkOS-compatible server.
//!
//! Serves what a WorkOS widgets host needs with no account and no internet: AuthKit sign-in (a real
//! sign-in page), code and refresh-token authentication, JWKS, logout and session revocation, users,
//! organizations, organization memberships, widget tokens (`POST /widgets/token`) and the private
//! `/_widgets/*` API the React widgets call from the browser. Responses follow the WorkOS OpenAPI
//! spec and the shapes the widgets ship with (see the repository's `emulator/README.md`).
//!
//! ```no_run
//! # async fn run() -> Result<(), workos_emulator::StartError> {
//! let emulator = workos_emulator::Emulator::start(Default::default(), "127.0.0.1:0").await?;
//! println!("WorkOS emulator on {}", emulator.base_url());
//! # Ok(()) }
//! ```

pub mod auth;
pub mod config;
pub mod error;
pub mod faults;
pub mod keys;
pub mod models;
pub mod routes;
pub mod seed;
pub mod store;
pub mod totp;

use std::net::SocketAddr;
use std::sync::Arc;

pub use config::EmulatorConfig;
pub use error::ApiError;

use keys::SigningKey;
use store::Store;

/// Shared state of the running emulator, handed to every handler.
pub struct Environment {
    pub config: EmulatorConfig,
    pub store: Store,
    pub keys: SigningKey,
    /// `http://host:port` the emulator is reachable at; the `iss` of its tokens.
    pub base_url: String,
    /// Injected faults (`/_emulator/faults`).
    pub faults: faults::Faults,
    /// The seeded state, restored by `/_emulator/reset`.
    pub seed_state: store::State,
    /// Whether the built-in demo seed is in use (the sign-in page then offers its accounts).
    pub demo_seed: bool,
    /// Access-token lifetime in seconds, starting at `config.access_token_ttl_secs`; tests shorten
    /// it at run time (`PATCH /_emulator/settings`) to reach refresh paths without waiting.
    pub access_token_ttl_secs: std::sync::atomic::AtomicI64,
}

impl Environment {
    /// The current access-token lifetime in seconds.
    pub fn access_token_ttl(&self) -> i64 {
        self.access_token_ttl_secs
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

pub type AppState = Arc<Environment>;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Key(#[from] keys::KeyError),
    #[error(transparent)]
    State(#[from] store::StoreError),
    #[error("cannot load the seed: {0}")]
    Seed(String),
}

/// A running emulator. Dropping it does not stop the server; call [`Emulator::shutdown`].
pub struct Emulator {
    addr: SocketAddr,
    base_url: String,
    environment: AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Emulator {
    /// Binds `addr` (port 0 picks a free port), seeds the demo environment and serves it on the
    /// current tokio runtime.
    pub async fn start(config: EmulatorConfig, addr: &str) -> Result<Self, StartError> {
        auth::return_large_blocks_to_the_system();
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: addr.into(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: addr.to_string(),
            source,
        })?;
        let base_url = format!("http://{addr}");
        let environment = Arc::new(build_environment(config, base_url.clone()).await?);
        let router = routes::router(environment.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        // No Nagle delay on small answers (see the app's server).
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let task = tokio::spawn(async move {
            let serve = axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "WorkOS emulator stopped");
            }
        });
        tracing::info!(%base_url, "WorkOS emulator listening");
        Ok(Self {
            addr,
            base_url,
            environment,
            shutdown: Some(tx),
            task,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn environment(&self) -> &AppState {
        &self.environment
    }

    /// Stops accepting connections and waits for in-flight requests to finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// Builds the environment (key, seed, state) without serving it; [`routes::router`] serves it.
pub async fn build_environment(
    config: EmulatorConfig,
    base_url: String,
) -> Result<Environment, StartError> {
    let key_path = config.signing_key_path.clone();
    let seed_path = config.seed_path.clone().or_else(|| {
        let auto = std::path::PathBuf::from(seed::SEED_FILE);
        auto.exists().then_some(auto)
    });
    // Key generation and password hashing are CPU-bound: keep them off the async workers.
    let (keys, seeded) = tokio::task::spawn_blocking(move || {
        let keys = match key_path {
            Some(path) => SigningKey::load_or_create(&path),
            None => SigningKey::generate(),
        };
        let seeded = match &seed_path {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| StartError::Seed(format!("cannot read {}: {e}", path.display())))
                .and_then(|text| {
                    seed::Seed::parse(&path.display().to_string(), &text)
                        .map_err(|e| StartError::Seed(e.to_string()))
                })
                .and_then(|seed| seed.to_state().map_err(|e| StartError::Seed(e.to_string())))
                .map(|state| (state, false)),
            None => seed::demo()
                .to_state()
                .map(|state| (state, true))
                .map_err(|e| StartError::Seed(e.to_string())),
        };
        if let Some(path) = &seed_path {
            tracing::info!(file = %path.display(), "seed file loaded");
        }
        (keys, seeded)
    })
    .await
    .map_err(|e| StartError::Seed(e.to_string()))?;
    let (seed_state, demo_seed) = seeded?;
    let store = match &config.state_path {
        Some(path) => Store::open(path, || seed_state.clone())?,
        None => Store::new(seed_state.clone()),
    };
    let access_token_ttl_secs = config.access_token_ttl_secs.into();
    Ok(Environment {
        config,
        store,
        keys: keys?,
        base_url,
        faults: Default::default(),
        seed_state,
        demo_seed,
        access_token_ttl_secs,
    })
}
