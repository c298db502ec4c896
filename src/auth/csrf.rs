//! Forgery guard for every state-changing request (sign-out and all server functions): a `POST`
//! (or other unsafe method) is accepted only from this app's own origin.
//!
//! Browsers send `Origin` on every cross-origin and same-origin `POST`, and `Sec-Fetch-Site` on
//! every request; a forged cross-site form or `fetch` carries the attacker's origin in both. So:
//! `Origin` present → it must be the canonical origin; else `Sec-Fetch-Site` present → it must be
//! `same-origin`; neither → not a browser (curl, a load tool), which cannot carry a victim's cookie,
//! so it passes. Refusals are 403 `{"Forbidden": "Cross-site request refused."}`, the server
//! functions' error shape, and change nothing (OWASP ASVS 5.0 3.5.1–3.5.3; Leptos server
//! functions have no CSRF protection of their own, leptos-rs/leptos#3786).

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// Whether a request with these headers may change state.
pub fn same_origin(
    method: &Method,
    origin: Option<&str>,
    fetch_site: Option<&str>,
    ours: &str,
) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    match (origin, fetch_site) {
        (Some(origin), _) => origin == ours,
        (None, Some(site)) => site == "same-origin",
        (None, None) => true,
    }
}

pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if same_origin(
        request.method(),
        origin,
        fetch_site,
        &state.config.origin_str(),
    ) {
        return next.run(request).await;
    }
    tracing::warn!(method = %request.method(), path = %request.uri().path(), origin = origin.unwrap_or("-"), fetch_site = fetch_site.unwrap_or("-"), "cross-site request refused");
    (
        StatusCode::FORBIDDEN,
        axum::Json(serde_json::json!({"Forbidden": "Cross-site request refused."})),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &str = "http://127.0.0.1:3000";

    #[test]
    fn only_our_origin_may_post() {
        assert!(same_origin(
            &Method::POST,
            Some(OURS),
            Some("same-origin"),
            OURS
        ));
        assert!(same_origin(&Method::POST, None, Some("same-origin"), OURS));
        assert!(
            same_origin(&Method::POST, None, None, OURS),
            "not a browser"
        );
        assert!(
            same_origin(
                &Method::GET,
                Some("https://evil.test"),
                Some("cross-site"),
                OURS
            ),
            "reads are not guarded"
        );
        assert!(!same_origin(
            &Method::POST,
            Some("https://evil.test"),
            Some("cross-site"),
            OURS
        ));
        assert!(
            !same_origin(&Method::POST, Some("null"), None, OURS),
            "sandboxed or privacy-stripped origin"
        );
        assert!(
            !same_origin(&Method::POST, Some("http://localhost:3000"), None, OURS),
            "another host of the same machine"
        );
        assert!(
            !same_origin(&Method::POST, None, Some("same-site"), OURS),
            "a sibling subdomain"
        );
        assert!(!same_origin(
            &Method::DELETE,
            None,
            Some("cross-site"),
            OURS
        ));
    }
}
