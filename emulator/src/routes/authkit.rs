//! AuthKit area: the hosted sign-in page, code / refresh-token / password authentication, logout
//! and session revocation.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use maud::Markup;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::Duration;

use super::ApiJson;
use super::pages::{self, AuthorizeRequest, DemoAccount};
use crate::auth::{ApiKey, Claims, is_active_member, password_matches, secret_eq};
use crate::error::ApiError;
use crate::seed::DEMO_PASSWORD;
use crate::store::{self, AuthorizationCode, PendingTotp, Session, State as Data};
use crate::{AppState, Environment, models};

/// Authorization codes live 10 minutes; sessions 30 days (WorkOS's default maximum).
const CODE_TTL: Duration = Duration::minutes(10);
const SESSION_TTL: Duration = Duration::days(30);

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/user_management/authorize",
            get(authorize_page).post(sign_in),
        )
        .route("/user_management/authorize/totp", post(sign_in_totp))
        .route("/user_management/authenticate", post(authenticate))
        .route("/user_management/sessions/logout", get(logout))
        .route("/user_management/sessions/revoke", post(revoke_session))
}

/// A bad authorization request: shown to the person in the browser, never redirected.
fn bad_request_page(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        pages::notice("Cannot sign in", message),
    )
        .into_response()
}

fn check_authorize_request(env: &Environment, request: &AuthorizeRequest) -> Result<(), String> {
    if request.client_id != env.config.client_id {
        return Err(format!("Unknown client_id '{}'.", request.client_id));
    }
    match url::Url::parse(&request.redirect_uri) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => {}
        _ => {
            return Err(format!(
                "redirect_uri '{}' is not an http(s) URL.",
                request.redirect_uri
            ));
        }
    }
    if let Some(method) = &request.code_challenge_method
        && method != "S256"
    {
        return Err("code_challenge_method must be S256.".into());
    }
    Ok(())
}

fn demo_accounts(state: &Data) -> Vec<DemoAccount> {
    let mut users: Vec<_> = state
        .users
        .values()
        .filter(|u| u.password_hash.is_some())
        .collect();
    users.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    users
        .into_iter()
        .map(|u| DemoAccount {
            name: u.display_name(),
            email: u.email.clone(),
            memberships: state
                .active_memberships(&u.id)
                .iter()
                .filter_map(|m| {
                    state
                        .organizations
                        .get(&m.organization_id)
                        .map(|o| format!("{} {}", o.name, m.role))
                })
                .collect::<Vec<_>>()
                .join(" · "),
        })
        .collect()
}

fn render_sign_in(
    env: &Environment,
    request: &AuthorizeRequest,
    email: &str,
    error: Option<&str>,
) -> Markup {
    // Offer one-click accounts only for the built-in demo seed, whose password is public.
    let accounts = if env.demo_seed {
        demo_accounts(&env.store.read())
    } else {
        Vec::new()
    };
    pages::sign_in(request, &accounts, email, error, DEMO_PASSWORD)
}

#[derive(Debug, Deserialize)]
struct AuthorizeQuery {
    #[serde(flatten)]
    request: AuthorizeRequest,
    response_type: Option<String>,
}

/// `GET /user_management/authorize?response_type=code&client_id&redirect_uri[&state&code_challenge…]`
/// → the sign-in page (200 HTML); a bad request → 400 HTML page naming the problem.
async fn authorize_page(
    State(env): State<AppState>,
    query: Result<Query<AuthorizeQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return bad_request_page("The authorization request needs client_id and redirect_uri.");
    };
    if query.response_type.as_deref().is_some_and(|t| t != "code") {
        return bad_request_page("response_type must be 'code'.");
    }
    if let Err(message) = check_authorize_request(&env, &query.request) {
        return bad_request_page(&message);
    }
    let email = query.request.login_hint.clone().unwrap_or_default();
    render_sign_in(&env, &query.request, &email, None).into_response()
}

#[derive(Debug, Deserialize)]
struct SignInForm {
    #[serde(flatten)]
    request: AuthorizeRequest,
    email: String,
    password: String,
}

/// `POST /user_management/authorize` (the sign-in form): right credentials → 303 to
/// `redirect_uri?code=…&state=…`; wrong ones → the page again (401) with the error.
async fn sign_in(
    State(env): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return bad_request_page("The sign-in form is incomplete.");
    };
    if let Err(message) = check_authorize_request(&env, &form.request) {
        return bad_request_page(&message);
    }
    let Some(user) = check_credentials(&env, form.email.trim(), &form.password).await else {
        tracing::info!(email = %form.email, "sign-in refused: wrong email or password");
        let page = render_sign_in(
            &env,
            &form.request,
            form.email.trim(),
            Some("Incorrect email or password."),
        );
        return (StatusCode::UNAUTHORIZED, page).into_response();
    };

    if user.totp_secret.is_some() {
        let pending = store::new_secret();
        env.store.write().pending_totp.insert(
            pending.clone(),
            PendingTotp {
                user_id: user.id.clone(),
                expires_at: store::now() + CODE_TTL,
                enroll_secret: None,
            },
        );
        return pages::totp(&form.request, &pending, None).into_response();
    }
    let enrolling = form
        .request
        .organization_id
        .as_deref()
        .is_some_and(|org| needs_mfa_enrollment(&env.store.read(), &user.id, org));
    if enrolling {
        let pending = store::new_secret();
        let secret = crate::totp::new_secret();
        env.store.write().pending_totp.insert(
            pending.clone(),
            PendingTotp {
                user_id: user.id.clone(),
                expires_at: store::now() + CODE_TTL,
                enroll_secret: Some(secret.clone()),
            },
        );
        return enrollment_page(&form.request, &pending, &secret, &user.email, None);
    }
    complete_sign_in(&env, &user.id, &form.request, &headers, peer)
}

/// Whether entering `organization_id` needs a new MFA factor: it requires MFA and the user has none.
fn needs_mfa_enrollment(state: &Data, user_id: &str, organization_id: &str) -> bool {
    state
        .organizations
        .get(organization_id)
        .is_some_and(|o| o.require_mfa)
        && state
            .users
            .get(user_id)
            .is_some_and(|u| u.totp_secret.is_none())
}

/// The enrollment step: the new factor's QR code and secret, and a field for its first code.
fn enrollment_page(
    request: &AuthorizeRequest,
    pending: &str,
    secret: &str,
    email: &str,
    error: Option<&str>,
) -> Response {
    let Some((uri, qr_data_url)) = crate::totp::enrollment(secret, email) else {
        return bad_request_page(
            "The authenticator secret could not be prepared. Start again from the app.",
        );
    };
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    (
        status,
        pages::totp_enrollment(request, pending, secret, &uri, &qr_data_url, error),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct TotpForm {
    #[serde(flatten)]
    request: AuthorizeRequest,
    pending: String,
    code: String,
}

/// `POST /user_management/authorize/totp` (the second sign-in step of a user with a TOTP factor):
/// the authenticator's current code → 303 to the redirect URI with an authorization code; a wrong
/// code → the page again (401); an expired step → back to the start.
async fn sign_in_totp(
    State(env): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<TotpForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return bad_request_page("The code form is incomplete.");
    };
    if let Err(message) = check_authorize_request(&env, &form.request) {
        return bad_request_page(&message);
    }
    let pending = env
        .store
        .read()
        .pending_totp
        .get(&form.pending)
        .filter(|p| p.expires_at > store::now())
        .cloned();
    let Some(pending) = pending else {
        return bad_request_page("This sign-in took too long. Start again from the app.");
    };
    if let Some(secret) = &pending.enroll_secret {
        if !crate::totp::check(secret, &form.code) {
            tracing::info!(user_id = %pending.user_id, "MFA enrollment refused: wrong TOTP code");
            let email = env
                .store
                .read()
                .users
                .get(&pending.user_id)
                .map(|u| u.email.clone())
                .unwrap_or_default();
            return enrollment_page(
                &form.request,
                &form.pending,
                secret,
                &email,
                Some("That code is not right. Enter the current code from your authenticator app."),
            );
        }
        let mut state = env.store.write();
        state.pending_totp.remove(&form.pending);
        if let Some(user) = state.users.get_mut(&pending.user_id) {
            user.totp_secret = Some(secret.clone());
        }
        drop(state);
        tracing::info!(user_id = %pending.user_id, "TOTP factor enrolled at sign-in");
        return complete_sign_in(&env, &pending.user_id, &form.request, &headers, peer);
    }
    let secret = env
        .store
        .read()
        .users
        .get(&pending.user_id)
        .and_then(|u| u.totp_secret.clone());
    if !secret.is_some_and(|secret| crate::totp::check(&secret, &form.code)) {
        tracing::info!(user_id = %pending.user_id, "sign-in refused: wrong TOTP code");
        return (
            StatusCode::UNAUTHORIZED,
            pages::totp(
                &form.request,
                &form.pending,
                Some("That code is not right. Enter the current code from your authenticator app."),
            ),
        )
            .into_response();
    }
    env.store.write().pending_totp.remove(&form.pending);
    complete_sign_in(&env, &pending.user_id, &form.request, &headers, peer)
}

/// Issues the authorization code of a finished sign-in and sends the browser back to the app.
fn complete_sign_in(
    env: &Environment,
    user_id: &str,
    request: &AuthorizeRequest,
    headers: &HeaderMap,
    peer: SocketAddr,
) -> Response {
    let code = store::new_secret();
    {
        let mut state = env.store.write();
        let organization_id = match &request.organization_id {
            Some(org) if is_active_member(&state, user_id, org) => Some(org.clone()),
            _ => state
                .active_memberships(user_id)
                .first()
                .map(|m| m.organization_id.clone()),
        };
        state.authorization_codes.insert(
            code.clone(),
            AuthorizationCode {
                user_id: user_id.to_string(),
                organization_id,
                redirect_uri: request.redirect_uri.clone(),
                code_challenge: request.code_challenge.clone(),
                user_agent: headers
                    .get(header::USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                ip_address: Some(peer.ip().to_string()),
                expires_at: store::now() + CODE_TTL,
            },
        );
    }
    let mut target = match url::Url::parse(&request.redirect_uri) {
        Ok(url) => url,
        Err(_) => return bad_request_page("redirect_uri is not a URL."),
    };
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = &request.state {
        target.query_pairs_mut().append_pair("state", state);
    }
    tracing::info!(user_id = %user_id, "signed in on the AuthKit page");
    Redirect::to(target.as_str()).into_response()
}

/// The user with this email and password, if both are right.
async fn check_credentials(env: &Environment, email: &str, password: &str) -> Option<store::User> {
    let user = env.store.read().user_by_email(email).cloned()?;
    let hash = user.password_hash.clone()?;
    password_matches(password, hash).await.then_some(user)
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
async fn authenticate(
    State(env): State<AppState>,
    ApiJson(body): ApiJson<AuthenticateRequest>,
) -> Result<Json<Value>, ApiError> {
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
) -> Result<Json<Value>, ApiError> {
    let code = body
        .code
        .ok_or_else(|| ApiError::Unprocessable("code is required.".into()))?;
    let mut state = env.store.write();
    // Single use: the code is gone whatever happens next.
    let grant = state
        .authorization_codes
        .remove(&code)
        .ok_or_else(|| ApiError::InvalidGrant("The code is invalid or was already used.".into()))?;
    if grant.expires_at < store::now() {
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
        &mut state,
        &grant.user_id,
        grant.organization_id,
        user_agent,
        ip_address,
    );
    Ok(Json(response))
}

async fn password_grant(
    env: &AppState,
    body: AuthenticateRequest,
    secret_ok: bool,
) -> Result<Json<Value>, ApiError> {
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
    let mut state = env.store.write();
    let organization_id = match body.organization_id {
        Some(org) if is_active_member(&state, &user.id, &org) => Some(org),
        Some(org) => {
            return Err(ApiError::bad_request(
                "invalid_organization_id",
                format!("The user is not a member of organization '{org}'."),
            ));
        }
        None => state
            .active_memberships(&user.id)
            .first()
            .map(|m| m.organization_id.clone()),
    };
    Ok(Json(start_session(
        env,
        &mut state,
        &user.id,
        organization_id,
        body.user_agent,
        body.ip_address,
    )))
}

fn refresh(env: &Environment, body: AuthenticateRequest) -> Result<Json<Value>, ApiError> {
    let token = body
        .refresh_token
        .ok_or_else(|| ApiError::Unprocessable("refresh_token is required.".into()))?;
    let now = store::now();
    let mut state = env.store.write();
    let session = state
        .session_by_refresh_token(&token)
        .cloned()
        .ok_or_else(|| {
            ApiError::InvalidGrant("The refresh token is invalid or was already used.".into())
        })?;
    if !session.is_active(now) {
        return Err(ApiError::InvalidGrant("Session has already ended.".into()));
    }
    let organization_id = match body.organization_id {
        Some(org) => {
            if !state.organizations.contains_key(&org)
                || !is_active_member(&state, &session.user_id, &org)
            {
                return Err(ApiError::bad_request(
                    "invalid_organization_id",
                    format!("The user is not a member of organization '{org}'."),
                ));
            }
            if needs_mfa_enrollment(&state, &session.user_id, &org) {
                return Err(ApiError::MfaEnrollment(format!(
                    "Organization '{org}' requires multi-factor authentication: sign in through AuthKit to enroll a factor."
                )));
            }
            Some(org)
        }
        None => session.organization_id.clone(),
    };
    let refresh_token = store::new_secret();
    let stored = state
        .sessions
        .get_mut(&session.id)
        .expect("session found above");
    stored.refresh_token = refresh_token.clone();
    stored.organization_id = organization_id.clone();
    stored.last_activity_at = now;
    stored.updated_at = now;
    let session = stored.clone();
    Ok(Json(token_response(env, &state, &session, refresh_token)))
}

/// Creates a session for a completed sign-in and answers with its first tokens.
fn start_session(
    env: &Environment,
    state: &mut Data,
    user_id: &str,
    organization_id: Option<String>,
    user_agent: Option<String>,
    ip_address: Option<String>,
) -> Value {
    let now = store::now();
    let refresh_token = store::new_secret();
    let session = Session {
        id: store::new_id("session"),
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
    state.sessions.insert(session.id.clone(), session.clone());
    if let Some(user) = state.users.get_mut(user_id) {
        user.last_sign_in_at = Some(now);
    }
    tracing::info!(user_id, session_id = %session.id, "session started");
    token_response(env, state, &session, refresh_token)
}

/// `{user, organization_id, access_token, refresh_token, authentication_method}` for `session`.
fn token_response(
    env: &Environment,
    state: &Data,
    session: &Session,
    refresh_token: String,
) -> Value {
    let mut claims = Claims::new(&env.base_url, &session.user_id, env.access_token_ttl());
    claims.sid = Some(session.id.clone());
    if let Some(org) = &session.organization_id {
        let role = state
            .membership(&session.user_id, org)
            .map(|m| m.role.clone())
            .unwrap_or_default();
        claims.permissions = state.role_permissions(&role);
        claims.org_id = Some(org.clone());
        claims.role = Some(role);
    }
    let user = state
        .users
        .get(&session.user_id)
        .map(models::user)
        .unwrap_or(Value::Null);
    json!({
        "user": user,
        "organization_id": session.organization_id,
        "access_token": env.keys.sign(&claims),
        "refresh_token": refresh_token,
        "authentication_method": session.auth_method,
    })
}

#[derive(Debug, Deserialize)]
struct LogoutQuery {
    session_id: Option<String>,
    return_to: Option<String>,
}

/// `GET /user_management/sessions/logout?session_id=…&return_to=…` (browser): ends the session and
/// answers 302 to `return_to` (an http(s) URL), or shows a "signed out" page; no `session_id` →
/// 422 page.
async fn logout(State(env): State<AppState>, Query(query): Query<LogoutQuery>) -> Response {
    let Some(session_id) = query.session_id else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::notice("Cannot sign out", "session_id is required."),
        )
            .into_response();
    };
    end_session(&env, &session_id);
    match query.return_to.as_deref().map(url::Url::parse) {
        Some(Ok(url)) if matches!(url.scheme(), "http" | "https") => {
            (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
        }
        _ => pages::notice("Signed out", "You are signed out. You can close this page.")
            .into_response(),
    }
}

fn end_session(env: &Environment, session_id: &str) -> bool {
    let mut state = env.store.write();
    match state.sessions.get_mut(session_id) {
        Some(session) => {
            if session.ended_at.is_none() {
                session.ended_at = Some(store::now());
                tracing::info!(session_id, "session ended");
            }
            true
        }
        None => false,
    }
}

#[derive(Debug, Deserialize)]
struct RevokeRequest {
    session_id: String,
}

/// `POST /user_management/sessions/revoke` `{session_id}` (API key) → 200 `{}`; 404 unknown session.
/// The session's refresh token stops working at once.
async fn revoke_session(
    _: ApiKey,
    State(env): State<AppState>,
    ApiJson(body): ApiJson<RevokeRequest>,
) -> Result<Json<Value>, ApiError> {
    if end_session(&env, &body.session_id) {
        Ok(Json(models::empty()))
    } else {
        Err(ApiError::not_found("session", body.session_id))
    }
}
