//! Passwords: the environment's password policy, and hashing — Argon2id (the `argon2` crate's
//! defaults: 19 MiB, 2 passes, 1 lane), PHC strings, at most one hash per core at a time, off the
//! async workers.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::Serialize;

/// The environment's password policy, enforced by the widgets' create- and update-password and
/// reported by `authentication-information` (`passwordSettings`).
pub struct PasswordPolicy {
    /// In characters.
    pub minimum_length: usize,
    /// In characters.
    pub maximum_length: usize,
    /// At least one ASCII digit.
    pub number_required: bool,
}

/// The policy: 10 to 128 characters, a number, and not the email's local part.
pub const POLICY: PasswordPolicy = PasswordPolicy {
    minimum_length: 10,
    maximum_length: 128,
    number_required: true,
};

/// One broken rule, an item of a 400 `password_strength_error`'s `errors`: `{code, message}` plus
/// the rule's parameter (`minimum_length`, `maximum_length` or `character_type`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// `password_too_short`, `password_too_long`, `password_missing_character_type` or
    /// `password_contains_email`.
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_length: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_length: Option<usize>,
    /// `number`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub character_type: Option<&'static str>,
}

impl Violation {
    fn new(code: &'static str, message: String) -> Self {
        Self {
            code,
            message,
            minimum_length: None,
            maximum_length: None,
            character_type: None,
        }
    }
}

impl PasswordPolicy {
    /// The rules `password` breaks for the user with this email, in the order above; empty when
    /// it is acceptable.
    pub fn violations(&self, password: &str, email: &str) -> Vec<Violation> {
        let mut errors = Vec::new();
        let length = password.chars().count();
        if length < self.minimum_length {
            errors.push(Violation {
                minimum_length: Some(self.minimum_length),
                ..Violation::new(
                    "password_too_short",
                    format!(
                        "Password must be at least {} characters.",
                        self.minimum_length
                    ),
                )
            });
        }
        if length > self.maximum_length {
            errors.push(Violation {
                maximum_length: Some(self.maximum_length),
                ..Violation::new(
                    "password_too_long",
                    format!(
                        "Password must be at most {} characters.",
                        self.maximum_length
                    ),
                )
            });
        }
        if self.number_required && !password.chars().any(|c| c.is_ascii_digit()) {
            errors.push(Violation {
                character_type: Some("number"),
                ..Violation::new(
                    "password_missing_character_type",
                    "Password must contain a number.".into(),
                )
            });
        }
        let local = email.split('@').next().unwrap_or_default().to_lowercase();
        if local.len() >= 3 && password.to_lowercase().contains(&local) {
            errors.push(Violation::new(
                "password_contains_email",
                "Password must not contain your email address.".into(),
            ));
        }
        errors
    }
}

/// Argon2id PHC string of `password`, with a fresh random salt. Errors: the hasher's message
/// (e.g. a password longer than Argon2 accepts).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches the Argon2id PHC string `hash`; a malformed hash matches nothing.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// [`verify_password`] off the async workers (see [`hashing`]).
pub async fn password_matches(password: &str, hash: String) -> bool {
    let password = password.to_string();
    hashing(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// Runs `work` (password hashing or verification) off the async workers, one per core at a time:
/// Argon2id is deliberately slow and memory-hard. `None` if the work panicked.
pub async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let _permit = hashing_permits().acquire().await.ok()?;
    tokio::task::spawn_blocking(work).await.ok()
}

/// Argon2id runs at most this many at once (one per core). Each takes a 19 MiB memory block; with
/// one blocking thread per concurrent sign-in, the allocator kept those blocks per thread and 500
/// sign-ins left the process at ~1 GiB resident (`make soak`); see also
/// [`return_large_blocks_to_the_system`].
fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    })
}

/// glibc raises its mmap threshold to the size of each large block freed, so after the first
/// Argon2 block (19 MiB) the next ones came from per-thread heaps that never shrink: ~400 MiB
/// resident after 1,500 sign-ins even one per core at a time. A fixed threshold keeps blocks of
/// 4 MiB and more in their own mappings, returned to the system when freed. Called once by
/// [`crate::Emulator::start`], before the seed's passwords are hashed.
pub fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is safe to call at any time.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
    }
}
