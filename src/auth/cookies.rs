//! The two cookies: `wos-session` (the sealed session) and `wos-auth-verifier` (the sealed PKCE
//! verifier, state and return path of one sign-in, 10 minutes). Both HttpOnly, SameSite=Lax,
//! Path=/, Secure when the app is served over https.

use axum::http::{HeaderMap, HeaderValue, header};
use axum_extra::extract::cookie::{Cookie, SameSite};
use time::Duration;

pub const SESSION_COOKIE: &str = "wos-session";
pub const VERIFIER_COOKIE: &str = "wos-auth-verifier";
/// authkit-nextjs's default: the tokens inside are what expire, not the cookie.
const SESSION_MAX_AGE: Duration = Duration::days(400);
const VERIFIER_MAX_AGE: Duration = Duration::minutes(10);

/// The value of the cookie `name` in the request's `Cookie` headers, percent-decoded; `None` when
/// absent, empty or unparsable. The same answer as `CookieJar::from_headers(headers).get(name)`
/// (the last one wins when the name repeats), but only `name`'s pairs are parsed and decoded: the
/// session middleware and the page's theme each read one cookie of a header that carries the
/// sealed session (several KB), per request.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        // A pair's name as written; one with a `%` may decode to `name`, so it is parsed too.
        .filter(|pair| {
            pair.split_once('=')
                .is_some_and(|(raw, _)| raw.trim() == name || raw.contains('%'))
        })
        .filter_map(|pair| Cookie::parse_encoded(pair).ok())
        .rfind(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_string())
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

#[cfg(test)]
mod tests {
    use axum_extra::extract::cookie::CookieJar;

    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(header::COOKIE, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    /// What the cookie jar answers, which `read` must match.
    fn jar(headers: &HeaderMap, name: &str) -> Option<String> {
        CookieJar::from_headers(headers)
            .get(name)
            .map(|c| c.value().to_string())
            .filter(|v| !v.is_empty())
    }

    #[test]
    fn reads_one_cookie_as_the_cookie_jar_does() {
        let cases: &[&[&str]] = &[
            &["theme=dark; wos-session=abc%3D%3D"],
            &["wos-session=abc", "theme=light"],
            &["theme=dark; theme=light"],
            &["theme=dark", "theme=light"],
            &[" theme = dark ;x=1"],
            &["the%6De=dark"],
            &["theme="],
            &["theme"],
            &["theme=%E2%9C%93"],
            &["theme=%ZZ; theme=dark"],
            &["themes=dark; xtheme=light"],
            &["theme=dark; theme=%ZZ"],
            &[""],
        ];
        for case in cases {
            let headers = headers(case);
            for name in ["theme", SESSION_COOKIE, "x"] {
                assert_eq!(read(&headers, name), jar(&headers, name), "{case:?} {name}");
            }
        }
        assert_eq!(
            read(&headers(&["theme=%E2%9C%93"]), "theme").as_deref(),
            Some("\u{2713}")
        );
        assert_eq!(
            read(&headers(&["the%6De=dark"]), "theme").as_deref(),
            Some("dark")
        );
        assert_eq!(
            read(&headers(&["a=1; theme=dark; theme=light"]), "theme").as_deref(),
            Some("light")
        );
    }
}
