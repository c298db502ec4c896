//! User management area: `POST /user_management/authenticate` and its grants — an AuthKit
//! authorization code (PKCE or client secret), a refresh token (rotating, optionally switching
//! organization) or an email and password. The browser side of AuthKit is `authkit.rs`.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::browser_session::BrowserCall;
use crate::auth::Claims;
use crate::clock::now;
use crate::entities::{Data, SESSION_TTL, Session, User};
use crate::environment::Environment;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::ids::{new_id, new_secret, secret_eq};
use crate::models;
use crate::password::password_matches;

pub fn router() -> Router<Arc<Environment>> {
    Router::new().route("/user_management/authenticate", post(authenticate))
}

/// The answer of every grant (spec `AuthenticateResponse`): `{user, organization_id, access_token,
/// refresh_token, authentication_method}`.
#[derive(Debug, Serialize)]
struct AuthenticateResponse {
    /// The public `User` shape (`models::user`).
    user: Value,
    organization_id: Option<String>,
    /// An RS256 JWT ([`Claims`]) living `Environment::access_token_ttl` seconds.
    access_token: String,
    /// The session's new refresh token; the previous one stops working.
    refresh_token: String,
    /// e.g. `Password`.
    authentication_method: String,
}

/// Body of `POST /user_management/authenticate`, all grant types (contract §8.2). The `workos`
/// crate sends absent optional fields as `null`.
#[derive(Debug, Deserialize)]
struct AuthenticateRequest {
    grant_type: String,
    client_id: Option<String>,
    client_secret: Option<String>,
    code: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    organization_id: Option<String>,
    email: Option<String>,
    password: Option<String>,
    ip_address: Option<String>,
    user_agent: Option<String>,
}

/// `POST /user_management/authenticate` (spec `UserlandSessionsController_authenticate`).
///
/// Grants: `authorization_code` (single use; PKCE S256 checked when the authorization carried a
/// challenge, else `client_secret` is required), `refresh_token` (rotating; optional
/// `organization_id` switches organization, members only) and `password`. 200
/// `{user, organization_id, access_token, refresh_token, authentication_method}`. Errors: 401
/// `invalid_client`; 400 `invalid_grant` (unknown, used, expired or revoked code / refresh token),
/// `invalid_credentials`, `invalid_organization_id`, `unsupported_grant_type`.
///
/// From a browser (authkit-js, `browser_session.rs`): a public client (PKCE, no secret); an
/// allowed origin's answer sets the session cookies, and a refresh with no `refresh_token` takes
/// the session cookie's.
async fn authenticate(
    State(env): State<Arc<Environment>>,
    browser: BrowserCall,
    ApiJson(mut body): ApiJson<AuthenticateRequest>,
) -> Response {
    let by_cookie = body.grant_type == "refresh_token" && body.refresh_token.is_none();
    if by_cookie {
        body.refresh_token = browser.cookie_refresh_token();
    }
    match grant(env.clone(), body).await {
        Ok(Json(answer)) => {
            let refresh_token = answer.refresh_token.clone();
            browser.signed_in(&env, &refresh_token, Json(answer).into_response())
        }
        Err(error) => browser.refused(by_cookie, error),
    }
}

/// The grant of `body`, whoever calls.
async fn grant(
    env: Arc<Environment>,
    body: AuthenticateRequest,
) -> Result<Json<AuthenticateResponse>, ApiError> {
    env.calls.grant(&body.grant_type);
    if body.client_id.as_deref() != Some(env.config.client_id.as_str()) {
        return Err(ApiError::bad_request(
            "invalid_client",
            "Unknown or missing client_id.",
        ));
    }
    let secret_ok = match body.client_secret.as_deref() {
        Some(secret) if !secret.is_empty() => {
            if !secret_eq(secret, &env.config.api_key) {
                return Err(ApiError::Unauthorized("Invalid client_secret.".into()));
            }
            true
        }
        _ => false,
    };
    match body.grant_type.as_str() {
        "authorization_code" => exchange_code(&env, body, secret_ok),
        "refresh_token" => refresh(&env, body),
        "password" => password_grant(&env, body, secret_ok).await,
        other => Err(ApiError::bad_request(
            "unsupported_grant_type",
            format!("grant_type '{other}' is not supported by the emulator."),
        )),
    }
}

fn exchange_code(
    env: &Environment,
    body: AuthenticateRequest,
    secret_ok: bool,
) -> Result<Json<AuthenticateResponse>, ApiError> {
    let code = body
        .code
        .ok_or_else(|| ApiError::Unprocessable("code is required.".into()))?;
    let mut data = env.store.write();
    // Single use: the code is gone whatever happens next.
    let grant = data
        .authorization_codes
        .remove(&code)
        .ok_or_else(|| ApiError::InvalidGrant("The code is invalid or was already used.".into()))?;
    if grant.expires_at < now() {
        return Err(ApiError::InvalidGrant("The code has expired.".into()));
    }
    match (&grant.code_challenge, &body.code_verifier) {
        (Some(challenge), Some(verifier)) => {
            if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != *challenge {
                return Err(ApiError::InvalidGrant(
                    "code_verifier does not match the code_challenge.".into(),
                ));
            }
        }
        (Some(_), None) => {
            return Err(ApiError::InvalidGrant(
                "code_verifier is required: the authorization used PKCE.".into(),
            ));
        }
        (None, _) if !secret_ok => {
            return Err(ApiError::Unauthorized("client_secret is required.".into()));
        }
        (None, _) => {}
    }
    let user_agent = body.user_agent.or(grant.user_agent);
    let ip_address = body.ip_address.or(grant.ip_address);
    let response = start_session(
        env,
        &mut data,
        &grant.user_id,
        grant.organization_id,
        user_agent,
        ip_address,
    );
    Ok(Json(response))
}

async fn password_grant(
    env: &Environment,
    body: AuthenticateRequest,
    secret_ok: bool,
) -> Result<Json<AuthenticateResponse>, ApiError> {
    if !secret_ok {
        return Err(ApiError::Unauthorized("client_secret is required.".into()));
    }
    let (Some(email), Some(password)) = (body.email, body.password) else {
        return Err(ApiError::Unprocessable(
            "email and password are required.".into(),
        ));
    };
    let user = check_credentials(env, &email, &password)
        .await
        .ok_or_else(|| {
            ApiError::bad_request("invalid_credentials", "Invalid email or password.")
        })?;
    if user.totp_secret.is_some() {
        return Err(ApiError::MfaChallenge(
            "The user has a TOTP factor: sign in on the AuthKit page.".into(),
        ));
    }
    let mut data = env.store.write();
    let organization_id = match body.organization_id {
        Some(org) if data.is_active_member(&user.id, &org) => Some(org),
        Some(org) => {
            return Err(ApiError::bad_request(
                "invalid_organization_id",
                format!("The user is not a member of organization '{org}'."),
            ));
        }
        None => data
            .active_memberships(&user.id)
            .first()
            .map(|m| m.organization_id.clone()),
    };
    Ok(Json(start_session(
        env,
        &mut data,
        &user.id,
        organization_id,
        body.user_agent,
        body.ip_address,
    )))
}

/// The refresh-token grant. The token rotates: the answer carries a new refresh token and the one
/// sent is retired. Inside the replay grace period (`replay.rs`, WorkOS "Session resilience") a
/// retired token sent again with the same `organization_id` gets the same pair back, while the
/// session is active and that pair is still its latest; otherwise 400 `invalid_grant`.
fn refresh(
    env: &Environment,
    body: AuthenticateRequest,
) -> Result<Json<AuthenticateResponse>, ApiError> {
    let token = body
        .refresh_token
        .ok_or_else(|| ApiError::Unprocessable("refresh_token is required.".into()))?;
    let now = now();
    let mut data = env.store.write();
    let Some(session) = data.session_by_refresh_token(&token).cloned() else {
        return replay(env, &data, &token, body.organization_id.as_deref());
    };
    if !session.is_active(now) {
        return Err(ApiError::InvalidGrant("Session has already ended.".into()));
    }
    let requested_organization_id = body.organization_id.clone();
    let organization_id = match body.organization_id {
        Some(org) => {
            if !data.organizations.contains_key(&org)
                || !data.is_active_member(&session.user_id, &org)
            {
                return Err(ApiError::bad_request(
                    "invalid_organization_id",
                    format!("The user is not a member of organization '{org}'."),
                ));
            }
            if data.needs_mfa_enrollment(&session.user_id, &org) {
                return Err(ApiError::MfaEnrollment(format!(
                    "Organization '{org}' requires multi-factor authentication: sign in through AuthKit to enroll a factor."
                )));
            }
            Some(org)
        }
        None => session.organization_id.clone(),
    };
    let refresh_token = new_secret();
    let stored = data
        .sessions
        .get_mut(&session.id)
        .expect("session found above");
    stored.refresh_token = refresh_token.clone();
    stored.organization_id = organization_id.clone();
    stored.last_activity_at = now;
    stored.updated_at = now;
    let session = stored.clone();
    let response = token_response(env, &data, &session, refresh_token);
    env.replays.remember(
        token,
        session.id.clone(),
        requested_organization_id,
        response.access_token.clone(),
        response.refresh_token.clone(),
    );
    Ok(Json(response))
}

/// A refresh token that is not the session's current one: the pair its rotation returned when the
/// replay grace period allows it, else 400 `invalid_grant`.
fn replay(
    env: &Environment,
    data: &Data,
    token: &str,
    organization_id: Option<&str>,
) -> Result<Json<AuthenticateResponse>, ApiError> {
    let refused =
        || ApiError::InvalidGrant("The refresh token is invalid or was already used.".into());
    let rotation = env.replays.recent(token).ok_or_else(refused)?;
    let session = data
        .sessions
        .get(&rotation.session_id)
        .ok_or_else(refused)?;
    if !session.is_active(now()) {
        return Err(ApiError::InvalidGrant("Session has already ended.".into()));
    }
    // An organization switch asked inside the window gets no pair minted for another request,
    // and a token two rotations old does not revive a pair the session has moved past.
    if rotation.requested_organization_id.as_deref() != organization_id
        || session.refresh_token != rotation.refresh_token
    {
        return Err(refused());
    }
    env.calls.replayed();
    tracing::info!(session_id = %session.id, "refresh token replayed inside the grace period: same pair");
    Ok(Json(answer(
        data,
        session,
        rotation.access_token,
        rotation.refresh_token,
    )))
}

/// Creates a session for a completed sign-in and answers with its first tokens.
fn start_session(
    env: &Environment,
    data: &mut Data,
    user_id: &str,
    organization_id: Option<String>,
    user_agent: Option<String>,
    ip_address: Option<String>,
) -> AuthenticateResponse {
    let now = now();
    let refresh_token = new_secret();
    let session = Session {
        id: new_id("session"),
        user_id: user_id.into(),
        organization_id,
        user_agent,
        ip_address,
        auth_method: "Password".into(),
        refresh_token: refresh_token.clone(),
        ended_at: None,
        expires_at: now + SESSION_TTL,
        last_activity_at: now,
        created_at: now,
        updated_at: now,
    };
    data.sessions.insert(session.id.clone(), session.clone());
    if let Some(user) = data.users.get_mut(user_id) {
        user.last_sign_in_at = Some(now);
    }
    tracing::info!(user_id, session_id = %session.id, "session started");
    token_response(env, data, &session, refresh_token)
}

/// The answer of every grant for `session`: its user, a fresh access token and the new refresh
/// token.
fn token_response(
    env: &Environment,
    data: &Data,
    session: &Session,
    refresh_token: String,
) -> AuthenticateResponse {
    let mut claims = Claims::new(&env.base_url, &session.user_id, env.access_token_ttl());
    claims.sid = Some(session.id.clone());
    if let Some(org) = &session.organization_id {
        let role = data
            .membership(&session.user_id, org)
            .map(|m| m.role.clone())
            .unwrap_or_default();
        claims.permissions = data.role_permissions(&role);
        claims.org_id = Some(org.clone());
        claims.role = Some(role);
    }
    answer(data, session, env.keys.sign(&claims), refresh_token)
}

/// [`AuthenticateResponse`] for `session` with this pair.
fn answer(
    data: &Data,
    session: &Session,
    access_token: String,
    refresh_token: String,
) -> AuthenticateResponse {
    AuthenticateResponse {
        user: data
            .users
            .get(&session.user_id)
            .map(models::user)
            .unwrap_or(Value::Null),
        organization_id: session.organization_id.clone(),
        access_token,
        refresh_token,
        authentication_method: session.auth_method.clone(),
    }
}

/// The user with this email and password, if both are right.
pub(super) async fn check_credentials(
    env: &Environment,
    email: &str,
    password: &str,
) -> Option<User> {
    let user = env.store.read().user_by_email(email).cloned()?;
    let hash = user.password_hash.clone()?;
    password_matches(password, hash).await.then_some(user)
}
