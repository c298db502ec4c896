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
        let mut data = h.emulator.environment().store.write();
        data.users.get_mut(ALICE_ID).unwrap().first_name = Some("Changed".into());
    }
    let reset: serde_json::Value = h
        .http
        .post(h.url("/_emulator/reset"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reset["status"], "reset");
    assert_eq!(
        h.workos
            .user_management()
            .get_user(ALICE_ID)
            .await
            .unwrap()
            .first_name
            .as_deref(),
        Some("Alice")
    );
    let refused = h
        .workos
        .user_management()
        .authenticate_with_refresh_token(
            workos::user_management::AuthenticateWithRefreshTokenParams::new(
                auth.refresh_token.expose(),
            ),
        )
        .await;
    assert!(refused.is_err(), "sessions are gone after a reset");
}

#[tokio::test]
async fn faults_answer_429_with_retry_after_errors_and_delays_then_stop() {
    let h = Harness::start().await;
    let add =
        |fault: serde_json::Value| h.http.post(h.url("/_emulator/faults")).json(&fault).send();
    assert_eq!(add(json!({"path_prefix": "/organizations/", "count": 2, "kind": "rate_limit", "retry_after_secs": 7})).await.unwrap().status(), 201);
    for _ in 0..2 {
        let err = h
            .workos
            .organizations()
            .get_organization(ACME_ID)
            .await
            .unwrap_err();
        assert_eq!(status(&err), 429);
        assert_eq!(err.api().unwrap().retry_after, Some(Duration::from_secs(7)));
    }
    assert!(
        h.workos
            .organizations()
            .get_organization(ACME_ID)
            .await
            .is_ok(),
        "used up after 2 calls"
    );

    add(json!({"path_prefix": "/widgets/token", "method": "POST", "count": 1, "kind": "error", "status": 500})).await.unwrap();
    assert_eq!(
        status(
            &h.widget_token(ALICE_ID, Some(ACME_ID), vec![])
                .await
                .unwrap_err()
        ),
        500
    );
    assert!(
        h.widget_token(ALICE_ID, Some(ACME_ID), vec![])
            .await
            .is_ok()
    );

    add(json!({"path_prefix": "/user_management/users/", "count": 1, "kind": "delay", "delay_ms": 600})).await.unwrap();
    let started = Instant::now();
    assert!(h.workos.user_management().get_user(ALICE_ID).await.is_ok());
    assert!(started.elapsed() >= Duration::from_millis(600));

    add(json!({"path_prefix": "/organizations/", "count": 5, "kind": "error", "status": 503}))
        .await
        .unwrap();
    let listed: serde_json::Value = h
        .http
        .get(h.url("/_emulator/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    h.http
        .delete(h.url("/_emulator/faults"))
        .send()
        .await
        .unwrap();
    assert!(
        h.workos
            .organizations()
            .get_organization(ACME_ID)
            .await
            .is_ok(),
        "cleared"
    );
    let bad = h
        .http
        .post(h.url("/_emulator/faults"))
        .json(&json!({"path_prefix": "/x", "count": 1, "kind": "explode"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    for invalid in [
        json!({"path_prefix": "/x", "count": 0, "kind": "drop"}),
        json!({"path_prefix": "/x", "percent": 0, "kind": "drop"}),
        json!({"path_prefix": "/x", "percent": 101, "kind": "drop"}),
    ] {
        assert_eq!(add(invalid).await.unwrap().status(), 400);
    }
}

#[tokio::test]
async fn a_dropped_connection_is_a_network_error_and_the_emulator_keeps_serving() {
    let h = Harness::start().await;
    let add =
        |fault: serde_json::Value| h.http.post(h.url("/_emulator/faults")).json(&fault).send();
    assert_eq!(
        add(json!({"path_prefix": "/organizations/", "count": 2, "kind": "drop"}))
            .await
            .unwrap()
            .status(),
        201
    );
    for _ in 0..2 {
        let err = h
            .workos
            .organizations()
            .get_organization(ACME_ID)
            .await
            .unwrap_err();
        assert!(
            matches!(err, workos::Error::Network(_)),
            "a network error, not a status: {err}"
        );
    }
    assert!(
        h.workos
            .organizations()
            .get_organization(ACME_ID)
            .await
            .is_ok(),
        "used up after 2 calls"
    );
}

#[tokio::test]
async fn a_percent_fault_hits_about_that_share_of_calls_until_cleared() {
    let h = Harness::start().await;
    let fault =
        json!({"path_prefix": "/organizations/", "percent": 50, "kind": "error", "status": 503});
    assert_eq!(
        h.http
            .post(h.url("/_emulator/faults"))
            .json(&fault)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    let mut failed = 0;
    for _ in 0..200 {
        match h.workos.organizations().get_organization(ACME_ID).await {
            Ok(_) => {}
            Err(err) => {
                assert_eq!(status(&err), 503);
                failed += 1;
            }
        }
    }
    // Binomial(200, 0.5): mean 100, sd ~7; 60..=140 is over five standard deviations either side.
    assert!(
        (60..=140).contains(&failed),
        "{failed} of 200 calls faulted at 50 %"
    );
    let listed: serde_json::Value = h
        .http
        .get(h.url("/_emulator/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["data"][0]["count"],
        serde_json::Value::Null,
        "no count: the rule stays"
    );
    h.http
        .delete(h.url("/_emulator/faults"))
        .send()
        .await
        .unwrap();
    for _ in 0..20 {
        assert!(
            h.workos
                .organizations()
                .get_organization(ACME_ID)
                .await
                .is_ok()
        );
    }
}

#[tokio::test]
async fn settings_shorten_the_access_token_lifetime_until_a_reset() {
    let h = Harness::start().await;
    let patch = |body: serde_json::Value| {
        h.http
            .patch(h.url("/_emulator/settings"))
            .json(&body)
            .send()
    };
    let changed: serde_json::Value = patch(json!({"access_token_ttl_secs": 61}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(changed["access_token_ttl_secs"], 61);
    let shown = || async {
        let settings: serde_json::Value = h
            .http
            .get(h.url("/_emulator/settings"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        settings["access_token_ttl_secs"].clone()
    };
    assert_eq!(shown().await, 61);
    let claims = crate::support::payload(h.sign_in("alice@acme.test").await.access_token.expose());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        61
    );

    for bad in [
        json!({"access_token_ttl_secs": 0}),
        json!({"access_token_ttl_secs": 86_401}),
    ] {
        let response = patch(bad).await.unwrap();
        assert_eq!(response.status(), 400);
        assert_eq!(
            response.json::<serde_json::Value>().await.unwrap()["code"],
            "invalid_request"
        );
    }
    assert_eq!(
        patch(json!({"widget_ttl": 5})).await.unwrap().status(),
        422,
        "unknown fields are refused"
    );

    h.http.post(h.url("/_emulator/reset")).send().await.unwrap();
    assert_eq!(
        shown().await,
        300,
        "a reset restores the configured lifetime"
    );
    let claims = crate::support::payload(h.sign_in("alice@acme.test").await.access_token.expose());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        300
    );
}

#[tokio::test]
async fn a_seed_file_replaces_the_demo_data_with_pinned_ids() {
    let dir = std::env::temp_dir().join(format!("workos-emulator-seed-{}", ulid::Ulid::new()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("seed.json");
    std::fs::write(
        &file,
        serde_json::to_vec(&json!({
            "organizations": [{"id": "org_PINNED", "name": "Initech", "domains": ["initech.test"]}],
            "roles": [
                {"slug": "admin", "name": "Admin", "description": null, "permissions": ["widgets:users-table:manage"], "default": false},
                {"slug": "member", "name": "Member", "description": null, "permissions": [], "default": true}
            ],
            "users": [{"id": "user_PINNED", "email": "peter@initech.test", "first_name": "Peter", "last_name": "Gibbons",
                       "password": "tps-report-123", "memberships": [{"organization_id": "org_PINNED", "role": "admin"}]}]
        }))
        .unwrap(),
    )
    .unwrap();
    let h = Harness::with_config(workos_emulator::EmulatorConfig {
        seed_path: Some(file.clone()),
        ..Default::default()
    })
    .await;
    assert_eq!(
        h.workos
            .organizations()
            .get_organization("org_PINNED")
            .await
            .unwrap()
            .name,
        "Initech"
    );
    assert_eq!(
        status(
            &h.workos
                .user_management()
                .get_user(ALICE_ID)
                .await
                .unwrap_err()
        ),
        404,
        "no demo data"
    );
    assert!(
        h.sign_in_code("peter@initech.test", "tps-report-123")
            .await
            .is_ok()
    );
    let page = h
        .http
        .get(h.url(
            "/user_management/authorize?client_id=client_emulator&redirect_uri=http://x.test/cb",
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("Demo accounts"),
        "no one-click accounts for a custom seed"
    );

    // A broken seed stops start-up with the reason.
    std::fs::write(
        &file,
        br#"{"organizations": [], "roles": [], "users": [], "extra": 1}"#,
    )
    .unwrap();
    let err = workos_emulator::Emulator::start(
        workos_emulator::EmulatorConfig {
            seed_path: Some(file),
            ..Default::default()
        },
        "127.0.0.1:0",
    )
    .await
    .err()
    .expect("refused");
    assert!(err.to_string().contains("extra"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
