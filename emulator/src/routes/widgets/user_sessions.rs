//! UserSessions widget (`user-sessions`): the caller's AuthKit sessions (contract §6.3, U1–U3).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::bodies::{DataBody, Success};
use crate::auth::WidgetCaller;
use crate::clock::{now, timestamp};
use crate::entities::Session;
use crate::environment::Environment;
use crate::error::ApiError;
use crate::extract::ApiJson;

pub fn router() -> Router<Arc<Environment>> {
    Router::new()
        .route("/UserProfile/sessions", get(list_sessions))
        .route(
            "/UserProfile/sessions/revoke/{session_id}",
            delete(revoke_session),
        )
        .route("/UserProfile/sessions/revoke-all", delete(revoke_all))
}

/// The widgets' `ActiveSession`: one AuthKit session, with how it signed in. Timestamps are WorkOS
/// timestamps (`clock::timestamp`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ActiveSession {
    id: String,
    userland_user_id: String,
    ip_address: Option<String>,
    user_agent: Option<String>,
    organization_id: Option<String>,
    state: ActiveSessionState,
    /// Always `null`: the emulator has no geolocation.
    current_location: Option<()>,
    used_sso_auth: bool,
    used_password_auth: bool,
    used_passkey_auth: bool,
    used_apple_oauth: bool,
    used_bitbucket_oauth: bool,
    used_github_oauth: bool,
    #[serde(rename = "usedGitLabOauth")]
    used_gitlab_oauth: bool,
    used_google_oauth: bool,
    #[serde(rename = "usedLinkedInOauth")]
    used_linkedin_oauth: bool,
    used_impersonation: bool,
    used_microsoft_oauth: bool,
    used_slack_oauth: bool,
    used_xero_oauth: bool,
    used_magic_auth: bool,
    last_activity_at: String,
    created_at: String,
    updated_at: String,
}

/// `{tag: "active", expiresAt}` (the widgets' `ActiveSessionState`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ActiveSessionState {
    tag: &'static str,
    expires_at: String,
}

impl ActiveSession {
    fn new(s: &Session) -> Self {
        let method = s.auth_method.as_str();
        Self {
            id: s.id.clone(),
            userland_user_id: s.user_id.clone(),
            ip_address: s.ip_address.clone(),
            user_agent: s.user_agent.clone(),
            organization_id: s.organization_id.clone(),
            state: ActiveSessionState {
                tag: "active",
                expires_at: timestamp(s.expires_at),
            },
            current_location: None,
            used_sso_auth: method == "SSO",
            used_password_auth: method == "Password",
            used_passkey_auth: method == "Passkey",
            used_apple_oauth: false,
            used_bitbucket_oauth: false,
            used_github_oauth: false,
            used_gitlab_oauth: false,
            used_google_oauth: false,
            used_linkedin_oauth: false,
            used_impersonation: false,
            used_microsoft_oauth: false,
            used_slack_oauth: false,
            used_xero_oauth: false,
            used_magic_auth: method == "MagicAuth",
            last_activity_at: timestamp(s.last_activity_at),
            created_at: timestamp(s.created_at),
            updated_at: timestamp(s.updated_at),
        }
    }
}

/// U1 `GET /_widgets/UserProfile/sessions` → `{data: ActiveSession[]}`: the caller's active
/// sessions, most recently active first.
async fn list_sessions(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
) -> Json<DataBody<Vec<ActiveSession>>> {
    let now = now();
    let data = env.store.read();
    let mut sessions: Vec<_> = data
        .sessions
        .values()
        .filter(|s| s.user_id == caller.user_id && s.is_active(now))
        .collect();
    sessions.sort_by_key(|s| std::cmp::Reverse(s.last_activity_at));
    Json(DataBody {
        data: sessions.into_iter().map(ActiveSession::new).collect(),
    })
}

/// U2 `DELETE /_widgets/UserProfile/sessions/revoke/{sessionId}` → `{success: true}`; another
/// user's or an unknown session → 404. Its refresh token stops working at once.
async fn revoke_session(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    Path(session_id): Path<String>,
) -> Result<Json<Success>, ApiError> {
    let mut data = env.store.write();
    let session = data
        .sessions
        .get_mut(&session_id)
        .filter(|s| s.user_id == caller.user_id)
        .ok_or_else(|| ApiError::not_found("session", &session_id))?;
    session.ended_at.get_or_insert_with(now);
    tracing::info!(%session_id, "session revoked from the UserSessions widget");
    Ok(Json(Success::YES))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RevokeAll {
    current_session_id: String,
}

/// U3 `DELETE /_widgets/UserProfile/sessions/revoke-all` `{currentSessionId}` → `{success: true}`:
/// ends every other session of the caller.
async fn revoke_all(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    ApiJson(body): ApiJson<RevokeAll>,
) -> Json<Success> {
    let now = now();
    let mut data = env.store.write();
    for session in data.sessions.values_mut().filter(|s| {
        s.user_id == caller.user_id && s.id != body.current_session_id && s.ended_at.is_none()
    }) {
        session.ended_at = Some(now);
    }
    Json(Success::YES)
}
