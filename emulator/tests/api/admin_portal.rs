//! The emulator's Admin Portal: `POST /portal/generate_link`, one-time links opened by the widgets'
//! form POST (contract §7.3) or a plain GET (§7.5, §7.6), their expiry, the portal session, and
//! each setup form changing what the widget endpoints answer next.

use reqwest::Method;
use serde_json::{Value, json};
use workos::WidgetSessionTokenScopes::WidgetsSSOManage;
use workos_emulator::EmulatorConfig;
use workos_emulator::seed::{ACME_ID, GLOBEX_ID};

use crate::support::{Harness, snapshot};
use crate::widgets_admin_portal::{
    DOMAINS, DSYNC, SSO, STREAM, STREAM_STATES, STREAM_TYPES, all_scopes, check_connection,
    check_domain, get, has_keys, organization_token,
};

/// A link from A2: `(id, token)`.
async fn link(h: &Harness, token: &str, intent: &str, widget: &str) -> (String, String) {
    let (status, body) = h
        .call(h.widget(
            Method::POST,
            &format!("/admin-portal/generate-link?intent={intent}"),
            token,
            widget,
        ))
        .await;
    assert_eq!(status, 201, "{body}");
    split(body["link"].as_str().unwrap())
}

/// `(id, apiToken)` of a portal link URL.
fn split(link: &str) -> (String, String) {
    let url = url::Url::parse(link).unwrap();
    let id = url.path().strip_prefix("/portal/").unwrap().to_string();
    let token = url
        .query_pairs()
        .find(|(k, _)| k == "apiToken")
        .unwrap()
        .1
        .to_string();
    (id, token)
}

/// Opens a link the way the SSO and domain widgets do (`openAdminPortalViaForm`): a form POST of
/// `apiToken` to the link without it. Returns the response.
async fn open_with_form(h: &Harness, id: &str, token: &str) -> reqwest::Response {
    h.http
        .post(h.url(&format!("/portal/{id}")))
        .form(&[("apiToken", token)])
        .send()
        .await
        .unwrap()
}

/// The portal session cookie a successful opening sets (`name=value`), after checking its
/// attributes and the redirect.
fn session_cookie(response: &reqwest::Response, id: &str) -> String {
    assert_eq!(
        response.status(),
        303,
        "opening the link redirects to the page"
    );
    assert_eq!(
        response.headers()["location"],
        format!("/portal/{id}").as_str()
    );
    let set_cookie = response.headers()["set-cookie"].to_str().unwrap();
    for attribute in [
        &format!("Path=/portal/{id}")[..],
        "HttpOnly",
        "SameSite=Lax",
        "Max-Age=900",
    ] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    set_cookie.split(';').next().unwrap().to_string()
}

/// The portal page with the session cookie: (status, HTML).
async fn page(h: &Harness, id: &str, cookie: &str) -> (u16, String) {
    let response = h
        .http
        .get(h.url(&format!("/portal/{id}")))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// A portal form (`method` POST) with the session cookie: (status, Location or HTML).
async fn submit(
    h: &Harness,
    method: Method,
    path: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let response = h
        .http
        .request(method, h.url(path))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    let text = response.text().await.unwrap();
    (status, location.unwrap_or(text))
}

/// A link of `intent` for `organization`, opened with the form POST: `(id, cookie)`.
async fn session(h: &Harness, organization: &str, intent: &str, widget: &str) -> (String, String) {
    let token = organization_token(h, organization, all_scopes()).await;
    let (id, api_token) = link(h, &token, intent, widget).await;
    let response = open_with_form(h, &id, &api_token).await;
    let cookie = session_cookie(&response, &id);
    (id, cookie)
}

#[tokio::test]
async fn a_link_opens_once_with_the_widgets_form_post_and_starts_a_session() {
    let h = Harness::start().await;
    let token = organization_token(&h, ACME_ID, all_scopes()).await;
    let (id, api_token) = link(&h, &token, "sso", SSO).await;

    let opened = open_with_form(&h, &id, &api_token).await;
    let cookie = session_cookie(&opened, &id);
    let response = h
        .http
        .get(h.url(&format!("/portal/{id}")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    for directive in [
        "default-src 'none'",
        "style-src 'sha256-",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.unwrap();
    for text in [
        "Admin Portal",
        "Acme Corp",
        "Single Sign-On",
        "Acme Okta",
        "Save connection",
    ] {
        assert!(html.contains(text), "{text} in {html}");
    }
    assert!(
        !html.contains("Add domain"),
        "an SSO link shows only the SSO section"
    );
    // The stylesheet is the one the policy's hash allows.
    let style = html
        .split("<style>")
        .nth(1)
        .and_then(|s| s.split("</style>").next())
        .unwrap();
    let digest = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style.as_bytes()))
    };
    assert!(csp.contains(&format!("'sha256-{digest}'")), "{csp}");

    // Single use: the same token again, by form or in the URL, from a browser without the
    // session, is a 410 page; with the session's cookie it leads back to the page.
    let again = open_with_form(&h, &id, &api_token).await;
    assert_eq!(again.status(), 410);
    assert!(again.text().await.unwrap().contains("already used"));
    let by_get = h
        .http
        .get(h.url(&format!("/portal/{id}?apiToken={api_token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(by_get.status(), 410);
    let back = h
        .http
        .get(h.url(&format!("/portal/{id}?apiToken={api_token}")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), 303);

    // A wrong token, an unknown link, no session: 4xx pages, nothing opened.
    let (other, other_token) = link(&h, &token, "sso", SSO).await;
    let before = snapshot(&h);
    let wrong = open_with_form(&h, &other, &api_token).await;
    assert_eq!(wrong.status(), 403);
    assert!(wrong.headers().get("set-cookie").is_none());
    assert_eq!(snapshot(&h), before);
    let unknown = open_with_form(&h, "portal_link_nope", &other_token).await;
    assert_eq!(unknown.status(), 404);
    assert!(unknown.text().await.unwrap().contains("does not exist"));
    let (status, html) = page(&h, &other, "").await;
    assert_eq!(status, 403);
    assert!(html.contains("session has ended"));
    // Another link's session cookie opens nothing here.
    let (status, _) = page(&h, &other, &cookie).await;
    assert_eq!(status, 403);
    let missing = h
        .http
        .post(h.url(&format!("/portal/{other}")))
        .form(&[("nothing", "here")])
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);
}

#[tokio::test]
async fn a_link_expires_after_five_minutes_and_a_session_after_fifteen() {
    let h = Harness::start().await;
    let token = organization_token(&h, ACME_ID, all_scopes()).await;
    let (id, api_token) = link(&h, &token, "domain_verification", DOMAINS).await;
    let now = workos_emulator::clock::now();
    h.emulator
        .environment()
        .store
        .write()
        .portal_links
        .get_mut(&id)
        .unwrap()
        .expires_at = now - time::Duration::seconds(1);
    let expired = open_with_form(&h, &id, &api_token).await;
    assert_eq!(expired.status(), 410);
    assert!(expired.text().await.unwrap().contains("expired"));

    let (id, cookie) = session(&h, ACME_ID, "domain_verification", DOMAINS).await;
    assert_eq!(page(&h, &id, &cookie).await.0, 200);
    {
        let mut data = h.emulator.environment().store.write();
        let session = data
            .portal_links
            .get_mut(&id)
            .unwrap()
            .session
            .as_mut()
            .unwrap();
        let lifetime = session.expires_at - now;
        assert!(lifetime > time::Duration::minutes(14) && lifetime <= time::Duration::minutes(16));
        session.expires_at = now - time::Duration::seconds(1);
    }
    assert_eq!(page(&h, &id, &cookie).await.0, 403);
    let (status, _) = submit(
        &h,
        Method::POST,
        &format!("/portal/{id}/domains"),
        &cookie,
        &[("domain", "late.test")],
    )
    .await;
    assert_eq!(status, 403);
    assert!(
        h.emulator
            .environment()
            .store
            .read()
            .organization_domains
            .values()
            .all(|d| d.domain != "late.test")
    );
}

#[tokio::test]
async fn setting_up_sso_is_what_the_widget_shows_next() {
    let h = Harness::start().await;
    let globex = organization_token(&h, GLOBEX_ID, vec![WidgetsSSOManage]).await;
    assert_eq!(
        get(&h, "/admin-portal/sso-connections", &globex, SSO).await,
        (200, json!([]))
    );
    let (id, cookie) = session(&h, GLOBEX_ID, "sso", SSO).await;
    let sso = format!("/portal/{id}/sso");
    let connections = || async {
        let (status, body) = get(&h, "/admin-portal/sso-connections", &globex, SSO).await;
        assert_eq!(status, 200, "{body}");
        for c in body.as_array().unwrap() {
            check_connection(c);
        }
        body
    };

    // OpenID Connect: no certificates.
    let (status, location) = submit(
        &h,
        Method::POST,
        &sso,
        &cookie,
        &[("type", "GoogleOidc"), ("name", "Globex Google")],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, format!("/portal/{id}?saved=1").as_str())
    );
    let body = connections().await;
    assert_eq!(body.as_array().unwrap().len(), 1);
    assert_eq!(
        (
            &body[0]["type"],
            &body[0]["providerTag"],
            &body[0]["state"],
            &body[0]["name"]
        ),
        (
            &json!("GoogleOidc"),
            &json!("OpenIdConnect"),
            &json!("Active"),
            &json!("Globex Google")
        )
    );
    let first_id = body[0]["id"].clone();
    let (status, html) = page(&h, &id, &cookie).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Saved") || html.contains("Globex Google"),
        "{html}"
    );

    // SAML with a certificate expiring in 14 days: "Expiring" (within 30 days, not expired).
    let (status, _) = submit(
        &h,
        Method::POST,
        &sso,
        &cookie,
        &[("type", "OktaSaml"), ("certificate", "expiring")],
    )
    .await;
    assert_eq!(status, 303);
    let body = connections().await;
    assert_eq!(
        body.as_array().unwrap().len(),
        1,
        "the connection is reconfigured"
    );
    assert_eq!(body[0]["id"], first_id);
    assert_eq!(
        (&body[0]["type"], &body[0]["providerTag"]),
        (&json!("OktaSaml"), &json!("Saml"))
    );
    assert_eq!(
        body[0]["name"], "Okta SAML",
        "the provider's name by default"
    );
    assert!(body[0]["latestExpiredCertificate"].is_null());
    let rfc3339 = &time::format_description::well_known::Rfc3339;
    let not_after = time::OffsetDateTime::parse(
        body[0]["latestExpiringCertificate"]["notAfter"]
            .as_str()
            .unwrap(),
        rfc3339,
    )
    .unwrap();
    let left = not_after - workos_emulator::clock::now();
    assert!(
        left > time::Duration::days(13) && left <= time::Duration::days(30),
        "{left}"
    );

    // An expired certificate: "Requires action".
    let (status, _) = submit(
        &h,
        Method::POST,
        &sso,
        &cookie,
        &[("type", "AzureSaml"), ("certificate", "expired")],
    )
    .await;
    assert_eq!(status, 303);
    let body = connections().await;
    assert!(body[0]["latestExpiringCertificate"].is_null());
    let expired = time::OffsetDateTime::parse(
        body[0]["latestExpiredCertificate"]["notAfter"]
            .as_str()
            .unwrap(),
        rfc3339,
    )
    .unwrap();
    assert!(expired < workos_emulator::clock::now());

    // A valid one: connected, no warning.
    submit(
        &h,
        Method::POST,
        &sso,
        &cookie,
        &[("type", "OktaSaml"), ("certificate", "valid")],
    )
    .await;
    let body = connections().await;
    let not_after = time::OffsetDateTime::parse(
        body[0]["latestExpiringCertificate"]["notAfter"]
            .as_str()
            .unwrap(),
        rfc3339,
    )
    .unwrap();
    assert!(not_after - workos_emulator::clock::now() > time::Duration::days(300));

    // An unknown type is refused (422 page), nothing changes.
    let before = snapshot(&h);
    let (status, html) = submit(&h, Method::POST, &sso, &cookie, &[("type", "MySaml")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("role=\"alert\""), "{html}");
    assert_eq!(snapshot(&h), before);
}

#[tokio::test]
async fn adding_verifying_and_failing_domains_is_what_the_widget_shows_next() {
    let h = Harness::start().await;
    let acme = organization_token(&h, ACME_ID, all_scopes()).await;
    let (id, cookie) = session(&h, ACME_ID, "domain_verification", DOMAINS).await;
    let domains = || async {
        let (status, body) = get(&h, "/admin-portal/organization-domains", &acme, DOMAINS).await;
        assert_eq!(status, 200, "{body}");
        let list = body["data"].as_array().unwrap().clone();
        for d in &list {
            check_domain(d);
        }
        list
    };

    let (status, _) = submit(
        &h,
        Method::POST,
        &format!("/portal/{id}/domains"),
        &cookie,
        &[
            ("domain", " New-Domain.test "),
            ("name_server", "CloudFlare"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let list = domains().await;
    let added = list
        .iter()
        .find(|d| d["domain"] == "new-domain.test")
        .expect("added");
    assert_eq!(
        (&added["state"], &added["nameServer"]),
        (&json!("Pending"), &json!("CloudFlare"))
    );
    let token = added["verificationToken"].as_str().unwrap().to_string();
    let domain_id = added["id"].as_str().unwrap().to_string();
    let (_, html) = page(&h, &id, &cookie).await;
    assert!(
        html.contains(&format!("workos-domain-verification={token}")),
        "the TXT record is shown"
    );
    assert!(html.contains("aria-label=\"Verify new-domain.test\""));

    // "Fail verification": Failed; the widget's "Restart verification" (D3): Pending again.
    let (status, _) = submit(
        &h,
        Method::POST,
        &format!("/portal/{id}/domains/{domain_id}/fail"),
        &cookie,
        &[],
    )
    .await;
    assert_eq!(status, 303);
    let state = |list: Vec<Value>| {
        list.iter().find(|d| d["id"] == domain_id.as_str()).unwrap()["state"].clone()
    };
    assert_eq!(state(domains().await), "Failed");
    let (status, _) = h
        .call(h.widget(
            Method::POST,
            &format!("/admin-portal/organization-domains/{domain_id}/reverify"),
            &acme,
            DOMAINS,
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(state(domains().await), "Pending");
    // "Verify": Verified (and a verified domain cannot fail).
    let (status, _) = submit(
        &h,
        Method::POST,
        &format!("/portal/{id}/domains/{domain_id}/verify"),
        &cookie,
        &[],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(state(domains().await), "Verified");
    let (status, _) = submit(
        &h,
        Method::POST,
        &format!("/portal/{id}/domains/{domain_id}/fail"),
        &cookie,
        &[],
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(state(domains().await), "Verified");

    // The public Organization agrees.
    let organization = h
        .workos
        .organizations()
        .get_organization(ACME_ID)
        .await
        .unwrap();
    let json = serde_json::to_value(&organization).unwrap();
    assert!(
        json["domains"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["domain"] == "new-domain.test" && d["state"] == "verified")
    );

    // Refused: a domain in use (here or elsewhere), not a domain name, another organization's id.
    let globex_domain = h.emulator.environment().store.read().domains_of(GLOBEX_ID)[0]
        .id
        .clone();
    for (path, form, expected) in [
        (
            format!("/portal/{id}/domains"),
            vec![("domain", "acme.test")],
            409,
        ),
        (
            format!("/portal/{id}/domains"),
            vec![("domain", "globex.test")],
            409,
        ),
        (
            format!("/portal/{id}/domains"),
            vec![("domain", "not a domain")],
            422,
        ),
        (
            format!("/portal/{id}/domains"),
            vec![("domain", "localhost")],
            422,
        ),
        (format!("/portal/{id}/domains"), vec![], 422),
        (
            format!("/portal/{id}/domains/{globex_domain}/verify"),
            vec![],
            404,
        ),
        (
            format!("/portal/{id}/domains/{globex_domain}/fail"),
            vec![],
            404,
        ),
    ] {
        let before = snapshot(&h);
        let (status, html) = submit(&h, Method::POST, &path, &cookie, &form).await;
        assert_eq!(status, expected, "{path} {form:?}: {html}");
        assert!(html.contains("role=\"alert\""), "the page says why: {html}");
        assert_eq!(snapshot(&h), before, "{path} {form:?} changed the store");
    }
}

#[tokio::test]
async fn a_directory_set_up_through_the_widgets_link_shows_its_counts() {
    let h = Harness::start().await;
    let acme = organization_token(&h, ACME_ID, all_scopes()).await;
    let (_, listed) = get(&h, "/directory-sync/directories", &acme, DSYNC).await;
    // DirectorySync opens its link with a plain GET (an <a href>).
    let (id, api_token) = split(listed["link"].as_str().unwrap());
    let opened = h
        .http
        .get(h.url(&format!("/portal/{id}?apiToken={api_token}")))
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&opened, &id);
    let (status, html) = page(&h, &id, &cookie).await;
    assert_eq!(status, 200);
    assert!(html.contains("Save directory") && !html.contains("Save connection"));

    let (status, _) = submit(
        &h,
        Method::POST,
        &format!("/portal/{id}/directory"),
        &cookie,
        &[
            ("type", "okta scim v2.0"),
            ("name", "Acme Okta directory"),
            ("users_active", "42"),
            ("users_inactive", "3"),
            ("groups", "7"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (status, body) = get(&h, "/directory-sync/directories", &acme, DSYNC).await;
    assert_eq!(status, 200);
    let directory = &body["data"][0];
    has_keys(
        directory,
        &[
            "id",
            "name",
            "type",
            "state",
            "createdAt",
            "updatedAt",
            "lastSyncRunAt",
            "metadata",
        ],
    );
    assert_eq!(
        (&directory["type"], &directory["state"], &directory["name"]),
        (
            &json!("okta scim v2.0"),
            &json!("linked"),
            &json!("Acme Okta directory")
        )
    );
    assert_eq!(
        directory["metadata"],
        json!({"users": {"active": 42, "inactive": 3}, "groups": 7})
    );
    assert!(directory["lastSyncRunAt"].is_string());
    // Every listing carries a new link; the one used above no longer opens.
    assert_ne!(split(body["link"].as_str().unwrap()).0, id);

    // Again, other numbers: the same directory, updated.
    submit(
        &h,
        Method::POST,
        &format!("/portal/{id}/directory"),
        &cookie,
        &[
            ("type", "gsuite directory"),
            ("users_active", "1"),
            ("users_inactive", "0"),
            ("groups", "1"),
        ],
    )
    .await;
    let (_, body) = get(&h, "/directory-sync/directories", &acme, DSYNC).await;
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        (&body["data"][0]["type"], &body["data"][0]["name"]),
        (&json!("gsuite directory"), &json!("Google Workspace"))
    );
    assert_eq!(body["data"][0]["metadata"]["users"]["active"], 1);

    // Bad counts or types: 422, nothing changes.
    for form in [
        vec![
            ("type", "okta scim v2.0"),
            ("users_active", "-1"),
            ("users_inactive", "0"),
            ("groups", "0"),
        ],
        vec![
            ("type", "okta scim v2.0"),
            ("users_active", "2000000"),
            ("users_inactive", "0"),
            ("groups", "0"),
        ],
        vec![
            ("type", "ldap"),
            ("users_active", "1"),
            ("users_inactive", "0"),
            ("groups", "0"),
        ],
    ] {
        let before = snapshot(&h);
        let (status, _) = submit(
            &h,
            Method::POST,
            &format!("/portal/{id}/directory"),
            &cookie,
            &form,
        )
        .await;
        assert_eq!(status, 422, "{form:?}");
        assert_eq!(snapshot(&h), before);
    }
}

#[tokio::test]
async fn a_log_stream_opened_with_a_get_shows_its_state_in_the_widget() {
    let h = Harness::start().await;
    let acme = organization_token(&h, ACME_ID, all_scopes()).await;
    // AdminPortalAuditLogStreaming opens its link with window.open: a GET with the token.
    let (id, api_token) = link(&h, &acme, "log_streams", STREAM).await;
    let opened = h
        .http
        .get(h.url(&format!("/portal/{id}?apiToken={api_token}")))
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&opened, &id);

    for kind in STREAM_TYPES {
        for state in STREAM_STATES {
            let (status, _) = submit(
                &h,
                Method::POST,
                &format!("/portal/{id}/log-stream"),
                &cookie,
                &[("type", kind), ("state", state)],
            )
            .await;
            assert_eq!(status, 303, "{kind} {state}");
            let (status, stream) = get(&h, "/admin-portal/audit-log-stream", &acme, STREAM).await;
            assert_eq!(status, 200);
            has_keys(
                &stream,
                &[
                    "id",
                    "state",
                    "type",
                    "errorMessage",
                    "lastSyncedEventId",
                    "auditLogTrailId",
                ],
            );
            assert_eq!(
                (&stream["type"], &stream["state"]),
                (&json!(kind), &json!(state))
            );
            assert_eq!(
                stream["errorMessage"].is_string(),
                matches!(*state, "Error" | "Invalid"),
                "{stream}"
            );
        }
    }
    assert_eq!(
        h.emulator
            .environment()
            .store
            .read()
            .audit_log_streams
            .len(),
        1,
        "one stream"
    );
    // A section this link does not open is refused.
    let (status, _) = submit(
        &h,
        Method::POST,
        &format!("/portal/{id}/sso"),
        &cookie,
        &[("type", "OktaSaml")],
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_public_api_generates_links_and_reset_restores_the_seed() {
    let h = Harness::start().await;
    let generate = |body: Value| {
        h.http
            .post(h.url("/portal/generate_link"))
            .bearer_auth("sk_test_emulator")
            .json(&body)
    };
    let (status, body) = h.call(generate(json!({"organization": GLOBEX_ID}))).await;
    assert_eq!(status, 201, "{body}");
    let (id, api_token) = split(body["link"].as_str().unwrap());
    // No intent: every section.
    let opened = open_with_form(&h, &id, &api_token).await;
    let cookie = session_cookie(&opened, &id);
    let (_, html) = page(&h, &id, &cookie).await;
    for button in [
        "Save connection",
        "Add domain",
        "Save directory",
        "Save log stream",
    ] {
        assert!(html.contains(button), "{button}");
    }
    assert!(html.contains("close this tab"));

    // Through the workos crate (the response decodes), with a return URL the page links to.
    let params = workos::admin_portal::GenerateLinkParams::new(workos::GenerateLink {
        return_url: Some("http://127.0.0.1:3000/organization/sso".into()),
        success_url: None,
        organization: ACME_ID.into(),
        external_user_id: None,
        intent: Some(workos::GenerateLinkIntent::SSO),
        it_contact_emails: None,
    });
    let response = h
        .workos
        .admin_portal()
        .generate_link(params)
        .await
        .expect("a link");
    let (id, api_token) = split(response.link.expose());
    let cookie = session_cookie(&open_with_form(&h, &id, &api_token).await, &id);
    let (_, html) = page(&h, &id, &cookie).await;
    assert!(html.contains("href=\"http://127.0.0.1:3000/organization/sso\""));

    for (body, expected) in [
        (json!({"organization": "org_nope", "intent": "sso"}), 404),
        (
            json!({"organization": ACME_ID, "intent": "audit_logs"}),
            422,
        ),
        (
            json!({"organization": ACME_ID, "return_url": "javascript:alert(1)"}),
            422,
        ),
        (json!({"intent": "sso"}), 422),
    ] {
        let (status, answer) = h.call(generate(body.clone())).await;
        assert_eq!(status, expected, "{body}: {answer}");
        assert!(answer["message"].is_string());
    }
    let (status, _) = h
        .call(
            h.http
                .post(h.url("/portal/generate_link"))
                .json(&json!({"organization": ACME_ID})),
        )
        .await;
    assert_eq!(status, 401);

    // Set something up, then reset: back to the seed.
    submit(
        &h,
        Method::POST,
        &format!("/portal/{id}/sso"),
        &cookie,
        &[("type", "GoogleOidc")],
    )
    .await;
    let acme = organization_token(&h, ACME_ID, all_scopes()).await;
    assert_eq!(
        get(&h, "/admin-portal/sso-connections", &acme, SSO).await.1[0]["type"],
        "GoogleOidc"
    );
    assert_eq!(h.call(h.http.post(h.url("/_emulator/reset"))).await.0, 200);
    assert_eq!(
        get(&h, "/admin-portal/sso-connections", &acme, SSO).await.1[0]["type"],
        "OktaSaml"
    );
    assert!(
        h.emulator
            .environment()
            .store
            .read()
            .portal_links
            .is_empty()
    );
}

#[tokio::test]
async fn portal_changes_survive_a_restart_with_a_state_file() {
    let dir = std::env::temp_dir().join(format!("workos-emulator-portal-{}", ulid::Ulid::new()));
    let config = || EmulatorConfig {
        state_path: Some(dir.join("state.json")),
        signing_key_path: Some(dir.join("key.pem")),
        ..EmulatorConfig::default()
    };
    let h = Harness::with_config(config()).await;
    let (id, cookie) = session(&h, ACME_ID, "log_streams", STREAM).await;
    let (status, _) = submit(
        &h,
        Method::POST,
        &format!("/portal/{id}/log-stream"),
        &cookie,
        &[("type", "Splunk"), ("state", "Active")],
    )
    .await;
    assert_eq!(status, 303);
    h.emulator.shutdown().await;

    let h = Harness::with_config(config()).await;
    let acme = organization_token(&h, ACME_ID, all_scopes()).await;
    let (_, stream) = get(&h, "/admin-portal/audit-log-stream", &acme, STREAM).await;
    assert_eq!(
        (&stream["type"], &stream["state"]),
        (&json!("Splunk"), &json!("Active"))
    );
    // The session survives too.
    assert_eq!(page(&h, &id, &cookie).await.0, 200);
    h.emulator.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
