//! In-memory state of the emulated WorkOS environment: users, organizations, roles, organization
//! memberships, AuthKit sessions, authorization codes and refresh tokens.
//!
//! One `RwLock` guards everything: handlers take it briefly and never across an `.await`, so the
//! emulator stays simple and consistent under concurrent requests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use time::OffsetDateTime;

/// A user of the environment (WorkOS `User`, spec `UserlandUser`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct User {
    pub id: String,
    pub email: String,
    pub email_verified: bool,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub profile_picture_url: Option<String>,
    pub locale: Option<String>,
    /// Argon2id PHC string; `None` for a user without a password.
    pub password_hash: Option<String>,
    /// Base32 secret of the user's verified TOTP factor; sign-in then asks for a code.
    pub totp_secret: Option<String>,
    pub last_sign_in_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl User {
    /// "First Last", falling back to the email when both names are empty.
    pub fn display_name(&self) -> String {
        let name = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            self.email.clone()
        } else {
            name
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub domains: Vec<String>,
    /// Members need an MFA factor to enter (seed `require_mfa`).
    #[serde(default)]
    pub require_mfa: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// An environment role. `permissions` are the widget scopes the role grants, e.g.
/// `widgets:users-table:manage` for `admin`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Role {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub permissions: Vec<String>,
    /// The role new members get.
    pub is_default: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MembershipStatus {
    Active,
    Inactive,
    Pending,
}

impl MembershipStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Pending => "pending",
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Membership {
    pub id: String,
    pub user_id: String,
    pub organization_id: String,
    pub role: String,
    pub status: MembershipStatus,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// An AuthKit session: one per sign-in. Its id is the `sid` claim of every access token it issues.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    pub organization_id: Option<String>,
    pub user_agent: Option<String>,
    pub ip_address: Option<String>,
    /// WorkOS `authentication_method`, e.g. `Password`.
    pub auth_method: String,
    /// The one refresh token that currently continues this session (rotated on every use).
    pub refresh_token: String,
    pub ended_at: Option<OffsetDateTime>,
    pub expires_at: OffsetDateTime,
    pub last_activity_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Session {
    pub fn is_active(&self, now: OffsetDateTime) -> bool {
        self.ended_at.is_none() && self.expires_at > now
    }
}

/// A single-use AuthKit authorization code (10 minutes), issued by the sign-in page.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AuthorizationCode {
    pub user_id: String,
    pub organization_id: Option<String>,
    pub redirect_uri: String,
    /// PKCE S256 challenge, when the authorization request carried one.
    pub code_challenge: Option<String>,
    pub user_agent: Option<String>,
    pub ip_address: Option<String>,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum InvitationState {
    Pending,
    Revoked,
}

/// An invitation to join an organization (UsersManagement's "Invited" rows).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Invitation {
    pub id: String,
    pub email: String,
    pub organization_id: String,
    pub role: String,
    pub state: InvitationState,
    pub inviter_user_id: String,
    pub expires_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// An email the real WorkOS would have sent; listed at `GET /_emulator/mailbox`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Mail {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The one-time code in the mail, if any (what tests read).
    pub code: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// An emailed code that grants elevated access once verified (UserProfile `send-verification`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Challenge {
    pub user_id: String,
    pub code: String,
    pub expires_at: OffsetDateTime,
}

/// A short-lived token for sensitive widget calls (`x-elevated-access-token`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ElevatedAccess {
    pub user_id: String,
    pub expires_at: OffsetDateTime,
}

/// A TOTP factor being enrolled: verified by a code from the authenticator app (UserSecurity).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PendingFactor {
    pub factor_id: String,
    pub user_id: String,
    pub secret: String,
    pub expires_at: OffsetDateTime,
}

/// A requested email change, confirmed by a code sent to the new address.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct EmailChange {
    pub new_email: String,
    pub code: String,
    pub expires_at: OffsetDateTime,
}

/// A sign-in whose password was right and that now waits for the TOTP code.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PendingTotp {
    pub user_id: String,
    pub expires_at: OffsetDateTime,
    /// Set when this step enrolls a new factor (an organization requires MFA): the secret shown
    /// to the user, saved as their factor once a code from it is right.
    #[serde(default)]
    pub enroll_secret: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct State {
    pub users: BTreeMap<String, User>,
    pub organizations: BTreeMap<String, Organization>,
    pub roles: Vec<Role>,
    pub memberships: BTreeMap<String, Membership>,
    pub sessions: BTreeMap<String, Session>,
    pub authorization_codes: BTreeMap<String, AuthorizationCode>,
    pub invitations: BTreeMap<String, Invitation>,
    pub mailbox: Vec<Mail>,
    pub challenges: BTreeMap<String, Challenge>,
    pub elevated: BTreeMap<String, ElevatedAccess>,
    /// By challenge id.
    pub pending_factors: BTreeMap<String, PendingFactor>,
    /// By user id: at most one pending email change each.
    pub email_changes: BTreeMap<String, EmailChange>,
    /// By the opaque token the TOTP form carries.
    pub pending_totp: BTreeMap<String, PendingTotp>,
}

impl State {
    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users
            .values()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    pub fn role(&self, slug: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.slug == slug)
    }

    /// The user's membership in the organization, whatever its status.
    pub fn membership(&self, user_id: &str, organization_id: &str) -> Option<&Membership> {
        self.memberships
            .values()
            .find(|m| m.user_id == user_id && m.organization_id == organization_id)
    }

    /// The user's active memberships, oldest first.
    pub fn active_memberships(&self, user_id: &str) -> Vec<&Membership> {
        let mut list: Vec<_> = self
            .memberships
            .values()
            .filter(|m| m.user_id == user_id && m.status == MembershipStatus::Active)
            .collect();
        list.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        list
    }

    /// Permissions granted by a role slug; unknown roles grant nothing.
    pub fn role_permissions(&self, slug: &str) -> Vec<String> {
        self.role(slug)
            .map(|r| r.permissions.clone())
            .unwrap_or_default()
    }

    pub fn session_by_refresh_token(&self, token: &str) -> Option<&Session> {
        self.sessions.values().find(|s| s.refresh_token == token)
    }

    /// Records an email the real WorkOS would send.
    pub fn send_mail(&mut self, to: &str, subject: &str, body: String, code: Option<String>) {
        tracing::info!(%to, %subject, "mail sent to the emulator mailbox");
        self.mailbox.push(Mail {
            id: new_id("email"),
            to: to.into(),
            subject: subject.into(),
            body,
            code,
            created_at: now(),
        });
    }

    /// The session a widget token for `user_id` in `organization_id` belongs to: the user's most
    /// recently active session, preferring one in that organization.
    pub fn current_session(
        &self,
        user_id: &str,
        organization_id: Option<&str>,
        now: OffsetDateTime,
    ) -> Option<&Session> {
        self.sessions
            .values()
            .filter(|s| s.user_id == user_id && s.is_active(now))
            .max_by_key(|s| {
                (
                    s.organization_id.as_deref() == organization_id,
                    s.last_activity_at,
                )
            })
    }
}

/// Shared handle to the emulator's state, optionally kept in a file.
///
/// With a file, every write is saved before the write lock is released, so before the response
/// that acknowledges it is sent: the JSON snapshot goes to `<file>.tmp`, is fsynced, renamed over
/// `<file>` and the directory fsynced. A `kill -9` at any moment leaves either the old or the new
/// snapshot, never a torn one, and never loses an acknowledged change. (A JSON snapshot rather than
/// SQLite: the state is small, one document keeps every write consistent, and there is no schema
/// to migrate.)
#[derive(Clone, Default)]
pub struct Store {
    state: Arc<RwLock<State>>,
    file: Option<Arc<PathBuf>>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read or write the state file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the state file {path} is not valid emulator state ({source}); move it away to start from the seed"
    )]
    Corrupt {
        path: String,
        source: serde_json::Error,
    },
}

impl Store {
    /// State kept in memory only.
    pub fn new(state: State) -> Self {
        Self {
            state: Arc::new(RwLock::new(state)),
            file: None,
        }
    }

    /// State kept in `file`: loaded from it when it exists, else `seed()` saved to it.
    pub fn open(file: &Path, seed: impl FnOnce() -> State) -> Result<Self, StoreError> {
        let io = |source| StoreError::Io {
            path: file.display().to_string(),
            source,
        };
        let state = match std::fs::read(file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| StoreError::Corrupt {
                path: file.display().to_string(),
                source,
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let state = seed();
                save(&state, file).map_err(io)?;
                state
            }
            Err(e) => return Err(io(e)),
        };
        tracing::info!(file = %file.display(), "emulator state loaded");
        Ok(Self {
            state: Arc::new(RwLock::new(state)),
            file: Some(Arc::new(file.to_path_buf())),
        })
    }

    pub fn read(&self) -> RwLockReadGuard<'_, State> {
        // A panic while holding the lock cannot leave the maps half-written in a way that matters
        // more than refusing all further requests would: keep serving.
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Write access; the state is saved when the guard is dropped.
    pub fn write(&self) -> WriteGuard<'_> {
        WriteGuard {
            guard: self
                .state
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
            file: self.file.as_deref().map(PathBuf::as_path),
        }
    }
}

pub struct WriteGuard<'a> {
    guard: RwLockWriteGuard<'a, State>,
    file: Option<&'a Path>,
}

impl std::ops::Deref for WriteGuard<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        &self.guard
    }
}

impl std::ops::DerefMut for WriteGuard<'_> {
    fn deref_mut(&mut self) -> &mut State {
        &mut self.guard
    }
}

impl Drop for WriteGuard<'_> {
    fn drop(&mut self) {
        if let Some(file) = self.file
            && let Err(e) = save(&self.guard, file)
        {
            tracing::error!(file = %file.display(), error = %e, "cannot save the emulator state");
        }
    }
}

/// Atomic, durable snapshot: write `<file>.tmp`, fsync, rename over `<file>`, fsync the directory.
fn save(state: &State, file: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let bytes = serde_json::to_vec(state).map_err(std::io::Error::other)?;
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = file.with_extension("json.tmp");
    let mut out = std::fs::File::create(&tmp)?;
    out.write_all(&bytes)?;
    out.sync_all()?;
    std::fs::rename(&tmp, file)?;
    std::fs::File::open(dir)?.sync_all()
}

/// A fresh WorkOS-style id: `<prefix>_<ULID>`, e.g. `session_01JD…`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", ulid::Ulid::new())
}

/// An opaque random secret (authorization codes, refresh tokens): 32 random bytes, base64url.
pub fn new_secret() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// WorkOS timestamps: ISO 8601, UTC, milliseconds, e.g. `2026-11-23T10:00:00.000Z`.
pub fn timestamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// A random 6-digit one-time code.
pub fn new_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000))
}

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}
