//! What the emulator was asked, counted: every WorkOS call (not `/_emulator/*`, not CORS
//! preflights) by method and path, ids folded into `{id}`, and the grants of
//! `POST /user_management/authenticate` by `grant_type`. `GET /_emulator/calls` shows them, so
//! tests and benchmarks can tell how many mints, refreshes or JWKS fetches a page view costs.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;

/// The counts since start or the last reset (`GET /_emulator/calls`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct CallCounts {
    /// `"POST /widgets/token"`, `"GET /sso/jwks/{id}"`, … → calls answered (whatever the status).
    pub calls: BTreeMap<String, u64>,
    /// `POST /user_management/authenticate` by `grant_type` (`authorization_code`,
    /// `refresh_token`, `password`), accepted or not.
    pub grants: BTreeMap<String, u64>,
    /// Widget tokens minted (`POST /widgets/token` answered 201).
    pub widget_tokens_minted: u64,
    /// `POST /widgets/token` refused by the per-API-key mint limit (429).
    pub widget_tokens_rate_limited: u64,
    /// Refresh tokens exchanged again inside the replay grace period, answered with the pair of
    /// their first exchange (`replay.rs`).
    pub refresh_token_replays: u64,
}

#[derive(Default)]
pub struct Calls(Mutex<CallCounts>);

impl Calls {
    fn lock(&self) -> std::sync::MutexGuard<'_, CallCounts> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a call of `method` on `path`.
    pub fn call(&self, method: &str, path: &str) {
        *self
            .lock()
            .calls
            .entry(format!("{method} {}", template(path)))
            .or_default() += 1;
    }

    /// Counts a `POST /user_management/authenticate` of this `grant_type`.
    pub fn grant(&self, grant_type: &str) {
        // Bounded: only the grant types the emulator knows get their own row.
        let grant = match grant_type {
            "authorization_code" | "refresh_token" | "password" => grant_type,
            _ => "other",
        };
        *self.lock().grants.entry(grant.into()).or_default() += 1;
    }

    /// Counts a widget token minted.
    pub fn minted(&self) {
        self.lock().widget_tokens_minted += 1;
    }

    /// Counts a refresh-token replay served inside the grace period.
    pub fn replayed(&self) {
        self.lock().refresh_token_replays += 1;
    }

    /// Counts a mint refused by the mint limit.
    pub fn rate_limited(&self) {
        self.lock().widget_tokens_rate_limited += 1;
    }

    pub fn snapshot(&self) -> CallCounts {
        self.lock().clone()
    }

    /// Back to zero (`/_emulator/reset`).
    pub fn clear(&self) {
        *self.lock() = CallCounts::default();
    }
}

/// `path` with each segment that holds a digit (an id, a client id, a code) as `{id}`, so the
/// counts stay few: `/organizations/org_01J…` → `/organizations/{id}`.
fn template(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.bytes().any(|b| b.is_ascii_digit()) || segment.len() > 40 {
                "{id}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_fold_into_one_row() {
        assert_eq!(
            template("/organizations/org_01JDEM0000000000000000ACME"),
            "/organizations/{id}"
        );
        assert_eq!(
            template("/sso/jwks/client_emulator"),
            "/sso/jwks/client_emulator"
        );
        assert_eq!(template("/widgets/token"), "/widgets/token");
        let calls = Calls::default();
        calls.call("GET", "/user_management/users/user_1");
        calls.call("GET", "/user_management/users/user_2");
        calls.grant("refresh_token");
        calls.grant("made-up");
        let counts = calls.snapshot();
        assert_eq!(counts.calls["GET /user_management/users/{id}"], 2);
        assert_eq!(counts.grants["refresh_token"], 1);
        assert_eq!(counts.grants["other"], 1);
        calls.clear();
        assert!(calls.snapshot().calls.is_empty());
    }
}
