//! Early loading for widget pages (server only). `bridge/build.mjs` writes
//! `bridge/manifest.json`: the bridge entry, the widgets' stylesheet, and per widget id every other
//! JS file its first render needs. On a widget page the shell puts in `<head>` an async module
//! script for the entry (so React and the provider are fetched *and evaluated* while the WASM
//! loads, and the entry mounts the widget from the page's boot data without waiting for the WASM,
//! `widgets::component`; the WASM's later `import()` gets the same module), `<link
//! rel="modulepreload">` for the widget's chunks and `<link rel="preload" as="style">` for the
//! CSS — instead of all of it starting after hydration (BENCHMARKS.md, "Where the time goes").

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use super::WidgetKind;

#[derive(Debug, serde::Deserialize)]
struct Manifest {
    entry: String,
    css: String,
    widgets: HashMap<String, Vec<String>>,
}

static MANIFEST: OnceLock<Manifest> = OnceLock::new();

/// Reads `<site_root>/bridge/manifest.json` once at start-up, after `crate::assets` hashed the
/// bridge: its paths are kept as the hashed URLs pages use. Without it (bridge not built) pages
/// still work, only without preloads; the log says so.
pub fn load(site_root: &Path) {
    let path = site_root.join("bridge/manifest.json");
    match std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|bytes| serde_json::from_slice::<Manifest>(&bytes).map_err(|e| e.to_string()))
    {
        Ok(manifest) => {
            use crate::assets::bridge_url;
            let manifest = Manifest {
                entry: bridge_url(&manifest.entry),
                css: bridge_url(&manifest.css),
                widgets: manifest
                    .widgets
                    .into_iter()
                    .map(|(id, files)| (id, files.iter().map(|f| bridge_url(f)).collect()))
                    .collect(),
            };
            let _ = MANIFEST.set(manifest);
        }
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "no widget preload manifest: widget pages load without preloads (run `node build.mjs` in bridge/)")
        }
    }
}

/// What `kind`'s page loads early.
#[derive(Debug, Default)]
pub struct EarlyLoads {
    /// The bridge entry, for `<script type="module" async>`.
    pub entry: Option<String>,
    /// The widget's other modules, for `<link rel="modulepreload">`.
    pub modules: Vec<String>,
    /// The widgets' stylesheet, for `<link rel="preload" as="style">`.
    pub css: Option<String>,
}

pub fn early_loads(kind: WidgetKind) -> EarlyLoads {
    let Some(manifest) = MANIFEST.get() else {
        return EarlyLoads::default();
    };
    EarlyLoads {
        entry: Some(manifest.entry.clone()),
        modules: manifest.widgets.get(kind.id()).cloned().unwrap_or_default(),
        css: Some(manifest.css.clone()),
    }
}

/// The bridge entry's unhashed path (the manifest's `entry`; `crate::assets::bridge_url` gives
/// the URL pages use).
pub const ENTRY: &str = "/bridge/index.js";
