//! Hostile input against the real router (session middleware, forgery guard, server functions),
//! served on loopback in this process with the embedded emulator beside it:
//!
//! - the sealed session stays well under the 4096-byte cookie limit;
//! - property tests over the session cookie (tampered, truncated, extended, random, sealed with
//!   another key) and over the access token inside a correctly sealed cookie (signed by another
//!   key, `alg: none`, payload swapped, user swapped): never a 5xx, never a forged session — the
//!   answer is signed out, or signed in as the cookie's real owner when the change was a no-op;
//! - property tests over server-function bodies: never a 5xx, and the session never moves to an
//!   organization the user is not a member of.
//!
//! Case counts are constants below; each property prints how many cases it ran.

use base64::Engine;
use proptest::prelude::*;
use workos::helpers::session::{seal_session_from_auth_response, unseal_session};

use crate::support::{ACME, Harness, PASSWORD, harness, runtime};

const OTHER_PASSWORD: &str = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

const COOKIE_CASES: u32 = 256;
const TOKEN_CASES: u32 = 128;
const BODY_CASES: u32 = 256;

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWT's claims; the payload may be base64url (access tokens) or plain base64 (widget tokens,
/// which the widgets read with `atob`).
pub fn claims_of(jwt: &str) -> serde_json::Value {
    let payload = jwt
        .split('.')
        .nth(1)
        .unwrap()
        .replace('+', "-")
        .replace('/', "_");
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .unwrap(),
    )
    .unwrap()
}

/// What a cookie is allowed to produce: signed out (cookie cleared, protected page → sign-in), or
/// exactly the real owner's session when the mutation left the sealed data unchanged.
async fn assert_not_forged(
    h: &Harness,
    cookie: &str,
    owner_email: &str,
    original: &str,
) -> Result<(), TestCaseError> {
    let (status, who, set) = h.viewer(cookie).await;
    prop_assert!(
        status < 500,
        "viewer answered {status} for cookie {cookie:?}"
    );
    let unchanged = unseal_session(cookie, PASSWORD)
        .ok()
        .map(|d| d.access_token.expose().to_string())
        == unseal_session(original, PASSWORD)
            .ok()
            .map(|d| d.access_token.expose().to_string());
    match who {
        Some(email) => {
            prop_assert!(
                unchanged && email == owner_email,
                "a changed cookie was accepted as {email}: {cookie:?}"
            );
        }
        None => {
            prop_assert_eq!(status, 200);
            prop_assert_eq!(set.as_deref(), Some(""), "a refused cookie is cleared");
            let (page, location) = h.profile_page(cookie).await;
            prop_assert!(page == 303 || page == 307, "protected page answered {page}");
            prop_assert!(
                location
                    .as_deref()
                    .is_some_and(|l| l.starts_with("/sign-in?")),
                "to sign-in, not {location:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn the_sealed_session_stays_well_under_the_cookie_limit() {
    let h = harness();
    for (who, sealed) in [("alice", &h.alice), ("bob", &h.bob)] {
        // As the browser stores it: percent-encoded.
        let header = format!(
            "wos-session={}",
            sealed
                .replace('+', "%2B")
                .replace('/', "%2F")
                .replace('=', "%3D")
        );
        println!(
            "{who}: sealed session {} bytes, cookie {} bytes",
            sealed.len(),
            header.len()
        );
        assert!(
            header.len() < 3072,
            "{who}'s session cookie is {} bytes: too close to 4096",
            header.len()
        );
    }
    // A positive control: the real cookies are accepted as their owners.
    runtime().block_on(async {
        assert_eq!(
            h.viewer(&h.alice).await.1.as_deref(),
            Some("alice@acme.test")
        );
        assert_eq!(h.viewer(&h.bob).await.1.as_deref(), Some("bob@acme.test"));
    });
}

/// A change to the sealed cookie as an attacker without the key can make it.
#[derive(Debug, Clone)]
enum CookieChange {
    Replace {
        at: usize,
        with: char,
    },
    Truncate {
        at: usize,
    },
    Append(String),
    Random(String),
    RandomBytes(Vec<u8>),
    /// Bob's real session data sealed with another key.
    ForeignKey,
    /// Alice's cookie with a block of Bob's spliced in.
    Splice {
        at: usize,
        len: usize,
    },
}

fn cookie_change() -> impl Strategy<Value = CookieChange> {
    prop_oneof![
        (any::<usize>(), proptest::char::range('+', 'z'))
            .prop_map(|(at, with)| CookieChange::Replace { at, with }),
        any::<usize>().prop_map(|at| CookieChange::Truncate { at }),
        "[A-Za-z0-9+/=_-]{1,64}".prop_map(CookieChange::Append),
        "[ -~]{0,600}".prop_map(CookieChange::Random),
        proptest::collection::vec(any::<u8>(), 0..2000).prop_map(CookieChange::RandomBytes),
        Just(CookieChange::ForeignKey),
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| CookieChange::Splice { at, len }),
    ]
}

fn apply(change: &CookieChange, alice: &str, bob: &str) -> String {
    let mut chars: Vec<char> = alice.chars().collect();
    match change {
        CookieChange::Replace { at, with } => {
            let i = at % chars.len();
            chars[i] = *with;
            chars.into_iter().collect()
        }
        CookieChange::Truncate { at } => chars[..at % chars.len()].iter().collect(),
        CookieChange::Append(tail) => format!("{alice}{tail}"),
        CookieChange::Random(text) => text.replace([';', ' ', ',', '"', '\\'], ""),
        CookieChange::RandomBytes(bytes) => base64::engine::general_purpose::STANDARD.encode(bytes),
        CookieChange::ForeignKey => {
            let data = unseal_session(bob, PASSWORD).unwrap();
            seal_session_from_auth_response(
                data.access_token.expose(),
                data.refresh_token.expose(),
                data.user,
                None,
                OTHER_PASSWORD,
            )
            .unwrap()
        }
        CookieChange::Splice { at, len } => {
            let start = at % chars.len();
            let bob: Vec<char> = bob.chars().collect();
            let end = (start + len).min(chars.len()).min(bob.len());
            if start < end {
                chars[start..end].copy_from_slice(&bob[start..end]);
            }
            chars.into_iter().collect()
        }
    }
}

#[test]
fn a_tampered_truncated_random_or_foreign_cookie_signs_out_cleanly() {
    let h = harness();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: COOKIE_CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let ran = std::cell::Cell::new(0usize);
    runner
        .run(&cookie_change(), |change| {
            ran.set(ran.get() + 1);
            let cookie = apply(&change, &h.alice, &h.bob);
            runtime().block_on(assert_not_forged(h, &cookie, "alice@acme.test", &h.alice))
        })
        .unwrap();
    println!(
        "cookie property: {} cases (configured {COOKIE_CASES}), 0 forged, 0 server errors",
        ran.get()
    );
    assert!(ran.get() >= COOKIE_CASES as usize);
}

/// A change to the access token inside a correctly sealed cookie: what an attacker who somehow had
/// the cookie key could try, so the app must still verify the token itself.
#[derive(Debug, Clone)]
enum TokenChange {
    /// Bob's claims with Alice's user, signed by a key WorkOS never published (same `kid`).
    ForeignKey { claims: serde_json::Value },
    /// `alg: none`, no signature.
    AlgNone { claims: serde_json::Value },
    /// Another payload under Alice's real header and signature.
    PayloadSwap { claims: serde_json::Value },
    /// Alice's real tokens, but Bob as the cookie's user.
    UserSwap,
    /// Alice's real access token, with a random refresh token, already expired (a refresh is
    /// attempted and must fail).
    ExpiredWithGarbageRefresh { refresh: String },
}

/// Claims derived from Alice's real ones: subject, organization, role, permissions and times
/// changed at random.
fn claims(real: serde_json::Value, bob_id: String) -> impl Strategy<Value = serde_json::Value> {
    (
        any::<bool>(),
        prop_oneof![
            Just(None::<String>),
            Just(Some("org_01JDEM00000000000000GL0BEX".to_string())),
            "org_[A-Z0-9]{0,26}".prop_map(Some)
        ],
        any::<bool>(),
        -7200i64..7200,
    )
        .prop_map(move |(as_bob, org, admin, shift)| {
            let mut c = real.clone();
            if as_bob {
                c["sub"] = serde_json::json!(bob_id);
            }
            if let Some(org) = org {
                c["org_id"] = serde_json::json!(org);
            }
            if admin {
                c["role"] = serde_json::json!("admin");
                c["permissions"] = serde_json::json!(["widgets:users-table:manage"]);
            }
            c["exp"] = serde_json::json!(c["exp"].as_i64().unwrap() + shift);
            c
        })
}

fn token_change(real: serde_json::Value, bob_id: String) -> impl Strategy<Value = TokenChange> {
    prop_oneof![
        claims(real.clone(), bob_id.clone()).prop_map(|claims| TokenChange::ForeignKey { claims }),
        claims(real.clone(), bob_id.clone()).prop_map(|claims| TokenChange::AlgNone { claims }),
        claims(real, bob_id).prop_map(|claims| TokenChange::PayloadSwap { claims }),
        Just(TokenChange::UserSwap),
        "[A-Za-z0-9]{0,40}".prop_map(|refresh| TokenChange::ExpiredWithGarbageRefresh { refresh }),
    ]
}

#[test]
fn a_forged_access_token_inside_a_well_sealed_cookie_is_never_accepted() {
    let h = harness();
    let alice = unseal_session(&h.alice, PASSWORD).unwrap();
    let bob = unseal_session(&h.bob, PASSWORD).unwrap();
    let real_token = alice.access_token.expose().to_string();
    let real_header = real_token.split('.').next().unwrap().to_string();
    let real_signature = real_token.split('.').nth(2).unwrap().to_string();
    let foreign = workos_emulator::keys::SigningKey::generate().expect("a foreign RSA key");
    let bob_id = bob.user.as_ref().unwrap().id.clone();
    let reseal = |access: String, refresh: &str, user: Option<workos::User>| {
        seal_session_from_auth_response(access, refresh.to_string(), user, None, PASSWORD).unwrap()
    };

    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: TOKEN_CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let ran = std::cell::Cell::new(0usize);
    runner
        .run(&token_change(claims_of(&real_token), bob_id), |change| {
            ran.set(ran.get() + 1);
            let refresh = alice.refresh_token.expose();
            let cookie = match &change {
                TokenChange::ForeignKey { claims } => {
                    let forged = foreign.sign(claims);
                    let signature = forged.split('.').nth(2).unwrap();
                    reseal(
                        format!(
                            "{real_header}.{}.{signature}",
                            forged.split('.').nth(1).unwrap()
                        ),
                        "refresh_forged",
                        alice.user.clone(),
                    )
                }
                TokenChange::AlgNone { claims } => {
                    let header = b64url(br#"{"alg":"none","typ":"JWT"}"#);
                    reseal(
                        format!("{header}.{}.", b64url(claims.to_string().as_bytes())),
                        "refresh_forged",
                        alice.user.clone(),
                    )
                }
                TokenChange::PayloadSwap { claims } => reseal(
                    format!(
                        "{real_header}.{}.{real_signature}",
                        b64url(claims.to_string().as_bytes())
                    ),
                    "refresh_forged",
                    alice.user.clone(),
                ),
                TokenChange::UserSwap => reseal(real_token.clone(), refresh, bob.user.clone()),
                TokenChange::ExpiredWithGarbageRefresh { refresh } => {
                    let mut c = claims_of(&real_token);
                    c["exp"] = serde_json::json!(c["iat"].as_i64().unwrap() - 60);
                    // Re-signed by the emulator's own key: a genuine but expired token.
                    reseal(
                        h.emulator.environment().keys.sign(&c),
                        refresh,
                        alice.user.clone(),
                    )
                }
            };
            runtime().block_on(async {
                let (status, who, _) = h.viewer(&cookie).await;
                prop_assert!(status < 500, "viewer answered {status} for {change:?}");
                prop_assert_eq!(who, None, "forged token accepted: {:?}", change);
                let (page, _) = h.profile_page(&cookie).await;
                prop_assert!(
                    page == 303 || page == 307,
                    "protected page answered {page} for {change:?}"
                );
                Ok(())
            })
        })
        .unwrap();
    println!(
        "token property: {} cases (configured {TOKEN_CASES}), 0 accepted, 0 server errors",
        ran.get()
    );
    assert!(ran.get() >= TOKEN_CASES as usize);
    // The harness can tell: Alice's real cookie is still hers.
    assert_eq!(
        runtime().block_on(h.viewer(&h.alice)).1.as_deref(),
        Some("alice@acme.test")
    );
}

/// A server-function call with an arbitrary body.
#[derive(Debug, Clone)]
struct Call {
    endpoint: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    let field = prop_oneof![
        Just("kind".to_string()),
        Just("organization_id".to_string()),
        "[a-z_]{0,16}"
    ];
    let value = prop_oneof![
        "[ -~]{0,40}",
        Just("user-profile".to_string()),
        Just("users-management".to_string()),
        Just(ACME.to_string()),
        "org_[A-Z0-9]{0,30}",
        "[\\x00-\\x{10FFFF}]{0,8}"
    ];
    prop_oneof![
        proptest::collection::vec((field, value), 0..4).prop_map(|pairs| {
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish()
                .into_bytes()
        }),
        proptest::collection::vec(any::<u8>(), 0..512),
        "[ -~]{0,200}".prop_map(String::into_bytes),
    ]
}

fn call() -> impl Strategy<Value = Call> {
    (
        prop_oneof![
            Just("/api/widget_token"),
            Just("/api/switch_organization"),
            Just("/api/viewer")
        ],
        prop_oneof![
            Just("application/x-www-form-urlencoded"),
            Just("application/json"),
            Just("text/plain"),
            Just("multipart/form-data; boundary=x")
        ],
        body(),
    )
        .prop_map(|(endpoint, content_type, body)| Call {
            endpoint,
            content_type,
            body,
        })
}

#[test]
fn arbitrary_server_function_bodies_never_fail_the_server_or_move_the_session() {
    let h = harness();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: BODY_CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let ran = std::cell::Cell::new(0usize);
    let statuses = std::cell::RefCell::new(std::collections::BTreeMap::<u16, u32>::new());
    runner
        .run(&call(), |call| {
            ran.set(ran.get() + 1);
            runtime().block_on(async {
                let response = h
                    .http
                    .post(format!("{}{}", h.base, call.endpoint))
                    .header("cookie", format!("wos-session={}", h.alice))
                    .header("content-type", call.content_type)
                    .body(call.body.clone())
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                *statuses.borrow_mut().entry(status).or_default() += 1;
                prop_assert!(
                    status < 500,
                    "{} answered {status} to {call:?}: {}",
                    call.endpoint,
                    response.text().await.unwrap_or_default()
                );
                if status == 200 && call.endpoint == "/api/switch_organization" {
                    prop_assert!(
                        String::from_utf8_lossy(&call.body).contains("org_01JDEM"),
                        "switched with {call:?}"
                    );
                }
                Ok(())
            })
        })
        .unwrap();
    println!(
        "server-function body property: {} cases (configured {BODY_CASES}), answers by status {:?}",
        ran.get(),
        statuses.borrow()
    );
    assert!(ran.get() >= BODY_CASES as usize);
    // Alice is still signed in, in one of her own organizations.
    let (_, who, _) = runtime().block_on(h.viewer(&h.alice));
    assert_eq!(who.as_deref(), Some("alice@acme.test"));
}

#[test]
fn organization_and_user_ids_from_the_client_are_ignored() {
    let h = harness();
    const ALICE: &str = "user_01JDEM0000000000000000A1CE";
    const BOB: &str = "user_01JDEM00000000000000000B0B";
    const GLOBEX: &str = "org_01JDEM00000000000000GL0BEX";
    runtime().block_on(async {
        // Extra fields naming Bob and Globex, as form fields, query parameters and JSON.
        let form = h
            .http
            .post(format!(
                "{}/api/widget_token?user_id={BOB}&organization_id={GLOBEX}",
                h.base
            ))
            .header("cookie", format!("wos-session={}", h.alice))
            .form(&[
                ("kind", "users-management"),
                ("user_id", BOB),
                ("organization_id", GLOBEX),
                ("organizationId", GLOBEX),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(form.status(), 200);
        let grant: serde_json::Value = form.json().await.unwrap();
        let claims = crate::hostile_input::claims_of(grant["token"].as_str().unwrap());
        assert_eq!(claims["sub"], ALICE, "the token is Alice's: {claims}");
        assert_eq!(
            claims["org_id"], ACME,
            "in Alice's current organization: {claims}"
        );
        // Bob, a member, cannot get the admin token by naming Alice or another organization.
        let bob = h
            .http
            .post(format!("{}/api/widget_token", h.base))
            .header("cookie", format!("wos-session={}", h.bob))
            .form(&[
                ("kind", "users-management"),
                ("user_id", ALICE),
                ("organization_id", GLOBEX),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(bob.status(), 403);
    });
}
