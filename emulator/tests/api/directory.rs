//! Users, organizations and organization memberships, decoded with the `workos` crate.

use workos::organization_membership::ListOrganizationMembershipsParams;
use workos::user_management::ListUsersParams;
use workos_emulator::seed::{ACME_ID, ALICE_ID, GLOBEX_ID, INITECH_ID};

use crate::support::{Harness, status};

#[tokio::test]
async fn users_organizations_and_memberships_decode_and_filter() {
    let h = Harness::start().await;
    let um = h.workos.user_management();

    let alice = um.get_user(ALICE_ID).await.unwrap();
    assert_eq!(
        (alice.email.as_str(), alice.last_name.as_deref()),
        ("alice@acme.test", Some("Adams"))
    );
    assert_eq!(status(&um.get_user("user_missing").await.unwrap_err()), 404);

    let by_email = um
        .list_users(ListUsersParams {
            email: Some("ALICE@acme.test".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(by_email.data.len(), 1);
    assert_eq!(by_email.data[0].id, ALICE_ID);

    let globex_users = um
        .list_users(ListUsersParams {
            organization_id: Some(GLOBEX_ID.into()),
            limit: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut emails: Vec<_> = globex_users.data.iter().map(|u| u.email.as_str()).collect();
    emails.sort();
    assert_eq!(emails, ["alice@acme.test", "carol@globex.test"]);

    // Acme has alice, bob and 25 more: 27 members, paged by 10.
    let first = um
        .list_users(ListUsersParams {
            organization_id: Some(ACME_ID.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(first.data.len(), 10);
    let after = first.list_metadata.after.clone().expect("more pages");
    let second = um
        .list_users(ListUsersParams {
            organization_id: Some(ACME_ID.into()),
            after: Some(after),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(second.data.len(), 10);
    assert!(
        second
            .data
            .iter()
            .all(|u| first.data.iter().all(|f| f.id != u.id))
    );

    let acme = h
        .workos
        .organizations()
        .get_organization(ACME_ID)
        .await
        .unwrap();
    assert_eq!(acme.name, "Acme Corp");
    assert_eq!(
        status(
            &h.workos
                .organizations()
                .get_organization("org_missing")
                .await
                .unwrap_err()
        ),
        404
    );

    let memberships = h
        .workos
        .organization_membership()
        .list_organization_memberships(ListOrganizationMembershipsParams {
            user_id: Some(ALICE_ID.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut roles: Vec<_> = memberships
        .data
        .iter()
        .map(|m| (m.organization_id.clone(), m.role.slug.clone()))
        .collect();
    roles.sort();
    let mut expected = vec![
        (ACME_ID.to_string(), "admin".to_string()),
        (GLOBEX_ID.to_string(), "member".to_string()),
        (INITECH_ID.to_string(), "member".to_string()),
    ];
    expected.sort();
    assert_eq!(roles, expected);
}

#[tokio::test]
async fn a_wrong_api_key_is_refused_with_401() {
    let h = Harness::start().await;
    let other = workos::Client::builder()
        .api_key("sk_test_wrong")
        .client_id("client_emulator")
        .base_url(h.emulator.base_url())
        .max_retries(0)
        .build();
    assert_eq!(
        status(
            &other
                .user_management()
                .get_user(ALICE_ID)
                .await
                .unwrap_err()
        ),
        401
    );
    let none = h
        .http
        .get(h.url(&format!("/user_management/users/{ALICE_ID}")))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    // Only the emulator's own health check needs no key.
    let health: serde_json::Value = h
        .http
        .get(h.url("/_emulator/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
}
