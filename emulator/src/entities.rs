//! The entities of an emulated WorkOS environment — users, organizations, roles, organization
//! memberships, AuthKit sessions, authorization codes, invitations, mail, one-time challenges,
//! API keys and their permissions —
//! and [`Data`], all of them together with the lookups the handlers share. Persistence and locking
//! are the store's (`store.rs`).

use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::clock::now;
use crate::ids::{api_key_digest, new_api_key_secret, new_id, obfuscate_api_key, secret_eq};

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

/// An organization (WorkOS `Organization`), with its verified domains.
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

/// A membership's status, as WorkOS names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MembershipStatus {
    Active,
    Inactive,
    Pending,
}

impl MembershipStatus {
    /// The API's spelling: `active`, `inactive`, `pending`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Pending => "pending",
        }
    }
}

/// A user's membership of an organization, with one role (a role slug).
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
    /// Neither ended (logout, revocation) nor expired at `now`.
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

/// Whether an invitation is still open.
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

/// Who owns an API key: the organization itself, or one member of it (WorkOS `ApiKey.owner`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ApiKeyOwner {
    /// An organization API key (the ApiKeys widget, `scope="organization"`).
    Organization { organization_id: String },
    /// A user API key: it acts as `user_id` within `organization_id` (`scope="user"`).
    User {
        user_id: String,
        organization_id: String,
    },
}

impl ApiKeyOwner {
    /// The organization the key can access.
    pub fn organization_id(&self) -> &str {
        match self {
            Self::Organization { organization_id }
            | Self::User {
                organization_id, ..
            } => organization_id,
        }
    }

    /// The owning user of a user API key.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Self::Organization { .. } => None,
            Self::User { user_id, .. } => Some(user_id),
        }
    }
}

/// An API key (WorkOS `ApiKey`): its secret is kept only as a SHA-256 digest, so the full value
/// exists once, in the answer that created it; afterwards only `obfuscated_value` is shown.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ApiKey {
    pub id: String,
    pub owner: ApiKeyOwner,
    pub name: String,
    /// Lowercase hex SHA-256 of the secret (`ids::api_key_digest`).
    pub secret_digest: String,
    /// `sk_test_…` and the secret's last four characters, e.g. `sk_test_…x7Qa`.
    pub obfuscated_value: String,
    /// API-key permission slugs ([`ApiKeyPermission`]).
    pub permissions: Vec<String>,
    /// The key stops working at this moment; `None`: never.
    pub expires_at: Option<OffsetDateTime>,
    /// The last successful validation (`POST /api_keys/validations`).
    pub last_used_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl ApiKey {
    /// Not expired at `now`.
    pub fn is_active(&self, now: OffsetDateTime) -> bool {
        self.expires_at.is_none_or(|at| at > now)
    }
}

/// A permission an API key may carry (configured in the environment; seed `api_key_permissions`),
/// e.g. `posts:read`. Not a widget scope: these are the host app's own API permissions.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ApiKeyPermission {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
}

/// Every entity of the environment: what the [`crate::store::Store`] keeps (and saves as one JSON
/// document) and what `/_emulator/reset` restores from the seed.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Data {
    /// By user id.
    pub users: BTreeMap<String, User>,
    /// By organization id.
    pub organizations: BTreeMap<String, Organization>,
    /// The environment's roles, in seed order.
    pub roles: Vec<Role>,
    /// By membership id.
    pub memberships: BTreeMap<String, Membership>,
    /// By session id (the tokens' `sid`).
    pub sessions: BTreeMap<String, Session>,
    /// By the code itself.
    pub authorization_codes: BTreeMap<String, AuthorizationCode>,
    /// By invitation id.
    pub invitations: BTreeMap<String, Invitation>,
    /// Oldest first.
    pub mailbox: Vec<Mail>,
    /// By challenge id.
    pub challenges: BTreeMap<String, Challenge>,
    /// By the `x-elevated-access-token` value.
    pub elevated: BTreeMap<String, ElevatedAccess>,
    /// By challenge id.
    pub pending_factors: BTreeMap<String, PendingFactor>,
    /// By user id: at most one pending email change each.
    pub email_changes: BTreeMap<String, EmailChange>,
    /// By the opaque token the TOTP form carries.
    pub pending_totp: BTreeMap<String, PendingTotp>,
    /// By API key id: organization and user API keys.
    pub api_keys: BTreeMap<String, ApiKey>,
    /// The permissions API keys may carry, in seed order.
    pub api_key_permissions: Vec<ApiKeyPermission>,
}

impl Data {
    /// The user with this email, compared without ASCII case.
    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users
            .values()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    /// The environment role with this slug.
    pub fn role(&self, slug: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.slug == slug)
    }

    /// The user's membership in the organization, whatever its status.
    pub fn membership(&self, user_id: &str, organization_id: &str) -> Option<&Membership> {
        self.memberships
            .values()
            .find(|m| m.user_id == user_id && m.organization_id == organization_id)
    }

    /// Whether the user is an active member of the organization.
    pub fn is_active_member(&self, user_id: &str, organization_id: &str) -> bool {
        self.membership(user_id, organization_id)
            .is_some_and(|m| m.status == MembershipStatus::Active)
    }

    /// Whether entering `organization_id` needs a new MFA factor: the organization requires MFA
    /// and the user has none.
    pub fn needs_mfa_enrollment(&self, user_id: &str, organization_id: &str) -> bool {
        self.organizations
            .get(organization_id)
            .is_some_and(|o| o.require_mfa)
            && self
                .users
                .get(user_id)
                .is_some_and(|u| u.totp_secret.is_none())
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

    /// Creates an API key for `owner` and returns it with its secret, the only time the secret
    /// exists outside the caller's hands (the store keeps its digest).
    pub fn issue_api_key(
        &mut self,
        owner: ApiKeyOwner,
        name: String,
        permissions: Vec<String>,
        expires_at: Option<OffsetDateTime>,
    ) -> (ApiKey, String) {
        let secret = new_api_key_secret();
        let at = now();
        let key = ApiKey {
            id: new_id("api_key"),
            owner,
            name,
            secret_digest: api_key_digest(&secret),
            obfuscated_value: obfuscate_api_key(&secret),
            permissions,
            expires_at,
            last_used_at: None,
            created_at: at,
            updated_at: at,
        };
        self.api_keys.insert(key.id.clone(), key.clone());
        (key, secret)
    }

    /// The API key whose secret is `secret` (expired or not), compared by digest.
    pub fn api_key_by_secret(&self, secret: &str) -> Option<&ApiKey> {
        let digest = api_key_digest(secret);
        self.api_keys
            .values()
            .find(|k| secret_eq(&k.secret_digest, &digest))
    }

    /// The session this refresh token currently continues (ended or not).
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

/// A plausible email address for a user or an invitation: one `@`, a non-empty local part, a dotted
/// domain, no spaces, at most 254 bytes.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
        && !domain.contains('@')
        && email.len() <= 254
}

#[cfg(test)]
mod tests {
    #[test]
    fn email_check() {
        for ok in ["a@b.co", "first.last+tag@acme.test"] {
            assert!(super::valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "nope",
            "@acme.test",
            "a@",
            "a@b",
            "a b@acme.test",
            "a@.test",
            "a@b@c.test",
        ] {
            assert!(!super::valid_email(bad), "{bad}");
        }
    }
}
