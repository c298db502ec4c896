//! Widget tokens are minted once per session and context and then reused (`token_cache.rs`), and
//! never served to another context: each test runs its own app and emulator, so it can count the
//! emulator's mints and change its data.

use workos_emulator::EmulatorConfig;
use workos_emulator::seed::{ACME_ID, ALICE_ID, GLOBEX_ID};

use crate::support::{Harness, runtime, set_cookie};

/// A browser's session: the cookie, following every `Set-Cookie` the app sends.
struct Browser<'a> {
    h: &'a Harness,
    cookie: String,
}

/// One answer of the `widget_token` server function.
struct Answer {
    status: u16,
    body: serde_json::Value,
}

impl Answer {
    fn token(&self) -> String {
        assert_eq!(self.status, 200, "{}", self.body);
        self.body["token"].as_str().unwrap().to_string()
    }
}

impl<'a> Browser<'a> {
    async fn sign_in(h: &'a Harness, email: &str) -> Self {
        Self {
            h,
            cookie: h.sign_in(email).await,
        }
    }

    /// `POST /api/widget_token` `kind=…[&fresh=true]`.
    async fn token(&mut self, kind: &str, fresh: bool) -> Answer {
        let mut form = vec![("kind", kind)];
        if fresh {
            form.push(("fresh", "true"));
        }
        let response = self
            .h
            .http
            .post(format!("{}/api/widget_token", self.h.base))
            .header("cookie", format!("wos-session={}", self.cookie))
            .form(&form)
            .send()
            .await
            .unwrap();
        if let Some(cookie) = set_cookie(&response, "wos-session") {
            self.cookie = cookie;
        }
        Answer {
            status: response.status().as_u16(),
            body: response.json().await.unwrap_or_default(),
        }
    }

    /// `GET path`: status and HTML.
    async fn page(&mut self, path: &str) -> (u16, String) {
        let response = self
            .h
            .http
            .get(format!("{}{path}", self.h.base))
            .header("cookie", format!("wos-session={}", self.cookie))
            .send()
            .await
            .unwrap();
        if let Some(cookie) = set_cookie(&response, "wos-session") {
            self.cookie = cookie;
        }
        (
            response.status().as_u16(),
            response.text().await.unwrap_or_default(),
        )
    }

    /// `POST /api/switch_organization` to `organization_id`.
    async fn switch(&mut self, organization_id: &str) {
        let response = self
            .h
            .http
            .post(format!("{}/api/switch_organization", self.h.base))
            .header("cookie", format!("wos-session={}", self.cookie))
            .form(&[("organization_id", organization_id)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        self.cookie = set_cookie(&response, "wos-session").expect("the switch sets the cookie");
    }

    /// `POST /sign-out`, then the WorkOS logout URL it redirects to (as the browser follows it).
    async fn sign_out(&self) {
        let response = self
            .h
            .http
            .post(format!("{}/sign-out", self.h.base))
            .header("cookie", format!("wos-session={}", self.cookie))
            .send()
            .await
            .unwrap();
        assert_eq!(set_cookie(&response, "wos-session").as_deref(), Some(""));
        let logout = response.headers()["location"].to_str().unwrap().to_string();
        self.h.http.get(logout).send().await.unwrap();
    }
}

fn claims(token: &str) -> serde_json::Value {
    crate::hostile_input::claims_of(token)
}

/// Widget tokens the emulator has minted so far.
async fn minted(h: &Harness) -> u64 {
    h.emulator
        .environment()
        .calls
        .snapshot()
        .widget_tokens_minted
}

/// The props of a widget page's boot data (`<script type="application/json" data-widget-boot>`),
/// if it carries one with a token.
fn boot_props(html: &str) -> Option<serde_json::Value> {
    const OPEN: &str = "data-widget-boot=\"\">";
    let start = html.find(OPEN)? + OPEN.len();
    let end = start + html[start..].find("</script>")?;
    let boot: serde_json::Value = serde_json::from_str(&html[start..end]).ok()?;
    Some(boot["props"].clone())
}

/// Access tokens living 61 s: the app refreshes them (60 s before expiry) on every request from
/// two seconds after sign-in (whole seconds), so a role change or revocation shows at once.
fn refreshing_every_request() -> EmulatorConfig {
    EmulatorConfig {
        access_token_ttl_secs: 61,
        ..Default::default()
    }
}

async fn after_two_seconds() {
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
}

#[test]
fn one_mint_serves_every_request_and_widget_that_needs_the_same_token() {
    runtime().block_on(async {
        let h = Harness::start_with(EmulatorConfig::default()).await;
        let mut alice = Browser::sign_in(&h, "alice@acme.test").await;
        let start = minted(&h).await;
        let first = alice.token("user-profile", false).await;
        let token = first.token();
        for kind in [
            "user-profile",
            "user-security",
            "user-sessions",
            "organization-switcher",
        ] {
            assert_eq!(alice.token(kind, false).await.token(), token, "{kind}");
        }
        let sessions = alice.token("user-sessions", false).await;
        assert!(sessions.body["current_session_id"].is_string());
        assert_eq!(minted(&h).await - start, 1, "one user-level token");

        // The users table's token has a scope: another token, minted once.
        let scoped = alice.token("users-management", false).await.token();
        assert_ne!(scoped, token);
        assert_eq!(
            claims(&scoped)["permissions"],
            serde_json::json!(["widgets:users-table:manage"])
        );
        assert_eq!(alice.token("users-management", false).await.token(), scoped);
        assert_eq!(minted(&h).await - start, 2);

        // Another session of the same user has its own tokens.
        let mut elsewhere = Browser::sign_in(&h, "alice@acme.test").await;
        assert_ne!(elsewhere.token("user-profile", false).await.token(), token);
        assert_eq!(minted(&h).await - start, 3);

        // `fresh` (a widget's `authToken` after a 403) mints anew, and later requests get the new one.
        let renewed = alice.token("user-security", true).await.token();
        assert_ne!(renewed, token);
        assert_eq!(alice.token("user-profile", false).await.token(), renewed);
        assert_eq!(minted(&h).await - start, 4);
        h.emulator.shutdown().await;
    });
}

#[test]
fn a_widget_page_carries_the_token_the_server_holds_so_a_reload_mints_nothing() {
    runtime().block_on(async {
        let h = Harness::start_with(EmulatorConfig::default()).await;
        let mut alice = Browser::sign_in(&h, "alice@acme.test").await;
        let start = minted(&h).await;
        let (status, html) = alice.page("/account/profile").await;
        assert_eq!(status, 200);
        let props = boot_props(&html).expect("the profile page carries its widget's boot data");
        let token = props["initialToken"].as_str().unwrap().to_string();
        assert_eq!(props["widgetsType"], "user-profile");
        assert_eq!(claims(&token)["sub"], ALICE_ID);
        assert_eq!(minted(&h).await - start, 1);

        // A reload, another page of the same token, and the server function: the same token.
        let (_, reload) = alice.page("/account/profile").await;
        assert_eq!(boot_props(&reload).unwrap()["initialToken"], token.as_str());
        let (_, sessions) = alice.page("/account/sessions").await;
        let sessions = boot_props(&sessions).unwrap();
        assert_eq!(sessions["initialToken"], token.as_str());
        assert!(sessions["currentSessionId"].is_string(), "{sessions}");
        assert_eq!(alice.token("user-profile", false).await.token(), token);
        assert_eq!(minted(&h).await - start, 1);

        // A fresh token (a widget's `authToken` after a 403) is the one the next page carries.
        let renewed = alice.token("user-profile", true).await.token();
        let (_, after) = alice.page("/account/security").await;
        assert_eq!(
            boot_props(&after).unwrap()["initialToken"],
            renewed.as_str()
        );
        assert_eq!(minted(&h).await - start, 2);

        // WorkOS failing to mint the next token: the page is still a 200 with its skeleton, and no
        // boot data (the widget shows the error, with Try again, once the WASM is there).
        h.emulator
            .environment()
            .faults
            .add(workos_emulator::faults::Fault {
                path_prefix: "/widgets/token".into(),
                method: None,
                count: Some(3),
                percent: None,
                kind: workos_emulator::faults::FaultKind::Error { status: 500 },
            });
        let (status, html) = alice.page("/organization/users").await;
        assert_eq!(status, 200);
        assert!(html.contains("widget-skeleton"));
        assert!(boot_props(&html).is_none(), "no boot data without a token");
        h.emulator.shutdown().await;
    });
}

#[test]
fn an_organization_switch_never_serves_the_old_organizations_token() {
    runtime().block_on(async {
        let h = Harness::start_with(EmulatorConfig::default()).await;
        let mut alice = Browser::sign_in(&h, "alice@acme.test").await;
        let stale = alice.cookie.clone();
        let acme = alice.token("user-profile", false).await.token();
        assert_eq!(claims(&acme)["org_id"], ACME_ID);

        alice.switch(GLOBEX_ID).await;
        let globex = alice.token("user-profile", false).await.token();
        assert_eq!(claims(&globex)["org_id"], GLOBEX_ID);
        // Alice is a member in Globex: no users table there.
        assert_eq!(alice.token("users-management", false).await.status, 403);

        // Even the cookie from before the switch (its access token still verifies for a while)
        // does not get the token held for Acme: the switch forgot the session's tokens.
        let mut replay = Browser {
            h: &h,
            cookie: stale,
        };
        let again = replay.token("user-profile", false).await.token();
        assert_ne!(again, acme);
        h.emulator.shutdown().await;
    });
}

#[test]
fn a_sign_out_forgets_the_sessions_tokens() {
    runtime().block_on(async {
        let h = Harness::start_with(EmulatorConfig::default()).await;
        let mut alice = Browser::sign_in(&h, "alice@acme.test").await;
        let before = alice.token("user-profile", false).await.token();
        let old_cookie = alice.cookie.clone();
        alice.sign_out().await;

        // Signing in again is a new session with a token of its own.
        let mut again = Browser::sign_in(&h, "alice@acme.test").await;
        assert_ne!(again.token("user-profile", false).await.token(), before);
        // The signed-out cookie, replayed while its access token still verifies, is not handed the
        // token it had.
        let mut replay = Browser {
            h: &h,
            cookie: old_cookie,
        };
        let answer = replay.token("user-profile", false).await;
        assert!(
            answer.status == 401 || answer.token() != before,
            "{}",
            answer.body
        );
        h.emulator.shutdown().await;
    });
}

#[test]
fn a_revoked_session_gets_no_token_after_its_next_refresh() {
    runtime().block_on(async {
        let h = Harness::start_with(refreshing_every_request()).await;
        let mut alice = Browser::sign_in(&h, "alice@acme.test").await;
        let first = alice.token("user-profile", false).await;
        first.token();
        let session_id = alice.token("user-sessions", false).await.body["current_session_id"]
            .as_str()
            .unwrap()
            .to_string();

        // Revoked at WorkOS (as "sign out" in another browser's UserSessions does).
        let revoked = h
            .http
            .post(format!(
                "{}/user_management/sessions/revoke",
                h.emulator.base_url()
            ))
            .bearer_auth(&h.emulator.environment().config.api_key)
            .json(&serde_json::json!({"session_id": session_id}))
            .send()
            .await
            .unwrap();
        assert_eq!(revoked.status(), 200);
        after_two_seconds().await;
        let refused = alice.token("user-profile", false).await;
        assert_eq!(refused.status, 401, "{}", refused.body);
        assert_eq!(alice.cookie, "", "the cookie is cleared");
        h.emulator.shutdown().await;
    });
}

#[test]
fn a_demoted_admin_gets_no_scoped_token_after_the_next_refresh_nor_the_old_user_token() {
    runtime().block_on(async {
        let h = Harness::start_with(refreshing_every_request()).await;
        let mut alice = Browser::sign_in(&h, "alice@acme.test").await;
        let scoped = alice.token("users-management", false).await;
        scoped.token();
        let user_token = alice.token("user-profile", false).await.token();
        assert_eq!(claims(&user_token)["role"], "admin");

        {
            let mut data = h.emulator.environment().store.write();
            let membership = data
                .memberships
                .values_mut()
                .find(|m| m.user_id == ALICE_ID && m.organization_id == ACME_ID)
                .expect("Alice's Acme membership");
            membership.role = "member".into();
        }
        after_two_seconds().await;
        let refused = alice.token("users-management", false).await;
        assert_eq!(refused.status, 403, "{}", refused.body);
        let now = alice.token("user-profile", false).await.token();
        assert_ne!(now, user_token);
        assert_eq!(claims(&now)["role"], "member");
        h.emulator.shutdown().await;
    });
}
