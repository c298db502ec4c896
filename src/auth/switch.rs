//! Switching the session to another of the user's organizations ([`switch_organization`]).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

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
#[server(endpoint = "switch_organization", output = crate::codec::BrowserJson)]
pub async fn switch_organization(organization_id: String) -> Result<SwitchOutcome, AppError> {
    AppError::answer(switch(organization_id).await, "organization switch")
}

#[cfg(feature = "ssr")]
async fn switch(organization_id: String) -> Result<SwitchOutcome, AppError> {
    use workos::helpers::session::unseal_session;
    use workos::organization_membership::ListOrganizationMembershipsParams;

    use super::refresh::RefreshFailure;
    use super::{cookies, session};
    use crate::widgets::registry::WidgetKind;

    let state = expect_context::<crate::state::AppState>();
    let session = session::require()?;
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
        Err(RefreshFailure::Terminal(_)) => return Err(AppError::NotSignedIn),
        Err(RefreshFailure::Transient(error)) => return Err(error),
        Err(RefreshFailure::Reauthenticate(reason)) => {
            tracing::info!(user_id = %session.user.id, %organization_id, %reason, "organization switch needs an AuthKit sign-in");
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("organization_id", &organization_id)
                .append_pair("return_to", WidgetKind::OrganizationSwitcher.spec().page)
                .finish();
            return Ok(SwitchOutcome::SignIn(format!("/sign-in?{query}")));
        }
    };
    // The old organization's tokens are not this session's any more.
    state.widget_tokens.forget_session(&session.session_id);
    let cookie = cookies::session(sealed, state.config.secure_cookies());
    expect_context::<leptos_axum::ResponseOptions>()
        .append_header(http::header::SET_COOKIE, cookie);
    tracing::info!(user_id = %session.user.id, %organization_id, "switched organization");
    Ok(SwitchOutcome::Switched)
}
