#!/usr/bin/env bash
# Installs what building and testing the app needs, skipping whatever is already present:
#   - the wasm32-unknown-unknown rustup target, and the rustfmt and clippy components (make lint)
#   - cargo-leptos 0.3.11 (from its crate source, lockfile patched for Rust 1.95; no_downloads)
#   - wasm-bindgen-cli, the exact version pinned in Cargo.toml
#   - Debian chromium (browser tests) -- only with --browser (and --bench)
#   - Debian wrk (load generator) -- only with --bench
#   - npm packages of bridge/, end2end/ and tools/binaryen (wasm-opt 132 for release builds)
# Offline-safe: uses only crates.io, the npm registry and Debian packages (see README "Set-up").
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.11
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml | head -n1)
: "${WASM_BINDGEN_VERSION:?wasm-bindgen must be pinned with = in Cargo.toml}"
export PATH="$HOME/.cargo/bin:$PATH"

# A lighter release profile for the tool installs: they are built once, and LTO with one codegen
# unit only slows the build (BENCHMARKS.md, "Tool install").
export CARGO_PROFILE_RELEASE_LTO=${CARGO_PROFILE_RELEASE_LTO:-false}
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=${CARGO_PROFILE_RELEASE_CODEGEN_UNITS:-16}

log() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

want_browser=0
want_bench=0
for arg in "$@"; do
  [ "$arg" = --browser ] && want_browser=1
  [ "$arg" = --bench ] && want_browser=1 && want_bench=1
done

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    log "rustup component add $component"
    rustup component add "$component"
  fi
done

install_wasm_bindgen() {
  if wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then return; fi
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 5 min on 2 cores)"
  # --locked fails for this version (webpki-roots); see README "Set-up".
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --quiet
}

install_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION\$"; then return; fi
  log "cargo install cargo-leptos $CARGO_LEPTOS_VERSION from source (about 10-17 min on 2 cores)"
  # `cargo install cargo-leptos --locked` needs rustc 1.96 (cargo-util-schemas 0.14.2): build the
  # published source with that one lock entry pinned to 0.14.1 instead.
  local src
  src=$(mktemp -d)
  (cd "$src" && cargo info "cargo-leptos@$CARGO_LEPTOS_VERSION" >/dev/null 2>&1 || true)
  local reg
  reg=$(ls -d "$HOME"/.cargo/registry/src/*/cargo-leptos-"$CARGO_LEPTOS_VERSION" | head -n1)
  cp -r "$reg" "$src/cargo-leptos"
  (cd "$src/cargo-leptos" \
    && cargo update -p cargo-util-schemas --precise 0.14.1 --quiet \
    && cargo install --path . --locked --features no_downloads --quiet)
  rm -rf "$src"
}

apt_install() {
  local binary=$1 package=$2
  if command -v "$binary" >/dev/null; then return; fi
  log "apt-get install $package"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$package" >/dev/null
}

npm_install() {
  local dir=$1
  # Reinstall when package-lock.json is newer than the installed tree.
  if [ -d "$dir/node_modules" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    return
  fi
  log "npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}

# The two cargo installs are the slow part and independent: run them side by side.
install_wasm_bindgen & wb=$!
install_cargo_leptos & cl=$!
if [ $want_browser = 1 ]; then apt_install chromium chromium; fi
if [ $want_bench = 1 ]; then apt_install wrk wrk; fi
npm_install bridge
npm_install tools/binaryen
[ $want_browser = 1 ] && npm_install end2end
wait $wb
wait $cl
log "tools ready: $(cargo leptos --version), $(wasm-bindgen --version)"
