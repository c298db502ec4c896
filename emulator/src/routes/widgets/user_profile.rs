//! UserProfile widget (`user-profile`): the caller's own profile (contract §6.1, P1–P2).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::WidgetCaller;
use crate::error::ApiError;
use crate::routes::ApiJson;
use crate::store::{self, User};
use crate::AppState;

/// Longest first name, last name or locale accepted, in characters.
const MAX_NAME_CHARS: usize = 255;

pub fn router() -> Router<AppState> {
    Router::new().route("/UserProfile/me", get(get_me).post(update_me))
}

/// The widgets' `Me` shape (camelCase).
fn me(user: &User) -> Value {
    json!({
        "id": user.id,
        "email": user.email,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "locale": user.locale,
        "profilePictureUrl": user.profile_picture_url,
        "oauthProfiles": null,
    })
}

/// P1 `GET /_widgets/UserProfile/me` → 200 `Me`.
async fn get_me(caller: WidgetCaller, State(env): State<AppState>) -> Result<Json<Value>, ApiError> {
    let state = env.store.read();
    let user = state.users.get(&caller.user_id).ok_or_else(|| ApiError::Forbidden("Invalid widget token: unknown user.".into()))?;
    Ok(Json(me(user)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateMe {
    first_name: Option<String>,
    last_name: Option<String>,
    locale: Option<String>,
}

/// P2 `POST /_widgets/UserProfile/me` `{firstName?, lastName?, locale?}` → 200 `Me`. Absent fields
/// stay as they are; empty ones are cleared; over 255 characters → 400 `{message}`.
async fn update_me(caller: WidgetCaller, State(env): State<AppState>, ApiJson(body): ApiJson<UpdateMe>) -> Result<Json<Value>, ApiError> {
    let clean = |field: &str, value: Option<String>| -> Result<Option<Option<String>>, ApiError> {
        let Some(value) = value else { return Ok(None) };
        let value = value.trim().to_string();
        if value.chars().count() > MAX_NAME_CHARS {
            return Err(ApiError::bad_request("invalid_request_parameters", format!("{field} must be at most {MAX_NAME_CHARS} characters.")));
        }
        Ok(Some((!value.is_empty()).then_some(value)))
    };
    let first_name = clean("firstName", body.first_name)?;
    let last_name = clean("lastName", body.last_name)?;
    let locale = clean("locale", body.locale)?;

    let mut state = env.store.write();
    let user = state.users.get_mut(&caller.user_id).ok_or_else(|| ApiError::Forbidden("Invalid widget token: unknown user.".into()))?;
    if let Some(v) = first_name {
        user.first_name = v;
    }
    if let Some(v) = last_name {
        user.last_name = v;
    }
    if let Some(v) = locale {
        user.locale = v;
    }
    user.updated_at = store::now();
    tracing::info!(user_id = %user.id, "profile updated");
    Ok(Json(me(user)))
}
