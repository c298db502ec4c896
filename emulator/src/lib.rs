//! A local WorkOS-compatible server.
//!
//! Serves what a WorkOS widgets host needs with no account and no internet: AuthKit sign-in (a real
//! sign-in page), code and refresh-token authentication, JWKS, logout and session revocation, users,
//! organizations, organization memberships, widget tokens (`POST /widgets/token`), the private
//! `/_widgets/*` API the React widgets call from the browser, and a small Admin Portal (one-time
//! links to set up SSO, domains, directory sync and audit-log streams). Responses follow the
//! WorkOS OpenAPI spec and the shapes the widgets ship with (see the repository's
//! `emulator/README.md`).
//!
//! ```no_run
//! # async fn run() -> Result<(), workos_emulator::StartError> {
//! let emulator = workos_emulator::Emulator::start(Default::default(), "127.0.0.1:0").await?;
//! println!("WorkOS emulator on {}", emulator.base_url());
//! # Ok(()) }
//! ```

pub mod auth;
pub mod calls;
pub mod clock;
pub mod config;
pub mod entities;
pub mod environment;
pub mod error;
pub mod extract;
pub mod faults;
pub mod ids;
pub mod keys;
pub mod limits;
pub mod models;
pub mod pages;
pub mod password;
pub mod pipes;
pub mod replay;
pub mod routes;
pub mod seed;
pub mod store;
pub mod totp;

use std::net::SocketAddr;
use std::sync::Arc;

pub use config::EmulatorConfig;
pub use environment::{Environment, StartError};
pub use error::ApiError;

/// A running emulator. Dropping it does not stop the server; call [`Emulator::shutdown`].
pub struct Emulator {
    addr: SocketAddr,
    base_url: String,
    environment: Arc<Environment>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Emulator {
    /// Binds `addr` (port 0 picks a free port), seeds the environment (see
    /// [`environment::build_environment`]) and serves it on the current tokio runtime. Errors: the
    /// address cannot be bound, or the key, state or seed file cannot be used ([`StartError`]).
    pub async fn start(config: EmulatorConfig, addr: &str) -> Result<Self, StartError> {
        password::return_large_blocks_to_the_system();
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
        let environment = environment::build_environment(config, base_url.clone()).await?;
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

    /// The address it listens on (with the actual port when it was started on port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The running environment: its configuration, store, signing key and settings.
    pub fn environment(&self) -> &Arc<Environment> {
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
