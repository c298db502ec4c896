//! Graceful shutdown: on SIGTERM the server stops accepting connections but finishes the requests
//! already in flight (here a widget-token mint that WorkOS answers slowly), then exits 0.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::sign_in;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn sigterm_finishes_the_requests_in_flight_then_exits() {
    let (app_port, emulator_port) = (free_port(), free_port());
    let state_dir = std::env::temp_dir().join(format!("wwh-shutdown-{}", std::process::id()));
    let mut server = Command::new(env!("CARGO_BIN_EXE_workos-widgets-host"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{app_port}"))
        .env("WORKOS_EMULATOR_ADDR", format!("127.0.0.1:{emulator_port}"))
        .env("WORKOS_EMULATOR_STATE_DIR", &state_dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("the server binary runs");
    let base = format!("http://127.0.0.1:{app_port}");
    let emulator = format!("http://127.0.0.1:{emulator_port}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome = runtime.block_on(async {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let started = Instant::now();
        while http.get(format!("{base}/healthz")).send().await.is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the server did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let cookie = sign_in(&http, &base, &emulator, "alice@acme.test").await;
        // WorkOS takes 1.5 s to mint: the request is in flight when the signal comes.
        let fault =
            serde_json::json!({"path_prefix": "/widgets/token", "kind": "delay", "delay_ms": 1500});
        assert!(
            http.post(format!("{emulator}/_emulator/faults"))
                .json(&fault)
                .send()
                .await
                .unwrap()
                .status()
                .is_success()
        );
        let mint = tokio::spawn({
            let (http, base) = (http.clone(), base.clone());
            async move {
                http.post(format!("{base}/api/widget_token"))
                    .header("cookie", format!("wos-session={cookie}"))
                    .form(&[("kind", "user-profile")])
                    .send()
                    .await
            }
        });
        tokio::time::sleep(Duration::from_millis(400)).await;
        let signalled = Instant::now();
        assert!(
            Command::new("kill")
                .args(["-TERM", &server.id().to_string()])
                .status()
                .unwrap()
                .success()
        );
        let minted = mint
            .await
            .unwrap()
            .expect("the in-flight request is answered");
        let status = minted.status().as_u16();
        let grant: serde_json::Value = minted.json().await.unwrap_or_default();
        // New connections are refused once the server has stopped listening.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let after = reqwest::Client::new()
            .get(format!("{base}/healthz"))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        (status, grant, signalled.elapsed(), after.is_err())
    });
    let exit = (0..100).find_map(|_| {
        std::thread::sleep(Duration::from_millis(100));
        server.try_wait().unwrap()
    });
    if exit.is_none() {
        let _ = server.kill();
    }
    let _ = std::fs::remove_dir_all(&state_dir);

    let (status, grant, answered_after, refused_after) = outcome;
    assert_eq!(status, 200, "the in-flight mint finished: {grant}");
    assert!(
        grant["token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3),
        "with a token: {grant}"
    );
    assert!(
        answered_after >= Duration::from_millis(800),
        "it was still in flight at the signal ({answered_after:?})"
    );
    assert!(
        refused_after,
        "new connections are refused after the signal"
    );
    assert_eq!(
        exit.and_then(|e| e.code()),
        Some(0),
        "the server exits 0 within 10 s"
    );
}
