//! AuthKit: sign-in page, code exchange, refresh rotation and organization switch, sessions,
//! JWKS verification through the `workos` crate's sealed-session helper.

use workos::user_management::AuthenticateWithRefreshTokenParams;
use workos_emulator::seed::{ACME_ID, ALICE_ID, BOB_ID, GLOBEX_ID};

use crate::support::{Harness, payload, status};

const COOKIE_PASSWORD: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[tokio::test]
async fn sign_in_page_lists_demo_accounts_and_refuses_a_wrong_password() {
    let h = Harness::start().await;
    let page = h
        .http
        .get(h.url("/user_management/authorize?response_type=code&client_id=client_emulator&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&state=xyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for expected in [
        "Alice Adams",
        "alice@acme.test",
        "Bob Baker",
        "Carol Chen",
        "Acme Corp admin",
        "type=\"password\"",
    ] {
        assert!(html.contains(expected), "sign-in page lacks {expected}");
    }

    let refused = h
        .sign_in_code("alice@acme.test", "wrong-password")
        .await
        .expect_err("wrong password is refused");
    assert_eq!(refused.status(), 401);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Incorrect email or password")
    );

    let unknown_client = h
        .http
        .get(h.url("/user_management/authorize?client_id=nope&redirect_uri=http://x/cb"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_client.status(), 400);
}

#[tokio::test]
async fn code_exchange_gives_a_session_the_workos_crate_verifies_with_the_jwks() {
    let h = Harness::start().await;
    let auth = h.sign_in("alice@acme.test").await;
    assert_eq!(auth.user.id, ALICE_ID);
    assert_eq!(auth.user.first_name.as_deref(), Some("Alice"));
    assert_eq!(auth.organization_id.as_deref(), Some(ACME_ID));

    let sealed = workos::helpers::session::seal_session_from_auth_response(
        auth.access_token.expose(),
        auth.refresh_token.expose(),
        Some(auth.user.clone()),
        None,
        COOKIE_PASSWORD,
    )
    .unwrap();
    let state = h
        .workos
        .session(&sealed, COOKIE_PASSWORD)
        .authenticate()
        .await;
    assert!(state.authenticated, "{}", state.reason);
    assert_eq!(state.organization_id, ACME_ID);
    assert_eq!(state.role, "admin");
    // The admin role's permissions, as the demo seed grants them (users table, SSO, domains…).
    let admin = workos_emulator::seed::demo().roles;
    let admin = admin.iter().find(|r| r.slug == "admin").unwrap();
    assert!(
        admin
            .permissions
            .contains(&"widgets:users-table:manage".to_string())
    );
    assert_eq!(state.permissions, admin.permissions);
    assert!(state.session_id.starts_with("session_"));

    // A code works once.
    let code = h
        .sign_in_code("bob@acme.test", "demo-password")
        .await
        .unwrap();
    let params = || workos::user_management::AuthenticateWithCodeParams::new(code.clone());
    let bob = h
        .workos
        .user_management()
        .authenticate_with_code(params())
        .await
        .unwrap();
    assert_eq!(bob.user.id, BOB_ID);
    let again = h
        .workos
        .user_management()
        .authenticate_with_code(params())
        .await
        .unwrap_err();
    assert_eq!(status(&again), 400);
    assert_eq!(again.api().unwrap().code.as_deref(), Some("invalid_grant"));
}

#[tokio::test]
async fn jwks_decodes_with_the_strict_model_and_only_for_our_client() {
    let h = Harness::start().await;
    let jwks = h
        .workos
        .user_management()
        .get_jwks("client_emulator")
        .await
        .expect("strict JwksResponse decodes");
    assert_eq!(jwks.keys.len(), 1);
    let lenient = h.workos.jwks().fetch().await.unwrap();
    assert_eq!(lenient.keys[0].kty.as_deref(), Some("RSA"));
    let other = h
        .workos
        .user_management()
        .get_jwks("client_other")
        .await
        .unwrap_err();
    assert_eq!(status(&other), 404);
}

#[tokio::test]
async fn refresh_rotates_the_token_and_switches_organization_for_members_only() {
    let h = Harness::start().await;
    let auth = h.sign_in("alice@acme.test").await;
    let um = h.workos.user_management();

    let mut switch = AuthenticateWithRefreshTokenParams::new(auth.refresh_token.expose());
    switch.organization_id = Some(GLOBEX_ID.into());
    let globex = um.authenticate_with_refresh_token(switch).await.unwrap();
    assert_eq!(globex.organization_id.as_deref(), Some(GLOBEX_ID));
    let claims = payload(globex.access_token.expose());
    assert_eq!(claims["org_id"], GLOBEX_ID);
    assert_eq!(claims["role"], "member");
    // The member role's permissions, as the demo seed grants them: their own API keys only.
    assert_eq!(
        claims["permissions"],
        serde_json::json!(["widgets:user-api-keys:manage-self"])
    );
    assert_eq!(
        claims["sid"],
        payload(auth.access_token.expose())["sid"],
        "same session after a switch"
    );

    // The old refresh token was rotated away.
    let reused = um
        .authenticate_with_refresh_token(AuthenticateWithRefreshTokenParams::new(
            auth.refresh_token.expose(),
        ))
        .await
        .unwrap_err();
    assert_eq!(status(&reused), 400);
    assert_eq!(reused.api().unwrap().code.as_deref(), Some("invalid_grant"));

    // Bob is not in Globex.
    let bob = h.sign_in("bob@acme.test").await;
    let mut foreign = AuthenticateWithRefreshTokenParams::new(bob.refresh_token.expose());
    foreign.organization_id = Some(GLOBEX_ID.into());
    let refused = um
        .authenticate_with_refresh_token(foreign)
        .await
        .unwrap_err();
    assert_eq!(status(&refused), 400);
    assert_eq!(
        refused.api().unwrap().code.as_deref(),
        Some("invalid_organization_id")
    );
}

#[tokio::test]
async fn logout_and_revoke_end_the_session_so_its_refresh_token_stops_working() {
    let h = Harness::start().await;
    let um = h.workos.user_management();

    let auth = h.sign_in("alice@acme.test").await;
    let sid = payload(auth.access_token.expose())["sid"]
        .as_str()
        .unwrap()
        .to_string();
    let logout_url = um
        .get_logout_url(workos::user_management::GetLogoutUrlParams {
            session_id: sid,
            return_to: Some("http://localhost:3000/".into()),
        })
        .unwrap();
    let response = h.http.get(&logout_url).send().await.unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "http://localhost:3000/");
    let after = um
        .authenticate_with_refresh_token(AuthenticateWithRefreshTokenParams::new(
            auth.refresh_token.expose(),
        ))
        .await
        .unwrap_err();
    assert_eq!(after.api().unwrap().code.as_deref(), Some("invalid_grant"));

    let auth = h.sign_in("alice@acme.test").await;
    let sid = payload(auth.access_token.expose())["sid"]
        .as_str()
        .unwrap()
        .to_string();
    um.revoke_session(workos::user_management::RevokeSessionParams::new(
        workos::RevokeSession { session_id: sid },
    ))
    .await
    .expect("revoke decodes");
    let after = um
        .authenticate_with_refresh_token(AuthenticateWithRefreshTokenParams::new(
            auth.refresh_token.expose(),
        ))
        .await
        .unwrap_err();
    assert_eq!(after.api().unwrap().code.as_deref(), Some("invalid_grant"));

    let unknown = um
        .revoke_session(workos::user_management::RevokeSessionParams::new(
            workos::RevokeSession {
                session_id: "session_nope".into(),
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(status(&unknown), 404);
}

#[tokio::test]
async fn password_grant_signs_in_with_the_right_password_only() {
    let h = Harness::start().await;
    let um = h.workos.user_management();
    let auth = um
        .authenticate_with_password(
            workos::user_management::AuthenticateWithPasswordParams::new(
                "bob@acme.test",
                "demo-password",
            ),
        )
        .await
        .unwrap();
    assert_eq!(auth.user.id, BOB_ID);
    assert_eq!(payload(auth.access_token.expose())["org_id"], ACME_ID);
    let wrong = um
        .authenticate_with_password(
            workos::user_management::AuthenticateWithPasswordParams::new("bob@acme.test", "nope"),
        )
        .await
        .unwrap_err();
    assert_eq!(status(&wrong), 400);
    assert_eq!(
        wrong.api().unwrap().code.as_deref(),
        Some("invalid_credentials")
    );
}

#[tokio::test]
async fn a_users_active_sessions_are_listed_newest_first_paged_and_a_revoked_one_leaves_the_list() {
    use workos::user_management::ListSessionsParams;
    let h = Harness::start().await;
    let um = h.workos.user_management();
    let sid = |auth: &workos::AuthenticateResponse| {
        payload(auth.access_token.expose())["sid"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let first = h.sign_in("alice@acme.test").await;
    let second = h.sign_in("alice@acme.test").await;
    h.sign_in("bob@acme.test").await;

    // Decoded by the `workos` crate's strict model; Bob's session is not Alice's.
    let page = um
        .list_sessions(ALICE_ID, ListSessionsParams::default())
        .await
        .unwrap();
    let ids: Vec<&str> = page.data.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, [sid(&second), sid(&first)], "newest first");
    let listed = &page.data[0];
    assert_eq!(listed.object, "session");
    assert_eq!(listed.user_id, ALICE_ID);
    assert_eq!(listed.organization_id.as_deref(), Some(ACME_ID));
    assert_eq!(listed.auth_method.as_str(), "password");
    assert_eq!(listed.status.as_str(), "active");
    assert!(listed.ended_at.is_none());

    // One a page: the cursor leads to the older one, and the last page has no `after`.
    let one = ListSessionsParams {
        limit: Some(1),
        ..Default::default()
    };
    let page = um.list_sessions(ALICE_ID, one.clone()).await.unwrap();
    assert_eq!(page.data[0].id, sid(&second));
    let after = page.list_metadata.after.clone().expect("more follow");
    let next = um
        .list_sessions(
            ALICE_ID,
            ListSessionsParams {
                after: Some(after),
                ..one
            },
        )
        .await
        .unwrap();
    assert_eq!(next.data[0].id, sid(&first));
    assert_eq!(next.list_metadata.after, None);

    // Revoked: no longer listed.
    um.revoke_session(workos::user_management::RevokeSessionParams::new(
        workos::RevokeSession {
            session_id: sid(&first),
        },
    ))
    .await
    .unwrap();
    let page = um
        .list_sessions(ALICE_ID, ListSessionsParams::default())
        .await
        .unwrap();
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.data[0].id, sid(&second));

    // An unknown user, a bad limit, no API key.
    let missing = um
        .list_sessions("user_missing", ListSessionsParams::default())
        .await
        .unwrap_err();
    assert_eq!(status(&missing), 404);
    let (code, _) = h
        .call(
            h.http
                .get(h.url(&format!(
                    "/user_management/users/{ALICE_ID}/sessions?limit=0"
                )))
                .bearer_auth("sk_test_emulator"),
        )
        .await;
    assert_eq!(code, 422);
    let (code, _) = h
        .call(
            h.http
                .get(h.url(&format!("/user_management/users/{ALICE_ID}/sessions"))),
        )
        .await;
    assert_eq!(code, 401);
}
