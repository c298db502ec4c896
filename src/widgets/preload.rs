//! Preload links for widget pages (server only). `bridge/build.mjs` writes
//! `bridge/manifest.json`: per widget id, every JS file its first render needs, and the widgets'
//! stylesheet. On a widget page the shell puts `<link rel="modulepreload">` for each and `<link
//! rel="preload" as="style">` for the CSS in `<head>`, so the browser fetches the widget code while
//! it loads the WASM, instead of after hydration asks for it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use super::WidgetKind;

#[derive(Debug, serde::Deserialize)]
struct Manifest {
    css: String,
    widgets: HashMap<String, Vec<String>>,
}

static MANIFEST: OnceLock<Manifest> = OnceLock::new();

/// Reads `<site_root>/bridge/manifest.json` once at start-up. Without it (bridge not built) pages
/// still work, only without preloads; the log says so.
pub fn load(site_root: &Path) {
    let path = site_root.join("bridge/manifest.json");
    match std::fs::read(&path).map_err(|e| e.to_string()).and_then(|bytes| serde_json::from_slice::<Manifest>(&bytes).map_err(|e| e.to_string())) {
        Ok(manifest) => {
            let _ = MANIFEST.set(manifest);
        }
        Err(e) => tracing::warn!(path = %path.display(), error = %e, "no widget preload manifest: widget pages load without preloads (run `node build.mjs` in bridge/)"),
    }
}

/// `(rel, href, as)` of the links for `kind`'s page: its modules, then the stylesheet.
pub fn links(kind: WidgetKind) -> Vec<(&'static str, String, Option<&'static str>)> {
    let Some(manifest) = MANIFEST.get() else { return Vec::new() };
    let mut links: Vec<_> = manifest.widgets.get(kind.id()).into_iter().flatten().map(|href| ("modulepreload", href.clone(), None)).collect();
    links.push(("preload", manifest.css.clone(), Some("style")));
    links
}
