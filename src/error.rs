//! The app's one error type: what a server function or auth handler reports, typed end to end so
//! the browser can tell "sign in again" from "WorkOS is unavailable" from "not allowed".

use leptos::server_fn::error::FromServerFnError;
use leptos::server_fn::error::ServerFnErrorErr;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session: the user must sign in (again).
    #[error("You are signed out. Sign in again to continue.")]
    NotSignedIn,
    /// The verified session does not allow this (e.g. a member asking for the users table).
    #[error("{0}")]
    Forbidden(String),
    /// WorkOS answered 429; retry after the given number of seconds.
    #[error("WorkOS is busy. Try again in {0} s.")]
    RateLimited(u64),
    /// This session asked for widget tokens faster than the app allows (a per-session limit, as
    /// WorkOS limits API keys); retry after the given number of seconds.
    #[error("Too many requests from this session. Try again in {0} s.")]
    TooManyRequests(u64),
    /// WorkOS could not be reached or failed (5xx, timeout, network).
    #[error("WorkOS is unavailable right now. Try again in a moment.")]
    WorkOsUnavailable,
    /// The request itself is malformed (a server function's body is missing or has the wrong
    /// fields); nothing was done.
    #[error("The request was malformed: {0}")]
    BadRequest(String),
    /// Anything else; the message is safe to show.
    #[error("{0}")]
    Server(String),
}

impl FromServerFnError for AppError {
    // JSON on the wire; in the browser parsed by `JSON.parse` (`codec.rs`).
    type Encoder = crate::codec::BrowserJsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::Server(
                "The app could not be reached. Check your connection and try again.".into(),
            ),
            // The caller's fault, found before the server function ran: 400, not the 500 the
            // server-function runtime answers by default.
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                Self::bad_request(message)
            }
            // On the server, the only thing deserialized is the request (e.g. a body that is not
            // UTF-8); in the browser it is the answer, which is not the caller's fault.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(message) => Self::bad_request(message),
            other => Self::Server(other.to_string()),
        }
    }
}

impl AppError {
    /// A [`AppError::BadRequest`]; on the server also the answer's status, 400.
    fn bad_request(message: String) -> Self {
        let error = Self::BadRequest(message);
        #[cfg(feature = "ssr")]
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(error.status());
        }
        error
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The HTTP status a server function answers with for this error.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            Self::NotSignedIn => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::RateLimited(_) | Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::WorkOsUnavailable => StatusCode::BAD_GATEWAY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Server(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Seconds to wait before trying again, for a `Retry-After` header.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited(secs) | Self::TooManyRequests(secs) => Some(*secs),
            _ => None,
        }
    }

    /// For server functions: on error, sets the response status to match (and `Retry-After` on a
    /// 429) and logs the refusal.
    pub fn answer<T>(result: Result<T, Self>, what: &str) -> Result<T, Self> {
        if let Err(error) = &result {
            if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(error.status());
                if let Some(secs) = error.retry_after() {
                    response
                        .insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
                }
            }
            tracing::info!(%error, "{what} refused");
        }
        result
    }

    /// Classifies a `workos` crate error: 401/403 → forbidden, 429 → rate limited, 5xx and
    /// network failures → unavailable, anything else → a server error with WorkOS's message.
    pub fn from_workos(err: &workos::Error) -> Self {
        match err.api() {
            Some(api) if api.status == 429 => {
                Self::RateLimited(api.retry_after.map(|d| d.as_secs().max(1)).unwrap_or(1))
            }
            Some(api) if api.status >= 500 => Self::WorkOsUnavailable,
            Some(api) if api.status == 401 || api.status == 403 => {
                Self::Forbidden(api.message.clone())
            }
            Some(api) => Self::Server(api.message.clone()),
            None => match err {
                workos::Error::Network(_) => Self::WorkOsUnavailable,
                other => Self::Server(format!("Unexpected answer from WorkOS: {other}")),
            },
        }
    }
}
