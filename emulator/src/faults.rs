//! Fault injection for reliability tests: the next N calls to a path (or a share of them) answer
//! 429 (with `Retry-After`), an error status, only after a delay, or not at all (the connection is
//! dropped). Configured at `/_emulator/faults`.

use std::sync::Mutex;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::AppState;

/// What a matching call gets.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// 429 `{code: "rate_limit_exceeded"}` with `Retry-After: <retry_after_secs>`.
    RateLimit { retry_after_secs: u64 },
    /// This status (e.g. 500, 503) with `{message}`.
    Error { status: u16 },
    /// The real answer, after `delay_ms` milliseconds.
    Delay { delay_ms: u64 },
    /// No answer: the connection is closed before a complete response (the client sees a network
    /// error, as with a reset or a crashed upstream).
    Drop,
}

/// A rule: calls whose path starts with `path_prefix` (and whose method matches, if given) get
/// `kind`; with `percent` (1–100) only that share of the matching calls, chosen at random. `count`
/// bounds how many calls are faulted (absent: until `DELETE /_emulator/faults` or a reset).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fault {
    pub path_prefix: String,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub count: Option<u32>,
    #[serde(default)]
    pub percent: Option<u8>,
    #[serde(flatten)]
    pub kind: FaultKind,
}

impl Fault {
    /// Why this rule cannot be used, if so: `count` 0 or `percent` outside 1–100.
    pub fn invalid(&self) -> Option<&'static str> {
        if self.count == Some(0) {
            return Some("count must be at least 1 (leave it out for no limit).");
        }
        if self.percent.is_some_and(|p| !(1..=100).contains(&p)) {
            return Some("percent must be between 1 and 100.");
        }
        None
    }
}

#[derive(Default)]
pub struct Faults(Mutex<Vec<Fault>>);

impl Faults {
    pub fn add(&self, fault: Fault) {
        self.lock().push(fault);
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    pub fn list(&self) -> Vec<Fault> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes one use of the first rule matching the call whose `percent` draw says so (each
    /// matching rule draws in turn, so rules of 5 % each for four kinds fault ≈ 19 % of calls),
    /// removing rules that are used up.
    fn take(&self, method: &str, path: &str) -> Option<FaultKind> {
        let mut faults = self.lock();
        let mut rng = rand::thread_rng();
        let index = faults.iter().position(|f| {
            path.starts_with(&f.path_prefix)
                && f.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && f.percent
                    .is_none_or(|percent| rand::Rng::gen_range(&mut rng, 0..100u8) < percent)
        })?;
        let kind = faults[index].kind.clone();
        if let Some(count) = faults[index].count.as_mut() {
            *count = count.saturating_sub(1);
            if *count == 0 {
                faults.remove(index);
            }
        }
        Some(kind)
    }
}

/// Applies the configured faults to every call but the emulator's own `/_emulator/*` and CORS
/// preflights.
pub async fn layer(State(env): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if path.starts_with("/_emulator/") || request.method() == axum::http::Method::OPTIONS {
        return next.run(request).await;
    }
    match env.faults.take(request.method().as_str(), &path) {
        None => next.run(request).await,
        Some(FaultKind::Delay { delay_ms }) => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            next.run(request).await
        }
        Some(FaultKind::RateLimit { retry_after_secs }) => {
            tracing::info!(%path, "fault injected: 429");
            let mut response = (StatusCode::TOO_MANY_REQUESTS, axum::Json(json!({"code": "rate_limit_exceeded", "message": "Too many requests (injected by the emulator)."}))).into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            response
        }
        Some(FaultKind::Drop) => {
            tracing::info!(%path, "fault injected: connection dropped");
            // A body that fails at once makes hyper abort the connection mid-response.
            let failing = futures_util::stream::once(async {
                Err::<axum::body::Bytes, _>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "fault injected: connection dropped",
                ))
            });
            Response::new(axum::body::Body::from_stream(failing))
        }
        Some(FaultKind::Error { status }) => {
            tracing::info!(%path, status, "fault injected: error");
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, axum::Json(json!({"message": format!("Injected failure: {status} (emulator fault injection).")}))).into_response()
        }
    }
}
