//! Signing in with AuthKit and the sealed session.
//!
//! Shared: [`Viewer`] (who the nav shows) and the [`get_viewer`] server function. Server-only:
//! the session middleware ([`session`]), refresh coordination ([`refresh`]), the cookies
//! ([`cookies`]) and the `/sign-in`, `/callback` and `/sign-out` handlers ([`handlers`]).

#[cfg(feature = "ssr")]
pub mod cookies;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod refresh;
#[cfg(feature = "ssr")]
pub mod session;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The signed-in user as the nav shows them; from the verified session only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub name: String,
    pub email: String,
    pub organization_id: Option<String>,
    /// `None` when WorkOS could not be asked for it.
    pub organization_name: Option<String>,
    pub role: Option<String>,
}

/// Who is signed in: `Ok(None)` when nobody is; `Err(WorkOsUnavailable)` when the session could
/// not be refreshed because WorkOS is unreachable (the cookie is kept).
/// Served at `POST /api/viewer`.
#[server(endpoint = "viewer")]
pub async fn get_viewer() -> Result<Option<Viewer>, AppError> {
    use session::SessionStatus;
    let state = expect_context::<crate::state::AppState>();
    match session::current().await {
        SessionStatus::SignedIn(session) => {
            let organization_name = match &session.organization_id {
                Some(id) => state.organization_name(id).await,
                None => None,
            };
            Ok(Some(Viewer {
                name: display_name(&session.user),
                email: session.user.email.clone(),
                organization_id: session.organization_id.clone(),
                organization_name,
                role: session.role.clone(),
            }))
        }
        SessionStatus::SignedOut => Ok(None),
        SessionStatus::Unavailable(error) => Err(error),
    }
}

#[cfg(feature = "ssr")]
fn display_name(user: &workos::User) -> String {
    let name = [user.first_name.as_deref(), user.last_name.as_deref()].into_iter().flatten().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
    if name.is_empty() { user.email.clone() } else { name }
}
