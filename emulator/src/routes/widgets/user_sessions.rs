//! UserSessions widget (`user-sessions`): the caller's AuthKit sessions (contract §6.3, U1–U3).

use axum::extract::{Path, State};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::WidgetCaller;
use crate::error::ApiError;
use crate::routes::ApiJson;
use crate::store::{self, Session, timestamp};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/UserProfile/sessions", get(list_sessions))
        .route(
            "/UserProfile/sessions/revoke/{session_id}",
            delete(revoke_session),
        )
        .route("/UserProfile/sessions/revoke-all", delete(revoke_all))
}

/// The widgets' `ActiveSession` shape.
fn active_session(s: &Session) -> Value {
    let method = s.auth_method.as_str();
    json!({
        "id": s.id,
        "userlandUserId": s.user_id,
        "ipAddress": s.ip_address,
        "userAgent": s.user_agent,
        "organizationId": s.organization_id,
        "state": {"tag": "active", "expiresAt": timestamp(s.expires_at)},
        "currentLocation": null,
        "usedSsoAuth": method == "SSO",
        "usedPasswordAuth": method == "Password",
        "usedPasskeyAuth": method == "Passkey",
        "usedAppleOauth": false, "usedBitbucketOauth": false, "usedGithubOauth": false,
        "usedGitLabOauth": false, "usedGoogleOauth": false, "usedLinkedInOauth": false,
        "usedImpersonation": false, "usedMicrosoftOauth": false, "usedSlackOauth": false,
        "usedXeroOauth": false, "usedMagicAuth": method == "MagicAuth",
        "lastActivityAt": timestamp(s.last_activity_at),
        "createdAt": timestamp(s.created_at),
        "updatedAt": timestamp(s.updated_at),
    })
}

/// U1 `GET /_widgets/UserProfile/sessions` → `{data: ActiveSession[]}`: the caller's active
/// sessions, most recently active first.
async fn list_sessions(caller: WidgetCaller, State(env): State<AppState>) -> Json<Value> {
    let now = store::now();
    let state = env.store.read();
    let mut sessions: Vec<_> = state
        .sessions
        .values()
        .filter(|s| s.user_id == caller.user_id && s.is_active(now))
        .collect();
    sessions.sort_by(|a, b| b.last_activity_at.cmp(&a.last_activity_at));
    Json(json!({"data": sessions.into_iter().map(active_session).collect::<Vec<_>>()}))
}

/// U2 `DELETE /_widgets/UserProfile/sessions/revoke/{sessionId}` → `{success: true}`; another
/// user's or an unknown session → 404. Its refresh token stops working at once.
async fn revoke_session(
    caller: WidgetCaller,
    State(env): State<AppState>,
    Path(session_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let mut state = env.store.write();
    let session = state
        .sessions
        .get_mut(&session_id)
        .filter(|s| s.user_id == caller.user_id)
        .ok_or_else(|| ApiError::not_found("session", &session_id))?;
    session.ended_at.get_or_insert_with(store::now);
    tracing::info!(%session_id, "session revoked from the UserSessions widget");
    Ok(Json(json!({"success": true})))
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
    State(env): State<AppState>,
    ApiJson(body): ApiJson<RevokeAll>,
) -> Json<Value> {
    let now = store::now();
    let mut state = env.store.write();
    for session in state.sessions.values_mut().filter(|s| {
        s.user_id == caller.user_id && s.id != body.current_session_id && s.ended_at.is_none()
    }) {
        session.ended_at = Some(now);
    }
    Json(json!({"success": true}))
}
