//! AuthKit from a single-page app (`@workos-inc/authkit-js` 0.20.3), as it calls the emulator from
//! the browser: CORS of the code exchange, refresh and JWKS (allowed origins echoed exactly, with
//! credentials; other origins get no `Access-Control-Allow-Origin`), the public-client PKCE code
//! exchange and refresh with no client secret, and the session cookie authkit-js refreshes with
//! off `localhost` (set at the code exchange, rotated by each refresh, cleared by the logout).

use base64::Engine;
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_ORIGIN,
    HeaderMap, ORIGIN, SET_COOKIE,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use workos_emulator::EmulatorConfig;
use workos_emulator::seed::DEMO_PASSWORD;

use crate::support::{Harness, payload};

/// The single-page app's origin, allowed (`--allowed-origin`).
const APP: &str = "http://127.0.0.1:5173";
/// The same app served as `localhost`, also allowed.
const APP_LOCALHOST: &str = "http://localhost:5173";
/// Origins that are not allowed: another port of the same host, and another site.
const OTHERS: [&str; 2] = ["http://127.0.0.1:5174", "http://evil.test"];
const AUTHENTICATE: &str = "/user_management/authenticate";
const SESSION_COOKIE: &str = "workos_emulator_session";
const HAS_SESSION_COOKIE: &str = "workos-has-session";

async fn harness() -> Harness {
    Harness::with_config(EmulatorConfig {
        // A trailing slash in the configuration is not part of the origin.
        allowed_origins: vec![format!("{APP}/"), APP_LOCALHOST.into()],
        ..EmulatorConfig::default()
    })
    .await
}

/// The `Set-Cookie` header of cookie `name` in `headers`, if any.
fn set_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with(&format!("{name}=")))
}

/// The value a `Set-Cookie` header sets.
fn cookie_value(set_cookie: &str) -> &str {
    set_cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
}

/// Whether a `Set-Cookie` header has attribute `attribute` (case-insensitive, e.g. `HttpOnly`,
/// `SameSite=Lax`, `Max-Age=0`).
fn has_attribute(set_cookie: &str, attribute: &str) -> bool {
    set_cookie
        .split(';')
        .skip(1)
        .any(|a| a.trim().eq_ignore_ascii_case(attribute))
}

/// Signs Alice in on the AuthKit page with a PKCE challenge, as authkit-js starts it, and returns
/// the code and the verifier.
async fn pkce_sign_in(h: &Harness) -> (String, String) {
    let verifier = "a-pkce-code-verifier-of-forty-three-characters-or-more-0123";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    let response = h
        .http
        .post(h.url("/user_management/authorize"))
        .form(&[
            ("client_id", "client_emulator"),
            ("redirect_uri", APP),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("email", "alice@acme.test"),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.origin().ascii_serialization(), APP);
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .to_string();
    (code, verifier.into())
}

/// `POST /user_management/authenticate` with `body`, as authkit-js sends it (JSON, no secret),
/// from `origin` (none: a server call) with `cookie`.
async fn authenticate(
    h: &Harness,
    origin: Option<&str>,
    cookie: Option<&str>,
    body: Value,
) -> reqwest::Response {
    let mut request = h
        .http
        .post(h.url("/user_management/authenticate"))
        .json(&body);
    if let Some(origin) = origin {
        request = request.header(ORIGIN, origin);
    }
    if let Some(cookie) = cookie {
        request = request.header(reqwest::header::COOKIE, cookie);
    }
    request.send().await.unwrap()
}

/// Signs in and exchanges the code from the app's page: the answer's headers and body.
async fn browser_sign_in(h: &Harness) -> (HeaderMap, Value) {
    let (code, verifier) = pkce_sign_in(h).await;
    let response = authenticate(
        h,
        Some(APP),
        None,
        json!({"client_id": "client_emulator", "grant_type": "authorization_code", "code": code, "code_verifier": verifier}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    (headers, response.json().await.unwrap())
}

/// A refresh by cookie, as authkit-js sends it off `localhost`: no `refresh_token` in the body.
async fn cookie_refresh(h: &Harness, origin: Option<&str>, token: &str) -> reqwest::Response {
    authenticate(
        h,
        origin,
        Some(&format!("{SESSION_COOKIE}={token}")),
        json!({"client_id": "client_emulator", "grant_type": "refresh_token"}),
    )
    .await
}

#[tokio::test]
async fn authkit_calls_answer_allowed_origins_exactly_with_credentials_and_no_other_origin() {
    let h = harness().await;
    let jwks = "/sso/jwks/client_emulator";
    for origin in [APP, APP_LOCALHOST] {
        // The preflight of authkit-js's JSON POST.
        for (method, path) in [("POST", AUTHENTICATE), ("GET", jwks)] {
            let preflight = h
                .http
                .request(reqwest::Method::OPTIONS, h.url(path))
                .header(ORIGIN, origin)
                .header("Access-Control-Request-Method", method)
                .header("Access-Control-Request-Headers", "content-type")
                .send()
                .await
                .unwrap();
            assert!(preflight.status().is_success(), "{path}: {preflight:?}");
            let headers = preflight.headers();
            assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], origin, "{path}");
            assert_eq!(headers[ACCESS_CONTROL_ALLOW_CREDENTIALS], "true", "{path}");
            let allowed = headers[ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap();
            assert!(allowed.contains("content-type"), "{path}: {allowed}");
        }
        // The actual calls, answered or refused, carry the exact origin.
        let refused = authenticate(
            &h,
            Some(origin),
            None,
            json!({"client_id": "client_emulator", "grant_type": "refresh_token", "refresh_token": "nope"}),
        )
        .await;
        assert_eq!(refused.status(), 400);
        assert_eq!(refused.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], origin);
        assert_eq!(refused.headers()[ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
        let keys = h
            .http
            .get(h.url("/sso/jwks/client_emulator"))
            .header(ORIGIN, origin)
            .send()
            .await
            .unwrap();
        assert_eq!(keys.status(), 200);
        assert_eq!(keys.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], origin);
    }
    for origin in OTHERS {
        let preflight = h
            .http
            .request(reqwest::Method::OPTIONS, h.url(AUTHENTICATE))
            .header(ORIGIN, origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .send()
            .await
            .unwrap();
        assert!(
            preflight
                .headers()
                .get(ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none(),
            "{origin}: {preflight:?}"
        );
        let actual = authenticate(
            &h,
            Some(origin),
            None,
            json!({"client_id": "client_emulator", "grant_type": "refresh_token", "refresh_token": "nope"}),
        )
        .await;
        assert!(
            actual.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none(),
            "{origin}"
        );
        let keys = h
            .http
            .get(h.url("/sso/jwks/client_emulator"))
            .header(ORIGIN, origin)
            .send()
            .await
            .unwrap();
        assert!(keys.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    }
}

#[tokio::test]
async fn a_public_client_exchanges_a_pkce_code_and_refreshes_with_no_client_secret() {
    let h = harness().await;
    // A wrong verifier is refused, and the code is gone with it.
    let (code, _) = pkce_sign_in(&h).await;
    let wrong = authenticate(
        &h,
        Some(APP),
        None,
        json!({"client_id": "client_emulator", "grant_type": "authorization_code", "code": code, "code_verifier": "not-the-verifier-of-this-code-at-all-0123456789"}),
    )
    .await;
    assert_eq!(wrong.status(), 400);
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );

    // devMode (localhost): the refresh token travels in the body; no secret anywhere.
    let (_, signed_in) = browser_sign_in(&h).await;
    assert_eq!(signed_in["user"]["email"], "alice@acme.test");
    let claims = payload(signed_in["access_token"].as_str().unwrap());
    assert_eq!(claims["sub"], signed_in["user"]["id"]);
    let first = signed_in["refresh_token"].as_str().unwrap();
    let refreshed = authenticate(
        &h,
        Some(APP_LOCALHOST),
        None,
        json!({"client_id": "client_emulator", "grant_type": "refresh_token", "refresh_token": first}),
    )
    .await;
    assert_eq!(refreshed.status(), 200);
    let refreshed: Value = refreshed.json().await.unwrap();
    assert_ne!(refreshed["refresh_token"], first);
    assert_eq!(
        payload(refreshed["access_token"].as_str().unwrap())["sid"],
        claims["sid"]
    );
}

#[tokio::test]
async fn the_code_exchange_sets_the_session_cookies_for_an_allowed_browser_origin_only() {
    let h = harness().await;
    let (headers, body) = browser_sign_in(&h).await;
    let session = set_cookie(&headers, SESSION_COOKIE).expect("session cookie");
    assert_eq!(
        cookie_value(&session),
        body["refresh_token"].as_str().unwrap()
    );
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/user_management"] {
        assert!(has_attribute(&session, attribute), "{attribute}: {session}");
    }
    let has_session = set_cookie(&headers, HAS_SESSION_COOKIE).expect("has-session cookie");
    // authkit-js reads it from document.cookie and looks for its client id among the '.'-parts.
    assert!(
        cookie_value(&has_session)
            .split('.')
            .any(|part| part == "client_emulator")
    );
    assert!(!has_attribute(&has_session, "HttpOnly"), "{has_session}");
    assert!(has_attribute(&has_session, "Path=/"), "{has_session}");
    assert!(has_attribute(&has_session, "SameSite=Lax"), "{has_session}");

    // A server call (no Origin) and a page of another origin get no cookies.
    for origin in [None, Some(OTHERS[0])] {
        let (code, verifier) = pkce_sign_in(&h).await;
        let response = authenticate(
            &h,
            origin,
            None,
            json!({"client_id": "client_emulator", "grant_type": "authorization_code", "code": code, "code_verifier": verifier}),
        )
        .await;
        assert_eq!(response.status(), 200);
        assert!(
            response.headers().get(SET_COOKIE).is_none(),
            "{origin:?}: {response:?}"
        );
    }
}

#[tokio::test]
async fn a_refresh_with_no_refresh_token_uses_the_session_cookie_and_rotates_it() {
    let h = harness().await;
    let (headers, signed_in) = browser_sign_in(&h).await;
    let sid = payload(signed_in["access_token"].as_str().unwrap())["sid"].clone();
    let mut token = cookie_value(&set_cookie(&headers, SESSION_COOKIE).unwrap()).to_string();
    for _ in 0..3 {
        let response = cookie_refresh(&h, Some(APP), &token).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], APP);
        let rotated =
            cookie_value(&set_cookie(response.headers(), SESSION_COOKIE).unwrap()).to_string();
        assert!(set_cookie(response.headers(), HAS_SESSION_COOKIE).is_some());
        let body: Value = response.json().await.unwrap();
        assert_ne!(rotated, token, "each refresh rotates the cookie's token");
        assert_eq!(body["refresh_token"], rotated.as_str());
        assert_eq!(body["user"]["email"], "alice@acme.test");
        assert_eq!(payload(body["access_token"].as_str().unwrap())["sid"], sid);
        token = rotated;
    }

    // The cookie is read only on a call from an allowed origin: a server call or another origin
    // carrying it is a refresh with no token (422), and the session goes on unchanged.
    for origin in [None, Some(OTHERS[0]), Some(OTHERS[1])] {
        let response = cookie_refresh(&h, origin, &token).await;
        assert_eq!(response.status(), 422, "{origin:?}");
        assert!(response.headers().get(SET_COOKIE).is_none(), "{origin:?}");
    }
    assert_eq!(cookie_refresh(&h, Some(APP), &token).await.status(), 200);
}

#[tokio::test]
async fn logout_ends_the_session_and_clears_both_cookies_so_the_cookie_refresh_is_refused() {
    let h = harness().await;
    let (headers, signed_in) = browser_sign_in(&h).await;
    let token = cookie_value(&set_cookie(&headers, SESSION_COOKIE).unwrap()).to_string();
    let sid = payload(signed_in["access_token"].as_str().unwrap())["sid"]
        .as_str()
        .unwrap()
        .to_string();

    // authkit-js's signOut(): the browser opens the logout URL with its cookies.
    let logout = h
        .http
        .get(h.url(&format!(
            "/user_management/sessions/logout?session_id={sid}&return_to={APP}/"
        )))
        .header(reqwest::header::COOKIE, format!("{SESSION_COOKIE}={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 302);
    assert_eq!(logout.headers()["location"], format!("{APP}/"));
    for (name, path) in [
        (SESSION_COOKIE, "/user_management"),
        (HAS_SESSION_COOKIE, "/"),
    ] {
        let cleared = set_cookie(logout.headers(), name).expect(name);
        assert_eq!(cookie_value(&cleared), "", "{cleared}");
        assert!(has_attribute(&cleared, "Max-Age=0"), "{cleared}");
        assert!(
            has_attribute(&cleared, &format!("Path={path}")),
            "{cleared}"
        );
    }

    // The session is over: a cookie that survived is refused, and the answer clears it again.
    let refused = cookie_refresh(&h, Some(APP), &token).await;
    assert_eq!(refused.status(), 400);
    assert_eq!(refused.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], APP);
    for name in [SESSION_COOKIE, HAS_SESSION_COOKIE] {
        let cleared = set_cookie(refused.headers(), name).expect(name);
        assert!(has_attribute(&cleared, "Max-Age=0"), "{cleared}");
    }
    assert_eq!(
        refused.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );
    // ...and so is the refresh token itself, in the body.
    let body_refresh = authenticate(
        &h,
        Some(APP),
        None,
        json!({"client_id": "client_emulator", "grant_type": "refresh_token", "refresh_token": token}),
    )
    .await;
    assert_eq!(body_refresh.status(), 400);
}
