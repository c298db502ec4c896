//! UserSecurity widget (`user-security`): sign-in methods, the password and TOTP two-factor
//! authentication (contract §6.2: S1–S6). The password policy is `password::POLICY`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::bodies::{ChallengeCode, DataBody, Success};
use crate::auth::WidgetCaller;
use crate::clock::{now, timestamp};
use crate::entities::PendingFactor;
use crate::environment::Environment;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::ids::new_id;
use crate::password::{POLICY, hash_password, hashing, password_matches};
use crate::totp;

/// A TOTP enrolment must be verified within 10 minutes.
const ENROLMENT_TTL: time::Duration = time::Duration::minutes(10);

pub fn router() -> Router<Arc<Environment>> {
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

/// The widgets' `CreateTotpFactorResponse`: the new factor (with its secret) and the challenge that
/// S5 verifies. Its two objects are WorkOS API objects, so their fields are snake_case.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateTotpFactorResponse {
    authentication_factor: AuthenticationFactor,
    authentication_challenge: AuthenticationChallenge,
}

/// A WorkOS `authentication_factor` of type `totp`.
#[derive(Debug, Serialize)]
struct AuthenticationFactor {
    object: &'static str,
    id: String,
    r#type: &'static str,
    user_id: String,
    /// Always `null` (a TOTP factor).
    sms: Option<()>,
    totp: TotpDetails,
    created_at: String,
    updated_at: String,
}

/// What an authenticator app needs: the base32 `secret`, its `otpauth://` `uri` and `qr_code` (a
/// PNG data URL).
#[derive(Debug, Serialize)]
struct TotpDetails {
    issuer: &'static str,
    /// The account shown in the app: the user's email.
    user: String,
    secret: String,
    qr_code: String,
    uri: String,
}

/// A WorkOS `authentication_challenge` for the new factor, expiring after [`ENROLMENT_TTL`].
#[derive(Debug, Serialize)]
struct AuthenticationChallenge {
    object: &'static str,
    id: String,
    expires_at: String,
    /// Always `null`: the code comes from the authenticator app.
    code: Option<String>,
    authentication_factor_id: String,
    created_at: String,
    updated_at: String,
}

/// S4 `POST /_widgets/UserProfile/create-totp-factor` (elevated access) →
/// `{authenticationFactor: {…, totp: {issuer, user, secret, qr_code, uri}}, authenticationChallenge}`:
/// a new secret with its `otpauth://` URI and QR code; it takes effect once S5 verifies a code.
async fn create_totp_factor(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    headers: HeaderMap,
) -> Result<Json<CreateTotpFactorResponse>, ApiError> {
    let mut data = env.store.write();
    caller.require_elevated(&data, &headers)?;
    let email = data
        .users
        .get(&caller.user_id)
        .map(|u| u.email.clone())
        .ok_or_else(ApiError::unknown_user)?;
    let secret = totp::new_secret();
    let (uri, qr_code) = totp::enrollment(&secret, &email).ok_or_else(|| {
        ApiError::bad_request("totp_failed", "Could not create the authenticator secret.")
    })?;
    let now = now();
    let factor_id = new_id("auth_factor");
    let challenge_id = new_id("auth_challenge");
    data.pending_factors.insert(
        challenge_id.clone(),
        PendingFactor {
            factor_id: factor_id.clone(),
            user_id: caller.user_id.clone(),
            secret: secret.clone(),
            expires_at: now + ENROLMENT_TTL,
        },
    );
    Ok(Json(CreateTotpFactorResponse {
        authentication_factor: AuthenticationFactor {
            object: "authentication_factor",
            id: factor_id.clone(),
            r#type: "totp",
            user_id: caller.user_id.clone(),
            sms: None,
            totp: TotpDetails {
                issuer: totp::ISSUER,
                user: email,
                secret,
                qr_code,
                uri,
            },
            created_at: timestamp(now),
            updated_at: timestamp(now),
        },
        authentication_challenge: AuthenticationChallenge {
            object: "authentication_challenge",
            id: challenge_id,
            expires_at: timestamp(now + ENROLMENT_TTL),
            code: None,
            authentication_factor_id: factor_id,
            created_at: timestamp(now),
            updated_at: timestamp(now),
        },
    }))
}

/// S5 `POST /_widgets/UserProfile/verify-totp-factor` `{code, authenticationChallengeId}` →
/// `{success: true}` when `code` is the authenticator's current code (a real RFC 6238 check); the
/// factor then protects sign-in. Wrong code, expired or foreign challenge → 400 `{message}`.
async fn verify_totp_factor(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    ApiJson(body): ApiJson<ChallengeCode>,
) -> Result<Json<Success>, ApiError> {
    let mut data = env.store.write();
    let pending = data
        .pending_factors
        .get(&body.authentication_challenge_id)
        .filter(|p| p.user_id == caller.user_id && p.expires_at > now())
        .cloned();
    let Some(pending) = pending.filter(|p| totp::check(&p.secret, &body.code)) else {
        return Err(ApiError::bad_request(
            "invalid_one_time_code",
            "The code is incorrect. Enter the current code from your authenticator app.",
        ));
    };
    data.pending_factors
        .remove(&body.authentication_challenge_id);
    if let Some(user) = data.users.get_mut(&caller.user_id) {
        user.totp_secret = Some(pending.secret);
        user.updated_at = now();
    }
    tracing::info!(user_id = %caller.user_id, factor_id = %pending.factor_id, "TOTP factor enrolled");
    Ok(Json(Success::YES))
}

/// S6 `DELETE /_widgets/UserProfile/totp-factors` (elevated access) → `{success: true}`: removes the
/// caller's TOTP factor.
async fn delete_totp_factors(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    headers: HeaderMap,
) -> Result<Json<Success>, ApiError> {
    let mut data = env.store.write();
    caller.require_elevated(&data, &headers)?;
    if let Some(user) = data.users.get_mut(&caller.user_id) {
        user.totp_secret = None;
        user.updated_at = now();
    }
    Ok(Json(Success::YES))
}

/// The `data` of the widgets' `AuthenticationInformationResponse`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AuthenticationInformation {
    verification_methods: VerificationMethods,
    password_settings: PasswordSettings,
}

/// The caller's sign-in methods (no passkeys: the emulator has none).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct VerificationMethods {
    mfa: MfaMethod,
    password: PasswordMethod,
}

/// `{provider: "MFA", isSetUp, lastUsed}`: whether the caller has a TOTP factor.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MfaMethod {
    provider: &'static str,
    is_set_up: bool,
    /// Always `null`: factor use is not recorded.
    last_used: Option<String>,
}

/// `{provider: "Password", isSetUp, lastUsed, isCurrentSession}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PasswordMethod {
    provider: &'static str,
    is_set_up: bool,
    /// The caller's last sign-in (every sign-in is by password).
    last_used: Option<String>,
    is_current_session: bool,
}

/// The widgets' `passwordSettings`: [`POLICY`] as the password form shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PasswordSettings {
    is_password_number_required: bool,
    is_password_pwned_required: bool,
    is_password_symbol_required: bool,
    is_password_uppercase_required: bool,
    /// In characters.
    password_minimum_length: usize,
    password_minimum_strength: u8,
}

/// P3/S1 `GET /_widgets/UserProfile/authentication-information` →
/// `{data: {verificationMethods: {Mfa, Password}, passwordSettings}}`.
async fn authentication_information(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
) -> Result<Json<DataBody<AuthenticationInformation>>, ApiError> {
    let data = env.store.read();
    let user = data
        .users
        .get(&caller.user_id)
        .ok_or_else(ApiError::unknown_user)?;
    Ok(Json(DataBody {
        data: AuthenticationInformation {
            verification_methods: VerificationMethods {
                mfa: MfaMethod {
                    provider: "MFA",
                    is_set_up: user.totp_secret.is_some(),
                    last_used: None,
                },
                password: PasswordMethod {
                    provider: "Password",
                    is_set_up: user.password_hash.is_some(),
                    last_used: user.last_sign_in_at.map(timestamp),
                    is_current_session: true,
                },
            },
            password_settings: PasswordSettings {
                is_password_number_required: POLICY.number_required,
                is_password_pwned_required: false,
                is_password_symbol_required: false,
                is_password_uppercase_required: false,
                password_minimum_length: POLICY.minimum_length,
                password_minimum_strength: 0,
            },
        },
    }))
}

/// Checks the policy (400 `password_strength_error`), then stores the Argon2id hash of `password`
/// for the user.
async fn set_password(env: &Environment, user_id: &str, password: String) -> Result<(), ApiError> {
    let email = env
        .store
        .read()
        .users
        .get(user_id)
        .map(|u| u.email.clone())
        .unwrap_or_default();
    let violations = POLICY.violations(&password, &email);
    if !violations.is_empty() {
        return Err(ApiError::PasswordStrength(violations));
    }
    let hash = hashing(move || hash_password(&password))
        .await
        .ok_or_else(|| ApiError::bad_request("hash_failed", "the password could not be hashed"))?
        .map_err(|e| ApiError::bad_request("hash_failed", e))?;
    let mut data = env.store.write();
    if let Some(user) = data.users.get_mut(user_id) {
        user.password_hash = Some(hash);
        user.updated_at = now();
    }
    tracing::info!(user_id, "password changed");
    Ok(())
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
    State(env): State<Arc<Environment>>,
    ApiJson(body): ApiJson<UpdatePassword>,
) -> Result<(StatusCode, Json<Success>), ApiError> {
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
    set_password(&env, &caller.user_id, body.new_password).await?;
    Ok((StatusCode::CREATED, Json(Success::YES)))
}

#[derive(Debug, Deserialize)]
struct CreatePassword {
    password: String,
}

/// S2 `POST /_widgets/UserProfile/create-password` `{password}` (elevated access) → 201
/// `{success: true}`; 403 without a live `x-elevated-access-token`; policy failures as in S3.
async fn create_password(
    caller: WidgetCaller,
    State(env): State<Arc<Environment>>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreatePassword>,
) -> Result<(StatusCode, Json<Success>), ApiError> {
    caller.require_elevated(&env.store.read(), &headers)?;
    set_password(&env, &caller.user_id, body.password).await?;
    Ok((StatusCode::CREATED, Json(Success::YES)))
}
