//! `workos-emulator`: the WorkOS emulator as a standalone server, for any WorkOS SDK.

use clap::Parser;
use tracing_subscriber::EnvFilter;
use workos_emulator::{Emulator, EmulatorConfig, config};

/// A local WorkOS-compatible server: AuthKit, JWKS, widget tokens, users, organizations and the
/// /_widgets API, seeded with demo data.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 4100)]
    port: u16,
    /// The API key SDKs must send (also the AuthKit client secret).
    #[arg(long, env = "WORKOS_API_KEY", default_value = config::DEFAULT_API_KEY)]
    api_key: String,
    /// The AuthKit client id.
    #[arg(long, env = "WORKOS_CLIENT_ID", default_value = config::DEFAULT_CLIENT_ID)]
    client_id: String,
    /// Browser origin allowed to call /_widgets (repeatable); none: any origin.
    #[arg(long = "allowed-origin")]
    allowed_origins: Vec<String>,
    /// PKCS#8 PEM file for the signing key, created if missing, so tokens survive restarts.
    #[arg(long)]
    signing_key: Option<std::path::PathBuf>,
    /// Seed file (JSON; see README). Default: workos-emulator.seed.json here if present, else the demo seed.
    #[arg(long)]
    seed: Option<std::path::PathBuf>,
    /// JSON file for the state, so changes survive restarts (created from the seed if missing).
    #[arg(long)]
    state: Option<std::path::PathBuf>,
    /// Widget tokens (`POST /widgets/token`) allowed a minute per API key, as WorkOS limits them;
    /// beyond, 429 with Retry-After. 0: no limit.
    #[arg(long, default_value_t = workos_emulator::limits::DEFAULT_MINTS_PER_MINUTE)]
    widget_token_mints_per_minute: u32,
    /// Refresh-token replay grace period in seconds, as WorkOS documents it ("Session
    /// resilience"): a refresh token exchanged again this soon returns the same pair. 0: strict.
    #[arg(long, default_value_t = workos_emulator::replay::DEFAULT_GRACE_SECS,
          value_parser = clap::value_parser!(u64).range(0..=workos_emulator::replay::MAX_GRACE_SECS))]
    refresh_token_grace_secs: u64,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info")),
        )
        .init();
    let cli = Cli::parse();
    let config = EmulatorConfig {
        api_key: cli.api_key.clone(),
        client_id: cli.client_id.clone(),
        allowed_origins: cli.allowed_origins,
        signing_key_path: cli.signing_key,
        state_path: cli.state,
        seed_path: cli.seed,
        widget_token_mints_per_minute: cli.widget_token_mints_per_minute,
        refresh_token_grace_secs: cli.refresh_token_grace_secs,
        ..EmulatorConfig::default()
    };
    let emulator = match Emulator::start(config, &format!("{}:{}", cli.host, cli.port)).await {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("workos-emulator: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("WorkOS emulator on {}", emulator.base_url());
    println!(
        "  WORKOS_API_KEY={}  WORKOS_CLIENT_ID={}",
        cli.api_key, cli.client_id
    );
    if emulator.environment().demo_seed {
        println!(
            "  demo accounts (password: {}): alice@acme.test, bob@acme.test, carol@globex.test",
            workos_emulator::seed::DEMO_PASSWORD
        );
    }
    let _ = tokio::signal::ctrl_c().await;
    emulator.shutdown().await;
    std::process::ExitCode::SUCCESS
}
