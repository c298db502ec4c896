//! The emulator's HTTP API: one router module per WorkOS API area, merged here, with the layers
//! every call goes through (body read first, injected faults, tracing), and what the route modules
//! share to answer a page ([`html_page`]) and read a request's cookies ([`cookies`]).

mod admin_portal;
mod api_keys;
mod authenticate;
mod authkit;
mod browser_session;
mod emulator;
mod memberships;
mod organizations;
mod pipes;
mod sessions;
mod sso;
mod users;
mod widget_tokens;
pub mod widgets;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maud::Markup;
use tower_http::trace::TraceLayer;

use crate::config::MAX_BODY_BYTES;
use crate::environment::Environment;
use crate::error::{ApiError, ErrorBody};
use crate::faults::FaultKind;

/// The whole emulator: public API, AuthKit pages, `/_widgets/*` (with CORS), the AuthKit calls
/// a browser makes (code exchange, refresh, JWKS; with CORS) and `/_emulator/*`.
pub fn router(env: Arc<Environment>) -> Router {
    Router::new()
        .merge(authkit::router())
        .merge(
            authenticate::router()
                .merge(sso::router())
                .layer(browser_session::cors(&env)),
        )
        .merge(sessions::router())
        .merge(users::router())
        .merge(organizations::router())
        .merge(memberships::router())
        .merge(widget_tokens::router())
        .merge(api_keys::router())
        .merge(admin_portal::router())
        .merge(pipes::router())
        .merge(emulator::router())
        .nest("/_widgets", widgets::router(&env))
        .fallback(|| async {
            ApiError::not_found("route", "this path is not served by the WorkOS emulator")
        })
        .layer(axum::middleware::from_fn_with_state(
            env.clone(),
            inject_faults,
        ))
        .layer(axum::middleware::from_fn(read_body_first))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(env)
}

/// Reads the whole request body (up to [`MAX_BODY_BYTES`], else 413) before any handler, refusal
/// or fault answers.
///
/// hyper closes a keep-alive connection after the response when the request body was not read to
/// the end, without saying so (no `Connection: close`): after an early answer (a 403 for a bad
/// token before the body extractor ran, a 404 or 405, a handler that takes no body, an injected
/// fault) to a request with a body of more than a few KiB, a client's next request on that pooled
/// connection failed with a network error instead of being answered. Reading the body first keeps
/// every connection usable.
async fn read_body_first(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    // The extensions carry `DefaultBodyLimit`'s setting, which the `Bytes` extractor applies.
    let mut probe = Request::new(body);
    *probe.extensions_mut() = parts.extensions.clone();
    match axum::body::Bytes::from_request(probe, &()).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::TooLarge(MAX_BODY_BYTES).into_response()
        }
        Err(rejection) => {
            ApiError::bad_request("invalid_body", rejection.body_text()).into_response()
        }
    }
}

/// A response whose body fails at once: hyper aborts the connection mid-response, and the client
/// sees a network error (as with a reset or a crashed upstream).
fn dropped_connection() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<axum::body::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault injected: connection dropped",
        ))
    });
    Response::new(axum::body::Body::from_stream(failing))
}

/// The log target of the "fault injected" lines (`RUST_LOG=workos_emulator::faults=info` shows
/// only them; `make soak` counts them).
const FAULTS_LOG: &str = "workos_emulator::faults";

/// Counts every call but the emulator's own `/_emulator/*` and CORS preflights (`calls.rs`), and
/// applies the faults configured at `/_emulator/faults` (see `faults.rs`) to them: 429 `{code: "rate_limit_exceeded", message}`
/// with `Retry-After`, an error status with `{message}`, a delay, a dropped connection, or a reply
/// lost after the call was done.
async fn inject_faults(
    State(env): State<Arc<Environment>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    if path.starts_with("/_emulator/") || request.method() == Method::OPTIONS {
        return next.run(request).await;
    }
    env.calls.call(request.method().as_str(), &path);
    match env.faults.take(request.method().as_str(), &path) {
        None => next.run(request).await,
        Some(FaultKind::Delay { delay_ms }) => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            next.run(request).await
        }
        Some(FaultKind::RateLimit { retry_after_secs }) => {
            tracing::info!(target: FAULTS_LOG, %path, "fault injected: 429");
            ApiError::RateLimited {
                message: "Too many requests (injected by the emulator).".into(),
                retry_after_secs,
            }
            .into_response()
        }
        Some(FaultKind::Drop) => {
            tracing::info!(target: FAULTS_LOG, %path, "fault injected: connection dropped");
            dropped_connection()
        }
        Some(FaultKind::LoseReply { delay_ms }) => {
            // The call is done (its effects stay); only its answer never arrives.
            let _done = next.run(request).await;
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            tracing::info!(target: FAULTS_LOG, %path, "fault injected: reply lost after the call");
            dropped_connection()
        }
        Some(FaultKind::Error { status }) => {
            tracing::info!(target: FAULTS_LOG, %path, status, "fault injected: error");
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body = ErrorBody {
                code: None,
                entity_id: None,
                message: format!("Injected failure: {status} (emulator fault injection)."),
                errors: None,
            };
            (status, axum::Json(body)).into_response()
        }
    }
}

/// An HTML page of the emulator's own (the Admin Portal, the Pipes popup) with the headers such a
/// page carries: its `Content-Security-Policy` (`policy`, each page's own), no caching
/// (`Cache-Control: no-store`) and no referrer (the URL may carry a link's or a popup's token).
fn html_page(status: StatusCode, policy: &str, markup: Markup) -> Response {
    let mut response = (status, markup).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// The values of every cookie named `name` the request carries (`Cookie` headers, `name=value`
/// pairs split on `;`), in order; empty values included.
fn cookies<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(move |(n, _)| *n == name)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_name_across_headers_in_order() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("other=1; portal=; portal=a=b"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static(" portal=c ;x"));
        let found: Vec<&str> = cookies(&headers, "portal").collect();
        // Empty values kept, a value may hold '=', pairs trimmed, a pair without '=' skipped.
        assert_eq!(found, ["", "a=b", "c"]);
        assert_eq!(cookies(&headers, "missing").count(), 0);
        assert_eq!(cookies(&HeaderMap::new(), "portal").count(), 0);
    }
}
