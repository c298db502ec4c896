//! Request-body and query extractors whose rejections are the emulator's JSON errors, so a
//! malformed request gets the same answers WorkOS gives: 400 `invalid_json`, 422
//! `invalid_request_parameters`, 413 `payload_too_large`.

use axum::extract::{FromRequest, FromRequestParts};

use crate::error::ApiError;

/// `axum::Json` whose rejections are WorkOS-style JSON errors (400 malformed, 422 wrong shape, 413
/// over [`crate::config::MAX_BODY_BYTES`]).
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `axum::extract::Query` whose rejection is a 422 JSON error.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);
