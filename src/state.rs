//! Server state shared by handlers and server functions (server-only).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::auth::refresh::RefreshCoordinator;
use crate::config::{Config, TOKEN_BURST};
use crate::metrics::Metrics;
use crate::widgets::rate_limit::TokenLimiter;
use crate::widgets::token_cache::TokenCache;

/// How long an organization's name is reused before it is fetched again.
const ORGANIZATION_NAME_TTL: Duration = Duration::from_secs(300);

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    /// One WorkOS client (one connection pool, one JWKS cache) for the whole process.
    pub workos: Arc<workos::Client>,
    pub refreshes: Arc<RefreshCoordinator>,
    /// Refreshes, mints, WorkOS latency and sign-outs (`metrics.rs`), served on `METRICS_ADDR`.
    pub metrics: Arc<Metrics>,
    /// The per-session widget-token limit; `None` when turned off.
    pub token_limiter: Option<Arc<TokenLimiter>>,
    /// Widget tokens minted, reused until shortly before they expire (`token_cache.rs`).
    pub widget_tokens: TokenCache,
    organization_names: Arc<Mutex<HashMap<String, (String, Instant)>>>,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, config: Config) -> Self {
        let workos = workos::Client::builder()
            .api_key(config.api_key.clone())
            .client_id(config.client_id.clone())
            .base_url(config.api.base_url())
            .timeout(Duration::from_secs(10))
            .build();
        let metrics = Arc::new(Metrics::new());
        let burst = std::num::NonZeroU32::new(TOKEN_BURST).expect("a positive burst");
        let token_limiter = config
            .tokens_per_minute
            .map(|per_minute| Arc::new(TokenLimiter::new(per_minute, burst)));
        Self {
            token_limiter,
            widget_tokens: TokenCache::default(),
            leptos_options,
            config: Arc::new(config),
            workos: Arc::new(workos),
            refreshes: Arc::new(RefreshCoordinator::new(metrics.clone())),
            metrics,
            organization_names: Arc::default(),
        }
    }

    /// The organization's name (`GET /organizations/{id}`), cached for 5 minutes; `None` when
    /// WorkOS cannot say.
    pub async fn organization_name(&self, organization_id: &str) -> Option<String> {
        if let Some((name, at)) = self.organization_names.lock().ok()?.get(organization_id)
            && at.elapsed() < ORGANIZATION_NAME_TTL
        {
            return Some(name.clone());
        }
        match self
            .workos
            .organizations()
            .get_organization(organization_id)
            .await
        {
            Ok(org) => {
                if let Ok(mut names) = self.organization_names.lock() {
                    names.insert(
                        organization_id.to_string(),
                        (org.name.clone(), Instant::now()),
                    );
                }
                Some(org.name)
            }
            Err(e) => {
                tracing::warn!(organization_id, error = %e, "cannot read the organization's name");
                None
            }
        }
    }
}
