//! State kept in a file survives restarts and `kill -9`; a pinned signing key keeps tokens valid.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::json;
use workos_emulator::seed::{ACME_ID, ALICE_ID};

/// Starts the real binary on a free port and returns it with its base URL.
fn spawn(dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_workos-emulator"))
        .args(["--port", "0", "--state"])
        .arg(dir.join("state.json"))
        .arg("--signing-key")
        .arg(dir.join("key.pem"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("emulator binary starts");
    let stdout = child.stdout.take().unwrap();
    let line = BufReader::new(stdout)
        .lines()
        .map(Result::unwrap)
        .find(|l| l.starts_with("WorkOS emulator on "))
        .expect("banner");
    (
        child,
        line.trim_start_matches("WorkOS emulator on ").to_string(),
    )
}

fn client(base: &str) -> workos::Client {
    workos::Client::builder()
        .api_key("sk_test_emulator")
        .client_id("client_emulator")
        .base_url(base)
        .max_retries(0)
        .build()
}

#[tokio::test]
async fn acknowledged_changes_survive_kill_9_and_tokens_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("workos-emulator-test-{}", ulid::Ulid::new()));
    let (mut first, base) = spawn(&dir);
    let body = workos::WidgetSessionToken {
        organization_id: Some(ACME_ID.into()),
        user_id: Some(ALICE_ID.into()),
        scopes: None,
    };
    let token = client(&base)
        .widgets()
        .create_token(workos::widgets::CreateTokenParams::new(body))
        .await
        .unwrap()
        .token
        .expose()
        .to_string();
    let http = reqwest::Client::new();
    let updated = http
        .post(format!("{base}/_widgets/UserProfile/me"))
        .bearer_auth(&token)
        .json(&json!({"firstName": "Persisted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), 200, "acknowledged");
    first.kill().unwrap(); // SIGKILL: no shutdown hook runs
    first.wait().unwrap();

    let (mut second, base) = spawn(&dir);
    assert_eq!(
        client(&base)
            .user_management()
            .get_user(ALICE_ID)
            .await
            .unwrap()
            .first_name
            .as_deref(),
        Some("Persisted")
    );
    // Same key: the token minted before the crash still works.
    let me = http
        .get(format!("{base}/_widgets/UserProfile/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    second.kill().unwrap();
    second.wait().unwrap();

    // A corrupt state file stops start-up with a clear message instead of being overwritten.
    std::fs::write(dir.join("state.json"), b"{ not json").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_workos-emulator"))
        .args(["--port", "0", "--state"])
        .arg(dir.join("state.json"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not valid emulator state"));
    let _ = std::fs::remove_dir_all(&dir);
}
