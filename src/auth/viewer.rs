//! Who is signed in, as pages and the nav see it: [`Viewer`], its server function [`get_viewer`],
//! and the per-page-view resource ([`provide_viewer`], [`use_viewer`]).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::widgets::registry::WidgetKind;

/// The signed-in user as the nav shows them; from the verified session only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub name: String,
    pub email: String,
    pub organization_id: Option<String>,
    /// `None` when WorkOS could not be asked for it.
    pub organization_name: Option<String>,
    pub role: Option<String>,
    /// The access token's `permissions` (the role's), which decide the widgets the user may open
    /// ([`Viewer::may_use`]).
    pub permissions: Vec<String>,
}

impl Viewer {
    /// Whether the user's role grants what `kind` needs (the registry's permission).
    pub fn may_use(&self, kind: WidgetKind) -> bool {
        kind.spec().permits(&self.permissions)
    }
}

/// The viewer, loaded once per page view (blocking, so the nav is in the first HTML).
pub type ViewerResource = Resource<Result<Option<Viewer>, AppError>>;

/// Loads the viewer for this page view and provides it to every component below ([`App`]).
///
/// [`App`]: crate::app::App
pub fn provide_viewer() {
    let viewer: ViewerResource = Resource::new_blocking(|| (), |_| get_viewer());
    provide_context(viewer);
}

/// The signed-in user of this page view (provided by [`provide_viewer`]).
pub fn use_viewer() -> ViewerResource {
    expect_context::<ViewerResource>()
}

/// Who is signed in: `Ok(None)` when nobody is; `Err(WorkOsUnavailable)` when the session could
/// not be refreshed because WorkOS is unreachable (the cookie is kept).
/// Served at `POST /api/viewer`.
#[server(endpoint = "viewer")]
pub async fn get_viewer() -> Result<Option<Viewer>, AppError> {
    use super::session::{self, SessionStatus};
    let state = expect_context::<crate::state::AppState>();
    match session::current() {
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
                permissions: session.permissions.clone(),
            }))
        }
        SessionStatus::SignedOut => Ok(None),
        SessionStatus::Unavailable(error) => Err(error),
    }
}

#[cfg(feature = "ssr")]
fn display_name(user: &workos::User) -> String {
    let name = [user.first_name.as_deref(), user.last_name.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        user.email.clone()
    } else {
        name
    }
}
