//! Refreshing the session: trading the rotating refresh token for new tokens, once per refresh
//! token even when several requests of one browser need it at the same moment, and again with the
//! same refresh token when the exchange fails transiently.
//!
//! WorkOS rotates refresh tokens on every exchange. A page load and the widget-token calls it
//! triggers can all find the access token near expiry at once; inside this process the coordinator
//! shares one exchange per refresh token and remembers its result for [`REUSE_WINDOW`], so every
//! concurrent request gets the same new session. Across processes (instances that share nothing),
//! WorkOS's replay grace period answers a second exchange of the same token inside the window with
//! the same pair ("Session resilience", workos.com/docs/authkit/session-resilience).
//!
//! As that page says, a transient failure (network error, timeout, 429, 5xx) is retried with the
//! same refresh token — bounded by [`REFRESH_ATTEMPTS`] and [`REFRESH_BUDGET`], well inside the
//! grace period, so a retry after a reply lost on the way back is a replay and gets the pair — and
//! never ends the session; only terminal answers (`invalid_grant`, `mfa_enrollment`,
//! `sso_required`) do.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;
use workos::helpers::session::seal_session_from_auth_response;
use workos::user_management::AuthenticateWithRefreshTokenParams;

use crate::error::AppError;
use crate::metrics::{Metrics, RefreshOutcome};

/// How long a finished exchange is shared with late requests that carried the same old token.
const REUSE_WINDOW: Duration = Duration::from_secs(30);

/// Attempts at one exchange when it fails transiently (the first and two retries).
pub const REFRESH_ATTEMPTS: u32 = 3;
/// Time one exchange may take, retries included: well inside WorkOS's 30 s replay grace period, so
/// every retry of a token whose exchange was done but whose reply was lost is still answered.
pub const REFRESH_BUDGET: Duration = Duration::from_secs(10);
/// Time one attempt may take before it counts as a timeout (transient) and is tried again.
pub const REFRESH_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(4);

/// Why a refresh failed.
#[derive(Debug, Clone)]
pub enum RefreshFailure {
    /// The refresh token is revoked, used or unknown (`invalid_grant`), or the cookie is unusable:
    /// the user must sign in again.
    Terminal(String),
    /// WorkOS is rate limiting, failing or unreachable: keep the cookie and try again later.
    Transient(AppError),
    /// The target organization needs a new AuthKit sign-in first (`sso_required`,
    /// `mfa_enrollment`); the session itself is still good.
    Reauthenticate(String),
}

/// WorkOS error codes of a refresh that mean "sign in through AuthKit for this organization"
/// (authkit-nextjs `switchToOrganization`; workos-node #1100).
const REAUTHENTICATE_CODES: [&str; 2] = ["sso_required", "mfa_enrollment"];

pub type RefreshResult = Result<String, RefreshFailure>;

/// One exchange in flight (or just finished): when it started, and its shared answer.
type Inflight = (Instant, Arc<OnceCell<RefreshResult>>);

pub struct RefreshCoordinator {
    /// By refresh token.
    inflight: Mutex<HashMap<String, Inflight>>,
    /// Each exchange's outcome and each attempt's latency.
    metrics: Arc<Metrics>,
}

impl RefreshCoordinator {
    pub fn new(metrics: Arc<Metrics>) -> Self {
        Self {
            inflight: Mutex::default(),
            metrics,
        }
    }

    /// Exchanges `refresh_token` (optionally switching to `organization_id`) and returns the new
    /// sealed session, sharing the exchange with concurrent callers that hold the same token.
    pub async fn refresh(
        &self,
        client: &workos::Client,
        cookie_password: &str,
        refresh_token: &str,
        organization_id: Option<String>,
    ) -> RefreshResult {
        let key = format!(
            "{refresh_token}|{}",
            organization_id.as_deref().unwrap_or_default()
        );
        let cell = {
            let mut inflight = self.inflight.lock().unwrap_or_else(|p| p.into_inner());
            inflight.retain(|_, (at, _)| at.elapsed() < REUSE_WINDOW);
            inflight
                .entry(key.clone())
                .or_insert_with(|| (Instant::now(), Arc::new(OnceCell::new())))
                .1
                .clone()
        };
        let result = cell
            .get_or_init(|| {
                exchange(
                    client,
                    &self.metrics,
                    cookie_password,
                    refresh_token,
                    organization_id,
                )
            })
            .await
            .clone();
        if matches!(result, Err(RefreshFailure::Transient(_))) {
            // Shared with the requests that waited on this exchange, but not remembered: the next
            // request tries WorkOS again with the same token (unused, or exchanged with its reply
            // lost, which WorkOS's replay grace period answers with the same pair).
            let mut inflight = self.inflight.lock().unwrap_or_else(|p| p.into_inner());
            if inflight
                .get(&key)
                .is_some_and(|(_, c)| Arc::ptr_eq(c, &cell))
            {
                inflight.remove(&key);
            }
        }
        result
    }
}

/// One exchange, retried with the same refresh token on a transient failure: after `Retry-After` on
/// a 429 (1 s without one), 100 ms × attempt after a 5xx, a network error or a timeout; until
/// [`REFRESH_ATTEMPTS`] or [`REFRESH_BUDGET`] runs out. A terminal answer returns at once.
async fn exchange(
    client: &workos::Client,
    metrics: &Metrics,
    cookie_password: &str,
    refresh_token: &str,
    organization_id: Option<String>,
) -> RefreshResult {
    let deadline = Instant::now() + REFRESH_BUDGET;
    // One request per attempt: the retries are ours (the `workos` crate does not retry a POST).
    let once = workos::RequestOptions {
        strategy: Some(workos::RequestStrategy::Once),
        ..Default::default()
    };
    let user_management = client.user_management();
    let mut attempt = 1;
    loop {
        let mut params = AuthenticateWithRefreshTokenParams::new(refresh_token);
        params.organization_id = organization_id.clone();
        let timeout =
            REFRESH_ATTEMPT_TIMEOUT.min(deadline.saturating_duration_since(Instant::now()));
        let call =
            user_management.authenticate_with_refresh_token_with_options(params, Some(&once));
        let started = Instant::now();
        let answer = tokio::time::timeout(timeout, call).await;
        metrics.workos_call("refresh", matches!(answer, Ok(Ok(_))), started.elapsed());
        let (failure, wait) = match answer {
            Ok(Ok(auth)) => {
                if attempt > 1 {
                    tracing::info!(attempt, "session refresh succeeded after a retry");
                    metrics.refresh(RefreshOutcome::Retried);
                } else {
                    metrics.refresh(RefreshOutcome::Ok);
                }
                return seal_session_from_auth_response(
                    auth.access_token.expose(),
                    auth.refresh_token.expose(),
                    Some(auth.user),
                    auth.impersonator,
                    cookie_password,
                )
                .map_err(|e| {
                    RefreshFailure::Transient(AppError::Server(format!(
                        "cannot seal the session: {e}"
                    )))
                });
            }
            Ok(Err(error)) => {
                let wait = match error.api() {
                    Some(api) if api.status == 429 => {
                        api.retry_after.unwrap_or(Duration::from_secs(1))
                    }
                    _ => Duration::from_millis(100 * u64::from(attempt)),
                };
                (classify(&error), wait)
            }
            Err(_) => (
                RefreshFailure::Transient(AppError::WorkOsUnavailable),
                Duration::from_millis(100 * u64::from(attempt)),
            ),
        };
        let RefreshFailure::Transient(error) = &failure else {
            metrics.refresh(RefreshOutcome::Terminal);
            return Err(failure);
        };
        if attempt >= REFRESH_ATTEMPTS || Instant::now() + wait >= deadline {
            tracing::warn!(%error, attempt, "session refresh still failing; giving up for this request");
            metrics.refresh(RefreshOutcome::TransientFailure);
            return Err(failure);
        }
        tracing::info!(%error, attempt, wait_ms = wait.as_millis() as u64, "session refresh failed transiently; trying again with the same refresh token");
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// As authkit-nextjs does: `sso_required` / `mfa_enrollment` ask for a new sign-in; 408, 429, 5xx
/// and network errors are transient; the rest (chiefly `invalid_grant`) are terminal.
pub fn classify(err: &workos::Error) -> RefreshFailure {
    match err.api() {
        Some(api)
            if api
                .code
                .as_deref()
                .is_some_and(|c| REAUTHENTICATE_CODES.contains(&c)) =>
        {
            RefreshFailure::Reauthenticate(api.code.clone().unwrap_or_default())
        }
        Some(api) if api.status == 408 || api.status == 429 || api.status >= 500 => {
            RefreshFailure::Transient(AppError::from_workos(err))
        }
        Some(api) => RefreshFailure::Terminal(format!(
            "{} {}",
            api.status,
            api.code.as_deref().unwrap_or(&api.message)
        )),
        None => match err {
            workos::Error::Network(_) => RefreshFailure::Transient(AppError::WorkOsUnavailable),
            other => RefreshFailure::Terminal(other.to_string()),
        },
    }
}
