//! SSO area: the JWKS that verifies AuthKit access tokens and widget tokens.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::environment::Environment;
use crate::error::ApiError;

pub fn router() -> Router<Arc<Environment>> {
    Router::new().route("/sso/jwks/{client_id}", get(jwks))
}

/// `GET /sso/jwks/{client_id}` (spec `SsoController_jsonWebKeySet`): 200
/// `{keys: [{alg, kty, use, kid, n, e, x5c, x5t#S256}]}`; 404 for another client id. Needs no
/// API key, as the `workos` crate's JWKS helper sends none.
async fn jwks(
    State(env): State<Arc<Environment>>,
    Path(client_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    if client_id != env.config.client_id {
        return Err(ApiError::not_found("client", client_id));
    }
    Ok(Json(env.keys.jwks()))
}
