//! UsersManagement `/_widgets/UserManagement/*`: members, roles, invitations, and who may do what.

use reqwest::Method;
use serde_json::{Value, json};
use workos::WidgetSessionTokenScopes::WidgetsUsersTableManage;
use workos_emulator::seed::{ACME_ID, ALICE_ID, BOB_ID, CAROL_ID, GLOBEX_ID};

use crate::support::Harness;

const TYPE: &str = "user-management";

async fn admin_token(h: &Harness) -> String {
    h.widget_token(ALICE_ID, Some(ACME_ID), vec![WidgetsUsersTableManage])
        .await
        .unwrap()
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn lists_pages_searches_and_filters_members_with_server_side_actions() {
    let h = Harness::start().await;
    let token = admin_token(&h).await;
    let (status, first) = h
        .call(h.widget(
            Method::GET,
            "/UserManagement/members?limit=10",
            &token,
            TYPE,
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(first["data"].as_array().unwrap().len(), 10);
    // Newest first with time cursors, as the shipped widget pages: its "Next" button sends
    // `before=<list_metadata.before>`, its "Previous" button `after=<list_metadata.after>`.
    assert!(first["list_metadata"]["after"].is_null());
    let next = first["list_metadata"]["before"]
        .as_str()
        .unwrap()
        .to_string();

    // 27 Acme members (alice, bob and 25 more): pages of 10, 10, 7, no overlap, and back again.
    let (_, second) = h
        .call(h.widget(
            Method::GET,
            &format!("/UserManagement/members?limit=10&before={next}"),
            &token,
            TYPE,
        ))
        .await;
    let (_, third) = h
        .call(h.widget(
            Method::GET,
            &format!(
                "/UserManagement/members?limit=10&before={}",
                second["list_metadata"]["before"].as_str().unwrap()
            ),
            &token,
            TYPE,
        ))
        .await;
    assert_eq!(third["data"].as_array().unwrap().len(), 7);
    assert!(third["list_metadata"]["before"].is_null());
    let mut all: Vec<String> = [ids(&first), ids(&second), ids(&third)].concat();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 27);
    let (_, back) = h
        .call(h.widget(
            Method::GET,
            &format!(
                "/UserManagement/members?limit=10&after={}",
                second["list_metadata"]["after"].as_str().unwrap()
            ),
            &token,
            TYPE,
        ))
        .await;
    assert_eq!(ids(&back), ids(&first));

    // Search by name or email; filter by role.
    let (_, found) = h
        .call(h.widget(
            Method::GET,
            "/UserManagement/members?limit=10&search=bAkEr",
            &token,
            TYPE,
        ))
        .await;
    assert_eq!(ids(&found), vec![BOB_ID.to_string()]);
    let (_, admins) = h
        .call(h.widget(
            Method::GET,
            "/UserManagement/members?limit=10&role=admin",
            &token,
            TYPE,
        ))
        .await;
    assert_eq!(ids(&admins), vec![ALICE_ID.to_string()]);
    let alice = &admins["data"][0];
    assert_eq!(alice["isLoggedInUser"], true);
    assert_eq!(
        alice["actions"],
        json!(["edit-role"]),
        "no removing yourself"
    );
    assert_eq!(alice["roles"][0]["slug"], "admin");
    assert_eq!(
        found["data"][0]["actions"],
        json!(["edit-role", "revoke-membership"])
    );

    let (_, roles) = h
        .call(h.widget(
            Method::GET,
            "/UserManagement/roles-and-config",
            &token,
            TYPE,
        ))
        .await;
    assert_eq!(roles["multipleRolesEnabled"], false);
    assert_eq!(roles["roles"].as_array().unwrap().len(), 2);
    let (_, bare) = h
        .call(h.widget(Method::GET, "/UserManagement/roles", &token, TYPE))
        .await;
    assert!(
        bare.as_array()
            .unwrap()
            .iter()
            .any(|r| r["slug"] == "member" && r["default"] == true)
    );
}

#[tokio::test]
async fn members_and_other_organizations_are_refused() {
    let h = Harness::start().await;
    // A member's user-level token cannot list or change members.
    let bob = h.widget_token(BOB_ID, Some(ACME_ID), vec![]).await.unwrap();
    for (method, path) in [
        (Method::GET, "/UserManagement/members"),
        (Method::GET, "/UserManagement/roles"),
        (
            Method::DELETE,
            &*format!("/UserManagement/members/{ALICE_ID}"),
        ),
    ] {
        let (status, body) = h.call(h.widget(method, path, &bob, TYPE)).await;
        assert_eq!(status, 403, "{path}");
        assert!(body["message"].is_string());
    }
    // Carol administers Globex: Acme's members are invisible and untouchable to her.
    let carol = h
        .widget_token(CAROL_ID, Some(GLOBEX_ID), vec![WidgetsUsersTableManage])
        .await
        .unwrap();
    let (_, globex) = h
        .call(h.widget(Method::GET, "/UserManagement/members", &carol, TYPE))
        .await;
    assert!(!ids(&globex).contains(&BOB_ID.to_string()));
    let (status, _) = h
        .call(h.widget(
            Method::DELETE,
            &format!("/UserManagement/members/{BOB_ID}"),
            &carol,
            TYPE,
        ))
        .await;
    assert_eq!(status, 404);
    let (status, _) = h
        .call(
            h.widget(
                Method::POST,
                &format!("/UserManagement/members/{BOB_ID}"),
                &carol,
                TYPE,
            )
            .json(&json!({"roles": ["admin"]})),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn invites_resends_and_revokes_with_the_messages_the_form_matches() {
    let h = Harness::start().await;
    let token = admin_token(&h).await;
    let invite = |email: &str, roles: Value| {
        h.widget(Method::POST, "/UserManagement/invite-user", &token, TYPE)
            .json(&json!({"email": email, "roles": roles}))
    };

    let (status, body) = h
        .call(invite("new.hire@acme.test", json!(["member"])))
        .await;
    assert_eq!((status, body), (201, json!({"success": true})));
    assert_eq!(
        h.last_mail("new.hire@acme.test").await["subject"],
        "You're invited to join Acme Corp"
    );

    for (email, roles, message) in [
        (
            "new.hire@acme.test",
            json!(["member"]),
            "User already invited",
        ),
        ("bob@acme.test", json!(["member"]), "User already exists"),
        ("not an email", json!(["member"]), "Invalid email"),
        ("other@acme.test", json!(["owner"]), "Invalid role"),
    ] {
        let (status, body) = h.call(invite(email, roles)).await;
        assert_eq!(
            (status, body["message"].as_str()),
            (400, Some(message)),
            "{email}"
        );
    }

    let (_, page) = h
        .call(h.widget(
            Method::GET,
            "/UserManagement/members?search=new.hire",
            &token,
            TYPE,
        ))
        .await;
    let row = &page["data"][0];
    assert_eq!(row["status"], "Invited");
    assert_eq!(row["actions"], json!(["resend-invite", "revoke-invite"]));
    let id = row["id"].as_str().unwrap();

    let (status, body) = h
        .call(h.widget(
            Method::POST,
            &format!("/UserManagement/invites/{id}/resend"),
            &token,
            TYPE,
        ))
        .await;
    assert_eq!((status, body["success"].clone()), (200, json!(true)));
    assert!(
        h.last_mail("new.hire@acme.test").await["subject"]
            .as_str()
            .unwrap()
            .starts_with("Reminder")
    );
    let (status, _) = h
        .call(h.widget(
            Method::DELETE,
            &format!("/UserManagement/invites/{id}"),
            &token,
            TYPE,
        ))
        .await;
    assert_eq!(status, 200);
    let (status, _) = h
        .call(h.widget(
            Method::DELETE,
            &format!("/UserManagement/invites/{id}"),
            &token,
            TYPE,
        ))
        .await;
    assert_eq!(status, 404, "already revoked");
    let (_, page) = h
        .call(h.widget(
            Method::GET,
            "/UserManagement/members?search=new.hire",
            &token,
            TYPE,
        ))
        .await;
    assert_eq!(page["data"], json!([]));
}

#[tokio::test]
async fn edits_roles_and_removes_members_but_never_yourself_or_the_last_admin() {
    let h = Harness::start().await;
    let token = admin_token(&h).await;
    let edit = |user: &str, roles: Value| {
        h.widget(
            Method::POST,
            &format!("/UserManagement/members/{user}"),
            &token,
            TYPE,
        )
        .json(&json!({"roles": roles}))
    };

    let (status, body) = h.call(edit(BOB_ID, json!(["admin"]))).await;
    assert_eq!(
        (status, body),
        (200, json!({"id": BOB_ID, "success": true}))
    );
    assert!(
        h.widget_token(BOB_ID, Some(ACME_ID), vec![WidgetsUsersTableManage])
            .await
            .is_ok(),
        "bob is admin now"
    );
    assert_eq!(h.call(edit(BOB_ID, json!(["owner"]))).await.0, 422);

    let (status, body) = h
        .call(h.widget(
            Method::DELETE,
            &format!("/UserManagement/members/{ALICE_ID}"),
            &token,
            TYPE,
        ))
        .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("yourself"));

    // Demote bob again, then alice is the last admin and cannot be demoted.
    assert_eq!(h.call(edit(BOB_ID, json!(["member"]))).await.0, 200);
    let (status, body) = h.call(edit(ALICE_ID, json!(["member"]))).await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("at least one admin")
    );

    let (status, _) = h
        .call(h.widget(
            Method::DELETE,
            &format!("/UserManagement/members/{BOB_ID}"),
            &token,
            TYPE,
        ))
        .await;
    assert_eq!(status, 200);
    let (_, page) = h
        .call(h.widget(
            Method::GET,
            "/UserManagement/members?search=bob",
            &token,
            TYPE,
        ))
        .await;
    assert_eq!(page["data"], json!([]));
    assert_eq!(
        h.call(h.widget(
            Method::DELETE,
            "/UserManagement/members/user_nobody",
            &token,
            TYPE
        ))
        .await
        .0,
        404
    );
}
