//! AuthKit called from a single-page app (`@workos-inc/authkit-js`, and `authkit-react` over it):
//! the CORS of the AuthKit calls the browser makes itself, and the emulator's session cookie.
//!
//! - **CORS** ([`cors`]): `POST /user_management/authenticate` (the PKCE code exchange and every
//!   refresh, with no client secret) and the JWKS answer the allowed origins
//!   ([`EmulatorConfig::allows_origin`](crate::config::EmulatorConfig::allows_origin): the
//!   `--allowed-origin` list `/_widgets/*` uses, the app's own origin for the embedded emulator),
//!   echoing the exact origin with `Access-Control-Allow-Credentials: true`, since authkit-js
//!   sends credentials (`credentials: "include"`) when it is not in `devMode`. Another origin gets
//!   no `Access-Control-Allow-Origin`, so its browser refuses the answer (WorkOS: the app's
//!   origin must be on the environment's allowed origins, "Configure CORS").
//! - **Session cookie** ([`BrowserCall`]): a grant answered to an allowed browser origin sets
//!   [`SESSION_COOKIE`] (the session's refresh token: `HttpOnly`, `Path=/user_management`,
//!   `SameSite=Lax`) and [`HAS_SESSION_COOKIE`] (the client id, readable by the page: authkit-js
//!   refreshes at start when it names its client id). Off `localhost` authkit-js refreshes with
//!   no `refresh_token` in the body, relying on that cookie (WorkOS, in authkit-js issue #37: "we rely on
//!   passing the refresh token in an http only cookie"): the refresh then takes the cookie's
//!   token, so rotation applies to it as to any refresh, and the answer sets the new one. A
//!   refused cookie refresh (`invalid_grant`) and the logout clear both cookies.
//!
//! `SameSite=Lax` rather than WorkOS's cross-site cookie: the emulator is plain HTTP, where
//! `SameSite=None` (which requires `Secure`) cannot be set, and WorkOS's production set-up for
//! browser AuthKit, a custom Authentication API domain under the app's own domain, makes the
//! refresh a same-site request, which carries a `Lax` cookie. A page on another site (e.g.
//! `localhost` against an emulator on `127.0.0.1`) gets no cookie, as Safari and Firefox block
//! WorkOS's third-party cookie without a custom domain; authkit-js's `devMode` (refresh token
//! in `localStorage`, the default on `localhost` and `127.0.0.1`) is the way there.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::request::Parts;
use axum::response::{AppendHeaders, IntoResponse, Response};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::entities::SESSION_TTL;
use crate::environment::Environment;
use crate::error::ApiError;

/// The emulator's session cookie: the session's current refresh token, on the emulator's host.
/// Named apart from the host app's own cookies, which share the host when both run on loopback
/// (cookies are scoped by host, not port).
pub const SESSION_COOKIE: &str = "workos_emulator_session";
/// The cookie authkit-js reads (`document.cookie`) to know a session exists: its value, split on
/// `.`, holds the client ids with a session.
pub const HAS_SESSION_COOKIE: &str = "workos-has-session";
/// [`SESSION_COOKIE`] goes only to the AuthKit calls: `/user_management/authenticate` and
/// `/user_management/sessions/logout`.
const SESSION_COOKIE_PATH: &str = "/user_management";

/// CORS of the AuthKit calls a browser makes (code exchange, refresh, JWKS): the allowed origins,
/// echoed exactly, with credentials; no `Access-Control-Allow-Origin` for any other origin.
pub fn cors(env: &Environment) -> CorsLayer {
    let config = env.config.clone();
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            origin.to_str().is_ok_and(|o| config.allows_origin(o))
        }))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600))
}

/// The browser side of a `POST /user_management/authenticate`: whether it comes from an allowed
/// origin (an `Origin` header [`EmulatorConfig::allows_origin`](crate::config::EmulatorConfig::allows_origin)
/// accepts), and the refresh token of its [`SESSION_COOKIE`], read only then. A server call (no
/// `Origin`) gets no cookies and has its cookies ignored.
#[derive(Debug, Default)]
pub struct BrowserCall {
    allowed_origin: bool,
    cookie_refresh_token: Option<String>,
}

impl FromRequestParts<Arc<Environment>> for BrowserCall {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        env: &Arc<Environment>,
    ) -> Result<Self, Infallible> {
        let allowed_origin = parts
            .headers
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
            .is_some_and(|o| env.config.allows_origin(o));
        // The first non-empty session cookie.
        let cookie_refresh_token = allowed_origin
            .then(|| super::cookies(&parts.headers, SESSION_COOKIE).find(|v| !v.is_empty()))
            .flatten()
            .map(str::to_string);
        Ok(Self {
            allowed_origin,
            cookie_refresh_token,
        })
    }
}

impl BrowserCall {
    /// The refresh token of the session cookie, for a refresh grant whose body has none.
    pub fn cookie_refresh_token(&self) -> Option<String> {
        self.cookie_refresh_token.clone()
    }

    /// A grant's answer: `answer`, with the session cookies for `refresh_token` when the call
    /// comes from an allowed browser origin.
    pub fn signed_in(&self, env: &Environment, refresh_token: &str, answer: Response) -> Response {
        if !self.allowed_origin {
            return answer;
        }
        let max_age = SESSION_TTL.whole_seconds();
        let cookies = [
            format!(
                "{SESSION_COOKIE}={refresh_token}; Path={SESSION_COOKIE_PATH}; Max-Age={max_age}; HttpOnly; SameSite=Lax"
            ),
            format!(
                "{HAS_SESSION_COOKIE}={}; Path=/; Max-Age={max_age}; SameSite=Lax",
                env.config.client_id
            ),
        ];
        with_cookies(cookies, answer)
    }

    /// A refused grant: `error`, clearing the session cookies when it was a refresh by cookie
    /// the emulator refused as `invalid_grant` (an unknown, used or ended session).
    pub fn refused(&self, used_cookie: bool, error: ApiError) -> Response {
        let clear = used_cookie && matches!(error, ApiError::InvalidGrant(_));
        let answer = error.into_response();
        if clear { signed_out(answer) } else { answer }
    }
}

/// `answer` with both session cookies cleared (logout; a refused cookie refresh).
pub fn signed_out(answer: Response) -> Response {
    let cookies = [
        format!("{SESSION_COOKIE}=; Path={SESSION_COOKIE_PATH}; Max-Age=0; HttpOnly; SameSite=Lax"),
        format!("{HAS_SESSION_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax"),
    ];
    with_cookies(cookies, answer)
}

fn with_cookies(cookies: [String; 2], answer: Response) -> Response {
    let headers = cookies
        .into_iter()
        .filter_map(|c| HeaderValue::from_str(&c).ok())
        .map(|value| (header::SET_COOKIE, value));
    let headers: Vec<(HeaderName, HeaderValue)> = headers.collect();
    (AppendHeaders(headers), answer).into_response()
}
