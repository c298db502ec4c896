//! `/_emulator/*`: the emulator's own operations endpoints (not part of the WorkOS API).

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/_emulator/health", get(health))
}

/// `GET /_emulator/health` → 200 `{"status": "ok"}`.
async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}
