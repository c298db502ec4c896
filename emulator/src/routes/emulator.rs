//! `/_emulator/*`: the emulator's own operations endpoints (not part of the WorkOS API).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/_emulator/health", get(health)).route("/_emulator/mailbox", get(mailbox))
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
