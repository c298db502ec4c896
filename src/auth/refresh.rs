//! Refreshing the session: trading the rotating refresh token for new tokens, once per refresh
//! token even when several requests of one browser need it at the same moment.
//!
//! WorkOS refresh tokens are single-use. A page load and the widget-token calls it triggers can all
//! find the access token near expiry at once; without coordination the second exchange is refused
//! (`invalid_grant`) and signs the user out (authkit-nextjs#260). The coordinator shares one
//! exchange per refresh token and remembers its result for [`REUSE_WINDOW`], so every concurrent
//! request gets the same new session.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;
use workos::helpers::session::seal_session_from_auth_response;
use workos::user_management::AuthenticateWithRefreshTokenParams;

use crate::error::AppError;

/// How long a finished exchange is shared with late requests that carried the same old token.
const REUSE_WINDOW: Duration = Duration::from_secs(30);

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

#[derive(Default)]
pub struct RefreshCoordinator {
    /// By refresh token.
    inflight: Mutex<HashMap<String, Inflight>>,
}

impl RefreshCoordinator {
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
            .get_or_init(|| exchange(client, cookie_password, refresh_token, organization_id))
            .await
            .clone();
        if matches!(result, Err(RefreshFailure::Transient(_))) {
            // Shared with the requests that waited on this exchange, but not remembered: the next
            // request tries WorkOS again (the refresh token is still unused).
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

async fn exchange(
    client: &workos::Client,
    cookie_password: &str,
    refresh_token: &str,
    organization_id: Option<String>,
) -> RefreshResult {
    let mut params = AuthenticateWithRefreshTokenParams::new(refresh_token);
    params.organization_id = organization_id;
    match client
        .user_management()
        .authenticate_with_refresh_token(params)
        .await
    {
        Ok(auth) => seal_session_from_auth_response(
            auth.access_token.expose(),
            auth.refresh_token.expose(),
            Some(auth.user),
            auth.impersonator,
            cookie_password,
        )
        .map_err(|e| {
            RefreshFailure::Transient(AppError::Server(format!("cannot seal the session: {e}")))
        }),
        Err(e) => Err(classify(&e)),
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
