//! UserSessions, OrganizationSwitcher and UserSecurity: sessions, organizations, password,
//! elevated access through the mailbox.

use reqwest::Method;
use serde_json::json;
use workos_emulator::seed::{ACME_ID, ALICE_ID, GLOBEX_ID};

use crate::support::{Harness, payload};

#[tokio::test]
async fn sessions_list_mark_and_revoke() {
    let h = Harness::start().await;
    let first = h.sign_in("alice@acme.test").await;
    let second = h.sign_in("alice@acme.test").await;
    let second_sid = payload(second.access_token.expose())["sid"]
        .as_str()
        .unwrap()
        .to_string();
    let first_sid = payload(first.access_token.expose())["sid"]
        .as_str()
        .unwrap()
        .to_string();
    let token = h
        .widget_token(ALICE_ID, Some(ACME_ID), vec![])
        .await
        .unwrap();
    assert_eq!(
        payload(&token)["sid"],
        second_sid.as_str(),
        "the token's sid is the latest session"
    );

    let (status, list) = h
        .call(h.widget(
            Method::GET,
            "/UserProfile/sessions",
            &token,
            "user-sessions",
        ))
        .await;
    assert_eq!(status, 200);
    let listed: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(listed.contains(&first_sid.as_str()) && listed.contains(&second_sid.as_str()));
    assert_eq!(list["data"][0]["usedPasswordAuth"], true);

    // Revoke the first: its refresh token stops working.
    let (status, _) = h
        .call(h.widget(
            Method::DELETE,
            &format!("/UserProfile/sessions/revoke/{first_sid}"),
            &token,
            "user-sessions",
        ))
        .await;
    assert_eq!(status, 200);
    let refused = h
        .workos
        .user_management()
        .authenticate_with_refresh_token(
            workos::user_management::AuthenticateWithRefreshTokenParams::new(
                first.refresh_token.expose(),
            ),
        )
        .await;
    assert!(refused.is_err());
    // Another user's session id is not found.
    let bob = h.sign_in("bob@acme.test").await;
    let bob_sid = payload(bob.access_token.expose())["sid"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        h.call(h.widget(
            Method::DELETE,
            &format!("/UserProfile/sessions/revoke/{bob_sid}"),
            &token,
            "user-sessions"
        ))
        .await
        .0,
        404
    );

    // Revoke all others keeps the current one.
    let third = h.sign_in("alice@acme.test").await;
    let (status, _) = h
        .call(
            h.widget(
                Method::DELETE,
                "/UserProfile/sessions/revoke-all",
                &token,
                "user-sessions",
            )
            .json(&json!({"currentSessionId": second_sid})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, list) = h
        .call(h.widget(
            Method::GET,
            "/UserProfile/sessions",
            &token,
            "user-sessions",
        ))
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["id"], second_sid.as_str());
    assert!(
        h.workos
            .user_management()
            .authenticate_with_refresh_token(
                workos::user_management::AuthenticateWithRefreshTokenParams::new(
                    third.refresh_token.expose()
                )
            )
            .await
            .is_err()
    );
}

#[tokio::test]
async fn organizations_mark_the_tokens_organization_current() {
    let h = Harness::start().await;
    for (org, other) in [(ACME_ID, GLOBEX_ID), (GLOBEX_ID, ACME_ID)] {
        let token = h.widget_token(ALICE_ID, Some(org), vec![]).await.unwrap();
        let (status, list) = h
            .call(h.widget(
                Method::GET,
                "/UserManagement/organizations",
                &token,
                "organization-switcher",
            ))
            .await;
        assert_eq!(status, 200);
        let data = list["data"].as_array().unwrap();
        assert_eq!(data.len(), 3, "Acme, Globex and Initech");
        assert!(data.iter().any(|o| o["id"] == org && o["current"] == true));
        assert!(
            data.iter()
                .any(|o| o["id"] == other && o["current"] == false)
        );
    }
}

#[tokio::test]
async fn password_change_checks_the_current_password_and_the_policy() {
    let h = Harness::start().await;
    let token = h
        .widget_token(ALICE_ID, Some(ACME_ID), vec![])
        .await
        .unwrap();
    let (status, info) = h
        .call(h.widget(
            Method::GET,
            "/UserProfile/authentication-information",
            &token,
            "user-security",
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        info["data"]["verificationMethods"]["Password"]["isSetUp"],
        true
    );
    assert_eq!(
        info["data"]["passwordSettings"]["passwordMinimumLength"],
        10
    );

    let change = |current: &str, new: &str| {
        h.widget(
            Method::POST,
            "/UserProfile/update-password",
            &token,
            "user-security",
        )
        .json(&json!({"currentPassword": current, "newPassword": new}))
    };
    let (status, body) = h
        .call(change("wrong-password", "a-much-better-pass-1"))
        .await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("current password")
    );
    let (status, body) = h.call(change("demo-password", "short")).await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "password_strength_error");
    let codes: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["password_too_short", "password_missing_character_type"]
    );
    let (status, body) = h
        .call(change("demo-password", "a-much-better-pass-1"))
        .await;
    assert_eq!((status, body), (201, json!({"success": true})));

    // The new password signs in; the old one no longer does.
    assert!(
        h.sign_in_code("alice@acme.test", "demo-password")
            .await
            .is_err()
    );
    assert!(
        h.sign_in_code("alice@acme.test", "a-much-better-pass-1")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn elevated_access_comes_from_the_emailed_code_and_gates_create_password() {
    let h = Harness::start().await;
    let token = h
        .widget_token(ALICE_ID, Some(ACME_ID), vec![])
        .await
        .unwrap();
    let create = |elevated: Option<&str>| {
        let request = h
            .widget(
                Method::POST,
                "/UserProfile/create-password",
                &token,
                "user-security",
            )
            .json(&json!({"password": "brand-new-pass-42"}));
        match elevated {
            Some(t) => request.header("x-elevated-access-token", t),
            None => request,
        }
    };
    assert_eq!(h.call(create(None)).await.0, 403);
    assert_eq!(h.call(create(Some("made-up"))).await.0, 403);

    let (status, challenge) = h
        .call(h.widget(
            Method::POST,
            "/UserProfile/send-verification",
            &token,
            "user-security",
        ))
        .await;
    assert_eq!(
        (status, challenge["type"].as_str()),
        (200, Some("EmailVerification"))
    );
    let challenge_id = challenge["authenticationChallenge"].as_str().unwrap();
    let code = h.last_mail("alice@acme.test").await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let verify = |code: &str| {
        h.widget(Method::POST, "/UserProfile/verify", &token, "user-security")
            .json(&json!({"code": code, "authenticationChallengeId": challenge_id}))
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(h.call(verify(wrong)).await.0, 400);
    let (status, elevated) = h.call(verify(&code)).await;
    assert_eq!(status, 200);
    assert_eq!(
        h.call(verify(&code)).await.0,
        400,
        "a challenge is used once"
    );

    let (status, _) = h
        .call(create(elevated["elevatedAccessToken"].as_str()))
        .await;
    assert_eq!(status, 201);
    assert!(
        h.sign_in_code("alice@acme.test", "brand-new-pass-42")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn totp_enrolment_uses_real_codes_and_then_guards_sign_in() {
    let h = Harness::start().await;
    let token = h
        .widget_token(ALICE_ID, Some(ACME_ID), vec![])
        .await
        .unwrap();
    assert_eq!(
        h.call(h.widget(
            Method::POST,
            "/UserProfile/create-totp-factor",
            &token,
            "user-security"
        ))
        .await
        .0,
        403,
        "elevated access required"
    );

    // Elevated access through the mailbox.
    let elevated = h
        .elevated_access(&token, "user-security", "alice@acme.test")
        .await;

    let (status, factor) = h
        .call(
            h.widget(
                Method::POST,
                "/UserProfile/create-totp-factor",
                &token,
                "user-security",
            )
            .header("x-elevated-access-token", &elevated),
        )
        .await;
    assert_eq!(status, 200);
    let totp = &factor["authenticationFactor"]["totp"];
    let secret = totp["secret"].as_str().unwrap().to_string();
    assert!(totp["uri"].as_str().unwrap().starts_with("otpauth://totp/"));
    assert!(
        totp["qr_code"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,")
    );
    let authenticator = crate::support::authenticator(&secret, "alice@acme.test");
    let current = authenticator.generate_current().to_string();
    let wrong = if current == "000000" {
        "111111"
    } else {
        "000000"
    };
    let verify = |code: &str| {
        h.widget(Method::POST, "/UserProfile/verify-totp-factor", &token, "user-security").json(&json!({"code": code, "authenticationChallengeId": factor["authenticationChallenge"]["id"]}))
    };
    assert_eq!(h.call(verify(wrong)).await.0, 400);
    assert_eq!(
        h.call(verify(&current)).await,
        (200, json!({"success": true}))
    );
    let (_, info) = h
        .call(h.widget(
            Method::GET,
            "/UserProfile/authentication-information",
            &token,
            "user-security",
        ))
        .await;
    assert_eq!(info["data"]["verificationMethods"]["Mfa"]["isSetUp"], true);

    // Sign-in now asks for the code after the password.
    let step = h
        .sign_in_code("alice@acme.test", "demo-password")
        .await
        .expect_err("a code is needed");
    assert_eq!(step.status(), 200);
    let page = step.text().await.unwrap();
    assert!(page.contains("Two-factor authentication"));
    let pending = page
        .split("name=\"pending\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let submit = |code: String| {
        h.http
            .post(h.url("/user_management/authorize/totp"))
            .form(&[
                ("client_id", "client_emulator"),
                ("redirect_uri", "http://localhost:3000/callback"),
                ("state", "s1"),
                ("pending", pending.as_str()),
                ("code", code.as_str()),
            ])
            .send()
    };
    assert_eq!(submit(wrong.to_string()).await.unwrap().status(), 401);
    let done = submit(authenticator.generate_current().to_string())
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    assert!(
        done.headers()["location"]
            .to_str()
            .unwrap()
            .contains("code=")
    );

    // Resetting MFA (elevated) removes the factor: sign-in no longer asks for a code.
    assert_eq!(
        h.call(h.widget(
            Method::DELETE,
            "/UserProfile/totp-factors",
            &token,
            "user-security"
        ))
        .await
        .0,
        403
    );
    let (status, _) = h
        .call(
            h.widget(
                Method::DELETE,
                "/UserProfile/totp-factors",
                &token,
                "user-security",
            )
            .header("x-elevated-access-token", &elevated),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        h.sign_in_code("alice@acme.test", "demo-password")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn email_change_is_confirmed_by_a_code_sent_to_the_new_address() {
    let h = Harness::start().await;
    let token = h
        .widget_token(ALICE_ID, Some(ACME_ID), vec![])
        .await
        .unwrap();
    let elevated = h
        .elevated_access(&token, "user-profile", "alice@acme.test")
        .await;
    let send = |email: &str, elevated: &str| {
        h.widget(
            Method::POST,
            "/UserProfile/send-email-change",
            &token,
            "user-profile",
        )
        .header("x-elevated-access-token", elevated)
        .json(&json!({"newEmail": email}))
    };

    assert_eq!(h.call(send("alicia@acme.test", "nope")).await.0, 403);
    assert_eq!(h.call(send("bob@acme.test", &elevated)).await.0, 409);
    assert_eq!(h.call(send("not-an-email", &elevated)).await.0, 400);
    let (status, sent) = h.call(send("alicia@acme.test", &elevated)).await;
    assert_eq!(status, 200);
    assert!(sent["expiresAt"].is_string());
    let code = h.last_mail("alicia@acme.test").await["code"]
        .as_str()
        .unwrap()
        .to_string();

    let confirm = |code: &str| {
        h.widget(
            Method::POST,
            "/UserProfile/verify-email-change",
            &token,
            "user-profile",
        )
        .header("x-elevated-access-token", &elevated)
        .json(&json!({"code": code}))
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(h.call(confirm(wrong)).await.0, 400);
    let (status, body) = h.call(confirm(&code)).await;
    assert_eq!(status, 200);
    assert_eq!(body["user"]["email"], "alicia@acme.test");
    assert!(body["elevatedAccessToken"].is_string());
    assert_eq!(
        h.workos
            .user_management()
            .get_user(ALICE_ID)
            .await
            .unwrap()
            .email,
        "alicia@acme.test"
    );
    assert!(
        h.sign_in_code("alicia@acme.test", "demo-password")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn an_organization_that_requires_mfa_is_entered_through_an_authkit_enrollment() {
    use workos_emulator::seed::INITECH_ID;
    let h = Harness::start().await;
    let auth = h.sign_in("alice@acme.test").await;
    // Refreshing into Initech without a factor: 403 mfa_enrollment, and the refresh token still works.
    let mut params = workos::user_management::AuthenticateWithRefreshTokenParams::new(
        auth.refresh_token.expose(),
    );
    params.organization_id = Some(INITECH_ID.into());
    let err = h
        .workos
        .user_management()
        .authenticate_with_refresh_token(params)
        .await
        .unwrap_err();
    assert_eq!(crate::support::status(&err), 403);
    assert_eq!(err.api().unwrap().code.as_deref(), Some("mfa_enrollment"));

    // AuthKit with organization_id: after the password, an enrollment step with a new secret.
    let form = |extra: &[(&'static str, String)]| {
        let mut fields: Vec<(&str, String)> = vec![
            ("client_id", "client_emulator".into()),
            ("redirect_uri", "http://localhost:3000/callback".into()),
            ("state", "s1".into()),
            ("organization_id", INITECH_ID.into()),
        ];
        fields.extend(extra.iter().cloned());
        fields
    };
    let step = h
        .http
        .post(h.url("/user_management/authorize"))
        .form(&form(&[
            ("email", "alice@acme.test".into()),
            ("password", "demo-password".into()),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(step.status(), 200);
    let page = step.text().await.unwrap();
    assert!(page.contains("Set up two-factor authentication"));
    let field = |name: &str| {
        page.split(&format!("{name}\" value=\""))
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    let pending = field("name=\"pending");
    let secret = page
        .split("data-testid=\"totp-secret\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let authenticator = crate::support::authenticator(&secret, "alice@acme.test");
    let submit = |code: String| {
        h.http
            .post(h.url("/user_management/authorize/totp"))
            .form(&form(&[("pending", pending.clone()), ("code", code)]))
            .send()
    };
    let wrong = if authenticator.generate_current().to_string() == "000000" {
        "111111"
    } else {
        "000000"
    };
    let refused = submit(wrong.into()).await.unwrap();
    assert_eq!(refused.status(), 401);
    assert!(
        refused.text().await.unwrap().contains(&secret),
        "the same secret is offered again"
    );
    let done = submit(authenticator.generate_current().to_string())
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    let location = url::Url::parse(done.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let entered = h
        .workos
        .user_management()
        .authenticate_with_code(workos::user_management::AuthenticateWithCodeParams::new(
            code,
        ))
        .await
        .unwrap();
    assert_eq!(entered.organization_id.as_deref(), Some(INITECH_ID));

    // The factor is now alice's: sign-in asks for it, and refreshing into Initech is allowed.
    assert!(
        h.sign_in_code("alice@acme.test", "demo-password")
            .await
            .is_err(),
        "a TOTP step now"
    );
    let mut params = workos::user_management::AuthenticateWithRefreshTokenParams::new(
        auth.refresh_token.expose(),
    );
    params.organization_id = Some(INITECH_ID.into());
    assert_eq!(
        h.workos
            .user_management()
            .authenticate_with_refresh_token(params)
            .await
            .unwrap()
            .organization_id
            .as_deref(),
        Some(INITECH_ID)
    );
}
