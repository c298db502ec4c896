//! The emulator's HTTP API: one router module per WorkOS API area, merged here.

mod authkit;
mod emulator;
mod memberships;
mod organizations;
mod pages;
mod sso;
mod users;
mod widget_tokens;
mod widgets;

use axum::Router;
use axum::extract::FromRequest;
use axum::extract::FromRequestParts;
use tower_http::trace::TraceLayer;

use crate::AppState;
use crate::error::ApiError;

/// Largest request body the emulator reads (bytes); larger ones get 413 `payload_too_large`.
/// WorkOS bodies are small JSON documents.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// `axum::Json` whose rejections are WorkOS-style JSON errors (400 malformed, 422 wrong shape).
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `axum::extract::Query` whose rejection is a 422 JSON error.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// The whole emulator: public API, AuthKit pages, `/_widgets/*` (with CORS) and `/_emulator/*`.
pub fn router(env: AppState) -> Router {
    Router::new()
        .merge(authkit::router())
        .merge(sso::router())
        .merge(users::router())
        .merge(organizations::router())
        .merge(memberships::router())
        .merge(widget_tokens::router())
        .merge(emulator::router())
        .nest("/_widgets", widgets::router(&env))
        .fallback(|| async {
            ApiError::not_found("route", "this path is not served by the WorkOS emulator")
        })
        .layer(axum::middleware::from_fn_with_state(
            env.clone(),
            crate::faults::layer,
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
async fn read_body_first(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (parts, body) = request.into_parts();
    // The extensions carry `DefaultBodyLimit`'s setting, which the `Bytes` extractor applies.
    let mut probe = axum::extract::Request::new(body);
    *probe.extensions_mut() = parts.extensions.clone();
    match axum::body::Bytes::from_request(probe, &()).await {
        Ok(bytes) => {
            next.run(axum::extract::Request::from_parts(
                parts,
                axum::body::Body::from(bytes),
            ))
            .await
        }
        Err(rejection) if rejection.status() == http::StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::TooLarge(MAX_BODY_BYTES).into_response()
        }
        Err(rejection) => {
            ApiError::bad_request("invalid_body", rejection.body_text()).into_response()
        }
    }
}
