//! `/_emulator/*`: the emulator's own operations endpoints (not part of the WorkOS API).

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{Value, json};

use crate::calls::CallCounts;
use crate::environment::Environment;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::faults::Fault;
use crate::pages::mailbox::mailbox_page;
use crate::replay::MAX_GRACE_SECS;

pub fn router() -> Router<Arc<Environment>> {
    Router::new()
        .route("/_emulator/health", get(health))
        .route("/_emulator/mailbox", get(mailbox))
        .route("/_emulator/reset", post(reset))
        .route(
            "/_emulator/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/_emulator/settings", get(settings).patch(update_settings))
        .route("/_emulator/calls", get(calls))
}

/// The emulator's run-time settings (`GET`/`PATCH /_emulator/settings`).
#[derive(Debug, Serialize)]
struct Settings {
    /// The lifetime of access tokens minted from now on, in seconds.
    access_token_ttl_secs: i64,
    /// `POST /widgets/token` calls allowed a minute per API key (0: no limit).
    widget_token_mints_per_minute: u32,
    /// The refresh-token replay grace period in seconds (`replay.rs`; 0: strict).
    refresh_token_grace_secs: u64,
}

/// `GET /_emulator/settings` → [`Settings`].
async fn settings(State(env): State<Arc<Environment>>) -> Json<Settings> {
    Json(Settings {
        access_token_ttl_secs: env.access_token_ttl(),
        widget_token_mints_per_minute: env.mint_limit.per_minute(),
        refresh_token_grace_secs: env.replays.grace_secs(),
    })
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsUpdate {
    access_token_ttl_secs: Option<i64>,
    widget_token_mints_per_minute: Option<u32>,
    refresh_token_grace_secs: Option<u64>,
}

/// `PATCH /_emulator/settings` `{access_token_ttl_secs?: 1..=86400,
/// widget_token_mints_per_minute?: 0.., refresh_token_grace_secs?: 0..=3600}` → the new
/// [`Settings`]; 400 `invalid_request` out of range (422 for a negative or non-integer mint limit
/// or grace period). Setting the mint limit gives every API key a full allowance again; 0 turns it
/// off. A grace period of 0 makes refresh tokens strictly single-use (and forgets the rotations
/// remembered). `/_emulator/reset` restores the configured values.
async fn update_settings(
    State(env): State<Arc<Environment>>,
    ApiJson(update): ApiJson<SettingsUpdate>,
) -> Result<Json<Settings>, ApiError> {
    if let Some(ttl) = update.access_token_ttl_secs {
        if !(1..=86_400).contains(&ttl) {
            return Err(ApiError::bad_request(
                "invalid_request",
                "access_token_ttl_secs must be between 1 and 86400.",
            ));
        }
        env.set_access_token_ttl(ttl);
        tracing::info!(ttl, "access-token lifetime changed");
    }
    if let Some(grace) = update.refresh_token_grace_secs
        && grace > MAX_GRACE_SECS
    {
        return Err(ApiError::bad_request(
            "invalid_request",
            format!("refresh_token_grace_secs must be between 0 and {MAX_GRACE_SECS}."),
        ));
    }
    if let Some(per_minute) = update.widget_token_mints_per_minute {
        env.mint_limit.set(per_minute);
        tracing::info!(per_minute, "widget-token mint limit changed");
    }
    if let Some(grace) = update.refresh_token_grace_secs {
        env.replays.set_grace_secs(grace);
        tracing::info!(grace, "refresh-token replay grace period changed");
    }
    Ok(settings(State(env)).await)
}

/// `GET /_emulator/calls` → `CallCounts` `{calls: {"<METHOD> <path>": n}, grants: {<grant_type>:
/// n}, widget_tokens_minted, widget_tokens_rate_limited, refresh_token_replays}`: the WorkOS calls
/// answered since start or the last reset (`calls.rs`).
async fn calls(State(env): State<Arc<Environment>>) -> Json<CallCounts> {
    Json(env.calls.snapshot())
}

/// `POST /_emulator/reset` → `{status: "reset"}`: back to the seed data (users, organizations,
/// memberships, no sessions, empty mailbox, no faults, configured settings with a full mint
/// allowance, call counts at zero). The signing key stays.
async fn reset(State(env): State<Arc<Environment>>) -> Json<Value> {
    *env.store.write() = env.seed_data.clone();
    env.faults.clear();
    env.set_access_token_ttl(env.config.access_token_ttl_secs);
    env.mint_limit.set(env.config.widget_token_mints_per_minute);
    env.replays
        .set_grace_secs(env.config.refresh_token_grace_secs);
    env.replays.clear();
    env.calls.clear();
    tracing::info!("emulator reset to the seed");
    Json(json!({"status": "reset"}))
}

/// `GET /_emulator/faults` → `{data: [Fault]}`.
async fn list_faults(State(env): State<Arc<Environment>>) -> Json<Value> {
    Json(json!({"data": env.faults.list()}))
}

/// `POST /_emulator/faults` `{path_prefix, method?, count?, percent?, kind: "rate_limit",
/// retry_after_secs}` | `{…, kind: "error", status}` | `{…, kind: "delay", delay_ms}` | `{…, kind:
/// "drop"}` | `{…, kind: "lose_reply", delay_ms?}` (the call is done, its reply lost) → 201 `{data: [Fault]}`; 400 `invalid_request` for `count: 0` or `percent` outside
/// 1–100; 422 for an unknown kind.
async fn add_fault(
    State(env): State<Arc<Environment>>,
    ApiJson(fault): ApiJson<Fault>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if let Some(reason) = fault.invalid() {
        return Err(ApiError::bad_request("invalid_request", reason));
    }
    tracing::info!(?fault, "fault added");
    env.faults.add(fault);
    Ok((
        StatusCode::CREATED,
        Json(json!({"data": env.faults.list()})),
    ))
}

/// `DELETE /_emulator/faults` → `{data: []}`.
async fn clear_faults(State(env): State<Arc<Environment>>) -> Json<Value> {
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
async fn mailbox(
    State(env): State<Arc<Environment>>,
    headers: HeaderMap,
    Query(query): Query<MailboxQuery>,
) -> Response {
    let data = env.store.read();
    let mails: Vec<_> = data
        .mailbox
        .iter()
        .rev()
        .filter(|m| {
            query
                .to
                .as_deref()
                .is_none_or(|to| m.to.eq_ignore_ascii_case(to))
        })
        .cloned()
        .collect();
    let wants_json = query.format.as_deref() == Some("json")
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("application/json"));
    if wants_json {
        return Json(json!({"data": mails})).into_response();
    }
    mailbox_page(&mails).into_response()
}

/// `GET /_emulator/health` → 200 `{"status": "ok"}`.
async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}
