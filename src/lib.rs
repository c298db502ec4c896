//! A Leptos app that hosts the WorkOS widgets: sign in with AuthKit, then manage your account and
//! your organization's members through the real React widgets, mounted by this crate's WASM.

pub mod app;
pub mod auth;
pub mod codec;
pub mod error;
pub mod pages;
pub mod theme;
pub mod widgets;

#[cfg(feature = "ssr")]
pub mod assets;
#[cfg(feature = "ssr")]
pub mod bench;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod state;

/// The browser entry point. Pages are server-rendered HTML; only the islands (`#[island]`: the
/// widget host and the theme toggle) are interactive, so only they ship as WASM and hydrate
/// (Leptos islands: the page's hydration script calls this, then each island's own entry).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // The islands script hydrates the page's islands right after this; from then on, islands
    // that arrive later (a page the bridge swaps in, bridge/src/navigate.js) are the bridge's
    // to hydrate.
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("data-islands-hydrated", "");
    }
}
