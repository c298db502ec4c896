//! `/metrics` (Prometheus text format) on a listener of its own, only with `METRICS_ADDR`: the
//! binary in emulator mode, scraped after a sign-in, refreshes (one retried after a lost reply), a
//! widget-token mint and a sign-out.

use std::process::Command;

use serde_json::json;

use crate::support::{Process, client, free_port, runtime, sign_in};

/// The value of the sample `name{labels…}` in a Prometheus text exposition.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.rsplit_once(' '))
        .find(|(series, _)| {
            series.strip_prefix(name).is_some_and(|rest| {
                rest.starts_with('{')
                    && labels
                        .iter()
                        .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")))
            })
        })
        .and_then(|(_, value)| value.parse().ok())
}

#[test]
fn metrics_are_served_on_their_own_listener_and_count_refreshes_mints_latency_and_sign_outs() {
    let metrics_port = free_port();
    let process = Process::spawn(
        "metrics",
        &[("METRICS_ADDR", format!("127.0.0.1:{metrics_port}"))],
    );
    let (base, emulator) = (process.base.clone(), process.emulator.clone());
    let metrics_url = format!("http://127.0.0.1:{metrics_port}/metrics");

    let outcome = runtime().block_on(async {
        let http = client();
        process.wait_until_up(&http).await;
        // Access tokens of 30 s: every request refreshes (the app refreshes within 60 s of expiry).
        let settings = http
            .patch(format!("{emulator}/_emulator/settings"))
            .json(&json!({"access_token_ttl_secs": 30}))
            .send()
            .await
            .unwrap();
        assert!(settings.status().is_success());
        let mut cookie = sign_in(&http, &base, &emulator, "alice@acme.test").await;
        let mut request = async |path: &str, form: Option<&[(&str, &str)]>| {
            let builder = match form {
                Some(form) => http.post(format!("{base}{path}")).form(form),
                None => http.get(format!("{base}{path}")),
            };
            let response = builder
                .header("cookie", format!("wos-session={cookie}"))
                .send()
                .await
                .unwrap();
            if let Some(set) = crate::support::set_cookie(&response, "wos-session") {
                cookie = set;
            }
            response.status().as_u16()
        };
        assert_eq!(request("/account/profile", None).await, 200);
        assert_eq!(
            request("/api/widget_token", Some(&[("kind", "user-profile")])).await,
            200
        );
        let lose = json!({"path_prefix": "/user_management/authenticate", "count": 1, "kind": "lose_reply"});
        let added = http
            .post(format!("{emulator}/_emulator/faults"))
            .json(&lose)
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), 201);
        assert_eq!(request("/account/profile", None).await, 200);
        assert_eq!(request("/sign-out", Some(&[])).await, 303);

        let scraped = http.get(&metrics_url).send().await.unwrap();
        let content_type = scraped.headers()["content-type"].to_str().unwrap().to_string();
        let text = scraped.text().await.unwrap();
        // The app's own port does not serve them.
        let public = http.get(format!("{base}/metrics")).send().await.unwrap();
        let public = (public.status().as_u16(), public.text().await.unwrap());
        (content_type, text, public)
    });
    drop(process);

    let (content_type, text, (public_status, public_body)) = outcome;
    assert_eq!(content_type, "text/plain; version=0.0.4");
    let refreshes = "workos_widgets_session_refreshes_total";
    assert!(
        sample(&text, refreshes, &[("outcome", "ok")]).unwrap_or(0.0) >= 2.0,
        "{text}"
    );
    assert_eq!(
        sample(&text, refreshes, &[("outcome", "retried")]),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, refreshes, &[("outcome", "terminal")]),
        None,
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "workos_widgets_token_mints_total",
            &[("widget", "user-profile"), ("outcome", "ok")]
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "workos_widgets_workos_call_seconds_count",
            &[("operation", "mint"), ("outcome", "ok")]
        ),
        Some(1.0),
        "{text}"
    );
    // The lost reply is one failed attempt; the retry and the other refreshes succeeded.
    assert_eq!(
        sample(
            &text,
            "workos_widgets_workos_call_seconds_count",
            &[("operation", "refresh"), ("outcome", "error")]
        ),
        Some(1.0),
        "{text}"
    );
    assert!(text.contains("workos_widgets_workos_call_seconds_bucket{operation=\"refresh\",outcome=\"ok\",le=\"0.005\"}"), "{text}");
    assert_eq!(
        sample(
            &text,
            "workos_widgets_signed_out_total",
            &[("cause", "sign_out")]
        ),
        Some(1.0),
        "{text}"
    );
    assert!(
        !public_body.contains("workos_widgets_"),
        "the public port serves no metrics ({public_status})"
    );
}

#[test]
fn a_malformed_metrics_address_stops_start_up_naming_it() {
    let output = Command::new(env!("CARGO_BIN_EXE_workos-widgets-host"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("METRICS_ADDR", "everywhere")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("configuration error: METRICS_ADDR: 'everywhere'"),
        "{text}"
    );
}
