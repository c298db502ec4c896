//! UserProfile widget (`user-profile`): the caller's own profile (contract §6.1, P1–P2).

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::bodies::ChallengeCode;
use crate::auth::WidgetCaller;
use crate::clock::{now, timestamp};
use crate::entities::{Challenge, ElevatedAccess, EmailChange, User, valid_email};
use crate::environment::Environment;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::ids::{new_code, new_id, new_secret, secret_eq};

/// Longest first name, last name or locale accepted, in characters.
const MAX_NAME_CHARS: usize = 255;

/// Emailed codes and elevated access last 10 minutes.
const ELEVATED_TTL: time::Duration = time::Duration::minutes(10);

pub fn router() -> Router<Arc<Environment>> {
    Router::new()
        .route("/UserProfile/me", get(get_me).post(update_me))
        .route("/UserProfile/send-verification", post(send_verification))
        .route("/UserProfile/verify", post(verify))
        .route("/UserProfile/send-email-change", post(send_email_change))
        .route(
            "/UserProfile/verify-email-change",
            post(verify_email_change),
        )
}

/// The widgets' `Me`: the caller's own profile.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Me {
    id: String,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    locale: Option<String>,
    profile_picture_url: Option<String>,
    /// Always `null`: the emulator has no OAuth sign-in.
    oauth_profiles: Option<()>,
}

impl Me {
    fn new(user: &User) -> Self {
        Self {
            id: user.id.clone(),
            email: user.email.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            locale: user.locale.clone(),
            profile_picture_url: user.profile_picture_url.clone(),
            oauth_profiles: None,
        }
    }
}

/// The widgets' `SendVerificationResponse`: the id of the emailed code's challenge.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SendVerificationResponse {
    authentication_challenge: String,
    r#type: &'static str,
}

/// The widgets' `VerifyResponse`: the `x-elevated-access-token` value and when it expires.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifyResponse {
    elevated_access_token: String,
    expires_at: String,
}

/// The widgets' `SendEmailChangeResponse`: when the emailed code expires.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SendEmailChangeResponse {
    expires_at: String,
}

/// The widgets' `VerifyEmailChangeResponse`: the changed profile and a fresh elevated-access
/// token.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifyEmailChangeResponse {
    user: Me,
    elevated_access_token: String,
    expires_at: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailChangeRequest {
    new_email: String,
}

/// P6 `POST /_widgets/UserProfile/send-email-change` `{newEmail}` (elevated access) →
/// `{expiresAt}`: emails a code to the new address. 400 invalid address; 409 taken by another user.
async fn send_email_change(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<EmailChangeRequest>,
) -> Result<Json<SendEmailChangeResponse>, ApiError> {
    let mut data = env.store.write();
    caller.require_elevated(&data, &headers)?;
    let new_email = body.new_email.trim().to_lowercase();
    if !valid_email(&new_email) {
        return Err(ApiError::bad_request("invalid_email", "Invalid email"));
    }
    if data
        .user_by_email(&new_email)
        .is_some_and(|u| u.id != caller.user_id)
    {
        return Err(ApiError::Conflict(
            "This email address is already in use.".into(),
        ));
    }
    let code = new_code();
    let expires_at = now() + ELEVATED_TTL;
    data.email_changes.insert(
        caller.user_id.clone(),
        EmailChange {
            new_email: new_email.clone(),
            code: code.clone(),
            expires_at,
        },
    );
    data.send_mail(
        &new_email,
        "Confirm your new email address",
        format!("Your code to confirm this email address is {code}. It expires in 10 minutes."),
        Some(code),
    );
    Ok(Json(SendEmailChangeResponse {
        expires_at: timestamp(expires_at),
    }))
}

#[derive(Debug, Deserialize)]
struct VerifyEmailChange {
    code: String,
}

/// P7 `POST /_widgets/UserProfile/verify-email-change` `{code}` (elevated access) →
/// `{user: Me, elevatedAccessToken, expiresAt}`: the email changes (verified) and a fresh elevated
/// token replaces the old one. Wrong or expired code → 400.
async fn verify_email_change(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<VerifyEmailChange>,
) -> Result<Json<VerifyEmailChangeResponse>, ApiError> {
    let mut data = env.store.write();
    caller.require_elevated(&data, &headers)?;
    let now = now();
    let change = data
        .email_changes
        .get(&caller.user_id)
        .filter(|c| c.expires_at > now && secret_eq(&c.code, body.code.trim()))
        .cloned();
    let Some(change) = change else {
        return Err(ApiError::bad_request(
            "invalid_one_time_code",
            "The code is incorrect or has expired.",
        ));
    };
    if data
        .user_by_email(&change.new_email)
        .is_some_and(|u| u.id != caller.user_id)
    {
        return Err(ApiError::Conflict(
            "This email address is already in use.".into(),
        ));
    }
    data.email_changes.remove(&caller.user_id);
    let token = new_secret();
    let expires_at = now + ELEVATED_TTL;
    data.elevated.insert(
        token.clone(),
        ElevatedAccess {
            user_id: caller.user_id.clone(),
            expires_at,
        },
    );
    let user = data
        .users
        .get_mut(&caller.user_id)
        .ok_or_else(ApiError::unknown_user)?;
    user.email = change.new_email;
    user.email_verified = true;
    user.updated_at = now;
    tracing::info!(user_id = %user.id, "email changed");
    Ok(Json(VerifyEmailChangeResponse {
        user: Me::new(user),
        elevated_access_token: token,
        expires_at: timestamp(expires_at),
    }))
}

/// P4 `POST /_widgets/UserProfile/send-verification` → `{authenticationChallenge, type:
/// "EmailVerification"}`: emails a 6-digit code to the caller (see `/_emulator/mailbox`).
async fn send_verification(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
) -> Result<Json<SendVerificationResponse>, ApiError> {
    let mut data = env.store.write();
    let email = data
        .users
        .get(&caller.user_id)
        .map(|u| u.email.clone())
        .ok_or_else(ApiError::unknown_user)?;
    let code = new_code();
    let id = new_id("auth_challenge");
    data.challenges.insert(
        id.clone(),
        Challenge {
            user_id: caller.user_id.clone(),
            code: code.clone(),
            expires_at: now() + ELEVATED_TTL,
        },
    );
    data.send_mail(
        &email,
        "Your verification code",
        format!("Your verification code is {code}. It expires in 10 minutes."),
        Some(code),
    );
    Ok(Json(SendVerificationResponse {
        authentication_challenge: id,
        r#type: "EmailVerification",
    }))
}

/// P5 `POST /_widgets/UserProfile/verify` `{code, authenticationChallengeId}` →
/// `{elevatedAccessToken, expiresAt}` (10 minutes). A wrong or expired code, or another user's
/// challenge → 400 `{message}`; a challenge is used once.
async fn verify(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    ApiJson(body): ApiJson<ChallengeCode>,
) -> Result<Json<VerifyResponse>, ApiError> {
    let mut data = env.store.write();
    let now = now();
    let challenge = data
        .challenges
        .get(&body.authentication_challenge_id)
        .filter(|c| c.user_id == caller.user_id && c.expires_at > now)
        .cloned();
    match challenge {
        Some(c) if secret_eq(&c.code, body.code.trim()) => {
            data.challenges.remove(&body.authentication_challenge_id);
            let token = new_secret();
            let expires_at = now + ELEVATED_TTL;
            data.elevated.insert(
                token.clone(),
                ElevatedAccess {
                    user_id: caller.user_id.clone(),
                    expires_at,
                },
            );
            Ok(Json(VerifyResponse {
                elevated_access_token: token,
                expires_at: timestamp(expires_at),
            }))
        }
        _ => Err(ApiError::bad_request(
            "invalid_one_time_code",
            "The code is incorrect or has expired.",
        )),
    }
}

/// P1 `GET /_widgets/UserProfile/me` → 200 `Me`.
async fn get_me(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
) -> Result<Json<Me>, ApiError> {
    let data = env.store.read();
    let user = data
        .users
        .get(&caller.user_id)
        .ok_or_else(ApiError::unknown_user)?;
    Ok(Json(Me::new(user)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateMe {
    first_name: Option<String>,
    last_name: Option<String>,
    locale: Option<String>,
}

/// P2 `POST /_widgets/UserProfile/me` `{firstName?, lastName?, locale?}` → 200 `Me`. Absent fields
/// stay as they are; empty ones are cleared; over 255 characters → 400 `{message}`.
async fn update_me(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    ApiJson(body): ApiJson<UpdateMe>,
) -> Result<Json<Me>, ApiError> {
    let clean = |field: &str, value: Option<String>| -> Result<Option<Option<String>>, ApiError> {
        let Some(value) = value else { return Ok(None) };
        let value = value.trim().to_string();
        if value.chars().count() > MAX_NAME_CHARS {
            return Err(ApiError::bad_request(
                "invalid_request_parameters",
                format!("{field} must be at most {MAX_NAME_CHARS} characters."),
            ));
        }
        Ok(Some((!value.is_empty()).then_some(value)))
    };
    let first_name = clean("firstName", body.first_name)?;
    let last_name = clean("lastName", body.last_name)?;
    let locale = clean("locale", body.locale)?;

    let mut data = env.store.write();
    let user = data
        .users
        .get_mut(&caller.user_id)
        .ok_or_else(ApiError::unknown_user)?;
    if let Some(v) = first_name {
        user.first_name = v;
    }
    if let Some(v) = last_name {
        user.last_name = v;
    }
    if let Some(v) = locale {
        user.locale = v;
    }
    user.updated_at = now();
    tracing::info!(user_id = %user.id, "profile updated");
    Ok(Json(Me::new(user)))
}
