//! No secret reaches a log line: after a sign-in, token mints, refreshes (short-lived access
//! tokens), an organization switch and a sign-out, the debug-level log of the app and the emulator
//! contains none of the session cookies, access or refresh tokens, widget tokens, authorization
//! code or cookie password that went by.

use workos::helpers::session::unseal_session;

use crate::support::{PASSWORD, harness, logs, runtime, set_cookie};

const GLOBEX: &str = "org_01JDEM00000000000000GL0BEX";

#[test]
fn no_token_or_cookie_reaches_a_log_line() {
    let h = harness();
    let mut secrets: Vec<(String, String)> = vec![("cookie password".into(), PASSWORD.into())];
    runtime().block_on(async {
        let emulator = h.emulator.base_url();
        // Access tokens close enough to expiry that every request refreshes.
        let before: serde_json::Value = h
            .http
            .get(format!("{emulator}/_emulator/settings"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let settings = h
            .http
            .patch(format!("{emulator}/_emulator/settings"))
            .json(&serde_json::json!({"access_token_ttl_secs": 30}))
            .send()
            .await
            .unwrap();
        assert!(settings.status().is_success());
        let mut cookie = h.sign_in("carol@globex.test").await;
        for round in 0..3 {
            let data = unseal_session(&cookie, PASSWORD).unwrap();
            secrets.push((format!("sealed session {round}"), cookie.clone()));
            secrets.push((
                format!("access token {round}"),
                data.access_token.expose().to_string(),
            ));
            secrets.push((
                format!("refresh token {round}"),
                data.refresh_token.expose().to_string(),
            ));
            let minted = h
                .http
                .post(format!("{}/api/widget_token", h.base))
                .header("cookie", format!("wos-session={cookie}"))
                .form(&[("kind", "user-profile")])
                .send()
                .await
                .unwrap();
            let refreshed = set_cookie(&minted, "wos-session");
            assert_eq!(minted.status(), 200);
            let grant: serde_json::Value = minted.json().await.unwrap();
            secrets.push((
                format!("widget token {round}"),
                grant["token"].as_str().unwrap().to_string(),
            ));
            cookie = refreshed
                .filter(|c| !c.is_empty())
                .expect("a refresh rotated the session");
        }
        let switched = h
            .http
            .post(format!("{}/api/switch_organization", h.base))
            .header("cookie", format!("wos-session={cookie}"))
            .form(&[("organization_id", GLOBEX)])
            .send()
            .await
            .unwrap();
        assert!(switched.status().as_u16() < 500);
        let out = h
            .http
            .post(format!("{}/sign-out", h.base))
            .header("cookie", format!("wos-session={cookie}"))
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), 303);
        h.http
            .patch(format!("{emulator}/_emulator/settings"))
            .json(&before)
            .send()
            .await
            .unwrap();
    });

    let log = logs();
    assert!(
        log.contains("access token refreshed") && log.contains("signed out"),
        "the log captured the flow:\n{log}"
    );
    for (what, secret) in &secrets {
        // JWTs: any of their three segments; other values: whole, or a 32-character slice.
        let pieces: Vec<&str> = if secret.matches('.').count() == 2 {
            secret.split('.').filter(|p| p.len() >= 16).collect()
        } else {
            vec![&secret[..secret.len().min(32)]]
        };
        for piece in pieces {
            assert!(
                !log.contains(piece),
                "the log contains the {what} ({piece})"
            );
        }
    }
    println!(
        "{} secrets checked against {} log lines",
        secrets.len(),
        log.lines().count()
    );
}
