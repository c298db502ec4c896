//! Fault injection for reliability tests: the next N calls to a path (or a share of them) answer
//! 429 (with `Retry-After`), an error status, only after a delay, or not at all (the connection is
//! dropped, before or after the call is done). Configured at `/_emulator/faults`; applied by the router's fault layer
//! (`routes/mod.rs`).

use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// What a matching call gets.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// 429 `{code: "rate_limit_exceeded"}` with `Retry-After: <retry_after_secs>`.
    RateLimit { retry_after_secs: u64 },
    /// This status (e.g. 500, 503) with `{message}`.
    Error { status: u16 },
    /// The real answer, after `delay_ms` milliseconds.
    Delay { delay_ms: u64 },
    /// No answer: the connection is closed before a complete response (the client sees a network
    /// error, as with a reset or a crashed upstream).
    Drop,
    /// The call is done (a refresh token rotates, a mint is counted) but its reply is lost: after
    /// `delay_ms` milliseconds (default 0; longer than the client's timeout, the client sees a
    /// timeout) the connection is closed before a complete response.
    LoseReply {
        #[serde(default)]
        delay_ms: u64,
    },
}

/// A rule: calls whose path starts with `path_prefix` (and whose method matches, if given) get
/// `kind`; with `percent` (1–100) only that share of the matching calls, chosen at random. `count`
/// bounds how many calls are faulted (absent: until `DELETE /_emulator/faults` or a reset).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fault {
    pub path_prefix: String,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub count: Option<u32>,
    #[serde(default)]
    pub percent: Option<u8>,
    #[serde(flatten)]
    pub kind: FaultKind,
}

impl Fault {
    /// Why this rule cannot be used, if so: `count` 0 or `percent` outside 1–100.
    pub fn invalid(&self) -> Option<&'static str> {
        if self.count == Some(0) {
            return Some("count must be at least 1 (leave it out for no limit).");
        }
        if self.percent.is_some_and(|p| !(1..=100).contains(&p)) {
            return Some("percent must be between 1 and 100.");
        }
        None
    }
}

/// The configured rules, in the order they were added.
#[derive(Default)]
pub struct Faults(Mutex<Vec<Fault>>);

impl Faults {
    /// Adds a rule after the existing ones.
    pub fn add(&self, fault: Fault) {
        self.lock().push(fault);
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The rules, with the calls they have left (`count`).
    pub fn list(&self) -> Vec<Fault> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes one use of the first rule matching the call whose `percent` draw says so (each
    /// matching rule draws in turn, so rules of 5 % each for four kinds fault ≈ 19 % of calls),
    /// removing rules that are used up.
    pub fn take(&self, method: &str, path: &str) -> Option<FaultKind> {
        let mut faults = self.lock();
        let mut rng = rand::thread_rng();
        let index = faults.iter().position(|f| {
            path.starts_with(&f.path_prefix)
                && f.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && f.percent
                    .is_none_or(|percent| rand::Rng::gen_range(&mut rng, 0..100u8) < percent)
        })?;
        let kind = faults[index].kind.clone();
        if let Some(count) = faults[index].count.as_mut() {
            *count = count.saturating_sub(1);
            if *count == 0 {
                faults.remove(index);
            }
        }
        Some(kind)
    }
}
