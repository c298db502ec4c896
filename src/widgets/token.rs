//! Minting widget tokens for the browser.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::WidgetKind;
use crate::error::AppError;

/// Where the widgets send their `/_widgets/*` calls: the `WorkOsWidgets` provider props
/// `apiHostname`, `port` and `https` (contract §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetApi {
    pub hostname: String,
    pub port: Option<u16>,
    pub https: bool,
}

/// A widget token and the API host it is for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WidgetGrant {
    /// RS256 JWT from `POST /widgets/token`, valid one hour.
    pub token: String,
    pub api: WidgetApi,
    /// For UserSessions: this browser's AuthKit session id (the verified access token's `sid`),
    /// passed as the widget's `currentSessionId`. `POST /widgets/token` takes no session, so the
    /// widget token's own `sid` may name another of the user's sessions; with it the widget marked
    /// another browser as "this device" and "sign out all other devices" ended this one.
    pub current_session_id: Option<String>,
}

/// Mints a widget token for `kind` for the signed-in user in their current organization, both
/// taken from the verified session (never from the request).
///
/// Mirrors `POST /widgets/token` (WorkOS API reference) through the `workos` crate. The users table
/// gets `widgets:users-table:manage` only when the session's role grants it; other kinds get a
/// user-level token with no scopes. Errors: `NotSignedIn` (401), `Forbidden` (403, e.g. a member
/// asking for the users table), `RateLimited` (429), `WorkOsUnavailable` (502).
/// Served at `POST /api/widget_token` (form body `kind=user-profile`).
#[server(endpoint = "widget_token")]
pub async fn widget_token(kind: WidgetKind) -> Result<WidgetGrant, AppError> {
    AppError::answer(mint(kind).await, &format!("{} widget token", kind.id()))
}

#[cfg(feature = "ssr")]
async fn mint(kind: WidgetKind) -> Result<WidgetGrant, AppError> {
    use workos::WidgetSessionTokenScopes;

    let state = expect_context::<crate::state::AppState>();
    let session = crate::auth::session::require().await?;
    let scopes = match kind {
        WidgetKind::UsersManagement if session.can_manage_members() => vec![WidgetSessionTokenScopes::WidgetsUsersTableManage],
        WidgetKind::UsersManagement => return Err(AppError::Forbidden("Only organization admins manage members.".into())),
        _ => Vec::new(),
    };
    let body = workos::WidgetSessionToken { organization_id: session.organization_id.clone(), user_id: Some(session.user.id.clone()), scopes: Some(scopes) };
    let response = state.workos.widgets().create_token(workos::widgets::CreateTokenParams::new(body)).await.map_err(|e| {
        tracing::warn!(error = %e, "POST /widgets/token failed");
        AppError::from_workos(&e)
    })?;
    let api = &state.config.api;
    Ok(WidgetGrant {
        token: response.token.expose().to_string(),
        api: WidgetApi { hostname: api.hostname.clone(), port: api.port, https: api.https },
        current_session_id: (kind == WidgetKind::UserSessions).then(|| session.session_id.clone()),
    })
}
