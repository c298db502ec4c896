//! WorkOS "Session resilience" (workos.com/docs/authkit/session-resilience) from the app's side: a
//! refresh that fails transiently (a reply lost after the exchange, a timeout, 429 with
//! `Retry-After`, 5xx) is retried with the same refresh token and the user stays signed in; only a
//! terminal answer signs them out. Each test runs its own app and emulator, whose access tokens
//! live 30 s, so every request refreshes (the app refreshes within 60 s of expiry).

use std::time::{Duration, Instant};

use workos_widgets_host::auth::refresh::{REFRESH_ATTEMPT_TIMEOUT, REFRESH_BUDGET};

use serde_json::json;
use workos_emulator::EmulatorConfig;

use crate::support::{Harness, runtime};

fn refreshing_every_request() -> EmulatorConfig {
    EmulatorConfig {
        access_token_ttl_secs: 30,
        ..Default::default()
    }
}

impl Harness {
    /// Faults the next `count` calls of `POST /user_management/authenticate` with `fault`.
    async fn fault_refreshes(&self, count: u32, fault: serde_json::Value) {
        let mut rule = json!({"path_prefix": "/user_management/authenticate", "count": count});
        rule.as_object_mut()
            .unwrap()
            .extend(fault.as_object().unwrap().clone());
        let response = self
            .http
            .post(format!("{}/_emulator/faults", self.emulator.base_url()))
            .json(&rule)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }

    /// `POST /user_management/authenticate` calls, faulted or not (only refreshes while no one
    /// signs in).
    fn refresh_grants(&self) -> u64 {
        let calls = self.emulator.environment().calls.snapshot();
        calls
            .calls
            .get("POST /user_management/authenticate")
            .copied()
            .unwrap_or(0)
    }

    fn replays(&self) -> u64 {
        self.emulator
            .environment()
            .calls
            .snapshot()
            .refresh_token_replays
    }
}

/// A request with `cookie` that refreshes answers Alice, with a new session cookie (not cleared);
/// the new cookie.
async fn refreshed(h: &Harness, cookie: &str) -> String {
    let (status, email, set) = h.viewer(cookie).await;
    assert_eq!(
        (status, email.as_deref()),
        (200, Some("alice@acme.test")),
        "signed in"
    );
    let new = set.expect("the refreshed session is set");
    assert!(!new.is_empty(), "the cookie is not cleared");
    new
}

/// The next requests with the refreshed cookie answer Alice, and her page shows.
async fn next_pages_show(h: &Harness, cookie: &str) {
    let (status, email, set) = h.viewer(cookie).await;
    assert_eq!((status, email.as_deref()), (200, Some("alice@acme.test")));
    let newer = set.expect("refreshed again");
    assert_eq!(h.profile_page(&newer).await.0, 200, "the next page shows");
}

#[test]
fn a_reply_lost_after_the_exchange_is_retried_and_the_user_stays_signed_in() {
    runtime().block_on(async {
        let h = Harness::start_with(refreshing_every_request()).await;
        let before = (h.refresh_grants(), h.replays());
        h.fault_refreshes(1, json!({"kind": "lose_reply"})).await;
        let cookie = refreshed(&h, &h.alice).await;
        // The lost exchange and its retry, a replay inside the grace period.
        assert_eq!(h.refresh_grants() - before.0, 2);
        assert_eq!(h.replays() - before.1, 1);
        next_pages_show(&h, &cookie).await;

        // A reply that never comes (longer than one attempt's time): a timeout, then the replay.
        let cookie = h.sign_in("alice@acme.test").await;
        let started = Instant::now();
        h.fault_refreshes(1, json!({"kind": "lose_reply", "delay_ms": 6000}))
            .await;
        let cookie = refreshed(&h, &cookie).await;
        let took = started.elapsed();
        assert!(
            took >= REFRESH_ATTEMPT_TIMEOUT && took < REFRESH_BUDGET,
            "{took:?}"
        );
        next_pages_show(&h, &cookie).await;
        assert_eq!(h.replays() - before.1, 2);

        // Strict WorkOS (no grace period): the same lost reply signs the user out. This is what
        // the grace period and the retry prevent, and shows this test can fail.
        h.http
            .patch(format!("{}/_emulator/settings", h.emulator.base_url()))
            .json(&json!({"refresh_token_grace_secs": 0}))
            .send()
            .await
            .unwrap();
        let cookie = h.sign_in("alice@acme.test").await;
        h.fault_refreshes(1, json!({"kind": "lose_reply"})).await;
        let (status, email, set) = h.viewer(&cookie).await;
        assert_eq!(status, 200);
        assert_eq!(email, None, "signed out");
        assert_eq!(set.as_deref(), Some(""), "the cookie is cleared");
    });
}

#[test]
fn a_429_with_retry_after_and_a_500_on_the_refresh_are_retried() {
    runtime().block_on(async {
        let h = Harness::start_with(refreshing_every_request()).await;
        let started = Instant::now();
        let before = h.refresh_grants();
        h.fault_refreshes(1, json!({"kind": "rate_limit", "retry_after_secs": 1}))
            .await;
        let cookie = refreshed(&h, &h.alice).await;
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "Retry-After is respected"
        );
        assert_eq!(h.refresh_grants() - before, 2, "the 429 and its retry");
        next_pages_show(&h, &cookie).await;

        let cookie = h.sign_in("alice@acme.test").await;
        let before = h.refresh_grants();
        h.fault_refreshes(1, json!({"kind": "error", "status": 500}))
            .await;
        let cookie = refreshed(&h, &cookie).await;
        assert_eq!(h.refresh_grants() - before, 2, "the 500 and its retry");
        next_pages_show(&h, &cookie).await;
    });
}

#[test]
fn a_refresh_failing_past_the_retries_keeps_the_session_and_a_terminal_answer_ends_it() {
    runtime().block_on(async {
        let h = Harness::start_with(refreshing_every_request()).await;
        let before = h.refresh_grants();
        h.fault_refreshes(10, json!({"kind": "error", "status": 503}))
            .await;
        // Bounded: three attempts, then the request is served with the still-valid access token
        // and the cookie is kept (not cleared, not replaced).
        let (status, email, set) = h.viewer(&h.alice).await;
        assert_eq!((status, email.as_deref()), (200, Some("alice@acme.test")));
        assert_eq!(set, None, "the cookie is kept");
        assert_eq!(h.refresh_grants() - before, 3);
        h.http
            .delete(format!("{}/_emulator/faults", h.emulator.base_url()))
            .send()
            .await
            .unwrap();
        let cookie = refreshed(&h, &h.alice).await;
        next_pages_show(&h, &cookie).await;

        // Terminal: the session is revoked, its refresh token refused (`invalid_grant`), once.
        let cookie = h.sign_in("alice@acme.test").await;
        let sid = h
            .emulator
            .environment()
            .store
            .read()
            .sessions
            .values()
            .filter(|s| s.ended_at.is_none() && s.user_id.ends_with("A1CE"))
            .max_by_key(|s| s.created_at)
            .map(|s| s.id.clone())
            .unwrap();
        let revoked = h
            .http
            .post(format!(
                "{}/user_management/sessions/revoke",
                h.emulator.base_url()
            ))
            .bearer_auth(workos_emulator::config::DEFAULT_API_KEY)
            .json(&json!({"session_id": sid}))
            .send()
            .await
            .unwrap();
        assert_eq!(revoked.status(), 200);
        let before = h.refresh_grants();
        let (status, email, set) = h.viewer(&cookie).await;
        assert_eq!((status, email), (200, None));
        assert_eq!(
            set.as_deref(),
            Some(""),
            "signed out: the cookie is cleared"
        );
        assert_eq!(
            h.refresh_grants() - before,
            1,
            "a terminal answer is not retried"
        );
    });
}
