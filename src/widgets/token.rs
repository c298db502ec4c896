//! Minting widget tokens for the browser.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::WidgetKind;
use crate::error::AppError;

/// Where the widgets send their `/_widgets/*` calls: the `WorkOsWidgets` provider props
/// `apiHostname`, `port` and `https` (contract §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetApi {
    pub hostname: String,
    pub port: Option<u16>,
    pub https: bool,
}

/// A widget token and the API host it is for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WidgetGrant {
    /// RS256 JWT from `POST /widgets/token`, valid one hour.
    pub token: String,
    pub api: WidgetApi,
    /// For UserSessions: this browser's AuthKit session id (the verified access token's `sid`),
    /// passed as the widget's `currentSessionId`. `POST /widgets/token` takes no session, so the
    /// widget token's own `sid` may name another of the user's sessions; with it the widget marked
    /// another browser as "this device" and "sign out all other devices" ended this one.
    pub current_session_id: Option<String>,
}

/// A widget token for `kind` for the signed-in user in their current organization, both taken
/// from the verified session (never from the request).
///
/// The token held for this session and context is reused (`token_cache.rs`: same session,
/// organization, user, scopes, role and permissions; until [`REUSE_MARGIN_SECS`](super::token_cache::REUSE_MARGIN_SECS) before its
/// `exp`); otherwise, or with `fresh` (a widget's `authToken` after a 403 or near `exp`), one is
/// minted and held. Minting mirrors `POST /widgets/token` (WorkOS API reference) through the
/// `workos` crate; 201 `{token}`. The registry decides the body: a widget with a permission gets, as
/// scopes, the slugs of it that the session's role grants (and none is refused); a user-level
/// widget names the user, an organization-level one only the organization. WorkOS 5xx and network failures are
/// retried (3 attempts, 5 s at most), a 429 too when its `Retry-After` fits in those 5 s. Errors:
/// `NotSignedIn` (401), `Forbidden` (403, e.g. a member asking for the users table),
/// `RateLimited` (429 with `Retry-After`: WorkOS's per-API-key mint limit, still limited after
/// the retries or asking to wait longer), `WorkOsUnavailable` (502), `TooManyRequests` (429 with
/// `Retry-After`: this session minted more than its allowance,
/// `WORKOS_WIDGETS_TOKENS_PER_MINUTE` after a burst of 20; tokens reused do not count).
/// Served at `POST /api/widget_token` (form body `kind=user-profile[&fresh=true]`).
#[server(endpoint = "widget_token", output = crate::codec::BrowserJson)]
pub async fn widget_token(
    kind: WidgetKind,
    #[server(default)] fresh: bool,
) -> Result<WidgetGrant, AppError> {
    AppError::answer(
        grant(kind, fresh).await,
        &format!("{} widget token", kind.id()),
    )
}

/// The first widget token of a widget page being rendered on the server (`Widget`, sent with the
/// page as its boot data): what [`widget_token`] hands out (not `fresh`), from the same token
/// cache, so a reload mints nothing. Its errors are the widget's to show: the page's own status
/// stays 200, and the refusal is logged as the server function logs it.
#[cfg(feature = "ssr")]
pub async fn page_grant(kind: WidgetKind) -> Result<WidgetGrant, AppError> {
    let result = grant(kind, false).await;
    if let Err(error) = &result {
        tracing::info!(%error, "{} widget token for the page refused", kind.id());
    }
    result
}

/// Attempts at `POST /widgets/token` per mint (the first and two retries).
#[cfg(feature = "ssr")]
const MINT_ATTEMPTS: u32 = 3;
/// The longest a mint may take, retries and `Retry-After` waits included.
#[cfg(feature = "ssr")]
const MINT_BUDGET: std::time::Duration = std::time::Duration::from_secs(5);

#[cfg(feature = "ssr")]
async fn grant(kind: WidgetKind, fresh: bool) -> Result<WidgetGrant, AppError> {
    use super::registry::{ExtraProp, TokenLevel};
    use super::token_cache::{MintedToken, TokenKey};

    let state = expect_context::<crate::state::AppState>();
    let session = crate::auth::session::require()?;
    let spec = kind.spec();
    if let Some(permission) = spec.permission.filter(|_| !session.may_use(kind)) {
        return Err(AppError::Forbidden(permission.denied.into()));
    }
    if spec.token == TokenLevel::Organization && session.organization_id.is_none() {
        return Err(AppError::Forbidden(
            "This page is for an organization, and you are signed in to none.".into(),
        ));
    }
    let user_id = (spec.token == TokenLevel::User).then(|| session.user.id.clone());
    let scopes: Vec<String> = spec
        .scopes(&session.permissions)
        .map(str::to_string)
        .collect();
    let key = TokenKey::new(
        &session.session_id,
        session.organization_id.as_deref(),
        session.role.as_deref(),
        &session.permissions,
        user_id.clone(),
        scopes.clone(),
    );
    let body = workos::WidgetSessionToken {
        organization_id: session.organization_id.clone(),
        user_id,
        scopes: Some(
            scopes
                .into_iter()
                .map(workos::WidgetSessionTokenScopes::from)
                .collect(),
        ),
    };
    let mint = async {
        // The per-session guard counts what reaches WorkOS, not tokens handed out again.
        if let Some(limiter) = &state.token_limiter {
            limiter.check(&session.session_id).map_err(|secs| {
                tracing::warn!(user_id = %session.user.id, session_id = %session.session_id, retry_after_secs = secs, "widget token rate limit reached");
                let refused = AppError::TooManyRequests(secs);
                state.metrics.mint(kind.id(), Err(&refused));
                refused
            })?;
        }
        let token = mint(&state.workos, &state.metrics, body).await;
        state.metrics.mint(kind.id(), token.as_ref().map(|_| ()));
        let token = token?;
        tracing::debug!(session_id = %session.session_id, widget = kind.id(), fresh, "widget token minted");
        Ok(MintedToken::new(token))
    };
    let held = if fresh {
        let token = mint.await?;
        state.widget_tokens.put(key, token.clone()).await;
        token
    } else {
        state.widget_tokens.get_or_mint(key, mint).await?
    };
    let api = &state.config.api;
    Ok(WidgetGrant {
        token: held.token.to_string(),
        api: WidgetApi {
            hostname: api.hostname.clone(),
            port: api.port,
            https: api.https,
        },
        current_session_id: spec
            .props
            .contains(&ExtraProp::CurrentSessionId)
            .then(|| session.session_id.clone()),
    })
}

/// `POST /widgets/token` with `body`: the token. Minting has no side effect, so a failure is tried
/// again: a broken connection or a 5xx after a short pause, a 429 after its `Retry-After` when that
/// fits in [`MINT_BUDGET`] (a longer one is answered at once, `RateLimited` with WorkOS's wait);
/// [`MINT_ATTEMPTS`] in all, within [`MINT_BUDGET`].
#[cfg(feature = "ssr")]
async fn mint(
    workos: &workos::Client,
    metrics: &crate::metrics::Metrics,
    body: workos::WidgetSessionToken,
) -> Result<String, AppError> {
    use std::time::{Duration, Instant};

    let deadline = Instant::now() + MINT_BUDGET;
    // One request per attempt: the retries are ours, so a long `Retry-After` is not slept through.
    let once = workos::RequestOptions {
        strategy: Some(workos::RequestStrategy::Once),
        ..Default::default()
    };
    let widgets = workos.widgets();
    let attempts = async {
        let mut attempt = 1;
        loop {
            let started = Instant::now();
            let result = widgets
                .create_token_with_options(
                    workos::widgets::CreateTokenParams::new(body.clone()),
                    Some(&once),
                )
                .await;
            metrics.workos_call("mint", result.is_ok(), started.elapsed());
            let error = match result {
                Ok(response) => return Ok(response.token.expose().to_string()),
                Err(e) => e,
            };
            let wait = match (&error, error.api()) {
                (_, Some(api)) if api.status == 429 => {
                    api.retry_after.unwrap_or(Duration::from_secs(1))
                }
                (_, Some(api)) if api.status >= 500 => {
                    Duration::from_millis(100 * u64::from(attempt))
                }
                (workos::Error::Network(_), None) => {
                    Duration::from_millis(100 * u64::from(attempt))
                }
                _ => return Err(error),
            };
            if attempt >= MINT_ATTEMPTS || Instant::now() + wait >= deadline {
                return Err(error);
            }
            tracing::info!(%error, attempt, wait_ms = wait.as_millis() as u64, "POST /widgets/token failed; trying again");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    };
    match tokio::time::timeout_at(deadline.into(), attempts).await {
        Ok(result) => result.map_err(|e| {
            tracing::warn!(error = %e, "POST /widgets/token failed");
            AppError::from_workos(&e)
        }),
        Err(_) => {
            tracing::warn!(
                budget_secs = MINT_BUDGET.as_secs(),
                "POST /widgets/token still failing when the time budget ran out"
            );
            Err(AppError::WorkOsUnavailable)
        }
    }
}
