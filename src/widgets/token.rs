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

/// Mints a widget token for `kind` for the signed-in user in their current organization, both
/// taken from the verified session (never from the request).
///
/// Mirrors `POST /widgets/token` (WorkOS API reference) through the `workos` crate; 201 `{token}`.
/// The registry decides the body: a widget with a permission gets, as scopes, the slugs of it that
/// the session's role grants (and none is refused); a user-level widget names the user, an organization-level
/// one only the organization. WorkOS 429 / 5xx are retried (3 attempts, honouring
/// `Retry-After`, 5 s at most). Errors: `NotSignedIn` (401), `Forbidden` (403, e.g. a member
/// asking for the users table), `RateLimited` (429, still limited after the retries),
/// `WorkOsUnavailable` (502), `TooManyRequests` (429 with `Retry-After`: this session minted more
/// than its allowance, `WORKOS_WIDGETS_TOKENS_PER_MINUTE` after a burst of 20).
/// Served at `POST /api/widget_token` (form body `kind=user-profile`).
#[server(endpoint = "widget_token")]
pub async fn widget_token(kind: WidgetKind) -> Result<WidgetGrant, AppError> {
    AppError::answer(mint(kind).await, &format!("{} widget token", kind.id()))
}

/// Attempts at `POST /widgets/token` per mint (the first and two retries).
#[cfg(feature = "ssr")]
const MINT_ATTEMPTS: u32 = 3;
/// The longest a mint may take, retries and `Retry-After` waits included.
#[cfg(feature = "ssr")]
const MINT_BUDGET: std::time::Duration = std::time::Duration::from_secs(5);

#[cfg(feature = "ssr")]
async fn mint(kind: WidgetKind) -> Result<WidgetGrant, AppError> {
    use workos::WidgetSessionTokenScopes;

    use super::registry::{ExtraProp, TokenLevel};

    let state = expect_context::<crate::state::AppState>();
    let session = crate::auth::session::require()?;
    if let Some(limiter) = &state.token_limiter {
        limiter.check(&session.session_id).map_err(|secs| {
            tracing::warn!(user_id = %session.user.id, session_id = %session.session_id, retry_after_secs = secs, "widget token rate limit reached");
            AppError::TooManyRequests(secs)
        })?;
    }
    let spec = kind.spec();
    if let Some(permission) = spec.permission.filter(|_| !session.may_use(kind)) {
        return Err(AppError::Forbidden(permission.denied.into()));
    }
    if spec.token == TokenLevel::Organization && session.organization_id.is_none() {
        return Err(AppError::Forbidden(
            "This page is for an organization, and you are signed in to none.".into(),
        ));
    }
    let body = workos::WidgetSessionToken {
        organization_id: session.organization_id.clone(),
        user_id: (spec.token == TokenLevel::User).then(|| session.user.id.clone()),
        scopes: Some(
            spec.scopes(&session.permissions)
                .map(|slug| WidgetSessionTokenScopes::from(slug.to_string()))
                .collect(),
        ),
    };
    // Minting has no side effect, so WorkOS 429s and 5xx are retried (the crate's backoff, which
    // honours `Retry-After`), up to MINT_ATTEMPTS, all within MINT_BUDGET.
    let options = workos::RequestOptions {
        strategy: Some(workos::RequestStrategy::ExponentialBackoff {
            max_attempts: MINT_ATTEMPTS,
            jitter: true,
        }),
        ..Default::default()
    };
    // The crate does not retry a connection that breaks mid-answer; with no side effect to fear,
    // so do we (same attempts, same budget).
    let widgets = state.workos.widgets();
    let mint = async {
        let mut attempt = 1;
        loop {
            match widgets
                .create_token_with_options(
                    workos::widgets::CreateTokenParams::new(body.clone()),
                    Some(&options),
                )
                .await
            {
                Err(workos::Error::Network(e)) if attempt < MINT_ATTEMPTS => {
                    tracing::info!(error = %e, attempt, "POST /widgets/token: connection failed; trying again");
                    tokio::time::sleep(std::time::Duration::from_millis(100 * u64::from(attempt)))
                        .await;
                    attempt += 1;
                }
                other => break other,
            }
        }
    };
    let response = match tokio::time::timeout(MINT_BUDGET, mint).await {
        Ok(result) => result.map_err(|e| {
            tracing::warn!(error = %e, "POST /widgets/token failed");
            AppError::from_workos(&e)
        })?,
        Err(_) => {
            tracing::warn!(
                budget_secs = MINT_BUDGET.as_secs(),
                "POST /widgets/token still failing when the time budget ran out"
            );
            return Err(AppError::WorkOsUnavailable);
        }
    };
    let api = &state.config.api;
    Ok(WidgetGrant {
        token: response.token.expose().to_string(),
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
