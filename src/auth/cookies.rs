//! The two cookies: `wos-session` (the sealed session) and `wos-auth-verifier` (the sealed PKCE
//! verifier, state and return path of one sign-in, 10 minutes). Both HttpOnly, SameSite=Lax,
//! Path=/, Secure when the app is served over https.

use axum::http::{HeaderMap, HeaderValue, header};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use time::Duration;

pub const SESSION_COOKIE: &str = "wos-session";
pub const VERIFIER_COOKIE: &str = "wos-auth-verifier";
/// authkit-nextjs's default: the tokens inside are what expire, not the cookie.
const SESSION_MAX_AGE: Duration = Duration::days(400);
const VERIFIER_MAX_AGE: Duration = Duration::minutes(10);

pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(name)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
}

/// Whether the request carries a cookie called `name` at all, even one that does not parse (e.g.
/// a stray `%` in its value), so it can be cleared.
pub fn present(headers: &HeaderMap, name: &str) -> bool {
    let prefix = format!("{name}=");
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| pair.trim_start().starts_with(&prefix))
}

fn build(name: &'static str, value: String, max_age: Duration, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(max_age)
        .build();
    HeaderValue::from_str(&cookie.encoded().to_string()).expect("sealed values are base64")
}

pub fn session(sealed: String, secure: bool) -> HeaderValue {
    build(SESSION_COOKIE, sealed, SESSION_MAX_AGE, secure)
}

pub fn verifier(sealed: String, secure: bool) -> HeaderValue {
    build(VERIFIER_COOKIE, sealed, VERIFIER_MAX_AGE, secure)
}

/// An expired, empty cookie that makes the browser drop `name`.
pub fn clear(name: &'static str, secure: bool) -> HeaderValue {
    build(name, String::new(), Duration::ZERO, secure)
}

pub fn append(headers: &mut HeaderMap, value: HeaderValue) {
    headers.append(header::SET_COOKIE, value);
}
