//! User management area: sessions — a user's active sessions (a server call with the API key),
//! logout (the browser is sent here by the app) and revocation (a server call with the API key).
//! Logout and revocation end the session: its refresh token stops working.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::browser_session::signed_out;
use super::users::ListParams;
use crate::auth::ApiKey;
use crate::clock::now;
use crate::environment::Environment;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::models::{self, List, UserSession};
use crate::pages::notice::notice;

pub fn router() -> Router<Arc<Environment>> {
    Router::new()
        .route("/user_management/sessions/logout", get(logout))
        .route("/user_management/sessions/revoke", post(revoke_session))
        .route("/user_management/users/{id}/sessions", get(list_sessions))
}

/// `GET /user_management/users/{id}/sessions` (API key; spec `UserlandUserSessionsController_list`)
/// `?limit&before&after&order` → 200 `{object: "list", data: [UserSession], list_metadata}`: the
/// user's active sessions (neither ended nor expired), newest first by default; 404 for an
/// unknown user; 422 for a bad `limit` or `order`.
async fn list_sessions(
    _: ApiKey,
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<List<UserSession>>, ApiError> {
    let data = env.store.read();
    if !data.users.contains_key(&id) {
        return Err(ApiError::not_found("user", &id));
    }
    let now = now();
    let sessions = data
        .sessions
        .values()
        .filter(|s| s.user_id == id && s.is_active(now))
        .map(|s| (s.id.clone(), s.created_at, UserSession::new(s, now)))
        .collect();
    let (page, list_metadata) = params.page(sessions)?;
    Ok(Json(List {
        object: "list",
        data: page,
        list_metadata,
    }))
}

#[derive(Debug, Deserialize)]
struct LogoutQuery {
    session_id: Option<String>,
    return_to: Option<String>,
}

/// `GET /user_management/sessions/logout?session_id=…&return_to=…` (browser): ends the session and
/// answers 302 to `return_to` (an http(s) URL), or shows a "signed out" page, clearing the
/// browser's session cookies (`browser_session.rs`); no `session_id` → 422 page.
async fn logout(State(env): State<Arc<Environment>>, Query(query): Query<LogoutQuery>) -> Response {
    let Some(session_id) = query.session_id else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            notice("Cannot sign out", "session_id is required."),
        )
            .into_response();
    };
    end_session(&env, &session_id);
    signed_out(match query.return_to.as_deref().map(url::Url::parse) {
        Some(Ok(url)) if matches!(url.scheme(), "http" | "https") => {
            (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
        }
        _ => notice("Signed out", "You are signed out. You can close this page.").into_response(),
    })
}

/// Ends the session (once; later calls change nothing). `false` for an unknown session id.
fn end_session(env: &Environment, session_id: &str) -> bool {
    let mut data = env.store.write();
    match data.sessions.get_mut(session_id) {
        Some(session) => {
            if session.ended_at.is_none() {
                session.ended_at = Some(now());
                tracing::info!(session_id, "session ended");
            }
            true
        }
        None => false,
    }
}

#[derive(Debug, Deserialize)]
struct RevokeRequest {
    session_id: String,
}

/// `POST /user_management/sessions/revoke` `{session_id}` (API key) → 200 `{}`; 404 unknown session.
/// The session's refresh token stops working at once.
async fn revoke_session(
    _: ApiKey,
    State(env): State<Arc<Environment>>,
    ApiJson(body): ApiJson<RevokeRequest>,
) -> Result<Json<Value>, ApiError> {
    if end_session(&env, &body.session_id) {
        Ok(Json(models::empty()))
    } else {
        Err(ApiError::not_found("session", body.session_id))
    }
}
