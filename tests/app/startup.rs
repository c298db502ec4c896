//! Start-up in WorkOS mode: a missing or malformed setting stops the server before it listens,
//! with a message naming the variable. (The working mode itself, against the standalone emulator
//! binary, is driven in a browser by `end2end/tests/workos-mode.spec.ts`.)
use std::process::Command;

const PASSWORD: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Runs the server binary with only `vars` set (plus PATH), from the repository root.
fn start(vars: &[(&str, &str)]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_workos-widgets-host"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .envs(vars.iter().copied())
        .output()
        .expect("the server binary runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned()
            + &String::from_utf8_lossy(&output.stdout),
    )
}

#[test]
fn workos_mode_refuses_to_start_without_each_required_setting() {
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&[("WORKOS_API_KEY", "sk_test_x")], "WORKOS_CLIENT_ID"),
        (
            &[
                ("WORKOS_API_KEY", "sk_test_x"),
                ("WORKOS_CLIENT_ID", "client_x"),
            ],
            "WORKOS_COOKIE_PASSWORD",
        ),
        (
            &[
                ("WORKOS_API_KEY", "sk_test_x"),
                ("WORKOS_CLIENT_ID", "client_x"),
                ("WORKOS_COOKIE_PASSWORD", "too-short"),
            ],
            "WORKOS_COOKIE_PASSWORD",
        ),
        (
            &[
                ("WORKOS_API_KEY", "sk_test_x"),
                ("WORKOS_CLIENT_ID", "client_x"),
                ("WORKOS_COOKIE_PASSWORD", PASSWORD),
                ("WORKOS_API_PORT", "http"),
            ],
            "WORKOS_API_PORT",
        ),
        (
            &[
                ("WORKOS_API_KEY", "sk_test_x"),
                ("WORKOS_CLIENT_ID", "client_x"),
                ("WORKOS_COOKIE_PASSWORD", PASSWORD),
                ("WORKOS_API_HOSTNAME", "https://api.workos.com"),
            ],
            "WORKOS_API_HOSTNAME",
        ),
        (
            &[
                ("WORKOS_API_KEY", "sk_test_x"),
                ("WORKOS_CLIENT_ID", "client_x"),
                ("WORKOS_COOKIE_PASSWORD", PASSWORD),
                ("WORKOS_API_HTTPS", "maybe"),
            ],
            "WORKOS_API_HTTPS",
        ),
    ];
    for (vars, variable) in cases {
        let (code, output) = start(vars);
        assert_eq!(
            code,
            Some(2),
            "exit status (2: usage error) for {vars:?}: {output}"
        );
        assert!(
            output.contains(&format!("configuration error: {variable}:")),
            "names {variable}: {output}"
        );
        assert!(
            !output.contains("listening"),
            "stopped before listening: {output}"
        );
        assert!(!output.contains("panicked"), "{output}");
    }
}
