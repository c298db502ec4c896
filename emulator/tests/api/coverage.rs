//! No served route goes untested: every route the emulator registers (every method, PATCH included)
//! is called by some test under `tests/api/`, and `emulator/README.md`'s coverage table lists it
//! with test files that really call it.
//!
//! Both sides are read from the sources with a small Rust tokenizer (strings, raw strings,
//! characters and comments are told apart, so a path in a comment or doc never counts):
//!
//! - **Served routes**: `.route("<path>", <method router>)` in `src/routes/**`; the methods are the
//!   `get(`, `post(`, `put(`, `patch(`, `delete(`, … calls of the method router. A module nested
//!   with `.nest("<prefix>", <module>::router…)` gets the prefix on its paths. A routing form the
//!   scan cannot read (`any(`, `on(`, `route_service(`, …) fails the scan instead of being skipped.
//! - **Calls in a test file**, each a method and a URL, the URL being a string literal, bare or in
//!   `h.url(…)`, `format!(…)`, `&…`:
//!   - `.get(<url>)`, `.post(<url>)`, … (reqwest);
//!   - `Method::POST, <url>` (the `widget` helper, `.request(…)`, tables of `(Method, path)`);
//!   - `"POST", <url>` (the isolation and property tables);
//!   - a method of the `workos` crate, by name ([`SDK_CALLS`]);
//!   - a helper of `support.rs`, by name: the calls of its body (and of the helpers it calls).
//!
//! A call matches a route when their paths have the same segments: a route's `{param}` matches any
//! one segment, a call's `{…}` (an interpolated id) matches only a route parameter, and the query
//! string is ignored. A path written without `/_widgets` matches the `/_widgets` route (the `widget`
//! helper and the isolation and property tables add the prefix).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// The `workos` crate (3.5) methods the tests call and the request each one sends, as its
/// `src/resources/*.rs` define them (`let path = …; let method = http::Method::…;`).
/// `get_logout_url` only builds the URL, which the test then opens in the browser's place (GET).
pub const SDK_CALLS: &[(&str, &str, &str)] = &[
    (
        "authenticate_with_code",
        "POST",
        "/user_management/authenticate",
    ),
    (
        "authenticate_with_refresh_token",
        "POST",
        "/user_management/authenticate",
    ),
    (
        "authenticate_with_password",
        "POST",
        "/user_management/authenticate",
    ),
    ("get_jwks", "GET", "/sso/jwks/{client_id}"),
    ("get_logout_url", "GET", "/user_management/sessions/logout"),
    ("revoke_session", "POST", "/user_management/sessions/revoke"),
    (
        "list_sessions",
        "GET",
        "/user_management/users/{id}/sessions",
    ),
    ("get_user", "GET", "/user_management/users/{id}"),
    ("list_users", "GET", "/user_management/users"),
    ("get_organization", "GET", "/organizations/{id}"),
    (
        "list_organization_memberships",
        "GET",
        "/user_management/organization_memberships",
    ),
    ("create_token", "POST", "/widgets/token"),
    (
        "create_organization_api_key",
        "POST",
        "/organizations/{organizationId}/api_keys",
    ),
    (
        "list_organization_api_keys",
        "GET",
        "/organizations/{organizationId}/api_keys",
    ),
    ("create_validation", "POST", "/api_keys/validations"),
    ("delete_api_key", "DELETE", "/api_keys/{id}"),
    ("create_api_key_expire", "POST", "/api_keys/{id}/expire"),
    (
        "create_user_api_key",
        "POST",
        "/user_management/users/{userId}/api_keys",
    ),
    (
        "list_user_api_keys",
        "GET",
        "/user_management/users/{userId}/api_keys",
    ),
];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `.rs` files under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A string literal's text (escapes `\"` and `\\` decoded, others kept).
    Str(String),
    /// An identifier, keyword or number.
    Word(String),
    Punct(char),
}

/// Rust source as tokens, without whitespace and comments.
fn tokenize(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let word_char = |c: char| c.is_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if let Some((text, end)) = raw_string(&chars, i) {
            tokens.push(Token::Str(text));
            i = end;
        } else if c == '"' || (c == 'b' && next == Some('"')) {
            i += if c == 'b' { 2 } else { 1 };
            let mut text = String::new();
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' && matches!(chars.get(i + 1), Some('"') | Some('\\')) {
                    text.push(chars[i + 1]);
                    i += 2;
                } else {
                    text.push(chars[i]);
                    i += 1;
                }
            }
            tokens.push(Token::Str(text));
            i += 1;
        } else if c == '\'' {
            // A character literal ('a', '\n', '\'') or a lifetime ('a, 'static).
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                tokens.push(Token::Punct('\''));
                i += 1;
            }
        } else if c == 'r' && next == Some('#') && chars.get(i + 2).is_some_and(|&c| word_char(c)) {
            // A raw identifier: r#type.
            let start = i + 2;
            i = start;
            while i < chars.len() && word_char(chars[i]) {
                i += 1;
            }
            tokens.push(Token::Word(chars[start..i].iter().collect()));
        } else if word_char(c) {
            let start = i;
            while i < chars.len() && word_char(chars[i]) {
                i += 1;
            }
            tokens.push(Token::Word(chars[start..i].iter().collect()));
        } else {
            tokens.push(Token::Punct(c));
            i += 1;
        }
    }
    tokens
}

/// A raw string (`r"…"`, `r#"…"#`, `br#"…"#`) starting at `i`: its text and the index after it.
fn raw_string(chars: &[char], i: usize) -> Option<(String, usize)> {
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = chars[j..].iter().take_while(|&&c| c == '#').count();
    j += hashes;
    if chars.get(j) != Some(&'"') {
        return None;
    }
    let start = j + 1;
    let mut k = start;
    while k < chars.len() {
        if chars[k] == '"'
            && chars[k + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes
        {
            return Some((chars[start..k].iter().collect(), k + 1 + hashes));
        }
        k += 1;
    }
    None
}

fn is_word(token: Option<&Token>, word: &str) -> bool {
    matches!(token, Some(Token::Word(w)) if w == word)
}

fn is_punct(token: Option<&Token>, punct: char) -> bool {
    token == Some(&Token::Punct(punct))
}

/// The index of the `)` closing the `(` at `open`.
fn closing_paren(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced parentheses")
}

/// `(method, path)` of every route the emulator serves: `.route(…)` in `src/routes/**`, with the
/// prefixes of `.nest(…)`. Panics on a routing form it cannot read.
pub fn registered_routes() -> BTreeSet<(String, String)> {
    let dir = manifest_dir().join("src/routes");
    // Module path (e.g. ["widgets", "users_management"]) → tokens.
    let modules: Vec<(Vec<String>, Vec<Token>)> = rust_files(&dir)
        .into_iter()
        .map(|file| {
            let relative = file.strip_prefix(&dir).unwrap().with_extension("");
            let mut module: Vec<String> = relative
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect();
            if module.last().is_some_and(|m| m == "mod") {
                module.pop();
            }
            (module, tokenize(&read(&file)))
        })
        .collect();

    // `.nest("<prefix>", <child>::router…)` in module P puts <prefix> before P::<child>'s paths.
    let mut nests: Vec<(Vec<String>, String)> = Vec::new();
    for (module, tokens) in &modules {
        for i in 0..tokens.len() {
            if is_punct(tokens.get(i), '.') && is_word(tokens.get(i + 1), "nest") {
                let (Some(Token::Str(prefix)), Some(Token::Word(child))) =
                    (tokens.get(i + 3), tokens.get(i + 5))
                else {
                    panic!("cannot read a .nest(…) in routes/{}", module.join("/"));
                };
                let mut nested = module.clone();
                nested.push(child.clone());
                nests.push((nested, prefix.clone()));
            }
        }
    }

    let mut routes = BTreeSet::new();
    for (module, tokens) in &modules {
        let prefix: String = nests
            .iter()
            .filter(|(nested, _)| module.starts_with(nested))
            .map(|(_, prefix)| prefix.as_str())
            .collect();
        for i in 0..tokens.len() {
            if !is_punct(tokens.get(i), '.') {
                continue;
            }
            let Some(Token::Word(call)) = tokens.get(i + 1) else {
                continue;
            };
            if matches!(
                call.as_str(),
                "route_service" | "nest_service" | "fallback_service" | "route_layer"
            ) {
                panic!(
                    "routes/{}: .{call}(…) is not understood by the route scan",
                    module.join("/")
                );
            }
            if call != "route" {
                continue;
            }
            let Some(Token::Str(path)) = tokens.get(i + 3) else {
                panic!(
                    "routes/{}: a .route( whose path is not a string literal",
                    module.join("/")
                );
            };
            let end = closing_paren(tokens, i + 2);
            let mut methods = Vec::new();
            for j in i + 4..end {
                if let Some(Token::Word(word)) = tokens.get(j)
                    && is_punct(tokens.get(j + 1), '(')
                {
                    if let Some(method) = METHODS.iter().find(|m| m.eq_ignore_ascii_case(word)) {
                        methods.push(*method);
                    } else if matches!(word.as_str(), "any" | "on" | "get_service" | "post_service")
                    {
                        panic!(
                            "routes/{}: {path} uses {word}(…), which the route scan cannot read",
                            module.join("/")
                        );
                    }
                }
            }
            assert!(
                !methods.is_empty(),
                "routes/{}: no method found for {path}",
                module.join("/")
            );
            for method in methods {
                routes.insert((method.to_string(), format!("{prefix}{path}")));
            }
        }
    }
    routes
}

/// The path of a URL literal: a leading `{base}` dropped, the query and fragment cut; `None` when
/// it is not a path.
fn url_path(literal: &str) -> Option<String> {
    let mut text = literal;
    if let Some(rest) = text.strip_prefix('{')
        && let Some((inside, after)) = rest.split_once('}')
        && inside
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
    {
        text = after;
    }
    if !text.starts_with('/') {
        return None;
    }
    let end = text.find(['?', '#']).unwrap_or(text.len());
    Some(text[..end].to_string())
}

/// The URL literal of the expression starting at `start`: a string literal, possibly behind `&`,
/// `h.url(`, `format!(`.
fn url_at(tokens: &[Token], start: usize) -> Option<String> {
    for token in tokens.iter().skip(start).take(10) {
        match token {
            Token::Str(literal) => return url_path(literal),
            Token::Word(_) | Token::Punct('&' | '(' | '.' | '!') => {}
            _ => return None,
        }
    }
    None
}

/// A `(method, path)` request in test code.
type Call = (String, String);

/// The requests written out in `tokens[range]`, and the names of the other functions called there.
fn calls_in(tokens: &[Token], range: std::ops::Range<usize>) -> (Vec<Call>, BTreeSet<String>) {
    let mut calls = Vec::new();
    let mut called = BTreeSet::new();
    for i in range {
        let token = tokens.get(i);
        // `.get(<url>)`, `.patch(<url>)`, … and the `workos` crate's methods.
        if is_punct(token, '.')
            && let Some(Token::Word(name)) = tokens.get(i + 1)
            && is_punct(tokens.get(i + 2), '(')
        {
            if let Some(method) = METHODS.iter().find(|m| m.to_lowercase() == *name)
                && let Some(path) = url_at(tokens, i + 3)
            {
                calls.push((method.to_string(), path));
            }
            if let Some((_, method, path)) = SDK_CALLS.iter().find(|(sdk, _, _)| sdk == name) {
                calls.push((method.to_string(), path.to_string()));
            }
        }
        // `Method::POST, <url>`.
        if is_word(token, "Method")
            && is_punct(tokens.get(i + 1), ':')
            && is_punct(tokens.get(i + 2), ':')
            && let Some(Token::Word(method)) = tokens.get(i + 3)
            && METHODS.contains(&method.as_str())
            && is_punct(tokens.get(i + 4), ',')
            && let Some(path) = url_at(tokens, i + 5)
        {
            calls.push((method.clone(), path));
        }
        // `"POST", <url>`.
        if let Some(Token::Str(method)) = token
            && METHODS.contains(&method.as_str())
            && is_punct(tokens.get(i + 1), ',')
            && let Some(path) = url_at(tokens, i + 2)
        {
            calls.push((method.clone(), path));
        }
        // Any function or method call, for the helpers.
        if let Some(Token::Word(name)) = token
            && is_punct(tokens.get(i + 1), '(')
            && !is_word(tokens.get(i.wrapping_sub(1)), "fn")
        {
            called.insert(name.clone());
        }
    }
    (calls, called)
}

/// The requests each helper function of `support.rs` makes, its own and those of the helpers it
/// calls.
fn helper_calls(support: &[Token]) -> BTreeMap<String, BTreeSet<Call>> {
    let mut direct: BTreeMap<String, (Vec<Call>, BTreeSet<String>)> = BTreeMap::new();
    for i in 0..support.len() {
        if is_word(support.get(i), "fn")
            && let Some(Token::Word(name)) = support.get(i + 1)
        {
            let open = (i..support.len())
                .find(|&j| is_punct(support.get(j), '{'))
                .expect("a function body");
            let mut depth = 0;
            let mut close = open;
            for (j, token) in support.iter().enumerate().skip(open) {
                match token {
                    Token::Punct('{') => depth += 1,
                    Token::Punct('}') => {
                        depth -= 1;
                        if depth == 0 {
                            close = j;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            direct.insert(name.clone(), calls_in(support, open..close));
        }
    }
    let mut all: BTreeMap<String, BTreeSet<Call>> = direct
        .iter()
        .map(|(name, (calls, _))| (name.clone(), calls.iter().cloned().collect()))
        .collect();
    loop {
        let mut grew = false;
        for (name, (_, called)) in &direct {
            let inherited: BTreeSet<Call> = called
                .iter()
                .filter(|other| *other != name)
                .filter_map(|other| all.get(other))
                .flatten()
                .cloned()
                .collect();
            let own = all.get_mut(name).unwrap();
            let before = own.len();
            own.extend(inherited);
            grew |= own.len() > before;
        }
        if !grew {
            return all;
        }
    }
}

/// Every test file of `tests/api/` (by file name, but `support.rs` and this file) → the requests
/// it makes, directly or through `support.rs`'s helpers.
pub fn test_calls() -> BTreeMap<String, BTreeSet<Call>> {
    let dir = manifest_dir().join("tests/api");
    let helpers = helper_calls(&tokenize(&read(&dir.join("support.rs"))));
    let mut files = BTreeMap::new();
    for file in rust_files(&dir) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if name == "support.rs" || name == "coverage.rs" {
            continue;
        }
        let tokens = tokenize(&read(&file));
        let (calls, called) = calls_in(&tokens, 0..tokens.len());
        let mut all: BTreeSet<Call> = calls.into_iter().collect();
        for helper in &called {
            all.extend(helpers.get(helper).into_iter().flatten().cloned());
        }
        files.insert(name, all);
    }
    files
}

/// Whether a call's path reaches the route `route` (see the module docs).
fn reaches(route: &str, call: &str) -> bool {
    let same = |route: &str, call: &str| {
        let route: Vec<&str> = route.split('/').collect();
        let call: Vec<&str> = call.split('/').collect();
        route.len() == call.len()
            && route.iter().zip(&call).all(|(r, c)| {
                if r.starts_with('{') && r.ends_with('}') {
                    !c.is_empty()
                } else {
                    r == c
                }
            })
    };
    same(route, call)
        || (route.starts_with("/_widgets/")
            && !call.starts_with("/_widgets")
            && same(route, &format!("/_widgets{call}")))
}

fn calls_route(calls: &BTreeSet<Call>, method: &str, route: &str) -> bool {
    calls
        .iter()
        .any(|(m, path)| m == method && reaches(route, path))
}

#[test]
fn every_served_route_is_called_by_a_test() {
    let routes = registered_routes();
    let calls = test_calls();
    let missing: Vec<String> = routes
        .iter()
        .filter(|(method, route)| !calls.values().any(|c| calls_route(c, method, route)))
        .map(|(method, route)| format!("  {method} {route}"))
        .collect();
    assert!(
        missing.is_empty(),
        "served, but no test under tests/api/ calls them:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_readme_table_lists_every_served_route_with_test_files_that_call_it() {
    let routes = registered_routes();
    let calls = test_calls();
    let readme = read(&manifest_dir().join("README.md"));
    // `(method, path, served, test files)` of each `| \`METHOD /path\` … | yes | \`file.rs\`, … |`.
    let rows: Vec<(String, String, String, Vec<String>)> = readme
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|row| {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let operation = cells.get(1)?.split('`').nth(1)?;
            let (method, path) = operation.split_once(' ')?;
            let files = cells
                .get(3)?
                .split(", ")
                .filter_map(|f| Some(f.strip_prefix('`')?.strip_suffix('`')?.to_string()))
                .collect();
            Some((
                method.to_string(),
                path.to_string(),
                cells.get(2)?.to_string(),
                files,
            ))
        })
        .collect();
    let mut problems = Vec::new();
    for (method, route) in &routes {
        let listed: Vec<_> = rows
            .iter()
            .filter(|(m, p, _, _)| m == method && normalise(p) == normalise(route))
            .collect();
        if listed.is_empty() {
            problems.push(format!("{method} {route} is served but not in the table"));
        }
        for (_, _, served, files) in listed {
            if served != "yes" {
                problems.push(format!("{method} {route}: served column is '{served}'"));
            }
            if files.is_empty() {
                problems.push(format!("{method} {route}: no test file named"));
            }
            for file in files {
                match calls.get(file) {
                    None => problems.push(format!("{method} {route}: no test file {file}")),
                    Some(c) if !calls_route(c, method, route) => {
                        problems.push(format!("{method} {route}: {file} does not call it"))
                    }
                    Some(_) => {}
                }
            }
        }
    }
    for (method, path, _, _) in &rows {
        if !routes
            .iter()
            .any(|(m, r)| m == method && normalise(r) == normalise(path))
        {
            problems.push(format!(
                "the table lists {method} {path}, which is not served"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "emulator/README.md's coverage table:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_route_scan_reads_every_route_of_the_sources() {
    // Each `.route(` written in src/routes is one scanned route (at least one method each).
    let dir = manifest_dir().join("src/routes");
    let written: usize = rust_files(&dir)
        .iter()
        .map(|f| {
            let text: String = read(f).split_whitespace().collect();
            text.matches(".route(").count()
        })
        .sum();
    let scanned: BTreeSet<String> = registered_routes().into_iter().map(|(_, p)| p).collect();
    assert_eq!(scanned.len(), written, "paths scanned vs .route( written");
    // PATCH and nested routes are read.
    assert!(registered_routes().contains(&("PATCH".into(), "/_emulator/settings".into())));
    assert!(registered_routes().contains(&(
        "DELETE".into(),
        "/_widgets/UserManagement/members/{user_id}".into()
    )));
}

#[test]
fn the_call_scan_reads_the_forms_the_tests_use() {
    let source = r##"
        // h.http.get(h.url("/in/a/comment")) does not count.
        /// Nor in a doc: `.post(h.url("/in/a/doc"))`.
        async fn t(h: &Harness) {
            h.http
                .patch(h.url("/_emulator/settings?x=1"))
                .send();
            h.widget(
                Method::DELETE,
                &format!("/UserManagement/members/{BOB_ID}"),
                &token,
                TYPE,
            );
            let row = ("POST", "/UserProfile/me");
            let base = h.emulator.base_url();
            h.http.get(format!("{base}/_widgets/UserProfile/sessions"));
            let c = '"'; let s = r#"{"not": ".get(h.url(\"/x\"))"}"#;
            h.workos.organizations().get_organization(ACME_ID);
            h.sign_in("alice@acme.test");
            data.users.get(ALICE_ID);
        }
    "##;
    let tokens = tokenize(source);
    let (calls, called) = calls_in(&tokens, 0..tokens.len());
    let call = |m: &str, p: &str| (m.to_string(), p.to_string());
    assert_eq!(
        calls,
        vec![
            call("PATCH", "/_emulator/settings"),
            call("DELETE", "/UserManagement/members/{BOB_ID}"),
            call("POST", "/UserProfile/me"),
            call("GET", "/_widgets/UserProfile/sessions"),
            call("GET", "/organizations/{id}"),
        ]
    );
    assert!(called.contains("sign_in"));
    assert!(reaches(
        "/_widgets/UserManagement/members/{user_id}",
        "/UserManagement/members/{BOB_ID}"
    ));
    assert!(!reaches(
        "/_widgets/UserProfile/sessions/revoke-all",
        "/UserProfile/sessions/{id}"
    ));
    assert!(!reaches("/organizations/{id}", "/organizations"));
    // The helpers' requests reach the files that call them.
    let sign_in = &helper_calls(&tokenize(&read(
        &manifest_dir().join("tests/api/support.rs"),
    )))["sign_in"];
    assert!(sign_in.contains(&call("POST", "/user_management/authorize")));
    assert!(sign_in.contains(&call("POST", "/user_management/authenticate")));
}

/// Path parameters compared by position only: `{userId}` = `{user_id}` = `{id}`.
pub fn normalise(path: &str) -> String {
    path.split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}
