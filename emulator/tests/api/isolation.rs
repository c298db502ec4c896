//! The isolation matrix: every `/_widgets/*` endpoint the emulator serves, against every token that
//! must not work there — an admin's token on another organization's ids, a member's token on admin
//! operations, expired, foreign-key, `alg: none`, alg-confusion and tampered tokens. Each is refused
//! with the contract's status (never 2xx, never 5xx) and leaves the store exactly as it was (read
//! back after every request). One table of endpoints, one table of scenarios, one loop; the failure
//! message lists every combination that failed.

use reqwest::Method;
use serde_json::{Value, json};
use workos::WidgetSessionTokenScopes::{
    Unknown, WidgetsApiKeysManage, WidgetsAuditLogStreamingManage, WidgetsDomainVerificationManage,
    WidgetsDsyncManage, WidgetsPipesManage, WidgetsSSOManage, WidgetsUsersTableManage,
};
use workos_emulator::auth::ORGANIZATION_TOKEN_SCOPES;
use workos_emulator::entities::{ApiKeyOwner, Data};
use workos_emulator::seed::{
    ACME_ID, ALICE_ID, API_KEYS_MANAGE, AUDIT_LOG_STREAMING_MANAGE, BOB_ID, CAROL_ID,
    DEMO_PASSWORD, DOMAIN_VERIFICATION_MANAGE, DSYNC_MANAGE, GLOBEX_ID, PIPES_MANAGE, SSO_MANAGE,
    USERS_TABLE_MANAGE,
};

use crate::coverage::{normalise, registered_routes};
use crate::support::{Harness, changed_fields, forge, payload, snapshot};
use crate::widgets_admin_portal::{DOMAINS, DSYNC, SSO, STREAM, all_scopes, organization_token};
use crate::widgets_pipes::{PIPES, PIPES_ADMIN};

/// Dana and Evan: two of the 25 extra Acme members of the demo seed.
const DANA_ID: &str = "user_01JDEM00000000000000000100";
const EVAN_ID: &str = "user_01JDEM00000000000000000101";

/// One `/_widgets` operation. `{placeholders}` in `path` and `body` are filled from [`Targets`].
struct Endpoint {
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    widget: &'static str,
    /// The permission the operation needs (`widgets:users-table:manage`, …), which the member
    /// scenarios' tokens lack.
    permission: Option<&'static str>,
    /// Needs `x-elevated-access-token`.
    elevated: bool,
    /// The status when the placeholders name another organization's (or user's) objects; `None`:
    /// the operation only ever acts on the caller's own data, so with another organization's token
    /// it may succeed, but must leak nothing of the other organization and change none of it.
    foreign: Option<u16>,
}

const fn ep(
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    widget: &'static str,
) -> Endpoint {
    Endpoint {
        method,
        path,
        body,
        widget,
        permission: None,
        elevated: false,
        foreign: None,
    }
}

impl Endpoint {
    /// Needs `widgets:users-table:manage`.
    const fn admin(self) -> Self {
        self.needs(USERS_TABLE_MANAGE)
    }
    const fn needs(mut self, permission: &'static str) -> Self {
        self.permission = Some(permission);
        self
    }
    const fn elevated(mut self) -> Self {
        self.elevated = true;
        self
    }
    const fn foreign(mut self, status: u16) -> Self {
        self.foreign = Some(status);
        self
    }
}

const PROFILE: &str = "user-profile";
const SECURITY: &str = "user-security";
const SESSIONS: &str = "user-sessions";
const MANAGEMENT: &str = "user-management";
const SWITCHER: &str = "organization-switcher";
const KEYS: &str = "api-keys";
const USER_KEYS: &str = "user-api-keys";
const MANAGE_SELF: &str = "widgets:user-api-keys:manage-self";
const MANAGE_ALL: &str = "widgets:user-api-keys:manage-all";
/// A key created by the attacker, the same for every organization.
const NEW_KEY: &str = r#"{"name":"Mallory's key","permissions":["posts:read"],"expiresAt":null}"#;
/// Connects an account with an API key or client credentials.
const SECRET: &str = r#"{"secret":"mallory-key"}"#;
const CLIENT: &str = r#"{"client_id":"mallory","client_secret":"mallory-secret"}"#;
/// Expires a key at once.
const EXPIRE_NOW: &str = r#"{"expiresAt":"2020-01-01T00:00:00.000Z"}"#;

/// Every `/_widgets` route (checked by [`the_matrix_covers_every_widgets_route`]), the member
/// routes once per kind of id a caller could put there (user, membership, invitation).
const ENDPOINTS: &[Endpoint] = &[
    // UserProfile (P1–P7).
    ep("GET", "/UserProfile/me", None, PROFILE),
    ep(
        "POST",
        "/UserProfile/me",
        Some(r#"{"firstName":"Mallory","lastName":"Intruder"}"#),
        PROFILE,
    ),
    ep("POST", "/UserProfile/send-verification", None, PROFILE),
    // The victim's own challenge with the victim's own (correct) code.
    ep(
        "POST",
        "/UserProfile/verify",
        Some(r#"{"code":"{code}","authenticationChallengeId":"{challenge}"}"#),
        PROFILE,
    )
    .foreign(400),
    // Taking over the victim's address.
    ep(
        "POST",
        "/UserProfile/send-email-change",
        Some(r#"{"newEmail":"{email}"}"#),
        PROFILE,
    )
    .elevated()
    .foreign(409),
    // The code of the victim's pending email change.
    ep(
        "POST",
        "/UserProfile/verify-email-change",
        Some(r#"{"code":"{email_code}"}"#),
        PROFILE,
    )
    .elevated()
    .foreign(400),
    // UserSecurity (S1–S6).
    ep(
        "GET",
        "/UserProfile/authentication-information",
        None,
        SECURITY,
    ),
    ep(
        "POST",
        "/UserProfile/update-password",
        Some(r#"{"currentPassword":"{password}","newPassword":"Mallory-was-here-1"}"#),
        SECURITY,
    ),
    ep(
        "POST",
        "/UserProfile/create-password",
        Some(r#"{"password":"Mallory-was-here-2"}"#),
        SECURITY,
    )
    .elevated(),
    ep("POST", "/UserProfile/create-totp-factor", None, SECURITY).elevated(),
    // The victim's pending TOTP enrolment with the authenticator's current (correct) code.
    ep(
        "POST",
        "/UserProfile/verify-totp-factor",
        Some(r#"{"code":"{totp}","authenticationChallengeId":"{factor}"}"#),
        SECURITY,
    )
    .foreign(400),
    ep("DELETE", "/UserProfile/totp-factors", None, SECURITY).elevated(),
    // UserSessions (U1–U3).
    ep("GET", "/UserProfile/sessions", None, SESSIONS),
    ep(
        "DELETE",
        "/UserProfile/sessions/revoke/{session}",
        None,
        SESSIONS,
    )
    .foreign(404),
    ep(
        "DELETE",
        "/UserProfile/sessions/revoke-all",
        Some(r#"{"currentSessionId":"{session}"}"#),
        SESSIONS,
    ),
    // UsersManagement (M1–M8).
    ep("GET", "/UserManagement/members?limit=10", None, MANAGEMENT).admin(),
    ep(
        "GET",
        "/UserManagement/members?limit=10&search={email}",
        None,
        MANAGEMENT,
    )
    .admin(),
    ep("GET", "/UserManagement/roles-and-config", None, MANAGEMENT).admin(),
    ep("GET", "/UserManagement/roles", None, MANAGEMENT).admin(),
    ep(
        "POST",
        "/UserManagement/invite-user",
        Some(r#"{"email":"{invitee}","roles":["member"]}"#),
        MANAGEMENT,
    )
    .admin(),
    ep(
        "POST",
        "/UserManagement/members/{member}",
        Some(r#"{"roles":["admin"]}"#),
        MANAGEMENT,
    )
    .admin()
    .foreign(404),
    ep(
        "POST",
        "/UserManagement/members/{membership}",
        Some(r#"{"roles":["admin"]}"#),
        MANAGEMENT,
    )
    .admin()
    .foreign(404),
    ep(
        "DELETE",
        "/UserManagement/members/{member}",
        None,
        MANAGEMENT,
    )
    .admin()
    .foreign(404),
    ep(
        "DELETE",
        "/UserManagement/members/{membership}",
        None,
        MANAGEMENT,
    )
    .admin()
    .foreign(404),
    ep(
        "DELETE",
        "/UserManagement/members/{invite}",
        None,
        MANAGEMENT,
    )
    .admin()
    .foreign(404),
    ep(
        "POST",
        "/UserManagement/invites/{invite}/resend",
        None,
        MANAGEMENT,
    )
    .admin()
    .foreign(404),
    ep(
        "DELETE",
        "/UserManagement/invites/{invite}",
        None,
        MANAGEMENT,
    )
    .admin()
    .foreign(404),
    ep(
        "DELETE",
        "/UserManagement/invites/{member}",
        None,
        MANAGEMENT,
    )
    .admin()
    .foreign(404),
    // OrganizationSwitcher (O1).
    ep("GET", "/UserManagement/organizations", None, SWITCHER),
    // ApiKeys, organization scope (K1–K5): a user API key through these routes is not found either.
    ep("GET", "/ApiKeys/organization-api-keys?limit=10", None, KEYS).needs(API_KEYS_MANAGE),
    ep("GET", "/ApiKeys/permissions?limit=100", None, KEYS).needs(API_KEYS_MANAGE),
    ep(
        "POST",
        "/ApiKeys/organization-api-keys",
        Some(NEW_KEY),
        KEYS,
    )
    .needs(API_KEYS_MANAGE),
    ep("DELETE", "/ApiKeys/{org_key}", None, KEYS)
        .needs(API_KEYS_MANAGE)
        .foreign(404),
    ep("DELETE", "/ApiKeys/{user_key}", None, KEYS)
        .needs(API_KEYS_MANAGE)
        .foreign(404),
    ep("POST", "/ApiKeys/{org_key}/expire", Some(EXPIRE_NOW), KEYS)
        .needs(API_KEYS_MANAGE)
        .foreign(404),
    // ApiKeys, user scope (UK1–UK5): every member manages their own keys, so no admin rows.
    ep("GET", "/UserApiKeys/api-keys?limit=10", None, USER_KEYS),
    ep("GET", "/UserApiKeys/permissions?limit=100", None, USER_KEYS),
    ep("POST", "/UserApiKeys/api-keys", Some(NEW_KEY), USER_KEYS),
    ep("DELETE", "/UserApiKeys/{user_key}", None, USER_KEYS).foreign(404),
    ep("DELETE", "/UserApiKeys/{org_key}", None, USER_KEYS).foreign(404),
    ep(
        "POST",
        "/UserApiKeys/{user_key}/expire",
        Some(EXPIRE_NOW),
        USER_KEYS,
    )
    .foreign(404),
    // Admin Portal widgets (A1, A2 per intent, D1–D3, L1) and DirectorySync (Y1). D3 before D2:
    // the control removes the domain.
    ep("GET", "/admin-portal/sso-connections", None, SSO).needs(SSO_MANAGE),
    ep("POST", "/admin-portal/generate-link?intent=sso", None, SSO).needs(SSO_MANAGE),
    ep(
        "POST",
        "/admin-portal/generate-link?intent=domain_verification",
        None,
        DOMAINS,
    )
    .needs(DOMAIN_VERIFICATION_MANAGE),
    ep(
        "POST",
        "/admin-portal/generate-link?intent=log_streams",
        None,
        STREAM,
    )
    .needs(AUDIT_LOG_STREAMING_MANAGE),
    ep(
        "POST",
        "/admin-portal/generate-link?intent=dsync",
        None,
        DSYNC,
    )
    .needs(DSYNC_MANAGE),
    ep("GET", "/admin-portal/organization-domains", None, DOMAINS)
        .needs(DOMAIN_VERIFICATION_MANAGE),
    ep(
        "POST",
        "/admin-portal/organization-domains/{domain}/reverify",
        None,
        DOMAINS,
    )
    .needs(DOMAIN_VERIFICATION_MANAGE)
    .foreign(404),
    ep(
        "DELETE",
        "/admin-portal/organization-domains/{domain}",
        None,
        DOMAINS,
    )
    .needs(DOMAIN_VERIFICATION_MANAGE)
    .foreign(404),
    ep("GET", "/admin-portal/audit-log-stream", None, STREAM).needs(AUDIT_LOG_STREAMING_MANAGE),
    ep("GET", "/directory-sync/directories", None, DSYNC).needs(DSYNC_MANAGE),
    // Pipes (G1, I1–I6): every member connects their own accounts, so no admin rows; a member's
    // account and the organization's shared one are not found through another token.
    ep("GET", "/settings", None, PIPES),
    ep("GET", "/DataIntegrations/mine", None, PIPES),
    ep("GET", "/DataIntegrations/shared-connections", None, PIPES),
    ep(
        "POST",
        "/DataIntegrations/{github}/authorize",
        Some(r#"{"requireHandoff":true}"#),
        PIPES,
    ),
    ep(
        "PUT",
        "/DataIntegrations/{datadog}/api-key",
        Some(SECRET),
        PIPES,
    ),
    ep(
        "PUT",
        "/DataIntegrations/{snowflake}/client-credentials",
        Some(CLIENT),
        PIPES,
    ),
    ep(
        "DELETE",
        "/DataIntegrations/installations/{installation}",
        None,
        PIPES,
    )
    .foreign(404),
    ep(
        "DELETE",
        "/DataIntegrations/installations/{org_installation}",
        None,
        PIPES,
    )
    .foreign(404),
    // PipesAdmin (J1–J8).
    ep("GET", "/DataIntegrations/configurations", None, PIPES_ADMIN).needs(PIPES_MANAGE),
    ep("GET", "/DataIntegrations/organization", None, PIPES_ADMIN).needs(PIPES_MANAGE),
    ep(
        "PUT",
        "/DataIntegrations/{linear}/configuration",
        Some(r#"{"enabled":true,"scopes":["write"]}"#),
        PIPES_ADMIN,
    )
    .needs(PIPES_MANAGE),
    ep(
        "PUT",
        "/DataIntegrations/{notion}/organization/configuration",
        Some(r#"{"enabled":true,"scopes":["update_content"]}"#),
        PIPES_ADMIN,
    )
    .needs(PIPES_MANAGE),
    ep(
        "POST",
        "/DataIntegrations/{notion}/organization/authorize",
        Some("{}"),
        PIPES_ADMIN,
    )
    .needs(PIPES_MANAGE),
    ep(
        "PUT",
        "/DataIntegrations/{sentry}/organization/api-key",
        Some(SECRET),
        PIPES_ADMIN,
    )
    .needs(PIPES_MANAGE),
    ep(
        "PUT",
        "/DataIntegrations/{sentry}/organization/client-credentials",
        Some(CLIENT),
        PIPES_ADMIN,
    )
    .needs(PIPES_MANAGE),
    ep(
        "DELETE",
        "/DataIntegrations/organization/installations/{org_installation}",
        None,
        PIPES_ADMIN,
    )
    .needs(PIPES_MANAGE)
    .foreign(404),
    ep(
        "DELETE",
        "/DataIntegrations/organization/installations/{installation}",
        None,
        PIPES_ADMIN,
    )
    .needs(PIPES_MANAGE)
    .foreign(404),
];

/// Providers of the demo seed's Pipes catalogue; `{slug}` in a row's path is that provider.
const PROVIDERS: [&str; 6] = [
    "github",
    "datadog",
    "snowflake",
    "linear",
    "notion",
    "sentry",
];

/// The objects of one organization and one of its users that the requests name.
#[derive(Clone)]
struct Targets {
    /// A member's user id (the widgets' `Member.id`), their membership id, an open invitation.
    member: String,
    membership: String,
    invite: String,
    /// The user's AuthKit session, their unverified elevated-access challenge and its emailed
    /// code, their pending TOTP enrolment and its secret, their email and the code of their
    /// pending email change.
    session: String,
    challenge: String,
    code: String,
    factor: String,
    totp_secret: String,
    email: String,
    email_code: String,
    /// A new address to invite, and the password the caller's `update-password` sends.
    invitee: String,
    password: String,
    /// An organization API key, and the user's own user API key.
    org_key: String,
    user_key: String,
    /// The organization's last domain (Acme: `acme-corp.test`, pending; Globex: `globex.test`).
    domain: String,
    /// The user's connected account (Datadog, API key) and the organization's shared one
    /// (Sentry, API key).
    installation: String,
    org_installation: String,
}

impl Targets {
    fn fill(&self, template: &str) -> String {
        let filled = {
            let totp = crate::support::authenticator(&self.totp_secret, &self.email)
                .generate_current()
                .to_string();
            [
                ("{member}", &self.member),
                ("{membership}", &self.membership),
                ("{invite}", &self.invite),
                ("{session}", &self.session),
                ("{challenge}", &self.challenge),
                ("{code}", &self.code),
                ("{factor}", &self.factor),
                ("{totp}", &totp),
                ("{email_code}", &self.email_code),
                ("{email}", &self.email),
                ("{invitee}", &self.invitee),
                ("{password}", &self.password),
                ("{org_key}", &self.org_key),
                ("{user_key}", &self.user_key),
                ("{domain}", &self.domain),
                ("{installation}", &self.installation),
                ("{org_installation}", &self.org_installation),
            ]
            .into_iter()
            .fold(template.to_string(), |text, (placeholder, value)| {
                text.replace(placeholder, value)
            })
        };
        PROVIDERS.iter().fold(filled, |text, slug| {
            text.replace(&format!("{{{slug}}}"), slug)
        })
    }
}

/// The organization (and its users) a cross-organization caller must neither see nor change.
#[derive(Clone)]
struct Victim {
    organization: String,
    users: Vec<String>,
    emails: Vec<String>,
    /// Strings that must not appear in any 2xx answer to the attacker.
    markers: Vec<String>,
}

impl Victim {
    /// Everything of the victim in the store.
    fn view(&self, data: &Data) -> Value {
        let ours = |user: &String| self.users.contains(user);
        json!({
            "organization": data.organizations.get(&self.organization),
            "memberships": data.memberships.values().filter(|m| m.organization_id == self.organization || ours(&m.user_id)).collect::<Vec<_>>(),
            "invitations": data.invitations.values().filter(|i| i.organization_id == self.organization).collect::<Vec<_>>(),
            "users": data.users.values().filter(|u| ours(&u.id)).collect::<Vec<_>>(),
            "sessions": data.sessions.values().filter(|s| ours(&s.user_id)).collect::<Vec<_>>(),
            "challenges": data.challenges.values().filter(|c| ours(&c.user_id)).collect::<Vec<_>>(),
            "pending_factors": data.pending_factors.values().filter(|p| ours(&p.user_id)).collect::<Vec<_>>(),
            "email_changes": data.email_changes.iter().filter(|(user, _)| ours(user)).collect::<Vec<_>>(),
            "elevated": data.elevated.values().filter(|e| ours(&e.user_id)).collect::<Vec<_>>(),
            "mail": data.mailbox.iter().filter(|m| self.emails.iter().any(|e| m.to.eq_ignore_ascii_case(e))).collect::<Vec<_>>(),
            "organization_domains": data.organization_domains.values().filter(|d| d.organization_id == self.organization).collect::<Vec<_>>(),
            "sso_connections": data.sso_connections.values().filter(|c| c.organization_id == self.organization).collect::<Vec<_>>(),
            "directories": data.directories.values().filter(|d| d.organization_id == self.organization).collect::<Vec<_>>(),
            "audit_log_stream": data.audit_log_streams.get(&self.organization),
            "portal_links": data.portal_links.values().filter(|l| l.organization_id == self.organization).collect::<Vec<_>>(),
            "installations": data.installations.values().filter(|i| i.organization_id == self.organization || i.user_id.as_ref().is_some_and(ours)).collect::<Vec<_>>(),
            "integration_overrides": data.integration_overrides.iter().filter(|o| o.organization_id == self.organization).collect::<Vec<_>>(),
            "pipes_authorizations": data.pipes_authorizations.values().filter(|a| a.organization_id == self.organization).collect::<Vec<_>>(),
            "api_keys": data.api_keys.values().filter(|k| k.owner.organization_id() == self.organization || k.owner.user_id().is_some_and(|u| ours(&u.to_string()))).collect::<Vec<_>>(),
        })
    }
}

/// The refusal of a token without the row's permission (`{permission}` is the row's).
const LACKS: &str = "lacks the '{permission}' permission";

/// Which rows of [`ENDPOINTS`] a scenario runs.
#[derive(Clone, Copy)]
enum Rows {
    All,
    Admin,
    Elevated,
    /// The rows of the widgets that take organization-level tokens (their permission is one of
    /// `auth::ORGANIZATION_TOKEN_SCOPES`).
    OrganizationLevel,
}

enum Expect {
    /// Refused with `status` (and a `message` containing `message`); the store is unchanged.
    Refused {
        status: u16,
        message: Option<&'static str>,
    },
    /// Rows with a `foreign` status are refused with it and change nothing; the others act on the
    /// caller's own data: no 5xx, nothing of `Victim` in a 2xx answer, `Victim` unchanged.
    CrossOrganization(Victim),
    /// The control: a genuine token gets past authentication on every row (no 401/403).
    PassesAuthentication,
}

struct Scenario {
    name: String,
    /// `None`: no `Authorization` header at all.
    token: Option<String>,
    elevated: Option<String>,
    targets: Targets,
    rows: Rows,
    expect: Expect,
}

impl Scenario {
    fn refused(
        name: impl Into<String>,
        token: Option<String>,
        elevated: &str,
        targets: &Targets,
        rows: Rows,
        message: Option<&'static str>,
    ) -> Self {
        Self {
            name: name.into(),
            token,
            elevated: Some(elevated.into()),
            targets: targets.clone(),
            rows,
            expect: Expect::Refused {
                status: 403,
                message,
            },
        }
    }
}

/// What the setup created: tokens, elevated access and the two organizations' targets.
struct Fixtures {
    alice_acme_admin: String,
    alice_globex_member: String,
    alice_no_organization: String,
    bob_acme_member: String,
    carol_globex_admin: String,
    dana_demoted_admin: String,
    evan_removed_member: String,
    alice_elevated: String,
    bob_elevated: String,
    carol_elevated: String,
    /// Organization-level tokens (no user): Acme's without scopes, Globex's with every scope an
    /// organization-level token can have (the Admin Portal widgets', API keys').
    acme_organization_bare: String,
    globex_organization_admin: String,
    /// Bob's side of Acme, Carol's side of Globex.
    acme: Targets,
    globex: Targets,
    acme_victim: Victim,
    globex_victim: Victim,
}

async fn status_of(
    h: &Harness,
    request: reqwest::RequestBuilder,
    expected: u16,
    what: &str,
) -> Value {
    let (status, body) = h.call(request).await;
    assert_eq!(status, expected, "setup: {what}: {body}");
    body
}

/// The user whose side of an organization [`targets`] prepares, with their widget token and
/// elevated-access token.
struct Owner<'a> {
    user: &'a str,
    email: &'a str,
    organization: &'a str,
    token: &'a str,
    elevated: &'a str,
}

/// A user's side of an organization: sessions, a pending challenge, a pending TOTP enrolment, a
/// pending email change, an open invitation (to `invitee`, sent with `admin_token`).
async fn targets(h: &Harness, owner: &Owner<'_>, admin_token: &str, invitee: &str) -> Targets {
    let Owner {
        user,
        email,
        organization,
        token,
        elevated,
    } = *owner;
    let auth = h.sign_in(email).await;
    let session = payload(auth.access_token.expose())["sid"]
        .as_str()
        .unwrap()
        .to_string();
    let invite_request = h
        .widget(
            Method::POST,
            "/UserManagement/invite-user",
            admin_token,
            MANAGEMENT,
        )
        .json(&json!({"email": invitee, "roles": ["member"]}));
    status_of(h, invite_request, 201, "invite").await;
    let challenge = status_of(
        h,
        h.widget(
            Method::POST,
            "/UserProfile/send-verification",
            token,
            PROFILE,
        ),
        200,
        "send-verification",
    )
    .await;
    let code = h.last_mail(email).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let factor = status_of(
        h,
        h.widget(
            Method::POST,
            "/UserProfile/create-totp-factor",
            token,
            SECURITY,
        )
        .header("x-elevated-access-token", elevated),
        200,
        "create-totp-factor",
    )
    .await;
    let new_email = format!("new.{email}");
    let change = h
        .widget(
            Method::POST,
            "/UserProfile/send-email-change",
            token,
            PROFILE,
        )
        .header("x-elevated-access-token", elevated)
        .json(&json!({"newEmail": new_email}));
    status_of(h, change, 200, "send-email-change").await;
    let email_code = h.last_mail(&new_email).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let org_key = status_of(
        h,
        h.widget(
            Method::POST,
            "/ApiKeys/organization-api-keys",
            admin_token,
            KEYS,
        )
        .json(&json!({"name": "Isolation target", "permissions": ["posts:read"]})),
        201,
        "create an organization API key",
    )
    .await;
    let own_keys = h
        .widget_token(user, Some(organization), vec![Unknown(MANAGE_SELF.into())])
        .await
        .unwrap();
    let user_key = status_of(
        h,
        h.widget(Method::POST, "/UserApiKeys/api-keys", &own_keys, USER_KEYS)
            .json(&json!({"name": "Isolation target", "permissions": ["posts:read"]})),
        201,
        "create a user API key",
    )
    .await;
    let installation = status_of(
        h,
        h.widget(
            Method::PUT,
            "/DataIntegrations/datadog/api-key",
            token,
            PIPES,
        )
        .json(&json!({"secret": "isolation-target-key"})),
        200,
        "connect an account",
    )
    .await;
    let org_installation = status_of(
        h,
        h.widget(
            Method::PUT,
            "/DataIntegrations/sentry/organization/api-key",
            admin_token,
            PIPES_ADMIN,
        )
        .json(&json!({"secret": "isolation-target-key"})),
        200,
        "connect the organization's account",
    )
    .await;
    let data = h.emulator.environment().store.read();
    let invite = data
        .invitations
        .values()
        .find(|i| i.email == invitee)
        .expect("the invitation")
        .id
        .clone();
    Targets {
        member: user.into(),
        membership: data
            .membership(user, organization)
            .expect("a membership")
            .id
            .clone(),
        invite,
        session,
        challenge: challenge["authenticationChallenge"]
            .as_str()
            .unwrap()
            .into(),
        code,
        factor: factor["authenticationChallenge"]["id"]
            .as_str()
            .unwrap()
            .into(),
        totp_secret: factor["authenticationFactor"]["totp"]["secret"]
            .as_str()
            .unwrap()
            .into(),
        email: email.into(),
        email_code,
        invitee: "isolation.invitee@example.test".into(),
        password: DEMO_PASSWORD.into(),
        org_key: org_key["id"].as_str().unwrap().into(),
        user_key: user_key["id"].as_str().unwrap().into(),
        domain: data
            .domains_of(organization)
            .last()
            .expect("a domain")
            .id
            .clone(),
        installation: installation["id"].as_str().unwrap().into(),
        org_installation: org_installation["id"].as_str().unwrap().into(),
    }
}

impl Fixtures {
    async fn build(h: &Harness) -> Self {
        let manage = || {
            vec![
                WidgetsUsersTableManage,
                WidgetsApiKeysManage,
                Unknown(MANAGE_SELF.into()),
                Unknown(MANAGE_ALL.into()),
                WidgetsSSOManage,
                WidgetsDomainVerificationManage,
                WidgetsDsyncManage,
                WidgetsAuditLogStreamingManage,
                WidgetsPipesManage,
            ]
        };
        let alice_acme_admin = h
            .widget_token(ALICE_ID, Some(ACME_ID), manage())
            .await
            .unwrap();
        let alice_globex_member = h
            .widget_token(ALICE_ID, Some(GLOBEX_ID), vec![])
            .await
            .unwrap();
        let alice_no_organization = h.widget_token(ALICE_ID, None, vec![]).await.unwrap();
        let bob_acme_member = h.widget_token(BOB_ID, Some(ACME_ID), vec![]).await.unwrap();
        let carol_globex_admin = h
            .widget_token(CAROL_ID, Some(GLOBEX_ID), manage())
            .await
            .unwrap();
        let alice_elevated = h
            .elevated_access(&alice_acme_admin, PROFILE, "alice@acme.test")
            .await;
        let bob_elevated = h
            .elevated_access(&bob_acme_member, PROFILE, "bob@acme.test")
            .await;
        let carol_elevated = h
            .elevated_access(&carol_globex_admin, PROFILE, "carol@globex.test")
            .await;

        let bob = Owner {
            user: BOB_ID,
            email: "bob@acme.test",
            organization: ACME_ID,
            token: &bob_acme_member,
            elevated: &bob_elevated,
        };
        let acme = targets(h, &bob, &alice_acme_admin, "pending.acme@acme.test").await;
        let carol = Owner {
            user: CAROL_ID,
            email: "carol@globex.test",
            organization: GLOBEX_ID,
            token: &carol_globex_admin,
            elevated: &carol_elevated,
        };
        let mut globex =
            targets(h, &carol, &carol_globex_admin, "pending.globex@globex.test").await;
        // Carol must not hold Bob's email-change code by chance (1 in a million): she would then
        // legitimately confirm her own change with it.
        while globex.email_code == acme.email_code {
            let again = h
                .widget(
                    Method::POST,
                    "/UserProfile/send-email-change",
                    &carol_globex_admin,
                    PROFILE,
                )
                .header("x-elevated-access-token", &carol_elevated)
                .json(&json!({"newEmail": "new.carol@globex.test"}));
            status_of(h, again, 200, "send-email-change again").await;
            globex.email_code = h.last_mail("new.carol@globex.test").await["code"]
                .as_str()
                .unwrap()
                .to_string();
        }

        // Dana was an admin when her token was minted, and is a member again now.
        let promote = |role: &str| {
            h.widget(
                Method::POST,
                &format!("/UserManagement/members/{DANA_ID}"),
                &alice_acme_admin,
                MANAGEMENT,
            )
            .json(&json!({"roles": [role]}))
        };
        status_of(h, promote("admin"), 200, "promote dana").await;
        let dana_demoted_admin = h
            .widget_token(DANA_ID, Some(ACME_ID), manage())
            .await
            .unwrap();
        status_of(h, promote("member"), 200, "demote dana").await;
        // Evan's token outlives his membership.
        let evan_removed_member = h
            .widget_token(EVAN_ID, Some(ACME_ID), vec![])
            .await
            .unwrap();
        status_of(
            h,
            h.widget(
                Method::DELETE,
                &format!("/UserManagement/members/{EVAN_ID}"),
                &alice_acme_admin,
                MANAGEMENT,
            ),
            200,
            "remove evan",
        )
        .await;

        let acme_victim = Victim {
            organization: ACME_ID.into(),
            users: vec![BOB_ID.into()],
            emails: vec!["bob@acme.test".into(), "new.bob@acme.test".into()],
            markers: [
                BOB_ID,
                "bob@acme.test",
                "new.bob@acme.test",
                "pending.acme@acme.test",
                ACME_ID,
                "Acme Corp",
                acme.invite.as_str(),
                acme.membership.as_str(),
                acme.session.as_str(),
                acme.challenge.as_str(),
                acme.factor.as_str(),
                acme.org_key.as_str(),
                acme.user_key.as_str(),
                acme.domain.as_str(),
                acme.installation.as_str(),
                acme.org_installation.as_str(),
                "acme-corp.test",
                "Acme Okta",
            ]
            .map(String::from)
            .to_vec(),
        };
        let globex_victim = Victim {
            organization: GLOBEX_ID.into(),
            users: vec![CAROL_ID.into()],
            emails: vec!["carol@globex.test".into(), "new.carol@globex.test".into()],
            // Not Globex's id or name: Alice is a Globex member and sees both in her organization list.
            markers: [
                CAROL_ID,
                "carol@globex.test",
                "new.carol@globex.test",
                "pending.globex@globex.test",
                globex.invite.as_str(),
                globex.membership.as_str(),
                globex.session.as_str(),
                globex.challenge.as_str(),
                globex.factor.as_str(),
                globex.org_key.as_str(),
                globex.user_key.as_str(),
                globex.domain.as_str(),
                globex.installation.as_str(),
                globex.org_installation.as_str(),
                "\"globex.test\"",
            ]
            .map(String::from)
            .to_vec(),
        };
        Self {
            alice_acme_admin,
            alice_globex_member,
            alice_no_organization,
            bob_acme_member,
            carol_globex_admin,
            dana_demoted_admin,
            evan_removed_member,
            alice_elevated,
            bob_elevated,
            carol_elevated,
            acme_organization_bare: organization_token(h, ACME_ID, vec![]).await,
            globex_organization_admin: organization_token(
                h,
                GLOBEX_ID,
                [all_scopes(), vec![WidgetsApiKeysManage]].concat(),
            )
            .await,
            acme,
            globex,
            acme_victim,
            globex_victim,
        }
    }

    /// The targets really are what the matrix says they are (else a refusal proves nothing).
    fn check(&self, data: &Data) {
        for (targets, organization) in [(&self.acme, ACME_ID), (&self.globex, GLOBEX_ID)] {
            let membership = &data.memberships[&targets.membership];
            assert_eq!(
                (
                    membership.user_id.as_str(),
                    membership.organization_id.as_str()
                ),
                (targets.member.as_str(), organization)
            );
            let invitation = &data.invitations[&targets.invite];
            assert_eq!(invitation.organization_id, organization);
            assert_eq!(
                invitation.state,
                workos_emulator::entities::InvitationState::Pending
            );
            assert!(data.sessions[&targets.session].is_active(workos_emulator::clock::now()));
            assert_eq!(data.challenges[&targets.challenge].user_id, targets.member);
            assert_eq!(
                data.pending_factors[&targets.factor].user_id,
                targets.member
            );
            assert_eq!(data.email_changes[&targets.member].code, targets.email_code);
            assert_eq!(
                data.api_keys[&targets.org_key].owner,
                ApiKeyOwner::Organization {
                    organization_id: organization.into()
                }
            );
            assert_eq!(
                data.api_keys[&targets.user_key].owner,
                ApiKeyOwner::User {
                    user_id: targets.member.clone(),
                    organization_id: organization.into()
                }
            );
        }
        for (targets, organization) in [(&self.acme, ACME_ID), (&self.globex, GLOBEX_ID)] {
            let own = &data.installations[&targets.installation];
            assert_eq!(
                (own.organization_id.as_str(), own.user_id.as_deref()),
                (organization, Some(targets.member.as_str()))
            );
            let shared = &data.installations[&targets.org_installation];
            assert_eq!(
                (shared.organization_id.as_str(), shared.user_id.as_deref()),
                (organization, None)
            );
        }
        assert_eq!(data.membership(DANA_ID, ACME_ID).unwrap().role, "member");
        assert!(data.membership(EVAN_ID, ACME_ID).is_none());
    }
}

/// The tokens that must not work anywhere: built from Alice's genuine Acme admin token (with the
/// users-table scope), so each would pass every check if its signature or expiry were ignored.
fn bad_tokens(
    h: &Harness,
    f: &Fixtures,
) -> Vec<(&'static str, Option<String>, Option<&'static str>)> {
    let (header, claims, signature) = forge::split(&f.alice_acme_admin);
    let with = |changes: Value| {
        let mut claims = claims.clone();
        claims
            .as_object_mut()
            .unwrap()
            .extend(changes.as_object().unwrap().clone());
        claims
    };
    let now = workos_emulator::clock::now().unix_timestamp();
    let keys = &h.emulator.environment().keys;
    let expired = keys.sign(&with(json!({"iat": now - 3660, "exp": now - 60})));
    let just_expired = keys.sign(&with(json!({"iat": now - 3601, "exp": now - 1})));
    let none = |alg: &str| json!({"alg": alg, "typ": "JWT", "kid": header["kid"]});
    let pem = forge::public_key_pem(&keys.jwks());
    let (bob_header, bob_claims, bob_signature) = forge::split(&f.bob_acme_member);
    let (_, expired_claims, expired_signature) = forge::split(&expired);
    let mut bob_escalated = bob_claims.clone();
    bob_escalated["permissions"] = json!(["widgets:users-table:manage"]);
    let mut bob_as_alice = bob_escalated.clone();
    bob_as_alice["sub"] = json!(ALICE_ID);
    let mut revived = expired_claims.clone();
    revived["exp"] = json!(now + 86_400);
    let (_, globex_claims, globex_signature) = forge::split(&f.alice_globex_member);
    let mut globex_escalated = globex_claims.clone();
    globex_escalated["permissions"] = json!(["widgets:users-table:manage"]);

    let expired_message = Some("Widget token expired.");
    let invalid = Some("Invalid widget token.");
    vec![
        (
            "no Authorization header",
            None,
            Some("Missing widget token."),
        ),
        ("garbage", Some("not-a-jwt".into()), invalid),
        // (c) expired, genuinely signed.
        ("expired a minute ago", Some(expired), expired_message),
        ("expired a second ago", Some(just_expired), expired_message),
        // (d) another RSA key, same kid, same claims.
        (
            "signed by another RSA key with the same kid",
            Some(forge::sign_foreign(&header, &claims)),
            invalid,
        ),
        // (e) alg none.
        (
            "alg none, no signature",
            Some(forge::assemble(&none("none"), &claims, "")),
            invalid,
        ),
        (
            "alg none, the original signature",
            Some(forge::assemble(&none("none"), &claims, &signature)),
            invalid,
        ),
        (
            "alg HS256 keyed with the published public key",
            Some(forge::sign_hmac(
                &none("HS256"),
                &claims,
                pem.as_bytes(),
                jsonwebtoken::Algorithm::HS256,
            )),
            invalid,
        ),
        (
            "RS256 with the signature stripped",
            Some(forge::assemble(&header, &claims, "")),
            invalid,
        ),
        // (f) tampered payloads under the original signature.
        (
            "bob's member token given the users-table scope",
            Some(forge::assemble(&bob_header, &bob_escalated, &bob_signature)),
            invalid,
        ),
        (
            "bob's member token turned into alice's admin token",
            Some(forge::assemble(&bob_header, &bob_as_alice, &bob_signature)),
            invalid,
        ),
        (
            "alice's Globex member token given the users-table scope",
            Some(forge::assemble(
                &header,
                &globex_escalated,
                &globex_signature,
            )),
            invalid,
        ),
        (
            "an expired token with its exp moved a day ahead",
            Some(forge::assemble(&header, &revived, &expired_signature)),
            invalid,
        ),
    ]
}

fn scenarios(h: &Harness, f: &Fixtures) -> Vec<Scenario> {
    let lacks = Some(LACKS);
    let mut list = vec![
        // (a) another organization's ids.
        Scenario {
            name: "alice's Acme admin token on Globex's ids".into(),
            token: Some(f.alice_acme_admin.clone()),
            elevated: Some(f.alice_elevated.clone()),
            targets: f.globex.clone(),
            rows: Rows::All,
            expect: Expect::CrossOrganization(f.globex_victim.clone()),
        },
        Scenario {
            name: "carol's Globex admin token on Acme's ids".into(),
            token: Some(f.carol_globex_admin.clone()),
            elevated: Some(f.carol_elevated.clone()),
            targets: f.acme.clone(),
            rows: Rows::All,
            expect: Expect::CrossOrganization(f.acme_victim.clone()),
        },
        // Another user's elevated access does not elevate.
        Scenario::refused(
            "alice's Acme admin token with carol's elevated-access token",
            Some(f.alice_acme_admin.clone()),
            &f.carol_elevated,
            &f.acme,
            Rows::Elevated,
            Some("Elevated access required"),
        ),
        Scenario::refused(
            "bob's Acme member token with alice's elevated-access token",
            Some(f.bob_acme_member.clone()),
            &f.alice_elevated,
            &f.acme,
            Rows::Elevated,
            Some("Elevated access required"),
        ),
        // (b) members' tokens on admin operations.
        Scenario::refused(
            "bob's Acme member token",
            Some(f.bob_acme_member.clone()),
            &f.bob_elevated,
            &f.acme,
            Rows::Admin,
            lacks,
        ),
        Scenario::refused(
            "alice's Globex member token (admin of Acme only)",
            Some(f.alice_globex_member.clone()),
            &f.alice_elevated,
            &f.globex,
            Rows::Admin,
            lacks,
        ),
        Scenario::refused(
            "alice's token without an organization",
            Some(f.alice_no_organization.clone()),
            &f.alice_elevated,
            &f.acme,
            Rows::Admin,
            lacks,
        ),
        Scenario::refused(
            "dana's admin token after her demotion to member",
            Some(f.dana_demoted_admin.clone()),
            &f.alice_elevated,
            &f.acme,
            Rows::Admin,
            lacks,
        ),
        Scenario::refused(
            "evan's token after his removal from Acme",
            Some(f.evan_removed_member.clone()),
            &f.alice_elevated,
            &f.acme,
            Rows::All,
            Some("not a member of the organization"),
        ),
    ];
    // Organization-level tokens (no user): without the row's scope; another organization's on
    // Acme's ids; expired.
    list.push(Scenario::refused(
        "Acme's organization-level token without scopes",
        Some(f.acme_organization_bare.clone()),
        &f.alice_elevated,
        &f.acme,
        Rows::OrganizationLevel,
        lacks,
    ));
    list.push(Scenario {
        name: "Globex's organization-level token on Acme's ids".into(),
        token: Some(f.globex_organization_admin.clone()),
        elevated: None,
        targets: f.acme.clone(),
        rows: Rows::OrganizationLevel,
        expect: Expect::CrossOrganization(f.acme_victim.clone()),
    });
    let (_, globex_claims, _) = forge::split(&f.globex_organization_admin);
    let mut expired = globex_claims.clone();
    let now = workos_emulator::clock::now().unix_timestamp();
    expired["exp"] = json!(now - 60);
    expired["iat"] = json!(now - 3660);
    list.push(Scenario::refused(
        "an expired organization-level token",
        Some(h.emulator.environment().keys.sign(&expired)),
        &f.alice_elevated,
        &f.globex,
        Rows::All,
        Some("Widget token expired."),
    ));
    // (c)–(f) tokens that must not work anywhere, with Alice's genuine elevated access.
    for (name, token, message) in bad_tokens(h, f) {
        list.push(Scenario::refused(
            name,
            token,
            &f.alice_elevated,
            &f.acme,
            Rows::All,
            message,
        ));
    }
    // Last, as it changes things: the genuine token behind the forgeries gets through everywhere.
    list.push(Scenario {
        name: "control: alice's genuine Acme admin token".into(),
        token: Some(f.alice_acme_admin.clone()),
        elevated: Some(f.alice_elevated.clone()),
        targets: f.acme.clone(),
        rows: Rows::All,
        expect: Expect::PassesAuthentication,
    });
    list
}

fn runs(rows: Rows, endpoint: &Endpoint) -> bool {
    match rows {
        Rows::All => true,
        Rows::Admin => endpoint.permission.is_some(),
        Rows::Elevated => endpoint.elevated,
        Rows::OrganizationLevel => endpoint
            .permission
            .is_some_and(|p| ORGANIZATION_TOKEN_SCOPES.contains(&p)),
    }
}

async fn send(h: &Harness, scenario: &Scenario, endpoint: &Endpoint) -> (u16, Value) {
    let method = Method::from_bytes(endpoint.method.as_bytes()).unwrap();
    let path = scenario.targets.fill(endpoint.path);
    let mut request = match &scenario.token {
        Some(token) => h.widget(method, &path, token, endpoint.widget),
        None => h
            .http
            .request(method, h.url(&format!("/_widgets{path}")))
            .header("WorkOS-Widgets-Version", "1")
            .header("WorkOS-Widgets-Type", endpoint.widget),
    };
    request = request.header("content-type", "application/json");
    if let Some(body) = endpoint.body {
        request = request.body(scenario.targets.fill(body));
    }
    if let Some(elevated) = &scenario.elevated {
        request = request.header("x-elevated-access-token", elevated);
    }
    h.call(request).await
}

/// One combination: `Err` says what went wrong.
async fn check(h: &Harness, scenario: &Scenario, endpoint: &Endpoint) -> Result<(), String> {
    let before = snapshot(h);
    let victim_before = match &scenario.expect {
        Expect::CrossOrganization(victim) => {
            Some(victim.view(&h.emulator.environment().store.read()))
        }
        _ => None,
    };
    let (status, body) = send(h, scenario, endpoint).await;
    if status >= 500 {
        return Err(format!("answered {status}: {body}"));
    }
    let refused = |expected: u16, message: Option<&str>| -> Result<(), String> {
        let message =
            message.map(|m| m.replace("{permission}", endpoint.permission.unwrap_or_default()));
        let message = message.as_deref();
        if status != expected {
            return Err(format!("answered {status}, expected {expected}: {body}"));
        }
        let text = body["message"].as_str().unwrap_or_default();
        if text.is_empty() || message.is_some_and(|m| !text.contains(m)) {
            return Err(format!(
                "refusal message {text:?}, expected one containing {:?}",
                message.unwrap_or("anything")
            ));
        }
        let changed = changed_fields(&before, &snapshot(h));
        if !changed.is_empty() {
            return Err(format!(
                "answered {status} but changed the store: {changed:?}"
            ));
        }
        Ok(())
    };
    match &scenario.expect {
        Expect::Refused {
            status: expected,
            message,
        } => refused(*expected, *message),
        Expect::CrossOrganization(_) if endpoint.foreign.is_some() => {
            refused(endpoint.foreign.unwrap(), None)
        }
        Expect::CrossOrganization(victim) => {
            if (200..300).contains(&status) {
                let text = body.to_string();
                if let Some(marker) = victim.markers.iter().find(|m| text.contains(m.as_str())) {
                    return Err(format!(
                        "leaked {marker:?} of the other organization: {text}"
                    ));
                }
            }
            if victim_before != Some(victim.view(&h.emulator.environment().store.read())) {
                return Err(format!(
                    "answered {status} and changed the other organization's data"
                ));
            }
            Ok(())
        }
        Expect::PassesAuthentication if status == 401 || status == 403 => {
            Err(format!("the genuine token was refused: {status} {body}"))
        }
        Expect::PassesAuthentication => Ok(()),
    }
}

#[tokio::test]
async fn every_widgets_endpoint_refuses_every_token_that_must_not_work_and_changes_nothing() {
    let h = Harness::start().await;
    let fixtures = Fixtures::build(&h).await;
    fixtures.check(&h.emulator.environment().store.read());
    let scenarios = scenarios(&h, &fixtures);

    let mut failures = Vec::new();
    let mut combinations = 0;
    for scenario in &scenarios {
        for endpoint in ENDPOINTS.iter().filter(|e| runs(scenario.rows, e)) {
            combinations += 1;
            if let Err(why) = check(&h, scenario, endpoint).await {
                failures.push(format!(
                    "[{}] × {} {}: {why}",
                    scenario.name, endpoint.method, endpoint.path
                ));
            }
        }
    }
    println!(
        "isolation matrix: {combinations} combinations ({} scenarios, {} endpoint rows)",
        scenarios.len(),
        ENDPOINTS.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {combinations} combinations failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // And the emulator still serves.
    assert_eq!(h.call(h.http.get(h.url("/_emulator/health"))).await.0, 200);
}

#[test]
fn the_matrix_covers_every_widgets_route() {
    let widget_routes: Vec<(String, String)> = registered_routes()
        .into_iter()
        .filter(|(_, path)| path.starts_with("/_widgets/"))
        .collect();
    assert!(
        widget_routes.len() >= 24,
        "the route scan found only {widget_routes:?}"
    );
    for (method, route) in widget_routes {
        let covered = ENDPOINTS.iter().any(|e| {
            let path = format!("/_widgets{}", e.path.split('?').next().unwrap());
            e.method == method && normalise(&path) == normalise(&route)
        });
        assert!(
            covered,
            "{method} {route} is served but not in the isolation matrix"
        );
    }
}
