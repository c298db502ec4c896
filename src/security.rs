//! Response headers that keep the browser strict (server-only): the Content-Security-Policy of
//! pages, with the per-response nonce Leptos stamps on its inline scripts, and the fixed headers
//! of every answer.
//!
//! The page policy lets exactly these run: the app's own files (`'self'`: the WASM glue, the
//! widgets bridge and its chunks), Leptos's inline hydration script (by nonce), WASM compilation
//! (`'wasm-unsafe-eval'`). Styles may be inline: the widgets' Radix ScrollArea and Select render
//! constant `<style>` elements with no way to pass them a nonce, and a blocked one is a console
//! error on the members page; with scripts held to `'self'` + nonce, inline CSS cannot run code.
//! The widgets call the WorkOS API from the browser,
//! so `connect-src` is this origin and the configured WorkOS host; forms may post to those and to
//! the Admin Portal (the SSO and domain widgets open it with a form POST of its one-time token,
//! contract §7.3); nothing else can be fetched, framed or posted to.

use axum::http::{HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::Config;

/// The policy of answers that are not pages (server functions, files, redirects): nothing may be
/// embedded, framed or based elsewhere. Pages replace it with [`page_policy`].
pub const BASE_POLICY: &str = "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// The Content-Security-Policy of a server-rendered page whose inline scripts carry `nonce`.
///
/// `img-src` admits `https:` and `data:` because profile pictures come from the identity provider
/// (any https host) and the security widget shows its TOTP QR code as a data URL. Under
/// `cargo leptos watch`, the live-reload websocket (`ws://<site host>:<reload port>`) is admitted
/// too.
pub fn page_policy(config: &Config, nonce: &str, reload: Option<&str>) -> String {
    let api = config.api.base_url();
    let reload = reload.map(|r| format!(" {r}")).unwrap_or_default();
    let portal = config
        .admin_portal_origin
        .as_deref()
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: https:; font-src 'self' data:; connect-src 'self' {api}{reload}; \
         form-action 'self' {api}{portal}; {BASE_POLICY}"
    )
}

/// Puts the page policy on the response being rendered (called from the shell during SSR, where
/// Leptos has generated this response's nonce).
pub fn set_page_policy() {
    use leptos::prelude::*;
    let (Some(state), Some(nonce), Some(response)) = (
        use_context::<crate::state::AppState>(),
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let reload = std::env::var("LEPTOS_WATCH").is_ok().then(|| {
        let options = &state.leptos_options;
        format!("ws://{}:{}", options.site_addr.ip(), options.reload_port)
    });
    match HeaderValue::from_str(&page_policy(&state.config, &nonce, reload.as_deref())) {
        Ok(value) => response.insert_header(header::CONTENT_SECURITY_POLICY, value),
        Err(e) => tracing::error!(error = %e, "cannot build the page's Content-Security-Policy"),
    }
}

/// A header every answer gets unless its handler set one.
pub fn default_header(
    name: header::HeaderName,
    value: &'static str,
) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_policy_admits_the_nonce_and_the_workos_host_and_nothing_inline() {
        let config = Config::from_lookup("127.0.0.1:3000".parse().unwrap(), |v| match v {
            "WORKOS_API_KEY" => Some("sk_test_x".into()),
            "WORKOS_CLIENT_ID" => Some("client_x".into()),
            "WORKOS_COOKIE_PASSWORD" => Some("ab".repeat(32)),
            _ => None,
        })
        .unwrap();
        let policy = page_policy(&config, "n0nce", None);
        assert!(
            policy.contains("script-src 'self' 'nonce-n0nce' 'wasm-unsafe-eval';"),
            "{policy}"
        );
        assert!(
            policy.contains("connect-src 'self' https://api.workos.com;"),
            "{policy}"
        );
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(
            policy.contains("form-action 'self' https://api.workos.com https://setup.workos.com;"),
            "{policy}"
        );
        assert!(
            !policy.contains("script-src 'self' 'unsafe-inline'")
                && !policy.contains("'unsafe-eval'"),
            "{policy}"
        );
    }
}
