//! UserSecurity widget (`user-security`): sign-in methods, the password and TOTP two-factor
//! authentication (contract §6.2: S1–S6).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::ChallengeCode;
use crate::AppState;
use crate::auth::{WidgetCaller, hash_password, hashing, password_matches};
use crate::error::ApiError;
use crate::routes::ApiJson;
use crate::store::{self, PendingFactor, timestamp};
use crate::totp;

/// The environment's password policy, enforced by create- and update-password and reported by
/// `authentication-information`.
pub struct PasswordPolicy {
    pub minimum_length: usize,
    pub maximum_length: usize,
    pub number_required: bool,
}

pub const POLICY: PasswordPolicy = PasswordPolicy {
    minimum_length: 10,
    maximum_length: 128,
    number_required: true,
};

impl PasswordPolicy {
    /// The rules `password` breaks, as the widgets' `password_strength_error` items.
    pub fn violations(&self, password: &str, email: &str) -> Vec<Value> {
        let mut errors = Vec::new();
        let length = password.chars().count();
        if length < self.minimum_length {
            errors.push(json!({"code": "password_too_short", "message": format!("Password must be at least {} characters.", self.minimum_length), "minimum_length": self.minimum_length}));
        }
        if length > self.maximum_length {
            errors.push(json!({"code": "password_too_long", "message": format!("Password must be at most {} characters.", self.maximum_length), "maximum_length": self.maximum_length}));
        }
        if self.number_required && !password.chars().any(|c| c.is_ascii_digit()) {
            errors.push(json!({"code": "password_missing_character_type", "message": "Password must contain a number.", "character_type": "number"}));
        }
        let local = email.split('@').next().unwrap_or_default().to_lowercase();
        if local.len() >= 3 && password.to_lowercase().contains(&local) {
            errors.push(json!({"code": "password_contains_email", "message": "Password must not contain your email address."}));
        }
        errors
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/UserProfile/authentication-information",
            get(authentication_information),
        )
        .route("/UserProfile/update-password", post(update_password))
        .route("/UserProfile/create-password", post(create_password))
        .route("/UserProfile/create-totp-factor", post(create_totp_factor))
        .route("/UserProfile/verify-totp-factor", post(verify_totp_factor))
        .route("/UserProfile/totp-factors", delete(delete_totp_factors))
}

/// A TOTP enrolment must be verified within 10 minutes.
const ENROLMENT_TTL: time::Duration = time::Duration::minutes(10);

/// S4 `POST /_widgets/UserProfile/create-totp-factor` (elevated access) →
/// `{authenticationFactor: {…, totp: {issuer, user, secret, qr_code, uri}}, authenticationChallenge}`:
/// a new secret with its `otpauth://` URI and QR code; it takes effect once S5 verifies a code.
async fn create_totp_factor(
    caller: WidgetCaller,
    State(env): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let mut state = env.store.write();
    caller.require_elevated(&state, &headers)?;
    let email = state
        .users
        .get(&caller.user_id)
        .map(|u| u.email.clone())
        .ok_or_else(ApiError::unknown_user)?;
    let secret = totp::new_secret();
    let (uri, qr_code) = totp::enrollment(&secret, &email).ok_or_else(|| {
        ApiError::bad_request("totp_failed", "Could not create the authenticator secret.")
    })?;
    let now = store::now();
    let factor_id = store::new_id("auth_factor");
    let challenge_id = store::new_id("auth_challenge");
    state.pending_factors.insert(
        challenge_id.clone(),
        PendingFactor {
            factor_id: factor_id.clone(),
            user_id: caller.user_id.clone(),
            secret: secret.clone(),
            expires_at: now + ENROLMENT_TTL,
        },
    );
    Ok(Json(json!({
        "authenticationFactor": {
            "object": "authentication_factor", "id": factor_id, "type": "totp", "user_id": caller.user_id, "sms": null,
            "totp": {"issuer": totp::ISSUER, "user": email, "secret": secret, "qr_code": qr_code, "uri": uri},
            "created_at": timestamp(now), "updated_at": timestamp(now),
        },
        "authenticationChallenge": {
            "object": "authentication_challenge", "id": challenge_id, "expires_at": timestamp(now + ENROLMENT_TTL), "code": null,
            "authentication_factor_id": factor_id, "created_at": timestamp(now), "updated_at": timestamp(now),
        },
    })))
}

/// S5 `POST /_widgets/UserProfile/verify-totp-factor` `{code, authenticationChallengeId}` →
/// `{success: true}` when `code` is the authenticator's current code (a real RFC 6238 check); the
/// factor then protects sign-in. Wrong code, expired or foreign challenge → 400 `{message}`.
async fn verify_totp_factor(
    caller: WidgetCaller,
    State(env): State<AppState>,
    ApiJson(body): ApiJson<ChallengeCode>,
) -> Result<Json<Value>, ApiError> {
    let mut state = env.store.write();
    let pending = state
        .pending_factors
        .get(&body.authentication_challenge_id)
        .filter(|p| p.user_id == caller.user_id && p.expires_at > store::now())
        .cloned();
    let Some(pending) = pending.filter(|p| totp::check(&p.secret, &body.code)) else {
        return Err(ApiError::bad_request(
            "invalid_one_time_code",
            "The code is incorrect. Enter the current code from your authenticator app.",
        ));
    };
    state
        .pending_factors
        .remove(&body.authentication_challenge_id);
    if let Some(user) = state.users.get_mut(&caller.user_id) {
        user.totp_secret = Some(pending.secret);
        user.updated_at = store::now();
    }
    tracing::info!(user_id = %caller.user_id, factor_id = %pending.factor_id, "TOTP factor enrolled");
    Ok(Json(json!({"success": true})))
}

/// S6 `DELETE /_widgets/UserProfile/totp-factors` (elevated access) → `{success: true}`: removes the
/// caller's TOTP factor.
async fn delete_totp_factors(
    caller: WidgetCaller,
    State(env): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let mut state = env.store.write();
    caller.require_elevated(&state, &headers)?;
    if let Some(user) = state.users.get_mut(&caller.user_id) {
        user.totp_secret = None;
        user.updated_at = store::now();
    }
    Ok(Json(json!({"success": true})))
}

/// P3/S1 `GET /_widgets/UserProfile/authentication-information` →
/// `{data: {verificationMethods: {Password, Mfa}, passwordSettings}}`.
async fn authentication_information(
    caller: WidgetCaller,
    State(env): State<AppState>,
) -> Result<Json<Value>, ApiError> {
    let state = env.store.read();
    let user = state
        .users
        .get(&caller.user_id)
        .ok_or_else(ApiError::unknown_user)?;
    Ok(Json(json!({"data": {
        "verificationMethods": {
            "Password": {"provider": "Password", "isSetUp": user.password_hash.is_some(), "lastUsed": user.last_sign_in_at.map(timestamp), "isCurrentSession": true},
            "Mfa": {"provider": "MFA", "isSetUp": user.totp_secret.is_some(), "lastUsed": null},
        },
        "passwordSettings": {
            "isPasswordNumberRequired": POLICY.number_required,
            "isPasswordPwnedRequired": false,
            "isPasswordSymbolRequired": false,
            "isPasswordUppercaseRequired": false,
            "passwordMinimumLength": POLICY.minimum_length,
            "passwordMinimumStrength": 0,
        },
    }})))
}

fn strength_error(errors: Vec<Value>) -> (StatusCode, Json<Value>) {
    (
        StatusCode::BAD_REQUEST,
        Json(
            json!({"code": "password_strength_error", "message": "Password does not meet the requirements.", "errors": errors}),
        ),
    )
}

/// Checks the policy, then stores the Argon2id hash of `password` for the caller.
async fn set_password(
    env: &AppState,
    user_id: &str,
    password: String,
) -> Result<Result<(), (StatusCode, Json<Value>)>, ApiError> {
    let email = env
        .store
        .read()
        .users
        .get(user_id)
        .map(|u| u.email.clone())
        .unwrap_or_default();
    let errors = POLICY.violations(&password, &email);
    if !errors.is_empty() {
        return Ok(Err(strength_error(errors)));
    }
    let hash = hashing(move || hash_password(&password))
        .await
        .ok_or_else(|| ApiError::bad_request("hash_failed", "the password could not be hashed"))?
        .map_err(|e| ApiError::bad_request("hash_failed", e))?;
    let mut state = env.store.write();
    if let Some(user) = state.users.get_mut(user_id) {
        user.password_hash = Some(hash);
        user.updated_at = store::now();
    }
    tracing::info!(user_id, "password changed");
    Ok(Ok(()))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdatePassword {
    new_password: String,
    current_password: String,
}

/// S3 `POST /_widgets/UserProfile/update-password` `{newPassword, currentPassword}` → 201
/// `{success: true}`. 400 `{message}` for a wrong current password; 400 `password_strength_error`
/// with per-rule `errors` for a new one the policy refuses.
async fn update_password(
    caller: WidgetCaller,
    State(env): State<AppState>,
    ApiJson(body): ApiJson<UpdatePassword>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let hash = env
        .store
        .read()
        .users
        .get(&caller.user_id)
        .and_then(|u| u.password_hash.clone());
    let current_ok = match hash {
        Some(hash) => password_matches(&body.current_password, hash).await,
        None => false,
    };
    if !current_ok {
        return Err(ApiError::bad_request(
            "invalid_credentials",
            "The current password is incorrect.",
        ));
    }
    Ok(
        match set_password(&env, &caller.user_id, body.new_password).await? {
            Ok(()) => (StatusCode::CREATED, Json(json!({"success": true}))),
            Err(refusal) => refusal,
        },
    )
}

#[derive(Debug, Deserialize)]
struct CreatePassword {
    password: String,
}

/// S2 `POST /_widgets/UserProfile/create-password` `{password}` (elevated access) → 201
/// `{success: true}`; 403 without a live `x-elevated-access-token`; policy failures as in S3.
async fn create_password(
    caller: WidgetCaller,
    State(env): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreatePassword>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require_elevated(&env.store.read(), &headers)?;
    Ok(
        match set_password(&env, &caller.user_id, body.password).await? {
            Ok(()) => (StatusCode::CREATED, Json(json!({"success": true}))),
            Err(refusal) => refusal,
        },
    )
}
