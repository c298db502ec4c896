//! Organizations area.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::auth::ApiKey;
use crate::error::ApiError;
use crate::{AppState, models};

pub fn router() -> Router<AppState> {
    Router::new().route("/organizations/{id}", get(get_organization))
}

/// `GET /organizations/{id}` (API key): 200 `Organization`; 404 unknown id.
async fn get_organization(
    _: ApiKey,
    State(env): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let state = env.store.read();
    let organization = state
        .organizations
        .get(&id)
        .ok_or_else(|| ApiError::not_found("organization", &id))?;
    Ok(Json(models::organization(organization)))
}
