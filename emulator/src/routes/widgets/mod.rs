//! `/_widgets/*`: the private API the WorkOS React widgets call from the browser (contract §4, §6),
//! with `Authorization: Bearer <widget token>`. Every call is a CORS request from the host app's
//! origin; bad tokens answer 403 `{message}` so the widgets re-fetch their token. One module per
//! widget area; every answer is a typed body (`bodies.rs` and each module's own).

mod admin_portal;
mod api_keys;
mod bodies;
mod directory_sync;
mod organization_switcher;
pub(crate) mod pipes;
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

/// A widget module's routes.
type WidgetRoutes = fn() -> Router<Arc<Environment>>;

/// Every widget the emulator serves: its `WorkOS-Widgets-Type` (the header the widget sends)
/// and its module's routes. Adding a widget = its module and one row here.
const WIDGETS: &[(&str, WidgetRoutes)] = &[
    ("user-profile", user_profile::router),
    ("user-security", user_security::router),
    ("user-sessions", user_sessions::router),
    ("user-management", users_management::router),
    ("organization-switcher", organization_switcher::router),
    ("api-keys", api_keys::organization_router),
    ("user-api-keys", api_keys::user_router),
    ("admin-portal-sso-connection", admin_portal::sso_router),
    (
        "admin-portal-domain-verification",
        admin_portal::domain_verification_router,
    ),
    ("directory-sync", directory_sync::router),
    (
        "admin-portal-audit-log-streaming",
        admin_portal::audit_log_streaming_router,
    ),
    ("pipes", pipes::router),
    ("pipes-admin", pipes::admin_router),
];

/// The `WorkOS-Widgets-Type` of every widget whose `/_widgets` calls the emulator answers.
pub fn served_widget_types() -> impl Iterator<Item = &'static str> {
    WIDGETS.iter().map(|(widgets_type, _)| *widgets_type)
}

pub fn router(env: &Environment) -> Router<Arc<Environment>> {
    WIDGETS
        .iter()
        .fold(Router::new(), |router, (_, routes)| router.merge(routes()))
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
