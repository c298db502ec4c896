//! Fault injection for reliability tests: the next N calls to a path answer 429 (with
//! `Retry-After`), an error status, or only after a delay. Configured at `/_emulator/faults`.

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
}

/// A rule: calls whose path starts with `path_prefix` (and whose method matches, if given) get
/// `kind`, `count` times.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fault {
    pub path_prefix: String,
    #[serde(default)]
    pub method: Option<String>,
    pub count: u32,
    #[serde(flatten)]
    pub kind: FaultKind,
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

    /// Takes one use of the first rule matching the call, removing rules that are used up.
    fn take(&self, method: &str, path: &str) -> Option<FaultKind> {
        let mut faults = self.lock();
        let index = faults.iter().position(|f| path.starts_with(&f.path_prefix) && f.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method)))?;
        let kind = faults[index].kind.clone();
        faults[index].count = faults[index].count.saturating_sub(1);
        if faults[index].count == 0 {
            faults.remove(index);
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
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            response
        }
        Some(FaultKind::Error { status }) => {
            tracing::info!(%path, status, "fault injected: error");
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, axum::Json(json!({"message": format!("Injected failure: {status} (emulator fault injection).")}))).into_response()
        }
    }
}
