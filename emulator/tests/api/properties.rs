//! Property tests of the `/_widgets` API (proptest), one emulator per property, one tokio runtime
//! driven with `block_on` inside the proptest closure:
//!
//! - arbitrary bodies (JSON trees, mostly objects with the endpoints' own field names; raw bytes;
//!   deeply nested arrays) sent with a valid admin token to every endpoint that takes one, also
//!   as PUT and PATCH: never a 5xx, the emulator keeps serving, the state stays sound;
//! - arbitrary query strings on every GET endpoint: never a 5xx, the members list still parses;
//! - arbitrary mutations of valid tokens (characters flipped, inserted, deleted; segments swapped,
//!   dropped or added; the header re-encoded with other algorithms; random claims re-signed with a
//!   foreign key or under the original signature): never accepted, never a 5xx, nothing changes.
//!
//! The case counts are the constants below; each property prints how many cases it ran.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::Method;
use serde_json::{Value, json};
use workos::WidgetSessionTokenScopes::{
    Unknown, WidgetsApiKeysManage, WidgetsAuditLogStreamingManage, WidgetsDomainVerificationManage,
    WidgetsDsyncManage, WidgetsPipesManage, WidgetsSSOManage, WidgetsUsersTableManage,
};
use workos_emulator::entities::{Data, InvitationState, MembershipStatus};
use workos_emulator::seed::{
    ACME_ID, ALICE_ID, BOB_ID, CAROL_ID, DEMO_PASSWORD, GLOBEX_ID, INITECH_ID,
};

use crate::coverage::{normalise, registered_routes};
use crate::support::{Harness, changed_fields, forge, snapshot};

/// Cases of [`arbitrary_bodies_never_break_the_widgets_api`]; each sends its body to all
/// [`BODY_ENDPOINTS`].
const BODY_CASES: u32 = 128;
/// Cases of [`arbitrary_query_strings_never_break_the_get_endpoints`]; each queries all
/// [`GET_ENDPOINTS`].
const QUERY_CASES: u32 = 64;
/// Cases of [`mutated_tokens_are_never_accepted`]; each sends its token twice.
const TOKEN_CASES: u32 = 256;

/// Every non-GET `/_widgets` route (checked against the router by
/// [`the_property_tables_cover_every_widgets_route`]); `{id}` gets real or arbitrary ids.
const BODY_ENDPOINTS: &[(&str, &str)] = &[
    ("POST", "/UserProfile/me"),
    ("POST", "/UserProfile/send-verification"),
    ("POST", "/UserProfile/verify"),
    ("POST", "/UserProfile/send-email-change"),
    ("POST", "/UserProfile/verify-email-change"),
    ("POST", "/UserProfile/update-password"),
    ("POST", "/UserProfile/create-password"),
    ("POST", "/UserProfile/create-totp-factor"),
    ("POST", "/UserProfile/verify-totp-factor"),
    ("DELETE", "/UserProfile/totp-factors"),
    ("DELETE", "/UserProfile/sessions/revoke/{id}"),
    ("DELETE", "/UserProfile/sessions/revoke-all"),
    ("POST", "/UserManagement/invite-user"),
    ("POST", "/UserManagement/members/{id}"),
    ("DELETE", "/UserManagement/members/{id}"),
    ("POST", "/UserManagement/invites/{id}/resend"),
    ("DELETE", "/UserManagement/invites/{id}"),
    ("POST", "/ApiKeys/organization-api-keys"),
    ("DELETE", "/ApiKeys/{id}"),
    ("POST", "/ApiKeys/{id}/expire"),
    ("POST", "/UserApiKeys/api-keys"),
    ("DELETE", "/UserApiKeys/{id}"),
    ("POST", "/UserApiKeys/{id}/expire"),
    ("POST", "/admin-portal/generate-link"),
    ("POST", "/admin-portal/organization-domains/{id}/reverify"),
    ("DELETE", "/admin-portal/organization-domains/{id}"),
    ("POST", "/DataIntegrations/{id}/authorize"),
    ("PUT", "/DataIntegrations/{id}/api-key"),
    ("PUT", "/DataIntegrations/{id}/client-credentials"),
    ("DELETE", "/DataIntegrations/installations/{id}"),
    ("PUT", "/DataIntegrations/{id}/configuration"),
    ("PUT", "/DataIntegrations/{id}/organization/configuration"),
    ("POST", "/DataIntegrations/{id}/organization/authorize"),
    ("PUT", "/DataIntegrations/{id}/organization/api-key"),
    (
        "PUT",
        "/DataIntegrations/{id}/organization/client-credentials",
    ),
    (
        "DELETE",
        "/DataIntegrations/organization/installations/{id}",
    ),
];

/// Every GET `/_widgets` route.
const GET_ENDPOINTS: &[&str] = &[
    "/UserProfile/me",
    "/UserProfile/authentication-information",
    "/UserProfile/sessions",
    "/UserManagement/members",
    "/UserManagement/roles-and-config",
    "/UserManagement/roles",
    "/UserManagement/organizations",
    "/ApiKeys/organization-api-keys",
    "/ApiKeys/permissions",
    "/UserApiKeys/api-keys",
    "/UserApiKeys/permissions",
    "/admin-portal/sso-connections",
    "/admin-portal/organization-domains",
    "/admin-portal/audit-log-stream",
    "/directory-sync/directories",
    "/settings",
    "/DataIntegrations/mine",
    "/DataIntegrations/shared-connections",
    "/DataIntegrations/configurations",
    "/DataIntegrations/organization",
];

/// The widgets' request field names, so generated objects get past the shape check.
const FIELDS: &[&str] = &[
    "firstName",
    "lastName",
    "locale",
    "code",
    "authenticationChallengeId",
    "newEmail",
    "password",
    "newPassword",
    "currentPassword",
    "currentSessionId",
    "email",
    "roles",
    "name",
    "permissions",
    "expiresAt",
    "secret",
    "client_id",
    "client_secret",
    "config",
    "enabled",
    "scopes",
    "requireHandoff",
];

/// Strings worth trying in any field.
const WORDS: &[&str] = &[
    "",
    " ",
    "admin",
    "member",
    "owner",
    DEMO_PASSWORD,
    "An0ther-good-password",
    "new.person@acme.test",
    "bob@acme.test",
    "carol@globex.test",
    "not an email",
    "a@b",
    BOB_ID,
    CAROL_ID,
    ACME_ID,
    GLOBEX_ID,
    "000000",
    "123456",
    "\u{0}",
    "../../etc/passwd",
    "%00",
    "null",
    "{}",
    "🦀",
    "\u{202e}",
];

fn config(cases: u32) -> Config {
    // No regression files in the source tree: a failure prints the minimal input instead.
    Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<String>(),
        2 => "[a-zA-Z0-9 .@_+-]{0,24}",
        3 => prop::sample::select(WORDS).prop_map(String::from),
        1 => (0usize..400).prop_map(|n| "x".repeat(n)),
    ]
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        string().prop_map(Value::String),
    ]
}

fn field() -> impl Strategy<Value = String> {
    prop_oneof![3 => prop::sample::select(FIELDS).prop_map(String::from), 1 => any::<String>()]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((field(), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

/// Mostly objects: well-typed ones with the widgets' field names (strings, `roles` a string
/// list), objects of those names with any JSON values, and any JSON at all.
fn json_body() -> impl Strategy<Value = Value> {
    let well_typed = prop::collection::vec((prop::sample::select(FIELDS), string()), 0..6)
        .prop_map(|fields| {
            Value::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            k.to_string(),
                            if k == "roles" { json!([v]) } else { json!(v) },
                        )
                    })
                    .collect(),
            )
        });
    let any_values = prop::collection::vec((field(), json_value()), 0..6)
        .prop_map(|fields| Value::Object(fields.into_iter().collect()));
    prop_oneof![3 => well_typed, 3 => any_values, 2 => json_value()]
}

#[derive(Debug, Clone)]
enum Body {
    Json(Value),
    Bytes {
        bytes: Vec<u8>,
        json_content_type: bool,
    },
    /// `depth` nested arrays, bare or as the `roles` field.
    Deep {
        depth: usize,
        in_field: bool,
    },
    None,
}

impl Body {
    fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Body::Json(value) => request.json(value),
            Body::Bytes {
                bytes,
                json_content_type: true,
            } => request
                .header("content-type", "application/json")
                .body(bytes.clone()),
            Body::Bytes {
                bytes,
                json_content_type: false,
            } => request.body(bytes.clone()),
            Body::Deep { depth, in_field } => {
                let nested = format!("{}{}", "[".repeat(*depth), "]".repeat(*depth));
                let text = if *in_field {
                    format!("{{\"roles\":{nested}}}")
                } else {
                    nested
                };
                request
                    .header("content-type", "application/json")
                    .body(text)
            }
            Body::None => request,
        }
    }
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        6 => json_body().prop_map(Body::Json),
        2 => (prop::collection::vec(any::<u8>(), 0..256), any::<bool>()).prop_map(|(bytes, json_content_type)| Body::Bytes { bytes, json_content_type }),
        1 => (1usize..20_000, any::<bool>()).prop_map(|(depth, in_field)| Body::Deep { depth, in_field }),
        1 => Just(Body::None),
    ]
}

/// A path id: one of the real ids of [`Fixture::ids`] (never Alice's own), or any string.
#[derive(Debug, Clone)]
enum PathId {
    Real(Index),
    Raw(String),
}

/// Percent-encodes everything but ASCII letters and digits, so any string is one path segment.
fn encode_segment(raw: &str) -> String {
    raw.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn path_id() -> impl Strategy<Value = PathId> {
    prop_oneof![
        any::<Index>().prop_map(PathId::Real),
        string().prop_map(PathId::Raw)
    ]
}

/// One emulator for a whole property, with Alice (Acme admin) signed in, an admin token,
/// elevated access, and a few real ids to aim at.
struct Fixture {
    h: Harness,
    admin: String,
    elevated: String,
    ids: Vec<String>,
}

impl Fixture {
    async fn start() -> Self {
        let h = Harness::start().await;
        let alice = h.sign_in("alice@acme.test").await;
        let bob = h.sign_in("bob@acme.test").await;
        let admin = h
            .widget_token(
                ALICE_ID,
                Some(ACME_ID),
                vec![
                    WidgetsUsersTableManage,
                    WidgetsApiKeysManage,
                    Unknown("widgets:user-api-keys:manage-self".into()),
                    Unknown("widgets:user-api-keys:manage-all".into()),
                    WidgetsSSOManage,
                    WidgetsDomainVerificationManage,
                    WidgetsDsyncManage,
                    WidgetsAuditLogStreamingManage,
                    WidgetsPipesManage,
                ],
            )
            .await
            .unwrap();
        let elevated = h
            .elevated_access(&admin, "user-profile", "alice@acme.test")
            .await;
        let invite = h
            .widget(
                Method::POST,
                "/UserManagement/invite-user",
                &admin,
                "user-management",
            )
            .json(&json!({"email": "pending.fuzz@acme.test", "roles": ["member"]}));
        assert_eq!(h.call(invite).await.0, 201);
        // An organization API key and a user API key to aim at.
        for (path, widget) in [
            ("/ApiKeys/organization-api-keys", "api-keys"),
            ("/UserApiKeys/api-keys", "user-api-keys"),
        ] {
            let create = h
                .widget(Method::POST, path, &admin, widget)
                .json(&json!({"name": "fuzz target", "permissions": ["posts:read"]}));
            assert_eq!(h.call(create).await.0, 201);
        }
        // Alice's own connected account and Acme's shared one.
        for (path, widget) in [
            ("/DataIntegrations/datadog/api-key", "pipes"),
            (
                "/DataIntegrations/sentry/organization/api-key",
                "pipes-admin",
            ),
        ] {
            let connect = h
                .widget(Method::PUT, path, &admin, widget)
                .json(&json!({"secret": "fuzz-target"}));
            assert_eq!(h.call(connect).await.0, 200);
        }
        let ids = {
            let data = h.emulator.environment().store.read();
            let mut ids = vec![
                BOB_ID.to_string(),
                CAROL_ID.to_string(),
                "user_nobody".into(),
            ];
            ids.push(data.membership(BOB_ID, ACME_ID).unwrap().id.clone());
            ids.extend(data.invitations.keys().cloned());
            ids.extend(data.api_keys.keys().cloned());
            ids.extend(data.organization_domains.keys().cloned());
            ids.extend(data.data_integrations.iter().map(|i| i.slug.clone()));
            ids.extend(data.installations.keys().cloned());
            for auth in [&alice, &bob] {
                ids.push(
                    crate::support::payload(auth.access_token.expose())["sid"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                );
            }
            ids
        };
        Self {
            h,
            admin,
            elevated,
            ids,
        }
    }

    fn id(&self, id: &PathId) -> String {
        match id {
            PathId::Real(index) => self.ids[index.index(self.ids.len())].clone(),
            PathId::Raw(raw) => encode_segment(raw),
        }
    }

    /// The emulator still serves and its state is sound: health, Alice's profile, a members
    /// list that parses and agrees with the store, and store invariants.
    async fn still_sound(&self) -> Result<(), TestCaseError> {
        let h = &self.h;
        let (status, _) = h.call(h.http.get(h.url("/_emulator/health"))).await;
        prop_assert_eq!(status, 200, "health");
        let (status, me) = h
            .call(h.widget(Method::GET, "/UserProfile/me", &self.admin, "user-profile"))
            .await;
        prop_assert_eq!(status, 200, "GET me: {}", me);
        prop_assert_eq!(&me["id"], ALICE_ID);
        prop_assert!(me["email"].is_string(), "GET me: {}", me);

        let (status, page) = h
            .call(h.widget(
                Method::GET,
                "/UserManagement/members?limit=100",
                &self.admin,
                "user-management",
            ))
            .await;
        prop_assert_eq!(status, 200, "GET members: {}", page);
        let rows = page["data"]
            .as_array()
            .ok_or_else(|| TestCaseError::fail(format!("members: no data array: {page}")))?;
        prop_assert!(
            page["list_metadata"].is_object(),
            "members: no list_metadata: {}",
            page
        );
        for row in rows {
            let typed = row["id"].is_string()
                && row["email"].is_string()
                && row["actions"].is_array()
                && row["roles"]
                    .as_array()
                    .is_some_and(|r| r.iter().all(|r| r["slug"].is_string()));
            let status = row["status"].as_str().unwrap_or_default();
            prop_assert!(
                typed && ["Active", "Invited", "InviteExpired"].contains(&status),
                "members: malformed row {}",
                row
            );
        }
        let active_rows = rows.iter().filter(|r| r["status"] == "Active").count();
        let data = h.emulator.environment().store.read();
        let active = data
            .memberships
            .values()
            .filter(|m| m.organization_id == ACME_ID && m.status == MembershipStatus::Active)
            .count();
        prop_assert_eq!(active_rows, active, "members list and store disagree");
        store_invariants(&data)
    }
}

/// Invariants of the store that no request may break.
fn store_invariants(data: &Data) -> Result<(), TestCaseError> {
    // It still saves and loads (the `--state` file format).
    let saved = serde_json::to_vec(data)
        .map_err(|e| TestCaseError::fail(format!("state does not serialise: {e}")))?;
    prop_assert!(
        serde_json::from_slice::<Data>(&saved).is_ok(),
        "state does not load back"
    );
    for m in data.memberships.values() {
        prop_assert!(
            data.users.contains_key(&m.user_id)
                && data.organizations.contains_key(&m.organization_id),
            "dangling membership {:?}",
            m
        );
        prop_assert!(
            data.role(&m.role).is_some(),
            "membership with unknown role {:?}",
            m
        );
        let twins = data
            .memberships
            .values()
            .filter(|o| o.user_id == m.user_id && o.organization_id == m.organization_id)
            .count();
        prop_assert_eq!(
            twins,
            1,
            "two memberships of {} in {}",
            &m.user_id,
            &m.organization_id
        );
    }
    for i in data
        .invitations
        .values()
        .filter(|i| i.state == InvitationState::Pending)
    {
        prop_assert!(
            data.organizations.contains_key(&i.organization_id)
                && data.role(&i.role).is_some()
                && i.email.contains('@'),
            "bad invitation {:?}",
            i
        );
    }
    let admins = data
        .memberships
        .values()
        .filter(|m| {
            m.organization_id == ACME_ID
                && m.status == MembershipStatus::Active
                && m.role == "admin"
        })
        .count();
    prop_assert!(admins >= 1, "Acme has no admin left");
    prop_assert_eq!(
        data.membership(ALICE_ID, ACME_ID).map(|m| m.role.as_str()),
        Some("admin"),
        "Alice is no longer Acme's admin"
    );
    for user in data.users.values() {
        prop_assert!(
            user.first_name
                .as_ref()
                .is_none_or(|n| n.chars().count() <= 255),
            "over-long name stored for {}",
            &user.id
        );
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum MethodChoice {
    Own,
    Put,
    Patch,
}

#[test]
fn arbitrary_bodies_never_break_the_widgets_api() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start());
    let cases = AtomicU32::new(0);
    let statuses = Mutex::new(BTreeMap::<u16, u32>::new());
    let method = prop_oneof![6 => Just(MethodChoice::Own), 1 => Just(MethodChoice::Put), 1 => Just(MethodChoice::Patch)];
    let strategy = (body(), path_id(), any::<bool>(), method);
    let result =
        TestRunner::new(config(BODY_CASES)).run(&strategy, |(body, id, elevated, method)| {
            cases.fetch_add(1, Ordering::Relaxed);
            rt.block_on(async {
                for (own, template) in BODY_ENDPOINTS {
                    let method = match method {
                        MethodChoice::Own => Method::from_bytes(own.as_bytes()).unwrap(),
                        MethodChoice::Put => Method::PUT,
                        MethodChoice::Patch => Method::PATCH,
                    };
                    let path = template.replace("{id}", &f.id(&id));
                    let mut request =
                        body.apply(f.h.widget(method.clone(), &path, &f.admin, "user-profile"));
                    if elevated {
                        request = request.header("x-elevated-access-token", &f.elevated);
                    }
                    let response = request.send().await.map_err(|e| {
                        TestCaseError::fail(format!("{method} {path}: no answer: {e}"))
                    })?;
                    let status = response.status();
                    *statuses.lock().unwrap().entry(status.as_u16()).or_default() += 1;
                    let text = response.text().await.unwrap_or_default();
                    prop_assert!(
                        !status.is_server_error(),
                        "{} {} answered {}: {}",
                        method,
                        path,
                        status,
                        text
                    );
                    if status.is_success() {
                        prop_assert!(
                            serde_json::from_str::<Value>(&text).is_ok(),
                            "{} {} answered {} without JSON: {}",
                            method,
                            path,
                            status,
                            text
                        );
                    }
                }
                f.still_sound().await
            })
        });
    let statuses = statuses.into_inner().unwrap();
    println!(
        "arbitrary bodies: {} cases run (BODY_CASES = {BODY_CASES}), {} requests to {} endpoints, answers by status: {statuses:?}",
        cases.load(Ordering::Relaxed),
        statuses.values().sum::<u32>(),
        BODY_ENDPOINTS.len()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// A query string: pairs of the members list's parameters (or any name) and arbitrary values,
/// percent-encoded, sometimes followed by raw printable junk.
fn query() -> impl Strategy<Value = String> {
    let name = prop_oneof![4 => prop::sample::select(&["limit", "before", "after", "role", "search"][..]).prop_map(String::from), 1 => any::<String>()];
    let value = prop_oneof![2 => string(), 1 => any::<i64>().prop_map(|n| n.to_string()), 1 => prop::sample::select(&["0", "1", "10", "100", "101", "-1", "1e3", BOB_ID, ALICE_ID][..]).prop_map(String::from)];
    (prop::collection::vec((name, value), 0..6), "[!-~]{0,16}").prop_map(|(pairs, junk)| {
        let pairs: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode_segment(k), encode_segment(v)))
            .collect();
        format!("{}{}", pairs.join("&"), junk.replace('#', "%23"))
    })
}

#[test]
fn arbitrary_query_strings_never_break_the_get_endpoints() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start());
    let cases = AtomicU32::new(0);
    let statuses = Mutex::new(BTreeMap::<u16, u32>::new());
    let result = TestRunner::new(config(QUERY_CASES)).run(&query(), |query| {
        cases.fetch_add(1, Ordering::Relaxed);
        rt.block_on(async {
            for path in GET_ENDPOINTS {
                let (status, body) =
                    f.h.call(f.h.widget(
                        Method::GET,
                        &format!("{path}?{query}"),
                        &f.admin,
                        "user-management",
                    ))
                    .await;
                *statuses.lock().unwrap().entry(status).or_default() += 1;
                prop_assert!(
                    status < 500,
                    "GET {}?{} answered {}: {}",
                    path,
                    query,
                    status,
                    body
                );
                if *path == "/UserManagement/members" && status == 200 {
                    prop_assert!(
                        body["data"].is_array() && body["list_metadata"].is_object(),
                        "members?{}: {}",
                        query,
                        body
                    );
                }
            }
            f.still_sound().await
        })
    });
    println!(
        "arbitrary query strings: {} cases run (QUERY_CASES = {QUERY_CASES}), each on {} GET endpoints, answers by status: {:?}",
        cases.load(Ordering::Relaxed),
        GET_ENDPOINTS.len(),
        statuses.into_inner().unwrap()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// What a forged token's signature is.
#[derive(Debug, Clone)]
enum Signature {
    Original,
    Empty,
    /// HMAC keyed with the emulator's published public key (the alg-confusion forgery), for HS*.
    PublicKeyHmac,
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the character at the index with a printable ASCII one.
    Flip(Index, u8),
    Insert(Index, u8),
    Delete(Index),
    Truncate(Index),
    /// Reorder the three segments (one of the five non-identity permutations).
    SwapSegments(usize),
    DropSegment(usize),
    ExtraSegment(String),
    /// The header re-encoded with another `alg` (same `kid`), the payload kept.
    Realg(&'static str, Signature),
    /// Random claims, RS256 with the emulator's `kid`, signed by the foreign key.
    ForeignClaims(Value),
    /// Random claims under the original header and signature.
    TamperedClaims(Value),
}

const ALGS: &[&str] = &[
    "none", "None", "NONE", "HS256", "HS384", "HS512", "RS384", "RS512", "PS256", "ES256", "EdDSA",
    "", "rs256",
];

/// Claims that would pass every check if the signature were ignored (Alice, Acme, the scope, a
/// future expiry) mixed with odd ones, sometimes with extra fields, sometimes not an object.
fn claims() -> impl Strategy<Value = Value> {
    let now = workos_emulator::clock::now().unix_timestamp();
    let sub = prop_oneof![4 => prop::sample::select(&[ALICE_ID, BOB_ID, CAROL_ID, "user_nobody", ""][..]).prop_map(String::from), 1 => any::<String>()];
    let org = prop::option::of(prop::sample::select(
        &[ACME_ID, GLOBEX_ID, INITECH_ID, "org_nowhere"][..],
    ));
    let permissions = prop::sample::subsequence(
        &["widgets:users-table:manage", "widgets:*", "admin"][..],
        0..=3,
    );
    let exp = prop_oneof![
        Just(now + 3600),
        Just(now - 10),
        Just(i64::MAX),
        Just(0),
        any::<i64>()
    ];
    let object = (sub, org, permissions, exp, any::<bool>(), prop::option::of(json_value())).prop_map(move |(sub, org, permissions, exp, with_sid, extra)| {
        let mut claims = json!({"iss": "http://127.0.0.1", "sub": sub, "permissions": permissions, "entitlements": [], "exp": exp, "iat": now, "jti": "forged"});
        if let Some(org) = org {
            claims["org_id"] = json!(org);
            claims["role"] = json!("admin");
        }
        if with_sid {
            claims["sid"] = json!("session_forged");
        }
        if let Some(extra) = extra {
            claims["extra"] = extra;
        }
        claims
    });
    prop_oneof![4 => object, 1 => json_value()]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let printable = 0x21u8..=0x7e;
    let signature = prop_oneof![
        Just(Signature::Original),
        Just(Signature::Empty),
        Just(Signature::PublicKeyHmac)
    ];
    prop_oneof![
        3 => (any::<Index>(), printable.clone()).prop_map(|(i, c)| Mutation::Flip(i, c)),
        2 => (any::<Index>(), printable).prop_map(|(i, c)| Mutation::Insert(i, c)),
        2 => any::<Index>().prop_map(Mutation::Delete),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => (0usize..5).prop_map(Mutation::SwapSegments),
        1 => (0usize..3).prop_map(Mutation::DropSegment),
        1 => "[A-Za-z0-9_-]{0,12}".prop_map(Mutation::ExtraSegment),
        2 => (prop::sample::select(ALGS), signature).prop_map(|(alg, sig)| Mutation::Realg(alg, sig)),
        2 => claims().prop_map(Mutation::ForeignClaims),
        2 => claims().prop_map(Mutation::TamperedClaims),
    ]
}

/// Applies `mutation` to `token`; `kid` and `pem` are the emulator's key id and public key.
fn mutate(token: &str, mutation: &Mutation, kid: &str, pem: &str) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    let segments: Vec<&str> = token.split('.').collect();
    let segment = |i: usize| segments.get(i).copied().unwrap_or_default().to_string();
    let payload = segment(1);
    match mutation {
        Mutation::Flip(at, c) if !chars.is_empty() => {
            let at = at.index(chars.len());
            chars[at] = *c as char;
            chars.into_iter().collect()
        }
        Mutation::Insert(at, c) => {
            chars.insert(at.index(chars.len() + 1), *c as char);
            chars.into_iter().collect()
        }
        Mutation::Delete(at) if !chars.is_empty() => {
            chars.remove(at.index(chars.len()));
            chars.into_iter().collect()
        }
        Mutation::Truncate(at) => chars[..at.index(chars.len().max(1))].iter().collect(),
        Mutation::SwapSegments(permutation) => {
            let order = [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]][*permutation];
            order
                .iter()
                .map(|&i| segment(i))
                .collect::<Vec<_>>()
                .join(".")
        }
        Mutation::DropSegment(i) => segments
            .iter()
            .enumerate()
            .filter(|(j, _)| j != i)
            .map(|(_, s)| *s)
            .collect::<Vec<_>>()
            .join("."),
        Mutation::ExtraSegment(extra) => format!("{token}.{extra}"),
        Mutation::Realg(alg, signature) => {
            let header = forge::b64(json!({"alg": alg, "typ": "JWT", "kid": kid}).to_string());
            let message = format!("{header}.{payload}");
            let hmac = match *alg {
                "HS256" => Some(jsonwebtoken::Algorithm::HS256),
                "HS384" => Some(jsonwebtoken::Algorithm::HS384),
                "HS512" => Some(jsonwebtoken::Algorithm::HS512),
                _ => None,
            };
            let signature = match (signature, hmac) {
                (Signature::Original, _) => segment(2),
                (Signature::PublicKeyHmac, Some(algorithm)) => jsonwebtoken::crypto::sign(
                    message.as_bytes(),
                    &jsonwebtoken::EncodingKey::from_secret(pem.as_bytes()),
                    algorithm,
                )
                .unwrap(),
                _ => String::new(),
            };
            format!("{message}.{signature}")
        }
        Mutation::ForeignClaims(claims) => {
            forge::sign_foreign(&json!({"alg": "RS256", "typ": "JWT", "kid": kid}), claims)
        }
        Mutation::TamperedClaims(claims) => format!(
            "{}.{}.{}",
            segment(0),
            forge::b64(claims.to_string()),
            segment(2)
        ),
        // Flip or delete on an empty token: nothing to change.
        _ => token.to_string(),
    }
}

#[test]
fn mutated_tokens_are_never_accepted() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start());
    // Bases: Alice's admin widget token, Bob's member widget token, Alice's AuthKit access token.
    let bases = rt.block_on(async {
        let bob =
            f.h.widget_token(BOB_ID, Some(ACME_ID), vec![])
                .await
                .unwrap();
        let access =
            f.h.sign_in("alice@acme.test")
                .await
                .access_token
                .expose()
                .to_string();
        vec![f.admin.clone(), bob, access]
    });
    let keys = &f.h.emulator.environment().keys;
    let (kid, pem) = (keys.kid().to_string(), forge::public_key_pem(&keys.jwks()));
    let cases = AtomicU32::new(0);
    let identical = AtomicU32::new(0);
    let strategy = (any::<Index>(), prop::collection::vec(mutation(), 1..4));
    let result = TestRunner::new(config(TOKEN_CASES)).run(&strategy, |(base, mutations)| {
        cases.fetch_add(1, Ordering::Relaxed);
        let original = &bases[base.index(bases.len())];
        let token = mutations
            .iter()
            .fold(original.clone(), |token, m| mutate(&token, m, &kid, &pem));
        // Mutations that cancel out give back the genuine token: not a forgery.
        if token.trim() == original {
            identical.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        rt.block_on(async {
            let before = snapshot(&f.h);
            let bearer = format!("Bearer {token}");
            let requests = [
                f.h.http.get(f.h.url("/_widgets/UserProfile/me")),
                f.h.http
                    .post(f.h.url(&format!("/_widgets/UserManagement/members/{BOB_ID}")))
                    .json(&json!({"roles": ["admin"]})),
            ];
            for request in requests {
                let (status, body) =
                    f.h.call(
                        request
                            .header("authorization", &bearer)
                            .header("x-elevated-access-token", &f.elevated),
                    )
                    .await;
                prop_assert_eq!(status, 403, "token {} answered {}: {}", token, status, body);
                prop_assert!(
                    body["message"].as_str().is_some_and(|m| !m.is_empty()),
                    "no message: {}",
                    body
                );
            }
            let changed = changed_fields(&before, &snapshot(&f.h));
            prop_assert!(
                changed.is_empty(),
                "token {} changed the store: {:?}",
                token,
                changed
            );
            Ok(())
        })
    });
    println!(
        "mutated tokens: {} cases run (TOKEN_CASES = {TOKEN_CASES}), {} gave back the genuine token and were skipped",
        cases.load(Ordering::Relaxed),
        identical.load(Ordering::Relaxed)
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    rt.block_on(async { f.still_sound().await }).unwrap();
}

#[test]
fn the_property_tables_cover_every_widgets_route() {
    for (method, route) in registered_routes()
        .into_iter()
        .filter(|(_, path)| path.starts_with("/_widgets/"))
    {
        let covered = if method == "GET" {
            GET_ENDPOINTS
                .iter()
                .any(|p| normalise(&format!("/_widgets{p}")) == normalise(&route))
        } else {
            BODY_ENDPOINTS.iter().any(|(m, p)| {
                *m == method && normalise(&format!("/_widgets{p}")) == normalise(&route)
            })
        };
        assert!(
            covered,
            "{method} {route} is served but not in the property tables"
        );
    }
}
