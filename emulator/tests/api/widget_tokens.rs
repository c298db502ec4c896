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
