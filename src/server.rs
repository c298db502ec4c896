//! The server (server-only): configuration, the embedded emulator, the router and its layers.

use std::process::ExitCode;

use axum::Router;
use axum::http::header;
use axum::middleware;
use axum::routing::{get, post};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing_subscriber::EnvFilter;

use crate::app::{App, shell};
use crate::auth::{handlers, session};
use crate::config::{Config, Mode};
use crate::security::default_header;
use crate::state::AppState;

/// Settings file of the Leptos runtime (site address, output name, site root). cargo-leptos reads
/// the copy in Cargo.toml; `tests/leptos_toml.rs` keeps the two identical.
const LEPTOS_TOML: &str = "Leptos.toml";

/// Runs the server until SIGTERM or Ctrl-C: logging, configuration (exit 2 naming the variable when
/// a setting is missing or malformed), the embedded emulator in emulator mode, then the router.
/// `env_files` are the settings files `main` read (logged once logging is up).
pub async fn run(env_files: Vec<std::path::PathBuf>) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn")),
        )
        .init();
    for file in &env_files {
        tracing::info!(file = %file.display(), "settings read from file (the environment wins)");
    }

    let mut leptos_options = match get_configuration(Some(LEPTOS_TOML)) {
        Ok(conf) => conf.leptos_options,
        Err(e) => {
            return fail(&format!(
                "cannot read {LEPTOS_TOML} (run the server from the repository root): {e}"
            ));
        }
    };
    let config = match Config::from_env(leptos_options.site_addr) {
        Ok(config) => config,
        Err(e) => return fail(&format!("configuration error: {e}")),
    };

    // Emulator mode: the WorkOS API is served in this process, on its own port.
    let (config, emulator) = match &config.mode {
        Mode::Emulator { addr, state_dir } => {
            let emulator_config = workos_emulator::EmulatorConfig {
                allowed_origins: vec![config.origin_str()],
                state_path: Some(state_dir.join("state.json")),
                signing_key_path: Some(state_dir.join("signing-key.pem")),
                ..Default::default()
            };
            match workos_emulator::Emulator::start(emulator_config, addr).await {
                Ok(emulator) => (
                    config.clone().with_emulator_addr(emulator.addr()),
                    Some(emulator),
                ),
                Err(e) => {
                    return fail(&format!(
                        "cannot start the WorkOS emulator: {e} (set WORKOS_EMULATOR_ADDR to another address, e.g. 127.0.0.1:0)"
                    ));
                }
            }
        }
        Mode::WorkOs => (config, None),
    };

    let site_root = std::path::PathBuf::from(leptos_options.site_root.as_ref());
    // Pages link the WASM, its glue and the CSS under the hashed `pkg/<hash>` (crate::assets),
    // and the bridge's files under `bridge/<hash>` (the preload manifest is read after hashing).
    let watching = std::env::var("LEPTOS_WATCH").is_ok_and(|v| v == "true");
    leptos_options.site_pkg_dir = crate::assets::Assets::load(&site_root, watching)
        .pkg_dir
        .into();
    crate::widgets::preload::load(&site_root);
    let site_addr = leptos_options.site_addr;
    let state = AppState::new(leptos_options.clone(), config);
    let app = router(state.clone());
    if let Some(limiter) = state.token_limiter.clone() {
        tokio::spawn(async move {
            let mut every = tokio::time::interval(crate::widgets::rate_limit::FORGET_EVERY);
            loop {
                every.tick().await;
                limiter.forget_idle();
            }
        });
    }

    if let Some(addr) = state.config.metrics_addr {
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => listener,
            Err(e) => {
                return fail(&format!(
                    "cannot listen on {addr} for the metrics: {e} (set METRICS_ADDR to another address)"
                ));
            }
        };
        let metrics = crate::metrics::router(state.metrics.clone());
        tracing::info!(%addr, "metrics served at /metrics");
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, metrics).await {
                tracing::error!(error = %e, "metrics listener stopped");
            }
        });
    }

    let listener = match tokio::net::TcpListener::bind(site_addr).await {
        Ok(listener) => listener,
        Err(e) => {
            return fail(&format!(
                "cannot listen on {site_addr}: {e} (set LEPTOS_SITE_ADDR to another address)"
            ));
        }
    };
    print_banner(&state.config, emulator.as_ref());

    // No Nagle delay: a streamed page goes out in several small writes, and Nagle's algorithm with
    // the client's delayed ACKs held each page back by ~40 ms (BENCHMARKS.md, SSR at 1 connection).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("server error: {e}")),
    }
}

/// The app's routes: auth handlers, Leptos pages and server functions, static files; wrapped in
/// the session middleware, compression and request tracing.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let mut app = Router::new()
        .route("/sign-in", get(handlers::sign_in))
        .route("/callback", get(handlers::callback))
        .route("/sign-out", post(handlers::sign_out))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    if crate::bench::enabled() {
        tracing::warn!(
            "{}=1: benchmark routes /_bench/* are mounted",
            crate::bench::ENABLE
        );
        app = app.merge(crate::bench::router());
    }
    app.merge(crate::assets::routes())
        .leptos_routes(&state, routes, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(state.clone(), session::layer))
        .layer(middleware::from_fn_with_state(state.clone(), crate::auth::csrf::layer))
        // Every answer: no MIME sniffing, no referrer beyond this origin, never framed, no plugins,
        // no `<base>` rewriting, HSTS over https. Pages carry the stricter policy with their
        // script nonce (`security::set_page_policy`, from the shell).
        .layer(default_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(default_header(header::REFERRER_POLICY, "same-origin"))
        .layer(default_header(header::CONTENT_SECURITY_POLICY, crate::security::BASE_POLICY))
        .layer(tower::util::option_layer(state.config.secure_cookies().then(|| default_header(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains"))))
        .layer(CompressionLayer::new())
        // Every request gets an `x-request-id` (kept if the client or a proxy sent one), in its
        // log span and in the response.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// `GET /healthz` → 200 `ok`: the process serves requests (liveness).
async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz` → 200 `{"status": "ready"}` when WorkOS (or the emulator) answers its JWKS, which
/// every session check needs; else 503 `{"status": "unavailable", "reason"}` (readiness).
async fn readyz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match state.workos.jwks().fetch().await {
        Ok(_) => axum::Json(serde_json::json!({"status": "ready"})).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: WorkOS JWKS unreachable");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(
                    serde_json::json!({"status": "unavailable", "reason": "WorkOS is unreachable"}),
                ),
            )
                .into_response()
        }
    }
}

fn print_banner(config: &Config, emulator: Option<&workos_emulator::Emulator>) {
    let origin = config.origin_str();
    println!();
    println!("  App ready:  {origin}");
    match emulator {
        Some(emulator) => {
            println!(
                "  WorkOS:     embedded emulator at {} (API key {}, client id {})",
                emulator.base_url(),
                config.api_key,
                config.client_id
            );
            if emulator.environment().demo_seed {
                println!(
                    "  Demo accounts (password \"{}\"):",
                    workos_emulator::seed::DEMO_PASSWORD
                );
                println!(
                    "    alice@acme.test    Alice Adams  Acme Corp admin, Globex member, Initech member (requires MFA)"
                );
                println!("    bob@acme.test      Bob Baker    Acme Corp member");
                println!("    carol@globex.test  Carol Chen   Globex admin");
            } else {
                println!("  Seed:       {}", workos_emulator::seed::SEED_FILE);
            }
        }
        None => println!("  WorkOS:     {}", config.api.base_url()),
    }
    println!();
    tracing::info!(%origin, api = %config.api.base_url(), "listening");
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
