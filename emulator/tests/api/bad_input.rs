//! Bad input: huge bodies, malformed or ill-typed JSON, odd ids. Each gets a clear JSON 4xx, the
//! state is unchanged, and the emulator keeps serving.

use reqwest::Method;
use serde_json::{Value, json};
use workos::WidgetSessionTokenScopes::WidgetsUsersTableManage;
use workos_emulator::config::MAX_BODY_BYTES;
use workos_emulator::seed::{ACME_ID, ALICE_ID, BOB_ID};

use crate::support::Harness;

#[tokio::test]
async fn bodies_over_the_limit_get_413_and_change_nothing() {
    let h = Harness::start().await;
    let token = h
        .widget_token(ALICE_ID, Some(ACME_ID), vec![])
        .await
        .unwrap();
    let huge = "x".repeat(MAX_BODY_BYTES + 1);

    let (status, body) = h
        .call(
            h.widget(Method::POST, "/UserProfile/me", &token, "user-profile")
                .json(&json!({"firstName": huge})),
        )
        .await;
    assert_eq!(status, 413);
    assert_eq!(body["code"], "payload_too_large");
    let (_, me) = h
        .call(h.widget(Method::GET, "/UserProfile/me", &token, "user-profile"))
        .await;
    assert_eq!(me["firstName"], "Alice");

    // The public API too, with the API key.
    let (status, body) = h
        .call(
            h.http
                .post(h.url("/user_management/authenticate"))
                .bearer_auth("sk_test_emulator")
                .json(&json!({"grant_type": "password", "email": huge})),
        )
        .await;
    assert_eq!(status, 413);
    assert_eq!(body["code"], "payload_too_large");
    // A body just under the limit is read (and refused for what it says, not for its size).
    let (status, _) = h
        .call(
            h.widget(Method::POST, "/UserProfile/me", &token, "user-profile")
                .json(&json!({"firstName": "y".repeat(MAX_BODY_BYTES - 100)})),
        )
        .await;
    assert_ne!(status, 413);
    assert!(
        h.workos
            .organizations()
            .get_organization(ACME_ID)
            .await
            .is_ok(),
        "still serving"
    );
}

#[tokio::test]
async fn malformed_and_ill_typed_bodies_get_400_and_422() {
    let h = Harness::start().await;
    let token = h
        .widget_token(ALICE_ID, Some(ACME_ID), vec![WidgetsUsersTableManage])
        .await
        .unwrap();
    let post = |path: &str, body: &'static str| {
        h.widget(Method::POST, path, &token, "user-management")
            .header("content-type", "application/json")
            .body(body)
    };

    for (path, body, expected) in [
        ("/UserManagement/invite-user", "{\"email\": ", 400),
        ("/UserManagement/invite-user", "[]", 422),
        (
            "/UserManagement/invite-user",
            "{\"email\": 42, \"roles\": [\"member\"]}",
            422,
        ),
        (
            "/UserManagement/invite-user",
            "{\"roles\": [\"member\"]}",
            422,
        ),
        (
            "/UserManagement/members/user_01JDEM00000000000000000B0B",
            "{\"roles\": \"admin\"}",
            422,
        ),
        (
            "/UserManagement/members/user_01JDEM00000000000000000B0B",
            "null",
            422,
        ),
        ("/UserManagement/invite-user", "\u{0}\u{1}", 400),
    ] {
        let (status, body) = h.call(post(path, body)).await;
        assert_eq!(status, expected, "{path} {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "a message for {path}: {body}"
        );
    }
    // A body without a JSON content type is refused, not guessed.
    let (status, _) = h
        .call(
            h.widget(
                Method::POST,
                "/UserManagement/invite-user",
                &token,
                "user-management",
            )
            .body("{\"email\":\"odd.one@acme.test\",\"roles\":[\"member\"]}"),
        )
        .await;
    assert_eq!(status, 400);
    let (_, members) = h
        .call(h.widget(
            Method::GET,
            "/UserManagement/members?limit=10&search=odd.one",
            &token,
            "user-management",
        ))
        .await;
    assert_eq!(members["data"], json!([]), "nothing was invited");
}

#[tokio::test]
async fn odd_ids_get_404_or_400_never_a_panic() {
    let h = Harness::start().await;
    let token = h
        .widget_token(ALICE_ID, Some(ACME_ID), vec![WidgetsUsersTableManage])
        .await
        .unwrap();
    let long = "user_".to_string() + &"9".repeat(4000);
    let odd = [
        "nope",
        "%00",
        "%F0%9F%99%82",
        "..%2F..%2Fetc%2Fpasswd",
        "user_%20",
        long.as_str(),
        ACME_ID,
    ];
    for id in odd {
        for method in [Method::POST, Method::DELETE] {
            let request = h
                .widget(
                    method.clone(),
                    &format!("/UserManagement/members/{id}"),
                    &token,
                    "user-management",
                )
                .json(&json!({"roles": ["member"]}));
            let (status, body): (u16, Value) = h.call(request).await;
            assert!(
                status == 404 || status == 400,
                "{method} members/{id}: {status} {body}"
            );
            assert!(body["message"].is_string(), "{method} members/{id}: {body}");
        }
        let (status, _) = h
            .call(h.widget(
                Method::POST,
                &format!("/UserManagement/invites/{id}/resend"),
                &token,
                "user-management",
            ))
            .await;
        assert!(status == 404 || status == 400, "resend {id}: {status}");
        let (status, _) = h
            .call(
                h.http
                    .get(h.url(&format!("/user_management/users/{id}")))
                    .bearer_auth("sk_test_emulator"),
            )
            .await;
        assert!(status == 404 || status == 400, "users/{id}: {status}");
        if id != ACME_ID {
            let (status, _) = h
                .call(
                    h.http
                        .get(h.url(&format!("/organizations/{id}")))
                        .bearer_auth("sk_test_emulator"),
                )
                .await;
            assert!(
                status == 404 || status == 400,
                "organizations/{id}: {status}"
            );
        }
        let (status, _) = h
            .call(h.widget(
                Method::DELETE,
                &format!("/UserProfile/sessions/revoke/{id}"),
                &token,
                "user-sessions",
            ))
            .await;
        assert!(status == 404 || status == 400, "sessions/{id}: {status}");
    }
    // Nothing changed: Bob is still a member.
    let (_, bob) = h
        .call(h.widget(
            Method::GET,
            "/UserManagement/members?limit=10&search=bob%40acme.test",
            &token,
            "user-management",
        ))
        .await;
    assert_eq!(bob["data"][0]["id"], BOB_ID);
}

/// Reads one HTTP/1.1 response (status line and a `Content-Length` body) from a raw connection;
/// `None` when the server closed it.
async fn read_response(stream: &mut tokio::net::TcpStream) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        received.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&received).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if body.len() >= length {
                return head.lines().next().map(str::to_string);
            }
        }
    }
}

/// hyper drops a keep-alive connection after answering a request whose body was not read to the
/// end, without a `Connection: close`; a pooling client's next request on it then fails (found by
/// `properties.rs`: a large body to a route that takes none, then a network error on the next
/// call). The emulator reads every body first, so early answers keep the connection usable.
#[tokio::test]
async fn early_answers_to_large_bodies_keep_the_connection_usable() {
    use tokio::io::AsyncWriteExt;
    let h = Harness::start().await;
    let token = h
        .widget_token(ALICE_ID, Some(ACME_ID), vec![])
        .await
        .unwrap();
    let body = format!("{{\"firstName\":\"{}\"}}", "x".repeat(40_000));
    for (method, path, bearer, expected) in [
        ("POST", "/_widgets/UserProfile/me", "not-a-token", "403"),
        (
            "POST",
            "/_widgets/UserProfile/send-verification",
            token.as_str(),
            "200",
        ),
        ("PATCH", "/_widgets/UserProfile/me", token.as_str(), "405"),
        ("POST", "/_widgets/nowhere", token.as_str(), "404"),
    ] {
        let mut stream = tokio::net::TcpStream::connect(h.emulator.addr())
            .await
            .unwrap();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nhost: emulator\r\nauthorization: Bearer {bearer}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let first = read_response(&mut stream).await.unwrap_or_default();
        assert!(
            first.starts_with(&format!("HTTP/1.1 {expected}")),
            "{method} {path}: {first}"
        );
        let written = stream
            .write_all(b"GET /_emulator/health HTTP/1.1\r\nhost: emulator\r\n\r\n")
            .await;
        let second = read_response(&mut stream).await;
        assert!(
            written.is_ok() && second.as_deref() == Some("HTTP/1.1 200 OK"),
            "{method} {path}: the connection was dropped after the answer ({written:?}, {second:?})"
        );
    }
}
