//! Static assets (server only): content-hashed URLs, immutable caching, precompressed files.
//!
//! At start-up the server hashes the files of each asset directory of the site root — `pkg/`
//! (cargo-leptos: the WASM, its JS glue, the app's CSS) and `bridge/` (esbuild: the widgets
//! bridge, its chunks, CSS and icons) — and serves each under a URL carrying the hash,
//! `/pkg/<hash>/app.wasm`, `/bridge/<hash>/index.js`, with `Cache-Control: public,
//! max-age=31536000, immutable`. A deploy that changes any file changes the URL, so a browser
//! never pairs new HTML with an old cached WASM or bridge, and a repeat visit downloads none of
//! them again. Pages stay `no-store` (`auth::session`).
//!
//! `make build` and `make release` write `.br` and `.gz` beside each file
//! (`scripts/precompress.mjs`); they are served as they are, not compressed per request. Without
//! them (`cargo leptos watch`) the compression layer compresses on the fly. In development
//! (`LEPTOS_ENV=DEV`, cargo-leptos's watch and serve) the hashed URLs are revalidated
//! (`no-cache`) instead, since cargo-leptos rewrites the CSS without restarting the server.
//!
//! The unhashed paths (`/pkg/app.wasm`, `/bridge/index.js`) are still served, uncached, by the
//! site-root fallback.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::Router;
use axum::http::{HeaderValue, header};
use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// `Cache-Control` of a content-hashed asset.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of a hashed asset in development: revalidate every time.
const REVALIDATE: &str = "no-cache";
/// The asset directories of the site root, each served under `/<dir>/<hash>/`.
const PKG: &str = "pkg";
const BRIDGE: &str = "bridge";
/// Hex digits of the directory hash in the URL.
const HASH_LEN: usize = 12;

/// The URL prefixes of this build's asset directories.
#[derive(Debug, Clone)]
pub struct Assets {
    /// `pkg/<hash>`: the Leptos `site_pkg_dir` the pages link (no leading slash, as Leptos wants).
    pub pkg_dir: String,
    /// `/bridge/<hash>`: where the bridge's files are.
    pub bridge: String,
    site_root: PathBuf,
    immutable: bool,
}

static ASSETS: OnceLock<Assets> = OnceLock::new();

impl Assets {
    /// Hashes `<site_root>/pkg` and `<site_root>/bridge` (file names and contents, `.br`/`.gz`
    /// excluded). A missing directory hashes as empty (pages then link files that answer 404,
    /// and the log says to build).
    pub fn load(site_root: &Path, development: bool) -> Self {
        let hash = |dir: &str| {
            let path = site_root.join(dir);
            if !path.is_dir() {
                tracing::warn!(path = %path.display(), "no asset directory: run `make build`");
            }
            let mut files = Vec::new();
            collect_all(&path, &mut files);
            drop_stale_copies(&files);
            dir_hash(&path, &files)
        };
        let assets = Self {
            pkg_dir: format!("{PKG}/{}", hash(PKG)),
            bridge: format!("/{BRIDGE}/{}", hash(BRIDGE)),
            site_root: site_root.to_path_buf(),
            immutable: !development,
        };
        let _ = ASSETS.set(assets.clone());
        assets
    }

    fn router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let cache = HeaderValue::from_static(if self.immutable {
            IMMUTABLE
        } else {
            REVALIDATE
        });
        let serve = |dir: &str| {
            let files = ServeDir::new(self.site_root.join(dir));
            // While cargo-leptos watches, files change under a running server: no copies.
            if self.immutable {
                files.precompressed_br().precompressed_gzip()
            } else {
                files
            }
        };
        Router::new()
            .nest_service(&format!("/{}", self.pkg_dir), serve(PKG))
            .nest_service(&self.bridge, serve(BRIDGE))
            // Found files only: a 404 must not be cached for a year.
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                move |response: &axum::response::Response| {
                    response.status().is_success().then(|| cache.clone())
                },
            ))
    }
}

/// The routes of the hashed prefixes ([`Assets::load`]): precompressed files when present, the
/// cache policy. None before `load` (tests that build a router alone).
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    ASSETS.get().map(Assets::router).unwrap_or_default()
}

/// The URL of a file the bridge's manifest names by its unhashed path (`/bridge/index.js` →
/// `/bridge/<hash>/index.js`).
pub fn bridge_url(unhashed: &str) -> String {
    // Before `Assets::load` (tests that build a router alone): the unhashed path.
    let Some(assets) = ASSETS.get() else {
        return unhashed.to_string();
    };
    match unhashed.strip_prefix(&format!("/{BRIDGE}")) {
        Some(rest) => format!("{}{rest}", assets.bridge),
        None => unhashed.to_string(),
    }
}

/// SHA-256 over `files` under `dir` but precompressed copies (sorted relative paths and
/// contents), as `HASH_LEN` hex digits.
fn dir_hash(dir: &Path, files: &[PathBuf]) -> String {
    let mut files: Vec<PathBuf> = files
        .iter()
        .filter(|f| !is_copy(f))
        .filter_map(|f| f.strip_prefix(dir).ok().map(Path::to_path_buf))
        .collect();
    files.sort();
    let mut hasher = Sha256::new();
    for relative in files {
        hasher.update(relative.to_string_lossy().as_bytes());
        hasher.update([0]);
        if let Ok(bytes) = std::fs::read(dir.join(&relative)) {
            hasher.update(&bytes);
        }
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .chars()
        .take(HASH_LEN)
        .collect()
}

/// Removes the `.br`/`.gz` copies among `files` older than their file (a rebuild without
/// `precompress.mjs`), so a stale copy is never served for a newer file.
fn drop_stale_copies(files: &[PathBuf]) {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    for copy in files.iter().filter(|f| is_copy(f)) {
        let original = copy.with_extension("");
        match (modified(copy), modified(&original)) {
            (Some(c), Some(o)) if c >= o => {}
            _ => {
                tracing::info!(path = %copy.display(), "removing a stale precompressed copy");
                let _ = std::fs::remove_file(copy);
            }
        }
    }
}

fn is_copy(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("br" | "gz"))
}

fn collect_all(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_all(&path, files);
        } else {
            files.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files_of(dir: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        collect_all(dir, &mut files);
        files
    }

    fn hash_of(dir: &Path) -> String {
        dir_hash(dir, &files_of(dir))
    }

    #[test]
    fn the_hash_follows_names_and_contents_not_precompressed_copies() {
        let dir = std::env::temp_dir().join(format!("assets-hash-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("chunks")).unwrap();
        std::fs::write(dir.join("index.js"), "a").unwrap();
        std::fs::write(dir.join("chunks/x.js"), "b").unwrap();
        let first = hash_of(&dir);
        assert_eq!(first.len(), HASH_LEN);
        std::fs::write(dir.join("index.js.br"), "compressed").unwrap();
        assert_eq!(hash_of(&dir), first, "precompressed copies do not count");
        std::fs::write(dir.join("chunks/x.js"), "c").unwrap();
        assert_ne!(hash_of(&dir), first, "a changed file changes the hash");
        std::fs::write(dir.join("chunks/x.js"), "b").unwrap();
        std::fs::rename(dir.join("chunks/x.js"), dir.join("chunks/y.js")).unwrap();
        assert_ne!(hash_of(&dir), first, "a renamed file changes the hash");
        // A copy older than its file is removed; a fresh one stays.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.join("index.js"), "new").unwrap();
        std::fs::write(dir.join("chunks/y.js.gz"), "fresh").unwrap();
        drop_stale_copies(&files_of(&dir));
        assert!(!dir.join("index.js.br").exists());
        assert!(dir.join("chunks/y.js.gz").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
