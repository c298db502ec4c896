//! The session middleware: every request (but static files) passes through [`layer`], which
//! unseals and verifies the `wos-session` cookie, refreshes the access token when it is within
//! 60 s of expiry (persisting the rotated refresh token), redirects other hosts to the canonical
//! origin and signed-out visits of protected pages to sign-in, and leaves the verdict in the
//! request's extensions as a [`SessionStatus`] for pages and server functions.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use workos::helpers::session::unseal_session;

use super::cookies::{self, SESSION_COOKIE};
use super::expiry::{jwt_exp, now};
use super::refresh::RefreshFailure;
use crate::error::AppError;
use crate::metrics::SignOutCause;
use crate::state::AppState;
use crate::widgets::registry::WidgetKind;

/// Refresh the access token when it expires within this many seconds (authkit-nextjs's buffer).
pub const REFRESH_BUFFER_SECS: i64 = 60;

/// Pages that need a signed-in user; a signed-out visit goes to sign-in and comes back after.
const PROTECTED_PREFIXES: [&str; 2] = ["/account", "/organization"];
/// Liveness and readiness: answered on any host, with no session.
const PROBES: [&str; 2] = ["/healthz", "/readyz"];
/// Paths served from files, which need no session.
const STATIC_PREFIXES: [&str; 3] = ["/pkg/", "/bridge/", "/favicon"];

/// A verified session. User and organization come from here, never from client input.
#[derive(Debug, Clone)]
pub struct Session {
    /// The cookie's user, bound to the access token's `sub` by the `workos` crate.
    pub user: workos::User,
    /// AuthKit session id (`sid`).
    pub session_id: String,
    pub organization_id: Option<String>,
    pub role: Option<String>,
    pub permissions: Vec<String>,
    /// The sealed cookie value this session came from.
    pub sealed: String,
}

impl Session {
    /// Whether the role grants what `kind` needs (the registry's permission): the token server
    /// function, the preloads and the pages all ask this.
    pub fn may_use(&self, kind: WidgetKind) -> bool {
        kind.spec().permits(&self.permissions)
    }
}

#[derive(Debug, Clone)]
pub enum SessionStatus {
    SignedIn(Arc<Session>),
    SignedOut,
    /// A session exists but could not be refreshed because WorkOS is unavailable; the cookie is
    /// kept so the next request can try again.
    Unavailable(AppError),
}

/// The current request's session status (in pages during SSR and in server functions).
pub fn current() -> SessionStatus {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<SessionStatus>().cloned())
        .unwrap_or(SessionStatus::SignedOut)
}

/// The signed-in session, or the error to answer with.
pub fn require() -> Result<Arc<Session>, AppError> {
    match current() {
        SessionStatus::SignedIn(session) => Ok(session),
        SessionStatus::SignedOut => Err(AppError::NotSignedIn),
        SessionStatus::Unavailable(e) => Err(e),
    }
}

pub async fn layer(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());

    // One canonical origin: a visit on another host (localhost vs 127.0.0.1) would set a cookie the
    // browser never sends back to the redirect URI's host.
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    // Health probes come from orchestrators and load balancers addressing this instance directly.
    if PROBES.contains(&path.as_str()) {
        return next.run(request).await;
    }
    if !host.is_empty() && !host.eq_ignore_ascii_case(&state.config.canonical_host()) {
        return Redirect::permanent(&format!("{}{path_and_query}", state.config.origin_str()))
            .into_response();
    }
    if STATIC_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return next.run(request).await;
    }

    let sealed = cookies::read(request.headers(), SESSION_COOKIE);
    let (status, set_cookie) = match sealed {
        Some(sealed) => resolve(&state, sealed).await,
        // A value that does not even parse as a cookie: signed out, and cleared.
        None if cookies::present(request.headers(), SESSION_COOKIE) => {
            state.metrics.signed_out(SignOutCause::CookieUnreadable);
            (
                SessionStatus::SignedOut,
                Some(cookies::clear(
                    SESSION_COOKIE,
                    state.config.secure_cookies(),
                )),
            )
        }
        None => (SessionStatus::SignedOut, None),
    };

    let protected = PROTECTED_PREFIXES
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    let mut response = if protected
        && matches!(status, SessionStatus::SignedOut)
        && request.method() == Method::GET
    {
        let target = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("return_to", &path_and_query)
            .finish();
        Redirect::to(&format!("/sign-in?{target}")).into_response()
    } else {
        request.extensions_mut().insert(status);
        next.run(request).await
    };
    // A handler that set the session cookie itself (an organization switch) has the newer value.
    let handler_set_session = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| {
            v.as_bytes()
                .starts_with(format!("{SESSION_COOKIE}=").as_bytes())
        });
    if let Some(cookie) = set_cookie.filter(|_| !handler_set_session) {
        cookies::append(response.headers_mut(), cookie);
    }
    // Pages and server-function answers are per user: never stored by a browser or proxy.
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(http::HeaderValue::from_static("no-store"));
    response
}

/// Verifies (and if needed refreshes) a sealed session. Returns the status and, when the cookie
/// must change, its new `Set-Cookie` value.
async fn resolve(state: &AppState, sealed: String) -> (SessionStatus, Option<http::HeaderValue>) {
    let password = &state.config.cookie_password;
    let secure = state.config.secure_cookies();
    let clear = || Some(cookies::clear(SESSION_COOKIE, secure));

    let Ok(data) = unseal_session(&sealed, password) else {
        tracing::info!(
            "session cookie cannot be unsealed (tampered, truncated or from another key): signed out"
        );
        state.metrics.signed_out(SignOutCause::CookieUnreadable);
        return (SessionStatus::SignedOut, clear());
    };
    let verdict = state.workos.session(&sealed, password).authenticate().await;
    let access_exp = jwt_exp(data.access_token.expose());
    let near_expiry = access_exp.is_none_or(|exp| exp - now() < REFRESH_BUFFER_SECS);

    if verdict.authenticated && !near_expiry {
        return match session_from(verdict, sealed) {
            Some(session) => (SessionStatus::SignedIn(Arc::new(session)), None),
            None => (SessionStatus::SignedOut, clear()),
        };
    }
    if !verdict.authenticated && !verdict.needs_refresh {
        // A JWT that does not verify: forged, or signed by a key WorkOS no longer publishes —
        // unless the JWKS itself is out of reach, which is WorkOS being unavailable.
        if verdict.reason == "invalid_jwt" && state.workos.jwks().fetch().await.is_err() {
            return (
                SessionStatus::Unavailable(AppError::WorkOsUnavailable),
                None,
            );
        }
        tracing::info!(reason = %verdict.reason, "session cookie refused: signed out");
        state.metrics.signed_out(SignOutCause::TokenInvalid);
        return (SessionStatus::SignedOut, clear());
    }

    match state
        .refreshes
        .refresh(&state.workos, password, data.refresh_token.expose(), None)
        .await
    {
        Ok(new_sealed) => {
            let refreshed = state
                .workos
                .session(&new_sealed, password)
                .authenticate()
                .await;
            match session_from(refreshed, new_sealed.clone()) {
                Some(session) => {
                    tracing::debug!(session_id = %session.session_id, "access token refreshed");
                    (
                        SessionStatus::SignedIn(Arc::new(session)),
                        Some(cookies::session(new_sealed, secure)),
                    )
                }
                None => (SessionStatus::SignedOut, clear()),
            }
        }
        Err(RefreshFailure::Terminal(reason) | RefreshFailure::Reauthenticate(reason)) => {
            tracing::info!(%reason, "session refresh refused: signed out");
            state.metrics.signed_out(SignOutCause::RefreshRefused);
            if !verdict.session_id.is_empty() {
                state.widget_tokens.forget_session(&verdict.session_id);
            }
            (SessionStatus::SignedOut, clear())
        }
        Err(RefreshFailure::Transient(error)) => {
            tracing::warn!(%error, "session refresh failed for now; keeping the cookie");
            // Still valid for a few seconds: serve with it.
            match verdict
                .authenticated
                .then(|| session_from(verdict, sealed))
                .flatten()
            {
                Some(session) => (SessionStatus::SignedIn(Arc::new(session)), None),
                None => (SessionStatus::Unavailable(error), None),
            }
        }
    }
}

fn session_from(
    verdict: workos::helpers::session::SessionState,
    sealed: String,
) -> Option<Session> {
    if !verdict.authenticated {
        return None;
    }
    let non_empty = |s: String| (!s.is_empty()).then_some(s);
    Some(Session {
        user: verdict.user?,
        session_id: verdict.session_id,
        organization_id: non_empty(verdict.organization_id),
        role: non_empty(verdict.role),
        permissions: verdict.permissions,
        sealed,
    })
}
