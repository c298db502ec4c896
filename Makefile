# The two set-up commands (README): `make run` and `make test`. Both install what is missing first
# (scripts/install-tools.sh): wasm target, cargo-leptos, wasm-bindgen-cli, npm packages, and for
# tests Debian's chromium.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/tools/binaryen/node_modules/.bin:$(PATH)

screenshots: build ## Rewrite the README's screenshots (docs/screenshots/)
	cd end2end && npx playwright test --project=docs

.PHONY: screenshots run dev test lint test-rust test-e2e setup setup-browser bridge build release bench soak race help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

run: setup bridge ## Build and run the app on the embedded WorkOS emulator (http://127.0.0.1:3000)
	cargo leptos serve

dev: setup bridge ## Same, rebuilding and reloading on every change (cargo leptos watch)
	cargo leptos watch

test: setup-browser lint bridge build test-rust test-e2e ## Run every test: style (fmt, clippy), Rust (emulator, app) and the browser suite

lint: setup ## Style, enforced: rustfmt, then clippy with -D warnings on the emulator, the server (ssr) and the WASM (hydrate)
	cargo fmt --all --check
	cargo clippy -p workos-emulator --all-targets -- -D warnings
	cargo clippy -p workos-widgets-host --all-targets --features ssr -- -D warnings
	cargo clippy -p workos-widgets-host --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings

test-rust: ## Rust tests of the emulator and the app
	cargo test -p workos-emulator
	cargo test -p workos-widgets-host --features ssr

test-e2e: ## The Playwright suite against a freshly started app (needs `make build`)
	cd end2end && npx playwright test --project=chromium

setup: ## Install the build tools and npm packages that are missing
	scripts/install-tools.sh

setup-browser: ## setup, plus Debian chromium and the Playwright package
	scripts/install-tools.sh --browser

bridge: ## Bundle the widgets bridge into public/bridge/
	cd bridge && node build.mjs

build: ## Debug build of server and WASM (cargo leptos build), precompressed static files, and the standalone emulator binary
	cargo leptos build
	node scripts/precompress.mjs --fast target/site
	cargo build -p workos-emulator

release: setup bridge ## Release build (opt-level z WASM, wasm-opt from tools/binaryen)
	cargo leptos build --release
	node scripts/precompress.mjs target/site

soak: ## The long reliability runs on the release build: 500 sessions for 120 s (WorkOS calls counted, mint limit on), 19 % WorkOS faults with a browser, two instances behind a proxy; rewrites RELIABILITY.md
	scripts/install-tools.sh --bench
	$(MAKE) release
	cargo build --release -p workos-emulator
	cd end2end && node soak/run.mjs

race: ## The cross-instance refresh race, forced: two instances, 20 parallel requests at each access-token expiry, 50 rounds, at WorkOS's replay grace period and at 0; rewrites its section of RELIABILITY.md
	scripts/install-tools.sh
	$(MAKE) release
	cargo build --release -p workos-emulator
	cd end2end && node soak/race.mjs

bench: ## Measure the release build (time to widget vs floor, bytes, SSR and token load, RSS); rewrites BENCHMARKS.md
	scripts/install-tools.sh --bench
	$(MAKE) release
	cd end2end && node bench/run.mjs
