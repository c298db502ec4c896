//! Graceful shutdown: on SIGTERM the server stops accepting connections but finishes the requests
//! already in flight (here a widget-token mint that WorkOS answers slowly), then exits 0.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{Process, client, runtime, sign_in};

#[test]
fn sigterm_finishes_the_requests_in_flight_then_exits() {
    let mut process = Process::spawn("shutdown", &[]);
    let (base, emulator) = (process.base.clone(), process.emulator.clone());

    let outcome = runtime().block_on(async {
        let http = client();
        process.wait_until_up(&http).await;
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
                .args(["-TERM", &process.child.id().to_string()])
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
        process.child.try_wait().unwrap()
    });
    drop(process);

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
