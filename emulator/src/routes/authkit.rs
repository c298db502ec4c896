//! AuthKit, the browser side: the hosted sign-in page (`GET /user_management/authorize`), its form,
//! and the TOTP step (an existing factor's code, or enrolling one for an organization that requires
//! MFA). A finished sign-in sends the browser back to the app with a single-use authorization code,
//! which the app exchanges at `POST /user_management/authenticate` (`authenticate.rs`). The HTML is
//! `pages/`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::Markup;
use serde::Deserialize;
use time::Duration;

use super::authenticate::check_credentials;
use crate::clock::now;
use crate::entities::{AuthorizationCode, Data, PendingTotp};
use crate::environment::Environment;
use crate::ids::new_secret;
use crate::pages::notice::notice;
use crate::pages::sign_in::{AuthorizeRequest, DemoAccount, sign_in_page};
use crate::pages::totp::{totp_enrollment_page, totp_page};
use crate::seed::DEMO_PASSWORD;
use crate::totp;

/// Authorization codes and a sign-in's pending TOTP step live 10 minutes.
const CODE_TTL: Duration = Duration::minutes(10);

pub fn router() -> Router<Arc<Environment>> {
    Router::new()
        .route(
            "/user_management/authorize",
            get(authorize_page).post(sign_in),
        )
        .route("/user_management/authorize/totp", post(sign_in_totp))
}

/// A bad authorization request: shown to the person in the browser, never redirected.
fn bad_request_page(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, notice("Cannot sign in", message)).into_response()
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

fn demo_accounts(data: &Data) -> Vec<DemoAccount> {
    let mut users: Vec<_> = data
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
            memberships: data
                .active_memberships(&u.id)
                .iter()
                .filter_map(|m| {
                    data.organizations
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
    sign_in_page(request, &accounts, email, error, DEMO_PASSWORD)
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
    State(env): State<Arc<Environment>>,
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
    State(env): State<Arc<Environment>>,
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
        let pending = new_secret();
        env.store.write().pending_totp.insert(
            pending.clone(),
            PendingTotp {
                user_id: user.id.clone(),
                expires_at: now() + CODE_TTL,
                enroll_secret: None,
            },
        );
        return totp_page(&form.request, &pending, None).into_response();
    }
    let enrolling = form
        .request
        .organization_id
        .as_deref()
        .is_some_and(|org| env.store.read().needs_mfa_enrollment(&user.id, org));
    if enrolling {
        let pending = new_secret();
        let secret = totp::new_secret();
        env.store.write().pending_totp.insert(
            pending.clone(),
            PendingTotp {
                user_id: user.id.clone(),
                expires_at: now() + CODE_TTL,
                enroll_secret: Some(secret.clone()),
            },
        );
        return enrollment_step(&form.request, &pending, &secret, &user.email, None);
    }
    complete_sign_in(&env, &user.id, &form.request, &headers, peer)
}

/// The enrollment step: the new factor's QR code and secret, and a field for its first code.
fn enrollment_step(
    request: &AuthorizeRequest,
    pending: &str,
    secret: &str,
    email: &str,
    error: Option<&str>,
) -> Response {
    let Some((uri, qr_data_url)) = totp::enrollment(secret, email) else {
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
        totp_enrollment_page(request, pending, secret, &uri, &qr_data_url, error),
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
    State(env): State<Arc<Environment>>,
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
        .filter(|p| p.expires_at > now())
        .cloned();
    let Some(pending) = pending else {
        return bad_request_page("This sign-in took too long. Start again from the app.");
    };
    if let Some(secret) = &pending.enroll_secret {
        if !totp::check(secret, &form.code) {
            tracing::info!(user_id = %pending.user_id, "MFA enrollment refused: wrong TOTP code");
            let email = env
                .store
                .read()
                .users
                .get(&pending.user_id)
                .map(|u| u.email.clone())
                .unwrap_or_default();
            return enrollment_step(
                &form.request,
                &form.pending,
                secret,
                &email,
                Some("That code is not right. Enter the current code from your authenticator app."),
            );
        }
        let mut data = env.store.write();
        data.pending_totp.remove(&form.pending);
        if let Some(user) = data.users.get_mut(&pending.user_id) {
            user.totp_secret = Some(secret.clone());
        }
        drop(data);
        tracing::info!(user_id = %pending.user_id, "TOTP factor enrolled at sign-in");
        return complete_sign_in(&env, &pending.user_id, &form.request, &headers, peer);
    }
    let secret = env
        .store
        .read()
        .users
        .get(&pending.user_id)
        .and_then(|u| u.totp_secret.clone());
    if !secret.is_some_and(|secret| totp::check(&secret, &form.code)) {
        tracing::info!(user_id = %pending.user_id, "sign-in refused: wrong TOTP code");
        return (
            StatusCode::UNAUTHORIZED,
            totp_page(
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
    let code = new_secret();
    {
        let mut data = env.store.write();
        let organization_id = match &request.organization_id {
            Some(org) if data.is_active_member(user_id, org) => Some(org.clone()),
            _ => data
                .active_memberships(user_id)
                .first()
                .map(|m| m.organization_id.clone()),
        };
        data.authorization_codes.insert(
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
                expires_at: now() + CODE_TTL,
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
