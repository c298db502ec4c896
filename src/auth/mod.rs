//! Signing in with AuthKit and the sealed session.
//!
//! Shared: [`Viewer`] (who the nav shows) and the [`get_viewer`] server function. Server-only:
//! the session middleware ([`session`]), refresh coordination ([`refresh`]), the cookies
//! ([`cookies`]) and the `/sign-in`, `/callback` and `/sign-out` handlers ([`handlers`]).

#[cfg(feature = "ssr")]
pub mod cookies;
#[cfg(feature = "ssr")]
pub mod csrf;
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
    /// Whether the session's role grants `widgets:users-table:manage` (the users page).
    pub can_manage_members: bool,
}

/// The permission that lets a session manage its organization's members.
pub const USERS_TABLE_MANAGE: &str = "widgets:users-table:manage";

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
                can_manage_members: session.can_manage_members(),
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

/// What an organization switch did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SwitchOutcome {
    /// The session is now in the organization (a new sealed cookie was set).
    Switched,
    /// The organization needs SSO or MFA enrollment first (WorkOS `sso_required` /
    /// `mfa_enrollment`): the browser goes to this same-site URL, `/sign-in?organization_id=…`,
    /// which signs in through AuthKit for that organization and comes back to the switcher.
    SignIn(String),
}

/// Switches the session to another of the user's organizations: a refresh-token exchange with
/// `organization_id` (WorkOS `POST /user_management/authenticate`), resealed into the cookie. The
/// user comes from the verified session; only organizations they are an active member of are
/// accepted. Errors: `NotSignedIn`, `Forbidden` (not a member), `RateLimited`,
/// `WorkOsUnavailable`.
/// Served at `POST /api/switch_organization`.
#[server(endpoint = "switch_organization")]
pub async fn switch_organization(organization_id: String) -> Result<SwitchOutcome, AppError> {
    AppError::answer(switch(organization_id).await, "organization switch")
}

#[cfg(feature = "ssr")]
async fn switch(organization_id: String) -> Result<SwitchOutcome, AppError> {
    use workos::helpers::session::unseal_session;
    use workos::organization_membership::ListOrganizationMembershipsParams;

    let state = expect_context::<crate::state::AppState>();
    let session = session::require().await?;
    let memberships = state
        .workos
        .organization_membership()
        .list_organization_memberships(ListOrganizationMembershipsParams {
            user_id: Some(session.user.id.clone()),
            organization_id: Some(organization_id.clone()),
            ..Default::default()
        })
        .await
        .map_err(|e| AppError::from_workos(&e))?;
    if !memberships
        .data
        .iter()
        .any(|m| m.status == workos::UserOrganizationMembershipStatus::Active)
    {
        return Err(AppError::Forbidden(
            "You are not a member of that organization.".into(),
        ));
    }
    let password = &state.config.cookie_password;
    let data = unseal_session(&session.sealed, password).map_err(|_| AppError::NotSignedIn)?;
    let refreshed = state
        .refreshes
        .refresh(
            &state.workos,
            password,
            data.refresh_token.expose(),
            Some(organization_id.clone()),
        )
        .await;
    let sealed = match refreshed {
        Ok(sealed) => sealed,
        Err(refresh::RefreshFailure::Terminal(_)) => return Err(AppError::NotSignedIn),
        Err(refresh::RefreshFailure::Transient(error)) => return Err(error),
        Err(refresh::RefreshFailure::Reauthenticate(reason)) => {
            tracing::info!(user_id = %session.user.id, %organization_id, %reason, "organization switch needs an AuthKit sign-in");
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("organization_id", &organization_id)
                .append_pair("return_to", "/organization/switch")
                .finish();
            return Ok(SwitchOutcome::SignIn(format!("/sign-in?{query}")));
        }
    };
    let cookie = cookies::session(sealed, state.config.secure_cookies());
    expect_context::<leptos_axum::ResponseOptions>()
        .append_header(http::header::SET_COOKIE, cookie);
    tracing::info!(user_id = %session.user.id, %organization_id, "switched organization");
    Ok(SwitchOutcome::Switched)
}
