//! `/_widgets/UserProfile/me`: the profile widget's reads and writes, token checks and CORS.

use reqwest::StatusCode;
use serde_json::{Value, json};
use workos_emulator::EmulatorConfig;
use workos_emulator::keys::SigningKey;
use workos_emulator::seed::{ACME_ID, ALICE_ID};

use crate::support::Harness;

async fn me(h: &Harness, token: &str) -> reqwest::Response {
    h.http
        .get(h.url("/_widgets/UserProfile/me"))
        .bearer_auth(token)
        .header("WorkOS-Widgets-Version", "1")
        .header("WorkOS-Widgets-Type", "user-profile")
        .header("Content-Type", "application/json")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn reads_and_updates_the_callers_profile() {
    let h = Harness::start().await;
    let token = h
        .widget_token(ALICE_ID, Some(ACME_ID), vec![])
        .await
        .unwrap();

    let response = me(&h, &token).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["id"], ALICE_ID);
    assert_eq!(body["email"], "alice@acme.test");
    assert_eq!(body["firstName"], "Alice");
    assert_eq!(body["lastName"], "Adams");

    let updated: Value = h
        .http
        .post(h.url("/_widgets/UserProfile/me"))
        .bearer_auth(&token)
        .json(&json!({"firstName": "  Alicia ", "lastName": "Adams"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(updated["firstName"], "Alicia");
    // The public API sees the change.
    let user = h.workos.user_management().get_user(ALICE_ID).await.unwrap();
    assert_eq!(user.first_name.as_deref(), Some("Alicia"));

    let too_long = h
        .http
        .post(h.url("/_widgets/UserProfile/me"))
        .bearer_auth(&token)
        .json(&json!({"firstName": "x".repeat(256)}))
        .send()
        .await
        .unwrap();
    assert_eq!(too_long.status(), 400);
    let malformed = h
        .http
        .post(h.url("/_widgets/UserProfile/me"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let message: Value = malformed.json().await.unwrap();
    assert!(message["message"].is_string());
}

#[tokio::test]
async fn bad_expired_and_forged_tokens_get_403_with_a_message() {
    let h = Harness::start().await;
    let good = h
        .widget_token(ALICE_ID, Some(ACME_ID), vec![])
        .await
        .unwrap();

    let forged = {
        let other_key = SigningKey::generate().unwrap();
        let claims: Value = crate::support::payload(&good);
        other_key.sign(&claims)
    };
    let unsigned = {
        let parts: Vec<&str> = good.split('.').collect();
        // {"alg":"none","typ":"JWT"}
        format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", parts[1])
    };
    let tampered = {
        let parts: Vec<&str> = good.split('.').collect();
        format!("{}.{}x.{}", parts[0], parts[1], parts[2])
    };
    for token in [
        "garbage",
        forged.as_str(),
        unsigned.as_str(),
        tampered.as_str(),
    ] {
        let response = me(&h, token).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "token {token}");
        let body: Value = response.json().await.unwrap();
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let missing = h
        .http
        .get(h.url("/_widgets/UserProfile/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 403);

    let expired = Harness::with_config(EmulatorConfig {
        widget_token_ttl_secs: -5,
        ..Default::default()
    })
    .await;
    let token = expired
        .widget_token(ALICE_ID, Some(ACME_ID), vec![])
        .await
        .unwrap();
    let response = me(&expired, &token).await;
    assert_eq!(response.status(), 403);
    assert_eq!(
        response.json::<Value>().await.unwrap()["message"],
        "Widget token expired."
    );
}

#[tokio::test]
async fn answers_cors_preflights_for_the_allowed_origin_only() {
    let h = Harness::with_config(EmulatorConfig {
        allowed_origins: vec!["http://localhost:3000".into()],
        ..Default::default()
    })
    .await;
    let preflight = |origin: &'static str| {
        h.http
            .request(reqwest::Method::OPTIONS, h.url("/_widgets/UserProfile/me"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization,content-type,workos-widgets-version,workos-widgets-type",
            )
            .send()
    };
    let allowed = preflight("http://localhost:3000").await.unwrap();
    assert!(allowed.status().is_success());
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    let headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    for needed in [
        "authorization",
        "content-type",
        "workos-widgets-version",
        "workos-widgets-type",
        "x-elevated-access-token",
    ] {
        assert!(headers.contains(needed), "{needed} missing from {headers}");
    }
    let other = preflight("http://evil.test").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}
