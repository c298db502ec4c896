//! The per-session limit on widget tokens (server-only): a token lets the browser change a
//! password or remove members, so one session (one browser) may mint only so many, as WorkOS
//! limits each API key. A keyed GCRA limiter from the `governor` crate, keyed by the AuthKit
//! session id of the verified session.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// How often sessions that are back to a full burst are forgotten.
pub const FORGET_EVERY: Duration = Duration::from_secs(60);

pub struct TokenLimiter {
    limiter: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl TokenLimiter {
    /// `per_minute` tokens a minute per session, after a burst of `burst`.
    pub fn new(per_minute: NonZeroU32, burst: NonZeroU32) -> Self {
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(
                Quota::per_minute(per_minute).allow_burst(burst),
            ),
            clock: DefaultClock::default(),
        }
    }

    /// Takes one token from `session_id`'s allowance: `Ok`, or `Err(seconds)` to wait before the
    /// next one is allowed (at least 1, for `Retry-After`).
    pub fn check(&self, session_id: &str) -> Result<(), u64> {
        self.limiter
            .check_key(&session_id.to_string())
            .map_err(|not_until| {
                not_until
                    .wait_time_from(self.clock.now())
                    .as_secs_f64()
                    .ceil()
                    .max(1.0) as u64
            })
    }

    /// Drops the state of sessions whose allowance is full again (keeps memory flat).
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// Sessions currently tracked.
    pub fn len(&self) -> usize {
        self.limiter.len()
    }

    pub fn is_empty(&self) -> bool {
        self.limiter.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_gets_its_burst_then_waits_and_others_are_unaffected() {
        let limiter = TokenLimiter::new(NonZeroU32::new(30).unwrap(), NonZeroU32::new(3).unwrap());
        for _ in 0..3 {
            assert_eq!(limiter.check("session_a"), Ok(()));
        }
        // 30 a minute: the next one in about 2 s.
        assert_eq!(limiter.check("session_a"), Err(2));
        assert_eq!(limiter.check("session_b"), Ok(()));
        assert_eq!(limiter.len(), 2);
    }
}
