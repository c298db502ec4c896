//! `/_emulator/*`: the emulator's own operations endpoints (not part of the WorkOS API).

use axum::extract::State;
use axum::routing::{get, post};

use crate::faults::Fault;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_emulator/health", get(health))
        .route("/_emulator/mailbox", get(mailbox))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/faults", get(list_faults).post(add_fault).delete(clear_faults))
}

/// `POST /_emulator/reset` → `{status: "reset"}`: back to the seed data (users, organizations,
/// memberships, no sessions, empty mailbox, no faults). The signing key stays.
async fn reset(State(env): State<AppState>) -> Json<Value> {
    *env.store.write() = env.seed_state.clone();
    env.faults.clear();
    tracing::info!("emulator reset to the seed");
    Json(json!({"status": "reset"}))
}

/// `GET /_emulator/faults` → `{data: [Fault]}`.
async fn list_faults(State(env): State<AppState>) -> Json<Value> {
    Json(json!({"data": env.faults.list()}))
}

/// `POST /_emulator/faults` `{path_prefix, method?, count, kind: "rate_limit", retry_after_secs}`
/// | `{…, kind: "error", status}` | `{…, kind: "delay", delay_ms}` → 201 `{data: [Fault]}`.
async fn add_fault(State(env): State<AppState>, crate::routes::ApiJson(fault): crate::routes::ApiJson<Fault>) -> (axum::http::StatusCode, Json<Value>) {
    tracing::info!(?fault, "fault added");
    env.faults.add(fault);
    (axum::http::StatusCode::CREATED, Json(json!({"data": env.faults.list()})))
}

/// `DELETE /_emulator/faults` → `{data: []}`.
async fn clear_faults(State(env): State<AppState>) -> Json<Value> {
    env.faults.clear();
    Json(json!({"data": []}))
}

#[derive(Debug, serde::Deserialize)]
struct MailboxQuery {
    /// Only mail to this address.
    to: Option<String>,
    /// `json` for JSON; otherwise JSON when the client accepts it, else an HTML page.
    format: Option<String>,
}

/// `GET /_emulator/mailbox[?to=…&format=json]`: every email the real WorkOS would have sent
/// (verification codes, invitations), newest first: JSON `{data: [{id, to, subject, body, code,
/// created_at}]}` or an HTML page.
async fn mailbox(State(env): State<AppState>, headers: axum::http::HeaderMap, axum::extract::Query(query): axum::extract::Query<MailboxQuery>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let state = env.store.read();
    let mails: Vec<_> = state.mailbox.iter().rev().filter(|m| query.to.as_deref().is_none_or(|to| m.to.eq_ignore_ascii_case(to))).cloned().collect();
    let wants_json = query.format.as_deref() == Some("json") || headers.get(axum::http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"));
    if wants_json {
        return Json(json!({"data": mails})).into_response();
    }
    super::pages::mailbox(&mails).into_response()
}

/// `GET /_emulator/health` → 200 `{"status": "ok"}`.
async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}
