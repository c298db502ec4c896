//! Pipes and PipesAdmin (contract §7.7 I1–I6, G1; §7.8 J1–J8) and the OAuth popup: the seed's
//! catalogue in the shapes the shipped widgets read (`lib/pipes.js`, `lib/pipes-admin.js`), API-key
//! and client-credentials connections, the popup's handoff and consent (Allow, Deny, a page that
//! was not handed the token), the organization's provider settings deciding what members see, the
//! organization's shared accounts, and persistence, reset, faults and CORS of the new routes.

use reqwest::Method;
use serde_json::{Value, json};
use workos::WidgetSessionTokenScopes::WidgetsPipesManage;
use workos_emulator::EmulatorConfig;
use workos_emulator::seed::{ACME_ID, ALICE_ID, BOB_ID, CAROL_ID, GLOBEX_ID};

use crate::support::{Harness, snapshot};
use crate::widgets_admin_portal::has_keys;

pub const PIPES: &str = "pipes";
pub const PIPES_ADMIN: &str = "pipes-admin";

/// A member's Pipes token (no scope), as the app mints it.
pub async fn member_token(h: &Harness, user: &str, organization: &str) -> String {
    h.widget_token(user, Some(organization), vec![])
        .await
        .unwrap()
}

/// An admin's PipesAdmin token (`widgets:pipes:manage`).
pub async fn admin_token(h: &Harness, user: &str, organization: &str) -> String {
    h.widget_token(user, Some(organization), vec![WidgetsPipesManage])
        .await
        .unwrap()
}

async fn call(
    h: &Harness,
    method: Method,
    path: &str,
    token: &str,
    widget: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = h.widget(method, path, token, widget);
    if let Some(body) = body {
        request = request.json(&body);
    }
    h.call(request).await
}

/// The slugs of a `{data: [...]}` answer, in order.
fn slugs(list: &Value) -> Vec<&str> {
    list["data"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {list}"))
        .iter()
        .map(|r| r["slug"].as_str().unwrap())
        .collect()
}

fn row<'a>(list: &'a Value, slug: &str) -> &'a Value {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["slug"] == slug)
        .unwrap_or_else(|| panic!("{slug} in {list}"))
}

/// The widgets' `DataInstallation`.
fn check_installation(i: &Value) {
    has_keys(
        i,
        &[
            "object",
            "id",
            "user_id",
            "organization_id",
            "scopes",
            "auth_method",
            "api_key_last_4",
            "client_id",
            "client_secret_last_4",
            "config",
            "state",
            "created_at",
            "updated_at",
        ],
    );
    assert_eq!(i["object"], "data_installation");
    assert!(i["id"].as_str().unwrap().starts_with("data_installation_"));
    assert!(i["scopes"].is_array() && i["config"].is_object());
    assert!(["connected", "needs_reauthorization"].contains(&i["state"].as_str().unwrap()));
}

/// The widgets' `DataIntegration` with `connected_accounts` (I1 rows).
fn check_integration(r: &Value) {
    has_keys(
        r,
        &[
            "object",
            "id",
            "name",
            "description",
            "slug",
            "integrationType",
            "ownership",
            "credentialsType",
            "scopes",
            "createdAt",
            "updatedAt",
            "installation",
            "configFields",
            "config",
            "iconSlug",
            "authMethods",
            "connected_accounts",
        ],
    );
    assert_eq!(r["object"], "data_integration");
    assert_eq!(r["iconSlug"], r["slug"], "icons by the widget's own slugs");
    if !r["installation"].is_null() {
        check_installation(&r["installation"]);
    }
}

/// Starts an OAuth connection (I3) and returns `{url, redirectToken, handoffToken}`.
async fn authorize(h: &Harness, token: &str, slug: &str) -> Value {
    let (status, body) = call(
        h,
        Method::POST,
        &format!("/DataIntegrations/{slug}/authorize"),
        token,
        PIPES,
        Some(json!({"requireHandoff": true})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    has_keys(&body, &["url", "redirectToken", "handoffToken"]);
    body
}

/// The popup: opens the consent page, hands it the token, and decides. Returns the decision
/// page's status and text.
async fn consent(h: &Harness, authorization: &Value, decision: &str) -> (u16, String) {
    let token = authorization["redirectToken"].as_str().unwrap();
    assert_eq!(
        authorization["url"].as_str().unwrap(),
        h.url(&format!("/pipes/authorize/{token}"))
    );
    let page = h
        .http
        .get(h.url(&format!("/pipes/authorize/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let handoff = h
        .http
        .post(h.url(&format!("/pipes/authorize/{token}/handoff")))
        .json(&json!({"handoffToken": authorization["handoffToken"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(handoff.status(), 200);
    let consent_token = handoff.json::<Value>().await.unwrap()["consentToken"]
        .as_str()
        .unwrap()
        .to_string();
    let answer = h
        .http
        .post(h.url(&format!("/pipes/authorize/{token}")))
        .form(&[
            ("consent_token", consent_token.as_str()),
            ("decision", decision),
        ])
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

#[tokio::test]
async fn settings_and_the_catalogue_in_the_shipped_shapes() {
    let h = Harness::start().await;
    let bob = member_token(&h, BOB_ID, ACME_ID).await;
    let (status, settings) = call(&h, Method::GET, "/settings", &bob, PIPES, None).await;
    assert_eq!(status, 200);
    has_keys(
        &settings,
        &[
            "object",
            "authkitOrigin",
            "teamName",
            "logoDarkIconPath",
            "logoDarkPath",
            "logoLightIconPath",
            "logoLightPath",
        ],
    );
    assert_eq!(settings["object"], "settings");
    assert_eq!(settings["authkitOrigin"], h.emulator.base_url());
    assert_eq!(settings["teamName"], "Account");

    let (status, mine) = call(&h, Method::GET, "/DataIntegrations/mine", &bob, PIPES, None).await;
    assert_eq!(status, 200);
    // Linear is off until an organization enables it; HubSpot needs the organization's own OAuth
    // client; Notion and Sentry are the organization's.
    assert_eq!(
        slugs(&mine),
        ["github", "slack", "datadog", "snowflake"],
        "{mine}"
    );
    for r in mine["data"].as_array().unwrap() {
        check_integration(r);
        assert_eq!(r["ownership"], "userland_user");
        assert!(r["installation"].is_null() && r["connected_accounts"] == json!([]));
    }
    let github = row(&mine, "github");
    assert_eq!(github["authMethods"], json!(["oauth"]));
    assert_eq!(github["credentialsType"], "shared");
    assert_eq!(github["scopes"], json!(["repo", "read:user"]));
    assert_eq!(row(&mine, "datadog")["authMethods"], json!(["api_key"]));
    assert_eq!(
        row(&mine, "snowflake")["authMethods"],
        json!(["client_credentials"])
    );

    // No shared account yet.
    let (status, shared) = call(
        &h,
        Method::GET,
        "/DataIntegrations/shared-connections",
        &bob,
        PIPES,
        None,
    )
    .await;
    assert_eq!((status, shared), (200, json!({"data": []})));

    // Icons for the popup's pages, for every provider; nothing else.
    for slug in ["github", "slack", "linear", "hubspot", "datadog", "notion"] {
        let icon = h
            .http
            .get(h.url(&format!("/pipes/icons/{slug}.svg")))
            .send()
            .await
            .unwrap();
        assert_eq!(icon.status(), 200, "{slug}");
        assert_eq!(icon.headers()["content-type"], "image/svg+xml");
        assert!(icon.text().await.unwrap().starts_with("<svg"));
    }
    for bad in ["nope.svg", "github.png", "github"] {
        let icon = h
            .http
            .get(h.url(&format!("/pipes/icons/{bad}")))
            .send()
            .await
            .unwrap();
        assert_eq!(icon.status(), 404, "{bad}");
    }
}

#[tokio::test]
async fn api_key_and_client_credentials_connect_rotate_and_disconnect() {
    let h = Harness::start().await;
    let bob = member_token(&h, BOB_ID, ACME_ID).await;
    let alice = member_token(&h, ALICE_ID, ACME_ID).await;
    let put = |token: &str, path: &str, body: Value| {
        let token = token.to_string();
        let path = path.to_string();
        let h = &h;
        async move { call(h, Method::PUT, &path, &token, PIPES, Some(body)).await }
    };
    // Bad input: blank secret, a provider without API keys, an unknown or disabled provider.
    let (status, body) = put(
        &bob,
        "/DataIntegrations/datadog/api-key",
        json!({"secret": "  "}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("secret"));
    let (status, _) = put(
        &bob,
        "/DataIntegrations/github/api-key",
        json!({"secret": "k"}),
    )
    .await;
    assert_eq!(status, 400);
    for slug in ["nope", "linear", "hubspot", "notion"] {
        let (status, body) = put(
            &bob,
            &format!("/DataIntegrations/{slug}/api-key"),
            json!({"secret": "k"}),
        )
        .await;
        assert_eq!(status, 404, "{slug}: {body}");
    }
    let (status, _) = put(&bob, "/DataIntegrations/datadog/api-key", json!({})).await;
    assert_eq!(status, 422, "a body without secret");

    let (status, installed) = put(
        &bob,
        "/DataIntegrations/datadog/api-key",
        json!({"secret": "dd-api-key-1234"}),
    )
    .await;
    assert_eq!(status, 200, "{installed}");
    check_installation(&installed);
    assert_eq!(installed["auth_method"], "api_key");
    assert_eq!(installed["api_key_last_4"], "1234");
    assert_eq!(installed["user_id"], BOB_ID);
    assert_eq!(installed["organization_id"], ACME_ID);
    assert_eq!(installed["state"], "connected");
    assert!(
        !installed.to_string().contains("dd-api-key"),
        "the key is not kept"
    );

    // Rotating keeps the account.
    let (status, rotated) = put(
        &bob,
        "/DataIntegrations/datadog/api-key",
        json!({"secret": "dd-api-key-9876"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(rotated["id"], installed["id"]);
    assert_eq!(rotated["api_key_last_4"], "9876");

    let (_, mine) = call(&h, Method::GET, "/DataIntegrations/mine", &bob, PIPES, None).await;
    let datadog = row(&mine, "datadog");
    check_integration(datadog);
    assert_eq!(datadog["installation"]["id"], installed["id"]);
    assert_eq!(datadog["connected_accounts"].as_array().unwrap().len(), 1);
    // Alice (same organization) sees her own accounts only.
    let (_, hers) = call(
        &h,
        Method::GET,
        "/DataIntegrations/mine",
        &alice,
        PIPES,
        None,
    )
    .await;
    assert!(row(&hers, "datadog")["installation"].is_null());

    // Client credentials: config replaced when given, kept when absent.
    let (status, snow) = call(
        &h,
        Method::PUT,
        "/DataIntegrations/snowflake/client-credentials",
        &bob,
        PIPES,
        Some(json!({"client_id": "svc-reporting", "client_secret": "s3cr3t-abcd", "config": {"account": "acme-eu"}})),
    )
    .await;
    assert_eq!(status, 200, "{snow}");
    check_installation(&snow);
    assert_eq!(snow["auth_method"], "client_credentials");
    assert_eq!(snow["client_id"], "svc-reporting");
    assert_eq!(snow["client_secret_last_4"], "abcd");
    assert_eq!(snow["config"], json!({"account": "acme-eu"}));
    let (_, again) = put(
        &bob,
        "/DataIntegrations/snowflake/client-credentials",
        json!({"client_id": "svc-reporting-2", "client_secret": "other-wxyz"}),
    )
    .await;
    assert_eq!(again["id"], snow["id"]);
    assert_eq!(again["config"], json!({"account": "acme-eu"}));
    let (status, _) = put(
        &bob,
        "/DataIntegrations/snowflake/client-credentials",
        json!({"client_id": "", "client_secret": "x"}),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = put(
        &bob,
        "/DataIntegrations/datadog/client-credentials",
        json!({"client_id": "a", "client_secret": "b"}),
    )
    .await;
    assert_eq!(status, 400, "datadog has no client credentials");

    // 409: an account connected another way (here: through OAuth) must be disconnected first.
    let github = authorize(&h, &bob, "github").await;
    assert_eq!(consent(&h, &github, "allow").await.0, 200);
    {
        let mut data = h.emulator.environment().store.write();
        let integration = data.data_integration("github").unwrap().clone();
        let mut with_keys = integration.clone();
        with_keys
            .auth_methods
            .push(workos_emulator::entities::pipes::AuthMethod::ApiKey);
        data.data_integrations[0] = with_keys;
    }
    let (status, body) = put(
        &bob,
        "/DataIntegrations/github/api-key",
        json!({"secret": "gh"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("disconnect it first")
    );

    // Disconnect: only one's own account.
    let id = installed["id"].as_str().unwrap();
    let path = format!("/DataIntegrations/installations/{id}");
    let before = snapshot(&h);
    let (status, _) = call(
        &h,
        Method::DELETE,
        &format!("/DataIntegrations/installations/{id}"),
        &alice,
        PIPES,
        None,
    )
    .await;
    assert_eq!(status, 404, "Alice cannot disconnect Bob's account");
    assert_eq!(before, snapshot(&h));
    let (status, body) = call(&h, Method::DELETE, &path, &bob, PIPES, None).await;
    assert_eq!((status, body), (200, json!({"success": true})));
    let (status, _) = call(&h, Method::DELETE, &path, &bob, PIPES, None).await;
    assert_eq!(status, 404, "gone");
    let (_, mine) = call(&h, Method::GET, "/DataIntegrations/mine", &bob, PIPES, None).await;
    assert!(row(&mine, "datadog")["installation"].is_null());
}

#[tokio::test]
async fn the_oauth_popup_checks_the_handoff_and_records_consent() {
    let h = Harness::start().await;
    let bob = member_token(&h, BOB_ID, ACME_ID).await;

    let redirecting = h
        .http
        .get(h.url("/pipes/redirecting"))
        .send()
        .await
        .unwrap();
    assert_eq!(redirecting.status(), 200);
    assert!(redirecting.text().await.unwrap().contains("Connecting"));
    let script = h.http.get(h.url("/pipes/handoff.js")).send().await.unwrap();
    assert_eq!(script.status(), 200);
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(
        script
            .text()
            .await
            .unwrap()
            .contains("postMessage({ redirectToken }")
    );
    let callback = h.http.get(h.url("/pipes/callback")).send().await.unwrap();
    assert_eq!(callback.status(), 200);

    // Only OAuth providers the organization offers.
    for (slug, expected) in [("datadog", 400), ("linear", 404), ("nope", 404)] {
        let (status, _) = call(
            &h,
            Method::POST,
            &format!("/DataIntegrations/{slug}/authorize"),
            &bob,
            PIPES,
            Some(json!({"requireHandoff": true})),
        )
        .await;
        assert_eq!(status, expected, "{slug}");
    }

    let a = authorize(&h, &bob, "github").await;
    let url = a["url"].as_str().unwrap().to_string();
    let token = a["redirectToken"].as_str().unwrap();
    assert_eq!(url, h.url(&format!("/pipes/authorize/{token}")));
    assert_ne!(a["handoffToken"], a["redirectToken"]);

    // The consent page, waiting for the handoff: its policy allows its own script only.
    let page = h.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"));
    let html = page.text().await.unwrap();
    for expected in [
        "Connect GitHub",
        "bob@acme.test",
        "Acme Corp",
        "<code>repo</code>",
        "<code>read:user</code>",
        "/pipes/handoff.js",
        "/pipes/icons/github.svg",
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }

    // A decision before the handoff is refused and keeps the authorization.
    let early = h
        .http
        .post(&url)
        .form(&[("consent_token", "guess"), ("decision", "allow")])
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), 403);
    // Another handoff token is refused.
    let wrong = h
        .http
        .post(format!("{url}/handoff"))
        .json(&json!({"handoffToken": "not-the-token"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let (status, text) = consent(&h, &a, "allow").await;
    assert_eq!(status, 200);
    assert!(text.contains("GitHub is connected") && text.contains("data-close=\"true\""));

    let (_, mine) = call(&h, Method::GET, "/DataIntegrations/mine", &bob, PIPES, None).await;
    let github = row(&mine, "github");
    check_integration(github);
    assert_eq!(github["installation"]["auth_method"], "oauth");
    assert_eq!(github["installation"]["state"], "connected");
    assert_eq!(
        github["installation"]["scopes"],
        json!(["repo", "read:user"])
    );

    // The authorization is answered: its page and its handoff are gone.
    assert_eq!(h.http.get(&url).send().await.unwrap().status(), 404);
    let again = h
        .http
        .post(format!("{url}/handoff"))
        .json(&json!({"handoffToken": a["handoffToken"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);

    // Deny records nothing.
    let slack = authorize(&h, &bob, "slack").await;
    let (status, text) = consent(&h, &slack, "deny").await;
    assert_eq!(status, 200);
    assert!(text.contains("You denied access. Slack was not connected."));
    let (_, mine) = call(&h, Method::GET, "/DataIntegrations/mine", &bob, PIPES, None).await;
    assert!(row(&mine, "slack")["installation"].is_null());
    assert!(
        h.emulator
            .environment()
            .store
            .read()
            .pipes_authorizations
            .is_empty()
    );

    // Reauthorizing keeps the account.
    let before = github["installation"]["id"].clone();
    let re = authorize(&h, &bob, "github").await;
    assert_eq!(consent(&h, &re, "allow").await.0, 200);
    let (_, mine) = call(&h, Method::GET, "/DataIntegrations/mine", &bob, PIPES, None).await;
    assert_eq!(row(&mine, "github")["installation"]["id"], before);

    // A bad form is 400; an expired authorization is 404.
    let stale = authorize(&h, &bob, "slack").await;
    let stale_url = stale["url"].as_str().unwrap();
    let bad = h
        .http
        .post(stale_url)
        .form(&[("decision", "allow")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    for a in h
        .emulator
        .environment()
        .store
        .write()
        .pipes_authorizations
        .values_mut()
    {
        a.expires_at = workos_emulator::clock::now() - time::Duration::seconds(1);
    }
    assert_eq!(h.http.get(stale_url).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn admins_decide_what_members_may_connect_and_with_which_scopes() {
    let h = Harness::start().await;
    let admin = admin_token(&h, ALICE_ID, ACME_ID).await;
    let bob = member_token(&h, BOB_ID, ACME_ID).await;

    // Members are refused the admin calls, first for the permission.
    let before = snapshot(&h);
    for (method, path) in [
        (Method::GET, "/DataIntegrations/configurations"),
        (Method::GET, "/DataIntegrations/organization"),
        (Method::PUT, "/DataIntegrations/linear/configuration"),
    ] {
        let (status, body) = call(
            &h,
            method,
            path,
            &bob,
            PIPES_ADMIN,
            Some(json!({"enabled": true})),
        )
        .await;
        assert_eq!(status, 403, "{path}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("widgets:pipes:manage")
        );
    }
    assert_eq!(before, snapshot(&h));

    let (status, list) = call(
        &h,
        Method::GET,
        "/DataIntegrations/configurations",
        &admin,
        PIPES_ADMIN,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        slugs(&list),
        [
            "github",
            "slack",
            "linear",
            "hubspot",
            "datadog",
            "snowflake"
        ]
    );
    for r in list["data"].as_array().unwrap() {
        has_keys(
            r,
            &[
                "object",
                "id",
                "name",
                "description",
                "slug",
                "integrationType",
                "ownership",
                "enabled",
                "scopes",
                "defaultScopes",
                "availableScopes",
                "credentials",
                "authMethods",
                "configFields",
                "config",
                "iconSlug",
                "createdAt",
                "updatedAt",
            ],
        );
        assert_eq!(r["object"], "data_integration_configuration");
        has_keys(
            &r["credentials"],
            &[
                "credentialsType",
                "hasCredentials",
                "client_id",
                "redactedClientSecret",
                "redirectUri",
            ],
        );
        assert_eq!(r["credentials"]["redirectUri"], h.url("/pipes/callback"));
    }
    let linear = row(&list, "linear");
    assert_eq!(linear["enabled"], false);
    assert_eq!(linear["scopes"], json!(["read", "write", "issues:create"]));

    // Enable Linear without `write`: members see it and are asked for the other two scopes.
    let (status, body) = call(
        &h,
        Method::PUT,
        "/DataIntegrations/linear/configuration",
        &admin,
        PIPES_ADMIN,
        Some(json!({"enabled": true, "scopes": ["read", "issues:create"]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["enabled"], true);
    assert_eq!(body["scopes"], json!(["read", "issues:create"]));
    let (_, mine) = call(&h, Method::GET, "/DataIntegrations/mine", &bob, PIPES, None).await;
    assert_eq!(
        row(&mine, "linear")["scopes"],
        json!(["read", "issues:create"])
    );
    let a = authorize(&h, &bob, "linear").await;
    let page = h
        .http
        .get(a["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<code>issues:create</code>"));
    // Globex is not affected.
    let carol = member_token(&h, CAROL_ID, GLOBEX_ID).await;
    let (_, theirs) = call(
        &h,
        Method::GET,
        "/DataIntegrations/mine",
        &carol,
        PIPES,
        None,
    )
    .await;
    assert!(!slugs(&theirs).contains(&"linear"));
    // Scopes back to the developer's with null; disabled again hides it.
    let (_, body) = call(
        &h,
        Method::PUT,
        "/DataIntegrations/linear/configuration",
        &admin,
        PIPES_ADMIN,
        Some(json!({"scopes": null})),
    )
    .await;
    assert_eq!(body["scopes"], json!(["read", "write", "issues:create"]));
    assert_eq!(body["enabled"], true, "absent fields are kept");
    let (_, _) = call(
        &h,
        Method::PUT,
        "/DataIntegrations/github/configuration",
        &admin,
        PIPES_ADMIN,
        Some(json!({"enabled": false})),
    )
    .await;
    let (_, mine) = call(&h, Method::GET, "/DataIntegrations/mine", &bob, PIPES, None).await;
    assert!(!slugs(&mine).contains(&"github"), "{mine}");

    // Bad settings: 422 and nothing changes; 404 for unknown or organization-owned providers here.
    let before = snapshot(&h);
    for (slug, body, expected) in [
        ("linear", json!({"scopes": ["admin:everything"]}), 422),
        (
            "github",
            json!({"client_id": "x", "client_secret": "y"}),
            422,
        ),
        ("hubspot", json!({"client_id": "x"}), 422),
        (
            "hubspot",
            json!({"client_id": " ", "client_secret": "y"}),
            422,
        ),
        ("nope", json!({"enabled": true}), 404),
        ("notion", json!({"enabled": true}), 404),
    ] {
        let (status, answer) = call(
            &h,
            Method::PUT,
            &format!("/DataIntegrations/{slug}/configuration"),
            &admin,
            PIPES_ADMIN,
            Some(body),
        )
        .await;
        assert_eq!(status, expected, "{slug}: {answer}");
    }
    assert_eq!(before, snapshot(&h));

    // HubSpot uses the organization's own OAuth client: offered once it is entered.
    let (status, body) = call(
        &h,
        Method::PUT,
        "/DataIntegrations/hubspot/configuration",
        &admin,
        PIPES_ADMIN,
        Some(json!({"enabled": true, "client_id": "acme-hubspot", "client_secret": "hs-secret-7788", "scopes": ["crm.objects.contacts.read"]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["credentials"]["credentialsType"], "organization");
    assert_eq!(body["credentials"]["hasCredentials"], true);
    assert_eq!(body["credentials"]["client_id"], "acme-hubspot");
    assert_eq!(body["credentials"]["redactedClientSecret"], "7788");
    assert!(!body.to_string().contains("hs-secret"));
    let (_, mine) = call(&h, Method::GET, "/DataIntegrations/mine", &bob, PIPES, None).await;
    assert!(slugs(&mine).contains(&"hubspot"));
    // A new client id alone keeps the stored secret.
    let (status, body) = call(
        &h,
        Method::PUT,
        "/DataIntegrations/hubspot/configuration",
        &admin,
        PIPES_ADMIN,
        Some(json!({"client_id": "acme-hubspot-2"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["credentials"]["redactedClientSecret"], "7788");
}

#[tokio::test]
async fn the_organizations_shared_accounts() {
    let h = Harness::start().await;
    let admin = admin_token(&h, ALICE_ID, ACME_ID).await;
    let bob = member_token(&h, BOB_ID, ACME_ID).await;
    let (status, list) = call(
        &h,
        Method::GET,
        "/DataIntegrations/organization",
        &admin,
        PIPES_ADMIN,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(slugs(&list), ["notion", "sentry"]);
    for r in list["data"].as_array().unwrap() {
        check_integration(&json!(
            r.as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| *k != "configuration" && *k != "capabilities")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<serde_json::Map<_, _>>()
        ));
        has_keys(
            &r["configuration"],
            &[
                "hasOverride",
                "rootEnabled",
                "overrideEnabled",
                "enabled",
                "disabledSource",
                "scopes",
                "defaultScopes",
                "availableScopes",
                "credentials",
                "configured",
                "configFields",
                "config",
            ],
        );
        has_keys(
            &r["capabilities"],
            &[
                "canConfigure",
                "canConnect",
                "canUpdateCredentials",
                "canReauthorize",
                "canDisconnect",
            ],
        );
    }
    let notion = row(&list, "notion");
    assert_eq!(notion["capabilities"]["canConnect"], true);
    assert_eq!(notion["capabilities"]["canDisconnect"], false);

    // Sentry by API key (J6); not by client credentials (J7), Notion not by API key.
    let (status, sentry) = call(
        &h,
        Method::PUT,
        "/DataIntegrations/sentry/organization/api-key",
        &admin,
        PIPES_ADMIN,
        Some(json!({"secret": "sntrys_0000"})),
    )
    .await;
    assert_eq!(status, 200, "{sentry}");
    check_installation(&sentry);
    assert!(sentry["user_id"].is_null());
    let (status, _) = call(
        &h,
        Method::PUT,
        "/DataIntegrations/sentry/organization/client-credentials",
        &admin,
        PIPES_ADMIN,
        Some(json!({"client_id": "a", "client_secret": "b"})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = call(
        &h,
        Method::PUT,
        "/DataIntegrations/notion/organization/api-key",
        &admin,
        PIPES_ADMIN,
        Some(json!({"secret": "x"})),
    )
    .await;
    assert_eq!(status, 400);
    // The member-owned providers are not the organization's.
    let (status, _) = call(
        &h,
        Method::PUT,
        "/DataIntegrations/datadog/organization/api-key",
        &admin,
        PIPES_ADMIN,
        Some(json!({"secret": "x"})),
    )
    .await;
    assert_eq!(status, 404);

    // Notion through the popup (J5).
    let (status, a) = call(
        &h,
        Method::POST,
        "/DataIntegrations/notion/organization/authorize",
        &admin,
        PIPES_ADMIN,
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 200, "{a}");
    let page = h
        .http
        .get(a["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Acme Corp&#39;s shared Notion account")
            || page.contains("Acme Corp's shared Notion account"),
        "{page}"
    );
    assert_eq!(consent(&h, &a, "allow").await.0, 200);

    // Members see the shared accounts (I2); the admin's list has them with capabilities.
    let (_, shared) = call(
        &h,
        Method::GET,
        "/DataIntegrations/shared-connections",
        &bob,
        PIPES,
        None,
    )
    .await;
    assert_eq!(slugs(&shared), ["notion", "sentry"]);
    for r in shared["data"].as_array().unwrap() {
        has_keys(
            r,
            &[
                "object",
                "id",
                "name",
                "description",
                "slug",
                "ownership",
                "iconSlug",
                "connected_accounts",
            ],
        );
        let account = &r["connected_accounts"][0];
        has_keys(
            account,
            &[
                "object",
                "id",
                "state",
                "availability",
                "created_at",
                "updated_at",
            ],
        );
        assert_eq!(account["object"], "connected_account");
        assert_eq!(account["availability"], "available");
    }
    let (_, list) = call(
        &h,
        Method::GET,
        "/DataIntegrations/organization",
        &admin,
        PIPES_ADMIN,
        None,
    )
    .await;
    let notion = row(&list, "notion");
    assert_eq!(notion["installation"]["auth_method"], "oauth");
    assert_eq!(notion["capabilities"]["canReauthorize"], true);
    assert_eq!(
        row(&list, "sentry")["capabilities"]["canUpdateCredentials"],
        true
    );

    // J4: disable Notion for the organization; its account is then not shared.
    let (status, body) = call(
        &h,
        Method::PUT,
        "/DataIntegrations/notion/organization/configuration",
        &admin,
        PIPES_ADMIN,
        Some(json!({"enabled": false})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["configuration"]["enabled"], false);
    assert_eq!(body["configuration"]["disabledSource"], "organization");
    assert_eq!(body["configuration"]["hasOverride"], true);
    let (_, shared) = call(
        &h,
        Method::GET,
        "/DataIntegrations/shared-connections",
        &bob,
        PIPES,
        None,
    )
    .await;
    assert_eq!(slugs(&shared), ["sentry"]);
    let (status, _) = call(
        &h,
        Method::PUT,
        "/DataIntegrations/github/organization/configuration",
        &admin,
        PIPES_ADMIN,
        Some(json!({"enabled": false})),
    )
    .await;
    assert_eq!(status, 404, "github is the members'");

    // J8: the organization's account only; a member's account is not the organization's.
    let (_, mine) = call(
        &h,
        Method::PUT,
        "/DataIntegrations/datadog/api-key",
        &bob,
        PIPES,
        Some(json!({"secret": "bob-key"})),
    )
    .await;
    let bobs = format!(
        "/DataIntegrations/organization/installations/{}",
        mine["id"].as_str().unwrap()
    );
    assert_eq!(
        call(&h, Method::DELETE, &bobs, &admin, PIPES_ADMIN, None)
            .await
            .0,
        404
    );
    let id = sentry["id"].as_str().unwrap();
    let path = format!("/DataIntegrations/organization/installations/{id}");
    assert_eq!(
        call(
            &h,
            Method::DELETE,
            &format!("/DataIntegrations/organization/installations/{id}"),
            &bob,
            PIPES_ADMIN,
            None
        )
        .await
        .0,
        403
    );
    let member_path = format!(
        "/DataIntegrations/installations/{}",
        sentry["id"].as_str().unwrap()
    );
    assert_eq!(
        call(&h, Method::DELETE, &member_path, &bob, PIPES, None)
            .await
            .0,
        404,
        "not Bob's"
    );
    assert_eq!(
        call(&h, Method::DELETE, &path, &admin, PIPES_ADMIN, None).await,
        (200, json!({"success": true}))
    );
    // Another organization's admin cannot touch Acme's accounts.
    let carol = admin_token(&h, CAROL_ID, GLOBEX_ID).await;
    let (_, notion_now) = call(
        &h,
        Method::GET,
        "/DataIntegrations/organization",
        &admin,
        PIPES_ADMIN,
        None,
    )
    .await;
    let notion_account = row(&notion_now, "notion")["installation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let foreign = format!("/DataIntegrations/organization/installations/{notion_account}");
    assert_eq!(
        call(&h, Method::DELETE, &foreign, &carol, PIPES_ADMIN, None)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn accounts_survive_a_restart_a_reset_removes_them_and_faults_and_cors_apply() {
    let dir = std::env::temp_dir().join(format!("workos-emulator-pipes-{}", ulid::Ulid::new()));
    let config = EmulatorConfig {
        state_path: Some(dir.join("state.json")),
        signing_key_path: Some(dir.join("key.pem")),
        allowed_origins: vec!["http://localhost:3000".into()],
        ..EmulatorConfig::default()
    };
    let h = Harness::with_config(config.clone()).await;
    let bob = member_token(&h, BOB_ID, ACME_ID).await;
    let admin = admin_token(&h, ALICE_ID, ACME_ID).await;
    let (status, _) = call(
        &h,
        Method::PUT,
        "/DataIntegrations/datadog/api-key",
        &bob,
        PIPES,
        Some(json!({"secret": "dd-1111"})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &h,
        Method::PUT,
        "/DataIntegrations/linear/configuration",
        &admin,
        PIPES_ADMIN,
        Some(json!({"enabled": true})),
    )
    .await;
    assert_eq!(status, 200);
    let Harness { emulator, .. } = h;
    emulator.shutdown().await;

    let h = Harness::with_config(config).await;
    let (_, mine) = call(&h, Method::GET, "/DataIntegrations/mine", &bob, PIPES, None).await;
    assert_eq!(
        row(&mine, "datadog")["installation"]["api_key_last_4"],
        "1111"
    );
    assert!(
        slugs(&mine).contains(&"linear"),
        "the organization's settings survived"
    );

    // Faults reach the new routes.
    let fault = h.http.post(h.url("/_emulator/faults")).json(&json!({"path_prefix": "/_widgets/DataIntegrations/", "count": 1, "kind": "error", "status": 503})).send().await.unwrap();
    assert_eq!(fault.status(), 201);
    assert_eq!(
        call(&h, Method::GET, "/DataIntegrations/mine", &bob, PIPES, None)
            .await
            .0,
        503
    );
    assert_eq!(
        call(&h, Method::GET, "/DataIntegrations/mine", &bob, PIPES, None)
            .await
            .0,
        200
    );

    // CORS: the widgets' PUT is preflighted.
    let preflight = h
        .http
        .request(
            Method::OPTIONS,
            h.url("/_widgets/DataIntegrations/datadog/api-key"),
        )
        .header("Origin", "http://localhost:3000")
        .header("Access-Control-Request-Method", "PUT")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type,workos-widgets-version,workos-widgets-type",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    assert!(
        preflight.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("PUT")
    );

    assert_eq!(h.call(h.http.post(h.url("/_emulator/reset"))).await.0, 200);
    let (_, mine) = call(&h, Method::GET, "/DataIntegrations/mine", &bob, PIPES, None).await;
    assert!(row(&mine, "datadog")["installation"].is_null());
    assert!(!slugs(&mine).contains(&"linear"));
    let data = h.emulator.environment().store.read();
    assert_eq!(
        data.data_integrations.len(),
        8,
        "the seed's catalogue is back"
    );
    assert!(data.installations.is_empty() && data.integration_overrides.is_empty());
    drop(data);
    let _ = std::fs::remove_dir_all(dir);
}
