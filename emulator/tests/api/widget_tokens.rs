//! `POST /widgets/token`: who may mint what, and what the token holds.

use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use workos::WidgetSessionTokenScopes::WidgetsUsersTableManage;
use workos_emulator::seed::{ACME_ID, ALICE_ID, BOB_ID, CAROL_ID, GLOBEX_ID};

use crate::support::{Harness, payload, status};

#[tokio::test]
async fn an_admin_gets_the_users_table_scope_in_a_token_that_verifies_against_the_jwks() {
    let h = Harness::start().await;
    let auth = h.sign_in("alice@acme.test").await;
    let token = h
        .widget_token(ALICE_ID, Some(ACME_ID), vec![WidgetsUsersTableManage])
        .await
        .unwrap();

    // Verify the signature with the published JWKS, independently of the emulator.
    let jwks: JwkSet = h
        .http
        .get(h.url("/sso/jwks/client_emulator"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    let jwk = jwks
        .find(header.kid.as_deref().expect("kid"))
        .expect("kid is published");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_aud = false;
    let verified = jsonwebtoken::decode::<serde_json::Value>(
        &token,
        &DecodingKey::from_jwk(jwk).unwrap(),
        &validation,
    )
    .expect("signature verifies");

    let claims = payload(&token);
    assert_eq!(verified.claims, claims);
    assert_eq!(claims["sub"], ALICE_ID);
    assert_eq!(claims["org_id"], ACME_ID);
    assert_eq!(claims["role"], "admin");
    assert_eq!(
        claims["permissions"],
        serde_json::json!(["widgets:users-table:manage"])
    );
    assert_eq!(
        claims["sid"],
        payload(auth.access_token.expose())["sid"],
        "sid is the user's current session"
    );
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 3600, "widget tokens live one hour");
}

#[tokio::test]
async fn mint_rules_refuse_members_scopes_outsiders_and_unknowns() {
    let h = Harness::start().await;
    // A member's role does not grant the users-table scope.
    let err = h
        .widget_token(BOB_ID, Some(ACME_ID), vec![WidgetsUsersTableManage])
        .await
        .unwrap_err();
    assert_eq!(status(&err), 403);
    assert!(
        err.to_string().contains("widgets:users-table:manage"),
        "{err}"
    );
    // ... but a user-level token is fine.
    let token = h.widget_token(BOB_ID, Some(ACME_ID), vec![]).await.unwrap();
    assert_eq!(payload(&token)["permissions"], serde_json::json!([]));
    // Not a member of Globex.
    assert_eq!(
        status(
            &h.widget_token(BOB_ID, Some(GLOBEX_ID), vec![])
                .await
                .unwrap_err()
        ),
        403
    );
    // Alice is a Globex member, not admin.
    assert_eq!(
        status(
            &h.widget_token(ALICE_ID, Some(GLOBEX_ID), vec![WidgetsUsersTableManage])
                .await
                .unwrap_err()
        ),
        403
    );
    assert!(
        h.widget_token(CAROL_ID, Some(GLOBEX_ID), vec![WidgetsUsersTableManage])
            .await
            .is_ok()
    );
    // Unknown user or organization.
    assert_eq!(
        status(
            &h.widget_token("user_nobody", Some(ACME_ID), vec![])
                .await
                .unwrap_err()
        ),
        404
    );
    assert_eq!(
        status(
            &h.widget_token(ALICE_ID, Some("org_nowhere"), vec![])
                .await
                .unwrap_err()
        ),
        404
    );
    // Wrong API key.
    let other = workos::Client::builder()
        .api_key("sk_test_wrong")
        .base_url(h.emulator.base_url())
        .max_retries(0)
        .build();
    let body = workos::WidgetSessionToken {
        organization_id: Some(ACME_ID.into()),
        user_id: Some(ALICE_ID.into()),
        scopes: None,
    };
    let err = other
        .widgets()
        .create_token(workos::widgets::CreateTokenParams::new(body))
        .await
        .unwrap_err();
    assert_eq!(status(&err), 401);
}

#[tokio::test]
async fn payload_stays_atob_safe_whatever_the_user_data() {
    let h = Harness::start().await;
    // Characters whose base64url would contain '-' or '_' in the raw JSON.
    {
        let mut data = h.emulator.environment().store.write();
        let alice = data.users.get_mut(ALICE_ID).unwrap();
        alice.email = "a~l?i>ce@acme.test".into();
    }
    for _ in 0..20 {
        let token = h
            .widget_token(ALICE_ID, Some(ACME_ID), vec![WidgetsUsersTableManage])
            .await
            .unwrap();
        payload(&token); // asserts no '-' or '_'
    }
}

/// Mints Alice's user-level token `n` times; the statuses.
async fn mint_statuses(h: &Harness, n: usize) -> Vec<u16> {
    let mut statuses = Vec::new();
    for _ in 0..n {
        statuses.push(
            match h.widget_token(ALICE_ID, Some(ACME_ID), vec![]).await {
                Ok(_) => 201,
                Err(e) => status(&e),
            },
        );
    }
    statuses
}

#[tokio::test]
async fn the_api_key_mints_its_limit_a_minute_then_gets_429_with_retry_after_until_the_limit_changes()
 {
    let h = Harness::with_config(workos_emulator::EmulatorConfig {
        widget_token_mints_per_minute: 3,
        ..Default::default()
    })
    .await;
    h.sign_in("alice@acme.test").await;
    assert_eq!(mint_statuses(&h, 3).await, [201, 201, 201]);

    // The fourth within the minute: 429, WorkOS's body, and when to come back (3 a minute: ~20 s).
    let refused = h
        .http
        .post(h.url("/widgets/token"))
        .bearer_auth("sk_test_emulator")
        .json(&serde_json::json!({"organization_id": ACME_ID, "user_id": ALICE_ID}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry_after), "Retry-After {retry_after}");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "rate_limit_exceeded");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("3 widget tokens a minute"),
        "{body}"
    );
    // The official crate reads it as a 429 too.
    assert_eq!(mint_statuses(&h, 1).await, [429]);

    let calls: serde_json::Value = h
        .http
        .get(h.url("/_emulator/calls"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(calls["widget_tokens_minted"], 3);
    assert_eq!(calls["widget_tokens_rate_limited"], 2);
    assert_eq!(calls["calls"]["POST /widgets/token"], 5);
    assert_eq!(calls["grants"]["authorization_code"], 1);
    assert_eq!(calls["calls"]["POST /user_management/authenticate"], 1);

    // 0 turns the limit off; a new limit starts with a full allowance.
    let patch = |body: serde_json::Value| {
        h.http
            .patch(h.url("/_emulator/settings"))
            .json(&body)
            .send()
    };
    let off: serde_json::Value = patch(serde_json::json!({"widget_token_mints_per_minute": 0}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(off["widget_token_mints_per_minute"], 0);
    assert_eq!(mint_statuses(&h, 10).await, [201; 10]);
    patch(serde_json::json!({"widget_token_mints_per_minute": 2}))
        .await
        .unwrap();
    assert_eq!(mint_statuses(&h, 3).await, [201, 201, 429]);
    let negative = patch(serde_json::json!({"widget_token_mints_per_minute": -1}))
        .await
        .unwrap();
    assert_eq!(negative.status(), 422);

    // A reset restores the configured limit, with a full allowance, and zeroes the counts.
    h.http.post(h.url("/_emulator/reset")).send().await.unwrap();
    let settings: serde_json::Value = h
        .http
        .get(h.url("/_emulator/settings"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(settings["widget_token_mints_per_minute"], 3);
    let calls: serde_json::Value = h
        .http
        .get(h.url("/_emulator/calls"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(calls["widget_tokens_minted"], 0);
    h.sign_in("alice@acme.test").await;
    assert_eq!(mint_statuses(&h, 4).await, [201, 201, 201, 429]);
}

#[tokio::test]
async fn by_default_an_api_key_mints_600_a_minute() {
    let h = Harness::start().await;
    let settings: serde_json::Value = h
        .http
        .get(h.url("/_emulator/settings"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(settings["widget_token_mints_per_minute"], 600);
    h.sign_in("alice@acme.test").await;
    // A minute's worth passes at once, then one every 100 ms: the first 429 comes after 600
    // mints plus those the time spent minting earned back.
    let started = std::time::Instant::now();
    let mut minted = 0;
    while mint_statuses(&h, 1).await == [201] {
        minted += 1;
        assert!(minted <= 2000, "no 429 after {minted} mints");
    }
    let earned = (started.elapsed().as_secs_f64() * 10.0).ceil() as usize;
    assert!(
        (600..=600 + earned).contains(&minted),
        "{minted} mints before the first 429 ({earned} earned back while minting)"
    );
}
