//! The Admin Portal widgets' calls (contract §7.3–§7.6: A1, A2, D1–D3, L1, Y1): the seed's state
//! in the exact shapes the shipped widgets read, organization-level and member tokens, 403 only for
//! a missing scope or a bad token, 404 for another organization's ids. Setting things up through
//! the portal itself is `admin_portal.rs`.

use reqwest::Method;
use serde_json::{Value, json};
use workos::WidgetSessionTokenScopes::{
    WidgetsAuditLogStreamingManage, WidgetsDomainVerificationManage, WidgetsDsyncManage,
    WidgetsSSOManage, WidgetsUsersTableManage,
};
use workos_emulator::seed::{ACME_ID, ALICE_ID, BOB_ID, CAROL_ID, GLOBEX_ID};

use crate::support::{Harness, payload, snapshot};

pub const SSO: &str = "admin-portal-sso-connection";
pub const DOMAINS: &str = "admin-portal-domain-verification";
pub const DSYNC: &str = "directory-sync";
pub const STREAM: &str = "admin-portal-audit-log-streaming";

/// The four Admin Portal scopes.
pub fn all_scopes() -> Vec<workos::WidgetSessionTokenScopes> {
    vec![
        WidgetsSSOManage,
        WidgetsDomainVerificationManage,
        WidgetsDsyncManage,
        WidgetsAuditLogStreamingManage,
    ]
}

/// An organization-level widget token (no user), as the app mints for these widgets.
pub async fn organization_token(
    h: &Harness,
    organization: &str,
    scopes: Vec<workos::WidgetSessionTokenScopes>,
) -> String {
    let body = workos::WidgetSessionToken {
        organization_id: Some(organization.into()),
        user_id: None,
        scopes: Some(scopes),
    };
    h.workos
        .widgets()
        .create_token(workos::widgets::CreateTokenParams::new(body))
        .await
        .expect("an organization-level widget token")
        .token
        .expose()
        .to_string()
}

/// Asserts that a JSON object has exactly these keys (the shape's fields; order aside, as
/// `serde_json` reads objects into a sorted map).
pub fn has_keys(value: &Value, expected: &[&str]) {
    let mut actual: Vec<&str> = value
        .as_object()
        .unwrap_or_else(|| panic!("an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = expected.to_vec();
    actual.sort_unstable();
    expected.sort_unstable();
    assert_eq!(actual, expected, "{value}");
}

/// The values the shipped widgets know (`dist/esm/api/endpoint.d.ts`): anything else throws.
pub const CONNECTION_TYPES: &[&str] = &[
    "AdfsSaml",
    "Auth0Saml",
    "AzureSaml",
    "CasSaml",
    "ClassLinkSaml",
    "CloudflareSaml",
    "CyberArkSaml",
    "DuoSaml",
    "GenericSaml",
    "GoogleSaml",
    "JumpCloudSaml",
    "KeycloakSaml",
    "LastPassSaml",
    "MiniOrangeSaml",
    "NetIqSaml",
    "OktaSaml",
    "OneLoginSaml",
    "OracleSaml",
    "PingFederateSaml",
    "PingOneSaml",
    "RipplingSaml",
    "SalesforceSaml",
    "ShibbolethGenericSaml",
    "ShibbolethSaml",
    "SimpleSamlPhpSaml",
    "TestIdp",
    "VmWareSaml",
    "AdpOidc",
    "Auth0Migration",
    "CleverOidc",
    "EntraIdOidc",
    "GenericOidc",
    "GoogleOidc",
    "OktaOidc",
    "LoginGovOidc",
];
pub const CONNECTION_STATES: &[&str] = &["Inactive", "Validating", "Active", "Deleting"];
pub const DOMAIN_STATES: &[&str] = &["Failed", "LegacyVerified", "Pending", "Verified"];
pub const NAME_SERVERS: &[&str] = &[
    "AwsRoute53",
    "GoogleDomains",
    "CloudFlare",
    "GoDaddy",
    "Other",
];
pub const STREAM_STATES: &[&str] = &["Active", "Inactive", "Error", "Invalid"];
pub const STREAM_TYPES: &[&str] = &[
    "Datadog",
    "Splunk",
    "S3",
    "GoogleCloudStorage",
    "GenericHttps",
    "AzureSentinel",
    "Snowflake",
];

/// An `SsoConnection` as the widget reads it: the SAML or OpenID Connect form, known values.
pub fn check_connection(c: &Value) {
    has_keys(
        c,
        &[
            "id",
            "type",
            "name",
            "state",
            "x509Certificates",
            "latestExpiringCertificate",
            "latestExpiredCertificate",
            "createdAt",
            "providerTag",
            "lastSession",
        ],
    );
    let kind = c["type"].as_str().unwrap();
    assert!(CONNECTION_TYPES.contains(&kind), "{kind}");
    assert!(CONNECTION_STATES.contains(&c["state"].as_str().unwrap()));
    match c["providerTag"].as_str().unwrap() {
        "Saml" => {
            assert!(kind.ends_with("Saml") || kind == "TestIdp", "{kind}");
            for cert in c["x509Certificates"].as_array().unwrap() {
                has_keys(
                    cert,
                    &[
                        "id",
                        "value",
                        "notBefore",
                        "notAfter",
                        "lastExpiryEventSentAt",
                    ],
                );
                assert!(
                    cert["value"]
                        .as_str()
                        .unwrap()
                        .starts_with("-----BEGIN CERTIFICATE-----")
                );
            }
        }
        "OpenIdConnect" => {
            assert!(!kind.ends_with("Saml"), "{kind}");
            for field in [
                "x509Certificates",
                "latestExpiringCertificate",
                "latestExpiredCertificate",
            ] {
                assert!(c[field].is_null(), "{field} of an OIDC connection");
            }
        }
        other => panic!("providerTag {other}"),
    }
}

/// An `OrganizationDomain` as the widget reads it.
pub fn check_domain(d: &Value) {
    has_keys(
        d,
        &[
            "id",
            "domain",
            "state",
            "nameServer",
            "verificationPrefix",
            "verificationToken",
            "subdomain",
            "createdAt",
        ],
    );
    assert!(DOMAIN_STATES.contains(&d["state"].as_str().unwrap()));
    assert!(NAME_SERVERS.contains(&d["nameServer"].as_str().unwrap()));
}

/// `GET` on a widget path with the widget's type: (status, body).
pub async fn get(h: &Harness, path: &str, token: &str, widget: &str) -> (u16, Value) {
    h.call(h.widget(Method::GET, path, token, widget)).await
}

#[tokio::test]
async fn the_seed_shows_in_every_widget_in_the_shipped_shapes() {
    let h = Harness::start().await;
    let acme = organization_token(&h, ACME_ID, all_scopes()).await;
    assert_eq!(
        payload(&acme)["sub"],
        ACME_ID,
        "an organization-level token"
    );

    // A1: Acme's one SAML connection, active, with a certificate valid for years.
    let (status, connections) = get(&h, "/admin-portal/sso-connections", &acme, SSO).await;
    assert_eq!(status, 200, "{connections}");
    let list = connections.as_array().expect("a bare array");
    assert_eq!(list.len(), 1);
    let okta = &list[0];
    check_connection(okta);
    assert_eq!(
        (&okta["type"], &okta["providerTag"], &okta["state"]),
        (&json!("OktaSaml"), &json!("Saml"), &json!("Active"))
    );
    assert_eq!(okta["name"], "Acme Okta");
    assert!(okta["latestExpiredCertificate"].is_null());
    let not_after = time::OffsetDateTime::parse(
        okta["latestExpiringCertificate"]["notAfter"]
            .as_str()
            .unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(not_after > workos_emulator::clock::now() + time::Duration::days(30));
    assert_eq!(okta["lastSession"]["state"], "Successful");
    has_keys(&okta["lastSession"], &["id", "createdAt", "state"]);

    // D1: acme.test verified, acme-corp.test pending with its TXT record.
    let (status, domains) = get(&h, "/admin-portal/organization-domains", &acme, DOMAINS).await;
    assert_eq!(status, 200, "{domains}");
    let list = domains["data"].as_array().unwrap();
    for d in list {
        check_domain(d);
    }
    let summary: Vec<(&str, &str)> = list
        .iter()
        .map(|d| (d["domain"].as_str().unwrap(), d["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [("acme.test", "Verified"), ("acme-corp.test", "Pending")]
    );
    assert_eq!(list[1]["verificationPrefix"], "workos-domain-verification");
    assert_eq!(list[1]["verificationToken"].as_str().unwrap().len(), 25);
    assert!(list[0]["verificationToken"].is_null());

    // L1: no stream is `{}`.
    let (status, stream) = get(&h, "/admin-portal/audit-log-stream", &acme, STREAM).await;
    assert_eq!((status, stream), (200, json!({})));

    // Y1: no directory, and a portal link on the emulator.
    let (status, directories) = get(&h, "/directory-sync/directories", &acme, DSYNC).await;
    assert_eq!(status, 200, "{directories}");
    has_keys(&directories, &["data", "link"]);
    assert_eq!(directories["data"], json!([]));
    let link = url::Url::parse(directories["link"].as_str().unwrap()).unwrap();
    assert!(
        directories["link"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/portal/", h.emulator.base_url()))
    );
    assert!(
        link.query_pairs()
            .any(|(k, v)| k == "apiToken" && v.len() == 43)
    );

    // Globex: nothing but its verified domain (with Carol's member token this time).
    let carol = h
        .widget_token(CAROL_ID, Some(GLOBEX_ID), all_scopes())
        .await
        .unwrap();
    assert_eq!(
        get(&h, "/admin-portal/sso-connections", &carol, SSO).await,
        (200, json!([]))
    );
    let (_, domains) = get(&h, "/admin-portal/organization-domains", &carol, DOMAINS).await;
    assert_eq!(domains["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        (&domains["data"][0]["domain"], &domains["data"][0]["state"]),
        (&json!("globex.test"), &json!("Verified"))
    );
    assert_eq!(
        get(&h, "/admin-portal/audit-log-stream", &carol, STREAM).await,
        (200, json!({}))
    );
    let (_, directories) = get(&h, "/directory-sync/directories", &carol, DSYNC).await;
    assert_eq!(directories["data"], json!([]));

    // The public Organization lists the same domains with the API's states.
    let organization = h
        .workos
        .organizations()
        .get_organization(ACME_ID)
        .await
        .expect("the organization decodes");
    let json = serde_json::to_value(&organization).unwrap();
    let domains: Vec<(&str, &str, &str)> = json["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["domain"].as_str().unwrap(),
                d["state"].as_str().unwrap(),
                d["verification_strategy"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        domains,
        [
            ("acme.test", "verified", "manual"),
            ("acme-corp.test", "pending", "dns")
        ]
    );
}

#[tokio::test]
async fn generate_link_answers_a_one_time_link_per_intent_with_its_scope() {
    let h = Harness::start().await;
    let acme = organization_token(&h, ACME_ID, all_scopes()).await;
    for (intent, widget) in [
        ("sso", SSO),
        ("domain_verification", DOMAINS),
        ("log_streams", STREAM),
        ("dsync", DSYNC),
        ("certificate_renewal", SSO),
    ] {
        let (status, body) = h
            .call(h.widget(
                Method::POST,
                &format!("/admin-portal/generate-link?intent={intent}"),
                &acme,
                widget,
            ))
            .await;
        assert_eq!(status, 201, "{intent}: {body}");
        has_keys(&body, &["link"]);
        let link = url::Url::parse(body["link"].as_str().unwrap()).unwrap();
        let id = link.path().strip_prefix("/portal/").unwrap().to_string();
        let data = h.emulator.environment().store.read();
        let stored = &data.portal_links[&id];
        assert_eq!(stored.organization_id, ACME_ID);
        assert_eq!(
            serde_json::to_value(stored.intent).unwrap(),
            json!(intent),
            "the link is bound to its intent"
        );
        let lifetime = stored.expires_at - workos_emulator::clock::now();
        assert!(
            lifetime <= time::Duration::minutes(5) && lifetime > time::Duration::minutes(4),
            "5 minutes: {lifetime}"
        );
        assert!(stored.used_at.is_none());
    }
    // A link needs the scope of its intent.
    let sso_only = organization_token(&h, ACME_ID, vec![WidgetsSSOManage]).await;
    for intent in ["domain_verification", "log_streams", "dsync"] {
        let before = snapshot(&h);
        let (status, body) = h
            .call(h.widget(
                Method::POST,
                &format!("/admin-portal/generate-link?intent={intent}"),
                &sso_only,
                SSO,
            ))
            .await;
        assert_eq!(status, 403, "{intent}: {body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("lacks the 'widgets:")
        );
        assert_eq!(snapshot(&h), before, "a refused link is not stored");
    }
    // No intent, or one without a portal: 422 with a message.
    for query in ["", "?intent=audit_logs", "?intent=nope"] {
        let (status, body) = h
            .call(h.widget(
                Method::POST,
                &format!("/admin-portal/generate-link{query}"),
                &acme,
                SSO,
            ))
            .await;
        assert_eq!(status, 422, "{query}: {body}");
        assert!(body["message"].is_string());
    }
}

#[tokio::test]
async fn a_missing_scope_or_a_bad_token_is_403_and_changes_nothing() {
    let h = Harness::start().await;
    let acme_domain = h.emulator.environment().store.read().domains_of(ACME_ID)[1]
        .id
        .clone();
    let bob = h.widget_token(BOB_ID, Some(ACME_ID), vec![]).await.unwrap();
    let users_table_only = h
        .widget_token(ALICE_ID, Some(ACME_ID), vec![WidgetsUsersTableManage])
        .await
        .unwrap();
    let no_scopes = organization_token(&h, ACME_ID, vec![]).await;
    let now = workos_emulator::clock::now().unix_timestamp();
    let expired = h.emulator.environment().keys.sign(&json!({
        "iss": h.emulator.base_url(), "sub": ACME_ID, "org_id": ACME_ID,
        "permissions": ["widgets:sso:manage", "widgets:domain-verification:manage",
                        "widgets:dsync:manage", "widgets:audit-log-streaming:manage"],
        "entitlements": [], "exp": now - 60, "iat": now - 3660, "jti": "expired"
    }));
    let calls = [
        (
            Method::GET,
            "/admin-portal/sso-connections".to_string(),
            SSO,
            "widgets:sso:manage",
        ),
        (
            Method::POST,
            "/admin-portal/generate-link?intent=sso".into(),
            SSO,
            "widgets:sso:manage",
        ),
        (
            Method::GET,
            "/admin-portal/organization-domains".into(),
            DOMAINS,
            "widgets:domain-verification:manage",
        ),
        (
            Method::DELETE,
            format!("/admin-portal/organization-domains/{acme_domain}"),
            DOMAINS,
            "widgets:domain-verification:manage",
        ),
        (
            Method::POST,
            format!("/admin-portal/organization-domains/{acme_domain}/reverify"),
            DOMAINS,
            "widgets:domain-verification:manage",
        ),
        (
            Method::GET,
            "/admin-portal/audit-log-stream".into(),
            STREAM,
            "widgets:audit-log-streaming:manage",
        ),
        (
            Method::GET,
            "/directory-sync/directories".into(),
            DSYNC,
            "widgets:dsync:manage",
        ),
    ];
    for (method, path, widget, scope) in &calls {
        for (who, token, message) in [
            (
                "bob's member token",
                &bob,
                format!("lacks the '{scope}' permission"),
            ),
            (
                "alice's users-table token",
                &users_table_only,
                format!("lacks the '{scope}' permission"),
            ),
            (
                "an organization token without scopes",
                &no_scopes,
                format!("lacks the '{scope}' permission"),
            ),
            (
                "an expired organization token",
                &expired,
                "Widget token expired.".to_string(),
            ),
        ] {
            let before = snapshot(&h);
            let (status, body) = h.call(h.widget(method.clone(), path, token, widget)).await;
            assert_eq!(status, 403, "{who} on {method} {path}: {body}");
            assert!(
                body["message"].as_str().unwrap().contains(&message),
                "{who} on {method} {path}: {body}"
            );
            assert_eq!(
                snapshot(&h),
                before,
                "{who} on {method} {path} changed the store"
            );
        }
    }
}

#[tokio::test]
async fn domains_are_removed_and_reverified_within_the_organization_only() {
    let h = Harness::start().await;
    let acme = organization_token(&h, ACME_ID, all_scopes()).await;
    let globex = organization_token(&h, GLOBEX_ID, all_scopes()).await;
    let (verified, pending) = {
        let data = h.emulator.environment().store.read();
        let list = data.domains_of(ACME_ID);
        (list[0].id.clone(), list[1].id.clone())
    };

    // Another organization's ids are 404 and change nothing.
    for (method, path) in [
        (
            Method::DELETE,
            format!("/admin-portal/organization-domains/{pending}"),
        ),
        (
            Method::POST,
            format!("/admin-portal/organization-domains/{pending}/reverify"),
        ),
        (
            Method::DELETE,
            "/admin-portal/organization-domains/org_domain_nope".to_string(),
        ),
    ] {
        let before = snapshot(&h);
        let (status, body) = h
            .call(h.widget(method.clone(), &path, &globex, DOMAINS))
            .await;
        assert_eq!(status, 404, "{method} {path}: {body}");
        assert_eq!(body["code"], "entity_not_found");
        assert_eq!(snapshot(&h), before);
    }

    // D3: a verified domain is a 409; a pending one stays pending; a failed one restarts.
    let (status, body) = h
        .call(h.widget(
            Method::POST,
            &format!("/admin-portal/organization-domains/{verified}/reverify"),
            &acme,
            DOMAINS,
        ))
        .await;
    assert_eq!(status, 409, "{body}");
    let reverify = || {
        h.widget(
            Method::POST,
            &format!("/admin-portal/organization-domains/{pending}/reverify"),
            &acme,
            DOMAINS,
        )
    };
    let (status, body) = h.call(reverify()).await;
    assert_eq!((status, &body["state"]), (200, &json!("Pending")), "{body}");
    check_domain(&body);
    h.emulator
        .environment()
        .store
        .write()
        .organization_domains
        .get_mut(&pending)
        .unwrap()
        .state = workos_emulator::entities::DomainState::Failed;
    let (_, domains) = get(&h, "/admin-portal/organization-domains", &acme, DOMAINS).await;
    assert_eq!(domains["data"][1]["state"], "Failed");
    let (status, body) = h.call(reverify()).await;
    assert_eq!((status, &body["state"]), (200, &json!("Pending")), "{body}");

    // D2 answers the removed domain; D1 no longer lists it.
    let (status, removed) = h
        .call(h.widget(
            Method::DELETE,
            &format!("/admin-portal/organization-domains/{pending}"),
            &acme,
            DOMAINS,
        ))
        .await;
    assert_eq!(status, 200, "{removed}");
    check_domain(&removed);
    assert_eq!(removed["domain"], "acme-corp.test");
    let (_, domains) = get(&h, "/admin-portal/organization-domains", &acme, DOMAINS).await;
    assert_eq!(domains["data"].as_array().unwrap().len(), 1);
    assert_eq!(domains["data"][0]["domain"], "acme.test");
    // Gone is gone.
    let (status, _) = h.call(reverify()).await;
    assert_eq!(status, 404);
}
