//! The emulator's one error type. Every handler returns `Result<_, ApiError>`; each variant maps to
//! the status and JSON body WorkOS uses for that failure (contract §4, §8.2), so the official SDKs
//! and the widgets read them as they would read WorkOS's own.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401 `{code: "unauthorized", message}`: a missing or wrong API key.
    #[error("{0}")]
    Unauthorized(String),
    /// 403 `{message}`: a bad, expired or forged widget token, or a scope the role lacks. The
    /// widgets re-fetch their token once on 403 (contract §4).
    #[error("{0}")]
    Forbidden(String),
    /// 404 `{code: "entity_not_found", entity_id, message}`.
    #[error("{entity} not found: '{id}'")]
    NotFound { entity: &'static str, id: String },
    /// 400 `{code, message}`.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// 400 `{error: "invalid_grant", error_description}` (OAuth-style, spec
    /// `UserlandSessionsController_authenticate`): an unknown, used or revoked code or refresh token.
    #[error("invalid_grant: {0}")]
    InvalidGrant(String),
    /// 403 `{code: "mfa_challenge", message}`: the password was right but the user has MFA.
    #[error("{0}")]
    MfaChallenge(String),
    /// 403 `{code: "mfa_enrollment", message}`: the organization requires MFA and the user has
    /// no factor; they must sign in through AuthKit, which enrolls one.
    #[error("{0}")]
    MfaEnrollment(String),
    /// 409 `{code: "conflict", message}`, e.g. an email address another user has.
    #[error("{0}")]
    Conflict(String),
    /// 422 `{code: "invalid_request_parameters", message}`.
    #[error("{0}")]
    Unprocessable(String),
    /// 413 `{code: "payload_too_large", message}`: a body over `routes::MAX_BODY_BYTES`.
    #[error("The request body is larger than {0} bytes.")]
    TooLarge(usize),
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// 403 for a token whose user no longer exists (the widgets re-fetch their token).
    pub fn unknown_user() -> Self {
        Self::Forbidden("Invalid widget token: unknown user.".into())
    }

    pub fn not_found(entity: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound {
            entity,
            id: id.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::MfaChallenge(_) | Self::MfaEnrollment(_) => {
                StatusCode::FORBIDDEN
            }
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::BadRequest { .. } | Self::InvalidGrant(_) => StatusCode::BAD_REQUEST,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = self.to_string();
        let body = match &self {
            Self::Unauthorized(_) => json!({"code": "unauthorized", "message": message}),
            Self::Forbidden(_) => json!({"message": message}),
            Self::MfaChallenge(_) => json!({"code": "mfa_challenge", "message": message}),
            Self::MfaEnrollment(_) => json!({"code": "mfa_enrollment", "message": message}),
            Self::NotFound { id, .. } => {
                json!({"code": "entity_not_found", "entity_id": id, "message": message})
            }
            Self::BadRequest { code, .. } => json!({"code": code, "message": message}),
            Self::InvalidGrant(description) => {
                json!({"error": "invalid_grant", "error_description": description})
            }
            Self::Conflict(_) => json!({"code": "conflict", "message": message}),
            Self::Unprocessable(_) => {
                json!({"code": "invalid_request_parameters", "message": message})
            }
            Self::TooLarge(_) => json!({"code": "payload_too_large", "message": message}),
        };
        tracing::debug!(status = %self.status(), %message, "request refused");
        (self.status(), Json(body)).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => Self::Unprocessable(e.body_text()),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::TooLarge(crate::routes::MAX_BODY_BYTES)
            }
            other => Self::bad_request("invalid_json", other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::Unprocessable(rejection.body_text())
    }
}
