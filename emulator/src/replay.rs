//! The refresh-token replay grace period (WorkOS "Session resilience",
//! workos.com/docs/authkit/session-resilience: a refresh token exchanged again shortly after its
//! rotation returns the same rotated pair instead of `invalid_grant`, so concurrent refreshes and a
//! client retrying after a lost reply keep the session).
//!
//! Each rotation is remembered, in memory only (never in `state.json`: the pair is live credential
//! material), for the grace period. A replay is served when it comes inside the window, asks for
//! the same organization as the first exchange, the session is still active, and the pair it
//! returns is still the session's latest (a token two rotations old is refused: the window covers a
//! race or a retry, not a chain of stale tokens).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// WorkOS's documented replay grace period, in seconds ("Session resilience").
pub const DEFAULT_GRACE_SECS: u64 = 30;

/// The largest grace period the emulator accepts, in seconds (1 hour).
pub const MAX_GRACE_SECS: u64 = 3600;

/// What the first exchange of a refresh token returned, and for which request.
#[derive(Debug, Clone)]
pub struct Rotation {
    pub session_id: String,
    /// The `organization_id` the first exchange asked for (`None`: none asked).
    pub requested_organization_id: Option<String>,
    pub access_token: String,
    /// The refresh token the first exchange returned.
    pub refresh_token: String,
    at: Instant,
}

/// The rotations of the last grace period, by the refresh token they retired, and the window.
pub struct Replays {
    grace_secs: AtomicU64,
    rotations: Mutex<HashMap<String, Rotation>>,
}

impl Replays {
    pub fn new(grace_secs: u64) -> Self {
        Self {
            grace_secs: AtomicU64::new(grace_secs),
            rotations: Mutex::default(),
        }
    }

    /// The current grace period in seconds (0: strict, every second exchange is refused).
    pub fn grace_secs(&self) -> u64 {
        self.grace_secs.load(Ordering::Relaxed)
    }

    /// Sets the grace period for rotations from now on and for those remembered (0 forgets them).
    pub fn set_grace_secs(&self, secs: u64) {
        self.grace_secs.store(secs, Ordering::Relaxed);
        if secs == 0 {
            self.lock().clear();
        }
    }

    fn window(&self) -> Duration {
        Duration::from_secs(self.grace_secs())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Rotation>> {
        self.rotations.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Remembers that `retired` was exchanged for this pair (nothing when the window is 0), and
    /// forgets rotations older than the window.
    pub fn remember(
        &self,
        retired: String,
        session_id: String,
        requested_organization_id: Option<String>,
        access_token: String,
        refresh_token: String,
    ) {
        let window = self.window();
        let mut rotations = self.lock();
        rotations.retain(|_, r| r.at.elapsed() < window);
        if window.is_zero() {
            return;
        }
        rotations.insert(
            retired,
            Rotation {
                session_id,
                requested_organization_id,
                access_token,
                refresh_token,
                at: Instant::now(),
            },
        );
    }

    /// The rotation of `retired` if it happened inside the window.
    pub fn recent(&self, retired: &str) -> Option<Rotation> {
        let window = self.window();
        self.lock()
            .get(retired)
            .filter(|r| r.at.elapsed() < window)
            .cloned()
    }

    /// Forgets every rotation (`/_emulator/reset`).
    pub fn clear(&self) {
        self.lock().clear();
    }
}
