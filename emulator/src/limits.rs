//! WorkOS's limit on minting widget tokens: `POST /widgets/token` takes so many requests a minute
//! per API key, and answers 429 with `Retry-After` beyond (600 a minute in WorkOS's widgets
//! material). The emulator enforces it so tests and soaks feel what production would. A keyed GCRA
//! limiter from the `governor` crate, keyed by the API key; settable at run time
//! (`PATCH /_emulator/settings`), 0 turning it off.

use std::num::NonZeroU32;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU32, Ordering};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// WorkOS's per-API-key widget-token limit: 600 mints a minute.
pub const DEFAULT_MINTS_PER_MINUTE: u32 = 600;

/// The mint limit in force: `per_minute` mints a minute per API key (a full minute's worth may
/// come at once), or none when 0.
pub struct MintLimit {
    per_minute: AtomicU32,
    limiter: RwLock<Option<DefaultKeyedRateLimiter<String>>>,
    clock: DefaultClock,
}

impl MintLimit {
    /// `per_minute` mints a minute per API key; 0: no limit.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute: AtomicU32::new(per_minute),
            limiter: RwLock::new(limiter(per_minute)),
            clock: DefaultClock::default(),
        }
    }

    /// The mints allowed a minute per API key (0: no limit).
    pub fn per_minute(&self) -> u32 {
        self.per_minute.load(Ordering::Relaxed)
    }

    /// Sets the limit, with every key's allowance full again; 0 turns it off.
    pub fn set(&self, per_minute: u32) {
        let mut slot = self.limiter.write().unwrap_or_else(|p| p.into_inner());
        *slot = limiter(per_minute);
        self.per_minute.store(per_minute, Ordering::Relaxed);
    }

    /// Takes one mint from `api_key`'s allowance: `Ok`, or `Err(seconds)` until the next one is
    /// allowed (at least 1, for `Retry-After`).
    pub fn check(&self, api_key: &str) -> Result<(), u64> {
        let slot = self.limiter.read().unwrap_or_else(|p| p.into_inner());
        let Some(limiter) = slot.as_ref() else {
            return Ok(());
        };
        limiter
            .check_key(&api_key.to_string())
            .map_err(|not_until| {
                not_until
                    .wait_time_from(self.clock.now())
                    .as_secs_f64()
                    .ceil()
                    .max(1.0) as u64
            })
    }
}

fn limiter(per_minute: u32) -> Option<DefaultKeyedRateLimiter<String>> {
    NonZeroU32::new(per_minute)
        .map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n).allow_burst(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_minute_then_waits_and_zero_is_no_limit() {
        let limit = MintLimit::new(3);
        for _ in 0..3 {
            assert_eq!(limit.check("sk_a"), Ok(()));
        }
        // 3 a minute: the next one in about 20 s.
        assert_eq!(limit.check("sk_a"), Err(20));
        assert_eq!(
            limit.check("sk_b"),
            Ok(()),
            "another key has its own allowance"
        );
        limit.set(0);
        assert_eq!(limit.per_minute(), 0);
        for _ in 0..100 {
            assert_eq!(limit.check("sk_a"), Ok(()));
        }
        limit.set(1);
        assert_eq!(limit.check("sk_a"), Ok(()));
        assert_eq!(limit.check("sk_a"), Err(60));
    }
}
