//! The emulator's one error type. Every handler returns `Result<_, ApiError>`; each variant maps to
//! the status and JSON body WorkOS uses for that failure (contract §4, §8.2), so the official SDKs
//! and the widgets read them as they would read WorkOS's own. The two body shapes are
//! [`ErrorBody`] and [`OAuthErrorBody`].

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::config::MAX_BODY_BYTES;
use crate::password::Violation;

/// The body of every refusal but `invalid_grant`: `{code?, entity_id?, message, errors?}`. The
/// widgets show `message`; the SDKs read `code` (absent on a 403, where the widgets only re-fetch
/// their token).
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    /// The id that was not found (404 `entity_not_found` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    pub message: String,
    /// The broken password rules (400 `password_strength_error`) or the invalid fields (400/422
    /// of the API key endpoints).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<ErrorItems>,
}

/// The items of an [`ErrorBody`]'s `errors`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ErrorItems {
    Password(Vec<Violation>),
    Fields(Vec<FieldError>),
}

/// One invalid field: `{code, field}` (the widgets' `CreateOrganizationApiKey422ErrorsItem` and
/// its siblings; the spec's 422 `errors` items), e.g. `{code: "required", field: "name"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    pub code: &'static str,
    pub field: &'static str,
}

/// The OAuth-style body of a refused grant: `{error, error_description}` (spec
/// `UserlandSessionsController_authenticate`).
#[derive(Debug, Serialize)]
pub struct OAuthErrorBody {
    pub error: &'static str,
    pub error_description: String,
}

/// A refused request: each variant is one status and body; `Display` is the body's message.
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
    /// 413 `{code: "payload_too_large", message}`: a body over [`MAX_BODY_BYTES`].
    #[error("The request body is larger than {0} bytes.")]
    TooLarge(usize),
    /// 400 `{code: "password_strength_error", message, errors: [Violation]}`: a new password the
    /// policy refuses (`password::POLICY`), one item per broken rule.
    #[error("Password does not meet the requirements.")]
    PasswordStrength(Vec<Violation>),
    /// 400 (a query) or 422 (a body) `{code: "invalid_request_parameters", message, errors:
    /// [{code, field}]}`: the API key endpoints' validation errors (contract §4.3, §7.1).
    #[error("{message}")]
    InvalidFields {
        /// `true`: 400 (query parameters); `false`: 422 (a request body).
        query: bool,
        message: String,
        errors: Vec<FieldError>,
    },
    /// 429 `{code: "rate_limit_exceeded", message}` with `Retry-After: <retry_after_secs>`: more
    /// calls than WorkOS allows (WorkOS API reference, "Rate limits"; 429 "Too many requests").
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
}

impl ApiError {
    /// 400 `{code, message}` with this code, e.g. `invalid_email`.
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

    /// 404 `entity_not_found` for the `entity` (e.g. `user`) with this id.
    pub fn not_found(entity: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound {
            entity,
            id: id.into(),
        }
    }

    /// 422 `invalid_request_parameters` naming one invalid body field with its error `code`.
    pub fn invalid_field(
        code: &'static str,
        field: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self::InvalidFields {
            query: false,
            message: message.into(),
            errors: vec![FieldError { code, field }],
        }
    }

    /// 400 `invalid_request_parameters` naming one invalid query parameter.
    pub fn invalid_query(
        code: &'static str,
        field: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self::InvalidFields {
            query: true,
            message: message.into(),
            errors: vec![FieldError { code, field }],
        }
    }

    /// The body's `code`: `None` for [`ApiError::Forbidden`] (the widgets' 403 `{message}`) and
    /// for `invalid_grant` (whose body is [`OAuthErrorBody`]).
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Self::Unauthorized(_) => Some("unauthorized"),
            Self::Forbidden(_) | Self::InvalidGrant(_) => None,
            Self::MfaChallenge(_) => Some("mfa_challenge"),
            Self::MfaEnrollment(_) => Some("mfa_enrollment"),
            Self::NotFound { .. } => Some("entity_not_found"),
            Self::BadRequest { code, .. } => Some(code),
            Self::Conflict(_) => Some("conflict"),
            Self::Unprocessable(_) | Self::InvalidFields { .. } => {
                Some("invalid_request_parameters")
            }
            Self::TooLarge(_) => Some("payload_too_large"),
            Self::PasswordStrength(_) => Some("password_strength_error"),
            Self::RateLimited { .. } => Some("rate_limit_exceeded"),
        }
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::MfaChallenge(_) | Self::MfaEnrollment(_) => {
                StatusCode::FORBIDDEN
            }
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::BadRequest { .. } | Self::InvalidGrant(_) | Self::PasswordStrength(_) => {
                StatusCode::BAD_REQUEST
            }
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::InvalidFields { query: true, .. } => StatusCode::BAD_REQUEST,
            Self::Unprocessable(_) | Self::InvalidFields { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let code = self.code();
        let message = self.to_string();
        tracing::debug!(%status, %message, "request refused");
        match self {
            Self::InvalidGrant(error_description) => {
                let body = OAuthErrorBody {
                    error: "invalid_grant",
                    error_description,
                };
                (status, Json(body)).into_response()
            }
            Self::RateLimited {
                retry_after_secs, ..
            } => {
                let body = ErrorBody {
                    code,
                    entity_id: None,
                    message,
                    errors: None,
                };
                let mut response = (status, Json(body)).into_response();
                response.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(retry_after_secs),
                );
                response
            }
            other => {
                let (entity_id, errors) = match other {
                    Self::NotFound { id, .. } => (Some(id), None),
                    Self::PasswordStrength(violations) => {
                        (None, Some(ErrorItems::Password(violations)))
                    }
                    Self::InvalidFields { errors, .. } => (None, Some(ErrorItems::Fields(errors))),
                    _ => (None, None),
                };
                let body = ErrorBody {
                    code,
                    entity_id,
                    message,
                    errors,
                };
                (status, Json(body)).into_response()
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => Self::Unprocessable(e.body_text()),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::TooLarge(MAX_BODY_BYTES)
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
