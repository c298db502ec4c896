//! The emulator's own operations: reset to the seed and fault injection.

use std::time::{Duration, Instant};

use serde_json::json;
use workos_emulator::seed::{ACME_ID, ALICE_ID};

use crate::support::{Harness, status};

#[tokio::test]
async fn reset_restores_the_seed_and_ends_sessions() {
    let h = Harness::start().await;
    let auth = h.sign_in("alice@acme.test").await;
    {
        let mut state = h.emulator.environment().store.write();
        state.users.get_mut(ALICE_ID).unwrap().first_name = Some("Changed".into());
    }
    let reset: serde_json::Value = h.http.post(h.url("/_emulator/reset")).send().await.unwrap().json().await.unwrap();
    assert_eq!(reset["status"], "reset");
    assert_eq!(h.workos.user_management().get_user(ALICE_ID).await.unwrap().first_name.as_deref(), Some("Alice"));
    let refused = h.workos.user_management().authenticate_with_refresh_token(workos::user_management::AuthenticateWithRefreshTokenParams::new(auth.refresh_token.expose())).await;
    assert!(refused.is_err(), "sessions are gone after a reset");
}

#[tokio::test]
async fn faults_answer_429_with_retry_after_errors_and_delays_then_stop() {
    let h = Harness::start().await;
    let add = |fault: serde_json::Value| h.http.post(h.url("/_emulator/faults")).json(&fault).send();
    assert_eq!(add(json!({"path_prefix": "/organizations/", "count": 2, "kind": "rate_limit", "retry_after_secs": 7})).await.unwrap().status(), 201);
    for _ in 0..2 {
        let err = h.workos.organizations().get_organization(ACME_ID).await.unwrap_err();
        assert_eq!(status(&err), 429);
        assert_eq!(err.api().unwrap().retry_after, Some(Duration::from_secs(7)));
    }
    assert!(h.workos.organizations().get_organization(ACME_ID).await.is_ok(), "used up after 2 calls");

    add(json!({"path_prefix": "/widgets/token", "method": "POST", "count": 1, "kind": "error", "status": 500})).await.unwrap();
    assert_eq!(status(&h.widget_token(ALICE_ID, Some(ACME_ID), vec![]).await.unwrap_err()), 500);
    assert!(h.widget_token(ALICE_ID, Some(ACME_ID), vec![]).await.is_ok());

    add(json!({"path_prefix": "/user_management/users/", "count": 1, "kind": "delay", "delay_ms": 600})).await.unwrap();
    let started = Instant::now();
    assert!(h.workos.user_management().get_user(ALICE_ID).await.is_ok());
    assert!(started.elapsed() >= Duration::from_millis(600));

    add(json!({"path_prefix": "/organizations/", "count": 5, "kind": "error", "status": 503})).await.unwrap();
    let listed: serde_json::Value = h.http.get(h.url("/_emulator/faults")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    h.http.delete(h.url("/_emulator/faults")).send().await.unwrap();
    assert!(h.workos.organizations().get_organization(ACME_ID).await.is_ok(), "cleared");
    let bad = h.http.post(h.url("/_emulator/faults")).json(&json!({"path_prefix": "/x", "count": 1, "kind": "explode"})).send().await.unwrap();
    assert_eq!(bad.status(), 422);
}
