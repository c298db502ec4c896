//! WorkOS "Session resilience" (workos.com/docs/authkit/session-resilience): the refresh-token
//! replay grace period (30 s by default, settable, 0 = strict) and a reply lost after the exchange.

use std::time::Duration;

use serde_json::json;
use workos::AuthenticateResponse;
use workos::user_management::AuthenticateWithRefreshTokenParams;
use workos_emulator::EmulatorConfig;
use workos_emulator::seed::GLOBEX_ID;

use crate::support::{Harness, payload, status};

impl Harness {
    async fn exchange(
        &self,
        refresh_token: &str,
        organization_id: Option<&str>,
    ) -> Result<AuthenticateResponse, workos::Error> {
        let mut params = AuthenticateWithRefreshTokenParams::new(refresh_token);
        params.organization_id = organization_id.map(Into::into);
        self.workos
            .user_management()
            .authenticate_with_refresh_token(params)
            .await
    }

    async fn settings(&self, patch: serde_json::Value) -> (u16, serde_json::Value) {
        self.call(
            self.http
                .patch(self.url("/_emulator/settings"))
                .json(&patch),
        )
        .await
    }

    async fn replays(&self) -> u64 {
        let (_, calls) = self.call(self.http.get(self.url("/_emulator/calls"))).await;
        calls["refresh_token_replays"].as_u64().unwrap()
    }
}

fn invalid_grant(result: Result<AuthenticateResponse, workos::Error>) {
    let err = result.expect_err("refused");
    assert_eq!(status(&err), 400);
    assert_eq!(err.api().unwrap().code.as_deref(), Some("invalid_grant"));
}

#[tokio::test]
async fn a_second_exchange_inside_the_grace_period_returns_the_same_pair() {
    let h = Harness::start().await;
    let (_, settings) = h.call(h.http.get(h.url("/_emulator/settings"))).await;
    assert_eq!(
        settings["refresh_token_grace_secs"], 30,
        "WorkOS documents 30 s"
    );
    let auth = h.sign_in("alice@acme.test").await;
    let r1 = auth.refresh_token.expose();

    let first = h.exchange(r1, None).await.unwrap();
    assert_ne!(first.refresh_token.expose(), r1, "the token rotates");
    let again = h.exchange(r1, None).await.unwrap();
    assert_eq!(again.access_token.expose(), first.access_token.expose());
    assert_eq!(again.refresh_token.expose(), first.refresh_token.expose());
    assert_eq!(again.user.id, auth.user.id);
    assert_eq!(again.organization_id, first.organization_id);
    assert_eq!(h.replays().await, 1);

    // The pair is live: its refresh token rotates on.
    let second = h
        .exchange(first.refresh_token.expose(), None)
        .await
        .unwrap();
    assert_eq!(
        payload(second.access_token.expose())["sid"],
        payload(first.access_token.expose())["sid"]
    );
    // A token two rotations old is refused, even inside the window, and so is a token that was
    // never valid.
    invalid_grant(h.exchange(r1, None).await);
    invalid_grant(h.exchange("never-issued", None).await);
    assert_eq!(h.replays().await, 1);
}

#[tokio::test]
async fn the_grace_period_ends_and_zero_makes_refresh_tokens_strictly_single_use() {
    let h = Harness::start().await;
    let (code, settings) = h.settings(json!({"refresh_token_grace_secs": 1})).await;
    assert_eq!(
        (code, settings["refresh_token_grace_secs"].clone()),
        (200, json!(1))
    );
    let auth = h.sign_in("alice@acme.test").await;
    h.exchange(auth.refresh_token.expose(), None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    invalid_grant(h.exchange(auth.refresh_token.expose(), None).await);

    assert_eq!(
        h.settings(json!({"refresh_token_grace_secs": 0})).await.0,
        200
    );
    let auth = h.sign_in("alice@acme.test").await;
    h.exchange(auth.refresh_token.expose(), None).await.unwrap();
    invalid_grant(h.exchange(auth.refresh_token.expose(), None).await);

    // Out of range, and back to the configured value on reset.
    let (code, body) = h.settings(json!({"refresh_token_grace_secs": 3601})).await;
    assert_eq!(
        (code, body["code"].clone()),
        (400, json!("invalid_request"))
    );
    assert_eq!(
        h.settings(json!({"refresh_token_grace_secs": -1})).await.0,
        422
    );
    h.http.post(h.url("/_emulator/reset")).send().await.unwrap();
    let (_, settings) = h.call(h.http.get(h.url("/_emulator/settings"))).await;
    assert_eq!(settings["refresh_token_grace_secs"], 30);

    // The configuration (the binary's --refresh-token-grace-secs) sets the start value.
    let strict = Harness::with_config(EmulatorConfig {
        refresh_token_grace_secs: 0,
        ..EmulatorConfig::default()
    })
    .await;
    let auth = strict.sign_in("alice@acme.test").await;
    strict
        .exchange(auth.refresh_token.expose(), None)
        .await
        .unwrap();
    invalid_grant(strict.exchange(auth.refresh_token.expose(), None).await);
}

#[tokio::test]
async fn a_replay_asking_for_another_organization_or_after_revocation_is_refused() {
    let h = Harness::start().await;
    let auth = h.sign_in("alice@acme.test").await;
    let r1 = auth.refresh_token.expose();
    let globex = h.exchange(r1, Some(GLOBEX_ID)).await.unwrap();
    invalid_grant(h.exchange(r1, None).await);
    let again = h.exchange(r1, Some(GLOBEX_ID)).await.unwrap();
    assert_eq!(again.refresh_token.expose(), globex.refresh_token.expose());
    assert_eq!(payload(again.access_token.expose())["org_id"], GLOBEX_ID);

    // Revoked: the retired token is refused inside the window too.
    let sid = payload(globex.access_token.expose())["sid"]
        .as_str()
        .unwrap()
        .to_string();
    h.workos
        .user_management()
        .revoke_session(workos::user_management::RevokeSessionParams::new(
            workos::RevokeSession { session_id: sid },
        ))
        .await
        .unwrap();
    invalid_grant(h.exchange(r1, Some(GLOBEX_ID)).await);
    invalid_grant(h.exchange(globex.refresh_token.expose(), None).await);
}

#[tokio::test]
async fn a_reply_lost_after_the_exchange_is_recovered_by_retrying_inside_the_grace_period() {
    let h = Harness::start().await;
    let lose = |count: u32, delay_ms: u64| {
        h.http
            .post(h.url("/_emulator/faults"))
            .json(
                &json!({"path_prefix": "/user_management/authenticate", "count": count,
                          "kind": "lose_reply", "delay_ms": delay_ms}),
            )
            .send()
    };
    let auth = h.sign_in("alice@acme.test").await;
    let r1 = auth.refresh_token.expose();
    assert_eq!(lose(1, 0).await.unwrap().status(), 201);
    let lost = h.exchange(r1, None).await.unwrap_err();
    assert!(matches!(lost, workos::Error::Network(_)), "{lost:?}");
    // The exchange was done: the retry is a replay, and its pair is the session's current one.
    let retried = h.exchange(r1, None).await.unwrap();
    assert_eq!(h.replays().await, 1);
    h.exchange(retried.refresh_token.expose(), None)
        .await
        .unwrap();

    // With a delay, a client with a shorter timeout sees a timeout.
    let auth = h.sign_in("alice@acme.test").await;
    assert_eq!(lose(1, 500).await.unwrap().status(), 201);
    let timed_out = h
        .http
        .post(h.url("/user_management/authenticate"))
        .timeout(Duration::from_millis(200))
        .json(
            &json!({"grant_type": "refresh_token", "client_id": "client_emulator",
                      "client_secret": "sk_test_emulator",
                      "refresh_token": auth.refresh_token.expose()}),
        )
        .send()
        .await
        .unwrap_err();
    assert!(timed_out.is_timeout(), "{timed_out:?}");
    h.exchange(auth.refresh_token.expose(), None).await.unwrap();

    // Strict mode: the same lost reply signs the user out (what the grace period prevents).
    h.settings(json!({"refresh_token_grace_secs": 0})).await;
    let auth = h.sign_in("alice@acme.test").await;
    lose(1, 0).await.unwrap();
    h.exchange(auth.refresh_token.expose(), None)
        .await
        .unwrap_err();
    invalid_grant(h.exchange(auth.refresh_token.expose(), None).await);
}
