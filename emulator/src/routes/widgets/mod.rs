//! `/_widgets/*`: the private API the WorkOS React widgets call from the browser (contract §4, §6),
//! with `Authorization: Bearer <widget token>`. Every call is a CORS request from the host app's
//! origin; bad tokens answer 403 `{message}` so the widgets re-fetch their token. One module per
//! widget area; every answer is a typed body (`bodies.rs` and each module's own).

mod bodies;
mod organization_switcher;
mod user_profile;
mod user_security;
mod user_sessions;
mod users_management;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::environment::Environment;

pub fn router(env: &Environment) -> Router<Arc<Environment>> {
    Router::new()
        .merge(user_profile::router())
        .merge(user_security::router())
        .merge(user_sessions::router())
        .merge(users_management::router())
        .merge(organization_switcher::router())
        .layer(cors(&env.config.allowed_origins))
}

/// CORS for the widgets' preflighted calls: their custom headers and JSON content type.
fn cors(allowed_origins: &[String]) -> CorsLayer {
    let origin = if allowed_origins.is_empty() {
        AllowOrigin::mirror_request()
    } else {
        AllowOrigin::list(
            allowed_origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()),
        )
    };
    CorsLayer::new()
        .allow_origin(origin)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("workos-widgets-version"),
            HeaderName::from_static("workos-widgets-type"),
            HeaderName::from_static("x-elevated-access-token"),
        ])
        .max_age(Duration::from_secs(600))
}
