//! Prometheus metrics (text format 0.0.4, through the `prometheus` crate), served at `GET /metrics`
//! on a listener of their own that is off unless `METRICS_ADDR` is set (`server.rs`), so the
//! figures never reach the public port.
//!
//! | Metric | Labels | Counts |
//! |---|---|---|
//! | `workos_widgets_session_refreshes_total` | `outcome`: `ok`, `retried` (ok after a retry), `transient_failure`, `terminal` | session refreshes (one per exchange, shared by concurrent requests) |
//! | `workos_widgets_token_mints_total` | `widget` (registry id), `outcome`: `ok`, `session_limit`, `rate_limited`, `unavailable`, `error` | widget-token mints (tokens handed out again are not mints) |
//! | `workos_widgets_workos_call_seconds` | `operation` (`refresh`, `mint`), `outcome` (`ok`, `error`) | WorkOS call latency, one observation an attempt |
//! | `workos_widgets_signed_out_total` | `cause`: `refresh_refused`, `cookie_unreadable`, `token_invalid`, `sign_out` | sessions signed out |

use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

/// The app's metrics, in a registry of their own (one per app instance).
pub struct Metrics {
    registry: Registry,
    refreshes: IntCounterVec,
    mints: IntCounterVec,
    workos_calls: HistogramVec,
    signed_out: IntCounterVec,
}

/// How a session refresh ended.
#[derive(Debug, Clone, Copy)]
pub enum RefreshOutcome {
    Ok,
    Retried,
    TransientFailure,
    Terminal,
}

/// Why a session was signed out.
#[derive(Debug, Clone, Copy)]
pub enum SignOutCause {
    /// WorkOS refused the refresh (`invalid_grant`; `sso_required`, `mfa_enrollment`).
    RefreshRefused,
    /// The cookie does not unseal or parse.
    CookieUnreadable,
    /// The access token does not verify.
    TokenInvalid,
    /// The user signed out.
    SignOut,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let refreshes = IntCounterVec::new(
            Opts::new(
                "workos_widgets_session_refreshes_total",
                "Session refreshes by outcome.",
            ),
            &["outcome"],
        )
        .expect("a valid metric");
        let mints = IntCounterVec::new(
            Opts::new(
                "workos_widgets_token_mints_total",
                "Widget-token mints by widget and outcome.",
            ),
            &["widget", "outcome"],
        )
        .expect("a valid metric");
        let workos_calls = HistogramVec::new(
            HistogramOpts::new(
                "workos_widgets_workos_call_seconds",
                "WorkOS call latency by operation and outcome, one observation per attempt.",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["operation", "outcome"],
        )
        .expect("a valid metric");
        let signed_out = IntCounterVec::new(
            Opts::new(
                "workos_widgets_signed_out_total",
                "Sessions signed out by cause.",
            ),
            &["cause"],
        )
        .expect("a valid metric");
        for collector in [
            Box::new(refreshes.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(mints.clone()),
            Box::new(workos_calls.clone()),
            Box::new(signed_out.clone()),
        ] {
            registry.register(collector).expect("registered once");
        }
        Self {
            registry,
            refreshes,
            mints,
            workos_calls,
            signed_out,
        }
    }

    pub fn refresh(&self, outcome: RefreshOutcome) {
        let outcome = match outcome {
            RefreshOutcome::Ok => "ok",
            RefreshOutcome::Retried => "retried",
            RefreshOutcome::TransientFailure => "transient_failure",
            RefreshOutcome::Terminal => "terminal",
        };
        self.refreshes.with_label_values(&[outcome]).inc();
    }

    /// A mint of `widget`'s token: `ok`, or the error's kind.
    pub fn mint(&self, widget: &str, result: Result<(), &crate::error::AppError>) {
        use crate::error::AppError;
        let outcome = match result {
            Ok(()) => "ok",
            Err(AppError::TooManyRequests(_)) => "session_limit",
            Err(AppError::RateLimited(_)) => "rate_limited",
            Err(AppError::WorkOsUnavailable) => "unavailable",
            Err(_) => "error",
        };
        self.mints.with_label_values(&[widget, outcome]).inc();
    }

    /// One WorkOS call of `operation` that took `took`.
    pub fn workos_call(&self, operation: &str, ok: bool, took: Duration) {
        self.workos_calls
            .with_label_values(&[operation, if ok { "ok" } else { "error" }])
            .observe(took.as_secs_f64());
    }

    pub fn signed_out(&self, cause: SignOutCause) {
        let cause = match cause {
            SignOutCause::RefreshRefused => "refresh_refused",
            SignOutCause::CookieUnreadable => "cookie_unreadable",
            SignOutCause::TokenInvalid => "token_invalid",
            SignOutCause::SignOut => "sign_out",
        };
        self.signed_out.with_label_values(&[cause]).inc();
    }

    /// Every metric in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut text = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut text) {
            tracing::warn!(error = %e, "cannot encode the metrics");
        }
        String::from_utf8(text).unwrap_or_default()
    }
}

/// The metrics listener's routes: `GET /metrics` → 200 `text/plain; version=0.0.4` (the
/// Prometheus text format); nothing else.
pub fn router(metrics: std::sync::Arc<Metrics>) -> axum::Router {
    use axum::http::header;
    axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let metrics = metrics.clone();
            async move {
                (
                    [(header::CONTENT_TYPE, prometheus::TEXT_FORMAT)],
                    metrics.render(),
                )
            }
        }),
    )
}
