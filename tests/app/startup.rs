//! Start-up in WorkOS mode: a missing or malformed setting stops the server before it listens,
//! with a message naming the variable. (The working mode itself, against the standalone emulator
//! binary, is driven in a browser by `end2end/tests/workos-mode.spec.ts`.)
use std::process::Command;

const PASSWORD: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Runs the server binary with only `vars` set (plus PATH), from the repository root.
fn start(vars: &[(&str, &str)]) -> (Option<i32>, String) {
    start_in(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), vars)
}

/// Runs the server binary with only `vars` set (plus PATH), from `dir`.
fn start_in(dir: &std::path::Path, vars: &[(&str, &str)]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_workos-widgets-host"))
        .current_dir(dir)
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

#[test]
fn settings_come_from_dot_env_files_with_env_local_over_env_and_the_environment_over_both() {
    let dir = std::env::temp_dir().join(format!("wwh-dotenv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/Leptos.toml"),
        dir.join("Leptos.toml"),
    )
    .unwrap();
    // WorkOS mode from `.env` alone (no variable in the environment), stopped at the port: the
    // message shows which file's value won.
    std::fs::write(
        dir.join(".env"),
        format!(
            "# the integration guide's two, and the rest\nWORKOS_API_KEY=sk_test_x\nWORKOS_CLIENT_ID=client_x\nWORKOS_COOKIE_PASSWORD={PASSWORD}\nWORKOS_API_PORT=from-dot-env\n"
        ),
    )
    .unwrap();
    let port_error = |value: &str| {
        format!("configuration error: WORKOS_API_PORT: '{value}' is not a port number")
    };
    let (code, output) = start_in(&dir, &[]);
    assert_eq!(code, Some(2), "{output}");
    assert!(output.contains(&port_error("from-dot-env")), "{output}");

    std::fs::write(
        dir.join(".env.local"),
        "WORKOS_API_PORT=\"from-dot-env-local\"\n",
    )
    .unwrap();
    let (code, output) = start_in(&dir, &[]);
    assert_eq!(code, Some(2), "{output}");
    assert!(
        output.contains(&port_error("from-dot-env-local")),
        "{output}"
    );

    let (code, output) = start_in(&dir, &[("WORKOS_API_PORT", "from-environment")]);
    assert_eq!(code, Some(2), "{output}");
    assert!(output.contains(&port_error("from-environment")), "{output}");

    // Without the files: emulator mode would start; a malformed file stops start-up, naming it.
    std::fs::write(dir.join(".env.local"), "WORKOS_API_PORT='unterminated\n").unwrap();
    let (code, output) = start_in(&dir, &[]);
    assert_eq!(code, Some(2), "{output}");
    assert!(
        output.contains("configuration error:") && output.contains(".env.local"),
        "{output}"
    );
    assert!(!output.contains("listening"), "{output}");
    std::fs::remove_dir_all(&dir).unwrap();
}
