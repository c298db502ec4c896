//! Organizations area.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::auth::ApiKey;
use crate::environment::Environment;
use crate::error::ApiError;
use crate::models;

pub fn router() -> Router<Arc<Environment>> {
    Router::new().route("/organizations/{id}", get(get_organization))
}

/// `GET /organizations/{id}` (API key): 200 `Organization`; 404 unknown id.
async fn get_organization(
    _: ApiKey,
    State(env): State<Arc<Environment>>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let data = env.store.read();
    let organization = data
        .organizations
        .get(&id)
        .ok_or_else(|| ApiError::not_found("organization", &id))?;
    Ok(Json(models::organization(&data, organization)))
}
