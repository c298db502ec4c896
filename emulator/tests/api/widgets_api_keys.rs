//! API keys: the ApiKeys widget's calls for organization keys (contract §7.1, K1–K5) and user keys
//! (§7.2, UK1–UK5), the public API the `workos` crate calls (`api_keys()`, user API keys), and the
//! organization-level widget tokens (contract §5, §8.1). Shapes are checked field by field against
//! the widgets' `endpoint.d.ts` types; the secret appears once.

use reqwest::Method;
use serde_json::{Value, json};
use workos::WidgetSessionTokenScopes::{
    WidgetsApiKeysManage, WidgetsSSOManage, WidgetsUsersTableManage,
};
use workos_emulator::EmulatorConfig;
use workos_emulator::seed::{ACME_ID, ALICE_ID, BOB_ID, CAROL_ID, GLOBEX_ID};

use crate::support::{Harness, payload, snapshot, status};

const KEYS: &str = "api-keys";
const USER_KEYS: &str = "user-api-keys";
const MANAGE_SELF: &str = "widgets:user-api-keys:manage-self";
const MANAGE_ALL: &str = "widgets:user-api-keys:manage-all";

/// The sorted field names of a JSON object.
fn fields(value: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = value
        .as_object()
        .unwrap_or_else(|| panic!("an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    names
}

/// Alice's Acme widget token for organization keys, as the app mints it (user-level).
async fn admin_keys_token(h: &Harness) -> String {
    h.widget_token(ALICE_ID, Some(ACME_ID), vec![WidgetsApiKeysManage])
        .await
        .unwrap()
}

/// A user's token for the user-scoped widget with these user API key scopes.
async fn user_keys_token(h: &Harness, user: &str, org: &str, scopes: &[&str]) -> String {
    let scopes = scopes
        .iter()
        .map(|s| workos::WidgetSessionTokenScopes::Unknown((*s).into()))
        .collect();
    h.widget_token(user, Some(org), scopes).await.unwrap()
}

/// An organization-level widget token (no user) with these scopes.
async fn organization_token(
    h: &Harness,
    org: &str,
    scopes: Vec<workos::WidgetSessionTokenScopes>,
) -> Result<String, workos::Error> {
    let body = workos::WidgetSessionToken {
        organization_id: Some(org.into()),
        user_id: None,
        scopes: Some(scopes),
    };
    h.workos
        .widgets()
        .create_token(workos::widgets::CreateTokenParams::new(body))
        .await
        .map(|r| r.token.expose().to_string())
}

/// K3 with `token`: the created key (201 asserted).
async fn create_key(h: &Harness, token: &str, body: Value) -> Value {
    let (status, created) = h
        .call(
            h.widget(Method::POST, "/ApiKeys/organization-api-keys", token, KEYS)
                .json(&body),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created
}

/// The environment's API key validation of `value` (`POST /api_keys/validations`).
async fn validate(h: &Harness, value: &str) -> Option<workos::ApiKey> {
    h.workos
        .api_keys()
        .create_validation(workos::api_keys::CreateValidationParams::new(
            workos::ValidateApiKey {
                value: value.to_string().into(),
            },
        ))
        .await
        .expect("validation answers")
        .api_key
}

#[tokio::test]
async fn an_admin_creates_an_organization_key_sees_its_secret_once_then_expires_and_revokes_it() {
    let h = Harness::start().await;
    let token = admin_keys_token(&h).await;

    // K2: the environment's API key permissions.
    let (status, permissions) = h
        .call(h.widget(Method::GET, "/ApiKeys/permissions?limit=100", &token, KEYS))
        .await;
    assert_eq!(status, 200, "{permissions}");
    assert_eq!(fields(&permissions), ["data", "list_metadata"]);
    assert_eq!(permissions["list_metadata"], json!({}));
    let slugs: Vec<&str> = permissions["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        slugs,
        [
            "posts:read",
            "posts:write",
            "comments:write",
            "users:read",
            "reports:export"
        ]
    );
    assert_eq!(
        fields(&permissions["data"][0]),
        ["description", "id", "name", "slug"]
    );
    assert_eq!(permissions["data"][0]["name"], "Read posts");

    // K1: none yet.
    let list = |token: &str| {
        h.widget(
            Method::GET,
            "/ApiKeys/organization-api-keys?limit=10",
            token,
            KEYS,
        )
    };
    let (status, empty) = h.call(list(&token)).await;
    assert_eq!(
        (status, empty),
        (200, json!({"data": [], "list_metadata": {}}))
    );

    // K3: the secret is in `value`, this once.
    let created = create_key(
        &h,
        &token,
        json!({"name": "  CI deploys  ", "permissions": ["posts:write", "posts:read"], "expiresAt": null}),
    )
    .await;
    assert_eq!(
        fields(&created),
        [
            "createdAt",
            "expiresAt",
            "id",
            "name",
            "obfuscatedValue",
            "permissions",
            "value"
        ]
    );
    let secret = created["value"].as_str().unwrap().to_string();
    assert!(
        secret.starts_with("sk_test_") && secret.len() >= 40,
        "{secret}"
    );
    assert_eq!(created["name"], "CI deploys", "the name is trimmed");
    assert_eq!(
        created["permissions"],
        json!(["posts:read", "posts:write"]),
        "in the environment's order"
    );
    assert_eq!(created["expiresAt"], Value::Null);
    let obfuscated = created["obfuscatedValue"].as_str().unwrap();
    assert!(obfuscated.starts_with("sk_test_"), "{obfuscated}");
    assert!(
        obfuscated.ends_with(&secret[secret.len() - 4..]),
        "{obfuscated}"
    );
    assert!(!obfuscated.contains(&secret[8..20]));
    let id = created["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("api_key_"), "{id}");

    // Afterwards only the obfuscated value: not in the list, not in the store.
    let (_, listed) = h.call(list(&token)).await;
    let row = &listed["data"][0];
    assert_eq!(
        fields(row),
        [
            "createdAt",
            "expiresAt",
            "id",
            "lastUsedAt",
            "name",
            "obfuscatedValue",
            "permissions"
        ]
    );
    assert_eq!(row["id"], id.as_str());
    assert_eq!(row["obfuscatedValue"], obfuscated);
    assert_eq!(row["lastUsedAt"], Value::Null);
    assert!(!listed.to_string().contains(&secret));
    assert!(
        !snapshot(&h).to_string().contains(&secret),
        "stored as a digest"
    );

    // The host app's API validates the secret; the key shows when it was last used.
    let validated = validate(&h, &secret).await.expect("a valid key");
    assert_eq!(validated.id, id);
    assert_eq!(validated.permissions, ["posts:read", "posts:write"]);
    assert!(validate(&h, "sk_test_not-a-key").await.is_none());
    let (_, listed) = h.call(list(&token)).await;
    assert!(listed["data"][0]["lastUsedAt"].is_string(), "{listed}");

    // K5: schedule an expiry, clear it, then expire now; an expired key stays expired.
    let expire = |body: Value| {
        h.widget(Method::POST, &format!("/ApiKeys/{id}/expire"), &token, KEYS)
            .json(&body)
    };
    let later = "2099-01-02T03:04:05.000Z";
    let (status, row) = h.call(expire(json!({"expiresAt": later}))).await;
    assert_eq!((status, &row["expiresAt"]), (200, &json!(later)), "{row}");
    assert_eq!(fields(&row), fields(&listed["data"][0]));
    let (status, row) = h.call(expire(json!({"expiresAt": null}))).await;
    assert_eq!((status, &row["expiresAt"]), (200, &Value::Null));
    assert!(validate(&h, &secret).await.is_some());
    let (status, row) = h
        .call(expire(json!({"expiresAt": "2020-01-01T00:00:00Z"})))
        .await;
    assert_eq!(status, 200, "{row}");
    assert!(
        validate(&h, &secret).await.is_none(),
        "expired keys do not validate"
    );
    let (status, refused) = h.call(expire(json!({"expiresAt": later}))).await;
    assert_eq!(status, 409, "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("expired"));

    // K4: revoke.
    let revoke = || h.widget(Method::DELETE, &format!("/ApiKeys/{id}"), &token, KEYS);
    assert_eq!(h.call(revoke()).await, (200, json!({"success": true})));
    let (_, listed) = h.call(list(&token)).await;
    assert_eq!(listed["data"], json!([]));
    assert_eq!(h.call(revoke()).await.0, 404);
}

#[tokio::test]
async fn bad_input_answers_422_or_400_with_the_field_and_changes_nothing() {
    let h = Harness::start().await;
    let token = admin_keys_token(&h).await;
    let before = snapshot(&h);
    for (body, code, field) in [
        (
            json!({"name": "   ", "permissions": []}),
            "required",
            "name",
        ),
        (
            json!({"name": "x".repeat(256), "permissions": []}),
            "too_long",
            "name",
        ),
        (
            json!({"name": "k", "permissions": ["widgets:api-keys:manage"]}),
            "invalid",
            "permissions",
        ),
        (
            json!({"name": "k", "permissions": [], "expiresAt": "tomorrow"}),
            "invalid_date",
            "expiresAt",
        ),
        (
            json!({"name": "k", "permissions": [], "expiresAt": "2020-01-01T00:00:00Z"}),
            "must_be_in_the_future",
            "expiresAt",
        ),
    ] {
        let (status, refused) = h
            .call(
                h.widget(Method::POST, "/ApiKeys/organization-api-keys", &token, KEYS)
                    .json(&body),
            )
            .await;
        assert_eq!(status, 422, "{body}: {refused}");
        assert_eq!(refused["errors"], json!([{"code": code, "field": field}]));
        assert!(!refused["message"].as_str().unwrap().is_empty());
    }
    // The wrong types, and malformed JSON.
    let (status, _) = h
        .call(
            h.widget(Method::POST, "/ApiKeys/organization-api-keys", &token, KEYS)
                .json(&json!({"name": 7})),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = h
        .call(
            h.widget(Method::POST, "/ApiKeys/organization-api-keys", &token, KEYS)
                .header("content-type", "application/json")
                .body("{"),
        )
        .await;
    assert_eq!(status, 400);
    // A bad page size: 400 naming `limit`.
    for limit in ["0", "101", "ten"] {
        let (status, refused) = h
            .call(h.widget(
                Method::GET,
                &format!("/ApiKeys/organization-api-keys?limit={limit}"),
                &token,
                KEYS,
            ))
            .await;
        assert_eq!(status, 400, "{limit}: {refused}");
        assert_eq!(refused["errors"][0]["field"], "limit");
    }
    assert_eq!(snapshot(&h), before);
}

#[tokio::test]
async fn the_list_pages_newest_first_like_the_widget_and_searches_by_name() {
    let h = Harness::start().await;
    let token = admin_keys_token(&h).await;
    let mut ids = Vec::new();
    for i in 0..12 {
        let name = if i % 4 == 0 {
            format!("Alpha {i}")
        } else {
            format!("Key {i}")
        };
        ids.push(
            create_key(&h, &token, json!({"name": name, "permissions": []})).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        // Distinct creation times (ordering is by time, then id).
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    ids.reverse(); // newest first
    let page = |query: String| {
        h.widget(
            Method::GET,
            &format!("/ApiKeys/organization-api-keys?limit=10{query}"),
            &token,
            KEYS,
        )
    };
    let names = |body: &Value| -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, first) = h.call(page(String::new())).await;
    assert_eq!(names(&first), ids[..10]);
    // "Next" is enabled by list_metadata.before and sends it as `before`.
    assert_eq!(first["list_metadata"], json!({"before": ids[9]}));
    let (_, second) = h.call(page(format!("&before={}", ids[9]))).await;
    assert_eq!(names(&second), ids[10..]);
    assert_eq!(second["list_metadata"], json!({"after": ids[10]}));
    // "Previous" sends `after`.
    let (_, back) = h.call(page(format!("&after={}", ids[10]))).await;
    assert_eq!(names(&back), ids[..10]);

    let (_, found) = h.call(page("&search=ALPHA".into())).await;
    let found: Vec<String> = found["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(found, ["Alpha 8", "Alpha 4", "Alpha 0"]);
    let (_, none) = h.call(page("&search=zzz".into())).await;
    assert_eq!(none["data"], json!([]));
    let (_, permissions) = h
        .call(h.widget(
            Method::GET,
            "/ApiKeys/permissions?limit=2&search=posts",
            &token,
            KEYS,
        ))
        .await;
    assert_eq!(permissions["data"].as_array().unwrap().len(), 2);
    assert_eq!(permissions["data"][1]["slug"], "posts:write");
}

#[tokio::test]
async fn organization_keys_are_isolated_and_need_the_scope() {
    let h = Harness::start().await;
    let alice = admin_keys_token(&h).await;
    let acme_key = create_key(&h, &alice, json!({"name": "Acme key", "permissions": []})).await;
    let id = acme_key["id"].as_str().unwrap().to_string();
    let carol = h
        .widget_token(CAROL_ID, Some(GLOBEX_ID), vec![WidgetsApiKeysManage])
        .await
        .unwrap();
    let globex_org_level = organization_token(&h, GLOBEX_ID, vec![WidgetsApiKeysManage])
        .await
        .unwrap();
    let before = snapshot(&h);
    for other in [&carol, &globex_org_level] {
        // Another organization's key is not found, whatever the call.
        let (status, list) = h
            .call(h.widget(Method::GET, "/ApiKeys/organization-api-keys", other, KEYS))
            .await;
        assert_eq!((status, list["data"].clone()), (200, json!([])));
        let (status, _) = h
            .call(h.widget(Method::DELETE, &format!("/ApiKeys/{id}"), other, KEYS))
            .await;
        assert_eq!(status, 404);
        let (status, _) = h
            .call(
                h.widget(Method::POST, &format!("/ApiKeys/{id}/expire"), other, KEYS)
                    .json(&json!({"expiresAt": null})),
            )
            .await;
        assert_eq!(status, 404);
    }
    // Tokens without the scope: a member's, an admin's token minted without it, an expired one.
    let bob = h.widget_token(BOB_ID, Some(ACME_ID), vec![]).await.unwrap();
    let alice_without = h
        .widget_token(ALICE_ID, Some(ACME_ID), vec![])
        .await
        .unwrap();
    let mut expired = payload(&alice);
    let now = workos_emulator::clock::now().unix_timestamp();
    expired["iat"] = json!(now - 3700);
    expired["exp"] = json!(now - 100);
    let expired = h.emulator.environment().keys.sign(&expired);
    for (token, message) in [
        (&bob, "lacks the 'widgets:api-keys:manage' permission"),
        (
            &alice_without,
            "lacks the 'widgets:api-keys:manage' permission",
        ),
        (&expired, "Widget token expired."),
    ] {
        for request in [
            h.widget(Method::GET, "/ApiKeys/organization-api-keys", token, KEYS),
            h.widget(Method::GET, "/ApiKeys/permissions", token, KEYS),
            h.widget(Method::POST, "/ApiKeys/organization-api-keys", token, KEYS)
                .json(&json!({"name": "nope", "permissions": []})),
            h.widget(Method::DELETE, &format!("/ApiKeys/{id}"), token, KEYS),
            h.widget(Method::POST, &format!("/ApiKeys/{id}/expire"), token, KEYS)
                .json(&json!({"expiresAt": null})),
        ] {
            let (status, refused) = h.call(request).await;
            assert_eq!(status, 403, "{refused}");
            assert!(
                refused["message"].as_str().unwrap().contains(message),
                "{refused}"
            );
        }
    }
    assert_eq!(snapshot(&h), before, "no refused call changed anything");
    // The organization-level token of Acme itself manages Acme's keys.
    let acme_org_level = organization_token(&h, ACME_ID, vec![WidgetsApiKeysManage])
        .await
        .unwrap();
    let (status, list) = h
        .call(h.widget(
            Method::GET,
            "/ApiKeys/organization-api-keys",
            &acme_org_level,
            KEYS,
        ))
        .await;
    assert_eq!((status, list["data"][0]["id"].clone()), (200, json!(id)));
}

#[tokio::test]
async fn members_manage_their_own_user_keys_and_admins_manage_everyones() {
    let h = Harness::start().await;
    let bob = user_keys_token(&h, BOB_ID, ACME_ID, &[MANAGE_SELF]).await;
    let alice = user_keys_token(&h, ALICE_ID, ACME_ID, &[MANAGE_SELF, MANAGE_ALL]).await;
    assert_eq!(
        h.widget_token(
            BOB_ID,
            Some(ACME_ID),
            vec![workos::WidgetSessionTokenScopes::Unknown(MANAGE_ALL.into())]
        )
        .await
        .map(|_| ())
        .map_err(|e| status(&e)),
        Err(403),
        "a member's role does not grant manage-all"
    );
    let create = |token: &str, name: &str| {
        h.widget(Method::POST, "/UserApiKeys/api-keys", token, USER_KEYS)
            .json(&json!({"name": name, "permissions": ["posts:read"], "expiresAt": "2099-01-01T00:00:00.000Z"}))
    };
    let (status, bobs) = h.call(create(&bob, "Bob's script")).await;
    assert_eq!(status, 201, "{bobs}");
    assert_eq!(
        fields(&bobs),
        [
            "createdAt",
            "expiresAt",
            "id",
            "name",
            "obfuscatedValue",
            "permissions",
            "value"
        ]
    );
    assert_eq!(bobs["expiresAt"], "2099-01-01T00:00:00.000Z");
    let bobs_id = bobs["id"].as_str().unwrap().to_string();
    let (_, alices) = h.call(create(&alice, "Alice's laptop")).await;
    let alices_id = alices["id"].as_str().unwrap().to_string();

    let list = |token: &str| {
        h.widget(
            Method::GET,
            "/UserApiKeys/api-keys?limit=10",
            token,
            USER_KEYS,
        )
    };
    // manage-self: Bob's own key only, with its owner.
    let (status, own) = h.call(list(&bob)).await;
    assert_eq!(status, 200, "{own}");
    assert_eq!(own["data"].as_array().unwrap().len(), 1);
    let row = &own["data"][0];
    assert_eq!(
        fields(row),
        [
            "createdAt",
            "expiresAt",
            "id",
            "lastUsedAt",
            "name",
            "obfuscatedValue",
            "owner",
            "permissions"
        ]
    );
    assert_eq!(
        row["owner"],
        json!({"type": "user", "id": BOB_ID, "email": "bob@acme.test", "firstName": "Bob", "lastName": "Baker", "displayName": "Bob Baker"})
    );
    assert!(!own.to_string().contains(&alices_id));
    // manage-all: everyone's, newest first.
    let (_, all) = h.call(list(&alice)).await;
    let ids: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [alices_id.as_str(), bobs_id.as_str()]);
    let (_, searched) = h
        .call(h.widget(
            Method::GET,
            "/UserApiKeys/api-keys?search=script",
            &alice,
            USER_KEYS,
        ))
        .await;
    assert_eq!(searched["data"][0]["id"], bobs_id.as_str());
    assert_eq!(searched["data"].as_array().unwrap().len(), 1);
    let (status, permissions) = h
        .call(h.widget(
            Method::GET,
            "/UserApiKeys/permissions?limit=100",
            &bob,
            USER_KEYS,
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(permissions["data"].as_array().unwrap().len(), 5);

    // Bob cannot touch Alice's key (not found for him); Alice can expire and revoke Bob's.
    let before = snapshot(&h);
    let (status, _) = h
        .call(h.widget(
            Method::DELETE,
            &format!("/UserApiKeys/{alices_id}"),
            &bob,
            USER_KEYS,
        ))
        .await;
    assert_eq!(status, 404);
    let (status, _) = h
        .call(
            h.widget(
                Method::POST,
                &format!("/UserApiKeys/{alices_id}/expire"),
                &bob,
                USER_KEYS,
            )
            .json(&json!({"expiresAt": null})),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(snapshot(&h), before);
    let (status, expired) = h
        .call(
            h.widget(
                Method::POST,
                &format!("/UserApiKeys/{bobs_id}/expire"),
                &alice,
                USER_KEYS,
            )
            .json(&json!({"expiresAt": null})),
        )
        .await;
    assert_eq!(status, 200, "{expired}");
    assert_eq!(expired["expiresAt"], Value::Null);
    assert_eq!(expired["owner"]["id"], BOB_ID);
    assert_eq!(
        h.call(h.widget(
            Method::DELETE,
            &format!("/UserApiKeys/{bobs_id}"),
            &alice,
            USER_KEYS,
        ))
        .await,
        (200, json!({"success": true}))
    );
    // Bob's own: he may delete it himself.
    let (_, again) = h.call(create(&bob, "Bob's second")).await;
    let again = again["id"].as_str().unwrap().to_string();
    assert_eq!(
        h.call(h.widget(
            Method::DELETE,
            &format!("/UserApiKeys/{again}"),
            &bob,
            USER_KEYS,
        ))
        .await
        .0,
        200
    );

    // User keys and organization keys do not mix, and organizations do not mix.
    let org_token = admin_keys_token(&h).await;
    let org_key = create_key(&h, &org_token, json!({"name": "Org", "permissions": []})).await;
    let org_key = org_key["id"].as_str().unwrap();
    let (status, _) = h
        .call(h.widget(
            Method::DELETE,
            &format!("/UserApiKeys/{org_key}"),
            &alice,
            USER_KEYS,
        ))
        .await;
    assert_eq!(status, 404);
    let (status, _) = h
        .call(h.widget(
            Method::DELETE,
            &format!("/ApiKeys/{alices_id}"),
            &org_token,
            KEYS,
        ))
        .await;
    assert_eq!(status, 404);
    let alice_globex = user_keys_token(&h, ALICE_ID, GLOBEX_ID, &[MANAGE_SELF]).await;
    let (_, globex) = h.call(list(&alice_globex)).await;
    assert_eq!(
        globex["data"],
        json!([]),
        "her Acme key is not a Globex key"
    );
    let carol = user_keys_token(&h, CAROL_ID, GLOBEX_ID, &[MANAGE_SELF, MANAGE_ALL]).await;
    let (status, _) = h
        .call(h.widget(
            Method::DELETE,
            &format!("/UserApiKeys/{alices_id}"),
            &carol,
            USER_KEYS,
        ))
        .await;
    assert_eq!(status, 404);

    // Without either scope, or with an organization-level token: 403.
    let scopeless = h.widget_token(BOB_ID, Some(ACME_ID), vec![]).await.unwrap();
    let org_level = organization_token(&h, ACME_ID, vec![WidgetsApiKeysManage])
        .await
        .unwrap();
    for token in [&scopeless, &org_level] {
        let (status, refused) = h.call(list(token)).await;
        assert_eq!(status, 403, "{refused}");
        let (status, _) = h.call(create(token, "nope")).await;
        assert_eq!(status, 403);
    }
}

#[tokio::test]
async fn organization_level_widget_tokens_carry_the_organization_and_admin_portal_scopes_only() {
    let h = Harness::start().await;
    let token = organization_token(&h, ACME_ID, vec![WidgetsSSOManage, WidgetsApiKeysManage])
        .await
        .unwrap();
    let claims = payload(&token);
    assert_eq!(claims["sub"], ACME_ID);
    assert_eq!(claims["org_id"], ACME_ID);
    assert_eq!(
        claims["permissions"],
        json!(["widgets:sso:manage", "widgets:api-keys:manage"])
    );
    assert!(
        claims.get("sid").is_none() && claims.get("role").is_none(),
        "{claims}"
    );
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );

    // Scopes whose widgets act as a user need a user.
    for scope in [
        WidgetsUsersTableManage,
        workos::WidgetSessionTokenScopes::Unknown(MANAGE_SELF.into()),
    ] {
        let err = organization_token(&h, ACME_ID, vec![scope])
            .await
            .unwrap_err();
        assert_eq!(status(&err), 400, "{err}");
        assert!(err.to_string().contains("user_id"), "{err}");
    }
    assert_eq!(
        status(
            &organization_token(&h, "org_nowhere", vec![])
                .await
                .unwrap_err()
        ),
        404
    );
    // Neither a user nor an organization.
    let (status_code, refused) = h
        .call(
            h.http
                .post(h.url("/widgets/token"))
                .bearer_auth("sk_test_emulator")
                .json(&json!({"scopes": []})),
        )
        .await;
    assert_eq!(status_code, 400, "{refused}");
    assert_eq!(refused["code"], "user_id_required");

    // A widget that acts as a user refuses an organization-level token.
    let (status_code, refused) = h
        .call(h.widget(Method::GET, "/UserProfile/me", &token, "user-profile"))
        .await;
    assert_eq!(status_code, 403, "{refused}");
    // A member's token: manage-self comes from the member role.
    let bob = user_keys_token(&h, BOB_ID, ACME_ID, &[MANAGE_SELF]).await;
    assert_eq!(payload(&bob)["permissions"], json!([MANAGE_SELF]));
}

#[tokio::test]
async fn the_public_api_manages_and_validates_keys_as_the_workos_crate_expects() {
    let h = Harness::start().await;
    let keys = h.workos.api_keys();
    let created = keys
        .create_organization_api_key(
            ACME_ID,
            workos::api_keys::CreateOrganizationApiKeyParams::new(
                workos::CreateOrganizationApiKey {
                    name: "Backend".into(),
                    permissions: Some(vec!["users:read".into()]),
                    expires_at: None,
                },
            ),
        )
        .await
        .unwrap();
    assert_eq!(created.object, "api_key");
    assert_eq!(
        (created.owner.type_.as_str(), created.owner.id.as_str()),
        ("organization", ACME_ID)
    );
    let secret = created.value.expose().to_string();
    assert!(secret.starts_with("sk_test_"));
    assert!(created.last_used_at.is_none());

    // The secret authenticates the host app's API, not WorkOS's.
    let validated = validate(&h, &secret).await.unwrap();
    assert_eq!(validated.id, created.id);
    match &validated.owner {
        workos::ApiKeyOwnerOneOf::ApiKeyOwner(owner) => assert_eq!(owner.id, ACME_ID),
        other => panic!("an organization owner: {other:?}"),
    }
    assert!(validated.last_used_at.is_some(), "validation is a use");
    let with_key = workos::Client::builder()
        .api_key(secret.clone())
        .base_url(h.emulator.base_url())
        .max_retries(0)
        .build();
    assert_eq!(
        status(
            &with_key
                .organizations()
                .get_organization(ACME_ID)
                .await
                .unwrap_err()
        ),
        401,
        "an organization API key is not the environment's API key"
    );

    // Lists page with WorkOS cursors (after = next page), newest first.
    for i in 0..2 {
        keys.create_organization_api_key(
            ACME_ID,
            workos::api_keys::CreateOrganizationApiKeyParams::new(
                workos::CreateOrganizationApiKey {
                    name: format!("More {i}"),
                    permissions: None,
                    expires_at: None,
                },
            ),
        )
        .await
        .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let params = workos::api_keys::ListOrganizationApiKeysParams {
        limit: Some(2),
        ..Default::default()
    };
    let page = keys
        .list_organization_api_keys(ACME_ID, params.clone())
        .await
        .unwrap();
    assert_eq!(page.object, "list");
    let names: Vec<&str> = page.data.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(names, ["More 1", "More 0"]);
    let next = keys
        .list_organization_api_keys(
            ACME_ID,
            workos::api_keys::ListOrganizationApiKeysParams {
                after: page.list_metadata.after.clone(),
                ..params.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(next.data[0].id, created.id);
    assert!(next.list_metadata.after.is_none());
    assert_eq!(
        status(
            &keys
                .list_organization_api_keys("org_nowhere", params.clone())
                .await
                .unwrap_err()
        ),
        404
    );
    let refused = keys
        .create_organization_api_key(
            ACME_ID,
            workos::api_keys::CreateOrganizationApiKeyParams::new(
                workos::CreateOrganizationApiKey {
                    name: "x".into(),
                    permissions: Some(vec!["nope:nope".into()]),
                    expires_at: None,
                },
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(status(&refused), 422);

    // Expire: a schedule, then now (no expires_at); deletion.
    let expire = |expires_at: Option<String>| {
        keys.create_api_key_expire(
            &created.id,
            workos::api_keys::CreateApiKeyExpireParams::new(workos::ExpireApiKey { expires_at }),
        )
    };
    let scheduled = expire(Some("2099-06-01T00:00:00.000Z".into()))
        .await
        .unwrap();
    assert_eq!(
        scheduled.expires_at.as_deref(),
        Some("2099-06-01T00:00:00.000Z")
    );
    expire(None).await.unwrap();
    assert!(validate(&h, &secret).await.is_none(), "expired now");
    assert_eq!(status(&expire(None).await.unwrap_err()), 409);
    keys.delete_api_key(&created.id).await.unwrap();
    assert_eq!(
        status(&keys.delete_api_key(&created.id).await.unwrap_err()),
        404
    );

    // User API keys: for active members only; they stop validating when the owner leaves.
    let users = h.workos.user_management();
    let user_key = users
        .create_user_api_key(
            BOB_ID,
            workos::user_management::CreateUserApiKeyParams::new(workos::CreateUserApiKey {
                name: "Bob's CLI".into(),
                organization_id: ACME_ID.into(),
                permissions: Some(vec!["posts:read".into()]),
                expires_at: None,
            }),
        )
        .await
        .unwrap();
    assert_eq!(user_key.owner.id, BOB_ID);
    assert_eq!(user_key.owner.organization_id, ACME_ID);
    let not_member = users
        .create_user_api_key(
            BOB_ID,
            workos::user_management::CreateUserApiKeyParams::new(workos::CreateUserApiKey {
                name: "Elsewhere".into(),
                organization_id: GLOBEX_ID.into(),
                permissions: None,
                expires_at: None,
            }),
        )
        .await
        .unwrap_err();
    assert_eq!(status(&not_member), 422);
    let listed = users
        .list_user_api_keys(
            BOB_ID,
            workos::user_management::ListUserApiKeysParams {
                organization_id: Some(ACME_ID.into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(listed.data.len(), 1);
    assert_eq!(listed.data[0].id, user_key.id);
    let bob_secret = user_key.value.expose().to_string();
    assert!(validate(&h, &bob_secret).await.is_some());
    {
        let mut data = h.emulator.environment().store.write();
        let membership = data.membership(BOB_ID, ACME_ID).unwrap().id.clone();
        data.memberships.remove(&membership);
    }
    assert!(validate(&h, &bob_secret).await.is_none(), "Bob left Acme");
}

#[tokio::test]
async fn keys_survive_a_restart_with_a_state_file_and_a_reset_removes_them() {
    let dir = std::env::temp_dir().join(format!("workos-emulator-keys-{}", ulid::Ulid::new()));
    let config = EmulatorConfig {
        state_path: Some(dir.join("state.json")),
        signing_key_path: Some(dir.join("key.pem")),
        ..EmulatorConfig::default()
    };
    let h = Harness::with_config(config.clone()).await;
    let token = admin_keys_token(&h).await;
    let created = create_key(&h, &token, json!({"name": "Durable", "permissions": []})).await;
    let secret = created["value"].as_str().unwrap().to_string();
    let Harness { emulator, .. } = h;
    emulator.shutdown().await;

    let h = Harness::with_config(config).await;
    let validated = validate(&h, &secret)
        .await
        .expect("the key survived the restart");
    assert_eq!(validated.name, "Durable");
    let (status, _) = h.call(h.http.post(h.url("/_emulator/reset"))).await;
    assert_eq!(status, 200);
    assert!(
        validate(&h, &secret).await.is_none(),
        "a reset goes back to the seed"
    );
    assert_eq!(
        h.emulator
            .environment()
            .store
            .read()
            .api_key_permissions
            .len(),
        5,
        "the seed's permissions are back"
    );
    let _ = std::fs::remove_dir_all(dir);
}
