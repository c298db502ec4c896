//! `GET /sign-in`, `GET /callback` and `POST /sign-out` (server-only axum handlers).

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use workos::helpers::authkit::{AuthKitAuthorizationUrlParams, AuthKitPkceCodeExchangeParams};
use workos::helpers::session::seal_session_from_auth_response;

use super::cookies::{self, SESSION_COOKIE, VERIFIER_COOKIE};
use super::session::SessionStatus;
use crate::error::AppError;
use crate::state::AppState;

/// What one sign-in carries from `/sign-in` to `/callback`, sealed in `wos-auth-verifier`.
#[derive(Serialize, Deserialize)]
struct PendingSignIn {
    state: String,
    code_verifier: String,
    return_to: String,
}

#[derive(Deserialize)]
pub struct SignInQuery {
    return_to: Option<String>,
    /// Sign in into this organization (after an organization switch asked for it).
    organization_id: Option<String>,
}

/// A WorkOS organization id (`org_` and letters or digits), else nothing.
fn organization_id(candidate: Option<String>) -> Option<String> {
    candidate.filter(|id| {
        id.len() <= 64
            && id.strip_prefix("org_").is_some_and(|rest| {
                !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric())
            })
    })
}

/// A same-site path to come back to: starts with one `/`, no scheme, no backslashes; else `/`.
pub fn safe_return_path(candidate: Option<&str>) -> String {
    match candidate {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.starts_with("/sign-")
                && !path.starts_with("/callback") =>
        {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

/// Where auth failures land: a page of the app that explains `reason` (a fixed code, never text
/// from the URL).
fn auth_error(reason: &str) -> Response {
    Redirect::to(&format!("/auth-error?reason={reason}")).into_response()
}

/// `GET /sign-in?return_to=/path[&organization_id=org_…]` → 303 to AuthKit (PKCE S256, random `state`), with the verifier
/// sealed in a 10-minute cookie.
pub async fn sign_in(State(state): State<AppState>, Query(query): Query<SignInQuery>) -> Response {
    let params = AuthKitAuthorizationUrlParams {
        redirect_uri: state.config.redirect_uri.to_string(),
        provider: Some("authkit".into()),
        organization_id: organization_id(query.organization_id),
        ..Default::default()
    };
    let pkce = match state.workos.authkit().pkce_authorization_url(params) {
        Ok(pkce) => pkce,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the AuthKit URL");
            return auth_error("configuration");
        }
    };
    let pending = PendingSignIn {
        state: pkce.state,
        code_verifier: pkce.code_verifier,
        return_to: safe_return_path(query.return_to.as_deref()),
    };
    let sealed = match workos::seal(&pending, &state.config.cookie_password) {
        Ok(sealed) => sealed,
        Err(e) => {
            tracing::error!(error = %e, "cannot seal the sign-in verifier");
            return auth_error("configuration");
        }
    };
    let mut response = Redirect::to(&pkce.url).into_response();
    cookies::append(
        response.headers_mut(),
        cookies::verifier(sealed, state.config.secure_cookies()),
    );
    response
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /callback?code&state` → checks `state` against the verifier cookie, exchanges the code
/// (PKCE) through the `workos` crate, seals the session into `wos-session` and returns to the page
/// the user wanted. Failures land on `/auth-error` with a reason code.
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let secure = state.config.secure_cookies();
    if let Some(error) = query.error {
        tracing::info!(%error, "AuthKit returned an error");
        return auth_error("denied");
    }
    let pending: Option<PendingSignIn> = cookies::read(&headers, VERIFIER_COOKIE)
        .and_then(|sealed| workos::unseal(&sealed, &state.config.cookie_password).ok());
    let (Some(pending), Some(code)) = (pending, query.code) else {
        return auth_error("expired");
    };
    if query.state.as_deref() != Some(pending.state.as_str()) {
        tracing::warn!("sign-in callback with a state that does not match this browser's");
        return auth_error("state");
    }
    let exchange = state
        .workos
        .authkit()
        .pkce_code_exchange(AuthKitPkceCodeExchangeParams {
            code,
            code_verifier: pending.code_verifier,
        })
        .await;
    let auth = match exchange {
        Ok(auth) => auth,
        Err(e) => {
            tracing::warn!(error = %e, "code exchange failed");
            return match AppError::from_workos(&e) {
                AppError::WorkOsUnavailable
                | AppError::RateLimited(_)
                | AppError::TooManyRequests(_) => auth_error("unavailable"),
                _ => auth_error("exchange"),
            };
        }
    };
    let user_id = auth.user.id.clone();
    let sealed = match seal_session_from_auth_response(
        auth.access_token.expose(),
        auth.refresh_token.expose(),
        Some(auth.user),
        auth.impersonator,
        &state.config.cookie_password,
    ) {
        Ok(sealed) => sealed,
        Err(e) => {
            tracing::error!(error = %e, "cannot seal the session");
            return auth_error("configuration");
        }
    };
    tracing::info!(%user_id, organization_id = auth.organization_id.as_deref().unwrap_or("-"), "signed in");
    let mut response = Redirect::to(&pending.return_to).into_response();
    cookies::append(response.headers_mut(), cookies::session(sealed, secure));
    cookies::append(
        response.headers_mut(),
        cookies::clear(VERIFIER_COOKIE, secure),
    );
    response
}

/// `POST /sign-out` → clears the cookie and ends the WorkOS session through its logout URL, which
/// brings the browser back to the home page. Cross-site posts are refused (403) by `csrf::layer`.
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: axum::extract::Request,
) -> Response {
    let secure = state.config.secure_cookies();
    let status = request
        .extensions()
        .get::<SessionStatus>()
        .cloned()
        .unwrap_or(SessionStatus::SignedOut);
    if matches!(status, SessionStatus::SignedIn(_)) {
        state
            .metrics
            .signed_out(crate::metrics::SignOutCause::SignOut);
    }
    let sealed = match &status {
        SessionStatus::SignedIn(session) => Some(session.sealed.clone()),
        _ => cookies::read(&headers, SESSION_COOKIE),
    };
    let home = format!("{}/", state.config.origin_str());
    let target = match sealed {
        Some(sealed) => match state
            .workos
            .session(&sealed, &state.config.cookie_password)
            .logout_url(Some(&home))
            .await
        {
            Ok(url) => url,
            Err(e) => {
                tracing::info!(error = %e, "no WorkOS session to end; clearing the cookie only");
                "/".to_string()
            }
        },
        None => "/".to_string(),
    };
    if let SessionStatus::SignedIn(session) = &status {
        state.widget_tokens.forget_session(&session.session_id);
        tracing::info!(user_id = %session.user.id, session_id = %session.session_id, "signed out");
    }
    let mut response = Redirect::to(&target).into_response();
    cookies::append(
        response.headers_mut(),
        cookies::clear(SESSION_COOKIE, secure),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::{organization_id, safe_return_path};

    #[test]
    fn only_organization_ids_reach_authkit() {
        assert_eq!(
            organization_id(Some("org_01JDEM0000000000000000ACME".into())).as_deref(),
            Some("org_01JDEM0000000000000000ACME")
        );
        for bad in ["", "org_", "user_01", "org_1&x=y", "org_../", "org_\u{0}"] {
            assert_eq!(organization_id(Some(bad.into())), None, "{bad}");
        }
        assert_eq!(
            organization_id(Some(format!("org_{}", "A".repeat(80)))),
            None
        );
    }

    #[test]
    fn return_paths_stay_on_this_site() {
        assert_eq!(
            safe_return_path(Some("/account/profile?tab=1")),
            "/account/profile?tab=1"
        );
        for bad in [
            "https://evil.test/",
            "//evil.test",
            "/\\evil.test",
            "account",
            "/sign-in",
            "/callback?code=x",
        ] {
            assert_eq!(safe_return_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_return_path(None), "/");
    }
}
