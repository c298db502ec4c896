//! The running emulator's shared state, handed to every handler as `State<Arc<Environment>>`:
//! configuration, the [`Store`] of the environment's data, the signing key, injected faults and
//! run-time settings. [`build_environment`] makes one from a configuration.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::calls::Calls;
use crate::config::EmulatorConfig;
use crate::entities::Data;
use crate::faults::Faults;
use crate::keys::{KeyError, SigningKey};
use crate::limits::MintLimit;
use crate::replay::Replays;
use crate::seed;
use crate::store::{Store, StoreError};

/// Shared state of the running emulator, handed to every handler (as `Arc<Environment>`).
pub struct Environment {
    pub config: EmulatorConfig,
    /// The environment's users, organizations, sessions… (see [`Data`]).
    pub store: Store,
    pub keys: SigningKey,
    /// `http://host:port` the emulator is reachable at; the `iss` of its tokens.
    pub base_url: String,
    /// Injected faults (`/_emulator/faults`).
    pub faults: Faults,
    /// The seeded data, restored by `/_emulator/reset`.
    pub seed_data: Data,
    /// Whether the built-in demo seed is in use (the sign-in page then offers its accounts).
    pub demo_seed: bool,
    /// Access-token lifetime in seconds, starting at `config.access_token_ttl_secs`; tests shorten
    /// it at run time (`PATCH /_emulator/settings`) to reach refresh paths without waiting.
    pub access_token_ttl_secs: AtomicI64,
    /// The per-API-key limit on `POST /widgets/token`, starting at
    /// `config.widget_token_mints_per_minute`; settable at run time (`PATCH /_emulator/settings`).
    pub mint_limit: MintLimit,
    /// Every WorkOS call answered, counted (`GET /_emulator/calls`).
    pub calls: Calls,
    /// Refresh-token rotations of the replay grace period, starting at
    /// `config.refresh_token_grace_secs`; settable at run time (`PATCH /_emulator/settings`).
    pub replays: Replays,
}

impl Environment {
    /// The current access-token lifetime in seconds.
    pub fn access_token_ttl(&self) -> i64 {
        self.access_token_ttl_secs.load(Ordering::Relaxed)
    }

    /// Sets the access-token lifetime of tokens minted from now on, in seconds.
    pub fn set_access_token_ttl(&self, secs: i64) {
        self.access_token_ttl_secs.store(secs, Ordering::Relaxed);
    }
}

/// Why the emulator cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The address is taken or invalid.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    /// The signing key file cannot be read, written or parsed.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The state file cannot be read, written or parsed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The seed file cannot be read, parsed or hashed; the message names the file and the reason.
    #[error("cannot load the seed: {0}")]
    Seed(String),
}

/// Builds the environment (key, seed, data) without serving it; `routes::router` serves it.
///
/// The seed is `config.seed_path`, else [`seed::SEED_FILE`] in the working directory when it
/// exists, else the built-in demo seed. With `config.state_path`, the data is loaded from that
/// file (created from the seed when missing).
pub async fn build_environment(
    config: EmulatorConfig,
    base_url: String,
) -> Result<Arc<Environment>, StartError> {
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
                .and_then(|seed| seed.to_data().map_err(|e| StartError::Seed(e.to_string())))
                .map(|data| (data, false)),
            None => seed::demo()
                .to_data()
                .map(|data| (data, true))
                .map_err(|e| StartError::Seed(e.to_string())),
        };
        if let Some(path) = &seed_path {
            tracing::info!(file = %path.display(), "seed file loaded");
        }
        (keys, seeded)
    })
    .await
    .map_err(|e| StartError::Seed(e.to_string()))?;
    let (seed_data, demo_seed) = seeded?;
    let store = match &config.state_path {
        Some(path) => Store::open(path, || seed_data.clone())?,
        None => Store::new(seed_data.clone()),
    };
    let access_token_ttl_secs = config.access_token_ttl_secs.into();
    let mint_limit = MintLimit::new(config.widget_token_mints_per_minute);
    let replays = Replays::new(config.refresh_token_grace_secs);
    Ok(Arc::new(Environment {
        config,
        store,
        keys: keys?,
        base_url,
        faults: Faults::default(),
        seed_data,
        demo_seed,
        access_token_ttl_secs,
        mint_limit,
        calls: Calls::default(),
        replays,
    }))
}
